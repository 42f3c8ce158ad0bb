/**
 * Simulated Wi-Fi: the access points in range of a board, which a test (or the simulator's user)
 * switches on and off, and the board's Wi-Fi link, which joins them the way a station does: it
 * takes a moment, needs the right password, gets an address by DHCP, and hears when its access
 * point goes away. The link also opens the board's own access point (setup mode).
 */
import type { AccessPointOptions, JoinOptions, Link, LinkEvent, Timers, WifiNetwork } from "../src/host.ts";

export interface SimulatedNetwork {
  ssid: string;
  /** "" for an open network. */
  password: string;
  rssi: number;
  up: boolean;
  /** The first three parts of the addresses its DHCP hands out ("192.168.1"). */
  subnet: string;
}

export class SimulatedAir {
  readonly networks = new Map<string, SimulatedNetwork>();
  private readonly stations = new Set<SimulatedLink>();
  private nextHost = 50;
  /** While set, a station's driver throws this when asked to join (a radio or PHY that refuses). */
  driverFault: string | undefined;

  /** `joinMs`: how long joining takes. */
  constructor(readonly joinMs = 1500) {}

  /** Adds (or changes) an access point in range. */
  add(ssid: string, password: string, options: { rssi?: number; up?: boolean; subnet?: string } = {}): this {
    this.networks.set(ssid, { ssid, password, rssi: options.rssi ?? -55, up: options.up ?? true, subnet: options.subnet ?? "192.168.1" });
    return this;
  }

  /** Switches an access point on or off; stations on it lose it at once. */
  setUp(ssid: string, up: boolean): void {
    const n = this.networks.get(ssid);
    if (!n) throw new RangeError("no network " + ssid);
    n.up = up;
    if (!up) for (const s of this.stations) s.lost(ssid);
  }

  /** @internal */
  attach(link: SimulatedLink): void {
    this.stations.add(link);
  }

  /** @internal an address from the network's DHCP */
  lease(n: SimulatedNetwork): string {
    return `${n.subnet}.${this.nextHost++}`;
  }
}

export class SimulatedLink implements Link {
  readonly kind = "wifi";
  address: string | undefined;
  rssi: number | undefined;
  /** The board's own access point while it is open. */
  accessPointOpen: AccessPointOptions | undefined;
  private joined: SimulatedNetwork | undefined;
  private onEvent: ((event: LinkEvent) => void) | undefined;
  private pending: { cancel(): void } | undefined;

  constructor(
    private readonly air: SimulatedAir,
    readonly mac: string,
    private readonly timers: Timers,
  ) {
    air.attach(this);
  }

  join(options: JoinOptions, onEvent: (event: LinkEvent) => void): void {
    this.leave();
    if (this.air.driverFault) throw new Error(this.air.driverFault);
    this.onEvent = onEvent;
    this.pending = this.timers.after(this.air.joinMs, () => {
      this.pending = undefined;
      const n = options.ssid === undefined ? undefined : this.air.networks.get(options.ssid);
      if (!n || !n.up) return this.report({ kind: "down", reason: "no network named " + JSON.stringify(options.ssid ?? "") });
      if (n.password !== (options.password ?? "")) return this.report({ kind: "down", reason: "wrong password" });
      this.joined = n;
      this.rssi = n.rssi;
      this.address = options.static?.address ?? this.air.lease(n);
      this.report({ kind: "up", address: this.address });
    });
  }

  leave(): void {
    this.pending?.cancel();
    this.pending = undefined;
    this.onEvent = undefined;
    this.joined = undefined;
    this.address = undefined;
    this.rssi = undefined;
  }

  accessPoint(options: AccessPointOptions | undefined): string | undefined {
    this.accessPointOpen = options;
    return options ? "192.168.4.1" : undefined;
  }

  scan(): Promise<WifiNetwork[]> {
    return new Promise((resolve) => {
      this.timers.after(500, () => resolve([...this.air.networks.values()].filter((n) => n.up).map((n) => ({ ssid: n.ssid, rssi: n.rssi, authentication: n.password ? "wpa2_psk" : "none" }))));
    });
  }

  /** @internal its access point went away */
  lost(ssid: string): void {
    if (this.joined?.ssid !== ssid) return;
    this.joined = undefined;
    this.address = undefined;
    this.rssi = undefined;
    this.report({ kind: "down", reason: "the access point went away" });
  }

  private report(event: LinkEvent): void {
    this.onEvent?.(event);
  }
}
