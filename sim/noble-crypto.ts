/** Host crypto in pure JavaScript (@noble/hashes), so the memory host runs on XS as well as Node. */
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
};
