// The agent card and the talking points in Debian's chromium: the card of
// a Swedish loss chaser in every language (badge, reasons, talking points,
// help line, whether marketing is stopped; nothing loaded from anywhere;
// a screenshot per language), the talking points on the player page with
// the language switch, an agent's lookup, and an alert's thread that shows
// a hostile summary as text and takes a new note.
// usage: node test_talk.mjs URL AGENT_TOKEN COMPLIANCE_TOKEN ALERT_ID OUTDIR
import { ok, exitCode, launchChromium, watchErrors, signIn } from './lib.mjs';

const [url, agentToken, staffToken, alertId, outDir] = process.argv.slice(2);
const HOSTILE = process.env.HOSTILE || '';
const browser = await launchChromium();
const pageErrors = [];
const watch = (page) => {
  watchErrors(page, pageErrors);
  page.on('dialog', (d) => { pageErrors.push('a dialog opened: ' + d.message()); d.dismiss(); });
};

const HELP = { en: 'Help line', sv: 'Hjälp', nl: 'Hulplijn', de: 'Hilfetelefon', es: 'Línea de ayuda', fr: "Ligne d'aide" };
const OPENING = { en: 'Thanks for talking to me', sv: 'Tack för att du pratar med mig', nl: 'Fijn dat je met me praat',
  de: 'Danke, dass du mit mir sprichst', es: 'Gracias por hablar conmigo', fr: "Merci de prendre le temps d'échanger avec moi" };

try {
  // ---- the card, as a support tool fetches it with its agent token ----
  const cardCtx = await browser.newContext({ viewport: { width: 640, height: 900 }, extraHTTPHeaders: { Authorization: 'Bearer ' + agentToken } });
  const card = await cardCtx.newPage();
  watch(card);
  const requests = [];
  card.on('request', (r) => requests.push(r.url()));
  for (const lang of Object.keys(HELP)) {
    requests.length = 0;
    const res = await card.goto(`${url}/v1/players/se-chaser/card?lang=${lang}`);
    ok(`card ${lang}: 200`, res.status() === 200, res.status());
    ok(`card ${lang}: in ${lang}`, (await card.getAttribute('html', 'lang')) === lang);
    ok(`card ${lang}: the opening`, (await card.textContent('.rg-opening')).startsWith(OPENING[lang]), await card.textContent('.rg-opening'));
    ok(`card ${lang}: the help line is Stödlinjen`, (await card.textContent('.rg-help')).includes(HELP[lang] + ' Stödlinjen: 020-81 91 00'));
    ok(`card ${lang}: top reasons`, (await card.$$('.rg-reasons li')).length === 3);
    ok(`card ${lang}: what to offer`, (await card.$$('.rg-offer li')).length >= 3);
    const bg = await card.$eval('.rg-badge', (b) => getComputedStyle(b).backgroundColor);
    ok(`card ${lang}: its inline style applies (red badge)`, bg === 'rgb(198, 40, 40)', bg);
    ok(`card ${lang}: marketing stopped`, !(await card.getAttribute('.rg-flag', 'class')).includes('rg-off'));
    ok(`card ${lang}: nothing else is requested`, requests.length === 1, requests.join(' '));
    await card.screenshot({ path: `${outDir}/talk-card-${lang}.png`, fullPage: true });
  }
  await cardCtx.close();

  // ---- the staff UI: talking points on the player page ----
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
  const page = await ctx.newPage();
  watch(page);
  await page.goto(url + '/#/queue'); // compliance staff land on the dashboard
  await signIn(page, staffToken);
  await page.waitForSelector('#queue-table tbody tr');
  await page.goto(url + '/#/players/se-chaser');
  await page.waitForSelector('#talk-body li');
  ok('player page: talking points in Swedish', (await page.getAttribute('#talk-body', 'lang')) === 'sv');
  ok('player page: with the reason numbers', (await page.textContent('#talk-body')).includes('15 000 kr'));
  await page.screenshot({ path: `${outDir}/talk-player-sv.png`, fullPage: true });
  await page.selectOption('#talk-lang', 'en');
  await page.waitForSelector('#talk-body[lang=en]');
  ok('player page: the switch gives English', (await page.textContent('#talk-body')).includes('SEK 15,000'));

  // ---- the alert's thread ----
  await page.goto(url + '/#/alerts/' + alertId);
  await page.waitForSelector('#thread li.note');
  const texts = await page.$$eval('#thread .note-text', (ns) => ns.map((n) => n.textContent));
  ok('the thread shows the hostile summary as text', texts.includes(HOSTILE), JSON.stringify(texts));
  ok('nothing of it became markup', (await page.$$('#thread script, #thread img')).length === 0);
  await page.selectOption('#note-channel', 'phone');
  await page.fill('#note-text', 'Called back; the player set a weekly deposit limit.');
  await page.click('#note-form button[type=submit]');
  await page.waitForFunction(() => [...document.querySelectorAll('#thread .note-text')].some((n) => n.textContent.startsWith('Called back')));
  ok('a note added in the form joins the thread', true);
  await page.screenshot({ path: `${outDir}/talk-alert-thread.png`, fullPage: true });
  await ctx.close();

  // ---- an agent's lookup ----
  const actx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const apage = await actx.newPage();
  watch(apage);
  await apage.goto(url + '/');
  await signIn(apage, agentToken);
  await apage.waitForSelector('#lookup-form');
  await apage.goto(url + '/#/lookup/nl-chaser');
  await apage.waitForSelector('#talk-body li');
  ok('agent lookup: talking points in Dutch', (await apage.getAttribute('#talk-body', 'lang')) === 'nl');
  ok('agent lookup: Loket Kansspel', (await apage.textContent('#talk-body')).includes('Loket Kansspel'));
  ok('agent lookup: no money for an agent', !(await apage.textContent('#talk-body')).includes('€'));
  await apage.screenshot({ path: `${outDir}/talk-lookup-nl.png`, fullPage: true });
  await actx.close();
} catch (e) {
  ok('the browser run finished', false, e.message);
}
ok('no page errors', pageErrors.length === 0, pageErrors.join(' | '));
await browser.close();
process.exit(exitCode());
