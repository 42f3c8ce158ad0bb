/**
 * Static assets embedded in the image: strong ETags (304 on If-None-Match), and pre-compressed
 * gzip bodies sent with `Content-Encoding: gzip` (the device has no compressor; a client that
 * refuses gzip gets 406).
 */
import { toHex } from "../bytes.ts";
import { digest } from "../digest.ts";
import type { Crypto } from "../host.ts";
import type { Exchange } from "./exchange.ts";
import type { Route, Router } from "./router.ts";

const PAGE_POLICY = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

export interface Asset {
  /** URL path, e.g. "/index.html". */
  path: string;
  /** Media type, e.g. "text/html; charset=utf-8". */
  type: string;
  body: Uint8Array;
  /** The body is gzip-compressed. */
  gzip?: boolean;
}

interface Served {
  asset: Asset;
  etag: string;
  gate(exchange: Exchange): boolean;
}

/**
 * Adds GET (and HEAD) routes for the assets; `/` also serves "/index.html" when present. `gate`
 * decides first (a login check). The ETags are hashes of the bodies, made here, at boot.
 */
export function serveAssets(router: Router, crypto: Crypto, assets: readonly Asset[], gate: (exchange: Exchange) => boolean = () => true): void {
  for (const asset of assets) {
    const served: Served = { asset, etag: '"' + toHex(digest(crypto, "sha1", asset.body)).slice(0, 20) + '"', gate };
    const routes: Route<Served>[] = [{ method: "GET", path: asset.path, handler: sendAsset }];
    if (asset.path === "/index.html") routes.push({ method: "GET", path: "/", handler: sendAsset });
    router.add(routes, served);
  }
}

function sendAsset(served: Served, ex: Exchange): void {
  if (!served.gate(ex)) return;
  const { asset, etag } = served;
  const headers = ["Content-Type", asset.type, "ETag", etag, "Cache-Control", "no-cache", "X-Content-Type-Options", "nosniff"];
  // the pages are one file each, their script and style inline: nothing else may load, and no other
  // site may frame them (clickjacking)
  if (asset.type.startsWith("text/html")) headers.push("Content-Security-Policy", PAGE_POLICY, "X-Frame-Options", "DENY", "Referrer-Policy", "no-referrer");
  if (asset.gzip) headers.push("Vary", "Accept-Encoding");
  if (matchesEtag(ex.headers.get("if-none-match"), etag)) return ex.respond(304, undefined, headers);
  if (asset.gzip) {
    if (!acceptsGzip(ex.headers.get("accept-encoding"))) return ex.respond(406, "this resource is only available gzip-encoded\n", ["Vary", "Accept-Encoding"]);
    headers.push("Content-Encoding", "gzip");
  }
  ex.respond(200, asset.body, headers);
}

/** If-None-Match: `*` or a list of entity tags; weak comparison (RFC 9110 §13.1.2). */
function matchesEtag(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  if (header.trim() === "*") return true;
  for (const tag of header.split(",")) if (tag.trim().replace(/^W\//, "") === etag) return true;
  return false;
}

/** Accept-Encoding (RFC 9110 §12.5.3): absent means anything goes; q=0 refuses. */
export function acceptsGzip(header: string | undefined): boolean {
  if (header === undefined) return true;
  let star = -1;
  for (const item of header.split(",")) {
    const [name, ...params] = item.split(";");
    const coding = name!.trim().toLowerCase();
    let q = 1;
    for (const p of params) {
      const m = /^\s*q\s*=\s*([0-9.]+)\s*$/i.exec(p);
      if (m) q = Number(m[1]);
    }
    if (coding === "gzip" || coding === "x-gzip") return q > 0;
    if (coding === "*") star = q;
  }
  return star > 0;
}
