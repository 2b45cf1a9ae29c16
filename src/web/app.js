// rgmon web UI: for compliance staff the alert queue, alert detail with
// resolve, and the player page; for agents a player lookup; for regulators
// the signed audit export. Plain JavaScript, no framework. Every value
// from the API goes into the page through textContent, never as HTML.
'use strict';

const TOKEN_KEY = 'rgmon.token';
const REFRESH_MS = 5000;
// Outcomes, suggested actions, statuses and levels are codes in the API;
// their labels are in the UI's language (i18n.js), unknown codes as they are.
const OUTCOMES = ['limits_set', 'pause_applied', 'self_exclusion', 'contacted_no_action', 'false_positive'];
const labelOr = (key, code) => { const s = t(key); return s === key ? code : s; };
const outcomeLabel = (o) => labelOr('outcome.' + o, o);
const actionLabel = (a) => labelOr('action.' + a, a);
// A staff action in an alert's history ("assign" names whom to).
const historyLabel = (act) => { const s = t('history.' + act.action, { to: act.to || '?' }); return s === 'history.' + act.action ? act.action : s; };
const statusLabel = (s) => labelOr('status.' + s, s);
const levelLabel = (l) => labelOr('level.' + l, l);
const limitLabel = (l) => labelOr('limit.' + l, l);
const periodLabel = (p) => labelOr('period.' + p, p);

const $ = (sel) => document.querySelector(sel);
let refreshTimer = null;
let myRole = null; // from GET /v1/me: which pages this token can use
let myName = null; // and who: a proposer may not review their own resolution (review.js)

// ---- API ------------------------------------------------------------------

class ApiError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

async function api(path, options = {}) {
  const headers = { Authorization: 'Bearer ' + sessionStorage.getItem(TOKEN_KEY) };
  if (options.body) headers['Content-Type'] = 'application/json';
  const res = await fetch(path, { method: options.method || 'GET', headers, body: options.body });
  if (res.status === 401) { signOut(); throw new ApiError(401, t('api.unauthorized')); }
  const type = res.headers.get('Content-Type') || '';
  const data = type.startsWith('application/json') ? await res.json() : await res.blob();
  if (!res.ok) throw new ApiError(res.status, (data && data.error) || res.statusText);
  return data;
}

// ---- small DOM helpers ----------------------------------------------------

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const c of children) if (c != null) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

function chip(level) { return el('span', { class: 'chip ' + level, text: levelLabel(level) }); }

function showError(msg) {
  const e = $('#error');
  e.textContent = msg || '';
  e.hidden = !msg;
}

function show(id) {
  for (const s of ['signin', 'dashboard', 'queue', 'alert', 'player', 'rule', 'lookup', 'export', 'effectiveness']) $('#' + s).hidden = s !== id;
}

