/**
 * A new image's probation: booted from an update, it confirms itself once its services are up and
 * the network has been up for `Firmware/ConfirmAfter`; if that has not happened within
 * `Firmware/RollbackAfter`, it gives itself up and the unit restarts into the previous image. An
 * image that restarts before it confirmed itself (a crash, the watchdog, an abort) is rolled back by
 * the boot loader (ESP-IDF's, or the simulator's launcher), whatever this code could do.
 */
import type { Host, Timer } from "../host.ts";
import type { NetworkEvent, NetworkState } from "../network/manager.ts";
import type { Registry } from "../registry/registry.ts";
import { keyTable } from "../registry/schema.ts";
import type { FirmwareUpdater } from "./updater.ts";

export const FIRMWARE_KEYS = keyTable(
  [
    {
      pattern: "Firmware/ConfirmAfter",
      type: "integer",
      min: 5,
      max: 3600,
      default: "30",
      unit: "s",
      description: "A new image confirms itself once its services are up and the network has been up this long.",
    },
    {
      pattern: "Firmware/RollbackAfter",
      type: "integer",
      min: 60,
      max: 86_400,
      default: "300",
      unit: "s",
      description: "A new image that has not confirmed itself this long after its boot goes back to the previous one.",
    },
  ],
  { node: "Firmware", owner: "firmware updates" },
);

export interface ReachableNetwork {
  readonly state: NetworkState;
  onChange(listener: (event: NetworkEvent) => void): () => void;
}

export class Probation {
  private confirmTimer: Timer | undefined;
  private rollbackTimer: Timer | undefined;
  private stopWatching: (() => void) | undefined;

  constructor(
    private readonly host: Host,
    private readonly registry: Registry,
    private readonly updater: FirmwareUpdater,
    private readonly version: string,
    /** Restarts the unit (flushing and stopping first): into the previous image after `rollback`. */
    private readonly reboot: (why: string) => void,
  ) {
    const update = host.update;
    if (update?.rolledBack) {
      host.log("error", `firmware: the update was rolled back (${update.rolledBack}); running ${version} again`);
      updater.set("rolled back", `${update.rolledBack}; running ${version} again`);
    } else if (update?.pending) updater.set("probation", `${version} on probation`);
  }

  /** The services are up: the probation runs from here. */
  start(network: ReachableNetwork): void {
    if (!this.host.update?.pending || this.rollbackTimer) return;
    const confirmMs = Number(this.registry.get("Firmware/ConfirmAfter")) * 1000;
    const limitMs = Number(this.registry.get("Firmware/RollbackAfter")) * 1000;
    this.host.log("warn", `firmware: ${this.version} is on probation: confirmed once the network has been up ${confirmMs / 1000} s, rolled back if not within ${limitMs / 1000} s`);
    this.rollbackTimer = this.host.timers.after(limitMs, () => this.giveUp(`${this.version} was not reachable for ${confirmMs / 1000} s within ${limitMs / 1000} s of its boot`));
    const watch = (): void => {
      const up = network.state === "online" || network.state === "host";
      if (up && !this.confirmTimer) this.confirmTimer = this.host.timers.after(confirmMs, this.confirm, this);
      else if (!up) {
        this.confirmTimer?.cancel();
        this.confirmTimer = undefined;
      }
    };
    this.stopWatching = network.onChange(watch);
    watch();
  }

  close(): void {
    this.stopWatching?.();
    this.confirmTimer?.cancel();
    this.rollbackTimer?.cancel();
    this.confirmTimer = this.rollbackTimer = undefined;
  }

  private confirm(): void {
    this.close();
    this.host.update!.confirm();
    this.host.log("info", `firmware: ${this.version} confirmed`);
    this.updater.set("confirmed", `${this.version} confirmed`);
  }

  private giveUp(reason: string): void {
    this.close();
    this.host.log("error", `firmware: ${reason}: back to the previous image`);
    this.host.update!.rollback(reason);
    this.reboot("a rollback");
  }
}
