/** Files under a data directory: atomic replace (temp file, fsync, rename, fsync the directory) and synced appends. */
import fs from "node:fs";
import path from "node:path";
import type { Files } from "../../src/host.ts";
import { checkFilePath } from "../../src/file-path.ts";

const TEMP_SUFFIX = ".~tmp";

export class NodeFiles implements Files {
  constructor(readonly root: string) {
    fs.mkdirSync(root, { recursive: true, mode: 0o700 });
  }

  read(name: string): Uint8Array | undefined {
    try {
      const buf = fs.readFileSync(this.resolve(name));
      return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw e;
    }
  }

  write(name: string, data: Uint8Array): void {
    const target = this.resolve(name);
    const dir = this.ensureDir(target);
    const temp = target + TEMP_SUFFIX;
    writeSynced(temp, "w", data);
    fs.renameSync(temp, target);
    syncDir(dir);
  }

  append(name: string, data: Uint8Array): void {
    const target = this.resolve(name);
    const dir = this.ensureDir(target);
    const created = !fs.existsSync(target);
    writeSynced(target, "a", data);
    if (created) syncDir(dir);
  }

  remove(name: string): void {
    const target = this.resolve(name);
    try {
      fs.unlinkSync(target);
      syncDir(path.dirname(target));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
    }
  }

  size(name: string): number {
    try {
      return fs.statSync(this.resolve(name)).size;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return -1;
      throw e;
    }
  }

  list(dir: string): string[] {
    checkFilePath(dir, true);
    try {
      return fs
        .readdirSync(path.join(this.root, dir), { withFileTypes: true })
        .filter((d) => d.isFile() && !d.name.endsWith(TEMP_SUFFIX))
        .map((d) => d.name)
        .sort();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw e;
    }
  }

  private resolve(name: string): string {
    checkFilePath(name);
    return path.join(this.root, name);
  }

  private ensureDir(target: string): string {
    const dir = path.dirname(target);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    return dir;
  }
}

/** Writes all of `data` ("w" replaces, "a" appends) and fsyncs before returning. */
function writeSynced(file: string, flags: "w" | "a", data: Uint8Array): void {
  const fd = fs.openSync(file, flags, 0o600);
  try {
    for (let off = 0; off < data.length; ) off += fs.writeSync(fd, data, off, data.length - off);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function syncDir(dir: string): void {
  const fd = fs.openSync(dir, "r");
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
