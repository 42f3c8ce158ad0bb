import { test } from "../harness/test.ts";
import { assert } from "../harness/assert.ts";
import { p256 } from "@noble/curves/nist.js";
import { encodeAscii, encodeUtf8, fromBase64Url, fromHex, toBase64, toHex } from "../../src/bytes.ts";
import { hmac } from "../../src/digest.ts";
import { MAX_TOKEN, p256PublicKeyFromPem, verifyJwt, type JwtIssuer, type JwtPolicy, type JwtResult, type NonConformance } from "../../src/auth/jwt.ts";
import { nobleCrypto } from "../../sim/noble-crypto.ts";

const NOW = Date.UTC(2026, 0, 1) / 1000; // seconds
let nowMs = NOW * 1000;
const host = { crypto: nobleCrypto, clock: { now: () => nowMs, monotonic: () => 0 } };

const SECRET = encodeAscii("a-32-byte-secret-for-hs256-tests!");
const EC_SECRET = fromHex("c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721"); // RFC 6979 A.2.5's P-256 key
const EC_POINT = p256.getPublicKey(EC_SECRET, false);
const OTHER_EC_POINT = p256.getPublicKey(fromHex("11".repeat(32)), false);

function hsIssuer(nonConformance: NonConformance = {}): JwtIssuer {
  return {
    iss: "https://auth.example.com/",
    aud: "iobox",
    algorithm: "HS256",
    key: { kind: "hmac", secret: SECRET },
    roles: ["Operator"],
    authorizationClaims: { groups: { "plant-admins": ["Administrator"], viewers: ["Viewer", "Operator"] }, roles: "implicit" },
    nonConformance,
  };
}

function esIssuer(nonConformance: NonConformance = {}): JwtIssuer {
  return { iss: "https://ec.example.com/", aud: "iobox", algorithm: "ES256", key: { kind: "p256", point: EC_POINT }, roles: [], authorizationClaims: {}, nonConformance };
}

function policy(issuers: JwtIssuer[] = [hsIssuer(), esIssuer()], scope: string[] = []): JwtPolicy {
  return { issuers, scope, leewaySeconds: 60 };
}

const b64u = (bytes: Uint8Array): string => toBase64(bytes, true);
const part = (o: unknown): string => b64u(encodeUtf8(JSON.stringify(o)));

function claims(iss: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { iss, aud: "iobox", sub: "alice", client_id: "hmi", jti: "id-1", iat: NOW - 10, exp: NOW + 300, scope: "iobox read", ...extra };
}

/** Signs `header.payload` with HMAC-SHA256 under `secret`, whatever the header says. */
function hs256(header: Record<string, unknown>, payload: Record<string, unknown>, secret = SECRET): string {
  const input = part(header) + "." + part(payload);
  return input + "." + b64u(hmac(nobleCrypto, "sha256", secret, encodeAscii(input)));
}

function es256(header: Record<string, unknown>, payload: Record<string, unknown>, secret = EC_SECRET): string {
  const input = part(header) + "." + part(payload);
  return input + "." + b64u(p256.sign(encodeAscii(input), secret));
}

const HS = { alg: "HS256", typ: "at+jwt" };
const ES = { alg: "ES256", typ: "at+jwt" };
const hsToken = (payload: Record<string, unknown> = {}, header: Record<string, unknown> = HS): string => hs256(header, claims("https://auth.example.com/", payload));
const esToken = (payload: Record<string, unknown> = {}, header: Record<string, unknown> = ES): string => es256(header, claims("https://ec.example.com/", payload));

function verify(token: string, p: JwtPolicy = policy()): JwtResult {
  nowMs = NOW * 1000;
  return verifyJwt(host, token, p);
}

function refused(result: JwtResult, reason: RegExp): void {
  assert.equal(result.ok, false, "the token must be refused");
  if (!result.ok) assert.match(result.reason, reason);
}

/** The token with one signature character changed. */
function tamperSignature(token: string, at = 5): string {
  const parts = token.split(".");
  const s = parts[2]!;
  parts[2] = s.slice(0, at) + (s[at] === "A" ? "B" : "A") + s.slice(at + 1);
  return parts.join(".");
}

