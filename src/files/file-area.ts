/**
 * The files a client may reach on the unit, as the JANOS file messages see them (janos.md §5.6),
 * confined to three places:
 *
 *   /config.json, /security.json, /oauth2.json   configuration, checked whole before it is kept;
 *                                                it takes effect at the next boot
 *   /certs/NAME.pem                               certificates and keys (PEM), checked; a key
 *                                                (a name with "key" in it) is never read back
 *   /files/...                                    anything, within a quota
 *
 * Nothing else is listed, read or written: the registry, the accounts and the unit's own state
 * stay behind their own messages. Paths are checked segment by segment (no `..`, no empty or hidden
 * names). A file is written in pieces into a temporary file and put in place atomically only when
 * all of it has arrived (and, for configuration and certificates, passed its check): a write cut
 * off half-way leaves the old file. Uploads in flight are limited and time out.
 */
import { parseOAuth2 } from "../auth/oauth2.ts";
import { parseSecurity } from "../auth/security.ts";
import { decodeUtf8 } from "../bytes.ts";
import { parseConfig } from "../config.ts";
import { checkFilePath } from "../file-path.ts";
import { CERTIFICATE_FILES, CONFIG_FILES, MAX_CERTIFICATE_BYTES, MAX_CONFIG_FILE_BYTES, readText } from "../flash-files.ts";
import type { FileEntry, Files, Host, Timer } from "../host.ts";
import { checkPem } from "./pem.ts";

export interface FileAreaLimits {
  /** Bytes one File Read returns at most (its base64 must fit one message). */
  maxRead: number;
  /** The /files folder: LittleFS blocks (4 KB) it may take (a folder takes two), and entries it may hold. */
  userBlocks: number;
  userEntries: number;
  /** Certificates and keys in /certs. */
  certificates: number;
  /** Uploads in flight at once. */
  maxUploads: number;
  /** An upload that hears nothing this long is dropped. */
  uploadIdleMs: number;
}

/** The device: within the flash layout's share (test/node/flash-layout.test.ts); reads fit a 4 KB message. */
export const DEVICE_FILES: FileAreaLimits = { maxRead: 2048, userBlocks: 4, userEntries: 4, certificates: CERTIFICATE_FILES, maxUploads: 1, uploadIdleMs: 60_000 };

export const SIMULATOR_FILES: FileAreaLimits = { maxRead: 48 * 1024, userBlocks: 1024, userEntries: 256, certificates: 16, maxUploads: 4, uploadIdleMs: 60_000 };

const BLOCK = 4096;
const PART = ".~part";
const MAX_DEPTH = 4;

/** Why a file operation failed; `forbidden` ones are a permission matter (JANOS 403), the rest "Fail". */
export class FileAreaError extends Error {
  constructor(
    message: string,
    readonly forbidden = false,
  ) {
    super(message);
  }
}

type Kind = "config" | "certificate" | "user";

interface Place {
  /** The path on the host's files. */
  path: string;
  kind: Kind;
}

interface Upload {
  path: string;
  kind: Kind;
  size: number;
  received: number;
  timer: Timer | undefined;
}

export class FileArea {
  private readonly uploads = new Map<string, Upload>();

  constructor(
    private readonly host: Host,
    readonly limits: FileAreaLimits,
    /** A file was put in place or removed (`path` as the host names it). */
    private readonly changed: (path: string, kind: Kind) => void = () => {},
  ) {}

  /** What a folder holds, as JANOS lists it: folders end in "/". */
  list(folder: string): FileEntry[] {
    const dir = normalize(folder, true);
    if (dir === "") {
      const entries: FileEntry[] = [];
      for (const name of CONFIG_FILES) {
        const size = this.host.files.size(name);
        if (size >= 0) entries.push({ name, size, directory: false });
      }
      for (const name of ["certs", "files"]) entries.push({ name, size: this.visible(name).length, directory: true });
      return entries;
    }
    this.place(dir, true);
    return this.visible(dir);
  }

  /** `length` bytes (at most `limits.maxRead`) from `offset`, and the file's size. */
  read(file: string, offset: number, length: number): { bytes: Uint8Array; size: number } {
    const { path, kind } = this.place(normalize(file), false);
    if (kind === "certificate" && isKey(path)) throw new FileAreaError("private keys are never read back", true);
    const size = this.host.files.size(path);
    if (size < 0) throw new FileAreaError(`${file}: no such file`);
    if (!(Number.isInteger(offset) && offset >= 0)) throw new FileAreaError("Offset must be a whole number of bytes");
    const n = Math.max(0, Math.min(length, this.limits.maxRead, size - offset));
    return { bytes: n ? this.host.files.read(path, offset, n)! : new Uint8Array(0), size };
  }

