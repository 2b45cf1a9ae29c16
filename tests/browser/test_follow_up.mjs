// The follow-up and effectiveness pages in Debian's chromium (issue 16):
// a resolved alert's before/after bars, the same on the player page, the
// effectiveness report with its plots for compliance and for a regulator.
// Prints TAP-style lines and saves screenshots.
// usage: node test_follow_up.mjs URL COMPLIANCE_TOKEN REGULATOR_TOKEN ALERT_ID PLAYER_ID OUTDIR
import { ok, exitCode, launchChromium, watchErrors, signIn } from './lib.mjs';

const [url, token, regulator, alertId, playerId, outDir] = process.argv.slice(2);
const browser = await launchChromium();
const pageErrors = [];
async function signedIn(tok) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  watchErrors(page, pageErrors);
  await page.goto(url + '/');
  await signIn(page, tok);
  await page.waitForSelector('#who:not([hidden])');
  return page;
}

try {
  const page = await signedIn(token);
  await page.goto(url + '/#/alerts/' + alertId);
  await page.waitForSelector('#follow-up');
  const windows = await page.$$eval('#follow-up h3', (hs) => hs.map((h) => h.textContent));
  ok('the alert page shows both windows, complete', windows.length === 2 && windows.every((w) => w.includes('complete')), windows.join(' | '));
  const bars = await page.$$eval('#follow-up .fu-after', (rs) => rs.length);
  ok('after bars for each measure of both windows', bars === 14, bars);
  const fell = await page.$$eval('#follow-up .fu-after', (rs) => rs.filter((r) => r.getAttribute('fill') === '#2e7d32').length);
  ok('falls are drawn green', fell > 0, fell);
  await page.$eval('#follow-up', (e) => e.scrollIntoView());
  await page.screenshot({ path: `${outDir}/follow-up-alert.png`, fullPage: true });

  await page.goto(url + '/#/players/' + encodeURIComponent(playerId));
  await page.waitForSelector('#player-follow-up #follow-up');
  ok('the player page shows the latest resolved alert\'s follow-up', await page.isVisible('#player-follow-up #follow-up'));
  await page.screenshot({ path: `${outDir}/follow-up-player.png`, fullPage: true });

  ok('the header links to the effectiveness report', await page.isVisible('#nav-effectiveness'));
  await page.click('#nav-effectiveness');
  await page.waitForSelector('#eff-cases');
  ok('the report counts the resolved alerts', (await page.textContent('#eff-cases')) === '2', await page.textContent('#eff-cases'));
  ok('deposits fell for all', (await page.textContent('#eff-deposits-fell')) === '100%', await page.textContent('#eff-deposits-fell'));
  const plots = await page.$$eval('.eff-plot', (ps) => ps.length);
  ok('plots by outcome and jurisdiction', plots === 2, plots);
  const outcomes = await page.$$eval('.eff-table', (ts) => ts[0].querySelectorAll('tbody tr').length);
  ok('a table row per outcome', outcomes === 2, outcomes);
  await page.screenshot({ path: `${outDir}/effectiveness.png`, fullPage: true });
  await page.fill('#eff-jurisdiction', 'GB');
  await page.click('#eff-form button[type=submit]');
  await page.waitForFunction(() => document.querySelector('#eff-cases') && document.querySelector('#eff-cases').textContent === '0');
  ok('a jurisdiction filter narrows the report', true);

  const reg = await signedIn(regulator);
  ok('a regulator sees the link', await reg.isVisible('#nav-effectiveness'));
  await reg.click('#nav-effectiveness');
  await reg.waitForSelector('#eff-cases');
  ok('a regulator reads the report', (await reg.textContent('#eff-cases')) === '2');
  ok('no errors in the page', pageErrors.length === 0, pageErrors.join('; '));
} catch (e) {
  ok('the pages work', false, e.message);
} finally {
  await browser.close();
}
process.exit(exitCode());
