/** Device: identity, version, uptime, board, and the device's name. */
import { app, on, type View } from "../app.ts";
import { h } from "../dom.ts";
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
    tick();
  });
  const el = h("div", null, h("section", { class: "card" }, h("h2", null, "Device"), list), keyForm("Name", [{ key: "Device/Desc", label: "Device name", placeholder: "iobox <serial number>" }]), passwordForm());
  return { el };
}
