// rgmon web UI: the effectiveness report (issue 16) for compliance staff
// and regulators -- did the interventions help? Per outcome, rule and
// jurisdiction: the share whose deposits, net loss and play time fell by a
// quarter or more in the 30 days after the resolution, as bars, and the
// figures as tables. Route #/effectiveness (hook in app.js).
'use strict';

// [key, CSS class, colour]; the label is t('eff.' + key).
const EFF_MEASURES = [['deposits', 'deposits', '#1f5fa8'], ['net_loss', 'net-loss', '#c62828'], ['play_minutes', 'play-time', '#8a99a8']];

const effPct = (v) => (v == null ? '—' : v + '%');

// Grouped horizontal bars: per group, the share that fell for each measure.
function effPlot(groups) {
  const L = 180, R = 50, row = 40;
  const H = Math.max(1, groups.length) * row + 24;
  const { svg, add, title, W } = svgPlot(t('eff.plot'), H, { margin: 64, cls: 'plot eff-plot' });
  const span = W - L - R;
  for (const p of [0, 50, 100]) {
    add('line', { x1: L + (span * p) / 100, y1: 4, x2: L + (span * p) / 100, y2: H - 18, stroke: '#dde1e6' });
    add('text', { x: L + (span * p) / 100 - 8, y: H - 4 }, p + '%');
  }
  if (!groups.length) add('text', { x: L, y: 24 }, t('eff.no_resolved'));
  groups.forEach((g, i) => {
    const y = 6 + i * row;
    add('text', { x: 4, y: y + 18 }, g.group.length > 26 ? g.group.slice(0, 25) + '…' : g.group + ' (' + g.complete_30d + ')');
    EFF_MEASURES.forEach(([key, , color], k) => {
      const v = g[key].fell_pct;
      const r = add('rect', { x: L, y: y + k * 11, width: Math.max(1, (span * (v || 0)) / 100), height: 9, fill: color, class: 'eff-bar' });
      title(r, t('eff.bar', { group: g.group, measure: t('eff.' + key), pct: effPct(v), n: g[key].with_baseline }));
      if (v != null) add('text', { x: L + (span * v) / 100 + 4, y: y + k * 11 + 8 }, v + '%');
    });
  });
  return svg;
}

function effTable(groups, caption) {
  const head = ['eff.group', 'eff.cases', 'eff.7d_done', 'eff.30d_done', 'eff.deposits_fell', 'eff.median', 'eff.net_loss_fell', 'eff.median', 'eff.play_fell', 'eff.median', 'eff.limit_exclusion', 'eff.realerted'].map((k) => t(k));
  const table = el('table', { class: 'list eff-table' }, el('caption', { text: caption }), el('thead', {}, el('tr', {}, ...head.map((h) => el('th', { text: h })))));
  const body = el('tbody');
  for (const g of groups) {
    const cells = [g.group, g.cases, g.complete_7d, g.complete_30d];
    for (const [key] of EFF_MEASURES) cells.push(t('eff.pct_of', { pct: effPct(g[key].fell_pct), n: g[key].with_baseline }), g[key].median_change_pct == null ? '—' : g[key].median_change_pct + '%');
    cells.push(effPct(g.limit_or_exclusion.pct), effPct(g.realerted_30d.pct));
    body.append(el('tr', {}, ...cells.map((c) => el('td', { text: String(c) }))));
  }
  table.append(body);
  return table;
}

