/**
 * `security.json` (xentara.md §2.2): the TLS certificate, the roles, the entitlements and the access
 * control list that decides who holds which entitlement.
 *
 * {
 *   "TLS": { "serverCertificate": { "certificatePath": "certs/iobox.pem", "privateKeyPath": "private/iobox.key.pem" } },
 *   "roles": [ { "name": "Administrator", "UUID": "8a38fb06-fa47-4f98-9419-a0fb6511e671" } ],
 *   "entitlements": [ { "name": "my.entitlement", "UUID": "…", "default": "allow" } ],
 *   "ACL": { "inherit": false, "entries": [ { "role": "Everyone", "allow": ["websocket.connect"], "deny": [] } ] }
 * }
 *
 * Validation is all or nothing, as for config.json. One exception, as Xentara documents: an ACL
 * entry naming an unknown role or entitlement is ignored with a warning (a file written for a
 * Xentara with more entitlements still loads); the warnings are returned for the log.
 */
import { Validator } from "../validate.ts";

/** Every client has this role (xentara.md §1.5); no configured role may take its name. */
export const EVERYONE = "Everyone";

/**
 * The built-in entitlements iobox checks. Xentara has five built-ins whose full list is
 * UNCONFIRMED; these three are the ones its WebSocket API uses. None is granted by default: with
 * `inherit` true or false alike, a built-in must be allowed by an entry (safe default; the official
 * sample grants `websocket.connect` explicitly too).
 */
export const BUILT_IN_ENTITLEMENTS = ["websocket.connect", "read", "write"] as const;

export interface AclEntry {
  role: string;
  allow: string[];
  deny: string[];
}

export interface SecurityConfig {
  tls?: { certificatePath: string; privateKeyPath: string };
  roles: { name: string; uuid: string }[];
  entitlements: { name: string; uuid: string; default: "allow" | "deny" }[];
  acl: { inherit: boolean; entries: AclEntry[] };
  /** Problems that did not stop the load (unknown names in ACL entries). */
  warnings: string[];
}

// regular expressions made per use: none may live in a module body (README, "The device's memory")
const UUID = (): RegExp => /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const NAME = (): RegExp => /^[\x21-\x7e]([\x20-\x7e]{0,62}[\x21-\x7e])?$/;
const PATH = (): RegExp => /^[^\0]{1,255}$/;

export function parseSecurity(text: string, file = "security.json"): SecurityConfig {
  const v = new Validator(file);
  const root = v.object(v.parse(text), "", ["$schema", "TLS", "roles", "entitlements", "ACL"]);
  const config: SecurityConfig = { roles: [], entitlements: [], acl: { inherit: true, entries: [] }, warnings: [] };

  if (root.TLS !== undefined) {
    const tls = v.object(root.TLS, "TLS", ["serverCertificate"]);
    if (tls.serverCertificate !== undefined) {
      const c = v.object(tls.serverCertificate, "TLS.serverCertificate", ["certificatePath", "privateKeyPath"]);
      for (const member of ["certificatePath", "privateKeyPath"]) if (c[member] === undefined) v.fail("TLS.serverCertificate." + member, "is required");
      config.tls = {
        certificatePath: v.string(c.certificatePath, "TLS.serverCertificate.certificatePath", PATH(), "a file path"),
        privateKeyPath: v.string(c.privateKeyPath, "TLS.serverCertificate.privateKeyPath", PATH(), "a file path"),
      };
    }
  }

  const names = new Set<string>();
  if (root.roles !== undefined) {
    v.array(root.roles, "roles").forEach((r, i) => {
      const field = `roles[${i}]`;
      const role = v.object(r, field, ["name", "UUID"]);
      const name = v.string(role.name, field + ".name", NAME(), "a role name");
      if (name === EVERYONE) v.fail(field + ".name", `"${EVERYONE}" is built in and cannot be defined`);
      if (names.has(name)) v.fail(field + ".name", `"${name}" is defined twice`);
      names.add(name);
      config.roles.push({ name, uuid: v.string(role.UUID, field + ".UUID", UUID(), "a UUID").toLowerCase() });
    });
  }

  const entitlements = new Set<string>(BUILT_IN_ENTITLEMENTS);
  if (root.entitlements !== undefined) {
    v.array(root.entitlements, "entitlements").forEach((e, i) => {
      const field = `entitlements[${i}]`;
      const ent = v.object(e, field, ["name", "UUID", "default"]);
      const name = v.string(ent.name, field + ".name", NAME(), "an entitlement name");
      if (entitlements.has(name)) v.fail(field + ".name", `"${name}" is ${(BUILT_IN_ENTITLEMENTS as readonly string[]).includes(name) ? "built in" : "defined twice"}`);
      entitlements.add(name);
      const dflt = ent.default ?? "deny";
      if (dflt !== "allow" && dflt !== "deny") return v.fail(field + ".default", `must be "allow" or "deny" (got ${JSON.stringify(ent.default)})`);
      config.entitlements.push({ name, uuid: v.string(ent.UUID, field + ".UUID", UUID(), "a UUID").toLowerCase(), default: dflt });
    });
  }

  if (root.ACL !== undefined) {
    const acl = v.object(root.ACL, "ACL", ["inherit", "entries"]);
    if (acl.inherit !== undefined) config.acl.inherit = v.boolean(acl.inherit, "ACL.inherit");
    if (acl.entries !== undefined) {
      v.array(acl.entries, "ACL.entries").forEach((e, i) => {
        const field = `ACL.entries[${i}]`;
        const entry = v.object(e, field, ["role", "allow", "deny"]);
        if (entry.role === undefined) v.fail(field + ".role", "is required");
        const role = v.string(entry.role, field + ".role", NAME(), "a role name");
        const list = (member: "allow" | "deny"): string[] => {
          if (entry[member] === undefined) return [];
          return v.array(entry[member], `${field}.${member}`).flatMap((x, k) => {
            const name = v.string(x, `${field}.${member}[${k}]`, NAME(), "an entitlement name");
            if (entitlements.has(name)) return [name];
            config.warnings.push(`${file}: ${field}.${member}[${k}]: unknown entitlement "${name}" ignored`);
            return [];
          });
        };
        const allow = list("allow");
        const deny = list("deny");
        if (role !== EVERYONE && !names.has(role)) {
          config.warnings.push(`${file}: ${field}.role: unknown role "${role}"; the entry is ignored`);
          return;
        }
        config.acl.entries.push({ role, allow, deny });
      });
    }
  }
  return config;
}

/** Decides entitlements from roles: a deny beats an allow; with `inherit`, custom entitlements fall back to their default. */
export class AccessControl {
  private readonly defaults = new Map<string, boolean>();

  constructor(private readonly config: SecurityConfig) {
    for (const e of config.entitlements) this.defaults.set(e.name, e.default === "allow");
  }

  get roles(): readonly string[] {
    return this.config.roles.map((r) => r.name);
  }

  /** Whether a client with `roles` (plus Everyone) holds `entitlement`. */
  allows(roles: readonly string[], entitlement: string): boolean {
    let allowed = false;
    for (const entry of this.config.acl.entries) {
      if (entry.role !== EVERYONE && !roles.includes(entry.role)) continue;
      if (entry.deny.includes(entitlement)) return false;
      if (entry.allow.includes(entitlement)) allowed = true;
    }
    if (allowed) return true;
    return this.config.acl.inherit && this.defaults.get(entitlement) === true;
  }
}

