/**
 * One Xentara WebSocket connection: its requests (xentara.md §3–§4), answered batch for batch, and
 * its subscriptions with their rate limits.
 *
 * Every message is one CBOR array of packets; the answer is one array with a response per request,
 * in order. `client_hello` must come first. Data-change events go in messages of their own, never
 * mixed with responses.
 *
 * Subscriptions (xentara.md §3.4): `maximum_update_rate` is a window — at most one event message per
 * window, carrying the latest values; `minimum_update_rate` is a heartbeat — the subscribed values
 * are sent at least that often even when nothing changes.
 */
import { toHex } from "../bytes.ts";
import { CborError, decodeCbor, Tagged, type CborValue } from "../cbor.ts";
import type { Timer } from "../host.ts";
import type { WebSocket } from "../ws/websocket.ts";
import type { Element } from "./model.ts";
import { NIL_UUID } from "./model.ts";
import { attributeInfo, attributesOf } from "./points.ts";
import {
  ATTR,
  DATA_CHANGE,
  ERR,
  EVENT,
  FAILURE,
  META,
  OP,
  PROTOCOL_VERSION,
  REQUEST,
  STAGE_OPERATIONAL,
  SUCCESS,
  timeValue,
  uuidOf,
  uuidValue,
  type XentaraError,
} from "./protocol.ts";
import type { XentaraService } from "./service.ts";

export interface XentaraPrincipal {
  /** The user name (Basic) or the token's subject (Bearer). */
  name: string;
  /** Roles for the access control list; Everyone is implied. */
  roles: readonly string[];
  /** Logged in with a device account (Basic), which ends the session when it changes; absent for a token. */
  account?: boolean;
}

export interface SessionLimits {
  /** Packets in one message. */
  maxBatch: number;
  maxSubscriptions: number;
  /** Element entries over all subscriptions. */
  maxSubscribedElements: number;
  /** The fastest heartbeat a subscription may ask for, ms. */
  minHeartbeatMs: number;
}

export const SESSION_LIMITS: SessionLimits = { maxBatch: 32, maxSubscriptions: 16, maxSubscribedElements: 64, minHeartbeatMs: 100 };

const MAX_RATE_MS = 86_400_000;

/** A failed request: its error and an optional detail appended to the message. */
class RequestError {
  constructor(
    readonly error: XentaraError,
    readonly detail = "",
  ) {}
}

interface Subscription {
  id: Uint8Array;
  key: string;
  entries: { element: Element; attributes: number[] }[];
  maxRate: number;
  minRate: number;
  /** Elements changed since the last event message. */
  pending: Set<Element>;
  lastSent: number;
  window: Timer | undefined;
  heartbeat: Timer | undefined;
}

type Params = Map<CborValue, CborValue>;

export class XentaraSession {
  private hello = false;
  private readonly subscriptions = new Map<string, Subscription>();
  private subscribedElements = 0;
  closed = false;

  constructor(
    private readonly service: XentaraService,
    readonly ws: WebSocket,
    readonly principal: XentaraPrincipal,
  ) {}

  // --- requests ---------------------------------------------------------------------------------

  receive(bytes: Uint8Array): void {
    let batch: CborValue;
    try {
      batch = decodeCbor(bytes, { maxDepth: 8, maxItems: 1024 });
    } catch (e) {
      if (!(e instanceof CborError)) throw e;
      return this.send([failure(null, ERR.parse, e.message)]);
    }
    if (!Array.isArray(batch) || batch.length === 0) return this.send([failure(null, ERR.invalidRequest, "a message is a non-empty array of packets")]);
    if (batch.length > this.service.limits.maxBatch) return this.send([failure(null, ERR.invalidRequest, `at most ${this.service.limits.maxBatch} packets in one message`)]);
    const responses: CborValue[] = [];
    for (const packet of batch) responses.push(this.request(packet));
    this.send(responses);
  }

  private request(packet: CborValue): CborValue {
    if (!Array.isArray(packet) || packet.length < 3 || packet.length > 4 || packet[0] !== REQUEST) {
      return failure(Array.isArray(packet) && isId(packet[1]) ? packet[1] : null, ERR.invalidRequest, "a request is [0, message id, opcode, parameters?]");
    }
    const [, id, opcode, params] = packet;
    if (!isId(id) || typeof opcode !== "number" || !Number.isInteger(opcode)) return failure(isId(id) ? id : null, ERR.parse, "message id and opcode are integers");
    if (params !== undefined && !(params instanceof Map)) return failure(id, ERR.invalidParameter, "parameters are a map");
    try {
      const result = this.command(opcode, params ?? new Map());
      return result === undefined ? [SUCCESS, id] : [SUCCESS, id, result];
    } catch (e) {
      if (e instanceof RequestError) return failure(id, e.error, e.detail);
      this.service.log("error", `xentara: request ${opcode} failed: ${(e as Error).message}`);
      return failure(id, ERR.internal);
    }
  }

