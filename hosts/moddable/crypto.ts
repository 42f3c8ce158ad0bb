/**
 * Host crypto on the device: Moddable's `crypt` Digest (MD5, SHA1, SHA256 in native code), and P-256
 * keys, signatures and their verification from Mbed TLS's PSA crypto (iobox-tls), which also checks
 * what Moddable's JavaScript ECDSA left to its caller (the point on the curve, 0 < r, s < n).
 */
import { Digest } from "crypt";
import { generateP256, signP256, verifyP256 } from "iobox-tls";
import type { Crypto, HashAlgorithm, Hasher } from "../../src/host.ts";

const NAMES = { md5: "MD5", sha1: "SHA1", sha256: "SHA256" } as const;

export const moddableCrypto: Crypto = {
  hash(algorithm: HashAlgorithm): Hasher {
    const d = new Digest(NAMES[algorithm]);
    const hasher: Hasher = {
      update(data) {
        d.write(data);
        return hasher;
      },
      digest: () => new Uint8Array(d.close()),
    };
    return hasher;
  },
  verifyP256(publicKey, message, signature) {
    if (publicKey.length !== 65 || publicKey[0] !== 4 || signature.length !== 64) return false;
    try {
      return verifyP256(publicKey, message, signature);
    } catch {
      return false;
    }
  },
  generateP256() {
    const [privateKey, publicKey] = generateP256();
    return { privateKey: new Uint8Array(privateKey), publicKey: new Uint8Array(publicKey) };
  },
  signP256(privateKey, message) {
    return new Uint8Array(signP256(privateKey, message));
  },
};
