// The web UI in the staff's language, in Debian's chromium: a browser set
// to Swedish gets the UI in Swedish (queue heading, filters, buttons,
// level, status and due texts, the header); the header's selector turns
// it Dutch, which a reload keeps, and back to English; the player page's
// talking points switch from the player's language to the agent's (the
// UI's). A browser in English gets English. Screenshots i18n-{sv,nl}.png.
// usage: node test_i18n.mjs URL COMPLIANCE_TOKEN OUTDIR
import { ok, exitCode, launchChromium, watchErrors, signIn } from './lib.mjs';

const [url, token, outDir] = process.argv.slice(2);
const browser = await launchChromium();
const pageErrors = [];
async function open(locale) {
  const ctx = await browser.newContext({ locale, viewport: { width: 1280, height: 900 } });
  const page = await ctx.newPage();
  watchErrors(page, pageErrors);
  await page.goto(url + '/');
  return page;
}
async function signInToDashboard(page) {
  await signIn(page, token);
  await page.waitForSelector('#dashboard h1');
}
const text = async (page, sel) => ((await page.textContent(sel)) || '').trim();
const texts = (page, sel) => page.$$eval(sel, (es) => es.map((e) => e.textContent.trim()));
const queueRows = (page) => page.waitForSelector('#queue-table tbody tr');

