/**
 * The device on MQTT: its I/O as retained topics, commands for its relays, Home Assistant discovery,
 * and optionally its registry, under a prefix that names the unit (`iobox/<serial>` by default).
 *
 *   <prefix>/status               "online" (retained); the Last Will sets "offline"
 *   <prefix>/input/<n>/state      "1" | "0" (retained)       <prefix>/input/<n>/count  "42" (retained)
 *   <prefix>/relay/<n>/state      "1" | "0" (retained)
 *   <prefix>/relay/<n>/set        command: on | off | toggle (also 1/0, true/false, close/open)
 *   <prefix>/relay/<n>/pulse      command: milliseconds to close the relay for
 *   <prefix>/registry/read|write  JSON requests, answered on <prefix>/registry/response (off by default)
 *   <prefix>/error                what was wrong with a command (not retained)
 *
 * A command that arrives retained was stored by the broker, perhaps long ago: it is ignored, so a
 * reconnect never replays an old command onto a relay. Every (re)connection publishes the
 * availability, the discovery configs and every state again, and so does Home Assistant's birth
 * message; state changes made while offline wait in the client's queue, newest per topic.
 */
import type { ConnectionBudget } from "../connection-budget.ts";
import { MAX_CERTIFICATE_BYTES } from "../flash-files.ts";
import type { Host } from "../host.ts";
import type { IoKind } from "../io/channel.ts";
import type { Io } from "../io/io.ts";
import { inputKey, outputKey } from "../io/keys.ts";
import { parseRelayCommand } from "../io/relay.ts";
import { parseBoolean } from "../registry/keys.ts";
import { RegistryError, type LiveValues, type Registry } from "../registry/registry.ts";
import { readKeys, writeKeys } from "../registry/client-api.ts";
import { NO_NAMES, parseJson } from "../json-input.ts";
import { jsonAscii } from "../json-ascii.ts";
import { MqttClient, SIMULATOR_MQTT, type MqttLimits, type MqttSettings } from "./client.ts";
import { MQTT_KEYS } from "./keys.ts";

export interface MqttIdentity {
  serialNumber: number;
  model: string;
  version: string;
}


export class MqttService implements LiveValues {
  private client: MqttClient | undefined;
  private current = ""; // the settings the client runs with, as JSON
  private status = "disabled";
  private prefix = "";
  private discoveryPrefix = "";
  private discovery = false;
  private registryAccess = false;
  private qos: 0 | 1 = 1;
  private applying = false;
  private readonly shown: { inputs: string[]; counts: string[]; outputs: string[] } = { inputs: [], counts: [], outputs: [] };
  private readonly unsubscribe: (() => void)[] = [];

  constructor(
    private readonly host: Host,
    private readonly deps: { registry: Registry; io: Io; identity: MqttIdentity; budget?: ConnectionBudget; off?: string },
    private readonly limits: MqttLimits = SIMULATOR_MQTT,
  ) {
    deps.registry.schema.define(MQTT_KEYS);
    deps.registry.provide(this);
    this.unsubscribe.push(
      deps.registry.watch("MQTT", () => this.applySoon()),
      deps.io.onChange((kind, index) => this.publishChannel(kind, index)),
    );
    this.apply();
  }

  liveValue(key: string): string | undefined {
    return key === "mqtt/$status" ? this.status : undefined;
  }

  liveKeys(): string[] {
    return ["MQTT/$Status"];
  }

  /** The running client (tests and status pages). */
  get connection(): MqttClient | undefined {
    return this.client;
  }

  close(): void {
    for (const stop of this.unsubscribe.splice(0)) stop();
    this.client?.stop();
    this.client = undefined;
  }

  /** Reads the settings again: a file they name (the CA file) may have changed. */
  refresh(): void {
    this.applySoon();
  }

  // --- settings -----------------------------------------------------------------------------------

  private applySoon(): void {
    if (this.applying) return;
    this.applying = true;
    Promise.resolve().then(() => {
      this.applying = false;
      this.apply();
    });
  }

  /**
   * Starts, stops or restarts the client when the settings it runs with changed. A setting that
   * cannot be applied is said in MQTT/$Status and the log; it never stops the rest of the unit.
   */
  private apply(): void {
    try {
      this.applySettings();
    } catch (e) {
      const problem = `cannot apply the settings: ${(e as Error).message}`;
      this.client?.stop();
      this.client = undefined;
      this.current = "";
      this.host.log("error", "mqtt: " + problem);
      this.setStatus(problem);
    }
  }

