/**
 * Firmware over the air (src/firmware): signed images through the JANOS `Firmware Write` message and
 * PUT /api/firmware, every refusal with its reason, resuming after a dropped connection, and the
 * new image's probation: confirmed when reachable, rolled back when not or when it restarts first.
 * The memory host's slots model ESP-IDF's boot loader (src/firmware/slots.ts). On Node and on XS.
 */
import { test } from "../harness/test.ts";
import { assert } from "../harness/assert.ts";
import { encodeAscii, toBase64 } from "../../src/bytes.ts";
import { HEADER_LENGTH } from "../../src/firmware/image.ts";
import { SimulatedAir } from "../../sim/air.ts";
import { signedImage, testKey } from "../../sim/firmware-signer.ts";
import type { JanosClient } from "../../sim/janos-client.ts";
import { MemoryFlash } from "../../sim/memory-files.ts";
import { MemoryUpdate } from "../../sim/memory-host.ts";
import { bootDevice, USERS, type DeviceFixture } from "./device-fixture.ts";
import { challenge, digestHeader, request } from "./web-fixture.ts";

const RELEASE = testKey(7);
const OTHER = testKey(9);
const PAYLOAD = encodeAscii("the new firmware ".repeat(300)); // 5,100 bytes
const CONFIRM = [["Firmware/ConfirmAfter", "5"]] as [string, string][];

async function unit(o: { update?: MemoryUpdate; flash?: MemoryFlash; key?: boolean; air?: SimulatedAir; settings?: [string, string][] } = {}): Promise<DeviceFixture> {
  return bootDevice({
    update: o.update,
    flash: o.flash,
    air: o.air,
    settings: o.settings,
    config: { firmware: { board: "memory", publicKey: o.key === false ? undefined : RELEASE.publicKey } },
  });
}

const state = (f: DeviceFixture): string => f.device.registry.get("Firmware/$State") ?? "";
const detail = (f: DeviceFixture): string => f.device.registry.get("Firmware/$Detail") ?? "";

/** Sends `image` in pieces of `piece` bytes from `from`; resolves with the answers. */
async function send(f: DeviceFixture, c: JanosClient, image: Uint8Array, piece = 1024, from = 0, upTo = image.length): Promise<Record<string, unknown>[]> {
  const answers: Record<string, unknown>[] = [];
  for (let at = from; at < upTo; at += piece) {
    c.send({ Message: "Firmware Write", Offset: at, Size: image.length, Data: toBase64(image.subarray(at, Math.min(upTo, at + piece))) });
    await f.run();
    const a = c.named("Firmware Write Response").at(-1)!;
    answers.push(a);
    if (a.Status !== "Succeed") break;
  }
  return answers;
}

test("a signed image, sent in pieces over JANOS: installed, the unit restarts into it, and it confirms itself once reachable", async () => {
  const update = new MemoryUpdate();
  const flash = new MemoryFlash(3);
  const f = await unit({ update, flash, settings: CONFIRM });
  const admin = await f.loggedIn("websocket");
  const viewer = await f.loggedIn("jmp", USERS.viewer);
  const image = signedImage(PAYLOAD, RELEASE, { version: "0.2.0" });
  const answers = await send(f, admin, image);
  assert.deepEqual(
    answers.map((a) => a.Offset),
    Array.from({ length: Math.ceil(image.length / 1024) }, (_, i) => Math.min(image.length, (i + 1) * 1024)),
    "each piece acknowledged with the offset that comes next",
  );
  assert.equal(answers.at(-1)!.State, "installed");
  assert.equal(state(f), "installed");
  assert.match(detail(f), /^0\.2\.0 installed; restarting into it$/);
  const updates = viewer.named("Registry Update").map((m) => m.Keys as Record<string, string>);
  const progress = updates.map((k) => k["Firmware/$Progress"]).filter((p) => p).map(Number);
  assert.deepEqual(progress, [19, 38, 58, 77, 97], "progress reaches every client, as it grows");
  assert.ok(updates.some((k) => k["Firmware/$State"] === "installed"));
  await f.run(8000);
  assert.equal(f.host.restarts, 1, "the unit restarted into it");

  const next = await unit({ update, flash, settings: CONFIRM });
  assert.deepEqual(update.running, PAYLOAD, "the boot loader runs the new payload");
  assert.equal(update.pending, true);
  assert.equal(state(next), "probation");
  await next.run(6000);
  assert.equal(update.pending, false, "confirmed: the network was up for Firmware/ConfirmAfter");
  assert.equal(state(next), "confirmed");
  await next.stop();
});

