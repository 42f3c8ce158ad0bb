/** Users (administrators): accounts and roles; and for everyone, their own password. */
import { app, type Role, type View } from "../app.ts";
import { busy, field, h, message, say } from "../dom.ts";
import { call } from "../api.ts";

interface User {
  name: string;
  role: Role;
}

const ROLES: Role[] = ["administrator", "control", "view"];

function roleSelect(value: Role, aria?: string): HTMLSelectElement {
  const s = h("select", { "aria-label": aria }, ...ROLES.map((r) => h("option", { value: r }, r)));
  s.value = value;
  return s;
}

const path = (name: string): string => "/api/users/" + encodeURIComponent(name);

export function usersView(): View {
  const list = h("ul", { class: "rows" });
  const listBox = h("section", { class: "card" }, h("h2", null, "Accounts"), list);

  const render = (users: User[]): void => {
    list.replaceChildren(
      ...users.map((u) => {
        const role = roleSelect(u.role, "Role for " + u.name);
        const pw = h("input", { type: "password", autocomplete: "new-password", placeholder: "unchanged", "aria-label": "New password for " + u.name });
        const save = h("button", { type: "submit", "aria-label": "Save " + u.name }, "Save");
        const del = h("button", { type: "button", "aria-label": "Delete " + u.name }, "Delete");
        const row = h("div", { class: "row", "data-user": u.name }, h("span", { class: "name" }, u.name, u.name === app.user ? " (you)" : ""), role, pw, save, del);
        const form = h("form", null, row);
        form.onsubmit = (e) => {
          e.preventDefault();
          void busy(save, row, async () => {
            const body: { role: Role; password?: string } = { role: role.value as Role };
            if (pw.value) body.password = pw.value;
            await call(path(u.name), "PUT", body);
            pw.value = "";
            load();
          });
        };
        del.onclick = () =>
          void busy(del, row, async () => {
            await call(path(u.name), "DELETE");
            load();
          });
        return h("li", null, form);
      }),
    );
  };

  const load = (): void => {
    say(listBox, "");
    call<User[]>("/api/users").then(
      (users) => render(users),
      (e) => say(listBox, message(e)),
    );
  };

  const name = h("input", { autocomplete: "off", required: true });
  const role = roleSelect("view");
  const password = h("input", { type: "password", autocomplete: "new-password" });
  const add = h("button", { type: "submit" }, "Add user");
  const addForm = h("form", { class: "card" }, h("h2", null, "Add a user"), h("div", { class: "fields" }, field("Name", name), field("Role", role), field("Password", password)), add);
  addForm.onsubmit = (e) => {
    e.preventDefault();
    void busy(add, addForm, async () => {
      if (!password.value) throw new Error("A new user needs a password.");
      await call(path(name.value.trim()), "PUT", { role: role.value, password: password.value });
      load();
      const added = name.value.trim();
      name.value = password.value = "";
      return `Added ${added}.`;
    });
  };

  const el = h("div", null, listBox, addForm);
  return { el, show: load };
}

/** "Change my password": for everyone, on the Device tab. The device ends this session after it. */
export function passwordForm(): HTMLElement {
  const current = h("input", { type: "password", autocomplete: "current-password", required: true });
  const pw = h("input", { type: "password", autocomplete: "new-password", required: true });
  const again = h("input", { type: "password", autocomplete: "new-password", required: true });
  const go = h("button", { type: "submit" }, "Change password");
  const form = h(
    "form",
    { class: "card" },
    h("h2", null, "My password"),
    h("div", { class: "fields" }, field("Current password", current), field("New password", pw), field("Repeat the new password", again)),
    go,
  );
  form.onsubmit = (e) => {
    e.preventDefault();
    void busy(go, form, async () => {
      if (pw.value !== again.value) throw new Error("The two new passwords differ.");
      await call("/api/password", "POST", { current: current.value, password: pw.value });
      current.value = pw.value = again.value = "";
      return "Password changed. Log in again with the new one.";
    });
  };
  return form;
}
