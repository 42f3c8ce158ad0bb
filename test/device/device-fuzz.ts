/**
 * The fuzz targets of test/core/fuzz/ aimed at the device image in mcsim over loopback: the same
 * seeds, dictionaries and generators, each input sent over a real socket the way a client would.
 * The rule here is the device's own: nothing a client sends stops it (no `XS abort`, no memory
 * full, no crash; checked after every input), and every so often it still answers HTTP and JMP
 * and its heap is back near where it started. Relay and configuration rules are the in-memory
 * targets' (they see inside the unit); the device shows that its engine survives the same inputs.
 *
 * cbor has no device target: its parser is reached through /api/ws, which the device serves only
 * over TLS (issue 20); it is fuzzed on XS by `npm run fuzz -- --xs`.
 */
import net from "node:net";
import { FuzzFinding, printable, type FuzzSubject, type FuzzTarget } from "../core/fuzz/engine.ts";
import { SESSION_PLACEHOLDER, WS_HANDSHAKE } from "../core/fuzz/corpus.ts";
import { joinBytes } from "../../src/bytes.ts";
import { httpTarget, janosTarget, jmpTarget, mqttTarget, websocketTarget } from "../core/fuzz/targets.ts";
import { authDigest } from "../node/janos-clients.ts";
import { cookieFrom, digestFetch } from "../node/web-client.ts";
import { DEVICE_PORTS, type DeviceSim } from "./mcsim.ts";
import { jmpFrame, rawExchange } from "./raw.ts";

/** The device's users for fuzzing: the administrator sets up, a control user is fuzzed as. */
export interface DeviceUsers {
  admin: { name: string; password: string };
  control: { name: string; password: string };
}

const BASE = `http://127.0.0.1:${DEVICE_PORTS.http}`;

/** Throws a finding when the device has stopped (its log says why) or is no longer running. */
export function stillUp(device: DeviceSim, what: string): void {
  const problem = device.firstProblem;
  if (problem || !device.running) throw new FuzzFinding(`${what}: the device stopped: ${problem ?? "mcsim exited"}\n${device.log.slice(-1500)}`);
}

/** It still serves: an HTTP request gets its 401, a JMP connection its challenge. */
export async function serves(device: DeviceSim, what: string): Promise<void> {
  await answers(what, "HTTP", DEVICE_PORTS.http, "GET / HTTP/1.1\r\nHost: device\r\n\r\n", (a) => a.startsWith("HTTP/1.1 401"));
  // from an address of its own: the inputs' failed logins hold back challenges to theirs, by design
  await answers(what, "JMP", DEVICE_PORTS.jmp, jmpFrame('{"Message":""}'), (a) => a.includes('"Nonce"'), "127.3.0.1");
  stillUp(device, what);
}

/**
 * Asks until the answer is `good`, for up to 5 s: a unit full for a moment (connections the inputs
 * left still closing) says 503 or closes a connection as it arrives, and is asked again.
 */
async function answers(what: string, protocol: string, port: number, ask: string | Uint8Array, good: (answer: string) => boolean, from?: string): Promise<void> {
  let answer = "";
  for (const deadline = Date.now() + 5000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 200))) {
    answer = (await rawExchange(port, ask, { quietMs: 300, from })).toString("latin1");
    if (good(answer)) return;
  }
  throw new FuzzFinding(`${what}: ${protocol} answered ${JSON.stringify(answer.slice(0, 80))}`);
}

/** Makes the control user the janos and http targets log in as. */
export async function addControlUser(users: DeviceUsers): Promise<void> {
  const r = await digestFetch(`${BASE}/api/users/${users.control.name}`, users.admin.name, users.admin.password, {
    method: "PUT",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ role: "control", password: users.control.password }),
  });
  if (r.status !== 201 && r.status !== 200) throw new Error(`could not make the control user: ${r.status} ${await r.text()}`);
}

/** Something that runs one input at a time against the device: a fresh connection each, or a session. */
type Lane = (input: Uint8Array) => Promise<void>;

/**
 * A device target's subject: its inputs go down `lanes` at once (a lane takes one input at a time),
 * so the device is kept busy while the client waits on quiet sockets. A device that stops fails the
 * input that was sent last, and the finding names every input then in flight.
 */
