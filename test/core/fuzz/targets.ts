/**
 * What the fuzzer drives, each through the way a client reaches it: raw bytes to the web server, a
 * WebSocket's frames after its handshake, raw bytes to the JMP port, JANOS messages in a logged-in
 * session, the bytes a broker sends the MQTT client, and CBOR items. The network targets run a whole
 * device on the in-memory host, as the simulator does.
 *
 * The rules every input is held to, besides not crashing the process:
 * - the relays move only for an input that is a valid command (JANOS Control from a user allowed to
 *   give it, an MQTT command message); for the anonymous targets, never;
 * - nothing is logged at level "error" and no answer is a 500 (an exception caught by a handler);
 * - every connection a client closes is released by the unit (the budget gets its slot back), and
 *   the MQTT client holds at most one connection;
 * - decoders (CBOR) return a value or throw their own error, and what they return encodes and
 *   decodes to the same value.
 */
import { decodeLatin1, decodeUtf8, encodeUtf8, joinBytes, toHex } from "../../../src/bytes.ts";
import { CborError, decodeCbor, encodeCbor, Tagged, type CborValue } from "../../../src/cbor.ts";
import { DEVICE_PROFILE } from "../../../src/device-profile.ts";
import { digest } from "../../../src/digest.ts";
import type { ClientConnection } from "../../../src/host.ts";
import { jmpFrame, JmpParser } from "../../../src/janos/jmp-framing.ts";
import { parseJson } from "../../../src/json-input.ts";
import type { Entry } from "../../../src/registry/format.ts";
import { MEMORY_HOST_ADDRESS } from "../../../sim/memory-net.ts";
import type { Prng } from "../../../sim/prng.ts";
import { board, bootDevice, USERS, type DeviceFixture } from "../device-fixture.ts";
import { logIn } from "../web-fixture.ts";
import {
  CBOR_SEEDS,
  CBOR_WORDS,
  HTTP_SEEDS,
  HTTP_WORDS,
  JANOS_MESSAGES,
  JMP_SEEDS,
  JMP_WORDS,
  JSON_WORDS,
  MQTT_PREFIX,
  MQTT_SEEDS,
  MQTT_WORDS,
  SESSION_PLACEHOLDER,
  WS_HANDSHAKE,
  WS_SEEDS,
  WS_WORDS,
} from "./corpus.ts";
import { ascii, FuzzFinding, type FuzzSubject, type FuzzTarget } from "./engine.ts";
import { encodeMaskedFrame } from "../../../src/ws/frame.ts";
import { encodePacket, PacketReader, type Packet } from "../../../src/mqtt/codec.ts";

/** Virtual time an input gets to be answered, and again after its client has closed. */
const STEP_MS = 10;
/** What a connection left open gets before it counts as held: more than every timeout of the server. */
const RELEASE_MS = 120_000;

function finding(what: string): never {
  throw new FuzzFinding(what);
}

// ---- a device under fuzzing --------------------------------------------------------------------

/** A booted device that records what the rules look at: error lines, relay moves, open connections. */
class FuzzedDevice {
  errors: string[] = [];
  moves = 0;
  f!: DeviceFixture;
  private baseline = 0;

  async boot(settings?: Entry[], names?: Record<string, string>): Promise<this> {
    this.f = await bootDevice({
      settings,
      net: names ? { names } : undefined,
      // the ESP32 image's limits, not the simulator's roomier ones: the parsers meet what the board meets
      config: { ...DEVICE_PROFILE, jmp: { ...DEVICE_PROFILE.jmp, port: 9220 } },
      log: (level, message) => {
        if (level === "error" && this.errors.length < 8) this.errors.push(message);
      },
    });
    this.f.host.board.watchOutputs(() => this.moves++);
    this.baseline = this.f.host.net.acceptedOpen;
    return this;
  }

