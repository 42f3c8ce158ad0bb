/**
 * Server limits. Every buffer and every wait is bounded; the two profiles differ only where the
 * device's heap forces it. Figures are per connection unless named otherwise.
 */
import type { HeadLimits } from "./request-head.ts";

export interface HttpLimits extends HeadLimits {
  /** Default largest request body a route buffers (routes may set their own). */
  maxBody: number;
  /** The most any route may buffer, whatever it asks: one body of it must fit the heap beside everything else. */
  maxRouteBody: number;
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
 * ESP32 profile. A stock Moddable ESP32 target has ~77 KB of chunk heap (where every buffer lives),
 * so the worst case of all connections at their limits must stay well inside it: 8 connections x
 * (a 2 KB head kept across reads, twice that for requests pipelined ahead, and a 4 KB body) =
 * 64 KB, and an idle connection holds no buffer at all. A browser request with a session cookie is
 * well under 2 KB. Bodies beyond 4 KB are streamed by their routes (firmware images), or, one at a
 * time for administrators, buffered up to 16 KB: a restore of the device's whole registry (12 KB of
 * keys and values, DEVICE_REGISTRY) with its INI or JSON around it.
 */
export const DEVICE_LIMITS: HttpLimits = {
  maxRequestLine: 1024,
  maxHeadBytes: 2048,
  maxHeaders: 32,
  maxBody: 4096,
  maxRouteBody: 16 * 1024,
  maxConnections: 8,
  headTimeoutMs: 10_000,
  bodyTimeoutMs: 10_000,
  keepAliveTimeoutMs: 15_000,
  handlerTimeoutMs: 30_000,
  sweepMs: 1000,
};

/** Bytes a connection may hold for requests sent ahead of their answers (pipelining). */
export function pipelineLimit(limits: HttpLimits): number {
  return 2 * limits.maxHeadBytes;
}

/** Simulator profile: the same protocol limits, more room (benchmarks open many connections). */
export const SIMULATOR_LIMITS: HttpLimits = {
  ...DEVICE_LIMITS,
  maxRequestLine: 8192,
  maxHeadBytes: 16 * 1024,
  maxHeaders: 64,
  maxBody: 1024 * 1024,
  maxRouteBody: 1024 * 1024,
  maxConnections: 512,
  keepAliveTimeoutMs: 30_000,
};
