/**
 * The fuzzer's seeds and dictionaries: well-formed inputs that reach deep into each parser (every
 * JANOS message, the web API's requests, WebSocket frames of each kind, MQTT packets a broker
 * sends), from which the mutator works outward. An input that found a bug belongs here afterwards.
 */
import { encodeUtf8, joinBytes } from "../../../src/bytes.ts";
import { encodeCbor, Tagged } from "../../../src/cbor.ts";
import { jmpFrame } from "../../../src/janos/jmp-framing.ts";
import { encodePacket } from "../../../src/mqtt/codec.ts";
import { encodeMaskedFrame, OP_BINARY, OP_CLOSE, OP_CONTINUATION, OP_PING, OP_PONG, OP_TEXT } from "../../../src/ws/frame.ts";
import { ascii } from "./engine.ts";

/** Where an HTTP seed carries the session cookie of the logged-in user (replaced when it is sent). */
export const SESSION_PLACEHOLDER = "SESSIONTOKENSESSIONTOKENSESSIONT";
/** The MQTT topic prefix of the fuzzed unit (its serial number). */
export const MQTT_PREFIX = "iobox/11259375";

const words = (list: string[]): Uint8Array[] => list.map(ascii);

// ---- JANOS JSON ------------------------------------------------------------------------------

export const JANOS_MESSAGES: string[] = [
  `{"Message":""}`,
  `{"Message":"Status","Meta":{"Hash":"a1"}}`,
  `{"Message":"Control","Command":"Toggle","Channel":1}`,
  `{"Message":"Control","Command":"Close","Channel":2,"Duration":500}`,
  `{"Message":"Control","Command":"Open","Channel":8}`,
  `{"Message":"Control","Command":"Reset Latch","Channel":1}`,
  `{"Message":"Control","Command":"Reset Counter","Channel":3}`,
  `{"message":"control","command":"pulse","channel":"2","duration":"100"}`,
  `{"Message":"Registry Read","Keys":["$SerialNumber","IO/Outputs/rout1/Desc","Device/Desc"]}`,
  `{"Message":"Registry List","Keys":["IO/","IO/Inputs/"]}`,
  `{"Message":"Registry Write","Keys":{"Device/Desc":"Pump house","AppData/x":null}}`,
  `{"Message":"Reset Usage","Channel":9}`,
  `{"Message":"File List","Path":"/"}`,
  `{"Message":"File Read","Path":"/config.json","Offset":0,"Length":64}`,
  `{"Message":"File Write","Path":"/files/a.txt","Offset":0,"Data":"aGVsbG8=","Final":true}`,
  `{"Message":"File Rename","Path":"/files/a.txt","To":"/files/b.txt"}`,
  `{"Message":"File Remove","Path":"/files/b.txt"}`,
  `{"Message":"File Mkdir","Path":"/files/d"}`,
  `{"Message":"Firmware Status"}`,
  `{"Message":"Firmware Write","Offset":0,"Size":1024,"Data":"SU9CWEZXMDE="}`,
  `{"Message":"Enumerate Devices"}`,
  `{"Message":"Reboot"}`,
  `{"Message":"Read Devices"}`,
  `{"ACK":""}`,
  `{"Auth-Digest":"jnior:00112233445566778899aabbccddeeff","Meta":{"a":[1,2,{"b":null}]}}`,
  `{"Message":"Status","Meta":"\\u0000\\ud800x"}`,
];

export const JSON_WORDS: Uint8Array[] = words([
  "{", "}", "[", "]", ",", ":", '"', "\\", "\\u0000", "\\ud83d", "\\u", "null", "true", "false", "-", "e", "E+", ".",
  '"Message"', '"Control"', '"Command"', '"Channel"', '"Duration"', '"Keys"', '"Meta"', '"Path"', '"Offset"', '"Data"',
  '"__proto__"', '"constructor"', '"toString"', '"hasOwnProperty"', '"Registry Write"', '"Registry Read"', '"File Write"',
  '"Toggle"', '"Close"', '"Open"', '"pulse"', '"Auth-Digest"', '"Status"', '"$SerialNumber"', '"IO/"', '"../"', '"/files/"',
]);

