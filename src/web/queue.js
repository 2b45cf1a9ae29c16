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

document.addEventListener('DOMContentLoaded', () => {
  for (const id of ['#filter-sort', '#filter-mine', '#filter-until'])
    $(id).addEventListener('change', () => loadQueue(false).catch((e) => showError(e.message)));
});
