/** Network: the ports served, JMP, and MQTT settings with the client's live status. */
import { on, type View } from "../app.ts";
import { h } from "../dom.ts";
import { keyForm } from "../form.ts";
import { watch } from "../store.ts";

export function networkView(): View {
  const ports = h("dl", { class: "facts" });
  const status = h("span", { "data-field": "mqtt-status" });
  watch("MQTT/$Status", (v) => (status.textContent = v || "unknown"));
  on("info", (i) => {
    const port = (p: number | null | undefined): string => (p ? String(p) : "off");
    ports.replaceChildren(
      h("dt", null, "HTTP and WebSocket"),
      h("dd", null, port(i.ports.http)),
      h("dt", null, "HTTPS and secure WebSocket (TLS)"),
      h("dd", null, i.ports.https ? `served, port ${i.ports.https}` : "not served"),
      h("dt", null, "JMP (JANOS over TCP)"),
      h("dd", null, port(i.ports.jmp)),
      h("dt", null, "This page"),
      h("dd", null, location.protocol === "https:" ? "over TLS" : "not encrypted"),
    );
  });
  const mqtt = keyForm(
    "MQTT",
    [
      { key: "MQTT/Enabled", label: "MQTT enabled", kind: "bool" },
      { key: "MQTT/Host", label: "Broker host" },
      { key: "MQTT/Port", label: "Broker port", kind: "number" },
      { key: "MQTT/TLS", label: "TLS to the broker", kind: "bool" },
      { key: "MQTT/CAFile", label: "CA file on the device", placeholder: "platform CAs" },
      { key: "MQTT/Username", label: "MQTT user name" },
      // reads as ******** and is sent only when edited: the device keeps the stored one otherwise
      { key: "MQTT/Password", label: "MQTT password", kind: "password" },
      { key: "MQTT/ClientId", label: "Client id", placeholder: "iobox-<serial number>" },
      { key: "MQTT/Prefix", label: "Topic prefix", placeholder: "iobox/<serial number>" },
      { key: "MQTT/KeepAlive", label: "Keep-alive (s)", kind: "number" },
      { key: "MQTT/QoS", label: "QoS of state messages", kind: "select", options: ["0", "1"] },
      { key: "MQTT/Discovery", label: "Home Assistant discovery", kind: "bool" },
      { key: "MQTT/DiscoveryPrefix", label: "Discovery prefix" },
      { key: "MQTT/RegistryAccess", label: "Registry access over MQTT (anyone who may publish acts as an administrator)", kind: "bool" },
    ],
    "Changes apply at once: the client reconnects.",
  );
  mqtt.querySelector("legend")!.after(h("p", null, "Status: ", status));
  const el = h(
    "div",
    null,
    h("section", { class: "card" }, h("h2", null, "Ports"), ports),
    keyForm(
      "JMP",
      [
        { key: "JMP/Enabled", label: "JMP enabled", kind: "bool" },
        { key: "JMP/Port", label: "JMP port", kind: "number" },
        { key: "JMP/MaxConnections", label: "JMP max connections", kind: "number" },
      ],
      "Read at boot: a change applies after a restart.",
    ),
    mqtt,
  );
  return { el };
}