// ---- JMP framing -----------------------------------------------------------------------------

const jmp = (text: string): Uint8Array => jmpFrame(encodeUtf8(text));

export const JMP_SEEDS: Uint8Array[] = [
  ...JANOS_MESSAGES.map(jmp),
  joinBytes([jmp(JANOS_MESSAGES[0]!), jmp(JANOS_MESSAGES[1]!), jmp(JANOS_MESSAGES[2]!)]),
  ascii('[9999999,{"Message":""}]'),
  ascii("[0,]"),
  ascii(' \r\n[2,{}]\n'),
];

export const JMP_WORDS: Uint8Array[] = [...JSON_WORDS, ...words(["[", "[0,", "[1048577,", "[-1,", "[00000000000000000001,", "]["])];

// ---- HTTP ------------------------------------------------------------------------------------

function request(head: string, body = ""): Uint8Array {
  const b = encodeUtf8(body);
  return joinBytes([ascii(head.replace(/\n/g, "\r\n") + (body ? `Content-Length: ${b.length}\r\n` : "") + "\r\n"), b]);
}

const COOKIE = `Cookie: iobox_session=${SESSION_PLACEHOLDER}\nOrigin: http://device\n`;

export const HTTP_SEEDS: Uint8Array[] = [
  request("GET / HTTP/1.1\nHost: device\n"),
  request("GET /status HTTP/1.1\nHost: device\n" + COOKIE),
  request("GET /api/info HTTP/1.1\nHost: device\nAccept-Encoding: gzip\n" + COOKIE),
  request("GET /api/schema HTTP/1.1\nHost: device\n" + COOKIE),
  request("GET /api/users HTTP/1.1\nHost: device\n" + COOKIE),
  request("GET /api/backup HTTP/1.1\nHost: device\n" + COOKIE),
  request("POST /api/password HTTP/1.1\nHost: device\nContent-Type: application/json\n" + COOKIE, '{"old":"op-pw-123","new":"op-pw-123"}'),
  request("POST /api/restore HTTP/1.1\nHost: device\nContent-Type: text/plain\n" + COOKIE, '[Device]\nDesc = "x"\n; comment\n"#odd" = 1\n'),
  request("PUT /api/users/bob HTTP/1.1\nHost: device\nContent-Type: application/json\n" + COOKIE, '{"role":"view","password":"bob-pw-1234"}'),
  request("POST /api/login HTTP/1.1\nHost: device\n" + COOKIE),
  request("POST /api/setup HTTP/1.1\nHost: device\nContent-Type: application/json\n", '{"ssid":"Home","password":"secret-pw"}'),
  request("PUT /api/firmware HTTP/1.1\nHost: device\nContent-Type: application/octet-stream\n" + COOKIE, "IOBXFW01\u0000\u0000\u0000"),
  request('GET /status HTTP/1.1\nHost: device\nAuthorization: Digest username="op", realm="iobox", nonce="AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", uri="/status", algorithm=SHA-256, qop=auth, nc=00000001, cnonce="c", response="00", opaque="x"\n'),
  request("GET /status HTTP/1.1\nHost: device\nAuthorization: Basic b3A6b3AtcHctMTIz\n"),
  request("POST /api/users/x HTTP/1.1\nHost: device\nTransfer-Encoding: chunked\n" + COOKIE, "5\r\nhello\r\n0\r\n\r\n"),
  request("GET /api/ws HTTP/1.1\nHost: device\nUpgrade: websocket\nConnection: Upgrade\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\nSec-WebSocket-Version: 13\n"),
  request("POST /logout HTTP/1.1\nHost: device\n"),
  joinBytes([request("GET /status HTTP/1.1\nHost: device\n" + COOKIE), request("HEAD / HTTP/1.1\nHost: device\n"), request("OPTIONS * HTTP/1.1\nHost: device\n")]),
  ascii("GET / HTTP/1.0\r\n\r\n"),
];

