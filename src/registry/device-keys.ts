/**
 * The device-level registry keys (janos.md §6.2, §6.5). Services define their own keys (the I/O
 * keys come with the I/O service).
 */
import { keyTable } from "./schema.ts";

export const DEVICE_KEYS = keyTable([
  { pattern: "Device/Desc", type: "string", max: 64, description: "A description of this unit, shown by the web UI." },
  {
    pattern: "Device/Timezone",
    type: "string",
    default: "UTC",
    max: 40,
    format: { description: "a time zone name such as UTC or Europe/Berlin", test: (v) => /^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(v) },
    description: "Time zone for displayed times.",
  },
  { pattern: "WebServer/Login", type: "boolean", default: "true", description: "Web pages and WebSockets need a login (janos.md §3.6)." },
  // JANOS has JMP server keys, but their names are UNCONFIRMED (janos.md §1): these are iobox's
  { pattern: "JMP/Enabled", type: "boolean", default: "true", description: "Serve the JANOS messages over JMP TCP. Read at boot." },
  { pattern: "JMP/Port", type: "integer", min: 1, max: 65535, default: "9220", description: "The JMP TCP port. Read at boot." },
  { pattern: "JMP/MaxConnections", type: "integer", min: 1, max: 16, default: "16", description: "JMP connections at once; more are refused. Read at boot." },
  {
    pattern: "Websocket/Anonymous",
    type: "string",
    max: 32,
    description: "A user name; when set, WebSockets start logged in as that user, without a login. Off (empty) by default.",
  },
]);
