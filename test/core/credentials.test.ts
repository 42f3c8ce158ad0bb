import { test } from "../harness/test.ts";
import { assert } from "../harness/assert.ts";
import { encodeUtf8, toBase64 } from "../../src/bytes.ts";
import { basicCredentials, equalConstantTime, parseAuthorization, parseCookies } from "../../src/auth/credentials.ts";

const params = (header: string): [string, string][] => [...(parseAuthorization(header)?.params ?? new Map<string, string>([["(refused)", header]]))];
const basic = (text: string) => basicCredentials(parseAuthorization("Basic " + toBase64(encodeUtf8(text)))!);

test("Digest credentials: names lower-cased, quoted values unquoted, scheme kept as sent", () => {
  const c = parseAuthorization(
    'Digest username="Mufasa", REALM="http-auth@example.org", uri="/dir/index.html", algorithm=SHA-256, ' +
      'nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", nc=00000001, cnonce="f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", ' +
      'qop=auth, response="753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"',
  );
  assert.ok(c);
  assert.equal(c.scheme, "Digest");
  assert.equal(c.token68, undefined);
  assert.equal(c.params.size, 10);
  assert.equal(c.params.get("username"), "Mufasa");
  assert.equal(c.params.get("realm"), "http-auth@example.org");
  assert.equal(c.params.get("algorithm"), "SHA-256");
  assert.equal(c.params.get("nc"), "00000001");
  assert.equal(c.params.get("nonce"), "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v");
  assert.equal(parseAuthorization("dIgEsT a=b")?.scheme, "dIgEsT");
});

test("quoted-string escapes: a backslash makes the next character literal", () => {
  assert.deepEqual(params('Digest realm="say \\"hi\\"", path="C:\\\\dir", plain="a\\b", empty=""'), [
    ["realm", 'say "hi"'],
    ["path", "C:\\dir"],
    ["plain", "ab"],
    ["empty", ""],
  ]);
  assert.deepEqual(params('Digest list="a, b=c; d"'), [["list", "a, b=c; d"]], "commas and = inside quotes are text");
});

