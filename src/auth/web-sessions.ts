/**
 * Browser sessions: a successful web login gets a random token in a cookie, and the requests and
 * the WebSocket upgrade that carry it need no further login (janos.md §3.6). Sessions live in
 * memory only (a reboot logs browsers out), expire when idle and after a fixed lifetime, and are
 * bounded in number, so that no account can log the others out by logging in again and again:
 * - a login from an address where its account already has a session continues that session (a
 *   script running `curl --digest` in a loop makes one session, not one per request);
 * - an account holds at most `perUser` sessions: its next one ends its own least recently used;
 * - when all `maxSessions` are taken, the least recently used session of the account holding the
 *   most ends.
 */
import { toHex } from "../bytes.ts";
import type { Host } from "../host.ts";
import type { Principal } from "./users.ts";

/** The cookie's name; JANOS's own is UNCONFIRMED (janos.md §3.6). */
export const SESSION_COOKIE = "iobox_session";

export interface SessionLimits {
  maxSessions: number;
  perUser: number;
  idleMs: number;
  lifetimeMs: number;
}

export const SESSION_LIMITS: SessionLimits = {
  maxSessions: 16,
  perUser: 4,
  idleMs: 30 * 60_000,
  lifetimeMs: 12 * 3600_000,
};

interface Session {
  principal: Principal;
  address: string;
  created: number;
  used: number;
}

export class WebSessions {
  readonly limits: SessionLimits;
  private readonly sessions = new Map<string, Session>(); // insertion order = least recently used first

  constructor(
    private readonly host: Pick<Host, "random" | "clock">,
    limits: Partial<SessionLimits> = {},
  ) {
    this.limits = { ...SESSION_LIMITS, ...limits };
  }

  get size(): number {
    return this.sessions.size;
  }

  /** A session for a login from `address`: the account's live one from there, or a new one. Returns its token (32 hex digits, 128 random bits). */
  create(principal: Principal, address: string): string {
    for (const [token, s] of this.sessions) {
      if (s.principal.name === principal.name && s.principal.role === principal.role && s.address === address && this.use(token)) return token;
    }
    const mine = [...this.sessions].filter(([, s]) => s.principal.name === principal.name);
    if (mine.length >= this.limits.perUser) this.sessions.delete(mine[0]![0]);
    else if (this.sessions.size >= this.limits.maxSessions) this.sessions.delete(this.busiest());
    const bytes = new Uint8Array(16);
    this.host.random(bytes);
    const token = toHex(bytes);
    const now = this.host.clock.monotonic();
    this.sessions.set(token, { principal: { ...principal }, address, created: now, used: now });
    return token;
  }

  /** The least recently used session of the account holding the most. */
  private busiest(): string {
    const count = new Map<string, number>();
    for (const s of this.sessions.values()) count.set(s.principal.name, (count.get(s.principal.name) ?? 0) + 1);
    let most = "";
    let n = 0;
    for (const [name, c] of count) if (c > n) [most, n] = [name, c];
    for (const [token, s] of this.sessions) if (s.principal.name === most) return token;
    return this.sessions.keys().next().value!;
  }

  /** The principal of a live session, which counts as use; undefined when unknown or expired. */
  use(token: string): Principal | undefined {
    const s = this.sessions.get(token);
    if (!s) return undefined;
    const now = this.host.clock.monotonic();
    if (now - s.used >= this.limits.idleMs || now - s.created >= this.limits.lifetimeMs) {
      this.sessions.delete(token);
      return undefined;
    }
    s.used = now;
    this.sessions.delete(token); // to the end: most recently used
    this.sessions.set(token, s);
    return s.principal;
  }

  end(token: string): void {
    this.sessions.delete(token);
  }

  /** Ends every session of `name` (its password or role changed, or it was removed). */
  endUser(name: string): void {
    for (const [token, s] of this.sessions) if (s.principal.name === name) this.sessions.delete(token);
  }
}
