/** Host crypto over Moddable's `crypt` Digest (MD5, SHA1, SHA256 in native code). */
import { Digest } from "crypt";
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
};
