/** Steps metered on XS: decode and encode each sample once. */
import { decodeUtf8, encodeUtf8 } from "../src/bytes.ts";
import { SAMPLES } from "./utf8.samples.ts";

const json = encodeUtf8(SAMPLES.json);
const mixed = encodeUtf8(SAMPLES.mixed);
const large = encodeUtf8(SAMPLES.large);

const steps: [string, () => void][] = [
  ["decode json", () => void decodeUtf8(json, 0, json.length, true)],
  ["decode mixed", () => void decodeUtf8(mixed, 0, mixed.length, true)],
  ["encode json", () => void encodeUtf8(SAMPLES.json)],
  ["encode mixed", () => void encodeUtf8(SAMPLES.mixed)],
  ["decode large", () => void decodeUtf8(large, 0, large.length, true)],
  ["encode large", () => void encodeUtf8(SAMPLES.large)],
];
export default steps;
