/**
 * The one guard where Moddable calls into the core: socket, listener, timer, pin, UDP and network
 * link callbacks. In a Moddable build an exception that escapes such a callback ends the whole VM
 * (an ESP32 then restarts); here it is logged, and the caller drops what failed (a connection) and
 * goes on. Called with a target and a function of it, so that a hot callback (every socket read,
 * every timer) allocates nothing for the guard.
 */

/** Calls `fn` on `target`; true when it returned, false when it threw (the exception is logged as `where`'s). */
export function callSafely<T>(target: T, fn: (this: T) => void, where: string): boolean {
  try {
    fn.call(target);
    return true;
  } catch (e) {
    trace(`error ${where}: ${e instanceof Error ? e.message : String(e)}\n`);
    return false;
  }
}
