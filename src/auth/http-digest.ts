/**
 * HTTP Digest authentication, server side (RFC 7616): qop="auth" with SHA-256 or MD5. Not offered:
 * the -sess algorithms, auth-int, userhash and username* (iobox user names are ASCII).
 *
 * Nonces carry their own proof, so issuing one stores nothing:
 *
 *   nonce = base64url( issued u48 ‖ serial u48 ‖ first 12 bytes of HMAC-SHA256(secret, issued ‖ serial) )
 *
 * `issued` is host.clock.monotonic() and gives the nonce its age. `serial` counts the nonces this
 * instance has issued; it makes every nonce unique and orders them, which the replay check needs (see
 * `Replays`). The secret is drawn when the instance is made, so nonces die with it: after a reboot a
 * client holding an old nonce is told `stale` and retries without asking its user again.
 */
import { encodeUtf8, equalBytes, fromBase64, toBase64, toHex } from "../bytes.ts";
import { digest, hmac } from "../digest.ts";
import type { Crypto, Host } from "../host.ts";
import { type Credentials, equalConstantTime } from "./credentials.ts";

export type DigestAlgorithm = "SHA-256" | "MD5";

export interface DigestOptions {
  /** Shown to the user by browsers, and part of every response hash (HA1). */
  realm: string;
  /** How long a nonce is good for; default 300 000 (5 minutes). */
  nonceLifetimeMs?: number;
  /** How many nonces' highest `nc` are remembered against replays; default 32. */
  maxNonces?: number;
}

export type DigestResult = { ok: true; user: string } | { ok: false; stale: boolean; reason: string };

/** What the response hash covers for qop="auth" (RFC 7616 §3.4.1). */
export interface DigestResponseInputs {
  user: string;
  realm: string;
  password: string;
  method: string;
  uri: string;
  nonce: string;
  nc: string;
  cnonce: string;
  qop: string;
}

/** The `response` a client sends: H(H(user:realm:password):nonce:nc:cnonce:qop:H(method:uri)), lower-case hex. */
export function digestResponse(crypto: Crypto, algorithm: DigestAlgorithm, p: DigestResponseInputs): string {
  const h = (text: string): string => toHex(digest(crypto, algorithm === "MD5" ? "md5" : "sha256", encodeUtf8(text)));
  const ha1 = h(p.user + ":" + p.realm + ":" + p.password);
  const ha2 = h(p.method + ":" + p.uri);
  return h(ha1 + ":" + p.nonce + ":" + p.nc + ":" + p.cnonce + ":" + p.qop + ":" + ha2);
}

const NONCE_BYTES = 24;
const MAC_BYTES = 12;
const WRONG_PASSWORD = "unknown user or wrong password";
// RFC 7616 §3.4: every one of these must come back; opaque too, because we always send it
const REQUIRED = ["username", "realm", "nonce", "uri", "response", "qop", "nc", "cnonce", "opaque"] as const;
// a quoted-string can carry any of these but a header line cannot

export class HttpDigest {
  private readonly realm: string;
  private readonly lifetime: number;
  private readonly secret = new Uint8Array(32);
  private readonly opaque: string;
  private readonly replays: Replays;
  private serial = 0;

  constructor(
    private readonly host: Pick<Host, "crypto" | "random" | "clock">,
    options: DigestOptions,
  ) {
    if (/[\x00-\x1f\x7f]/.test(options.realm)) throw new RangeError("digest realm must not contain control characters");
    this.realm = options.realm;
    this.lifetime = positive(options.nonceLifetimeMs ?? 300_000, "nonceLifetimeMs");
    this.replays = new Replays(positive(options.maxNonces ?? 32, "maxNonces"));
    host.random(this.secret);
    const opaque = new Uint8Array(12);
    host.random(opaque);
    this.opaque = toBase64(opaque, true);
  }

  /**
   * `WWW-Authenticate` values for a 401, SHA-256 first: a client takes the first it supports (RFC 7616
   * §3.7). Both share one nonce, so a client that answers either uses the same replay counter.
   */
  challenges(stale = false): string[] {
    const nonce = this.issueNonce();
    const common = 'realm="' + quote(this.realm) + '", qop="auth", algorithm=';
    const tail = ', nonce="' + nonce + '", opaque="' + this.opaque + '"' + (stale ? ", stale=true" : "");
    return ["Digest " + common + "SHA-256" + tail, "Digest " + common + "MD5" + tail];
  }

