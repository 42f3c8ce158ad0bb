/**
 * The JANOS file messages (janos.md §5.6) over the unit's file area (src/files/file-area.ts): what
 * INTEG's clients send (base64, `Append` for the pieces after the first, `Meta`), confinement, who
 * may do what, configuration checked whole before it is kept, and limits. On Node and on XS.
 */
import { test } from "../harness/test.ts";
import { assert } from "../harness/assert.ts";
import { decodeUtf8, encodeUtf8, fromBase64, toBase64 } from "../../src/bytes.ts";
import { DEVICE_FILES } from "../../src/files/file-area.ts";
import type { JanosClient } from "../../sim/janos-client.ts";
import { bootDevice, USERS, type DeviceFixture } from "./device-fixture.ts";

type Json = Record<string, unknown>;

async function ask(f: DeviceFixture, c: JanosClient, m: Json, answer: string): Promise<Json> {
  c.send({ ...m, Meta: { Hash: "h" + Math.random().toString(36).slice(2) } });
  await f.run();
  const last = c.messages.at(-1)!;
  if (last.Message !== answer && last.Message !== "Error") throw new Error("no " + answer + ": " + JSON.stringify(c.messages.slice(-2)));
  return last;
}

/** Writes `text` the way INTEG's C# FileWrite does: pieces of `piece` bytes, `Append` after the first. */
async function write(f: DeviceFixture, c: JanosClient, file: string, text: string, piece = 8192): Promise<Json> {
  const bytes = encodeUtf8(text);
  let last: Json = {};
  for (let at = 0; at < bytes.length || at === 0; at += piece) {
    const m: Json = { Message: "File Write", File: file, Size: bytes.length, Encoding: "base64", Data: toBase64(bytes.subarray(at, at + piece)) };
    if (at > 0) m.Append = true;
    last = await ask(f, c, m, "File Write Response");
    if (last.Status !== "Succeed") break;
  }
  return last;
}

const CONFIG = JSON.stringify({ board: "jnior-412", httpServer: { port: 8443, httpPort: 8080 } });

test("File Write in pieces with Append, File Read with Offset and Limit, File List: files, folders, sizes, BytesFree; Meta comes back", async () => {
  const f = await bootDevice();
  const admin = await f.loggedIn("websocket");
  const text = "line of text\n".repeat(1000); // 13,000 bytes: two pieces of 8 KiB
  const written = await write(f, admin, "/files/logs/today.txt", text);
  assert.deepEqual([written.Status, written.File], ["Succeed", "/files/logs/today.txt"]);
  const list = await ask(f, admin, { Message: "File List", Folder: "/" }, "File List Response");
  assert.deepEqual(list.Content, [
    { Name: "certs/", Size: 0, Mod: "" },
    { Name: "files/", Size: 1, Mod: "" },
  ]);
  assert.equal(typeof list.BytesFree, "number");
  assert.match(String((list.Meta as Json).Hash), /^h/, "Meta echoed");
  const sub = await ask(f, admin, { Message: "File List", Folder: "/files/logs" }, "File List Response");
  assert.deepEqual(sub.Content, [{ Name: "today.txt", Size: 13_000, Mod: "" }]);

  const read = await ask(f, admin, { Message: "File Read", File: "/files/logs/today.txt", Offset: 13, Limit: 26 }, "File Read Response");
  assert.deepEqual([read.Status, read.Encoding, read.Size, read.NumRead, read.Offset], ["Succeed", "base64", 13_000, 26, 13]);
  assert.equal(decodeUtf8(fromBase64(read.Data as string)), "line of text\nline of text\n");
  const whole = await ask(f, admin, { Message: "File Read", File: "files/logs/today.txt" }, "File Read Response");
  assert.equal(whole.NumRead, 13_000, "the simulator reads 48 KB at a time");
  await f.stop();
});

test("configuration is checked whole: a bad config.json is refused with the reason and the one before stays; a good one is kept for the next boot", async () => {
  const f = await bootDevice();
  const admin = await f.loggedIn("jmp");
  const good = await write(f, admin, "/config.json", CONFIG, 20);
  assert.deepEqual([good.Status, good.Applies], ["Succeed", "at the next boot"]);
  const bad = await write(f, admin, "/config.json", JSON.stringify({ httpServer: { port: "8443" } }));
  assert.equal(bad.Status, "Fail");
  assert.match(String(bad.Detail), /config\.json is not taken, the one before stays: config\.json: httpServer\.port: must be an integer/);
  assert.equal(decodeUtf8(f.host.files.read("config.json")!), CONFIG, "unchanged");
  const cut = await ask(f, admin, { Message: "File Write", File: "/config.json", Size: 100, Data: toBase64(encodeUtf8('{"board":')) }, "File Write Response");
  assert.equal(cut.Status, "Succeed", "a first piece");
  await f.run(61_000); // and the client goes away
  assert.equal(decodeUtf8(f.host.files.read("config.json")!), CONFIG, "a write cut off half-way leaves the old file");
  const late = await ask(f, admin, { Message: "File Write", File: "/config.json", Size: 100, Append: true, Data: toBase64(encodeUtf8('"x"}')) }, "File Write Response");
  assert.match(String(late.Detail), /no write of \/config\.json is under way: send its first piece without Append/);

  const certificate = "-----BEGIN CERTIFICATE-----\nMAMCAQE=\n-----END CERTIFICATE-----\n";
  assert.equal((await write(f, admin, "/certs/ca.pem", certificate)).Status, "Succeed");
  const notPem = await write(f, admin, "/certs/other.pem", "hello");
  assert.match(String(notPem.Detail), /no PEM block/);
  const security = await write(f, admin, "/security.json", JSON.stringify({ TLS: { serverCertificate: { certificatePath: "certs/server.pem", privateKeyPath: "certs/server-key.pem" } } }));
  assert.match(String(security.Detail), /TLS names certs\/server\.pem, which is not on the unit: upload it first/);
  const wrongKind = await write(f, admin, "/certs/server-key.pem", certificate);
  assert.match(String(wrongKind.Detail), /block 1 is a CERTIFICATE; a key file holds a private key/);
  await f.stop();
});

