/** `npm start` as a user meets it: the built simulator, started as a process, over real sockets. */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import https from "node:https";
import net from "node:net";
import path from "node:path";
import { buildSim } from "../../hosts/build/build.ts";
import { runToExit, SIM, start, tempDir } from "./sim-process.ts";
import { authDigest, JmpClient, WsClient } from "./janos-clients.ts";
import { digestFetch } from "./web-client.ts";
import { ensureDevCertificate } from "../../hosts/node/dev-cert.ts";
import { NodeHost } from "../../hosts/node/host.ts";
import { Registry } from "../../src/registry/registry.ts";
import { SimBoard } from "../../sim/board.ts";

function httpsGet(port: number, ca: string, user: string, password: string): Promise<{ status: number; body: string }> {
  const authorization = "Basic " + Buffer.from(`${user}:${password}`).toString("base64"); // over TLS only
  return new Promise((resolve, reject) => {
    https
      .get({ host: "127.0.0.1", servername: "localhost", port, path: "/status", ca, headers: { Authorization: authorization } }, (res) => {
        let body = "";
        res.on("data", (d: Buffer) => (body += d));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on("error", reject);
  });
}

test("--help documents every flag and exits 0", async () => {
  const r = await runToExit(["--help"]);
  assert.equal(r.code, 0);
  for (const flag of ["--host", "--http-port", "--https-port", "--jmp-port", "--data", "--board", "--config", "--security", "--oauth2", "--password", "--user", "--set", "--log-level", "--wifi", "--factory-reset"]) assert.match(r.stdout, new RegExp(flag + " "));
  assert.match(r.stdout, /iobox ready \{"http":8080,"https":8443,"jmp":9220,"control":\d+\}/);
});

test("bad flags get a clear message and exit 2", async () => {
  const cases: [string[], RegExp][] = [
    [["--bogus"], /Unknown option '--bogus'/],
    [["--http-port", "http"], /--http-port must be a port number from 0 to 65535 \(got "http"\)/],
    [["--https-port", "70000"], /--https-port must be a port number/],
    [["--log-level", "loud"], /--log-level must be one of debug, info, warn, error/],
    [["--board", "esp32-nope", "--data", tempDir()], /unknown board "esp32-nope" \(known: jnior-410, jnior-412, jnior-414, kincony-kc868-a4, esp32-relay-x8, wt32-eth01, or a \.json profile\)/],
    [["--wifi", ":password1"], /--wifi takes SSID:PASSWORD with an SSID of 1 to 32 characters \(got ""\)/],
    [["--wifi", "HomeNet:short"], /--wifi HomeNet: a WPA2 password is 8 to 63 characters \(empty: an open network\)/],
    [["--password", ""], /--password must not be empty/],
    [["--jmp-port", "99999"], /--jmp-port must be a port number/],
    [["--user", "op:boss:pw"], /--user takes NAME:ROLE:PASSWORD with ROLE administrator, control or view \(got "op:boss:\.\.\."\)/],
    [["stray"], /Unexpected argument 'stray'/],
  ];
  for (const [args, message] of cases) {
    const r = await runToExit(args);
    assert.equal(r.code, 2, args.join(" "));
    assert.match(r.stderr, message);
    assert.match(r.stderr, /Try --help\.|unknown board/);
  }
});

test("it listens, answers over HTTP and HTTPS, and keeps its identity in the data directory", async () => {
  const data = tempDir();
  const sim = await start(["--http-port", "0", "--https-port", "0", "--data", data]);
  try {
    assert.deepEqual(Object.keys(sim.ports).sort(), ["control", "http", "https", "jmp"]);
    const password = /administrator "jnior" created with password: (\S{12})\n/.exec(sim.stdout())![1]!;
    assert.match(sim.stdout(), new RegExp(`serving http://127\\.0\\.0\\.1:${sim.ports.http}/`));
    assert.equal((await fetch(`http://127.0.0.1:${sim.ports.http}/`)).status, 401, "pages need a login");
    const res = await digestFetch(`http://127.0.0.1:${sim.ports.http}/status`, "jnior", password);
    assert.equal(res.status, 200);
    const status = (await res.json()) as { model: string; serialNumber: number; inputs: number[]; outputs: number[]; platform: string };
    assert.equal(status.model, "410");
    assert.equal(status.platform, "node");
    assert.equal(status.inputs.length, 8);
    assert.equal(status.outputs.length, 8);
    const ca = fs.readFileSync(path.join(data, "tls/dev-cert.pem"), "utf8");
    const secure = await httpsGet(sim.ports.https!, ca, "jnior", password);
    assert.equal(secure.status, 200);
    assert.equal(JSON.parse(secure.body).serialNumber, status.serialNumber);
    assert.equal(await sim.stop(), 0);

    const again = await start(["--http-port", "0", "--https-port", "0", "--data", data]);
    assert.doesNotMatch(again.stdout(), /password/, "the password is shown once only");
    assert.doesNotMatch(again.stderr(), /made a self-signed/, "the certificate is reused");
    const status2 = (await (await digestFetch(`http://127.0.0.1:${again.ports.http}/status`, "jnior", password)).json()) as { serialNumber: number };
    assert.equal(status2.serialNumber, status.serialNumber, "same unit across restarts");
    assert.equal(await again.stop(), 0);
  } finally {
    sim.proc.kill("SIGKILL");
  }
});

test("--password sets the administrator password and never prints it", async () => {
  const data = tempDir();
  const sim = await start(["--http-port", "0", "--https-port", "0", "--data", data, "--password", "Plant-4-secret"]);
  await sim.stop();
  assert.doesNotMatch(sim.stdout() + sim.stderr(), /Plant-4-secret|password:/);
  const users = JSON.parse(fs.readFileSync(path.join(data, "users.json"), "utf8"));
  assert.deepEqual(users.users, [{ name: "jnior", role: "administrator", password: "Plant-4-secret" }]);
});

test("--board and --host are honoured", async () => {
  const sim = await start(["--http-port", "0", "--https-port", "0", "--data", tempDir(), "--board", "jnior-414", "--host", "127.0.0.1", "--password", "pw-414-board"]);
  try {
    const status = (await (await digestFetch(`http://127.0.0.1:${sim.ports.http}/status`, "jnior", "pw-414-board")).json()) as { model: string; inputs: number[]; outputs: number[] };
    assert.deepEqual([status.model, status.inputs.length, status.outputs.length], ["414", 12, 4]);
  } finally {
    await sim.stop();
  }
});

test("--config: a file without httpServer runs no web server; a bad file is refused by name and field", async () => {
  const dir = tempDir();
  const none = path.join(dir, "none.json");
  fs.writeFileSync(none, '{"board":"jnior-412"}');
  const sim = await start(["--config", none, "--data", dir]);
  try {
    assert.deepEqual(Object.keys(sim.ports).sort(), ["control", "jmp"], "no web server: JMP and the simulator's control API only");
    assert.match(sim.stdout(), /no web server/);
  } finally {
    await sim.stop();
  }

  const conflicting = await runToExit(["--config", none, "--data", dir, "--http-port", "0"]);
  assert.equal(conflicting.code, 2);
  assert.match(conflicting.stderr, /has no httpServer section/);

  const bad = path.join(dir, "bad.json");
  fs.writeFileSync(bad, '{"httpServer":{"port":"8443"}}');
  const r = await runToExit(["--config", bad, "--data", dir]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /bad\.json: httpServer\.port: must be an integer from 0 to 65535 \(got "8443"\)/);

  const missing = await runToExit(["--config", path.join(dir, "missing.json"), "--data", dir]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /cannot read .*missing\.json: ENOENT/);
});

test("a port already in use is a clear error, exit 1", async () => {
  const blocker = net.createServer();
  await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", r));
  const port = (blocker.address() as net.AddressInfo).port;
  try {
    const r = await runToExit(["--http-port", String(port), "--https-port", "0", "--data", tempDir()]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`http: cannot listen on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE`));
  } finally {
    blocker.close();
  }
});

test("--set writes the registry at boot, and the registry persists in the data directory across restarts", async () => {
  const data = tempDir();
  const common = ["--http-port", "0", "--https-port", "0", "--data", data];
  const first = await start([...common, "--set", "Device/Desc=Pump house", "--set", "AppData/Note=first run"]);
  assert.equal(await first.stop(), 0);
  const second = await start([...common, "--set", "AppData/Second=yes"]);
  assert.equal(await second.stop(), 0);
  const third = await start(common);
  assert.equal(await third.stop(), 0);
  assert.ok(fs.existsSync(path.join(data, "registry/journal")) || fs.existsSync(path.join(data, "registry/snapshot")));
  const registry = new Registry(new NodeHost({ dataDir: data, board: new SimBoard({ inputs: [], outputs: [] }), unitId: "x", logSink: () => {} }));
  assert.equal(registry.get("Device/Desc"), "Pump house");
  assert.equal(registry.get("AppData/Note"), "first run");
  assert.equal(registry.get("AppData/Second"), "yes");

  const refused = await runToExit([...common, "--set", "Device/Timezone=Not A Zone!"]);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /--set refused: Device\/Timezone: must be a time zone name/);
  const shapeless = await runToExit([...common, "--set", "novalue"]);
  assert.equal(shapeless.code, 2);
  assert.match(shapeless.stderr, /--set takes KEY=VALUE \(got "novalue"\)/);
});

