/**
 * Where Node is absent (the device bundle, the XS test bundles, the import check's neutral build),
 * the modules mqtt-packet imports that need Node resolve to hosts/shims/ (see each file for why).
 * Only packages get the shims: first-party code importing "buffer" still meets the import rule
 * rather than a quiet stand-in.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import type * as esbuild from "esbuild";

const SHIMS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../shims");

/** Each resolves to hosts/shims/NAME.ts. */
export const SHIMMED = ["buffer", "events", "process-nextick-args", "debug", "bl"];

export const nodeShims: esbuild.Plugin = {
  name: "node-shims",
  setup(build) {
    build.onResolve({ filter: new RegExp(`^(${SHIMMED.join("|")})$`) }, (args) => {
      if (!args.importer.split(path.sep).includes("node_modules")) return undefined;
      return { path: path.join(SHIMS, args.path + ".ts") };
    });
  },
};

/** The neutral platform reads no package.json main field unless told, and mqtt-packet has only `main`. */
export const NEUTRAL_MAIN_FIELDS = ["module", "main"];