/** The token with its payload replaced and the original signature kept. */
function tamperPayload(token: string, payload: Record<string, unknown>): string {
  const [h, , s] = token.split(".");
  return `${h}.${part(payload)}.${s}`;
}

test("a valid HS256 token passes, with the issuer's roles, mapped roles and implicit roles", () => {
  const result = verify(hsToken({ groups: ["viewers", "plant-admins", "nobody"], roles: "Maintainer" }));
  assert.deepEqual(result, {
    ok: true,
    issuer: "https://auth.example.com/",
    subject: "alice",
    roles: ["Operator", "Viewer", "Administrator", "Maintainer"],
    scope: ["iobox", "read"],
  });
});

test("a valid ES256 token passes, and so does its high-S twin (JWS signers do not normalise s)", () => {
  const token = esToken();
  assert.deepEqual(verify(token), { ok: true, issuer: "https://ec.example.com/", subject: "alice", roles: [], scope: ["iobox", "read"] });
  const [h, p, s] = token.split(".");
  const sig = fromBase64Url(s!);
  const n = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
  const highS = fromHex((n - BigInt("0x" + toHex(sig.subarray(32)))).toString(16).padStart(64, "0"));
  const twin = new Uint8Array(64);
  twin.set(sig.subarray(0, 32));
  twin.set(highS, 32);
  assert.equal(verify(`${h}.${p}.${b64u(twin)}`).ok, true);
});

test("exp: refused from exp + leeway on, accepted one second before", () => {
  const token = hsToken({ exp: NOW - 100 });
  const p = policy();
  nowMs = (NOW - 100 + 60) * 1000;
  refused(verifyJwt(host, token, p), /^expired$/);
  nowMs = (NOW - 100 + 59) * 1000;
  assert.equal(verifyJwt(host, token, p).ok, true);
  refused(verify(hsToken({ exp: NOW - 3600 })), /^expired$/);
});

test("nbf: refused beyond the leeway, accepted within it", () => {
  refused(verify(hsToken({ nbf: NOW + 61 })), /^not yet valid$/);
  assert.equal(verify(hsToken({ nbf: NOW + 60 })).ok, true);
  assert.equal(verify(hsToken({ nbf: NOW - 1 })).ok, true);
});

test("iat in the future beyond the leeway is refused", () => {
  refused(verify(hsToken({ iat: NOW + 61 })), /^issued in the future$/);
  assert.equal(verify(hsToken({ iat: NOW + 60 })).ok, true);
});

test("the leeway is the policy's, 60 s when unset", () => {
  const token = hsToken({ exp: NOW - 30 });
  refused(verify(token, { ...policy(), leewaySeconds: 10 }), /^expired$/);
  assert.equal(verify(token, { issuers: [hsIssuer()], scope: [] }).ok, true);
});

test("numeric dates must be finite numbers", () => {
  refused(verify(hsToken({ exp: String(NOW + 300) })), /^exp is not a number$/);
  refused(verify(hsToken({ iat: null })), /^iat is not a number$/);
  refused(verify(hsToken({ nbf: [NOW] })), /^nbf is not a number$/);
  // JSON has no Infinity, but 1e999 parses to it
  const json = JSON.stringify(claims("https://auth.example.com/", { exp: 0 })).replace('"exp":0,', '"exp":1e999,');
  const input = part(HS) + "." + b64u(encodeUtf8(json));
  refused(verify(input + "." + b64u(hmac(nobleCrypto, "sha256", SECRET, encodeAscii(input)))), /^exp is not a number$/);
});

test("the audience must be the issuer's, as a string or in an array", () => {
  refused(verify(hsToken({ aud: "other" })), /^audience mismatch$/);
  refused(verify(hsToken({ aud: ["other", "another"] })), /^audience mismatch$/);
  refused(verify(hsToken({ aud: undefined })), /^audience mismatch$/);
  refused(verify(hsToken({ aud: "IOBOX" })), /^audience mismatch$/);
  assert.equal(verify(hsToken({ aud: ["other", "iobox"] })).ok, true);
});

