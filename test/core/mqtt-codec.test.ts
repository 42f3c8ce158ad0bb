/**
 * MQTT 3.1.1 packets through src/mqtt/codec.ts, i.e. through mqtt-packet: on Node over Node's own
 * Buffer and events, on XS over hosts/shims. The same bytes and the same parsed packets on both
 * engines are what shows the shims stand in faithfully.
 */
import { test } from "../harness/test.ts";
import { assert } from "../harness/assert.ts";
import { Prng } from "../../sim/prng.ts";
import { concatBytes, encodeUtf8, fromHex, toHex } from "../../src/bytes.ts";
import { encodePacket, MqttProtocolError, PacketReader, type Packet } from "../../src/mqtt/codec.ts";

type Plain = { [key: string]: unknown };

/** A parsed packet as plain data, bytes as hex, so deepEqual compares the same way on both engines. */
function plain(value: unknown): unknown {
  if (value instanceof Uint8Array) return "hex:" + toHex(value);
  if (Array.isArray(value)) return value.map(plain);
  if (value === null || typeof value !== "object") return value;
  const out: Plain = {};
  for (const key of Object.keys(value)) out[key] = plain((value as Plain)[key]);
  return out;
}

function reader(maxPacket = 1 << 20): { r: PacketReader; got: unknown[] } {
  const got: unknown[] = [];
  return { r: new PacketReader(maxPacket, (p) => got.push(plain(p))), got };
}

function parse(bytes: Uint8Array, maxPacket?: number): unknown[] {
  const { r, got } = reader(maxPacket);
  r.feed(bytes);
  return got;
}

function roundTrip(packet: Packet): Plain {
  const got = parse(encodePacket(packet));
  assert.equal(got.length, 1, "one packet parsed");
  return got[0] as Plain;
}

const hexOf = (packet: Packet): string => toHex(encodePacket(packet));
const text = (s: string): string => "hex:" + toHex(encodeUtf8(s));
/** The fields mqtt-packet's parser sets on every packet. */
const base = (cmd: string, length: number, more: Plain = {}): Plain => ({ cmd, retain: false, qos: 0, dup: false, length, topic: null, payload: null, ...more });

function refused(hex: string, pattern: RegExp, maxPacket?: number): void {
  assert.throws(() => parse(fromHex(hex), maxPacket), (e) => e instanceof MqttProtocolError && e.name === "MqttProtocolError" && pattern.test(e.message), hex);
}

const CONNECT: Packet = {
  cmd: "connect",
  clientId: "iobox",
  keepalive: 60,
  clean: true,
  username: "u",
  password: "pw",
  will: { topic: "w", payload: "x", qos: 1, retain: true },
};

test("bytes checked by hand against MQTT 3.1.1: CONNECT, CONNACK, PUBLISH, acks, SUBSCRIBE, pings", () => {
  // §3.1: 10, remaining 30; "MQTT" level 4; flags user|password|will retain|will QoS 1|will|clean = ee;
  // keep-alive 60; then client id, will topic, will message, user name, password, each length-prefixed
  assert.equal(hexOf(CONNECT), "101e" + "00044d515454" + "04" + "ee" + "003c" + "0005696f626f78" + "000177" + "000178" + "000175" + "00027077");
  assert.equal(hexOf({ cmd: "connect", clientId: "c" }), "100d" + "00044d515454" + "04" + "02" + "0000" + "000163"); // clean by default
  assert.equal(hexOf({ cmd: "connack", sessionPresent: true, returnCode: 0 }), "20020100");
  assert.equal(hexOf({ cmd: "connack", sessionPresent: false, returnCode: 5 }), "20020005");
  assert.equal(hexOf({ cmd: "publish", topic: "a/b", payload: "hi", qos: 0, dup: false, retain: true }), "3107" + "0003612f62" + "6869");
  assert.equal(hexOf({ cmd: "publish", topic: "a/b", payload: "hi", qos: 1, messageId: 10, dup: true, retain: false }), "3a09" + "0003612f62" + "000a" + "6869");
  assert.equal(hexOf({ cmd: "puback", messageId: 10 }), "4002000a");
  assert.equal(hexOf({ cmd: "subscribe", messageId: 1, subscriptions: [{ topic: "a/b", qos: 1 }] }), "8208" + "0001" + "0003612f62" + "01");
  assert.equal(hexOf({ cmd: "suback", messageId: 1, granted: [1, 0x80] }), "9004" + "0001" + "0180");
  assert.equal(hexOf({ cmd: "unsubscribe", messageId: 2, unsubscriptions: ["a/b"] }), "a207" + "0002" + "0003612f62");
  assert.equal(hexOf({ cmd: "unsuback", messageId: 2 }), "b0020002");
  assert.equal(hexOf({ cmd: "pingreq" }), "c000");
  assert.equal(hexOf({ cmd: "pingresp" }), "d000");
  assert.equal(hexOf({ cmd: "disconnect" }), "e000");
});

