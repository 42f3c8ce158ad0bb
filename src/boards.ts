/**
 * Board profiles: which GPIO is which channel, and how each is wired. The JNIOR models are virtual
 * boards (the simulator's pin numbers); the ESP32 boards are real, with their published pin maps
 * and the strapping-pin caveats that decide whether a relay clicks while the chip boots. A profile
 * can also come from a JSON file (`parseBoardProfile`).
 */
import { Validator } from "./validate.ts";

export interface PinSpec {
  /** GPIO number. */
  pin: number;
  /** The hardware inverts: an input reads 0 when on (opto-isolators to ground), a relay closes on 0. */
  activeLow?: boolean;
  /** Internal pull resistor for an input (default none: inputs on relay boards have their own). */
  pull?: "up" | "down" | "none";
}

/** A button: pressed reads 0 when `activeLow` (ESP32 boards' BOOT button: GPIO0, pulled up). */
export type ButtonSpec = Pick<PinSpec, "pin" | "activeLow">;

/** The BOOT button of ESP32 boards: GPIO0, pulled up, pressed to ground. */
const BOOT_BUTTON: ButtonSpec = { pin: 0, activeLow: true };

export interface BoardProfile {
  /** Profile name as given to `--board`. */
  name: string;
  /** JANOS `Model`, a numeric string INTEG's clients parse (janos.md §5.1). */
  model: string;
  description: string;
  /** Per input channel, din1 first. */
  inputs: readonly PinSpec[];
  /** Per relay channel, rout1 first. */
  outputs: readonly PinSpec[];
  /** A push button read at boot: held 10 s while powering up, a factory reset (factory-reset.ts). */
  button?: ButtonSpec;
  /** How the unit reaches the network (default Wi-Fi). */
  network?: "wifi" | "ethernet";
  /** Wiring caveats worth a log line and a line in the docs. */
  notes?: readonly string[];
  /** Where the pin map comes from. */
  source?: string;
}

function virtualBoard(name: string, model: string, inputs: number, outputs: number): BoardProfile {
  return {
    name,
    model,
    description: `Virtual JNIOR ${model}: ${inputs} inputs, ${outputs} relays`,
    inputs: Array.from({ length: inputs }, (_, i) => ({ pin: 1 + i })),
    outputs: Array.from({ length: outputs }, (_, i) => ({ pin: 101 + i })),
    button: { pin: 200, activeLow: false },
  };
}

export const BOARDS: readonly BoardProfile[] = [
  virtualBoard("jnior-410", "410", 8, 8),
  virtualBoard("jnior-412", "412", 4, 12),
  virtualBoard("jnior-414", "414", 12, 4),
  {
    name: "kincony-kc868-a4",
    model: "410",
    description: "KinCony KC868-A4 (ESP32-WROOM-32): 4 opto-isolated inputs, 4 relays",
    inputs: [
      { pin: 36, activeLow: true },
      { pin: 39, activeLow: true },
      { pin: 27, activeLow: true },
      { pin: 14, activeLow: true },
    ],
    outputs: [{ pin: 2 }, { pin: 15 }, { pin: 5 }, { pin: 4 }],
    button: BOOT_BUTTON,
    notes: [
      "relays 2 (GPIO15) and 3 (GPIO5) sit on strapping pins with internal pull-ups: they may close for the moments the chip spends in reset and in its boot ROM, before iobox drives them open",
      "relay 1 (GPIO2) is a strapping pin too: it must be open (low) to enter the serial bootloader",
      "inputs 1 and 2 (GPIO36, GPIO39) are input-only pins without internal pulls; the board's opto-isolators pull them",
    ],
    source: "esphome/esphome-devices src/docs/devices/KinCony-KC868-A4 (the YAML; its pin table repeats the relay pins for the inputs) and kincony.com/arduino-esp32-4-channel-relay-module.html",
  },
  {
    name: "esp32-relay-x8",
    model: "410",
    description: "ESP32 Relay Board x8 (ESP32-WROOM-32E, sold on AliExpress by several makers): 8 relays",
    inputs: [],
    outputs: [{ pin: 32 }, { pin: 33 }, { pin: 25 }, { pin: 26 }, { pin: 27 }, { pin: 14 }, { pin: 12 }, { pin: 13 }],
    button: BOOT_BUTTON,
    notes: [
      "relay 7 is on GPIO12 (MTDI), the strapping pin that selects the flash voltage at reset: the WROOM-32E's 3.3 V flash needs it low, so nothing may pull it high while the board resets",
      "the board has no inputs; its headers expose the input-only GPIO34-39 for them: describe them in a JSON profile",
    ],
    source: "devices.esphome.io/devices/ESP32E-Relay-X8; strapping pins: docs.espressif.com esptool 'Boot Mode Selection'",
  },
  {
    name: "wt32-eth01",
    model: "410",
    description: "Wireless-Tag WT32-ETH01 (ESP32 + LAN8720 Ethernet) with relays and inputs wired to its header: 3 inputs, 4 relays",
    inputs: [{ pin: 35 }, { pin: 36 }, { pin: 39 }],
    outputs: [{ pin: 4 }, { pin: 14 }, { pin: 32 }, { pin: 33 }],
    network: "ethernet",
    notes: [
      "an example wiring of the header's free pins: inputs on the input-only GPIO35, 36 and 39 (they need pull resistors on the input board), relays on GPIO4, 14, 32 and 33; describe your own in a JSON profile",
      "GPIO0 is the Ethernet PHY's reference clock, so the BOOT button cannot be read: this board has no factory reset from a button",
      "GPIO2 and GPIO12 are strapping pins left free: wire nothing that pulls them at reset",
      "build with mcconfig -p esp32/wt32_eth01 (the Ethernet target)",
    ],
    source: "github.com/egnor/wt32-eth01 (pin table: general-purpose, input-only and reserved pins); Moddable's esp32/wt32_eth01 target for the PHY",
  },
];

