/**
 * Checking a configuration file's JSON, all or nothing: the first problem throws a ConfigError
 * naming the file, the field and the problem ("config.json: httpServer.port: must be ...").
 */
import { checkJson } from "./json-input.ts";

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${file}: ${field ? field + ": " : ""}${problem}`);
  }
}
// defined on our prototype, not assigned: a Moddable device freezes Error.prototype in ROM,
// and assigning over a frozen inherited property throws
Object.defineProperty(ConfigError.prototype, "name", { value: "ConfigError" });

export class Validator {
  constructor(readonly file: string) {}

  object(value: unknown, field: string, allowed: string[]): Record<string, unknown> {
    if (typeof value !== "object" || value === null || Array.isArray(value)) throw new ConfigError(this.file, field, "must be an object");
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key)) throw new ConfigError(this.file, field ? field + "." + key : key, "unknown member (allowed: " + allowed.join(", ") + ")");
    }
    return value as Record<string, unknown>;
  }

  array(value: unknown, field: string): unknown[] {
    if (!Array.isArray(value)) throw new ConfigError(this.file, field, "must be an array");
    return value;
  }

  string(value: unknown, field: string, pattern: RegExp, what: string): string {
    if (typeof value !== "string" || !pattern.test(value)) throw new ConfigError(this.file, field, "must be " + what + " (got " + JSON.stringify(value) + ")");
    return value;
  }

  fail(field: string, problem: string): never {
    throw new ConfigError(this.file, field, problem);
  }

  parse(text: string): unknown {
    try {
      checkJson(text);
      return JSON.parse(text);
    } catch (e) {
      throw new ConfigError(this.file, "", "not valid JSON (" + (e as Error).message + ")");
    }
  }

  integer(value: unknown, field: string, min: number, max: number): number {
    if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
      throw new ConfigError(this.file, field, `must be an integer from ${min} to ${max} (got ${JSON.stringify(value)})`);
    }
    return value;
  }

  boolean(value: unknown, field: string): boolean {
    if (typeof value !== "boolean") throw new ConfigError(this.file, field, "must be true or false (got " + JSON.stringify(value) + ")");
    return value;
  }

  port(value: unknown, field: string): number {
    if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > 65535) {
      throw new ConfigError(this.file, field, "must be an integer from 0 to 65535 (got " + JSON.stringify(value) + ")");
    }
    return value;
  }
}
