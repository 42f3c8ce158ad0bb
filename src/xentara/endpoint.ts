/**
 * `wss://host:port/api/ws`: the upgrade is authorized before the 101 (xentara.md §1.2–§1.5).
 *
 * - TLS only: on a plain listener the path answers 403.
 * - Credentials in `Authorization`: Basic against the device's accounts, or a Bearer JWT verified
 *   against the issuers of oauth2.json; only the schemes config.json enables, and Bearer only when an
 *   issuer is configured (a client could not succeed otherwise).
 * - Missing or bad credentials: 401 with one `WWW-Authenticate` challenge per usable scheme (RFC 7235,
 *   RFC 6750 §3): the realm, the scope for Bearer, and `error="invalid_token"` when a token was
 *   presented and failed. A valid token without the required scope: 403 with
 *   `error="insufficient_scope"` (RFC 6750 §3.1).
 * - Authenticated but not entitled to `websocket.connect` by the ACL of security.json: 403.
 *
 * Basic logins go through the unit's one login path (authenticator.ts).
 */
import type { Authentication } from "../config.ts";
import type { Authenticator } from "../auth/authenticator.ts";
import { basicCredentials, parseAuthorization, quotedString } from "../auth/credentials.ts";
import { verifyJwt, type JwtIssuer } from "../auth/jwt.ts";
import type { AccessControl } from "../auth/security.ts";
import { aclRolesOf, type UserStore } from "../auth/users.ts";
import type { Host } from "../host.ts";
import type { Exchange } from "../http/exchange.ts";
import type { XentaraService } from "./service.ts";
import type { XentaraPrincipal } from "./session.ts";

export interface BearerPolicy {
  issuers: readonly JwtIssuer[];
  /** Scope strings every token must carry: config.json's `authentication.scope`, else oauth2.json's `scope`. */
  scope: readonly string[];
}

export interface EndpointDependencies {
  users: UserStore;
  auth: Authenticator;
  access: AccessControl;
  /** The service, made on the first authorized connection: a device nobody connects to keeps no element model. */
  service: () => XentaraService;
  authentication: Authentication;
  bearer: BearerPolicy;
}

/** Seconds of clock difference tolerated on exp, nbf and iat (xentara.md §1.4: "small leeway"). */
const LEEWAY_SECONDS = 60;

export class XentaraEndpoint {
  private readonly basic: boolean;
  private readonly bearer: boolean;

  constructor(
    private readonly host: Host,
    private readonly deps: EndpointDependencies,
  ) {
    const schemes = deps.authentication.schemes;
    this.basic = schemes.includes("Basic");
    this.bearer = schemes.includes("Bearer") && deps.bearer.issuers.length > 0;
    if (schemes.includes("Bearer") && !this.bearer) host.log("info", "xentara: Bearer is enabled in config.json but oauth2.json names no issuer; Bearer tokens cannot be accepted");
  }

  /** The route handler of /api/ws. */
  readonly handle = (exchange: Exchange): void => {
    if (!exchange.secure) return exchange.respond(403, "/api/ws is served over TLS only: use wss://\n");
    const credentials = parseAuthorization(exchange.headers.get("authorization"));
    const scheme = credentials?.scheme.toLowerCase();
    let principal: XentaraPrincipal | undefined;
    if (credentials && scheme === "basic" && this.basic) {
      const basic = basicCredentials(credentials);
      const wait = this.deps.auth.wait(exchange.remoteAddress, basic?.user);
      if (wait > 0) return exchange.respond(429, "too many failed logins; try again later\n", ["Retry-After", String(Math.ceil(wait / 1000))]);
      principal = this.checkBasic(exchange, basic);
      if (!principal) return this.challenge(exchange);
    } else if (credentials && scheme === "bearer" && this.bearer && credentials.token68 !== undefined) {
      const result = verifyJwt(this.host, credentials.token68, { issuers: this.deps.bearer.issuers, scope: [], leewaySeconds: LEEWAY_SECONDS });
      if (!result.ok) {
        this.host.log("info", `xentara ${exchange.remoteAddress}: Bearer token refused: ${result.reason}`);
        return this.challenge(exchange, "invalid_token", result.reason);
      }
      const missing = this.deps.bearer.scope.filter((s) => !result.scope.includes(s));
      if (missing.length) {
        this.host.log("info", `xentara ${exchange.remoteAddress}: token of "${result.subject}" lacks scope ${missing.join(" ")}`);
        return exchange.respond(403, "the token lacks the required scope\n", ["WWW-Authenticate", this.bearerChallenge("insufficient_scope", "missing scope " + missing.join(" "))]);
      }
      principal = { name: result.subject, roles: result.roles };
    } else {
      // no credentials, or a scheme that is not enabled: the client is told which ones are
      return this.challenge(exchange, credentials && scheme === "bearer" && this.bearer ? "invalid_request" : undefined, credentials ? "unsupported credentials" : undefined);
    }
    if (!this.deps.access.allows(principal.roles, "websocket.connect")) {
      this.host.log("warn", `xentara ${exchange.remoteAddress}: "${principal.name}" is not entitled to websocket.connect`);
      return exchange.respond(403, "not entitled to websocket.connect\n");
    }
    this.deps.service().accept(exchange, principal);
  };

  private checkBasic(exchange: Exchange, basic: { user: string; password: string } | undefined): XentaraPrincipal | undefined {
    const auth = this.deps.auth;
    const check = basic ? auth.checkPassword(basic.user, basic.password) : { ok: false, user: undefined, reason: "malformed Basic credentials" };
    const user = auth.settle(`xentara ${exchange.remoteAddress}`, exchange.remoteAddress, check);
    return user && { name: user.name, roles: aclRolesOf(user), account: true };
  }

  private challenge(exchange: Exchange, error?: string, description?: string): void {
    const headers: string[] = [];
    for (const scheme of this.deps.authentication.schemes) {
      if (scheme === "Bearer" && this.bearer) headers.push("WWW-Authenticate", this.bearerChallenge(error, description));
      if (scheme === "Basic") headers.push("WWW-Authenticate", `Basic realm=${quotedString(this.deps.authentication.realm)}, charset="UTF-8"`);
    }
    exchange.respond(401, "authorization required\n", headers);
  }

  private bearerChallenge(error?: string, description?: string): string {
    let c = `Bearer realm=${quotedString(this.deps.authentication.realm)}`;
    if (this.deps.bearer.scope.length) c += `, scope=${quotedString(this.deps.bearer.scope.join(" "))}`;
    if (error) c += `, error="${error}"`;
    // RFC 6750 §3: error_description is printable ASCII without '"' and '\'
    if (error && description) c += `, error_description="${description.replace(/[^\x20-\x21\x23-\x5b\x5d-\x7e]/g, "")}"`;
    return c;
  }
}