function subject(device: DeviceSim, name: string, lanes: Lane[], stop: () => Promise<void> = async () => {}): FuzzSubject {
  let baseline: number | undefined;
  const free = [...lanes];
  const inFlight = new Map<Promise<void>, Uint8Array>();
  let failure: unknown;
  const up = (): void => {
    if (failure) throw failure;
    try {
      stillUp(device, name);
    } catch (e) {
      const others = [...inFlight.values()].map((x) => printable(x, 200));
      throw new FuzzFinding(`${(e as Error).message}${others.length > 1 ? `\nthe inputs in flight then:\n${others.join("\n")}` : ""}`);
    }
  };
  const settle = async (): Promise<void> => {
    await Promise.all(inFlight.keys());
    up();
  };
  return {
    async exec(input) {
      while (!free.length) await Promise.race(inFlight.keys());
      up();
      const lane = free.pop()!;
      const running: Promise<void> = lane(input).then(
        () => {
          inFlight.delete(running);
          free.push(lane);
        },
        (e: unknown) => {
          inFlight.delete(running);
          free.push(lane);
          failure ??= e;
        },
      );
      inFlight.set(running, input);
    },
    async check() {
      await settle();
      await serves(device, name);
      // the heap after a forced collection: what inputs leave behind must not pile up
      let slots = (await device.heap()).slots;
      for (let i = 0; baseline !== undefined && slots > baseline + HEAP_SLACK && i < 20; i++) {
        await new Promise((r) => setTimeout(r, 250)); // closing sockets' last callbacks
        slots = (await device.heap()).slots;
      }
      if (baseline === undefined) baseline = slots;
      else if (slots > baseline + HEAP_SLACK) throw new FuzzFinding(`${name}: ${slots} slots in use after a collection, ${baseline} at the first check`);
    },
    async stop() {
      await Promise.allSettled(inFlight.keys());
      await stop();
    },
  };
}

/**
 * What a check may find over the first: what inputs legitimately leave, each bounded — web sessions,
 * the login throttle's table (128 entries: inputs carry failed logins), files in the file area. A
 * leak shows as growth past it over a long run.
 */
const HEAP_SLACK = 800;

/**
 * Inputs in flight at once. lin's sockets are polled every 20 ms, so an exchange takes ~60 ms
 * however small: throughput comes from lanes. HTTP: one fewer than the server's 8 connections (the
 * checks' requests get in); JMP: within the budget's 11 inbound slots.
 */
const HTTP_LANES = 7;
const JMP_LANES = 8;

const QUICK = { quietMs: 50, maxMs: 3000, end: true };

const lanes = (lane: Lane, n: number): Lane[] => Array.from({ length: n }, () => lane);

/** The device targets; `device` is the image booted when a target starts (the runner reboots it now and then). */
export function deviceTargets(device: () => DeviceSim, users: DeviceUsers, mqttPort: number): FuzzTarget[] {
  const http: FuzzTarget = {
    ...httpTarget,
    async start() {
      const page = await digestFetch(`${BASE}/`, users.control.name, users.control.password);
      const token = Buffer.from(/iobox_session=([0-9a-f]+)/.exec(cookieFrom(page, "iobox_session") ?? "")?.[1] ?? "");
      const placeholder = Buffer.from(SESSION_PLACEHOLDER);
      return subject(
        device(),
        "http",
        lanes(async (input) => {
          await rawExchange(DEVICE_PORTS.http, token.length ? Buffer.from(input).toString("latin1").split(placeholder.toString("latin1")).join(token.toString("latin1")) : input, QUICK);
        }, HTTP_LANES),
      );
    },
  };
  const websocket: FuzzTarget = {
    ...websocketTarget,
    async start() {
      return subject(device(), "websocket", lanes(async (input) => void (await rawExchange(DEVICE_PORTS.http, joinBytes([WS_HANDSHAKE, input]), QUICK)), HTTP_LANES));
    },
  };
  const jmp: FuzzTarget = {
    ...jmpTarget,
    async start() {
      return subject(device(), "jmp", lanes(async (input) => void (await rawExchange(DEVICE_PORTS.jmp, input, QUICK)), JMP_LANES));
    },
  };
  const janos: FuzzTarget = {
    ...janosTarget,
    async start() {
      // a session per lane, each logged in as the control user
      const sessions = Array.from({ length: JMP_LANES }, () => new JmpSession(users.control));
      return subject(
        device(),
        "janos",
        sessions.map((session) => async (input: Uint8Array) => {
          if (session.closed) await session.open(); // an oversize or malformed frame may end it: allowed
          await session.send(input);
        }),
        async () => sessions.forEach((x) => x.close()),
      );
    },
  };
  const mqtt: FuzzTarget = {
    ...mqttTarget,
    async start() {
      const broker = await FakeBroker.start(mqttPort);
      const booted = device();
      return subject(
        booted,
        "mqtt",
        [
          async (input) => {
            const c = await broker.connected(booted);
            c.write(input);
            // the device's answer, or its close (most inputs end the connection)
            await new Promise<void>((resolve) => {
              const t = setTimeout(done, 20);
              c.once("close", done);
              function done(): void {
                clearTimeout(t);
                c.off("close", done);
                resolve();
              }
            });
          },
        ],
        () => broker.stop(),
      );
    },
  };
  return [http, websocket, jmp, janos, mqtt];
}

