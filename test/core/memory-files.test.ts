import { test } from "../harness/test.ts";
import { assert } from "../harness/assert.ts";
import { decodeLatin1, encodeAscii } from "../../src/bytes.ts";
import { MemoryFiles, MemoryFlash, PowerCut } from "../../sim/memory-files.ts";

const text = (b: Uint8Array | undefined): string | undefined => (b ? decodeLatin1(b) : undefined);

test("read, write, append, size, list and remove", () => {
  const files = new MemoryFiles(new MemoryFlash());
  assert.equal(files.read("a"), undefined);
  assert.equal(files.size("a"), -1);
  files.write("a", encodeAscii("one"));
  files.append("a", encodeAscii("+two"));
  files.append("dir/b", encodeAscii("x"));
  assert.equal(text(files.read("a")), "one+two");
  assert.equal(files.size("a"), 7);
  assert.deepEqual(files.list(""), [
    { name: "a", size: 7, directory: false },
    { name: "dir", size: 1, directory: true },
  ]);
  assert.deepEqual(files.list("dir"), [{ name: "b", size: 1, directory: false }]);
  assert.equal(text(files.read("a", 2, 3)), "e+t");
  files.rename("dir/b", "dir/c");
  files.mkdir("empty/deeper");
  assert.deepEqual(
    files.list("").map((e) => e.name),
    ["a", "dir", "empty"],
  );
  assert.equal(files.rmdir("empty"), false, "not empty");
  assert.equal(files.rmdir("empty/deeper"), true);
  assert.deepEqual(files.list("dir"), [{ name: "c", size: 1, directory: false }]);
  files.remove("a");
  files.remove("a");
  assert.equal(files.read("a"), undefined);
});

test("a read returns a copy the caller may modify", () => {
  const files = new MemoryFiles(new MemoryFlash());
  files.write("a", encodeAscii("abc"));
  files.read("a")![0] = 0;
  assert.equal(text(files.read("a")), "abc");
});

test("paths that could escape the data directory are refused", () => {
  const files = new MemoryFiles(new MemoryFlash());
  for (const bad of ["", "/etc/passwd", "../x", "a/../b", "a//b", "./a", "a\\b", "x".repeat(65)]) {
    assert.throws(() => files.write(bad, encodeAscii("x")), RangeError, JSON.stringify(bad));
  }
});

test("a power cut during write leaves the old content", () => {
  const flash = new MemoryFlash();
  const files = new MemoryFiles(flash);
  files.write("cfg", encodeAscii("old"));
  flash.cutAfter(5, "tear");
  assert.throws(() => files.write("cfg", encodeAscii("new content")), PowerCut);
  assert.ok(flash.isCut);
  assert.throws(() => files.read("cfg"), PowerCut, "nothing works until power returns");
  flash.restore();
  assert.equal(text(new MemoryFiles(flash).read("cfg")), "old");
});

test("a power cut during append leaves a prefix and possibly garbage", () => {
  const flash = new MemoryFlash(3);
  const files = new MemoryFiles(flash);
  files.append("log", encodeAscii("AAAA"));
  flash.cutAfter(2, "tear");
  assert.throws(() => files.append("log", encodeAscii("BBBBBBBB")), PowerCut);
  flash.restore();
  const after = text(new MemoryFiles(flash).read("log"))!;
  assert.ok(after.startsWith("AAAABB"), after);
  assert.ok(after.length <= 6 + 16, "at most 16 bytes of garbage");
});

test("a cut can also strike after the operation completed: durable, but the caller hears PowerCut", () => {
  const flash = new MemoryFlash();
  const files = new MemoryFiles(flash);
  flash.cutAfter(2, "complete");
  assert.throws(() => files.append("log", encodeAscii("whole")), PowerCut);
  flash.restore();
  assert.equal(text(new MemoryFiles(flash).read("log")), "whole");
});

test("wear counts every write operation and byte", () => {
  const flash = new MemoryFlash();
  const files = new MemoryFiles(flash);
  files.write("a", new Uint8Array(10));
  files.append("a", new Uint8Array(5));
  assert.equal(flash.wear.operations, 2);
  assert.equal(flash.wear.bytes, 16);
});
