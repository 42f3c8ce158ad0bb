/**
 * The login of the web pages, when the registry's `WebServer/Login` is on (the default; janos.md
 * §3.6): HTTP Digest (RFC 7616, SHA-256 or MD5) on any connection, Basic only over TLS, where the
 * password is not in the clear. A successful login starts a browser session (web-sessions.ts): its
 * cookie lets the following requests in, and a WebSocket upgrade that carries it starts logged in,
 * so a page does not ask twice.
 *
 * With `WebServer/Login` off the pages are open and no session is made: JANOS then issues a cookie
 * that logs WebSockets in too, which would make every browser an administrator's WebSocket; iobox
 * leaves WebSockets to log in themselves (or to `Websocket/Anonymous`). What changes accounts or
 * configuration (`requireRole`) needs a login either way, and that login makes a session like any other.
 *
 * Every attempt goes through the unit's one login path (authenticator.ts).
 */
import type { Exchange } from "../http/exchange.ts";
import type { Host } from "../host.ts";
import { parseBoolean } from "../registry/keys.ts";
import type { Registry } from "../registry/registry.ts";
import type { LoginCheck } from "./authenticator.ts";
import { basicCredentials, parseAuthorization, parseCookies, quotedString } from "./credentials.ts";
import type { Authenticator } from "./authenticator.ts";
import { HttpDigest } from "./http-digest.ts";
import { hasRole, type Principal, type Role, type UserStore } from "./users.ts";
import { SESSION_COOKIE, type WebSessions } from "./web-sessions.ts";

export interface WebLoginDependencies {
  registry: Registry;
  users: UserStore;
  auth: Authenticator;
  sessions: WebSessions;
}

export class WebLogin {
  private readonly digest: HttpDigest;

  constructor(
    private readonly host: Host,
    private readonly deps: WebLoginDependencies,
    readonly realm: string,
  ) {
    this.digest = new HttpDigest(host, { realm });
  }

  /** `WebServer/Login`: whether pages need a login. */
  get required(): boolean {
    return parseBoolean(this.deps.registry.get("WebServer/Login") ?? "") !== false;
  }

  /** Whether a page may be served: the request is logged in (or login is off); otherwise it has been answered (401 or 429). */
  allowsPage(exchange: Exchange): boolean {
    return this.check(exchange, false);
  }

  /**
   * Whether the request's user has `role` or more, whatever `WebServer/Login` says: changing
   * accounts or configuration is never open. Otherwise it has been answered: 401, 429, or 403 for a
   * user without the role.
   */
  allowsRole(exchange: Exchange, role: Role): boolean {
    if (!this.check(exchange, true)) return false;
    const user = exchange.user!;
    if (hasRole(user, role)) return true;
    exchange.respond(403, JSON.stringify({ error: `this needs ${role === "administrator" ? "an administrator" : role === "control" ? "a control user" : "a user"}; "${user.name}" is ${user.role}` }) + "\n", ["Content-Type", "application/json", "Cache-Control", "no-store"]);
    return false;
  }

  /** The user of the request's session cookie, if it has a live one; never challenges. */
  sessionUser(exchange: Exchange): Principal | undefined {
    const token = parseCookies(exchange.headers.get("cookie")).get(SESSION_COOKIE);
    return token ? this.deps.sessions.use(token) : undefined;
  }

  /**
   * The user of the session cookie a WebSocket upgrade carries. Only from the page's own origin:
   * a page elsewhere must not ride on the browser's cookie (cross-site WebSocket hijacking).
   */
  fromCookie(exchange: Exchange): Principal | undefined {
    const token = parseCookies(exchange.headers.get("cookie")).get(SESSION_COOKIE);
    if (!token || !this.fromThisSite(exchange, "a session cookie")) return undefined;
    return this.deps.sessions.use(token);
  }

  /**
   * Whether a WebSocket upgrade comes from the unit's own pages, or from no browser page at all (no
   * Origin): what a login the browser brings along by itself (a cookie, Websocket/Anonymous) needs,
   * or any page on the LAN could drive the unit through a visitor's browser. `what` is for the log.
   */
  fromThisSite(exchange: Exchange, what: string): boolean {
    const origin = exchange.headers.get("origin");
    if (origin === undefined || sameOrigin(origin, exchange.headers.get("host"), exchange.secure)) return true;
    this.host.log("warn", `web ${exchange.remoteAddress}: ${what} from origin ${origin.slice(0, 80)} ignored`);
    return false;
  }

