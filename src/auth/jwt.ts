/**
 * Bearer access tokens: signed JWTs (RFC 7519) in the JWS compact form (RFC 7515), checked as
 * RFC 9068 and Xentara (xentara.md §1.4) say.
 *
 * The token chooses nothing that matters for trust. Its `iss` only picks which configured issuer's
 * key to try; the algorithm is the issuer's, fixed in configuration, and a header naming any other
 * is refused (algorithm confusion: an HS256 token "signed" with an ES256 issuer's public key, or
 * `none`). Keys never come from the token either: `jwk`, `jku`, `x5u` and `kid` are ignored. No
 * claim is looked at before the signature holds.
 *
 * Reasons are short, fit in a quoted header parameter (no `"` or `\`), and never repeat the token.
 */
import type { Host } from "../host.ts";
import { ForeignJson, NO_NAMES, parseJson } from "../json-input.ts";
import { decodeUtf8, encodeAscii, equalBytes, fromBase64, fromBase64Url, toHex } from "../bytes.ts";
import { hmac } from "../digest.ts";

export type JwtAlgorithm = "HS256" | "ES256";

export type JwtKey = { kind: "hmac"; secret: Uint8Array } | { kind: "p256"; point: Uint8Array /* 65 bytes, 0x04‖X‖Y */ };

/** Per-issuer relaxations of RFC 9068 (Xentara's `nonConformance`); all default false. */
export interface NonConformance {
  /** Accept `typ: JWT` (or `application/jwt`) as well as `at+jwt`. */
  allowGenericJwt?: boolean;
  allowMissingTyp?: boolean;
  allowMissingIat?: boolean;
  allowMissingExp?: boolean;
  allowMissingSub?: boolean;
  allowMissingClientId?: boolean;
  allowMissingJti?: boolean;
}

export interface JwtIssuer {
  /** Compared exactly with the token's `iss`. */
  iss: string;
  /** Must be the token's `aud`, or one of them. */
  aud: string;
  algorithm: JwtAlgorithm;
  /** An `hmac` key for HS256, a `p256` key for ES256; any other pairing refuses every token. */
  key: JwtKey;
  /** Granted to every token of this issuer. */
  roles: string[];
  /** Claim name → (claim value → roles), or "implicit": the claim's values are role names themselves. */
  authorizationClaims: Record<string, Record<string, string[]> | "implicit">;
  nonConformance: NonConformance;
}

export interface JwtPolicy {
  issuers: readonly JwtIssuer[];
  /** Every one must be in the token's space-separated `scope` claim; empty = no check. */
  scope: readonly string[];
  /** Clock skew allowed on `exp`, `nbf` and `iat`; default DEFAULT_LEEWAY_SECONDS. */
  leewaySeconds?: number;
}

export type JwtResult =
  /** `subject` is `sub`, or `client_id` when a relaxation let `sub` be absent, or "". `scope` is the token's. */
  | { ok: true; issuer: string; subject: string; roles: string[]; scope: string[] }
  | { ok: false; reason: string };

export const DEFAULT_LEEWAY_SECONDS = 60;

/** Longest token looked at; anything longer is refused before it is decoded. */
export const MAX_TOKEN = 8192;

/** A header or claims set: members in a Map, as parseJson keeps names it does not know (anyone may send a token). */
type Json = Map<string, unknown>;

