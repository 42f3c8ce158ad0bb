import { test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ensureDevCertificate, int, makeSelfSigned } from "../../hosts/node/dev-cert.ts";

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
  const hex = (b: Buffer): string => b.toString("hex");
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
