/**
 * A raw HTTP/1.1 client for the in-memory network: it sends exactly the bytes a test gives and
 * parses whatever comes back (several responses on one connection, chunked or sized bodies).
 */
import { concatBytes, decodeLatin1, decodeUtf8, encodeAscii } from "../src/bytes.ts";
import type { ClientConnection, Net } from "../src/host.ts";
import { ByteBuffer } from "./byte-buffer.ts";
import { MEMORY_HOST_ADDRESS, type MemoryNet } from "./memory-net.ts";

export interface ParsedResponse {
  status: number;
  reason: string;
  /** Lower-cased names; repeated fields keep every value. */
  headers: Record<string, string[]>;
  body: Uint8Array;
  /** The body as UTF-8 text. */
  text: string;
}

export class RawHttpClient {
  private readonly buffer = new ByteBuffer();
  connected = false;
  /** null while open; then the close error, or undefined for a clean close. */
  closed: string | undefined | null = null;
  readonly connection: ClientConnection;

  /** `from`: connect from this address (per-address limits), on the memory network. */
  constructor(net: Net, port: number, options: { secure?: boolean; from?: string } = {}) {
    const target = { host: MEMORY_HOST_ADDRESS, port, tls: options.secure ? {} : undefined };
    this.connection = options.from ? (net as MemoryNet).connectFrom(options.from, target) : net.connect(target);
    this.connection.onConnect = () => (this.connected = true);
    this.connection.onData = (d) => this.buffer.append(d);
    this.connection.onClose = (e) => (this.closed = e);
  }

  send(request: string | Uint8Array): this {
    this.connection.write(typeof request === "string" ? encodeAscii(request) : request);
    return this;
  }

  /** The responses complete so far (a HEAD response has no body: pass `heads`). */
  responses(heads = 0): ParsedResponse[] {
    return parseResponses(this.received, heads);
  }

  /** Everything received so far. */
  get received(): Uint8Array {
    return this.buffer.view();
  }

  get text(): string {
    return decodeLatin1(this.received);
  }
}

/** Parses consecutive responses from `bytes`; the first `heads` ones answer HEAD (no body). */
export function parseResponses(bytes: Uint8Array, heads = 0): ParsedResponse[] {
  const out: ParsedResponse[] = [];
  let p = 0;
  while (p < bytes.length) {
    let end = -1;
    for (let i = p; i + 3 < bytes.length; i++) {
      if (bytes[i] === 13 && bytes[i + 1] === 10 && bytes[i + 2] === 13 && bytes[i + 3] === 10) {
        end = i;
        break;
      }
    }
    if (end < 0) break;
    const lines = decodeLatin1(bytes, p, end).split("\r\n");
    const m = /^HTTP\/1\.[01] (\d{3}) ?(.*)$/.exec(lines[0]!);
    if (!m) throw new Error("not an HTTP response: " + JSON.stringify(lines[0]));
    const headers: Record<string, string[]> = {};
    for (const line of lines.slice(1)) {
      const c = line.indexOf(":");
      const name = line.slice(0, c).toLowerCase();
      (headers[name] ??= []).push(line.slice(c + 1).trim());
    }
    const status = Number(m[1]);
    let q = end + 4;
    let body: Uint8Array = new Uint8Array(0);
    const noBody = out.length < heads || status < 200 || status === 204 || status === 304;
    if (!noBody && headers["transfer-encoding"]?.[0] === "chunked") {
      let complete = false;
      for (;;) {
        let le = q;
        while (le + 1 < bytes.length && !(bytes[le] === 13 && bytes[le + 1] === 10)) le++;
        if (le + 1 >= bytes.length) break;
        const size = parseInt(decodeLatin1(bytes, q, le), 16);
        if (size === 0) {
          q = le + 4;
          complete = q <= bytes.length;
          break;
        }
        if (le + 2 + size + 2 > bytes.length) break;
        body = concatBytes(body, bytes.subarray(le + 2, le + 2 + size));
        q = le + 2 + size + 2;
      }
      if (!complete) break;
    } else if (!noBody && headers["content-length"]) {
      const n = Number(headers["content-length"][0]);
      if (q + n > bytes.length) break;
      body = bytes.slice(q, q + n);
      q += n;
    } else if (!noBody && status !== 101 && headers["connection"]?.[0] === "close") {
      body = bytes.slice(q);
      q = bytes.length;
    }
    out.push({ status, reason: m[2]!, headers, body, text: decodeUtf8(body) });
    p = q;
    if (status === 101) break; // what follows is WebSocket frames
  }
  return out;
}