test("CONNECT with a will, user name and password round-trips (password and will message come back as bytes)", () => {
  assert.deepEqual(
    roundTrip(CONNECT),
    base("connect", 30, {
      protocolId: "MQTT",
      protocolVersion: 4,
      will: { retain: true, qos: 1, topic: "w", payload: text("x") },
      clean: true,
      keepalive: 60,
      clientId: "iobox",
      username: "u",
      password: text("pw"),
    }),
  );
  const utf8 = roundTrip({ cmd: "connect", clientId: "gerät-✓", keepalive: 0, clean: false, username: "jürgen", password: "p€ss 😀" });
  assert.deepEqual([utf8.clientId, utf8.username, utf8.password, utf8.clean, utf8.keepalive], ["gerät-✓", "jürgen", text("p€ss 😀"), false, 0]);
});

test("CONNACK round-trips with every return code 0-5, with and without a session", () => {
  for (let rc = 0; rc <= 5; rc++) {
    for (const sessionPresent of [false, true]) {
      assert.deepEqual(roundTrip({ cmd: "connack", returnCode: rc, sessionPresent }), base("connack", 2, { sessionPresent, returnCode: rc }), `rc ${rc}`);
    }
  }
});

test("PUBLISH round-trips at QoS 0 and 1 with retain and dup, a UTF-8 topic, text and empty payloads", () => {
  const topic = "iobox/état/✓/😀";
  const topicBytes = encodeUtf8(topic).length;
  assert.deepEqual(
    roundTrip({ cmd: "publish", topic, payload: "on", qos: 0, dup: false, retain: true }),
    base("publish", 2 + topicBytes + 2, { retain: true, topic, payload: text("on") }),
  );
  assert.deepEqual(
    roundTrip({ cmd: "publish", topic, payload: "Grüße ✓ 😀", qos: 1, messageId: 65535, dup: true, retain: false }),
    base("publish", 2 + topicBytes + 2 + encodeUtf8("Grüße ✓ 😀").length, { qos: 1, dup: true, topic, payload: text("Grüße ✓ 😀"), messageId: 65535 }),
  );
  assert.deepEqual(roundTrip({ cmd: "publish", topic: "t", payload: "", qos: 1, messageId: 1, dup: false, retain: true }), base("publish", 5, { retain: true, qos: 1, topic: "t", payload: "hex:", messageId: 1 }));
});

test("a binary PUBLISH payload is received byte for byte, invalid UTF-8 included", () => {
  const body = "00ff80c328fefd0000e282ab";
  const got = parse(fromHex("3211" + "000174" + "0007" + body));
  assert.deepEqual(got, [base("publish", 17, { qos: 1, topic: "t", payload: "hex:" + body, messageId: 7 })]);
});

test("bytes going out must be text: a Uint8Array payload or password is refused on both engines", () => {
  // mqtt-packet takes a Buffer or a string; a plain Uint8Array is neither (isBuffer and instanceof say no)
  assert.throws(() => encodePacket({ cmd: "publish", topic: "t", payload: new Uint8Array([1]), qos: 0, dup: false, retain: false }));
  assert.throws(() => encodePacket({ cmd: "connect", clientId: "c", username: "u", password: new Uint8Array([1]) }), /Invalid password/);
});

test("an invalid packet to send throws mqtt-packet's error", () => {
  assert.throws(() => encodePacket({ cmd: "publish", topic: "t", payload: "x", qos: 1, dup: false, retain: false }), /Invalid messageId/);
  assert.throws(() => encodePacket({ cmd: "subscribe", messageId: 1, subscriptions: [] }), /Invalid subscriptions/);
  assert.throws(() => encodePacket({ cmd: "connect", clientId: "c", keepalive: 65536 }), /Invalid keepalive/);
});

test("PUBACK, SUBSCRIBE/SUBACK, UNSUBSCRIBE/UNSUBACK, PINGREQ/PINGRESP and DISCONNECT round-trip", () => {
  assert.deepEqual(roundTrip({ cmd: "puback", messageId: 513 }), base("puback", 2, { messageId: 513 }));
  const subscriptions = [
    { topic: "iobox/+/relay/#", qos: 0 as const },
    { topic: "a/ü", qos: 1 as const },
    { topic: "b", qos: 2 as const },
  ];
  assert.deepEqual(roundTrip({ cmd: "subscribe", messageId: 2, subscriptions }), base("subscribe", 2 + 18 + 7 + 4, { qos: 1, subscriptions, messageId: 2 }));
  assert.deepEqual(roundTrip({ cmd: "suback", messageId: 2, granted: [0, 1, 2, 128] }), base("suback", 6, { granted: [0, 1, 2, 128], messageId: 2 }));
  assert.deepEqual(roundTrip({ cmd: "unsubscribe", messageId: 3, unsubscriptions: ["a/ü", "b"] }), base("unsubscribe", 2 + 6 + 3, { qos: 1, unsubscriptions: ["a/ü", "b"], messageId: 3 }));
  assert.deepEqual(roundTrip({ cmd: "unsuback", messageId: 3 }), base("unsuback", 2, { messageId: 3 }));
  assert.deepEqual(roundTrip({ cmd: "pingreq" }), base("pingreq", 0));
  assert.deepEqual(roundTrip({ cmd: "pingresp" }), base("pingresp", 0));
  assert.deepEqual(roundTrip({ cmd: "disconnect" }), base("disconnect", 0));
});

