/** Text samples: a JANOS Monitor message (ASCII JSON) and mixed-script text. */
export const SAMPLES = {
  json: JSON.stringify({
    Message: "Monitor",
    Model: "410",
    "Serial Number": 616010123,
    Version: "v0.1.0",
    Inputs: Array.from({ length: 8 }, (_, i) => ({ State: i & 1, Count: 1000 + i })),
    Outputs: Array.from({ length: 8 }, (_, i) => ({ State: (i >> 1) & 1 })),
    Timestamp: 1795399362446,
  }).repeat(4),
  mixed: "Température 23 °C — Pumpe läuft — 温度 — ✓ — 😀 ".repeat(16),
  /** 64 KB: long enough that a charCodeAt loop (quadratic on XS) would show. */
  large: "Température 23 °C — ".repeat(3000),
};
