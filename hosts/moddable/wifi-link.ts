/**
 * The unit's Wi-Fi over Moddable's `wifi` module, on the ESP32 and (simulated by the SDK) on lin.
 * One WiFi object lives for the unit's life and reports what the radio does; iobox's network
 * (src/network/manager.ts) decides when to join, and `join` only starts one attempt.
 *
 * What Moddable's module cannot do is said, not hidden: it sets no static address (DHCP is used,
 * and a warning logged), and its access point's address is the ESP-IDF default (192.168.4.1)
 * where `Net` cannot tell it.
 */
import Net from "net";
import WiFi from "wifi";
import type { AccessPointOptions, JoinOptions, Link, LinkEvent, LogLevel, WifiNetwork } from "../../src/host.ts";
import { callSafely } from "./guard.ts";

const DEFAULT_AP_ADDRESS = "192.168.4.1";
const STATION = 1;
const STATION_AND_AP = 3;

export class WifiLink implements Link {
  readonly kind = "wifi";
  readonly mac: string;
  private monitor: WiFi | undefined;
  private onEvent: ((event: LinkEvent) => void) | undefined;
  private up = false;
  private apOpen = false;
  private scanning: Promise<WifiNetwork[]> | undefined;

  constructor(private readonly log: (level: LogLevel, message: string) => void) {
    let mac = "";
    try {
      mac = (Net.get("MAC") ?? "").toLowerCase();
    } catch {
      // no interface to ask (lin)
    }
    this.mac = mac;
  }

  get address(): string | undefined {
    return this.up ? ip("station") : undefined;
  }

  get rssi(): number | undefined {
    if (!this.up) return undefined;
    try {
      const r = Net.get("RSSI");
      return typeof r === "number" ? r : undefined;
    } catch {
      return undefined;
    }
  }

  join(options: JoinOptions, onEvent: (event: LinkEvent) => void): void {
    this.onEvent = onEvent;
    this.up = false;
    if (options.static) this.log("warn", "network: Moddable's Wi-Fi module sets no static address; DHCP is used");
    this.monitor ??= new WiFi(undefined, (message) => this.notify(message));
    WiFi.mode = this.apOpen ? STATION_AND_AP : STATION;
    const credentials: { ssid: string; password?: string } = { ssid: options.ssid ?? "" };
    if (options.password) credentials.password = options.password;
    WiFi.connect(credentials);
  }

  leave(): void {
    this.onEvent = undefined;
    if (this.up) WiFi.disconnect();
    this.up = false;
  }

  accessPoint(options: AccessPointOptions | undefined): string | undefined {
    if (!options) {
      if (this.apOpen) WiFi.mode = STATION;
      this.apOpen = false;
      return undefined;
    }
    // the mode says so first: once a link closed the access point (STATION), Moddable's simulator
    // refuses to open one without (a restart in place found it); the ESP32 takes it either way
    WiFi.mode = STATION_AND_AP;
    WiFi.accessPoint({ ssid: options.ssid, password: options.password, station: true } as Parameters<typeof WiFi.accessPoint>[0]);
    this.apOpen = true;
    return ip("ap") ?? DEFAULT_AP_ADDRESS;
  }

  scan(): Promise<WifiNetwork[]> {
    // one scan at a time (a second one throws); callers share it
    this.scanning ??= new Promise<WifiNetwork[]>((resolve, reject) => {
      const found: WifiNetwork[] = [];
      try {
        WiFi.scan({}, (item) => {
          if (item) found.push({ ssid: item.ssid, rssi: item.rssi, authentication: item.authentication });
          else {
            this.scanning = undefined;
            resolve(found);
          }
        });
      } catch (e) {
        this.scanning = undefined;
        reject(e);
      }
    });
    return this.scanning;
  }

  private message = "";

  /** From the radio, through the host's one guard (an exception escaping here would abort the VM). */
  private notify(message: string): void {
    this.message = message;
    callSafely(this, this.event, "network");
  }

  private event(): void {
    const message = this.message;
    const onEvent = this.onEvent;
    if (message === WiFi.gotIP) {
      this.up = true;
      onEvent?.({ kind: "up", address: ip("station") ?? "" });
    } else if (message === WiFi.disconnected || message === WiFi.lostIP) {
      const was = this.up;
      this.up = false;
      if (onEvent && (was || message === WiFi.disconnected)) onEvent({ kind: "down", reason: message === WiFi.lostIP ? "lost its address" : "disconnected" });
    }
  }
}

function ip(which: "station" | "ap"): string | undefined {
  try {
    const address = (Net.get as (what: "IP", which: string) => string | undefined)("IP", which);
    return address || undefined;
  } catch {
    return undefined;
  }
}
