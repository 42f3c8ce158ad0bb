/**
 * DNS messages and the mDNS responder on the in-memory network: what a browser of the network
 * (a test's socket on 5353) sees, asks and gets. The real-client test is test/node/mdns.test.ts.
 */
import { test } from "../harness/test.ts";
import { assert } from "../harness/assert.ts";
import { decodeUtf8 } from "../../src/bytes.ts";
import {
  aAddress,
  aData,
  DnsError,
  encodeDns,
  FLAG_RESPONSE,
  nameData,
  nameOf,
  parseDns,
  srvData,
  txtData,
  TYPE_A,
  TYPE_PTR,
  TYPE_SRV,
  TYPE_TXT,
  type DnsMessage,
  type DnsRecord,
} from "../../src/network/dns.ts";
import { MDNS_GROUP, MDNS_PORT } from "../../src/network/mdns.ts";
import { MEMORY_HOST_ADDRESS } from "../../sim/memory-net.ts";
import { bootDevice, type DeviceFixture } from "./device-fixture.ts";

test("DNS messages: questions and records both ways, mDNS class bits, record data", () => {
  const m: DnsMessage = {
    id: 7,
    flags: FLAG_RESPONSE,
    questions: [{ name: "iobox-cdef.local", type: TYPE_A, unicast: true }],
    answers: [
      { name: "iobox-cdef.local", type: TYPE_A, flush: true, ttl: 120, data: aData("10.0.0.1") },
      { name: "_iobox._tcp.local", type: TYPE_PTR, ttl: 4500, data: nameData("unit 1._iobox._tcp.local") },
    ],
    authorities: [],
    additionals: [{ name: "unit 1._iobox._tcp.local", type: TYPE_TXT, flush: true, ttl: 4500, data: txtData([["model", "410"]]) }],
  };
  const back = parseDns(encodeDns(m));
  assert.deepEqual(back.questions, m.questions);
  assert.equal(aAddress(back.answers[0]!.data), "10.0.0.1");
  assert.equal(back.answers[0]!.flush, true);
  assert.equal(back.answers[1]!.flush, false);
  assert.equal(nameOf(back.answers[1]!.data), "unit 1._iobox._tcp.local");
  assert.equal(decodeUtf8(back.additionals[0]!.data.subarray(1), 0, back.additionals[0]!.data.length - 1), "model=410");
  const srv = srvData(8080, "iobox-cdef.local");
  assert.equal((srv[4]! << 8) | srv[5]!, 8080);
});

test("DNS parsing: compressed names are followed; loops, truncation and oversize are DnsErrors", () => {
  // a response whose answer's name points back at the question's name
  const bytes = new Uint8Array([0, 1, 0x84, 0, 0, 1, 0, 1, 0, 0, 0, 0, 3, 0x61, 0x62, 0x63, 5, 0x6c, 0x6f, 0x63, 0x61, 0x6c, 0, 0, 1, 0, 1, 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, 0, 0, 9]);
  const m = parseDns(bytes);
  assert.equal(m.answers[0]!.name, "abc.local");
  assert.equal(aAddress(m.answers[0]!.data), "10.0.0.9");
  const loop = new Uint8Array([0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1]);
  assert.throws(() => parseDns(loop), (e) => e instanceof DnsError);
  for (let n = 0; n < bytes.length; n++) assert.throws(() => parseDns(bytes.subarray(0, n)), (e) => e instanceof DnsError, `cut at ${n}`);
  assert.throws(() => parseDns(new Uint8Array(1501)), (e) => e instanceof DnsError);
  const many = new Uint8Array(12);
  many[5] = 200; // 200 questions
  assert.throws(() => parseDns(many), (e) => e instanceof DnsError);
});

/** A browser of the network: a socket on the mDNS group, and the records it heard. */
function browser(f: DeviceFixture, port = MDNS_PORT) {
  const heard: DnsMessage[] = [];
  const socket = f.host.net.udpFrom("10.0.0.77", { port, multicast: port === MDNS_PORT ? MDNS_GROUP : undefined }, (bytes) => {
    try {
      heard.push(parseDns(bytes));
    } catch {
      // not ours to judge
    }
  });
  const records = (): DnsRecord[] => heard.filter((m) => m.flags & FLAG_RESPONSE).flatMap((m) => [...m.answers, ...m.additionals]);
  return { heard, socket, records };
}

async function device(options: { hostname?: string } = {}): Promise<DeviceFixture> {
  return bootDevice({ config: { network: { hostAddress: MEMORY_HOST_ADDRESS } }, settings: options.hostname ? [["IpConfig/Hostname", options.hostname]] : [] });
}