  /**
   * A piece of a write: `append` false starts the file (of `size` bytes in all), true continues it.
   * Returns whether the file is complete and in place.
   */
  write(file: string, size: number, data: Uint8Array, append: boolean): boolean {
    const place = this.place(normalize(file), false);
    const { path, kind } = place;
    let upload = this.uploads.get(path);
    if (!append) {
      if (upload) this.drop(upload);
      if (!(Number.isInteger(size) && size >= 0)) throw new FileAreaError("Size must be the file's length in bytes");
      this.checkRoom(place, size);
      if (this.uploads.size >= this.limits.maxUploads) throw new FileAreaError(`${this.limits.maxUploads} upload${this.limits.maxUploads > 1 ? "s are" : " is"} already under way; try again when ${this.limits.maxUploads > 1 ? "they end" : "it ends"}`);
      upload = { path, kind, size, received: 0, timer: undefined };
      this.uploads.set(path, upload);
      this.host.files.remove(path + PART);
      if (size === 0) this.host.files.write(path + PART, new Uint8Array(0));
    } else if (!upload) throw new FileAreaError(`no write of ${file} is under way: send its first piece without Append`);
    if (upload.received + data.length > upload.size) {
      this.drop(upload);
      throw new FileAreaError(`${file} is longer than its Size (${upload.size} bytes); the write is dropped`);
    }
    if (data.length) this.host.files.append(path + PART, data);
    upload.received += data.length;
    if (upload.received < upload.size) {
      upload.timer?.cancel();
      upload.timer = this.host.timers.after(this.limits.uploadIdleMs, () => this.drop(upload!), this);
      return false;
    }
    this.finish(upload, file);
    return true;
  }

  rename(from: string, to: string): void {
    const a = this.place(normalize(from), false);
    const b = this.place(normalize(to), false);
    if (a.kind === "config" || b.kind === "config") throw new FileAreaError("configuration files are replaced by File Write, not renamed");
    if (a.kind !== b.kind) throw new FileAreaError("a file stays in its folder's kind (certs or files)");
    if (this.host.files.size(a.path) < 0) throw new FileAreaError(`${from}: no such file`);
    if (a.path === b.path) return;
    if (this.host.files.size(b.path) < 0) this.checkEntries(b, 1);
    this.host.files.rename(a.path, b.path);
    this.changed(a.path, a.kind);
    this.changed(b.path, b.kind);
  }

  remove(file: string): void {
    const norm = normalize(file);
    const { path, kind } = this.place(norm, true);
    if (path === "certs" || path === "files") throw new FileAreaError(`/${path} stays`);
    if (this.host.files.size(path) >= 0) this.host.files.remove(path);
    else if (!this.host.files.rmdir(path)) throw new FileAreaError(`${file}: no such file or empty folder`);
    this.changed(path, kind);
  }

  mkdir(folder: string): void {
    const place = this.place(normalize(folder), true);
    if (place.kind !== "user") throw new FileAreaError("folders are made in /files only");
    if (!this.host.files.list(parent(place.path)).some((e) => e.name === base(place.path))) {
      this.checkEntries(place, 1);
      if (this.userBlocks("files") + 2 > this.limits.userBlocks) throw new FileAreaError(`/files holds ${this.limits.userBlocks * 4} KB, and a folder takes 8 KB of it`);
    }
    this.host.files.mkdir(place.path);
  }

  /** Bytes free for files, where the host can tell. */
  bytesFree(): number | undefined {
    const s = this.host.files.space?.();
    return s && Math.max(0, s.total - s.used);
  }

  /** Drops every upload (the unit is stopping). */
  close(): void {
    for (const u of [...this.uploads.values()]) this.drop(u);
  }

  private finish(upload: Upload, file: string): void {
    upload.timer?.cancel();
    this.uploads.delete(upload.path);
    const temp = upload.path + PART;
    if (upload.kind !== "user") {
      const bytes = this.host.files.read(temp) ?? new Uint8Array(0);
      try {
        check(this.host.files, upload.path, upload.kind, bytes);
      } catch (e) {
        this.host.files.remove(temp);
        throw new FileAreaError(`${file} is not taken, the one before stays: ${(e as Error).message}`);
      }
    }
    this.host.files.rename(temp, upload.path);
    this.host.log("info", `files: ${file} written (${upload.size} bytes)`);
    this.changed(upload.path, upload.kind);
  }

  private drop(upload: Upload): void {
    upload.timer?.cancel();
    this.uploads.delete(upload.path);
    try {
      this.host.files.remove(upload.path + PART);
    } catch {
      // the next write of the same file removes it
    }
  }

