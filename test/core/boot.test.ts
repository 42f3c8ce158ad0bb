/**
 * Failed boots and safe mode (src/boot-record.ts), and the reboot an administrator asks for. A
 * "failed" boot here is a device that is simply abandoned before its first minute, as a crash, the
 * watchdog or a power cut would leave it; the next boot runs on the same flash. On Node and on XS.
 */
import { test } from "../harness/test.ts";
import { assert } from "../harness/assert.ts";
import { decodeUtf8, encodeUtf8 } from "../../src/bytes.ts";
import { GOOD_AFTER_MS, LAST_ABORT_FILE } from "../../src/boot-record.ts";
import { MemoryFlash } from "../../sim/memory-files.ts";
import { board, bootDevice, USERS, type DeviceFixture } from "./device-fixture.ts";
import { logIn, request } from "./web-fixture.ts";

const boot = (flash: MemoryFlash, settings?: [string, string][]): Promise<DeviceFixture> =>
  bootDevice({ flash, settings, config: { mqtt: undefined } });

const value = (f: DeviceFixture, key: string): string | undefined => f.device.registry.get(key);

test("three failed boots in a row: safe mode, with the relays at their initial states and only the web UI and logins; a minute later the count is clear", async () => {
  const flash = new MemoryFlash(7);
  // relay 1 closes at boot; MQTT is set up; both must wait in safe mode
  const settings: [string, string][] = [
    ["IO/Outputs/rout1/InitialState", "1"],
    ["MQTT/Enabled", "true"],
    ["MQTT/Host", "192.0.2.99"],
  ];
  for (let i = 0; i < 3; i++) {
    const f = await boot(flash, i === 0 ? settings : undefined);
    assert.equal(f.device.safeMode, false, `boot ${i + 1}`);
    assert.equal(value(f, "$FailedBoots"), String(i));
    await f.run(GOOD_AFTER_MS - 5000); // and then it dies
  }

  const safe = await boot(flash);
  assert.equal(safe.device.safeMode, true);
  assert.equal(value(safe, "$SafeMode"), "true");
  assert.equal(value(safe, "$FailedBoots"), "3");
  assert.ok(safe.host.logs.some((l) => l.level === "error" && /the last 3 boots failed .*SAFE MODE/.test(l.message)));
  assert.equal(safe.device.ports.jmp, undefined, "no JMP server");
  assert.equal(value(safe, "MQTT/$Status"), "off: safe mode");
  assert.equal(safe.host.board.outputLevel(board.outputs[0]!.pin), 1, "relay 1 at its initial state");

  const cookie = await logIn(safe, USERS.admin);
  const info = JSON.parse((await request(safe, "GET", "/api/info", { headers: [cookie] })).text) as { safeMode: boolean };
  assert.equal(info.safeMode, true, "the web UI is told");
  const admin = await safe.loggedIn("websocket");
  admin.send({ Message: "Control", Command: "Open", Channel: 1 });
  await safe.run();
  assert.equal(admin.named("Error").at(-1)?.Text, "503 Service Unavailable");
  assert.match(String(admin.named("Error").at(-1)?.Detail), /safe mode/);
  assert.equal(safe.host.board.outputLevel(board.outputs[0]!.pin), 1, "still at its initial state");
  admin.send({ Message: "Registry Write", Keys: { "MQTT/Enabled": "false" } });
  await safe.run();
  assert.equal(value(safe, "MQTT/Enabled"), "false", "the registry can be put right");
  const api = await request(safe, "GET", "/api/ws", { headers: ["Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Version: 13", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=="] });
  assert.equal(api.status, 503, "/api/ws is off");

  await safe.run(GOOD_AFTER_MS + 1000); // safe mode ran its minute: the next boot is normal
  const normal = await boot(flash);
  assert.equal(normal.device.safeMode, false);
  assert.equal(value(normal, "$FailedBoots"), "0");
  assert.equal(typeof normal.device.ports.jmp, "number");
  await normal.stop();
});

test("a clean stop and a boot that runs its minute are no failures; an unreadable count starts again from 0", async () => {
  const flash = new MemoryFlash(8);
  for (let i = 0; i < 4; i++) {
    const f = await boot(flash);
    assert.equal(value(f, "$FailedBoots"), "0", `boot ${i + 1}`);
    await f.stop(); // clean
  }
  const f = await boot(flash);
  await f.run(GOOD_AFTER_MS + 1000); // then dies, but after its minute
  const g = await boot(flash);
  assert.equal(value(g, "$FailedBoots"), "0");
  g.host.files.write("boots", new Uint8Array([0xff, 0x00, 0x41]));
  const h = await boot(flash);
  assert.equal(value(h, "$FailedBoots"), "0");
  assert.ok(h.host.logs.some((l) => /the count of failed boots was unreadable/.test(l.message)));
  assert.equal(decodeUtf8(h.host.files.read("boots")!, 0, 2), "1\n", "this boot is counted until it is good");
  await h.stop();
});

test("aborts count as failed boots even after their minute: three in a row bring safe mode; a boot that ends cleanly clears them", async () => {
  const flash = new MemoryFlash(11);
  for (let i = 0; i < 3; i++) {
    const f = await boot(flash);
    assert.equal(f.device.safeMode, false, `boot ${i + 1}`);
    await f.run(GOOD_AFTER_MS + 5000);
    assert.equal(value(f, "$FailedBoots"), String(i), "counted at its start");
    f.device.aborted(); // the host's abort hook: the VM ends here
  }
  const safe = await boot(flash);
  assert.equal(safe.device.safeMode, true, "three aborts in a row, each after its minute");
  assert.equal(value(safe, "$FailedBoots"), "3");
  await safe.run(GOOD_AFTER_MS + 5000);
  await safe.stop();
  const clear = await boot(flash);
  assert.equal(clear.device.safeMode, false);
  assert.equal(value(clear, "$FailedBoots"), "0");
  await clear.stop();
});

test("why the unit last aborted, as the host wrote it: $LastAbort, kept until the next abort, and said at the boot after it", async () => {
  const flash = new MemoryFlash(10);
  const first = await boot(flash);
  assert.equal(value(first, "$LastAbort"), "");
  first.host.files.write(LAST_ABORT_FILE, encodeUtf8("2026-12-05T10:00:00.000Z memory full\u0007\n"));
  // and then it died
  const next = await boot(flash);
  assert.equal(value(next, "$LastAbort"), "2026-12-05T10:00:00.000Z memory full", "printable, one line");
  assert.ok(next.host.logs.some((l) => l.level === "warn" && l.message === "boot: the unit last aborted at 2026-12-05T10:00:00.000Z memory full"));
  await next.stop();
  const later = await boot(flash);
  assert.equal(value(later, "$LastAbort"), "2026-12-05T10:00:00.000Z memory full", "kept");
  assert.ok(!later.host.logs.some((l) => /last aborted/.test(l.message)), "said only after a failed boot");
  await later.stop();
});

test("Reboot: an administrator's, answered first; the registry reaches flash, the unit stops cleanly and restarts", async () => {
  const flash = new MemoryFlash(9);
  const f = await boot(flash);
  const op = await f.loggedIn("jmp", USERS.op);
  op.send({ Message: "Reboot" });
  await f.run();
  assert.equal(op.named("Error").at(-1)?.Text, "403 Forbidden", "not for a control user");

  f.host.board.pulseTrain(f.host.timers, board.inputs[0]!.pin, 3, 300, 600); // past the 200 ms debounce
  await f.run(2000);
  assert.equal(f.device.io.inputs[0]!.count, 3);
  const onFlash = (): string => {
    const bytes = f.host.files.read("registry/journal");
    return bytes ? decodeUtf8(bytes, 0, bytes.length) : "";
  };
  assert.equal(onFlash().includes("din1/$Counter"), false, "the count waits in RAM (coalesced)");
  const admin = await f.loggedIn("websocket");
  admin.send({ Message: "Reboot", Meta: { Hash: "r1" } });
  await f.run();
  assert.equal(onFlash().includes("din1/$Counter"), true, "flushed at once");
  assert.deepEqual(admin.named("Reboot Response")[0], { Message: "Reboot Response", Status: "Rebooting", Meta: { Hash: "r1" } });
  assert.equal(f.host.restarts, 0, "not before the answer is out");
  await f.run(8000);
  assert.equal(f.host.restarts, 1);
  assert.equal(admin.closed, true, "the WebSocket was closed as the unit went down");
  assert.ok(f.host.logs.some((l) => /reboot asked by "jnior" \(.*websocket\)/.test(l.message)));

  const after = await boot(flash);
  assert.equal(after.device.io.inputs[0]!.count, 3, "the counter, coalesced in RAM, was flushed");
  assert.equal(value(after, "$FailedBoots"), "0", "a reboot asked for is no failed boot");
  await after.stop();
});

test("Reboot where the platform cannot restart itself: 501, and nothing stops", async () => {
  const f = await bootDevice({ noRestart: true });
  const admin = await f.loggedIn("jmp");
  admin.send({ Message: "Reboot" });
  await f.run(8000);
  assert.equal(admin.named("Error").at(-1)?.Text, "501 Not Implemented");
  assert.equal(admin.closed, false);
  await f.stop();
});