  private command(opcode: number, p: Params): CborValue | undefined {
    if (opcode === OP.clientHello) return this.clientHello(p);
    if (!this.hello) throw new RequestError(ERR.missingHello);
    switch (opcode) {
      case OP.serverInformation:
        return this.serverInformation(p);
      case OP.browse:
        return this.browse(p);
      case OP.metaData:
        return this.metaData(p);
      case OP.lookup:
        return this.lookup(p);
      case OP.read:
        return this.read(p);
      case OP.write:
        return this.write(p);
      case OP.subscribe:
        return this.subscribe(p);
      case OP.unsubscribe:
        return this.unsubscribe(p);
      case OP.getStage:
        return STAGE_OPERATIONAL;
      case OP.resume:
      case OP.suspend:
      case OP.shutdown:
        throw new RequestError(ERR.invalidStageChange, "the device stays operational");
      default: // sub-sessions (12, 13, 15) and unknown opcodes
        throw new RequestError(ERR.commandNotFound, `opcode ${opcode} is not supported`);
    }
  }

  private clientHello(p: Params): CborValue {
    if (this.hello) throw new RequestError(ERR.duplicateHello);
    const min = p.get(0);
    const max = p.get(1);
    if (!isCount(min) || !isCount(max) || min > max) throw new RequestError(ERR.invalidParameter, "minimum and maximum protocol versions are integers, minimum <= maximum");
    if (PROTOCOL_VERSION < min || PROTOCOL_VERSION > max) throw new RequestError(ERR.invalidParameter, `protocol version ${PROTOCOL_VERSION} only`);
    this.hello = true;
    return new Map<CborValue, CborValue>([[0, PROTOCOL_VERSION]]);
  }

  private serverInformation(p: Params): CborValue {
    const ids = p.get(0);
    if (!Array.isArray(ids)) throw new RequestError(ERR.invalidParameter, "server_information_ids is an array");
    const out = new Map<CborValue, CborValue>();
    for (const id of ids) {
      if (id === 0) out.set(0, this.service.version);
      else if (id === 1) out.set(1, this.principal.name);
      else if (id === 2) out.set(2, ""); // no model file: the model is the board
      else throw new RequestError(ERR.invalidParameter, "invalid server information identifier");
    }
    return out;
  }

  private browse(p: Params): CborValue {
    const uuid = uuidOf(p.get(0) ?? null);
    if (!uuid) throw new RequestError(ERR.invalidParameter, "element_uuid is a UUID");
    const depth = p.get(1);
    if (depth !== undefined && !isCount(depth)) throw new RequestError(ERR.invalidParameter, "depth is an unsigned integer");
    const filter = p.get(2);
    if (filter !== undefined && !(Array.isArray(filter) && filter.every((c) => typeof c === "number"))) throw new RequestError(ERR.invalidParameter, "element_category is an array of integers");
    const model = this.service.model;
    const start = equalUuid(uuid, NIL_UUID) ? [model.group] : (this.element(uuid).children as Element[]);
    const out: CborValue[] = [];
    const walk = (elements: readonly Element[], level: number): void => {
      if (depth !== undefined && level > (depth as number)) return;
      for (const e of elements) {
        if (!filter || (filter as number[]).includes(e.category)) out.push(new Map<CborValue, CborValue>([[0, e.primaryKey], [1, uuidValue(e.uuid)], [2, e.category]]));
        walk(e.children, level + 1);
      }
    };
    walk(start, 1);
    return out;
  }

  private metaData(p: Params): CborValue {
    const e = this.element(uuidOf(p.get(0) ?? null));
    const ids = p.get(1);
    if (!Array.isArray(ids)) throw new RequestError(ERR.invalidParameter, "identifiers is an array");
    const out = new Map<CborValue, CborValue>();
    for (const id of ids) {
      if (id === META.primaryKey) out.set(id, e.primaryKey);
      else if (id === META.category) out.set(id, e.category);
      else if (id === META.hasChildren) out.set(id, e.children.length > 0);
      else if (id === META.attributes) {
        out.set(
          id,
          attributesOf(e).map((a) => new Map<CborValue, CborValue>([[0, a.name], [1, a.id], [2, a.access], [3, a.dataType]])),
        );
      } else throw new RequestError(ERR.invalidParameter, "invalid meta data identifier");
    }
    return out;
  }