  /** The rules after one input. `movesAllowed`: the input was a command that may move relays. */
  async after(movesAllowed: boolean, what: string): Promise<void> {
    if (this.errors.length) {
      const e = this.errors[0]!;
      this.errors = [];
      finding(`${what}: logged an error: ${e}`);
    }
    if (this.moves) {
      if (!movesAllowed) finding(`${what}: a relay moved (${this.moves} changes)`);
      // back to all open for the next input: a permanent command also ends a pulse
      for (let ch = 1; ch <= board.outputs.length; ch++) this.f.device.io.control("open", ch, 0);
      await this.f.run(0);
      this.moves = 0;
    }
  }

  /** Every accepted connection but those a target keeps is closed, after the server's timeouts if need be. */
  async released(kept: number, what: string): Promise<void> {
    const net = this.f.host.net;
    if (net.acceptedOpen <= this.baseline + kept) return;
    await this.f.run(RELEASE_MS);
    if (net.acceptedOpen > this.baseline + kept) finding(`${what}: ${net.acceptedOpen - this.baseline - kept} connection(s) never released`);
  }

  stop(): Promise<void> {
    return this.f.stop();
  }
}

/** Scans a byte stream for `needle` across chunk boundaries, without keeping the stream. */
class StreamScan {
  private tail = "";
  found = false;

  constructor(private readonly needle: string) {}

  feed(bytes: Uint8Array): void {
    if (this.found) return;
    const text = this.tail + decodeLatin1(bytes, 0, bytes.length);
    if (text.includes(this.needle)) this.found = true;
    this.tail = text.slice(-(this.needle.length - 1));
  }
}

let clientNumber = 0;
/** A fresh client address per input, so that no per-address limit (connections, logins) builds up. */
function nextAddress(): string {
  const n = clientNumber++ & 0xffff;
  return `198.18.${n >> 8}.${n & 0xff}`;
}

/** Sends an input on a connection of its own, lets it be answered, closes it, and applies the rules. */
async function oneConnection(d: FuzzedDevice, port: number, bytes: Uint8Array, what: string): Promise<void> {
  const c = d.f.host.net.connectFrom(nextAddress(), { host: MEMORY_HOST_ADDRESS, port });
  const internal = new StreamScan(" 500 ");
  c.onData = (b) => internal.feed(b);
  c.onConnect = () => c.write(bytes);
  await d.f.run(STEP_MS);
  c.close();
  await d.f.run(STEP_MS);
  if (internal.found) finding(`${what}: answered 500`);
  await d.after(false, what);
  await d.released(0, what);
}

function indexOf(input: Uint8Array, needle: Uint8Array, from = 0): number {
  for (let i = input.indexOf(needle[0]!, from); i >= 0 && i <= input.length - needle.length; i = input.indexOf(needle[0]!, i + 1)) {
    let k = 1;
    while (k < needle.length && input[i + k] === needle[k]) k++;
    if (k === needle.length) return i;
  }
  return -1;
}

/** `input` with every `needle` replaced by `by`. */
function replace(input: Uint8Array, needle: Uint8Array, by: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [];
  let at = 0;
  for (let i = indexOf(input, needle); i >= 0; i = indexOf(input, needle, at)) {
    parts.push(input.subarray(at, i), by);
    at = i + needle.length;
  }
  if (!parts.length) return input;
  parts.push(input.subarray(at));
  return joinBytes(parts);
}

// ---- generators --------------------------------------------------------------------------------

const MESSAGE_NAMES = ["Status", "Control", "Registry Read", "Registry List", "Registry Write", "Reset Usage", "File List", "File Read", "File Write", "File Rename", "File Remove", "File Mkdir", "Firmware Status", "Firmware Write", "Enumerate Devices", "Reboot", "Read Devices", "", "constructor", "__proto__", "control", "CONTROL"];
const MEMBERS = ["Command", "Channel", "Duration", "Keys", "Meta", "Path", "Offset", "Length", "Data", "Final", "To", "Size", "Auth-Digest", "__proto__", "constructor", "toString", "command", "CHANNEL", ""];
const COMMANDS = ["Close", "Open", "Toggle", "Reset Latch", "Reset Counter", "pulse", "constructor", "__proto__", "toString", "valueOf", "on", "1", "true", "CLOSE", "tOgGlE", " close", ""];
const STRINGS = ["", "x", "IO/", "IO/Outputs/rout1/Desc", "$SerialNumber", "/files/a", "../../etc", "/config.json", "\u0000", "\ud800", "é✓😀", "%s%n", "a".repeat(300)];
const NUMBERS = [0, 1, -1, 2, 8, 9, 0.5, 1e21, -1e21, 2 ** 31, 2 ** 53 + 1, 4294967296];

