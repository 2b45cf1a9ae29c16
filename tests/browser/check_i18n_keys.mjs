// The UI's dictionaries (src/web/i18n.js) are complete: every key of en is
// in sv and nl and the other way round, each translation has the same
// {placeholders} as the English, and every key the UI code asks for --
// t('key') and data-i18n* in index.html, and the codes it labels
// (outcome.*, level.*, ...) -- is in en, and no local variable t hides
// t(). No browser: i18n.js runs in a vm.
// usage: node check_i18n_keys.mjs SRC_WEB_DIR
import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';

const dir = process.argv[2] || 'src/web';
let failed = 0;
const ok = (name, cond, info = '') => {
  console.log(`${cond ? 'ok' : 'not ok'} - ${name}${cond || !info ? '' : ' (' + info + ')'}`);
  if (!cond) failed++;
};

const ctx = { navigator: { languages: ['en'] }, localStorage: { getItem: () => null }, document: { addEventListener() {} } };
vm.createContext(ctx);
vm.runInContext(fs.readFileSync(path.join(dir, 'i18n.js'), 'utf8') + '\nthis.I18N = I18N; this.t = t;', ctx);
const { I18N } = ctx;
const en = Object.keys(I18N.en);
const holes = (s) => (s.match(/\{\w+\}/g) || []).sort().join(' ');
ok('the UI speaks en, sv and nl', ['en', 'sv', 'nl'].every((l) => I18N[l]) && Object.keys(I18N).length === 3, Object.keys(I18N).join(' '));
for (const lang of ['sv', 'nl']) {
  const keys = Object.keys(I18N[lang]);
  const missing = en.filter((k) => !(k in I18N[lang]));
  const extra = keys.filter((k) => !(k in I18N.en));
  ok(`every en key is in ${lang}`, missing.length === 0, missing.join(', '));
  ok(`every ${lang} key is in en`, extra.length === 0, extra.join(', '));
  const wrong = en.filter((k) => k in I18N[lang] && holes(I18N[lang][k]) !== holes(I18N.en[k]));
  ok(`${lang} texts have the placeholders of the English`, wrong.length === 0, wrong.join(', '));
  const empty = keys.filter((k) => !String(I18N[lang][k]).trim());
  ok(`no empty ${lang} text`, empty.length === 0, empty.join(', '));
}

// The keys the code uses: every quoted 'prefix.rest' whose prefix is one
// of the dictionary's (t('a.b'), t(x ? 'a.b' : 'a.c'), lists of keys) ...
const prefixes = new Set(en.map((k) => k.split('.')[0]));
const used = new Set();
const files = fs.readdirSync(dir).filter((f) => f.endsWith('.js') && f !== 'i18n.js');
for (const f of files) {
  const src = fs.readFileSync(path.join(dir, f), 'utf8');
  for (const m of src.matchAll(/'([a-z0-9_]+(?:\.[a-z0-9_]+)+)'/g)) if (prefixes.has(m[1].split('.')[0])) used.add(m[1]);
}
// A local named t hides i18n.js's t() (a ReferenceError in its scope).
const shadows = [];
for (const f of files) {
  fs.readFileSync(path.join(dir, f), 'utf8').split('\n').forEach((line, i) => {
    if (/\b(const|let|var|function)\s+t\b|\b(const|let|var)\s*[[{][^=]*\bt\b[^=]*[\]}]\s*=|\(\s*t\s*(,[^)]*)?\)\s*=>|\bt\s*=>/.test(line)) shadows.push(f + ':' + (i + 1));
  });
}
ok('no local t hides t()', shadows.length === 0, shadows.join(', '));
const html = fs.readFileSync(path.join(dir, 'index.html'), 'utf8');
for (const m of html.matchAll(/data-i18n(?:-placeholder|-aria)?="([^"]+)"/g)) used.add(m[1]);
// ... and the codes the UI labels by prefix.
const codes = {
  outcome: ['limits_set', 'pause_applied', 'self_exclusion', 'contacted_no_action', 'false_positive'],
  level: ['green', 'amber', 'red', 'excluded'], hint: ['green', 'amber', 'red', 'excluded'],
  status: ['open', 'acknowledged', 'pending_review', 'resolved'],
  history: ['acknowledge', 'resolve', 'approve', 'reject', 'assign', 'unassign'],
  action: ['limits', 'pause', 'self_exclusion', 'financial_check', 'contact', 'deposit_block', 'compliance_review'],
  'notes.channel': ['internal', 'phone', 'chat', 'email'],
  limit: ['deposit', 'loss', 'session_time'], period: ['day', 'week', 'month'],
  fu: ['deposits', 'net_loss', 'staked', 'play_minutes', 'active_days', 'night_rounds', 'declined_deposits'],
  eff: ['deposits', 'net_loss', 'play_minutes'],
};
for (const [p, list] of Object.entries(codes)) for (const c of list) used.add(p + '.' + c);
const unknown = [...used].filter((k) => !(k in I18N.en));
ok(`every key the UI uses (${used.size}) is in en`, unknown.length === 0, unknown.join(', '));
ok('the check finds the keys (it reads t() calls)', used.has('queue.more_reasons') && used.has('talk.agent_lang') && used.has('queue.title'));
ok('t() fills placeholders', ctx.t('due.in', { span: '3 h' }) === 'in 3 h', ctx.t('due.in', { span: '3 h' }));
process.exit(failed ? 1 : 0);