let nextAddress = 1;
/** The login throttle's longest delay (FAILURE_LIMITS.maxDelayMs) and a margin. */
const LOGIN_WAIT_MS = 70_000;

/** A JMP session logged in as a user, frames written raw, each answered (or not) within a moment. */
class JmpSession {
  closed = true;
  private socket: net.Socket | undefined;
  private received = 0;
  private waiter: (() => void) | undefined;

  constructor(private readonly user: { name: string; password: string }) {}

  async open(): Promise<void> {
    // each session from an address of its own: inputs that are failed logins (an Auth-Digest in a
    // message) slow down the next login from their address, by design
    const n = nextAddress++;
    const s = net.connect({ port: DEVICE_PORTS.jmp, host: "127.0.0.1", noDelay: true, localAddress: `127.1.${(n >> 8) & 255}.${(n & 255) || 1}` });
    this.socket = s;
    this.closed = false;
    let text = "";
    s.on("data", (d) => {
      text += d.toString("latin1");
      this.received++;
      this.waiter?.();
    });
    s.on("close", () => {
      this.closed = true;
      this.waiter?.();
    });
    s.on("error", () => {});
    await new Promise((r) => s.once("connect", r));
    s.write(jmpFrame('{"Message":""}'));
    const nonce = await this.until(() => /"Nonce":"([^"]+)"/.exec(text)?.[1], LOGIN_WAIT_MS); // a throttled address's challenge waits
    s.write(jmpFrame(JSON.stringify({ "Auth-Digest": authDigest(this.user.name, this.user.password, nonce) })));
    await this.until(() => (/"Authenticated"/.test(text) ? true : undefined));
  }

  /** Writes one frame; resolves at its first answer, the connection's end, or after 40 ms. */
  async send(json: Uint8Array): Promise<void> {
    const before = this.received;
    this.socket!.write(Buffer.concat([Buffer.from(`[${json.length},`), json, Buffer.from("]")]));
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, 40);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.waiter = () => (this.received > before || this.closed) && done();
    });
    this.waiter = undefined;
  }

  close(): void {
    this.socket?.destroy();
  }

  private async until<T>(get: () => T | undefined, ms = 5000): Promise<T> {
    for (const deadline = Date.now() + ms; Date.now() < deadline; ) {
      const v = get();
      if (v !== undefined) return v;
      if (this.closed) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    throw new FuzzFinding(`janos: the login as "${this.user.name}" did not complete`);
  }
}

/**
 * The broker the device's MQTT client is pointed at: it answers CONNECT with a CONNACK, then the
 * fuzz inputs go down that connection until the device drops it and comes back (after its backoff).
 */
export class FakeBroker {
  private live: net.Socket | undefined;
  private arrived: (() => void) | undefined;
  private constructor(private readonly server: net.Server) {}

  static async start(port: number): Promise<FakeBroker> {
    const server = net.createServer();
    const broker = new FakeBroker(server);
    server.on("connection", (s) => {
      s.on("error", () => {});
      s.once("data", () => {
        s.write(Buffer.from([0x20, 0x02, 0x00, 0x00])); // CONNACK, accepted
        broker.live = s;
        broker.arrived?.();
      });
      s.on("close", () => broker.live === s && (broker.live = undefined));
    });
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
    return broker;
  }

  /** The device's connection, once it has its CONNACK (the device's backoff is at most 60 s ± 50%). */
  async connected(device: DeviceSim): Promise<net.Socket> {
    for (const deadline = Date.now() + 95_000; !this.live && Date.now() < deadline; ) {
      stillUp(device, "mqtt");
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 1000);
        this.arrived = () => {
          clearTimeout(t);
          this.arrived = undefined;
          resolve();
        };
      });
    }
    if (!this.live) throw new FuzzFinding("mqtt: the device's client did not come back within its longest backoff");
    return this.live;
  }

  async stop(): Promise<void> {
    this.live?.destroy();
    await new Promise((r) => this.server.close(r));
  }
}