export const HTTP_WORDS: Uint8Array[] = [
  ...JSON_WORDS,
  ...words([
    "\r\n", "\r\n\r\n", "\n", ": ", " ", "\t", "HTTP/1.1", "HTTP/1.0", "HTTP/2", "GET ", "POST ", "PUT ", "DELETE ", "HEAD ", "CONNECT ",
    "Content-Length: ", "Content-Length: 0\r\n", "Content-Length: 99999999999\r\n", "Transfer-Encoding: chunked\r\n", "Transfer-Encoding: gzip, chunked\r\n",
    "Connection: close\r\n", "Connection: Upgrade\r\n", "Upgrade: websocket\r\n", "Expect: 100-continue\r\n", "Host: ", "Origin: http://evil\r\n",
    "Authorization: ", "Digest ", "Basic ", "Bearer ", "Cookie: iobox_session=", "Range: bytes=0-", "If-None-Match: ", "%00", "%2e%2e/", "../", "//",
    "?", "#", "*", "ffffffff\r\n", "0\r\n\r\n", "/api/", "/api/users/", "/api/restore", "/status", "/index.html",
  ]),
];

// ---- WebSocket frames --------------------------------------------------------------------------

const MASK = new Uint8Array([0x37, 0xfa, 0x21, 0x3d]);

function frame(opcode: number, payload: string | Uint8Array, fin = true, rsv = 0): Uint8Array {
  return encodeMaskedFrame(opcode, typeof payload === "string" ? encodeUtf8(payload) : payload, MASK, fin, rsv);
}

export const WS_SEEDS: Uint8Array[] = [
  ...JANOS_MESSAGES.slice(0, 12).map((m) => frame(OP_TEXT, m)),
  joinBytes([frame(OP_TEXT, '{"Message":', false), frame(OP_PING, "p"), frame(OP_CONTINUATION, '"Status"}')]),
  frame(OP_BINARY, new Uint8Array([1, 2, 3])),
  frame(OP_PING, "hello"),
  frame(OP_PONG, ""),
  frame(OP_CLOSE, new Uint8Array([0x03, 0xe8, 0x62, 0x79, 0x65])),
  frame(OP_TEXT, "\u00e9\ud83d\ude00"),
  frame(OP_TEXT, "x".repeat(300)),
  frame(OP_TEXT, "{}", true, 4),
];

export const WS_WORDS: Uint8Array[] = [
  ...JSON_WORDS,
  new Uint8Array([0x81, 0x80]), new Uint8Array([0x81, 0xfe, 0xff, 0xff]), new Uint8Array([0x82, 0xff, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]),
  new Uint8Array([0x88, 0x80]), new Uint8Array([0x89, 0xfd]), new Uint8Array([0x01, 0x80]), new Uint8Array([0x00, 0x80]), new Uint8Array([0xf1, 0x80]),
  new Uint8Array([0xc3, 0x28]), new Uint8Array([0xed, 0xa0, 0x80]), new Uint8Array([0xf4, 0x90, 0x80, 0x80]),
];

/** The request that opens the JANOS WebSocket; the fuzzed frames follow it. */
export const WS_HANDSHAKE = ascii("GET / HTTP/1.1\r\nHost: device\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: aW9ib3gtZnV6ei1rZXktMQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");

// ---- CBOR --------------------------------------------------------------------------------------

export const CBOR_SEEDS: Uint8Array[] = [
  encodeCbor(0),
  encodeCbor(-1),
  encodeCbor(2 ** 53 + 2),
  encodeCbor((1n << 64n) - 1n),
  encodeCbor(-(1n << 63n)),
  encodeCbor(1.5),
  encodeCbor(NaN),
  encodeCbor("Pump house ✓"),
  encodeCbor(new Uint8Array([1, 2, 3])),
  encodeCbor([1, [2, [3, [4]]], "x", null, true, false, undefined]),
  encodeCbor(new Map<never, never>([["type" as never, "read" as never], [1 as never, [1.25, -2] as never]])),
  encodeCbor(new Tagged(1, 1700000000)),
  encodeCbor(new Tagged(37, new Uint8Array(16))),
  new Uint8Array([0x9f, 0x01, 0x82, 0x02, 0x03, 0xff]), // indefinite array
  new Uint8Array([0x7f, 0x61, 0x61, 0x61, 0x62, 0xff]), // indefinite text in chunks
  new Uint8Array([0xbf, 0x61, 0x61, 0x01, 0xff]), // indefinite map
  new Uint8Array([0xf9, 0x7c, 0x00]), // half-precision Infinity
  new Uint8Array([0xfa, 0x47, 0xc3, 0x50, 0x00]), // single 100000.0
];

