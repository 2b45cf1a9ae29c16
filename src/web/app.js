// rgmon web UI for compliance staff: the alert queue, alert detail with
// resolve, and the player page. Plain JavaScript, no framework. Every value
// from the API goes into the page through textContent, never as HTML.
'use strict';

const TOKEN_KEY = 'rgmon.token';
const REFRESH_MS = 5000;
const OUTCOMES = [
  ['limits_set', 'Limits set'],
  ['pause_applied', 'Pause applied'],
  ['self_exclusion', 'Self-exclusion'],
  ['contacted_no_action', 'Contacted, no action'],
  ['false_positive', 'False positive'],
];
const ACTIONS = {
  limits: 'Suggest limits', pause: 'Advise a pause', self_exclusion: 'Offer self-exclusion',
  financial_check: 'Financial check owed', contact: 'Contact owed', deposit_block: 'Block deposits',
  compliance_review: 'Review the breach',
};

const $ = (sel) => document.querySelector(sel);
let refreshTimer = null;

// ---- API ------------------------------------------------------------------

class ApiError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

async function api(path, options = {}) {
  const headers = { Authorization: 'Bearer ' + sessionStorage.getItem(TOKEN_KEY) };
  if (options.body) headers['Content-Type'] = 'application/json';
  const res = await fetch(path, { method: options.method || 'GET', headers, body: options.body });
  if (res.status === 401) { signOut(); throw new ApiError(401, 'Your token was not accepted; sign in again.'); }
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

function chip(level) { return el('span', { class: 'chip ' + level, text: level }); }

function showError(msg) {
  const e = $('#error');
  e.textContent = msg || '';
  e.hidden = !msg;
}

function show(id) {
  for (const s of ['signin', 'queue', 'alert', 'player']) $('#' + s).hidden = s !== id;
}

function fmtTime(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return d.toLocaleString(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

function fmtDue(iso, overdue) {
  if (!iso) return '—';
  const mins = Math.round((new Date(iso) - Date.now()) / 60000);
  const abs = Math.abs(mins);
  const span = abs < 90 ? abs + ' min' : abs < 48 * 60 ? Math.round(abs / 60) + ' h' : Math.round(abs / 1440) + ' days';
  return overdue ? 'overdue ' + span : 'in ' + span;
}

function minorDigits(currency) {
  try { return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits; }
  catch (e) { return 2; }
}

function fmtMoney(minor, currency) {
  if (minor == null) return '—';
  const d = minorDigits(currency || 'EUR');
  const v = minor / Math.pow(10, d);
  return v.toLocaleString(undefined, { minimumFractionDigits: d, maximumFractionDigits: d }) + (currency ? ' ' + currency : '');
}

// ---- sign in --------------------------------------------------------------

async function signIn(token) {
  sessionStorage.setItem(TOKEN_KEY, token);
  try {
    const me = await api('/v1/me');
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
  clearInterval(refreshTimer);
  show('signin');
}

// ---- the queue ------------------------------------------------------------

let queueCursor = null;

function queueQuery(cursor) {
  const q = new URLSearchParams({ status: $('#filter-status').value, limit: '50' });
  if ($('#filter-level').value) q.set('level', $('#filter-level').value);
  if (cursor) q.set('cursor', cursor);
  return '/v1/alerts?' + q;
}

function queueRow(a) {
  const why = a.reasons.length ? a.reasons[0].detail : a.rules[0];
  const tr = el('tr', { class: a.overdue ? 'overdue' : '', 'data-alert': a.alert_id, onclick: () => { location.hash = '#/alerts/' + a.alert_id; } },
    el('td', {}, chip(a.level)),
    el('td', {}, el('a', { href: '#/players/' + encodeURIComponent(a.player_id), text: a.player_id, onclick: (ev) => ev.stopPropagation() })),
    el('td', { text: why + (a.reasons.length > 1 ? ' (+' + (a.reasons.length - 1) + ' more)' : '') }),
    el('td', { text: ACTIONS[a.suggested_action] || a.suggested_action }),
    el('td', { class: 'due', text: a.status === 'resolved' ? fmtTime(a.resolved_at) : fmtDue(a.due_at, a.overdue) }),
    el('td', { class: 'status', text: a.status + (a.acknowledged_by && a.status === 'acknowledged' ? ' · ' + a.acknowledged_by : '') + (a.outcome ? ' · ' + a.outcome : '') }));
  return tr;
}

async function loadQueue(append) {
  const data = await api(queueQuery(append ? queueCursor : null));
  const body = $('#queue-table tbody');
  if (!append) body.replaceChildren();
  for (const a of data.alerts) body.append(queueRow(a));
  queueCursor = data.next_cursor;
  $('#queue-more').hidden = !queueCursor;
  const rows = body.children.length;
  $('#queue-empty').hidden = rows > 0;
  $('#queue-table').hidden = rows === 0;
  const overdue = body.querySelectorAll('tr.overdue').length;
  $('#queue-summary').textContent = rows + (queueCursor ? '+' : '') + ' alerts' + (overdue ? ', ' + overdue + ' overdue' : '');
}

async function showQueue() {
  show('queue');
  await loadQueue(false);
  clearInterval(refreshTimer);
  // The live queue: new alerts arrive while staff work.
  refreshTimer = setInterval(() => { if (!$('#queue').hidden) loadQueue(false).catch((e) => showError(e.message)); }, REFRESH_MS);
}

// ---- alert detail ---------------------------------------------------------

function eventSummary(ev) {
  if (!ev) return 'no longer kept (older than the dedupe window)';
  switch (ev.type) {
    case 'deposit': return 'deposit ' + fmtMoney(ev.amount, ev.currency) + (ev.status === 'declined' ? ' (declined)' : '');
    case 'withdrawal': return 'withdrawal ' + fmtMoney(ev.amount, ev.currency) + ' (' + (ev.status || '') + ')';
    case 'game_round': return 'round: stake ' + fmtMoney(ev.stake, ev.currency) + ', payout ' + fmtMoney(ev.payout, ev.currency);
    case 'limit_set': return ev.limit + ' limit per ' + ev.period + ': ' + (ev.limit === 'session_time' ? ev.value + ' min' : fmtMoney(ev.value, ev.currency));
    case 'self_exclusion': return 'self-exclusion ' + (ev.days ? ev.days + ' days' : 'indefinite') + ' (' + (ev.source || 'player') + ')';
    case 'contact': return 'contact via ' + ev.channel + ': ' + ev.topic;
    default: return ev.type;
  }
}

function resolveForm(a) {
  const select = el('select', { id: 'outcome', name: 'outcome', required: '' }, el('option', { value: '', text: 'choose…' }));
  for (const [v, label] of OUTCOMES) select.append(el('option', { value: v, text: label }));
  const note = el('textarea', { id: 'note', name: 'note', required: '', maxlength: '2000', placeholder: 'What was done, and what the player said' });
  const msg = el('p', { class: 'error', role: 'alert' });
  const form = el('form', { id: 'resolve-form' },
    el('h2', { text: 'Resolve' }),
    el('label', {}, 'Outcome', select),
    el('label', {}, 'Note', note),
    el('button', { type: 'submit', text: 'Resolve alert' }), msg);
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
  for (const r of a.reasons) reasons.append(el('li', {}, r.detail, ' ', el('code', { text: r.rule })));
  const evidence = el('table', { class: 'list' }, el('thead', {}, el('tr', {}, el('th', { text: 'Time' }), el('th', { text: 'Event' }), el('th', { text: 'event_id' }))));
  const evBody = el('tbody');
  for (const e of a.evidence_events) {
    evBody.append(el('tr', {}, el('td', { text: e.event ? fmtTime(e.event.ts) : '—' }), el('td', { text: eventSummary(e.event) }), el('td', {}, el('code', { text: e.event_id }))));
  }
  evidence.append(evBody);
  const history = el('ul', { class: 'reasons' });
  for (const act of a.actions) history.append(el('li', { text: fmtTime(act.at) + ' — ' + act.action + ' by ' + act.actor + ' (' + act.role + ')' + (act.outcome ? ': ' + act.outcome : '') + (act.note ? ' — “' + act.note + '”' : '') }));
  if (!a.actions.length) history.append(el('li', { class: 'muted', text: 'No action taken yet.' }));

  const ack = el('button', { type: 'button', id: 'acknowledge', class: 'secondary', text: 'Take it (acknowledge)' });
  ack.addEventListener('click', async () => {
    try { await api('/v1/alerts/' + a.alert_id + '/acknowledge', { method: 'POST', body: '{}' }); await showAlert(a.alert_id); }
    catch (e) { showError(e.message); }
  });

  const facts = el('dl', { class: 'facts' },
    el('dt', { text: 'Player' }), el('dd', {}, el('a', { href: '#/players/' + encodeURIComponent(a.player_id), text: a.player_id })),
    el('dt', { text: 'Status' }), el('dd', { id: 'alert-status', text: a.status + (a.outcome ? ' (' + a.outcome + ' by ' + a.actor + ')' : a.acknowledged_by ? ' (' + a.acknowledged_by + ')' : '') }),
    el('dt', { text: 'Raised' }), el('dd', { text: fmtTime(a.created_at) + (a.escalations ? ', escalated ' + a.escalations + '×' : '') }),
    el('dt', { text: 'Due' }), el('dd', { class: a.overdue ? 'error' : '', text: fmtTime(a.due_at) + ' (' + fmtDue(a.due_at, a.overdue) + ')' }),
    el('dt', { text: 'Policy' }), el('dd', {}, el('code', { text: a.policy })));

  const side = el('div', { class: 'card' }, el('h2', { text: 'Suggested action' }), el('p', { class: 'suggest', text: ACTIONS[a.suggested_action] || a.suggested_action }));
  if (a.status === 'open') side.append(ack);
  if (a.status !== 'resolved') side.append(resolveForm(a));

  sec.replaceChildren(
    el('p', {}, el('a', { href: '#/', text: '← queue' })),
    el('h1', {}, chip(a.level), ' Alert ', el('code', { text: a.alert_id })),
    el('div', { class: 'grid' },
      el('div', { class: 'card' }, facts, el('h2', { text: 'Why' }), reasons, el('h2', { text: 'Evidence' }), evidence, el('h2', { text: 'History' }), history),
      side));
  show('alert');
}

// ---- player page ----------------------------------------------------------

// Per-day bars for deposits and net losses, and session hours as a line.
function timelinePlot(days, currency) {
  const NS = 'http://www.w3.org/2000/svg';
  const W = 720, H = 220, L = 56, R = 40, T = 12, B = 28;
  const svg = document.createElementNS(NS, 'svg');
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  svg.setAttribute('class', 'plot');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', 'deposits, losses and session time per day');
  const add = (tag, attrs, text) => {
    const e = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    if (text != null) e.textContent = text;
    svg.append(e);
    return e;
  };
  if (!days.length) { add('text', { x: W / 2 - 40, y: H / 2 }, 'no activity kept'); return svg; }
  const d = minorDigits(currency || 'EUR'), unit = Math.pow(10, d);
  const maxMoney = Math.max(1, ...days.map((x) => Math.max(x.deposited, Math.max(0, x.net_loss)))) / unit;
  const maxHours = Math.max(1, ...days.map((x) => x.session_seconds / 3600));
  const n = days.length, slot = (W - L - R) / n, bw = Math.max(2, slot / 2 - 1);
  const y = (v) => T + (H - T - B) * (1 - v / maxMoney);
  const yh = (v) => T + (H - T - B) * (1 - v / maxHours);
  add('line', { x1: L, y1: H - B, x2: W - R, y2: H - B, stroke: '#dde1e6' });
  add('text', { x: 4, y: T + 8 }, maxMoney.toLocaleString(undefined, { maximumFractionDigits: 0 }));
  add('text', { x: 4, y: H - B }, '0 ' + (currency || ''));
  add('text', { x: W - R + 4, y: T + 8 }, maxHours.toFixed(1) + ' h');
  let path = '';
  days.forEach((x, i) => {
    const x0 = L + i * slot;
    const dep = x.deposited / unit, loss = Math.max(0, x.net_loss) / unit;
    const r1 = add('rect', { x: x0, y: y(dep), width: bw, height: H - B - y(dep), fill: '#1f5fa8' });
    r1.append(Object.assign(document.createElementNS(NS, 'title'), { textContent: x.date + ' deposits ' + fmtMoney(x.deposited, currency) }));
    const r2 = add('rect', { x: x0 + bw + 1, y: y(loss), width: bw, height: H - B - y(loss), fill: '#c62828' });
    r2.append(Object.assign(document.createElementNS(NS, 'title'), { textContent: x.date + ' net loss ' + fmtMoney(x.net_loss, currency) }));
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
  const badge = el('img', { alt: 'risk badge ' + risk.level + ' ' + risk.score });
  api('/v1/badge/' + encodeURIComponent(id) + '.svg').then((blob) => { badge.src = URL.createObjectURL(blob); }).catch(() => {});
  const reasons = el('ul', { class: 'reasons' });
  for (const r of risk.reasons) reasons.append(el('li', {}, r.detail, ' ', el('code', { text: r.rule + ' · ' + r.points + ' pts' })));
  if (!risk.reasons.length) reasons.append(el('li', { class: 'muted', text: 'No markers hold.' }));
  const limits = el('ul', { class: 'reasons' });
  for (const l of risk.limits) limits.append(el('li', { text: l.limit + ' per ' + l.period + ': ' + (l.limit === 'session_time' ? l.used + ' of ' + l.value + ' min' : fmtMoney(l.used, p.currency) + ' of ' + fmtMoney(l.value, p.currency)) + (l.pending_value ? ' (raise to ' + l.pending_value + ' pending)' : '') }));
  if (!risk.limits.length) limits.append(el('li', { class: 'muted', text: 'No limits set by the player.' }));
  const events = el('table', { class: 'list' }, el('thead', {}, el('tr', {}, el('th', { text: 'Time' }), el('th', { text: 'Event' }))));
  const evBody = el('tbody');
  for (const e of p.events) evBody.append(el('tr', {}, el('td', { text: fmtTime(e.ts) }), el('td', { text: eventSummary(e) })));
  events.append(evBody);
  const alerts = el('ul', { class: 'reasons' });
  for (const a of p.alerts) alerts.append(el('li', {}, chip(a.level), ' ', el('a', { href: '#/alerts/' + a.alert_id, text: fmtTime(a.created_at) }), ' — ' + a.status + (a.outcome ? ' (' + a.outcome + ')' : '')));
  if (!p.alerts.length) alerts.append(el('li', { class: 'muted', text: 'None.' }));

  $('#player').replaceChildren(
    el('p', {}, el('a', { href: '#/', text: '← queue' })),
    el('h1', {}, 'Player ', el('code', { text: p.player_id }), ' ', el('span', { class: 'badge' }, badge)),
    el('div', { class: 'grid' },
      el('div', { class: 'card' },
        el('h2', { text: 'Last 30 days (' + p.time_zone + ')' }),
        el('div', { class: 'legend' }, el('span', {}, el('span', { class: 'swatch deposits' }), 'deposits'), el('span', {}, el('span', { class: 'swatch losses' }), 'net loss'), el('span', {}, el('span', { class: 'swatch session' }), 'session hours')),
        timelinePlot(p.days, p.currency),
        el('h2', { text: 'Recent events (game rounds are in the daily sums)' }), events),
      el('div', { class: 'card' },
        el('dl', { class: 'facts' }, el('dt', { text: 'Level' }), el('dd', {}, chip(risk.level)), el('dt', { text: 'Score' }), el('dd', { text: String(risk.score) }),
          el('dt', { text: 'Excluded until' }), el('dd', { text: risk.excluded_until ? (risk.excluded_until === 'indefinite' ? 'indefinite' : fmtTime(risk.excluded_until)) : '—' }),
          el('dt', { text: 'As of' }), el('dd', { text: fmtTime(risk.as_of) })),
        el('h2', { text: 'Reasons' }), reasons, el('h2', { text: 'Own limits' }), limits, el('h2', { text: 'Alerts' }), alerts)));
  show('player');
}

// ---- routing --------------------------------------------------------------

async function route() {
  showError('');
  if (!sessionStorage.getItem(TOKEN_KEY)) { show('signin'); return; }
  const h = location.hash.replace(/^#/, '') || '/';
  try {
    let m;
    if ((m = h.match(/^\/alerts\/([0-9a-f]{32})$/))) await showAlert(m[1]);
    else if ((m = h.match(/^\/players\/(.+)$/))) await showPlayer(decodeURIComponent(m[1]));
    else await showQueue();
  } catch (e) {
    if (e.status !== 401) showError(e.message);
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
      $('#signin-error').textContent = e.status === 401 ? 'That token is not valid.' : e.message;
    }
  });
  $('#signout').addEventListener('click', signOut);
  $('#filter-status').addEventListener('change', () => loadQueue(false).catch((e) => showError(e.message)));
  $('#filter-level').addEventListener('change', () => loadQueue(false).catch((e) => showError(e.message)));
  $('#queue-more').addEventListener('click', () => loadQueue(true).catch((e) => showError(e.message)));
  window.addEventListener('hashchange', route);
  if (sessionStorage.getItem(TOKEN_KEY)) {
    try { await signIn(sessionStorage.getItem(TOKEN_KEY)); } catch (e) { signOut(); return; }
  }
  route();
});
