/** RFC 6455 §4.2 opening handshake, server side. */
import { encodeAscii, fromBase64, toBase64 } from "../bytes.ts";
import { digest } from "../digest.ts";
import type { Crypto } from "../host.ts";

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/** `Sec-WebSocket-Accept` for a key: base64(SHA-1(key + GUID)). */
export function acceptKey(crypto: Crypto, key: string): string {
  return toBase64(digest(crypto, "sha1", encodeAscii(key + GUID)));
}

/** A valid key is base64 of exactly 16 bytes (§4.1); fixed keys (INTEG's C# client) are fine. */
export function isValidKey(key: string | undefined): key is string {
  if (!key || key.length !== 24) return false;
  try {
    return fromBase64(key).length === 16;
  } catch {
    return false;
  }
}
