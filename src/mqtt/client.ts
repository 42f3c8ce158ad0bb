/**
 * An MQTT 3.1.1 client over the Host's `net.connect` (TCP or TLS), built for staying connected:
 *
 * - Reconnects on its own, after a delay that doubles from 1 s to 60 s with ±50% jitter (so a fleet
 *   does not reconnect in step), reset by a successful connection. A broker that refuses (bad
 *   credentials, not authorized) gets the same backoff: a clear status, never a hot loop.
 * - Keep-alive: a PINGREQ after `keepAlive` seconds without sending; a PINGRESP not back within half
 *   that (at least 2 s, at most 30 s) drops the connection and reconnects.
 * - Publishes that cannot go now (offline, or too many awaiting PUBACK) wait in a bounded queue in
 *   which a newer message on a topic replaces the older: the final state of every topic survives
 *   any outage. QoS 1 messages still unacknowledged when a connection ends are sent again first.
 * - Connecting, the TLS handshake and CONNACK must all finish within 10 s.
 */
import type { ConnectionBudget } from "../connection-budget.ts";
import type { ClientConnection, Host, Timer, TlsClientOptions } from "../host.ts";
import { isIpv4 } from "../network/ipv4.ts";
import { encodePacket, MqttProtocolError, PacketReader, type Packet } from "./codec.ts";

export interface MqttSettings {
  host: string;
  port: number;
  /** TLS with these options (`ca` PEM, `servername`); undefined: plain TCP. */
  tls?: TlsClientOptions;
  clientId: string;
  username?: string;
  password?: string;
  keepAliveSec: number;
  will: { topic: string; payload: string; qos: 0 | 1; retain: boolean };
}

export interface MqttLimits {
  /** Largest packet accepted from the broker. */
  maxPacket: number;
  /** QoS 1 publishes sent and not yet acknowledged. */
  maxInflight: number;
  /** Publishes waiting to be sent (topics, as a newer one replaces an older). */
  maxQueued: number;
  connectTimeoutMs: number;
  minBackoffMs: number;
  maxBackoffMs: number;
}

/** Device profile: the queue holds every topic of a 12-channel board (discovery, states, availability). */
export const DEVICE_MQTT: MqttLimits = { maxPacket: 4096, maxInflight: 8, maxQueued: 96, connectTimeoutMs: 10_000, minBackoffMs: 1000, maxBackoffMs: 60_000 };
export const SIMULATOR_MQTT: MqttLimits = { ...DEVICE_MQTT, maxPacket: 256 * 1024, maxInflight: 32, maxQueued: 256 };

export type MqttState = "stopped" | "connecting" | "connected" | "waiting";

interface Message {
  topic: string;
  payload: string;
  qos: 0 | 1;
  retain: boolean;
}

/** CONNACK return codes (MQTT 3.1.1 §3.2.2.3). */
const REFUSALS = ["", "unacceptable protocol version", "client identifier rejected", "server unavailable", "bad user name or password", "not authorized"];

export class MqttClient {
  state: MqttState = "stopped";
  /** What is happening, for people: "connected to broker:1883", "refused: bad user name or password; retrying in 4 s". */
  status = "stopped";
  /** After every successful connection: subscribe and publish what the broker should have. */
  onConnected?: () => void;
  onMessage?: (topic: string, payload: Uint8Array, retained: boolean) => void;
  onStatus?: (status: string) => void;
  /** Publishes dropped because the queue was full, since start. */
  dropped = 0;

  private connection: ClientConnection | undefined;
  private reader: PacketReader | undefined;
  private attempts = 0;
  private timer: Timer | undefined; // the connect deadline, or the wait before the next attempt
  private keepAlive: Timer | undefined;
  private lastSent = 0;
  /** The last write found the connection above its high-water mark; `onDrain` clears it. */
  private blocked = false;
  private pingSent = 0;
  private nextId = 1;
  private readonly inflight = new Map<number, Message>();
  /** The name lookup under way: a stale answer is ignored. */
  private lookup: object | undefined;
  private readonly queue = new Map<string, Message>();

  constructor(
    private readonly host: Host,
    readonly settings: MqttSettings,
    readonly limits: MqttLimits = SIMULATOR_MQTT,
    /** The unit's connection budget: the broker connection takes one of its outbound slots. */
    private readonly budget?: ConnectionBudget,
  ) {}

  start(): void {
    if (this.state !== "stopped") return;
    this.connect();
  }

