// rgmon web UI, the workbench additions (issue 19): an alert's evidence
// grouped by reason and in time order, the time zone every time is shown
// in, and the note for a currency no pack prices. Loaded after app.js,
// whose helpers (el, fmtTime, eventSummary, ruleLink) it uses; app.js
// calls these from showAlert and showPlayer.
'use strict';

// The zone the browser shows times in, e.g. "Europe/Stockholm".
function browserZone() {
  try { return Intl.DateTimeFormat().resolvedOptions().timeZone || t('wb.local'); } catch (e) { return t('wb.local'); }
}

function evidenceTable(events) {
  const table = el('table', { class: 'list evidence' }, el('thead', {}, el('tr', {}, el('th', { text: t('wb.time') }), el('th', { text: t('wb.event') }), el('th', { text: 'event_id' }))));
  const body = el('tbody');
  for (const e of events) {
    body.append(el('tr', { 'data-event': e.event_id }, el('td', { text: e.event ? fmtTime(e.event.ts) : '—' }), el('td', { text: eventSummary(e.event) }), el('td', {}, el('code', { text: e.event_id }))));
  }
  table.append(body);
  return table;
}

// Per reason the events behind its count, in time order (the API sorts
// them); then the events cited by no reason in particular (the events that
// raised or escalated the alert, and alerts raised before evidence was
// kept per reason).
function evidenceView(a) {
  const box = el('div', { id: 'evidence' }, el('p', { class: 'muted zone-note', text: t('wb.zone_note', { zone: browserZone() }) }));
  const byId = Object.fromEntries(a.evidence_events.map((e) => [e.event_id, e]));
  const cited = new Set();
  for (const r of a.evidence_by_reason || []) {
    if (!r.event_ids.length) continue;
    const events = r.event_ids.map((id) => byId[id]).filter(Boolean);
    for (const e of events) cited.add(e.event_id);
    box.append(el('div', { class: 'evidence-group', 'data-rule': r.rule },
      el('h3', {}, r.detail + ' ', ruleLink(r.rule), el('span', { class: 'muted', text: r.complete
        ? t(events.length === 1 ? 'wb.counted_one' : 'wb.counted', { n: events.length })
        : t(events.length === 1 ? 'wb.held_one' : 'wb.held', { n: events.length }) })),
      evidenceTable(events)));
  }
  const rest = a.evidence_events.filter((e) => !cited.has(e.event_id));
  if (rest.length) {
    box.append(el('div', { class: 'evidence-group', 'data-rule': '' },
      el('h3', { text: cited.size ? t('wb.also') : t('wb.events') }),
      evidenceTable(rest)));
  }
  if (!a.evidence_events.length) box.append(el('p', { class: 'muted', text: t('wb.none') }));
  return box;
}

// The player page shows times in the pack's zone, like its daily plot.
function playerZoneNote(p) {
  return el('p', { class: 'muted zone-note', id: 'player-zone', text: t('wb.player_zone', { zone: p.time_zone }) });
}

// A currency the player's pack has no amounts for: no money rule applies.
function currencyNote(p) {
  if (p.currency_priced !== false) return null;
  return el('p', { class: 'error', id: 'currency-note', role: 'note', text: t('wb.currency', { currency: p.currency }) });
}

// For an agent: a link to the player's badge that a chat or CRM tool can
// show in an <img> without a token, valid for an hour.
function badgeLinkControl(playerId) {
  const out = el('input', { id: 'badge-link', type: 'text', readonly: '', hidden: '', 'aria-label': t('wb.badge_aria') });
  const note = el('span', { class: 'muted', id: 'badge-link-note' });
  const button = el('button', { type: 'button', class: 'secondary', id: 'badge-link-make', text: t('wb.badge_button') });
  button.addEventListener('click', async () => {
    try {
      const link = await api('/v1/players/' + encodeURIComponent(playerId) + '/badge-link', { method: 'POST', body: '{}' });
      out.value = location.origin + link.url;
      out.hidden = false;
      out.select();
      note.textContent = t('wb.badge_valid', { time: fmtTime(link.expires_at) });
    } catch (e) { note.textContent = ' ' + e.message; }
  });
  return el('div', { class: 'badge-link' }, button, note, out);
}
