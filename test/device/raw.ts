/**
 * Bytes to the device image over plain TCP, as a hostile or broken client sends them: no protocol
 * library in the way. Each exchange ends when the device closes, or when it has said nothing for
 * `quietMs`, or after `maxMs`; what it answered comes back.
 */
import net from "node:net";

export interface RawOptions {
  /** The device said nothing for this long: done (default 200 ms). */
  quietMs?: number;
  /** The longest an exchange lasts (default 5 s). */
  maxMs?: number;
  /** Half-close after writing (FIN), as a client that has said all it will. */
  end?: boolean;
  /** Connect from this loopback address (another client to the device's per-address rules). */
  from?: string;
}

export function rawExchange(port: number, bytes: Uint8Array | string, o: RawOptions = {}): Promise<Buffer> {
  const quietMs = o.quietMs ?? 200;
  return new Promise((resolve) => {
    const got: Buffer[] = [];
    const socket = net.connect({ port, host: "127.0.0.1", noDelay: true, localAddress: o.from });
    let quiet: NodeJS.Timeout | undefined;
    const done = (): void => {
      clearTimeout(quiet);
      clearTimeout(limit);
      socket.destroy();
      resolve(Buffer.concat(got));
    };
    const limit = setTimeout(done, o.maxMs ?? 5000);
    const rearm = (): void => {
      clearTimeout(quiet);
      quiet = setTimeout(done, quietMs);
    };
    socket.on("connect", () => {
      socket.write(bytes, () => {
        if (o.end) socket.end();
        rearm();
      });
    });
    socket.on("data", (d) => {
      got.push(d);
      rearm();
    });
    socket.on("close", done);
    socket.on("error", done);
  });
}

/** Opens `n` connections at once and resolves when every one is open or refused. */
export function openMany(port: number, n: number): Promise<net.Socket[]> {
  return Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<net.Socket>((resolve) => {
          const s = net.connect({ port, host: "127.0.0.1" });
          s.on("error", () => {});
          s.once("connect", () => resolve(s));
          s.once("close", () => resolve(s));
        }),
    ),
  );
}

/** A JMP frame: `[N,json]` with N the byte length of the JSON. */
export function jmpFrame(json: string): Buffer {
  const body = Buffer.from(json, "utf8");
  return Buffer.concat([Buffer.from(`[${body.length},`), body, Buffer.from("]")]);
}

/** JSON nested `depth` arrays deep: `[[[…]]]`. */
export function deepArray(depth: number): string {
  return "[".repeat(depth) + "]".repeat(depth);
}