  /** POST /logout: ends the browser's session. */
  logout(exchange: Exchange): void {
    const token = parseCookies(exchange.headers.get("cookie")).get(SESSION_COOKIE);
    if (token) this.deps.sessions.end(token);
    exchange.respond(204, undefined, ["Set-Cookie", `${SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict`]);
  }

  /** True when the request may go on (`always`: only logged in); otherwise it has been answered (401 or 429). */
  private check(exchange: Exchange, always: boolean): boolean {
    if (!always && !this.required) return true;
    const session = this.sessionUser(exchange);
    if (session) {
      exchange.user = session;
      return true;
    }
    const credentials = parseAuthorization(exchange.headers.get("authorization"));
    if (!credentials) {
      this.challenge(exchange, false);
      return false;
    }
    const address = exchange.remoteAddress;
    const scheme = credentials.scheme.toLowerCase();
    const basic = scheme === "basic" && exchange.secure ? basicCredentials(credentials) : undefined;
    if (scheme !== "digest" && !(scheme === "basic" && exchange.secure)) {
      // Basic in the clear, Bearer, anything else: not a way into the pages
      this.challenge(exchange, false);
      return false;
    }
    const auth = this.deps.auth;
    const wait = auth.wait(address, scheme === "digest" ? credentials.params.get("username") : basic?.user);
    if (wait > 0) {
      exchange.respond(429, "too many failed logins; try again later\n", ["Retry-After", String(Math.ceil(wait / 1000))]);
      return false;
    }
    let check: LoginCheck;
    if (scheme === "digest") {
      const result = this.digest.verify(credentials, exchange.method, exchange.target, auth.passwordOf);
      if (!result.ok && result.stale) {
        this.challenge(exchange, true); // right password, old nonce: the client retries without asking
        return false;
      }
      check = result.ok ? { ok: true, user: result.user } : { ok: false, user: credentials.params.get("username"), reason: result.reason };
    } else check = basic ? auth.checkPassword(basic.user, basic.password) : { ok: false, user: undefined, reason: "malformed Basic credentials" };
    const account = auth.settle(`web ${address}`, address, check);
    if (!account) {
      this.challenge(exchange, false);
      return false;
    }
    const user = account.name;
    const principal: Principal = { name: user, role: account.role };
    const cookie = this.deps.sessions.create(principal, address);
    exchange.addHeader("Set-Cookie", `${SESSION_COOKIE}=${cookie}; Path=/; HttpOnly; SameSite=Strict${exchange.secure ? "; Secure" : ""}`);
    exchange.user = principal;
    this.host.log("info", `web ${address}: "${user}" logged in`);
    return true;
  }

  private challenge(exchange: Exchange, stale: boolean): void {
    const headers: string[] = [];
    for (const c of this.digest.challenges(stale)) headers.push("WWW-Authenticate", c);
    if (exchange.secure) headers.push("WWW-Authenticate", `Basic realm=${quotedString(this.realm)}, charset="UTF-8"`);
    headers.push("Cache-Control", "no-store");
    exchange.respond(401, "login required\n", headers);
  }
}

/** Whether an Origin header names the same host and port as the Host header (scheme defaults applied). */
export function sameOrigin(origin: string, host: string | undefined, secure: boolean): boolean {
  const m = /^([a-z][a-z0-9+.-]*):\/\/([^/]+)$/i.exec(origin.trim());
  if (!m || host === undefined) return false;
  const scheme = m[1]!.toLowerCase();
  const withPort = (authority: string, tls: boolean): string => {
    const a = authority.toLowerCase();
    return /:\d+$/.test(a) && !a.endsWith("]") ? a : a + (tls ? ":443" : ":80");
  };
  const originTls = scheme === "https" || scheme === "wss";
  return withPort(m[2]!, originTls) === withPort(host, secure);
}
