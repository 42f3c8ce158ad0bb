/**
 * Load generators on raw sockets, lean so that the server (in another process) is what limits:
 * closed-loop keep-alive HTTP GETs, and WebSocket echo with a window of messages in flight.
 */
import net from "node:net";

const HEADER_END = Buffer.from("\r\n\r\n");

/** `connections` keep-alive connections, each sending its next GET when the previous answer is whole. */
export function httpLoad(port: number, connections: number, ms: number): Promise<number> {
  const request = Buffer.from(`GET /hello HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
  let done = 0;
  let stop = false;
  const sockets: net.Socket[] = [];
  return new Promise((resolve) => {
    for (let i = 0; i < connections; i++) {
      const s = net.connect({ port, host: "127.0.0.1", noDelay: true });
      let buf: Buffer = Buffer.alloc(0);
      s.on("connect", () => s.write(request));
      s.on("data", (d: Buffer) => {
        buf = buf.length ? Buffer.concat([buf, d]) : d;
        for (;;) {
          const end = buf.indexOf(HEADER_END);
          if (end < 0) break;
          const head = buf.toString("latin1", 0, end);
          const m = /content-length: *(\d+)/i.exec(head);
          const total = end + 4 + (m ? Number(m[1]) : 0);
          if (buf.length < total) break;
          buf = buf.subarray(total);
          done++;
          if (!stop) s.write(request);
        }
      });
      s.on("error", () => {});
      sockets.push(s);
    }
    setTimeout(() => {
      stop = true;
      for (const s of sockets) s.destroy();
      resolve((done * 1000) / ms);
    }, ms);
  });
}

/** `clients` WebSockets, each keeping `window` text messages of `size` bytes in flight. */
export function wsLoad(port: number, clients: number, window: number, size: number, ms: number): Promise<number> {
  const payload = Buffer.from(JSON.stringify({ Message: "Monitor", pad: "x".repeat(Math.max(0, size - 28)) }).slice(0, size));
  const mask = Buffer.from([0x12, 0x34, 0x56, 0x78]);
  const frame = Buffer.alloc(2 + 4 + payload.length);
  frame[0] = 0x81;
  frame[1] = 0x80 | payload.length;
  mask.copy(frame, 2);
  for (let i = 0; i < payload.length; i++) frame[6 + i] = payload[i]! ^ mask[i & 3]!;
  const burst = Buffer.concat(Array(window).fill(frame));
  const handshake = Buffer.from(`GET /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`);
  let done = 0;
  let stop = false;
  let started = 0;
  const sockets: net.Socket[] = [];
  return new Promise((resolve) => {
    const begin = (): void => {
      setTimeout(() => {
        stop = true;
        for (const s of sockets) s.destroy();
        resolve((done * 1000) / ms);
      }, ms);
    };
    for (let i = 0; i < clients; i++) {
      const s = net.connect({ port, host: "127.0.0.1", noDelay: true });
      let buf: Buffer = Buffer.alloc(0);
      let open = false;
      s.on("connect", () => s.write(handshake));
      s.on("data", (d: Buffer) => {
        buf = buf.length ? Buffer.concat([buf, d]) : d;
        if (!open) {
          const end = buf.indexOf(HEADER_END);
          if (end < 0) return;
          open = true;
          buf = buf.subarray(end + 4);
          if (++started === clients) {
            for (const x of sockets) x.write(burst);
            begin();
          }
        }
        let replies = 0;
        let p = 0;
        while (buf.length - p >= 2) {
          let len = buf[p + 1]! & 0x7f;
          let h = 2;
          if (len === 126) {
            if (buf.length - p < 4) break;
            len = buf.readUInt16BE(p + 2);
            h = 4;
          }
          if (buf.length - p < h + len) break;
          p += h + len;
          replies++;
        }
        buf = buf.subarray(p);
        done += replies;
        if (!stop && replies) s.write(replies === window ? burst : Buffer.concat(Array(replies).fill(frame)));
      });
      s.on("error", () => {});
      sockets.push(s);
    }
  });
}
