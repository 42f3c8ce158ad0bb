/**
 * A self-signed development certificate (ECDSA P-256), made at run time so that no key is ever
 * committed. Node can make keys but not certificates, so the X.509 structure is written here in DER.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

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

export function makeSelfSigned(dnsNames: string[], ips: string[], now = new Date(), serial: Buffer = crypto.randomBytes(16)): { cert: string; key: string } {
  const { privateKey, publicKey } = crypto.generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const spki = publicKey.export({ type: "spki", format: "der" });
  const name = seq(set(seq(oid("2.5.4.3"), tlv(0x0c, Buffer.from("iobox development", "utf8")))));
  const notBefore = new Date(now.getTime() - 86_400_000);
  const notAfter = new Date(now.getTime() + VALID_DAYS * 86_400_000);
  const sigAlg = seq(oid("1.2.840.10045.4.3.2")); // ecdsa-with-SHA256
  const altNames = [
    ...dnsNames.filter((n, i) => n && dnsNames.indexOf(n) === i).map((n) => tlv(0x82, Buffer.from(n, "ascii"))),
    ...ips.map((ip) => tlv(0x87, ipBytes(ip))),
  ];
  const extensions = seq(
    extension("2.5.29.19", true, seq()), // basicConstraints: not a CA
    extension("2.5.29.15", true, tlv(0x03, Buffer.from([0x07, 0x80]))), // keyUsage: digitalSignature
    extension("2.5.29.37", false, seq(oid("1.3.6.1.5.5.7.3.1"))), // extKeyUsage: serverAuth
    extension("2.5.29.17", false, seq(...altNames)), // subjectAltName
  );
  const tbs = seq(
    tlv(0xa0, int(Buffer.from([2]))), // v3
    int(serial),
    sigAlg,
    name,
    seq(utcTime(notBefore), utcTime(notAfter)),
    name,
    spki,
    tlv(0xa3, extensions),
  );
  const signature = crypto.sign("sha256", tbs, privateKey);
  const der = seq(tbs, sigAlg, tlv(0x03, Buffer.concat([Buffer.from([0]), signature])));
  const body = der.toString("base64").replace(/.{64}/g, "$&\n");
  return {
    cert: `-----BEGIN CERTIFICATE-----\n${body.trimEnd()}\n-----END CERTIFICATE-----\n`,
    key: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
  };
}

function tlv(tag: number, body: Buffer): Buffer {
  const n = body.length;
  const len = n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), len, body]);
}

function seq(...items: Buffer[]): Buffer {
  return tlv(0x30, Buffer.concat(items));
}

function set(...items: Buffer[]): Buffer {
  return tlv(0x31, Buffer.concat(items));
}

/** A DER INTEGER from unsigned big-endian bytes: minimal length (no leading zeros), never negative. */
export function int(unsigned: Buffer): Buffer {
  let start = 0;
  while (start < unsigned.length - 1 && unsigned[start] === 0) start++;
  const bytes = unsigned.subarray(start);
  return tlv(0x02, bytes.length && bytes[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes.length ? bytes : Buffer.from([0]));
}

function oid(dotted: string): Buffer {
  const parts = dotted.split(".").map(Number);
  const out = [40 * parts[0]! + parts[1]!];
  for (const p of parts.slice(2)) {
    const stack = [p & 0x7f];
    for (let v = p >>> 7; v; v >>>= 7) stack.unshift(0x80 | (v & 0x7f));
    out.push(...stack);
  }
  return tlv(0x06, Buffer.from(out));
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return seq(oid(id), ...(critical ? [tlv(0x01, Buffer.from([0xff]))] : []), tlv(0x04, value));
}

function utcTime(d: Date): Buffer {
  const p = (n: number): string => String(n).padStart(2, "0");
  const text = p(d.getUTCFullYear() % 100) + p(d.getUTCMonth() + 1) + p(d.getUTCDate()) + p(d.getUTCHours()) + p(d.getUTCMinutes()) + p(d.getUTCSeconds()) + "Z";
  return tlv(0x17, Buffer.from(text, "ascii"));
}

function ipBytes(ip: string): Buffer {
  if (net4(ip)) return Buffer.from(ip.split(".").map(Number));
  // IPv6: expand "::" and pack eight 16-bit groups
  const [head, tail] = ip.split("::") as [string, string | undefined];
  const h = head ? head.split(":") : [];
  const t = tail ? tail.split(":") : [];
  const groups = [...h, ...Array(8 - h.length - t.length).fill("0"), ...t];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}

function net4(ip: string): boolean {
  return /^\d+\.\d+\.\d+\.\d+$/.test(ip);
}
