/**
 * ESP32 boards on Ethernet (the WT32-ETH01: `mcconfig -p esp32/wt32_eth01`, manifest.json): the
 * ESP32's pins and firmware update with an Ethernet link, and no Wi-Fi module in the image.
 */
import { EthernetLink } from "./ethernet-link.ts";
import { createPins, createUpdate } from "./esp32.ts";
import type { Platform } from "./platform.ts";

const platform: Platform = { name: "esp32-ethernet", firmwareBoard: "esp32", createPins, createUpdate, createLink: (_board, log) => new EthernetLink(log) };
export default platform;
