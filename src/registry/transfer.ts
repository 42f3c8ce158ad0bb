/**
 * Backup and restore: the registry as an INI text in the JANOS `jnior.ini` style (a section per
 * node, `name = value` lines) or as a flat JSON object. Import checks everything first and applies
 * it as one atomic write, or nothing. Live ($) values are device state, not configuration: they
 * are neither exported nor imported.
 */
import type { Entry } from "./format.ts";
import { ForeignJson, MAX_JSON_VALUES, NO_NAMES, parseJson as parseJsonInput, record } from "../json-input.ts";
import { isLive, nodeOf } from "./keys.ts";
import { RegistryError, type Change, type Problem, type Registry } from "./registry.ts";

/** Values written raw unless they need quoting (edge spaces, a leading quote, control characters, backslashes). */
function iniValue(value: string): string {
  if (!/^\s|\s$|^"|[\\\x00-\x1f]/.test(value)) return value;
  return quote(value);
}

/** Names written raw unless a reader would take them for something else: a comment (; #), a section ([), or a name that holds "=". */
function iniName(name: string): string {
  return /^[;#["]|=|^\s|\s$|[\\\x00-\x1f]/.test(name) ? quote(name) : name;
}

function quote(value: string): string {
  return '"' + value.replace(/[\\"\n\r\t]/g, (c) => ({ "\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t" })[c]!) + '"';
}

function unquote(raw: string): string | undefined {
  if (!raw.startsWith('"')) return raw;
  if (raw.length < 2 || !raw.endsWith('"')) return undefined;
  let out = "";
  const body = raw.slice(1, -1);
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === '"') return undefined;
    if (c !== "\\") {
      out += c;
      continue;
    }
    const e = body[++i];
    const mapped = e === "\\" ? "\\" : e === '"' ? '"' : e === "n" ? "\n" : e === "r" ? "\r" : e === "t" ? "\t" : undefined;
    if (mapped === undefined) return undefined;
    out += mapped;
  }
  return out;
}

export function exportIni(registry: Registry, header?: string): string {
  const byNode = new Map<string, Entry[]>();
  for (const [key, value] of registry.stored()) {
    if (isLive(key)) continue;
    const node = nodeOf(key);
    let list = byNode.get(node.toLowerCase());
    if (!list) byNode.set(node.toLowerCase(), (list = []));
    list.push([key, value]);
  }
  const lines: string[] = [];
  if (header) for (const l of header.split("\n")) lines.push("; " + l);
  const nodes = [...byNode.keys()].sort();
  for (const n of nodes) {
    const entries = byNode.get(n)!;
    if (n !== "") {
      if (lines.length) lines.push("");
      lines.push("[" + nodeOf(entries[0]![0]) + "]");
    }
    for (const [key, value] of entries) lines.push(iniName(key.slice(key.lastIndexOf("/") + 1)) + " = " + iniValue(value));
  }
  return lines.join("\n") + "\n";
}

export interface ParsedImport {
  entries: Entry[];
  /** Where each key came from, for error messages ("line 12"). */
  origin: Map<string, string>;
  problems: Problem[];
}

export function parseIni(text: string): ParsedImport {
  const entries: Entry[] = [];
  const origin = new Map<string, string>();
  const problems: Problem[] = [];
  let section = "";
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const where = "line " + (i + 1);
    const line = raw.trim();
    if (line === "" || line.startsWith(";") || line.startsWith("#")) return;
    if (line.startsWith("[")) {
      if (!line.endsWith("]")) return void problems.push({ key: "", reason: where + ": a section is [node]" });
      section = line.slice(1, -1).trim().replace(/^\/+|\/+$/g, "");
      return;
    }
    // a quoted name ends at its closing quote (it may hold "="); a plain one at the first "="
    const quoted = line.startsWith('"');
    const closing = quoted ? quotedEnd(line) : 0;
    const eq = closing < 0 ? -1 : line.indexOf("=", closing);
    if (eq <= 0) return void problems.push({ key: "", reason: where + ": expected name = value" });
    const name = quoted ? unquote(line.slice(0, closing)) : line.slice(0, eq).trim();
    if (name === undefined || (quoted && line.slice(closing, eq).trim() !== "")) return void problems.push({ key: "", reason: where + ': a quoted name ends with " before the =' });
    const value = unquote(line.slice(eq + 1).trim());
    const key = section ? section + "/" + name : name;
    if (value === undefined) return void problems.push({ key, reason: where + ": a quoted value must end with \" and use \\\\ \\\" \\n \\r \\t escapes only" });
    entries.push([key, value]);
    origin.set(key.toLowerCase(), where);
  });
  return { entries, origin, problems };
}

