// rgmon web UI: four eyes on risky closures. A resolution the pack holds
// for review waits in pending_review; another compliance or admin person
// approves it or sends it back with a note (POST /v1/alerts/{id}/review).
// Hooks in app.js: the #/queue/pending_review route, reviewStatusText in
// the alert facts and the queue, reviewPanel on the alert page.
'use strict';

// The status as staff read it: who proposed what, and who reviewed it.
function reviewStatusText(a) {
  if (a.status === 'pending_review') {
    return 'pending review: ' + outcomeLabel(a.proposed_outcome) + ' proposed by ' + a.proposed_by;
  }
  if (a.status === 'resolved' && a.reviewed_by) {
    return 'resolved (' + outcomeLabel(a.outcome) + ' by ' + a.actor + ', approved by ' + a.reviewed_by + ')';
  }
  if (a.reviewed_by && a.review_note) return a.status + ' (sent back by ' + a.reviewed_by + ': “' + a.review_note + '”)';
  return null;
}

// The review card of an alert in pending_review: the proposal, and for
// anyone but its proposer the approve / send back buttons.
function reviewPanel(a) {
  const card = el('div', { class: 'card review', id: 'review-card' },
    el('h2', { text: 'Waiting for a second person' }),
    el('p', {}, outcomeLabel(a.proposed_outcome) + ', proposed by ', el('strong', { text: a.proposed_by })),
    a.note ? el('p', { class: 'muted', text: '“' + a.note + '”' }) : null);
  if (a.proposed_by === myName) {
    card.append(el('p', { class: 'muted', id: 'review-own', text: 'You proposed this resolution; another person must review it.' }));
    return card;
  }
  const note = el('textarea', { id: 'review-note', maxlength: '2000', placeholder: 'Why (required to send it back)' });
  const msg = el('p', { class: 'error', role: 'alert' });
  const decide = async (decision) => {
    msg.textContent = '';
    try {
      await api('/v1/alerts/' + a.alert_id + '/review', { method: 'POST', body: JSON.stringify({ decision, note: note.value }) });
      await showAlert(a.alert_id);
    } catch (e) { msg.textContent = e.message; }
  };
  card.append(el('label', {}, 'Note', note),
    el('div', { class: 'review-buttons' },
      el('button', { type: 'button', id: 'review-approve', text: 'Approve', onclick: () => decide('approve') }),
      el('button', { type: 'button', id: 'review-reject', class: 'secondary', text: 'Send back', onclick: () => decide('reject') })),
    msg);
  return card;
}

// #/queue/pending_review: the queue of resolutions waiting for review.
function showReviewQueue() {
  $('#filter-status').value = 'pending_review';
  return showQueue();
}
