/** HTTP requests to a device fixture as a browser makes them: Digest logins, session cookies, JSON. */
import { digestResponse, type DigestAlgorithm } from "../../src/auth/http-digest.ts";
import { encodeUtf8 } from "../../src/bytes.ts";
import { RawHttpClient, type ParsedResponse } from "../../sim/http-client.ts";
import type { DeviceFixture } from "./device-fixture.ts";

export interface RequestOptions {
  headers?: string[];
  /** A string is sent as UTF-8; an object as JSON. */
  body?: string | object;
  /** Bytes sent as they are (instead of `body`). */
  bodyBytes?: Uint8Array;
  port?: number;
  from?: string;
}

export async function request(f: DeviceFixture, method: string, path: string, options: RequestOptions = {}): Promise<ParsedResponse> {
  const port = options.port ?? 80;
  const c = new RawHttpClient(f.host.net, port, { secure: port === 443, from: options.from ?? "192.0.2.10" });
  const body = options.bodyBytes ?? encodeUtf8(options.body === undefined ? "" : typeof options.body === "string" ? options.body : JSON.stringify(options.body));
  const head = `${method} ${path} HTTP/1.1\r\nHost: device\r\n${(options.headers ?? []).map((h) => h + "\r\n").join("")}Content-Length: ${body.length}\r\n\r\n`;
  c.send(head).send(body);
  await f.run();
  const r = c.responses()[0];
  if (!r) throw new Error(`no response to ${method} ${path}`);
  return r;
}

export function get(f: DeviceFixture, path: string, headers: string[] = [], port = 80, method = "GET"): Promise<ParsedResponse> {
  return request(f, method, path, { headers, port });
}

/** The Digest challenge for `algorithm` in a 401's WWW-Authenticate fields. */
export function challenge(r: ParsedResponse, algorithm: DigestAlgorithm): Record<string, string> {
  for (const value of r.headers["www-authenticate"] ?? []) {
    if (!value.startsWith("Digest ")) continue;
    const params: Record<string, string> = {};
    for (const m of value.matchAll(/([a-z]+)=(?:"([^"]*)"|([^,\s]+))/g)) params[m[1]!] = m[2] ?? m[3]!;
    if (params.algorithm === algorithm) return params;
  }
  throw new Error("no " + algorithm + " challenge");
}

export function digestHeader(f: DeviceFixture, c: Record<string, string>, algorithm: DigestAlgorithm, user: string, password: string, uri: string, nc = "00000001", method = "GET"): string {
  const cnonce = "c" + nc;
  const response = digestResponse(f.host.crypto, algorithm, { user, realm: c.realm!, password, method, uri, nonce: c.nonce!, nc, cnonce, qop: "auth" });
  return `Authorization: Digest username="${user}", realm="${c.realm}", nonce="${c.nonce}", uri="${uri}", algorithm=${algorithm}, qop=auth, nc=${nc}, cnonce="${cnonce}", response="${response}", opaque="${c.opaque}"`;
}

export function sessionCookie(r: ParsedResponse): string {
  const set = (r.headers["set-cookie"] ?? [])[0] ?? "";
  const m = /^iobox_session=([0-9a-f]{32});/.exec(set);
  if (!m) throw new Error("no session cookie in " + JSON.stringify(r.headers));
  return m[1]!;
}

/** Logs `user` in through POST /api/login (which always asks) and returns the `Cookie:` header of the session. */
export async function logIn(f: DeviceFixture, user: { name: string; password: string }): Promise<string> {
  const c = challenge(await request(f, "POST", "/api/login"), "SHA-256");
  const r = await request(f, "POST", "/api/login", { headers: [digestHeader(f, c, "SHA-256", user.name, user.password, "/api/login", "00000001", "POST")] });
  if (r.status !== 200) throw new Error(`login of ${user.name}: ${r.status} ${r.text}`);
  return "Cookie: iobox_session=" + sessionCookie(r);
}
