/**
 * Steps metered on XS: the CBOR codec on typical messages, and the whole path of a data-change event
 * (input edge -> subscription -> CBOR -> WebSocket frame) for one subscribed connection.
 */
import { decodeCbor, encodeCbor, Tagged } from "../src/cbor.ts";
import { encodeUtf8, toBase64 } from "../src/bytes.ts";
import { findBoard } from "../src/boards.ts";
import { startDevice, type Device } from "../src/device.ts";
import { parseSecurity } from "../src/auth/security.ts";
import { MemoryHost } from "../sim/memory-host.ts";
import { m, XentaraClient } from "../sim/xentara-client.ts";
import { SAMPLES } from "./xentara.samples.ts";

export const ROUNDS = 200;
export const EDGES = 200;

let host: MemoryHost;
let device: Device;
let client: XentaraClient;
const board = findBoard("jnior-410")!;

const settle = async (): Promise<void> => {
  for (let i = 0; i < 4; i++) {
    await null;
    host.clock.advance(0);
  }
};

async function setup(subscribed: boolean): Promise<void> {
  host = new MemoryHost({ layout: board });
  const security = parseSecurity(JSON.stringify({ roles: [{ name: "Administrator", UUID: "8a38fb06-fa47-4f98-9419-a0fb6511e671" }], ACL: { entries: [{ role: "Administrator", allow: ["websocket.connect", "read", "write"] }] } }));
  device = await startDevice(host, {
    board,
    listeners: [{ name: "https", port: 443, tls: { cert: "", key: "" } }],
    adminPassword: "bench-password",
    settings: [["IO/Inputs/din1/Debounce", "0"], ["JMP/Enabled", "false"]],
    security,
    authentication: { realm: "iobox", schemes: ["Basic"], scope: [] },
  });
  client = new XentaraClient(host.net, 443, { authorization: "Basic " + toBase64(encodeUtf8("jnior:bench-password")) });
  await settle();
  client.request(14, m([0, 1], [1, 1]));
  await settle();
  if (subscribed) {
    client.request(6, m([0, [m([0, new Tagged(37, device.xentara.model.inputs[0]!.uuid)], [1, [11]])]]));
    await settle();
  }
}

async function edges(): Promise<void> {
  for (let i = 0; i < EDGES; i++) {
    host.clock.advance(1);
    host.board.setInput(1, (i & 1) === 0 ? 1 : 0);
    await settle();
  }
}

function repeat(fn: () => unknown): void {
  for (let i = 0; i < ROUNDS; i++) fn();
}

const steps: [string, () => void | Promise<void>][] = [];
for (const [name, value] of Object.entries(SAMPLES)) {
  const bytes = encodeCbor(value);
  steps.push([`encode ${name}`, () => void repeat(() => encodeCbor(value))]);
  steps.push([`decode ${name}`, () => void repeat(() => decodeCbor(bytes))]);
}
steps.push(["setup, no subscription", () => setup(false)], ["edges, no subscription", edges]);
steps.push(["setup, subscribed", () => setup(true)], ["edges, subscribed", async () => {
  const before = client.events.length;
  await edges();
  if (client.events.length - before !== EDGES) throw new Error(`expected ${EDGES} events, got ${client.events.length - before}`);
}]);
export default steps;