// In the browser's zone, or in tz (an IANA name); the zone's abbreviation
// says which.
function fmtTime(iso, tz) {
  if (!iso) return '—';
  const d = new Date(iso);
  const opts = { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', timeZoneName: 'short' };
  try { return d.toLocaleString(uiLocale(), tz ? { ...opts, timeZone: tz } : opts); } catch (e) { return d.toLocaleString(uiLocale(), opts); }
}

function fmtDue(iso, overdue) {
  if (!iso) return '—';
  const mins = Math.round((new Date(iso) - Date.now()) / 60000);
  const abs = Math.abs(mins);
  const days = Math.round(abs / 1440);
  const span = abs < 90 ? t('due.min', { n: abs }) : abs < 48 * 60 ? t('due.h', { n: Math.round(abs / 60) }) : t(days === 1 ? 'due.day' : 'due.days', { n: days });
  return t(overdue ? 'due.overdue' : 'due.in', { span });
}

function minorDigits(currency) {
  try { return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits; }
  catch (e) { return 2; }
}

function fmtMoney(minor, currency) {
  if (minor == null) return '—';
  const d = minorDigits(currency || 'EUR');
  const v = minor / Math.pow(10, d);
  return v.toLocaleString(uiLocale(), { minimumFractionDigits: d, maximumFractionDigits: d }) + (currency ? ' ' + currency : '');
}

// ---- the rule reference ---------------------------------------------------

// GET /v1/rules, fetched once: what each rule id in a reason tests, and
// per pack its kind and source.
let rulesById = null;
async function loadRules() {
  if (!rulesById) {
    const data = await api('/v1/rules');
    rulesById = Object.fromEntries(data.rules.map((r) => [r.id, r]));
  }
  return rulesById;
}

// A rule id as a link to its reference page, its summary as the tooltip.
function ruleLink(id, suffix = '') {
  const r = rulesById && rulesById[id];
  return el('a', { href: '#/rules/' + encodeURIComponent(id), class: 'rule', title: r ? r.summary : '' }, el('code', { text: id + suffix }));
}

async function showRule(id) {
  const r = (await loadRules())[id];
  if (!r) throw new Error(t('rule.none', { id }));
  const packs = el('table', { class: 'list' }, el('thead', {}, el('tr', {}, el('th', { text: t('rule.pack') }), el('th', { text: t('rule.kind') }), el('th', { text: t('rule.weight') }), el('th', { text: t('rule.source') }))));
  const body = el('tbody');
  for (const p of r.packs) {
    body.append(el('tr', {}, el('td', {}, el('code', { text: p.policy.split('@')[0] }), p.jurisdiction ? ' (' + p.jurisdiction + ')' : ''),
      el('td', { text: p.kind }), el('td', { text: p.strong ? t('rule.strong') : String(p.weight) }), el('td', { text: p.source || t('rule.not_given') })));
  }
  packs.append(body);
  $('#rule').replaceChildren(
    el('p', {}, el('a', { href: '#/queue', text: t('back.queue') })),
    el('h1', {}, t('rule.title'), el('code', { text: r.id })),
    el('div', { class: 'card' }, el('p', { text: r.summary }),
      el('h2', { text: t('rule.in_packs') }), r.packs.length ? packs : el('p', { class: 'muted', text: t('rule.no_pack') })));
  show('rule');
}

// ---- sign in --------------------------------------------------------------

async function signIn(token) {
  sessionStorage.setItem(TOKEN_KEY, token);
  try {
    const me = await api('/v1/me');
    myRole = me.role;
    myName = me.name;
    $('#nav').hidden = !(me.role === 'compliance' || me.role === 'admin');
    $('#who').textContent = me.name + ' (' + me.role + ')';
    $('#who').hidden = false;
    $('#signout').hidden = false;
    return me;
  } catch (e) {
    sessionStorage.removeItem(TOKEN_KEY);
    throw e;
  }
}

function signOut() {
  sessionStorage.removeItem(TOKEN_KEY);
  $('#who').hidden = true;
  $('#signout').hidden = true;
  $('#nav').hidden = true;
  clearInterval(refreshTimer);
  show('signin');
}

// ---- the queue ------------------------------------------------------------

let queueCursor = null;

const PAGE = 50, PAGE_MAX = 500;

// The filters as the API's query: status, level, one player, raised since
// a day (UTC midnight).
function queueQuery(cursor, limit) {
  const q = new URLSearchParams({ status: $('#filter-status').value, limit: String(limit || PAGE) });
  if ($('#filter-level').value) q.set('level', $('#filter-level').value);
  const player = $('#filter-player').value.trim();
  if (player) q.set('player', player);
  if ($('#filter-since').value) q.set('since', $('#filter-since').value + 'T00:00:00Z');
  if (typeof queueExtras === 'function') queueExtras(q); // queue.js: sort, assigned to me, until
  if (cursor) q.set('cursor', cursor);
  return '/v1/alerts?' + q;
}

function queueRow(a) {
  const why = a.reasons.length ? a.reasons[0].detail : a.rules[0];
  // The reason is a link: Tab reaches every row and Enter opens it.
  const tr = el('tr', { class: a.overdue ? 'overdue' : '', 'data-alert': a.alert_id, onclick: () => { location.hash = '#/alerts/' + a.alert_id; } },
    el('td', {}, chip(a.level)),
    el('td', {}, el('a', { href: '#/players/' + encodeURIComponent(a.player_id), text: a.player_id, onclick: (ev) => ev.stopPropagation() })),
    el('td', {}, el('a', { href: '#/alerts/' + a.alert_id, class: 'open', text: why + (a.reasons.length > 1 ? t('queue.more_reasons', { n: a.reasons.length - 1 }) : ''), onclick: (ev) => ev.stopPropagation() })),
    el('td', { text: actionLabel(a.suggested_action) }),
    el('td', { class: 'due', text: a.status === 'resolved' ? t('queue.resolved_at', { time: fmtTime(a.resolved_at) }) : fmtDue(a.due_at, a.overdue) }),
    el('td', { class: 'status', text: reviewStatusText(a) || statusLabel(a.status) + (a.acknowledged_by && a.status === 'acknowledged' ? ' · ' + a.acknowledged_by : '') + (a.outcome ? ' · ' + outcomeLabel(a.outcome) : '') }));
  return tr;
}

// append: the next page after the rows shown. refresh: the same rows again,
// as many as are shown (the 5 s refresh must not undo "Load more").
async function loadQueue(append, refresh) {
  const body = $('#queue-table tbody');
  const shown = refresh ? Math.min(PAGE_MAX, Math.max(PAGE, body.children.length)) : PAGE;
  const data = await api(queueQuery(append ? queueCursor : null, shown));
  if (!append) body.replaceChildren();
  for (const a of data.alerts) body.append(queueRow(a));
  queueCursor = data.next_cursor;
  $('#queue-more').hidden = !queueCursor;
  const rows = body.children.length;
  $('#queue-empty').hidden = rows > 0;
  $('#queue-table').hidden = rows === 0;
  const overdue = body.querySelectorAll('tr.overdue').length;
  $('#queue-summary').textContent = t(rows === 1 && !queueCursor ? 'queue.one_alert' : 'queue.alerts', { n: rows + (queueCursor ? '+' : '') }) + (overdue ? t('queue.overdue', { n: overdue }) : '');
}

async function showQueue() {
  show('queue');
  await loadQueue(false);
  clearInterval(refreshTimer);
  // The live queue: new alerts arrive while staff work.
  refreshTimer = setInterval(() => { if (!$('#queue').hidden) loadQueue(false, true).catch((e) => showError(e.message)); }, REFRESH_MS);
}

// The queue as filtered, every page of it, as a CSV file.
async function downloadQueue() {
  const cols = ['alert_id', 'kind', 'level', 'player_id', 'jurisdiction', 'suggested_action', 'status', 'created_at', 'due_at', 'overdue', 'acknowledged_by', 'resolved_at', 'outcome', 'rules', 'reason'];
  const cell = (v) => { const s = v == null ? '' : String(v); return /[",\n\r]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s; };
  const lines = [cols.join(',')];
  let cursor = null;
  do {
    const data = await api(queueQuery(cursor, PAGE_MAX));
    for (const a of data.alerts) {
      const row = { ...a, rules: a.rules.join(' '), reason: a.reasons.length ? a.reasons[0].detail : '' };
      lines.push(cols.map((c) => cell(row[c])).join(','));
    }
    cursor = data.next_cursor;
  } while (cursor);
  const link = el('a', { href: URL.createObjectURL(new Blob([lines.join('\r\n') + '\r\n'], { type: 'text/csv' })), download: 'rgmon-queue.csv' });
  document.body.append(link);
  link.click();
  link.remove();
}

// ---- alert detail ---------------------------------------------------------

function eventSummary(ev) {
  if (!ev) return t('event.gone');
  switch (ev.type) {
    case 'deposit': return t('event.deposit', { amount: fmtMoney(ev.amount, ev.currency) }) + (ev.status === 'declined' ? t('event.declined') : '');
    case 'withdrawal': return t('event.withdrawal', { amount: fmtMoney(ev.amount, ev.currency), status: ev.status || '' });
    case 'game_round': return t('event.round', { stake: fmtMoney(ev.stake, ev.currency), payout: fmtMoney(ev.payout, ev.currency) });
    case 'limit_set': return t('event.limit', { limit: limitLabel(ev.limit), period: periodLabel(ev.period), value: ev.limit === 'session_time' ? ev.value + ' min' : fmtMoney(ev.value, ev.currency) });
    case 'self_exclusion': return t('event.self_exclusion', { length: ev.days ? t('event.days', { n: ev.days }) : t('event.indefinite'), source: ev.source || t('event.player') });
    case 'contact': return t('event.contact', { channel: ev.channel, topic: ev.topic });
    default: return ev.type;
  }
}

function resolveForm(a) {
  const select = el('select', { id: 'outcome', name: 'outcome', required: '' }, el('option', { value: '', text: t('resolve.choose') }));
  for (const v of OUTCOMES) select.append(el('option', { value: v, text: outcomeLabel(v) }));
  const note = el('textarea', { id: 'note', name: 'note', required: '', maxlength: '2000', placeholder: t('resolve.note_ph') });
  const msg = el('p', { class: 'error', role: 'alert' });
  const form = el('form', { id: 'resolve-form' },
    el('h2', { text: t('resolve.title') }),
    el('label', {}, t('resolve.outcome'), select),
    el('label', {}, t('resolve.note'), note),
    el('button', { type: 'submit', text: t('resolve.button') }), msg);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      await api('/v1/alerts/' + a.alert_id + '/resolve', { method: 'POST', body: JSON.stringify({ outcome: select.value, note: note.value }) });
      await showAlert(a.alert_id);
    } catch (e) { msg.textContent = e.message; }
  });
  return form;
}

