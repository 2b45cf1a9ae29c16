// Four eyes and the dashboard in Debian's chromium: a compliance officer
// lands on the dashboard (plots drawn), closes a red alert as a false
// positive, sees it wait for review and cannot approve it herself; a
// second compliance officer finds it in the pending-review queue and
// approves it. Prints TAP-style lines and saves screenshots.
// usage: node test_review.mjs URL TOKEN SECOND_TOKEN OUTDIR
import { ok, exitCode, launchChromium, watchErrors, signIn } from './lib.mjs';

const [url, token, second, outDir] = process.argv.slice(2);
const browser = await launchChromium();
const pageErrors = [];
async function signedIn(tok) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  watchErrors(page, pageErrors);
  await page.goto(url + '/');
  await signIn(page, tok);
  return page;
}

let page = null;
try {
  page = await signedIn(token);
  // The landing page for compliance staff is the dashboard.
  await page.waitForSelector('#dashboard svg.plot');
  ok('compliance lands on the dashboard', await page.isVisible('#dashboard') && await page.isHidden('#queue'));
  ok('the level mix is drawn per level', (await page.$$('#dashboard svg.plot path.level-green')).length === 1 &&
    (await page.$$('#dashboard svg.plot path.level-red')).length === 1);
  ok('inflow is drawn as bars', (await page.$$('#dashboard svg.plot rect.opened')).length > 0);
  ok('the players tile counts the book', Number((await page.textContent('#dash-players')).replace(/\D/g, '')) > 0);
  ok('the nav reaches the queue', await page.isVisible('#nav a[href="#/queue"]'));
  await page.screenshot({ path: `${outDir}/review-dashboard.png`, fullPage: true });

  await page.click('#dash-queue');
  await page.waitForSelector('#queue-table tbody tr');
  ok('the dashboard links to the queue', await page.isVisible('#queue'));

  // A red alert, closed as a false positive.
  const red = await page.evaluate(async () => {
    const r = await fetch('/v1/alerts?status=open&level=red&limit=1', { headers: { Authorization: 'Bearer ' + sessionStorage.getItem('rgmon.token') } });
    return (await r.json()).alerts[0].alert_id;
  });
  await page.goto(url + '/#/alerts/' + red);
  await page.waitForSelector('#resolve-form');
  await page.selectOption('#outcome', 'false_positive');
  await page.fill('#note', 'A lucky winner; no sign of harm.');
  await page.click('#resolve-form button[type=submit]');
  await page.waitForFunction(() => document.querySelector('#alert-status')?.textContent.startsWith('pending review'));
  ok('the closure waits for review', (await page.textContent('#alert-status')).includes('False positive proposed by'));
  ok('its proposer gets no approve button', await page.isVisible('#review-own') && !(await page.$('#review-approve')));
  await page.screenshot({ path: `${outDir}/review-pending.png`, fullPage: true });

  // The second person: the pending-review queue, then approve.
  const other = await signedIn(second);
  await other.waitForSelector('#dashboard svg.plot');
  await other.click('#nav a[href="#/queue/pending_review"]');
  await other.waitForFunction((id) => [...document.querySelectorAll('#queue-table tbody tr')].some((tr) => tr.dataset.alert === id), red);
  ok('the pending-review queue lists it', (await other.inputValue('#filter-status')) === 'pending_review');
  await other.click(`#queue-table tbody tr[data-alert="${red}"] a.open`);
  await other.waitForSelector('#review-approve');
  await other.fill('#review-note', 'Agreed: winnings, no chasing.');
  await other.screenshot({ path: `${outDir}/review-approve.png`, fullPage: true });
  await other.click('#review-approve');
  await other.waitForFunction(() => document.querySelector('#alert-status')?.textContent.startsWith('resolved'));
  const status = await other.textContent('#alert-status');
  ok('approved: resolved as proposed, both people named', status.includes('False positive') && status.includes('approved by'), status);
  ok('the history shows the approval', (await other.textContent('#alert')).includes('review approved by'));
  await other.screenshot({ path: `${outDir}/review-approved.png`, fullPage: true });

  ok('no script errors in the page', pageErrors.length === 0, pageErrors.join('; '));
} catch (e) {
  ok('browser run completed', false, e.message.split('\n')[0]);
  if (page) await page.screenshot({ path: `${outDir}/review-failure.png`, fullPage: true }).catch(() => {});
} finally {
  await browser.close();
}
console.log(`# screenshots in ${outDir}: review-dashboard.png review-pending.png review-approve.png review-approved.png`);
process.exit(exitCode());
