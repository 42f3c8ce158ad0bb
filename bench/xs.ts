/** Runs benchmark steps on XS (see xs-meter.ts) and returns their compute counts. */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ROOT } from "../hosts/build/build.ts";
import { bundleForXs } from "../test/xs/bundle.ts";

export interface XsStep {
  compute: number | null;
  heapSlots: number | null;
  /** Wall time of the step: it also counts native work (string walks, copies) that compute does not. */
  ms: number;
}

/**
 * `entry` is a module whose default export is a list of [name, fn] steps. Each fn runs in its own
 * xsnap evaluate, so its compute count is exact and repeatable; a fn may return a promise (its
 * promise jobs are counted too).
 */
export async function meterOnXs(entry: string): Promise<Record<string, XsStep>> {
  const prelude = `
    import steps from ${JSON.stringify(entry)};
    let i = 0;
    const report = (m) => { const s = JSON.stringify(m); const b = new Uint8Array(s.length); for (let k = 0; k < s.length; k++) b[k] = s.charCodeAt(k); globalThis.issueCommand(b.buffer); };
    globalThis.__benchNext = () => {
      if (i >= steps.length) return report({ done: true });
      const [name, fn] = steps[i++];
      const r = fn();
      // an async step reports when it is done: xsnap runs promise jobs before evaluate returns
      if (r && typeof r.then === "function") r.then(() => report({ step: name }), (e) => report({ step: name, error: String(e) }));
      else report({ step: name });
    };
  `;
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "iobox-bench-")), "bundle.js");
  fs.writeFileSync(file, await bundleForXs(prelude, ROOT));
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", path.join(ROOT, "hosts/node/register.mjs"), path.join(ROOT, "bench/xs-meter.ts"), file], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d));
    child.on("close", (code) => (code === 0 ? resolve(out) : reject(new Error("xs-meter exited " + code))));
  });
  const line = output.split("\n").find((l) => l.startsWith("XS-METER "));
  if (!line) throw new Error("no XS-METER line");
  return JSON.parse(line.slice(9));
}
