/**
 * JSON over HTTP for the web API: answers, errors, and the check that every request that changes
 * something passes first: it comes from the page's own origin, so no other site can forge one with
 * a browser's cached login (the session cookie is SameSite=Strict as well).
 */
import { sameOrigin } from "../auth/web-login.ts";
import { parseJson } from "../json-input.ts";
import { decodeUtf8 } from "../bytes.ts";
import type { Exchange } from "../http/exchange.ts";
import type { RouteHandler } from "../http/router.ts";

const JSON_HEADERS = ["Content-Type", "application/json", "Cache-Control", "no-store", "X-Content-Type-Options", "nosniff"];

export function sendJson(exchange: Exchange, status: number, value: unknown): void {
  exchange.respond(status, JSON.stringify(value) + "\n", JSON_HEADERS);
}

/** A request the API refuses, with the status and the reason the client is told. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The body as text (UTF-8, strictly). */
export function textBody(exchange: Exchange): string {
  try {
    return decodeUtf8(exchange.body, 0, exchange.body.length, true);
  } catch {
    throw new ApiError(400, "the body is not UTF-8 text");
  }
}

/**
 * The body as a JSON object whose members are named in `names`: on the device a property name is
 * heap kept for good, and some of these requests come before any login (setup).
 */
export function jsonBody(exchange: Exchange, names: ReadonlySet<string>): Record<string, unknown> {
  let value: unknown;
  try {
    value = parseJson(textBody(exchange), { names });
  } catch (e) {
    if (e instanceof ApiError) throw e;
    const why = (e as Error).message;
    throw new ApiError(400, why === "not JSON" ? "the body is not JSON" : "the body is not JSON we take: " + why);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new ApiError(400, "the body must be a JSON object");
  return value as Record<string, unknown>;
}

/**
 * Wraps an API handler: a request that changes something from another site is refused (403), and
 * ApiError and RangeError (what the stores throw for bad values) become JSON errors.
 */
export function api<C>(handler: RouteHandler<C>): RouteHandler<C> {
  return (context, exchange) => {
    try {
      const safe = exchange.method === "GET" || exchange.method === "HEAD" || exchange.method === "OPTIONS";
      if (!safe && fromElsewhere(exchange)) throw new ApiError(403, "requests that change the device must come from its own pages");
      handler(context, exchange);
    } catch (e) {
      if (e instanceof ApiError) return sendJson(exchange, e.status, { error: e.message });
      if (e instanceof RangeError) return sendJson(exchange, 400, { error: e.message });
      throw e;
    }
  };
}

/** Sec-Fetch-Site (sent by current browsers) or Origin says another site made the request. */
function fromElsewhere(exchange: Exchange): boolean {
  const site = exchange.headers.get("sec-fetch-site");
  if (site !== undefined && site !== "same-origin" && site !== "none") return true;
  const origin = exchange.headers.get("origin");
  return origin !== undefined && !sameOrigin(origin, exchange.headers.get("host"), exchange.secure);
}