function pick<T>(p: Prng, list: readonly T[]): T {
  return list[p.below(list.length)]!;
}

function jsonValue(p: Prng, depth: number): string {
  switch (p.below(depth > 4 ? 3 : 7)) {
    case 0:
      return String(p.below(4) ? pick(p, NUMBERS) : p.next32() - 2 ** 31);
    case 1:
      return JSON.stringify(pick(p, STRINGS));
    case 2:
      return pick(p, ["true", "false", "null"]);
    case 3:
      return "[" + Array.from({ length: p.below(4) }, () => jsonValue(p, depth + 1)).join(",") + "]";
    case 4:
      return "{" + Array.from({ length: p.below(4) }, () => JSON.stringify(pick(p, MEMBERS)) + ":" + jsonValue(p, depth + 1)).join(",") + "}";
    case 5: {
      const n = 1 + p.below(p.below(8) ? 60 : 6000); // around the depth limit, and past what an engine's stack takes
      return "[".repeat(n) + "]".repeat(n);
    }
    default:
      return JSON.stringify(pick(p, COMMANDS));
  }
}

/** A JANOS message: a known or odd name, and members that commands read, with values of any type. */
function janosMessage(p: Prng): string {
  const members = [`"Message":${JSON.stringify(pick(p, MESSAGE_NAMES))}`];
  for (let i = p.below(5); i > 0; i--) {
    const name = pick(p, MEMBERS);
    const value = name.toLowerCase() === "command" && p.below(2) ? JSON.stringify(pick(p, COMMANDS)) : name.toLowerCase() === "channel" && p.below(2) ? String(p.below(11) - 1) : jsonValue(p, 1);
    members.push(`${JSON.stringify(name)}:${value}`);
  }
  return "{" + members.join(",") + "}";
}

const METHODS = ["GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH", "get", "G E T"];
const PATHS = ["/", "/status", "/api/info", "/api/schema", "/api/users", "/api/users/op", "/api/users/__proto__", "/api/password", "/api/login", "/api/backup", "/api/restore", "/api/setup", "/api/setup/networks", "/api/firmware", "/api/ws", "/logout", "/index.html", "/%2e%2e/x", "/a?b=c#d", "*", "http://device/status"];
const HEADERS = ["Connection: close", "Connection: keep-alive", "Content-Type: application/json", "Origin: http://device", "Origin: http://evil", `Cookie: iobox_session=${SESSION_PLACEHOLDER}`, "Cookie: a=b; iobox_session=00", "Transfer-Encoding: chunked", "Expect: 100-continue", "Accept-Encoding: gzip", "X: " + "y".repeat(200), "Host: other"];

function httpRequest(p: Prng): Uint8Array {
  const body = p.below(2) ? janosMessage(p) : p.below(2) ? jsonValue(p, 0) : "";
  const lines = [`${pick(p, METHODS)} ${pick(p, PATHS)} HTTP/1.1`, "Host: device"];
  for (let i = p.below(5); i > 0; i--) lines.push(pick(p, HEADERS));
  const chunked = lines.includes("Transfer-Encoding: chunked");
  if (!chunked && (body || p.below(2))) lines.push(`Content-Length: ${p.below(8) ? encodeUtf8(body).length : p.below(100000)}`);
  const b = encodeUtf8(body);
  const payload = chunked ? joinBytes([ascii(b.length.toString(16) + "\r\n"), b, ascii("\r\n0\r\n\r\n")]) : b;
  return joinBytes([ascii(lines.join("\r\n") + "\r\n\r\n"), payload]);
}