async function showEffectiveness() {
  const from = el('input', { id: 'eff-from', type: 'date' });
  const to = el('input', { id: 'eff-to', type: 'date' });
  const jur = el('input', { id: 'eff-jurisdiction', type: 'search', placeholder: t('eff.all'), maxlength: '2', autocomplete: 'off', spellcheck: 'false' });
  const result = el('div', { id: 'eff-result' });
  const query = () => {
    const q = new URLSearchParams();
    if (from.value) q.set('from', from.value + 'T00:00:00Z');
    if (to.value) q.set('to', new Date(new Date(to.value + 'T00:00:00Z').getTime() + 86400000).toISOString().replace('.000Z', 'Z'));
    if (jur.value.trim()) q.set('jurisdiction', jur.value.trim().toUpperCase());
    return q;
  };
  const load = async () => {
    result.replaceChildren(el('p', { class: 'muted', text: t('eff.loading') }));
    try {
      const r = await api('/v1/reports/effectiveness?' + query());
      const total = r.total;
      result.replaceChildren(
        el('div', { class: 'eff-tiles' },
          el('div', { class: 'card eff-tile' }, el('strong', { id: 'eff-cases', text: String(total.cases) }), t('eff.tile_cases')),
          el('div', { class: 'card eff-tile' }, el('strong', { text: String(total.complete_30d) }), t('eff.tile_30d')),
          el('div', { class: 'card eff-tile' }, el('strong', { id: 'eff-deposits-fell', text: effPct(total.deposits.fell_pct) }), t('eff.tile_deposits')),
          el('div', { class: 'card eff-tile' }, el('strong', { text: effPct(total.limit_or_exclusion.pct) }), t('eff.tile_limit')),
          el('div', { class: 'card eff-tile' }, el('strong', { text: effPct(total.realerted_30d.pct) }), t('eff.tile_realerted'))),
        el('div', { class: 'legend' }, ...EFF_MEASURES.map(([key, cls]) => el('span', {}, el('span', { class: 'swatch eff-' + cls }), t('eff.legend', { measure: t('eff.' + key) })))),
        el('h2', { text: t('eff.by_outcome') }), effPlot(r.by_outcome), effTable(r.by_outcome, t('eff.by_outcome_cap')),
        el('h2', { text: t('eff.by_jurisdiction') }), effPlot(r.by_jurisdiction), effTable(r.by_jurisdiction, t('eff.by_jurisdiction_cap')),
        el('h2', { text: t('eff.by_rule') }), effTable(r.by_rule, t('eff.by_rule_cap')),
        el('p', { class: 'muted', text: t('eff.footer', { window: r.window, fell_by: r.fell_by }) }));
    } catch (e) { result.replaceChildren(el('p', { class: 'error', text: e.message })); }
  };
  const csv = el('button', { type: 'button', id: 'eff-csv', class: 'secondary', text: t('eff.csv') });
  csv.addEventListener('click', async () => {
    try {
      const q = query();
      q.set('format', 'csv');
      const blob = await api('/v1/reports/effectiveness?' + q);
      const a = el('a', { href: URL.createObjectURL(blob), download: 'rgmon-effectiveness.csv' });
      document.body.append(a);
      a.click();
      a.remove();
    } catch (e) { showError(e.message); }
  });
  const form = el('form', { id: 'eff-form', class: 'toolbar' },
    el('label', {}, t('eff.from'), from), el('label', {}, t('eff.to'), to), el('label', {}, t('eff.jurisdiction'), jur),
    el('button', { type: 'submit', text: t('eff.show') }), csv);
  form.addEventListener('submit', (ev) => { ev.preventDefault(); load(); });
  $('#effectiveness').replaceChildren(el('h1', { text: t('eff.title') }),
    el('p', { class: 'muted', text: t('eff.intro') }),
    form, result);
  show('effectiveness');
  await load();
}

// The header link, for the roles that may read the report.
function effNavUpdate() {
  const a = document.getElementById('nav-effectiveness');
  if (a) a.hidden = !(sessionStorage.getItem(TOKEN_KEY) && myRole && myRole !== 'agent');
}
document.addEventListener('DOMContentLoaded', () => {
  const who = document.getElementById('who');
  const link = el('a', { id: 'nav-effectiveness', href: '#/effectiveness', class: 'nav', text: t('nav.effectiveness'), 'data-i18n': 'nav.effectiveness' });
  link.hidden = true;
  who.parentNode.insertBefore(link, who);
  window.addEventListener('hashchange', effNavUpdate);
  // Sign-in and sign-out change #who: the link follows them.
  new MutationObserver(effNavUpdate).observe(who, { attributes: true, childList: true, characterData: true, subtree: true });
});
