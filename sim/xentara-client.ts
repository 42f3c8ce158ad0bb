/**
 * A Xentara WebSocket API client for tests on the in-memory network: CBOR batches in binary frames
 * over a (simulated) TLS connection, every message received kept decoded. Runs on XS as well.
 */
import { decodeCbor, encodeCbor, type CborValue } from "../src/cbor.ts";
import type { Net } from "../src/host.ts";
import { OP_BINARY } from "../src/ws/frame.ts";
import { SimWebSocketClient } from "./ws-client.ts";

export type Packet = CborValue[];

export class XentaraClient {
  readonly ws: SimWebSocketClient;
  private nextId = 1;
  private seen = 0;
  /** Every message received: each an array of packets. */
  readonly received: Packet[][] = [];

  constructor(net: Net, port: number, options: { authorization?: string; secure?: boolean; protocols?: string[]; path?: string } = {}) {
    this.ws = new SimWebSocketClient(net, port, {
      path: options.path ?? "/api/ws",
      secure: options.secure ?? true,
      protocols: options.protocols,
      headers: options.authorization ? ["Authorization: " + options.authorization] : [],
    });
  }

  /** Binary messages received so far, decoded. */
  get messages(): Packet[][] {
    const binaries = this.ws.frames.filter((f) => f.opcode === OP_BINARY);
    for (; this.seen < binaries.length; this.seen++) this.received.push(decodeCbor(binaries[this.seen]!.payload) as Packet[]);
    return this.received;
  }

  /** Every response packet (types 1 and 2) received so far. */
  get responses(): Packet[] {
    return this.messages.filter((m) => m.every((p) => p[0] === 1 || p[0] === 2)).flat();
  }

  /** Every event packet (type 8) received so far. */
  get events(): Packet[] {
    return this.messages.filter((m) => m.every((p) => p[0] === 8)).flat();
  }

  /** The response to message id `id`, if it has come. */
  response(id: number): Packet | undefined {
    return this.responses.find((p) => p[1] === id);
  }

  /** Sends one request; returns its message id. */
  request(opcode: number, params?: Map<CborValue, CborValue>): number {
    return this.batch([[opcode, params]])[0]!;
  }

  /** Sends several requests in one message; returns their ids. */
  batch(requests: [number, Map<CborValue, CborValue> | undefined][]): number[] {
    const ids: number[] = [];
    const packets = requests.map(([op, params]) => {
      const id = this.nextId++;
      ids.push(id);
      return params === undefined ? [0, id, op] : [0, id, op, params];
    });
    this.raw(encodeCbor(packets));
    return ids;
  }

  /** Any bytes as one binary message. */
  raw(bytes: Uint8Array): void {
    this.ws.send(OP_BINARY, bytes);
  }
}

/** A CBOR map with integer keys, for parameters: m([0, x], [1, y]). */
export function m(...entries: [CborValue, CborValue][]): Map<CborValue, CborValue> {
  return new Map(entries);
}
