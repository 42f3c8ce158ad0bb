/**
 * The bytes a connection has accepted and not yet sent, with the high-water mark that makes
 * `Connection.write` return false and the drain that follows. Hosts whose sockets cannot take
 * everything at once (the device's ECMA-419 TCP, the in-memory network) feed them from here.
 */
export class SendQueue {
  private chunks: Uint8Array[] = [];
  private first = 0; // index of the head chunk: no Array#shift per send
  private bytes = 0;
  private full = false;

  constructor(readonly highWaterMark: number) {}

  get pending(): number {
    return this.bytes;
  }

  /** Queues `data` (kept, not copied); false once the queue is at or above the high-water mark. */
  push(data: Uint8Array): boolean {
    if (data.length) {
      this.chunks.push(data);
      this.bytes += data.length;
    }
    if (this.bytes >= this.highWaterMark) this.full = true;
    return !this.full;
  }

  /** Removes and returns up to `max` bytes from the head (a view, not a copy), or undefined when empty. */
  take(max: number): Uint8Array | undefined {
    const head = this.chunks[this.first];
    if (!head || max <= 0) return undefined;
    let out = head;
    if (head.length <= max) {
      this.chunks[this.first++] = EMPTY;
      if (this.first === this.chunks.length) {
        this.chunks = [];
        this.first = 0;
      }
    } else {
      out = head.subarray(0, max);
      this.chunks[this.first] = head.subarray(max);
    }
    this.bytes -= out.length;
    return out;
  }

  /** True once, when the queue has emptied after `push` returned false: the moment for `onDrain`. */
  drained(): boolean {
    if (!this.full || this.bytes) return false;
    this.full = false;
    return true;
  }

  clear(): void {
    this.chunks = [];
    this.first = 0;
    this.bytes = 0;
    this.full = false;
  }
}

const EMPTY = new Uint8Array(0);
