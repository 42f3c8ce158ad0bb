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

export { ConfigError } from "./validate.ts";

import { Validator } from "./validate.ts";
import { MAX_CONFIG_FILE_BYTES } from "./flash-files.ts";

const DEFAULT_REALM = "iobox";

/** When config.json says nothing: realm "iobox", both schemes, no scope. (Xentara's default schemes are UNCONFIRMED.) */
export const DEFAULT_AUTHENTICATION: Authentication = { realm: DEFAULT_REALM, schemes: ["Basic", "Bearer"], scope: [] };

export function parseConfig(text: string, file = "config.json"): ServerConfig {
  const v = new Validator(file);
  if (text.length > MAX_CONFIG_FILE_BYTES) v.fail("", `is larger than ${MAX_CONFIG_FILE_BYTES} bytes`);
  const root = v.object(v.parse(text), "", ["$schema", "board", "httpServer"]);
  const config: ServerConfig = {};
  if (root.board !== undefined) config.board = v.string(root.board, "board", /^[a-z0-9][a-z0-9-]{0,31}$/, "a board name such as jnior-410");
  if (root.httpServer !== undefined) {
    const hs = v.object(root.httpServer, "httpServer", ["port", "httpPort", "authentication"]);
    if (hs.port === undefined) v.fail("httpServer.port", "is required");
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
        server.authentication.schemes = schemes.map((s, i) => (s === "Basic" || s === "Bearer" ? s : v.fail(`httpServer.authentication.schemes[${i}]`, 'must be "Basic" or "Bearer"')));
        if (!server.authentication.schemes.length) v.fail("httpServer.authentication.schemes", "must name at least one scheme");
      }
      if (a.scope !== undefined) {
        server.authentication.scope = v
          .array(a.scope, "httpServer.authentication.scope")
          .map((s, i) => v.string(s, `httpServer.authentication.scope[${i}]`, /^[!#-[\]-~]+$/, "an OAuth scope token"));
      }
    }
    if (server.httpPort !== undefined && server.httpPort !== 0 && server.httpPort === server.port) {
      v.fail("httpServer.httpPort", "must differ from httpServer.port");
    }
    config.httpServer = server;
  }
  return config;
}
