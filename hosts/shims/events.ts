/**
 * Node's `events` module where Node is absent: the EventEmitter that mqtt-packet's Parser and
 * generate's Accumulator extend. They only emit ("packet", "error"); the codec subscribes with `on`.
 * As in Node, listeners run in order with the emitter as `this`, and an "error" nobody listens to is
 * thrown (that is how generate reports an invalid packet).
 */
type Listener = (...args: unknown[]) => void;

export class EventEmitter {
  // private, so it cannot meet a field of the subclasses (Parser keeps a dozen); made on first `on`,
  // so generate's per-call Accumulator allocates nothing for it
  #listeners: Map<string | symbol, Listener[]> | undefined;

  on(event: string | symbol, listener: Listener): this {
    this.#listeners ??= new Map();
    const list = this.#listeners.get(event);
    if (list) list.push(listener);
    else this.#listeners.set(event, [listener]);
    return this;
  }

  emit(event: string | symbol, ...args: unknown[]): boolean {
    const list = this.#listeners?.get(event);
    if (!list) {
      if (event === "error") throw args[0] instanceof Error ? args[0] : new Error("unhandled error event: " + String(args[0]));
      return false;
    }
    for (const listener of list.slice()) listener.apply(this, args); // a copy: a listener may add another
    return true;
  }
}