test("Basic and Bearer credentials are token68", () => {
  const b = parseAuthorization("Basic dXNlcjpwYXNz");
  assert.equal(b?.scheme, "Basic");
  assert.equal(b?.token68, "dXNlcjpwYXNz");
  assert.equal(b?.params.size, 0);
  assert.equal(parseAuthorization("Bearer abc.def.ghi")?.token68, "abc.def.ghi");
  assert.equal(parseAuthorization("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==  ")?.token68, "QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
  assert.equal(parseAuthorization("Bearer a-b_c~d+e/f=")?.token68, "a-b_c~d+e/f=");
  assert.equal(parseAuthorization("Bearer x=y")?.token68, undefined, "x=y is an auth-param, not token68");
  assert.deepEqual(params("Bearer x=y"), [["x", "y"]]);
  const bare = parseAuthorization("Negotiate");
  assert.equal(bare?.scheme, "Negotiate");
  assert.equal(bare?.token68, undefined);
  assert.equal(bare?.params.size, 0);
});

test("whitespace around = and , and empty list elements are tolerated", () => {
  const expected: [string, string][] = [
    ["a", "1"],
    ["b", "two words"],
    ["c", "3"],
  ];
  assert.deepEqual(params('Digest a=1,b="two words",c=3'), expected);
  assert.deepEqual(params('  Digest   a = 1 ,\tb\t=\t"two words" , c= 3  '), expected);
  assert.deepEqual(params('Digest , ,a=1,,, b="two words" ,, c=3 ,'), expected);
});

test("malformed Authorization values are refused", () => {
  const bad = [
    "",
    "   ",
    '"Digest" a=b',
    "=abc",
    "Basic,abc",
    'Digest realm="unterminated',
    'Digest realm="escape at the end\\',
    'Digest realm="x", a=1, A=2',
    'Digest realm="x", realm="x"',
    "Digest a=1 b=2",
    "Digest a=, b=1",
    "Digest =x",
    "Digest a=1, b",
    'Digest a="x"y',
    "Digest a=b=c",
    "Basic abc def",
    "Basic abc, def",
    'Digest realm="control\x01char"',
    'Digest realm="line\nbreak"',
  ];
  for (const header of bad) assert.equal(parseAuthorization(header), undefined, JSON.stringify(header));
  assert.equal(parseAuthorization(undefined), undefined);
});

test("an Authorization value is parsed up to 4096 characters and refused beyond", () => {
  const at = "Bearer " + "a".repeat(4096 - 7);
  assert.equal(parseAuthorization(at)?.token68?.length, 4089);
  assert.equal(parseAuthorization(at + "a"), undefined);
  // the worst case for work: as many params as fit, and one long quoted-string full of escapes
  let many = "Digest ";
  for (let i = 0; many.length < 4080; i++) many += "p" + i + "=" + i + ",";
  const parsed = parseAuthorization(many);
  assert.ok(parsed && parsed.params.size > 400, "hundreds of params");
  const escaped = 'Digest a="' + "\\x".repeat(2040) + '"';
  assert.equal(parseAuthorization(escaped)?.params.get("a"), "x".repeat(2040));
  assert.equal(parseAuthorization(escaped.slice(0, -1)), undefined, "the same, unterminated");
  assert.equal(parseAuthorization(escaped.slice(0, -1) + "\x01\""), undefined, "the same, with a control character");
});

test("Basic: base64 of UTF-8 user:password, split at the first colon (RFC 7617)", () => {
  assert.deepEqual(basicCredentials(parseAuthorization("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==")!), { user: "Aladdin", password: "open sesame" });
  assert.deepEqual(basicCredentials(parseAuthorization("basic dGVzdDoxMjPCow==")!), { user: "test", password: "123£" }, "RFC 7617 §2.1, UTF-8");
  assert.deepEqual(basic("jnior:a:b:c"), { user: "jnior", password: "a:b:c" });
  assert.deepEqual(basic("user:"), { user: "user", password: "" });
  assert.deepEqual(basic("ünïcødé:pässwörd"), { user: "ünïcødé", password: "pässwörd" });
});

test("Basic: refused when not Basic, not base64, not UTF-8, without a colon, or with control characters", () => {
  const bytes = (...b: number[]) => parseAuthorization("Basic " + toBase64(new Uint8Array(b)))!;
  assert.equal(basicCredentials(parseAuthorization("Bearer dXNlcjpwYXNz")!), undefined, "Bearer");
  assert.equal(basicCredentials(parseAuthorization("Basic realm=x")!), undefined, "auth-params");
  assert.equal(basicCredentials(parseAuthorization("Basic")!), undefined, "nothing");
  assert.equal(basicCredentials(parseAuthorization("Basic dXNlcjpwYXN=")!), undefined, "non-zero trailing bits");
  assert.equal(basicCredentials(parseAuthorization("Basic dXNlc~pwYXNz")!), undefined, "not the base64 alphabet");
  assert.equal(basicCredentials(bytes(0x75, 0x3a, 0xff)), undefined, "0xFF is never UTF-8");
  assert.equal(basicCredentials(bytes(0x75, 0x3a, 0xc0, 0xba)), undefined, "overlong");
  assert.equal(basic("no colon"), undefined);
  assert.equal(basic("us\x00er:pw"), undefined, "NUL");
  assert.equal(basic("user:pw\r\n"), undefined, "CR LF");
  assert.equal(basic("user:p\x7fw"), undefined, "DEL");
  assert.equal(basic("user:p\u0085w"), undefined, "C1 control");
  assert.ok(basic("user:p w~"), "space and printable ASCII are fine");
});

test("cookies: pairs by name, first wins, quotes removed, junk skipped", () => {
  assert.deepEqual(
    [...parseCookies('sid=abc123; theme=dark;lang="en-GB" ;  sid=second; empty=; =nameless; novalue; bad name=x; a=b=c')],
    [
      ["sid", "abc123"],
      ["theme", "dark"],
      ["lang", "en-GB"],
      ["empty", ""],
      ["a", "b=c"],
    ],
  );
  assert.equal(parseCookies('q="').get("q"), '"', "a lone quote is not a quoted value");
  assert.equal(parseCookies(undefined).size, 0);
  assert.equal(parseCookies("").size, 0);
});

test("cookies: at most 32, and a header over 4096 characters gives none", () => {
  const pairs: string[] = [];
  for (let i = 0; i < 40; i++) pairs.push("c" + i + "=" + i);
  const cookies = parseCookies(pairs.join("; "));
  assert.equal(cookies.size, 32);
  assert.equal(cookies.get("c31"), "31");
  assert.equal(cookies.has("c32"), false);
  const long = "sid=x; pad=" + "p".repeat(4096 - 11);
  assert.equal(long.length, 4096);
  assert.equal(parseCookies(long).get("sid"), "x");
  assert.equal(parseCookies(long + "p").size, 0);
});

test("equalConstantTime: equal only when every code point is", () => {
  assert.equal(equalConstantTime("", ""), true);
  assert.equal(equalConstantTime("8ca523f5e9506fed", "8ca523f5e9506fed"), true);
  assert.equal(equalConstantTime("8ca523f5e9506fed", "9ca523f5e9506fed"), false, "first differs");
  assert.equal(equalConstantTime("8ca523f5e9506fed", "8ca523f5e9506fee"), false, "last differs");
  assert.equal(equalConstantTime("abc", "abcd"), false);
  assert.equal(equalConstantTime("abcd", "abc"), false);
  assert.equal(equalConstantTime("a", "A"), false);
  assert.equal(equalConstantTime("pässwörd😀", "pässwörd😀"), true);
  assert.equal(equalConstantTime("😀", "ab"), false, "one surrogate pair against two characters");
  assert.equal(equalConstantTime("ab", "😀"), false);
  assert.equal(equalConstantTime("\ud83d", "\ude00"), false, "lone surrogates");
});