function wsFrames(p: Prng): Uint8Array {
  const frames: Uint8Array[] = [];
  const mask = new Uint8Array(4);
  for (let i = 1 + p.below(4); i > 0; i--) {
    p.fill(mask);
    const opcode = p.below(4) ? pick(p, [0x0, 0x1, 0x1, 0x1, 0x2, 0x8, 0x9, 0xa]) : p.below(16);
    let payload: Uint8Array;
    if (opcode === 0x8 && p.below(2)) payload = joinBytes([new Uint8Array([p.below(2) ? 0x03 : p.below(256), p.below(256)]), ascii("bye")]);
    else if (p.below(3)) payload = encodeUtf8(janosMessage(p));
    else {
      payload = new Uint8Array(p.below(p.below(8) ? 200 : 70_000));
      p.fill(payload);
    }
    frames.push(encodeMaskedFrame(opcode, payload, mask, p.below(5) > 0, p.below(10) ? 0 : p.below(8)));
  }
  return joinBytes(frames);
}

function mqttPackets(p: Prng): Uint8Array {
  const packets: Uint8Array[] = [];
  for (let i = 1 + p.below(3); i > 0; i--) {
    const qos = p.below(3) as 0 | 1 | 2;
    const topic = p.below(4)
      ? `${MQTT_PREFIX}/${pick(p, ["relay/1/set", "relay/2/pulse", "relay/0/set", "relay/999/set", "relay/1/get", "registry/read", "registry/write", "relay/1/set/x", "status"])}`
      : pick(p, ["homeassistant/status", "", "#", "a/b", `${MQTT_PREFIX}/relay/+/set`]);
    const payload = p.below(2) ? pick(p, ["on", "off", "toggle", "1", "0", "true", "close", "open", "constructor", "__proto__", "250", "-1", "99999999", " ON ", ""]) : p.below(2) ? janosMessage(p) : jsonValue(p, 0);
    if (p.below(4)) packets.push(encodePacket({ cmd: "publish", topic, payload, qos, dup: p.below(8) === 0, retain: p.below(8) === 0, messageId: qos ? 1 + p.below(65535) : undefined } as never));
    else packets.push(encodePacket(pick(p, [{ cmd: "pubrel", messageId: p.below(10) }, { cmd: "puback", messageId: p.below(10) }, { cmd: "pingresp" }, { cmd: "suback", messageId: p.below(4), granted: [0, 1, 2, 128] }, { cmd: "connack", returnCode: p.below(6) }]) as never));
  }
  return joinBytes(packets);
}

function cborValue(p: Prng, depth: number): CborValue {
  switch (p.below(depth > 3 ? 5 : 8)) {
    case 0:
      return p.below(2) ? pick(p, NUMBERS) : p.next32() - 2 ** 31;
    case 1:
      return pick(p, STRINGS);
    case 2:
      return pick(p, [true, false, null, undefined, NaN, -0, Infinity, 1.5]);
    case 3:
      return pick(p, [1n << 63n, -(1n << 64n), (1n << 64n) - 1n, 2n ** 53n + 1n]);
    case 4: {
      const b = new Uint8Array(p.below(20));
      p.fill(b);
      return b;
    }
    case 5:
      return Array.from({ length: p.below(5) }, () => cborValue(p, depth + 1));
    case 6:
      return new Map(Array.from({ length: p.below(4) }, () => [cborValue(p, depth + 1), cborValue(p, depth + 1)] as [CborValue, CborValue]));
    default:
      return new Tagged(p.below(3) ? p.below(40) : p.next32(), cborValue(p, depth + 1));
  }
}

// ---- the targets -------------------------------------------------------------------------------

