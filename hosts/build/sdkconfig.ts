import fs from "node:fs";
import path from "node:path";

/**
 * What iobox changes in ESP-IDF's configuration, over Moddable's ESP32 defaults
 * ($MODDABLE/build/devices/esp32/xsProj-esp32/sdkconfig.defaults). `npm run build:device` writes one
 * sdkconfig.defaults per target under build/device/sdkconfig/, which manifest.json names as the
 * build's SDKCONFIGPATH; mcconfig merges it over Moddable's (a line here replaces Moddable's line of
 * the same option, tools/mcmanifest.js).
 *
 * A target whose own manifest sets SDKCONFIGPATH (the WT32-ETH01) would have its file replaced by
 * ours, so its lines are repeated here.
 */

/** Every target. */
const COMMON = [
  "# the task watchdog (Moddable turns it off): Moddable's event loop subscribes its task and feeds",
  "# it every turn (xs/platforms/esp/xsHost.c). A hang, or one turn longer than this, resets the unit",
  "# (PANIC: without it a timeout only logs, and Moddable's builds have no console to log to). 15 s",
  "# leaves room for slow turns (an ES256 signature check on a Bearer token; not timed on an ESP32).",
  "CONFIG_ESP_TASK_WDT_EN=y",
  "CONFIG_ESP_TASK_WDT_INIT=y",
  "CONFIG_ESP_TASK_WDT_TIMEOUT_S=15",
  "CONFIG_ESP_TASK_WDT_PANIC=y",
  "CONFIG_ESP_TASK_WDT_CHECK_IDLE_TASK_CPU0=y",
  "CONFIG_ESP_TASK_WDT_CHECK_IDLE_TASK_CPU1=y",
  "# the interrupt watchdog: an interrupt handler that never returns resets the unit",
  "CONFIG_ESP_INT_WDT=y",
  "CONFIG_ESP_INT_WDT_TIMEOUT_MS=800",
  "CONFIG_ESP_INT_WDT_CHECK_CPU1=y",
  "# app rollback: an update boots on probation and is kept only once it confirms itself",
  "# (src/firmware/probation.ts); the boot loader goes back to the previous image after a reset first.",
  "# A boot loader option: a unit gets it with its first serial flash, not over the air.",
  "CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE=y",
  "# 16 TCP connections (Moddable: 8) for the connection budget of 12 (src/connection-budget.ts): the",
  "# rest is room for connections closing, refused or in TIME_WAIT",
  "CONFIG_LWIP_MAX_ACTIVE_TCP=16",
  "# the TLS server (hosts/moddable/tls/, on ESP-IDF's Mbed TLS 4.0): TLS 1.3 beside 1.2, ECDHE on",
  "# X25519 and P-256, no renegotiation; records 16 KB in (a client may send full ones) and 4 KB out.",
  "# Not built here (no ESP-IDF in CI): names from ESP-IDF's components/mbedtls/Kconfig; an unknown",
  "# one is reported by the ESP32 build and ignored.",
  "CONFIG_MBEDTLS_SSL_PROTO_TLS1_2=y",
  "CONFIG_MBEDTLS_SSL_PROTO_TLS1_3=y",
  "CONFIG_MBEDTLS_SSL_TLS1_3_KEXM_EPHEMERAL=y",
  "CONFIG_MBEDTLS_ECP_DP_SECP256R1_ENABLED=y",
  "CONFIG_MBEDTLS_ECP_DP_CURVE25519_ENABLED=y",
  "CONFIG_MBEDTLS_SSL_RENEGOTIATION=n",
  "CONFIG_MBEDTLS_ASYMMETRIC_CONTENT_LEN=y",
  "CONFIG_MBEDTLS_SSL_IN_CONTENT_LEN=16384",
  "CONFIG_MBEDTLS_SSL_OUT_CONTENT_LEN=4096",
];

/** $MODDABLE/build/devices/esp32/targets/wt32_eth01/sdkconfig/sdkconfig.defaults (SDK 8.2.3): its Ethernet. */
const WT32_ETH01 = ["CONFIG_ETH_ENABLED=y", "CONFIG_ETH_USE_ESP32_EMAC=y", "CONFIG_ETH_DMA_BUFFER_SIZE=512", "CONFIG_ETH_DMA_RX_BUFFER_NUM=10", "CONFIG_ETH_DMA_TX_BUFFER_NUM=10"];

/** The sdkconfig.defaults of each target directory under build/device/sdkconfig/. */
export const SDKCONFIG: Readonly<Record<string, string>> = {
  esp32: COMMON.join("\n") + "\n",
  wt32_eth01: [...COMMON, "# the WT32-ETH01's own (its target's sdkconfig, which ours replaces)", ...WT32_ETH01].join("\n") + "\n",
};

/**
 * Writes `<dir>/sdkconfig/<target>/sdkconfig.defaults`, and `<dir>/manifest_sdkconfig.json`, which
 * manifest.json includes after Moddable's base manifest: a target's own SDKCONFIGPATH (the
 * WT32-ETH01's) is set by a manifest included before ours, and mcconfig lets the later one win,
 * while a platform's `build` in manifest.json itself is applied before its includes and would lose.
 */
export function writeSdkconfig(dir: string): void {
  const platforms: Record<string, { build: { SDKCONFIGPATH: string } }> = {};
  for (const [target, text] of Object.entries(SDKCONFIG)) {
    fs.mkdirSync(path.join(dir, "sdkconfig", target), { recursive: true });
    fs.writeFileSync(path.join(dir, "sdkconfig", target, "sdkconfig.defaults"), text);
    platforms[target === "esp32" ? "esp32" : "esp32/" + target] = { build: { SDKCONFIGPATH: "./sdkconfig/" + target } };
  }
  fs.writeFileSync(path.join(dir, "manifest_sdkconfig.json"), JSON.stringify({ platforms }, null, "\t") + "\n");
}
