/**
 * Failed boots, counted on flash, and safe mode after three of them in a row.
 *
 * Every boot counts itself as failed as it starts; it becomes good when it has run a minute with
 * its services up, or when it stops cleanly (a reboot asked for, the simulator shut down). A boot
 * that ends any other way (an abort, the watchdog, a crash, power lost in its first minute) stays
 * counted, and so does one that ends in an abort after its minute (the host's abort hook says so):
 * something that stops the VM again and again, a client's input say, brings safe mode like a boot
 * that never comes up. After `SAFE_MODE_AFTER` in a row the unit boots in safe mode: the network, the web UI and
 * logins only, the relays left at their initial states, so an administrator can reach it to put
 * right what made it fail. Safe mode ends at the next boot once this one has run its minute.
 *
 * Where the platform can say why a boot ended (Moddable's abort hook, hosts/moddable/boot.ts), the
 * host writes the reason to `LAST_ABORT_FILE`; it is kept until the next abort and shown as
 * `$LastAbort`.
 */
import { decodeUtf8, encodeAscii } from "./bytes.ts";
import type { Host, Timer } from "./host.ts";

export const SAFE_MODE_AFTER = 3;
export const GOOD_AFTER_MS = 60_000;
const FILE = "boots";
/** "<ISO time> <reason>", one line, written by the host as the VM aborts. */
export const LAST_ABORT_FILE = "last-abort";
const MAX_ABORT_TEXT = 200;

export class BootRecord {
  /** Failed boots in a row before this one. */
  readonly failures: number;
  readonly safeMode: boolean;
  /** Why the unit last aborted, if it ever did ("" otherwise). */
  readonly lastAbort: string;
  private timer: Timer | undefined;
  private settled = false;

  constructor(private readonly host: Host) {
    this.failures = this.read();
    this.safeMode = this.failures >= SAFE_MODE_AFTER;
    this.write(this.failures + 1);
    this.lastAbort = this.readAbort();
    if (this.lastAbort && this.failures > 0) host.log("warn", `boot: the unit last aborted at ${this.lastAbort}`);
  }

  /** The services are up: the boot is good if the unit runs another minute. */
  servicesUp(): void {
    if (this.settled || this.timer) return;
    this.timer = this.host.timers.after(GOOD_AFTER_MS, this.good, this);
  }

  /** This boot did not fail: a clean stop, or its minute is up. Idempotent. */
  good(): void {
    this.timer?.cancel();
    this.timer = undefined;
    if (this.settled) return;
    this.settled = true;
    this.write(0);
  }

  /**
   * The VM is ending in an abort: the count goes back to where this boot found it, plus one, even if
   * the boot had run its minute. Small and synchronous: the VM may be out of memory.
   */
  aborted(): void {
    this.close();
    this.settled = true;
    this.write(this.failures + 1);
  }

  /** Stops waiting (the unit is going down without saying whether the boot was good). */
  close(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  private read(): number {
    try {
      const bytes = this.host.files.read(FILE);
      if (!bytes) return 0;
      const n = Number(decodeUtf8(bytes, 0, bytes.length).trim());
      if (Number.isInteger(n) && n >= 0 && n < 1000) return n;
      this.host.log("warn", "boot: the count of failed boots was unreadable; counting from 0");
    } catch (e) {
      this.host.log("warn", `boot: cannot read the count of failed boots: ${(e as Error).message}`);
    }
    return 0;
  }

  private readAbort(): string {
    try {
      const bytes = this.host.files.read(LAST_ABORT_FILE);
      if (!bytes) return "";
      let text = "";
      for (let i = 0; i < bytes.length && i < MAX_ABORT_TEXT; i++) text += bytes[i]! >= 0x20 && bytes[i]! < 0x7f ? String.fromCharCode(bytes[i]!) : " ";
      return text.trim();
    } catch {
      return "";
    }
  }

  private write(n: number): void {
    try {
      this.host.files.write(FILE, encodeAscii(n + "\n"));
    } catch (e) {
      // a full or failing flash must not stop the boot: the count is a safety net, not a service
      this.host.log("error", `boot: cannot record the boot: ${(e as Error).message}`);
    }
  }
}
