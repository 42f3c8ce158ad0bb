/**
 * JSON with every non-ASCII character written as a \u escape, for clients that decode frames as
 * ASCII (INTEG's C# library, pyJmp; janos.md §2.1, §2.2). The result is also one byte per
 * character, so its length is its byte count ([N,{json}] framing relies on that).
 */

export function jsonAscii(value: unknown): string {
  const json = JSON.stringify(value);
  if (json === undefined) throw new TypeError("not JSON-serializable");
  // made per call: no regular expression may live in a module body (README, "The device's memory")
  return /[\u0080-\uffff]/.test(json) ? json.replace(/[\u0080-\uffff]/g, escape) : json;
}

function escape(ch: string): string {
  return "\\u" + ch.charCodeAt(0).toString(16).padStart(4, "0");
}
