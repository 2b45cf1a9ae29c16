// rgmon web UI: the follow-up of a resolved alert (issue 16) -- the
// player's behaviour in the 30 days before the resolution against the 7
// and 30 days after it, as paired bars. Used by the alert page and the
// player page (hooks in app.js). Values go in through textContent only.
'use strict';

// [key, per day?] -- money is per day already; counts are divided
// by the window's days so that 30 days before and 7 after compare.
// The label is t('fu.' + key).
const FOLLOW_UP_MEASURES = [
  ['deposits', 'money'],
  ['net_loss', 'money'],
  ['staked', 'money'],
  ['play_minutes', 'count'],
  ['active_days', 'week'],
  ['night_rounds', 'count'],
  ['declined_deposits', 'asis'],
];

function followUpValue(m, key, kind) {
  const v = m[key];
  if (kind === 'count') return v / m.days;
  if (kind === 'week') return (v * 7) / m.days;
  return v;
}

function followUpText(v, kind, currency) {
  if (kind === 'money') return fmtMoney(Math.round(v), currency);
  return (Math.round(v * 10) / 10).toLocaleString(uiLocale());
}

// One window: an SVG of paired bars (before above, after below) per measure.
function followUpPlot(w, currency) {
  const L = 150, R = 120, row = 30;
  const H = FOLLOW_UP_MEASURES.length * row + 8;
  const { svg, add, title, W } = svgPlot(t('fu.plot'), H, { min: 300, max: 640, margin: 64, cls: 'plot followup-plot' });
  FOLLOW_UP_MEASURES.forEach(([key, kind], i) => {
    const b = followUpValue(w.before, key, kind);
    const a = w.after ? followUpValue(w.after, key, kind) : null;
    const max = Math.max(1e-9, Math.abs(b), Math.abs(a || 0));
    const y = 4 + i * row, span = W - L - R;
    add('text', { x: 4, y: y + 16 }, t('fu.' + key));
    const bw = (span * Math.max(0, b)) / max;
    const r1 = add('rect', { x: L, y: y + 3, width: Math.max(1, bw), height: 10, fill: '#8a99a8', class: 'fu-before' });
    title(r1, t('fu.before', { value: followUpText(b, kind, currency) }));
    if (a != null) {
      const aw = (span * Math.max(0, a)) / max;
      const fell = b > 0 && a <= b * 0.75;
      const r2 = add('rect', { x: L, y: y + 15, width: Math.max(1, aw), height: 10, fill: fell ? '#2e7d32' : a > b ? '#c62828' : '#1f5fa8', class: 'fu-after' });
      title(r2, t('fu.after', { value: followUpText(a, kind, currency) }));
    }
    add('text', { x: W - R + 6, y: y + 16 }, followUpText(b, kind, currency) + ' → ' + (a == null ? '…' : followUpText(a, kind, currency)));
  });
  return svg;
}

// The follow_up object of GET /v1/alerts/{id} as a card; null when none.
function followUpCard(fu, currency) {
  if (!fu) return null;
  const card = el('div', { class: 'card followup', id: 'follow-up' }, el('h2', { text: t('fu.title') }),
    el('div', { class: 'legend' }, el('span', {}, el('span', { class: 'swatch fu-before' }), t('fu.30_before')),
      el('span', {}, el('span', { class: 'swatch fu-fell' }), t('fu.fell')),
      el('span', {}, el('span', { class: 'swatch fu-rose' }), t('fu.rose'))));
  for (const key of ['7d', '30d']) {
    const w = fu[key];
    if (!w) continue;
    const head = key === '7d' ? t('fu.7d') : t('fu.30d');
    const state = w.complete ? t('fu.complete') : t('fu.open_until', { time: fmtTime(w.end) });
    card.append(el('h3', { 'data-window': key }, head + ' — ', el('span', { class: w.complete ? 'fu-complete' : 'muted', text: state })));
    card.append(followUpPlot(w, currency));
    const after = w.after;
    card.append(el('p', { class: 'muted' },
      t('fu.score', { score: w.before.score }), chip(w.before.level), ')',
      after ? ' → ' + after.score + ' (' : '', after ? chip(after.level) : null, after ? ')' : '',
      after ? t('fu.limits_after', { n: after.limits_set, excluded: t(after.excluded ? 'fu.yes' : 'fu.no') }) : ''));
  }
  card.append(el('p', { class: 'muted', text: t('fu.anchor', { time: fmtTime(fu['30d'] ? fu['30d'].anchor : fu['7d'].anchor) }) }));
  return card;
}

// The player page: the follow-up of the player's latest resolved alert.
async function playerFollowUps(alerts, container, currency) {
  const resolved = alerts.filter((a) => a.status === 'resolved');
  if (!resolved.length) return;
  const latest = resolved.reduce((x, y) => (x.created_at > y.created_at ? x : y));
  try {
    const a = await api('/v1/alerts/' + latest.alert_id);
    const card = followUpCard(a.follow_up, currency);
    if (card) container.replaceChildren(card);
  } catch (e) { /* the page stands without it */ }
}
