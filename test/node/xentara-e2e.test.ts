/**
 * wss://host:port/api/ws end to end: the built simulator as a process, real TLS, the `ws` package as
 * the client, tokens signed with node:crypto, CBOR written and read with `cborg` — every part of the
 * client independent of iobox's code.
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import * as cborg from "cborg";
import WebSocket from "ws";
import { buildSim } from "../../hosts/build/build.ts";
import { start, tempDir, type Sim } from "./sim-process.ts";

const OP = { name: "op", password: "Op-pw-123" };
const ISS_ES = "https://es.example/";
const ISS_HS = "https://hs.example/";
const HS_SECRET = "a-shared-secret-of-at-least-32-bytes!!";

let sim: Sim;
let dir: string;
let ca: string;
let esKey: crypto.KeyObject;
let esPublicPem: string;

before(async () => {
  await buildSim();
  dir = tempDir();
  const pair = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" });
  esKey = pair.privateKey;
  esPublicPem = pair.publicKey.export({ type: "spki", format: "pem" }) as string;
  fs.writeFileSync(path.join(dir, "es.pem"), esPublicPem);
  fs.writeFileSync(path.join(dir, "hs.secret"), HS_SECRET + "\n");
  fs.writeFileSync(
    path.join(dir, "oauth2.json"),
    JSON.stringify({
      issuers: [
        { iss: ISS_ES, aud: "iobox", authorizationClaims: { groups: { "plant-operators": ["Operator"] } }, verification: { algorithm: "ES256", publicKeyPath: "es.pem" } },
        { iss: ISS_HS, aud: "iobox", roles: ["Viewer"], verification: { algorithm: "HS256", secretPath: "hs.secret" } },
      ],
    }),
  );
  fs.writeFileSync(
    path.join(dir, "config.json"),
    JSON.stringify({ httpServer: { port: 0, httpPort: 0, authentication: { realm: "plant-7", schemes: ["Bearer", "Basic"], scope: ["iobox"] } } }),
  );
  sim = await start([
    "--config", path.join(dir, "config.json"),
    "--oauth2", path.join(dir, "oauth2.json"),
    "--data", path.join(dir, "data"),
    "--password", "Admin-pw-1",
    "--user", `${OP.name}:control:${OP.password}`,
    "--set", "IO/Inputs/din1/Debounce=0",
  ]);
  ca = fs.readFileSync(path.join(dir, "data/tls/dev-cert.pem"), "utf8");
});

after(async () => {
  await sim?.stop();
});

// --- tokens -------------------------------------------------------------------------------------

const b64url = (b: Buffer | string): string => Buffer.from(b).toString("base64url");

function jwt(header: object, claims: object, sign: (input: string) => Buffer | string): string {
  const input = b64url(JSON.stringify(header)) + "." + b64url(JSON.stringify(claims));
  const s = sign(input);
  return input + "." + (typeof s === "string" ? s : b64url(s));
}

function claims(extra: object = {}): object {
  const now = Math.floor(Date.now() / 1000);
  return { iss: ISS_ES, aud: "iobox", sub: "scada-1", client_id: "scada", jti: crypto.randomUUID(), iat: now, exp: now + 300, scope: "iobox", groups: ["plant-operators"], ...extra };
}

const es256 = (c: object, header: object = {}): string =>
  jwt({ alg: "ES256", typ: "at+jwt", ...header }, c, (input) => crypto.sign("sha256", Buffer.from(input), { key: esKey, dsaEncoding: "ieee-p1363" }));
const hs256 = (c: object, secret: string | Buffer = HS_SECRET, header: object = {}): string =>
  jwt({ alg: "HS256", typ: "at+jwt", ...header }, c, (input) => crypto.createHmac("sha256", secret).update(input).digest());

// --- a client -----------------------------------------------------------------------------------

interface Refusal {
  status: number;
  challenges: string[];
}

class Client {
  readonly ws: WebSocket;
  readonly messages: unknown[][] = [];
  private id = 1;
  private waiters: (() => void)[] = [];

  constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on("message", (data: Buffer, isBinary) => {
      assert.ok(isBinary, "binary frames only");
      this.messages.push(cborg.decode(new Uint8Array(data), { useMaps: true, tags: cborg.Tagged.preserve(37, 121, 122, 1001, 4) }) as unknown[]);
      for (const w of this.waiters.splice(0)) w();
    });
  }

  get events(): unknown[][] {
    return this.messages.filter((m) => (m[0] as unknown[])[0] === 8).flat() as unknown[][];
  }

  /** Sends one request and resolves with its response packet. */
  async call(op: number, params?: Map<number, unknown>): Promise<unknown[]> {
    const id = this.id++;
    this.ws.send(cborg.encode([params ? [0, id, op, params] : [0, id, op]]));
    return this.until(() => this.messages.flat().find((p) => Array.isArray(p) && (p[0] === 1 || p[0] === 2) && p[1] === id) as unknown[] | undefined);
  }

  async result(op: number, params?: Map<number, unknown>): Promise<unknown> {
    const r = await this.call(op, params);
    assert.equal(r[0], 1, `opcode ${op} failed: ${JSON.stringify(r, (_k, v) => (v instanceof Map ? [...v] : v))}`);
    return r[2];
  }

  async until<T>(check: () => T | undefined, ms = 5000): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const v = check();
      if (v !== undefined) return v;
      if (Date.now() > deadline) throw new Error("timed out");
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 50);
      });
    }
  }
}

