/** Device: identity, version, uptime, board, and the device's name. */
import { app, janos, on, type View } from "../app.ts";
import { busy, h } from "../dom.ts";
import { keyForm } from "../form.ts";
import { watch } from "../store.ts";
import { passwordForm } from "./users.ts";

export function uptime(ms: number): string {
  const s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86400);
  const hms = [Math.floor(s / 3600) % 24, Math.floor(s / 60) % 60, s % 60].map((n) => String(n).padStart(2, "0")).join(":");
  return (d ? d + " d " : "") + hms;
}

export function deviceView(): View {
  const list = h("dl", { class: "facts" });
  const fact = (term: string): HTMLElement => {
    const dd = h("dd");
    list.append(h("dt", null, term), dd);
    return dd;
  };
  const model = fact("Model");
  const serial = fact("Serial number");
  const version = fact("Version");
  const up = fact("Uptime");
  const boot = fact("Booted");
  const board = fact("Board");
  const platform = fact("Platform");
  const fingerprint = fact("Certificate SHA-256");
  fingerprint.classList.add("fingerprint");
  watch("$Model", (v) => (model.textContent = v));
  watch("$SerialNumber", (v) => (serial.textContent = v));
  watch("$Version", (v) => (version.textContent = v));
  watch("$BootTime", (v) => {
    const t = Date.parse(v);
    boot.textContent = Number.isNaN(t) ? v : new Date(t).toLocaleString();
  });
  const tick = (): void => {
    if (app.info) up.textContent = uptime(app.info.uptimeMs + Date.now() - app.infoAt);
  };
  setInterval(tick, 1000);
  on("info", (i) => {
    if (!model.textContent) model.textContent = i.model;
    if (!serial.textContent) serial.textContent = String(i.serialNumber);
    if (!version.textContent) version.textContent = i.version;
    board.textContent = i.board;
    platform.textContent = i.platform + (i.simulator ? " (simulator)" : "");
    // what a browser shows for the certificate the TLS port serves: compare before trusting it
    fingerprint.textContent = i.tlsFingerprint ?? "no TLS port";
    tick();
  });
  const el = h("div", null, h("section", { class: "card" }, h("h2", null, "Device"), list), keyForm("Name", [{ key: "Device/Desc", label: "Device name", placeholder: "iobox <serial number>" }]), passwordForm(), restartCard());
  return { el };
}

/** Reboot, for administrators where the unit can restart itself (the JANOS message `Reboot`, iobox's own). */
function restartCard(): HTMLElement {
  const go = h("button", { type: "button", id: "reboot" }, "Reboot");
  const card = h("section", { class: "card", hidden: true }, h("h2", null, "Restart"), h("p", null, "Saves the registry, stops the unit and starts it again. Every connection drops for a few seconds; this page reconnects by itself."), go);
  go.onclick = () => {
    if (!confirm("Reboot the unit now?")) return;
    void busy(go, card, async () => {
      await janos.request({ Message: "Reboot" });
      return "Rebooting…";
    });
  };
  const update = (): void => {
    card.hidden = !(app.admin && app.info?.canReboot);
  };
  on("info", update);
  on("role", update);
  return card;
}
