/**
 * What a client presents to prove who it is: the `Authorization` header (RFC 7235 §2.1, 7617 Basic,
 * 7616 Digest, 6750 Bearer) and the `Cookie` header (RFC 6265 §4.2). Parsing only; deciding whether
 * the credentials are good belongs to each scheme.
 *
 * Header text reaches us unvalidated from the network, so every parser here is bounded: it refuses
 * input over MAX_HEADER characters, scans with sticky regular expressions that cannot backtrack
 * more than linearly (and no charCodeAt loop, which is quadratic on XS), and never throws.
 */
import { decodeUtf8, fromBase64 } from "../bytes.ts";

export interface Credentials {
  /** The auth-scheme as sent; compare it case-insensitively. */
  scheme: string;
  /** The token68 form (Basic, Bearer); absent when the credentials are auth-params (Digest). */
  token68?: string;
  /** auth-params: names lower-cased, values unquoted. Empty for the token68 form. */
  params: Map<string, string>;
}

/** Longest `Authorization` or `Cookie` value parsed; longer ones are refused whole. */
export const MAX_HEADER = 4096;
/** Most cookies read from one `Cookie` header. */
export const MAX_COOKIES = 32;

/**
 * The sticky patterns of one parse, made per call: no regular expression may live in a module body
 * on the device (README, "The device's memory").
 */
function patterns() {
  return {
    ows: /[ \t]*/y,
    token: /[!#$%&'*+\-.^_`|~0-9A-Za-z]+/y,
    // token68 must be the whole rest of the header, or the text is an auth-param list
    token68: /([A-Za-z0-9\-._~+/]+=*)[ \t]*$/y,
    // One auth-param with the separators before it: one match per param, because on XS every match
    // from a lastIndex costs a walk to it. The quoted-string is qdtext* (quoted-pair qdtext*)* (RFC 9110
    // §5.6.4), unrolled so that an unterminated one fails in linear time. qdtext is HTAB, SP, VCHAR but
    // DQUOTE and backslash, and obs-text; code points above 0xFF pass too, for callers that decoded the
    // header as UTF-8 rather than Latin-1.
    param:
      /[ \t]*((?:,[ \t]*)*)([!#$%&'*+\-.^_`|~0-9A-Za-z]+)[ \t]*=[ \t]*(?:"([\t \x21\x23-\x5b\x5d-\x7e\x80-\uffff]*(?:\\[\t \x21-\x7e\x80-\uffff][\t \x21\x23-\x5b\x5d-\x7e\x80-\uffff]*)*)"|([!#$%&'*+\-.^_`|~0-9A-Za-z]+))/y,
    separators: /[ \t,]*$/y,
  };
}

/** Parses an `Authorization` (or `Proxy-Authorization`) value; undefined when it is malformed. */
export function parseAuthorization(header: string | undefined): Credentials | undefined {
  if (header === undefined || header.length > MAX_HEADER) return undefined;
  const { ows, token, token68, param, separators } = patterns();
  let pos = skip(ows, header, 0);
  const scheme = match(token, header, pos);
  if (scheme === undefined) return undefined;
  pos += scheme.length;
  const params = new Map<string, string>();
  const afterScheme = skip(ows, header, pos);
  if (afterScheme === header.length) return { scheme, params };
  if (afterScheme === pos) return undefined; // the scheme runs into something that is not a token
  pos = afterScheme;

  token68.lastIndex = pos;
  const t68 = token68.exec(header);
  if (t68) return { scheme, token68: t68[1]!, params };

  for (;;) {
    param.lastIndex = pos;
    const m = param.exec(header);
    if (!m) break;
    if (params.size && m[1] === "") return undefined; // two params with no comma between them
    const key = m[2]!.toLowerCase();
    if (params.has(key)) return undefined; // which one would count is ambiguous (RFC 7235 §2.1)
    params.set(key, m[3] === undefined ? m[4]! : unescape(m[3]));
    pos = param.lastIndex;
  }
  separators.lastIndex = pos;
  return separators.test(header) ? { scheme, params } : undefined;
}

/**
 * The user and password of Basic credentials (RFC 7617 §2): token68 in base64 of UTF-8
 * `user:password`, split at the first colon. Undefined when they are not Basic or are malformed, or
 * when either part holds a control character (RFC 7617 §2 forbids them; they have no business in a
 * log line either).
 */
export function basicCredentials(c: Credentials): { user: string; password: string } | undefined {
  if (c.scheme.toLowerCase() !== "basic" || c.token68 === undefined || c.params.size) return undefined;
  let text: string;
  try {
    const bytes = fromBase64(c.token68);
    text = decodeUtf8(bytes, 0, bytes.length, true);
  } catch {
    return undefined;
  }
  const colon = text.indexOf(":");
  if (colon < 0 || /[\x00-\x1f\x7f-\x9f]/.test(text)) return undefined;
  return { user: text.slice(0, colon), password: text.slice(colon + 1) };
}

/**
 * The cookies of a `Cookie` value, by name. Parsed leniently, as servers must (RFC 6265 §5.4 lets
 * user agents send what they were given): pairs without "=" or with a name that is not a token are
 * skipped. The first pair of a name wins: user agents send the cookie with the longest path first
 * (§5.4 step 2), which is the most specific one. A value in DQUOTEs loses them (cookie-value in §4.1.1
 * has no escapes). A header over MAX_HEADER characters gives no cookies; after MAX_COOKIES names the
 * rest is ignored.
 */
export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  if (header === undefined || header.length > MAX_HEADER) return cookies;
  for (const pair of header.split(";")) {
    const eq = pair.indexOf("=");
    if (eq < 0) continue;
    const name = pair.slice(0, eq).trim();
    if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name) || cookies.has(name)) continue;
    let value = pair.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    cookies.set(name, value);
    if (cookies.size === MAX_COOKIES) break;
  }
  return cookies;
}

/**
 * Whether two strings are equal, in time that depends on their lengths but not on where they differ,
 * for comparing secrets (digests, tokens, session ids) with what a client sent.
 */
export function equalConstantTime(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  const other = b[Symbol.iterator]();
  let difference = 0;
  for (const ch of a) {
    // b can run out first only after a pair differed (a surrogate pair against a single unit)
    const next = other.next();
    difference |= next.done ? 1 : ch.codePointAt(0)! ^ next.value.codePointAt(0)!;
  }
  return difference === 0;
}

function match(re: RegExp, text: string, pos: number): string | undefined {
  re.lastIndex = pos;
  const m = re.exec(text);
  return m ? m[0] : undefined;
}

function skip(re: RegExp, text: string, pos: number): number {
  re.lastIndex = pos;
  return re.test(text) ? re.lastIndex : pos;
}

/** The text of a quoted-string whose syntax PARAM has checked: each backslash makes the next character literal. */
function unescape(quoted: string): string {
  if (!quoted.includes("\\")) return quoted;
  // split, not a global replace: one pass on XS, where each replace match restarts from lastIndex
  const parts = quoted.split("\\");
  let text = parts[0]!;
  for (let i = 1; i < parts.length; i++) {
    // an empty part is an escaped backslash; the part after it is then plain text
    text += parts[i] === "" ? "\\" + parts[++i]! : parts[i]!;
  }
  return text;
}

/** `text` as an RFC 9110 quoted-string: a realm or a description inside a WWW-Authenticate challenge. */
export function quotedString(text: string): string {
  return '"' + text.replace(/[\\"]/g, "\\$&").replace(/[\x00-\x08\x0a-\x1f\x7f]/g, "") + '"';
}