async function showAlert(id) {
  const a = await api('/v1/alerts/' + encodeURIComponent(id));
  const sec = $('#alert');
  const reasons = el('ul', { class: 'reasons' });
  await loadRules().catch(() => {});
  for (const r of a.reasons) reasons.append(el('li', {}, r.detail, ' ', ruleLink(r.rule)));
  const evidence = evidenceView(a); // workbench.js: grouped by reason, in time order
  const history = el('ul', { class: 'reasons' });
  for (const act of a.actions) history.append(el('li', { text: t('alert.history_item', { time: fmtTime(act.at), action: historyLabel(act), actor: act.actor, role: act.role }) + (act.outcome ? ': ' + outcomeLabel(act.outcome) : '') + (act.note ? ' — “' + act.note + '”' : '') }));
  if (!a.actions.length) history.append(el('li', { class: 'muted', text: t('alert.no_action') }));

  const ack = el('button', { type: 'button', id: 'acknowledge', class: 'secondary', text: t('alert.acknowledge') });
  ack.addEventListener('click', async () => {
    try { await api('/v1/alerts/' + a.alert_id + '/acknowledge', { method: 'POST', body: '{}' }); await showAlert(a.alert_id); }
    catch (e) { showError(e.message); }
  });

  const facts = el('dl', { class: 'facts' },
    el('dt', { text: t('alert.player') }), el('dd', {}, el('a', { href: '#/players/' + encodeURIComponent(a.player_id), text: a.player_id })),
    el('dt', { text: t('alert.status') }), el('dd', { id: 'alert-status', text: reviewStatusText(a) || statusLabel(a.status) + (a.outcome ? t('alert.outcome_by', { outcome: outcomeLabel(a.outcome), actor: a.actor }) : a.acknowledged_by ? ' (' + a.acknowledged_by + ')' : '') }),
    el('dt', { text: t('alert.raised') }), el('dd', { text: fmtTime(a.created_at) + (a.escalations ? t('alert.escalated', { n: a.escalations }) : '') }),
    // A resolved alert is no longer due: say when it was resolved.
    a.status === 'resolved' ? el('dt', { text: t('alert.resolved') }) : el('dt', { text: t('alert.due') }),
    a.status === 'resolved' ? el('dd', { text: fmtTime(a.resolved_at) + t('alert.was_due', { time: fmtTime(a.due_at) }) })
      : el('dd', { class: a.overdue ? 'error' : '', text: fmtTime(a.due_at) + ' (' + fmtDue(a.due_at, a.overdue) + ')' }),
    el('dt', { text: t('alert.policy') }), el('dd', {}, el('code', { text: a.policy })));

  const side = el('div', { class: 'card' }, el('h2', { text: t('alert.suggested') }), el('p', { class: 'suggest', text: actionLabel(a.suggested_action) }));
  if (a.status === 'open') side.append(ack);
  if (a.status === 'pending_review') side.append(reviewPanel(a));
  else if (a.status !== 'resolved') side.append(resolveForm(a));
  if ((a.status === 'open' || a.status === 'acknowledged') && typeof assignForm === 'function') side.append(assignForm(a)); // queue.js

  sec.replaceChildren(
    el('p', {}, el('a', { href: '#/queue', text: t('back.queue') })),
    el('h1', {}, chip(a.level), t('alert.title'), el('code', { text: a.alert_id })),
    el('div', { class: 'grid' },
      el('div', { class: 'card' }, facts, el('h2', { text: t('alert.why') }), reasons, el('h2', { text: t('alert.evidence') }), evidence, el('h2', { text: t('alert.history') }), history),
      side),
    followUpCard(a.follow_up) || ''); // followup.js (none before resolution)
  if (typeof notesSection === 'function') sec.append(notesSection(a)); // notes.js
  show('alert');
}

