/**
 * The simulator's configuration files, as Xentara has them (xentara.md §2): config.json (the web
 * server), security.json (TLS certificate, roles, ACL) and oauth2.json (Bearer token issuers). Each
 * has an embedded default except oauth2.json, whose absence means no Bearer tokens. Paths inside
 * security.json and oauth2.json are relative to the file's own directory (to the data directory for
 * the embedded default). Every problem is a ConfigError naming the file and the field.
 */
import fs from "node:fs";
import path from "node:path";
import { parseOAuth2, type OAuth2Config } from "../../src/auth/oauth2.ts";
import { parseSecurity, type SecurityConfig } from "../../src/auth/security.ts";
import { parseConfig, type ServerConfig } from "../../src/config.ts";
import type { TlsServerOptions } from "../../src/host.ts";
import { ConfigError } from "../../src/validate.ts";
import { DEFAULT_CONFIG, DEFAULT_SECURITY } from "./default-config.ts";

export interface ConfigFiles {
  config: ServerConfig;
  /** For messages: the file name, or "embedded default config.json". */
  configName: string;
  security: SecurityConfig;
  /** security.json's TLS certificate, when it names one. */
  tls?: TlsServerOptions;
  oauth2?: OAuth2Config;
}

export class FileError extends Error {}

function read(file: string): string {
  try {
    return fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new FileError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/**
 * Reads and checks the three files; throws ConfigError or FileError for a file given on the command
 * line. Without a flag, a file in the data directory (uploaded with the JANOS file messages, as on a
 * device) is used, and one that cannot be used is reported in `notes` and the default taken, as a
 * device does: a bad upload never keeps the simulator from starting.
 */
export function loadConfigFiles(given: { config?: string; security?: string; oauth2?: string }, dataDir: string, notes: string[] = []): ConfigFiles {
  const files = { ...given };
  for (const name of ["config", "security", "oauth2"] as const) {
    const onFlash = path.join(dataDir, name + ".json");
    if (files[name] === undefined && fs.existsSync(onFlash)) {
      try {
        loadOne(name, onFlash, dataDir);
        files[name] = onFlash;
      } catch (e) {
        if (!(e instanceof ConfigError || e instanceof FileError)) throw e;
        notes.push(`${onFlash} ignored, the default applies: ${e.message}`);
      }
    }
  }
  return loadAll(files, dataDir);
}

/** Checks one file the way loadAll would take it. */
function loadOne(name: "config" | "security" | "oauth2", file: string, dataDir: string): void {
  loadAll({ [name]: file }, dataDir);
}

function loadAll(files: { config?: string; security?: string; oauth2?: string }, dataDir: string): ConfigFiles {
  const configName = files.config ?? "embedded default config.json";
  const config = parseConfig(files.config ? read(files.config) : DEFAULT_CONFIG, configName);

  const securityName = files.security ?? "embedded default security.json";
  const securityDir = files.security ? path.dirname(path.resolve(files.security)) : dataDir;
  const security = parseSecurity(files.security ? read(files.security) : DEFAULT_SECURITY, securityName);
  let tls: TlsServerOptions | undefined;
  if (security.tls) {
    const load = (member: "certificatePath" | "privateKeyPath"): string => {
      const file = path.resolve(securityDir, security.tls![member]);
      try {
        return fs.readFileSync(file, "utf8");
      } catch (e) {
        throw new ConfigError(securityName, "TLS.serverCertificate." + member, `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
    };
    tls = { cert: load("certificatePath"), key: load("privateKeyPath") };
  }

  let oauth2: OAuth2Config | undefined;
  if (files.oauth2) {
    const dir = path.dirname(path.resolve(files.oauth2));
    oauth2 = parseOAuth2(read(files.oauth2), files.oauth2, (p) => {
      try {
        return fs.readFileSync(path.resolve(dir, p), "utf8");
      } catch {
        return undefined;
      }
    });
  }
  return { config, configName, security, tls, oauth2 };
}
