import { test } from "../harness/test.ts";
import { assert } from "../harness/assert.ts";
import { MemoryHost } from "../../sim/memory-host.ts";
import { ensureIdentity, fingerprint, IDENTITY_CERTIFICATE, IDENTITY_KEY, pemBody } from "../../src/tls/identity.ts";
import { encodeUtf8 } from "../../src/bytes.ts";

test("the unit's identity: made once, kept, the same fingerprint at every boot; a damaged one is made again", () => {
  const host = new MemoryHost();
  const first = ensureIdentity(host, "iobox-0001", ["192.0.2.7"]);
  assert.equal(first.created, true);
  assert.match(first.cert, /^-----BEGIN CERTIFICATE-----\n[A-Za-z0-9+/=\n]+-----END CERTIFICATE-----\n$/);
  assert.match(first.key, /^-----BEGIN EC PRIVATE KEY-----\n/);
  assert.match(first.fingerprint, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  assert.equal(first.fingerprint, fingerprint(host, pemBody(first.cert)!), "the fingerprint is the certificate's SHA-256");
  assert.ok(host.files.read(IDENTITY_KEY) && host.files.read(IDENTITY_CERTIFICATE), "both on flash");
  const again = ensureIdentity(host, "another-name", []);
  assert.deepEqual([again.created, again.fingerprint, again.key], [false, first.fingerprint, first.key], "kept: a new name does not make a new identity");
  host.files.write(IDENTITY_CERTIFICATE, encodeUtf8("not a certificate"));
  const remade = ensureIdentity(host, "iobox-0001", []);
  assert.equal(remade.created, true);
  assert.notEqual(remade.fingerprint, first.fingerprint);
  host.files.remove(IDENTITY_KEY);
  assert.equal(ensureIdentity(host, "iobox-0001", []).created, true, "a certificate without its key is no identity");
});

test("the identity's key signs what its certificate's public key verifies (the memory host's P-256, as on XS)", () => {
  const host = new MemoryHost();
  const { privateKey, publicKey } = host.crypto.generateP256();
  assert.equal(privateKey.length, 32);
  assert.deepEqual([publicKey.length, publicKey[0]], [65, 4]);
  const message = encodeUtf8("tbsCertificate");
  const signature = host.crypto.signP256(privateKey, message);
  assert.equal(signature.length, 64);
  assert.equal(host.crypto.verifyP256(publicKey, message, signature), true);
  assert.equal(host.crypto.verifyP256(publicKey, encodeUtf8("something else"), signature), false);
});
