/** IPv4 addresses in dotted form: what the device's sockets take (names are resolved first). */

export function isIpv4(text: string): boolean {
  const parts = text.split(".");
  if (parts.length !== 4) return false;
  for (const p of parts) if (!/^(0|[1-9][0-9]{0,2})$/.test(p) || Number(p) > 255) return false;
  return true;
}

/** The four bytes of an address (isIpv4 first). */
export function ipv4Bytes(text: string): Uint8Array {
  return new Uint8Array(text.split(".").map(Number));
}
