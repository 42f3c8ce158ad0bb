/**
 * `npm run test:device`: the device image, built by the real Moddable SDK for `lin` with the heap
 * budget of manifest.json, run in Moddable's simulator (mcsim, under Xvfb), and the device suites
 * (test/device/*.test.ts) against it over loopback with real clients. CI runs it after `npm test`.
 *
 * Needs: the SDK ($MODDABLE, or the shared lin tarball: sdk.ts), and Debian packages for the build
 * and mcsim, installed here when the run may (root with apt-get), else it stops saying what to install.
 */
import { spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ROOT } from "../../hosts/build/build.ts";
import { keygen } from "../../hosts/build/firmware.ts";
import { DEVICE_TOOLS, ensureTools } from "../system-tools.ts";
import { checkPortsFree } from "./mcsim.ts";
import { buildImage, findSdk, imageFigures } from "./sdk.ts";

function fail(message: string): never {
  process.stderr.write(`npm run test:device: ${message}\n`);
  process.exit(1);
}

const started = performance.now();
try {
  ensureTools(DEVICE_TOOLS);
} catch (e) {
  fail((e as Error).message);
}
await checkPortsFree().catch((e: Error) => fail(e.message));
let sdk;
try {
  sdk = findSdk();
} catch (e) {
  fail((e as Error).message);
}
process.stdout.write(`# Moddable SDK: ${sdk.source}\n`);

// a password of this run's own: the image's first boot makes the administrator with it
const password = crypto.randomBytes(12).toString("base64url");
// and a release key of its own: the image takes firmware signed with it (the files suite signs one)
const keys = fs.mkdtempSync(path.join(os.tmpdir(), "iobox-device-key-"));
const release = keygen(path.join(keys, "release.pem"));
process.env.IOBOX_FIRMWARE_KEY = release.publicKey;
const image = await buildImage(sdk, path.join(ROOT, "build/device-lin"), { adminPassword: password }).catch((e: Error) => fail(e.message));
const figures = imageFigures(image);
process.stdout.write(
  `# device image for lin built in ${image.seconds.toFixed(0)} s: heap ${figures.heapSlots} slots, ${figures.chunkBytes} B of chunks, stack ${figures.stackSlots} slots; ` +
    `${figures.preloadedSlots} slots preloaded into flash, ${figures.aliases} aliasable objects\n`,
);

// the budget (test/node/device-build.test.ts checks manifest.json; this, what the build made of it)
if (figures.heapSlots > 4928 || figures.chunkBytes > 2 * 78_848) fail(`the image's heap (${figures.heapSlots} slots, ${figures.chunkBytes} B) is over the budget: 4,928 slots, 157,696 B on lin`);

const suites = (process.env.IOBOX_DEVICE_SUITES ?? "protocols,tls,mqtt,load,setup,budget,files,abort,reliability").split(",").map((s) => path.join(ROOT, "test/device", s + ".test.ts"));
const code = await new Promise<number>((resolve) => {
  const child = spawn(process.execPath, ["--import", path.join(ROOT, "hosts/node/register.mjs"), "--test", "--test-concurrency=1", "--test-reporter=spec", "--test-timeout=180000", ...(process.env.IOBOX_DEVICE_TESTS ? [`--test-name-pattern=${process.env.IOBOX_DEVICE_TESTS}`] : []), ...suites], {
    cwd: ROOT,
    stdio: "inherit",
    env: { ...process.env, IOBOX_DEVICE_SO: image.so, IOBOX_DEVICE_SDK: sdk.root, IOBOX_DEVICE_PASSWORD: password, IOBOX_DEVICE_RELEASE_KEY: release.privateKey },
  });
  child.on("close", (c) => resolve(c ?? 1));
});
process.stdout.write(`\n# device stage ${code === 0 ? "PASSED" : "FAILED"} in ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
process.exit(code);
