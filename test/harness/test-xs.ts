/**
 * `test` for core suites on XS (xsnap). Tests run one after another once every suite has registered;
 * each result goes to the Node side through the reporter the prelude installs (test/xs/run-xs.ts).
 */
import { encodeUtf8 } from "../../src/bytes.ts";

export type TestFn = () => void | Promise<void>;

interface Entry {
  suite: string;
  name: string;
  fn: TestFn;
}

const tests: Entry[] = [];
let suite = "";

declare const globalThis: { __ioboxReport?: (bytes: ArrayBuffer) => unknown; __ioboxPreloadProblems?: () => string[] };

function send(message: unknown): void {
  const bytes = encodeUtf8(JSON.stringify(message));
  globalThis.__ioboxReport!(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer);
}

export const engine: string = "xs";

export function test(name: string, fn: TestFn): void {
  tests.push({ suite, name, fn });
}

export function fingerprint(name: string, value: string): void {
  send({ kind: "fingerprint", name, value });
}

/** Called by the generated entry before it loads each suite. */
export function beginSuite(name: string): void {
  suite = name;
}

export async function runAll(): Promise<void> {
  for (const t of tests) {
    const started = Date.now();
    try {
      await t.fn();
      send({ kind: "result", suite: t.suite, name: t.name, ok: true, ms: Date.now() - started });
    } catch (e) {
      const head = e instanceof Error ? e.name + ": " + e.message : String(e);
      const stack = e instanceof Error && e.stack ? e.stack : "";
      const error = stack.startsWith(head) ? stack : head + (stack ? "\n" + stack : "");
      send({ kind: "result", suite: t.suite, name: t.name, ok: false, error });
    }
  }
  // the preload emulation's findings (test/xs/preload.ts), as one more test
  const problems = globalThis.__ioboxPreloadProblems?.() ?? ["the preload emulation is not installed"];
  send({ kind: "result", suite: "preload", name: "module bodies of the device image make nothing the device cannot use", ok: problems.length === 0, error: problems.join("\n") });
  send({ kind: "done", count: tests.length + 1 });
}
