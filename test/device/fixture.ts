/**
 * What every device suite shares: the image that test/device/run.ts built, a fresh boot of it per
 * suite, and clients aimed at it. Run the suites through `npm run test:device`, which builds the
 * image and passes it here in the environment.
 */
import { after } from "node:test";
import assert from "node:assert/strict";
import { DEVICE_PORTS, DeviceSim } from "./mcsim.ts";
import { sdkAt, type Sdk } from "./sdk.ts";
import { JmpClient, WsClient, type E2eClient } from "../node/janos-clients.ts";

export const ADMIN = { name: "jnior", password: process.env.IOBOX_DEVICE_PASSWORD ?? "" };
export const BASE = `http://127.0.0.1:${DEVICE_PORTS.http}`;

/** The image test/device/run.ts built, and the SDK it was built with. */
export function built(): { sdk: Sdk; so: string } {
  const so = process.env.IOBOX_DEVICE_SO;
  const root = process.env.IOBOX_DEVICE_SDK;
  if (!so || !root || !ADMIN.password) throw new Error("the device suites run through `npm run test:device`, which builds the image first");
  return { sdk: sdkAt(root, root), so };
}

const clients: E2eClient[] = [];
let device: DeviceSim | undefined;

/** Boots the image (a first boot: lin's flash is a RAM disk); the suite's `after` stops it and checks that it never aborted. */
export async function bootDevice(): Promise<DeviceSim> {
  const { sdk, so } = built();
  device = await DeviceSim.start(sdk, so);
  return device;
}

after(async () => {
  for (const c of clients.splice(0)) c.close();
  const d = device;
  if (!d) return;
  const alive = d.running;
  await d.stop();
  process.stdout.write(`# device stack peak ${d.stackPeak} slots\n`);
  assert.deepEqual(d.problems(), [], "the device's log:\n" + d.log.slice(-3000));
  assert.ok(alive, "the device was still running at the end:\n" + d.log.slice(-3000));
});

export function ws(path = "/", headers: Record<string, string> = {}): WsClient {
  const c = new WsClient(`ws://127.0.0.1:${DEVICE_PORTS.http}${path}`, headers);
  clients.push(c);
  return c;
}

export function jmp(): JmpClient {
  const c = new JmpClient(DEVICE_PORTS.jmp);
  clients.push(c);
  return c;
}

/** A logged-in administrator over WebSocket or JMP. */
export async function admin(kind: "ws" | "jmp"): Promise<E2eClient> {
  const c = kind === "ws" ? ws() : jmp();
  await (c instanceof WsClient ? c.opened : (c as JmpClient).connected);
  await c.login(ADMIN.name, ADMIN.password);
  return c;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
