/**
 * System programs the tests use (curl, mosquitto and its clients, chromium). `ensureTools` runs once
 * before the suites: what is missing is installed from Debian's packages when the run may
 * (root with apt-get), otherwise the run fails here, saying what to install. Tests never skip.
 */
import { execFileSync, spawnSync } from "node:child_process";

export interface Tool {
  /** The command to find on PATH (or, with `test`, what to call it in messages). */
  command: string;
  /** The Debian package that provides it. */
  debian: string;
  /** A shell test for what is not a command on PATH (a library); exit 0 when it is there. */
  test?: string;
}

export const CURL: Tool = { command: "curl", debian: "curl" };
export const MOSQUITTO: Tool = { command: "mosquitto", debian: "mosquitto" };
export const MOSQUITTO_PASSWD: Tool = { command: "mosquitto_passwd", debian: "mosquitto" };
export const MOSQUITTO_CLIENTS: Tool = { command: "mosquitto_sub", debian: "mosquitto-clients" };
export const CHROMIUM: Tool = { command: "chromium", debian: "chromium" };
/** Network namespaces for the mDNS test: iproute2's `ip`. */
export const IP: Tool = { command: "ip", debian: "iproute2" };
/** A real mDNS client: Debian's python3 with its zeroconf package (not a pyenv python, which lacks it). */
export const ZEROCONF: Tool = { command: "python3-zeroconf", debian: "python3-zeroconf", test: "/usr/bin/python3 -c 'import zeroconf'" };

/** Every tool the suites need; test/run.ts makes sure of them before anything runs. */
export const TEST_TOOLS: Tool[] = [CURL, MOSQUITTO, MOSQUITTO_PASSWD, MOSQUITTO_CLIENTS, CHROMIUM, IP, ZEROCONF];

/**
 * What the device stage needs besides (test/device/run.ts): the Moddable SDK's build (a C compiler,
 * make, GLib's headers through pkg-config) and mcsim (GTK 3 and an X server, Xvfb, with xauth for
 * xvfb-run), as the SDK's README lists them.
 */
export const DEVICE_TOOLS: Tool[] = [
  CURL,
  CHROMIUM,
  { command: "openssl", debian: "openssl" },
  { command: "gcc", debian: "gcc" },
  { command: "make", debian: "make" },
  { command: "pkg-config", debian: "pkg-config" },
  { command: "GLib headers (gio-2.0)", debian: "libglib2.0-dev", test: "pkg-config --exists gio-2.0" },
  { command: "GTK 3", debian: "libgtk-3-0", test: "ldconfig -p | grep -q 'libgtk-3\\.so\\.0'" },
  { command: "xvfb-run", debian: "xvfb" },
  { command: "xauth", debian: "xauth" },
  { command: "stdbuf", debian: "coreutils" },
  MOSQUITTO,
  MOSQUITTO_PASSWD,
  MOSQUITTO_CLIENTS,
];

export function findTool(tool: Tool): string | undefined {
  // daemons live in sbin, which is not on every user's PATH
  if (tool.test) return spawnSync("sh", ["-c", `PATH="$PATH:/usr/sbin:/sbin" ${tool.test}`]).status === 0 ? tool.command : undefined;
  const r = spawnSync("sh", ["-c", `PATH="$PATH:/usr/sbin:/sbin" command -v ${tool.command}`], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** The path of `tool`, or an Error that says how to get it. */
export function requireTool(tool: Tool): string {
  const path = findTool(tool);
  if (!path) throw new Error(`the tests need ${tool.command}; install it (Debian: apt-get install ${tool.debian})`);
  return path;
}

export function ensureTools(tools: Tool[]): void {
  const missing = tools.filter((t) => !findTool(t));
  if (!missing.length) return;
  const packages = [...new Set(missing.map((t) => t.debian))];
  const canInstall = process.getuid?.() === 0 && spawnSync("sh", ["-c", "command -v apt-get"]).status === 0;
  if (!canInstall) throw new Error(`the tests need ${missing.map((t) => t.command).join(", ")}; install them (Debian: apt-get install ${packages.join(" ")})`);
  process.stdout.write(`# installing ${packages.join(", ")} from Debian's packages for the tests\n`);
  execFileSync("apt-get", ["update", "-qq"], { stdio: "inherit" });
  execFileSync("apt-get", ["install", "-y", "-qq", "--no-install-recommends", ...packages], { stdio: "inherit", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
  for (const t of missing) requireTool(t);
}
