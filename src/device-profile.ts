/**
 * The limits of the ESP32 image in one place: the device host boots with them, and the fuzzer and
 * the device-limit tests boot the simulator with them, so what they exercise is what the board runs.
 */
import { DEVICE_BUDGET } from "./connection-budget.ts";
import type { DeviceConfig } from "./device.ts";
import { DEVICE_FILES } from "./files/file-area.ts";
import { DEVICE_LIMITS } from "./http/limits.ts";
import { DEVICE_JMP } from "./janos/jmp-server.ts";
import { DEVICE_JANOS } from "./janos/service.ts";
import { DEVICE_MQTT } from "./mqtt/client.ts";
import { DEVICE_REGISTRY } from "./registry/registry.ts";
import { DEVICE_WEBSOCKET } from "./ws/websocket.ts";

export const DEVICE_PROFILE = Object.freeze({
  limits: DEVICE_LIMITS,
  registry: DEVICE_REGISTRY,
  websocket: DEVICE_WEBSOCKET,
  jmp: DEVICE_JMP,
  janos: DEVICE_JANOS,
  budget: DEVICE_BUDGET,
  files: DEVICE_FILES,
  mqtt: DEVICE_MQTT,
}) satisfies Partial<DeviceConfig>;
