/**
 * A JANOS client for tests on the in-memory network, over either transport: a WebSocket (one JSON
 * object per text frame) or JMP TCP (`[N,{json}]`). It logs in the way INTEG's clients do and
 * keeps every message it receives, parsed, in order. Runs on XS as well.
 */
import { concatBytes, decodeUtf8, encodeUtf8, toHex } from "../src/bytes.ts";
import { digest } from "../src/digest.ts";
import type { ClientConnection, Crypto, Net } from "../src/host.ts";
import { JmpParser } from "../src/janos/jmp-framing.ts";
import { MEMORY_HOST_ADDRESS, type MemoryNet } from "./memory-net.ts";
import { SimWebSocketClient } from "./ws-client.ts";

export type Json = Record<string, unknown>;

export interface JanosClientOptions {
  transport: "websocket" | "jmp";
  port: number;
  /** Connect from this address (the memory network's per-address tests). */
  from?: string;
  /** WebSocket only: extra request header lines, e.g. "Cookie: ...". */
  headers?: string[];
}

export class JanosClient {
  /** Every message received, parsed. */
  readonly received: Json[] = [];
  private readonly ws: SimWebSocketClient | undefined;
  private readonly jmp: ClientConnection | undefined;
  private readonly parser = new JmpParser(1 << 20);
  private wsSeen = 0;
  /** JMP: frames exactly as received, for framing checks. */
  rawJmp: Uint8Array = new Uint8Array(0);

  constructor(
    net: Net,
    private readonly crypto: Crypto,
    options: JanosClientOptions,
  ) {
    if (options.transport === "websocket") {
      this.ws = new SimWebSocketClient(net, options.port, { headers: options.headers });
      if (options.from) throw new Error("from: only for JMP clients");
    } else {
      const target = { host: MEMORY_HOST_ADDRESS, port: options.port };
      this.jmp = options.from ? (net as MemoryNet).connectFrom(options.from, target) : net.connect(target);
      this.jmp.onData = (bytes) => {
        this.rawJmp = concatBytes(this.rawJmp, bytes);
        this.parser.parse(bytes, {
          onJmpMessage: (b, s, e) => this.received.push(JSON.parse(decodeUtf8(b, s, e, true)) as Json),
          onJmpOversize: () => {
            throw new Error("oversize frame from the server");
          },
        });
      };
      this.jmp.onClose = (e) => (this.closedWith = e);
    }
  }

  /** null while connected. */
  closedWith: string | undefined | null = null;

  get closed(): boolean {
    if (this.ws) return this.ws.closed !== null;
    return this.closedWith !== null;
  }

  /** The WebSocket handshake response (WebSocket clients only). */
  get webSocket(): SimWebSocketClient {
    if (!this.ws) throw new Error("not a WebSocket client");
    return this.ws;
  }

  /** Messages received so far, including WebSocket frames not yet parsed. */
  get messages(): Json[] {
    if (this.ws) {
      const texts = this.ws.texts;
      for (; this.wsSeen < texts.length; this.wsSeen++) this.received.push(JSON.parse(texts[this.wsSeen]!) as Json);
    }
    return this.received;
  }

  /** Messages whose `Message` is `name`. */
  named(name: string): Json[] {
    return this.messages.filter((m) => m.Message === name);
  }

  last(): Json | undefined {
    const m = this.messages;
    return m[m.length - 1];
  }

  /** Sends a JSON object (or raw text, which may be anything). */
  send(message: Json | string): this {
    const text = typeof message === "string" ? message : JSON.stringify(message);
    if (this.ws) this.ws.sendText(text);
    else this.jmp!.write(encodeUtf8(`[${encodeUtf8(text).length},${text}]`));
    return this;
  }

  /** Raw bytes (JMP framing tests). */
  raw(bytes: Uint8Array): this {
    if (this.ws) this.ws.raw(bytes);
    else this.jmp!.write(bytes);
    return this;
  }

  /** The nonce of the most recent 401 challenge. */
  get nonce(): string {
    const challenges = this.messages.filter((m) => m.Message === "Error" && m.Text === "401 Unauthorized");
    const last = challenges[challenges.length - 1];
    if (!last) throw new Error("no 401 challenge received");
    return last.Nonce as string;
  }

  /** Auth-Digest for the latest nonce, as every INTEG client computes it. */
  authDigest(user: string, password: string, nonce = this.nonce): string {
    return user + ":" + toHex(digest(this.crypto, "md5", encodeUtf8(`${user}:${nonce}:${password}`)));
  }

  close(): void {
    if (this.ws) this.ws.close(1000);
    else this.jmp!.close();
  }
}