  private applySettings(): void {
    if (this.deps.off) return this.setStatus(this.deps.off);
    const r = this.deps.registry;
    const get = (k: string): string => r.get("MQTT/" + k) ?? "";
    const serial = this.deps.identity.serialNumber;
    const enabled = parseBoolean(get("Enabled")) === true && get("Host") !== "";
    this.prefix = get("Prefix") || `iobox/${serial}`;
    this.discoveryPrefix = get("DiscoveryPrefix") || "homeassistant";
    this.discovery = parseBoolean(get("Discovery")) !== false;
    this.registryAccess = parseBoolean(get("RegistryAccess")) === true;
    this.qos = get("QoS") === "0" ? 0 : 1;
    let settings: MqttSettings | undefined;
    let problem = "";
    if (enabled) {
      settings = {
        host: get("Host").replace(/^\[|\]$/g, ""),
        port: Number(get("Port")),
        clientId: get("ClientId") || `iobox-${serial}`,
        username: get("Username") || undefined,
        password: get("Password") || undefined,
        keepAliveSec: Number(get("KeepAlive")),
        will: { topic: this.prefix + "/status", payload: "offline", qos: 1, retain: true },
      };
      if (parseBoolean(get("TLS")) === true) {
        const caFile = get("CAFile");
        const size = caFile ? this.host.files.size(caFile) : -1;
        const ca = size > 0 && size <= MAX_CERTIFICATE_BYTES ? this.host.files.read(caFile) : undefined;
        if (caFile && size < 0) problem = `the CA file ${caFile} does not exist`;
        else if (size > MAX_CERTIFICATE_BYTES) problem = `the CA file ${caFile} is larger than ${MAX_CERTIFICATE_BYTES} bytes`;
        settings.tls = { ca: ca ? this.host.text.decode(ca, 0, ca.length) : undefined };
      }
    }
    const next = JSON.stringify({ settings, problem, registryAccess: this.registryAccess, discovery: this.discovery, dp: this.discoveryPrefix, qos: this.qos });
    if (next === this.current) return;
    this.current = next;
    this.client?.stop();
    this.client = undefined;
    if (!settings) return this.setStatus("disabled");
    if (problem) {
      this.host.log("error", "mqtt: " + problem);
      return this.setStatus(problem);
    }
    if (this.registryAccess) this.host.log("warn", `mqtt: MQTT/RegistryAccess is on: whoever may publish to ${this.prefix}/registry/write can change the registry`);
    const client = new MqttClient(this.host, settings, this.limits, this.deps.budget);
    client.onStatus = (s) => this.setStatus(s);
    client.onConnected = () => this.connected();
    client.onMessage = (topic, payload, retained) => this.message(topic, payload, retained);
    this.client = client;
    this.shown.inputs.length = this.shown.counts.length = this.shown.outputs.length = 0;
    client.start();
  }

  private setStatus(status: string): void {
    if (status === this.status) return;
    this.status = status;
    this.deps.registry.notify("MQTT/$Status");
  }

  // --- publishing ---------------------------------------------------------------------------------

  private connected(): void {
    const c = this.client!;
    const p = this.prefix;
    const subscriptions: { topic: string; qos: 0 | 1 }[] = [
      { topic: `${p}/relay/+/set`, qos: 1 },
      { topic: `${p}/relay/+/pulse`, qos: 1 },
    ];
    if (this.discovery) subscriptions.push({ topic: `${this.discoveryPrefix}/status`, qos: 1 });
    if (this.registryAccess) subscriptions.push({ topic: `${p}/registry/read`, qos: 1 }, { topic: `${p}/registry/write`, qos: 1 });
    c.subscribe(subscriptions);
    c.publish(`${p}/status`, "online", { qos: 1, retain: true });
    this.publishAll();
  }

  /** Discovery and every state: after a (re)connection, and when Home Assistant comes online. */
  private publishAll(): void {
    if (this.discovery) this.publishDiscovery();
    this.shown.inputs.length = this.shown.counts.length = this.shown.outputs.length = 0;
    for (let i = 0; i < this.deps.io.inputs.length; i++) this.publishChannel("input", i);
    for (let i = 0; i < this.deps.io.outputs.length; i++) this.publishChannel("output", i);
  }

  /** The channel's state (and count) when they differ from what was last published. */
  private publishChannel(kind: IoKind, index: number): void {
    const c = this.client;
    if (!c) return;
    const options = { qos: this.qos, retain: true };
    const n = index + 1;
    if (kind === "input") {
      const ch = this.deps.io.inputs[index]!;
      const state = ch.reported ? "1" : "0";
      const count = String(ch.count);
      if (this.shown.inputs[index] !== state) c.publish(`${this.prefix}/input/${n}/state`, (this.shown.inputs[index] = state), options);
      if (this.shown.counts[index] !== count) c.publish(`${this.prefix}/input/${n}/count`, (this.shown.counts[index] = count), options);
    } else {
      const state = this.deps.io.outputs[index]!.level ? "1" : "0";
      if (this.shown.outputs[index] !== state) c.publish(`${this.prefix}/relay/${n}/state`, (this.shown.outputs[index] = state), options);
    }
  }

