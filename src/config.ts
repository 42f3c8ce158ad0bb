/**
 * `config.json`: the device's server configuration, in the shape of Xentara's (xentara.md §2.1)
 * with iobox's own members. Validation is all-or-nothing: a file with any problem is refused whole,
 * with an error naming the file, the field and the problem.
 *
 * {
 *   "board": "jnior-410",                  iobox: the board profile
 *   "httpServer": {                        absent = no web server at all (Xentara)
 *     "port": 8443,                        the TLS port: https and wss (Xentara; 0 = any free port)
 *     "httpPort": 8080,                    iobox: a plain http/ws port for JANOS clients; absent = none
 *     "authentication": { "realm": "iobox", "schemes": ["Basic", "Bearer"], "scope": ["..."] }
 *   }
 * }
 */

export interface Authentication {
  realm: string;
  schemes: ("Basic" | "Bearer")[];
  scope: string[];
}

export interface HttpServerConfig {
  port: number;
  httpPort?: number;
  authentication: Authentication;
}

export interface ServerConfig {
  board?: string;
  httpServer?: HttpServerConfig;
}

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${file}: ${field ? field + ": " : ""}${problem}`);
  }
}
// defined on our prototype, not assigned: a Moddable device freezes Error.prototype in ROM,
// and assigning over a frozen inherited property throws
Object.defineProperty(ConfigError.prototype, "name", { value: "ConfigError" });

const DEFAULT_REALM = "iobox";

export function parseConfig(text: string, file = "config.json"): ServerConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(file, "", "not valid JSON (" + (e as Error).message + ")");
  }
  const v = new Validator(file);
  const root = v.object(raw, "", ["$schema", "board", "httpServer"]);
  const config: ServerConfig = {};
  if (root.board !== undefined) config.board = v.string(root.board, "board", /^[a-z0-9][a-z0-9-]{0,31}$/, "a board name such as jnior-410");
  if (root.httpServer !== undefined) {
    const hs = v.object(root.httpServer, "httpServer", ["port", "httpPort", "authentication"]);
    if (hs.port === undefined) throw new ConfigError(file, "httpServer.port", "is required");
    const server: HttpServerConfig = {
      port: v.port(hs.port, "httpServer.port"),
      authentication: { realm: DEFAULT_REALM, schemes: ["Basic", "Bearer"], scope: [] },
    };
    if (hs.httpPort !== undefined) server.httpPort = v.port(hs.httpPort, "httpServer.httpPort");
    if (hs.authentication !== undefined) {
      const a = v.object(hs.authentication, "httpServer.authentication", ["realm", "schemes", "scope"]);
      if (a.realm !== undefined) server.authentication.realm = v.string(a.realm, "httpServer.authentication.realm", /^[\x20-\x7e]*$/, "printable ASCII");
      if (a.schemes !== undefined) {
        const schemes = v.array(a.schemes, "httpServer.authentication.schemes");
        server.authentication.schemes = schemes.map((s, i) => {
          if (s !== "Basic" && s !== "Bearer") throw new ConfigError(file, `httpServer.authentication.schemes[${i}]`, 'must be "Basic" or "Bearer"');
          return s;
        });
        if (!server.authentication.schemes.length) throw new ConfigError(file, "httpServer.authentication.schemes", "must name at least one scheme");
      }
      if (a.scope !== undefined) {
        server.authentication.scope = v
          .array(a.scope, "httpServer.authentication.scope")
          .map((s, i) => v.string(s, `httpServer.authentication.scope[${i}]`, /^[!#-[\]-~]+$/, "an OAuth scope token"));
      }
    }
    if (server.httpPort !== undefined && server.httpPort !== 0 && server.httpPort === server.port) {
      throw new ConfigError(file, "httpServer.httpPort", "must differ from httpServer.port");
    }
    config.httpServer = server;
  }
  return config;
}

class Validator {
  constructor(private readonly file: string) {}

  object(value: unknown, field: string, allowed: string[]): Record<string, unknown> {
    if (typeof value !== "object" || value === null || Array.isArray(value)) throw new ConfigError(this.file, field, "must be an object");
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key)) throw new ConfigError(this.file, field ? field + "." + key : key, "unknown member (allowed: " + allowed.join(", ") + ")");
    }
    return value as Record<string, unknown>;
  }

  array(value: unknown, field: string): unknown[] {
    if (!Array.isArray(value)) throw new ConfigError(this.file, field, "must be an array");
    return value;
  }

  string(value: unknown, field: string, pattern: RegExp, what: string): string {
    if (typeof value !== "string" || !pattern.test(value)) throw new ConfigError(this.file, field, "must be " + what + " (got " + JSON.stringify(value) + ")");
    return value;
  }

  port(value: unknown, field: string): number {
    if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > 65535) {
      throw new ConfigError(this.file, field, "must be an integer from 0 to 65535 (got " + JSON.stringify(value) + ")");
    }
    return value;
  }
}
