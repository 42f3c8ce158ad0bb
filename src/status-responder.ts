/**
 * A minimal HTTP/1.1 responder: it reads one request head (bounded in size and time), answers with
 * the device status as JSON, and closes. It stands in until the real HTTP server lands.
 */
import { decodeLatin1, encodeAscii, encodeUtf8 } from "./bytes.ts";
import type { Connection, Host, Timer } from "./host.ts";

const MAX_HEAD = 8192;
const HEAD_TIMEOUT_MS = 10_000;

export function serveStatus(host: Host, connection: Connection, status: () => unknown): void {
  const head = new Uint8Array(MAX_HEAD);
  let length = 0;
  let done = false;
  const timer: Timer = host.timers.after(HEAD_TIMEOUT_MS, () => reply(408, "Request Timeout", undefined, false));

  function reply(code: number, reason: string, body: unknown, withBody: boolean): void {
    if (done) return;
    done = true;
    timer.cancel();
    connection.onData = undefined;
    const payload = body === undefined ? encodeAscii(reason + "\n") : encodeUtf8(JSON.stringify(body) + "\n");
    const type = body === undefined ? "text/plain" : "application/json";
    connection.write(
      encodeAscii(
        `HTTP/1.1 ${code} ${reason}\r\nContent-Type: ${type}\r\nContent-Length: ${payload.length}\r\n` +
          (code === 405 ? "Allow: GET, HEAD\r\n" : "") +
          "Cache-Control: no-store\r\nConnection: close\r\n\r\n",
      ),
    );
    if (withBody) connection.write(payload);
    connection.close();
  }

  connection.onClose = () => timer.cancel();
  connection.onData = (bytes) => {
    const room = MAX_HEAD - length;
    head.set(bytes.subarray(0, room), length);
    const scanFrom = Math.max(0, length - 3);
    length += Math.min(room, bytes.length);
    const end = indexOfBlankLine(head, scanFrom, length);
    if (end < 0) {
      if (length >= MAX_HEAD) reply(431, "Request Header Fields Too Large", undefined, true);
      return;
    }
    const lineEnd = head.indexOf(13);
    const [method, target, version] = decodeLatin1(head, 0, lineEnd).split(" ");
    if (!version || !version.startsWith("HTTP/1.")) return reply(400, "Bad Request", undefined, true);
    if (method !== "GET" && method !== "HEAD") return reply(405, "Method Not Allowed", undefined, true);
    if (target !== "/" && target !== "/status") return reply(404, "Not Found", undefined, method === "GET");
    reply(200, "OK", status(), method === "GET");
  };
}

function indexOfBlankLine(b: Uint8Array, from: number, to: number): number {
  for (let i = from; i + 3 < to; i++) {
    if (b[i] === 13 && b[i + 1] === 10 && b[i + 2] === 13 && b[i + 3] === 10) return i;
  }
  return -1;
}