export function verifyJwt(host: Pick<Host, "crypto" | "clock">, token: string, policy: JwtPolicy): JwtResult {
  if (typeof token !== "string" || token.length === 0) return refuse("no token");
  if (token.length > MAX_TOKEN) return refuse("token too long");
  const parts = token.split(".");
  if (parts.length !== 3) return refuse(parts.length === 5 ? "encrypted tokens (JWE) are not accepted" : "not a JWS compact token");
  const header = decodeJson(parts[0]!);
  if (typeof header === "string") return refuse("header " + header);
  const payload = decodeJson(parts[1]!);
  if (typeof payload === "string") return refuse("payload " + payload);
  let signature: Uint8Array;
  try {
    signature = fromBase64Url(parts[2]!);
  } catch {
    return refuse("signature is not base64url");
  }

  // unverified: it only says which key to try
  const iss = own(payload, "iss");
  if (typeof iss !== "string") return refuse("iss missing");
  const issuer = policy.issuers.find((i) => i.iss === iss);
  if (!issuer) return refuse("unknown issuer");

  if (own(header, "alg") !== issuer.algorithm) return refuse("algorithm not accepted for this issuer");
  // RFC 7515 §4.1.11: an extension we do not implement must not be ignored, and we implement none
  if (hasOwn(header, "crit")) return refuse("crit header not supported");
  const typProblem = checkTyp(own(header, "typ"), issuer.nonConformance);
  if (typProblem) return refuse(typProblem);

  const signingInput = encodeAscii(parts[0]! + "." + parts[1]!); // base64url text is ASCII
  if (!signatureHolds(host.crypto, issuer, signingInput, signature)) return refuse("bad signature");

  const relax = issuer.nonConformance;
  if (!audienceMatches(own(payload, "aud"), issuer.aud)) return refuse("audience mismatch");

  const now = host.clock.now() / 1000; // NumericDate is seconds (RFC 7519 §2), fractions allowed
  const leeway = policy.leewaySeconds ?? DEFAULT_LEEWAY_SECONDS;
  const exp = numericDate(payload, "exp", relax.allowMissingExp);
  if (typeof exp === "string") return refuse(exp);
  if (exp !== undefined && !(exp > now - leeway)) return refuse("expired");
  const nbf = numericDate(payload, "nbf", true);
  if (typeof nbf === "string") return refuse(nbf);
  if (nbf !== undefined && !(nbf <= now + leeway)) return refuse("not yet valid");
  const iat = numericDate(payload, "iat", relax.allowMissingIat);
  if (typeof iat === "string") return refuse(iat);
  if (iat !== undefined && !(iat <= now + leeway)) return refuse("issued in the future");

  const sub = stringClaim(payload, "sub", relax.allowMissingSub);
  if (sub === false) return refuse("sub missing or not a string");
  const clientId = stringClaim(payload, "client_id", relax.allowMissingClientId);
  if (clientId === false) return refuse("client_id missing or not a string");
  if (stringClaim(payload, "jti", relax.allowMissingJti) === false) return refuse("jti missing or not a string");

  const scopeClaim = own(payload, "scope");
  if (scopeClaim !== undefined && typeof scopeClaim !== "string") return refuse("scope is not a string");
  // RFC 6749 §3.3: space-delimited; empty tokens from doubled spaces mean nothing
  const scope = scopeClaim === undefined ? [] : scopeClaim.split(" ").filter((s) => s !== "");
  if (policy.scope.length > 0) {
    if (scopeClaim === undefined) return refuse("scope missing");
    if (!policy.scope.every((s) => scope.includes(s))) return refuse("insufficient scope");
  }

  return { ok: true, issuer: issuer.iss, subject: sub ?? clientId ?? "", roles: rolesOf(issuer, payload), scope };
}

function refuse(reason: string): JwtResult {
  return { ok: false, reason };
}

/** The JSON object in one base64url part, or what is wrong with it. */
function decodeJson(part: string): Json | string {
  let bytes: Uint8Array;
  try {
    bytes = fromBase64Url(part);
  } catch {
    return "is not base64url";
  }
  let value: unknown;
  try {
    // before the signature is checked: on the device a claim's name must not become a property key
    value = parseJson(decodeUtf8(bytes, 0, bytes.length, true), { names: NO_NAMES, others: "foreign" });
  } catch {
    return "is not JSON in UTF-8";
  }
  return value instanceof ForeignJson && value.members ? value.members : "is not a JSON object";
}

function hasOwn(o: Json, name: string): boolean {
  return o.has(name);
}

/** A member of the header or the claims (a claim named "constructor" is one like any other). */
function own(o: Json, name: string): unknown {
  return o.get(name);
}

const AT_JWT = ["at+jwt", "application/at+jwt"];
const GENERIC_JWT = ["jwt", "application/jwt"];

