/**
 * The composition root: builds the device's services from a Host and a config, wires them, and
 * tears them down. Services get what they need from here; none reaches for globals.
 */
import { Authenticator } from "./auth/authenticator.ts";
import { FailureLimiter } from "./auth/failure-limiter.ts";
import { VERSION } from "./version.ts";
import type { OAuth2Config } from "./auth/oauth2.ts";
import { AccessControl, type SecurityConfig } from "./auth/security.ts";
import { UserStore, type Principal, type User } from "./auth/users.ts";
import { WebLogin } from "./auth/web-login.ts";
import { WebSessions } from "./auth/web-sessions.ts";
import type { BoardProfile } from "./boards.ts";
import { BootRecord, SAFE_MODE_AFTER } from "./boot-record.ts";
import { DEFAULT_AUTHENTICATION, type Authentication } from "./config.ts";
import { ensureIdentity, fingerprint, pemBody } from "./tls/identity.ts";
import { ConnectionBudget, SIMULATOR_BUDGET, type BudgetOptions } from "./connection-budget.ts";
import { factoryReset, resetRequested } from "./factory-reset.ts";
import { FileArea, SIMULATOR_FILES, type FileAreaLimits } from "./files/file-area.ts";
import { FIRMWARE_KEYS, Probation } from "./firmware/probation.ts";
import { FirmwareUpdater } from "./firmware/updater.ts";
import type { Clock, Host, Level, TlsServerOptions } from "./host.ts";
import type { HttpLimits } from "./http/limits.ts";
import { ANY_PATH, Router } from "./http/router.ts";
import { HttpServer } from "./http/server.ts";
import { Io } from "./io/io.ts";
import { defineIoKeys } from "./io/keys.ts";
import { JmpServer, type JmpOptions } from "./janos/jmp-server.ts";
import type { MqttLimits } from "./mqtt/client.ts";
import { MqttService } from "./mqtt/service.ts";
import { NETWORK_KEYS } from "./network/keys.ts";
import { NetworkServices, type NetworkServicesOptions } from "./network/services.ts";
import { JanosService, type JanosOptions } from "./janos/service.ts";
import { JanosWebSockets } from "./janos/websocket-link.ts";
import type { Entry } from "./registry/format.ts";
import { DEVICE_KEYS } from "./registry/device-keys.ts";
import { parseBoolean } from "./registry/keys.ts";
import { Registry, type LiveValues, type RegistryOptions } from "./registry/registry.ts";
import type { Asset } from "./http/static.ts";
import type { DeviceFacts, DeviceIdentity } from "./web/device-api.ts";
import type { SimulatorControl } from "./web/sim-api.ts";
import { webRoutes } from "./web/routes.ts";
import type { WebSocketOptions } from "./ws/websocket.ts";
import { XentaraEndpoint } from "./xentara/endpoint.ts";
import { MODEL_KEYS } from "./xentara/model.ts";
import { XentaraService } from "./xentara/service.ts";

/** Without a security.json nobody is entitled to anything on /api/ws. */
const NO_SECURITY: SecurityConfig = { roles: [], entitlements: [], acl: { inherit: false, entries: [] }, warnings: [] };

export { VERSION };

export interface ListenerConfig {
  /** "http", "https", ...: the key in `Device.ports` and in the `iobox ready` line. */
  name: string;
  host?: string;
  port: number;
  /**
   * A certificate and key, or "identity": the unit's own, made at its first boot (src/tls/identity.ts).
   * With `fallback`, a certificate the host cannot use (a bad upload) gives way to the unit's own.
   */
  tls?: (TlsServerOptions & { fallback?: "identity" }) | "identity";
}

