/**
 * The attributes of the element tree and their live values: what `read`, `meta_data`, `subscribe`
 * and data-change events report for each element. Data Point values come from the I/O service;
 * their time stamps are kept here, per channel.
 */
import type { CborValue } from "../cbor.ts";
import type { Clock } from "../host.ts";
import type { Io } from "../io/io.ts";
import { CATEGORY_DATA_POINT, type Element } from "./model.ts";
import { ACCESS_READ, ACCESS_WRITE, ATTR, QUALITY_GOOD, TYPE, timeValue, uuidValue } from "./protocol.ts";

export interface AttributeInfo {
  id: number;
  name: string;
  access: number;
  dataType: number;
}

const COMMON: AttributeInfo[] = [
  { id: ATTR.primaryKey, name: "primaryKey", access: ACCESS_READ, dataType: TYPE.string },
  { id: ATTR.name, name: "name", access: ACCESS_READ, dataType: TYPE.string },
  { id: ATTR.uuid, name: "UUID", access: ACCESS_READ, dataType: TYPE.uuid },
  { id: ATTR.type, name: "type", access: ACCESS_READ, dataType: TYPE.string },
  { id: ATTR.category, name: "category", access: ACCESS_READ, dataType: TYPE.signedInteger64 },
];
const TIMES: AttributeInfo[] = [
  { id: ATTR.sourceTime, name: "sourceTime", access: ACCESS_READ, dataType: TYPE.timePoint },
  { id: ATTR.updateTime, name: "updateTime", access: ACCESS_READ, dataType: TYPE.timePoint },
  { id: ATTR.changeTime, name: "changeTime", access: ACCESS_READ, dataType: TYPE.timePoint },
];
const QUALITY: AttributeInfo = { id: ATTR.quality, name: "quality", access: ACCESS_READ, dataType: TYPE.signedInteger64 };

const GROUP_ATTRIBUTES = COMMON;
const INPUT_ATTRIBUTES = [...COMMON, ...TIMES, QUALITY, { id: ATTR.value, name: "value", access: ACCESS_READ, dataType: TYPE.boolean }];
const RELAY_ATTRIBUTES = [
  ...COMMON,
  ...TIMES,
  { id: ATTR.writeTime, name: "writeTime", access: ACCESS_READ, dataType: TYPE.timePoint },
  QUALITY,
  { id: ATTR.value, name: "value", access: ACCESS_READ | ACCESS_WRITE, dataType: TYPE.boolean },
];

export function attributesOf(e: Element): readonly AttributeInfo[] {
  if (e.category !== CATEGORY_DATA_POINT) return GROUP_ATTRIBUTES;
  return e.channel!.kind === "input" ? INPUT_ATTRIBUTES : RELAY_ATTRIBUTES;
}

export function attributeInfo(e: Element, id: number): AttributeInfo | undefined {
  return attributesOf(e).find((a) => a.id === id);
}

/**
 * Per channel: the value last reported to clients, and when a client last wrote a relay. When a
 * value changed the channel itself keeps (the service may be made long after boot).
 */
export class PointStates {
  private readonly inputValues: number[];
  private readonly outputValues: number[];
  private readonly outputWritten: number[];

  constructor(
    private readonly io: Pick<Io, "inputs" | "outputs">,
    private readonly clock: Clock,
  ) {
    this.inputValues = io.inputs.map((c) => c.reported);
    this.outputValues = io.outputs.map((r) => r.level);
    this.outputWritten = io.outputs.map(() => -1);
  }

  /** After an I/O change: whether the channel's value changed (a count alone does not change a Data Point). */
  update(kind: "input" | "output", index: number): boolean {
    const value = kind === "input" ? this.io.inputs[index]!.reported : this.io.outputs[index]!.level;
    const values = kind === "input" ? this.inputValues : this.outputValues;
    if (values[index] === value) return false;
    values[index] = value;
    return true;
  }

  written(index: number): void {
    this.outputWritten[index] = this.clock.monotonic();
  }

  /** Epoch ms of a monotonic time. */
  private epoch(monotonic: number): number {
    return this.clock.now() - (this.clock.monotonic() - monotonic);
  }

  /** The value of attribute `id`; undefined when the element has no such attribute. */
  read(e: Element, id: number): CborValue | undefined {
    switch (id) {
      case ATTR.primaryKey:
        return e.primaryKey;
      case ATTR.name:
        return e.name;
      case ATTR.uuid:
        return uuidValue(e.uuid);
      case ATTR.type:
        return e.type;
      case ATTR.category:
        return e.category;
    }
    const channel = e.channel;
    if (!channel || !attributeInfo(e, id)) return undefined;
    const input = channel.kind === "input";
    const i = channel.index;
    switch (id) {
      case ATTR.value:
        return (input ? this.inputValues[i] : this.outputValues[i]) === 1;
      case ATTR.quality:
        return QUALITY_GOOD;
      case ATTR.writeTime: // never written: boot
        return timeValue(this.epoch(Math.max(0, this.outputWritten[i]!)));
      default: // source, update and change time: a value is updated only when it changes
        return timeValue(this.epoch((input ? this.io.inputs : this.io.outputs)[i]!.changedAt));
    }
  }
}
