/**
 * The JANOS login (janos.md §3.2–3.3): the server challenges with a nonce, the client answers
 * `Auth-Digest` = user + ":" + md5hex(user:nonce:password). Every INTEG client computes it this way;
 * the C# one sends the hex in upper case, so the hex is compared case-insensitively. The user name
 * ends at the last ":" (the hex never holds one).
 */
import { encodeUtf8, toHex } from "../bytes.ts";
import { equalConstantTime } from "../auth/credentials.ts";
import { digest } from "../digest.ts";
import type { Crypto } from "../host.ts";

const NONCE_BYTES = 14; // 28 hex characters, as in INTEG's examples

/** A fresh, unpredictable nonce. */
export function newNonce(random: (into: Uint8Array) => void): string {
  const bytes = new Uint8Array(NONCE_BYTES);
  random(bytes);
  return toHex(bytes);
}

export type DigestCheck = { ok: true; user: string } | { ok: false; user: string; reason: string };

/** Checks an Auth-Digest value against `nonce`; `passwordOf` gives a user's password (undefined: no such user). */
export function checkAuthDigest(crypto: Crypto, value: string, nonce: string, passwordOf: (user: string) => string | undefined): DigestCheck {
  const colon = value.lastIndexOf(":");
  const user = colon > 0 ? value.slice(0, colon) : "";
  const hex = colon > 0 ? value.slice(colon + 1).toLowerCase() : "";
  if (!user || !/^[0-9a-f]{32}$/.test(hex)) return { ok: false, user, reason: "malformed Auth-Digest" };
  const password = passwordOf(user);
  // an unknown user costs the same hash as a known one: no user enumeration by timing
  const expected = toHex(digest(crypto, "md5", encodeUtf8(user + ":" + nonce + ":" + (password ?? "\u0000"))));
  if (password === undefined || !equalConstantTime(hex, expected)) return { ok: false, user, reason: "unknown user or wrong password" };
  return { ok: true, user };
}
