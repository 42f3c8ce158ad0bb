/** The JANOS protocol state of one connection. A few fields: a device holds up to 24 of them. */
import type { Principal } from "../auth/users.ts";
import type { Timer } from "../host.ts";
import type { Link } from "./link.ts";

export type LoginRoute = "digest" | "cookie" | "anonymous";

export class JanosSession {
  /** Who the connection acts as, once logged in (or from the start, for a session cookie or anonymous access). */
  principal: Principal | undefined;
  /** How it logged in. */
  route: LoginRoute | undefined;
  /** `Authenticated` and the first `Monitor` are sent: the session receives broadcasts. */
  live = false;
  /** The nonce of the last challenge, usable once ("" = none outstanding). */
  nonce = "";
  /** Failed logins on this connection. */
  failures = 0;
  /** Closes the connection if it has not logged in by then. */
  deadline: Timer | undefined;
  /** A challenge held back after failed logins; messages are ignored until it is sent. */
  held: Timer | undefined;
  /** A Monitor was skipped while the client was behind; the latest state is owed. */
  monitorOwed = false;
  closed = false;

  constructor(readonly link: Link) {}

  /** Not logged in yet: the connection budget may close it to make room (connection-budget.ts). */
  get sheddable(): boolean {
    return this.principal === undefined;
  }

  /** For logs: "10.0.0.7:50122 (websocket)". */
  get peer(): string {
    return `${this.link.remoteAddress}:${this.link.remotePort} (${this.link.transport})`;
  }
}