// ---- player page ----------------------------------------------------------

// An empty SVG plot H high and as wide as the screen allows (min..max,
// less margin: on a phone a fixed 720 wide drawing would shrink its 10 px
// labels to 5 px), with helpers adding shapes and hover titles to it.
// Every plot of the UI (player, dashboard, follow-up, effectiveness).
function svgPlot(label, H, { min = 320, max = 720, margin = 48, cls = 'plot' } = {}) {
  const NS = 'http://www.w3.org/2000/svg';
  const W = Math.max(min, Math.min(max, (window.innerWidth || max) - margin));
  const svg = document.createElementNS(NS, 'svg');
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  svg.setAttribute('class', cls);
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', label);
  const add = (tag, attrs, text) => {
    const e = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    if (text != null) e.textContent = text;
    svg.append(e);
    return e;
  };
  const title = (e, text) => e.append(Object.assign(document.createElementNS(NS, 'title'), { textContent: text }));
  return { svg, add, title, W, H };
}

// Per-day bars for deposits and net losses, and session hours as a line.
function timelinePlot(days, currency) {
  const H = 220, L = 56, R = 40, T = 12, B = 28;
  const { svg, add, title, W } = svgPlot(t('plot.label'), H);
  if (!days.length) { add('text', { x: W / 2 - 40, y: H / 2 }, t('plot.no_activity')); return svg; }
  const d = minorDigits(currency || 'EUR'), unit = Math.pow(10, d);
  const maxMoney = Math.max(1, ...days.map((x) => Math.max(x.deposited, Math.max(0, x.net_loss)))) / unit;
  const maxHours = Math.max(1, ...days.map((x) => x.session_seconds / 3600));
  const n = days.length, slot = (W - L - R) / n, bw = Math.max(2, slot / 2 - 1);
  const y = (v) => T + (H - T - B) * (1 - v / maxMoney);
  const yh = (v) => T + (H - T - B) * (1 - v / maxHours);
  add('line', { x1: L, y1: H - B, x2: W - R, y2: H - B, stroke: '#dde1e6' });
  add('text', { x: 4, y: T + 8 }, maxMoney.toLocaleString(uiLocale(), { maximumFractionDigits: 0 }));
  add('text', { x: 4, y: H - B }, '0 ' + (currency || ''));
  add('text', { x: W - R + 4, y: T + 8 }, maxHours.toFixed(1) + ' h');
  let path = '';
  days.forEach((x, i) => {
    const x0 = L + i * slot;
    const dep = x.deposited / unit, loss = Math.max(0, x.net_loss) / unit;
    const r1 = add('rect', { x: x0, y: y(dep), width: bw, height: H - B - y(dep), fill: '#1f5fa8' });
    title(r1, t('plot.deposits_on', { date: x.date, amount: fmtMoney(x.deposited, currency) }));
    const r2 = add('rect', { x: x0 + bw + 1, y: y(loss), width: bw, height: H - B - y(loss), fill: '#c62828' });
    title(r2, t('plot.loss_on', { date: x.date, amount: fmtMoney(x.net_loss, currency) }));
    const cx = x0 + bw, cy = yh(x.session_seconds / 3600);
    path += (i ? 'L' : 'M') + cx.toFixed(1) + ' ' + cy.toFixed(1);
    if (i % Math.ceil(n / 8) === 0) add('text', { x: x0, y: H - B + 14 }, x.date.slice(5));
  });
  add('path', { d: path, fill: 'none', stroke: '#8a99a8', 'stroke-width': 2 });
  return svg;
}

