/**
 * Steps metered on XS: input edges (debounce 0) with 0, 1, 16 and 64 logged-in JANOS sessions, each
 * edge followed by the Monitor broadcast it causes. The sessions' links take the frames and drop
 * them, so what is metered is the protocol's work: writing the Monitor, framing it once, and handing
 * it to every session.
 */
import { Authenticator } from "../src/auth/authenticator.ts";
import { FailureLimiter } from "../src/auth/failure-limiter.ts";
import { UserStore } from "../src/auth/users.ts";
import { findBoard } from "../src/boards.ts";
import { Io } from "../src/io/io.ts";
import type { Link, SharedMessage } from "../src/janos/link.ts";
import { JanosService } from "../src/janos/service.ts";
import { Registry } from "../src/registry/registry.ts";
import { MemoryHost } from "../sim/memory-host.ts";
import { NO_NAMES, parseJson } from "../src/json-input.ts";

export const EDGES = 500;
export const SESSIONS = [1, 16, 64] as const;

let host: MemoryHost;
let io: Io;
let sent = 0;

class NullLink implements Link {
  readonly transport = "websocket";
  readonly remoteAddress = "192.0.2.1";
  readonly remotePort = 1;
  readonly secure = false;
  readonly pending = 0;
  send(): boolean {
    return true;
  }
  sendShared(message: SharedMessage): boolean {
    sent += message.webSocketFrame.length; // framed, as a real link would
    return true;
  }
  close(): void {}
}

function setup(sessions: number): void {
  const board = findBoard("jnior-410")!;
  host = new MemoryHost({ layout: board });
  const registry = new Registry(host);
  registry.write({ "IO/Inputs/din1/Debounce": "0" });
  io = new Io(host, registry, board);
  const users = new UserStore(host);
  const janos = new JanosService(host, { registry, io, auth: new Authenticator(host, users, new FailureLimiter(host.clock)), identity: { model: "410", version: "v0.1.0", serialNumber: 48879 } });
  for (let i = 0; i < sessions; i++) {
    const s = janos.open(new NullLink(), { name: "jnior", role: "administrator" }, "anonymous");
    janos.receive(s, '{"Message":""}'); // Authenticated + the first Monitor: the session is live
  }
}

async function edges(): Promise<void> {
  for (let i = 0; i < EDGES; i++) {
    host.clock.advance(1);
    host.board.setInput(1, (i & 1) === 0 ? 1 : 0);
    await null; // the broadcast runs as a promise job after the change
    await null;
  }
  if (io.inputs[0]!.count !== EDGES / 2) throw new Error("edges were lost");
}

/** Messages whose member names a client chose: parsed into Maps (parseJson's foreign mode) or, as a baseline, by JSON.parse. */
export const PARSES = 200;
export const FOREIGN_TEXTS: Record<string, string> = {
  "a Registry Write of 10 keys": JSON.stringify({
    Message: "Registry Write",
    Keys: Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`AppData/Plant/Line${i}/Setpoint`, String(20 + i)])),
    Meta: { Hash: "reg.write-77c1", Key: "AppData/Plant/Line0/Setpoint" },
  }),
  "a Meta with an 8 KB string": JSON.stringify({ Message: "Status", Meta: { Note: "x".repeat(8000), Hash: "s-1" } }),
};

function parses(text: string, foreign: boolean): () => void {
  return () => {
    for (let i = 0; i < PARSES; i++) if (foreign) parseJson(text, { names: NO_NAMES, others: "foreign" });
    else JSON.parse(text);
  };
}

const steps: [string, () => void | Promise<void>][] = [
  ["setup 0", () => setup(0)],
  ["edges, no sessions", edges],
];
for (const n of SESSIONS) steps.push([`setup ${n}`, () => setup(n)], [`edges, ${n} sessions`, edges]);
for (const [name, text] of Object.entries(FOREIGN_TEXTS)) steps.push([`JSON.parse ${name}`, parses(text, false)], [`foreign ${name}`, parses(text, true)]);
export default steps;
