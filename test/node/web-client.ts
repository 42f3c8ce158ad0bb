/**
 * An HTTP Digest client (RFC 7616) written from the RFC with node:crypto, independent of the
 * server's code: the tests meet the login as a browser would.
 */
import crypto from "node:crypto";

export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** The challenges of a (possibly comma-joined) WWW-Authenticate value. */
export function parseChallenges(header: string | null): Challenge[] {
  if (!header) return [];
  return header
    .split(/,\s*(?=(?:Digest|Basic|Bearer)\s)/i)
    .map((part) => {
      const m = /^(\S+)\s*(.*)$/s.exec(part.trim())!;
      const params: Record<string, string> = {};
      for (const p of m[2]!.matchAll(/([a-z0-9-]+)=(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/gi)) params[p[1]!.toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, "$1") : p[3]!;
      return { scheme: m[1]!, params };
    });
}

/** The Authorization value answering `challenge` for a request. */
export function digestAuthorization(challenge: Challenge, method: string, uri: string, user: string, password: string, nc = 1): string {
  const algorithm = challenge.params.algorithm ?? "MD5";
  const h = (s: string): string => crypto.createHash(algorithm === "SHA-256" ? "sha256" : "md5").update(s).digest("hex");
  const cnonce = crypto.randomBytes(12).toString("base64");
  const ncText = nc.toString(16).padStart(8, "0");
  const ha1 = h(`${user}:${challenge.params.realm}:${password}`);
  const ha2 = h(`${method}:${uri}`);
  const response = h(`${ha1}:${challenge.params.nonce}:${ncText}:${cnonce}:auth:${ha2}`);
  return `Digest username="${user}", realm="${challenge.params.realm}", nonce="${challenge.params.nonce}", uri="${uri}", algorithm=${algorithm}, qop=auth, nc=${ncText}, cnonce="${cnonce}", response="${response}", opaque="${challenge.params.opaque}"`;
}

/**
 * GET (or any method) with a Digest login: the first request is answered 401 with the challenges,
 * the second carries the credentials. Resolves with the second response.
 */
export async function digestFetch(url: string, user: string, password: string, init: RequestInit = {}, algorithm: "SHA-256" | "MD5" = "SHA-256"): Promise<Response> {
  const first = await fetch(url, init);
  if (first.status !== 401) return first;
  await first.arrayBuffer();
  const challenge = parseChallenges(first.headers.get("www-authenticate")).find((c) => c.scheme === "Digest" && (c.params.algorithm ?? "MD5") === algorithm);
  if (!challenge) throw new Error("no Digest " + algorithm + " challenge in " + first.headers.get("www-authenticate"));
  const u = new URL(url);
  return fetch(url, { ...init, headers: { ...(init.headers as Record<string, string>), Authorization: digestAuthorization(challenge, init.method ?? "GET", u.pathname + u.search, user, password) } });
}

/** The value of a `name=value` cookie set by a response, or undefined. */
export function cookieFrom(response: Response, name: string): string | undefined {
  for (const c of response.headers.getSetCookie()) {
    const m = new RegExp(`^${name}=([^;]*)`).exec(c);
    if (m) return m[1];
  }
  return undefined;
}
