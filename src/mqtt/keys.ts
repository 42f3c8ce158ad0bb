/**
 * The MQTT client's registry keys. Any change applies at once: the client reconnects with the new
 * settings. Off until `MQTT/Enabled` is set and a broker host is named.
 */
import type { KeySpec } from "../registry/schema.ts";

const HOST = /^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$|^\[?[0-9A-Fa-f:.]{2,45}\]?$/;
const TOPIC_PREFIX = /^[^#+\u0000]{1,100}$/;
const CLIENT_ID = /^[\x21-\x7e]{1,64}$/;

export const MQTT_KEYS: KeySpec[] = [
  { pattern: "MQTT/Enabled", type: "boolean", default: "false", description: "Connect to the MQTT broker." },
  { pattern: "MQTT/Host", type: "string", max: 253, format: { pattern: HOST, description: "a host name or IP address" }, description: "The broker's host name or address." },
  { pattern: "MQTT/Port", type: "integer", min: 1, max: 65535, default: "1883", description: "The broker's port (8883 is usual with TLS)." },
  { pattern: "MQTT/TLS", type: "boolean", default: "false", description: "Connect over TLS, verifying the broker's certificate." },
  {
    pattern: "MQTT/CAFile",
    type: "string",
    max: 128,
    format: { pattern: /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/, description: "a file path on the device, such as certs/mqtt-ca.pem" },
    description: "A PEM file of CA certificates to trust for the broker; empty: the platform's.",
  },
  { pattern: "MQTT/Username", type: "string", max: 128, description: "The user name for the broker; empty: none." },
  { pattern: "MQTT/Password", type: "string", max: 128, secret: true, description: "The password for the broker." },
  { pattern: "MQTT/ClientId", type: "string", format: { pattern: CLIENT_ID, description: "1 to 64 printable ASCII characters" }, description: "The client id; empty: iobox-<serial number>." },
  {
    pattern: "MQTT/Prefix",
    type: "string",
    format: { pattern: TOPIC_PREFIX, description: "a topic without + or #" },
    description: "The topic prefix; empty: iobox/<serial number>.",
  },
  { pattern: "MQTT/KeepAlive", type: "integer", min: 5, max: 3600, default: "60", unit: "s", description: "Seconds between keep-alive pings when nothing else is sent." },
  { pattern: "MQTT/QoS", type: "enum", values: ["0", "1"], default: "1", description: "QoS of state messages (1: queued while offline, delivered at least once)." },
  { pattern: "MQTT/Discovery", type: "boolean", default: "true", description: "Publish Home Assistant discovery for every input, relay and counter." },
  {
    pattern: "MQTT/DiscoveryPrefix",
    type: "string",
    default: "homeassistant",
    format: { pattern: TOPIC_PREFIX, description: "a topic without + or #" },
    description: "Home Assistant's discovery prefix.",
  },
  {
    pattern: "MQTT/RegistryAccess",
    type: "boolean",
    default: "false",
    description: "Let anyone who may publish to <prefix>/registry/read and /write read and change the registry, as an administrator.",
  },
];