async function showPlayer(id) {
  const p = await api('/v1/players/' + encodeURIComponent(id));
  const risk = p.risk;
  const badge = el('img', { alt: t('player.badge_alt', { level: levelLabel(risk.level), score: risk.score }) });
  api('/v1/badge/' + encodeURIComponent(id) + '.svg').then((blob) => { badge.src = URL.createObjectURL(blob); }).catch(() => {});
  const reasons = el('ul', { class: 'reasons' });
  await loadRules().catch(() => {});
  for (const r of risk.reasons) reasons.append(el('li', {}, r.detail, ' ', ruleLink(r.rule, t('player.pts', { n: r.points }))));
  if (!risk.reasons.length) reasons.append(el('li', { class: 'muted', text: t('player.no_markers') }));
  const limits = el('ul', { class: 'reasons' });
  for (const l of risk.limits) limits.append(el('li', { text: t('player.limit_item', { limit: limitLabel(l.limit), period: periodLabel(l.period), usage: l.limit === 'session_time' ? t('player.of_min', { used: l.used, value: l.value }) : t('player.of', { used: fmtMoney(l.used, p.currency), value: fmtMoney(l.value, p.currency) }) }) + (l.pending_value ? t('player.raise_pending', { value: l.pending_value }) : '') }));
  if (!risk.limits.length) limits.append(el('li', { class: 'muted', text: t('player.no_limits') }));
  const events = el('table', { class: 'list' }, el('thead', {}, el('tr', {}, el('th', { text: t('player.time') }), el('th', { text: t('player.event') }))));
  const evBody = el('tbody');
  for (const e of p.events) evBody.append(el('tr', {}, el('td', { text: fmtTime(e.ts, p.time_zone) }), el('td', { text: eventSummary(e) })));
  events.append(evBody);
  const alerts = el('ul', { class: 'reasons' });
  for (const a of p.alerts) alerts.append(el('li', {}, chip(a.level), ' ', el('a', { href: '#/alerts/' + a.alert_id, text: fmtTime(a.created_at) }), ' — ' + statusLabel(a.status) + (a.outcome ? ' (' + outcomeLabel(a.outcome) + ')' : '')));
  if (!p.alerts.length) alerts.append(el('li', { class: 'muted', text: t('player.none') }));
  const followUps = el('div', { id: 'player-follow-up' });

  $('#player').replaceChildren(
    el('p', {}, el('a', { href: '#/queue', text: t('back.queue') })),
    el('h1', {}, t('player.title'), el('code', { text: p.player_id }), ' ', el('span', { class: 'badge' }, badge)),
    el('div', { class: 'grid' },
      el('div', { class: 'card' },
        el('h2', { text: t('player.last30', { zone: p.time_zone }) }),
        el('div', { class: 'legend' }, el('span', {}, el('span', { class: 'swatch deposits' }), t('player.deposits')), el('span', {}, el('span', { class: 'swatch losses' }), t('player.net_loss')), el('span', {}, el('span', { class: 'swatch session' }), t('player.session_hours'))),
        timelinePlot(p.days, p.currency),
        el('h2', { text: t('player.recent') }), playerZoneNote(p), events),
      el('div', { class: 'card' },
        el('dl', { class: 'facts' }, el('dt', { text: t('player.level') }), el('dd', {}, chip(risk.level)), el('dt', { text: t('player.score') }), el('dd', { text: String(risk.score) }),
          el('dt', { text: t('player.excluded_until') }), el('dd', { text: risk.excluded_until ? (risk.excluded_until === 'indefinite' ? t('player.indefinite') : fmtTime(risk.excluded_until)) : '—' }),
          el('dt', { text: t('player.as_of') }), el('dd', { text: fmtTime(risk.as_of, p.time_zone) })),
        currencyNote(p),
        el('h2', { text: t('player.reasons') }), reasons, el('h2', { text: t('player.own_limits') }), limits, el('h2', { text: t('player.alerts') }), alerts)),
    followUps);
  playerFollowUps(p.alerts, followUps, p.currency); // followup.js
  if (typeof talkSection === 'function') $('#player').append(talkSection(id)); // talk.js
  show('player');
}

