// Checks schemas/openapi.yaml against the code and a running serve.
//
//   node tests/schema/check-openapi.mjs
//       the document's operations are exactly the route table in src/api.c
//   node tests/schema/check-openapi.mjs --url URL --token ADMIN [--agent AGENT]
//        [--alerts FILE] [--flags FILE]
//       also: live responses of every JSON route validate against the
//       document's schema for their path, method and status; FILE holds
//       Kafka message values, one per line (rg.alerts, rg.player-flags).
//
// Prints "ok - ..." / "not ok - ..." lines (TAP-like, counted by run-suites).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import YAML from "yaml";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const doc = YAML.parse(readFileSync(join(root, "schemas/openapi.yaml"), "utf8"));
const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith("--") ? [...acc, [a.slice(2), all[i + 1]]] : acc), []),
);
let failed = 0;
const ok = (name, cond, info = "") => {
  console.log(`${cond ? "ok" : "not ok"} - ${name}${cond || !info ? "" : ` (${info})`}`);
  if (!cond) failed++;
};

// ---- the document against the route table ----
// `{ "GET", "/v1/players/*/risk", ...` -> "GET /v1/players/*/risk"
const table = [...readFileSync(join(root, "src/api.c"), "utf8").matchAll(/^\s*\{ "([A-Z]+)", "(\/[^"]*)",/gm)].map(
  (m) => `${m[1]} ${m[2]}`,
);
const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
  Object.keys(ops).map((m) => `${m.toUpperCase()} ${path.replace(/\{[^}]+\}/g, "*")}`),
);
ok(`src/api.c has a route table (${table.length} routes)`, table.length > 5);
const undocumented = table.filter((r) => !documented.includes(r));
const unrouted = documented.filter((r) => !table.includes(r));
ok("every route in src/api.c is in openapi.yaml", undocumented.length === 0, undocumented.join(", "));
ok("every operation in openapi.yaml is a route in src/api.c", unrouted.length === 0, unrouted.join(", "));

// ---- schemas ----
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema(doc, "openapi");
const pointer = (...parts) => "openapi#/" + parts.map((p) => String(p).replace(/~/g, "~0").replace(/\//g, "~1")).join("/");
const componentValidator = (name) => ajv.compile({ $ref: pointer("components", "schemas", name) });
try {
  componentValidator("AlertDetail");
  ok("the document's schemas compile", true);
} catch (e) {
  ok("the document's schemas compile", false, e.message);
}

// The schema for PATH METHOD STATUS (application/json), following a $ref'd response.
function responseSchema(path, method, status) {
  let resp = doc.paths[path]?.[method]?.responses?.[status];
  if (!resp) return null;
  if (resp.$ref) return pointer("components", "responses", resp.$ref.split("/").pop(), "content", "application/json", "schema");
  return resp.content?.["application/json"] ? pointer("paths", path, method, "responses", status, "content", "application/json", "schema") : null;
}

async function live(url, token, agent) {
  const get = async (path, tok = token) => {
    const r = await fetch(url + path, { headers: tok ? { Authorization: `Bearer ${tok}` } : {} });
    return { status: r.status, type: r.headers.get("content-type") || "", text: await r.text() };
  };
  // REQUEST PATH -> documented path
  const check = async (docPath, path, tok) => {
    const r = await get(path, tok);
    const ref = responseSchema(docPath, "get", String(r.status));
    if (!ref) return ok(`GET ${path}: status ${r.status} is documented`, false);
    const body = JSON.parse(r.text);
    const validate = ajv.compile({ $ref: ref });
    ok(`GET ${path} ${r.status} matches the document`, validate(body), ajv.errorsText(validate.errors));
    return body;
  };
  await check("/healthz", "/healthz");
  await check("/readyz", "/readyz");
  await check("/v1/me", "/v1/me");
  await check("/v1/me", "/v1/me", "rgm_wrong");
  await check("/v1/policy", "/v1/policy");
  const page = await check("/v1/alerts", "/v1/alerts?limit=3");
  ok("there are alerts to check", page.alerts?.length > 0);
  await check("/v1/alerts", "/v1/alerts?limit=0");
  if (page.next_cursor) await check("/v1/alerts", `/v1/alerts?limit=3&cursor=${encodeURIComponent(page.next_cursor)}`);
  const resolved = await check("/v1/alerts", "/v1/alerts?status=resolved&limit=5");
  const pending = await check("/v1/alerts", "/v1/alerts?status=pending_review&limit=5");
  for (const a of [...(page.alerts || []), ...(resolved.alerts || []), ...(pending.alerts || [])]) {
    await check("/v1/alerts/{alert_id}", `/v1/alerts/${a.alert_id}`);
    await check("/v1/players/{player_id}", `/v1/players/${encodeURIComponent(a.player_id)}`);
    await check("/v1/players/{player_id}/risk", `/v1/players/${encodeURIComponent(a.player_id)}/risk`);
    if (agent) await check("/v1/players/{player_id}/risk", `/v1/players/${encodeURIComponent(a.player_id)}/risk`, agent);
  }
  await check("/v1/alerts/{alert_id}", "/v1/alerts/0123456789abcdef0123456789abcdef");
  await check("/v1/reports/portfolio", "/v1/reports/portfolio");
  await check("/v1/reports/effectiveness", "/v1/reports/effectiveness");
  await check("/v1/reports/effectiveness", "/v1/reports/effectiveness?from=yesterday");
  await check("/v1/players/{player_id}", "/v1/players/nobody-here");
  if (agent) await check("/v1/alerts", "/v1/alerts", agent);
  const badge = await get(`/v1/badge/${encodeURIComponent(page.alerts?.[0]?.player_id || "x")}.svg`);
  ok("badge is image/svg+xml as documented", badge.status === 200 && badge.type.startsWith("image/svg+xml"), `${badge.status} ${badge.type}`);
}

// Kafka message values, one per line, against a component schema.
function messages(file, name) {
  const lines = readFileSync(file, "utf8").split("\n").filter((l) => l.length);
  const validate = componentValidator(name);
  const bad = lines.map((l) => JSON.parse(l)).filter((m) => !validate(m));
  if (bad.length) validate(bad[0]);
  ok(`${lines.length} messages in ${file.split("/").pop()} match ${name}`, lines.length > 0 && bad.length === 0,
     bad.length ? `${bad.length} do not, the first: ${ajv.errorsText(validate.errors)}` : "none");
}

if (args.url) await live(args.url, args.token, args.agent);
if (args.alerts) messages(args.alerts, "AlertMessage");
if (args.flags) messages(args.flags, "PlayerFlag");
process.exit(failed ? 1 : 0);
