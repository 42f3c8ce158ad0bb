/**
 * Discovery by multicast DNS (RFC 6762) and DNS-SD (RFC 6763): `<hostname>.local`, and the services
 * `_http._tcp` (the web UI) and `_iobox._tcp` (with TXT records a client needs before it connects:
 * model, serial, version, MAC, ports, the JANOS WebSocket path).
 *
 * A responder, not a resolver: it probes for its host name (three queries 250 ms apart; a reply from
 * another host means the name is taken, and it tries `<name>-2`, `-3` …), announces its records
 * twice, a second apart, answers questions for them (by multicast, or to the asker alone when it
 * asks so or is a one-shot resolver on another port), and says goodbye (TTL 0) when it stops.
 * Answers go out at most once a second per name, so a flood of questions cannot make a flood.
 */
import type { Host, Timer, UdpSocket } from "../host.ts";
import {
  aData,
  DnsError,
  encodeDns,
  FLAG_AUTHORITATIVE,
  FLAG_RESPONSE,
  nameData,
  nameOf,
  parseDns,
  sameName,
  srvData,
  txtData,
  TYPE_A,
  TYPE_ANY,
  TYPE_PTR,
  TYPE_SRV,
  TYPE_TXT,
  type DnsMessage,
  type DnsQuestion,
  type DnsRecord,
} from "./dns.ts";

export const MDNS_GROUP = "224.0.0.251";
export const MDNS_PORT = 5353;
const SERVICES = "_services._dns-sd._udp.local";
const HOST_TTL = 120;
const SERVICE_TTL = 4500;
/** A one-shot resolver (not on port 5353) gets short TTLs (RFC 6762 §6.7). */
const LEGACY_TTL = 10;

export interface MdnsService {
  /** "_http._tcp" */
  type: string;
  port: number;
  txt: readonly [string, string][];
}

export interface MdnsOptions {
  /** The name to claim, without ".local". */
  hostname: string;
  /** The service instances' name (shown by browsers of the network). */
  instance: string;
  services: readonly MdnsService[];
}

type Phase = "probing" | "announced" | "stopped";

export class MdnsResponder {
  private socket: UdpSocket | undefined;
  private phase: Phase = "stopped";
  private address = "";
  private candidate: string;
  private tries = 1;
  private probes = 0;
  private timer: Timer | undefined;
  private readonly lastSent = new Map<string, number>();

  constructor(
    private readonly host: Host,
    private readonly options: MdnsOptions,
  ) {
    this.candidate = options.hostname;
  }

  /** The host name claimed (or being claimed), without ".local". */
  get hostname(): string {
    return this.candidate;
  }

  /** Binds, probes and announces for `address`; again with a new address, it announces that. */
  async start(address: string): Promise<void> {
    const moved = this.address !== "" && this.address !== address;
    this.address = address;
    if (this.socket) {
      if (moved && this.phase === "announced") this.announce(2);
      return;
    }
    try {
      this.socket = await this.host.net.udp({ port: MDNS_PORT, multicast: MDNS_GROUP, interface: address }, (bytes, from, port) => this.received(bytes, from, port));
    } catch (e) {
      this.host.log("error", `mdns: cannot listen on ${MDNS_PORT}: ${(e as Error).message}`);
      return;
    }
    this.probe();
  }

