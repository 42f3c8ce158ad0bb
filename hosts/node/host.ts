/** The desktop simulator's Host: Node 20 built-ins, with pins backed by a simulated board. */
import crypto from "node:crypto";
import type { Crypto, FirmwareUpdate, Host, Link, LogLevel, TextCodec, Timer, Timers } from "../../src/host.ts";
import type { SimBoard } from "../../sim/board.ts";
import { NodeFiles } from "./files.ts";
import { NodeNet } from "./net.ts";

export interface NodeHostOptions {
  dataDir: string;
  board: SimBoard;
  unitId: string;
  /** Lowest level written to the log (default "info"). */
  logLevel?: LogLevel;
  /** Where log lines go (default: standard error). */
  logSink?: (line: string) => void;
  update?: FirmwareUpdate;
  /** The board's own network interface (simulated Wi-Fi); without, the PC's network is simply there. */
  link?: Link;
  /** What a restart does (the simulator starts its device again); without, the host cannot restart. */
  onRestart?: () => void;
}

const LEVELS: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

export const nodeTimers: Timers = {
  after<T>(ms: number, fn: (this: T) => void, target?: T): Timer {
    const t = setTimeout(() => fn.call(target as T), ms);
    return { cancel: () => clearTimeout(t) };
  },
  every<T>(ms: number, fn: (this: T) => void, target?: T): Timer {
    const t = setInterval(() => fn.call(target as T), Math.max(1, ms));
    return { cancel: () => clearInterval(t) };
  },
};

export const nodeCrypto: Crypto = {
  hash(algorithm) {
    const h = crypto.createHash(algorithm);
    const hasher = {
      update(data: Uint8Array) {
        h.update(data);
        return hasher;
      },
      digest: () => new Uint8Array(h.digest()),
    };
    return hasher;
  },
  verifyP256(publicKey, message, signature) {
    if (publicKey.length !== 65 || publicKey[0] !== 4 || signature.length !== 64) return false;
    try {
      // a JWK is the one import form that takes the bare coordinates, without building DER by hand
      const key = crypto.createPublicKey({
        format: "jwk",
        key: { kty: "EC", crv: "P-256", x: base64url(publicKey.subarray(1, 33)), y: base64url(publicKey.subarray(33)) },
      });
      return crypto.verify("sha256", message, { key, dsaEncoding: "ieee-p1363" }, signature);
    } catch {
      return false; // a point off the curve is refused by createPublicKey
    }
  },
  generateP256() {
    const jwk = crypto.generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey.export({ format: "jwk" });
    const point = (name: "x" | "y" | "d"): Buffer => Buffer.from(jwk[name]!, "base64url");
    return { privateKey: new Uint8Array(point("d")), publicKey: new Uint8Array(Buffer.concat([Buffer.from([4]), point("x"), point("y")])) };
  },
  signP256(privateKey, message) {
    const ecdh = crypto.createECDH("prime256v1");
    ecdh.setPrivateKey(Buffer.from(privateKey));
    const q = ecdh.getPublicKey();
    const key = crypto.createPrivateKey({ format: "jwk", key: { kty: "EC", crv: "P-256", d: base64url(privateKey), x: base64url(q.subarray(1, 33)), y: base64url(q.subarray(33)) } });
    return new Uint8Array(crypto.sign("sha256", message, { key, dsaEncoding: "ieee-p1363" }));
  },
};

function base64url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64url");
}

export const nodeText: TextCodec = {
  encode(text) {
    const b = Buffer.from(text, "utf8"); // lone surrogates become U+FFFD
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  },
  decode: (bytes, start, end) => Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString("utf8"),
};

export class NodeHost implements Host {
  readonly platform = "node";
  readonly timers = nodeTimers;
  readonly crypto = nodeCrypto;
  readonly text = nodeText;
  readonly files: NodeFiles;
  readonly net = new NodeNet();
  readonly pins: SimBoard;
  readonly unitId: string;
  readonly update: FirmwareUpdate | undefined;
  readonly link: Link | undefined;
  readonly restart: (() => void) | undefined;
  private readonly started = performance.now();
  private readonly minLevel: number;
  private readonly sink: (line: string) => void;

  readonly clock = {
    now: (): number => Date.now(),
    monotonic: (): number => Math.floor(performance.now() - this.started),
  };

  constructor(options: NodeHostOptions) {
    this.files = new NodeFiles(options.dataDir);
    this.pins = options.board;
    this.unitId = options.unitId;
    this.update = options.update;
    this.link = options.link;
    this.restart = options.onRestart;
    this.minLevel = LEVELS[options.logLevel ?? "info"];
    this.sink = options.logSink ?? ((line) => process.stderr.write(line + "\n"));
  }

  random(into: Uint8Array): void {
    crypto.randomFillSync(into);
  }

  log(level: LogLevel, message: string): void {
    if (LEVELS[level] >= this.minLevel) this.sink(`${new Date().toISOString()} ${level.padEnd(5)} ${message}`);
  }
}
