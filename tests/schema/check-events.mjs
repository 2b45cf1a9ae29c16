// Verdicts of schemas/event.schema.json (ajv) on every fixture in
// tests/fixtures/event-cases.jsonl; the C unit test test_event holds
// rgmon's validator to the same verdicts, so the two agree case by case.
// Prints one "ok"/"not ok" line per case and exits 1 on any mismatch.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.join(here, '..', '..');
const schema = JSON.parse(readFileSync(path.join(root, 'schemas', 'event.schema.json'), 'utf8'));
const ajv = new Ajv({ allErrors: false, strict: true, strictRequired: false });
addFormats(ajv);
const validate = ajv.compile(schema);
const utf8 = new TextDecoder('utf-8', { fatal: true });

const lines = readFileSync(path.join(root, 'tests', 'fixtures', 'event-cases.jsonl'), 'utf8').split('\n').filter(Boolean);
let failed = 0;
lines.forEach((line, i) => {
  const c = JSON.parse(line);
  const bytes = c.raw_hex !== undefined ? Buffer.from(c.raw_hex, 'hex') : Buffer.from(c.raw, 'utf8');
  let verdict;
  try {
    verdict = validate(JSON.parse(utf8.decode(bytes))) ? 'accept' : 'reject';
  } catch {
    verdict = 'reject'; // not UTF-8 or not JSON
  }
  const ok = verdict === c.verdict;
  if (!ok) failed++;
  console.log(`${ok ? 'ok' : 'not ok'} ${i + 1} - schema ${verdict}s: ${c.note}`);
});
process.exit(failed ? 1 : 0);
