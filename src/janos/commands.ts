/**
 * The messages a logged-in client may send (janos.md §5, §11), each with the role it needs.
 *
 * Permissions (JANOS's own rules are UNCONFIRMED, janos.md §3.7): view-only users may read
 * (Status, Registry Read and List, Enumerate Devices); control users may also operate I/O
 * (Control); administrators may also change configuration (Registry Write, and Reset Usage, which
 * JmpLib marks as an administrator's). A refusal is an `Error` with `Text` "403 Forbidden".
 *
 * Message and member names are matched without regard to case: INTEG's JS library sends
 * "duration" for one command, and nothing is lost by being lenient.
 */
import { hasRole, type Role } from "../auth/users.ts";
import type { Io } from "../io/io.ts";
import { parseRelayCommand } from "../io/relay.ts";
import { readKeys, writeKeys } from "../registry/client-api.ts";
import { RegistryError, type Registry } from "../registry/registry.ts";
import type { JanosSession } from "./session.ts";
import { fileList, fileMkdir, fileRead, fileRemove, fileRename, fileWrite, firmwareStatus, firmwareWrite, type TransferContext } from "./transfer-commands.ts";

export interface JanosContext extends TransferContext {
  readonly registry: Registry;
  readonly io: Io;
  /** Safe mode: Control is refused. */
  readonly safeMode: boolean;
  /** Restarts the unit (after the answer has gone out); false where it cannot. */
  reboot(by: string): boolean;
  reply(session: JanosSession, fields: Record<string, unknown>, meta: unknown): void;
  error(session: JanosSession, status: number, detail: string, meta?: unknown): void;
  sendMonitor(session: JanosSession, meta?: unknown): void;
}

type Message = Record<string, unknown>;
type Run = (c: JanosContext, s: JanosSession, m: Message, meta: unknown) => void;

const COMMANDS = new Map<string, { role: Role; run: Run }>([
  ["status", { role: "view", run: (c, s, _m, meta) => c.sendMonitor(s, meta) }],
  ["control", { role: "control", run: control }],
  ["registry read", { role: "view", run: registryRead }],
  ["registry list", { role: "view", run: registryList }],
  ["registry write", { role: "administrator", run: registryWrite }],
  // iobox's own: JANOS reboots from its console (`reboot`), which iobox does not have
  ["reboot", { role: "administrator", run: reboot }],
  ["file list", { role: "view", run: fileList }],
  ["file read", { role: "view", run: fileRead }],
  ["file write", { role: "administrator", run: fileWrite }],
  ["file rename", { role: "administrator", run: fileRename }],
  ["file remove", { role: "administrator", run: fileRemove }],
  ["file mkdir", { role: "administrator", run: fileMkdir }],
  ["firmware write", { role: "administrator", run: firmwareWrite }],
  ["firmware status", { role: "view", run: firmwareStatus }],
  // no sensor-port modules: an empty list is the truth
  ["enumerate devices", { role: "view", run: (c, s, _m, meta) => c.reply(s, { Message: "Enumerate Devices Response", Devices: [] }, meta) }],
]);

/** JANOS messages iobox knows of and does not implement: answered with 501, not "unknown". */
const NOT_IMPLEMENTED = new Set(
  [
    "Registry Write Encrypted",
    "Read Devices",
    "Write Devices",
    "Console Open",
    "Console Stdin",
    "Console Close",
    "Post Message",
    "Clock Read",
    "Clock Set",
  ].map((n) => n.toLowerCase()),
);

const ROLE_NAMES: Record<Role, string> = { view: "view-only", control: "control", administrator: "administrator" };

export function dispatch(c: JanosContext, s: JanosSession, name: string, m: Message, meta: unknown): void {
  const key = name.toLowerCase();
  const command = COMMANDS.get(key);
  if (!command) {
    const detail = NOT_IMPLEMENTED.has(key) ? `iobox does not implement "${name}"` : `unknown message "${name}"`;
    return c.error(s, 501, detail, meta);
  }
  if (!hasRole(s.principal!, command.role)) return forbid(c, s, `"${name}"`, command.role, meta);
  command.run(c, s, m, meta);
}

function forbid(c: JanosContext, s: JanosSession, what: string, role: Role, meta: unknown): void {
  c.error(s, 403, `${what} needs ${role === "administrator" ? "an" : "a"} ${ROLE_NAMES[role]} user; "${s.principal!.name}" is ${ROLE_NAMES[s.principal!.role]}`, meta);
}

/**
 * A member by name. Other spellings of JANOS's names (INTEG's JS sends `duration`) come under
 * JANOS's spelling already (service.ts, janosMembers): a message that holds one is read as foreign.
 */
