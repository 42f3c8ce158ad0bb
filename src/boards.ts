/**
 * Board profiles: which GPIO is which channel. The JNIOR models are virtual boards (the simulator's
 * pin numbers); real ESP32 boards arrive with the I/O issue.
 */

export interface BoardProfile {
  /** Profile name as given to `--board`. */
  name: string;
  /** JANOS `Model`: a numeric string. */
  model: string;
  /** GPIO per input channel (din1 first). */
  inputs: readonly number[];
  /** GPIO per relay channel (rout1 first). */
  outputs: readonly number[];
}

function virtualBoard(name: string, model: string, inputs: number, outputs: number): BoardProfile {
  return {
    name,
    model,
    inputs: Array.from({ length: inputs }, (_, i) => 1 + i),
    outputs: Array.from({ length: outputs }, (_, i) => 101 + i),
  };
}

export const BOARDS: readonly BoardProfile[] = [
  virtualBoard("jnior-410", "410", 8, 8),
  virtualBoard("jnior-412", "412", 4, 12),
  virtualBoard("jnior-414", "414", 12, 4),
];

export function findBoard(name: string): BoardProfile | undefined {
  const key = name.toLowerCase();
  return BOARDS.find((b) => b.name === key);
}
