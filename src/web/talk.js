// Talking points on the player page (staff) and the player lookup
// (agents): what to say, in the player's language, with a switch to
// another language: first the agent's own -- the UI language picked in the
// header (i18n.js) --, then any the talk packs have. Uses app.js's api()
// and el(); every value goes in as text, never as HTML. The headings are
// in the UI's language, the talking points in theirs (lang attributes).
'use strict';

// 'ui' is the agent's language, whichever the UI speaks at the time.
const TALK_LANGUAGES = [['en', 'English'], ['sv', 'svenska'], ['nl', 'Nederlands'],
  ['de', 'Deutsch'], ['es', 'español'], ['fr', 'français']];

function talkLanguageOptions() {
  return [['', t('talk.player_lang')], ['ui', t('talk.agent_lang', { lang: uiLangName(uiLang()) })], ...TALK_LANGUAGES];
}

function talkList(title, items, text) {
  const ul = el('ul', { class: 'reasons' });
  for (const i of items || []) ul.append(el('li', { text: text ? text(i) : i }));
  return [el('h3', { text: title, lang: uiLang() }), ul];
}

// The talking points of a risk reply as a card body.
function talkBody(tp) {
  const help = tp.help ? el('p', { class: 'talk-help' }, el('strong', { text: t('talk.help'), lang: uiLang() }),
    tp.help.name + ', ' + tp.help.phone + ' ', el('a', { href: tp.help.url, rel: 'noopener noreferrer', target: '_blank', text: tp.help.url })) : null;
  return [
    el('p', { class: 'talk-opening', text: tp.opening }),
    ...talkList(t('talk.what_shows'), tp.observations),
    ...talkList(t('talk.ask'), tp.questions),
    ...talkList(t('talk.offer'), tp.offer, (o) => o.text),
    ...talkList(t('talk.avoid'), tp.avoid),
    help,
  ];
}

// A card with the talking points of player id, and its language switch.
function talkSection(id) {
  const select = el('select', { id: 'talk-lang', 'aria-label': t('talk.aria') });
  for (const [v, label] of talkLanguageOptions()) select.append(el('option', { value: v, text: label }));
  const body = el('div', { id: 'talk-body' });
  const card = el('div', { class: 'card talk', id: 'talk' },
    el('div', { class: 'talk-head' }, el('h2', { text: t('talk.title') }), select), body);
  const load = async () => {
    try {
      const lang = select.value === 'ui' ? uiLang() : select.value;
      const q = lang ? '?lang=' + encodeURIComponent(lang) : '';
      const risk = await api('/v1/players/' + encodeURIComponent(id) + '/risk' + q);
      if (!risk.talking_points) { body.replaceChildren(el('p', { class: 'muted', text: t('talk.none') })); return; }
      body.setAttribute('lang', risk.talking_points.language);
      body.dataset.template = risk.talking_points.template; // which talk file: for support, not shown
      body.replaceChildren(...talkBody(risk.talking_points).filter((x) => x));
    } catch (e) { body.replaceChildren(el('p', { class: 'error', text: e.message })); }
  };
  select.addEventListener('change', load);
  load();
  return card;
}
