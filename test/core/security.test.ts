import { test } from "../harness/test.ts";
import { assert } from "../harness/assert.ts";
import { toHex } from "../../src/bytes.ts";
import { parseOAuth2 } from "../../src/auth/oauth2.ts";
import { AccessControl, parseSecurity } from "../../src/auth/security.ts";
import { aclRolesOf } from "../../src/auth/users.ts";
import { ConfigError } from "../../src/validate.ts";

const ADMIN = { name: "Administrator", UUID: "8a38fb06-fa47-4f98-9419-a0fb6511e671" };
const OPERATOR = { name: "Operator", UUID: "3f0d1c52-6b1e-4c8a-9f3e-2a7d5b9c4e10" };

function refused(text: unknown, message: RegExp): void {
  assert.throws(() => parseSecurity(typeof text === "string" ? text : JSON.stringify(text)), (e: unknown) => e instanceof ConfigError && message.test(e.message));
}

test("security.json: TLS, roles, entitlements and the ACL are read; UUIDs are kept lower-case", () => {
  const s = parseSecurity(
    JSON.stringify({
      $schema: "https://docs.xentara.io/xentara/schema-xentara-security.json",
      TLS: { serverCertificate: { certificatePath: "certs/x.pem", privateKeyPath: "private/x.key.pem" } },
      roles: [ADMIN, { ...OPERATOR, UUID: OPERATOR.UUID.toUpperCase() }],
      entitlements: [{ name: "plant.override", UUID: "0c8e4a3e-5d7b-4f16-9a2c-7e1d3b5f9a40", default: "allow" }],
      ACL: { inherit: true, entries: [{ role: "Everyone", allow: ["websocket.connect"] }, { role: "Operator", allow: ["read", "write"], deny: ["plant.override"] }] },
    }),
  );
  assert.deepEqual(s.tls, { certificatePath: "certs/x.pem", privateKeyPath: "private/x.key.pem" });
  assert.deepEqual(s.roles.map((r) => r.uuid), [ADMIN.UUID, OPERATOR.UUID]);
  assert.deepEqual(s.acl.entries[1], { role: "Operator", allow: ["read", "write"], deny: ["plant.override"] });
  assert.deepEqual(s.warnings, []);
});

test("security.json problems name the file and the field; nothing is half-applied", () => {
  refused("{", /^security\.json: not valid JSON/);
  refused({ roles: [{ name: "Everyone", UUID: ADMIN.UUID }] }, /roles\[0\]\.name: "Everyone" is built in/);
  refused({ roles: [ADMIN, ADMIN] }, /roles\[1\]\.name: "Administrator" is defined twice/);
  refused({ roles: [{ name: "X", UUID: "not-a-uuid" }] }, /roles\[0\]\.UUID: must be a UUID/);
  refused({ entitlements: [{ name: "read", UUID: ADMIN.UUID }] }, /entitlements\[0\]\.name: "read" is built in/);
  refused({ entitlements: [{ name: "x", UUID: ADMIN.UUID, default: "maybe" }] }, /entitlements\[0\]\.default: must be "allow" or "deny"/);
  refused({ ACL: { entries: [{ allow: ["read"] }] } }, /ACL\.entries\[0\]\.role: is required/);
  refused({ ACL: { inherit: "yes" } }, /ACL\.inherit: must be true or false/);
  refused({ TLS: { serverCertificate: { certificatePath: "a.pem" } } }, /TLS\.serverCertificate\.privateKeyPath: is required/);
  refused({ acl: {} }, /acl: unknown member/);
});

test("unknown roles and entitlements in ACL entries are ignored with a warning, as Xentara does", () => {
  const s = parseSecurity(JSON.stringify({ roles: [ADMIN], ACL: { entries: [{ role: "Ghost", allow: ["read"] }, { role: "Administrator", allow: ["read", "fly"] }] } }));
  assert.deepEqual(s.acl.entries, [{ role: "Administrator", allow: ["read"], deny: [] }]);
  assert.deepEqual(s.warnings, [
    'security.json: ACL.entries[0].role: unknown role "Ghost"; the entry is ignored',
    'security.json: ACL.entries[1].allow[1]: unknown entitlement "fly" ignored',
  ]);
});

test("the ACL: Everyone's entries apply to all, a deny beats an allow, built-ins are never granted by default", () => {
  const acl = new AccessControl(
    parseSecurity(
      JSON.stringify({
        roles: [ADMIN, OPERATOR],
        entitlements: [
          { name: "custom.on", UUID: "0c8e4a3e-5d7b-4f16-9a2c-7e1d3b5f9a40", default: "allow" },
          { name: "custom.off", UUID: "1c8e4a3e-5d7b-4f16-9a2c-7e1d3b5f9a40" },
        ],
        ACL: { inherit: true, entries: [{ role: "Everyone", allow: ["websocket.connect"] }, { role: "Operator", allow: ["read", "write"] }, { role: "Administrator", deny: ["write"] }] },
      }),
    ),
  );
  assert.equal(acl.allows([], "websocket.connect"), true);
  assert.equal(acl.allows([], "read"), false, "a built-in is not granted by default");
  assert.equal(acl.allows(["Operator"], "write"), true);
  assert.equal(acl.allows(["Operator", "Administrator"], "write"), false, "deny beats allow");
  assert.equal(acl.allows([], "custom.on"), true, "inherit: a custom entitlement's default");
  assert.equal(acl.allows([], "custom.off"), false);
  const closed = new AccessControl(parseSecurity(JSON.stringify({ entitlements: [{ name: "custom.on", UUID: ADMIN.UUID, default: "allow" }], ACL: { inherit: false } })));
  assert.equal(closed.allows([], "custom.on"), false, "without inherit, defaults do not apply");
});

