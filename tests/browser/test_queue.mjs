// The queue's sort and "assigned to me" in Debian's chromium: keyboard only,
// Tab reaches the Sort select and the arrow keys change it, and the first
// row becomes the API's first in that order; "Assigned to me" leaves only
// the caller's alerts; the alert page's "Assign to" reassigns and unassigns. Prints TAP-style lines and saves a screenshot.
// usage: node test_queue.mjs URL TOKEN NAME OUTDIR
import { ok, exitCode, launchChromium, watchErrors } from './lib.mjs';

const [url, token, name, outDir] = process.argv.slice(2);
const browser = await launchChromium();
const pageErrors = [];
const firstRow = (page) => page.evaluate(() => document.querySelector('#queue-table tbody tr')?.dataset.alert);
const apiFirst = (page, q) => page.evaluate(async (query) => {
  const r = await fetch('/v1/alerts?status=unresolved&limit=1&' + query, { headers: { Authorization: 'Bearer ' + sessionStorage.getItem('rgmon.token') } });
  return (await r.json()).alerts[0].alert_id;
}, q);

try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  watchErrors(page, pageErrors);
  await page.goto(url + '/');
  await page.fill('#token', token);
  await page.press('#token', 'Enter');
  await page.waitForSelector('#dashboard');
  await page.goto(url + '/#/queue');
  await page.waitForSelector('#queue-table tbody tr');
  await page.selectOption('#filter-status', 'unresolved');
  const byLevel = await apiFirst(page, 'sort=level');
  const byDue = await apiFirst(page, 'sort=due');
  ok('the data has a different first alert by due than by level', byLevel !== byDue);
  await page.waitForFunction((id) => document.querySelector('#queue-table tbody tr')?.dataset.alert === id, byLevel);
  ok('the queue opens in level order', (await firstRow(page)) === byLevel);

  // Keyboard only: Tab from the checkbox before it reaches the Sort select.
  await page.focus('#filter-mine');
  await page.keyboard.press('Tab');
  ok('Tab reaches the Sort select', await page.evaluate(() => document.activeElement.id) === 'filter-sort');
  await page.keyboard.press('ArrowDown');
  ok('the arrow key chose "due soonest"', (await page.inputValue('#filter-sort')) === 'due');
  await page.waitForFunction((id) => document.querySelector('#queue-table tbody tr')?.dataset.alert === id, byDue, { timeout: 10000 }).catch(() => {});
  ok('sorted by due, the first row is the soonest due', (await firstRow(page)) === byDue, await firstRow(page));
  await page.screenshot({ path: `${outDir}/queue-sort.png`, fullPage: true });

  await page.keyboard.press('ArrowDown');
  const byCreated = await apiFirst(page, 'sort=created');
  await page.waitForFunction((id) => document.querySelector('#queue-table tbody tr')?.dataset.alert === id, byCreated, { timeout: 10000 }).catch(() => {});
  ok('sorted by newest, the first row is the newest', (await firstRow(page)) === byCreated);

  // Assigned to me: only the alerts the caller acknowledged.
  await page.focus('#filter-mine');
  await page.keyboard.press('Space');
  await page.waitForFunction(() => document.querySelectorAll('#queue-table tbody tr').length < 10, null, { timeout: 10000 }).catch(() => {});
  const statuses = await page.$$eval('#queue-table tbody tr td.status', (tds) => tds.map((td) => td.textContent));
  ok('"Assigned to me" shows only the caller\'s', statuses.length > 0 && statuses.every((s) => s.includes(name)), statuses.join(' | '));
  await page.screenshot({ path: `${outDir}/queue-mine.png`, fullPage: true });
  // The alert page's "Assign to": hand the soonest due alert to bob, then back to open.
  await page.goto(url + '/#/alerts/' + byDue);
  await page.waitForSelector('#assign-form');
  await page.fill('#assign-to', 'bob');
  await page.press('#assign-to', 'Enter');
  await page.waitForFunction(() => document.querySelector('#alert-status')?.textContent.includes('bob'), null, { timeout: 10000 }).catch(() => {});
  ok('"Assign to" bob: acknowledged by bob', (await page.textContent('#alert-status')) === 'acknowledged (bob)', await page.textContent('#alert-status'));
  ok('the history shows the assignment', (await page.textContent('#alert')).includes('assigned to bob by ' + name), 'history names the assignee');
  await page.screenshot({ path: `${outDir}/queue-assign.png`, fullPage: true });
  await page.fill('#assign-to', '');
  await page.press('#assign-to', 'Enter');
  await page.waitForFunction(() => document.querySelector('#alert-status')?.textContent === 'open', null, { timeout: 10000 }).catch(() => {});
  ok('an empty "Assign to" puts it back in the open queue', (await page.textContent('#alert-status')) === 'open', await page.textContent('#alert-status'));
  ok('no script errors in the page', pageErrors.length === 0, pageErrors.join('; '));
} catch (e) {
  ok('the queue test ran', false, e.message);
} finally {
  await browser.close();
}
process.exit(exitCode());
