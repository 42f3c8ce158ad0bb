/**
 * A small MQTT 3.1.1 broker on the in-memory network, for deterministic tests of the client on Node
 * and XS (the real-broker tests use mosquitto): CONNECT with credentials, SUBSCRIBE with + and #
 * filters, PUBLISH routing at QoS 0 and 1, retained messages, Last Will on an unclean end, PINGREQ.
 * It can be stopped and started again, and told to refuse or to stop answering pings.
 */
import type { Connection, Listener } from "../src/host.ts";
import { encodePacket, PacketReader, type Packet } from "../src/mqtt/codec.ts";
import type { MemoryHost } from "./memory-host.ts";

export interface BrokerMessage {
  topic: string;
  payload: string;
  retain: boolean;
  qos: number;
  /** Virtual time of arrival. */
  at: number;
}

interface Session {
  connection: Connection;
  clientId: string;
  filters: string[];
  will?: { topic: string; payload: string | Uint8Array; retain?: boolean };
  clean: boolean; // ended with DISCONNECT
}

export class TestBroker {
  /** Every PUBLISH received from clients, in order. */
  readonly published: BrokerMessage[] = [];
  readonly retained = new Map<string, BrokerMessage>();
  readonly sessions = new Set<Session>();
  /** CONNACK return code to answer with (0 = accept). */
  refuseWith = 0;
  /** When false, PINGREQ goes unanswered (a broker that hangs). */
  answerPings = true;
  connects = 0;
  private listener: Listener | undefined;

  constructor(
    private readonly host: MemoryHost,
    readonly port: number,
    private readonly credentials?: { username: string; password: string },
  ) {}

  async start(): Promise<void> {
    this.listener = await this.host.net.listen({ port: this.port }, (c) => this.accept(c));
  }

  /** Stops listening and drops every client without DISCONNECT, as a crash does. */
  kill(): void {
    this.listener?.close();
    this.listener = undefined;
    for (const s of [...this.sessions]) s.connection.destroy();
    this.sessions.clear();
  }

  /** Drops every client connection without a word, as a network failure or a client's crash does. */
  dropClients(): void {
    for (const s of [...this.sessions]) s.connection.destroy();
  }

  /** Publishes as another client would. */
  publish(topic: string, payload: string, options: { retain?: boolean; qos?: 0 | 1 } = {}): void {
    this.route({ topic, payload, retain: options.retain ?? false, qos: options.qos ?? 0, at: this.host.clock.monotonic() });
  }

  /** The last message published on `topic`, if any. */
  last(topic: string): BrokerMessage | undefined {
    for (let i = this.published.length - 1; i >= 0; i--) if (this.published[i]!.topic === topic) return this.published[i];
    return undefined;
  }

  private accept(connection: Connection): void {
    let session: Session | undefined;
    const send = (p: Packet): void => void connection.write(encodePacket(p));
    const reader = new PacketReader(1 << 20, (p) => {
      switch (p.cmd) {
        case "connect": {
          this.connects++;
          const password = typeof p.password === "string" || p.password === undefined ? p.password : this.host.text.decode(p.password, 0, p.password.length);
          const rc = this.refuseWith || (this.credentials && (p.username !== this.credentials.username || password !== this.credentials.password) ? 4 : 0);
          send({ cmd: "connack", returnCode: rc, sessionPresent: false });
          if (rc) return void connection.close();
          session = { connection, clientId: p.clientId, filters: [], will: p.will, clean: false };
          this.sessions.add(session);
          return;
        }
        case "subscribe":
          session!.filters.push(...p.subscriptions.map((s) => s.topic));
          send({ cmd: "suback", messageId: p.messageId, granted: p.subscriptions.map((s) => s.qos) });
          for (const s of p.subscriptions) for (const m of this.retained.values()) if (matches(s.topic, m.topic)) this.deliver(session!, m, true);
          return;
        case "publish": {
          const payload = typeof p.payload === "string" ? p.payload : this.host.text.decode(p.payload, 0, p.payload.length);
          if (p.qos === 1) send({ cmd: "puback", messageId: p.messageId! });
          const m: BrokerMessage = { topic: p.topic, payload, retain: p.retain, qos: p.qos, at: this.host.clock.monotonic() };
          this.published.push(m);
          this.route(m);
          return;
        }
        case "pingreq":
          if (this.answerPings) send({ cmd: "pingresp" });
          return;
        case "disconnect":
          if (session) session.clean = true;
          connection.close();
          return;
        default:
          return;
      }
    });
    connection.onData = (bytes) => reader.feed(bytes);
    connection.onClose = () => {
      if (!session) return;
      this.sessions.delete(session);
      const will = session.will;
      if (!session.clean && will && this.listener) {
        const payload = typeof will.payload === "string" ? will.payload : this.host.text.decode(will.payload, 0, will.payload.length);
        const m: BrokerMessage = { topic: will.topic, payload, retain: will.retain === true, qos: 1, at: this.host.clock.monotonic() };
        this.published.push(m);
        this.route(m);
      }
    };
  }

  private route(m: BrokerMessage): void {
    if (m.retain) {
      if (m.payload === "") this.retained.delete(m.topic);
      else this.retained.set(m.topic, m);
    }
    for (const s of this.sessions) if (s.filters.some((f) => matches(f, m.topic))) this.deliver(s, m, false);
  }

  private deliver(s: Session, m: BrokerMessage, retained: boolean): void {
    s.connection.write(encodePacket({ cmd: "publish", topic: m.topic, payload: m.payload, qos: 0, retain: retained, dup: false }));
  }
}

/** MQTT topic filter matching (+ one level, # the rest). */
export function matches(filter: string, topic: string): boolean {
  const f = filter.split("/");
  const t = topic.split("/");
  for (let i = 0; i < f.length; i++) {
    if (f[i] === "#") return true;
    if (i >= t.length) return false;
    if (f[i] !== "+" && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}