  /** Disconnects cleanly (the broker then does not send the Last Will) and stays stopped. */
  stop(): void {
    const c = this.connection;
    if (c && this.state === "connected") c.write(encodePacket({ cmd: "disconnect" }));
    this.drop();
    this.cancelTimer();
    this.state = "stopped";
    this.setStatus("stopped");
    c?.close();
  }

  publish(topic: string, payload: string, options: { qos: 0 | 1; retain: boolean }): void {
    const message: Message = { topic, payload, qos: options.qos, retain: options.retain };
    if (this.state === "connected" && this.queue.size === 0 && this.canSend(message)) return this.send(message);
    if (message.qos === 0 && !message.retain && this.state !== "connected") return; // a passing event: nobody is there to miss it
    this.queue.delete(topic); // the newer message replaces the older, and goes to the back
    if (this.queue.size >= this.limits.maxQueued) {
      const oldest = this.queue.keys().next().value!;
      this.queue.delete(oldest);
      if (this.dropped++ === 0) this.host.log("warn", `mqtt: the send queue is full (${this.limits.maxQueued} topics); dropping the oldest`);
    }
    this.queue.set(topic, message);
  }

  subscribe(subscriptions: { topic: string; qos: 0 | 1 }[]): void {
    if (this.state !== "connected" || !subscriptions.length) return;
    this.write({ cmd: "subscribe", messageId: this.newId(), subscriptions });
  }

  // --- the connection -----------------------------------------------------------------------------

  /** Resolves the broker's name (the device's sockets take addresses only), then opens the connection; the deadline covers both. */
  private connect(): void {
    const { host, port } = this.settings;
    this.state = "connecting";
    this.setStatus(`connecting to ${host}:${port}`);
    this.timer = this.host.timers.after(this.limits.connectTimeoutMs, () => {
      this.timer = undefined;
      this.fail(`no answer from ${host}:${port} in ${this.limits.connectTimeoutMs / 1000} s`);
    });
    if (isIpv4(host)) return this.open(host);
    const lookup = {};
    this.lookup = lookup;
    this.host.net.resolve(host).then(
      (address) => {
        if (this.lookup !== lookup) return; // stopped, failed or restarted meanwhile
        this.lookup = undefined;
        this.open(address);
      },
      (e: Error) => {
        if (this.lookup !== lookup) return;
        this.lookup = undefined;
        this.fail(`cannot resolve ${host}: ${e.message}`);
      },
    );
  }

  private open(address: string): void {
    const tls = this.settings.tls && { ...this.settings.tls, servername: this.settings.tls.servername ?? this.settings.host };
    if (this.budget && !this.budget.openOutbound()) return this.fail("no connection slot free");
    let c: ClientConnection;
    try {
      c = this.host.net.connect({ host: address, port: this.settings.port, tls });
    } catch (e) {
      this.budget?.closeOutbound();
      return this.fail((e as Error).message);
    }
    this.connection = c;
    this.blocked = false;
    this.reader = new PacketReader(this.limits.maxPacket, (p) => this.received(p));
    c.onConnect = () => {
      const s = this.settings;
      this.write({
        cmd: "connect",
        protocolId: "MQTT",
        protocolVersion: 4,
        clean: true,
        clientId: s.clientId,
        keepalive: s.keepAliveSec,
        username: s.username || undefined,
        password: s.password || undefined,
        will: { topic: s.will.topic, payload: s.will.payload, qos: s.will.qos, retain: s.will.retain },
      });
    };
    c.onData = (bytes) => {
      if (c !== this.connection) return;
      try {
        this.reader!.feed(bytes);
      } catch (e) {
        if (!(e instanceof MqttProtocolError)) throw e;
        this.fail("protocol error from the broker: " + e.message);
      }
    };
    c.onDrain = () => {
      this.blocked = false;
      this.flush();
    };
    c.onClose = (error) => {
      if (c === this.connection) this.fail(error ? "connection lost: " + error : "the broker closed the connection");
    };
  }

