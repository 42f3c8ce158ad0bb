/**
 * Starts an xsnap worker (the real XS engine, compiled from Moddable's sources at install).
 * Import only from a process of its own: @endo/init locks down the realm that loads it.
 */
import "@endo/init";
import { xsnap, type XSnap } from "@agoric/xsnap";
import { spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import fsp from "node:fs/promises";
import os from "node:os";
import path from "node:path";

/** `onReport` gets each JSON message the script sends through `issueCommand`. */
export function startXsWorker(name: string, onReport: (message: unknown) => void): Promise<XSnap> {
  const decoder = new TextDecoder();
  return xsnap({
    os: os.type(),
    spawn,
    // tmpName is only used for snapshots, which these runs do not take
    fs: { ...fs, ...fsp, tmpName: (_o: unknown, cb: (e: null, p: string) => void) => cb(null, path.join(os.tmpdir(), "xsnap-" + crypto.randomUUID())) },
    name,
    meteringLimit: 0,
    stdout: "inherit",
    stderr: "inherit",
    handleCommand: async (bytes: Uint8Array) => {
      onReport(JSON.parse(decoder.decode(bytes)));
      return new Uint8Array(0);
    },
  });
}