test("an unknown or missing issuer is refused", () => {
  refused(verify(hs256(HS, claims("https://evil.example.com/"))), /^unknown issuer$/);
  refused(verify(hs256(HS, claims("https://auth.example.com"))), /^unknown issuer$/);
  refused(verify(hs256(HS, { ...claims("x"), iss: undefined })), /^iss missing$/);
  refused(verify(hs256(HS, { ...claims("x"), iss: 7 })), /^iss missing$/);
});

test("a tampered payload or signature is refused", () => {
  refused(verify(tamperPayload(hsToken(), claims("https://auth.example.com/", { sub: "root" }))), /^bad signature$/);
  refused(verify(tamperPayload(hsToken(), claims("https://auth.example.com/", { exp: NOW + 86400 }))), /^bad signature$/);
  refused(verify(tamperPayload(esToken(), claims("https://ec.example.com/", { sub: "root" }))), /^bad signature$/);
  refused(verify(tamperSignature(hsToken())), /^bad signature$/);
  refused(verify(tamperSignature(esToken())), /^bad signature$/);
  refused(verify(tamperSignature(esToken(), 50)), /^bad signature$/); // in s rather than r
  // signed with another key
  refused(verify(hsToken({}, HS).split(".").slice(0, 2).join(".") + "." + b64u(new Uint8Array(32))), /^bad signature$/);
  refused(verify(es256(ES, claims("https://ec.example.com/"), fromHex("11".repeat(32)))), /^bad signature$/);
});

test("alg none is refused, with or without a signature part", () => {
  const body = part({ alg: "none", typ: "at+jwt" }) + "." + part(claims("https://auth.example.com/"));
  refused(verify(body + "."), /^algorithm not accepted for this issuer$/);
  refused(verify(body), /^not a JWS compact token$/);
  refused(verify(body + ".AAAA"), /^algorithm not accepted for this issuer$/);
  refused(verify(part({ alg: "none", typ: "at+jwt" }) + "." + part(claims("https://ec.example.com/")) + "."), /^algorithm not accepted/);
});

test("a header alg other than the issuer's is refused even when the issuer's key signed it", () => {
  for (const alg of ["HS384", "hs256", "none", "ES256"]) refused(verify(hsToken({}, { alg, typ: "at+jwt" })), /^algorithm not accepted for this issuer$/);
  refused(verify(hsToken({}, { typ: "at+jwt" })), /^algorithm not accepted/);
  refused(verify(esToken({}, { alg: "ES384", typ: "at+jwt" })), /^algorithm not accepted/);
});

test("algorithm confusion: an HS256 token 'signed' with the ES256 issuer's public key is refused", () => {
  const payload = claims("https://ec.example.com/");
  for (const secret of [EC_POINT, encodeAscii(pemOf(EC_POINT)), EC_POINT.subarray(1)]) {
    refused(verify(hs256(HS, payload, secret)), /^algorithm not accepted for this issuer$/);
  }
});

test("an ES256 token for an HS256 issuer is refused", () => {
  refused(verify(es256(ES, claims("https://auth.example.com/"))), /^algorithm not accepted for this issuer$/);
});

test("an issuer whose key does not fit its algorithm refuses every token", () => {
  const mixed: JwtIssuer = { ...hsIssuer(), key: { kind: "p256", point: EC_POINT } };
  refused(verify(hsToken(), policy([mixed])), /^bad signature$/);
  const mixedEc: JwtIssuer = { ...esIssuer(), key: { kind: "hmac", secret: EC_POINT } };
  refused(verify(esToken(), policy([mixedEc])), /^bad signature$/);
  const empty: JwtIssuer = { ...hsIssuer(), key: { kind: "hmac", secret: new Uint8Array(0) } };
  refused(verify(hs256(HS, claims("https://auth.example.com/"), new Uint8Array(0)), policy([empty])), /^bad signature$/);
});

