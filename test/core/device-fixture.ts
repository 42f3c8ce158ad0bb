/** A whole device on the in-memory host, with users of every role, and clients to talk to it. */
import { UserStore } from "../../src/auth/users.ts";
import { findBoard } from "../../src/boards.ts";
import { startDevice, type Device, type DeviceConfig } from "../../src/device.ts";
import type { LogLevel } from "../../src/host.ts";
import type { Entry } from "../../src/registry/format.ts";
import { BoardControl } from "../../sim/control.ts";
import { JanosClient, type JanosClientOptions } from "../../sim/janos-client.ts";
import { MemoryHost, type MemoryUpdate } from "../../sim/memory-host.ts";
import type { MemoryFlash } from "../../sim/memory-files.ts";
import type { MemoryNetOptions } from "../../sim/memory-net.ts";
import type { SimulatedAir } from "../../sim/air.ts";

export const board = findBoard("jnior-410")!;

export const USERS = {
  admin: { name: "jnior", password: "admin-pw" },
  op: { name: "op", password: "op-pw-123" },
  viewer: { name: "viewer", password: "viewer-pw" },
} as const;

export interface DeviceFixture {
  host: MemoryHost;
  device: Device;
  /** Lets `ms` of virtual time pass, one timer at a time, running promise jobs in between. */
  run(ms?: number): Promise<void>;
  client(transport: "websocket" | "jmp", options?: Partial<JanosClientOptions>): JanosClient;
  /** Connects and logs in as `user`; the client has seen Authenticated and the first Monitor. */
  loggedIn(transport: "websocket" | "jmp", user?: { name: string; password: string }): Promise<JanosClient>;
  stop(): Promise<void>;
}

export async function bootDevice(
  options: {
    settings?: Entry[];
    net?: MemoryNetOptions;
    seed?: number;
    config?: Partial<DeviceConfig>;
    /** a reboot: the flash of an earlier fixture */
    flash?: MemoryFlash;
    /** give the device the simulator's board control (the web UI's simulator panel) */
    simulator?: boolean;
    /** simulated Wi-Fi: the unit gets a Wi-Fi link (without, its network is simply there) */
    air?: SimulatedAir;
    /** a unit as it comes from the factory: no accounts (default: the administrator, op and viewer) */
    fresh?: boolean;
    /** what happens to the board before it powers up (a button held) */
    beforeBoot?: (host: MemoryHost) => void;
    /** a platform that cannot restart itself */
    noRestart?: boolean;
    /** the firmware slots of earlier boots (an update) */
    update?: MemoryUpdate;
    /** where log lines go (default: kept in host.logs) */
    log?: (level: LogLevel, message: string) => void;
  } = {},
): Promise<DeviceFixture> {
  const host = new MemoryHost({ layout: board, unitId: "0200000abcdef", seed: options.seed, net: options.net, flash: options.flash, air: options.air, noRestart: options.noRestart, update: options.update, log: options.log });
  if (!options.fresh) {
    const accounts = new UserStore(host); // on "flash" before the boot, as a provisioned device has them
    accounts.put({ name: USERS.op.name, role: "control", password: USERS.op.password });
    accounts.put({ name: USERS.viewer.name, role: "view", password: USERS.viewer.password });
  }
  options.beforeBoot?.(host);

  const run = async (ms = 0): Promise<void> => {
    const target = host.clock.monotonic() + ms;
    for (let guard = 0; guard < 1_000_000; guard++) {
      for (let i = 0; i < 4; i++) await Promise.resolve();
      const due = host.clock.nextDue();
      if (due === undefined || due > target) break;
      host.clock.advanceTo(due);
    }
    host.clock.advanceTo(target);
    for (let i = 0; i < 4; i++) await Promise.resolve();
  };
  // the boot may wait on the clock (a button held): time runs until it is done
  let booted: Device | undefined;
  let failed: unknown;
  startDevice(host, {
    board,
    listeners: [{ name: "http", port: 80 }],
    adminPassword: options.fresh ? undefined : USERS.admin.password,
    settings: options.settings,
    jmp: { port: 9220 },
    simulator: options.simulator ? new BoardControl(host.board, board, host.timers) : undefined,
    ...options.config,
  }).then(
    (d) => (booted = d),
    (e) => (failed = e ?? new Error("boot failed")),
  );
  await run();
  for (let i = 0; !booted && !failed && i < 100; i++) await run(250);
  if (failed) throw failed;
  if (!booted) throw new Error("the device did not finish booting in 25 virtual seconds");
  const device = booted;
  const client = (transport: "websocket" | "jmp", o: Partial<JanosClientOptions> = {}): JanosClient =>
    new JanosClient(host.net, host.crypto, { transport, port: transport === "jmp" ? device.ports.jmp! : device.ports.http!, ...o });
  const loggedIn = async (transport: "websocket" | "jmp", user: { name: string; password: string } = USERS.admin): Promise<JanosClient> => {
    const c = client(transport);
    await run();
    c.send({ Message: "" });
    await run();
    c.send({ "Auth-Digest": c.authDigest(user.name, user.password) });
    await run();
    if (!c.named("Authenticated").length) throw new Error("login failed: " + JSON.stringify(c.messages));
    return c;
  };
  return {
    host,
    device,
    run,
    client,
    loggedIn,
    stop: async () => {
      const stopping = device.stop();
      await run(10_000);
      await stopping;
    },
  };
}