/** RFC 9068 §2.1 and §4: media types compare case-insensitively. */
function checkTyp(typ: unknown, relax: NonConformance): string | undefined {
  if (typ === undefined) return relax.allowMissingTyp ? undefined : "typ missing";
  if (typeof typ !== "string") return "typ is not a string";
  const t = typ.toLowerCase();
  if (AT_JWT.includes(t) || (relax.allowGenericJwt && GENERIC_JWT.includes(t))) return undefined;
  return relax.allowGenericJwt ? "typ is not at+jwt or JWT" : "typ is not at+jwt";
}

function signatureHolds(crypto: Host["crypto"], issuer: JwtIssuer, signingInput: Uint8Array, signature: Uint8Array): boolean {
  const key = issuer.key;
  if (issuer.algorithm === "HS256" && key.kind === "hmac") {
    // an empty secret would let anyone sign; configuration refuses it, this makes sure
    return key.secret.length > 0 && equalBytes(hmac(crypto, "sha256", key.secret, signingInput), signature);
  }
  if (issuer.algorithm === "ES256" && key.kind === "p256") {
    return signature.length === 64 && crypto.verifyP256(key.point, signingInput, signature);
  }
  return false;
}

function audienceMatches(aud: unknown, expected: string): boolean {
  if (typeof aud === "string") return aud === expected;
  return Array.isArray(aud) && aud.includes(expected);
}

/** The NumericDate claim `name` (seconds), undefined when absent and allowed, or what is wrong. */
function numericDate(payload: Json, name: string, mayBeMissing: boolean | undefined): number | undefined | string {
  const v = own(payload, name);
  if (v === undefined) return mayBeMissing ? undefined : name + " missing";
  return typeof v === "number" && Number.isFinite(v) ? v : name + " is not a number";
}

/** The string claim `name`; undefined when absent and allowed; false when it must be there and is not, or is not a string. */
function stringClaim(payload: Json, name: string, mayBeMissing: boolean | undefined): string | undefined | false {
  const v = own(payload, name);
  if (v === undefined) return mayBeMissing ? undefined : false;
  return typeof v === "string" ? v : false;
}

/** The issuer's roles, then those the authorization claims grant, each once, in that order. */
function rolesOf(issuer: JwtIssuer, payload: Json): string[] {
  const roles = new Set(issuer.roles);
  for (const claim of Object.keys(issuer.authorizationClaims)) {
    const mapping = issuer.authorizationClaims[claim]!;
    const v = own(payload, claim);
    // a value of another type grants nothing rather than refusing the token
    const values = typeof v === "string" ? [v] : Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
    for (const value of values) {
      if (mapping === "implicit") roles.add(value);
      else if (Object.prototype.hasOwnProperty.call(mapping, value)) for (const role of mapping[value]!) roles.add(role);
    }
  }
  return [...roles];
}

// SubjectPublicKeyInfo (RFC 5280 §4.1.2.7) with id-ecPublicKey (1.2.840.10045.2.1) and namedCurve
// prime256v1 (1.2.840.10045.3.1.7), RFC 5480 §2
const ID_EC_PUBLIC_KEY = "2a8648ce3d0201";
const CURVES: Record<string, string> = {
  "2a8648ce3d030107": "P-256",
  "2b81040022": "P-384",
  "2b81040023": "P-521",
  "2b8104000a": "secp256k1",
};
const KEY_TYPES: Record<string, string> = {
  "2a864886f70d010101": "an RSA key",
  "2a864886f70d01010a": "an RSA-PSS key",
  "2b6570": "an Ed25519 key",
  "2b6571": "an Ed448 key",
};
// regular expressions made per use: none may live in a module body (README, "The device's memory")
const PEM = (): RegExp => /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/;

// P-256 (SEC 2 §2.4.2): y² = x³ − 3x + b over the prime field p
const P = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn;
const B = 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn;

