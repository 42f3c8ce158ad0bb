/**
 * The `Monitor` message (janos.md §5.1), written as ASCII bytes into one reused buffer: it goes to
 * every client on every I/O change, so building it allocates nothing but the frames sent.
 *
 * {"Message":"Monitor","Model":"410","Version":"v0.1.0","Serial Number":123,
 *  "Inputs":[{"State":0,"Count":12},...],"Outputs":[{"State":1},...],"Timestamp":1700000000000}
 */
import { encodeAscii } from "../bytes.ts";
import { jsonAscii } from "../json-ascii.ts";

export interface Identity {
  /** "410", "412", "414": a plain numeric string, which C# clients parse as an int. */
  model: string;
  /** With its leading "v", as JANOS reports it. */
  version: string;
  serialNumber: number;
}

/** What a Monitor reports: per input its state and count, per relay its state. */
export interface IoState {
  readonly inputs: readonly { readonly reported: number; readonly count: number }[];
  readonly outputs: readonly { readonly level: number }[];
}

const INPUT_STATE = encodeAscii('{"State":');
const COUNT = encodeAscii(',"Count":');
const OUTPUTS = encodeAscii('],"Outputs":[');
const TIMESTAMP = encodeAscii('],"Timestamp":');
const META = encodeAscii(',"Meta":');
const NUMBER_MAX = 16; // digits of any integer below 2^53

export class MonitorWriter {
  private readonly head: Uint8Array;
  private readonly size: number; // the longest Monitor without Meta
  private buffer: Uint8Array;

  constructor(identity: Identity, channels: { inputs: number; outputs: number }) {
    this.head = encodeAscii(
      jsonAscii({ Message: "Monitor", Model: identity.model, Version: identity.version, "Serial Number": identity.serialNumber }).slice(0, -1) + ',"Inputs":[',
    );
    const perInput = INPUT_STATE.length + 1 + COUNT.length + NUMBER_MAX + 2;
    const perOutput = INPUT_STATE.length + 1 + 2;
    this.size = this.head.length + channels.inputs * perInput + OUTPUTS.length + channels.outputs * perOutput + TIMESTAMP.length + NUMBER_MAX + 1;
    this.buffer = new Uint8Array(this.size);
  }

  /**
   * The Monitor JSON for `io` now, as a view of the writer's buffer that the next call overwrites.
   * `metaJson` (ASCII JSON) is added as `Meta` when the Monitor answers a request.
   */
  write(io: IoState, timestamp: number, metaJson?: string): Uint8Array {
    const meta = metaJson === undefined ? undefined : encodeAscii(metaJson);
    if (meta && this.size + META.length + meta.length > this.buffer.length) this.buffer = new Uint8Array(this.size + META.length + meta.length);
    const out = this.buffer;
    out.set(this.head, 0);
    let o = this.head.length;
    const inputs = io.inputs;
    for (let i = 0; i < inputs.length; i++) {
      if (i) out[o++] = 0x2c;
      out.set(INPUT_STATE, o);
      o += INPUT_STATE.length;
      out[o++] = inputs[i]!.reported ? 0x31 : 0x30;
      out.set(COUNT, o);
      o = writeInteger(out, o + COUNT.length, inputs[i]!.count);
      out[o++] = 0x7d;
    }
    out.set(OUTPUTS, o);
    o += OUTPUTS.length;
    const outputs = io.outputs;
    for (let i = 0; i < outputs.length; i++) {
      if (i) out[o++] = 0x2c;
      out.set(INPUT_STATE, o);
      o += INPUT_STATE.length;
      out[o++] = outputs[i]!.level ? 0x31 : 0x30;
      out[o++] = 0x7d;
    }
    out.set(TIMESTAMP, o);
    o = writeInteger(out, o + TIMESTAMP.length, timestamp);
    if (meta) {
      out.set(META, o);
      o += META.length;
      out.set(meta, o);
      o += meta.length;
    }
    out[o++] = 0x7d;
    return out.subarray(0, o);
  }
}

/** Writes a non-negative integer in decimal at `o`; returns the offset after it. */
function writeInteger(out: Uint8Array, o: number, value: number): number {
  let n = value >= 0 && Number.isFinite(value) ? Math.floor(value) : 0;
  if (n < 10) {
    out[o] = 0x30 + n;
    return o + 1;
  }
  let digits = 0;
  for (let m = n; m >= 1; m = Math.floor(m / 10)) digits++;
  let at = o + digits;
  while (at > o) {
    const q = Math.floor(n / 10);
    out[--at] = 0x30 + (n - q * 10);
    n = q;
  }
  return o + digits;
}
