/** Bearer tokens made by an independent signer (node:crypto, i.e. OpenSSL), verified through the Node host. */
import { test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { encodeAscii } from "../../src/bytes.ts";
import { p256PublicKeyFromPem, verifyJwt, type JwtIssuer, type JwtPolicy } from "../../src/auth/jwt.ts";
import { SimBoard } from "../../sim/board.ts";
import { nobleCrypto } from "../../sim/noble-crypto.ts";
import { makeSelfSigned } from "../../hosts/node/dev-cert.ts";
import { NodeHost, nodeCrypto } from "../../hosts/node/host.ts";

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "iobox-jwt-"));
const host = new NodeHost({ dataDir, board: new SimBoard({ inputs: [1], outputs: [2] }), unitId: "020000000001", logSink: () => {} });
test.after(() => fs.rmSync(dataDir, { recursive: true, force: true }));

const b64u = (data: string | Uint8Array): string => Buffer.from(data).toString("base64url");

function claims(iss: string): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return { iss, aud: "iobox", sub: "bob", client_id: "scada", jti: crypto.randomUUID(), iat: now, exp: now + 300, scope: "iobox", groups: ["ops"] };
}

function esToken(privateKey: crypto.KeyObject, iss: string, dsaEncoding: "ieee-p1363" | "der" = "ieee-p1363"): string {
  const input = b64u(JSON.stringify({ alg: "ES256", typ: "at+jwt", kid: "k1" })) + "." + b64u(JSON.stringify(claims(iss)));
  return input + "." + b64u(crypto.sign("sha256", Buffer.from(input), { key: privateKey, dsaEncoding }));
}

function issuer(iss: string, key: JwtIssuer["key"]): JwtIssuer {
  return { iss, aud: "iobox", algorithm: key.kind === "p256" ? "ES256" : "HS256", key, roles: [], authorizationClaims: { groups: { ops: ["Operator"] } }, nonConformance: {} };
}

const policyOf = (...issuers: JwtIssuer[]): JwtPolicy => ({ issuers, scope: ["iobox"], leewaySeconds: 60 });

/** The uncompressed point, from Node's own JWK export rather than from our PEM parser. */
function pointOf(publicKey: crypto.KeyObject): Uint8Array {
  const jwk = publicKey.export({ format: "jwk" });
  return new Uint8Array(Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x!, "base64url"), Buffer.from(jwk.y!, "base64url")]));
}

const spkiPem = (key: crypto.KeyObject): string => key.export({ type: "spki", format: "pem" }) as string;

test("ES256 tokens signed by node:crypto verify through the Node host with the key from its SPKI PEM", () => {
  // 24 keys: OpenSSL does not normalise s, so about half of these signatures are high-S
  for (let i = 0; i < 24; i++) {
    const { publicKey, privateKey } = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" });
    const point = p256PublicKeyFromPem(spkiPem(publicKey));
    assert.deepEqual(point, pointOf(publicKey));
    const p = policyOf(issuer("https://idp.example/", { kind: "p256", point }));
    const token = esToken(privateKey, "https://idp.example/");
    assert.deepEqual(verifyJwt(host, token, p), { ok: true, issuer: "https://idp.example/", subject: "bob", roles: ["Operator"], scope: ["iobox"] });
    // the memory host's crypto agrees with OpenSSL's on the same token
    assert.equal(verifyJwt({ crypto: nobleCrypto, clock: host.clock }, token, p).ok, true);
    // a DER signature is not the JWS form
    assert.deepEqual(verifyJwt(host, esToken(privateKey, "https://idp.example/", "der"), p), { ok: false, reason: "bad signature" });
  }
});

test("an ES256 token signed by another key is refused", () => {
  const a = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" });
  const b = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" });
  const p = policyOf(issuer("https://idp.example/", { kind: "p256", point: pointOf(a.publicKey) }));
  assert.deepEqual(verifyJwt(host, esToken(b.privateKey, "https://idp.example/"), p), { ok: false, reason: "bad signature" });
});

