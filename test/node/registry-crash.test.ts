/**
 * Real processes, real files: a child writing registry groups through the Node host is killed with
 * SIGKILL at random moments. After each kill every acknowledged write must be there, and the one
 * in flight either whole or absent. Compactions (snapshot + rename) are killed mid-way too.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Registry } from "../../src/registry/registry.ts";
import { SimBoard } from "../../sim/board.ts";
import { NodeHost } from "../../hosts/node/host.ts";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REGISTER = path.join(HERE, "../../hosts/node/register.mjs");
const KILLS = 12;

/** Runs the writer until `ms` after its first ack, kills it, and returns the last ack it printed. */
function runAndKill(dir: string, ms: number): Promise<{ start: number; lastAck: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", REGISTER, path.join(HERE, "fixtures/registry-writer.ts"), dir], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    let armed = false;
    child.stdout.on("data", (d: Buffer) => {
      out += d;
      if (!armed && /\nack \d+\n/.test(out)) {
        armed = true;
        setTimeout(() => child.kill("SIGKILL"), ms);
      }
    });
    child.on("error", reject);
    child.on("exit", (_code, signal) => {
      if (signal !== "SIGKILL") return reject(new Error("the writer ended on its own: " + out.slice(-200)));
      const acks = [...out.matchAll(/^ack (\d+)$/gm)].map((m) => Number(m[1]));
      resolve({ start: Number(/^start (\d+)$/m.exec(out)?.[1] ?? -1), lastAck: acks.length ? acks[acks.length - 1]! : -1 });
    });
  });
}

/** What the registry must hold after writes 1..n. */
function expected(n: number): Map<string, string> {
  const m = new Map<string, string>();
  for (let i = 1; i <= n; i++) m.set("appdata/k" + (i % 40), "v" + i);
  if (n > 0) m.set("appdata/last", String(n));
  return m;
}

test(`${KILLS} SIGKILLs at random moments lose no acknowledged registry write`, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "iobox-crash-"));
  let total = 0;
  for (let k = 0; k < KILLS; k++) {
    const { start, lastAck } = await runAndKill(dir, 20 + Math.floor(Math.random() * 200));
    assert.ok(lastAck > start, `kill ${k}: the writer acknowledged writes (${start} -> ${lastAck})`);
    const host = new NodeHost({ dataDir: dir, board: new SimBoard({ inputs: [], outputs: [] }), unitId: "check", logSink: () => {} });
    const registry = new Registry(host, { journalLimit: 4096 });
    const last = Number(registry.get("AppData/last"));
    // the write in flight when the kill came may have reached the disk, whole (one record)
    assert.ok(last === lastAck || last === lastAck + 1, `kill ${k}: last acknowledged ${lastAck}, found ${last}`);
    const actual = new Map(registry.stored().map(([key, value]) => [key.toLowerCase(), value]));
    assert.deepEqual(actual, expected(last), `kill ${k}: the registry is exactly writes 1..${last}`);
    total = last;
  }
  assert.ok(total > KILLS * 10, `writes survived across the kills: ${total}`);
});
