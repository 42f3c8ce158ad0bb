/*
 * The ESP32's OTA state for iobox's firmware updates (hosts/moddable/esp32.ts), through Moddable's
 * FFI (hosts/moddable/manifest_esp32.json). ESP-IDF's app rollback (sdkconfig
 * CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE) boots a new image as PENDING_VERIFY; these report that,
 * confirm the image, give it up, and say whether an update was rolled back. The FFI cannot return
 * or pass the partition pointers ESP-IDF's calls take, so they are wrapped here.
 */
#include <stdint.h>
#include "app_update/include/esp_ota_ops.h" /* the path Moddable's own update module uses */

/* 1 when the running image is on probation (ESP_OTA_IMG_PENDING_VERIFY); a unit flashed over serial has no OTA state: 0 */
uint32_t iobox_ota_pending(void)
{
	esp_ota_img_states_t state;
	const esp_partition_t *running = esp_ota_get_running_partition();
	if (!running || (ESP_OK != esp_ota_get_state_partition(running, &state)))
		return 0;
	return ESP_OTA_IMG_PENDING_VERIFY == state ? 1 : 0;
}

/* keeps the running image; ESP_OK, or ESP_FAIL where there is no OTA state */
int32_t iobox_ota_confirm(void)
{
	return esp_ota_mark_app_valid_cancel_rollback();
}

/* marks the running image invalid; the next boot runs the previous one (this call restarts the unit) */
int32_t iobox_ota_rollback(void)
{
	return esp_ota_mark_app_invalid_rollback_and_reboot();
}

/* 1 when the boot loader has marked an image invalid (the last update was rolled back) */
uint32_t iobox_ota_rolled_back(void)
{
	return esp_ota_get_last_invalid_partition() ? 1 : 0;
}
