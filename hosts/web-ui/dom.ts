/**
 * Building elements, and updating them only where something changed: views build their nodes
 * once, and a Monitor or Registry Update then touches a text or an attribute, never a subtree.
 * Text always goes in as text nodes (append, textContent): device data is never parsed as HTML.
 */
type Child = Node | string | false | null | undefined;
export type Attrs = Record<string, string | number | boolean | null | undefined | ((e: Event) => void)>;

/** `h("button", { class: "x", onclick: fn, disabled: true }, "Save")`. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Attrs | null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const name in attrs) {
    const v = attrs[name];
    if (typeof v === "function") el.addEventListener(name.slice(2), v);
    else if (name === "value" || name === "checked" || name === "readOnly") (el as unknown as Record<string, unknown>)[name] = v;
    else if (v === true) el.setAttribute(name, "");
    else if (v !== false && v != null) el.setAttribute(name, String(v));
  }
  for (const c of children) if (c) el.append(c);
  return el;
}

export function setText(el: Node, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}

/** A labelled control: the label wraps it, so it needs no id. */
export function field(text: string, control: HTMLElement): HTMLLabelElement {
  return h("label", { class: "field" }, h("span", null, text), control);
}

export function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Shows a result in `box`, in its own line: a failure as an alert (read out at once), a success as
 * a status. An empty text clears it.
 */
export function say(box: Element, text: string, ok = false): void {
  let p = box.querySelector<HTMLElement>(":scope > .msg");
  if (!p) box.append((p = h("p", { class: "msg" })));
  p.setAttribute("role", ok ? "status" : "alert");
  p.className = ok ? "msg ok" : "msg";
  setText(p, text);
}

/**
 * Runs what a button started: the button is disabled meanwhile, and the outcome (a returned text,
 * or the error) is said in `box`, so no promise of the page is ever left rejected and unhandled.
 */
export async function busy(button: HTMLButtonElement, box: Element, action: () => Promise<string | void>): Promise<void> {
  say(box, "");
  const was = button.disabled;
  button.disabled = true;
  try {
    const done = await action();
    if (done) say(box, done, true);
  } catch (e) {
    say(box, message(e));
  } finally {
    button.disabled = was;
  }
}
