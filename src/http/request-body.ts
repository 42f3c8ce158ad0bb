/**
 * A request's body: how it is framed (RFC 9112 §6.3) and reading it, by Content-Length or chunked,
 * into the exchange (held whole, within the route's limit) or to the route as it arrives (a
 * streamed route). The connection only feeds it bytes and asks whether it is done.
 */
import { ChunkedDecoder, type BodySink } from "./chunked.ts";
import type { Exchange } from "./exchange.ts";
import type { HttpHeaders } from "./headers.ts";
import { HttpError } from "./status.ts";

/** requestFraming's answer for a chunked body; otherwise it is the Content-Length (0: none). */
export const CHUNKED = -1;

/**
 * How the request's body is delimited: CHUNKED or a length (a number, so that a request allocates
 * nothing for it). Ambiguity is refused: it is how requests get smuggled.
 */
export function requestFraming(headers: HttpHeaders, minor: number): number {
  const te = headers.get("transfer-encoding");
  const lengths = headers.getAll("content-length");
  if (te !== undefined) {
    if (lengths.length) throw new HttpError(400, "both Transfer-Encoding and Content-Length");
    if (headers.count("transfer-encoding") !== 1 || te.trim().toLowerCase() !== "chunked") throw new HttpError(501, "unsupported transfer coding " + te);
    if (minor === 0) throw new HttpError(400, "chunked in HTTP/1.0");
    return CHUNKED;
  }
  for (const l of lengths) if (l !== lengths[0] || !/^\d{1,15}$/.test(l)) throw new HttpError(400, "bad Content-Length");
  return lengths.length ? Number(lengths[0]) : 0;
}

export class RequestBody implements BodySink {
  private remaining: number;
  private readonly chunked: ChunkedDecoder | undefined;
  private received = 0;
  done = false;

  /** `framing`: requestFraming's answer, not 0. `limit`: the most this body may hold, checked against Content-Length now and chunk by chunk later. */
  constructor(
    private readonly exchange: Exchange,
    framing: number,
    private readonly limit: number,
    readonly streaming: boolean,
  ) {
    if (framing > limit) throw new HttpError(413, `body of ${framing} bytes over the limit of ${limit}`);
    this.remaining = framing;
    if (framing === CHUNKED) this.chunked = new ChunkedDecoder(limit);
    else if (!streaming) exchange.body = new Uint8Array(framing);
  }

  /** Takes what of `data[i, end)` belongs to the body; returns where the body's bytes end. */
  read(data: Uint8Array, i: number, end: number): number {
    if (this.chunked) {
      i = this.chunked.feed(data, i, end, this);
      if (this.chunked.done) this.finish();
      return i;
    }
    const n = Math.min(this.remaining, end - i);
    this.bodyData(data, i, i + n);
    this.remaining -= n;
    if (this.remaining === 0) this.finish();
    return i + n;
  }

  bodyData(buf: Uint8Array, from: number, to: number): void {
    const exchange = this.exchange;
    if (this.streaming) {
      if (!exchange.status) exchange.onBody?.(buf.subarray(from, to));
      return;
    }
    const n = to - from;
    if (this.received + n > exchange.body.length) {
      // chunked: grow by doubling, within the limit the decoder enforces
      const next = new Uint8Array(Math.min(this.limit, Math.max(256, 2 * exchange.body.length, this.received + n)));
      next.set(exchange.body.subarray(0, this.received));
      exchange.body = next;
    }
    exchange.body.set(buf.subarray(from, to), this.received);
    this.received += n;
  }

  private finish(): void {
    this.done = true;
    const exchange = this.exchange;
    if (!this.streaming && exchange.body.length !== this.received) exchange.body = exchange.body.subarray(0, this.received);
  }
}
