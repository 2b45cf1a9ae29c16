// The thread of an alert -- interactions with the player and case notes --
// and a form to add a note (compliance). Uses app.js's api(), el(),
// fmtTime() and showAlert(); every value goes in as text, never as HTML.
'use strict';

const NOTE_CHANNELS = ['internal', 'phone', 'chat', 'email'];
const noteChannelLabel = (c) => (NOTE_CHANNELS.includes(c) ? t('notes.channel.' + c) : c);

function noteItem(n) {
  const head = t('notes.head', { time: fmtTime(n.at), kind: t(n.kind === 'interaction' ? 'notes.talked' : 'notes.note'),
    actor: n.actor, role: n.role, channel: noteChannelLabel(n.channel) }) + (n.topic ? t('notes.about', { topic: n.topic }) : '');
  const li = el('li', { class: 'note', 'data-note': n.id }, el('div', { class: 'muted', text: head }), el('div', { class: 'note-text', text: n.text }));
  if (n.kind === 'interaction' && (n.offered.length || n.accepted.length))
    li.append(el('div', { class: 'muted', text: t('notes.offered', { offered: n.offered.join(', ') || '—', accepted: n.accepted.join(', ') || '—' }) }));
  return li;
}

// The thread and, while the alert is not resolved, the note form.
function notesSection(a) {
  const list = el('ul', { class: 'reasons notes', id: 'notes' });
  for (const n of a.notes || []) list.append(noteItem(n));
  if (!(a.notes || []).length) list.append(el('li', { class: 'muted', text: t('notes.none') }));
  const channel = el('select', { id: 'note-channel', name: 'channel' });
  for (const c of NOTE_CHANNELS) channel.append(el('option', { value: c, text: noteChannelLabel(c) }));
  const text = el('textarea', { id: 'note-text', name: 'text', required: '', maxlength: '2000', placeholder: t('notes.placeholder') });
  const msg = el('p', { class: 'error', role: 'alert' });
  const form = el('form', { id: 'note-form' }, el('label', {}, t('notes.channel'), channel), el('label', {}, t('notes.text'), text),
    el('button', { type: 'submit', class: 'secondary', text: t('notes.add') }), msg);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      await api('/v1/alerts/' + a.alert_id + '/notes', { method: 'POST', body: JSON.stringify({ channel: channel.value, text: text.value }) });
      await showAlert(a.alert_id);
    } catch (e) { msg.textContent = e.message; }
  });
  return el('div', { class: 'card', id: 'thread' }, el('h2', { text: t('notes.thread') }), list, form);
}