test("HS256 tokens made with createHmac verify; another secret's do not", () => {
  const secret = crypto.randomBytes(32);
  const p = policyOf(issuer("https://hs.example/", { kind: "hmac", secret: new Uint8Array(secret) }));
  const sign = (key: Buffer): string => {
    const input = b64u(JSON.stringify({ alg: "HS256", typ: "at+jwt" })) + "." + b64u(JSON.stringify(claims("https://hs.example/")));
    return input + "." + crypto.createHmac("sha256", key).update(input).digest("base64url");
  };
  assert.equal(verifyJwt(host, sign(secret), p).ok, true);
  assert.deepEqual(verifyJwt(host, sign(crypto.randomBytes(32)), p), { ok: false, reason: "bad signature" });
});

test("the Node host's verifyP256 agrees with noble and refuses bad input without throwing", () => {
  const { publicKey, privateKey } = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" });
  const other = pointOf(crypto.generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey);
  const point = pointOf(publicKey);
  const message = encodeAscii("header.payload");
  const sig = new Uint8Array(crypto.sign("sha256", message, { key: privateKey, dsaEncoding: "ieee-p1363" }));
  assert.equal(sig.length, 64);
  assert.equal(nodeCrypto.verifyP256(point, message, sig), true);
  assert.equal(nobleCrypto.verifyP256(point, message, sig), true);
  assert.equal(nodeCrypto.verifyP256(other, message, sig), false, "wrong key");
  assert.equal(nodeCrypto.verifyP256(point, encodeAscii("header.payloae"), sig), false, "other message");
  assert.equal(nodeCrypto.verifyP256(point, message, sig.subarray(0, 63)), false, "63-byte signature");
  assert.equal(nodeCrypto.verifyP256(point, message, new Uint8Array(64)), false, "r = s = 0");
  assert.equal(nodeCrypto.verifyP256(point, message, new Uint8Array(64).fill(0xff)), false, "r, s >= n");
  const offCurve = point.slice();
  offCurve[64]! ^= 1;
  assert.equal(nodeCrypto.verifyP256(offCurve, message, sig), false, "point off the curve");
  assert.equal(nodeCrypto.verifyP256(point.subarray(1), message, sig), false, "no 04 prefix");
  const wrongPrefix = point.slice();
  wrongPrefix[0] = 2;
  assert.equal(nodeCrypto.verifyP256(wrongPrefix, message, sig), false, "compressed-point prefix on 65 bytes");
  assert.equal(nodeCrypto.verifyP256(new Uint8Array(65), message, sig), false, "zero point");
  assert.equal(nodeCrypto.verifyP256(new Uint8Array(0), message, new Uint8Array(0)), false, "empty");
});

test("p256PublicKeyFromPem refuses node:crypto's RSA, P-384, secp256k1 and Ed25519 keys", () => {
  const rejects = (key: crypto.KeyObject, message: RegExp) => assert.throws(() => p256PublicKeyFromPem(spkiPem(key)), { name: "RangeError", message });
  rejects(crypto.generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey, /RSA key/);
  rejects(crypto.generateKeyPairSync("ec", { namedCurve: "P-384" }).publicKey, /P-384/);
  rejects(crypto.generateKeyPairSync("ec", { namedCurve: "secp256k1" }).publicKey, /secp256k1/);
  rejects(crypto.generateKeyPairSync("ed25519").publicKey, /Ed25519/);
});

test("p256PublicKeyFromPem refuses the dev certificate and its private key, and reads the public key they hold", () => {
  const { cert, key } = makeSelfSigned(["localhost"], ["127.0.0.1"]);
  assert.throws(() => p256PublicKeyFromPem(cert), { name: "RangeError", message: /PEM CERTIFICATE, not a PUBLIC KEY/ });
  assert.throws(() => p256PublicKeyFromPem(key), { name: "RangeError", message: /not a PUBLIC KEY/ });
  const publicKey = crypto.createPublicKey(cert);
  assert.deepEqual(p256PublicKeyFromPem(spkiPem(publicKey)), pointOf(publicKey));
});
