// The dashboard (#/) and the effectiveness page (#/effectiveness) of the
// follow-up scale run in Debian's chromium (playwright-core from
// tests/browser): checks they show the run's figures, saves screenshots
// and prints how long each page took to draw. Used by follow_up_scale.sh.
// usage: node follow_up_scale_screens.mjs URL TOKEN OUTDIR PLAYERS CASES
import { createRequire } from 'node:module';
const require = createRequire(new URL('../browser/package.json', import.meta.url));
const { chromium } = require('playwright-core');

const [url, token, outDir, players, cases] = process.argv.slice(2);
let failed = 0;
const ok = (name, cond, info = '') => {
  console.log(`${cond ? 'ok' : 'not ok'} - ${name}${info === '' ? '' : ' (' + info + ')'}`);
  if (!cond) failed++;
};

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-dev-shm-usage'],
});
const errors = [];
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(url + '/');
  await page.fill('#token', token);
  let t = Date.now();
  await page.click('#signin-form button[type=submit]');
  await page.waitForSelector('#dash-players', { timeout: 60000 });
  ok('the dashboard draws after sign-in', true, `${Date.now() - t} ms`);
  const shown = (await page.textContent('#dash-players')).replace(/\D/g, '');
  ok('the dashboard counts every player', shown === players, shown);
  // the stacked area of one level: a point per day, there and back
  const days = await page.$eval('#dashboard svg.plot path.level-green', (p) => (p.getAttribute('d').match(/[ML]/g) || []).length / 2);
  ok('the dashboard draws the levels of the stream\'s last 90 days', days === 90, days);
  const opened = await page.$$eval('#dashboard svg.plot rect.opened', (rs) => rs.filter((r) => Number(r.getAttribute('height')) > 0).length);
  ok('the dashboard draws the days alerts opened', opened > 30, opened);
  const bars = await page.$$eval('#dashboard svg.plot rect.resolved', (rs) => rs.filter((r) => Number(r.getAttribute('height')) > 0).length);
  ok('the dashboard draws the days with resolutions', bars > 0, bars);
  await page.screenshot({ path: `${outDir}/scale-dashboard.png`, fullPage: true });

  t = Date.now();
  await page.goto(url + '/#/effectiveness');
  await page.waitForSelector('#eff-cases', { timeout: 60000 });
  ok('the effectiveness page draws', true, `${Date.now() - t} ms`);
  const n = await page.textContent('#eff-cases');
  ok('the effectiveness page counts the resolved alerts', n === cases, `${n}, the API says ${cases}`);
  ok('plots by outcome and jurisdiction', (await page.$$('.eff-plot')).length === 2);
  await page.screenshot({ path: `${outDir}/scale-effectiveness.png`, fullPage: true });
  ok('no errors in the pages', errors.length === 0, errors.join('; '));
} catch (e) {
  ok('the pages work', false, e.message);
} finally {
  await browser.close();
}
console.log(`# screenshots: ${outDir}/scale-dashboard.png ${outDir}/scale-effectiveness.png`);
process.exit(failed ? 1 : 0);
