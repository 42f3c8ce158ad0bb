/**
 * Assertions that behave the same on Node and XS (node:assert is Node-only). Failures throw an
 * AssertionError whose message shows both values.
 */

export class AssertionError extends Error {
  constructor(message: string) {
    super(message);
  }
}
// defined on our prototype, not assigned: a Moddable device freezes Error.prototype in ROM,
// and assigning over a frozen inherited property throws
Object.defineProperty(AssertionError.prototype, "name", { value: "AssertionError" });

function show(v: unknown): string {
  if (v instanceof Uint8Array) return "Uint8Array[" + Array.prototype.join.call(v.length > 64 ? v.subarray(0, 64) : v, ",") + (v.length > 64 ? ",…" : "") + "]";
  if (typeof v === "string") return JSON.stringify(v.length > 400 ? v.slice(0, 400) + "…" : v);
  if (typeof v === "bigint") return v + "n";
  if (v instanceof Map) return "Map(" + show([...v.entries()]) + ")";
  if (v instanceof Set) return "Set(" + show([...v]) + ")";
  try {
    const s = JSON.stringify(v);
    return s === undefined ? String(v) : s.length > 400 ? s.slice(0, 400) + "…" : s;
  } catch {
    return String(v);
  }
}

function fail(message: string | undefined, detail: string): never {
  throw new AssertionError(message ? message + ": " + detail : detail);
}

function deepEq(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  // a record without a prototype (what the core answers clients with) equals a plain object literal
  const record = (p: unknown): boolean => p === null || p === Object.prototype;
  const pa = Object.getPrototypeOf(a);
  const pb = Object.getPrototypeOf(b);
  if (pa !== pb && !(record(pa) && record(pb))) return false;
  if (ArrayBuffer.isView(a)) {
    const x = a as unknown as ArrayLike<number>;
    const y = b as unknown as ArrayLike<number>;
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return false;
    return true;
  }
  if (a instanceof Map) {
    const m = b as Map<unknown, unknown>;
    if (a.size !== m.size) return false;
    for (const [k, v] of a) if (!m.has(k) || !deepEq(v, m.get(k))) return false;
    return true;
  }
  if (a instanceof Set) {
    const s = b as Set<unknown>;
    if (a.size !== s.size) return false;
    for (const v of a) if (!s.has(v)) return false;
    return true;
  }
  if (a instanceof Date) return a.getTime() === (b as Date).getTime();
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (const k of ka) {
    if (!Object.prototype.hasOwnProperty.call(b, k)) return false;
    if (!deepEq((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}

type Matcher = RegExp | ((e: unknown) => boolean) | (abstract new (...args: never[]) => unknown);

function matches(e: unknown, m: Matcher | undefined): boolean {
  if (!m) return true;
  if (m instanceof RegExp) return m.test(e instanceof Error ? e.message : String(e));
  if (m.prototype !== undefined && (m.prototype instanceof Error || m === Error)) return e instanceof (m as new () => Error);
  return (m as (e: unknown) => boolean)(e);
}

export interface Assert {
  ok(value: unknown, message?: string): asserts value;
  equal<T>(actual: T, expected: T, message?: string): void;
  notEqual<T>(actual: T, expected: T, message?: string): void;
  deepEqual<T>(actual: T, expected: T, message?: string): void;
  notDeepEqual<T>(actual: T, expected: T, message?: string): void;
  match(actual: string, pattern: RegExp, message?: string): void;
  doesNotMatch(actual: string, pattern: RegExp, message?: string): void;
  throws(fn: () => unknown, matcher?: Matcher, message?: string): void;
  rejects(promise: Promise<unknown> | (() => Promise<unknown>), matcher?: Matcher, message?: string): Promise<void>;
  fail(message: string): never;
}

export const assert: Assert = {
  ok(value: unknown, message?: string): asserts value {
    if (!value) fail(message, "expected a truthy value, got " + show(value));
  },
  equal<T>(actual: T, expected: T, message?: string): void {
    if (!Object.is(actual, expected)) fail(message, "expected " + show(expected) + ", got " + show(actual));
  },
  notEqual<T>(actual: T, expected: T, message?: string): void {
    if (Object.is(actual, expected)) fail(message, "expected something other than " + show(expected));
  },
  deepEqual<T>(actual: T, expected: T, message?: string): void {
    if (!deepEq(actual, expected)) fail(message, "expected " + show(expected) + ", got " + show(actual));
  },
  notDeepEqual<T>(actual: T, expected: T, message?: string): void {
    if (deepEq(actual, expected)) fail(message, "expected something other than " + show(expected));
  },
  match(actual: string, pattern: RegExp, message?: string): void {
    if (typeof actual !== "string" || !pattern.test(actual)) fail(message, "expected " + show(actual) + " to match " + String(pattern));
  },
  doesNotMatch(actual: string, pattern: RegExp, message?: string): void {
    if (typeof actual !== "string" || pattern.test(actual)) fail(message, "expected " + show(actual) + " not to match " + String(pattern));
  },
  throws(fn: () => unknown, matcher?: Matcher, message?: string): void {
    try {
      fn();
    } catch (e) {
      if (!matches(e, matcher)) fail(message, "threw " + show(e instanceof Error ? e.name + ": " + e.message : e) + ", which does not match " + String(matcher));
      return;
    }
    fail(message, "expected an exception");
  },
  async rejects(promise: Promise<unknown> | (() => Promise<unknown>), matcher?: Matcher, message?: string): Promise<void> {
    try {
      await (typeof promise === "function" ? promise() : promise);
    } catch (e) {
      if (!matches(e, matcher)) fail(message, "rejected with " + show(e instanceof Error ? e.name + ": " + e.message : e) + ", which does not match " + String(matcher));
      return;
    }
    fail(message, "expected a rejection");
  },
  fail(message: string): never {
    throw new AssertionError(message);
  },
};
