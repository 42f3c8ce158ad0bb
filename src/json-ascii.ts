/**
 * JSON with every non-ASCII character written as a \u escape, for clients that decode frames as
 * ASCII (INTEG's C# library, pyJmp; janos.md §2.1, §2.2). The result is also one byte per
 * character, so its length is its byte count ([N,{json}] framing relies on that).
 */

const NON_ASCII = /[\u0080-\uffff]/g;

export function jsonAscii(value: unknown): string {
  const json = JSON.stringify(value);
  if (json === undefined) throw new TypeError("not JSON-serializable");
  NON_ASCII.lastIndex = 0;
  return NON_ASCII.test(json) ? json.replace(NON_ASCII, escape) : json;
}

function escape(ch: string): string {
  return "\\u" + ch.charCodeAt(0).toString(16).padStart(4, "0");
}
