/** Heap per idle WebSocket on the XS engine (goal: at most 1 KB on the device). */
import type { Row } from "./table.ts";
import { meterOnXs } from "./xs.ts";
import { N } from "./websocket-memory.xs.ts";

const DEVICE_SLOT = 16; // sizeof(txSlot) on 32-bit XS (ESP32)
const XSNAP_SLOT = 32; // sizeof(txSlot) on 64-bit XS (xsnap)

export async function run(): Promise<Row[]> {
  const steps = await meterOnXs(new URL("./websocket-memory.xs.ts", import.meta.url).pathname);
  const baseline = steps["baseline"]!.heapSlots! - steps["setup"]!.heapSlots!;
  const upgraded = steps["websockets"]!.heapSlots! - steps["release baseline"]!.heapSlots!;
  const perConnection = (upgraded - baseline) / N;
  return [
    {
      bench: "ws-memory",
      measure: `XS heap slots per idle WebSocket (${N} open)`,
      value: perConnection.toFixed(1),
      baseline: (baseline / N).toFixed(1) + " simulated TCP",
      note: "server-side HTTP+WebSocket state only",
    },
    {
      bench: "ws-memory",
      measure: "bytes per idle WebSocket, ESP32 (16 B slots)",
      value: String(Math.round(perConnection * DEVICE_SLOT)),
      note: "goal <= 1024",
    },
    { bench: "ws-memory", measure: "bytes per idle WebSocket, xsnap (32 B slots)", value: String(Math.round(perConnection * XSNAP_SLOT)) },
  ];
}
