/**
 * Backup and restore of the configuration (the registry without its live values), for
 * administrators:
 *
 *   GET  /api/backup?format=ini|json        a download: iobox-<serial>.ini (default) or .json; it holds
 *                                           the stored passwords as they are (a restore needs them),
 *                                           and the INI's header and the web UI say so
 *   POST /api/restore?mode=merge|replace    the file as the body; JSON when it starts with "{",
 *                                           INI otherwise. All or nothing: {changed} or 400 {error}
 */
import { frozen } from "../frozen.ts";
import type { Exchange } from "../http/exchange.ts";
import type { Route } from "../http/router.ts";
import { RegistryError } from "../registry/registry.ts";
import { applyImport, exportIni, exportJson, parseIni, parseJson, secretsIn } from "../registry/transfer.ts";
import { forRole, type WebContext } from "./context.ts";
import { ApiError, api, sendJson, textBody } from "./json.ts";

/** A full registry of the simulator (48 KB of keys and values) with the INI or JSON around it fits; the device's HTTP limits cap it (maxRouteBody). */
export const MAX_RESTORE_BYTES = 64 * 1024;

function backup(c: WebContext, ex: Exchange): void {
  const format = ex.param("format") ?? "ini";
  if (format !== "ini" && format !== "json") throw new ApiError(400, "format is ini or json");
  const { model, serialNumber } = c.facts;
  const secrets = secretsIn(c.registry);
  const warning = secrets.length ? `\nIt holds these passwords as they are, so that a restore has them: ${secrets.join(", ")}. Keep it as safe as the unit.` : "";
  const body = format === "ini" ? exportIni(c.registry, `iobox ${model} serial ${serialNumber}, saved ${new Date(c.host.clock.now()).toISOString()}${warning}`) : exportJson(c.registry);
  ex.respond(200, body, [
    "Content-Type",
    format === "ini" ? "text/plain; charset=utf-8" : "application/json",
    "Content-Disposition",
    `attachment; filename="iobox-${serialNumber}.${format}"`,
    "Cache-Control",
    "no-store",
  ]);
}

function restore(c: WebContext, ex: Exchange): void {
  const mode = ex.param("mode") ?? "merge";
  if (mode !== "merge" && mode !== "replace") throw new ApiError(400, "mode is merge or replace");
  const text = textBody(ex);
  const parsed = text.trimStart().startsWith("{") ? parseJson(text, c.registry.limits.maxKeys) : parseIni(text);
  if (!parsed.entries.length && !parsed.problems.length) throw new ApiError(400, "the file holds no settings");
  try {
    const changes = applyImport(c.registry, parsed, { replace: mode === "replace" });
    c.host.log("info", `web: "${ex.user!.name}" restored the configuration (${mode}): ${changes.length} keys changed`);
    sendJson(ex, 200, { changed: changes.length });
  } catch (e) {
    if (!(e instanceof RegistryError)) throw e;
    throw new ApiError(400, e.message);
  }
}

export const BACKUP_ROUTES: readonly Route<WebContext>[] = frozen([
  { method: "GET", path: "/api/backup", handler: forRole("administrator", api(backup)) },
  { method: "POST", path: "/api/restore", handler: forRole("administrator", api(restore)), options: { maxBody: MAX_RESTORE_BYTES } },
]);
