/** The header fields of a response, as a handler gives them (flat name, value pairs), checked and written. */

/** Appends the flat header pairs to `head`, checked; Connection is the server's to set. */
export function fieldLines(head: string, headers: readonly string[]): string {
  if (headers.length % 2) throw new Error("headers are name, value pairs");
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i]!;
    const value = headers[i + 1]!;
    if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name)) throw new Error("bad header name " + JSON.stringify(name));
    if (/[\0\r\n]/.test(value)) throw new Error("bad header value for " + name);
    const lower = name.toLowerCase();
    if (lower === "content-length" || lower === "transfer-encoding") throw new Error(name + " is set by the server");
    if (lower === "connection") continue;
    head += name + ": " + value + "\r\n";
  }
  return head;
}

/** Whether the flat header pairs contain `name` (any case), with `value` (any case) when given. */
export function hasField(headers: readonly string[] | undefined, name: string, value?: string): boolean {
  if (!headers) return false;
  for (let i = 0; i < headers.length; i += 2) {
    if (headers[i]!.toLowerCase() === name && (value === undefined || headers[i + 1]!.toLowerCase() === value)) return true;
  }
  return false;
}