function member(m: Message, name: string): unknown {
  return Object.prototype.hasOwnProperty.call(m, name) ? m[name] : undefined;
}

/** A number, or a string holding one (clients written in loosely typed languages send either). */
function numeric(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (typeof value === "string" && /^\s*-?\d+(\.\d+)?\s*$/.test(value)) return Number(value);
  return undefined;
}


/** Control (janos.md §5.2): no answer when it worked; the Monitor that follows a change is the answer. */
function control(c: JanosContext, s: JanosSession, m: Message, meta: unknown): void {
  if (c.safeMode) return c.error(s, 503, "safe mode: the relays stay at their initial states until the unit boots normally", meta);
  const command = member(m, "Command");
  if (typeof command !== "string") return c.error(s, 400, 'Control needs a "Command"', meta);
  const channel = numeric(member(m, "Channel"));
  if (channel === undefined || !Number.isInteger(channel)) return c.error(s, 400, 'Control needs a "Channel" number (1-based)', meta);
  const verb = command.toLowerCase();
  try {
    const relay = parseRelayCommand(verb);
    if (relay) {
      const given = member(m, "Duration");
      const duration = given === undefined || given === null ? 0 : numeric(given);
      if (duration === undefined) return c.error(s, 400, '"Duration" must be a number of milliseconds', meta);
      c.io.control(relay, channel, Math.max(0, duration)); // 0 or less: permanent (janos.md §5.2)
    } else if (verb === "reset latch") c.io.resetLatch(channel);
    else if (verb === "reset counter") c.io.resetCounter(channel);
    else if (verb === "reset usage") {
      if (!hasRole(s.principal!, "administrator")) return forbid(c, s, '"Reset Usage"', "administrator", meta);
      c.io.resetUsage(channel);
    } else if (verb === "block") return c.error(s, 501, 'iobox does not implement the "Block" command', meta);
    else return c.error(s, 400, `unknown Control command "${command}" (Toggle, Close, Open, Reset Latch, Reset Counter, Reset Usage)`, meta);
  } catch (e) {
    if (e instanceof RangeError) return c.error(s, 400, e.message, meta);
    throw e;
  }
}

/** Registry Read: every requested key, spelled as requested, "" for keys without a value (janos.md §5.3). */
function registryRead(c: JanosContext, s: JanosSession, m: Message, meta: unknown): void {
  try {
    c.reply(s, { Message: "Registry Response", Keys: readKeys(c.registry, member(m, "Keys")) }, meta);
  } catch (e) {
    if (e instanceof RangeError) return c.error(s, 400, "Registry Read needs " + e.message, meta);
    throw e;
  }
}

/** Registry Write: the keys are written together or not at all; the answer echoes them, and every connection then gets a Registry Update. */
function registryWrite(c: JanosContext, s: JanosSession, m: Message, meta: unknown): void {
  try {
    c.reply(s, { Message: "Registry Response", Keys: writeKeys(c.registry, member(m, "Keys")) }, meta);
  } catch (e) {
    if (e instanceof RegistryError) return c.error(s, 400, e.message, meta);
    if (e instanceof RangeError) return c.error(s, 400, e.message.startsWith('"Keys"') ? "Registry Write needs " + e.message : e.message, meta);
    throw e;
  }
}

/**
 * Registry List: the keys directly under `Node`, then its sub-nodes marked with a trailing "/" as
 * in a file listing. The element format is UNCONFIRMED (janos.md §5.3); INTEG's JS client passes the
 * array through untouched. Keys that have only a default are listed, so clients can discover them.
 */
function registryList(c: JanosContext, s: JanosSession, m: Message, meta: unknown): void {
  const node = member(m, "Node") ?? "";
  if (typeof node !== "string") return c.error(s, 400, '"Node" must be a registry node name', meta);
  const { keys, nodes } = c.registry.list(node, { defaults: true });
  c.reply(s, { Message: "Registry List Response", Node: node, Keys: [...keys, ...nodes.map((n) => n + "/")] }, meta);
}

/**
 * `{"Message":"Reboot"}`, iobox's own message (JANOS has none: a JNIOR reboots from its console).
 * Answered with `Reboot Response` {`Status`: "Rebooting"} before the unit flushes its registry,
 * stops and restarts; a 501 where the unit cannot restart itself.
 */
function reboot(c: JanosContext, s: JanosSession, _m: Message, meta: unknown): void {
  if (!c.reboot(`"${s.principal!.name}" (${s.peer})`)) return c.error(s, 501, "this unit cannot restart itself", meta);
  c.reply(s, { Message: "Reboot Response", Status: "Rebooting" }, meta);
}
