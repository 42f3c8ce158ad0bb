/**
 * The JANOS protocol (janos.md): logins, the message catalogue and the broadcasts, for every
 * connection whatever its transport (WebSocket or JMP TCP; see link.ts).
 *
 * Login follows what INTEG's clients do (janos.md §3): until a connection is authenticated, any
 * JSON object is answered with `401 Unauthorized` and a fresh nonce; `Auth-Digest` is looked for in
 * any object; success sends `Authenticated` and then a `Monitor`. Nothing is ever sent before the
 * client's first message (the C# client reads the 101 response with one read). Failures are slowed
 * per address (FailureLimiter) and a connection that keeps failing is closed.
 *
 * Broadcasts: every I/O change sends a `Monitor`, every registry change a `Registry Update`, to every
 * logged-in connection. Changes made in one turn of the event loop go out as one message. A client
 * that is behind (bytes still waiting on its connection) is not sent Monitors it would only queue;
 * it gets the latest state as soon as it has caught up, so a fast input cannot flood a slow client
 * and nobody misses the final state.
 */
import type { Authenticator } from "../auth/authenticator.ts";
import { ForeignJson, parseJson } from "../json-input.ts";
import type { FileArea } from "../files/file-area.ts";
import type { FirmwareUpdater } from "../firmware/updater.ts";
import type { Principal } from "../auth/users.ts";
import type { Host, Timer } from "../host.ts";
import type { Io } from "../io/io.ts";
import { jsonAscii } from "../json-ascii.ts";
import type { Change, Registry } from "../registry/registry.ts";
import { checkAuthDigest, newNonce } from "./auth-digest.ts";
import { dispatch, type JanosContext } from "./commands.ts";
import { SharedMessage, type Link } from "./link.ts";
import { MonitorWriter, type Identity } from "./monitor.ts";
import { JanosSession, type LoginRoute } from "./session.ts";

export interface JanosOptions {
  /** A connection that has not logged in by then is closed. */
  loginTimeoutMs: number;
  /** Failed logins on one connection before it is closed. */
  maxFailures: number;
  /** How often a client that was behind is checked for the Monitor it is owed. */
  monitorRetryMs: number;
}

export const JANOS_OPTIONS: JanosOptions = {
  loginTimeoutMs: 120_000,
  maxFailures: 5,
  monitorRetryMs: 20,
};

/**
 * The member names a message may use before its sender has logged in: those of JANOS's messages
 * (janos.md), the login, and the Meta clients are known to send. A message may carry a command with
 * its Auth-Digest, so the commands' names are here too.
 */
const JANOS_NAMES: ReadonlySet<string> = new Set([
  "Message", "Auth-Digest", "Meta", "Hash", "ACK", "Command", "Channel", "Duration", "Keys", "Path", "File", "Folder",
  "Offset", "Length", "Size", "Data", "Final", "Append", "Encoding", "Block", "To", "Old", "New", "Node", "Limit", "RequestID", "Count",
  "Files", "Key", "Op",
]);

/**
 * A message with member names outside JANOS's as the commands read it: JANOS's members, a name in
 * another case under JANOS's spelling (commands take any case; the exact spelling wins), the rest
 * left out, as no command reads them. Values stay as parsed (a Registry Write's Keys a ForeignJson).
 */
function janosMembers(members: Map<string, unknown>): Record<string, unknown> {
  const message: Record<string, unknown> = {};
  for (const [name, value] of members) {
    if (JANOS_NAMES.has(name)) message[name] = value;
    else {
      const lower = name.toLowerCase();
      for (const known of JANOS_NAMES) if (known.toLowerCase() === lower && !members.has(known)) message[known] = value;
    }
  }
  return message;
}

/** The device: a connection that has not logged in holds one of its few slots for 20 s at most. */
export const DEVICE_JANOS: Partial<JanosOptions> = { loginTimeoutMs: 20_000 };

export interface JanosDependencies {
  registry: Registry;
  io: Io;
  auth: Authenticator;
  identity: Identity;
  /** Safe mode: Control is refused, the relays stay at their initial states. */
  safeMode?: boolean;
  /** Reboots the unit on an administrator's `Reboot`; false where it cannot. */
  reboot?: (by: string) => boolean;
  /** The files the file messages reach. */
  files?: FileArea;
  /** Where `Firmware Write` goes. */
  firmware?: FirmwareUpdater;
}

/** HTTP-style status lines for `Error` messages (janos.md §5.9: only 401 is documented). */
const STATUS: Record<number, string> = {
  400: "400 Bad Request",
  401: "401 Unauthorized",
  403: "403 Forbidden",
  413: "413 Payload Too Large",
  429: "429 Too Many Requests",
  501: "501 Not Implemented",
  503: "503 Service Unavailable",
};

