/**
 * `oauth2.json` (xentara.md §2.4): the issuers whose Bearer tokens the device accepts, and the scope
 * every token must carry. Xentara's file has the same members; the contents of `verification` are
 * UNCONFIRMED there, and iobox defines them:
 *
 * {
 *   "scope": ["iobox"],
 *   "issuers": [{
 *     "iss": "https://auth.example.com/", "aud": "iobox",
 *     "roles": ["Operator"],                                  roles every token of this issuer gets
 *     "authorizationClaims": { "groups": { "plant-admins": ["Administrator"] }, "roles": "implicit" },
 *     "verification": { "algorithm": "ES256", "publicKeyPath": "oauth2/issuer.pem" },
 *                  or { "algorithm": "HS256", "secretPath": "oauth2/issuer.secret" },
 *     "nonConformance": { "allowGenericJwt": true }
 *   }]
 * }
 *
 * One algorithm per issuer, fixed here and never taken from a token: that is what defeats algorithm
 * confusion. An HS256 secret file holds the secret as text (surrounding white-space ignored), at
 * least 32 bytes (RFC 7518 §3.2); an ES256 key file is a PEM "PUBLIC KEY" on P-256. Key paths are
 * read through `readFile`, which resolves them (relative to the file's own directory).
 */
import { encodeUtf8 } from "../bytes.ts";
import { Validator } from "../validate.ts";
import { p256PublicKeyFromPem, type JwtIssuer, type NonConformance } from "./jwt.ts";

export interface OAuth2Config {
  scope: string[];
  issuers: JwtIssuer[];
}

// regular expressions made per use: none may live in a module body (README, "The device's memory")
const SCOPE = (): RegExp => /^[!#-[\]-~]+$/;
const TEXT = (): RegExp => /^[\x20-\x7e]{1,256}$/;
const ROLE = (): RegExp => /^[\x21-\x7e]([\x20-\x7e]{0,62}[\x21-\x7e])?$/;
const PATH = (): RegExp => /^[^\0]{1,255}$/;
const RELAXATIONS = ["allowGenericJwt", "allowMissingTyp", "allowMissingIat", "allowMissingExp", "allowMissingSub", "allowMissingClientId", "allowMissingJti"] as const;

export function parseOAuth2(text: string, file: string, readFile: (path: string) => string | undefined): OAuth2Config {
  const v = new Validator(file);
  const root = v.object(v.parse(text), "", ["$schema", "scope", "issuers"]);
  const config: OAuth2Config = { scope: [], issuers: [] };
  if (root.scope !== undefined) config.scope = v.array(root.scope, "scope").map((s, i) => v.string(s, `scope[${i}]`, SCOPE(), "an OAuth scope token"));
  if (root.issuers === undefined) return config;
  const seen = new Set<string>();
  v.array(root.issuers, "issuers").forEach((x, i) => {
    const field = `issuers[${i}]`;
    const o = v.object(x, field, ["iss", "aud", "roles", "authorizationClaims", "verification", "nonConformance"]);
    for (const m of ["iss", "aud", "verification"]) if (o[m] === undefined) v.fail(`${field}.${m}`, "is required");
    const iss = v.string(o.iss, field + ".iss", TEXT(), "the issuer's identifier");
    if (seen.has(iss)) v.fail(field + ".iss", `"${iss}" is configured twice`);
    seen.add(iss);
    const roles = o.roles === undefined ? [] : v.array(o.roles, field + ".roles").map((r, k) => v.string(r, `${field}.roles[${k}]`, ROLE(), "a role name"));
    const claims: JwtIssuer["authorizationClaims"] = {};
    if (o.authorizationClaims !== undefined) {
      const c = v.object(o.authorizationClaims, field + ".authorizationClaims", Object.keys(o.authorizationClaims as object));
      for (const [claim, mapping] of Object.entries(c)) {
        const cf = `${field}.authorizationClaims.${claim}`;
        if (mapping === "implicit") claims[claim] = "implicit";
        else {
          const m = v.object(mapping, cf, Object.keys((mapping as object) ?? {}));
          const table: Record<string, string[]> = {};
          for (const [value, list] of Object.entries(m)) table[value] = v.array(list, `${cf}.${value}`).map((r, k) => v.string(r, `${cf}.${value}[${k}]`, ROLE(), "a role name"));
          claims[claim] = table;
        }
      }
    }
    const ver = v.object(o.verification, field + ".verification", ["algorithm", "publicKeyPath", "secretPath"]);
    const relax: NonConformance = {};
    if (o.nonConformance !== undefined) {
      const n = v.object(o.nonConformance, field + ".nonConformance", [...RELAXATIONS]);
      for (const r of RELAXATIONS) if (n[r] !== undefined) relax[r] = v.boolean(n[r], `${field}.nonConformance.${r}`);
    }
    const issuer: JwtIssuer = {
      iss,
      aud: v.string(o.aud, field + ".aud", TEXT(), "the audience the tokens name"),
      algorithm: "ES256",
      key: { kind: "p256", point: new Uint8Array(0) },
      roles,
      authorizationClaims: claims,
      nonConformance: relax,
    };
    const load = (member: string): string => {
      const path = v.string(ver[member], `${field}.verification.${member}`, PATH(), "a file path");
      const content = readFile(path);
      return content ?? v.fail(`${field}.verification.${member}`, `cannot read ${path}`);
    };
    if (ver.algorithm === "ES256") {
      if (ver.secretPath !== undefined) v.fail(field + ".verification.secretPath", "ES256 verifies with a publicKeyPath");
      try {
        issuer.key = { kind: "p256", point: p256PublicKeyFromPem(load("publicKeyPath")) };
      } catch (e) {
        if (e instanceof RangeError) v.fail(field + ".verification.publicKeyPath", e.message);
        throw e;
      }
    } else if (ver.algorithm === "HS256") {
      if (ver.publicKeyPath !== undefined) v.fail(field + ".verification.publicKeyPath", "HS256 verifies with a secretPath");
      const secret = encodeUtf8(load("secretPath").trim());
      if (secret.length < 32) v.fail(field + ".verification.secretPath", `the secret has ${secret.length} bytes; HS256 needs at least 32`);
      issuer.algorithm = "HS256";
      issuer.key = { kind: "hmac", secret };
    } else v.fail(field + ".verification.algorithm", `must be "ES256" or "HS256" (got ${JSON.stringify(ver.algorithm)})`);
    config.issuers.push(issuer);
  });
  return config;
}
