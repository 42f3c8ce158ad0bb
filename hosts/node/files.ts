/** Files under a data directory: atomic replace (temp file, fsync, rename, fsync the directory) and synced appends. */
import fs from "node:fs";
import path from "node:path";
import type { FileEntry, Files } from "../../src/host.ts";
import { checkFilePath } from "../../src/file-path.ts";

const TEMP_SUFFIX = ".~tmp";

export class NodeFiles implements Files {
  constructor(readonly root: string) {
    fs.mkdirSync(root, { recursive: true, mode: 0o700 });
  }

  read(name: string, offset = 0, length = Infinity): Uint8Array | undefined {
    try {
      if (offset === 0 && length === Infinity) {
        const buf = fs.readFileSync(this.resolve(name));
        return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
      }
      const fd = fs.openSync(this.resolve(name), "r");
      try {
        const size = fs.fstatSync(fd).size;
        const out = new Uint8Array(Math.max(0, Math.min(length, size - offset)));
        for (let got = 0; got < out.length; ) {
          const n = fs.readSync(fd, out, got, out.length - got, offset + got);
          if (n === 0) return out.subarray(0, got);
          got += n;
        }
        return out;
      } finally {
        fs.closeSync(fd);
      }
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

  list(dir: string): FileEntry[] {
    checkFilePath(dir, true);
    const at = path.join(this.root, dir);
    try {
      return fs
        .readdirSync(at, { withFileTypes: true })
        .filter((d) => (d.isFile() && !d.name.endsWith(TEMP_SUFFIX)) || d.isDirectory())
        .map((d) => ({ name: d.name, directory: d.isDirectory(), size: d.isDirectory() ? fs.readdirSync(path.join(at, d.name)).length : fs.statSync(path.join(at, d.name)).size }))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw e;
    }
  }

  rename(from: string, to: string): void {
    const target = this.resolve(to);
    const dir = this.ensureDir(target);
    fs.renameSync(this.resolve(from), target);
    syncDir(dir);
  }

  mkdir(dir: string): void {
    fs.mkdirSync(this.resolve(dir), { recursive: true, mode: 0o700 });
  }

  rmdir(dir: string): boolean {
    try {
      fs.rmdirSync(this.resolve(dir));
      return true;
    } catch {
      return false;
    }
  }

  space(): { used: number; total: number } | undefined {
    try {
      const s = fs.statfsSync(this.root);
      return { used: (s.blocks - s.bfree) * s.bsize, total: s.blocks * s.bsize };
    } catch {
      return undefined;
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
