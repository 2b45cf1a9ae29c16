// Talking points on the player page (staff) and the player lookup
// (agents): what to say, in the player's language, with a switch to
// another language (the agent's own). Uses app.js's api() and el(); every
// value goes in as text, never as HTML.
'use strict';

const TALK_LANGUAGES = [['', 'player\'s language'], ['en', 'English'], ['sv', 'svenska'], ['nl', 'Nederlands'],
  ['de', 'Deutsch'], ['es', 'español'], ['fr', 'français']];

function talkList(title, items, text) {
  const ul = el('ul', { class: 'reasons' });
  for (const i of items || []) ul.append(el('li', { text: text ? text(i) : i }));
  return [el('h3', { text: title }), ul];
}

// The talking points of a risk reply as a card body.
function talkBody(tp) {
  const help = tp.help ? el('p', { class: 'talk-help' }, el('strong', { text: 'Help line: ' }),
    tp.help.name + ', ' + tp.help.phone + ' ', el('a', { href: tp.help.url, rel: 'noopener noreferrer', target: '_blank', text: tp.help.url })) : null;
  return [
    el('p', { class: 'talk-opening', text: tp.opening }),
    ...talkList('What the data shows', tp.observations),
    ...talkList('Ask (open questions)', tp.questions),
    ...talkList('Offer', tp.offer, (o) => o.text),
    ...talkList('Avoid', tp.avoid),
    help,
  ];
}

// A card with the talking points of player id, and its language switch.
function talkSection(id) {
  const select = el('select', { id: 'talk-lang', 'aria-label': 'language of the talking points' });
  for (const [v, label] of TALK_LANGUAGES) select.append(el('option', { value: v, text: label }));
  const body = el('div', { id: 'talk-body' });
  const card = el('div', { class: 'card talk', id: 'talk' },
    el('div', { class: 'talk-head' }, el('h2', { text: 'Talking points' }), select), body);
  const load = async () => {
    try {
      const q = select.value ? '?lang=' + encodeURIComponent(select.value) : '';
      const risk = await api('/v1/players/' + encodeURIComponent(id) + '/risk' + q);
      if (!risk.talking_points) { body.replaceChildren(el('p', { class: 'muted', text: 'No talking points.' })); return; }
      body.setAttribute('lang', risk.talking_points.language);
      body.dataset.template = risk.talking_points.template; // which talk file: for support, not shown
      body.replaceChildren(...talkBody(risk.talking_points).filter((x) => x));
    } catch (e) { body.replaceChildren(el('p', { class: 'error', text: e.message })); }
  };
  select.addEventListener('change', load);
  load();
  return card;
}
