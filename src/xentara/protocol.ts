/**
 * The Xentara WebSocket API's numbers (xentara.md §3–§5): packet types, opcodes, error codes, and the
 * identifiers of attributes, access and data types. Where xentara.md says UNCONFIRMED, the value
 * chosen here is marked so; clients that do not know a value ignore it.
 */
import { Tagged, type CborValue } from "../cbor.ts";

export const REQUEST = 0;
export const SUCCESS = 1;
export const FAILURE = 2;
export const EVENT = 8;
export const DATA_CHANGE = 0;

export const OP = {
  serverInformation: 0,
  browse: 1,
  metaData: 2,
  lookup: 3,
  read: 4,
  write: 5,
  subscribe: 6,
  unsubscribe: 7,
  getStage: 8,
  resume: 9, // UNCONFIRMED name (xentara.md §6.1)
  suspend: 10,
  shutdown: 11,
  createSubSession: 12,
  closeSubSession: 13,
  clientHello: 14,
  checkAccess: 15,
} as const;

/** Error codes with the texts of Xentara's official client (xentara.md §3.6). */
export const ERR = {
  parse: [-32700, "payload not well formed"],
  invalidRequest: [-32600, "invalid request"],
  commandNotFound: [-32601, "command not found"], // UNCONFIRMED: JSON-RPC's "method not found"
  invalidParameter: [-32602, "invalid parameter"],
  internal: [-32603, "internal server error"],
  missingHello: [-32000, "missing client hello request"],
  duplicateHello: [-32001, "duplicate client hello request"],
  unknownElement: [-32100, "unknown element"],
  missingAttribute: [-32101, "missing attribute"],
  accessDenied: [-32102, "access denied"],
  readOnly: [-32103, "value is read only"],
  outOfRange: [-32105, "value is out of range"],
  typeMismatch: [-32106, "value cannot be converted to requested type"],
  illegalValue: [-32107, "value supplied is not valid"],
  writeError: [-32109, "write error"],
  unknownSubscription: [-32110, "unknown subscription Id"],
  unknownSession: [-32111, "unknown session Id"],
  invalidStageChange: [-32112, "invalid stage change request"],
} as const;

export type XentaraError = readonly [number, string];

/** Attribute ids (xentara.md §5). */
export const ATTR = {
  primaryKey: 0,
  name: 1,
  uuid: 2,
  type: 3,
  category: 4,
  sourceTime: 5,
  updateTime: 6,
  changeTime: 7,
  writeTime: 8,
  quality: 9,
  value: 11,
} as const;

/** Access identifiers: UNCONFIRMED numbers (xentara.md §5); bit 0 read, bit 1 write. */
export const ACCESS_READ = 1;
export const ACCESS_WRITE = 2;

/** Data type identifiers: UNCONFIRMED numbers (xentara.md §5), in the order the official client lists the names. */
export const TYPE = { boolean: 0, signedInteger64: 4, unsignedInteger64: 8, float64: 10, string: 11, timePoint: 12, uuid: 13 } as const;

export const STAGE_OPERATIONAL = 2;
export const PROTOCOL_VERSION = 1;

/** Meta data identifiers. */
export const META = { primaryKey: 0, category: 1, attributes: 2, hasChildren: 3 } as const;

export const QUALITY_GOOD = 0;

/** A UUID as CBOR: tag 37 around 16 bytes. */
export function uuidValue(bytes: Uint8Array): Tagged {
  return new Tagged(37, bytes);
}

/** A time stamp as CBOR: tag 1001 {4: 4([-3, ms])}, milliseconds since the epoch (xentara.md §3.3). */
export function timeValue(ms: number): Tagged {
  return new Tagged(1001, new Map<CborValue, CborValue>([[4, new Tagged(4, [-3, Math.floor(ms)])]]));
}

/** The UUID bytes of a tag-37 value, or undefined. */
export function uuidOf(value: CborValue): Uint8Array | undefined {
  return value instanceof Tagged && value.tag === 37 && value.value instanceof Uint8Array && value.value.length === 16 ? value.value : undefined;
}
