/**
 * The unit's network, owned by iobox: it joins the network the registry names (Wi-Fi, or the
 * Ethernet cable), and when that fails it tries again, forever, with a backoff from 1 s to a minute.
 * Without Wi-Fi credentials, or when it has not joined for `IpConfig/SetupAfter` seconds, it opens
 * its setup access point `iobox-XXXX` (WPA2) beside the station, where the setup page and a captive
 * DNS answer (setup.ts, captive-dns.ts); it closes it a little after it has joined.
 *
 * I/O never waits for any of this: the device boots, drives its relays and serves its inputs with
 * no network at all. Where the host has no link of its own (the simulator on a PC), the network is
 * simply there ("host").
 */
import { randomPassword } from "../auth/users.ts";
import type { Host, JoinOptions, Link, LinkEvent, Timer, WifiNetwork } from "../host.ts";
import { parseBoolean } from "../registry/keys.ts";
import type { LiveValues, Registry } from "../registry/registry.ts";
import { NETWORK_KEYS } from "./keys.ts";

export type NetworkState = "host" | "offline" | "joining" | "online" | "setup";

export type NetworkEvent = "up" | "down" | "setup-open" | "setup-closed";

export interface NetworkOptions {
  /** Where the host has no link: its address, for what the unit announces (mDNS). */
  hostAddress?: string;
  /** The setup access point's password when the registry has none yet (chosen at build time). */
  setupPassword?: string;
  /** Backoff between attempts to join (default 1 s doubling to 60 s, ±50%). */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** The setup access point stays this long after the unit joined, so the setup page can say where it went (default 30 s). */
  lingerMs?: number;
}

/** What the setup access point is called: iobox- and the last four hex digits of the unit id (its MAC). */
export function setupSsid(unitId: string): string {
  return "iobox-" + unitId.slice(-4).toLowerCase();
}

export class NetworkManager implements LiveValues {
  private stateNow: NetworkState = "offline";
  /** The station's address while online (the host's where there is no link). */
  address: string | undefined;
  /** The setup access point's address while it is open. */
  setupAddress: string | undefined;
  private readonly link: Link | undefined;
  private readonly listeners: ((event: NetworkEvent) => void)[] = [];
  private attempts = 0;
  private retry: Timer | undefined;
  private setupDeadline: Timer | undefined;
  private linger: Timer | undefined;
  /** The join under way: events of an earlier one are stale. */
  private joinToken: object | undefined;
  private readonly stopWatching: () => void;
  private started = false;

  constructor(
    private readonly host: Host,
    private readonly registry: Registry,
    private readonly options: NetworkOptions = {},
  ) {
    this.link = host.link;
    registry.schema.define(NETWORK_KEYS);
    registry.provide(this);
    this.stopWatching = registry.watch("IpConfig", (changes) => {
      if (changes.some((c) => !/^ipconfig\/(hostname|setuppassword|setupafter|timeservers|\$)/i.test(c.key))) this.restart();
    });
  }

  get state(): NetworkState {
    return this.stateNow;
  }

  get inSetupMode(): boolean {
    return this.setupAddress !== undefined;
  }

  /** The name the unit goes by: IpConfig/Hostname, or iobox-XXXX. */
  get hostname(): string {
    return this.registry.get("IpConfig/Hostname") || setupSsid(this.host.unitId);
  }

  get ssid(): string | undefined {
    return this.registry.get("IpConfig/WiFi/SSID") || undefined;
  }

  /** Whether the unit will open its setup access point at once: a Wi-Fi link and no network to join. */
  get needsSetup(): boolean {
    return this.link?.kind === "wifi" && !this.ssid;
  }