  private received(p: Packet): void {
    switch (p.cmd) {
      case "connack":
        if (this.state !== "connecting") return this.fail("an unexpected CONNACK");
        if (p.returnCode !== 0) return this.fail("refused: " + (REFUSALS[p.returnCode ?? -1] ?? "return code " + p.returnCode));
        this.cancelTimer();
        this.state = "connected";
        this.attempts = 0;
        this.setStatus(`connected to ${this.settings.host}:${this.settings.port}`);
        this.host.log("info", "mqtt: " + this.status);
        this.startKeepAlive();
        this.resend();
        this.onConnected?.();
        this.flush();
        return;
      case "publish": {
        if (p.qos === 1 && p.messageId !== undefined) this.write({ cmd: "puback", messageId: p.messageId });
        const payload = typeof p.payload === "string" ? this.host.text.encode(p.payload) : p.payload;
        this.onMessage?.(p.topic, payload, p.retain);
        return;
      }
      case "puback":
        this.inflight.delete(p.messageId);
        this.flush();
        return;
      case "suback":
        if (p.granted.some((g) => g === 0x80)) this.host.log("warn", "mqtt: the broker refused a subscription");
        return;
      case "pingresp":
        this.pingSent = 0;
        return;
      default:
        return; // unsuback and the rest need nothing
    }
  }

  /** The connection is over: reconnect after the backoff. */
  private fail(reason: string): void {
    if (this.state === "stopped") return;
    const c = this.connection;
    this.drop();
    c?.destroy();
    this.cancelTimer();
    const base = Math.min(this.limits.maxBackoffMs, this.limits.minBackoffMs * 2 ** Math.min(this.attempts, 16));
    const r = new Uint8Array(1);
    this.host.random(r);
    const delay = Math.round(base * (0.5 + r[0]! / 255));
    this.attempts++;
    this.state = "waiting";
    this.setStatus(`${reason}; retrying in ${Math.ceil(delay / 1000)} s`);
    this.host.log(this.attempts === 1 ? "warn" : "info", "mqtt: " + this.status);
    this.timer = this.host.timers.after(delay, () => {
      this.timer = undefined;
      this.connect();
    });
  }

  private drop(): void {
    this.lookup = undefined;
    const c = this.connection;
    this.connection = undefined;
    this.reader = undefined;
    this.keepAlive?.cancel();
    this.keepAlive = undefined;
    this.pingSent = 0;
    if (c) {
      c.onData = undefined;
      c.onClose = undefined;
      c.onDrain = undefined;
      this.budget?.closeOutbound();
    }
  }

  private startKeepAlive(): void {
    const period = this.settings.keepAliveSec * 1000;
    const answerWithin = Math.min(30_000, Math.max(2000, period / 2));
    this.keepAlive = this.host.timers.every(Math.min(1000, period / 4), () => {
      const now = this.host.clock.monotonic();
      if (this.pingSent && now - this.pingSent >= answerWithin) return this.fail(`no answer to a ping in ${answerWithin / 1000} s`);
      if (!this.pingSent && now - this.lastSent >= period) {
        this.write({ cmd: "pingreq" });
        this.pingSent = now;
      }
    });
  }

  // --- sending ------------------------------------------------------------------------------------

  private canSend(m: Message): boolean {
    // a connection above its high-water mark means a slow broker or link: queue, so newer states replace older
    return (m.qos === 0 || this.inflight.size < this.limits.maxInflight) && !this.blocked;
  }

  private send(m: Message): void {
    const messageId = m.qos === 1 ? this.newId() : undefined;
    if (messageId !== undefined) this.inflight.set(messageId, m);
    this.write({ cmd: "publish", topic: m.topic, payload: m.payload, qos: m.qos, retain: m.retain, dup: false, messageId });
  }

  /** QoS 1 messages that a lost connection left unacknowledged: first in line on the new one. */
  private resend(): void {
    const unacked = [...this.inflight.values()];
    this.inflight.clear();
    for (const m of unacked) if (!this.queue.has(m.topic)) this.queue.set(m.topic, m);
  }

  private flush(): void {
    while (this.state === "connected" && this.queue.size) {
      const [topic, m] = this.queue.entries().next().value!;
      if (!this.canSend(m)) return;
      this.queue.delete(topic);
      this.send(m);
    }
  }

  private write(packet: Packet): void {
    const c = this.connection;
    if (!c) return;
    this.blocked = !c.write(encodePacket(packet));
    this.lastSent = this.host.clock.monotonic();
  }

  private newId(): number {
    let id = this.nextId;
    while (this.inflight.has(id)) id = (id % 65535) + 1;
    this.nextId = (id % 65535) + 1;
    return id;
  }

  private cancelTimer(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  private setStatus(status: string): void {
    this.status = status;
    this.onStatus?.(status);
  }
}
