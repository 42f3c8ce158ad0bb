import { test } from "../harness/test.ts";
import { assert } from "../harness/assert.ts";
import { concatBytes, decodeLatin1, encodeAscii } from "../../src/bytes.ts";
import { findBoard } from "../../src/boards.ts";
import { serialNumberOf, startDevice } from "../../src/device.ts";
import { MemoryHost } from "../../sim/memory-host.ts";
import { MEMORY_HOST_ADDRESS } from "../../sim/memory-net.ts";
import type { Device } from "../../src/device.ts";

/** Stops a device on the memory host: its graceful close needs virtual time to pass. */
async function stop(host: MemoryHost, device: Device): Promise<void> {
  const stopping = device.stop();
  host.clock.advance(10_000);
  await stopping;
}

const board = findBoard("jnior-410")!;

function get(host: MemoryHost, port: number): { text: () => string; error: () => string | undefined } {
  const c = host.net.connect({ host: MEMORY_HOST_ADDRESS, port });
  let response: Uint8Array = new Uint8Array(0);
  let error: string | undefined;
  c.onData = (d) => (response = concatBytes(response, d));
  c.onClose = (e) => (error = e);
  c.onConnect = () => c.write(encodeAscii("GET /status HTTP/1.1\r\nHost: device\r\nConnection: close\r\n\r\n"));
  host.clock.advance(0);
  return { text: () => decodeLatin1(response), error: () => error };
}

test("the device serves its status, with live input levels, on every listener", async () => {
  const host = new MemoryHost({ layout: board, unitId: "0200000abcdef" });
  const device = await startDevice(host, {
    board,
    listeners: [{ name: "http", port: 80 }, { name: "https", port: 443, tls: { cert: "", key: "" } }],
    settings: [["WebServer/Login", "false"]], // the login has its own suite (web-login)
  });
  assert.deepEqual(device.ports, { http: 80, https: 443, jmp: 9220 });
  host.board.setInput(board.inputs[2]!.pin, 1); // held past the 200 ms debounce
  host.clock.advance(1234);
  const status = JSON.parse(get(host, 80).text().split("\r\n\r\n")[1]!);
  assert.equal(status.model, "410");
  assert.equal(status.serialNumber, serialNumberOf("0200000abcdef"));
  assert.deepEqual(status.inputs.map((i: { state: number }) => i.state), [0, 0, 1, 0, 0, 0, 0, 0]);
  assert.deepEqual(status.inputs[2], { state: 1, count: 1 });
  assert.deepEqual(status.outputs, Array(8).fill({ state: 0 }));
  assert.equal(status.uptimeMs, 1234);
  await stop(host, device);
});

test("relays power up open", async () => {
  const host = new MemoryHost({ layout: board });
  const device = await startDevice(host, { board, listeners: [] });
  for (const { pin } of board.outputs) assert.equal(host.board.outputLevel(pin), 0);
  await stop(host, device);
});

test("a port in use is a clear error and leaves nothing open", async () => {
  const host = new MemoryHost({ layout: board });
  await host.net.listen({ port: 80 }, () => {});
  await assert.rejects(startDevice(host, { board, listeners: [{ name: "http", port: 80 }] }), /^http: cannot listen on \*:80: EADDRINUSE/);
  // the pins were released: a second device can take them
  const device = await startDevice(host, { board, listeners: [] });
  await stop(host, device);
});

test("stop closes the listeners", async () => {
  const host = new MemoryHost({ layout: board });
  const device = await startDevice(host, { board, listeners: [{ name: "http", port: 80 }] });
  await stop(host, device);
  assert.match(get(host, 80).error() ?? "", /ECONNREFUSED/);
});

test("the serial number derives from the unit id", () => {
  assert.equal(serialNumberOf("02000abcdef1"), 0xabcdef1);
  assert.equal(serialNumberOf("ffffffffffff"), 0xfffffff);
});

test("the registry serves the live device keys and refuses to let clients write them", async () => {
  const host = new MemoryHost({ layout: board, unitId: "02000000beef" });
  const device = await startDevice(host, { board, listeners: [], settings: [["Device/Desc", "Test rig"]] });
  const keys = device.registry.read(["$SerialNumber", "$Model", "$Version", "$BootTime", "Device/Desc", "Device/Timezone", "WebServer/Login"]);
  assert.deepEqual(Object.fromEntries(keys), {
    $SerialNumber: String(serialNumberOf("02000000beef")),
    $Model: "410",
    $Version: "v0.1.0",
    $BootTime: "2026-01-01T00:00:00.000Z",
    "Device/Desc": "Test rig",
    "Device/Timezone": "UTC",
    "WebServer/Login": "true",
  });
  assert.throws(() => device.registry.write({ $Model: "999" }), /live value/);
  await stop(host, device);
});

test("provisioning settings are validated: a bad one stops the boot", async () => {
  const host = new MemoryHost({ layout: board });
  await assert.rejects(startDevice(host, { board, listeners: [], settings: [["WebServer/Login", "perhaps"]] }), /WebServer\/Login: must be true or false/);
});
