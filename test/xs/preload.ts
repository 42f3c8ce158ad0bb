/**
 * Moddable's preload, as far as it shows at run time, emulated on xsnap so that the core suites find
 * what only the device's build would otherwise show.
 *
 * On the device, the module bodies of the image run at build time and what they made goes to flash
 * (moddable/PRELOAD.md in the shared notes, README "The device's memory"). Seen on the lin build of
 * SDK 8.2.3, for what a module body made:
 * - functions and classes are frozen: assigning a static field later throws;
 * - a Map or a Set is read-only ("read-only Map instance");
 * - an ArrayBuffer behind a typed array is read-only ("read-only buffer");
 * - a regular expression cannot be used: a global or sticky one cannot move its lastIndex, and any
 *   one crashed XS (a segmentation fault in RegExp.prototype.exec once collections ran);
 * - plain objects and arrays stay writable (XS copies them to RAM on the first write).
 *
 * `preloadEmulation` is an esbuild plugin: to each module of the device image (src/, the shims, the
 * simulated board, mqtt-packet) it appends a call that hands its top-level bindings to
 * `__ioboxPreloaded`. PRELOAD_PRELUDE, evaluated before the bundle, defines that function: it freezes
 * the functions, makes the Maps and Sets read-only, and records every regular expression and every
 * non-empty buffer. `__ioboxPreloadProblems()` lists the regular expressions and the buffers written
 * since, for the runner to report as a failed test.
 *
 * Not seen here: what a module body made that no top-level binding reaches (inside a closure).
 */
import fs from "node:fs";
import path from "node:path";
import * as acorn from "acorn";
import * as esbuild from "esbuild";

/** Files whose module bodies the device preloads (under `root`). */
export function preloadedFiles(root: string): (file: string) => boolean {
  const dirs = ["src", "hosts/shims", "node_modules/mqtt-packet"].map((d) => path.join(root, d) + path.sep);
  const board = path.join(root, "sim/board.ts");
  return (file) => file === board || dirs.some((d) => file.startsWith(d));
}

type Node = { type: string; [key: string]: unknown };

function patternNames(p: Node, into: string[]): void {
  switch (p.type) {
    case "Identifier":
      into.push(p.name as string);
      break;
    case "ObjectPattern":
      for (const prop of p.properties as Node[]) patternNames((prop.type === "RestElement" ? prop.argument : prop.value) as Node, into);
      break;
    case "ArrayPattern":
      for (const e of p.elements as (Node | null)[]) if (e) patternNames(e.type === "RestElement" ? (e.argument as Node) : e, into);
      break;
    case "AssignmentPattern":
      patternNames(p.left as Node, into);
      break;
  }
}

/** The names a module declares at its top level. */
export function topLevelNames(code: string, sourceType: "module" | "script"): string[] {
  const ast = acorn.parse(code, { ecmaVersion: "latest", sourceType, allowReturnOutsideFunction: true }) as unknown as { body: Node[] };
  const names: string[] = [];
  for (const statement of ast.body) {
    const s = (statement.type === "ExportNamedDeclaration" || statement.type === "ExportDefaultDeclaration") && statement.declaration ? (statement.declaration as Node) : statement;
    if (s.type === "VariableDeclaration") for (const d of s.declarations as Node[]) patternNames(d.id as Node, names);
    else if ((s.type === "FunctionDeclaration" || s.type === "ClassDeclaration") && s.id) names.push((s.id as Node).name as string);
  }
  return names;
}

export function preloadEmulation(root: string): esbuild.Plugin {
  const preloaded = preloadedFiles(root);
  return {
    name: "preload-emulation",
    setup(build) {
      build.onLoad({ filter: /\.(ts|js|cjs|mjs)$/ }, (args) => {
        if (!preloaded(args.path) || args.path.endsWith(".d.ts")) return undefined;
        const source = fs.readFileSync(args.path, "utf8");
        const ts = args.path.endsWith(".ts");
        // no format: a shim's `export =` stays CommonJS, as the bundler would make it
        const code = ts ? esbuild.transformSync(source, { loader: "ts", target: "esnext", sourcefile: args.path }).code : source;
        const commonJs = !/^\s*(import|export)\b/m.test(code);
        const names = topLevelNames(code, commonJs ? "script" : "module");
        if (commonJs) names.push("module.exports");
        const entries = names.map((n) => `${JSON.stringify(n)}: ${n}`).join(", ");
        const module = JSON.stringify(path.relative(root, args.path));
        return { contents: `${code}\n;globalThis.__ioboxPreloaded?.(${module}, { ${entries} });\n`, loader: "js", resolveDir: path.dirname(args.path) };
      });
    },
  };
}

/**
 * Evaluated before the bundle and before the built-ins are frozen (it wraps Map and Set methods).
 * `builtins` is filled by the prelude's freezing, so walks stop at the built-ins.
 */
export const PRELOAD_PRELUDE = `
  const __ioboxBuiltins = new WeakSet();
  {
    const readOnly = new WeakSet();
    const guard = (proto, names, what) => {
      for (const name of names) {
        const original = proto[name];
        Object.defineProperty(proto, name, {
          value: function (...args) {
            if (readOnly.has(this)) throw new TypeError("this: read-only " + what + " instance (made in a module body: preloaded into flash on the device)");
            return original.apply(this, args);
          },
          writable: true,
          configurable: true,
        });
      }
    };
    guard(Map.prototype, ["set", "delete", "clear"], "Map");
    guard(Set.prototype, ["add", "delete", "clear"], "Set");
    const problems = [];
    const buffers = [];
    const bytesOf = (v) => v instanceof ArrayBuffer ? new Uint8Array(v) : new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
    const walk = (value, where, seen) => {
      if (value === null || (typeof value !== "object" && typeof value !== "function")) return;
      if (seen.has(value) || __ioboxBuiltins.has(value)) return;
      seen.add(value);
      if (value instanceof RegExp) {
        problems.push(where + " is a regular expression made in a module body (" + String(value).slice(0, 60) + "): the device cannot use it; make it where it is used");
        return;
      }
      if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) {
        const bytes = bytesOf(value);
        if (bytes.length) buffers.push([where, bytes, bytes.slice()]);
        return;
      }
      if (value instanceof Map || value instanceof Set) {
        readOnly.add(value);
        for (const entry of value) walk(entry, where + " (an entry)", seen);
        return;
      }
      if (typeof value === "function") {
        Object.freeze(value);
        walk(value.prototype, where + ".prototype", seen);
      }
      for (const key of Reflect.ownKeys(value)) {
        const d = Object.getOwnPropertyDescriptor(value, key);
        if (d && "value" in d) walk(d.value, where + "." + String(key), seen);
      }
    };
    Object.defineProperty(globalThis, "__ioboxPreloaded", {
      value(module, bindings) {
        const seen = new WeakSet();
        for (const name of Object.keys(bindings)) walk(bindings[name], module + ": " + name, seen);
      },
    });
    Object.defineProperty(globalThis, "__ioboxPreloadProblems", {
      value() {
        const written = buffers.filter(([, bytes, copy]) => bytes.some((b, i) => b !== copy[i])).map(([where]) => where + " was written: the device's copy is read-only (made in a module body)");
        return [...problems, ...written];
      },
    });
  }
`;
