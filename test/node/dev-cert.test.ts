import { test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ensureDevCertificate, makeSelfSigned } from "../../hosts/node/dev-cert.ts";
import { int as derInteger, pem, selfSignedCertificate } from "../../src/tls/certificate.ts";
import { MemoryHost } from "../../sim/memory-host.ts";

test("the development certificate is valid X.509 for localhost and loopback, with its key", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "iobox-cert-"));
  const made = ensureDevCertificate(dir);
  assert.equal(made.created, true);
  const x509 = new crypto.X509Certificate(made.cert);
  assert.ok(x509.checkPrivateKey(crypto.createPrivateKey(made.key)));
  assert.ok(x509.verify(x509.publicKey), "self-signed signature verifies");
  assert.match(x509.subjectAltName ?? "", /DNS:localhost/);
  assert.match(x509.subjectAltName ?? "", /IP Address:127\.0\.0\.1/);
  assert.match(x509.subjectAltName ?? "", /IP Address:0:0:0:0:0:0:0:1/);
  assert.equal(x509.checkHost("localhost"), "localhost");
  assert.equal(x509.checkIP("127.0.0.1"), "127.0.0.1");
  const days = (Date.parse(x509.validTo) - Date.now()) / 86_400_000;
  assert.ok(days > 390 && days <= 397, "valid for about 397 days: " + days);
  assert.equal((fs.statSync(path.join(dir, "dev-key.pem")).mode & 0o777).toString(8), "600");
});

test("the certificate is kept across runs and renewed near expiry", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "iobox-cert-"));
  const first = ensureDevCertificate(dir);
  const second = ensureDevCertificate(dir);
  assert.equal(second.created, false);
  assert.equal(second.fingerprint, first.fingerprint);
  const later = new Date(Date.now() + 380 * 86_400_000); // within 30 days of expiry
  const renewed = ensureDevCertificate(dir, later);
  assert.equal(renewed.created, true);
  assert.notEqual(renewed.fingerprint, first.fingerprint);
});

test("a corrupt certificate file is replaced", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "iobox-cert-"));
  ensureDevCertificate(dir);
  fs.writeFileSync(path.join(dir, "dev-cert.pem"), "garbage");
  assert.equal(ensureDevCertificate(dir).created, true);
});

test("serial numbers are minimal positive DER INTEGERs whatever the random bytes", () => {
  const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");
  const int = (b: Buffer): Uint8Array => derInteger(b);
  assert.equal(hex(int(Buffer.from([0x00, 0x05]))), "020105");
  assert.equal(hex(int(Buffer.from([0x00, 0x00, 0x80]))), "02020080");
  assert.equal(hex(int(Buffer.from([0xff]))), "020200ff");
  assert.equal(hex(int(Buffer.from([0x00]))), "020100");
  for (const first of [[0x00, 0x05], [0x00, 0x00], [0x80, 0x00], [0x7f, 0xff]]) {
    const serial = Buffer.concat([Buffer.from(first), crypto.randomBytes(14)]);
    const { cert } = makeSelfSigned(["localhost"], ["127.0.0.1"], new Date(), serial);
    const x509 = new crypto.X509Certificate(cert); // throws "illegal padding" on a non-minimal INTEGER
    assert.equal(BigInt("0x" + x509.serialNumber), BigInt("0x" + serial.toString("hex")));
  }
});

test("the same certificate from the memory host's crypto (noble, as on XS) and a name past 2049: OpenSSL reads and verifies it", () => {
  const host = new MemoryHost();
  const { privateKey, publicKey } = host.crypto.generateP256();
  const der = selfSignedCertificate({
    publicKey,
    sign: (tbs) => host.crypto.signP256(privateKey, tbs),
    commonName: "iobox-0001 (ünit)",
    dnsNames: ["iobox-0001", "iobox-0001.local"],
    addresses: ["192.0.2.7"],
    notBefore: new Date("2020-01-01T00:00:00Z"),
    notAfter: new Date("2099-12-31T23:59:59Z"),
    serial: Uint8Array.from([0x80, 1, 2, 3]),
  });
  const x509 = new crypto.X509Certificate(pem("CERTIFICATE", der));
  assert.ok(x509.verify(x509.publicKey), "its signature verifies");
  assert.equal(x509.checkHost("iobox-0001.local"), "iobox-0001.local");
  assert.equal(x509.checkIP("192.0.2.7"), "192.0.2.7");
  assert.match(x509.subject, /CN=iobox-0001 \(ünit\)/);
  assert.equal(new Date(x509.validTo).getUTCFullYear(), 2099, "GeneralizedTime after 2049");
  assert.equal(x509.ca, false);
});
