/**
 * `npm run fuzz -- --device`: the fuzz targets against the device image, built by the Moddable SDK
 * for `lin` and run in mcsim (test/device/), over loopback. One image, a fresh boot for each target
 * and every INPUTS_PER_BOOT inputs, the targets one after another (the image has fixed ports). What fails a run: the device stopping
 * (an `XS abort`, memory full, a crash), no longer answering HTTP or JMP, or its heap not coming back
 * (test/device/device-fuzz.ts).
 */
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ROOT } from "../../hosts/build/build.ts";
import { fuzz, type FuzzResult, type FuzzTarget } from "../core/fuzz/engine.ts";
import { freePort } from "../node/mosquitto.ts";
import { WsClient } from "../node/janos-clients.ts";
import { DEVICE_TOOLS, ensureTools } from "../system-tools.ts";
import { addControlUser, deviceTargets, type DeviceUsers } from "../device/device-fuzz.ts";
import { checkPortsFree, DEVICE_PORTS, DeviceSim, type Heap } from "../device/mcsim.ts";
import { buildImage, findSdk } from "../device/sdk.ts";

export interface DeviceRun {
  targets: string[];
  count: number;
  seed: number;
  minutes: number;
}

export interface DeviceOutcome {
  target: string;
  seconds: number;
  result: FuzzResult;
  heap: string;
}

/** The targets the device has; cbor is reached only over TLS there (issue 20). */
export const DEVICE_TARGET_NAMES = ["http", "websocket", "jmp", "janos", "mqtt"];

/**
 * Inputs per boot. lin's timer ids are 16 bits (modules/base/timer/lin/timer.c): some 65,000 timers
 * into a run the id of one still in use comes round again and mcsim crashes, an SDK fault of lin alone
 * (the ESP32's timers are FreeRTOS's). Each HTTP exchange uses a timer or two, so a long run boots a
 * fresh image every 30,000 inputs; within a boot what piles up still shows at the heap checks.
 */
const INPUTS_PER_BOOT = 30_000;

export async function fuzzDevice(run: DeviceRun): Promise<DeviceOutcome[]> {
  ensureTools(DEVICE_TOOLS);
  await checkPortsFree();
  const sdk = findSdk();
  const users: DeviceUsers = { admin: { name: "jnior", password: crypto.randomBytes(12).toString("base64url") }, control: { name: "op", password: "op-pw-" + crypto.randomBytes(6).toString("hex") } };
  process.stdout.write(`building the device image for lin (${sdk.source})\n`);
  fs.mkdirSync(os.homedir() + "/.config/tech.moddable.mcsim", { recursive: true });
  // mqttMinBackoffMs: the broker of the mqtt target ends the connection on most inputs (hosts/moddable/boot.ts).
  // A folder of its own: a run that reboots its image must find its own there, not another run's
  // (built with another password) — two runs may go at once, each in a network namespace of its own
  fs.mkdirSync(path.join(ROOT, "build"), { recursive: true });
  const dir = fs.mkdtempSync(path.join(ROOT, "build/device-fuzz-"));
  const image = await buildImage(sdk, dir, { adminPassword: users.admin.password, mqttMinBackoffMs: "10" });
  const outcomes: DeviceOutcome[] = [];
  try {
    for (const name of run.targets) outcomes.push(await fuzzTarget(name));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return outcomes;

  async function fuzzTarget(name: string): Promise<DeviceOutcome> {
    let device: DeviceSim | undefined;
    let first: Heap | undefined;
    let boots = 0;
    let stackPeak = 0;
    const mqttPort = await freePort();
    const target = deviceTargets(() => device!, users, mqttPort).find((t) => t.name === name)!;
    // a boot per INPUTS_PER_BOOT: the engine restarts its subject, and the subject is a booted image
    const booting: FuzzTarget = {
      ...target,
      async start() {
        if (device) {
          // a restart: the engine has stopped the subject; the last image stays up for the heap at the end
          stackPeak = Math.max(stackPeak, device.stackPeak);
          await device.stop();
        }
        device = await DeviceSim.start(sdk, image.so);
        boots++;
        await addControlUser(users);
        if (name === "mqtt") await pointMqttAt(users, mqttPort);
        first ??= await device.heap();
        return target.start();
      },
    };
    const started = performance.now();
    try {
      const result = await fuzz(booting, {
        count: run.count,
        seed: run.seed,
        checkEvery: 1000,
        restartEvery: INPUTS_PER_BOOT,
        stopNow: () => performance.now() - started > run.minutes * 60_000,
        progressEvery: 1000,
        onProgress: (n) => process.stdout.write(`  ${name} [device]: ${n.toLocaleString("en")} inputs\n`),
      });
      const seconds = (performance.now() - started) / 1000;
      const last = device!;
      const after = last.running && !last.firstProblem ? await last.heap().catch(() => undefined) : undefined;
      const heap = `${boots} boot${boots === 1 ? "" : "s"}; device heap ${first!.slots} slots / ${first!.chunks} B at the first start, ${after ? `${after.slots} slots / ${after.chunks} B at the end` : "not readable at the end"}; XS stack peak ${Math.max(stackPeak, last.stackPeak)} slots`;
      if (result.failure) process.stdout.write(`  ${name} [device]: failed at input ${result.failure.index}: ${result.failure.error.split("\n").slice(0, 6).join("\n    ")}\n`);
      return { target: name, seconds, result, heap };
    } finally {
      await device?.stop();
    }
  }
}

/** The device's MQTT client, pointed at the fake broker of the mqtt target (as an administrator would, over JANOS). */
async function pointMqttAt(users: DeviceUsers, port: number): Promise<void> {
  const w = new WsClient(`ws://127.0.0.1:${DEVICE_PORTS.http}/`);
  await w.opened;
  await w.login(users.admin.name, users.admin.password);
  const answer = w.next("Registry Response");
  w.send({ Message: "Registry Write", Keys: { "MQTT/Host": "127.0.0.1", "MQTT/Port": String(port), "MQTT/RegistryAccess": "true", "MQTT/Enabled": "true" } });
  await answer;
  w.close();
}
