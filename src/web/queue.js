// The queue's sort, "assigned to me" and "raised until" (GET /v1/alerts
// sort=, assignee=me, until=), added to queueQuery in app.js.
'use strict';

function queueExtras(q) {
  const sort = $('#filter-sort').value;
  if (sort) q.set('sort', sort);
  if ($('#filter-mine').checked) q.set('assignee', 'me');
  const until = $('#filter-until').value;
  if (until) {
    // The day chosen is included: the API's until is the exclusive end.
    const next = new Date(until + 'T00:00:00Z');
    next.setUTCDate(next.getUTCDate() + 1);
    q.set('until', next.toISOString().slice(0, 10) + 'T00:00:00Z');
  }
}

// The alert page's "Assign to" form: a token name hands the alert to that
// person (acknowledged by them); an empty name puts it back in the open queue.
function assignForm(a) {
  const to = el('input', { id: 'assign-to', type: 'text', placeholder: t('assign.placeholder'), autocomplete: 'off', spellcheck: 'false' });
  to.value = a.acknowledged_by || '';
  const msg = el('p', { class: 'error', role: 'alert' });
  const form = el('form', { id: 'assign-form' },
    el('h2', { text: t('assign.title') }),
    el('label', {}, t('assign.person') + ' ', to),
    el('button', { type: 'submit', class: 'secondary', text: t('assign.button') }), msg);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const name = to.value.trim();
    try {
      await api('/v1/alerts/' + a.alert_id + '/assign', { method: 'POST', body: JSON.stringify({ to: name || null }) });
      await showAlert(a.alert_id);
    } catch (e) { msg.textContent = e.message; }
  });
  return form;
}

document.addEventListener('DOMContentLoaded', () => {
  for (const id of ['#filter-sort', '#filter-mine', '#filter-until'])
    $(id).addEventListener('change', () => loadQueue(false).catch((e) => showError(e.message)));
});
