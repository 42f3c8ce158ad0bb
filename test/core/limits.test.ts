import { test } from "../harness/test.ts";
import { assert } from "../harness/assert.ts";
import { DEVICE_LIMITS, pipelineLimit } from "../../src/http/limits.ts";
import { DEVICE_WEBSOCKET } from "../../src/ws/websocket.ts";

// The device's chunk heap is ~77 KB (Moddable's ESP32 targets); what connections may hold at worst
// must leave most of it to everything else. Raising a device limit means revisiting this budget.
const BUDGET = 64 * 1024;

test("the device profile's worst case fits the heap budget", () => {
  const http = DEVICE_LIMITS.maxConnections * (pipelineLimit(DEVICE_LIMITS) + DEVICE_LIMITS.maxBody);
  const ws = DEVICE_LIMITS.maxConnections * (DEVICE_WEBSOCKET.maxMessage + DEVICE_WEBSOCKET.maxBuffered);
  assert.ok(http <= BUDGET, `HTTP worst case ${http} B`);
  assert.ok(ws <= BUDGET, `WebSocket worst case ${ws} B`);
  assert.ok(DEVICE_LIMITS.maxHeadBytes >= 1024 && DEVICE_LIMITS.maxHeadBytes >= DEVICE_LIMITS.maxRequestLine, "room for a browser request");
});
