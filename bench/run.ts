/**
 * `npm run bench`: every benchmark prints its figures next to a baseline measured in the same run.
 * Wall-clock figures vary with the machine; XS compute counts are exact.
 *   npm run bench            all benchmarks
 *   npm run bench -- utf8    only the named ones
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { printTable, type Row } from "./table.ts";

const dir = path.dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const benches = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith(".bench.ts"))
  .map((f) => f.replace(/\.bench\.ts$/, ""))
  .filter((name) => !only.length || only.includes(name))
  .sort();
if (!benches.length) {
  process.stderr.write(`no benchmark named ${only.join(", ")}\n`);
  process.exit(2);
}
const rows: Row[] = [];
const failed: string[] = [];
process.stdout.write(`iobox benchmarks on Node ${process.version}, ${new Date().toISOString()}\n\n`);
for (const name of benches) {
  const mod = (await import(path.join(dir, name + ".bench.ts"))) as { run: () => Promise<Row[]> };
  try {
    rows.push(...(await mod.run()));
  } catch (e) {
    // the others' figures still print (the device bench needs the Moddable SDK, say)
    failed.push(name);
    rows.push({ bench: name, measure: "FAILED", value: "", note: (e as Error).message.split("\n")[0] });
  }
}
printTable(rows);
if (failed.length) {
  process.stderr.write(`\nfailed: ${failed.join(", ")}\n`);
  process.exitCode = 1;
}
