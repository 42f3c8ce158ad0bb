/**
 * The registry's stored keys and values, packed for a small heap: one string per key,
 * `canonical SOH spelled SOH value`, in an array sorted by the canonical key. On XS an array keeps
 * its items in one block of chunk memory, so a key costs no heap slot of its own (a Map costs three
 * per entry, and an object per entry four more): a registry at its key limit fits the device.
 *
 * Keys are printable ASCII (keys.ts), so the canonical (lower-case) key is as long as the spelled
 * one, and SOH (U+0001) sorts before every key character: comparing packed strings orders them by
 * key, on every engine (not NUL: XS keeps strings as C strings and writes NUL as two bytes).
 */
export class PackedEntries {
  private items: string[] = [];

  get size(): number {
    return this.items.length;
  }

  /** The value stored under the canonical key `k`. */
  value(k: string): string | undefined {
    const i = this.find(k);
    return i < 0 ? undefined : this.items[i]!.slice(2 * k.length + 2);
  }

  /** The key as first stored. */
  spelling(k: string): string | undefined {
    const i = this.find(k);
    return i < 0 ? undefined : this.items[i]!.slice(k.length + 1, 2 * k.length + 1);
  }

  /** Stores `value` under `k`, keeping the key's first spelling; returns the spelling kept. */
  set(k: string, key: string, value: string): string {
    const i = this.find(k);
    if (i >= 0) {
      const item = this.items[i]!;
      this.items[i] = item.slice(0, 2 * k.length + 2) + value;
      return item.slice(k.length + 1, 2 * k.length + 1);
    }
    this.items.splice(-i - 1, 0, k + "\u0001" + key + "\u0001" + value);
    return key;
  }

  delete(k: string): boolean {
    const i = this.find(k);
    if (i < 0) return false;
    this.items.splice(i, 1);
    return true;
  }

  clear(): void {
    this.items = [];
  }

  /** Every entry in key order (case-insensitive), as spelled. */
  forEach(visit: (key: string, value: string) => void): void {
    for (const item of this.items) {
      const n = item.indexOf("\u0001");
      visit(item.slice(n + 1, 2 * n + 1), item.slice(2 * n + 2));
    }
  }

  /** The index of `k`, or -(where it would go) - 1. */
  private find(k: string): number {
    const probe = k + "\u0001";
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const item = this.items[mid]!;
      if (item.startsWith(probe)) return mid;
      if (item < probe) lo = mid + 1;
      else hi = mid;
    }
    return -lo - 1;
  }
}
