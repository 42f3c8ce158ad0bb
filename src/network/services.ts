/**
 * What the unit does on its network besides serving, wired together: joining and setup mode
 * (manager.ts), the captive DNS while the setup access point is open (captive-dns.ts), discovery
 * once it is up (mdns.ts) and the wall clock (time.ts).
 */
import type { Host } from "../host.ts";
import type { Registry } from "../registry/registry.ts";
import { CaptiveDns } from "./captive-dns.ts";
import { NetworkManager, type NetworkOptions } from "./manager.ts";
import { MdnsResponder } from "./mdns.ts";
import { TimeSync } from "./time.ts";

export interface NetworkServicesOptions extends NetworkOptions {
  identity: { model: string; serialNumber: number; version: string };
  /** The bound ports by listener name (http, jmp): what mDNS announces. */
  ports(): Readonly<Record<string, number>>;
  /** SHA-256 of the certificate the TLS port serves (announced, so that a client can check it before it trusts it). */
  tlsFingerprint?(): string | undefined;
  /** The captive DNS's port (53 on the device); without it, none. */
  captiveDnsPort?: number;
  /** Announce by mDNS (default true). */
  mdns?: boolean;
}

export class NetworkServices {
  readonly manager: NetworkManager;
  private readonly time: TimeSync;
  private mdns: MdnsResponder | undefined;
  private captive: CaptiveDns | undefined;
  private readonly stopWatching: () => void;

  constructor(
    private readonly host: Host,
    private readonly registry: Registry,
    private readonly options: NetworkServicesOptions,
  ) {
    this.manager = new NetworkManager(host, registry, options);
    this.time = new TimeSync(host, registry);
    this.manager.onChange((event) => {
      if (event === "up") this.up();
      else if (event === "setup-open") this.openCaptiveDns();
      else if (event === "setup-closed") this.closeCaptiveDns();
    });
    // a new host name is claimed again
    this.stopWatching = registry.watch("IpConfig/Hostname", () => {
      if (!this.mdns) return;
      this.mdns.stop();
      this.mdns = undefined;
      this.up();
    });
  }

  start(): void {
    this.manager.start();
  }

  close(): void {
    this.stopWatching();
    this.mdns?.stop();
    this.closeCaptiveDns();
    this.time.close();
    this.manager.close();
  }

  /** The claimed mDNS name, once announced (".local" left off). */
  get mdnsName(): string | undefined {
    return this.mdns?.hostname;
  }

  private up(): void {
    const address = this.manager.address;
    if (!address) return;
    this.time.networkUp();
    if (this.options.mdns === false) return;
    this.mdns ??= new MdnsResponder(this.host, { hostname: this.manager.hostname, instance: this.manager.hostname, services: this.services() });
    void this.mdns.start(address);
  }

  /** `_http._tcp` for the web UI, `_iobox._tcp` with what a client needs before it connects. */
  private services(): { type: string; port: number; txt: [string, string][] }[] {
    const ports = this.options.ports();
    const http = ports.http ?? 80;
    const { model, serialNumber, version } = this.options.identity;
    const txt: [string, string][] = [
      ["model", model],
      ["serial", String(serialNumber)],
      ["version", version],
      ["mac", this.host.link?.mac ?? this.host.unitId],
      ["http", String(http)],
      ["ws", "/"],
    ];
    if (ports.jmp !== undefined) txt.push(["jmp", String(ports.jmp)]);
    if (ports.https !== undefined) txt.push(["https", String(ports.https)]);
    const fingerprint = this.options.tlsFingerprint?.();
    if (fingerprint) txt.push(["sha256", fingerprint.replace(/:/g, "").toLowerCase()]); // 64 hex: TXT strings are short
    return [
      { type: "_http._tcp", port: http, txt: [["path", "/"]] },
      { type: "_iobox._tcp", port: http, txt },
    ];
  }

  private openCaptiveDns(): void {
    const address = this.manager.setupAddress;
    if (this.options.captiveDnsPort === undefined || !address || this.captive) return;
    this.captive = new CaptiveDns(this.host, address, this.options.captiveDnsPort);
    void this.captive.start();
  }

  private closeCaptiveDns(): void {
    this.captive?.close();
    this.captive = undefined;
  }
}
