import { test } from "../harness/test.ts";
import { assert } from "../harness/assert.ts";
import { encodeAscii } from "../../src/bytes.ts";
import { ADMINISTRATOR, MAX_USERS, UserStore } from "../../src/auth/users.ts";
import { MemoryFlash } from "../../sim/memory-files.ts";
import { MemoryHost } from "../../sim/memory-host.ts";

test("first boot creates the administrator with a random password, once", () => {
  const flash = new MemoryFlash();
  const first = new UserStore(new MemoryHost({ flash, seed: 1 })).ensureAdministrator();
  assert.match(first ?? "", /^[a-km-zA-HJ-NP-Z2-9]{12}$/);
  const again = new UserStore(new MemoryHost({ flash, seed: 1 }));
  assert.equal(again.ensureAdministrator(), undefined, "not shown again");
  assert.equal(again.find(ADMINISTRATOR)?.password, first);
  assert.equal(again.find(ADMINISTRATOR)?.role, "administrator");
});

test("a password chosen at build time is the first boot's, and a later change stays", () => {
  const flash = new MemoryFlash();
  const first = new UserStore(new MemoryHost({ flash }));
  assert.equal(first.ensureAdministrator(undefined, "Chosen-pw-1"), undefined, "nothing to show: the owner chose it");
  assert.equal(first.find(ADMINISTRATOR)?.password, "Chosen-pw-1");
  first.put({ name: ADMINISTRATOR, role: "administrator", password: "Changed-pw-2" });
  const reboot = new UserStore(new MemoryHost({ flash }));
  assert.equal(reboot.ensureAdministrator(undefined, "Chosen-pw-1"), undefined);
  assert.equal(reboot.find(ADMINISTRATOR)?.password, "Changed-pw-2", "the build's password does not undo a change");
  assert.throws(() => new UserStore(new MemoryHost()).ensureAdministrator(undefined, "pässword"), /printable ASCII/);
});

test("units with different randomness get different passwords", () => {
  const a = new UserStore(new MemoryHost({ seed: 1 })).ensureAdministrator();
  const b = new UserStore(new MemoryHost({ seed: 2 })).ensureAdministrator();
  assert.notEqual(a, b);
});

test("a provisioned password is set and never printed", () => {
  const flash = new MemoryFlash();
  const store = new UserStore(new MemoryHost({ flash }));
  assert.equal(store.ensureAdministrator("s3cret!!"), undefined);
  assert.equal(new UserStore(new MemoryHost({ flash })).find(ADMINISTRATOR)?.password, "s3cret!!");
});

test("passwords must be 8 to 64 printable ASCII characters", () => {
  const store = new UserStore(new MemoryHost());
  assert.throws(() => store.ensureAdministrator(""), /8 to 64/);
  assert.throws(() => store.ensureAdministrator("1234567"), /8 to 64/, "one short of the floor");
  assert.equal(store.ensureAdministrator("12345678"), undefined);
  assert.throws(() => store.ensureAdministrator("x".repeat(65)), /8 to 64/);
  assert.throws(() => store.ensureAdministrator("pässword"), /printable ASCII/);
});

test("a corrupt users file is logged and replaced by a fresh administrator, not a crash", () => {
  const host = new MemoryHost();
  host.files.write("users.json", encodeAscii("{not json"));
  const store = new UserStore(host);
  assert.ok(host.logs.some((l) => l.level === "error" && /unreadable/.test(l.message)));
  assert.ok(store.ensureAdministrator());
});

test("limits: at most 32 accounts and 8 roles each, so users.json keeps to its share of the flash", () => {
  const users = new UserStore(new MemoryHost());
  users.ensureAdministrator("Admin-pw-1");
  for (let i = 1; i < MAX_USERS; i++) users.put({ name: "user" + i, role: "view", password: "pw-pw-pw-" + i });
  assert.equal(users.list().length, MAX_USERS);
  assert.throws(() => users.put({ name: "one-more", role: "view", password: "pw-pw-pw-1" }), /at most 32 accounts/);
  users.put({ name: "user1", role: "control", password: "changed-pw" }); // changing one is fine when full
  assert.equal(users.find("user1")?.role, "control");
  assert.throws(() => users.put({ name: "user2", role: "view", password: "pw-pw-pw-1", roles: ["a", "b", "c", "d", "e", "f", "g", "h", "i"] }), /at most 8 roles/);
  assert.throws(() => users.put({ name: "user2", role: "view", password: "pw-pw-pw-1", roles: ["has space"] }), /a role is 1 to 32 printable ASCII/);
  assert.throws(() => users.put({ name: "user2", role: "view", password: "pw-pw-pw-1", roles: ["x".repeat(33)] }), /a role is 1 to 32/);
});
