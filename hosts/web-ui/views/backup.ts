/** Backup (administrators): the registry as a file, and a restore from one. */
import { type View } from "../app.ts";
import { busy, field, h } from "../dom.ts";
import { call } from "../api.ts";

export function backupView(): View {
  const file = h("input", { type: "file", accept: ".ini,.json,.txt,text/plain,application/json", required: true });
  const mode = (value: string, text: string, checked = false): HTMLLabelElement => field(text, h("input", { type: "radio", name: "mode", value, checked }));
  const merge = mode("merge", "Merge: add and change keys, keep the others", true);
  const replace = mode("replace", "Replace: also remove keys the file does not name");
  const go = h("button", { type: "submit" }, "Restore");
  const form = h("form", { class: "card" }, h("h2", null, "Restore"), field("Backup file", file), h("fieldset", null, h("legend", null, "Mode"), merge, replace), go);
  form.onsubmit = (e) => {
    e.preventDefault();
    void busy(go, form, async () => {
      const f = file.files?.[0];
      if (!f) throw new Error("Choose a backup file first.");
      const text = await f.text();
      const how = replace.querySelector("input")!.checked ? "replace" : "merge";
      const json = /\.json$/i.test(f.name) || text.trimStart().startsWith("{");
      const r = await call<{ changed?: number }>("/api/restore?mode=" + how, "POST", text, json ? "application/json" : "text/plain");
      const n = r?.changed ?? 0;
      return `Restored (${how}): ${n} ${n === 1 ? "key" : "keys"} changed.`;
    });
  };
  const el = h(
    "div",
    null,
    h(
      "section",
      { class: "card" },
      h("h2", null, "Download"),
      h("p", null, "The registry (settings and counters; live values are not part of a backup)."),
      h("p", { role: "note" }, h("strong", null, "Secrets: "), "the file holds the stored passwords (MQTT, Wi-Fi) in clear text, so that a restore brings them back: keep it as safe as the unit. Accounts are not in it."),
      h("p", { class: "bar" }, h("a", { class: "button", href: "/api/backup?format=ini", download: "" }, "Download INI"), h("a", { class: "button", href: "/api/backup?format=json", download: "" }, "Download JSON")),
    ),
    form,
  );
  return { el };
}
