/** A growable byte buffer for the simulator's clients: appends in amortised O(1), no copy per read. */
export class ByteBuffer {
  private data = new Uint8Array(256);
  private start = 0;
  private end = 0;

  get length(): number {
    return this.end - this.start;
  }

  /** The bytes held, as a view (valid until the next append or consume). */
  view(): Uint8Array {
    return this.data.subarray(this.start, this.end);
  }

  append(bytes: Uint8Array): void {
    if (this.end + bytes.length > this.data.length) {
      const held = this.length;
      const next = held + bytes.length > this.data.length / 2 ? new Uint8Array(Math.max(2 * this.data.length, held + bytes.length)) : this.data;
      if (next === this.data) this.data.copyWithin(0, this.start, this.end);
      else next.set(this.data.subarray(this.start, this.end));
      this.data = next;
      this.start = 0;
      this.end = held;
    }
    this.data.set(bytes, this.end);
    this.end += bytes.length;
  }

  /** Drops the first `n` bytes. */
  consume(n: number): void {
    this.start += n;
    if (this.start === this.end) this.start = this.end = 0;
  }
}