test("--factory-reset: the button held 10 s at power-up clears the accounts and the network settings, keeps the rest, and the unit opens its setup network", async () => {
  const data = tempDir();
  const common = ["--http-port", "0", "--https-port", "0", "--data", data, "--wifi", "HomeNet:home-pw-123"];
  const first = await start([...common, "--password", "Old-admin-1", "--set", "IpConfig/WiFi/SSID=HomeNet", "--set", "IpConfig/WiFi/Password=home-pw-123", "--set", "Device/Desc=Pump house"]);
  assert.equal(await first.stop(), 0);
  const reset = await start([...common, "--factory-reset"], [], 20_000);
  try {
    const said = reset.stdout() + reset.stderr();
    assert.match(said, /the button \(GPIO \d+\) is held: keep holding it 10 s for a factory reset/);
    assert.match(said, /factory reset: accounts and \d+ network settings cleared; the unit starts in setup mode/);
    const base = `http://127.0.0.1:${reset.ports.http}`;
    const page = await fetch(base + "/status", { redirect: "manual" });
    assert.equal(page.status, 302, "no administrator to log in: the pages send the owner to setup");
    assert.equal(page.headers.get("location"), "/setup");
    const jmp = new JmpClient(reset.ports.jmp!);
    try {
      await jmp.connected;
      const challenge = jmp.next("Error");
      jmp.send({ Message: "" });
      const nonce = (await challenge).Nonce as string;
      const refused = jmp.next("Error");
      jmp.send({ "Auth-Digest": authDigest("jnior", "Old-admin-1", nonce) });
      assert.equal((await refused).Text, "401 Unauthorized", "the old administrator is gone");
    } finally {
      jmp.close();
    }
    const setup = (await (await fetch(base + "/api/setup")).json()) as { state: string; ssid: string | null; needsAdministrator: boolean };
    assert.equal(setup.state, "setup");
    assert.equal(setup.ssid, null);
    assert.equal(setup.needsAdministrator, true, "the new owner chooses the password");
  } finally {
    assert.equal(await reset.stop(), 0);
  }
  const registry = new Registry(new NodeHost({ dataDir: data, board: new SimBoard({ inputs: [], outputs: [] }), unitId: "x", logSink: () => {} }));
  assert.equal(registry.get("Device/Desc"), "Pump house", "settings other than the network's stay");
  assert.equal(registry.get("IpConfig/WiFi/SSID"), undefined);
});

