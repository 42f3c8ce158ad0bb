/**
 * Every login the unit takes goes through here, whatever its scheme: JANOS's Auth-Digest, the web
 * pages' HTTP Digest and Basic, Basic on /api/ws, and the current password that /api/password asks
 * for. A scheme checks the proof with `passwordOf` (or `checkPassword` for a password given as it
 * is); this decides whether the attempt may be made at all (`wait`), counts it, logs it, and says
 * which account it logged in as (`settle`). So a rule about logins is written once.
 */
import type { Host } from "../host.ts";
import { equalConstantTime } from "./credentials.ts";
import type { FailureLimiter } from "./failure-limiter.ts";
import type { User, UserStore } from "./users.ts";

/** What a scheme found: the user it names (as sent), and whether the proof was right. */
export interface LoginCheck {
  ok: boolean;
  user: string | undefined;
  reason?: string;
}

export class Authenticator {
  constructor(
    private readonly host: Host,
    private readonly users: UserStore,
    readonly limiter: FailureLimiter,
  ) {}

  /** The password a scheme checks a proof against; undefined for an unknown user. */
  readonly passwordOf = (name: string): string | undefined => this.users.passwordOf(name);

  /** How long an attempt from `address` (naming `user`, when known) must wait before it is checked; 0: now. */
  wait(address: string, user?: string): number {
    return this.limiter.delayFor(address, user);
  }

  /** A password given as it is (Basic, /api/password's current one), compared in constant time; an unknown user costs the same. */
  checkPassword(name: string | undefined, password: string): LoginCheck {
    const known = name === undefined ? undefined : this.users.passwordOf(name);
    const right = equalConstantTime(password, known ?? "\u0000" + password);
    return right && known !== undefined ? { ok: true, user: name } : { ok: false, user: name, reason: "unknown user or wrong password" };
  }

  /** Counts and logs a checked attempt; the account it logged in as, or undefined. `via` names the door in the log ("janos 10.0.0.7:5000 (jmp)"). */
  settle(via: string, address: string, check: LoginCheck): User | undefined {
    const user = check.ok && check.user !== undefined ? this.users.find(check.user) : undefined;
    if (user) {
      this.limiter.succeeded(address, user.name);
      return user;
    }
    const failures = this.limiter.failed(address, check.user);
    this.host.log("warn", `${via}: login as "${printable(check.user ?? "")}" failed: ${check.reason ?? "refused"} (${failures} from ${address})`);
    return undefined;
  }
}

/** A user name from the network, safe for a log line. */
export function printable(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, "?").slice(0, 40);
}
