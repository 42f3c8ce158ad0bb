/**
 * The release key a build was given: `IOBOX_FIRMWARE_KEY` names a PEM public key (P-256) when the
 * build runs, and the build defines this identifier as the key's point in base64
 * (hosts/build/build.ts). A build without one takes no firmware.
 */
import { fromBase64 } from "../bytes.ts";

declare const IOBOX_FIRMWARE_KEY: string | undefined;

export function builtInReleaseKey(): Uint8Array | undefined {
  if (typeof IOBOX_FIRMWARE_KEY !== "string" || !IOBOX_FIRMWARE_KEY) return undefined;
  const key = fromBase64(IOBOX_FIRMWARE_KEY);
  return key.length === 65 && key[0] === 4 ? key : undefined;
}
