/** I/O: every input and relay, live from Monitors, with the controls a control user may use. */
import { app, janos, label, on, type View } from "../app.ts";
import { h, message, say } from "../dom.ts";
import { watch } from "../store.ts";

interface Row {
  el: HTMLElement;
  set(state: number, count?: number): void;
  drop(): void;
}

/** Labels and live values of one channel, from its registry keys; repaints on any change. */
function channel(base: string, defaults: Record<string, string>, paint: (v: Record<string, string>) => void): () => void {
  const v: Record<string, string> = { ...defaults };
  paint(v);
  const offs = Object.keys(defaults).map((k) =>
    watch(base + k, (s) => {
      v[k] = k.startsWith("$") ? s : label(s, defaults[k]!);
      paint(v);
    }),
  );
  return () => offs.forEach((off) => off());
}

/** What inputs and relays share: a name, a state in words (OnDesc/OffDesc), an hour meter. */
function common(): { name: HTMLElement; state: HTMLElement; hours: HTMLElement; paint(v: Record<string, string>, value: number): string } {
  const name = h("span", { class: "name" });
  const state = h("span", { class: "state", "data-field": "state", "data-value": "0" });
  const hours = h("span", { class: "mut", "data-field": "hours" });
  return {
    name,
    state,
    hours,
    paint(v, value) {
      name.textContent = v.Desc!;
      state.textContent = value ? v.OnDesc! : v.OffDesc!;
      state.dataset.value = String(value);
      hours.textContent = (v.$HourMeter || "0.00") + " h";
      return v.Desc!;
    },
  };
}

/** Runs a Control, showing the device's refusal (403 for view users, 400…) in the row. */
function act(row: HTMLElement, run: () => Promise<unknown>): void {
  say(row, "");
  run().catch((e) => say(row, message(e)));
}

function inputRow(n: number): Row {
  const { name, state, hours, paint: paintCommon } = common();
  const count = h("b", { "data-field": "count" }, "0");
  const latched = h("span", { class: "badge", "data-field": "latched", "data-value": "0", hidden: true }, "latched");
  const resetLatch = h("button", { type: "button" }, "Reset latch");
  const resetCount = h("button", { type: "button" }, "Reset counter");
  const el = h("li", { class: "row", "data-input": n }, name, state, h("span", { class: "mut" }, "count ", count), hours, latched, h("span", { class: "acts" }, resetLatch, resetCount));
  let value = 0;
  let v: Record<string, string> = {};
  const paint = (): void => {
    const desc = paintCommon(v, value);
    latched.hidden = v.$Latched !== "1";
    latched.dataset.value = latched.hidden ? "0" : "1";
    resetLatch.setAttribute("aria-label", "Reset latch " + desc);
    resetCount.setAttribute("aria-label", "Reset counter " + desc);
  };
  const drop = channel(`IO/Inputs/din${n}/`, { Desc: `Digital Input ${n}`, OnDesc: "On", OffDesc: "Off", $HourMeter: "", $Latched: "" }, (x) => {
    v = x;
    paint();
  });
  resetLatch.onclick = () => act(el, () => janos.command("Reset Latch", n));
  resetCount.onclick = () => act(el, () => janos.command("Reset Counter", n));
  return {
    el,
    set(s, c) {
      value = s ? 1 : 0;
      count.textContent = String(c ?? 0);
      paint();
    },
    drop,
  };
}

function relayRow(n: number): Row {
  const { name, state, hours, paint: paintCommon } = common();
  const toggle = h("button", { type: "button" }, "Toggle");
  const duration = h("input", { type: "number", class: "num", min: "1", step: "1", value: "1000", inputmode: "numeric" });
  const pulse = h("button", { type: "button" }, "Pulse");
  const el = h("li", { class: "row", "data-relay": n }, name, state, hours, h("span", { class: "acts" }, toggle, duration, h("span", { class: "mut" }, "ms"), pulse));
  let value = 0;
  let v: Record<string, string> = {};
  const paint = (): void => {
    const desc = paintCommon(v, value);
    toggle.setAttribute("aria-label", "Toggle " + desc);
    pulse.setAttribute("aria-label", "Pulse " + desc);
    duration.setAttribute("aria-label", "Pulse duration for " + desc);
  };
  const drop = channel(`IO/Outputs/rout${n}/`, { Desc: `Relay Output ${n}`, OnDesc: "Closed", OffDesc: "Open", $HourMeter: "" }, (x) => {
    v = x;
    paint();
  });
  toggle.onclick = () => act(el, () => janos.command("Toggle", n));
  // a pulse goes to the other state and back: Close with a Duration when open, Open when closed
  pulse.onclick = () => {
    const ms = Number(duration.value);
    if (!Number.isInteger(ms) || ms < 1) return say(el, "The pulse duration must be a whole number of milliseconds, at least 1.");
    act(el, () => janos.command(value ? "Open" : "Close", n, ms));
  };
  return {
    el,
    set(s) {
      value = s ? 1 : 0;
      paint();
    },
    drop,
  };
}

export function ioView(): View {
  const inputs = h("ul", { class: "rows" });
  const relays = h("ul", { class: "rows" });
  const note = h("p", { class: "mut", hidden: true }, "Your account may view the I/O but not operate it.");
  const el = h("div", null, note, h("section", { class: "card" }, h("h2", null, "Inputs"), inputs), h("section", { class: "card" }, h("h2", null, "Relays"), relays));
  let ins: Row[] = [];
  let outs: Row[] = [];

  const size = (ni: number, no: number): void => {
    if (ni !== ins.length) {
      ins.forEach((r) => r.drop());
      ins = Array.from({ length: ni }, (_, i) => inputRow(i + 1));
      inputs.replaceChildren(...ins.map((r) => r.el));
    }
    if (no !== outs.length) {
      outs.forEach((r) => r.drop());
      outs = Array.from({ length: no }, (_, i) => relayRow(i + 1));
      relays.replaceChildren(...outs.map((r) => r.el));
    }
    enable();
  };
  // view users see the controls disabled; the device would refuse them anyway (403)
  const enable = (): void => {
    for (const c of el.querySelectorAll<HTMLButtonElement | HTMLInputElement>(".acts button, .acts input")) c.disabled = !app.control;
    note.hidden = !janos.live || app.control;
  };

  on("info", (i) => {
    if (!app.monitor) size(i.inputs, i.outputs);
  });
  on("monitor", (m) => {
    size(m.Inputs.length, m.Outputs.length);
    m.Inputs.forEach((x, i) => ins[i]!.set(x.State, x.Count));
    m.Outputs.forEach((x, i) => outs[i]!.set(x.State));
  });
  on("role", enable);
  return { el };
}
