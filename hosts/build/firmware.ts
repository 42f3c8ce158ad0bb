/**
 * `npm run firmware -- <command>`: release keys and signed firmware images (src/firmware/image.ts).
 *
 *   keygen --out KEY.pem              a P-256 release key: KEY.pem (private, keep it off the units
 *                                     and out of the repository) and KEY.pub.pem (public: builds
 *                                     take it as IOBOX_FIRMWARE_KEY)
 *   sign --key KEY.pem --in FILE --version X.Y.Z [--min-version X.Y.Z] [--board node|esp32] --out IMAGE
 *                                     signs a payload: the simulator's bundle (build/sim/iobox.mjs,
 *                                     board "node", the default) or an ESP32 app image (board esp32)
 *   inspect IMAGE                     what a header says (no key needed)
 */
import crypto from "node:crypto";
import fs from "node:fs";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { HEADER_LENGTH, headerToSign, parseHeader, parseVersion, versionText } from "../../src/firmware/image.ts";

export function keygen(out: string): { privateKey: string; publicKey: string } {
  const { privateKey, publicKey } = crypto.generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const files = { privateKey: out, publicKey: out.replace(/\.pem$/, "") + ".pub.pem" };
  fs.writeFileSync(files.privateKey, privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
  fs.writeFileSync(files.publicKey, publicKey.export({ type: "spki", format: "pem" }));
  return files;
}

export interface SignOptions {
  key: string;
  payload: Uint8Array;
  version: string;
  minVersion?: string;
  board?: string;
}

/** The signed image of a payload. */
export function sign(o: SignOptions): Uint8Array {
  const signed = headerToSign({
    payloadLength: o.payload.length,
    version: parseVersion(o.version),
    minVersion: parseVersion(o.minVersion ?? "0.0.0"),
    board: o.board ?? "node",
    sha256: new Uint8Array(crypto.createHash("sha256").update(o.payload).digest()),
  });
  const key = crypto.createPrivateKey(fs.readFileSync(o.key, "utf8"));
  if (key.asymmetricKeyType !== "ec" || key.asymmetricKeyDetails?.namedCurve !== "prime256v1") throw new Error(`${o.key} is not a P-256 private key`);
  const signature = crypto.sign("sha256", signed, { key, dsaEncoding: "ieee-p1363" });
  const image = new Uint8Array(HEADER_LENGTH + o.payload.length);
  image.set(signed, 0);
  image.set(signature, signed.length);
  image.set(o.payload, HEADER_LENGTH);
  return image;
}

function main(argv: string[]): void {
  const [command, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: { out: { type: "string" }, key: { type: "string" }, in: { type: "string" }, version: { type: "string" }, "min-version": { type: "string" }, board: { type: "string" } },
  });
  if (command === "keygen" && values.out) {
    const files = keygen(values.out);
    process.stdout.write(`release key: ${files.privateKey} (private)\npublic key:  ${files.publicKey} (build with IOBOX_FIRMWARE_KEY=${files.publicKey})\n`);
  } else if (command === "sign" && values.key && values.version && values.out) {
    const input = values.in ?? "build/sim/iobox.mjs";
    const image = sign({ key: values.key, payload: new Uint8Array(fs.readFileSync(input)), version: values.version, minVersion: values["min-version"], board: values.board });
    fs.writeFileSync(values.out, image);
    process.stdout.write(`${values.out}: ${input} as ${values.version} for ${values.board ?? "node"}, ${image.length} bytes, signed\n`);
  } else if (command === "inspect" && positionals[0]) {
    const h = parseHeader(new Uint8Array(fs.readFileSync(positionals[0])));
    process.stdout.write(`version ${versionText(h.version)}, replaces ${versionText(h.minVersion)} or later, board ${h.board}, payload ${h.payloadLength} bytes, sha256 ${Buffer.from(h.sha256).toString("hex")}\n`);
  } else {
    process.stderr.write("usage: npm run firmware -- keygen --out KEY.pem | sign --key KEY.pem [--in FILE] --version X.Y.Z [--min-version X.Y.Z] [--board node|esp32] --out IMAGE | inspect IMAGE\n");
    process.exit(2);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    main(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`npm run firmware: ${(e as Error).message}\n`);
    process.exit(1);
  }
}