  /**
   * Checks Digest credentials against a request. `passwordOf` gives a user's password, or undefined
   * when there is no such user; an unknown user costs the same hashing as a known one and gets the
   * same reason as a wrong password, so neither time nor text tells which names exist.
   */
  verify(credentials: Credentials, method: string, requestTarget: string, passwordOf: (user: string) => string | undefined): DigestResult {
    if (credentials.scheme.toLowerCase() !== "digest") return refuse("not Digest credentials");
    const p = credentials.params;
    for (const name of REQUIRED) if (!p.has(name)) return refuse("missing " + name);
    const user = p.get("username")!;
    const nonce = p.get("nonce")!;
    const nc = p.get("nc")!;
    const qop = p.get("qop")!;
    if (p.get("realm") !== this.realm) return refuse("wrong realm");
    if (p.get("uri") !== requestTarget) return refuse("uri does not match the request target");
    if (qop.toLowerCase() !== "auth") return refuse('qop must be "auth"');
    if ((p.get("userhash") ?? "false").toLowerCase() !== "false") return refuse("userhash is not supported");
    const algorithm = algorithmOf(p.get("algorithm"));
    if (!algorithm) return refuse("unsupported algorithm");
    if (!/^[0-9a-fA-F]{8}$/.test(nc)) return refuse("nc must be 8 hex digits");
    const cnonce = p.get("cnonce")!;
    if (cnonce === "") return refuse("empty cnonce");

    const password = passwordOf(user);
    // the dummy password only keeps the work the same; an unknown user never passes
    const expected = digestResponse(this.host.crypto, algorithm, {
      user,
      realm: this.realm,
      password: password ?? "",
      method,
      uri: requestTarget,
      nonce,
      nc,
      cnonce,
      qop,
    });
    const correct = equalConstantTime(p.get("response")!.toLowerCase(), expected) && password !== undefined;

    // RFC 7616 §3.3: stale only when the digest is right for the nonce, so a client that knows the
    // password retries with a fresh nonce without asking its user again; a wrong password is just wrong
    // another opaque: the challenge of an earlier boot, which a browser sends again unasked after a
    // restart; with the right password that is no guess, and counting it would lock a site out
    if (!equalConstantTime(p.get("opaque")!, this.opaque)) return { ok: false, stale: correct, reason: "opaque of another boot" };
    const issued = this.checkNonce(nonce);
    if (!issued) return { ok: false, stale: correct, reason: "invalid nonce" };
    if (this.host.clock.monotonic() - issued.at > this.lifetime) return { ok: false, stale: correct, reason: "nonce expired" };
    if (!correct) return refuse(WRONG_PASSWORD);
    const seen = this.replays.accept(issued.serial, parseInt(nc, 16));
    if (seen === "forgotten") return { ok: false, stale: true, reason: "nonce no longer tracked" };
    if (seen === "replayed") return refuse("nc not greater than before (replay)");
    return { ok: true, user };
  }

  private issueNonce(): string {
    const bytes = new Uint8Array(NONCE_BYTES);
    putU48(bytes, 0, Math.floor(this.host.clock.monotonic()));
    putU48(bytes, 6, ++this.serial);
    bytes.set(this.mac(bytes.subarray(0, 12)), 12);
    return toBase64(bytes, true);
  }

  /** Issue time and serial of a nonce this instance made, or undefined for anything else. */
  private checkNonce(nonce: string): { at: number; serial: number } | undefined {
    if (nonce.length !== 32) return undefined; // 24 bytes in unpadded base64
    let bytes: Uint8Array;
    try {
      bytes = fromBase64(nonce);
    } catch {
      return undefined;
    }
    if (!equalBytes(this.mac(bytes.subarray(0, 12)), bytes.subarray(12))) return undefined;
    return { at: getU48(bytes, 0), serial: getU48(bytes, 6) };
  }

  private mac(data: Uint8Array): Uint8Array {
    return hmac(this.host.crypto, "sha256", this.secret, data).subarray(0, MAC_BYTES);
  }
}

/**
 * The highest `nc` of the most recently used nonces, by serial. A nonce that was used and then
 * evicted must not be accepted again from nc=1, or a recorded request could be replayed; so the
 * highest serial ever evicted is kept, and an untracked nonce at or below it is "forgotten" (the
 * client is told stale and takes a fresh nonce). Nonces issued later are unaffected.
 */
class Replays {
  private readonly seen = new Map<number, number>(); // serial → highest nc; Map order = least recently used first
  private evictedUpTo = 0;

  constructor(private readonly capacity: number) {}

  accept(serial: number, nc: number): "ok" | "replayed" | "forgotten" {
    const last = this.seen.get(serial);
    if (last === undefined) {
      if (serial <= this.evictedUpTo) return "forgotten";
    } else {
      if (nc <= last) return "replayed";
      this.seen.delete(serial);
    }
    if (nc === 0) return "replayed"; // nc counts from 1 (RFC 7616 §3.4)
    this.seen.set(serial, nc);
    if (this.seen.size > this.capacity) {
      const oldest = this.seen.keys().next().value!;
      this.seen.delete(oldest);
      if (oldest > this.evictedUpTo) this.evictedUpTo = oldest;
    }
    return "ok";
  }
}

function algorithmOf(name: string | undefined): DigestAlgorithm | undefined {
  const lower = name === undefined ? "md5" : name.toLowerCase(); // absent means MD5 (RFC 7616 §3.3)
  return lower === "md5" ? "MD5" : lower === "sha-256" ? "SHA-256" : undefined;
}

function refuse(reason: string): DigestResult {
  return { ok: false, stale: false, reason };
}

function quote(text: string): string {
  return text.replace(/["\\]/g, "\\$&");
}

function positive(n: number, name: string): number {
  if (!Number.isSafeInteger(n) || n <= 0) throw new RangeError("digest " + name + " must be a positive integer");
  return n;
}

function putU48(out: Uint8Array, at: number, n: number): void {
  for (let i = 5; i >= 0; i--) {
    out[at + i] = n % 256;
    n = Math.floor(n / 256);
  }
}

function getU48(bytes: Uint8Array, at: number): number {
  let n = 0;
  for (let i = 0; i < 6; i++) n = n * 256 + bytes[at + i]!;
  return n;
}
