/**
 * What the views share: the device's /api/info, the user's rights, the one JANOS connection, and
 * the events views listen to. The page logs in over HTTP (the browser's own Digest dialog, or its
 * saved credentials): the session cookie then logs the WebSocket in, so no password is handled by
 * this script and none is kept in the page.
 */
import { call, type Info, type Role, type User } from "./api.ts";
import { Janos, type Link, type Monitor } from "./janos.ts";
import * as store from "./store.ts";

export type { Info, Role };

export const app = {
  info: undefined as Info | undefined,
  /** Date.now() when info arrived: the uptime ticks on from there. */
  infoAt: 0,
  monitor: undefined as Monitor | undefined,
  user: "",
  role: "view" as Role,
  admin: false,
  /** May operate I/O now: a control role and a live connection. */
  get control(): boolean {
    return janos.live && app.role !== "view";
  },
};

interface Events {
  info: Info;
  monitor: Monitor;
  link: Link;
  /** The rights or the connection changed. */
  role: undefined;
  /** Logged in on a (new) connection. */
  ready: undefined;
  /** A failure that belongs to no view. */
  problem: string;
}

const handlers = new Map<keyof Events, ((a: never) => void)[]>();

export function on<K extends keyof Events>(event: K, fn: (a: Events[K]) => void): void {
  const list = handlers.get(event);
  if (list) list.push(fn);
  else handlers.set(event, [fn]);
}

export function emit<K extends keyof Events>(event: K, a: Events[K]): void {
  for (const fn of handlers.get(event) ?? []) (fn as (a: Events[K]) => void)(a);
}

/** Label of a channel: its Desc, or the default when unset (an empty value means unset). */
export function label(value: string | undefined, fallback: string): string {
  return value && value.trim() ? value : fallback;
}

/** What a view is: its element, and what to do when its tab is opened. */
export interface View {
  el: HTMLElement;
  show?(): void;
}

/** Logins since the socket was last authenticated: a cookie that never works must not loop. */
let logins = 0;

export const janos = new Janos((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/", {
  link(state) {
    emit("link", state);
    emit("role", undefined);
  },
  authenticated(role) {
    logins = 0;
    app.role = role;
    app.admin = role === "administrator";
    emit("role", undefined);
    emit("ready", undefined);
    const keys = store.watched();
    if (keys.length) store.source.read(keys);
  },
  monitor(m) {
    app.monitor = m;
    emit("monitor", m);
  },
  keys: store.put,
  challenged() {
    if (++logins > 2) return emit("problem", "The device keeps asking for a login: use Log in.");
    void logIn(false);
  },
  error: (text) => emit("problem", text),
});

store.source.read = (keys) => {
  if (janos.live) janos.read(keys).then(store.put, (e: Error) => emit("problem", e.message));
};

/**
 * Logs in over HTTP and connects. `asked`: the user pressed Log in (a failure is then said);
 * otherwise a failed login leaves the page waiting for that button.
 */
export async function logIn(asked: boolean): Promise<void> {
  try {
    const user = await call<User>("/api/login", "POST");
    app.user = user.name;
    janos.connect();
  } catch (e) {
    janos.stop("login needed");
    if (asked) emit("problem", e instanceof Error ? e.message : String(e));
  }
}

export async function loadInfo(): Promise<void> {
  try {
    const info = await call<Info>("/api/info");
    app.info = info;
    app.infoAt = Date.now();
    if (info.user) app.user = info.user.name;
    emit("info", info);
  } catch (e) {
    emit("problem", e instanceof Error ? e.message : String(e));
  }
}
