/** The simulator's command line: `npm start -- [flags]`. */
import { parseArgs } from "node:util";
import type { Role } from "../../src/auth/users.ts";
import type { LogLevel } from "../../src/host.ts";

export interface CliOptions {
  host: string;
  httpPort?: number;
  httpsPort?: number;
  jmpPort?: number;
  controlPort: number;
  data: string;
  board?: string;
  config?: string;
  security?: string;
  oauth2?: string;
  password?: string;
  /** Registry values to set at boot: [key, value]. */
  settings: [string, string][];
  /** Accounts to create or update at boot. */
  users: { name: string; role: Role; password: string }[];
  /** Simulated Wi-Fi networks in range: with any, the board has a Wi-Fi link of its own. */
  wifi: { ssid: string; password: string }[];
  /** Power up with the board's button held 10 s: a factory reset. */
  factoryReset: boolean;
  logLevel: LogLevel;
  help: boolean;
}

export class UsageError extends Error {}

export const USAGE = `Usage: npm start -- [options]

Runs the iobox simulator: the device firmware on Node.js with a virtual board.

Options:
  --host ADDR        bind address for every listener (default 127.0.0.1; 0.0.0.0 = all)
  --http-port N      plain HTTP/WebSocket port (default from the config: 8080; 0 = any free port)
  --https-port N     TLS port for HTTPS/WSS (default from the config: 8443; 0 = any free port)
  --jmp-port N       JANOS JMP TCP port (default from the registry, JMP/Port: 9220; 0 = any free port)
  --control-port N   the simulator's control API, on 127.0.0.1 only (default 0 = any free port)
  --data DIR         where the registry, accounts and certificates live (default ./data)
  --board NAME|FILE  board profile: jnior-410, jnior-412, jnior-414, kincony-kc868-a4, esp32-relay-x8,
                     or a JSON profile file (default from the config: jnior-410)
  --config FILE      config.json to use instead of the embedded default
  --security FILE    security.json (TLS certificate, roles, ACL) instead of the embedded default
  --oauth2 FILE      oauth2.json: issuers whose Bearer tokens /api/ws accepts (default: none)
  --password PW      set the administrator (jnior) password; without it the first run makes one
                     and prints it once
  --user NAME:ROLE:PW create or update an account (repeatable); ROLE is administrator, control
                     or view, e.g. --user op:control:Op-pw-2024
  --set KEY=VALUE    write a registry key at boot (repeatable), e.g. --set Device/Desc="Pump house"
  --wifi SSID:PW     a simulated Wi-Fi network in range (repeatable; PW empty for an open one): the
                     board then has a Wi-Fi link of its own, and without IpConfig/WiFi/SSID it starts
                     in setup mode, its setup page at /setup
  --factory-reset    power up with the board's button held for 10 s: clears accounts and network
                     settings
  --log-level LEVEL  debug, info, warn or error (default info)
  -h, --help         show this help

Once every listener is bound it prints one line to standard output:
  iobox ready {"http":8080,"https":8443,"jmp":9220,"control":40123}
mapping each listener to its port, so scripts can start it and wait for it.

Then it reads console commands on standard input:
  in N on|off                       switch input N on or off
  pulse N COUNT WIDTH_MS PERIOD_MS  pulse input N
  state                             inputs and relays
The control API offers the same over HTTP (GET /board, POST /inputs/N, POST /inputs/N/pulses).`;

const LOG_LEVELS: readonly LogLevel[] = ["debug", "info", "warn", "error"];

export function parseCli(argv: string[]): CliOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        host: { type: "string" },
        "http-port": { type: "string" },
        "https-port": { type: "string" },
        "jmp-port": { type: "string" },
        "control-port": { type: "string" },
        data: { type: "string" },
        board: { type: "string" },
        config: { type: "string" },
        security: { type: "string" },
        oauth2: { type: "string" },
        password: { type: "string" },
        set: { type: "string", multiple: true },
        user: { type: "string", multiple: true },
        wifi: { type: "string", multiple: true },
        "factory-reset": { type: "boolean" },
        "log-level": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (e) {
    throw new UsageError((e as Error).message.replace(/\. To specify .*$/s, ""));
  }
  const level = values["log-level"] ?? "info";
  if (!LOG_LEVELS.includes(level as LogLevel)) throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(", ")} (got "${level}")`);
  if (values.host !== undefined && !/^[0-9a-fA-F.:]+$|^[a-zA-Z0-9.-]+$/.test(values.host)) throw new UsageError(`--host: "${values.host}" is not an address`);
  if (values.password !== undefined && values.password.length === 0) throw new UsageError("--password must not be empty");
  for (const name of ["data", "board", "config", "security", "oauth2"] as const) {
    if (values[name] === "") throw new UsageError(`--${name} must not be empty`);
  }
  const settings: [string, string][] = [];
  for (const s of values.set ?? []) {
    const eq = s.indexOf("=");
    if (eq <= 0) throw new UsageError(`--set takes KEY=VALUE (got "${s}")`);
    settings.push([s.slice(0, eq), s.slice(eq + 1)]);
  }
  const users: CliOptions["users"] = [];
  for (const u of values.user ?? []) {
    const m = /^([^:]+):(administrator|control|view):(.+)$/.exec(u);
    if (!m) throw new UsageError(`--user takes NAME:ROLE:PASSWORD with ROLE administrator, control or view (got "${u.replace(/:[^:]*$/, ":...")}")`);
    users.push({ name: m[1]!, role: m[2] as Role, password: m[3]! });
  }
  const wifi: CliOptions["wifi"] = [];
  for (const w of values.wifi ?? []) {
    const colon = w.indexOf(":");
    const ssid = colon < 0 ? w : w.slice(0, colon);
    const password = colon < 0 ? "" : w.slice(colon + 1);
    if (ssid.length < 1 || ssid.length > 32) throw new UsageError(`--wifi takes SSID:PASSWORD with an SSID of 1 to 32 characters (got "${ssid}")`);
    if (password !== "" && (password.length < 8 || password.length > 63)) throw new UsageError(`--wifi ${ssid}: a WPA2 password is 8 to 63 characters (empty: an open network)`);
    wifi.push({ ssid, password });
  }
  return {
    settings,
    users,
    wifi,
    factoryReset: values["factory-reset"] ?? false,
    host: values.host ?? "127.0.0.1",
    httpPort: port(values["http-port"], "--http-port"),
    httpsPort: port(values["https-port"], "--https-port"),
    jmpPort: port(values["jmp-port"], "--jmp-port"),
    controlPort: port(values["control-port"], "--control-port") ?? 0,
    data: values.data ?? "data",
    board: values.board,
    config: values.config,
    security: values.security,
    oauth2: values.oauth2,
    password: values.password,
    logLevel: level as LogLevel,
    help: values.help ?? false,
  };
}

function port(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65535) throw new UsageError(`${flag} must be a port number from 0 to 65535 (got "${text}")`);
  return Number(text);
}