try {
  // ---- a Swedish browser ----
  const page = await open('sv-SE');
  ok('sv: <html lang> is sv', (await page.getAttribute('html', 'lang')) === 'sv', await page.getAttribute('html', 'lang'));
  ok('sv: the sign-in page is Swedish', (await text(page, '#signin h1')) === 'Logga in', await text(page, '#signin h1'));
  ok('sv: the selector shows Svenska', (await page.$eval('#ui-lang', (s) => s.value)) === 'sv');
  await signInToDashboard(page);
  ok('sv: the dashboard heading', (await text(page, '#dashboard h1')) === 'Översikt', await text(page, '#dashboard h1'));
  await page.goto(url + '/#/queue');
  await queueRows(page);
  ok('sv: the queue heading is Larmkö', (await text(page, '#queue h1')) === 'Larmkö', await text(page, '#queue h1'));
  ok('sv: the CSV button', (await text(page, '#queue-csv')) === 'Ladda ner CSV', await text(page, '#queue-csv'));
  ok('sv: sign out', (await text(page, '#signout')) === 'Logga ut', await text(page, '#signout'));
  ok('sv: the table headers', (await texts(page, '#queue-table thead th')).join('|') === 'Nivå|Spelare|Varför|Förslag|Senast|Status',
    (await texts(page, '#queue-table thead th')).join('|'));
  ok('sv: the status filter', (await page.$eval('#filter-status option[value=unresolved]', (o) => o.textContent)) === 'inte avslutade');
  ok('sv: the nav', (await texts(page, '#nav a')).join('|') === 'Översikt|Larmkö|Väntar på granskning', (await texts(page, '#nav a')).join('|'));
  const levels = await texts(page, '#queue-table tbody .chip');
  ok('sv: the levels', levels.length > 0 && levels.every((l) => ['röd', 'gul', 'grön', 'avstängd'].includes(l)), levels.join(' '));
  const statuses = await texts(page, '#queue-table tbody td.status');
  ok('sv: the statuses', statuses.every((s) => /^(öppet|kvitterat|väntar på granskning|avslutat)/.test(s)), statuses.join(' | '));
  const dues = await texts(page, '#queue-table tbody td.due');
  ok('sv: the due texts', dues.every((d) => /^(om|försenat) \d+ (min|h|dag|dagar)$/.test(d)), dues.join(' | '));
  ok('sv: the summary', /^\d+\+? larm/.test(await text(page, '#queue-summary')), await text(page, '#queue-summary'));
  await page.screenshot({ path: `${outDir}/i18n-sv.png`, fullPage: true });

  // An alert: Swedish labels, the resolve form, dates in Swedish.
  await page.click('#queue-table tbody tr a.open');
  await page.waitForSelector('#alert dl.facts');
  ok('sv: the alert facts', (await texts(page, '#alert dl.facts dt')).slice(0, 3).join('|') === 'Spelare|Status|Larmat', (await texts(page, '#alert dl.facts dt')).join('|'));
  ok('sv: the resolve button', (await text(page, '#resolve-form button[type=submit]')) === 'Avsluta larmet', await text(page, '#resolve-form button[type=submit]'));
  ok('sv: the outcomes', (await page.$eval('#outcome option[value=false_positive]', (o) => o.textContent)) === 'Falskt larm');
  ok('sv: a month in Swedish', /(jan|feb|mars|apr|maj|juni|juli|aug|sep|okt|nov|dec)\.?/.test(await text(page, '#alert dl.facts dd:nth-of-type(3)')),
    await text(page, '#alert dl.facts dd:nth-of-type(3)'));

  // The talking points: the player's language first, then the agent's.
  await page.goto(url + '/#/players/nl-chaser');
  await page.waitForSelector('#talk-body li');
  ok('sv: talking points in the player\'s language (nl)', (await page.getAttribute('#talk-body', 'lang')) === 'nl');
  ok('sv: the switch offers the agent\'s language', (await page.$eval('#talk-lang option[value=ui]', (o) => o.textContent)) === 'mitt språk (Svenska)');
  ok('sv: the talk headings are Swedish', (await texts(page, '#talk-body h3'))[0] === 'Vad uppgifterna visar', (await texts(page, '#talk-body h3')).join('|'));
  await page.selectOption('#talk-lang', 'ui');
  await page.waitForSelector('#talk-body[lang=sv]');
  ok('sv: the switch gives Swedish talking points', (await text(page, '#talk-body .talk-opening')).startsWith('Tack för att du pratar med mig'), await text(page, '#talk-body .talk-opening'));

  // ---- switched to Dutch in the selector: the page shown is redrawn ----
  await page.selectOption('#ui-lang', 'nl');
  await page.waitForFunction(() => document.querySelector('#talk-lang option[value=ui]') && document.querySelector('#talk-lang option[value=ui]').textContent === 'mijn taal (Nederlands)');
  ok('nl: <html lang> is nl', (await page.getAttribute('html', 'lang')) === 'nl');
  ok('nl: the player page is redrawn in Dutch', (await text(page, '#player h2')).startsWith('Laatste 30 dagen'), await text(page, '#player h2'));
  await page.selectOption('#talk-lang', 'ui');
  await page.waitForSelector('#talk-body[lang=nl]');
  ok('nl: the agent\'s language is now Dutch', (await text(page, '#talk-body .talk-opening')).startsWith('Fijn dat je met me praat'));
  await page.goto(url + '/#/queue');
  await queueRows(page);
  ok('nl: the queue heading is Meldingen', (await text(page, '#queue h1')) === 'Meldingen', await text(page, '#queue h1'));
  ok('nl: the CSV button', (await text(page, '#queue-csv')) === 'CSV downloaden', await text(page, '#queue-csv'));
  ok('nl: the load-more button', (await text(page, '#queue-more')) === 'Meer laden');
  ok('nl: the table headers', (await texts(page, '#queue-table thead th')).join('|') === 'Niveau|Speler|Waarom|Voorstel|Uiterlijk|Status');
  const nlLevels = await texts(page, '#queue-table tbody .chip');
  ok('nl: the levels', nlLevels.every((l) => ['rood', 'oranje', 'groen', 'uitgesloten'].includes(l)), nlLevels.join(' '));
  const nlDues = await texts(page, '#queue-table tbody td.due');
  ok('nl: the due texts', nlDues.every((d) => /^(over \d+ (min|u|dag|dagen)|\d+ (min|u|dag|dagen) te laat)$/.test(d)), nlDues.join(' | '));
  ok('nl: the effectiveness link', (await text(page, '#nav-effectiveness')) === 'Effectiviteit', await text(page, '#nav-effectiveness'));
  await page.screenshot({ path: `${outDir}/i18n-nl.png`, fullPage: true });
  await page.reload();
  await queueRows(page);
  ok('nl: a reload keeps the choice', (await text(page, '#queue h1')) === 'Meldingen' && (await page.$eval('#ui-lang', (s) => s.value)) === 'nl');

  // ---- and back to English ----
  await page.selectOption('#ui-lang', 'en');
  await page.waitForFunction(() => document.querySelector('#queue h1').textContent === 'Alert queue');
  ok('en: the queue heading', (await text(page, '#queue h1')) === 'Alert queue');
  ok('en: the CSV button', (await text(page, '#queue-csv')) === 'Download CSV');
  ok('en: <html lang> is en', (await page.getAttribute('html', 'lang')) === 'en');
  await page.waitForFunction(() => [...document.querySelectorAll('#queue-table tbody .chip')].every((c) => ['red', 'amber', 'green', 'excluded'].includes(c.textContent)));
  ok('en: the levels are English again', true);

  // ---- an English browser gets English without choosing ----
  const en = await open('en-GB');
  ok('en-GB: the sign-in page is English', (await text(en, '#signin h1')) === 'Sign in');
  ok('en-GB: <html lang> is en', (await en.getAttribute('html', 'lang')) === 'en');
  const nl = await open('nl-BE');
  ok('nl-BE: a Flemish browser gets Dutch', (await text(nl, '#signin h1')) === 'Aanmelden');
  ok('no errors in the pages', pageErrors.length === 0, pageErrors.join('; '));
} catch (e) {
  ok('the browser test ran to its end', false, e.stack);
}
await browser.close();
process.exit(exitCode());
