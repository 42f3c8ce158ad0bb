/**
 * One budget of connections for the whole unit: HTTP and WebSocket, JMP, and the MQTT client share
 * it, because on the device they share the TCP stack's few connection slots (lwIP's active TCP
 * control blocks, set in the manifest's sdkconfig). Without it, a few idle sockets that never log
 * in would fill the stack and lock out the web UI.
 *
 * Inbound connections take a slot when they are accepted. When none is free, the budget makes
 * room: it closes a connection that has not logged in (the oldest one of the address holding the
 * most of them, so one flooding client cannot push out another's fresh connection), and the new one
 * takes its slot. When every slot is held by a logged-in connection, the new one is refused (HTTP
 * 503, a JMP 503 error). Outbound connections (the MQTT client) have slots kept for them and never
 * compete with inbound ones.
 */
import type { Connection, Host } from "./host.ts";

export interface BudgetOptions {
  /** Connections in all, inbound and outbound. */
  slots: number;
  /** Of those, kept for outbound connections. */
  outbound: number;
}

/**
 * The device: lwIP's active TCP control blocks (16, CONFIG_LWIP_MAX_ACTIVE_TCP) less room for
 * connections being refused or shed while they close, and for TIME_WAIT.
 */
export const DEVICE_BUDGET: BudgetOptions = { slots: 12, outbound: 1 };

/** The simulator: room for benchmarks that open hundreds of connections. */
export const SIMULATOR_BUDGET: BudgetOptions = { slots: 1024, outbound: 8 };

/**
 * Refusals (a 503) in flight at once, per server: a connection over the limit beyond them is closed
 * by the host as it arrives, before anything is made for it (ListenOptions.admit).
 */
export const MAX_REFUSING = 2;

/** One server's refusals in flight: the rule of MAX_REFUSING, kept in one place for every server. */
export class Refusals {
  private inFlight = 0;

  /** Whether to set up a connection arriving now: one the server has `room` for, or one more refusal. */
  admits(room: boolean): boolean {
    return room || this.inFlight < MAX_REFUSING;
  }

  /** Writes `answer` (the 503) and closes the connection, counting it until it has closed. */
  refuse(connection: Connection, answer: Uint8Array): void {
    this.inFlight++;
    connection.onData = undefined;
    connection.onClose = () => this.inFlight--;
    connection.write(answer);
    connection.close();
  }
}

/** An inbound connection as the budget sees it. */
export interface Budgeted {
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** What it is, for the log ("jmp", "http", "websocket"). */
  readonly kind: string;
  /**
   * It may be closed to make room: it has not logged in (a JANOS connection before its login, an
   * HTTP connection between requests or still reading a request head). A connection serving a
   * request or logged in is never shed.
   */
  readonly sheddable: boolean;
  /** Closes it to make room; it releases its slot by itself when it has closed. */
  shed(): void;
}

export class ConnectionBudget {
  private readonly inbound = new Set<Budgeted>(); // in order of arrival: the first is the oldest
  private outboundOpen = 0;

  constructor(
    private readonly host: Host,
    readonly options: BudgetOptions,
  ) {}

  /** Slots in use, inbound and outbound. */
  get used(): number {
    return this.inbound.size + this.outboundOpen;
  }

  /** Whether a connection arriving now would get a slot (one free, or one to be made by shedding). */
  hasRoom(): boolean {
    return this.inbound.size < this.options.slots - this.options.outbound || this.victim() !== undefined;
  }

  /** A connection just accepted: true when it has a slot (perhaps made by shedding another), false when it must be refused. */
  admit(c: Budgeted): boolean {
    if (this.inbound.size >= this.options.slots - this.options.outbound) {
      const victim = this.victim();
      if (!victim) {
        this.host.log("warn", `connections: all ${this.inbound.size} inbound slots are held by logged-in connections; ${c.kind} ${c.remoteAddress}:${c.remotePort} refused`);
        return false;
      }
      this.inbound.delete(victim);
      this.host.log("info", `connections: ${victim.kind} ${victim.remoteAddress}:${victim.remotePort} had not logged in; closed to make room for ${c.kind} ${c.remoteAddress}:${c.remotePort}`);
      victim.shed();
    }
    this.inbound.add(c);
    return true;
  }

  /** A connection has closed (harmless for one shed or never admitted). */
  release(c: Budgeted): void {
    this.inbound.delete(c);
  }

  /** The same connection under another object (an HTTP connection that became a WebSocket). */
  replace(from: Budgeted, to: Budgeted): void {
    if (this.inbound.delete(from)) this.inbound.add(to);
  }

  /** An outbound connection is about to open: false when its kept slots are all in use. */
  openOutbound(): boolean {
    if (this.outboundOpen >= this.options.outbound) return false;
    this.outboundOpen++;
    return true;
  }

  closeOutbound(): void {
    if (this.outboundOpen > 0) this.outboundOpen--;
  }

  /** The oldest sheddable connection of the address with the most sheddable ones. */
  private victim(): Budgeted | undefined {
    const count = new Map<string, number>();
    let best: Budgeted | undefined;
    let bestCount = 0;
    for (const c of this.inbound) {
      if (!c.sheddable) continue;
      const n = (count.get(c.remoteAddress) ?? 0) + 1;
      count.set(c.remoteAddress, n);
      if (n > bestCount) {
        bestCount = n;
        // the oldest of that address: the first seen of it
        best = n === 1 ? c : firstOf(this.inbound, c.remoteAddress);
      }
    }
    return best;
  }
}

function firstOf(set: Set<Budgeted>, address: string): Budgeted | undefined {
  for (const c of set) if (c.sheddable && c.remoteAddress === address) return c;
  return undefined;
}
