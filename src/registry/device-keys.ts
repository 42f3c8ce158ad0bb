/**
 * The device-level registry keys (janos.md §6.2, §6.5). Services define their own keys (the I/O
 * keys come with the I/O service).
 */
import type { KeySpec } from "./schema.ts";

export const DEVICE_KEYS: KeySpec[] = [
  {
    pattern: "IpConfig/Hostname",
    type: "string",
    max: 32,
    format: { pattern: /^[A-Za-z0-9]([A-Za-z0-9-]{0,30}[A-Za-z0-9])?$/, description: "a host name (letters, digits, inner hyphens)" },
    description: "The unit's host name.",
  },
  { pattern: "Device/Desc", type: "string", max: 64, description: "A description of this unit, shown by the web UI." },
  {
    pattern: "Device/Timezone",
    type: "string",
    default: "UTC",
    max: 40,
    format: { pattern: /^[A-Za-z][A-Za-z0-9_+\-/]*$/, description: "a time zone name such as UTC or Europe/Berlin" },
    description: "Time zone for displayed times.",
  },
  { pattern: "WebServer/Login", type: "boolean", default: "true", description: "Web pages and WebSockets need a login (janos.md §3.6)." },
  {
    pattern: "Websocket/Anonymous",
    type: "string",
    max: 32,
    description: "A user id; when set, WebSockets are let in without a login as that user. Off (empty) by default.",
  },
];
