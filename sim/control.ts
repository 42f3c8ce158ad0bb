/**
 * Driving a simulated board by channel, as the simulator's console and control API do: inputs are
 * switched on and off at their terminals (the profile says whether that makes the pin high or low),
 * relays are read as closed or open. Every bad request gets a clear error.
 */
import type { BoardProfile } from "../src/boards.ts";
import type { Level, Timers } from "../src/host.ts";
import type { SimBoard } from "./board.ts";

export interface BoardState {
  /** 1 = the input is on (a signal at its terminals). */
  inputs: Level[];
  /** 1 = the relay is closed. */
  outputs: Level[];
}

export class BoardControl {
  constructor(
    private readonly board: SimBoard,
    private readonly profile: BoardProfile,
    private readonly timers: Timers,
  ) {}

  setInput(channel: number, on: boolean): void {
    const spec = this.input(channel);
    this.board.setInput(spec.pin, (on !== (spec.activeLow === true) ? 1 : 0) as Level);
  }

  /** `count` pulses of `widthMs` on, every `periodMs`; returns how long the train lasts. */
  pulse(channel: number, count: number, widthMs: number, periodMs: number): number {
    const spec = this.input(channel);
    for (const [name, value] of [["count", count], ["width", widthMs], ["period", periodMs]] as const) {
      if (typeof value !== "number" || !Number.isFinite(value)) throw new RangeError(`${name} must be a number`);
    }
    if (widthMs < 1) throw new RangeError("width must be at least 1 ms");
    return this.board.pulseTrain(this.timers, spec.pin, count, widthMs, periodMs, spec.activeLow ? 0 : 1);
  }

  state(): BoardState {
    return {
      inputs: this.profile.inputs.map((s) => (this.board.inputLevel(s.pin) !== (s.activeLow === true ? 1 : 0) ? 1 : 0) as Level),
      outputs: this.profile.outputs.map((s) => (this.board.outputLevel(s.pin) !== (s.activeLow === true ? 1 : 0) ? 1 : 0) as Level),
    };
  }

  private input(channel: number): { pin: number; activeLow?: boolean } {
    const count = this.profile.inputs.length;
    if (!Number.isInteger(channel) || channel < 1 || channel > count) {
      throw new RangeError(count ? `no input ${channel}: ${this.profile.name} has inputs 1 to ${count}` : `${this.profile.name} has no inputs`);
    }
    return this.profile.inputs[channel - 1]!;
  }
}

/**
 * One console line: `in N on|off`, `pulse N COUNT WIDTH PERIOD`, `state`, `help`. Returns the
 * answer to print; throws RangeError with the reason for anything else.
 */
export function consoleCommand(control: BoardControl, line: string): string {
  const words = line.trim().split(/\s+/);
  const cmd = (words[0] ?? "").toLowerCase();
  const number = (text: string | undefined, what: string): number => {
    if (text === undefined || !/^\d+$/.test(text)) throw new RangeError(`${what} must be a whole number (got ${text === undefined ? "nothing" : JSON.stringify(text)})`);
    return Number(text);
  };
  switch (cmd) {
    case "":
      return "";
    case "help":
    case "?":
      return CONSOLE_HELP;
    case "state": {
      const s = control.state();
      return `inputs ${s.inputs.join("")}  relays ${s.outputs.join("")}`;
    }
    case "in":
    case "input": {
      if (words.length !== 3) throw new RangeError("usage: in N on|off");
      const level = words[2]!.toLowerCase();
      if (!["on", "off", "1", "0"].includes(level)) throw new RangeError(`in N on|off (got ${JSON.stringify(words[2])})`);
      const channel = number(words[1], "the input");
      control.setInput(channel, level === "on" || level === "1");
      return `input ${channel} ${level === "on" || level === "1" ? "on" : "off"}`;
    }
    case "pulse": {
      if (words.length !== 5) throw new RangeError("usage: pulse N COUNT WIDTH_MS PERIOD_MS");
      const channel = number(words[1], "the input");
      const ms = control.pulse(channel, number(words[2], "count"), number(words[3], "width"), number(words[4], "period"));
      return `input ${channel}: ${words[2]} pulses over ${ms} ms`;
    }
    default:
      throw new RangeError(`unknown command ${JSON.stringify(words[0])}; try help`);
  }
}

export const CONSOLE_HELP = `commands:
  in N on|off                       switch input N on or off
  pulse N COUNT WIDTH_MS PERIOD_MS  pulse input N: COUNT pulses of WIDTH_MS, one every PERIOD_MS
  state                             inputs and relays, 1 = on / closed
  help                              this list`;