export class JanosService implements JanosContext {
  readonly sessions = new Set<JanosSession>();
  readonly options: JanosOptions;
  readonly registry: Registry;
  readonly io: Io;
  readonly safeMode: boolean;
  readonly files: FileArea | undefined;
  readonly firmware: FirmwareUpdater | undefined;
  readonly version: string;
  private readonly rebootUnit: ((by: string) => boolean) | undefined;
  private readonly auth: Authenticator;
  private readonly monitor: MonitorWriter;
  private monitorQueued = false;
  private monitorRetry: Timer | undefined;
  private updates: Map<string, string> | undefined; // registry changes of this turn, key -> value
  private readonly unsubscribe: (() => void)[] = [];
  private readonly flushMonitor = (): void => this.broadcastMonitor();
  private readonly flushUpdates = (): void => this.broadcastUpdates();

  constructor(
    private readonly host: Host,
    deps: JanosDependencies,
    options: Partial<JanosOptions> = {},
  ) {
    this.options = { ...JANOS_OPTIONS, ...options };
    this.registry = deps.registry;
    this.io = deps.io;
    this.safeMode = deps.safeMode === true;
    this.files = deps.files;
    this.firmware = deps.firmware;
    this.version = deps.identity.version;
    this.rebootUnit = deps.reboot;
    this.auth = deps.auth;
    this.monitor = new MonitorWriter(deps.identity, { inputs: deps.io.inputs.length, outputs: deps.io.outputs.length });
    this.unsubscribe.push(
      deps.io.onChange(() => this.queueMonitor()),
      deps.registry.watch("", (changes) => this.queueUpdates(changes)),
    );
  }

  // --- connections ------------------------------------------------------------------------------

  /** A new connection; `principal` logs it in from the start (a session cookie, anonymous access). */
  open(link: Link, principal?: Principal, route?: LoginRoute): JanosSession {
    const session = new JanosSession(link);
    this.sessions.add(session);
    if (principal) {
      session.principal = principal;
      session.route = route;
    } else {
      session.deadline = this.host.timers.after(this.options.loginTimeoutMs, () => {
        session.deadline = undefined;
        this.host.log("info", `janos ${session.peer}: no login within ${this.options.loginTimeoutMs / 1000} s; closed`);
        link.close();
      });
    }
    return session;
  }

  closed(session: JanosSession): void {
    session.closed = true;
    session.live = false;
    session.deadline?.cancel();
    session.held?.cancel();
    session.deadline = session.held = undefined;
    this.sessions.delete(session);
  }

  /** Closes the connections logged in as `name`, whose account changed or went (they log in again). */
  endUser(name: string): void {
    for (const s of [...this.sessions]) {
      if (s.principal?.name !== name) continue;
      this.host.log("info", `janos ${s.peer}: "${name}" changed; connection closed`);
      s.link.close();
      this.closed(s);
    }
  }

  /** Stops listening to I/O and registry changes and closes every connection. */
  close(): void {
    for (const stop of this.unsubscribe.splice(0)) stop();
    this.monitorRetry?.cancel();
    this.monitorRetry = undefined;
    for (const s of [...this.sessions]) {
      s.link.close();
      this.closed(s);
    }
  }

  // --- receiving --------------------------------------------------------------------------------

  /** One JSON text from the client. */
  receive(session: JanosSession, text: string): void {
    if (session.closed) return;
    let message: unknown;
    try {
      // on the device each member name JSON.parse meets is heap kept for good: before a login only
      // JANOS's own names are taken; after it, other names (registry paths, a client's Meta) stay strings
      message = parseJson(text, { names: JANOS_NAMES, others: session.principal ? "foreign" : "refuse" });
    } catch (e) {
      return this.error(session, 400, (e as Error).message);
    }
    if (message instanceof ForeignJson && message.members) message = janosMembers(message.members);
    if (typeof message !== "object" || message === null || Array.isArray(message)) return this.error(session, 400, "a JMP message is a JSON object");
    const object = message as Record<string, unknown>;
    const meta = Object.prototype.hasOwnProperty.call(object, "Meta") ? object.Meta : undefined;

    if (!session.principal) {
      if (session.held) return; // a challenge is on its way; whatever this was, it waits for it
      const digest = object["Auth-Digest"];
      if (typeof digest !== "string" || !session.nonce) return this.challenge(session, meta);
      if (!this.login(session, digest, meta)) return;
    } else if (!session.live) {
      // logged in by a session cookie or anonymously: this first message gets what a login gets
      this.announce(session, meta);
    }

    const name = object.Message;
    if (typeof name !== "string" || name === "") return; // {"ACK":""} keep-alives, the empty probe
    dispatch(this, session, name, object, meta);
  }

  // --- what commands use (JanosContext) ------------------------------------------------------------

  reboot(by: string): boolean {
    return this.rebootUnit?.(by) ?? false;
  }

  /** Sends `fields` as one message, with `Meta` echoed when the request had one. */
  reply(session: JanosSession, fields: Record<string, unknown>, meta: unknown): void {
    if (meta !== undefined) fields.Meta = meta;
    session.link.send(jsonAscii(fields));
  }

  /** An `Error` message: `Text` is an HTTP-style status line, `Detail` says what was wrong. */
  error(session: JanosSession, status: number, detail: string, meta?: unknown): void {
    this.reply(session, { Message: "Error", Text: STATUS[status] ?? String(status), Detail: detail }, meta);
  }

