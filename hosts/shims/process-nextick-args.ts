/**
 * The npm package `process-nextick-args` where Node is absent: it calls `process.nextTick`, which XS
 * lacks. mqtt-packet only defers `uncork` with it, for streams that cork (generate's does not); a
 * promise job runs at the same point, before any timer or I/O callback.
 */
export function nextTick<A extends unknown[]>(fn: (...args: A) => void, ...args: A): void {
  Promise.resolve().then(() => fn(...args));
}
