/** The device's REST endpoints (src/web/): same origin, JSON both ways, `{"error":"..."}` on failure. */
import type { Principal, Role } from "../../src/auth/users.ts";
import type { DeviceInfo } from "../../src/web/device-api.ts";

export type { Role };

export type User = Principal;
export type Info = DeviceInfo;

/**
 * One request. `body` goes as JSON, or as text with `type` (a backup file). Resolves with the
 * parsed answer (undefined for 204); rejects with the device's reason.
 */
export async function call<T>(path: string, method = "GET", body?: unknown, type?: string): Promise<T> {
  let res: Response;
  let answer: string;
  try {
    res = await fetch(path, {
      method,
      credentials: "same-origin",
      cache: "no-store",
      headers: body === undefined ? {} : { "Content-Type": type ?? "application/json" },
      body: body === undefined ? undefined : type ? String(body) : JSON.stringify(body),
    });
    answer = await res.text();
  } catch {
    throw new Error("The device cannot be reached.");
  }
  let data: unknown;
  try {
    data = answer ? JSON.parse(answer) : undefined;
  } catch {
    data = undefined;
  }
  if (!res.ok) {
    const said = (data as { error?: unknown } | undefined)?.error;
    throw new Error(typeof said === "string" ? said : `${method} ${path}: ${res.status} ${res.statusText}`);
  }
  return data as T;
}