  private lookup(p: Params): CborValue {
    const key = p.get(0);
    if (typeof key !== "string" || !key) throw new RequestError(ERR.invalidParameter, "primary_key is a non-empty text");
    const e = this.service.model.lookup(key);
    if (!e) throw new RequestError(ERR.unknownElement, key);
    return uuidValue(e.uuid);
  }

  private read(p: Params): CborValue {
    const e = this.element(uuidOf(p.get(0) ?? null));
    const ids = p.get(1);
    if (!Array.isArray(ids) || !ids.every((a) => typeof a === "number")) throw new RequestError(ERR.invalidParameter, "attribute_ids is an array of integers");
    this.entitled("read");
    const out = new Map<CborValue, CborValue>();
    for (const id of ids as number[]) {
      // one attribute that fails does not fail the others (xentara.md §4)
      out.set(id, this.attribute(e, id));
    }
    return out;
  }

  private write(p: Params): CborValue | undefined {
    const e = this.element(uuidOf(p.get(0) ?? null));
    const id = p.get(1);
    if (typeof id !== "number") throw new RequestError(ERR.invalidParameter, "attribute_id is an integer");
    if (p.has(3)) throw new RequestError(ERR.unknownSession, "sub-sessions are not supported");
    const info = attributeInfo(e, id);
    if (!info) throw new RequestError(ERR.missingAttribute);
    this.entitled("write");
    if (id !== ATTR.value || e.channel?.kind !== "output") throw new RequestError(ERR.readOnly);
    const value = p.get(2);
    if (typeof value !== "boolean") throw new RequestError(ERR.typeMismatch, "a relay's value is a boolean");
    this.service.writeRelay(e.channel.index, value);
    return undefined;
  }

  private subscribe(p: Params): CborValue {
    const list = p.get(0);
    if (!Array.isArray(list) || list.length === 0) throw new RequestError(ERR.invalidParameter, "subscription_array is a non-empty array");
    const maxRate = p.get(1) ?? 0;
    const minRate = p.get(2) ?? 0;
    if (!isCount(maxRate) || maxRate > MAX_RATE_MS) throw new RequestError(ERR.invalidParameter, "maximum_update_rate is a number of ms");
    if (!isCount(minRate) || minRate > MAX_RATE_MS) throw new RequestError(ERR.invalidParameter, "minimum_update_rate is a number of ms");
    const limits = this.service.limits;
    if (minRate && minRate < limits.minHeartbeatMs) throw new RequestError(ERR.invalidParameter, `minimum_update_rate is at least ${limits.minHeartbeatMs} ms`);
    if (minRate && minRate < maxRate) throw new RequestError(ERR.invalidParameter, "minimum_update_rate is not below maximum_update_rate");
    const entries: Subscription["entries"] = [];
    for (const item of list) {
      if (!(item instanceof Map)) throw new RequestError(ERR.invalidParameter, "each subscription entry is a map");
      const e = this.element(uuidOf(item.get(0) ?? null));
      const attributes = item.get(1);
      if (!Array.isArray(attributes) || !attributes.every((a) => typeof a === "number")) throw new RequestError(ERR.invalidParameter, "attribute_ids is an array of integers");
      for (const a of attributes as number[]) if (!attributeInfo(e, a)) throw new RequestError(ERR.missingAttribute, `${e.primaryKey} has no attribute ${a}`);
      entries.push({ element: e, attributes: attributes as number[] });
    }
    this.entitled("read");
    let id: Uint8Array;
    const desired = p.get(3);
    if (desired !== undefined) {
      const u = uuidOf(desired);
      if (!u || equalUuid(u, NIL_UUID)) throw new RequestError(ERR.invalidParameter, "desired_subscription_id is a UUID, not nil");
      id = u;
    } else id = this.service.newUuid();
    const key = toHex(id);
    const replaced = this.subscriptions.get(key); // a desired id that exists replaces that subscription (UNCONFIRMED, xentara.md §4)
    const count = this.subscriptions.size - (replaced ? 1 : 0);
    const elements = this.subscribedElements - (replaced?.entries.length ?? 0) + entries.length;
    if (count >= limits.maxSubscriptions) throw new RequestError(ERR.invalidParameter, `at most ${limits.maxSubscriptions} subscriptions`);
    if (elements > limits.maxSubscribedElements) throw new RequestError(ERR.invalidParameter, `at most ${limits.maxSubscribedElements} subscribed elements`);
    if (replaced) this.drop(replaced);
    const s: Subscription = { id, key, entries, maxRate, minRate, pending: new Set(), lastSent: -Infinity, window: undefined, heartbeat: undefined };
    this.subscriptions.set(key, s);
    this.subscribedElements += entries.length;
    this.armHeartbeat(s);
    return uuidValue(id);
  }

