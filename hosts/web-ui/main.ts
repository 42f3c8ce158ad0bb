/**
 * The page: a header with the device's name, the connection and the user; tabs; one view per tab.
 * Tabs a user may not use are not shown (the device refuses their requests anyway).
 */
import { app, emit, janos, label, loadInfo, logIn, on, type View } from "./app.ts";
import { h, setText } from "./dom.ts";
import { watch } from "./store.ts";
import { backupView } from "./views/backup.ts";
import { deviceView } from "./views/device.ts";
import { ioView } from "./views/io.ts";
import { networkView } from "./views/network.ts";
import { registryView } from "./views/registry.ts";
import { simView } from "./views/sim.ts";
import { updateView } from "./views/update.ts";
import { usersView } from "./views/users.ts";
import css from "./style.css";

interface Tab {
  name: string;
  make(): View;
  allowed(): boolean;
}

const TABS: Tab[] = [
  { name: "I/O", make: ioView, allowed: () => true },
  { name: "Device", make: deviceView, allowed: () => true },
  { name: "Registry", make: registryView, allowed: () => true },
  { name: "Network", make: networkView, allowed: () => true },
  { name: "Users", make: usersView, allowed: () => app.admin },
  { name: "Backup", make: backupView, allowed: () => app.admin },
  { name: "Update", make: updateView, allowed: () => app.admin },
  { name: "Simulator", make: simView, allowed: () => app.info?.simulator === true },
];

document.head.append(h("style", null, css));

const title = h("h1");
const connection = h("span", { id: "connection", class: "link", "aria-live": "polite" }, "connecting");
const who = h("span", { class: "who" });
const loginButton = h("button", { type: "button", hidden: true, onclick: () => void logIn(true) }, "Log in");
const logoutButton = h("button", { type: "button", hidden: true }, "Log out");
const problem = h("p", { class: "msg problem", role: "alert" });
const safeMode = h(
  "p",
  { id: "safe-mode", class: "msg problem", role: "alert", hidden: true },
  "Safe mode: the unit's last boots failed. The relays stay at their initial states; JMP, MQTT and /api/ws are off. Put right what failed (Registry), then reboot (Device).",
);
const nav = h("nav", { role: "tablist", "aria-label": "Sections" });
const main = h("main");
document.body.append(h("header", null, title, h("span", { class: "who-box" }, connection, who, loginButton, logoutButton)), safeMode, problem, nav, main);

const built = TABS.map((tab, i) => {
  const view = tab.make();
  const button = h("button", { type: "button", role: "tab", "aria-selected": "false", id: "tab" + i }, tab.name);
  const panel = h("section", { role: "tabpanel", "aria-labelledby": "tab" + i, hidden: true }, view.el);
  button.onclick = () => select(i);
  nav.append(button);
  main.append(panel);
  return { tab, view, button, panel };
});

/** The tab's place in the address ("#io", "#registry"), so a reload opens it again. */
const hashOf = (tab: Tab): string => "#" + tab.name.toLowerCase().replace("/", "");

let current = -1;
function select(i: number): void {
  if (i === current || !built[i]!.tab.allowed()) return;
  current = i;
  built.forEach((b, j) => {
    b.button.setAttribute("aria-selected", String(i === j));
    b.panel.hidden = i !== j;
  });
  built[i]!.view.show?.();
  history.replaceState(null, "", hashOf(built[i]!.tab));
}

function allow(): void {
  for (const b of built) b.button.hidden = !b.tab.allowed();
  if (current < 0 || !built[current]!.tab.allowed()) {
    const wanted = built.findIndex((b) => hashOf(b.tab) === location.hash);
    current = -1;
    select(wanted >= 0 && built[wanted]!.tab.allowed() ? wanted : 0);
  }
}

on("link", (state) => {
  setText(connection, state);
  connection.dataset.state = state;
  loginButton.hidden = state !== "login needed";
  if (state === "connected") setText(problem, "");
});
on("role", () => {
  setText(who, app.user ? `${app.user} (${app.role})` : "");
  logoutButton.hidden = !app.user;
  allow();
});
on("info", allow);
on("info", (i) => (safeMode.hidden = !i.safeMode));
on("problem", (text) => setText(problem, text));
// after a reconnect the device may have restarted: its facts (uptime, ports) are read again
on("ready", () => void loadInfo());

let name = "";
const retitle = (): void => {
  const text = label(name, app.info ? `iobox ${app.info.serialNumber}` : "iobox");
  setText(title, text);
  document.title = text;
};
watch("Device/Desc", (v) => {
  name = v;
  retitle();
});
on("info", retitle);

logoutButton.onclick = () => {
  janos.stop("login needed");
  app.user = "";
  emit("role", undefined);
  // the browser keeps Digest credentials for the tab; a new window asks for them again
  void fetch("/logout", { method: "POST", credentials: "same-origin" }).finally(() => setText(problem, "Logged out. Close the browser window to forget the password."));
};

allow();
void loadInfo().then(() => janos.connect());