test("mDNS: the unit probes for its name, then announces iobox-XXXX.local and its services with their TXT records", async () => {
  const f = await device();
  const b = browser(f);
  await f.run(3000);
  const probes = b.heard.filter((m) => !(m.flags & FLAG_RESPONSE));
  assert.equal(probes.length, 3, "three probes");
  assert.equal(probes[0]!.questions[0]!.name, "iobox-cdef.local");
  const records = b.records();
  const a = records.find((r) => r.type === TYPE_A)!;
  assert.equal(a.name, "iobox-cdef.local");
  assert.equal(aAddress(a.data), MEMORY_HOST_ADDRESS);
  const ptr = records.find((r) => r.type === TYPE_PTR && r.name === "_iobox._tcp.local")!;
  assert.equal(nameOf(ptr.data), "iobox-cdef._iobox._tcp.local");
  const srv = records.find((r) => r.type === TYPE_SRV && r.name === "iobox-cdef._iobox._tcp.local")!;
  assert.equal((srv.data[4]! << 8) | srv.data[5]!, f.device.ports.http);
  const txt = records.find((r) => r.type === TYPE_TXT && r.name === "iobox-cdef._iobox._tcp.local")!;
  const text = decodeUtf8(txt.data, 0, txt.data.length);
  for (const entry of ["model=410", "serial=11259375", "version=0.1.0", "http=80", "jmp=9220", "ws=/"]) assert.ok(text.includes(entry), entry + " in " + JSON.stringify(text));
  assert.ok(records.some((r) => r.type === TYPE_PTR && r.name === "_services._dns-sd._udp.local" && nameOf(r.data) === "_http._tcp.local"));
  assert.equal(b.heard.filter((m) => m.flags & FLAG_RESPONSE).length, 2, "announced twice");
  b.socket.close();
  await f.stop();
});

test("mDNS: questions get answers with what a browser asks next; a one-shot resolver gets a unicast answer; the same question twice in a second, one answer", async () => {
  const f = await device();
  await f.run(3000);
  const b = browser(f);
  const query = (name: string, type: number, id = 0): Uint8Array => encodeDns({ id, flags: 0, questions: [{ name, type }], answers: [], authorities: [], additionals: [] });
  b.socket.send(query("_iobox._tcp.local", TYPE_PTR), MDNS_GROUP, MDNS_PORT);
  await f.run(10);
  const answer = b.heard.find((m) => m.flags & FLAG_RESPONSE)!;
  assert.equal(answer.answers[0]!.type, TYPE_PTR);
  assert.deepEqual(answer.additionals.map((r) => r.type).sort(), [TYPE_A, TYPE_SRV, TYPE_TXT].sort(), "SRV, TXT and A come along");
  b.socket.send(query("_iobox._tcp.local", TYPE_PTR), MDNS_GROUP, MDNS_PORT);
  await f.run(10);
  assert.equal(b.heard.filter((m) => m.flags & FLAG_RESPONSE).length, 1, "not again within a second");

  const oneShot = browser(f, 40000);
  oneShot.socket.send(query("iobox-cdef.local", TYPE_A, 0x4242), MEMORY_HOST_ADDRESS, MDNS_PORT);
  await f.run(10);
  const reply = oneShot.heard[0]!;
  assert.equal(reply.id, 0x4242, "the question's id");
  assert.equal(reply.answers[0]!.ttl, 10, "short TTLs for a one-shot resolver");
  assert.equal(aAddress(reply.answers[0]!.data), MEMORY_HOST_ADDRESS);
  b.socket.send(query("someone-else.local", TYPE_A), MDNS_GROUP, MDNS_PORT);
  b.socket.send(new Uint8Array([1, 2, 3]), MDNS_GROUP, MDNS_PORT);
  await f.run(1500);
  assert.equal(b.heard.filter((m) => m.flags & FLAG_RESPONSE).length, 1, "nothing for other names, nothing for garbage");
  oneShot.socket.close();
  b.socket.close();
  await f.stop();
});

test("mDNS: a name another unit holds is not taken: it probes on with -2; stopping says goodbye", async () => {
  const f = await device({ hostname: "plant" });
  // another unit answers for plant.local while this one probes
  const other = f.host.net.udpFrom("10.0.0.99", { port: MDNS_PORT, multicast: MDNS_GROUP }, (bytes) => {
    const m = parseDns(bytes);
    if (m.flags & FLAG_RESPONSE || m.questions[0]?.name !== "plant.local") return;
    other.send(encodeDns({ id: 0, flags: FLAG_RESPONSE, questions: [], answers: [{ name: "plant.local", type: TYPE_A, flush: true, ttl: 120, data: aData("10.0.0.99") }], authorities: [], additionals: [] }), MDNS_GROUP, MDNS_PORT);
  });
  await f.run(5000);
  assert.equal(f.device.network.mdnsName, "plant-2");
  assert.ok(f.host.logs.some((l) => /plant\.local is taken; trying plant-2\.local/.test(l.message)));
  const b = browser(f);
  await f.stop();
  const goodbye = b.records().find((r) => r.type === TYPE_A)!;
  assert.equal(goodbye.name, "plant-2.local");
  assert.equal(goodbye.ttl, 0, "goodbye");
  other.close();
  b.socket.close();
});
