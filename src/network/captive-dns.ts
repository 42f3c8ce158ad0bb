/**
 * The setup mode's captive DNS: on the setup access point every name is the unit, so that a phone
 * that joins it finds the setup page whatever it asks for (and its captive-portal check opens it).
 * It answers A questions with the access point's address; other types get an empty answer, not an
 * error, so that clients fall back to A. Malformed queries are dropped.
 */
import type { Host, UdpSocket } from "../host.ts";
import { aData, DnsError, encodeDns, FLAG_AUTHORITATIVE, FLAG_RESPONSE, parseDns, TYPE_A, type DnsRecord } from "./dns.ts";

const OPCODE_MASK = 0x7800;
const RECURSION_DESIRED = 0x0100;

export class CaptiveDns {
  private socket: UdpSocket | undefined;
  private closed = false;

  constructor(
    private readonly host: Host,
    private readonly address: string,
    private readonly port = 53,
  ) {}

  async start(): Promise<void> {
    try {
      const socket = await this.host.net.udp({ port: this.port }, (bytes, from, port) => this.query(bytes, from, port));
      if (this.closed) socket.close();
      else this.socket = socket;
    } catch (e) {
      this.host.log("error", `setup: no captive DNS on port ${this.port}: ${(e as Error).message}`);
    }
  }

  close(): void {
    this.closed = true;
    this.socket?.close();
    this.socket = undefined;
  }

  private query(bytes: Uint8Array, from: string, port: number): void {
    let q;
    try {
      q = parseDns(bytes);
    } catch (e) {
      if (e instanceof DnsError) return;
      throw e;
    }
    if (q.flags & FLAG_RESPONSE || q.flags & OPCODE_MASK || q.questions.length !== 1) return; // only standard queries, as resolvers send them
    const question = q.questions[0]!;
    const answers: DnsRecord[] = question.type === TYPE_A ? [{ name: question.name, type: TYPE_A, ttl: 60, data: aData(this.address) }] : [];
    this.socket?.send(encodeDns({ id: q.id, flags: FLAG_RESPONSE | FLAG_AUTHORITATIVE | (q.flags & RECURSION_DESIRED), questions: q.questions, answers, authorities: [], additionals: [] }), from, port);
  }
}
