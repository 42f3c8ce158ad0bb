/**
 * The wall clock from SNTP (RFC 4330): once the network is up, each server of
 * `IpConfig/TimeServers` in turn until one answers; after a failure of them all, again after a
 * backoff (10 s doubling to 10 min); after a success, again in 12 hours (the ESP32's clock drifts).
 * Where the host's clock is not the unit's to set (the simulator on a PC), there is nothing to do.
 *
 * Boot time (`$BootTime`) is the wall clock minus the uptime, so it is right as soon as the time is.
 */
import type { Host, Timer, UdpSocket } from "../host.ts";
import type { Registry } from "../registry/registry.ts";

export const NTP_PORT = 123;
/** Seconds from 1900 (NTP's era) to 1970. */
const NTP_EPOCH = 2_208_988_800;
const ANSWER_MS = 5000;
const RESYNC_MS = 12 * 3600_000;

export class TimeSync {
  private timer: Timer | undefined;
  private attempts = 0;
  private running = false;
  private closed = false;
  /** Epoch ms of the last sync, 0 before. */
  syncedAt = 0;

  constructor(
    private readonly host: Host,
    private readonly registry: Registry,
  ) {}

  /** The network is up: sync now (unless a sync is under way or done lately). */
  networkUp(): void {
    if (!this.host.clock.set || this.running || this.closed) return;
    if (this.syncedAt && this.timer) return; // the next resync is planned
    this.timer?.cancel();
    this.timer = undefined;
    void this.sync();
  }

  close(): void {
    this.closed = true;
    this.timer?.cancel();
    this.timer = undefined;
  }

  private async sync(): Promise<void> {
    this.running = true;
    const servers = (this.registry.get("IpConfig/TimeServers") ?? "").split(",").map((s) => s.trim()).filter((s) => s);
    const reasons: string[] = [];
    for (const server of servers) {
      if (this.closed) return;
      try {
        const time = await this.query(server);
        this.host.clock.set!(time);
        this.syncedAt = time;
        this.attempts = 0;
        this.host.log("info", `time: ${new Date(time).toISOString()} from ${server}`);
        this.registry.notify("$BootTime");
        this.schedule(RESYNC_MS);
        this.running = false;
        return;
      } catch (e) {
        reasons.push(`${server}: ${(e as Error).message}`);
      }
    }
    this.running = false;
    const delay = Math.min(600_000, 10_000 * 2 ** Math.min(this.attempts++, 6));
    this.host.log(this.attempts === 1 ? "warn" : "info", `time: no server answered (${reasons.join("; ") || "none configured"}); trying again in ${delay / 1000} s`);
    this.schedule(delay);
  }

  private schedule(ms: number): void {
    if (this.closed) return;
    this.timer?.cancel();
    this.timer = this.host.timers.after(ms, this.due, this);
  }

  private due(): void {
    this.timer = undefined;
    void this.sync();
  }

  /** One SNTP exchange: epoch ms from the server's transmit time, halfway through the round trip. */
  private async query(server: string): Promise<number> {
    const address = await this.host.net.resolve(server);
    const sentAt = this.host.clock.monotonic();
    let socket: UdpSocket | undefined;
    return new Promise<number>((resolve, reject) => {
      const deadline = this.host.timers.after(ANSWER_MS, () => {
        socket?.close();
        reject(new Error(`no answer in ${ANSWER_MS / 1000} s`));
      });
      const done = (value: number | Error): void => {
        deadline.cancel();
        socket?.close();
        if (value instanceof Error) reject(value);
        else resolve(value);
      };
      this.host.net
        .udp({ port: 0 }, (bytes, from) => {
          if (from !== address) return;
          const time = ntpTime(bytes);
          done(time === undefined ? new Error("not an SNTP answer") : time + (this.host.clock.monotonic() - sentAt) / 2);
        })
        .then((s) => {
          socket = s;
          s.send(sntpRequest(), address, NTP_PORT);
        }, done);
    });
  }
}

/** A client request: LI 0, version 4, mode 3 (client). */
export function sntpRequest(): Uint8Array {
  const b = new Uint8Array(48);
  b[0] = (4 << 3) | 3;
  return b;
}

/** The transmit time of a server's answer (mode 4, a stratum, a time after 1970), epoch ms; undefined when it is not one. */
export function ntpTime(b: Uint8Array): number | undefined {
  if (b.length < 48 || (b[0]! & 7) !== 4 || b[1] === 0) return undefined; // stratum 0: a kiss-of-death
  const seconds = ((b[40]! << 24) >>> 0) + (b[41]! << 16) + (b[42]! << 8) + b[43]!;
  const fraction = ((b[44]! << 24) >>> 0) + (b[45]! << 16) + (b[46]! << 8) + b[47]!;
  if (seconds <= NTP_EPOCH) return undefined;
  return (seconds - NTP_EPOCH) * 1000 + Math.floor((fraction / 4294967296) * 1000);
}
