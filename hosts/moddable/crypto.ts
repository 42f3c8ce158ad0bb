/**
 * Host crypto over Moddable's `crypt`: Digest (MD5, SHA1, SHA256 in native code) and ECDSA P-256
 * verification; P-256 keys and signatures from Mbed TLS's PSA crypto (iobox-tls).
 */
import { Digest } from "crypt";
import { generateP256, signP256 } from "iobox-tls";
import Curve from "curve";
import ECDSA from "ecdsa";
import ECPoint from "ecp";
import type { Crypto, HashAlgorithm, Hasher } from "../../src/host.ts";

const NAMES = { md5: "MD5", sha1: "SHA1", sha256: "SHA256" } as const;

// P-256 (SEC 2 §2.4.2 secp256r1): the field prime, b and the group order, for the checks that
// Moddable's ECDSA leaves to its caller
const P = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn;
const B = 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn;
const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

let p256: Curve | undefined; // built on first use: most devices never see an ES256 token

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
      const x = bigint(publicKey.subarray(1, 33));
      const y = bigint(publicKey.subarray(33, 65));
      // Moddable's ECDSA checks neither that the key is on the curve nor that 0 < r, s < n (SEC 1
      // §4.1.4 step 1). Given r = s = 0 its verify never returns (seen on lin); elsewhere that
      // signature is CVE-2022-21449's forgery
      if (x >= P || y >= P || (y * y - (x * x * x - 3n * x + B)) % P !== 0n) return false;
      const r = bigint(signature.subarray(0, 32));
      const s = bigint(signature.subarray(32, 64));
      if (r === 0n || r >= N || s === 0n || s >= N) return false;
      p256 ??= new Curve("secp256r1");
      const digest = new Digest("SHA256");
      digest.write(message);
      return new ECDSA(new ECPoint(x, y), p256, false).verify(digest.close(), signature.slice(), false) === true;
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

/** Big-endian unsigned bytes as a bigint, natively. */
function bigint(bytes: Uint8Array): bigint {
  // the 5.6.0 typings declare the result as the BigInt wrapper type; XS returns a primitive
  return BigInt.fromArrayBuffer(bytes.slice().buffer) as unknown as bigint;
}