export interface DeviceConfig {
  board: BoardProfile;
  listeners: readonly ListenerConfig[];
  /** Sets the administrator's password (provisioning); otherwise a first boot generates one. */
  adminPassword?: string;
  /** The administrator's password at the first boot (chosen at build time), instead of a random one; later boots leave it alone. */
  initialAdminPassword?: string;
  /** Accounts to create or update at boot (provisioning). */
  users?: readonly User[];
  /** Registry values to set at boot (provisioning); refused values stop the boot with a RegistryError. */
  settings?: readonly Entry[];
  /** Registry values for keys that have none stored yet (a build's Wi-Fi network, say); refused ones are logged and left out. */
  defaults?: readonly Entry[];
  /** The registry's limits (default: the simulator's; the device host passes DEVICE_REGISTRY). */
  registry?: RegistryOptions;
  /** Server limits (default: the simulator profile; the device host passes DEVICE_LIMITS). */
  limits?: Partial<HttpLimits>;
  websocket?: Partial<WebSocketOptions>;
  /** config.json's `httpServer.authentication`: the realm of every login, and the schemes and scope of /api/ws. */
  authentication?: Authentication;
  /** security.json: the access control list of /api/ws (absent: nobody may connect there). */
  security?: SecurityConfig;
  /** oauth2.json: the issuers of Bearer tokens for /api/ws. */
  oauth2?: OAuth2Config;
  /** The JMP server: `port` overrides the registry's JMP/Port (0 = any free port); JMP/MaxConnections always applies. */
  jmp?: { host?: string; port?: number } & Partial<Omit<JmpOptions, "maxConnections">>;
  janos?: Partial<JanosOptions>;
  /** The connections the unit can hold, inbound and outbound together (default: the simulator's; the device host passes DEVICE_BUDGET). */
  budget?: BudgetOptions;
  /** The file area's limits (default: the simulator's; the device host passes DEVICE_FILES). */
  files?: FileAreaLimits;
  /** Firmware updates: the images' board family, and the release key built in (without one, every image is refused). */
  firmware?: { board: string; publicKey?: Uint8Array };
  /** MQTT client limits (default: the simulator profile; the device host passes DEVICE_MQTT). */
  mqtt?: MqttLimits;
  /** The web UI's files (the host embeds them); without them `/` says there is no UI. */
  assets?: readonly Asset[];
  /** The simulator's board, which the web UI's simulator panel drives; absent on a device. */
  simulator?: SimulatorControl;
  /** The network: the host's address where it has no link, the setup access point's password from the build, the captive DNS port, mDNS. */
  network?: Omit<NetworkServicesOptions, "identity" | "ports">;
}

export interface DeviceStatus extends DeviceIdentity {
  /** As in a JANOS Monitor: the reported state and the count per input, the state per relay. */
  inputs: { state: Level; count: number }[];
  outputs: { state: Level }[];
}

export interface Device {
  /** Bound port per listener name. */
  readonly ports: Readonly<Record<string, number>>;
  readonly serialNumber: number;
  /** The administrator password generated at this boot, to be shown once; undefined otherwise. */
  readonly generatedPassword: string | undefined;
  /** SHA-256 of the certificate the TLS port serves (the unit's own, or the one security.json names). */
  readonly tlsFingerprint: string | undefined;
  readonly http: HttpServer;
  readonly registry: Registry;
  readonly io: Io;
  readonly users: UserStore;
  readonly janos: JanosService;
  /** Made on first use (the first client of /api/ws, or this getter). */
  readonly xentara: XentaraService;
  readonly mqtt: MqttService;
  readonly network: NetworkServices;
  /** This boot is in safe mode (boot-record.ts). */
  readonly safeMode: boolean;
  status(): DeviceStatus;
  /**
   * Flushes the registry, marks the boot good, stops gracefully and restarts the unit (after a
   * moment, so that the answer to whoever asked goes out first). False where the host cannot restart.
   */
  reboot(by: string): boolean;
  /** Closes the server gracefully (requests finish, WebSockets get 1001), then releases the pins. */
  stop(): Promise<void>;
  /** The VM is ending (the host's abort hook): this boot counts as failed, however long it ran. */
  aborted(): void;
}

/** JANOS serial numbers are numbers; ours derive from the unit id (low 28 bits of the MAC). */
export function serialNumberOf(unitId: string): number {
  const n = parseInt(unitId.slice(-7), 16);
  return Number.isFinite(n) ? n : 0;
}

/** Time for the answer to a reboot request to go out before the unit stops. */
const REBOOT_DELAY_MS = 250;
/** A stop that takes longer than this does not hold up the restart. */
const STOP_LIMIT_MS = 7000;

