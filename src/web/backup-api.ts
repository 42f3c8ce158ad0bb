/**
 * Backup and restore of the configuration (the registry without its live values), for
 * administrators:
 *
 *   GET  /api/backup?format=ini|json        a download: iobox-<serial>.ini (default) or .json
 *   POST /api/restore?mode=merge|replace    the file as the body; JSON when it starts with "{",
 *                                           INI otherwise. All or nothing: {changed} or 400 {error}
 */
import type { WebLogin } from "../auth/web-login.ts";
import type { Router } from "../http/router.ts";
import type { Host } from "../host.ts";
import { RegistryError, type Registry } from "../registry/registry.ts";
import { applyImport, exportIni, exportJson, parseIni, parseJson } from "../registry/transfer.ts";
import { ApiError, apiHandler, sendJson, textBody } from "./json.ts";

/** A full registry (48 KB of keys and values) with the INI or JSON around it fits. */
export const MAX_RESTORE_BYTES = 64 * 1024;

export function backupRoutes(router: Router, host: Host, deps: { login: WebLogin; registry: Registry; serialNumber: number; model: string }): void {
  const { login, registry } = deps;
  router.get(
    "/api/backup",
    login.requireRole(
      "administrator",
      apiHandler((ex) => {
        const format = ex.param("format") ?? "ini";
        if (format !== "ini" && format !== "json") throw new ApiError(400, "format is ini or json");
        const body = format === "ini" ? exportIni(registry, `iobox ${deps.model} serial ${deps.serialNumber}, saved ${new Date(host.clock.now()).toISOString()}`) : exportJson(registry);
        ex.respond(200, body, [
          "Content-Type",
          format === "ini" ? "text/plain; charset=utf-8" : "application/json",
          "Content-Disposition",
          `attachment; filename="iobox-${deps.serialNumber}.${format}"`,
          "Cache-Control",
          "no-store",
        ]);
      }),
    ),
  );
  router.post(
    "/api/restore",
    login.requireRole(
      "administrator",
      apiHandler((ex) => {
        const mode = ex.param("mode") ?? "merge";
        if (mode !== "merge" && mode !== "replace") throw new ApiError(400, "mode is merge or replace");
        const text = textBody(ex);
        const parsed = text.trimStart().startsWith("{") ? parseJson(text) : parseIni(text);
        if (!parsed.entries.length && !parsed.problems.length) throw new ApiError(400, "the file holds no settings");
        try {
          const changes = applyImport(registry, parsed, { replace: mode === "replace" });
          host.log("info", `web: "${ex.user!.name}" restored the configuration (${mode}): ${changes.length} keys changed`);
          sendJson(ex, 200, { changed: changes.length });
        } catch (e) {
          if (!(e instanceof RegistryError)) throw e;
          throw new ApiError(400, e.message);
        }
      }),
    ),
    { maxBody: MAX_RESTORE_BYTES },
  );
}
