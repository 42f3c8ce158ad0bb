// Lets Node 20 run this project's TypeScript directly: `node --import ./hosts/node/register.mjs file.ts`.
// Each .ts file is transformed alone by esbuild (type-only imports are explicit: verbatimModuleSyntax),
// with an inline source map so stack traces point at the TypeScript.
import { register } from "node:module";

register("./ts-loader.mjs", import.meta.url);
