/** Simulator (only on the simulator): drives the virtual board's inputs through /api/sim. */
import { app, on, type View } from "../app.ts";
import { busy, h, message, say } from "../dom.ts";
import { call } from "../api.ts";

function row(n: number): { el: HTMLElement; seen(state: number): void } {
  const sw = h("input", { type: "checkbox" });
  let touched = false;
  sw.onchange = () => {
    touched = true;
    const on = sw.checked;
    say(el, "");
    call(`/api/sim/inputs/${n}`, "POST", { on }).catch((e) => {
      sw.checked = !on;
      say(el, message(e));
    });
  };
  const num = (value: string, aria: string): HTMLInputElement => h("input", { type: "number", class: "num", min: "1", step: "1", value, "aria-label": aria });
  const count = num("10", `Pulse count for input ${n}`);
  const width = num("20", `Pulse width in ms for input ${n}`);
  const period = num("50", `Pulse period in ms for input ${n}`);
  const go = h("button", { type: "submit", "aria-label": `Pulse train on input ${n}` }, "Pulse train");
  const el = h(
    "form",
    { class: "row", "data-sim-input": n },
    h("label", { class: "check name" }, sw, ` Input ${n}`),
    h("span", { class: "acts" }, count, h("span", { class: "mut" }, "×"), width, h("span", { class: "mut" }, "ms every"), period, h("span", { class: "mut" }, "ms"), go),
  );
  el.onsubmit = (e) => {
    e.preventDefault();
    void busy(go, el, async () => {
      const r = await call<{ durationMs?: number }>(`/api/sim/inputs/${n}/pulses`, "POST", { count: Number(count.value), width: Number(width.value), period: Number(period.value) });
      return r?.durationMs !== undefined ? `Pulsing for ${r.durationMs} ms.` : "Pulsing.";
    });
  };
  return {
    el,
    // the switch starts from the input's reported state; once used, it shows what was last sent
    seen(state) {
      if (!touched) sw.checked = state === 1;
    },
  };
}

export function simView(): View {
  const list = h("div", { class: "rows" });
  let rows: ReturnType<typeof row>[] = [];
  const size = (n: number): void => {
    if (n === rows.length) return;
    rows = Array.from({ length: n }, (_, i) => row(i + 1));
    list.replaceChildren(...rows.map((r) => r.el));
    enable();
  };
  const enable = (): void => {
    for (const c of list.querySelectorAll<HTMLInputElement | HTMLButtonElement>("input,button")) c.disabled = app.role === "view";
  };
  on("info", (i) => i.simulator && size(i.inputs));
  on("monitor", (m) => {
    if (!app.info?.simulator) return;
    size(m.Inputs.length);
    m.Inputs.forEach((x, i) => rows[i]!.seen(x.State));
  });
  on("role", enable);
  const el = h("section", { class: "card" }, h("h2", null, "Simulated inputs"), h("p", { class: "mut" }, "Switch an input of the virtual board, or send it a train of pulses (the device then debounces, latches and counts them)."), list);
  return { el };
}
