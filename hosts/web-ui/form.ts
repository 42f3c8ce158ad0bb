/**
 * A form over registry keys (Device name, JMP, MQTT): fields follow the live values until edited,
 * Save writes only what was changed, in one atomic Registry Write, and the device's reasons are
 * shown next to the fields they name.
 */
import { app, janos, on } from "./app.ts";
import { busy, field, h, say } from "./dom.ts";
import { watch } from "./store.ts";

export interface Field {
  key: string;
  label: string;
  kind?: "text" | "number" | "bool" | "password" | "select";
  options?: string[];
  placeholder?: string;
}

const TRUE = /^\s*(true|1|yes|on|enabled)\s*$/i;

export function keyForm(title: string, fields: Field[], note?: string): HTMLElement {
  const rows = fields.map((f) => {
    const input =
      f.kind === "select"
        ? h("select", null, ...(f.options ?? []).map((o) => h("option", { value: o }, o)))
        : h("input", {
            type: f.kind === "bool" ? "checkbox" : (f.kind ?? "text"),
            // the browser must not fill a saved login into a broker's password field
            autocomplete: f.kind === "password" ? "new-password" : "off",
            placeholder: f.placeholder,
          });
    const box = h("div", { class: "fieldbox" }, field(f.label, input));
    const check = input instanceof HTMLInputElement && input.type === "checkbox" ? input : undefined;
    let known = "";
    let dirty = false;
    const show = (): void => {
      if (check) check.checked = TRUE.test(known);
      else input.value = known;
    };
    watch(f.key, (v) => {
      known = v;
      if (!dirty) show();
    });
    input.addEventListener("input", () => (dirty = true));
    input.addEventListener("change", () => (dirty = true));
    return {
      key: f.key,
      box,
      value: () => (check ? String(check.checked) : input.value),
      changed: () => dirty && (check ? check.checked !== TRUE.test(known) : input.value !== known),
      reset() {
        dirty = false;
        show();
        say(box, "");
      },
    };
  });
  const save = h("button", { type: "submit" }, "Save");
  const set = h("fieldset", null, h("legend", null, title), ...rows.map((r) => r.box), note ? h("p", { class: "mut" }, note) : null, save);
  const form = h("form", { class: "card" }, set);
  form.onsubmit = (e) => {
    e.preventDefault();
    const keys: Record<string, string> = {};
    for (const r of rows) if (r.changed()) keys[r.key] = r.value();
    if (!Object.keys(keys).length) return say(form, "Nothing changed.", true);
    rows.forEach((r) => say(r.box, ""));
    void busy(save, form, async () => {
      try {
        await janos.write(keys);
      } catch (e) {
        // "400 Bad Request: MQTT/Port: must be…; MQTT/Host: must be…": each reason goes to its field
        const text = e instanceof Error ? e.message : String(e);
        const rest: string[] = [];
        for (const part of text.replace(/^\d{3} [^:]*: /, "").split(/; (?=[^;:\s]+: )/)) {
          const i = part.indexOf(": ");
          const row = i > 0 ? rows.find((r) => r.key.toLowerCase() === part.slice(0, i).toLowerCase()) : undefined;
          if (row) say(row.box, part.slice(i + 2));
          else rest.push(part);
        }
        if (rest.length) throw new Error(rest.join("; "));
        throw new Error("Not saved: see the fields above.");
      }
      rows.forEach((r) => r.reset());
      return "Saved.";
    });
  };
  on("role", () => {
    set.disabled = !app.admin;
    save.hidden = !app.admin;
  });
  return form;
}
