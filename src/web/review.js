// rgmon web UI: four eyes on risky closures. A resolution the pack holds
// for review waits in pending_review; another compliance or admin person
// approves it or sends it back with a note (POST /v1/alerts/{id}/review).
// Hooks in app.js: the #/queue/pending_review route, reviewStatusText in
// the alert facts and the queue, reviewPanel on the alert page.
'use strict';

// The status as staff read it: who proposed what, and who reviewed it.
function reviewStatusText(a) {
  if (a.status === 'pending_review') {
    return t('review.pending', { outcome: outcomeLabel(a.proposed_outcome), name: a.proposed_by });
  }
  if (a.status === 'resolved' && a.reviewed_by) {
    return t('review.approved', { outcome: outcomeLabel(a.outcome), actor: a.actor, reviewer: a.reviewed_by });
  }
  if (a.reviewed_by && a.review_note) return t('review.sent_back', { status: statusLabel(a.status), reviewer: a.reviewed_by, note: a.review_note });
  return null;
}

// The review card of an alert in pending_review: the proposal, and for
// anyone but its proposer the approve / send back buttons.
function reviewPanel(a) {
  const card = el('div', { class: 'card review', id: 'review-card' },
    el('h2', { text: t('review.waiting') }),
    el('p', {}, t('review.proposed_by', { outcome: outcomeLabel(a.proposed_outcome) }), el('strong', { text: a.proposed_by })),
    a.note ? el('p', { class: 'muted', text: '“' + a.note + '”' }) : null);
  if (a.proposed_by === myName) {
    card.append(el('p', { class: 'muted', id: 'review-own', text: t('review.own') }));
    return card;
  }
  const note = el('textarea', { id: 'review-note', maxlength: '2000', placeholder: t('review.note_ph') });
  const msg = el('p', { class: 'error', role: 'alert' });
  const decide = async (decision) => {
    msg.textContent = '';
    try {
      await api('/v1/alerts/' + a.alert_id + '/review', { method: 'POST', body: JSON.stringify({ decision, note: note.value }) });
      await showAlert(a.alert_id);
    } catch (e) { msg.textContent = e.message; }
  };
  card.append(el('label', {}, t('review.note'), note),
    el('div', { class: 'review-buttons' },
      el('button', { type: 'button', id: 'review-approve', text: t('review.approve'), onclick: () => decide('approve') }),
      el('button', { type: 'button', id: 'review-reject', class: 'secondary', text: t('review.reject'), onclick: () => decide('reject') })),
    msg);
  return card;
}

// #/queue/pending_review: the queue of resolutions waiting for review.
function showReviewQueue() {
  $('#filter-status').value = 'pending_review';
  return showQueue();
}
