/**
 * The JMP server (janos.md §1, §2.2): the JANOS messages over plain TCP, framed `[N,{json}]`, on port
 * 9220 by default, up to 16 connections as on a JNIOR. A connection beyond the limit is told why and
 * closed. A client that lets `maxBuffered` bytes pile up unread is dropped rather than allowed to
 * hold the device's memory.
 */
import { Refusals, type Budgeted, type ConnectionBudget } from "../connection-budget.ts";
import type { Connection, Host, Listener } from "../host.ts";
import { utf8Continue } from "../ws/utf8-stream.ts";
import { JmpParser, type JmpReceiver } from "./jmp-framing.ts";
import type { Link, SharedMessage } from "./link.ts";
import type { JanosService } from "./service.ts";
import type { JanosSession } from "./session.ts";

export interface JmpOptions {
  maxConnections: number;
  /** Largest JSON object accepted. */
  maxMessage: number;
  /** Unsent bytes at which a client counts as not reading and is dropped. */
  maxBuffered: number;
  /** The unit's connection budget, shared with the other servers (connection-budget.ts). */
  budget?: ConnectionBudget;
}

/** Device profile: like the WebSocket one (websocket.ts), 4 KB each way. (The connection limit is the registry's JMP/MaxConnections.) */
export const DEVICE_JMP = { maxMessage: 4096, maxBuffered: 4096 };

export const SIMULATOR_JMP: JmpOptions = { maxConnections: 16, maxMessage: 1024 * 1024, maxBuffered: 1024 * 1024 };

export class JmpServer {
  readonly options: JmpOptions;
  private readonly links = new Set<JmpLink>();
  private listener: Listener | undefined;

  constructor(
    readonly host: Host,
    readonly service: JanosService,
    options: Partial<JmpOptions> = {},
  ) {
    this.options = { ...SIMULATOR_JMP, ...options };
  }

  get connections(): number {
    return this.links.size;
  }

  async listen(where: { host?: string; port: number }): Promise<Listener> {
    this.listener = await this.host.net.listen({ host: where.host, port: where.port, admit: () => this.admissible() }, (c) => this.accept(c));
    return this.listener;
  }

  /** Stops listening and closes every connection. */
  close(): void {
    this.listener?.close();
    this.listener = undefined;
    for (const link of [...this.links]) link.close();
  }

  /** As the HTTP server's: a connection it would serve, or one more refusal while few are in flight. */
  private admissible(): boolean {
    const room = this.links.size < this.options.maxConnections && (this.options.budget?.hasRoom() ?? true);
    return this.refusals.admits(room);
  }

  private readonly refusals = new Refusals();

  private accept(connection: Connection): void {
    if (this.links.size >= this.options.maxConnections) {
      this.host.log("warn", `jmp ${connection.remoteAddress}:${connection.remotePort}: refused, ${this.links.size} connections open (limit ${this.options.maxConnections})`);
      return this.refuse(connection, `${this.options.maxConnections} JMP connections are open`);
    }
    const link = new JmpLink(this, connection);
    if (this.options.budget && !this.options.budget.admit(link)) return this.refuse(connection, "every connection slot of the unit is held by a logged-in client");
    this.links.add(link);
    link.session = this.service.open(link);
  }

  private refuse(connection: Connection, detail: string): void {
    const json = `{"Message":"Error","Text":"503 Service Unavailable","Detail":"${detail}"}`;
    this.refusals.refuse(connection, this.host.text.encode(`[${json.length},${json}]`));
  }

  /** @internal */
  released(link: JmpLink): void {
    this.links.delete(link);
    this.options.budget?.release(link);
  }
}

class JmpLink implements Link, JmpReceiver, Budgeted {
  readonly transport = "jmp";
  readonly kind = "jmp";
  session!: JanosSession; // set as soon as the budget has admitted it
  private readonly parser: JmpParser;

  constructor(
    private readonly server: JmpServer,
    private readonly connection: Connection,
  ) {
    this.parser = new JmpParser(server.options.maxMessage);
    connection.target = this;
    connection.onData = jmpData;
    connection.onClose = jmpClosed;
  }

  get remoteAddress(): string {
    return this.connection.remoteAddress;
  }

  get remotePort(): number {
    return this.connection.remotePort;
  }

  get secure(): boolean {
    return this.connection.secure;
  }

  get pending(): number {
    return this.connection.pending;
  }

  send(json: string): boolean {
    return this.write(this.server.host.text.encode(`[${json.length},${json}]`)); // ASCII: length = bytes
  }

  sendShared(message: SharedMessage): boolean {
    return this.write(message.jmpFrame);
  }

  close(): void {
    this.connection.close();
  }

  get sheddable(): boolean {
    return this.session?.principal === undefined; // (no session yet: being admitted)
  }

  shed(): void {
    this.connection.close();
  }

  /** @internal */
  receive(bytes: Uint8Array): void {
    this.parser.parse(bytes, this);
  }

  /** @internal */
  ended(): void {
    this.server.released(this);
    this.server.service.closed(this.session);
  }

  onJmpMessage(bytes: Uint8Array, start: number, end: number): void {
    if (utf8Continue(0, bytes, start, end) !== 0) return this.server.service.error(this.session, 400, "the message is not UTF-8");
    this.server.service.receive(this.session, this.server.host.text.decode(bytes, start, end));
  }

  onJmpOversize(length: number): void {
    this.server.service.error(this.session, 413, `a ${length}-byte message is over the limit of ${this.server.options.maxMessage}`);
  }

  private write(frame: Uint8Array): boolean {
    const pending = this.connection.pending;
    if (pending > 0 && pending + frame.length > this.server.options.maxBuffered) {
      this.server.host.log("warn", `jmp ${this.remoteAddress}:${this.remotePort}: dropping a client too slow to read: ${pending} bytes unsent (limit ${this.server.options.maxBuffered})`);
      this.connection.destroy();
      return false;
    }
    return this.connection.write(frame);
  }
}

function jmpData(this: Connection, bytes: Uint8Array): void {
  (this.target as JmpLink).receive(bytes);
}

function jmpClosed(this: Connection): void {
  (this.target as JmpLink).ended();
}