/** Raw bytes to port 80: request heads, bodies, chunked encoding, pipelining, upgrades; some logged in as a control user. */
export const httpTarget: FuzzTarget = {
  name: "http",
  seeds: HTTP_SEEDS,
  dictionary: HTTP_WORDS,
  maxLength: 24_576,
  generate: httpRequest,
  async start(): Promise<FuzzSubject> {
    const d = await new FuzzedDevice().boot();
    let token: Uint8Array = new Uint8Array(0);
    const placeholder = ascii(SESSION_PLACEHOLDER);
    const login = async (): Promise<void> => {
      token = ascii(/iobox_session=([0-9a-f]+)/.exec(await logIn(d.f, USERS.op))![1]!);
    };
    await login();
    return {
      exec: (input) => oneConnection(d, 80, replace(input, placeholder, token), "http"),
      check: login, // a fuzzed POST /logout may have ended the session
      stop: () => d.stop(),
    };
  },
};

/** The JANOS WebSocket: a valid handshake, then fuzzed frames (opcodes, lengths, masks, fragments, UTF-8, close codes). */
export const websocketTarget: FuzzTarget = {
  name: "websocket",
  seeds: WS_SEEDS,
  dictionary: WS_WORDS,
  maxLength: 80_000,
  generate: wsFrames,
  async start(): Promise<FuzzSubject> {
    const d = await new FuzzedDevice().boot();
    return {
      exec: (input) => oneConnection(d, 80, joinBytes([WS_HANDSHAKE, input]), "websocket"),
      check: async () => {},
      stop: () => d.stop(),
    };
  },
};

/** Raw bytes to the JMP port, before any login: the `[N,json]` framing and the login exchange. */
export const jmpTarget: FuzzTarget = {
  name: "jmp",
  seeds: JMP_SEEDS,
  dictionary: JMP_WORDS,
  maxLength: 24_576,
  generate: (p) => {
    const parts: Uint8Array[] = [];
    for (let i = 1 + p.below(3); i > 0; i--) parts.push(jmpFrame(encodeUtf8(p.below(4) ? janosMessage(p) : jsonValue(p, 0))));
    return joinBytes(parts);
  },
  async start(): Promise<FuzzSubject> {
    const d = await new FuzzedDevice().boot();
    return {
      exec: (input) => oneConnection(d, 9220, input, "jmp"),
      check: async () => {},
      stop: () => d.stop(),
    };
  },
};

const RELAY_VERBS = new Set(["close", "open", "toggle", "on", "off", "1", "0", "true", "false"]);

/**
 * Whether a JANOS message may move a relay, said again independently of the device's code: a JSON
 * object with a Message member (any case) that is Control and a Command member that names a relay
 * command (any case). Where a message has the member twice in different cases, either will do.
 */
function isRelayControl(input: Uint8Array): boolean {
  let m: unknown;
  try {
    m = parseJson(decodeUtf8(input, 0, input.length, false)); // JSON.parse itself overflows XS's stack at a few thousand levels
  } catch {
    return false;
  }
  if (typeof m !== "object" || m === null) return false;
  let control = false;
  let command = false;
  for (const [k, v] of Object.entries(m)) {
    if (typeof v !== "string") continue;
    if (k.toLowerCase() === "message" && v.toLowerCase() === "control") control = true;
    if (k.toLowerCase() === "command" && RELAY_VERBS.has(v.toLowerCase())) command = true;
  }
  return control && command;
}

/** Whether an MQTT packet is a command that may move a relay (mqtt/service.ts's topics, said again). */
function isRelayCommand(p: Packet): boolean {
  if (p.cmd !== "publish" || p.retain) return false;
  const m = /^iobox\/11259375\/relay\/\d{1,3}\/(set|pulse)$/.exec(p.topic);
  if (!m) return false;
  const payload = typeof p.payload === "string" ? p.payload : decodeUtf8(p.payload, 0, p.payload.length, false);
  const text = payload.trim();
  return m[1] === "set" ? RELAY_VERBS.has(text.toLowerCase()) : /^[0-9]{1,8}$/.test(text) && Number(text) > 0;
}

