/**
 * What differs between Moddable platforms. manifest.json maps the module name `iobox-platform` to
 * platform-esp32 on ESP32 and to platform-sim on builds without GPIO (the `lin` simulator).
 */
import type { SimBoard } from "../../sim/board.ts";
import type { BoardProfile } from "../../src/boards.ts";
import type { FirmwareUpdate, Link, LogLevel, Pins } from "../../src/host.ts";

export interface Platform {
  name: string;
  /** The board family firmware images must be built for (src/firmware/image.ts). */
  firmwareBoard: string;
  createPins(board: BoardProfile): Pins;
  createUpdate(): FirmwareUpdate | undefined;
  /** The unit's own network interface, as the board profile says (Wi-Fi unless "ethernet"). */
  createLink(board: BoardProfile, log: (level: LogLevel, message: string) => void): Link | undefined;
  /** Why this platform cannot join a multicast group (so no mDNS), or undefined when it can. */
  noMulticast?: string;
  /** Where the pins are simulated (lin): the board, for the test build's test port. */
  simulatedBoard?(): SimBoard | undefined;
  /**
   * The platform cannot restart the machine (lin: mcsim has no restart), so a reboot starts the
   * core again in the same VM; its flash (lin's is a RAM disk) is kept, as a restart keeps a unit's.
   */
  restartsInPlace?: boolean;
}
