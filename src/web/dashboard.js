// rgmon web UI: the dashboard, the landing page for compliance staff (#/).
// The whole book from GET /v1/reports/portfolio: players by level now and
// per day (a stacked area plot), alert inflow and outflow per day (bars),
// what is overdue, the share resolved before due, this week's movers and
// the false-positive rate per rule. It refreshes itself every 30 s.
// Values go into the page through textContent only.
'use strict';

const DASHBOARD_REFRESH_MS = 30000;
const LEVEL_COLOURS = { green: '#2e7d32', amber: '#b26a00', red: '#c62828', excluded: '#6a1b9a' };
const LEVELS = ['green', 'amber', 'red', 'excluded'];
let dashboardTimer = null;

// Players per level per day, stacked: the share of the book at each level.
function levelMixPlot(days) {
  const { svg, add, title, W, H } = svgPlot(t('dash.plot_levels'), 220);
  const L = 48, R = 12, T = 12, B = 28;
  if (!days.length) { add('text', { x: W / 2 - 50, y: H / 2 }, t('dash.no_days')); return svg; }
  const max = Math.max(1, ...days.map((d) => d.total));
  const n = days.length, step = n > 1 ? (W - L - R) / (n - 1) : 0;
  const x = (i) => L + i * step, y = (v) => T + (H - T - B) * (1 - v / max);
  add('line', { x1: L, y1: H - B, x2: W - R, y2: H - B, stroke: '#dde1e6' });
  add('text', { x: 4, y: T + 8 }, max.toLocaleString(uiLocale()));
  add('text', { x: 4, y: H - B }, '0');
  const base = days.map(() => 0);
  for (const level of LEVELS) {
    const top = days.map((d, i) => base[i] + (d.by_level[level] || 0));
    let path = '';
    top.forEach((v, i) => { path += (i ? 'L' : 'M') + x(i).toFixed(1) + ' ' + y(v).toFixed(1); });
    for (let i = n - 1; i >= 0; i--) path += 'L' + x(i).toFixed(1) + ' ' + y(base[i]).toFixed(1);
    const area = add('path', { d: path + 'Z', fill: LEVEL_COLOURS[level], 'fill-opacity': 0.75, class: 'level-' + level });
    title(area, t('dash.level_on', { level: levelLabel(level), n: days[n - 1].by_level[level] || 0, day: days[n - 1].day }));
    top.forEach((v, i) => { base[i] = v; });
  }
  days.forEach((d, i) => { if (i % Math.ceil(n / 8) === 0) add('text', { x: Math.max(L - 12, Math.min(x(i) - 12, W - R - 28)), y: H - B + 14 }, d.day.slice(5)); });
  return svg;
}

// Alerts opened (up) and resolved (down) per day.
function flowPlot(daily) {
  const { svg, add, title, W, H } = svgPlot(t('dash.plot_flow'), 200);
  const L = 40, R = 12, T = 10, B = 24, mid = (H - B + T) / 2;
  if (!daily.length) { add('text', { x: W / 2 - 50, y: H / 2 }, t('dash.no_alerts')); return svg; }
  const max = Math.max(1, ...daily.map((d) => Math.max(d.opened, d.resolved)));
  const n = daily.length, slot = (W - L - R) / n, bw = Math.max(2, slot - 2);
  const h = (v) => (mid - T) * (v / max);
  add('line', { x1: L, y1: mid, x2: W - R, y2: mid, stroke: '#8a99a8' });
  add('text', { x: 4, y: T + 8 }, '+' + max);
  add('text', { x: 4, y: H - B }, '−' + max);
  daily.forEach((d, i) => {
    const x0 = L + i * slot;
    title(add('rect', { x: x0, y: mid - h(d.opened), width: bw, height: h(d.opened), fill: '#1f5fa8', class: 'opened' }), t('dash.opened_on', { day: d.day, n: d.opened }));
    title(add('rect', { x: x0, y: mid, width: bw, height: h(d.resolved), fill: '#2e7d32', class: 'resolved' }), t('dash.resolved_on', { day: d.day, n: d.resolved }));
    if (i % Math.ceil(n / 8) === 0) add('text', { x: x0, y: H - B + 14 }, d.day.slice(5));
  });
  return svg;
}

function moversList(list) {
  const ul = el('ul', { class: 'reasons movers' });
  for (const m of list) {
    ul.append(el('li', {}, chip(m.level), ' ', el('a', { href: '#/players/' + encodeURIComponent(m.player_id), text: m.player_id }),
      ' ' + m.score_then + ' → ' + m.score_now + ' (' + (m.change > 0 ? '+' : '') + m.change + ')'));
  }
  if (!list.length) ul.append(el('li', { class: 'muted', text: t('dash.none') }));
  return ul;
}