test("refused with a reason, the running image untouched: another key, another board, an older version, a too-new floor, damage, no release key", async () => {
  const f = await unit();
  const admin = await f.loggedIn("websocket");
  const cases: [Uint8Array, RegExp][] = [
    [signedImage(PAYLOAD, OTHER, { version: "0.2.0" }), /0\.2\.0 for memory: the signature is not the release key's/],
    [signedImage(PAYLOAD, RELEASE, { version: "0.2.0", board: "esp32" }), /the image is for esp32, this unit is memory/],
    [signedImage(PAYLOAD, RELEASE, { version: "0.0.9" }), /0\.0\.9 for memory is older than the running 0\.1\.0: no downgrades/],
    [signedImage(PAYLOAD, RELEASE, { version: "0.3.0", minVersion: "0.2.0" }), /replaces 0\.2\.0 or later; this unit runs 0\.1\.0/],
    [encodeAscii("MZ".padEnd(400, "x")), /not an iobox firmware image/],
  ];
  const damaged = signedImage(PAYLOAD, RELEASE, { version: "0.2.0" });
  damaged[HEADER_LENGTH + 100]! ^= 1;
  cases.push([damaged, /the payload is damaged \(its SHA-256 is not the signed one\)/]);
  for (const [image, reason] of cases) {
    const answers = await send(f, admin, image);
    const last = answers.at(-1)!;
    assert.equal(last.Status, "Fail", String(reason));
    assert.match(String(last.Detail), reason);
    assert.equal(state(f), "failed");
    assert.match(detail(f), reason);
  }
  assert.equal(f.host.update.running, undefined);
  assert.equal(f.host.restarts, 0);
  const view = await f.loggedIn("jmp", USERS.viewer);
  view.send({ Message: "Firmware Write", Offset: 0, Data: "" });
  await f.run();
  assert.equal(view.named("Error").at(-1)?.Text, "403 Forbidden", "administrators only");
  await f.stop();

  const unkeyed = await unit({ key: false });
  const a = await unkeyed.loggedIn("websocket");
  const answers = await send(unkeyed, a, signedImage(PAYLOAD, RELEASE, { version: "0.2.0" }));
  assert.match(String(answers.at(-1)!.Detail), /this build has no release key: it takes no firmware/);
  await unkeyed.stop();
});

test("resumable: a dropped connection goes on where it stopped; a piece sent twice is acknowledged again; a gap is refused; offset 0 starts over", async () => {
  const f = await unit();
  const first = await f.loggedIn("websocket");
  const image = signedImage(PAYLOAD, RELEASE, { version: "0.2.0" });
  await send(f, first, image, 1000, 0, 3000);
  first.close();
  await f.run(60_000);
  const again = await f.loggedIn("jmp");
  again.send({ Message: "Firmware Status", Meta: { Hash: "s" } });
  await f.run();
  const status = again.named("Firmware Status Response")[0]!;
  assert.deepEqual([status.State, status.Offset, status.Size, status.Meta], ["receiving", 3000, image.length, { Hash: "s" }]);
  const dup = await send(f, again, image, 1000, 2000, 3000);
  assert.equal(dup[0]!.Offset, 3000, "already had it");
  again.send({ Message: "Firmware Write", Offset: 4000, Data: toBase64(image.subarray(4000, 5000)) });
  await f.run();
  const gap = again.named("Firmware Write Response").at(-1)!;
  assert.deepEqual([gap.Status, gap.Detail, gap.Offset], ["Fail", "the upload is at offset 3000, not 4000", 3000]);
  const resumed = await send(f, again, image, 1000, 3000, 4000);
  assert.equal(resumed[0]!.Offset, 4000, "resumed");
  const over = await send(f, again, image, 1000, 0, 1000);
  assert.equal(over[0]!.Offset, 1000, "offset 0 starts the upload over");
  const rest = await send(f, again, image, 1000, 1000);
  assert.equal(rest.at(-1)!.State, "installed");
  await f.stop();
});

test("an upload nobody finishes is dropped after five minutes; a write at an offset with no upload under way says to start at 0", async () => {
  const f = await unit();
  const admin = await f.loggedIn("websocket");
  await send(f, admin, signedImage(PAYLOAD, RELEASE, { version: "0.2.0" }), 1000, 0, 2000);
  await f.run(5 * 60_000 + 1000);
  assert.equal(state(f), "failed");
  assert.match(detail(f), /abandoned: nothing received for 5 minutes/);
  admin.send({ Message: "Firmware Write", Offset: 2000, Data: "" });
  await f.run();
  assert.equal(admin.named("Firmware Write Response").at(-1)!.Detail, "no upload is under way: start at offset 0");
  await f.stop();
});

test("PUT /api/firmware: streamed, an administrator's; a truncated image is not installed", async () => {
  const f = await unit();
  const image = signedImage(PAYLOAD, RELEASE, { version: "0.2.0" });
  const challengeOf = challenge(await request(f, "PUT", "/api/firmware"), "SHA-256");
  const auth = (user: { name: string; password: string }, nc: string): string => digestHeader(f, challengeOf, "SHA-256", user.name, user.password, "/api/firmware", nc, "PUT");
  const truncated = await request(f, "PUT", "/api/firmware", { bodyBytes: image.subarray(0, 3000), headers: [auth(USERS.admin, "00000001")] });
  assert.equal(truncated.status, 400);
  assert.match(truncated.text, /the image's header says 5260 bytes, the upload 3000/, "a truncated file: its length is not the header's");
  assert.equal(state(f), "failed");
  const op = await request(f, "PUT", "/api/firmware", { bodyBytes: image, headers: [auth(USERS.op, "00000002")] });
  assert.equal(op.status, 403);
  const ok = await request(f, "PUT", "/api/firmware", { bodyBytes: image, headers: [auth(USERS.admin, "00000003")] });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(JSON.parse(ok.text).state, "installed");
  await f.stop();
});

test("probation: a new image that cannot be reached goes back by itself; one that restarts before it confirmed is rolled back by the boot loader", async () => {
  const update = new MemoryUpdate();
  const flash = new MemoryFlash(4);
  const air = new SimulatedAir().add("Plant", "plant-pw-1", { up: true });
  const wifi: [string, string][] = [
    ["IpConfig/WiFi/SSID", "Plant"],
    ["IpConfig/WiFi/Password", "plant-pw-1"],
  ];
  const f = await unit({ update, flash, air, settings: wifi });
  await f.run(3000);
  const admin = await f.loggedIn("websocket");
  await send(f, admin, signedImage(PAYLOAD, RELEASE, { version: "0.2.0" }), 2048);
  await f.run(8000);

  air.setUp("Plant", false); // the new image comes up where its network is gone
  const lost = await unit({ update, flash, air });
  assert.equal(state(lost), "probation");
  await lost.run(301_000);
  assert.equal(update.rollbacks, 1, "it gave itself up");
  assert.equal(lost.host.restarts, 1);
  assert.ok(lost.host.logs.some((l) => /0\.1\.0 was not reachable for 30 s within 300 s of its boot: back to the previous image/.test(l.message)));
  const back = await unit({ update, flash, air });
  assert.equal(update.running, undefined, "the previous image runs");
  assert.equal(state(back), "rolled back");
  assert.match(detail(back), /was not reachable .*; running 0\.1\.0 again/);
  await back.stop();

  // again, and this time the new image dies before it can confirm itself
  air.setUp("Plant", true);
  const g = await unit({ update, flash, air });
  await g.run(3000);
  const a2 = await g.loggedIn("websocket");
  await send(g, a2, signedImage(PAYLOAD, RELEASE, { version: "0.2.0" }), 2048);
  await g.run(8000);
  await unit({ update, flash, air }); // boots the new image, then crashes
  const after = await unit({ update, flash, air });
  assert.equal(update.running, undefined);
  assert.equal(state(after), "rolled back");
  assert.match(detail(after), /the new image restarted before it confirmed itself/);
  await after.stop();
});
