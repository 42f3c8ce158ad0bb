/** Digest helpers over the Host's hash primitive: one HMAC for every host (RFC 2104). */
import type { Crypto, HashAlgorithm } from "./host.ts";

const BLOCK = 64; // md5, sha1 and sha256 all use 64-byte blocks

export function digest(crypto: Crypto, algorithm: HashAlgorithm, ...parts: Uint8Array[]): Uint8Array {
  const h = crypto.hash(algorithm);
  for (const p of parts) h.update(p);
  return h.digest();
}

export function hmac(crypto: Crypto, algorithm: HashAlgorithm, key: Uint8Array, ...parts: Uint8Array[]): Uint8Array {
  let k = key.length > BLOCK ? digest(crypto, algorithm, key) : key;
  const pad = new Uint8Array(BLOCK);
  pad.set(k);
  for (let i = 0; i < BLOCK; i++) pad[i]! ^= 0x36;
  const inner = crypto.hash(algorithm).update(pad);
  for (const p of parts) inner.update(p);
  const innerDigest = inner.digest();
  for (let i = 0; i < BLOCK; i++) pad[i]! ^= 0x36 ^ 0x5c;
  k = crypto.hash(algorithm).update(pad).update(innerDigest).digest();
  pad.fill(0);
  return k;
}
