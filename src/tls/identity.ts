/**
 * The unit's own TLS identity: at its first boot it makes a P-256 key and a self-signed certificate
 * for its host name (and the addresses it has then), keeps both on its flash outside every file a
 * protocol reaches (src/files/file-area.ts), and shows the certificate's SHA-256 fingerprint so that
 * an owner can check what the browser shows. A certificate uploaded and named in security.json
 * serves instead. Valid from 2020 to 2049 whatever the unit's clock says at its first boot (it may
 * not have the time yet), so the fingerprint an owner pinned never changes by itself; a factory
 * reset makes a new one.
 */
import { fromBase64, toHex } from "../bytes.ts";
import { readText } from "../flash-files.ts";
import type { Host, TlsServerOptions } from "../host.ts";
import { ecPrivateKeyPem, pem, selfSignedCertificate } from "./certificate.ts";

export const IDENTITY_CERTIFICATE = "tls/identity.pem";
export const IDENTITY_KEY = "tls/identity.key.pem";

export interface TlsIdentity extends TlsServerOptions {
  /** SHA-256 of the certificate, colon-separated upper-case hex, as browsers show it. */
  fingerprint: string;
  /** This boot made it. */
  created: boolean;
}

/** The identity kept on flash, or a new one for `hostname` (and `addresses`) when there is none, or it is unreadable. */
export function ensureIdentity(host: Host, hostname: string, addresses: readonly string[]): TlsIdentity {
  const cert = readKept(host, IDENTITY_CERTIFICATE);
  const key = readKept(host, IDENTITY_KEY);
  const der = cert && key ? pemBody(cert) : undefined;
  if (cert && key && der) return { cert, key, fingerprint: fingerprint(host, der), created: false };

  const { privateKey, publicKey } = host.crypto.generateP256();
  const serial = new Uint8Array(16);
  host.random(serial);
  serial[0] = (serial[0]! & 0x7f) | 0x01; // positive, and 16 bytes long
  const made = selfSignedCertificate({
    publicKey,
    sign: (tbs) => host.crypto.signP256(privateKey, tbs),
    commonName: hostname,
    dnsNames: [hostname, hostname + ".local"],
    addresses,
    notBefore: new Date(Date.UTC(2020, 0, 1)),
    notAfter: new Date(Date.UTC(2049, 11, 31, 23, 59, 59)),
    serial,
  });
  const identity = { cert: pem("CERTIFICATE", made), key: ecPrivateKeyPem(privateKey, publicKey) };
  privateKey.fill(0);
  // the key first: a certificate on flash without its key would be taken for a whole identity
  host.files.write(IDENTITY_KEY, host.text.encode(identity.key));
  host.files.write(IDENTITY_CERTIFICATE, host.text.encode(identity.cert));
  return { ...identity, fingerprint: fingerprint(host, made), created: true };
}

/** SHA-256 of DER bytes, as "AB:CD:…". */
export function fingerprint(host: Host, der: Uint8Array): string {
  const hex = toHex(host.crypto.hash("sha256").update(der).digest()).toUpperCase();
  let out = "";
  for (let i = 0; i < hex.length; i += 2) out += (i ? ":" : "") + hex.slice(i, i + 2);
  return out;
}

/** The DER of the first PEM block of `text`, or undefined when it has none. */
export function pemBody(text: string): Uint8Array | undefined {
  const begin = text.indexOf("-----BEGIN CERTIFICATE-----");
  const end = text.indexOf("-----END CERTIFICATE-----");
  if (begin < 0 || end < begin) return undefined;
  try {
    return fromBase64(text.slice(begin + 27, end).replace(/\s+/g, ""));
  } catch {
    return undefined;
  }
}

function readKept(host: Host, path: string): string | undefined {
  try {
    return readText(host.files, path);
  } catch {
    return undefined; // not text: made again
  }
}
