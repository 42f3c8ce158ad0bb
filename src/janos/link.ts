/**
 * One client connection as the JANOS protocol sees it, whatever carries it: a WebSocket (one JSON
 * object per text frame) or a JMP TCP connection (`[N,{json}]`). The protocol sends JSON text; the
 * link frames it.
 */
import { encodeFrame, OP_TEXT } from "../ws/frame.ts";
import { jmpFrame } from "./jmp-framing.ts";

export interface Link {
  readonly transport: "websocket" | "jmp";
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly secure: boolean;
  /** Bytes accepted and not yet sent: a client that is not keeping up has some. */
  readonly pending: number;
  /** Sends one JSON object (ASCII text). False when it was not sent (the link is closing or was too slow and is being closed). */
  send(json: string): boolean;
  /** Sends a message built once for many links. */
  sendShared(message: SharedMessage): boolean;
  close(): void;
}

/**
 * A broadcast: the JSON bytes once, framed at most once per transport, only for transports that
 * have a receiver. `json` may be a view of a reused buffer; it is framed (copied) during the
 * broadcast, and the message must not be kept after it.
 */
export class SharedMessage {
  private ws: Uint8Array | undefined;
  private jmp: Uint8Array | undefined;

  constructor(readonly json: Uint8Array) {}

  get webSocketFrame(): Uint8Array {
    return (this.ws ??= encodeFrame(OP_TEXT, this.json));
  }

  get jmpFrame(): Uint8Array {
    return (this.jmp ??= jmpFrame(this.json));
  }
}
