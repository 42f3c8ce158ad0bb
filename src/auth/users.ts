/**
 * The users store: accounts with roles, kept in one file written atomically. Passwords are stored
 * as given because the JANOS Auth-Digest needs them (md5 over user:nonce:password); they never leave
 * the device through any protocol.
 */
import { encodeUtf8 } from "../bytes.ts";
import { readText } from "../flash-files.ts";
import { parseJson } from "../json-input.ts";
import type { Host } from "../host.ts";

export type Role = "administrator" | "control" | "view";

export interface User {
  name: string;
  role: Role;
  password: string;
  /** Roles for the access control list of security.json; absent: the ones of `role` (ROLES_OF). */
  roles?: string[];
}

/** Who a connection or request acts as. */
export interface Principal {
  name: string;
  role: Role;
}

/** The security.json roles an account has unless it names its own: one per JANOS role. */
export const ROLES_OF: Record<Role, readonly string[]> = { administrator: ["Administrator"], control: ["Operator"], view: ["Viewer"] };

export function aclRolesOf(user: User): readonly string[] {
  return user.roles ?? ROLES_OF[user.role];
}

/** Roles in increasing power (janos.md §3.7): view-only, control (may operate I/O), administrator. */
const RANK: Record<Role, number> = { view: 0, control: 1, administrator: 2 };

export function hasRole(principal: Principal, needed: Role): boolean {
  return RANK[principal.role] >= RANK[needed];
}

const FILE = "users.json";
/** Accounts at most, and security.json roles per account: users.json stays within its share of the flash (src/flash-files.ts). */
export const MAX_USERS = 32;
export const MAX_ACCOUNT_ROLES = 8;
export const ADMINISTRATOR = "jnior";
const ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"; // no 0/O, 1/l/I

export class UserStore {
  private users: User[] = [];
  private readonly listeners: ((name: string) => void)[] = [];

  constructor(private readonly host: Host) {
    try {
      const text = readText(host.files, FILE);
      if (text === undefined) return;
      const parsed = parseJson(text) as { users?: unknown };
      if (Array.isArray(parsed.users)) this.users = parsed.users.filter(isUser);
    } catch {
      host.log("error", "users: " + FILE + " is unreadable; no accounts loaded");
    }
  }

  find(name: string): User | undefined {
    return this.users.find((u) => u.name === name);
  }

  /** The password of `name`, for the digest checks; undefined for an unknown user. */
  passwordOf(name: string): string | undefined {
    return this.find(name)?.password;
  }

  list(): readonly User[] {
    return this.users;
  }

  hasAdministrator(): boolean {
    return this.users.some((u) => u.role === "administrator");
  }

  /**
   * Makes sure the administrator account exists. With `password`, it is set (provisioning);
   * without, a first boot creates it with `initial` (a password the owner chose at build time) or a
   * random one. Returns the password when it was generated, so the caller can show it once.
   */
  ensureAdministrator(password?: string, initial?: string): string | undefined {
    const existing = this.find(ADMINISTRATOR);
    if (password !== undefined) {
      checkPassword(password);
      if (existing?.password === password && existing.role === "administrator") return undefined;
      this.put({ name: ADMINISTRATOR, role: "administrator", password });
      return undefined;
    }
    if (existing) return undefined;
    if (initial !== undefined) {
      this.put({ name: ADMINISTRATOR, role: "administrator", password: initial });
      return undefined;
    }
    const generated = this.generatePassword(12);
    this.put({ name: ADMINISTRATOR, role: "administrator", password: generated });
    return generated;
  }

  /** Creates or replaces an account. The last administrator cannot be demoted: someone must be able to administer. */
  put(user: User): void {
    checkUserName(user.name);
    checkPassword(user.password);
    if (user.roles) {
      if (user.roles.length > MAX_ACCOUNT_ROLES) throw new RangeError(`an account has at most ${MAX_ACCOUNT_ROLES} roles`);
      for (const r of user.roles) if (!/^[\x21-\x7e]{1,32}$/.test(r)) throw new RangeError("a role is 1 to 32 printable ASCII characters without spaces");
    }
    if (!this.find(user.name) && this.users.length >= MAX_USERS) throw new RangeError(`the unit holds at most ${MAX_USERS} accounts`);
    const next = this.users.filter((u) => u.name !== user.name);
    next.push({ ...user });
    this.replace(next, user.name);
  }

  /** Removes an account; false when there was none. The last administrator stays. */
  remove(name: string): boolean {
    if (!this.find(name)) return false;
    this.replace(
      this.users.filter((u) => u.name !== name),
      name,
    );
    return true;
  }

  /** Calls `fn(name)` after an account changed or went: whoever is logged in as it must log in again. */
  onChange(fn: (name: string) => void): void {
    this.listeners.push(fn);
  }

  private replace(next: User[], changed: string): void {
    const before = this.find(changed);
    if (before?.role === "administrator" && !next.some((u) => u.role === "administrator")) throw new RangeError(`"${changed}" is the last administrator`);
    const after = next.find((u) => u.name === changed);
    this.save(next);
    this.users = next;
    // a change that keeps the password and roles (a provisioning boot) logs nobody out
    if (before && after && before.password === after.password && before.role === after.role && String(before.roles) === String(after.roles)) return;
    for (const fn of this.listeners) fn(changed);
  }

  private save(users: User[]): void {
    this.host.files.write(FILE, encodeUtf8(JSON.stringify({ users })));
  }

  private generatePassword(length: number): string {
    return randomPassword(this.host, length);
  }
}

/** A password of `length` characters from an alphabet without look-alikes (l, 1, I, O, 0), for people to type. */
export function randomPassword(host: Pick<Host, "random">, length: number): string {
  let out = "";
  while (out.length < length) {
    const random = new Uint8Array(length * 2);
    host.random(random);
    for (let i = 0; i < random.length && out.length < length; i++) {
      // rejection sampling keeps every character equally likely
      if (random[i]! < 256 - (256 % ALPHABET.length)) out += ALPHABET[random[i]! % ALPHABET.length];
    }
  }
  return out;
}

/** Printable ASCII, no spaces: a name travels in Auth-Digest, Digest and Basic credentials. */
export function checkUserName(name: string): void {
  if (!/^[\x21-\x7e]{1,32}$/.test(name)) throw new RangeError("a user name is 1 to 32 printable ASCII characters without spaces");
}

/** A password set from now on is at least this long (accounts kept from before still log in). */
export const MIN_PASSWORD = 8;

/** Only printable ASCII: the Auth-Digest of INTEG's clients hashes ASCII reliably (janos.md §3.3). */
export function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD || password.length > 64) throw new RangeError(`a password is ${MIN_PASSWORD} to 64 characters`);
  for (let i = 0; i < password.length; i++) {
    const c = password.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) throw new RangeError("password must be printable ASCII");
  }
}

function isUser(u: unknown): u is User {
  const x = u as User;
  return (
    !!x &&
    typeof x.name === "string" &&
    typeof x.password === "string" &&
    (x.role === "administrator" || x.role === "control" || x.role === "view") &&
    (x.roles === undefined || (Array.isArray(x.roles) && x.roles.every((r) => typeof r === "string")))
  );
}
