import { decodeUtf8 } from "./bytes.ts";
import type { Files } from "./host.ts";

/**
 * The files iobox keeps on the unit's flash besides the registry (src/registry) and the accounts
 * (src/auth/users.ts), with the most each may hold. The storage partition is sized from these and
 * the registry's and accounts' limits (hosts/moddable/partitions.csv; test/node/flash-layout.test.ts
 * computes the worst case), and the code that reads or writes each file enforces its limit.
 */

/** config.json, security.json, oauth2.json: each at most this. */
export const MAX_CONFIG_FILE_BYTES = 8 * 1024;

/** A PEM certificate, key or CA bundle (MQTT/CAFile; the TLS server's certificate and key). */
export const MAX_CERTIFICATE_BYTES = 4 * 1024;

/** Configuration files that may be on flash. */
export const CONFIG_FILES = ["config.json", "security.json", "oauth2.json"] as const;

/** Certificates and keys that may be on flash: the TLS server's pair and one CA bundle. */
export const CERTIFICATE_FILES = 3;

/**
 * A file on flash as UTF-8 text, or undefined when there is none. Throws RangeError when it is
 * larger than `maxBytes` (it is not even read into RAM) or is not UTF-8.
 */
export function readText(files: Files, path: string, maxBytes = Infinity): string | undefined {
  const size = files.size(path);
  if (size < 0) return undefined;
  if (size > maxBytes) throw new RangeError(`${path} is larger than ${maxBytes} bytes`);
  const bytes = files.read(path);
  return bytes && decodeUtf8(bytes, 0, bytes.length, true);
}
