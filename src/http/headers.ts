/** Request header fields as parsed: names lower-cased, values trimmed, repeats kept in order. */
export class HttpHeaders {
  /** Flat pairs: name, value, name, value… (one array per request, no object per field). */
  constructor(private readonly pairs: string[]) {}

  /** The first value of `name` (lower case), or undefined. */
  get(name: string): string | undefined {
    for (let i = 0; i < this.pairs.length; i += 2) if (this.pairs[i] === name) return this.pairs[i + 1];
    return undefined;
  }

  /** Every value of `name`, in order. */
  getAll(name: string): string[] {
    const out: string[] = [];
    for (let i = 0; i < this.pairs.length; i += 2) if (this.pairs[i] === name) out.push(this.pairs[i + 1]!);
    return out;
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  /** How many times `name` appears. */
  count(name: string): number {
    let n = 0;
    for (let i = 0; i < this.pairs.length; i += 2) if (this.pairs[i] === name) n++;
    return n;
  }

  /** True when a comma-separated token list in any `name` field contains `token` (case-insensitive). */
  hasToken(name: string, token: string): boolean {
    for (let i = 0; i < this.pairs.length; i += 2) {
      if (this.pairs[i] !== name) continue;
      for (const t of this.pairs[i + 1]!.split(",")) if (t.trim().toLowerCase() === token) return true;
    }
    return false;
  }

  /** The tokens of every `name` field, trimmed, in order (e.g. Sec-WebSocket-Protocol). */
  tokens(name: string): string[] {
    const out: string[] = [];
    for (let i = 0; i < this.pairs.length; i += 2) {
      if (this.pairs[i] !== name) continue;
      for (const t of this.pairs[i + 1]!.split(",")) {
        const v = t.trim();
        if (v) out.push(v);
      }
    }
    return out;
  }

  get size(): number {
    return this.pairs.length / 2;
  }

  /** [name, value] for each field, in order. */
  entries(): [string, string][] {
    const out: [string, string][] = [];
    for (let i = 0; i < this.pairs.length; i += 2) out.push([this.pairs[i]!, this.pairs[i + 1]!]);
    return out;
  }
}