export async function startDevice(host: Host, config: DeviceConfig): Promise<Device> {
  // counted before anything can fail: a boot that never gets going is a failed one too
  const boots = new BootRecord(host);
  const safeMode = boots.safeMode;
  if (safeMode) host.log("error", `boot: the last ${boots.failures} boots failed (${SAFE_MODE_AFTER} in a row make safe mode): SAFE MODE. Network, web UI and logins only; relays stay at their initial states; JMP, MQTT and /api/ws are off. Put right what failed, then reboot.`);
  const registry = new Registry(host, config.registry);
  registry.schema.define(DEVICE_KEYS).define(MODEL_KEYS); // Xentara's element UUIDs, kept before anyone connects
  defineIoKeys(registry.schema, config.board); // before the settings, so that they are checked
  registry.schema.define(NETWORK_KEYS).define(FIRMWARE_KEYS);
  const serialNumber = serialNumberOf(host.unitId);
  const bootedAt = host.clock.monotonic();
  registry.provide(new DeviceValues(host.clock, bootedAt, serialNumber, config.board.model, boots));

  // the relays are driven to their boot state before anything else happens, the network last
  let io: Io;
  try {
    if (config.settings?.length) registry.write(config.settings);
    writeDefaults(host, registry, config.defaults ?? []);
    io = new Io(host, registry, config.board);
  } catch (e) {
    registry.close();
    throw e;
  }
  for (const note of config.board.notes ?? []) host.log("info", `board ${config.board.name}: ${note}`);
  if (await resetRequested(host, config.board.button)) factoryReset(host, registry);

  const ports: Record<string, number> = {};
  const network = new NetworkServices(host, registry, { ...config.network, identity: { model: config.board.model, serialNumber, version: VERSION }, ports: () => ports, tlsFingerprint: () => tlsFingerprint });
  const users = new UserStore(host);
  for (const u of config.users ?? []) users.put(u);
  // a unit that opens its setup access point at once has its administrator password chosen on the setup page
  let generatedPassword: string | undefined;
  let tlsFingerprint: string | undefined;
  const deferAdministrator = !users.hasAdministrator() && network.manager.needsSetup && config.adminPassword === undefined && config.initialAdminPassword === undefined;
  if (deferAdministrator) host.log("warn", "no administrator yet: choose the password on the setup page");
  else generatedPassword = users.ensureAdministrator(config.adminPassword, config.initialAdminPassword);
  // once the unit has left setup mode, an administrator must exist, whatever happened there
  network.manager.onChange((event) => {
    if (event !== "setup-closed" || users.hasAdministrator()) return;
    const made = users.ensureAdministrator();
    if (made) host.log("warn", `administrator "jnior" created with password: ${made} (shown once)`);
  });

  const budget = new ConnectionBudget(host, config.budget ?? SIMULATOR_BUDGET);
  // a certificate that changed may be the MQTT client's CA file
  const files = new FileArea(host, config.files ?? SIMULATOR_FILES, (_path, kind) => kind === "certificate" && mqtt.refresh());
  // a restart in place runs the same image again: the new one waits for a real restart
  const firmware = new FirmwareUpdater(host, registry, { board: config.firmware?.board ?? "none", publicKey: config.firmware?.publicKey, version: VERSION }, () => !host.restartsInPlace && reboot("a firmware update"));
  const probation = new Probation(host, registry, firmware, VERSION, (why) => reboot(why));
  const auth = new Authenticator(host, users, new FailureLimiter(host.clock));
  const authentication = config.authentication ?? DEFAULT_AUTHENTICATION;
  const sessions = new WebSessions(host);
  const login = new WebLogin(host, { registry, users, auth, sessions }, authentication.realm);
  let reboot: (by: string) => boolean = () => false; // set once stop() exists
  const janos = new JanosService(
    host,
    { registry, io, auth, identity: { model: config.board.model, version: "v" + VERSION, serialNumber }, safeMode, reboot: (by) => reboot(by), files, firmware },
    config.janos,
  );
  const webSockets = new JanosWebSockets(janos);
  const anonymous = new AnonymousAccess(host, registry, users);
  const mqtt = new MqttService(host, { registry, io, identity: { serialNumber, model: config.board.model, version: VERSION }, budget, off: safeMode ? "off: safe mode" : undefined }, config.mqtt);
  const security = config.security ?? NO_SECURITY;
  for (const w of security.warnings) host.log("warn", w);
  const access = new AccessControl(security);
  let xentara: XentaraService | undefined; // made by the first client of /api/ws
  const xentaraService = (): XentaraService => (xentara ??= new XentaraService(host, { registry, io, access, version: VERSION }));
  const oauth2 = config.oauth2 ?? { scope: [], issuers: [] };
  const xentaraEndpoint = new XentaraEndpoint(host, {
    users,
    auth,
    access,
    service: xentaraService,
    authentication,
    bearer: { issuers: oauth2.issuers, scope: authentication.scope.length ? authentication.scope : oauth2.scope },
  });
  // whoever is logged in as an account that changed or went logs in again
  users.onChange((name) => {
    sessions.endUser(name);
    janos.endUser(name);
    xentara?.endUser(name);
  });
  const jmp = new JmpServer(host, janos, { ...config.jmp, maxConnections: Number(registry.get("JMP/MaxConnections")), budget }); // the registry decides

  const router = new Router();
  const http = new HttpServer(host, { router, limits: config.limits, websocket: config.websocket, budget });
  const facts: DeviceFacts = {
    model: config.board.model,
    serialNumber,
    version: VERSION,
    platform: host.platform,
    board: config.board.name,
    bootTime: () => bootTime(host.clock, bootedAt),
    simulator: config.simulator !== undefined,
    safeMode,
    canReboot: host.restart !== undefined,
    // base64 is 4/3 of the bytes; a few hundred bytes for the rest of the message
    firmwarePiece: Math.max(1024, Math.floor(((http.websocketDefaults.maxMessage - 256) * 3) / 4 / 1024) * 1024),
    inputs: io.inputs.length,
    outputs: io.outputs.length,
    uptimeMs: () => host.clock.monotonic() - bootedAt,
    ports: () => ports,
    tlsFingerprint: () => tlsFingerprint,
  };
  const status = (): DeviceStatus => ({
    model: facts.model,
    serialNumber,
    version: VERSION,
    platform: facts.platform,
    board: facts.board,
    uptimeMs: facts.uptimeMs(),
    inputs: io.inputs.map((c) => ({ state: c.reported, count: c.count })),
    outputs: io.outputs.map((r) => ({ state: r.level })),
  });
  webRoutes(router, { host, login, users, auth, registry, status, facts, network: network.manager, firmware, simulator: config.simulator }, config.assets ?? []);
  router.websocket("/api/ws", safeMode ? (ex) => ex.respond(503, "safe mode: /api/ws is off until the unit boots normally\n", ["Retry-After", "60"]) : xentaraEndpoint.handle);
  // JANOS clients open "/", but any path is theirs unless another protocol has it (janos.md §2.1)
  router.websocket(ANY_PATH, (ex) => {
    const cookie = login.fromCookie(ex);
    if (cookie) return webSockets.accept(ex, cookie, "cookie");
    const anyone = anonymous.principal();
    const guest = anyone && login.fromThisSite(ex, "Websocket/Anonymous") ? anyone : undefined;
    if (guest) host.log("info", `janos ${ex.remoteAddress}:${ex.remotePort}: WebSocket let in without login as "${guest.name}" (Websocket/Anonymous)`);
    webSockets.accept(ex, guest, guest ? "anonymous" : undefined);
  });

  const release = (): void => {
    boots.close();
    probation.close();
    firmware.close();
    files.close();
    network.close();
    mqtt.close();
    anonymous.close();
    xentara?.close();
    janos.close();
    io.close();
    registry.close();
  };
  const stop = async (): Promise<void> => {
    boots.good(); // a clean stop is no failed boot
    jmp.close();
    await http.close();
    release();
  };

  try {
    for (const l of config.listeners) {
      if (l.tls && !host.net.tlsServer) throw new Error(l.name + ": this host has no TLS server");
      const identity = (): TlsServerOptions => {
        const made = ensureIdentity(host, network.manager.hostname, []);
        host.log(made.created ? "warn" : "info", `tls: ${made.created ? "made the unit's certificate" : "the unit's certificate"} for ${network.manager.hostname}, SHA-256 ${made.fingerprint}`);
        tlsFingerprint = made.fingerprint;
        return made;
      };
      const listen = (tls: TlsServerOptions | undefined): Promise<number> => http.listen({ host: l.host, port: l.port, tls }).then((listener) => listener.port);
      try {
        if (l.tls === "identity") ports[l.name] = await listen(identity());
        else if (l.tls?.fallback) {
          const given = l.tls;
          ports[l.name] = await listen(given).then(
            (port) => {
              tlsFingerprint = servedFingerprint(host, given.cert);
              return port;
            },
            (e: Error) => {
              host.log("error", `${l.name}: security.json's certificate cannot serve (${e.message}); the unit's own does`);
              return listen(identity());
            },
          );
        } else {
          ports[l.name] = await listen(l.tls);
          if (l.tls) tlsFingerprint = servedFingerprint(host, l.tls.cert);
        }
      } catch (e) {
        throw new Error(`${l.name}: cannot listen on ${l.host ?? "*"}:${l.port}: ${(e as Error).message}`);
      }
    }
    if (safeMode) host.log("warn", "jmp: off in safe mode");
    else if (parseBoolean(registry.get("JMP/Enabled") ?? "") !== false) {
      const port = config.jmp?.port ?? Number(registry.get("JMP/Port"));
      try {
        ports.jmp = (await jmp.listen({ host: config.jmp?.host, port })).port;
      } catch (e) {
        throw new Error(`jmp: cannot listen on ${config.jmp?.host ?? "*"}:${port}: ${(e as Error).message}`);
      }
    }
  } catch (e) {
    jmp.close();
    await http.close(0);
    release();
    throw e;
  }

  network.start();
  boots.servicesUp();
  probation.start(network.manager);
  let rebooting = false;
  reboot = (by) => {
    const restart = host.restart;
    if (!restart) return false;
    if (rebooting) return true;
    rebooting = true;
    host.log("warn", `reboot asked by ${by}: the registry is flushed, the unit stops and restarts`);
    registry.flush();
    boots.good();
    host.timers.after(REBOOT_DELAY_MS, () => {
      let done = false;
      const now = (): void => {
        if (done) return;
        done = true;
        restart.call(host);
      };
      host.timers.after(STOP_LIMIT_MS, now);
      stop().then(now, now);
    });
    return true;
  };
  host.log("info", `iobox ${VERSION} on ${host.platform}: ${config.board.name} (model ${config.board.model}), serial ${serialNumber}${safeMode ? " (SAFE MODE)" : ""}`);
  return {
    ports,
    serialNumber,
    generatedPassword,
    tlsFingerprint,
    http,
    registry,
    io,
    users,
    janos,
    get xentara() {
      return xentaraService();
    },
    mqtt,
    network,
    safeMode,
    status,
    stop,
    reboot: (by) => reboot(by),
    aborted: () => boots.aborted(),
  };
}