  private unsubscribe(p: Params): undefined {
    const id = uuidOf(p.get(0) ?? null);
    if (!id) throw new RequestError(ERR.invalidParameter, "subscription_id is a UUID");
    const s = this.subscriptions.get(toHex(id));
    if (!s) throw new RequestError(ERR.unknownSubscription);
    this.drop(s);
    return undefined;
  }

  /** An attribute's value as reads and events carry it: 121(value), or 122(error). */
  private attribute(e: Element, id: number): Tagged {
    const v = this.service.points.read(e, id);
    return v === undefined ? new Tagged(122, errorMap(ERR.missingAttribute)) : new Tagged(121, v);
  }

  private element(uuid: Uint8Array | undefined): Element {
    if (!uuid) throw new RequestError(ERR.invalidParameter, "element_uuid is a UUID");
    const e = this.service.model.byUuid(uuid);
    if (!e) throw new RequestError(ERR.unknownElement);
    return e;
  }

  private entitled(entitlement: "read" | "write"): void {
    if (!this.service.access.allows(this.principal.roles, entitlement)) throw new RequestError(ERR.accessDenied, `"${this.principal.name}" lacks the ${entitlement} entitlement`);
  }

  // --- events -----------------------------------------------------------------------------------

  /** An element's value changed: subscriptions that cover it send it, within their rate limits. */
  changed(e: Element): void {
    for (const s of this.subscriptions.values()) {
      if (!s.entries.some((x) => x.element === e)) continue;
      s.pending.add(e);
      this.schedule(s);
    }
  }

  private schedule(s: Subscription): void {
    if (s.window) return; // the window's end sends the latest values
    const wait = s.lastSent + s.maxRate - this.service.now();
    if (wait <= 0) this.flush(s, false);
    else s.window = this.service.timers.after(wait, () => {
      s.window = undefined;
      this.flush(s, false);
    });
  }

  private flush(s: Subscription, all: boolean): void {
    if (this.closed) return;
    const now = this.service.now();
    const events: CborValue[] = [];
    for (const entry of s.entries) {
      if (!all && !s.pending.has(entry.element)) continue;
      const values = new Map<CborValue, CborValue>();
      for (const a of entry.attributes) values.set(a, this.attribute(entry.element, a));
      events.push([EVENT, DATA_CHANGE, new Map<CborValue, CborValue>([[0, timeValue(now)], [1, uuidValue(entry.element.uuid)], [2, values]])]);
    }
    s.pending.clear();
    if (!events.length) return;
    s.lastSent = now;
    this.send(events);
    this.armHeartbeat(s);
  }

  private armHeartbeat(s: Subscription): void {
    if (!s.minRate) return;
    s.heartbeat?.cancel();
    s.heartbeat = this.service.timers.after(s.minRate, () => {
      s.heartbeat = undefined;
      if (this.subscriptions.get(s.key) === s) this.flush(s, true);
    });
  }

  private drop(s: Subscription): void {
    s.window?.cancel();
    s.heartbeat?.cancel();
    this.subscriptions.delete(s.key);
    this.subscribedElements -= s.entries.length;
  }

  /** The connection is gone. */
  close(): void {
    this.closed = true;
    for (const s of [...this.subscriptions.values()]) this.drop(s);
  }

  private send(message: CborValue[]): void {
    // the shared encoder's view is copied into the frame at once, so one buffer serves every connection
    if (!this.closed) this.ws.sendBinary(this.service.encoder.encode(message));
  }
}

function failure(id: CborValue, error: XentaraError, detail = ""): CborValue {
  return [FAILURE, id, errorMap(detail ? [error[0], error[1] + ": " + detail] : error)];
}

function errorMap(error: XentaraError): Map<CborValue, CborValue> {
  return new Map<CborValue, CborValue>([[0, error[0]], [1, error[1]]]);
}

function isId(v: CborValue | undefined): v is number | bigint {
  return (typeof v === "number" && Number.isInteger(v)) || typeof v === "bigint";
}

function isCount(v: CborValue | undefined): v is number {
  return typeof v === "number" && Number.isInteger(v) && v >= 0;
}

function equalUuid(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < 16; i++) if (a[i] !== b[i]) return false;
  return true;
}

