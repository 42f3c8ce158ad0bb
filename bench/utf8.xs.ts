/** Steps metered on XS: decode and encode each sample once. */
import { decodeUtf8, encodeUtf8 } from "../src/bytes.ts";
import { SAMPLES } from "./utf8.samples.ts";

const json = encodeUtf8(SAMPLES.json);
const mixed = encodeUtf8(SAMPLES.mixed);

const steps: [string, () => void][] = [
  ["decode json", () => void decodeUtf8(json, 0, json.length, true)],
  ["decode mixed", () => void decodeUtf8(mixed, 0, mixed.length, true)],
  ["encode json", () => void encodeUtf8(SAMPLES.json)],
  ["encode mixed", () => void encodeUtf8(SAMPLES.mixed)],
];
export default steps;