test("an ES256 signature that is not 64 bytes is refused even by a host that would accept it", () => {
  const lenient = { ...host, crypto: { ...nobleCrypto, verifyP256: () => true } };
  const [h, p] = esToken().split(".");
  for (const length of [0, 63, 65, 72]) refused(verifyJwt(lenient, `${h}.${p}.${b64u(new Uint8Array(length))}`, policy()), /^bad signature$/);
  assert.equal(verifyJwt(lenient, `${h}.${p}.${b64u(new Uint8Array(64))}`, policy()).ok, true, "the stub does accept 64 bytes");
});

test("typ must be at+jwt or application/at+jwt, in any case", () => {
  for (const typ of ["at+jwt", "AT+JWT", "application/at+jwt", "Application/At+JWT"]) assert.equal(verify(hsToken({}, { alg: "HS256", typ })).ok, true, typ);
  refused(verify(hsToken({}, { alg: "HS256", typ: "JWT" })), /^typ is not at\+jwt$/);
  refused(verify(hsToken({}, { alg: "HS256", typ: "at+jwt2" })), /^typ is not at\+jwt$/);
  refused(verify(hsToken({}, { alg: "HS256", typ: 1 })), /^typ is not a string$/);
  refused(verify(hsToken({}, { alg: "HS256" })), /^typ missing$/);
});

test("sub, client_id and jti are required strings", () => {
  refused(verify(hsToken({ sub: undefined })), /^sub missing/);
  refused(verify(hsToken({ sub: 42 })), /^sub missing or not a string$/);
  refused(verify(hsToken({ client_id: undefined })), /^client_id missing/);
  refused(verify(hsToken({ jti: undefined })), /^jti missing/);
  refused(verify(hsToken({ jti: ["a"] })), /^jti missing/);
});

test("exp and iat are required", () => {
  refused(verify(hsToken({ exp: undefined })), /^exp missing$/);
  refused(verify(hsToken({ iat: undefined })), /^iat missing$/);
});

test("the policy's scope must all be in the token's scope claim", () => {
  const p = policy(undefined, ["iobox", "read"]);
  assert.equal(verify(hsToken({ scope: "write read  iobox" }), p).ok, true);
  refused(verify(hsToken({ scope: undefined }), p), /^scope missing$/);
  refused(verify(hsToken({ scope: "iobox" }), p), /^insufficient scope$/);
  refused(verify(hsToken({ scope: "iobox read-only" }), p), /^insufficient scope$/);
  refused(verify(hsToken({ scope: ["iobox", "read"] }), p), /^scope is not a string$/);
  const none = verify(hsToken({ scope: undefined }));
  assert.ok(none.ok && none.scope.length === 0, "no scope claim, no required scope: passes with an empty scope");
});

test("any crit header is refused", () => {
  refused(verify(hsToken({}, { ...HS, crit: ["exp"], exp: 1 })), /^crit header not supported$/);
  refused(verify(hsToken({}, { ...HS, crit: [] })), /^crit header not supported$/);
});

test("malformed base64url, JSON or UTF-8 is refused with the part it is in", () => {
  const [h, p, s] = hsToken().split(".");
  refused(verify(`${h}=.${p}.${s}`), /^header is not base64url$/);
  refused(verify(`${h}.${p!.slice(0, -1)}+.${s}`), /^payload is not base64url$/);
  refused(verify(`${h}.${p}.${s}=`), /^signature is not base64url$/);
  refused(verify(`${h}.${p}.${s!.replace(/[-_]/, "/")}/`), /^signature is not base64url$/);
  refused(verify(`${h}.${p}.${s}AA`), /^signature is not base64url$/); // 45 characters: a length no base64 has
  refused(verify(`${h} .${p}.${s}`), /^header is not base64url$/);
  refused(verify(`${b64u(encodeAscii("{\"alg\":"))}.${p}.${s}`), /^header is not JSON in UTF-8$/);
  refused(verify(`${b64u(Uint8Array.of(0x7b, 0xff, 0x7d))}.${p}.${s}`), /^header is not JSON in UTF-8$/);
  refused(verify(`${part(["HS256"])}.${p}.${s}`), /^header is not a JSON object$/);
  refused(verify(`${h}.${part(null)}.${s}`), /^payload is not a JSON object$/);
  refused(verify(`${h}.${part("claims")}.${s}`), /^payload is not a JSON object$/);
  refused(verify(`${h}.${p}`), /^not a JWS compact token$/);
  refused(verify(`${h}.${p}.${s}.x.y`), /^encrypted tokens/);
  refused(verify(""), /^no token$/);
});

