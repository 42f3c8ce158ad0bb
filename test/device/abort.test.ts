/**
 * Moddable's abort hook in the device image (manifest.json: defines.xs.abortHook; the hook is in
 * hosts/moddable/boot.ts): an exception nothing catches ends the VM, and the hook says why on the
 * console first. On an ESP32 XS then restarts the unit and the boot counts as failed; lin's mcsim
 * only unloads the app, so this shows the hook running in Moddable's engine, not the restart.
 */
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { built, sleep } from "./fixture.ts";
import { DeviceSim } from "./mcsim.ts";

let device: DeviceSim | undefined;

after(async () => {
  await device?.stop();
});

test("a promise rejected that nothing handles: the hook logs it and the unit goes on; an uncaught exception: the hook says why as the VM ends", async () => {
  const { sdk, so } = built();
  device = await DeviceSim.start(sdk, so);
  assert.deepEqual(await device.command("reject"), { ok: true });
  // XS takes an unhandled rejection for one once the promise is collected: the heap command collects
  await device.heap();
  for (let i = 0; i < 50 && !/the unit goes on/.test(device.log); i++) await sleep(100);
  assert.match(device.log, /error a promise failed and nothing handled it: unhandled rejection: the test port's unhandled rejection; the unit goes on\n/);
  assert.ok((await device.heap()).slots > 0, "still answering");
  assert.ok(device.running);
  assert.doesNotMatch(device.log, /error abort:/);

  assert.deepEqual(await device.command("abort"), { ok: true });
  for (let i = 0; i < 50 && !/error abort:/.test(device.log); i++) await sleep(100);
  // lin's screen reports "XS abort" itself, then calls the hook (build/simulators/modules/screen.c)
  assert.match(device.log, /XS abort: unhandled exception/);
  assert.match(device.log, /error abort: unhandled exception: the test port's uncaught exception\n/, "the hook said why");
});
