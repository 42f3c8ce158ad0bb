/**
 * The unit's Ethernet over Moddable's `ethernet` module (boards the profile marks "ethernet": the
 * WT32-ETH01, built with `-p esp32/wt32_eth01`). Like the Wi-Fi link it only reports: iobox's
 * network decides (src/network/manager.ts). It has no access point, so such a unit has no setup
 * mode; it takes DHCP or the registry's static address.
 *
 * The SDK's own setup/ethernet (which modules/io brings into an esp32/wt32_eth01 build) would start
 * Ethernet and hold the boot until it has an address, so a unit without its cable would never drive
 * its relays to their boot states: manifest.json sets `ssid` to "" for that build, which makes both
 * of the SDK's setup modules step aside. Type-checked and bundled only: no such board ran here.
 */
import Ethernet from "ethernet";
import Net from "net";
import type { JoinOptions, Link, LinkEvent, LogLevel, WifiNetwork } from "../../src/host.ts";
import { callSafely } from "./guard.ts";

export class EthernetLink implements Link {
  readonly kind = "ethernet";
  readonly mac: string;
  readonly rssi = undefined;
  private monitor: Ethernet | undefined;
  private onEvent: ((event: LinkEvent) => void) | undefined;
  private up = false;
  private started = false;

  constructor(private readonly log: (level: LogLevel, message: string) => void) {
    let mac = "";
    try {
      mac = ((Net.get as (what: "MAC", which: string) => string | undefined)("MAC", "ethernet") ?? "").toLowerCase();
    } catch {
      // no interface to ask
    }
    this.mac = mac;
  }

  get address(): string | undefined {
    if (!this.up) return undefined;
    try {
      return (Net.get as (what: "IP", which: string) => string | undefined)("IP", "ethernet") || undefined;
    } catch {
      return undefined;
    }
  }

  join(options: JoinOptions, onEvent: (event: LinkEvent) => void): void {
    this.onEvent = onEvent;
    this.up = false;
    this.monitor ??= new Ethernet(undefined, (message: string) => this.notify(message));
    // the driver starts once, and takes an address only after it has (ethernet.c); what it throws
    // (no PHY, an address it refuses) the network counts as a failed attempt
    if (!this.started) Ethernet.start();
    this.started = true;
    if (options.static) Ethernet.useStaticIP(options.static.address, options.static.netmask, options.static.gateway);
    else Ethernet.useDHCP();
  }

  leave(): void {
    this.onEvent = undefined;
    this.up = false;
  }

  accessPoint(): string | undefined {
    return undefined;
  }

  scan(): Promise<WifiNetwork[]> {
    return Promise.resolve([]);
  }

  private message = "";

  /** From the driver, through the host's one guard (an exception escaping here would abort the VM). */
  private notify(message: string): void {
    this.message = message;
    callSafely(this, this.event, "network");
  }

  private event(): void {
    const message = this.message;
    if (message === Ethernet.gotIP) {
      this.up = true;
      this.onEvent?.({ kind: "up", address: this.address ?? "" });
    } else if (message === Ethernet.disconnected || message === Ethernet.lostIP) {
      this.up = false;
      this.onEvent?.({ kind: "down", reason: message === Ethernet.lostIP ? "lost its address" : "the cable is out" });
    }
  }
}
