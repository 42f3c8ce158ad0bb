/**
 * Registry key rules (janos.md §6.1): `/`-separated paths, case-insensitive and case-preserving;
 * a last element starting with `$` names a live value that clients cannot write.
 *
 * Limits, sized for an ESP32 storage partition (the snapshot and a journal must fit twice over in
 * a 256 KB LittleFS partition, with room for everything else):
 */
export interface RegistryLimits {
  maxKeyLength: number;
  maxSegment: number;
  maxDepth: number;
  maxValueBytes: number;
  maxKeys: number;
  maxTotalBytes: number;
  maxKeysPerWrite: number;
}

export const REGISTRY_LIMITS: Readonly<RegistryLimits> = {
  /** A whole key, in characters (JANOS's longest, IO/Inputs/din12/Usage/EmailBlock, is 34). */
  maxKeyLength: 128,
  /** One path element. */
  maxSegment: 32,
  /** Path elements. */
  maxDepth: 8,
  /** A value, in UTF-8 bytes. */
  maxValueBytes: 1024,
  /** Stored keys (defaults and live values do not count). */
  maxKeys: 1000,
  /** Keys and values together, in UTF-8 bytes: bounds the snapshot. */
  maxTotalBytes: 48 * 1024,
  /** Keys in one write from a client (the unit's own writes, such as its defaults, are not bounded). */
  maxKeysPerWrite: 1000,
};

/** Why `key` is not a valid registry key, or undefined when it is. */
export function keyProblem(key: string): string | undefined {
  if (typeof key !== "string" || key.length === 0) return "a key must be a non-empty string";
  if (key.length > REGISTRY_LIMITS.maxKeyLength) return `a key is at most ${REGISTRY_LIMITS.maxKeyLength} characters`;
  const segments = key.split("/");
  if (segments.length > REGISTRY_LIMITS.maxDepth) return `a key has at most ${REGISTRY_LIMITS.maxDepth} elements`;
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i]!;
    if (s.length === 0) return "empty path element (leading, trailing or double /)";
    if (s.length > REGISTRY_LIMITS.maxSegment) return `a path element is at most ${REGISTRY_LIMITS.maxSegment} characters`;
    if (s !== s.trim()) return "a path element cannot start or end with a space";
    if (!/^[\x20-\x7e]+$/.test(s) || /[=[\]\\]/.test(s)) return "path elements use printable ASCII other than = [ ] \\";
    if (s.startsWith("$") && i !== segments.length - 1) return "only the last element may start with $";
  }
  return undefined;
}

/** The form keys are compared in. */
export function canonical(key: string): string {
  return key.toLowerCase();
}

/** A live value: the last element starts with `$`. */
export function isLive(key: string): boolean {
  return key.charCodeAt(key.lastIndexOf("/") + 1) === 36;
}

/** The node holding `key` ("" for the root). */
export function nodeOf(key: string): string {
  const slash = key.lastIndexOf("/");
  return slash < 0 ? "" : key.slice(0, slash);
}

/** Values are strings; the words JANOS and its clients use for true and false (janos.md §6.1). */
export function parseBoolean(value: string): boolean | undefined {
  const v = value.trim().toLowerCase();
  if (v === "1" || v === "on" || v === "yes" || v === "true" || v === "enable" || v === "enabled") return true;
  if (v === "0" || v === "off" || v === "no" || v === "false" || v === "disable" || v === "disabled") return false;
  return undefined;
}