export function findBoard(name: string): BoardProfile | undefined {
  const key = name.toLowerCase();
  return BOARDS.find((b) => b.name === key);
}

/** A profile from JSON (same shape as BoardProfile; pins may be plain numbers). Throws ConfigError. */
export function parseBoardProfile(text: string, file = "board.json"): BoardProfile {
  const v = new Validator(file);
  const root = v.object(v.parse(text), "", ["name", "model", "description", "inputs", "outputs", "button", "network", "notes", "source"]);
  if (root.name === undefined) v.fail("name", "is required");
  const pins = (value: unknown, field: string, max: number): PinSpec[] => {
    const list = v.array(value ?? [], field);
    if (list.length > max) v.fail(field, `at most ${max} channels`);
    return list.map((item, i) => {
      const f = `${field}[${i}]`;
      if (typeof item === "number") return { pin: v.integer(item, f, 0, 255) };
      const o = v.object(item, f, ["pin", "activeLow", "pull"]);
      const spec: PinSpec = { pin: v.integer(o.pin, f + ".pin", 0, 255) };
      if (o.activeLow !== undefined) spec.activeLow = v.boolean(o.activeLow, f + ".activeLow");
      if (o.pull !== undefined) spec.pull = v.string(o.pull, f + ".pull", /^(up|down|none)$/, '"up", "down" or "none"') as PinSpec["pull"];
      return spec;
    });
  };
  const profile: BoardProfile = {
    name: v.string(root.name, "name", /^[a-z0-9][a-z0-9-]{0,31}$/, "a lower-case name such as my-board"),
    model: root.model === undefined ? "410" : v.string(root.model, "model", /^[0-9]{3,4}$/, "a numeric model string such as 410"),
    description: root.description === undefined ? "" : v.string(root.description, "description", /^[^\0]{0,120}$/, "a text of at most 120 characters"),
    inputs: pins(root.inputs, "inputs", 32),
    outputs: pins(root.outputs, "outputs", 32),
  };
  if (root.button !== undefined) {
    const b = v.object(root.button, "button", ["pin", "activeLow"]);
    profile.button = { pin: v.integer(b.pin, "button.pin", 0, 255), activeLow: b.activeLow === undefined ? true : v.boolean(b.activeLow, "button.activeLow") };
  }
  if (root.network !== undefined) profile.network = v.string(root.network, "network", /^(wifi|ethernet)$/, '"wifi" or "ethernet"') as BoardProfile["network"];
  if (root.notes !== undefined) profile.notes = v.array(root.notes, "notes").map((n, i) => v.string(n, `notes[${i}]`, /^[^\0]{1,300}$/, "a text"));
  if (root.source !== undefined) profile.source = v.string(root.source, "source", /^[^\0]{0,300}$/, "a text");
  const seen = new Map<number, string>();
  for (const [list, name] of [[profile.inputs, "inputs"], [profile.outputs, "outputs"], [profile.button ? [profile.button] : [], "button"]] as const) {
    list.forEach((p, i) => {
      const here = `${name}[${i}]`;
      const other = seen.get(p.pin);
      if (other) v.fail(here + ".pin", `GPIO${p.pin} is already ${other}`);
      seen.set(p.pin, here);
    });
  }
  return profile;
}
