/**
 * A PEM file checked whole before it is kept (/certs): one or more blocks, each with a known label,
 * a base64 body, and one whole DER SEQUENCE inside. A key file (its name says "key") holds a private
 * key; any other holds certificates or public keys.
 */
import { fromBase64 } from "../bytes.ts";

const CERTIFICATE_LABELS = ["CERTIFICATE", "PUBLIC KEY"];
const KEY_LABELS = ["PRIVATE KEY", "EC PRIVATE KEY", "RSA PRIVATE KEY"];

/** Throws a RangeError saying what is wrong. */
export function checkPem(text: string, key: boolean): void {
  const labels = key ? KEY_LABELS : CERTIFICATE_LABELS;
  // made per use: no regular expression may live in a module body (README, "The device's memory")
  const block = /-----BEGIN ([A-Z0-9 ]+)-----([^-]*)-----END ([A-Z0-9 ]+)-----/g;
  let count = 0;
  for (let m = block.exec(text); m; m = block.exec(text)) {
    count++;
    const label = m[1]!;
    if (m[3] !== label) throw new RangeError(`block ${count}: BEGIN ${label} ends with END ${m[3]}`);
    if (!labels.includes(label)) throw new RangeError(`block ${count} is a ${label}; ${key ? "a key file holds a private key" : "certificate files hold certificates or public keys (a key's file name has \"key\" in it)"}`);
    let der: Uint8Array;
    try {
      der = fromBase64(m[2]!.replace(/\s+/g, ""));
    } catch {
      throw new RangeError(`block ${count}: the body is not base64`);
    }
    if (der[0] !== 0x30 || derLength(der) !== der.length) throw new RangeError(`block ${count}: the body is not one DER structure`);
  }
  if (!count) throw new RangeError("no PEM block (-----BEGIN ...----- ... -----END ...-----)");
}

/** The whole length of the DER element at the start of `der`, or -1. */
function derLength(der: Uint8Array): number {
  if (der.length < 2) return -1;
  const first = der[1]!;
  if (first < 0x80) return 2 + first;
  const n = first & 0x7f;
  if (n === 0 || n > 4 || der.length < 2 + n) return -1;
  let length = 0;
  for (let i = 0; i < n; i++) length = length * 256 + der[2 + i]!;
  return 2 + n + length;
}
