/**
 * The memory host is deterministic: a scenario with timers, connections split into random segments,
 * input pulse trains and seeded randomness produces the same event log on every run and on every
 * engine. The log's digest is recorded as a fingerprint that test/run.ts compares across Node and XS.
 */
import { fingerprint, test } from "../harness/test.ts";
import { assert } from "../harness/assert.ts";
import { decodeLatin1, encodeAscii, toHex } from "../../src/bytes.ts";
import { digest } from "../../src/digest.ts";
import { findBoard } from "../../src/boards.ts";
import { startDevice } from "../../src/device.ts";
import { MemoryHost } from "../../sim/memory-host.ts";
import { MEMORY_HOST_ADDRESS } from "../../sim/memory-net.ts";
import { nobleCrypto } from "../../sim/noble-crypto.ts";

const board = findBoard("jnior-410")!;

async function scenario(seed: number): Promise<string[]> {
  const host = new MemoryHost({ seed, layout: board, net: { maxSegment: 7, latencyMs: 3 } });
  const log: string[] = [];
  const at = (what: string): void => void log.push(host.clock.monotonic() + " " + what);
  const device = await startDevice(host, { board, listeners: [{ name: "http", port: 80 }], settings: [["IO/Inputs/din1/Debounce", "0"]] });
  host.board.watchOutputs((pin, level) => at(`relay ${pin}=${level}`));
  host.board.pulseTrain(host.timers, board.inputs[0]!.pin, 5, 20, 70);
  const nonce = new Uint8Array(6);
  for (let i = 0; i < 4; i++) {
    host.timers.after(13 * i + 1, () => {
      host.random(nonce);
      at(`client ${i} connects, nonce ${toHex(nonce)}`);
      const c = host.net.connect({ host: MEMORY_HOST_ADDRESS, port: 80 });
      c.onConnect = () => c.write(encodeAscii(`GET /status HTTP/1.1\r\nHost: device\r\nX-Client: ${i}\r\n\r\n`));
      c.onData = (d) => at(`client ${i} got ${d.length}: ${JSON.stringify(decodeLatin1(d).slice(0, 12))}`);
      c.onClose = (e) => at(`client ${i} closed ${e ?? "cleanly"}`);
    });
  }
  const ticker = host.timers.every(25, () => at(`tick inputs=${device.status().inputs.map((i) => i.state).join("")}`));
  host.clock.advance(400);
  ticker.cancel();
  const stopping = device.stop();
  host.clock.advance(10_000);
  await stopping;
  return log;
}

test("the same seed gives the same event log, run after run", async () => {
  const first = await scenario(11);
  const second = await scenario(11);
  assert.ok(first.length > 40, "a busy scenario: " + first.length + " events");
  assert.deepEqual(second, first);
  assert.notDeepEqual(await scenario(12), first, "another seed, other nonces and splits");
  fingerprint("memory-host-scenario", toHex(digest(nobleCrypto, "sha256", encodeAscii(first.join("\n")))));
});

test("the pulse train and the ticks interleave at exact virtual times", async () => {
  const log = await scenario(11);
  assert.ok(log.includes("25 tick inputs=00000000"), "first tick after the first pulse fell");
  assert.ok(log.includes("75 tick inputs=10000000"), "second pulse is high at 75");
});
