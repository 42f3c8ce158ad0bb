import { test } from "../harness/test.ts";
import { assert } from "../harness/assert.ts";
import { ConfigError, parseConfig } from "../../src/config.ts";

test("a full config parses with defaults filled in", () => {
  const c = parseConfig(JSON.stringify({ $schema: "x", board: "jnior-412", httpServer: { port: 8443, httpPort: 8080 } }));
  assert.equal(c.board, "jnior-412");
  assert.deepEqual(c.httpServer, { port: 8443, httpPort: 8080, authentication: { realm: "iobox", schemes: ["Basic", "Bearer"], scope: [] } });
});

test("no httpServer section means no web server", () => {
  assert.equal(parseConfig("{}").httpServer, undefined);
});

test("authentication settings are validated", () => {
  const c = parseConfig(JSON.stringify({ httpServer: { port: 1, authentication: { realm: "Plant 4", schemes: ["Bearer"], scope: ["com.example:io"] } } }));
  assert.deepEqual(c.httpServer!.authentication, { realm: "Plant 4", schemes: ["Bearer"], scope: ["com.example:io"] });
});

function problem(json: string): string {
  try {
    parseConfig(json, "config.json");
  } catch (e) {
    assert.ok(e instanceof ConfigError);
    return e.message;
  }
  return assert.fail("expected a ConfigError for " + json);
}

test("errors name the file, the field and the problem", () => {
  assert.match(problem("{"), /^config\.json: not valid JSON/);
  assert.match(problem("[]"), /^config\.json: must be an object/);
  assert.match(problem('{"htpServer":{}}'), /^config\.json: htpServer: unknown member/);
  assert.match(problem('{"httpServer":{}}'), /^config\.json: httpServer\.port: is required/);
  assert.match(problem('{"httpServer":{"port":"80"}}'), /httpServer\.port: must be an integer from 0 to 65535 \(got "80"\)/);
  assert.match(problem('{"httpServer":{"port":70000}}'), /httpServer\.port: must be an integer/);
  assert.match(problem('{"httpServer":{"port":1,"httpPort":1}}'), /httpServer\.httpPort: must differ/);
  assert.match(problem('{"httpServer":{"port":1,"authentication":{"schemes":["Digest"]}}}'), /schemes\[0\]: must be "Basic" or "Bearer"/);
  assert.match(problem('{"httpServer":{"port":1,"authentication":{"schemes":[]}}}'), /at least one scheme/);
  assert.match(problem('{"httpServer":{"port":1,"authentication":{"realm":"tab\\there"}}}'), /realm: must be printable ASCII/);
  assert.match(problem('{"httpServer":{"port":1,"authentication":{"scope":["a b"]}}}'), /scope\[0\]: must be an OAuth scope token/);
  assert.match(problem('{"board":"Bad Board"}'), /^config\.json: board: must be a board name/);
  assert.match(problem(`{"board":"jnior-410","$schema":"${"x".repeat(8200)}"}`), /^config\.json: is larger than 8192 bytes/);
});