  /** A Monitor for this session alone (the answer to Status, or the one after a login). */
  sendMonitor(session: JanosSession, meta?: unknown): void {
    const json = this.monitor.write(this.io, this.host.clock.now(), meta === undefined ? undefined : jsonAscii(meta));
    session.monitorOwed = false;
    session.link.sendShared(new SharedMessage(json));
  }

  log(level: "debug" | "info" | "warn" | "error", message: string): void {
    this.host.log(level, message);
  }

  // --- login ------------------------------------------------------------------------------------

  private challenge(session: JanosSession, meta: unknown): void {
    const wait = this.auth.wait(session.link.remoteAddress);
    if (wait > 0) return this.holdChallenge(session, wait, meta);
    session.nonce = newNonce((b) => this.host.random(b));
    this.reply(session, { Message: "Error", Text: STATUS[401], Nonce: session.nonce }, meta);
  }

  /** After failures, the next challenge comes only after a delay; meanwhile messages are ignored. */
  private holdChallenge(session: JanosSession, wait: number, meta: unknown): void {
    session.nonce = "";
    session.held = this.host.timers.after(wait, () => {
      session.held = undefined;
      if (!session.closed) this.challenge(session, meta);
    });
  }

  private login(session: JanosSession, digest: string, meta: unknown): boolean {
    // a nonce answers one attempt: a failure is followed by a new challenge (or a held one, with none)
    const address = session.link.remoteAddress;
    const wait = this.auth.wait(address, digest.slice(0, Math.max(0, digest.lastIndexOf(":"))));
    if (wait > 0) {
      this.holdChallenge(session, wait, meta); // the account named is being guessed at: not checked now
      return false;
    }
    const check = checkAuthDigest(this.host.crypto, digest, session.nonce, this.auth.passwordOf);
    const account = this.auth.settle(`janos ${session.peer}`, address, check);
    if (!account) {
      session.failures++;
      if (session.failures >= this.options.maxFailures) {
        this.error(session, 429, `${session.failures} failed logins; reconnect to try again`, meta);
        session.link.close();
        return false;
      }
      this.challenge(session, meta);
      return false;
    }
    const user = account;
    session.principal = { name: user.name, role: user.role };
    session.route = "digest";
    session.failures = 0;
    session.deadline?.cancel();
    session.deadline = undefined;
    this.host.log("info", `janos ${session.peer}: logged in as "${user.name}" (${user.role})`);
    this.announce(session, meta);
    return true;
  }

  /** `Authenticated`, then a Monitor (INTEG's JS client takes the first Monitor as its login signal). */
  private announce(session: JanosSession, meta: unknown): void {
    const role = session.principal!.role;
    this.reply(session, { Message: "Authenticated", Administrator: role === "administrator", Control: role !== "view" }, meta);
    this.sendMonitor(session);
    session.live = true;
  }

  // --- broadcasts -------------------------------------------------------------------------------

  private queueMonitor(): void {
    if (this.monitorQueued) return;
    this.monitorQueued = true;
    Promise.resolve().then(this.flushMonitor);
  }

  private broadcastMonitor(): void {
    this.monitorQueued = false;
    let shared: SharedMessage | undefined;
    let owed = false;
    for (const s of this.sessions) {
      if (!s.live) continue;
      if (s.link.pending > 0) {
        s.monitorOwed = owed = true;
        continue;
      }
      shared ??= new SharedMessage(this.monitor.write(this.io, this.host.clock.now()));
      s.monitorOwed = false;
      s.link.sendShared(shared);
    }
    if (owed) this.monitorRetry ??= this.host.timers.every(this.options.monitorRetryMs, () => this.payMonitors());
  }

  /** Sends the latest Monitor to the clients that were behind and have caught up. */
  private payMonitors(): void {
    let shared: SharedMessage | undefined;
    let stillOwed = false;
    for (const s of this.sessions) {
      if (!s.monitorOwed || !s.live) continue;
      if (s.link.pending > 0) {
        stillOwed = true;
        continue;
      }
      shared ??= new SharedMessage(this.monitor.write(this.io, this.host.clock.now()));
      s.monitorOwed = false;
      s.link.sendShared(shared);
    }
    if (!stillOwed) {
      this.monitorRetry?.cancel();
      this.monitorRetry = undefined;
    }
  }

  private queueUpdates(changes: readonly Change[]): void {
    if (!this.updates) {
      this.updates = new Map();
      Promise.resolve().then(this.flushUpdates);
    }
    for (const c of changes) this.updates.set(c.key, this.registry.schema.shown(c.key, c.value));
  }

  private broadcastUpdates(): void {
    const updates = this.updates;
    this.updates = undefined;
    if (!updates) return;
    let shared: SharedMessage | undefined;
    for (const s of this.sessions) {
      if (!s.live) continue;
      shared ??= new SharedMessage(this.host.text.encode(jsonAscii({ Message: "Registry Update", Keys: updates })));
      s.link.sendShared(shared);
    }
  }
}
