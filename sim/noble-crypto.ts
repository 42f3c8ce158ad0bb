/** Host crypto in pure JavaScript (@noble/hashes, @noble/curves), so the memory host runs on XS as well as Node. */
import { p256 } from "@noble/curves/nist.js";
import { md5, sha1 } from "@noble/hashes/legacy.js";
import { sha256 } from "@noble/hashes/sha2.js";
import type { Crypto, HashAlgorithm, Hasher } from "../src/host.ts";

const FACTORIES = { md5, sha1, sha256 };

export const nobleCrypto: Crypto = {
  hash(algorithm: HashAlgorithm): Hasher {
    const factory = FACTORIES[algorithm];
    if (!factory) throw new RangeError("unsupported hash " + String(algorithm));
    const h = factory.create();
    const hasher: Hasher = {
      update(data) {
        h.update(data);
        return hasher;
      },
      digest: () => h.digest(),
    };
    return hasher;
  },
  verifyP256(publicKey, message, signature) {
    // noble also takes compressed points; the contract (and the other hosts) take only 0x04‖X‖Y
    if (publicKey.length !== 65 || publicKey[0] !== 4 || signature.length !== 64) return false;
    try {
      // lowS: false because JWS signers (OpenSSL, Node, Moddable) do not normalise s; noble's default would refuse half of them
      return p256.verify(signature, message, publicKey, { prehash: true, lowS: false, format: "compact" });
    } catch {
      return false;
    }
  },
  generateP256() {
    return keyPair(p256.utils.randomSecretKey());
  },
  signP256(privateKey, message) {
    return p256.sign(message, privateKey, { prehash: true, format: "compact" });
  },
};

/** nobleCrypto with keys made from `random` (the memory host's seeded generator: the same keys every run). */
export function nobleCryptoWith(random: (into: Uint8Array) => void): Crypto {
  return {
    ...nobleCrypto,
    generateP256() {
      const seed = new Uint8Array(48);
      random(seed);
      return keyPair(p256.utils.randomSecretKey(seed));
    },
  };
}

function keyPair(privateKey: Uint8Array): { privateKey: Uint8Array; publicKey: Uint8Array } {
  return { privateKey, publicKey: p256.getPublicKey(privateKey, false) };
}
