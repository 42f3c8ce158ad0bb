/** `npm start`: the iobox simulator. Prints `iobox ready {json}` once every listener is bound. */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { findBoard, parseBoardProfile, BOARDS, type BoardProfile } from "../../src/boards.ts";
import { ConfigError } from "../../src/config.ts";
import { startDevice, type DeviceConfig, type ListenerConfig } from "../../src/device.ts";
import { RegistryError } from "../../src/registry/registry.ts";
import { SimBoard } from "../../sim/board.ts";
import { BoardControl } from "../../sim/control.ts";
import { startConsole } from "./console.ts";
import { startControlApi } from "./control-api.ts";
import { parseCli, USAGE, UsageError, type CliOptions } from "./cli.ts";
import { FileError, loadConfigFiles, type ConfigFiles } from "./config-files.ts";
import { ensureDevCertificate } from "./dev-cert.ts";
import { NodeHost, nodeTimers } from "./host.ts";
import { NodeFirmware, type BootInfo } from "./firmware.ts";
import { CRASH_EXIT, launch, RESTART_EXIT } from "./launcher.ts";
import { builtInReleaseKey } from "../../src/firmware/release-key.ts";
import { fileURLToPath } from "node:url";
import webUiPage from "iobox-web-ui";
import setupPage from "iobox-setup-ui";
import os from "node:os";
import { SimulatedAir, SimulatedLink } from "../../sim/air.ts";
import { setupSsid } from "../../src/network/manager.ts";

function fail(message: string, code = 2): never {
  process.stderr.write(`iobox: ${message}\n`);
  process.exit(code);
}

/** A stable identity per data directory: a random locally administered MAC, made on first run. */
function unitId(dataDir: string): string {
  const file = path.join(dataDir, "unit-id");
  try {
    const id = fs.readFileSync(file, "utf8").trim();
    if (/^[0-9a-f]{12}$/.test(id)) return id;
  } catch {
    // first run
  }
  const mac = crypto.randomBytes(6);
  mac[0] = (mac[0]! & 0xfe) | 0x02;
  const id = mac.toString("hex");
  fs.writeFileSync(file, id + "\n", { mode: 0o600 });
  return id;
}

/**
 * After a restart, a port given as 0 ("any free port") is the one it got before (IOBOX_PORTS, from
 * the launcher), so clients find the unit where it was.
 */
function samePorts(options: CliOptions): CliOptions {
  const before = JSON.parse(process.env.IOBOX_PORTS || "{}") as Record<string, number>;
  const keep = (given: number | undefined, name: string): number | undefined => (given === 0 && before[name] ? before[name] : given);
  return {
    ...options,
    httpPort: keep(options.httpPort, "http"),
    httpsPort: keep(options.httpsPort, "https"),
    jmpPort: keep(options.jmpPort, "jmp"),
    controlPort: keep(options.controlPort, "control") ?? 0,
  };
}

