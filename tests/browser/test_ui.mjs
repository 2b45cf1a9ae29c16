// Drives Debian's chromium through the web UI as a compliance officer would:
// sign in, open the top alert, resolve it, see it leave the open queue,
// open the player page. Prints TAP-style "ok"/"not ok" lines and saves
// screenshots.  usage: node test_ui.mjs URL TOKEN OUTDIR
import { chromium } from 'playwright-core';

const [url, token, outDir] = process.argv.slice(2);
let failed = 0;
const ok = (name, cond, info = '') => {
  console.log(`${cond ? 'ok' : 'not ok'} - ${name}${cond || !info ? '' : ' (' + info + ')'}`);
  if (!cond) failed++;
};

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-dev-shm-usage'],
});
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
const pageErrors = [];
page.on('pageerror', (e) => pageErrors.push(e.message));
// The wrong-token sign-in below is meant to get a 401; nothing else may fail.
page.on('console', (m) => { if (m.type() === 'error' && !m.text().includes('status of 401')) pageErrors.push(m.text()); });

try {
  await page.goto(url + '/');
  ok('sign-in form is shown first', await page.isVisible('#signin-form'));

  await page.fill('#token', 'rgm_wrong');
  await page.click('#signin-form button[type=submit]');
  await page.waitForSelector('#signin-error:not(:empty)');
  ok('a wrong token is refused', (await page.textContent('#signin-error')).includes('not valid'));

  await page.fill('#token', token);
  await page.click('#signin-form button[type=submit]');
  await page.waitForSelector('#queue-table tbody tr');
  ok('signed in as the token name', (await page.textContent('#who')).includes('(compliance)'));

  const rows = await page.$$eval('#queue-table tbody tr', (trs) => trs.map((tr) => ({
    id: tr.dataset.alert, level: tr.querySelector('.chip').textContent, overdue: tr.classList.contains('overdue'),
  })));
  ok('the queue lists alerts', rows.length > 0, rows.length);
  const firstAmber = rows.findIndex((r) => r.level === 'amber');
  ok('red alerts come before amber', firstAmber === -1 || rows.slice(firstAmber).every((r) => r.level === 'amber'));
  ok('overdue alerts are highlighted', rows.some((r) => r.overdue));
  const overdueColour = await page.$eval('#queue-table tbody tr.overdue td', (td) => getComputedStyle(td).backgroundColor);
  ok('overdue rows have their own colour', overdueColour !== 'rgba(0, 0, 0, 0)', overdueColour);
  await page.screenshot({ path: `${outDir}/ui-queue.png`, fullPage: false });

  const top = rows[0].id;
  await page.click(`#queue-table tbody tr[data-alert="${top}"]`);
  await page.waitForSelector('#resolve-form');
  ok('alert detail opens', page.url().endsWith('#/alerts/' + top));
  const detail = await page.textContent('#alert');
  ok('detail shows the reasons', /Why/.test(detail) && (await page.$$('#alert ul.reasons li')).length > 0);
  ok('detail shows the evidence events', (await page.$$('#alert table.list tbody tr')).length > 0);
  ok('detail shows the suggested action', /Suggest limits|Advise a pause|Offer self-exclusion/.test(detail));

  // Resolving without a note is stopped by the form itself.
  await page.selectOption('#outcome', 'pause_applied');
  await page.click('#resolve-form button[type=submit]');
  ok('a note is required', await page.isVisible('#resolve-form'));

  await page.fill('#note', 'Called the player; agreed a 7-day pause.');
  await page.screenshot({ path: `${outDir}/ui-alert.png`, fullPage: true });
  await page.click('#resolve-form button[type=submit]');
  await page.waitForFunction(() => document.querySelector('#alert-status')?.textContent.startsWith('resolved'));
  ok('the alert shows as resolved', (await page.textContent('#alert-status')).includes('pause_applied'));
  ok('the history names the actor', (await page.textContent('#alert')).includes('resolve by'));

  await page.click('text=← queue');
  await page.waitForSelector('#queue-table tbody tr');
  const after = await page.$$eval('#queue-table tbody tr', (trs) => trs.map((tr) => tr.dataset.alert));
  ok('the resolved alert left the open queue', !after.includes(top));

  await page.selectOption('#filter-status', 'resolved');
  await page.waitForFunction((id) => [...document.querySelectorAll('#queue-table tbody tr')].some((tr) => tr.dataset.alert === id), top);
  ok('it is in the resolved list', true);
  await page.selectOption('#filter-status', 'unresolved');

  // The player page: timeline plot and badge.
  await page.waitForSelector('#queue-table tbody tr a');
  await page.click('#queue-table tbody tr a');
  await page.waitForSelector('#player svg.plot');
  ok('player page draws the timeline', (await page.$$('#player svg.plot rect')).length > 2);
  await page.waitForFunction(() => document.querySelector('#player .badge img')?.naturalWidth > 0);
  ok('player page shows the badge', true);
  await page.screenshot({ path: `${outDir}/ui-player.png`, fullPage: true });

  ok('no script errors in the page', pageErrors.length === 0, pageErrors.join('; '));
} catch (e) {
  ok('browser run completed', false, e.message.split('\n')[0]);
  await page.screenshot({ path: `${outDir}/ui-failure.png`, fullPage: true }).catch(() => {});
} finally {
  await browser.close();
}
console.log(`# screenshots in ${outDir}: ui-queue.png ui-alert.png ui-player.png`);
process.exit(failed ? 1 : 0);