  /** Home Assistant MQTT discovery: a binary sensor and a counter per input, a switch per relay. */
  private publishDiscovery(): void {
    const { serialNumber, model, version } = this.deps.identity;
    const r = this.deps.registry;
    const p = this.prefix;
    const node = `iobox_${serialNumber}`;
    const common = {
      availability_topic: `${p}/status`,
      payload_available: "online",
      payload_not_available: "offline",
      device: { identifiers: [node], name: r.get("Device/Desc") || `iobox ${serialNumber}`, model: `JNIOR ${model} compatible`, manufacturer: "iobox", sw_version: version },
    };
    const send = (component: string, id: string, config: Record<string, unknown>): void =>
      this.client!.publish(`${this.discoveryPrefix}/${component}/${node}/${id}/config`, JSON.stringify({ ...config, unique_id: `${node}_${id}`, ...common }), { qos: 1, retain: true });
    for (let i = 0; i < this.deps.io.inputs.length; i++) {
      const n = i + 1;
      const name = r.get(inputKey(i, "Desc")) ?? `Digital Input ${n}`;
      send("binary_sensor", `din${n}`, { name, state_topic: `${p}/input/${n}/state`, payload_on: "1", payload_off: "0" });
      send("sensor", `din${n}_count`, { name: name + " count", state_topic: `${p}/input/${n}/count`, state_class: "total_increasing" });
    }
    for (let i = 0; i < this.deps.io.outputs.length; i++) {
      const n = i + 1;
      send("switch", `rout${n}`, {
        name: r.get(outputKey(i, "Desc")) ?? `Relay Output ${n}`,
        command_topic: `${p}/relay/${n}/set`,
        payload_on: "on",
        payload_off: "off",
        state_topic: `${p}/relay/${n}/state`,
        state_on: "1",
        state_off: "0",
      });
    }
  }

  // --- receiving ----------------------------------------------------------------------------------

  private message(topic: string, payload: Uint8Array, retained: boolean): void {
    const text = this.host.text.decode(payload, 0, payload.length).trim();
    if (topic === `${this.discoveryPrefix}/status`) {
      if (text === "online") this.publishAll(); // Home Assistant (re)started: it needs discovery again
      return;
    }
    if (retained) {
      this.host.log("info", `mqtt: ignored a retained command on ${topic}: a stored message must not move a relay`);
      return;
    }
    const p = this.prefix + "/";
    if (!topic.startsWith(p)) return;
    const rest = topic.slice(p.length);
    try {
      const relay = /^relay\/(\d{1,3})\/(set|pulse)$/.exec(rest);
      if (relay) return this.relayCommand(Number(relay[1]), relay[2]!, text);
      if (this.registryAccess && rest === "registry/read") return this.registryRead(text);
      if (this.registryAccess && rest === "registry/write") return this.registryWrite(text);
    } catch (e) {
      if (!(e instanceof RangeError || e instanceof RegistryError || e instanceof SyntaxError)) throw e;
      this.client?.publish(p + "error", JSON.stringify({ topic, error: e.message }), { qos: 0, retain: false });
      this.host.log("info", `mqtt: ${topic}: ${e.message}`);
    }
  }

  private relayCommand(channel: number, verb: string, text: string): void {
    if (verb === "pulse") {
      const ms = Number(text);
      if (!/^\d{1,8}$/.test(text) || ms <= 0) throw new RangeError(`a pulse is a number of milliseconds (got "${text.slice(0, 20)}")`);
      return this.deps.io.control("close", channel, ms);
    }
    const command = parseRelayCommand(text);
    if (!command) throw new RangeError(`say on, off or toggle (got "${text.slice(0, 20)}")`);
    this.deps.io.control(command, channel);
  }

  private registryRead(text: string): void {
    this.respond({ Keys: readKeys(this.deps.registry, parseJson(text, { names: NO_NAMES, others: "foreign" })) });
  }

  private registryWrite(text: string): void {
    // key names stay strings (ForeignJson): on the device a property name is heap kept for good
    this.respond({ Keys: writeKeys(this.deps.registry, parseJson(text, { names: NO_NAMES, others: "foreign" })) });
  }

  private respond(body: Record<string, unknown>): void {
    this.client?.publish(`${this.prefix}/registry/response`, jsonAscii(body), { qos: 1, retain: false });
  }
}
