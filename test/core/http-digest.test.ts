import { test } from "../harness/test.ts";
import { assert } from "../harness/assert.ts";
import { type Credentials, parseAuthorization } from "../../src/auth/credentials.ts";
import { type DigestAlgorithm, type DigestOptions, type DigestResult, HttpDigest, digestResponse } from "../../src/auth/http-digest.ts";
import type { Crypto } from "../../src/host.ts";
import { MemoryHost } from "../../sim/memory-host.ts";
import { nobleCrypto } from "../../sim/noble-crypto.ts";

const REALM = "iobox";
const PASSWORDS = new Map([
  ["jnior", "s3cret!"],
  ["Mufasa", "Circle of Life"],
]);
const passwordOf = (user: string) => PASSWORDS.get(user);
const WRONG: DigestResult = { ok: false, stale: false, reason: "unknown user or wrong password" };
const STALE = (reason: string): DigestResult => ({ ok: false, stale: true, reason });

function setup(options: Partial<DigestOptions> = {}, seed = 1) {
  const host = new MemoryHost({ seed });
  return { host, digest: new HttpDigest(host, { realm: REALM, ...options }) };
}

/** The params of a WWW-Authenticate value (a challenge has the auth-param syntax of credentials). */
function challenge(value: string): Map<string, string> {
  const c = parseAuthorization(value);
  assert.ok(c, "challenge parses: " + value);
  assert.equal(c.scheme, "Digest");
  return c.params;
}

interface Answer {
  algorithm?: DigestAlgorithm | "absent";
  user?: string;
  password?: string;
  method?: string;
  uri?: string;
  nc?: string;
  cnonce?: string;
  /** Overrides applied to the header after the response is computed. */
  send?: Record<string, string>;
  upperCase?: boolean;
}

const TOKENS = new Set(["nc", "qop", "algorithm"]); // sent unquoted, as browsers do