function connect(authorization?: string, url = `wss://localhost:${sim.ports.https}/api/ws`): Promise<Client | Refusal> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { ca, headers: authorization ? { Authorization: authorization } : {} });
    ws.once("open", () => resolve(new Client(ws)));
    ws.once("unexpected-response", (_req, res) => {
      resolve({ status: res.statusCode ?? 0, challenges: res.headersDistinct["www-authenticate"] ?? [] });
      res.resume();
    });
    ws.once("error", reject);
  });
}

async function session(authorization: string): Promise<Client> {
  const c = await connect(authorization);
  assert.ok(c instanceof Client, "refused: " + JSON.stringify(c));
  clients.push(c);
  assert.deepEqual(await c.result(14, new Map([[0, 1], [1, 1]])), new Map([[0, 1]]));
  return c;
}

const clients: Client[] = [];
after(() => {
  for (const c of clients) c.ws.close();
});

const uuid = (t: unknown): cborg.Tagged => t as cborg.Tagged;
const valueOf = (event: unknown[]): unknown => (((event[2] as Map<number, unknown>).get(2) as Map<number, cborg.Tagged>).get(11) as cborg.Tagged).value;

async function board(): Promise<{ inputs: number[]; outputs: number[] }> {
  return (await (await fetch(`http://127.0.0.1:${sim.ports.control}/board`)).json()) as never;
}

// --- the tests ------------------------------------------------------------------------------------

test("no Authorization: 401 with a Bearer (realm, scope) and a Basic challenge; wrong password: 401; plain ws: 403", async () => {
  const none = (await connect()) as Refusal;
  assert.equal(none.status, 401);
  assert.deepEqual(none.challenges, ['Bearer realm="plant-7", scope="iobox"', 'Basic realm="plant-7", charset="UTF-8"']);
  const wrong = (await connect("Basic " + Buffer.from(`${OP.name}:wrong`).toString("base64"))) as Refusal;
  assert.equal(wrong.status, 401);
  const plain = (await connect("Basic " + Buffer.from(`${OP.name}:${OP.password}`).toString("base64"), `ws://127.0.0.1:${sim.ports.http}/api/ws`)) as Refusal;
  assert.equal(plain.status, 403);
});

test("bad tokens get 401 with error=\"invalid_token\": expired, not yet valid, wrong audience, wrong issuer, tampered, alg none, HS/ES confused", async () => {
  const now = Math.floor(Date.now() / 1000);
  const good = es256(claims());
  const [h, p, s] = good.split(".");
  const tampered = `${h}.${b64url(JSON.stringify({ ...JSON.parse(Buffer.from(p!, "base64url").toString()), groups: ["plant-admins"] }))}.${s}`;
  const cases: [string, string][] = [
    ["expired", es256(claims({ exp: now - 600 }))],
    ["not yet valid", es256(claims({ nbf: now + 600 }))],
    ["wrong audience", es256(claims({ aud: "another-device" }))],
    ["wrong issuer", es256(claims({ iss: "https://elsewhere.example/" }))],
    ["tampered", tampered],
    ["alg none", jwt({ alg: "none", typ: "at+jwt" }, claims(), () => "")],
    // the classic confusion: HS256 "signed" with the ES issuer's public key as the HMAC secret
    ["HS256 for the ES256 issuer", hs256(claims(), esPublicPem)],
    ["ES256 for the HS256 issuer", es256(claims({ iss: ISS_HS }))],
  ];
  for (const [what, token] of cases) {
    const r = (await connect("Bearer " + token)) as Refusal;
    assert.equal(r.status, 401, what);
    assert.equal(r.challenges.length, 2, what);
    assert.match(r.challenges[0]!, /^Bearer realm="plant-7", scope="iobox", error="invalid_token", error_description="[^"]+"$/, what);
  }
  assert.match(sim.stdout() + sim.stderr(), /Bearer token refused: /);
});