// ---- agents: the player lookup -------------------------------------------

// What a level asks of the agent in the conversation; the reasons say why.
const AGENT_HINTS = ['green', 'amber', 'red', 'excluded']; // i18n.js: hint.<level>

async function showLookup(id) {
  const input = el('input', { id: 'lookup-player', type: 'search', placeholder: t('queue.player_ph'), autocomplete: 'off', spellcheck: 'false', value: id || '', required: '' });
  const form = el('form', { id: 'lookup-form', class: 'toolbar' }, el('label', {}, t('lookup.player'), input), el('button', { type: 'submit', text: t('lookup.button') }));
  form.addEventListener('submit', (ev) => { ev.preventDefault(); location.hash = '#/lookup/' + encodeURIComponent(input.value.trim()); });
  const out = el('div', { id: 'lookup-result' });
  $('#lookup').replaceChildren(el('h1', { text: t('lookup.title') }), form, out);
  show('lookup');
  if (!id) { input.focus(); return; }
  let risk;
  try { risk = await api('/v1/players/' + encodeURIComponent(id) + '/risk'); }
  catch (e) { out.replaceChildren(el('p', { class: 'error', text: e.status === 404 ? t('lookup.unknown', { id }) : e.message })); return; }
  const badge = el('img', { alt: t('player.badge_alt', { level: levelLabel(risk.level), score: risk.score }) });
  api('/v1/badge/' + encodeURIComponent(id) + '.svg').then((blob) => { badge.src = URL.createObjectURL(blob); }).catch(() => {});
  const reasons = el('ul', { class: 'reasons' });
  for (const r of risk.reasons) reasons.append(el('li', {}, r.detail, ' ', el('code', { text: r.rule })));
  if (!risk.reasons.length) reasons.append(el('li', { class: 'muted', text: t('player.no_markers') }));
  const limits = el('ul', { class: 'reasons' });
  for (const l of risk.limits) limits.append(el('li', { text: t('lookup.limit_item', { limit: limitLabel(l.limit), period: periodLabel(l.period) }) }));
  if (!risk.limits.length) limits.append(el('li', { class: 'muted', text: t('lookup.no_limits') }));
  out.replaceChildren(el('div', { class: 'grid' },
    el('div', { class: 'card' },
      el('h2', {}, t('player.title'), el('code', { text: risk.player_id }), ' ', el('span', { class: 'badge' }, badge)),
      badgeLinkControl(risk.player_id), // workbench.js
      el('p', { class: 'suggest', id: 'lookup-hint', text: AGENT_HINTS.includes(risk.level) ? t('hint.' + risk.level) : '' }),
      el('h2', { text: t('alert.why') }), reasons),
    el('div', { class: 'card' },
      el('dl', { class: 'facts' }, el('dt', { text: t('player.level') }), el('dd', {}, chip(risk.level)), el('dt', { text: t('player.score') }), el('dd', { text: String(risk.score) }),
        el('dt', { text: t('player.excluded_until') }), el('dd', { text: risk.excluded_until ? (risk.excluded_until === 'indefinite' ? t('player.indefinite') : fmtTime(risk.excluded_until)) : '—' }),
        el('dt', { text: t('player.as_of') }), el('dd', { text: fmtTime(risk.as_of) })),
      el('h2', { text: t('player.own_limits') }), limits)));
  if (typeof talkSection === 'function') out.append(talkSection(id)); // talk.js
}

