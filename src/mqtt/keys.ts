/**
 * The MQTT client's registry keys. Any change applies at once: the client reconnects with the new
 * settings. Off until `MQTT/Enabled` is set and a broker host is named.
 */
import { checkFilePath } from "../file-path.ts";
import { keyTable, type KeyFormat } from "../registry/schema.ts";

const HOST: KeyFormat = { description: "a host name or IP address", test: (v) => /^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$|^\[?[0-9A-Fa-f:.]{2,45}\]?$/.test(v) };
const TOPIC_PREFIX: KeyFormat = { description: "a topic without + or #", test: (v) => /^[^#+\u0000]{1,100}$/.test(v) };
const CLIENT_ID: KeyFormat = { description: "1 to 64 printable ASCII characters", test: (v) => /^[\x21-\x7e]{1,64}$/.test(v) };
// the one rule every host applies to file paths (src/file-path.ts): a value this accepts, the service can open
const FILE_PATH: KeyFormat = {
  description: "a file path on the device, such as certs/mqtt-ca.pem",
  test: (v) => {
    try {
      checkFilePath(v);
      return true;
    } catch {
      return false;
    }
  },
};

export const MQTT_KEYS = keyTable(
  [
  { pattern: "MQTT/Enabled", type: "boolean", default: "false", description: "Connect to the MQTT broker." },
  { pattern: "MQTT/Host", type: "string", max: 253, format: HOST, description: "The broker's host name or address." },
  { pattern: "MQTT/Port", type: "integer", min: 1, max: 65535, default: "1883", description: "The broker's port (8883 is usual with TLS)." },
  { pattern: "MQTT/TLS", type: "boolean", default: "false", description: "Connect over TLS, verifying the broker's certificate." },
  {
    pattern: "MQTT/CAFile",
    type: "string",
    max: 64,
    format: FILE_PATH,
    description: "A PEM file of CA certificates to trust for the broker; empty: the platform's.",
  },
  { pattern: "MQTT/Username", type: "string", max: 128, description: "The user name for the broker; empty: none." },
  { pattern: "MQTT/Password", type: "string", max: 128, secret: true, description: "The password for the broker." },
  { pattern: "MQTT/ClientId", type: "string", format: CLIENT_ID, description: "The client id; empty: iobox-<serial number>." },
  {
    pattern: "MQTT/Prefix",
    type: "string",
    format: TOPIC_PREFIX,
    description: "The topic prefix; empty: iobox/<serial number>.",
  },
  { pattern: "MQTT/KeepAlive", type: "integer", min: 5, max: 3600, default: "60", unit: "s", description: "Seconds between keep-alive pings when nothing else is sent." },
  { pattern: "MQTT/QoS", type: "enum", values: ["0", "1"], default: "1", description: "QoS of state messages (1: queued while offline, delivered at least once)." },
  { pattern: "MQTT/Discovery", type: "boolean", default: "true", description: "Publish Home Assistant discovery for every input, relay and counter." },
  {
    pattern: "MQTT/DiscoveryPrefix",
    type: "string",
    default: "homeassistant",
    format: TOPIC_PREFIX,
    description: "Home Assistant's discovery prefix.",
  },
  {
    pattern: "MQTT/RegistryAccess",
    type: "boolean",
    default: "false",
    description: "Let anyone who may publish to <prefix>/registry/read and /write read and change the registry, as an administrator.",
  },
],
  { node: "MQTT", owner: "the MQTT client" },
);