/** Where the quoted string that starts `line` ends (just after its closing quote), or -1. */
function quotedEnd(line: string): number {
  for (let i = 1; i < line.length; i++) {
    if (line[i] === "\\") i++;
    else if (line[i] === '"') return i + 1;
  }
  return -1;
}

/** The stored secrets a backup holds as they are (passwords): its header and the web UI say so. */
export function secretsIn(registry: Registry): string[] {
  return registry
    .stored()
    .map(([key]) => key)
    .filter((key) => registry.schema.isSecret(key));
}

export function exportJson(registry: Registry): string {
  const out = record<string>();
  for (const [key, value] of registry.stored()) if (!isLive(key)) out[key] = value; // out has no prototype
  return JSON.stringify(out, null, 2) + "\n";
}

/** A JSON backup: an object of "key": "value" members, at most `maxKeys` of them (the registry's limit: more would not fit). */
export function parseJson(text: string, maxKeys = MAX_JSON_VALUES): ParsedImport {
  const maxValues = maxKeys + 1;
  const entries: Entry[] = [];
  const origin = new Map<string, string>();
  const problems: Problem[] = [];
  let parsed: unknown;
  try {
    // key names stay strings (ForeignJson): on the device a property name is heap kept for good
    parsed = parseJsonInput(text, { names: NO_NAMES, others: "foreign", values: maxValues });
  } catch (e) {
    return { entries, origin, problems: [{ key: "", reason: "not valid JSON (" + (e as Error).message + ")" }] };
  }
  if (!(parsed instanceof ForeignJson && parsed.members)) {
    return { entries, origin, problems: [{ key: "", reason: 'expected an object of "key": "value" pairs' }] };
  }
  for (const [key, value] of parsed.members) {
    if (typeof value === "string") entries.push([key, value]);
    else if (typeof value === "number" || typeof value === "boolean") entries.push([key, String(value)]);
    else if (value === null) entries.push([key, ""]);
    else problems.push({ key, reason: "values are strings" });
  }
  return { entries, origin, problems };
}

/**
 * Applies an import as one atomic write. With `replace`, stored keys the import does not name are
 * removed (a restore); otherwise it merges. Any problem anywhere refuses the whole import.
 */
export function applyImport(registry: Registry, parsed: ParsedImport, options: { replace?: boolean } = {}): Change[] {
  const problems = [...parsed.problems];
  for (const [key] of parsed.entries) if (typeof key === "string" && isLive(key)) problems.push({ key, reason: "live ($) values are not imported" });
  if (problems.length) throw new RegistryError(problems);
  const writes: Entry[] = [...parsed.entries];
  if (options.replace) {
    const named = new Set(parsed.entries.map(([k]) => k.toLowerCase()));
    for (const [key] of registry.stored()) if (!isLive(key) && !named.has(key.toLowerCase())) writes.push([key, ""]);
  }
  try {
    return registry.write(writes);
  } catch (e) {
    if (!(e instanceof RegistryError)) throw e;
    // say where each problem came from
    throw new RegistryError(e.problems.map((p) => ({ key: p.key, reason: (parsed.origin.get(p.key.toLowerCase()) ? parsed.origin.get(p.key.toLowerCase()) + ": " : "") + p.reason })));
  }
}