// ---- regulators: the signed audit export ----------------------------------

// The manifest (the last record) of an export: JSONL's last line, or the
// CSV row "manifest,,,,,"<JSON>",,".
function exportManifest(text, format) {
  const lines = text.trim().split(/\r?\n/);
  const last = lines[lines.length - 1];
  if (format === 'jsonl') return JSON.parse(last);
  const m = last.match(/^manifest,[^"]*"((?:[^"]|"")*)"/);
  return m ? JSON.parse(m[1].replace(/""/g, '"')) : null;
}

function showExport() {
  const today = new Date().toISOString().slice(0, 10);
  const monthAgo = new Date(Date.now() - 30 * 86400000).toISOString().slice(0, 10);
  const from = el('input', { id: 'export-from', type: 'date', value: monthAgo, required: '' });
  const to = el('input', { id: 'export-to', type: 'date', value: today, required: '' });
  const format = el('select', { id: 'export-format' }, el('option', { value: 'jsonl', text: 'JSONL' }), el('option', { value: 'csv', text: 'CSV' }));
  const player = el('input', { id: 'export-player', type: 'search', placeholder: t('export.all_players'), autocomplete: 'off', spellcheck: 'false' });
  const result = el('div', { id: 'export-result' });
  const form = el('form', { id: 'export-form', class: 'toolbar' },
    el('label', {}, t('export.from'), from), el('label', {}, t('export.to'), to), el('label', {}, t('export.format'), format), el('label', {}, t('export.player'), player),
    el('button', { type: 'submit', text: t('export.button') }));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    result.replaceChildren(el('p', { class: 'muted', text: t('export.running') }));
    const end = new Date(new Date(to.value + 'T00:00:00Z').getTime() + 86400000).toISOString().replace('.000Z', 'Z');
    const q = new URLSearchParams({ from: from.value + 'T00:00:00Z', to: end, format: format.value });
    if (player.value.trim()) q.set('player', player.value.trim());
    try {
      const blob = await api('/v1/audit/export?' + q);
      const manifest = exportManifest(await blob.text(), format.value);
      const name = 'rgmon-audit-' + from.value + '-' + to.value + '.' + format.value;
      const link = el('a', { id: 'export-download', href: URL.createObjectURL(blob), download: name, text: t('export.save', { name }) });
      result.replaceChildren(el('div', { class: 'card' },
        el('p', {}, link, ' — ' + (manifest ? t('export.signed', { n: manifest.count }) : t('export.no_manifest'))),
        el('dl', { class: 'facts' },
          el('dt', { text: t('export.fingerprint') }), el('dd', {}, el('code', { id: 'export-fingerprint', text: manifest ? manifest.key_fingerprint : '—' })),
          el('dt', { text: t('export.public_key') }), el('dd', {}, el('code', { text: manifest ? manifest.public_key : '—' }))),
        el('h2', { text: t('export.how') }),
        el('p', { text: t('export.compare') }),
        el('pre', { class: 'raw', text: 'rgmon audit verify ' + name + ' --pubkey audit-signing.pub' }),
        el('p', { class: 'muted', text: t('export.without') })));
    } catch (e) { result.replaceChildren(el('p', { class: 'error', text: e.message })); }
  });
  $('#export').replaceChildren(el('h1', { text: t('export.title') }),
    el('p', { class: 'muted', text: t('export.intro') }), form, result);
  show('export');
}

// ---- routing --------------------------------------------------------------

async function route() {
  showError('');
  if (!sessionStorage.getItem(TOKEN_KEY)) { show('signin'); return; }
  const h = location.hash.replace(/^#/, '') || '/';
  try {
    let m;
    // Agents and regulators have a page of their own; the queue is staff's.
    if (myRole === 'agent') {
      m = h.match(/^\/lookup\/(.+)$/);
      await showLookup(m ? decodeURIComponent(m[1]) : null);
    } else if (h === '/effectiveness' && myRole !== 'agent') await showEffectiveness(); // effectiveness.js
    else if (myRole === 'regulator') showExport();
    else if ((m = h.match(/^\/alerts\/([0-9a-f]{32})$/))) await showAlert(m[1]);
    else if ((m = h.match(/^\/players\/(.+)$/))) await showPlayer(decodeURIComponent(m[1]));
    else if ((m = h.match(/^\/rules\/(.+)$/))) await showRule(decodeURIComponent(m[1]));
    else if (h === '/queue/pending_review') await showReviewQueue();
    else if (h === '/') await showDashboard(); // the landing page for staff (dashboard.js)
    else await showQueue();
  } catch (e) {
    // The error alone: not under the page that was shown before.
    if (e.status !== 401) { show(null); showError(e.message); }
  }
}

document.addEventListener('DOMContentLoaded', async () => {
  $('#signin-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    $('#signin-error').textContent = '';
    try {
      await signIn($('#token').value.trim());
      $('#token').value = '';
      route();
    } catch (e) {
      $('#signin-error').textContent = e.status === 401 ? t('signin.invalid') : e.message;
    }
  });
  $('#signout').addEventListener('click', signOut);
  $('#filter-status').addEventListener('change', () => loadQueue(false).catch((e) => showError(e.message)));
  $('#filter-level').addEventListener('change', () => loadQueue(false).catch((e) => showError(e.message)));
  $('#queue-more').addEventListener('click', () => loadQueue(true).catch((e) => showError(e.message)));
  $('#filter-since').addEventListener('change', () => loadQueue(false).catch((e) => showError(e.message)));
  // A player id is looked up when typed in full (Enter) or cleared.
  $('#filter-player').addEventListener('change', () => loadQueue(false).catch((e) => showError(e.message)));
  $('#queue-csv').addEventListener('click', () => downloadQueue().catch((e) => showError(e.message)));
  window.addEventListener('hashchange', route);
  if (sessionStorage.getItem(TOKEN_KEY)) {
    try { await signIn(sessionStorage.getItem(TOKEN_KEY)); } catch (e) { signOut(); return; }
  }
  route();
});