test("Reboot over the WebSocket: the simulator flushes, stops and starts its device again on the same ports", async () => {
  const data = tempDir();
  const sim = await start(["--http-port", "0", "--https-port", "0", "--data", data, "--password", "Admin-pw-1"]);
  try {
    const admin = new WsClient(`ws://127.0.0.1:${sim.ports.http}/`);
    await admin.opened;
    await admin.login("jnior", "Admin-pw-1");
    admin.send({ Message: "Registry Write", Keys: { "Device/Desc": "before the reboot" } });
    await admin.next("Registry Response");
    const answer = admin.next("Reboot Response");
    admin.send({ Message: "Reboot" });
    assert.equal((await answer).Status, "Rebooting");
    await admin.whenClosed(10_000);
    for (let i = 0; i < 100 && (sim.stdout().match(/^iobox ready /gm) ?? []).length < 2; i++) await new Promise((r) => setTimeout(r, 100));
    assert.match(sim.stdout(), /iobox: restarting\n/);
    const again = [...sim.stdout().matchAll(/^iobox ready (\{.*\})$/gm)].map((m) => JSON.parse(m[1]!) as Record<string, number>);
    assert.equal(again.length, 2, "ready again");
    assert.deepEqual(again[1], again[0], "on the same ports");
    const res = await digestFetch(`http://127.0.0.1:${sim.ports.http}/status`, "jnior", "Admin-pw-1");
    assert.equal(res.status, 200);
    const back = new WsClient(`ws://127.0.0.1:${sim.ports.http}/`);
    await back.opened;
    await back.login("jnior", "Admin-pw-1");
    const read = back.next("Registry Response");
    back.send({ Message: "Registry Read", Keys: ["Device/Desc", "$FailedBoots"] });
    assert.deepEqual((await read).Keys, { "Device/Desc": "before the reboot", $FailedBoots: "0" });
    back.close();
  } finally {
    assert.equal(await sim.stop(), 0);
  }
});

