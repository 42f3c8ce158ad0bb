/**
 * Firmware over the air, one implementation for every way in (the JANOS `Firmware Write` message,
 * `PUT /api/firmware`, the web UI's Update tab): an image (image.ts) arrives in pieces at offsets,
 * its header is checked and its signature verified before a byte of the payload is written, the
 * payload is hashed as it is written into the inactive slot, and the slot becomes the boot slot only
 * when the hash matches. Then the unit restarts into it, on probation (probation.ts).
 *
 * Resumable: pieces are acknowledged with the offset expected next, and the upload lives in the
 * unit, not in a connection, so a client whose connection dropped asks where it got to and goes
 * on. A piece at an offset already received is acknowledged again; one beyond it is refused. An
 * upload that hears nothing for five minutes is dropped.
 *
 * Live keys every client sees: `Firmware/$State`, `Firmware/$Progress` (percent) and
 * `Firmware/$Detail` (why, which version).
 */
import { equalBytes } from "../bytes.ts";
import type { Hasher, Host, Timer } from "../host.ts";
import type { LiveValues, Registry } from "../registry/registry.ts";
import { compareVersions, HEADER_LENGTH, ImageError, parseHeader, parseVersion, versionText, type ImageHeader } from "./image.ts";

export type UpdateState = "idle" | "receiving" | "installed" | "failed" | "probation" | "confirmed" | "rolled back";

const IDLE_MS = 5 * 60_000;

/** Why a piece was refused; `status` is the HTTP status that says it. */
export class UpdateError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface UpdaterOptions {
  /** The release key, a P-256 point (65 bytes, uncompressed); without one every image is refused. */
  publicKey: Uint8Array | undefined;
  /** The board family images must be built for ("esp32", "node"). */
  board: string;
  /** The running firmware's version. */
  version: string;
}

export interface UpdateStatus {
  state: UpdateState;
  /** Bytes of the image received (the offset the next piece starts at). */
  offset: number;
  /** The image's size, once known; 0 before. */
  size: number;
  detail: string;
}

export class FirmwareUpdater implements LiveValues {
  private state: UpdateState = "idle";
  private detail = "";
  private received = 0;
  private size = 0;
  private header: Uint8Array | undefined;
  private image: ImageHeader | undefined;
  private hasher: Hasher | undefined;
  private idle: Timer | undefined;
  private percent = -1;
  private readonly running;

  constructor(
    private readonly host: Host,
    private readonly registry: Registry,
    private readonly options: UpdaterOptions,
    /** Restarts the unit into the installed image (after the answer to the last piece has gone out); false where it cannot restart itself. */
    private readonly installed: () => boolean,
  ) {
    this.running = parseVersion(options.version);
    registry.provide(this);
  }

  liveValue(key: string): string | undefined {
    switch (key) {
      case "firmware/$state":
        return this.state;
      case "firmware/$progress":
        return this.state === "receiving" && this.size ? String(Math.floor((this.received * 100) / this.size)) : "";
      case "firmware/$detail":
        return this.detail;
      default:
        return undefined;
    }
  }

  liveKeys(): string[] {
    return ["Firmware/$State", "Firmware/$Progress", "Firmware/$Detail"];
  }

  status(): UpdateStatus {
    return { state: this.state, offset: this.state === "receiving" ? this.received : 0, size: this.state === "receiving" ? this.size : 0, detail: this.detail };
  }

  /** For probation.ts: the state after the boot (probation, confirmed, rolled back). */
  set(state: UpdateState, detail: string): void {
    this.state = state;
    this.detail = detail;
    this.registry.notify("Firmware/$State");
    this.registry.notify("Firmware/$Detail");
  }

  /**
   * `bytes` at `offset` of an image of `size` bytes (0 when the sender does not know it: the header
   * says). Offset 0 starts an upload (dropping one under way). Returns the offset expected next.
   * Throws UpdateError with the reason; a refused image ends its upload, a piece at the wrong offset
   * does not.
   */
  write(offset: number, bytes: Uint8Array, size = 0): number {
    const update = this.host.update;
    if (!update) throw new UpdateError(501, "this unit cannot update its firmware");
    if (!Number.isInteger(offset) || offset < 0) throw new UpdateError(400, "the offset must be a whole number of bytes");
    if (offset === 0) this.start(size);
    else if (this.state !== "receiving") throw new UpdateError(409, "no upload is under way: start at offset 0");
    else if (offset > this.received) throw new UpdateError(409, `the upload is at offset ${this.received}, not ${offset}`);
    if (size && this.size && size !== this.size) return this.fail(400, `the image is ${this.size} bytes, not ${size}`);
    this.touch();
    let at = this.received - offset; // bytes of this piece already received
    if (at >= bytes.length) return this.received;
    try {
      if (this.received < HEADER_LENGTH) {
        const n = Math.min(HEADER_LENGTH - this.received, bytes.length - at);
        this.header!.set(bytes.subarray(at, at + n), this.received);
        this.received += n;
        at += n;
        if (this.received === HEADER_LENGTH) this.accept(parseHeader(this.header!));
      }
      if (at < bytes.length) {
        const piece = bytes.subarray(at);
        if (this.received + piece.length > this.size) return this.fail(400, `the image is longer than its header says (${this.size} bytes)`);
        update.write(piece);
        this.hasher!.update(piece);
        this.received += piece.length;
      }
    } catch (e) {
      if (e instanceof UpdateError) throw e;
      return this.fail(e instanceof ImageError ? 400 : 500, (e as Error).message);
    }
    if (this.received === this.size && this.image) this.finish();
    else this.progress();
    return this.received;
  }