function fpTable(rows) {
  const body = el('tbody');
  for (const r of rows) {
    body.append(el('tr', {}, el('td', {}, ruleLink(r.rule)), el('td', { text: String(r.resolved) }),
      el('td', { text: String(r.false_positive) }), el('td', { text: Math.round(r.rate * 100) + ' %' })));
  }
  if (!rows.length) body.append(el('tr', {}, el('td', { colspan: '4', class: 'muted', text: t('dash.no_resolutions') })));
  return el('table', { class: 'list fp' }, el('thead', {}, el('tr', {}, el('th', { text: t('dash.rule') }), el('th', { text: t('dash.resolved') }),
    el('th', { text: t('dash.false_positive') }), el('th', { text: t('dash.rate') }))), body);
}

function legend() {
  const l = el('div', { class: 'legend' });
  for (const level of LEVELS) l.append(el('span', {}, el('span', { class: 'swatch ' + level }), levelLabel(level)));
  return l;
}

async function renderDashboard() {
  const p = await api('/v1/reports/portfolio');
  await loadRules().catch(() => {});
  const now = p.players_now;
  const tiles = el('div', { class: 'tiles' },
    el('div', { class: 'card tile' }, el('div', { class: 'muted', text: t('dash.players') }), el('strong', { id: 'dash-players', text: now.total.toLocaleString(uiLocale()) })),
    ...LEVELS.filter((l) => l !== 'green').map((l) => el('div', { class: 'card tile' }, el('div', { class: 'muted', text: levelLabel(l) }), el('strong', { text: (now.by_level[l] || 0).toLocaleString(uiLocale()) }))),
    el('div', { class: 'card tile' }, el('div', { class: 'muted', text: t('dash.overdue_now') }),
      el('a', { href: '#/queue', id: 'dash-overdue', text: String(p.alerts.overdue_now) })),
    el('div', { class: 'card tile' }, el('div', { class: 'muted', text: t('dash.resolved_before_due') }),
      el('strong', { text: p.alerts.resolved_before_due_share == null ? '—' : Math.round(p.alerts.resolved_before_due_share * 100) + ' %' })));
  const byJ = el('tbody');
  for (const [j, levels] of Object.entries(now.by_jurisdiction)) {
    byJ.append(el('tr', {}, el('td', { text: j }), ...LEVELS.map((l) => el('td', { text: String(levels[l] || 0) }))));
  }
  $('#dashboard').replaceChildren(
    el('div', { class: 'toolbar' }, el('h1', { text: t('dash.title') }),
      el('a', { href: '#/queue', id: 'dash-queue', text: t('dash.open_queue') }),
      el('a', { href: '#/queue/pending_review', text: t('dash.pending_review') }),
      el('span', { class: 'muted', text: t('dash.as_of', { time: p.as_of ? fmtTime(p.as_of) : '—' }) })),
    tiles,
    el('div', { class: 'grid' },
      el('div', { class: 'card' }, el('h2', { text: t('dash.levels_per_day') }), legend(), levelMixPlot(p.players_daily),
        el('h2', { text: t('dash.flow') }), flowPlot(p.alerts.daily)),
      el('div', { class: 'card' },
        el('h2', { text: t('dash.by_jurisdiction') }),
        el('table', { class: 'list' }, el('thead', {}, el('tr', {}, el('th', { text: '' }), ...LEVELS.map((l) => el('th', { text: levelLabel(l) })))), byJ),
        el('h2', { text: t('dash.movers') }),
        p.movers.since ? el('p', { class: 'muted', text: t('dash.score_since', { day: p.movers.since }) }) : el('p', { class: 'muted', text: t('dash.short_history') }),
        el('h3', { text: t('dash.up') }), moversList(p.movers.up), el('h3', { text: t('dash.down') }), moversList(p.movers.down))),
    el('div', { class: 'card' }, el('h2', { text: t('dash.fp') }), fpTable(p.false_positive_rate),
      el('p', { class: 'muted', text: t('dash.interactions', { value: p.interactions_per_1000_active == null ? t('dash.not_yet') : Number(p.interactions_per_1000_active).toLocaleString(uiLocale()) }) })));
}

async function showDashboard() {
  show('dashboard');
  clearInterval(dashboardTimer);
  await renderDashboard();
  dashboardTimer = setInterval(() => {
    if ($('#dashboard').hidden) { clearInterval(dashboardTimer); return; }
    renderDashboard().catch((e) => showError(e.message));
  }, DASHBOARD_REFRESH_MS);
}