/** A JMP session, logged in, that keeps only what the rules need (no transcript: a long run sends millions of messages). */
class JanosSession {
  conn: ClientConnection | undefined;
  closed = true;
  answers = 0;
  internal = "";
  private nonce = "";
  private authenticated = false;
  private readonly parser = new JmpParser(1 << 20);

  constructor(
    private readonly d: FuzzedDevice,
    private readonly user: { name: string; password: string },
  ) {}

  async open(): Promise<void> {
    const f = this.d.f;
    const conn = f.host.net.connectFrom("192.0.2.77", { host: MEMORY_HOST_ADDRESS, port: 9220 });
    this.conn = conn;
    this.closed = false;
    this.authenticated = false;
    conn.onClose = () => (this.closed = true);
    conn.onData = (bytes) =>
      this.parser.parse(bytes, {
        onJmpMessage: (b, s, e) => this.received(JSON.parse(decodeLatin1(b, s, e)) as Record<string, unknown>),
        onJmpOversize: () => (this.internal = "an oversize frame from the unit"),
      });
    conn.write(jmpFrame(ascii('{"Message":""}')));
    await f.run(STEP_MS);
    const digestOf = toHex(digest(f.host.crypto, "md5", encodeUtf8(`${this.user.name}:${this.nonce}:${this.user.password}`)));
    conn.write(jmpFrame(ascii(JSON.stringify({ "Auth-Digest": `${this.user.name}:${digestOf}` }))));
    await f.run(STEP_MS);
    if (!this.authenticated) throw new Error("the fuzzer's own login failed");
  }

  private received(m: Record<string, unknown>): void {
    this.answers++;
    if (m.Message === "Authenticated") this.authenticated = true;
    if (m.Message === "Error" && m.Text === "401 Unauthorized" && typeof m.Nonce === "string") this.nonce = m.Nonce;
    if (typeof m.Text === "string" && m.Text.startsWith("500")) this.internal = JSON.stringify(m).slice(0, 200);
  }
}

/**
 * JANOS messages in a session logged in as a control user, over JMP: every command with members of
 * every type. Relays may move only for a valid Control; nothing an administrator may do is done.
 */
export const janosTarget: FuzzTarget = {
  name: "janos",
  seeds: JANOS_MESSAGES.map(ascii),
  dictionary: JSON_WORDS,
  maxLength: 16_384,
  generate: (p) => encodeUtf8(p.below(8) ? janosMessage(p) : jsonValue(p, 0)),
  async start(): Promise<FuzzSubject> {
    const d = await new FuzzedDevice().boot();
    const session = new JanosSession(d, USERS.op);
    await session.open();
    const registryBefore = d.f.device.registry.get("Device/Desc");
    return {
      async exec(input) {
        if (session.closed) await session.open(); // an oversize or malformed frame may end it: that is allowed
        session.conn!.write(jmpFrame(input));
        await d.f.run(STEP_MS);
        if (session.internal) finding(`janos: ${session.internal}`);
        await d.after(isRelayControl(input), "janos");
      },
      async check() {
        // a control user changes no configuration, whatever it sends
        if (d.f.device.registry.get("Device/Desc") !== registryBefore) finding("janos: a control user changed Device/Desc");
        await d.released(session.closed ? 0 : 1, "janos");
      },
      stop: () => d.stop(),
    };
  },
};

/**
 * What a broker (or whoever sits between) sends the unit's MQTT client after its CONNACK: packets of
 * every type, malformed lengths, commands. A relay moves only for a command message (read as the
 * device reads the packets, judged independently); the client holds at most one connection and comes back after every drop.
 */