test("a token over 8 KB is refused before it is decoded", () => {
  const big = hsToken({ padding: "x".repeat(MAX_TOKEN) });
  assert.ok(big.length > MAX_TOKEN);
  refused(verify(big), /^token too long$/);
  const fits = hsToken({ padding: "x".repeat(5000) });
  assert.ok(fits.length <= MAX_TOKEN);
  assert.equal(verify(fits).ok, true);
});

test("each nonConformance relaxation lets its one omission through", () => {
  const relaxed = (n: NonConformance) => policy([hsIssuer(n)]);
  assert.equal(verify(hsToken({}, { alg: "HS256", typ: "JWT" }), relaxed({ allowGenericJwt: true })).ok, true);
  assert.equal(verify(hsToken({}, { alg: "HS256", typ: "application/jwt" }), relaxed({ allowGenericJwt: true })).ok, true);
  refused(verify(hsToken({}, { alg: "HS256", typ: "JOSE" }), relaxed({ allowGenericJwt: true })), /^typ is not at\+jwt or JWT$/);
  refused(verify(hsToken({}, { alg: "HS256" }), relaxed({ allowGenericJwt: true })), /^typ missing$/);
  assert.equal(verify(hsToken({}, { alg: "HS256" }), relaxed({ allowMissingTyp: true })).ok, true);
  refused(verify(hsToken({}, { alg: "HS256", typ: "JWT" }), relaxed({ allowMissingTyp: true })), /^typ is not at\+jwt$/);
  assert.equal(verify(hsToken({ iat: undefined }), relaxed({ allowMissingIat: true })).ok, true);
  refused(verify(hsToken({ iat: NOW + 3600 }), relaxed({ allowMissingIat: true })), /^issued in the future$/);
  assert.equal(verify(hsToken({ exp: undefined }), relaxed({ allowMissingExp: true })).ok, true);
  refused(verify(hsToken({ exp: NOW - 3600 }), relaxed({ allowMissingExp: true })), /^expired$/);
  const noSub = verify(hsToken({ sub: undefined }), relaxed({ allowMissingSub: true }));
  assert.ok(noSub.ok && noSub.subject === "hmi", "without sub the subject is the client_id");
  refused(verify(hsToken({ sub: 1 }), relaxed({ allowMissingSub: true })), /^sub missing or not a string$/);
  assert.equal(verify(hsToken({ client_id: undefined }), relaxed({ allowMissingClientId: true })).ok, true);
  assert.equal(verify(hsToken({ jti: undefined }), relaxed({ allowMissingJti: true })).ok, true);
  const bare = verify(hsToken({ sub: undefined, client_id: undefined }), relaxed({ allowMissingSub: true, allowMissingClientId: true }));
  assert.ok(bare.ok && bare.subject === "", "neither: an empty subject");
  // a relaxation on one issuer is not another's
  refused(verify(hsToken({ jti: undefined }), policy([hsIssuer(), esIssuer({ allowMissingJti: true })])), /^jti missing/);
});

test("role claims of other types, and values named like Object.prototype members, grant nothing", () => {
  // as a configuration file would give it (an assignment to "constructor" throws where Object.prototype is frozen)
  const authorizationClaims = JSON.parse('{"groups":{"viewers":["Viewer"]},"constructor":"implicit","toString":{"x":["X"]}}') as JwtIssuer["authorizationClaims"];
  const issuer: JwtIssuer = { ...hsIssuer(), roles: [], authorizationClaims };
  const ok = (payload: Record<string, unknown>) => {
    const r = verify(hsToken(payload), policy([issuer]));
    assert.ok(r.ok, "accepted");
    return r.ok ? r.roles : [];
  };
  assert.deepEqual(ok({ groups: { viewers: true } }), []);
  assert.deepEqual(ok({ groups: ["constructor", "__proto__", "toString", 3, "viewers"] }), ["Viewer"]);
  assert.deepEqual(ok({ groups: "hasOwnProperty" }), []);
  assert.deepEqual(ok({}), []);
});