test("a SIGTERM sent the moment the ready line appears stops it cleanly (exit 0), every time", async () => {
  const data = tempDir();
  for (let i = 0; i < 15; i++) {
    const code = await new Promise<number | null>((resolve) => {
      const proc = spawn(process.execPath, [SIM, "--http-port", "0", "--https-port", "0", "--jmp-port", "0", "--data", data], { stdio: ["ignore", "pipe", "ignore"] });
      let out = "";
      let sent = false;
      proc.stdout.on("data", (d: Buffer) => {
        out += d;
        if (!sent && out.includes("iobox ready")) {
          sent = true;
          proc.kill("SIGTERM");
        }
      });
      proc.on("exit", (c) => resolve(c));
    });
    assert.equal(code, 0, `run ${i}`);
  }
});

test("--security and --oauth2 are checked whole, naming file and field; security.json's TLS certificate is the one served", async () => {
  const dir = tempDir();
  const write = (name: string, value: unknown): string => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, typeof value === "string" ? value : JSON.stringify(value));
    return file;
  };
  const badSecurity = write("bad-security.json", { ACL: { entries: [{ role: "Everyone", allow: "read" }] } });
  let r = await runToExit(["--data", dir, "--security", badSecurity]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /bad-security\.json: ACL\.entries\[0\]\.allow: must be an array/);
  const badOauth = write("oauth2.json", { issuers: [{ iss: "https://a.example/", aud: "iobox", verification: { algorithm: "ES256", publicKeyPath: "missing.pem" } }] });
  r = await runToExit(["--data", dir, "--oauth2", badOauth]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /oauth2\.json: issuers\[0\]\.verification\.publicKeyPath: cannot read missing\.pem/);
  const missingCert = write("no-cert.json", { TLS: { serverCertificate: { certificatePath: "certs/none.pem", privateKeyPath: "certs/none.key" } } });
  r = await runToExit(["--data", dir, "--security", missingCert]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /no-cert\.json: TLS\.serverCertificate\.certificatePath: cannot read .*none\.pem: ENOENT/);

  // a certificate of our own, named by security.json (relative to it), is the one the TLS port serves
  const own = ensureDevCertificate(path.join(dir, "certs"));
  const security = write("security.json", {
    TLS: { serverCertificate: { certificatePath: "certs/dev-cert.pem", privateKeyPath: "certs/dev-key.pem" } },
    roles: [{ name: "Administrator", UUID: "8a38fb06-fa47-4f98-9419-a0fb6511e671" }],
    ACL: { entries: [{ role: "Administrator", allow: ["websocket.connect"] }, { role: "Nobody", allow: ["read"] }] },
  });
  const data = path.join(dir, "data");
  const sim = await start(["--http-port", "0", "--https-port", "0", "--data", data, "--security", security, "--password", "pw-sec-2024"]);
  try {
    assert.doesNotMatch(sim.stderr(), /made a self-signed/, "no development certificate is made");
    assert.match(sim.stderr() + sim.stdout(), /security\.json: ACL\.entries\[1\]\.role: unknown role "Nobody"; the entry is ignored/);
    const served = await httpsGet(sim.ports.https!, own.cert, "jnior", "pw-sec-2024");
    assert.equal(served.status, 200, "the served certificate is the one security.json names");
  } finally {
    await sim.stop();
  }
});