  /** Drops an upload under way (a client gave up), keeping the running image. */
  abandon(reason: string): void {
    if (this.state === "receiving") this.end("failed", reason);
  }

  close(): void {
    this.abandon("the unit stopped");
    this.idle?.cancel();
  }

  private start(size: number): void {
    if (this.state === "receiving") this.host.update!.abort();
    this.state = "receiving";
    this.detail = "";
    this.received = 0;
    this.size = size;
    this.header = new Uint8Array(HEADER_LENGTH);
    this.image = undefined;
    this.hasher = undefined;
    this.percent = -1;
    this.registry.notify("Firmware/$State");
    this.registry.notify("Firmware/$Detail");
  }

  /** The header is in: everything about the image but its payload is checked here. */
  private accept(h: ImageHeader): void {
    const { publicKey, board } = this.options;
    const image = `${versionText(h.version)} for ${h.board || "no board"}`;
    if (h.board !== board) this.fail(400, `the image is for ${h.board || "no board"}, this unit is ${board}`);
    if (this.size && this.size !== HEADER_LENGTH + h.payloadLength) this.fail(400, `the image's header says ${HEADER_LENGTH + h.payloadLength} bytes, the upload ${this.size}`);
    if (h.payloadLength === 0) this.fail(400, "the image is empty");
    if (h.payloadLength > this.host.update!.capacity) this.fail(413, `the image's ${h.payloadLength} bytes do not fit the ${this.host.update!.capacity}-byte slot`);
    if (compareVersions(h.version, this.running) < 0) this.fail(409, `${image} is older than the running ${versionText(this.running)}: no downgrades`);
    if (compareVersions(this.running, h.minVersion) < 0) this.fail(409, `${image} replaces ${versionText(h.minVersion)} or later; this unit runs ${versionText(this.running)}`);
    if (!publicKey) this.fail(403, "this build has no release key: it takes no firmware (build it with IOBOX_FIRMWARE_KEY)");
    if (!this.host.crypto.verifyP256(publicKey!, h.signed, h.signature)) this.fail(403, `${image}: the signature is not the release key's`);
    this.image = h;
    this.size = HEADER_LENGTH + h.payloadLength;
    this.detail = image;
    this.host.update!.begin(h.payloadLength);
    this.hasher = this.host.crypto.hash("sha256");
    this.host.log("info", `firmware: receiving ${image} (${h.payloadLength} bytes, signature good)`);
  }

  private finish(): void {
    const image = this.image!;
    const digest = this.hasher!.digest();
    this.hasher = undefined;
    if (!equalBytes(digest, image.sha256)) this.fail(400, `${versionText(image.version)}: the payload is damaged (its SHA-256 is not the signed one)`);
    try {
      this.host.update!.commit();
    } catch (e) {
      this.fail(500, `the slot could not be made bootable: ${(e as Error).message}`);
    }
    const restarting = this.installed();
    this.end("installed", `${versionText(image.version)} installed; ${restarting ? "restarting into it" : "it runs after the unit restarts"}`);
    this.host.log("warn", `firmware: ${this.detail}`);
  }

  /** Ends the upload as refused, and throws the reason to the sender. */
  private fail(status: number, reason: string): never {
    if (this.state === "receiving") {
      try {
        this.host.update!.abort();
      } catch {
        // the slot is abandoned either way
      }
      this.end("failed", reason);
      this.host.log("warn", `firmware: refused: ${reason}`);
    }
    throw new UpdateError(status, reason);
  }

  private end(state: UpdateState, detail: string): void {
    this.idle?.cancel();
    this.idle = undefined;
    this.header = undefined;
    this.hasher = undefined;
    if (state === "failed") this.image = undefined;
    this.set(state, detail);
    this.registry.notify("Firmware/$Progress");
  }

  private touch(): void {
    this.idle?.cancel();
    this.idle = this.host.timers.after(IDLE_MS, this.idleDue, this);
  }

  private idleDue(): void {
    this.idle = undefined;
    if (this.state !== "receiving") return;
    this.host.update!.abort();
    this.end("failed", `abandoned: nothing received for ${IDLE_MS / 60_000} minutes`);
  }

  /** $Progress changes by whole percents: at most a hundred updates per image. */
  private progress(): void {
    const p = this.size ? Math.floor((this.received * 100) / this.size) : 0;
    if (p === this.percent) return;
    this.percent = p;
    this.registry.notify("Firmware/$Progress");
  }
}