export const mqttTarget: FuzzTarget = {
  name: "mqtt",
  seeds: MQTT_SEEDS,
  dictionary: MQTT_WORDS,
  maxLength: 8192,
  generate: mqttPackets,
  async start(): Promise<FuzzSubject> {
    const settings: Entry[] = [
      ["MQTT/Enabled", "true"],
      ["MQTT/Host", "broker.local"],
      ["MQTT/RegistryAccess", "true"],
    ];
    const d = await new FuzzedDevice().boot(settings, { "broker.local": MEMORY_HOST_ADDRESS });
    const f = d.f;
    let live: ClientConnection | undefined; // the device's connection, once it has been sent its CONNACK
    let connections = 0;
    // the same packets as the device reads them, from the start of its connection: a command may span inputs
    let permitted = false;
    let oracle: PacketReader | undefined;
    const newOracle = (): PacketReader => new PacketReader(4096, (p) => (permitted ||= isRelayCommand(p)));
    const listener = await f.host.net.listen({ port: 1883 }, (c) => {
      connections++;
      let acknowledged = false;
      c.onData = () => {
        if (acknowledged) return; // what the device publishes is not looked at
        acknowledged = true;
        c.write(new Uint8Array([0x20, 0x02, 0x00, 0x00]));
        live = c;
        oracle = newOracle();
      };
      c.onClose = () => {
        connections--;
        if (live === c) live = undefined;
      };
    });
    const connected = async (): Promise<ClientConnection> => {
      for (let waited = 0; !live && waited < 130_000; waited += 500) await f.run(500); // the backoff is at most 60 s ± 50%
      if (!live) finding("mqtt: the client did not come back within its longest backoff");
      await f.run(STEP_MS); // its SUBSCRIBE and first publications
      return live;
    };
    return {
      async exec(input) {
        const c = await connected();
        permitted = false;
        try {
          oracle?.feed(input);
        } catch {
          oracle = undefined; // the device drops this connection too
        }
        c.write(input);
        await f.run(STEP_MS);
        if (connections > 1) finding(`mqtt: the client holds ${connections} connections`);
        await d.after(permitted, "mqtt");
      },
      async check() {
        await connected();
      },
      async stop() {
        listener.close();
        await d.stop();
      },
    };
  },
};

/**
 * Describes a decoded CBOR value exactly (NaN, -0, bigint, byte strings, map order), for comparing
 * two. An integral number beyond the safe range is the bigint of its value: the encoder writes it as
 * an integer, which decodes as a bigint (cbor.ts; the value is the same).
 */
function describe(v: CborValue): string {
  if (typeof v === "number") return Object.is(v, -0) ? "-0" : Number.isInteger(v) && !Number.isSafeInteger(v) && Math.abs(v) <= 2 ** 64 ? BigInt(v) + "n" : String(v);
  if (typeof v === "bigint") return v + "n";
  if (typeof v === "string") return JSON.stringify(v);
  if (v instanceof Uint8Array) return "h'" + toHex(v) + "'";
  if (Array.isArray(v)) return "[" + v.map(describe).join(",") + "]";
  if (v instanceof Map) return "{" + [...v].map(([k, x]) => describe(k) + ":" + describe(x)).join(",") + "}";
  if (v instanceof Tagged) return v.tag + "(" + describe(v.value) + ")";
  return String(v);
}

/** CBOR items: a value or a CborError, never anything else; what decodes re-encodes to the same value. */
export const cborTarget: FuzzTarget = {
  name: "cbor",
  seeds: CBOR_SEEDS,
  dictionary: CBOR_WORDS,
  maxLength: 4096,
  generate: (p) => encodeCbor(cborValue(p, 0)),
  start(): Promise<FuzzSubject> {
    return Promise.resolve({
      exec(input) {
        let value: CborValue;
        try {
          value = decodeCbor(input);
        } catch (e) {
          if (e instanceof CborError) return Promise.resolve();
          throw e;
        }
        const again = decodeCbor(encodeCbor(value));
        if (describe(again) !== describe(value)) finding(`cbor: ${describe(value).slice(0, 100)} came back as ${describe(again).slice(0, 100)}`);
        return Promise.resolve();
      },
      check: () => Promise.resolve(),
      stop: () => Promise.resolve(),
    });
  },
};

export const FUZZ_TARGETS: readonly FuzzTarget[] = [httpTarget, websocketTarget, jmpTarget, janosTarget, mqttTarget, cborTarget];
