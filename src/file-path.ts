/** The one rule every host applies to file paths, so that no path escapes the data directory. */

const MAX_PATH = 64; // LittleFS on the device allows 255; short paths keep the journal records small

/** Throws a RangeError unless `path` is relative, `/`-separated, and free of empty, `.` and `..` segments. */
export function checkFilePath(path: string, allowRoot = false): void {
  if (path === "" && allowRoot) return;
  if (path.length === 0 || path.length > MAX_PATH) throw new RangeError("bad file path length: " + JSON.stringify(path));
  for (const segment of path.split("/")) {
    if (segment === "" || segment === "." || segment === "..") throw new RangeError("bad file path: " + JSON.stringify(path));
    for (let i = 0; i < segment.length; i++) {
      const c = segment.charCodeAt(i);
      if (c < 0x20 || c === 0x5c || c === 0x7f) throw new RangeError("bad file path: " + JSON.stringify(path));
    }
  }
}
