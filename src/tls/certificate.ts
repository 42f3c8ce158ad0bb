/**
 * A self-signed X.509 certificate for an ECDSA P-256 key (RFC 5280, RFC 5480, RFC 5758), written in
 * DER here so that every host makes the same one: the simulator's development certificate and the
 * device's own identity. The host brings the key pair and the signature (Crypto.generateP256,
 * signP256); nothing else about certificates is needed on the device.
 */
import { encodeUtf8, joinBytes, toBase64 } from "../bytes.ts";

export interface SelfSigned {
  /** The uncompressed public point, 65 bytes. */
  publicKey: Uint8Array;
  /** ECDSA P-256 with SHA-256 over `tbs`, r‖s (64 bytes). */
  sign(tbs: Uint8Array): Uint8Array;
  commonName: string;
  dnsNames: readonly string[];
  /** IPv4 ("192.0.2.1") or IPv6 addresses. */
  addresses: readonly string[];
  notBefore: Date;
  notAfter: Date;
  /** Positive, at most 20 bytes (RFC 5280 §4.1.2.2). */
  serial: Uint8Array;
}

const EC_PUBLIC_KEY = "1.2.840.10045.2.1";
const PRIME256V1 = "1.2.840.10045.3.1.7";
const ECDSA_SHA256 = "1.2.840.10045.4.3.2";

/** The certificate, DER: not a CA, digitalSignature, serverAuth, its names as subjectAltName. */
export function selfSignedCertificate(c: SelfSigned): Uint8Array {
  const name = seq(set(seq(oid("2.5.4.3"), tlv(0x0c, encodeUtf8(c.commonName)))));
  const sigAlg = seq(oid(ECDSA_SHA256));
  const altNames = [
    ...c.dnsNames.filter((n, i) => n && c.dnsNames.indexOf(n) === i).map((n) => tlv(0x82, ascii(n))),
    ...c.addresses.map((ip) => tlv(0x87, ipBytes(ip))),
  ];
  const extensions = seq(
    extension("2.5.29.19", true, seq()), // basicConstraints: not a CA
    extension("2.5.29.15", true, tlv(0x03, bytes(0x07, 0x80))), // keyUsage: digitalSignature
    extension("2.5.29.37", false, seq(oid("1.3.6.1.5.5.7.3.1"))), // extKeyUsage: serverAuth
    extension("2.5.29.17", false, seq(...altNames)), // subjectAltName
  );
  const tbs = seq(
    tlv(0xa0, int(bytes(2))), // v3
    int(c.serial),
    sigAlg,
    name,
    seq(time(c.notBefore), time(c.notAfter)),
    name,
    subjectPublicKeyInfo(c.publicKey),
    tlv(0xa3, extensions),
  );
  const rs = c.sign(tbs);
  const signature = seq(int(rs.subarray(0, 32)), int(rs.subarray(32, 64))); // X.509 wants ECDSA-Sig-Value, not r‖s
  return seq(tbs, sigAlg, tlv(0x03, concat(bytes(0), signature)));
}

/** RFC 5480 §2: the public key as a certificate carries it. */
export function subjectPublicKeyInfo(publicKey: Uint8Array): Uint8Array {
  return seq(seq(oid(EC_PUBLIC_KEY), oid(PRIME256V1)), tlv(0x03, concat(bytes(0), publicKey)));
}

/** RFC 5915: the private key as "EC PRIVATE KEY" PEM (what Mbed TLS, OpenSSL and Node read). */
export function ecPrivateKeyPem(privateKey: Uint8Array, publicKey: Uint8Array): string {
  return pem("EC PRIVATE KEY", seq(int(bytes(1)), tlv(0x04, privateKey), tlv(0xa0, oid(PRIME256V1)), tlv(0xa1, tlv(0x03, concat(bytes(0), publicKey)))));
}

export function pem(label: string, der: Uint8Array): string {
  const body = toBase64(der);
  let lines = "";
  for (let i = 0; i < body.length; i += 64) lines += body.slice(i, i + 64) + "\n";
  return `-----BEGIN ${label}-----\n${lines}-----END ${label}-----\n`;
}

// --- DER ------------------------------------------------------------------------------------------

function tlv(tag: number, body: Uint8Array): Uint8Array {
  const n = body.length;
  const head = n < 0x80 ? bytes(tag, n) : n < 0x100 ? bytes(tag, 0x81, n) : bytes(tag, 0x82, n >> 8, n & 0xff);
  return concat(head, body);
}

function seq(...items: Uint8Array[]): Uint8Array {
  return tlv(0x30, concat(...items));
}

function set(...items: Uint8Array[]): Uint8Array {
  return tlv(0x31, concat(...items));
}

/** A DER INTEGER from unsigned big-endian bytes: minimal length, never negative. */
export function int(unsigned: Uint8Array): Uint8Array {
  let start = 0;
  while (start < unsigned.length - 1 && unsigned[start] === 0) start++;
  const b = unsigned.subarray(start);
  return tlv(0x02, !b.length ? bytes(0) : b[0]! & 0x80 ? concat(bytes(0), b) : b);
}

function oid(dotted: string): Uint8Array {
  const parts = dotted.split(".").map(Number);
  const out = [40 * parts[0]! + parts[1]!];
  for (const p of parts.slice(2)) {
    const stack = [p & 0x7f];
    for (let v = p >>> 7; v; v >>>= 7) stack.unshift(0x80 | (v & 0x7f));
    out.push(...stack);
  }
  return tlv(0x06, Uint8Array.from(out));
}

function extension(id: string, critical: boolean, value: Uint8Array): Uint8Array {
  return seq(oid(id), ...(critical ? [tlv(0x01, bytes(0xff))] : []), tlv(0x04, value));
}

/** UTCTime through 2049, GeneralizedTime after (RFC 5280 §4.1.2.5). */
function time(d: Date): Uint8Array {
  const p = (n: number): string => String(n).padStart(2, "0");
  const year = d.getUTCFullYear();
  const rest = p(d.getUTCMonth() + 1) + p(d.getUTCDate()) + p(d.getUTCHours()) + p(d.getUTCMinutes()) + p(d.getUTCSeconds()) + "Z";
  return year < 2050 ? tlv(0x17, ascii(p(year % 100) + rest)) : tlv(0x18, ascii(String(year) + rest));
}

function ipBytes(ip: string): Uint8Array {
  if (ip.indexOf(":") < 0) return Uint8Array.from(ip.split(".").map(Number));
  // IPv6: "::" expanded, eight 16-bit groups
  const [head, tail] = ip.split("::") as [string, string | undefined];
  const h = head ? head.split(":") : [];
  const t = tail ? tail.split(":") : [];
  const groups = [...h, ...Array<string>(8 - h.length - t.length).fill("0"), ...t];
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    const v = parseInt(g, 16);
    out[i * 2] = v >> 8;
    out[i * 2 + 1] = v & 0xff;
  });
  return out;
}

function bytes(...values: number[]): Uint8Array {
  return Uint8Array.from(values);
}

function ascii(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0) & 0x7f);
}

function concat(...parts: Uint8Array[]): Uint8Array {
  return joinBytes(parts);
}