  onChange(listener: (event: NetworkEvent) => void): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    if (!this.link) {
      this.stateNow = "host";
      this.address = this.options.hostAddress ?? "127.0.0.1";
      this.emit("up");
      return;
    }
    this.connect();
  }

  /** The Wi-Fi networks in range, strongest first, each name once. */
  async scan(): Promise<WifiNetwork[]> {
    if (this.link?.kind !== "wifi") return [];
    const best = new Map<string, WifiNetwork>();
    for (const n of await this.link.scan()) {
      if (!n.ssid) continue;
      const seen = best.get(n.ssid);
      if (!seen || n.rssi > seen.rssi) best.set(n.ssid, n);
    }
    return [...best.values()].sort((a, b) => b.rssi - a.rssi);
  }

  /** The setup access point's password: the registry's, else the build's, else one made now and kept. */
  setupPassword(): string {
    let password = this.registry.get("IpConfig/SetupPassword");
    if (!password) {
      password = this.options.setupPassword ?? randomPassword(this.host, 12);
      this.registry.write({ "IpConfig/SetupPassword": password });
    }
    return password;
  }

  /** Stops everything; no events (the unit is going down, not leaving setup mode). */
  close(): void {
    this.stopWatching();
    this.cancel();
    this.listeners.length = 0;
    if (this.inSetupMode) this.link?.accessPoint(undefined); // the unit is going down: nothing to say
    this.setupAddress = undefined;
    this.link?.leave();
    this.joinToken = undefined;
  }

  // --- LiveValues: IpConfig/$State, $Address, $Signal, $MAC ---------------------------------------

  liveValue(key: string): string | undefined {
    switch (key) {
      case "ipconfig/$state":
        return this.stateNow;
      case "ipconfig/$address":
        return this.address ?? "";
      case "ipconfig/$signal":
        return this.stateNow === "online" && this.link?.rssi !== undefined ? String(this.link.rssi) : "";
      case "ipconfig/$mac":
        return this.link?.mac ?? "";
      default:
        return undefined;
    }
  }

  liveKeys(): string[] {
    return ["IpConfig/$State", "IpConfig/$Address", "IpConfig/$Signal", "IpConfig/$MAC"];
  }

  // --- joining ------------------------------------------------------------------------------------

  /** Joins the network the registry names, or opens the setup access point when there is none. */
  private connect(): void {
    if (this.needsSetup) {
      this.setState("setup");
      this.openSetup();
      return;
    }
    this.setState(this.inSetupMode ? "setup" : "joining");
    this.join();
  }

  private join(): void {
    const token = {};
    this.joinToken = token;
    try {
      this.link!.join(this.joinOptions(), (event) => {
        if (this.joinToken === token) this.linkEvent(event);
      });
    } catch (e) {
      // a driver that refuses (no PHY, an address it cannot take) is a failed attempt, tried again later
      if (this.joinToken === token) this.linkEvent({ kind: "down", reason: (e as Error).message });
    }
    this.setupDeadline ??= this.host.timers.after(this.setupAfterMs(), this.setupDue, this);
  }

  private joinOptions(): JoinOptions {
    const get = (k: string): string => this.registry.get(k) ?? "";
    const options: JoinOptions = {};
    if (this.link!.kind === "wifi") {
      options.ssid = get("IpConfig/WiFi/SSID");
      options.password = get("IpConfig/WiFi/Password");
    }
    if (parseBoolean(get("IpConfig/DHCP")) === false && get("IpConfig/IPAddress")) {
      options.static = {
        address: get("IpConfig/IPAddress"),
        netmask: get("IpConfig/SubnetMask"),
        gateway: get("IpConfig/Gateway"),
        dns: [get("IpConfig/PrimaryDNS"), get("IpConfig/SecondaryDNS")].filter((d) => d !== ""),
      };
    }
    return options;
  }

  private linkEvent(event: LinkEvent): void {
    if (event.kind === "up") {
      this.attempts = 0;
      this.address = event.address;
      this.setupDeadline?.cancel();
      this.setupDeadline = undefined;
      this.setState("online");
      this.host.log("info", `network: joined ${this.ssid ?? "the network"} as ${event.address}`);
      if (this.inSetupMode) this.linger ??= this.host.timers.after(this.options.lingerMs ?? 30_000, this.lingerDue, this);
      this.emit("up");
      return;
    }
    const wasOnline = this.stateNow === "online";
    this.address = undefined;
    this.setState(this.inSetupMode ? "setup" : "joining");
    const delay = this.backoff();
    this.host.log(wasOnline || this.attempts === 1 ? "warn" : "info", `network: ${wasOnline ? "lost" : "could not join"} ${this.ssid ?? "the network"} (${event.reason}); trying again in ${Math.ceil(delay / 1000)} s`);
    if (wasOnline) this.emit("down");
    this.link!.leave();
    this.joinToken = undefined;
    this.retry?.cancel();
    this.retry = this.host.timers.after(delay, this.retryDue, this);
  }

  private retryDue(): void {
    this.retry = undefined;
    this.join();
  }

  /** It has not joined for IpConfig/SetupAfter: the setup access point opens beside the attempts. */
  private setupDue(): void {
    this.setupDeadline = undefined;
    if (this.stateNow !== "online") this.openSetup();
  }

  private lingerDue(): void {
    this.linger = undefined;
    if (this.stateNow === "online") this.closeSetup();
  }

  /** 1 s, doubling to a minute, ±50% so that a room of units does not retry in step. */
  private backoff(): number {
    const min = this.options.minBackoffMs ?? 1000;
    const max = this.options.maxBackoffMs ?? 60_000;
    const base = Math.min(max, min * 2 ** Math.min(this.attempts, 16));
    this.attempts++;
    const r = new Uint8Array(1);
    this.host.random(r);
    return Math.round(base * (0.5 + r[0]! / 255));
  }

  private setupAfterMs(): number {
    const s = Number(this.registry.get("IpConfig/SetupAfter"));
    return (Number.isFinite(s) && s > 0 ? s : 180) * 1000;
  }

  /** New settings: leave, and join (or open setup) again at once. */
  private restart(): void {
    if (!this.started || !this.link) return;
    this.cancel();
    this.link.leave();
    this.joinToken = undefined;
    this.attempts = 0;
    this.address = undefined;
    this.connect();
  }

  private cancel(): void {
    this.retry?.cancel();
    this.setupDeadline?.cancel();
    this.linger?.cancel();
    this.retry = this.setupDeadline = this.linger = undefined;
  }

  // --- the setup access point --------------------------------------------------------------------

  private openSetup(): void {
    if (this.inSetupMode || !this.link) return;
    const ssid = setupSsid(this.host.unitId);
    const password = this.setupPassword();
    const address = this.link.accessPoint({ ssid, password });
    if (!address) return;
    this.setupAddress = address;
    if (this.stateNow !== "online") this.setState("setup");
    this.host.log("warn", `network: setup mode: join the Wi-Fi network "${ssid}" with the password "${password}" and open http://${address}/setup`);
    this.emit("setup-open");
  }

  private closeSetup(): void {
    if (!this.inSetupMode) return;
    this.link?.accessPoint(undefined);
    this.setupAddress = undefined;
    this.host.log("info", "network: setup mode ended");
    this.emit("setup-closed");
  }

  private setState(state: NetworkState): void {
    if (state === this.stateNow) return;
    this.stateNow = state;
    this.registry.notify("IpConfig/$State");
  }

  private emit(event: NetworkEvent): void {
    for (const l of this.listeners.slice()) {
      try {
        l(event);
      } catch (e) {
        this.host.log("error", `network: a listener failed: ${(e as Error).message}`);
      }
    }
  }
}
