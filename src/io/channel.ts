/** What a channel needs from the I/O service that owns it. */
import type { Timers } from "../host.ts";

export type IoKind = "input" | "output";

export interface ChannelOwner {
  readonly timers: Timers;
  now(): number;
  /** The channel's reported state or count changed. */
  changed(kind: IoKind, index: number): void;
  /** The input's count changed (to be kept across power cuts). */
  counted(index: number): void;
  /** A meter entered or left its metered state, or was reset (to be kept). */
  metered(kind: IoKind, index: number): void;
  /** The input latched or its latch was released (`$Latched`). */
  latchChanged(index: number): void;
}
