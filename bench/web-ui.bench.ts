/** What the web UI costs a browser: the page's bytes (one request, gzip) against the 30 KB budget. */
import { buildUi } from "../hosts/web-ui/build.ts";
import type { Row } from "./table.ts";

const BUDGET = 30 * 1024;

export async function run(): Promise<Row[]> {
  const ui = await buildUi();
  return [
    { bench: "web-ui", measure: "page transfer, gzip (one request, nothing else loaded)", value: `${ui.gzip.length.toLocaleString("en")} B`, baseline: "30 KB budget", ratio: (ui.gzip.length / BUDGET).toFixed(2), note: `${ui.html.length.toLocaleString("en")} B uncompressed` },
  ];
}
