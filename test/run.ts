/**
 * `npm test` after the type check: builds the simulator and the device bundle, runs every suite on
 * Node (node:test), runs the core suites again on the real XS engine (xsnap), compares the
 * determinism fingerprints of both engines, and prints the totals. Exits non-zero on any failure.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { buildDevice, buildSim, printReport, ROOT } from "../hosts/build/build.ts";
import { ensureTools, TEST_TOOLS } from "./system-tools.ts";
import { bundleCoreSuites } from "./xs/bundle.ts";

const OUT = path.join(ROOT, "build/test");
const REGISTER = path.join(ROOT, "hosts/node/register.mjs");

function suites(dir: string): string[] {
  return fs
    .readdirSync(path.join(ROOT, dir))
    .filter((f) => f.endsWith(".test.ts"))
    .sort()
    .map((f) => path.join(ROOT, dir, f));
}

/** Runs a command, echoing its output, and resolves with the output and exit code. */
function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d: Buffer) => {
      output += d;
      process.stdout.write(d);
    });
    child.stderr.on("data", (d: Buffer) => {
      output += d;
      process.stderr.write(d);
    });
    child.on("close", (code) => resolve({ code: code ?? 1, output }));
  });
}

function count(output: string, label: string): number {
  const m = output.match(new RegExp(`^ℹ ${label} (\\d+)$`, "m"));
  return m ? Number(m[1]) : 0;
}

try {
  ensureTools(TEST_TOOLS);
} catch (e) {
  process.stderr.write(`npm test: ${(e as Error).message}\n`);
  process.exit(1);
}

fs.rmSync(OUT, { recursive: true, force: true });
fs.mkdirSync(OUT, { recursive: true });

printReport(await buildSim());
printReport(await buildDevice());

const fingerprintDir = path.join(OUT, "fingerprints");
const nodeFiles = [...suites("test/core"), ...suites("test/node")];
process.stdout.write(`\n# Node ${process.version}: ${nodeFiles.length} suites\n`);
const nodeStart = performance.now();
const node = await run(["--enable-source-maps", "--import", REGISTER, "--test", "--test-reporter=spec", "--test-concurrency=2", "--test-timeout=120000", ...nodeFiles], {
  IOBOX_FINGERPRINTS: fingerprintDir,
});
const nodeSeconds = (performance.now() - nodeStart) / 1000;
const nodePassed = count(node.output, "pass");
const nodeFailed = count(node.output, "fail") + count(node.output, "cancelled") + (node.code !== 0 && !count(node.output, "fail") ? 1 : 0);

const coreFiles = suites("test/core");
process.stdout.write(`\n# XS (xsnap): ${coreFiles.length} core suites\n`);
const bundlePath = path.join(OUT, "xs-core-suites.js");
fs.writeFileSync(bundlePath, await bundleCoreSuites(ROOT, coreFiles));
const xs = await run(["--import", REGISTER, path.join(ROOT, "test/xs/run-xs.ts"), bundlePath]);
const summaryLine = xs.output.split("\n").find((l) => l.startsWith("XS-SUMMARY "));
const xsSummary = summaryLine
  ? (JSON.parse(summaryLine.slice(11)) as { passed: number; failed: number; seconds: number; compute: number | null; fingerprints: Record<string, string> })
  : { passed: 0, failed: 1, seconds: 0, compute: null, fingerprints: {} };

// determinism across engines: every fingerprint recorded on Node must be recorded, identical, on XS
const mismatches: string[] = [];
const nodePrints = fs.existsSync(fingerprintDir) ? fs.readdirSync(fingerprintDir) : [];
for (const file of nodePrints) {
  const name = file.replace(/\.txt$/, "");
  const nodeValue = fs.readFileSync(path.join(fingerprintDir, file), "utf8");
  if (xsSummary.fingerprints[name] !== nodeValue) mismatches.push(`${name}: node ${nodeValue} / xs ${xsSummary.fingerprints[name] ?? "(none)"}`);
}
for (const name of Object.keys(xsSummary.fingerprints)) {
  if (!nodePrints.includes(name + ".txt")) mismatches.push(`${name}: recorded on XS only`);
}

const ok = nodeFailed === 0 && node.code === 0 && xsSummary.failed === 0 && xsSummary.passed > 0 && mismatches.length === 0;
process.stdout.write("\n# Totals\n");
process.stdout.write(`Node: ${nodePassed} passed, ${nodeFailed} failed (${nodeSeconds.toFixed(1)} s)\n`);
process.stdout.write(`XS:   ${xsSummary.passed} passed, ${xsSummary.failed} failed (${xsSummary.seconds.toFixed(1)} s, ${xsSummary.compute ?? "?"} XS compute units)\n`);
process.stdout.write(
  mismatches.length
    ? `Determinism: ${mismatches.length} fingerprint(s) differ between engines:\n  ${mismatches.join("\n  ")}\n`
    : `Determinism: ${nodePrints.length} fingerprint(s) identical on Node and XS\n`,
);
process.stdout.write(ok ? "ALL PASSED\n" : "FAILED\n");
process.exit(ok ? 0 : 1);