test("reasons never repeat the token", () => {
  const token = hsToken({ sub: "secret-subject-name" });
  for (const bad of [tamperPayload(token, { sub: "secret-subject-name" }), tamperSignature(token), token + "x", "x" + token]) {
    const r = verify(bad);
    assert.ok(!r.ok);
    if (!r.ok) {
      assert.doesNotMatch(r.reason, /secret-subject|eyJ|["\\]/);
      assert.ok(r.reason.length < 60, r.reason);
    }
  }
});

test("fromBase64Url is strict: no padding, no base64 alphabet, no impossible length", () => {
  assert.deepEqual(fromBase64Url("-_8"), Uint8Array.of(0xfb, 0xff));
  assert.deepEqual(fromBase64Url(""), new Uint8Array(0));
  for (const bad of ["+_8", "/w", "_w==", "AAAAA", "AB", " AA", "AA\n"]) assert.throws(() => fromBase64Url(bad), RangeError, bad);
});

test("the memory host's verifyP256 refuses bad input without throwing", () => {
  const message = encodeAscii("message");
  const sig = p256.sign(message, EC_SECRET);
  assert.equal(nobleCrypto.verifyP256(EC_POINT, message, sig), true);
  assert.equal(nobleCrypto.verifyP256(OTHER_EC_POINT, message, sig), false, "wrong key");
  assert.equal(nobleCrypto.verifyP256(EC_POINT, encodeAscii("messagf"), sig), false, "other message");
  assert.equal(nobleCrypto.verifyP256(EC_POINT, message, sig.subarray(0, 63)), false, "63-byte signature");
  assert.equal(nobleCrypto.verifyP256(EC_POINT, message, new Uint8Array(64)), false, "r = s = 0");
  assert.equal(nobleCrypto.verifyP256(EC_POINT, message, new Uint8Array(64).fill(0xff)), false, "r, s >= n");
  assert.equal(nobleCrypto.verifyP256(p256.getPublicKey(EC_SECRET, true), message, sig), false, "compressed key");
  const offCurve = EC_POINT.slice();
  offCurve[64]! ^= 1;
  assert.equal(nobleCrypto.verifyP256(offCurve, message, sig), false, "point off the curve");
  assert.equal(nobleCrypto.verifyP256(new Uint8Array(65), message, sig), false, "zero point");
});

// SubjectPublicKeyInfo for id-ecPublicKey on prime256v1, up to the point (RFC 5480)
const SPKI_P256_PREFIX = "3059301306072a8648ce3d020106082a8648ce3d030107034200";

function pemOf(point: Uint8Array, prefix = SPKI_P256_PREFIX, label = "PUBLIC KEY"): string {
  const b64 = toBase64(fromHex(prefix + toHex(point)));
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 64) lines.push(b64.slice(i, i + 64));
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

// made with node:crypto (generateKeyPairSync("ec", { namedCurve: "P-256" }), SPKI PEM) and its JWK x, y
const NODE_P256_PEM = `-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEnz4EJSvfOr7nYhwfFPy1PvirkFIa
AOiRSGdyyxYSdCYgLyesY/O+a8Du06IxmczSwjxYRJWlLctKkrJ3NufRHA==
-----END PUBLIC KEY-----
`;
const NODE_P256_POINT = "049f3e04252bdf3abee7621c1f14fcb53ef8ab90521a00e891486772cb16127426202f27ac63f3be6bc0eed3a23199ccd2c23c584495a52dcb4a92b27736e7d11c";
const P384_PEM = `-----BEGIN PUBLIC KEY-----
MHYwEAYHKoZIzj0CAQYFK4EEACIDYgAERlAkh5QKsL5UZKuwASLguJjXG40p+ec1
wMThMl96uITnB7CO+8ANTRAcxDn3F9JMC3P031w/u22fmBf/7ZlOKncGbNsIMGa6
Lv95Pcwra6AdNG1QGRU/KxmDnvIcHyRi
-----END PUBLIC KEY-----`;
const RSA_PEM = `-----BEGIN PUBLIC KEY-----
MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDzR04AilpxQOZ7ga2gGIQAEqzu
1tvNuVe72XjDh/wea8Ds3IHiaEuZ3BDt1/o1eOEOSm+uzk/hmwrwlY4RTSRrIjXp
kvA80NKBYpfAxTzdCU66irMe2irASjP7DMpYYY2gwCs0Y3iDSW5FU8WpiMnQubEa
JtxOJCmsXf0oDuvtiwIDAQAB
-----END PUBLIC KEY-----`;
const ED25519_PEM = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAtOXq58rmaiVhJP/YS6ul7593saOT+RaNgOA5vJktj9k=\n-----END PUBLIC KEY-----";

test("p256PublicKeyFromPem reads a P-256 SPKI PEM as the uncompressed point", () => {
  assert.equal(toHex(p256PublicKeyFromPem(NODE_P256_PEM)), NODE_P256_POINT);
  assert.deepEqual(p256PublicKeyFromPem(pemOf(EC_POINT)), EC_POINT);
  assert.deepEqual(p256PublicKeyFromPem("key:\r\n" + pemOf(EC_POINT).replace(/\n/g, "\r\n") + "trailing text"), EC_POINT);
  const key = p256PublicKeyFromPem(pemOf(EC_POINT));
  const token = esToken();
  assert.equal(verify(token, policy([{ ...esIssuer(), key: { kind: "p256", point: key } }])).ok, true);
});

test("p256PublicKeyFromPem names what is wrong with any other key or text", () => {
  const rejects = (pem: string, message: RegExp) => assert.throws(() => p256PublicKeyFromPem(pem), (e: unknown) => e instanceof RangeError && message.test(e.message), String(message));
  rejects(RSA_PEM, /is an RSA key, not EC P-256/);
  rejects(P384_PEM, /is on curve P-384, not P-256/);
  rejects(ED25519_PEM, /is an Ed25519 key, not EC P-256/);
  rejects("garbage", /no PEM block/);
  rejects("", /no PEM block/);
  rejects(pemOf(EC_POINT, SPKI_P256_PREFIX, "PRIVATE KEY"), /is a PEM PRIVATE KEY, not a PUBLIC KEY/);
  rejects(pemOf(EC_POINT).replace("-----END PUBLIC KEY-----", "-----END CERTIFICATE-----"), /no PEM block/);
  rejects("-----BEGIN PUBLIC KEY-----\n!!!!\n-----END PUBLIC KEY-----", /not base64/);
  rejects(pemOf(EC_POINT.subarray(0, 64), "3058301306072a8648ce3d020106082a8648ce3d030107034100"), /not 65 bytes/);
  rejects(pemOf(EC_POINT.subarray(0, 40)), /truncated DER/);
  rejects(pemOf(p256.getPublicKey(EC_SECRET, true), "3039301306072a8648ce3d020106082a8648ce3d030107032200"), /compressed/);
  const offCurve = EC_POINT.slice();
  offCurve[64]! ^= 1;
  rejects(pemOf(offCurve), /not on P-256/);
  rejects(pemOf(fromHex("04" + "ff".repeat(64))), /not on P-256/);
  rejects(pemOf(new Uint8Array(0), "3059301306072a8648ce3d020106082a8648ce3d030107034201" + toHex(EC_POINT)), /unused bits/);
  rejects(pemOf(Uint8Array.of(0), SPKI_P256_PREFIX + toHex(EC_POINT)), /unexpected DER data after/);
  rejects(pemOf(EC_POINT, "3051300b06072a8648ce3d02010500034200"), /names no curve/);
});