/** The EC P-256 public key in a PEM "PUBLIC KEY" (SubjectPublicKeyInfo, id-ecPublicKey + prime256v1) as the uncompressed point; throws RangeError naming what is wrong. */
export function p256PublicKeyFromPem(pem: string): Uint8Array {
  const m = PEM().exec(pem);
  if (!m) throw new RangeError("no PEM block (-----BEGIN PUBLIC KEY----- ... -----END PUBLIC KEY-----)");
  if (m[1] !== "PUBLIC KEY") throw new RangeError(`is a PEM ${m[1]}, not a PUBLIC KEY`);
  let der: Uint8Array;
  try {
    der = fromBase64(m[2]!.replace(/\s+/g, ""));
  } catch {
    throw new RangeError("the PEM body is not base64");
  }
  const r = new DerReader(der);
  const spki = r.enter(0x30, "SubjectPublicKeyInfo");
  if (spki.end !== der.length) throw new RangeError("unexpected DER data after the SubjectPublicKeyInfo");
  const algorithm = r.enter(0x30, "AlgorithmIdentifier");
  const keyType = toHex(r.read(0x06, "algorithm OID"));
  if (keyType !== ID_EC_PUBLIC_KEY) throw new RangeError(`is ${KEY_TYPES[keyType] ?? "not an EC key"}, not EC P-256`);
  if (r.peek() !== 0x06) throw new RangeError("the EC key names no curve (explicit curve parameters are not supported)");
  const curve = toHex(r.read(0x06, "curve OID"));
  if (curve !== "2a8648ce3d030107") throw new RangeError(`is on curve ${CURVES[curve] ?? "unknown"}, not P-256`);
  r.done(algorithm.end, "in the AlgorithmIdentifier");
  const bits = r.read(0x03, "subjectPublicKey");
  r.done(spki.end, "after the subjectPublicKey");
  if (bits.length < 1 || bits[0] !== 0) throw new RangeError("the subjectPublicKey BIT STRING has unused bits");
  const point = bits.slice(1);
  if (point[0] === 2 || point[0] === 3) throw new RangeError("the point is compressed; give the uncompressed form (04 X Y)");
  if (point.length !== 65 || point[0] !== 4) throw new RangeError("the point is not 65 bytes 04 X Y");
  const x = BigInt("0x" + toHex(point.subarray(1, 33)));
  const y = BigInt("0x" + toHex(point.subarray(33)));
  if (x >= P || y >= P || (y * y - (x * x * x - 3n * x + B)) % P !== 0n) throw new RangeError("the point is not on P-256");
  return point;
}

/** Just enough DER (X.690 §10) for one SubjectPublicKeyInfo: definite lengths, single-byte tags. */
class DerReader {
  private pos = 0;
  constructor(private readonly der: Uint8Array) {}

  peek(): number | undefined {
    return this.der[this.pos];
  }

  /** Reads a header of tag `tag` and stays inside its contents; returns where they end. */
  enter(tag: number, what: string): { end: number } {
    return { end: this.header(tag, what) };
  }

  /** The contents of the next element, which must have tag `tag`. */
  read(tag: number, what: string): Uint8Array {
    const end = this.header(tag, what);
    const contents = this.der.subarray(this.pos, end);
    this.pos = end;
    return contents;
  }

  done(end: number, where: string): void {
    if (this.pos !== end) throw new RangeError("unexpected DER data " + where);
  }

  private header(tag: number, what: string): number {
    const d = this.der;
    if (d[this.pos] !== tag) throw new RangeError(`not a DER SubjectPublicKeyInfo (${what} expected)`);
    let length = d[this.pos + 1];
    this.pos += 2;
    if (length === undefined) throw new RangeError(`truncated DER at the ${what}`);
    if (length > 0x80 && length <= 0x82) {
      let n = length & 0x7f;
      length = 0;
      while (n-- > 0) {
        const b = d[this.pos++];
        if (b === undefined) throw new RangeError(`truncated DER at the ${what}`);
        length = length * 256 + b;
      }
    } else if (length >= 0x80) throw new RangeError(`bad DER length at the ${what}`);
    const end = this.pos + length;
    if (end > d.length) throw new RangeError(`truncated DER at the ${what}`);
    return end;
  }
}
