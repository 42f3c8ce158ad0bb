/**
 * A self-signed development certificate (ECDSA P-256), made at run time so that no key is ever
 * committed; the certificate is the one the device makes for itself (src/tls/certificate.ts).
 */
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ecPrivateKeyPem, pem, selfSignedCertificate } from "../../src/tls/certificate.ts";
import { nodeCrypto } from "./host.ts";

export interface DevCertificate {
  cert: string;
  key: string;
  /** SHA-256 fingerprint, as browsers show it. */
  fingerprint: string;
  /** True when this call made it. */
  created: boolean;
  certPath: string;
}

const RENEW_BEFORE_MS = 30 * 86_400_000;
const VALID_DAYS = 397; // the longest validity browsers accept for a TLS server certificate

/** Loads the certificate kept in `dir`, or makes (and keeps) a new one when absent, unreadable or near expiry. */
export function ensureDevCertificate(dir: string, now = new Date()): DevCertificate {
  const certPath = path.join(dir, "dev-cert.pem");
  const keyPath = path.join(dir, "dev-key.pem");
  try {
    const cert = fs.readFileSync(certPath, "utf8");
    const key = fs.readFileSync(keyPath, "utf8");
    const x509 = new crypto.X509Certificate(cert);
    if (Date.parse(x509.validTo) - now.getTime() > RENEW_BEFORE_MS && x509.checkPrivateKey(crypto.createPrivateKey(key))) {
      return { cert, key, fingerprint: x509.fingerprint256, created: false, certPath };
    }
  } catch {
    // absent or unusable: make a new one
  }
  const made = makeSelfSigned(["localhost", os.hostname()], ["127.0.0.1", "::1"], now);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.writeFileSync(keyPath, made.key, { mode: 0o600 });
  fs.writeFileSync(certPath, made.cert, { mode: 0o644 });
  return { ...made, fingerprint: new crypto.X509Certificate(made.cert).fingerprint256, created: true, certPath };
}

export function makeSelfSigned(dnsNames: string[], ips: string[], now = new Date(), serial: Uint8Array = crypto.randomBytes(16)): { cert: string; key: string } {
  const { privateKey, publicKey } = nodeCrypto.generateP256();
  const der = selfSignedCertificate({
    publicKey,
    sign: (tbs) => nodeCrypto.signP256(privateKey, tbs),
    commonName: "iobox development",
    dnsNames,
    addresses: ips,
    notBefore: new Date(now.getTime() - 86_400_000),
    notAfter: new Date(now.getTime() + VALID_DAYS * 86_400_000),
    serial,
  });
  return { cert: pem("CERTIFICATE", der), key: ecPrivateKeyPem(privateKey, publicKey) };
}