test("confined and guarded: nothing outside the file area, no private key read back, view users read only, traversal refused", async () => {
  const f = await bootDevice();
  const admin = await f.loggedIn("websocket");
  const key = "-----BEGIN PRIVATE KEY-----\nMAMCAQE=\n-----END PRIVATE KEY-----\n";
  assert.equal((await write(f, admin, "/certs/server-key.pem", key)).Status, "Succeed");
  const secret = await ask(f, admin, { Message: "File Read", File: "/certs/server-key.pem" }, "File Read Response");
  assert.deepEqual([secret.Message, secret.Text], ["Error", "403 Forbidden"]);
  for (const path of ["/users.json", "/registry/snapshot", "/boots"]) {
    const r = await ask(f, admin, { Message: "File Read", File: path }, "File Read Response");
    assert.equal(r.Text, "403 Forbidden", path);
    assert.match(String(r.Detail), /outside the unit's file area/);
  }
  for (const path of ["/files/../users.json", "/files/./a", "/files//a", "/files/.hidden", "/files/a\\b"]) {
    const r = await write(f, admin, path, "x");
    assert.equal(r.Status, "Fail", path);
  }
  const viewer = await f.loggedIn("jmp", USERS.viewer);
  assert.equal((await ask(f, viewer, { Message: "File List", Folder: "/certs" }, "File List Response")).Status, "Succeed");
  const refused = await ask(f, viewer, { Message: "File Write", File: "/files/a.txt", Size: 1, Data: "eA==" }, "File Write Response");
  assert.equal(refused.Text, "403 Forbidden");

  assert.equal((await ask(f, admin, { Message: "File Mkdir", Folder: "/files/docs" }, "File Mkdir Response")).Status, "Succeed");
  assert.equal((await write(f, admin, "/files/docs/a.txt", "alpha")).Status, "Succeed");
  const renamed = await ask(f, admin, { Message: "File Rename", Old: "/files/docs/a.txt", New: "/files/b.txt" }, "File Rename Response");
  assert.deepEqual([renamed.Status, renamed.Result], ["Succeed", "Succeed"]);
  assert.equal((await ask(f, admin, { Message: "File Rename", Old: "/files/b.txt", New: "/certs/b.pem" }, "File Rename Response")).Status, "Fail");
  const removed = await ask(f, admin, { Message: "File Remove", Files: ["/files/b.txt", "/files/docs"] }, "File Remove Response");
  assert.deepEqual([removed.Status, removed.Succeed], ["Succeed", true]);
  assert.deepEqual((await ask(f, admin, { Message: "File List", Folder: "/files" }, "File List Response")).Content, []);
  await f.stop();
});

test("the device's limits: /files holds 16 KB (a folder takes 8) and 4 entries, a read returns 2 KB at most, one upload at a time", async () => {
  const f = await bootDevice({ config: { files: DEVICE_FILES } });
  const admin = await f.loggedIn("websocket");
  for (let i = 0; i < 2; i++) assert.equal((await write(f, admin, `/files/f${i}.txt`, "x".repeat(4000), 2048)).Status, "Succeed");
  const full = await write(f, admin, "/files/big.txt", "y".repeat(8193), 2048);
  assert.match(String(full.Detail), /\/files holds 16 KB; 8 KB are taken and this file needs 12 KB/);
  const folder = await ask(f, admin, { Message: "File Mkdir", Folder: "/files/d" }, "File Mkdir Response");
  assert.equal(folder.Status, "Succeed");
  assert.match(String((await ask(f, admin, { Message: "File Mkdir", Folder: "/files/e" }, "File Mkdir Response")).Detail), /a folder takes 8 KB of it/);
  assert.equal((await write(f, admin, "/files/f2.txt", "", 2048)).Status, "Fail", "full: an empty file takes a block too");
  assert.equal((await ask(f, admin, { Message: "File Remove", Files: ["/files/d"] }, "File Remove Response")).Status, "Succeed");
  assert.equal((await write(f, admin, "/files/f2.txt", "z", 2048)).Status, "Succeed");
  assert.equal((await write(f, admin, "/files/f3.txt", "z", 2048)).Status, "Succeed");
  assert.match(String((await write(f, admin, "/files/f4.txt", "z")).Detail), /\/files holds at most 4 files and folders/);
  const read = await ask(f, admin, { Message: "File Read", File: "/files/f0.txt", Limit: 16384 }, "File Read Response");
  assert.deepEqual([read.NumRead, read.Limit, read.Size], [2048, 2048, 4000], "a client that asks 16 KB gets 2 KB and reads on");
  await ask(f, admin, { Message: "File Write", File: "/files/f0.txt", Size: 4000, Data: toBase64(encodeUtf8("a")) }, "File Write Response");
  const second = await ask(f, admin, { Message: "File Write", File: "/files/f1.txt", Size: 4000, Data: toBase64(encodeUtf8("a")) }, "File Write Response");
  assert.match(String(second.Detail), /1 upload is already under way/);
  await f.stop();
});
