/**
 * The core's portable UTF-8 codec (the memory host's; hosts with a native codec use theirs on hot
 * paths) against Node's native TextEncoder and TextDecoder, and its cost on XS: exact compute per
 * kilobyte, and wall time, which also shows native work such as walking a string.
 */
import { decodeUtf8, encodeUtf8 } from "../src/bytes.ts";
import { opsPerSecond, type Row } from "./table.ts";
import { meterOnXs } from "./xs.ts";
import { SAMPLES } from "./utf8.samples.ts";

export async function run(): Promise<Row[]> {
  const rows: Row[] = [];
  const te = new TextEncoder();
  const td = new TextDecoder("utf-8", { fatal: true });
  for (const [name, text] of Object.entries(SAMPLES)) {
    const bytes = encodeUtf8(text);
    const mb = bytes.length / 1e6;
    const dec = opsPerSecond(() => decodeUtf8(bytes, 0, bytes.length, true)) * mb;
    const decBase = opsPerSecond(() => td.decode(bytes)) * mb;
    const enc = opsPerSecond(() => encodeUtf8(text)) * mb;
    const encBase = opsPerSecond(() => te.encode(text)) * mb;
    rows.push({ bench: "utf8", measure: `decode ${name} MB/s`, value: dec.toFixed(0), baseline: decBase.toFixed(0) + " TextDecoder", ratio: (dec / decBase).toFixed(2) });
    rows.push({ bench: "utf8", measure: `encode ${name} MB/s`, value: enc.toFixed(0), baseline: encBase.toFixed(0) + " TextEncoder", ratio: (enc / encBase).toFixed(2) });
  }
  const xs = await meterOnXs(new URL("./utf8.xs.ts", import.meta.url).pathname);
  for (const [name, step] of Object.entries(xs)) {
    const kb = encodeUtf8(SAMPLES[name.split(" ")[1] as keyof typeof SAMPLES]).length / 1024;
    rows.push({ bench: "utf8", measure: `XS ${name} (${kb.toFixed(1)} KB) compute/KB`, value: String(Math.round((step.compute ?? 0) / kb)), note: `exact, repeatable; ${step.ms.toFixed(1)} ms wall` });
  }
  return rows;
}
