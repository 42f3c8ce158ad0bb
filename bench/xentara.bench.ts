/**
 * The Xentara API's costs: iobox's CBOR codec against `cborg` on Node (the same messages, measured in
 * the same run), its exact XS compute per message, and the XS compute of a whole data-change event
 * (input edge to WebSocket frame) for a subscribed connection, over the edge alone.
 */
import * as cborg from "cborg";
import { decodeCbor, encodeCbor, Tagged, type CborValue } from "../src/cbor.ts";
import { opsPerSecond, type Row } from "./table.ts";
import { EDGES, ROUNDS } from "./xentara.xs.ts";
import { SAMPLES } from "./xentara.samples.ts";
import { meterOnXs } from "./xs.ts";

function toCborg(v: CborValue): unknown {
  if (v instanceof Tagged) return new cborg.Tagged(v.tag, toCborg(v.value));
  if (Array.isArray(v)) return v.map(toCborg);
  if (v instanceof Map) return new Map([...v].map(([k, x]) => [toCborg(k), toCborg(x)]));
  return v;
}

const DECODE = { useMaps: true, tags: cborg.Tagged.preserve(37, 121, 122, 1001, 4) };

export async function run(): Promise<Row[]> {
  const rows: Row[] = [];
  for (const [name, value] of Object.entries(SAMPLES)) {
    const bytes = encodeCbor(value);
    const theirs = toCborg(value);
    const enc = opsPerSecond(() => encodeCbor(value));
    const encBase = opsPerSecond(() => cborg.encode(theirs, { float64: true, mapSorter: undefined }));
    const dec = opsPerSecond(() => decodeCbor(bytes));
    const decBase = opsPerSecond(() => cborg.decode(bytes, DECODE));
    const k = (n: number): string => Math.round(n / 1000).toLocaleString("en") + " k/s";
    rows.push({ bench: "xentara", measure: `CBOR encode ${name} (${bytes.length} B), Node`, value: k(enc), baseline: k(encBase) + " cborg", ratio: (enc / encBase).toFixed(2) });
    rows.push({ bench: "xentara", measure: `CBOR decode ${name} (${bytes.length} B), Node`, value: k(dec), baseline: k(decBase) + " cborg", ratio: (dec / decBase).toFixed(2) });
  }
  const xs = await meterOnXs(new URL("./xentara.xs.ts", import.meta.url).pathname);
  for (const name of Object.keys(SAMPLES)) {
    rows.push({
      bench: "xentara",
      measure: `XS compute per ${name}: encode / decode`,
      value: `${Math.round((xs[`encode ${name}`]!.compute ?? 0) / ROUNDS)} / ${Math.round((xs[`decode ${name}`]!.compute ?? 0) / ROUNDS)}`,
      note: "exact, repeatable",
    });
  }
  const bare = (xs["edges, no subscription"]!.compute ?? 0) / EDGES;
  const subscribed = (xs["edges, subscribed"]!.compute ?? 0) / EDGES;
  rows.push({
    bench: "xentara",
    measure: "XS compute per data-change event, 1 subscribed connection",
    value: Math.round(subscribed - bare).toLocaleString("en"),
    baseline: Math.round(bare).toLocaleString("en") + " the edge alone",
    note: "subscription, CBOR, frame; includes the simulated client's frame parsing",
  });
  return rows;
}