  /** Where a client's path leads, or why it may not go there. */
  private place(path: string, folder: boolean): Place {
    if (path === "") throw new FileAreaError(folder ? "the root holds only the configuration files and /certs and /files" : "that is a folder");
    try {
      checkFilePath(path);
    } catch (e) {
      throw new FileAreaError((e as Error).message);
    }
    const segments = path.split("/");
    for (const s of segments) if (s.startsWith(".") || s.endsWith(PART)) throw new FileAreaError(`"${s}": names do not start with a dot`);
    const top = segments[0]!;
    if (segments.length === 1 && (CONFIG_FILES as readonly string[]).includes(top)) return { path, kind: "config" };
    if (top === "certs") {
      if (segments.length === 1 && folder) return { path, kind: "certificate" };
      if (segments.length !== 2 || !segments[1]!.endsWith(".pem")) throw new FileAreaError("/certs holds PEM files (NAME.pem) only");
      return { path, kind: "certificate" };
    }
    if (top === "files") {
      if (segments.length > MAX_DEPTH) throw new FileAreaError(`at most ${MAX_DEPTH - 1} levels below /files`);
      return { path, kind: "user" };
    }
    throw new FileAreaError(`/${path} is outside the unit's file area (the configuration files, /certs, /files)`, true);
  }

  /** Listed entries of a folder, without pieces of uploads under way. */
  private visible(dir: string): FileEntry[] {
    return this.host.files.list(dir).filter((e) => !e.name.endsWith(PART));
  }

  private checkRoom(place: Place, size: number): void {
    const exists = this.host.files.size(place.path) >= 0;
    if (place.kind === "config" && size > MAX_CONFIG_FILE_BYTES) throw new FileAreaError(`a configuration file is at most ${MAX_CONFIG_FILE_BYTES} bytes`);
    if (place.kind === "certificate") {
      if (size > MAX_CERTIFICATE_BYTES) throw new FileAreaError(`a certificate or key is at most ${MAX_CERTIFICATE_BYTES} bytes`);
      if (!exists) this.checkEntries(place, 1);
    }
    if (place.kind === "user") {
      if (!exists) this.checkEntries(place, 1);
      const old = exists ? blocks(this.host.files.size(place.path)) : 0;
      const used = this.userBlocks("files") - old;
      if (used + blocks(size) > this.limits.userBlocks) throw new FileAreaError(`/files holds ${this.limits.userBlocks * 4} KB; ${used * 4} KB are taken and this file needs ${blocks(size) * 4} KB`);
    }
  }

  private checkEntries(place: Place, more: number): void {
    if (place.kind === "certificate" && this.visible("certs").length + more > this.limits.certificates) throw new FileAreaError(`/certs holds at most ${this.limits.certificates} files`);
    if (place.kind === "user" && this.countUser("files") + more > this.limits.userEntries) throw new FileAreaError(`/files holds at most ${this.limits.userEntries} files and folders`);
  }

  private userBlocks(dir: string): number {
    let n = 0;
    for (const e of this.visible(dir)) n += e.directory ? 2 + this.userBlocks(dir + "/" + e.name) : blocks(e.size);
    return n;
  }

  private countUser(dir: string): number {
    let n = 0;
    for (const e of this.visible(dir)) n += 1 + (e.directory ? this.countUser(dir + "/" + e.name) : 0);
    return n;
  }
}

/** A client's path ("/files/a.txt", "files/a.txt", "/certs/") as the host names it ("files/a.txt"). */
function normalize(path: string, folder = false): string {
  if (typeof path !== "string") throw new FileAreaError("a path must be a string");
  let p = path.startsWith("/") ? path.slice(1) : path;
  if (folder && p.endsWith("/")) p = p.slice(0, -1);
  return p;
}

function parent(path: string): string {
  const i = path.lastIndexOf("/");
  return i < 0 ? "" : path.slice(0, i);
}

function base(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

function isKey(path: string): boolean {
  return base(path).toLowerCase().includes("key");
}

const blocks = (bytes: number): number => Math.max(1, Math.ceil(bytes / BLOCK));

/**
 * A configuration file or certificate, checked whole; throws the reason. Files the configuration
 * names (security.json's TLS pair, oauth2.json's keys) must be on the unit already.
 */
function check(files: Files, path: string, kind: Kind, bytes: Uint8Array): void {
  const text = decodeUtf8(bytes, 0, bytes.length, true);
  if (kind === "certificate") return checkPem(text, isKey(path));
  const read = (p: string): string | undefined => {
    try {
      return readText(files, normalize(p));
    } catch {
      return undefined;
    }
  };
  if (path === "config.json") parseConfig(text);
  else if (path === "oauth2.json") parseOAuth2(text, "oauth2.json", read);
  else {
    const tls = parseSecurity(text, "security.json").tls;
    for (const p of tls ? [tls.certificatePath, tls.privateKeyPath] : []) if (read(p) === undefined) throw new RangeError(`security.json: TLS names ${p}, which is not on the unit: upload it first`);
  }
}