test("several packets in one feed come out in order; so do packets fed byte by byte and split anywhere", () => {
  const packets: Packet[] = [
    CONNECT,
    { cmd: "pingreq" },
    { cmd: "publish", topic: "x/y", payload: "z".repeat(200), qos: 1, messageId: 9, dup: false, retain: false },
    { cmd: "connack", sessionPresent: false, returnCode: 0 },
    { cmd: "disconnect" },
  ];
  const wire = packets.map(encodePacket).reduce((a, b) => concatBytes(a, b));
  const expected = packets.map(roundTrip);
  assert.equal(expected.length, 5);
  assert.deepEqual(parse(wire), expected);

  const bytewise = reader();
  for (let i = 0; i < wire.length; i++) {
    bytewise.r.feed(wire.subarray(i, i + 1));
    if (i === 4) assert.deepEqual(bytewise.got, [], "nothing before the first packet is whole");
  }
  assert.deepEqual(bytewise.got, expected);

  const prng = new Prng(7);
  for (let round = 0; round < 20; round++) {
    const split = reader();
    for (let i = 0; i < wire.length; ) {
      const n = 1 + prng.below(40);
      split.r.feed(wire.subarray(i, i + n));
      i += n;
    }
    assert.deepEqual(split.got, expected, "round " + round);
  }
});

test("remaining lengths 0, 127, 128, 16383 and 16384 are encoded in 1, 1, 2, 2 and 3 bytes and parse back", () => {
  assert.equal(hexOf({ cmd: "pingreq" }), "c000");
  for (const [length, header] of [
    [127, "307f"],
    [128, "308001"],
    [16383, "30ff7f"],
    [16384, "30808001"],
  ] as const) {
    const payload = "p".repeat(length - 3); // the topic "t" takes 3
    const bytes = encodePacket({ cmd: "publish", topic: "t", payload, qos: 0, dup: false, retain: false });
    assert.equal(toHex(bytes.subarray(0, header.length / 2)), header, `length ${length}`);
    assert.equal(bytes.length, header.length / 2 + length);
    const [p] = parse(bytes, length) as Plain[];
    assert.equal(p!.length, length);
    assert.equal((p!.payload as string).length, 4 + 2 * (length - 3));
  }
});

test("an announced length over the limit is refused at the fixed header, before any body arrives", () => {
  const { r, got } = reader(100);
  r.feed(fromHex("3064")); // 100: at the limit, waits for its body
  assert.deepEqual(got, []);
  refused("3065", /101-byte packet is over the limit of 100/, 100);
  refused("30ffffff7f", /268435455-byte packet is over the limit of 4096/, 4096);
});

test("a remaining length of five bytes is malformed", () => {
  refused("30ffffffff01", /malformed remaining length/, 2 ** 30);
  refused("30808080807f", /malformed remaining length/, 2 ** 30);
});

test("malformed bodies and header flags are MqttProtocolErrors, and the next connection's reader works", () => {
  refused("60020001", /Invalid header flag bits, must be 0x2 for pubrel packet/); // PUBREL needs flags 0010
  refused("80050001000161", /Invalid header flag bits, must be 0x2 for subscribe packet/);
  refused("3600", /must not have both QoS bits set/);
  refused("20020200", /Invalid connack flags/);
  refused("9003000103", /Invalid suback QoS/);
  refused("100c00044d5154540401003c0000", /Connect flag bit 0 must be 0/);
  refused("100c00044d5154580401003c0000", /Invalid protocolId/);
  refused("300100", /Cannot parse topic/);
  refused("3005ffff616263", /Cannot parse topic/); // a topic length beyond the packet
  refused("82050001000161", /Malformed Subscribe Payload/);
  refused("b003000100", /a packet of type 11 has 3 bytes after its header, not 2/); // our check of fixed lengths
  refused("200100", /a packet of type 2 has 1 bytes after its header, not 2/); // mqtt-packet would give a CONNACK without a return code
  refused("d00100", /a packet of type 13 has 1 bytes after its header, not 0/);
  // packet identifiers (§2.3.1): mqtt-packet passes a QoS 1 PUBLISH cut short before its id (as -1) and an id of 0
  refused("320500036162" + "63", /a publish without a packet identifier/);
  refused("3207000361626300" + "00", /a publish without a packet identifier/);
  refused("40020000", /a puback without a packet identifier/);
  refused("b0020000", /a unsuback without a packet identifier/);
  assert.deepEqual(parse(fromHex("3007000361626300" + "00")).length, 1, "at QoS 0 the same bytes are topic and payload");

  const broken = reader();
  assert.throws(() => broken.r.feed(fromHex("60020001")), MqttProtocolError);
  const next = reader();
  next.r.feed(encodePacket({ cmd: "pubrel", messageId: 1 }));
  next.r.feed(encodePacket(CONNECT));
  assert.deepEqual(next.got, [base("pubrel", 2, { qos: 1, messageId: 1 }), roundTrip(CONNECT)]);
});
