/**
 * MQTT 3.1.1 packets through `mqtt-packet`, the codec the project uses, with what a device needs
 * around it: a bounded framer, so that a broker announcing a 256 MB packet is refused at its fixed
 * header instead of being buffered, and whole packets handed to the parser one at a time.
 *
 * On the device `mqtt-packet` runs over small shims for the Node modules it imports
 * (hosts/shims/); its number cache is switched off here, because filling it makes 65,536 two-byte
 * buffers on first use: megabytes on an ESP32.
 */
import { generate, parser, writeToStream, type Packet, type Parser } from "mqtt-packet";

writeToStream.cacheNumbers = false;

export type { Packet };

export class MqttProtocolError extends Error {}
Object.defineProperty(MqttProtocolError.prototype, "name", { value: "MqttProtocolError" });

export function encodePacket(packet: Packet): Uint8Array {
  return generate(packet);
}

/** Packets that carry a packet identifier (a PUBLISH only at QoS 1 and 2). */
const WITH_ID = new Set(["puback", "pubrec", "pubrel", "pubcomp", "subscribe", "suback", "unsubscribe", "unsuback"]);

/**
 * MQTT 3.1.1 §2.3.1: a packet identifier is non-zero. mqtt-packet 9 gives -1 for one cut short by
 * the packet's end (it checks for null), which would make our PUBACK throw: both are refused here.
 */
function idProblem(p: Packet): string | undefined {
  if (!WITH_ID.has(p.cmd) && !(p.cmd === "publish" && p.qos > 0)) return undefined;
  const id = (p as { messageId?: number }).messageId;
  return typeof id === "number" && id >= 1 && id <= 0xffff ? undefined : `a ${p.cmd} without a packet identifier (1 to 65535)`;
}

/** Remaining lengths MQTT 3.1.1 fixes, by packet type: CONNACK, the acks, UNSUBACK, the pings, DISCONNECT. */
const FIXED_LENGTH: Record<number, number> = { 2: 2, 4: 2, 5: 2, 6: 2, 7: 2, 11: 2, 12: 0, 13: 0, 14: 0 };

const HEADER = 0; // the fixed header's first byte
const LENGTH = 1; // the remaining length, 1 to 4 bytes of 7 bits
const BODY = 2;

/** The receive side of one MQTT connection: bytes in, whole parsed packets out. */
export class PacketReader {
  private readonly parser: Parser;
  private state = HEADER;
  private first = 0;
  private length = 0;
  private shift = 0;
  private lengthBytes = 0;
  private packet: Uint8Array | undefined;
  private filled = 0;
  private error: Error | undefined;

  constructor(
    private readonly maxPacket: number,
    onPacket: (packet: Packet) => void,
  ) {
    this.parser = parser({ protocolVersion: 4 });
    this.parser.on("packet", (p) => {
      const problem = idProblem(p);
      if (problem) this.error = new Error(problem);
      else onPacket(p);
    });
    this.parser.on("error", (e) => (this.error = e));
  }

  /** Throws MqttProtocolError on a malformed or oversized packet: the connection cannot go on. */
  feed(bytes: Uint8Array): void {
    let i = 0;
    while (i < bytes.length) {
      if (this.state === HEADER) {
        this.first = bytes[i++]!;
        this.length = 0;
        this.shift = 0;
        this.lengthBytes = 0;
        this.state = LENGTH;
      } else if (this.state === LENGTH) {
        const b = bytes[i++]!;
        this.length += (b & 0x7f) * 2 ** this.shift;
        this.shift += 7;
        if (++this.lengthBytes > 4) throw new MqttProtocolError("malformed remaining length");
        if (b & 0x80) continue;
        if (this.length > this.maxPacket) throw new MqttProtocolError(`a ${this.length}-byte packet is over the limit of ${this.maxPacket}`);
        const header = 1 + this.lengthBytes;
        this.packet = new Uint8Array(header + this.length);
        this.packet[0] = this.first;
        let n = this.length;
        for (let k = 1; k <= this.lengthBytes; k++) {
          this.packet[k] = (n % 128) | (k < this.lengthBytes ? 0x80 : 0);
          n = Math.floor(n / 128);
        }
        this.filled = header;
        this.state = BODY;
        if (this.length === 0) this.deliver();
      } else {
        const take = Math.min(this.packet!.length - this.filled, bytes.length - i);
        this.packet!.set(bytes.subarray(i, i + take), this.filled);
        this.filled += take;
        i += take;
        if (this.filled === this.packet!.length) this.deliver();
      }
    }
  }

  private deliver(): void {
    const packet = this.packet!;
    this.packet = undefined;
    this.state = HEADER;
    // mqtt-packet lets some malformed packets through (a 1-byte CONNACK has no return code): the
    // packets whose length MQTT 3.1.1 fixes are checked here
    const fixed = FIXED_LENGTH[this.first >> 4];
    if (fixed !== undefined && this.length !== fixed) throw new MqttProtocolError(`a packet of type ${this.first >> 4} has ${this.length} bytes after its header, not ${fixed}`);
    this.parser.parse(packet);
    if (this.error) {
      const e = this.error;
      this.error = undefined;
      throw new MqttProtocolError(e.message);
    }
  }
}
