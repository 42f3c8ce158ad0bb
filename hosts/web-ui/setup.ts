/**
 * The setup page, served at /setup while the unit's setup access point is open
 * (src/web/setup-api.ts): the Wi-Fi networks in range, the one to join and its password, and the
 * administrator's password when the unit has none yet. After "Join" it follows the unit until it
 * has joined, and says where to find it.
 */
import { busy, field, h, message, say, setText } from "./dom.ts";
import css from "./style.css";

interface SetupStatus {
  state: string;
  setupSsid: string;
  ssid: string | null;
  address: string | null;
  /** Its mDNS name, without ".local". */
  hostname: string;
  needsAdministrator: boolean;
}

interface Network {
  ssid: string;
  rssi: number;
  secure: boolean;
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const r = await fetch(path, { method, headers: body ? { "Content-Type": "application/json" } : {}, body: body ? JSON.stringify(body) : undefined });
  const data = (await r.json().catch(() => ({}))) as T & { error?: string };
  if (!r.ok) throw new Error(data.error ?? `${r.status} ${r.statusText}`);
  return data;
}

const OTHER = "\u0000other";

function bars(rssi: number): string {
  return rssi >= -60 ? "strong" : rssi >= -75 ? "fair" : "weak";
}

function setupPage(): void {
  document.head.append(h("style", null, css));
  document.title = "iobox setup";
  const status = h("p", { id: "status", class: "mut" }, "…");
  const networks = h("select", { id: "ssid", required: true }, h("option", { value: "" }, "looking for networks…"));
  const other = h("input", { id: "other", autocomplete: "off", maxlength: 32, hidden: true, "aria-label": "network name" });
  const password = h("input", { id: "password", type: "password", autocomplete: "off", maxlength: 63 });
  const admin1 = h("input", { id: "admin1", type: "password", autocomplete: "new-password", minlength: 8, maxlength: 64 });
  const admin2 = h("input", { id: "admin2", type: "password", autocomplete: "new-password", maxlength: 64 });
  const adminBox = h("fieldset", { id: "admin", hidden: true, style: "margin: 1rem 0" }, h("legend", null, 'Administrator "jnior"'), field("New password", admin1), field("The same again", admin2));
  const rescan = h("button", { type: "button", id: "rescan" }, "Look again");
  const join = h("button", { type: "submit", id: "join" }, "Join");
  const result = h("div", { id: "result" });
  const form = h(
    "form",
    { class: "card" },
    h("fieldset", null, h("legend", null, "Wi-Fi network"), field("Network", networks), other, field("Password", password), rescan),
    adminBox,
    join,
    result,
  );
  document.body.append(h("header", null, h("h1", null, "iobox setup")), h("main", null, status, form));

  networks.addEventListener("change", () => {
    other.hidden = networks.value !== OTHER;
    other.required = !other.hidden;
  });

  const scan = async (): Promise<void> => {
    const found = await call<Network[]>("GET", "/api/setup/networks");
    networks.replaceChildren(
      h("option", { value: "" }, found.length ? "choose a network" : "no network found"),
      ...found.map((n) => h("option", { value: n.ssid }, `${n.ssid} (${bars(n.rssi)}${n.secure ? "" : ", open"})`)),
      h("option", { value: OTHER }, "another (hidden) network…"),
    );
  };
  rescan.addEventListener("click", () => void busy(rescan, result, scan));

  const show = (s: SetupStatus): void => {
    adminBox.hidden = !s.needsAdministrator;
    admin1.required = admin2.required = s.needsAdministrator;
    setText(status, `This unit's setup network is ${s.setupSsid}. ` + (s.ssid ? `It is set to join ${s.ssid} (${s.state}).` : "It has no network to join yet."));
  };

  /** After "Join": the unit's state every 2 s until it has joined (or setup mode has ended). */
  const follow = async (ssid: string): Promise<string> => {
    for (let i = 0; i < 60; i++) {
      await new Promise((r) => setTimeout(r, 2000));
      let s: SetupStatus;
      try {
        s = await call<SetupStatus>("GET", "/api/setup");
      } catch {
        return `The setup network has closed. Join ${ssid} again and open the unit by its address.`;
      }
      show(s);
      if (s.state === "online" && s.address) return `Joined ${ssid}: the unit is at http://${s.address}/ (or http://${s.hostname}.local/). Join ${ssid} again on this device to reach it.`;
    }
    throw new Error(`the unit has not joined ${ssid} yet: check the password`);
  };

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    void busy(join, result, async () => {
      const ssid = networks.value === OTHER ? other.value : networks.value;
      if (!adminBox.hidden && admin1.value !== admin2.value) throw new Error("the two administrator passwords differ");
      await call("POST", "/api/setup", { ssid, password: password.value, administratorPassword: adminBox.hidden ? undefined : admin1.value });
      say(result, `Joining ${ssid}…`, true);
      return follow(ssid);
    });
  });

  void (async () => {
    try {
      show(await call<SetupStatus>("GET", "/api/setup"));
      await scan();
    } catch (e) {
      say(result, message(e));
    }
  })();
}

setupPage();