/** What a browser does: reads the challenge, hashes, and sends an Authorization header (parsed back here). */
function answer(params: Map<string, string>, a: Answer = {}): Credentials {
  const algorithm = a.algorithm ?? "SHA-256";
  const fields: Record<string, string> = {
    username: a.user ?? "jnior",
    realm: params.get("realm")!,
    uri: a.uri ?? "/status",
    nonce: params.get("nonce")!,
    nc: a.nc ?? "00000001",
    cnonce: a.cnonce ?? "0a4f113b",
    qop: "auth",
    opaque: params.get("opaque")!,
  };
  let response = digestResponse(nobleCrypto, algorithm === "absent" ? "MD5" : algorithm, {
    user: fields.username!,
    realm: fields.realm!,
    password: a.password ?? PASSWORDS.get(fields.username!) ?? "",
    method: a.method ?? "GET",
    uri: fields.uri!,
    nonce: fields.nonce!,
    nc: fields.nc!,
    cnonce: fields.cnonce!,
    qop: fields.qop!,
  });
  if (a.upperCase) response = response.toUpperCase();
  Object.assign(fields, { response }, algorithm === "absent" ? {} : { algorithm }, a.send);
  let header = "Digest";
  for (const [k, v] of Object.entries(fields)) {
    header += TOKENS.has(k) ? " " + k + "=" + v + "," : " " + k + '="' + v.replace(/["\\]/g, "\\$&") + '",';
  }
  const c = parseAuthorization(header);
  assert.ok(c, "Authorization parses: " + header);
  return c;
}

function check(digest: HttpDigest, c: Credentials, uri = "/status", method = "GET"): DigestResult {
  return digest.verify(c, method, uri, passwordOf);
}

test("RFC 7616 §3.9.1: the response for Mufasa, MD5 and SHA-256", () => {
  const inputs = {
    user: "Mufasa",
    realm: "http-auth@example.org",
    password: "Circle of Life",
    method: "GET",
    uri: "/dir/index.html",
    nonce: "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
    nc: "00000001",
    cnonce: "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
    qop: "auth",
  };
  assert.equal(digestResponse(nobleCrypto, "MD5", inputs), "8ca523f5e9506fed4657c9700eebdbec");
  assert.equal(digestResponse(nobleCrypto, "SHA-256", inputs), "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
  assert.notEqual(digestResponse(nobleCrypto, "MD5", { ...inputs, password: "Circle of life" }), "8ca523f5e9506fed4657c9700eebdbec");
});

test("challenges: SHA-256 then MD5, each with realm, qop, nonce and opaque; stale only when asked", () => {
  const { digest } = setup();
  const [sha, md5, ...rest] = digest.challenges();
  assert.equal(rest.length, 0);
  assert.match(sha!, /^Digest realm="iobox", qop="auth", algorithm=SHA-256, nonce="[A-Za-z0-9_-]{32}", opaque="[A-Za-z0-9_-]+"$/);
  assert.match(md5!, /^Digest realm="iobox", qop="auth", algorithm=MD5, nonce="[A-Za-z0-9_-]{32}", opaque="[A-Za-z0-9_-]+"$/);
  const a = challenge(sha!);
  const b = challenge(md5!);
  assert.equal(a.get("nonce"), b.get("nonce"), "one nonce for both");
  assert.equal(a.get("stale"), undefined);
  assert.notEqual(challenge(digest.challenges()[0]!).get("nonce"), a.get("nonce"), "a fresh nonce per 401");
  const stale = digest.challenges(true).map(challenge);
  assert.deepEqual(
    stale.map((p) => [p.get("algorithm"), p.get("stale")]),
    [
      ["SHA-256", "true"],
      ["MD5", "true"],
    ],
  );
  const quoted = new HttpDigest(new MemoryHost(), { realm: 'the "lab" \\ bench' });
  assert.equal(challenge(quoted.challenges()[0]!).get("realm"), 'the "lab" \\ bench', "realm escaped in the quoted-string");
});

test("a challenge answered with the right password passes, with SHA-256, MD5 and no algorithm (MD5)", () => {
  const { digest } = setup();
  const [sha, md5] = digest.challenges().map(challenge);
  assert.deepEqual(check(digest, answer(sha!)), { ok: true, user: "jnior" });
  assert.deepEqual(check(digest, answer(md5!, { algorithm: "MD5", nc: "00000002" })), { ok: true, user: "jnior" });
  assert.deepEqual(check(digest, answer(md5!, { algorithm: "absent", nc: "00000003" })), { ok: true, user: "jnior" });
  const lower = answer(sha!, { nc: "00000004", send: { algorithm: "sha-256" } });
  assert.deepEqual(check(digest, lower), { ok: true, user: "jnior" }, "algorithm names are case-insensitive");
  const post = answer(sha!, { user: "Mufasa", method: "POST", uri: "/registry?keys=a%2Fb", nc: "00000005" });
  assert.deepEqual(check(digest, post, "/registry?keys=a%2Fb", "POST"), { ok: true, user: "Mufasa" });
});

test("an upper-case hex response is accepted", () => {
  const { digest } = setup();
  const [sha, md5] = digest.challenges().map(challenge);
  assert.deepEqual(check(digest, answer(sha!, { upperCase: true })), { ok: true, user: "jnior" });
  assert.deepEqual(check(digest, answer(md5!, { algorithm: "MD5", upperCase: true, nc: "0000000A" })), { ok: true, user: "jnior" });
});

test("a wrong password and an unknown user fail alike, after the same hashing", () => {
  let hashes = 0;
  const counting: Crypto = {
    ...nobleCrypto,
    hash(algorithm) {
      hashes++;
      return nobleCrypto.hash(algorithm);
    },
    verifyP256: nobleCrypto.verifyP256,
  };
  const host = new MemoryHost();
  const digest = new HttpDigest({ crypto: counting, random: (b) => host.random(b), clock: host.clock }, { realm: REALM });
  const [params] = digest.challenges().map(challenge);
  const cost = (c: Credentials) => {
    hashes = 0;
    const result = check(digest, c);
    return { result, hashes };
  };
  const wrong = cost(answer(params!, { password: "S3cret!" }));
  const unknown = cost(answer(params!, { user: "nobody", password: "" }));
  assert.deepEqual(wrong.result, WRONG);
  assert.deepEqual(unknown.result, WRONG, "even with the dummy password's response");
  assert.equal(unknown.hashes, wrong.hashes);
  assert.ok(wrong.hashes >= 3, "HA1, HA2 and the response were computed");
  assert.deepEqual(check(digest, answer(params!)), { ok: true, user: "jnior" }, "the nonce is still good");
});

test("a request that differs from what was signed fails", () => {
  const { digest } = setup();
  const [params] = digest.challenges().map(challenge);
  let nc = 0;
  const next = () => (++nc).toString(16).padStart(8, "0");
  const refused = (a: Answer, reason: RegExp | typeof WRONG, uri = "/status", method = "GET") => {
    const result = check(digest, answer(params!, { ...a, nc: next() }), uri, method);
    if (reason instanceof RegExp) {
      assert.equal(result.ok, false, String(reason));
      if (!result.ok) {
        assert.equal(result.stale, false);
        assert.match(result.reason, reason);
      }
    } else assert.deepEqual(result, reason);
  };
  refused({ uri: "/other" }, /uri/);
  refused({ uri: "/status?x=1" }, /uri/);
  refused({ send: { uri: "/other" } }, WRONG, "/other"); // signed for /status, sent for /other
  refused({}, WRONG, "/status", "POST"); // signed GET
  refused({ send: { realm: "other" } }, /realm/);
  refused({ send: { opaque: "AAAAAAAAAAAAAAAA" }, password: "guess" }, /opaque/);
  refused({ send: { qop: "auth-int" } }, /qop/);
  refused({ send: { algorithm: "SHA-256-sess" } }, /algorithm/);
  refused({ send: { algorithm: "SHA-512-256" } }, /algorithm/);
  refused({ send: { userhash: "true" } }, /userhash/);
  refused({ send: { nc: "1" } }, /nc/);
  refused({ send: { nc: "0000000g" } }, /nc/);
  refused({ send: { cnonce: "" } }, /cnonce/);
  refused({ send: { response: "" } }, WRONG);
  for (const name of ["username", "realm", "nonce", "uri", "response", "qop", "nc", "cnonce", "opaque"]) {
    const full = answer(params!, { nc: next() });
    full.params.delete(name);
    const result = check(digest, full);
    assert.equal(result.ok, false, "without " + name);
    if (!result.ok) assert.equal(result.reason, "missing " + name);
  }
  const basic = parseAuthorization("Basic am5pb3I6czNjcmV0IQ==")!;
  assert.deepEqual(check(digest, basic), { ok: false, stale: false, reason: "not Digest credentials" });
  assert.deepEqual(check(digest, answer(params!, { nc: next() })), { ok: true, user: "jnior" }, "the same nonce, answered properly");
});

test("a forged or garbled nonce fails; with the right password it is stale (a nonce from before a reboot)", () => {
  const { digest } = setup();
  const [params] = digest.challenges().map(challenge);
  const nonce = params!.get("nonce")!;
  const other = new HttpDigest(new MemoryHost({ seed: 2 }), { realm: REALM });
  const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === "A" ? "B" : "A") + s.slice(i + 1);
  const forged = [
    challenge(other.challenges()[0]!).get("nonce")!, // another instance: another secret
    flip(nonce, 3), // issue time
    flip(nonce, 12), // serial
    flip(nonce, 31), // MAC
    nonce.slice(0, 31),
    nonce + "A",
    nonce.replace(/[A-Za-z0-9_-]/, "*"),
    "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
    "",
  ];
  for (const n of forged) {
    const p = new Map(params);
    p.set("nonce", n);
    assert.deepEqual(check(digest, answer(p, { password: "guess" })), { ok: false, stale: false, reason: "invalid nonce" }, JSON.stringify(n));
    assert.deepEqual(check(digest, answer(p)), STALE("invalid nonce"), JSON.stringify(n));
  }
  assert.deepEqual(check(digest, answer(params!)), { ok: true, user: "jnior" }, "the real nonce still works");
});

test("a whole challenge of an earlier boot (its nonce and opaque), answered with the right password, is stale, not a failure", () => {
  const { digest } = setup();
  const earlier = new HttpDigest(new MemoryHost({ seed: 2 }), { realm: REALM }); // the unit before its restart
  const [old] = earlier.challenges().map(challenge);
  assert.deepEqual(check(digest, answer(old!)), STALE("opaque of another boot"), "what a browser sends unasked after the restart");
  assert.deepEqual(check(digest, answer(old!, { password: "guess" })), { ok: false, stale: false, reason: "opaque of another boot" });
});

test("a replayed nc fails; a higher nc on the same nonce passes", () => {
  const { digest } = setup();
  const [params] = digest.challenges().map(challenge);
  const at = (nc: string, cnonce?: string) => check(digest, answer(params!, { nc, ...(cnonce ? { cnonce } : {}) }));
  assert.equal(at("00000001").ok, true);
  const replay = at("00000001");
  assert.deepEqual(replay, { ok: false, stale: false, reason: "nc not greater than before (replay)" });
  assert.equal(at("00000001", "another cnonce").ok, false, "a new cnonce does not reset nc");
  assert.equal(at("00000002").ok, true);
  assert.equal(at("00000009").ok, true);
  assert.equal(at("00000005").ok, false, "lower than the highest seen");
  assert.equal(at("0000000a").ok, true);
  assert.equal(at("0000000A").ok, false, "the same nc in upper case");
  const [fresh] = digest.challenges().map(challenge);
  assert.equal(check(digest, answer(fresh!)).ok, true, "nc=1 again on another nonce");
  assert.equal(check(digest, answer(fresh!, { algorithm: "MD5" })).ok, false, "the nonce's counter is shared by both algorithms");
  assert.equal(check(digest, answer(params!, { nc: "00000000" })).ok, false);
});

test("nc counts from 1", () => {
  const { digest } = setup();
  const [params] = digest.challenges().map(challenge);
  assert.deepEqual(check(digest, answer(params!, { nc: "00000000" })), { ok: false, stale: false, reason: "nc not greater than before (replay)" });
  assert.equal(check(digest, answer(params!, { nc: "00000001" })).ok, true);
});

test("an expired nonce is stale with the right password and simply wrong with a wrong one", () => {
  const { host, digest } = setup();
  const [params] = digest.challenges().map(challenge);
  host.clock.advance(300_000);
  assert.equal(check(digest, answer(params!)).ok, true, "good for the whole lifetime");
  host.clock.advance(1);
  assert.deepEqual(check(digest, answer(params!, { nc: "00000002" })), STALE("nonce expired"));
  assert.deepEqual(check(digest, answer(params!, { nc: "00000003", password: "guess" })), { ok: false, stale: false, reason: "nonce expired" });
  assert.deepEqual(check(digest, answer(params!, { nc: "00000004", user: "nobody" })), { ok: false, stale: false, reason: "nonce expired" });
  const [fresh] = digest.challenges(true).map(challenge);
  assert.deepEqual(check(digest, answer(fresh!)), { ok: true, user: "jnior" }, "the retry with a fresh nonce");
});

test("nonceLifetimeMs sets the lifetime", () => {
  const { host, digest } = setup({ nonceLifetimeMs: 1000 });
  const [params] = digest.challenges().map(challenge);
  host.clock.advance(1000);
  assert.equal(check(digest, answer(params!)).ok, true);
  host.clock.advance(1);
  assert.deepEqual(check(digest, answer(params!, { nc: "00000002" })), STALE("nonce expired"));
});

test("a nonce evicted from the replay table is never accepted again; newer nonces are", () => {
  const { digest } = setup({ maxNonces: 2 });
  const issue = () => digest.challenges().map(challenge)[0]!;
  const [a, b, c] = [issue(), issue(), issue()];
  const unused = issue();
  assert.equal(check(digest, answer(a)).ok, true);
  assert.equal(check(digest, answer(b)).ok, true);
  assert.equal(check(digest, answer(a, { nc: "00000002" })).ok, true, "a is used again, so b is now the least recent");
  assert.equal(check(digest, answer(c)).ok, true, "c evicts b");
  assert.deepEqual(check(digest, answer(b)), STALE("nonce no longer tracked"), "b's nc=1 replayed");
  assert.deepEqual(check(digest, answer(b, { nc: "00000002" })), STALE("nonce no longer tracked"), "b continued");
  assert.deepEqual(check(digest, answer(b, { password: "guess" })), WRONG);
  assert.equal(check(digest, answer(unused)).ok, true, "issued after b, first used now");
  assert.deepEqual(check(digest, answer(a, { nc: "00000002" })), STALE("nonce no longer tracked"), "a was evicted by that use");
  assert.deepEqual(check(digest, answer(c)), { ok: false, stale: false, reason: "nc not greater than before (replay)" }, "c is still tracked");
  assert.deepEqual(check(digest, answer(issue())), { ok: true, user: "jnior" });
});

test("the options are checked", () => {
  const host = new MemoryHost();
  assert.throws(() => new HttpDigest(host, { realm: "a\r\nSet-Cookie: x=y" }), /control/);
  assert.throws(() => new HttpDigest(host, { realm: REALM, nonceLifetimeMs: 0 }), /nonceLifetimeMs/);
  assert.throws(() => new HttpDigest(host, { realm: REALM, maxNonces: 1.5 }), /maxNonces/);
  assert.throws(() => new HttpDigest(host, { realm: REALM, maxNonces: -1 }), /maxNonces/);
});