test("accounts get the roles they name, or the one of their JANOS role", () => {
  assert.deepEqual(aclRolesOf({ name: "a", role: "administrator", password: "x" }), ["Administrator"]);
  assert.deepEqual(aclRolesOf({ name: "b", role: "control", password: "x" }), ["Operator"]);
  assert.deepEqual(aclRolesOf({ name: "c", role: "view", password: "x" }), ["Viewer"]);
  assert.deepEqual(aclRolesOf({ name: "d", role: "view", password: "x", roles: ["Maintenance"] }), ["Maintenance"]);
});

// a P-256 public key (node:crypto made it) and its point
const PEM = `-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEnz4EJSvfOr7nYhwfFPy1PvirkFIa
AOiRSGdyyxYSdCYgLyesY/O+a8Du06IxmczSwjxYRJWlLctKkrJ3NufRHA==
-----END PUBLIC KEY-----
`;
const POINT = "049f3e04252bdf3abee7621c1f14fcb53ef8ab90521a00e891486772cb16127426202f27ac63f3be6bc0eed3a23199ccd2c23c584495a52dcb4a92b27736e7d11c";
const FILES: Record<string, string> = { "keys/es.pem": PEM, "keys/hs.secret": "  0123456789abcdef0123456789abcdef-hs256  \n", "keys/short.secret": "too-short" };
const read = (p: string): string | undefined => FILES[p];

test("oauth2.json: issuers with their keys, roles and claim mappings", () => {
  const c = parseOAuth2(
    JSON.stringify({
      scope: ["iobox"],
      issuers: [
        { iss: "https://es.example/", aud: "iobox", roles: ["Viewer"], authorizationClaims: { groups: { ops: ["Operator"] }, roles: "implicit" }, verification: { algorithm: "ES256", publicKeyPath: "keys/es.pem" }, nonConformance: { allowGenericJwt: true } },
        { iss: "https://hs.example/", aud: "iobox", verification: { algorithm: "HS256", secretPath: "keys/hs.secret" } },
      ],
    }),
    "oauth2.json",
    read,
  );
  assert.deepEqual(c.scope, ["iobox"]);
  const [es, hs] = c.issuers;
  assert.equal(es!.algorithm, "ES256");
  assert.equal(es!.key.kind === "p256" ? toHex(es!.key.point) : "", POINT);
  assert.deepEqual(es!.authorizationClaims, { groups: { ops: ["Operator"] }, roles: "implicit" });
  assert.deepEqual(es!.nonConformance, { allowGenericJwt: true });
  assert.equal(hs!.algorithm, "HS256");
  assert.equal(hs!.key.kind === "hmac" ? hs!.key.secret.length : 0, 38, "the secret without its surrounding white-space");
});

test("oauth2.json problems name the file and the field", () => {
  const bad = (issuer: unknown, message: RegExp): void =>
    assert.throws(() => parseOAuth2(JSON.stringify({ issuers: [issuer] }), "oauth2.json", read), (e: unknown) => e instanceof ConfigError && message.test(e.message));
  const base = { iss: "https://a.example/", aud: "iobox" };
  bad({ ...base }, /issuers\[0\]\.verification: is required/);
  bad({ ...base, verification: { algorithm: "RS256", publicKeyPath: "keys/es.pem" } }, /verification\.algorithm: must be "ES256" or "HS256"/);
  bad({ ...base, verification: { algorithm: "none" } }, /verification\.algorithm: must be/);
  bad({ ...base, verification: { algorithm: "HS256", secretPath: "keys/short.secret" } }, /secretPath: the secret has 9 bytes; HS256 needs at least 32/);
  bad({ ...base, verification: { algorithm: "ES256", publicKeyPath: "keys/hs.secret" } }, /publicKeyPath: /);
  bad({ ...base, verification: { algorithm: "ES256", publicKeyPath: "nope.pem" } }, /publicKeyPath: cannot read nope\.pem/);
  bad({ ...base, verification: { algorithm: "ES256", publicKeyPath: "keys/es.pem", secretPath: "keys/hs.secret" } }, /secretPath: ES256 verifies with a publicKeyPath/);
  bad({ ...base, verification: { algorithm: "ES256", publicKeyPath: "keys/es.pem" }, nonConformance: { allowEverything: true } }, /nonConformance\.allowEverything: unknown member/);
  assert.throws(
    () => parseOAuth2(JSON.stringify({ issuers: [{ ...base, verification: { algorithm: "ES256", publicKeyPath: "keys/es.pem" } }, { ...base, verification: { algorithm: "ES256", publicKeyPath: "keys/es.pem" } }] }), "oauth2.json", read),
    /issuers\[1\]\.iss: "https:\/\/a\.example\/" is configured twice/,
  );
});
