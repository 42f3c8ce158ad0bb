/**
 * Builds the web UI into self-contained pages: the script and stylesheet inline, so the device
 * serves each as a single gzip-compressed resource (one request, one ETag). No framework: a page is
 * a few hundred lines of DOM code, and a framework's runtime would outweigh it.
 *   buildUi()       the UI page and its gzip bytes (what the simulator bundles, what the device stores)
 *   buildSetupUi()  the setup page (setup mode's /setup), the same way
 *   node build.ts   writes build/ui/index.html(.gz) and build/ui/setup.html(.gz)
 */
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const UI_OUT = path.resolve(HERE, "../../build/ui");

export interface BuiltUi {
  html: Uint8Array;
  gzip: Uint8Array;
}

/** `import css from "./style.css"` gives the stylesheet minified, as a string. */
const minifiedCssText: esbuild.Plugin = {
  name: "minified-css-text",
  setup(build) {
    build.onLoad({ filter: /\.css$/ }, async (args) => {
      const css = await esbuild.transform(await fs.promises.readFile(args.path, "utf8"), { loader: "css", minify: true });
      return { contents: css.code.trim(), loader: "text" };
    });
  },
};

export function buildUi(): Promise<BuiltUi> {
  return buildPage("main.ts", "iobox");
}

export function buildSetupUi(): Promise<BuiltUi> {
  return buildPage("setup.ts", "iobox setup");
}

async function buildPage(entry: string, title: string): Promise<BuiltUi> {
  const result = await esbuild.build({
    entryPoints: [path.join(HERE, entry)],
    bundle: true,
    write: false,
    format: "iife",
    platform: "browser",
    target: ["chrome100", "firefox100", "safari15"],
    minify: true,
    legalComments: "none",
    logLevel: "warning",
    plugins: [minifiedCssText],
  });
  const js = result.outputFiles[0]!.text.replace(/<\/(script)/gi, "<\\/$1");
  const page =
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">' +
    `<meta name="color-scheme" content="light dark"><link rel="icon" href="data:,"><title>${title}</title></head><body><script>` +
    js +
    "</script></body></html>\n";
  const html = new TextEncoder().encode(page);
  return { html, gzip: new Uint8Array(zlib.gzipSync(html, { level: 9 })) };
}

/** Writes build/ui/: what the device build (manifest.json resources) and the tests read. */
export async function writeUi(): Promise<{ ui: BuiltUi; setup: BuiltUi }> {
  const [ui, setup] = await Promise.all([buildUi(), buildSetupUi()]);
  fs.mkdirSync(UI_OUT, { recursive: true });
  for (const [name, page] of [["index", ui], ["setup", setup]] as const) {
    fs.writeFileSync(path.join(UI_OUT, name + ".html"), page.html);
    fs.writeFileSync(path.join(UI_OUT, name + ".html.gz"), page.gzip);
  }
  return { ui, setup };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { ui, setup } = await writeUi();
  process.stdout.write(`web UI: ${ui.html.length} bytes, ${ui.gzip.length} gzip; setup page: ${setup.html.length} bytes, ${setup.gzip.length} gzip -> ${path.relative(process.cwd(), UI_OUT)}/\n`);
}
