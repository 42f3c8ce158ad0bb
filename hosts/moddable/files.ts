/**
 * Files over Moddable's `file` module on LittleFS. LittleFS is copy-on-write: a rename replaces its
 * target atomically and a closed file is on flash, which is what the Files contract promises.
 * (SPIFFS cannot rename over an existing file, so iobox requires LittleFS.)
 */
import { Directory, File, Iterator, System } from "file";
import config from "mc/config";
import type { FileEntry, Files } from "../../src/host.ts";
import { checkFilePath } from "../../src/file-path.ts";

const TEMP_SUFFIX = ".~tmp";

export class ModdableFiles implements Files {
  private readonly root: string;

  constructor(subdirectory = "iobox") {
    this.root = config.file.root + subdirectory + "/";
    mkdirs(this.root);
  }

  read(path: string, offset = 0, length = Infinity): Uint8Array | undefined {
    const full = this.resolve(path);
    if (!File.exists(full)) return undefined;
    const f = new File(full);
    try {
      const n = Math.max(0, Math.min(length, f.length - offset));
      if (n === 0) return new Uint8Array(0); // the file module throws reading at the end
      f.position = offset;
      return new Uint8Array(f.read(ArrayBuffer, n));
    } finally {
      f.close();
    }
  }

  write(path: string, data: Uint8Array): void {
    const full = this.resolve(path);
    const temp = full + TEMP_SUFFIX;
    this.ensureParent(full);
    File.delete(temp); // the file module opens for writing without truncating
    const f = new File(temp, true);
    try {
      f.write(data as unknown as ArrayBuffer);
    } finally {
      f.close(); // lfs_file_close syncs
    }
    if (!File.rename(temp, full)) throw new Error("rename failed: " + path);
  }

  append(path: string, data: Uint8Array): void {
    const full = this.resolve(path);
    this.ensureParent(full);
    const f = new File(full, true);
    try {
      f.position = f.length;
      f.write(data as unknown as ArrayBuffer);
    } finally {
      f.close();
    }
  }

  remove(path: string): void {
    File.delete(this.resolve(path));
  }

  size(path: string): number {
    const full = this.resolve(path);
    if (!File.exists(full)) return -1;
    const f = new File(full);
    try {
      return f.length;
    } finally {
      f.close();
    }
  }

  list(dir: string): FileEntry[] {
    checkFilePath(dir, true);
    const entries: FileEntry[] = [];
    const at = this.root + (dir ? dir + "/" : "");
    for (const e of this.entries(at)) {
      if (e.length !== undefined) entries.push({ name: e.name, size: e.length, directory: false });
      else entries.push({ name: e.name, size: this.entries(at + e.name + "/").length, directory: true });
    }
    return entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  rename(from: string, to: string): void {
    const target = this.resolve(to);
    this.ensureParent(target);
    // a full path moves across directories; LittleFS replaces an existing target in one commit
    if (!File.rename(this.resolve(from), target)) throw new Error(`rename failed: ${from} to ${to}`);
  }

  mkdir(dir: string): void {
    mkdirs(this.resolve(dir) + "/");
  }

  rmdir(dir: string): boolean {
    const full = this.resolve(dir);
    if (this.entries(full + "/").length) return false;
    return File.delete(full); // LittleFS removes an empty directory this way
  }

  space(): { used: number; total: number } | undefined {
    try {
      return System.info();
    } catch {
      return undefined;
    }
  }

  /** A directory's entries without ".", "..", and temporary files. */
  private entries(at: string): { name: string; length: number | undefined }[] {
    const out: { name: string; length: number | undefined }[] = [];
    let it: Iterator;
    try {
      it = new Iterator(at);
    } catch {
      return out;
    }
    for (let e = it.next(); e; e = it.next()) {
      if (e.name === "." || e.name === ".." || e.name.endsWith(TEMP_SUFFIX)) continue;
      out.push({ name: e.name, length: e.length });
    }
    return out;
  }

  private resolve(path: string): string {
    checkFilePath(path);
    return this.root + path;
  }

  private ensureParent(full: string): void {
    const slash = full.lastIndexOf("/");
    if (slash > this.root.length) mkdirs(full.slice(0, slash + 1));
  }
}

function mkdirs(path: string): void {
  let at = path.indexOf("/", 1);
  while (at > 0) {
    Directory.create(path.slice(0, at)); // LittleFS ignores an existing directory
    at = path.indexOf("/", at + 1);
  }
}