test("a valid token without the websocket.connect entitlement gets 403; a token without the scope gets 403 insufficient_scope", async () => {
  const noRole = (await connect("Bearer " + es256(claims({ groups: ["visitors"] })))) as Refusal;
  assert.equal(noRole.status, 403);
  const noScope = (await connect("Bearer " + es256(claims({ scope: "other" })))) as Refusal;
  assert.equal(noScope.status, 403);
  assert.match(noScope.challenges[0]!, /error="insufficient_scope"/);
});

test("a full session with a valid ES256 token: hello, browse, lookup, read, write a relay, subscribe with a rate limit, unsubscribe", async () => {
  const c = await session("Bearer " + es256(claims()));
  const tree = (await c.result(1, new Map([[0, new cborg.Tagged(37, new Uint8Array(16))]]))) as Map<number, unknown>[];
  assert.deepEqual(tree.slice(0, 3).map((e) => [e.get(0), e.get(2)]), [["IO", 8], ["IO.din1", 2], ["IO.din2", 2]]);
  const rout2 = uuid(await c.result(3, new Map([[0, "IO.rout2"]])));
  const before = (await c.result(4, new Map<number, unknown>([[0, rout2], [1, [11, 9]]]))) as Map<number, cborg.Tagged>;
  assert.equal(before.get(11)!.tag, 121);
  assert.equal(before.get(11)!.value, false);
  const written = await c.call(5, new Map<number, unknown>([[0, rout2], [1, 11], [2, true]]));
  assert.deepEqual([written[0], written.length], [1, 2], "a write answers [1, id]");
  assert.equal((await board()).outputs[1], 1, "the simulated relay closed");

  // subscribe to input 1 with a 300 ms window, then pulse it 10 times in 400 ms
  const din1 = uuid(await c.result(3, new Map([[0, "IO.din1"]])));
  const subscription = uuid(await c.result(6, new Map<number, unknown>([[0, [new Map<number, unknown>([[0, din1], [1, [11]]])]], [1, 300]])));
  assert.equal(subscription.tag, 37);
  const r = await fetch(`http://127.0.0.1:${sim.ports.control}/inputs/1/pulses`, { method: "POST", body: JSON.stringify({ count: 10, width: 20, period: 40 }) });
  assert.equal(r.status, 202);
  // the train lasts ~400 ms and its last event is due one window later; a loaded machine runs the
  // simulator's timers late, so the final value gets up to 5 s more
  await new Promise((resolve) => setTimeout(resolve, 1200));
  for (let waited = 0; waited < 5000; waited += 100) {
    const last = c.events[c.events.length - 1];
    if (last && valueOf(last) === false) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const events = c.events;
  assert.ok(events.length >= 2 && events.length <= 4, `${events.length} events for 20 changes in ~400 ms with a 300 ms window`);
  assert.equal(valueOf(events[events.length - 1]!), false, "the last event has the final value (the input is off after the train)");
  const times = events.map((e) => (((e[2] as Map<number, cborg.Tagged>).get(0)!.value as Map<number, cborg.Tagged>).get(4)!.value as number[])[1]!);
  for (let i = 1; i < times.length; i++) assert.ok(times[i]! - times[i - 1]! >= 290, `events ${times[i]! - times[i - 1]!} ms apart`);

  assert.deepEqual((await c.call(7, new Map([[0, subscription]])))[0], 1);
  const count = c.events.length;
  await fetch(`http://127.0.0.1:${sim.ports.control}/inputs/1`, { method: "POST", body: JSON.stringify({ on: true }) });
  await new Promise((resolve) => setTimeout(resolve, 500));
  assert.equal(c.events.length, count, "no events after unsubscribe");
});

test("Basic over TLS and an HS256 token work too; the HS256 issuer's tokens are view-only (its roles)", async () => {
  const basic = await session("Basic " + Buffer.from(`${OP.name}:${OP.password}`).toString("base64"));
  const name = (await basic.result(0, new Map([[0, [0, 1]]]))) as Map<number, unknown>;
  assert.equal(name.get(1), "op");
  const viewer = await session("Bearer " + hs256(claims({ iss: ISS_HS })));
  const rout1 = uuid(await viewer.result(3, new Map([[0, "IO.rout1"]])));
  const refused = await viewer.call(5, new Map<number, unknown>([[0, rout1], [1, 11], [2, true]]));
  assert.equal(refused[0], 2);
  assert.equal((refused[2] as Map<number, unknown>).get(0), -32102);
});