async function main(given: CliOptions): Promise<void> {
  const options = samePorts(given);
  const dataDir = path.resolve(options.data);
  try {
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  } catch (e) {
    fail(`cannot use data directory ${dataDir}: ${(e as Error).message}`);
  }
  let files: ConfigFiles;
  try {
    const notes: string[] = [];
    files = loadConfigFiles(options, dataDir, notes);
    for (const n of notes) process.stderr.write(`iobox: ${n}\n`);
  } catch (e) {
    if (e instanceof ConfigError || e instanceof FileError) fail(e.message);
    throw e;
  }
  const { config, configName } = files;

  const boardName = options.board ?? config.board ?? "jnior-410";
  let board: BoardProfile | undefined;
  if (boardName.endsWith(".json")) {
    try {
      board = parseBoardProfile(fs.readFileSync(boardName, "utf8"), boardName);
    } catch (e) {
      fail(e instanceof ConfigError ? e.message : `cannot read ${boardName}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  } else board = findBoard(boardName);
  if (!board) fail(`unknown board "${boardName}" (known: ${BOARDS.map((b) => b.name).join(", ")}, or a .json profile)`);

  const listeners: ListenerConfig[] = [];
  const hs = config.httpServer;
  if (hs) {
    const httpPort = options.httpPort ?? hs.httpPort;
    if (httpPort !== undefined) listeners.push({ name: "http", host: options.host, port: httpPort });
    let tls = files.tls;
    if (!tls) {
      const cert = ensureDevCertificate(path.join(dataDir, "tls"));
      if (cert.created) process.stderr.write(`iobox: made a self-signed development certificate ${cert.certPath}\n       SHA-256 ${cert.fingerprint}\n`);
      tls = { cert: cert.cert, key: cert.key };
    }
    listeners.push({ name: "https", host: options.host, port: options.httpsPort ?? hs.port, tls });
  } else if (options.httpPort !== undefined || options.httpsPort !== undefined) {
    fail(`${configName} has no httpServer section, so there is no web server to put on that port`);
  }

  const simBoard = new SimBoard(board);
  const id = unitId(dataDir);
  let link: SimulatedLink | undefined;
  if (options.wifi.length) {
    const air = new SimulatedAir();
    for (const n of options.wifi) air.add(n.ssid, n.password);
    link = new SimulatedLink(air, id.replace(/(..)(?!$)/g, "$1:"), nodeTimers);
  }
  // a restart (a reboot, an update) is the launcher's to do: it starts this image, or the new one, again
  const boot = JSON.parse(process.env.IOBOX_BOOT ?? "null") as BootInfo | null;
  const update = new NodeFirmware(path.join(dataDir, "firmware"), boot ?? { slot: null, pending: false, rolledBack: null });
  const onRestart = (): void => {
    process.stdout.write("iobox: restarting\n");
    process.exit(RESTART_EXIT);
  };
  const host = new NodeHost({ dataDir, board: simBoard, unitId: id, logLevel: options.logLevel, link, update, onRestart });
  const announce = announcedAddress(options.host);
  // the board's button, held at power-up: released once the boot has decided
  if (options.factoryReset && board.button) simBoard.setInput(board.button.pin, board.button.activeLow ? 0 : 1);
  // handlers first: until they are installed, a SIGTERM kills the process outright (the OS's
  // default), and a script that signals right after the ready line would win that race
  let device: Awaited<ReturnType<typeof startDevice>> | undefined;
  let stopping = false;
  const shutdown = (): void => {
    if (stopping || !device) process.exit(0);
    stopping = true;
    // requests in progress finish and WebSockets get 1001; a second signal or 6 s end it regardless
    const force = setTimeout(() => process.exit(0), 6000);
    device.stop().finally(() => {
      clearTimeout(force);
      host.net.destroyAll();
      process.exit(0);
    });
  };
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
  const control = new BoardControl(simBoard, board, host.timers);
  const deviceConfig: DeviceConfig = {
    board,
    listeners,
    adminPassword: options.password,
    users: options.users,
    settings: options.settings,
    authentication: config.httpServer?.authentication,
    security: files.security,
    oauth2: files.oauth2,
    jmp: { host: options.host, port: options.jmpPort },
    assets: [
      { path: "/index.html", type: "text/html; charset=utf-8", body: webUiPage, gzip: true },
      { path: "/setup.html", type: "text/html; charset=utf-8", body: setupPage, gzip: true },
    ],
    simulator: control,
    // mDNS announces the address clients reach; bound to loopback there is none to announce
    network: { hostAddress: announce, mdns: announce !== undefined },
    firmware: { board: "node", publicKey: builtInReleaseKey() },
  };
  try {
    device = await startDevice(host, deviceConfig);
    if (options.factoryReset && board.button) simBoard.setInput(board.button.pin, board.button.activeLow ? 1 : 0);
  } catch (e) {
    if (e instanceof RegistryError) fail("--set refused: " + e.message);
    fail((e as Error).message, 1);
  }

  if (device.generatedPassword) {
    process.stdout.write(`administrator "jnior" created with password: ${device.generatedPassword}\n  (shown once; set your own with --password)\n`);
  }
  const ports: Record<string, number> = { ...device.ports };
  try {
    ports.control = (await startControlApi(host, control, options.controlPort)).listener.port;
  } catch (e) {
    fail(`control: cannot listen on 127.0.0.1:${options.controlPort}: ${(e as Error).message}`, 1);
  }
  startConsole(control);

  const shown = options.host === "0.0.0.0" || options.host === "::" ? "127.0.0.1" : options.host;
  const where = shown.includes(":") ? `[${shown}]` : shown;
  if (device.ports.http !== undefined) process.stdout.write(`serving http://${where}:${device.ports.http}/\n`);
  if (device.ports.https !== undefined) process.stdout.write(`serving https://${where}:${device.ports.https}/\n`);
  if (device.ports.jmp !== undefined) process.stdout.write(`serving JMP on ${where}:${device.ports.jmp}\n`);
  process.stdout.write(`board ${board.name}: ${board.inputs.length} inputs, ${board.outputs.length} relays; control API http://127.0.0.1:${ports.control}/board; type help for console commands\n`);
  if (!listeners.length) process.stdout.write(`no web server (${configName} has no httpServer section)\n`);
  const net = device.network.manager;
  if (net.inSetupMode && device.ports.http !== undefined) process.stdout.write(`setup mode: the board's setup network is ${setupSsid(id)}; its setup page is http://${where}:${device.ports.http}/setup\n`);
  else if (host.link) process.stdout.write(`Wi-Fi (simulated): ${net.state}${net.ssid ? " " + net.ssid : ""}\n`);
  process.stdout.write(`iobox ready ${JSON.stringify(ports)}\n`);
  process.send?.({ ready: ports });

}

/**
 * The address mDNS announces: the one the simulator is bound to, or with 0.0.0.0 the PC's first
 * external IPv4 address; none when it is bound to loopback (nobody else could reach it).
 */
function announcedAddress(bind: string): string | undefined {
  if (bind === "0.0.0.0" || bind === "::") {
    for (const list of Object.values(os.networkInterfaces())) for (const a of list ?? []) if (a.family === "IPv4" && !a.internal) return a.address;
    return undefined;
  }
  return /^\d+\.\d+\.\d+\.\d+$/.test(bind) && !bind.startsWith("127.") ? bind : undefined;
}

let options: CliOptions;
try {
  options = parseCli(process.argv.slice(2));
} catch (e) {
  if (e instanceof UsageError) fail(`${e.message}\nTry --help.`);
  throw e;
}
if (options.help) {
  process.stdout.write(USAGE + "\n");
} else if (process.env.IOBOX_APP !== "1") {
  launch(fileURLToPath(import.meta.url), process.argv.slice(2), path.resolve(options.data));
} else {
  // the launcher is gone (killed): so is the simulator it ran
  process.on("disconnect", () => process.exit(0));
  process.on("uncaughtException", (e) => {
    process.stderr.write(`iobox: crashed: ${e.stack ?? e.message}\n`);
    process.exit(CRASH_EXIT);
  });
  main(options).catch((e: Error) => fail(e.stack ?? e.message, 1));
}
