/**
 * Registry: a tree listed lazily from Registry List, values from Registry Read kept live by
 * Registry Update, and (administrators) editing with the device's own validation.
 */
import { app, janos, on, type View } from "../app.ts";
import { busy, h, message, say } from "../dom.ts";
import { get, watch } from "../store.ts";

function keyRow(full: string, name: string, offs: (() => void)[]): HTMLElement {
  // live ($) keys are computed by the device: nobody can write them
  const editable = app.admin && !name.startsWith("$");
  const input = h("input", { class: "val", "data-key": full, "aria-label": full, readOnly: !editable, autocomplete: "off", spellcheck: false });
  const save = editable ? h("button", { type: "submit", "aria-label": "Save " + full }, "Save") : null;
  const form = h("form", { class: "kv" }, h("span", { class: "k", title: full }, name), input, save);
  const li = h("li", null, form);
  let dirty = false;
  // a value being edited is not overwritten by an update; Save or Escape ends the edit
  offs.push(watch(full, (v) => dirty || (input.value = v)));
  input.oninput = () => (dirty = true);
  input.onkeydown = (e) => {
    if (e.key !== "Escape" || !dirty) return;
    dirty = false;
    input.value = get(full) ?? "";
    say(li, "");
  };
  form.onsubmit = (e) => {
    e.preventDefault();
    if (!save) return;
    void busy(save, li, async () => {
      await janos.write({ [full]: input.value });
      dirty = false;
    });
  };
  return li;
}

function nodeRow(path: string, name: string): HTMLElement {
  const toggle = h("button", { type: "button", class: "node", "aria-expanded": "false" }, name + "/");
  const li = h("li", null, toggle);
  let offs: (() => void)[] = [];
  toggle.onclick = () => {
    const open = toggle.getAttribute("aria-expanded") === "true";
    li.querySelector(":scope > ul")?.remove();
    offs.forEach((off) => off());
    offs = [];
    toggle.setAttribute("aria-expanded", String(!open));
    if (!open) void fill(li, path, offs);
  };
  return li;
}

async function fill(li: HTMLElement, node: string, offs: (() => void)[]): Promise<void> {
  const ul = h("ul", { class: "tree" });
  li.append(ul);
  say(li, "");
  try {
    for (const entry of await janos.list(node)) {
      const name = entry.replace(/\/$/, "");
      const full = node ? node + "/" + name : name;
      ul.append(entry.endsWith("/") ? nodeRow(full, name) : keyRow(full, name, offs));
    }
  } catch (e) {
    say(li, message(e));
  }
}

export function registryView(): View {
  const root = h("div");
  const reload = h("button", { type: "button" }, "Reload");
  // any key, also one not listed yet (AppData/...): administrators only, the device validates it
  const key = h("input", { autocomplete: "off", required: true, placeholder: "AppData/Name" });
  const value = h("input", { autocomplete: "off" });
  const write = h("button", { type: "submit" }, "Write key");
  const add = h("form", { class: "fields" }, h("label", { class: "field" }, h("span", null, "Key"), key), h("label", { class: "field" }, h("span", null, "Value"), value), h("span", { class: "field" }, write));
  add.onsubmit = (e) => {
    e.preventDefault();
    void busy(write, add, async () => {
      const written = await janos.write({ [key.value.trim()]: value.value });
      return "Written: " + Object.keys(written).join(", ");
    });
  };
  on("role", () => (add.hidden = !app.admin));
  const el = h("section", { class: "card" }, h("div", { class: "bar" }, h("h2", null, "Registry"), reload), add, root);
  let wanted = false;
  let loaded = false;
  let offs: (() => void)[] = [];
  const load = (): void => {
    offs.forEach((off) => off());
    offs = [];
    root.replaceChildren();
    loaded = true;
    void fill(root, "", offs);
  };
  reload.onclick = load;
  // loaded on first view, and again after a reconnect: the device may have restarted with other keys
  on("ready", () => wanted && load());
  return {
    el,
    show() {
      wanted = true;
      if (!loaded && janos.live) load();
    },
  };
}