/**
 * `Websocket/Anonymous`: a user name that WebSockets act as without a login. Off by default; when
 * set, it is logged as a warning at boot and whenever it changes, as it opens the device.
 */
class AnonymousAccess {
  private readonly stopWatching: () => void;

  constructor(
    private readonly host: Host,
    private readonly registry: Registry,
    private readonly users: UserStore,
  ) {
    this.announce();
    this.stopWatching = registry.watch("Websocket/Anonymous", () => this.announce());
  }

  principal(): Principal | undefined {
    const name = this.registry.get("Websocket/Anonymous");
    const user = name ? this.users.find(name) : undefined;
    return user ? { name: user.name, role: user.role } : undefined;
  }

  close(): void {
    this.stopWatching();
  }

  private announce(): void {
    const name = this.registry.get("Websocket/Anonymous");
    if (!name) return;
    const user = this.users.find(name);
    if (user) this.host.log("warn", `Websocket/Anonymous is set: WebSockets are let in without a login as "${user.name}" (${user.role})`);
    else this.host.log("warn", `Websocket/Anonymous names "${name}", who is not a user: ignored, WebSockets must log in`);
  }
}

function writeDefaults(host: Host, registry: Registry, defaults: readonly Entry[]): void {
  const stored = new Set(registry.stored().map(([k]) => k.toLowerCase()));
  const missing = defaults.filter(([k]) => !stored.has(k.toLowerCase()));
  if (!missing.length) return;
  try {
    registry.write(missing);
  } catch (e) {
    host.log("error", `the build's settings were not taken: ${(e as Error).message}`);
  }
}

