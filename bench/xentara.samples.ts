/** Typical Xentara API messages (xentara.md §4), built with iobox's CBOR value model. */
import { Tagged, type CborValue } from "../src/cbor.ts";

const uuid = new Tagged(37, Uint8Array.from({ length: 16 }, (_, i) => i * 17));
const time = (ms: number): Tagged => new Tagged(1001, new Map<CborValue, CborValue>([[4, new Tagged(4, [-3, ms])]]));

export const SAMPLES: Record<string, CborValue> = {
  "read request": [[0, 42, 4, new Map<CborValue, CborValue>([[0, uuid], [1, [11, 9, 7, 0]]])]],
  "read response": [[1, 42, new Map<CborValue, CborValue>([[11, new Tagged(121, true)], [9, new Tagged(121, 0)], [7, new Tagged(121, time(1_704_107_471_111))], [0, new Tagged(121, "IO.din1")]])]],
  "data-change event": [[8, 0, new Map<CborValue, CborValue>([[0, time(1_704_107_471_222)], [1, uuid], [2, new Map<CborValue, CborValue>([[11, new Tagged(121, false)]])]])]],
};
