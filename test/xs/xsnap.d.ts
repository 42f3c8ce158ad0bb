// The part of @agoric/xsnap's API that the XS test runner and benchmarks use (the package ships JSDoc, no .d.ts).
declare module "@agoric/xsnap" {
  export interface MeterUsage {
    compute: number | null;
    allocate: number | null;
    currentHeapCount: number | null;
  }
  export interface RunResult {
    reply: Uint8Array;
    meterUsage: MeterUsage;
  }
  export interface XSnap {
    evaluate(code: string): Promise<RunResult>;
    issueStringCommand(message: string): Promise<{ reply: string; meterUsage: MeterUsage }>;
    close(): Promise<void>;
  }
  export function xsnap(options: {
    os: string;
    spawn: typeof import("node:child_process").spawn;
    fs: object;
    name?: string;
    meteringLimit?: number;
    stdout?: "ignore" | "inherit" | "pipe";
    stderr?: "ignore" | "inherit" | "pipe";
    handleCommand?: (request: Uint8Array) => Promise<Uint8Array>;
  }): Promise<XSnap>;
}
