/**
 * Signed firmware images for tests on Node and XS (the release tool is hosts/build/firmware.ts, on
 * Node's crypto): the same header (src/firmware/image.ts), signed with @noble/curves.
 */
import { p256 } from "@noble/curves/nist.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { HEADER_LENGTH, headerToSign, parseVersion } from "../src/firmware/image.ts";

export interface TestKey {
  secret: Uint8Array;
  /** The uncompressed point a build takes as its release key. */
  publicKey: Uint8Array;
}

export function testKey(seed: number): TestKey {
  const secret = new Uint8Array(32).fill(seed & 0xff);
  secret[0] = 1;
  return { secret, publicKey: p256.getPublicKey(secret, false) };
}

export function signedImage(payload: Uint8Array, key: TestKey, o: { version: string; minVersion?: string; board?: string }): Uint8Array {
  const signed = headerToSign({
    payloadLength: payload.length,
    version: parseVersion(o.version),
    minVersion: parseVersion(o.minVersion ?? "0.0.0"),
    board: o.board ?? "memory",
    sha256: sha256(payload),
  });
  const signature = p256.sign(signed, key.secret, { prehash: true, format: "compact" });
  const image = new Uint8Array(HEADER_LENGTH + payload.length);
  image.set(signed, 0);
  image.set(signature, signed.length);
  image.set(payload, HEADER_LENGTH);
  return image;
}
