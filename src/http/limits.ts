/**
 * Server limits. Every buffer and every wait is bounded; the two profiles differ only where the
 * device's heap forces it. Figures are per connection unless named otherwise.
 */
import type { HeadLimits } from "./request-head.ts";

export interface HttpLimits extends HeadLimits {
  /** Default largest request body a route buffers (routes may set their own). */
  maxBody: number;
  /** Open connections, HTTP and WebSocket together; beyond it a new connection gets 503 and is closed. */
  maxConnections: number;
  /** A request head must arrive whole within this (slowloris). */
  headTimeoutMs: number;
  /** Longest pause between body bytes. */
  bodyTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: number;
  /** A handler that has not answered by then gets a 500 and the connection is closed. */
  handlerTimeoutMs: number;
  /** How often deadlines are checked (one timer for the whole server). */
  sweepMs: number;
}

/**
 * ESP32 profile: 8 connections fit next to lwIP's 16 PCBs and a ~100 KB JS heap; a 4 KB head holds a
 * browser request with cookies; bodies beyond 16 KB (firmware, backups) are streamed by their routes.
 */
export const DEVICE_LIMITS: HttpLimits = {
  maxRequestLine: 1024,
  maxHeadBytes: 4096,
  maxHeaders: 32,
  maxBody: 16 * 1024,
  maxConnections: 8,
  headTimeoutMs: 10_000,
  bodyTimeoutMs: 10_000,
  keepAliveTimeoutMs: 15_000,
  handlerTimeoutMs: 30_000,
  sweepMs: 1000,
};

/** Simulator profile: the same protocol limits, more room (benchmarks open many connections). */
export const SIMULATOR_LIMITS: HttpLimits = {
  ...DEVICE_LIMITS,
  maxRequestLine: 8192,
  maxHeadBytes: 16 * 1024,
  maxHeaders: 64,
  maxBody: 1024 * 1024,
  maxConnections: 512,
  keepAliveTimeoutMs: 30_000,
};