export const CBOR_WORDS: Uint8Array[] = [
  new Uint8Array([0x9f]), new Uint8Array([0xbf]), new Uint8Array([0xff]), new Uint8Array([0x5f]), new Uint8Array([0x7f]),
  new Uint8Array([0x1b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), new Uint8Array([0x3b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
  new Uint8Array([0x9b, 0, 0, 0, 1, 0, 0, 0, 0]), new Uint8Array([0x5a, 0xff, 0xff, 0xff, 0xff]), new Uint8Array([0xc6]), new Uint8Array([0xd8, 0xff]),
  new Uint8Array([0xf8, 0x10]), new Uint8Array([0x1c]), new Uint8Array([0x81, 0x81, 0x81, 0x81]), new Uint8Array([0xa1, 0x80, 0x00]),
];

// ---- MQTT, as a broker sends it ----------------------------------------------------------------

const publish = (topic: string, payload: string, qos: 0 | 1 | 2 = 0, retain = false): Uint8Array =>
  encodePacket({ cmd: "publish", topic, payload, qos, dup: false, retain, messageId: qos ? 7 : undefined } as never);

export const MQTT_SEEDS: Uint8Array[] = [
  encodePacket({ cmd: "suback", messageId: 1, granted: [1, 1, 128] } as never),
  publish(`${MQTT_PREFIX}/relay/1/set`, "on"),
  publish(`${MQTT_PREFIX}/relay/2/set`, "toggle", 1),
  publish(`${MQTT_PREFIX}/relay/3/pulse`, "250", 2),
  publish(`${MQTT_PREFIX}/relay/9/set`, "off"),
  publish(`${MQTT_PREFIX}/relay/1/set`, "on", 1, true),
  publish(`${MQTT_PREFIX}/registry/read`, '["Device/Desc"]', 1),
  publish(`${MQTT_PREFIX}/registry/write`, '{"Device/Desc":"x"}', 1),
  publish("homeassistant/status", "online"),
  publish(`${MQTT_PREFIX}/unknown`, "x", 1),
  encodePacket({ cmd: "puback", messageId: 1 } as never),
  encodePacket({ cmd: "pubrec", messageId: 2 } as never),
  encodePacket({ cmd: "pubrel", messageId: 7 } as never),
  encodePacket({ cmd: "pubcomp", messageId: 3 } as never),
  encodePacket({ cmd: "pingresp" } as never),
  encodePacket({ cmd: "unsuback", messageId: 4 } as never),
  encodePacket({ cmd: "connack", returnCode: 0, sessionPresent: true } as never),
  joinBytes([publish(`${MQTT_PREFIX}/relay/1/set`, "off", 2), encodePacket({ cmd: "pubrel", messageId: 7 } as never), encodePacket({ cmd: "pingresp" } as never)]),
];

export const MQTT_WORDS: Uint8Array[] = [
  ...words([`${MQTT_PREFIX}/relay/`, "/set", "/pulse", "/registry/write", "on", "off", "toggle", "constructor", "__proto__", "+", "#", "\u0000"]),
  new Uint8Array([0x30]), new Uint8Array([0x32]), new Uint8Array([0x34]), new Uint8Array([0x36]), new Uint8Array([0x3f]), new Uint8Array([0x62, 0x02]),
  new Uint8Array([0xff, 0xff, 0xff, 0x7f]), new Uint8Array([0x80, 0x80, 0x80, 0x80, 0x01]), new Uint8Array([0x00, 0x00]), new Uint8Array([0xff, 0xff]),
  new Uint8Array([0xe0, 0x00]), new Uint8Array([0xd0, 0x00]), new Uint8Array([0x90, 0x03, 0x00, 0x01, 0x80]),
];

