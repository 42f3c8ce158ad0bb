/**
 * What a boot loader with rollback decides at power-up (ESP-IDF's with
 * CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE; the simulator's launcher and the memory host model it with
 * this): an image committed since the last boot runs now, on probation; an image on probation that
 * boots a second time without having confirmed itself (it crashed, or was cut off), or that gave
 * itself up, is replaced by the one before it.
 */
export interface Slots<T> {
  /** The image that runs (null: the one the unit was built with). */
  running: T | null;
  /** The image before it, which a rollback returns to. */
  previous: T | null;
  /** Committed by an update: it boots next. */
  next: T | null;
  /** The running image is on probation. */
  pending: boolean;
  /** Boots of the pending image so far. */
  attempts: number;
  /** The running image gave itself up (probation.ts): why. */
  giveUp: string | null;
}

export function emptySlots<T>(): Slots<T> {
  return { running: null, previous: null, next: null, pending: false, attempts: 0, giveUp: null };
}

/** Runs the boot loader's decision on `s` (changing it); returns why an update was rolled back, when it was. */
export function bootSlots<T>(s: Slots<T>): string | undefined {
  let rolledBack: string | undefined;
  if (s.pending && (s.giveUp !== null || ++s.attempts > 1)) {
    rolledBack = s.giveUp ?? "the new image restarted before it confirmed itself";
    s.running = s.previous;
    s.pending = false;
  }
  s.giveUp = null;
  if (s.next !== null) {
    s.previous = s.running;
    s.running = s.next;
    s.next = null;
    s.pending = true;
    s.attempts = 1;
  }
  return rolledBack;
}