  /** Says goodbye (its records with TTL 0) and closes. */
  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
    if (this.socket && this.phase === "announced") this.send(this.response(this.records(0), []), MDNS_GROUP, MDNS_PORT);
    this.phase = "stopped";
    this.socket?.close();
    this.socket = undefined;
  }

  // --- claiming the name ----------------------------------------------------------------------------

  private probe(): void {
    this.phase = "probing";
    this.probes = 0;
    this.timer?.cancel();
    this.timer = this.host.timers.every(250, this.probeTick, this);
    this.probeTick();
  }

  private probeTick(): void {
    if (this.probes === 3) {
      this.timer?.cancel();
      this.timer = undefined;
      this.phase = "announced";
      this.host.log("info", `mdns: ${this.candidate}.local at ${this.address}`);
      this.announce(2);
      return;
    }
    this.probes++;
    const hostRecord = this.records(HOST_TTL)[0]!;
    this.send({ id: 0, flags: 0, questions: [{ name: this.hostName(), type: TYPE_ANY, unicast: this.probes === 1 }], answers: [], authorities: [hostRecord], additionals: [] }, MDNS_GROUP, MDNS_PORT);
  }

  /** Another host answered for our name: take the next one and probe again. */
  private conflict(): void {
    this.tries++;
    this.host.log("warn", `mdns: ${this.candidate}.local is taken; trying ${this.options.hostname}-${this.tries}.local`);
    this.candidate = `${this.options.hostname}-${this.tries}`;
    this.probe();
  }

  private announce(times: number): void {
    this.lastSent.clear();
    this.send(this.response(this.records(undefined), []), MDNS_GROUP, MDNS_PORT);
    if (times > 1) {
      this.timer?.cancel();
      this.timer = this.host.timers.after(1000, this.announceAgain, this);
    }
  }

  private announceAgain(): void {
    this.timer = undefined;
    if (this.phase === "announced") this.send(this.response(this.records(undefined), []), MDNS_GROUP, MDNS_PORT);
  }

  // --- answering ------------------------------------------------------------------------------------

  private received(bytes: Uint8Array, from: string, port: number): void {
    let m: DnsMessage;
    try {
      m = parseDns(bytes);
    } catch (e) {
      if (e instanceof DnsError) return;
      throw e;
    }
    if (m.flags & FLAG_RESPONSE) {
      // someone else's answer for our host name, while we probe: the name is taken
      if (this.phase === "probing" && from !== this.address && m.answers.some((a) => sameName(a.name, this.hostName()))) this.conflict();
      return;
    }
    if (this.phase !== "announced") return;
    const legacy = port !== MDNS_PORT;
    const answers: DnsRecord[] = [];
    const additionals: DnsRecord[] = [];
    for (const q of m.questions) this.answer(q, answers, additionals, legacy ? LEGACY_TTL : undefined);
    if (!answers.length) return;
    if (legacy) return this.send({ id: m.id, flags: FLAG_RESPONSE | FLAG_AUTHORITATIVE, questions: m.questions, answers, authorities: [], additionals }, from, port);
    if (m.questions.some((q) => q.unicast)) return this.send(this.response(answers, additionals), from, port);
    const key = answers.map((a) => a.name + "/" + a.type).join(",");
    const now = this.host.clock.monotonic();
    if (now - (this.lastSent.get(key) ?? -Infinity) < 1000) return;
    if (this.lastSent.size > 32) this.lastSent.clear();
    this.lastSent.set(key, now);
    this.send(this.response(answers, additionals), MDNS_GROUP, MDNS_PORT);
  }

  private answer(q: DnsQuestion, answers: DnsRecord[], additionals: DnsRecord[], ttl: number | undefined): void {
    const all = this.records(ttl);
    const wanted = (r: DnsRecord): boolean => sameName(r.name, q.name) && (q.type === TYPE_ANY || q.type === r.type);
    for (const r of all) if (wanted(r) && !answers.includes(r)) answers.push(r);
    // with a service pointer, what a browser asks next: the instance's SRV and TXT, and the host's A (RFC 6763 §12.1)
    for (const a of answers) {
      if (a.type !== TYPE_PTR || sameName(a.name, SERVICES)) continue;
      const instance = nameOf(a.data);
      for (const r of all) {
        const next = ((r.type === TYPE_SRV || r.type === TYPE_TXT) && sameName(r.name, instance)) || r.type === TYPE_A;
        if (next && !answers.includes(r) && !additionals.includes(r)) additionals.push(r);
      }
    }
  }

  private hostName(): string {
    return this.candidate + ".local";
  }

  /** Every record, with the TTL given (0: goodbye) or each record's own. */
  private records(ttl: number | undefined): DnsRecord[] {
    const host = this.hostName();
    const records: DnsRecord[] = [{ name: host, type: TYPE_A, flush: true, ttl: ttl ?? HOST_TTL, data: aData(this.address) }];
    for (const s of this.options.services) {
      const type = s.type + ".local";
      const instance = `${this.options.instance}.${type}`;
      records.push(
        { name: SERVICES, type: TYPE_PTR, ttl: ttl ?? SERVICE_TTL, data: nameData(type) },
        { name: type, type: TYPE_PTR, ttl: ttl ?? SERVICE_TTL, data: nameData(instance) },
        { name: instance, type: TYPE_SRV, flush: true, ttl: ttl ?? HOST_TTL, data: srvData(s.port, host) },
        { name: instance, type: TYPE_TXT, flush: true, ttl: ttl ?? SERVICE_TTL, data: txtData(s.txt) },
      );
    }
    return records;
  }

  private response(answers: DnsRecord[], additionals: DnsRecord[]): DnsMessage {
    return { id: 0, flags: FLAG_RESPONSE | FLAG_AUTHORITATIVE, questions: [], answers, authorities: [], additionals };
  }

  private send(m: DnsMessage, address: string, port: number): void {
    try {
      this.socket?.send(encodeDns(m), address, port);
    } catch (e) {
      if (!(e instanceof DnsError)) throw e;
      this.host.log("error", "mdns: " + e.message);
    }
  }
}
