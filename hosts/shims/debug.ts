/**
 * The npm package `debug` where Node is absent: mqtt-packet makes a logger per file and calls it on
 * every state of the parser; the real package would read `process.env` or `localStorage`. Nothing
 * reads `.enabled`. `export =` because mqtt-packet calls what `require("debug")` returns.
 */
const silent = (..._args: unknown[]): void => {};

function debug(_namespace: string): typeof silent {
  return silent;
}

export = debug;
