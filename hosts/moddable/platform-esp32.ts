/** ESP32 boards on Wi-Fi (manifest.json's `esp32`). An Ethernet board profile built here has no link. */
import { createPins, createUpdate } from "./esp32.ts";
import type { Platform } from "./platform.ts";
import { WifiLink } from "./wifi-link.ts";

const platform: Platform = { name: "esp32", firmwareBoard: "esp32", createPins, createUpdate, createLink: (board, log) => (board.network === "ethernet" ? undefined : new WifiLink(log)) };
export default platform;