/** When the unit booted, by the wall clock as it is now: right as soon as the time is (SNTP). */
function bootTime(clock: Clock, bootedAt: number): string {
  return new Date(clock.now() - (clock.monotonic() - bootedAt)).toISOString();
}

/** The device's own live keys (janos.md §6.2). */
class DeviceValues implements LiveValues {
  constructor(
    private readonly clock: Clock,
    private readonly bootedAt: number,
    private readonly serialNumber: number,
    private readonly model: string,
    private readonly boots: BootRecord,
  ) {}

  liveValue(key: string): string | undefined {
    switch (key) {
      case "$serialnumber":
        return String(this.serialNumber);
      case "$model":
        return this.model;
      case "$version":
        return "v" + VERSION;
      case "$boottime":
        return bootTime(this.clock, this.bootedAt);
      case "$safemode":
        return String(this.boots.safeMode);
      case "$failedboots":
        return String(this.boots.failures);
      case "$lastabort":
        return this.boots.lastAbort;
      default:
        return undefined;
    }
  }

  liveKeys(): string[] {
    return ["$SerialNumber", "$Model", "$Version", "$BootTime", "$SafeMode", "$FailedBoots", "$LastAbort"];
  }
}

/** SHA-256 of the first certificate of a PEM chain, as browsers show it. */
function servedFingerprint(host: Host, pem: string): string | undefined {
  const der = pemBody(pem);
  return der && fingerprint(host, der);
}
