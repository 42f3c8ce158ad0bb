/**
 * The JANOS messages that move files and firmware (janos.md §5.6; `Firmware Write` and
 * `Firmware Status` are iobox's own, JANOS has none). Bytes travel as base64 in `Data`.
 *
 * File messages answer with their `… Response` and `Status` "Succeed" or "Fail" (with the reason in
 * `Detail`), as INTEG's clients read them; a path outside the unit's file area, or a private key
 * asked for, is a `403 Forbidden` Error like any refused message. A file's `Mod` is "": the unit's
 * flash keeps no modification times (JANOS gives "dd Mon yyyy HH:MM"; clients show it as text).
 */
import { fromBase64, toBase64 } from "../bytes.ts";
import { FileAreaError, type FileArea } from "../files/file-area.ts";
import { UpdateError, type FirmwareUpdater } from "../firmware/updater.ts";
import type { JanosSession } from "./session.ts";

type Message = Record<string, unknown>;

export interface TransferContext {
  readonly files: FileArea | undefined;
  readonly firmware: FirmwareUpdater | undefined;
  readonly version: string;
  reply(session: JanosSession, fields: Record<string, unknown>, meta: unknown): void;
  error(session: JanosSession, status: number, detail: string, meta?: unknown): void;
}

/** What every file message does with a failure: 403 for a place the client may not go, else its Response with Status "Fail". */
function fileOp(c: TransferContext, s: JanosSession, meta: unknown, response: Message, op: (files: FileArea) => Message | void): void {
  if (!c.files) return c.error(s, 501, "this unit keeps no files", meta);
  try {
    c.reply(s, { ...response, ...(op(c.files) ?? {}), Status: "Succeed" }, meta);
  } catch (e) {
    if (e instanceof FileAreaError && e.forbidden) return c.error(s, 403, e.message, meta);
    if (!(e instanceof FileAreaError || e instanceof RangeError)) throw e;
    c.reply(s, { ...response, Status: "Fail", Detail: e.message }, meta);
  }
}

const text = (m: Message, name: string): string => (typeof m[name] === "string" ? (m[name] as string) : "");
const count = (m: Message, name: string, otherwise: number): number => {
  const v = m[name];
  const n = typeof v === "string" && v.trim() !== "" ? Number(v) : v;
  return typeof n === "number" && Number.isInteger(n) && n >= 0 ? n : otherwise;
};

function bytesOf(m: Message): Uint8Array {
  const data = m.Data ?? "";
  if (typeof data !== "string") throw new FileAreaError('"Data" is base64 text');
  if (m.Encoding !== undefined && String(m.Encoding).toLowerCase() !== "base64") throw new FileAreaError('"Encoding" must be "base64"');
  try {
    return fromBase64(data.replace(/\s+/g, ""));
  } catch {
    throw new FileAreaError('"Data" is not base64');
  }
}

export function fileList(c: TransferContext, s: JanosSession, m: Message, meta: unknown): void {
  const folder = text(m, "Folder") || "/";
  fileOp(c, s, meta, { Message: "File List Response", Folder: folder }, (files) => {
    const free = files.bytesFree();
    return {
      Content: files.list(folder).map((e) => ({ Name: e.directory ? e.name + "/" : e.name, Size: e.size, Mod: "" })),
      ...(free === undefined ? {} : { BytesFree: free }),
    };
  });
}

export function fileRead(c: TransferContext, s: JanosSession, m: Message, meta: unknown): void {
  const file = text(m, "File");
  const offset = count(m, "Offset", 0);
  const limit = count(m, "Limit", Infinity);
  const extra: Message = m.RequestID !== undefined ? { RequestID: m.RequestID } : {};
  fileOp(c, s, meta, { Message: "File Read Response", File: file, ...extra }, (files) => {
    const { bytes, size } = files.read(file, offset, limit);
    return { Encoding: "base64", Data: toBase64(bytes), Size: size, NumRead: bytes.length, Offset: offset, Limit: Math.min(limit, files.limits.maxRead) };
  });
}

export function fileWrite(c: TransferContext, s: JanosSession, m: Message, meta: unknown): void {
  const file = text(m, "File");
  fileOp(c, s, meta, { Message: "File Write Response", File: file }, (files) => {
    const done = files.write(file, count(m, "Size", -1), bytesOf(m), m.Append === true || m.Append === "true");
    // configuration is read at boot: say so when it is in place
    return done && /^\/?(config|security|oauth2)\.json$/.test(file) ? { Applies: "at the next boot" } : undefined;
  });
}

export function fileRename(c: TransferContext, s: JanosSession, m: Message, meta: unknown): void {
  const from = text(m, "Old");
  const to = text(m, "New");
  fileOp(c, s, meta, { Message: "File Rename Response", Old: from, New: to }, (files) => {
    files.rename(from, to);
    return { Result: "Succeed" };
  });
}

export function fileRemove(c: TransferContext, s: JanosSession, m: Message, meta: unknown): void {
  const list = Array.isArray(m.Files) ? m.Files : typeof m.File === "string" ? [m.File] : [];
  fileOp(c, s, meta, { Message: "File Remove Response", Files: list }, (files) => {
    if (!list.length) throw new FileAreaError('"Files" lists the files to remove');
    for (const f of list) files.remove(String(f));
    return { Succeed: true };
  });
}

export function fileMkdir(c: TransferContext, s: JanosSession, m: Message, meta: unknown): void {
  const folder = text(m, "Folder");
  fileOp(c, s, meta, { Message: "File Mkdir Response", Folder: folder }, (files) => files.mkdir(folder));
}

/**
 * `{"Message":"Firmware Write","Offset":N,"Size":S,"Data":"<base64>"}`: a piece of a signed image
 * (src/firmware). Answered with the offset expected next; `Status` "Fail" and `Detail` when refused.
 */
export function firmwareWrite(c: TransferContext, s: JanosSession, m: Message, meta: unknown): void {
  const u = c.firmware;
  if (!u) return c.error(s, 501, "this unit takes no firmware", meta);
  const answer = (fields: Message): void => {
    const st = u.status();
    c.reply(s, { Message: "Firmware Write Response", Offset: st.offset, Size: st.size, State: st.state, ...fields }, meta);
  };
  try {
    const offset = count(m, "Offset", -1);
    if (offset < 0) throw new UpdateError(400, '"Offset" is where the piece starts in the image, in bytes');
    let data: Uint8Array;
    try {
      data = fromBase64(String(m.Data ?? ""));
    } catch {
      throw new UpdateError(400, '"Data" is not base64');
    }
    const next = u.write(offset, data, count(m, "Size", 0));
    answer({ Status: "Succeed", Offset: next });
  } catch (e) {
    if (!(e instanceof UpdateError)) throw e;
    answer({ Status: "Fail", Detail: e.message });
  }
}

export function firmwareStatus(c: TransferContext, s: JanosSession, _m: Message, meta: unknown): void {
  const u = c.firmware;
  const st = u?.status() ?? { state: "idle", offset: 0, size: 0, detail: "this unit takes no firmware" };
  c.reply(s, { Message: "Firmware Status Response", State: st.state, Offset: st.offset, Size: st.size, Detail: st.detail, Version: c.version }, meta);
}
