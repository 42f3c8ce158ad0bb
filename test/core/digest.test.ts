import { test } from "../harness/test.ts";
import { assert } from "../harness/assert.ts";
import { encodeAscii, toHex } from "../../src/bytes.ts";
import { digest, hmac } from "../../src/digest.ts";
import { nobleCrypto as crypto } from "../../sim/noble-crypto.ts";

const hex = (alg: "md5" | "sha1" | "sha256", text: string): string => toHex(digest(crypto, alg, encodeAscii(text)));

test("md5, sha1 and sha256 of known inputs", () => {
  assert.equal(hex("md5", ""), "d41d8cd98f00b204e9800998ecf8427e");
  assert.equal(hex("sha1", "abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
  assert.equal(hex("sha256", "abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
});

test("incremental hashing equals one-shot hashing", () => {
  const h = crypto.hash("sha256");
  h.update(encodeAscii("a")).update(encodeAscii("bc"));
  assert.equal(toHex(h.digest()), hex("sha256", "abc"));
});

test("JANOS Auth-Digest vectors (janos.md §3.3)", () => {
  assert.equal(hex("md5", "jnior:bc581a9683d3e1857218db135e4b:jnior"), "6b7b418f223e7e0dc600c41c7b6644b3");
  assert.equal(hex("md5", "jnior:5d894efb48e1c3bc074fe78e7a5f:jnior"), "65f2d1cb66ef63f7d17a764f3a2f2508");
  assert.equal(hex("md5", "guest:ffffffffffffffffffffffffffff:"), "8ac33352afe597153c99e85000e63ebf");
});

test("HMAC-SHA256 matches RFC 4231 cases 1, 2 and 6", () => {
  const key1 = new Uint8Array(20).fill(0x0b);
  assert.equal(toHex(hmac(crypto, "sha256", key1, encodeAscii("Hi There"))), "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  assert.equal(
    toHex(hmac(crypto, "sha256", encodeAscii("Jefe"), encodeAscii("what do ya want "), encodeAscii("for nothing?"))),
    "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
  );
  const key6 = new Uint8Array(131).fill(0xaa); // longer than a block: hashed first
  assert.equal(
    toHex(hmac(crypto, "sha256", key6, encodeAscii("Test Using Larger Than Block-Size Key - Hash Key First"))),
    "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
  );
});

test("HMAC-MD5 and HMAC-SHA1 match RFC 2202 case 2", () => {
  const key = encodeAscii("Jefe");
  const data = encodeAscii("what do ya want for nothing?");
  assert.equal(toHex(hmac(crypto, "md5", key, data)), "750c783e6ab0b503eaa86e310a5db738");
  assert.equal(toHex(hmac(crypto, "sha1", key, data)), "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
});
