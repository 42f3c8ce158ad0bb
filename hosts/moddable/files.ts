/**
 * Files over Moddable's `file` module on LittleFS. LittleFS is copy-on-write: a rename replaces its
 * target atomically and a closed file is on flash, which is what the Files contract promises.
 * (SPIFFS cannot rename over an existing file, so iobox requires LittleFS.)
 */
import { Directory, File, Iterator } from "file";
import config from "mc/config";
import type { Files } from "../../src/host.ts";
import { checkFilePath } from "../../src/file-path.ts";

const TEMP_SUFFIX = ".~tmp";

export class ModdableFiles implements Files {
  private readonly root: string;

  constructor(subdirectory = "iobox") {
    this.root = config.file.root + subdirectory + "/";
    mkdirs(this.root);
  }

  read(path: string): Uint8Array | undefined {
    const full = this.resolve(path);
    if (!File.exists(full)) return undefined;
    const f = new File(full);
    try {
      return new Uint8Array(f.read(ArrayBuffer));
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

  list(dir: string): string[] {
    checkFilePath(dir, true);
    const names: string[] = [];
    let it: Iterator;
    try {
      it = new Iterator(this.root + (dir ? dir + "/" : ""));
    } catch {
      return names;
    }
    for (let entry = it.next(); entry; entry = it.next()) {
      if (entry.length !== undefined && !entry.name.endsWith(TEMP_SUFFIX)) names.push(entry.name);
    }
    return names.sort();
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
