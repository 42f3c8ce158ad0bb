/**
 * The ESP32 flash layout (hosts/moddable/partitions.csv) against the worst case of what iobox keeps
 * on flash, computed from the limits in the code: if a limit grows past what the storage partition
 * holds, this fails. LittleFS (Moddable's, 4 KB blocks, no inline files with its 16-byte cache)
 * stores a file in whole blocks and each directory in a pair of metadata blocks.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { ROOT } from "../../hosts/build/build.ts";
import { MAX_ACCOUNT_ROLES, MAX_USERS } from "../../src/auth/users.ts";
import { CERTIFICATE_FILES, CONFIG_FILES, MAX_CERTIFICATE_BYTES, MAX_CONFIG_FILE_BYTES } from "../../src/flash-files.ts";
import { DEVICE_FILES } from "../../src/files/file-area.ts";
import { DEVICE_REGISTRY } from "../../src/registry/registry.ts";

const FLASH = 4 * 1024 * 1024; // the 4 MB of Moddable's esp32 targets (CONFIG_ESPTOOLPY_FLASHSIZE_4MB)
const BLOCK = 4096;
/** LittleFS's skip-list pointers take a few bytes of a file's blocks; this is more than they take. */
const BLOCK_PAYLOAD = BLOCK - 16;
/** Free blocks LittleFS keeps for moving metadata and levelling wear: at least a quarter. */
const HEADROOM = 0.25;

interface Partition {
  name: string;
  type: string;
  subtype: string;
  offset: number;
  size: number;
}

function partitions(): Partition[] {
  const text = fs.readFileSync(path.join(ROOT, "hosts/moddable/partitions.csv"), "utf8");
  return text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"))
    .map((l) => {
      const [name, type, subtype, offset, size] = l.split(",").map((f) => f.trim());
      return { name: name!, type: type!, subtype: subtype!, offset: Number(offset), size: Number(size) };
    });
}

const blocks = (bytes: number): number => Math.ceil(bytes / BLOCK_PAYLOAD);

/** The bytes of each file at its largest, from the code's limits. */
function worstFiles(): { file: string; bytes: number }[] {
  const { maxKeys, maxTotalBytes } = DEVICE_REGISTRY.limits as { maxKeys: number; maxTotalBytes: number };
  const entries = maxTotalBytes + 4 * maxKeys; // src/registry/format.ts: two u16 lengths per entry
  const snapshot = 8 + 4 + 4 + entries + 4;
  // one group write at most removes every key and writes as many again (a restore)
  const record = 1 + 4 + 4 + 2 + 2 * entries + 4;
  const journal = DEVICE_REGISTRY.journalLimit! + record; // compaction runs once it is over its limit
  const user = { name: "u".repeat(32), role: "administrator", password: "\\".repeat(64), roles: Array.from({ length: MAX_ACCOUNT_ROLES }, () => "r".repeat(32)) };
  const users = JSON.stringify({ users: Array.from({ length: MAX_USERS }, () => user) }).length;
  return [
    { file: "registry/snapshot", bytes: snapshot },
    { file: "registry/journal", bytes: journal },
    { file: "users.json", bytes: users },
    ...CONFIG_FILES.map((file) => ({ file, bytes: MAX_CONFIG_FILE_BYTES })),
    ...Array.from({ length: CERTIFICATE_FILES }, (_, i) => ({ file: `certificate ${i + 1}`, bytes: MAX_CERTIFICATE_BYTES })),
    { file: "boots", bytes: 4 },
    { file: "last-abort", bytes: 200 },
  ];
}

test("partitions.csv: the 4 MB in order, two equal OTA slots aligned for apps, and the storage partition LittleFS mounts", () => {
  const table = partitions();
  let end = 0x9000; // after the bootloader and the partition table
  for (const p of table) {
    assert.ok(p.offset >= end, `${p.name} at 0x${p.offset.toString(16)} overlaps what is before it`);
    if (p.type === "app") assert.equal(p.offset % 0x10000, 0, `${p.name}: app partitions start on 64 KB boundaries`);
    end = p.offset + p.size;
  }
  assert.ok(end <= FLASH, `the table ends at 0x${end.toString(16)}, past 4 MB`);
  const byName = new Map(table.map((p) => [p.name, p]));
  for (const name of ["nvs", "otadata", "phy_init", "ota_0", "ota_1", "storage"]) assert.ok(byName.has(name), name);
  assert.equal(byName.get("ota_0")!.size, byName.get("ota_1")!.size, "either slot takes the next image");
  assert.ok(!table.some((p) => p.subtype === "factory"), "no factory slot: mcconfig would carve it up");
  assert.equal(byName.get("storage")!.type, "data");
});

test("the storage partition holds the worst case of everything iobox keeps on flash, with a quarter to spare", () => {
  const storage = partitions().find((p) => p.name === "storage")!;
  const total = storage.size / BLOCK;
  const files = worstFiles();
  const fileBlocks = files.reduce((n, f) => n + blocks(f.bytes), 0);
  // written atomically through a temporary copy, one file at a time: the largest, twice over for a moment
  const temporary = Math.max(...files.map((f) => blocks(f.bytes)));
  // /files: its quota in blocks, and a directory pair per entry at worst (all folders)
  const userFiles = DEVICE_FILES.userBlocks;
  const directories = 2 * 5; // the root (superblock), iobox/, iobox/registry/, iobox/certs/, iobox/files/
  const worst = fileBlocks + userFiles + temporary + directories;
  process.stdout.write(
    `# flash: storage ${total} blocks of 4 KB; worst case ${worst} (${files.map((f) => `${f.file} ${(f.bytes / 1024).toFixed(1)} KB`).join(", ")}; /files ${userFiles}; a temporary copy of ${temporary}; ${directories} of directories)\n`,
  );
  assert.ok(worst <= total * (1 - HEADROOM), `${worst} blocks in the worst case; the partition has ${total}, of which a quarter must stay free`);
});

test("the app slots are what the image may grow to; the manifest uses this table and LittleFS levels its wear", () => {
  const table = partitions();
  const slot = table.find((p) => p.name === "ota_0")!.size;
  process.stdout.write(`# flash: two app slots of ${(slot / 1024).toFixed(0)} KB each\n`);
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, "manifest.json"), "utf8"));
  const esp32 = JSON.parse(fs.readFileSync(path.join(ROOT, "hosts/moddable/manifest_esp32.json"), "utf8"));
  assert.equal(esp32.build.PARTITIONS_FILE, "./partitions.csv", "relative to hosts/moddable");
  for (const platform of ["esp32", "esp32/wt32_eth01"]) assert.ok(manifest.platforms[platform].include.includes("./hosts/moddable/manifest_esp32.json"), platform);
  assert.equal(manifest.defines.file.lfs.block_cycles, 100);
});
