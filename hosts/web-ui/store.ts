/**
 * The registry values the page shows, kept by lower-cased key (the registry is case-insensitive,
 * and an update may spell a key differently from the request). Views watch keys; every Registry
 * Response and Registry Update lands here, so a value shown twice never disagrees with itself.
 */

type Watcher = (value: string) => void;

const values = new Map<string, string>();
const watchers = new Map<string, Set<Watcher>>();
let queued: Set<string> | undefined;

/** Set by main: reads keys from the device when connected (and does nothing otherwise). */
export const source = { read(_keys: string[]): void {} };

/** Calls `fn` with the key's value now (if known) and on every change; returns the unwatch. */
export function watch(key: string, fn: Watcher): () => void {
  const k = key.toLowerCase();
  let set = watchers.get(k);
  if (!set) watchers.set(k, (set = new Set()));
  set.add(fn);
  const v = values.get(k);
  if (v !== undefined) fn(v);
  else {
    // keys watched in one turn (a view being built) are read in one request
    if (!queued) {
      queued = new Set();
      queueMicrotask(() => {
        const keys = [...queued!];
        queued = undefined;
        source.read(keys);
      });
    }
    queued.add(k);
  }
  return () => {
    set!.delete(fn);
    if (!set!.size) watchers.delete(k);
  };
}

export function put(keys: Record<string, unknown> | undefined): void {
  for (const [key, v] of Object.entries(keys ?? {})) {
    const k = key.toLowerCase();
    const s = v === null || v === undefined ? "" : String(v);
    values.set(k, s);
    watchers.get(k)?.forEach((fn) => fn(s));
  }
}

export function get(key: string): string | undefined {
  return values.get(key.toLowerCase());
}

/** Every watched key: what a reconnect must read again. */
export function watched(): string[] {
  return [...watchers.keys()];
}
