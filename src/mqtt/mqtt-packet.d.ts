/**
 * The part of `mqtt-packet` iobox uses, typed for the core: received byte strings are Uint8Array
 * (Node's Buffer is one; on the device it is hosts/shims/buffer.ts). What the core sends is text:
 * mqtt-packet takes a Buffer or a string, and the core has no Buffer. The package's own types need
 * Node's; every tsconfig maps "mqtt-packet" here.
 */
export type QoS = 0 | 1 | 2;

export interface ConnectPacket {
  cmd: "connect";
  clientId: string;
  protocolVersion?: 4;
  protocolId?: "MQTT";
  clean?: boolean;
  keepalive?: number;
  username?: string;
  /** A string going out; bytes when parsed. */
  password?: string | Uint8Array;
  will?: { topic: string; payload: string | Uint8Array; qos?: QoS; retain?: boolean };
}

export interface ConnackPacket {
  cmd: "connack";
  returnCode?: number;
  sessionPresent: boolean;
}

export interface PublishPacket {
  cmd: "publish";
  qos: QoS;
  dup: boolean;
  retain: boolean;
  topic: string;
  /** Strings going out (mqtt-packet takes Node Buffers or strings; a Uint8Array is neither); bytes coming in. */
  payload: Uint8Array | string;
  messageId?: number;
}

export interface SubscribePacket {
  cmd: "subscribe";
  messageId: number;
  subscriptions: { topic: string; qos: QoS }[];
}

export interface SubackPacket {
  cmd: "suback";
  messageId: number;
  granted: number[];
}

export interface AckPacket {
  cmd: "puback" | "pubrec" | "pubrel" | "pubcomp" | "unsuback";
  messageId: number;
}

export interface UnsubscribePacket {
  cmd: "unsubscribe";
  messageId: number;
  unsubscriptions: string[];
}

export interface EmptyPacket {
  cmd: "pingreq" | "pingresp" | "disconnect";
}

export type Packet = ConnectPacket | ConnackPacket | PublishPacket | SubscribePacket | SubackPacket | AckPacket | UnsubscribePacket | EmptyPacket;

export interface Parser {
  on(event: "packet", listener: (packet: Packet) => void): this;
  on(event: "error", listener: (error: Error) => void): this;
  /** Returns the bytes still buffered. */
  parse(bytes: Uint8Array): number;
}

export declare function parser(options?: { protocolVersion?: number }): Parser;
export declare function generate(packet: Packet, options?: { protocolVersion?: number }): Uint8Array;
export declare const writeToStream: { cacheNumbers: boolean };
