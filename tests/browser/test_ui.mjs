// Drives Debian's chromium through the web UI as a compliance officer would:
// sign in, open the top alert, resolve it, see it leave the open queue,
// open the player page. Prints TAP-style "ok"/"not ok" lines and saves
// screenshots.  usage: node test_ui.mjs URL TOKEN OUTDIR
import { ok, exitCode, launchChromium, watchErrors, signIn } from './lib.mjs';

const [url, token, outDir] = process.argv.slice(2);
const browser = await launchChromium();
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
const pageErrors = [];
// The wrong-token sign-in below is meant to get a 401; nothing else may fail.
watchErrors(page, pageErrors, 'status of 401');

try {
  // The queue's own address: compliance staff land on the dashboard.
  await page.goto(url + '/#/queue');
  ok('sign-in form is shown first', await page.isVisible('#signin-form'));

  await signIn(page, 'rgm_wrong');
  await page.waitForSelector('#signin-error:not(:empty)');
  ok('a wrong token is refused', (await page.textContent('#signin-error')).includes('not valid'));

  await signIn(page, token);
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

  // "Load more" survives the 5 s auto-refresh: the refresh asks for as
  // many rows as are shown.
  ok('the queue has more than one page', await page.isVisible('#queue-more'), rows.length);
  await page.click('#queue-more');
  await page.waitForFunction(() => document.querySelectorAll('#queue-table tbody tr').length > 50);
  const loaded = await page.$$eval('#queue-table tbody tr', (trs) => trs.length);
  await page.waitForResponse((r) => r.url().includes('/v1/alerts?') && Number(new URL(r.url()).searchParams.get('limit')) > 50);
  await page.waitForTimeout(200);
  ok('the auto-refresh keeps the loaded rows', (await page.$$eval('#queue-table tbody tr', (trs) => trs.length)) >= loaded, loaded);

  // The queue as CSV: every alert of the filter, with a header.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#queue-csv')]);
  const csv = (await (await import('node:fs/promises')).readFile(await download.path(), 'utf8')).trim().split('\r\n');
  ok('the CSV download has a header and every alert', csv[0].startsWith('alert_id,kind,level,player_id') && csv.length - 1 >= loaded, csv.length);

  // Search by player: only that player's alerts.
  const onePlayer = await page.$eval('#queue-table tbody tr td:nth-child(2) a', (a) => a.textContent);
  await page.fill('#filter-player', onePlayer);
  await page.press('#filter-player', 'Enter');
  await page.waitForFunction((p) => [...document.querySelectorAll('#queue-table tbody tr td:nth-child(2)')].every((td) => td.textContent === p), onePlayer);
  ok('searching a player lists only that player', (await page.$$('#queue-table tbody tr')).length >= 1);
  await page.fill('#filter-player', '');
  await page.press('#filter-player', 'Enter');
  await page.waitForFunction(() => document.querySelectorAll('#queue-table tbody tr').length > 1);

  // Rows open from the keyboard: the reason is a link.
  const top = rows[0].id;
  await page.focus(`#queue-table tbody tr[data-alert="${top}"] a.open`);
  await page.keyboard.press('Enter');
  await page.waitForSelector('#resolve-form');
  ok('alert detail opens from the keyboard', page.url().endsWith('#/alerts/' + top));
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
  ok('the alert shows as resolved, outcome in words', (await page.textContent('#alert-status')).includes('Pause applied'));
  ok('the history names the actor', (await page.textContent('#alert')).includes('resolved by'));
  const resolvedFacts = await page.textContent('#alert dl.facts');
  ok('a resolved alert says when it was resolved, not when it is due', /Resolved/.test(resolvedFacts) && !/\(in \d/.test(resolvedFacts));

  // Each rule id in a reason links to what the rule tests and its source.
  const ruleId = await page.$eval('#alert ul.reasons a.rule code', (c) => c.textContent);
  await page.click('#alert ul.reasons a.rule');
  await page.waitForSelector('#rule h1');
  const rulePage = await page.textContent('#rule');
  ok('the rule page explains the rule', rulePage.includes(ruleId) && (await page.$$('#rule table.list tbody tr')).length > 0);
  await page.goBack();
  await page.waitForSelector('#alert-status');

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

  // Phone width (390 px): nothing wider than the screen, plot labels legible.
  const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
  phone.on('pageerror', (e) => pageErrors.push(e.message));
  await phone.goto(url + '/#/queue');
  await signIn(phone, token);
  await phone.waitForSelector('#queue-table tbody tr');
  const width = () => phone.evaluate(() => document.documentElement.scrollWidth);
  ok('phone: the queue fits 390 px', (await width()) <= 390, await width());
  await phone.screenshot({ path: `${outDir}/ui-phone-queue.png` });
  await phone.goto(url + '/#/alerts/' + top);
  await phone.waitForSelector('#alert-status');
  ok('phone: the alert page fits 390 px', (await width()) <= 390, await width());
  await phone.click('#alert dl.facts a');
  await phone.waitForSelector('#player svg.plot text');
  const labelPx = await phone.$eval('#player svg.plot text', (t) => t.getBoundingClientRect().height);
  ok('phone: plot labels are at least 8 px', labelPx >= 8, labelPx.toFixed(1));
  ok('phone: the player page fits 390 px', (await width()) <= 390, await width());
  await phone.screenshot({ path: `${outDir}/ui-phone-player.png`, fullPage: true });

  // An agent signs in to a player lookup, not an empty queue: badge,
  // level, reasons in words without money, and what to say.
  const agent = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  agent.on('pageerror', (e) => pageErrors.push(e.message));
  await agent.goto(url + '/');
  await signIn(agent, process.env.AGENT_TOKEN);
  await agent.waitForSelector('#lookup-form');
  ok('agent: the lookup page opens, not the queue', await agent.isHidden('#queue'));
  await agent.fill('#lookup-player', onePlayer);
  await agent.press('#lookup-player', 'Enter');
  await agent.waitForSelector('#lookup-result .chip');
  const agentText = await agent.textContent('#lookup-result');
  ok('agent: the player\'s level and what to say', /No concern|Markers of harm|Strong markers|excluded/.test(await agent.textContent('#lookup-hint')));
  ok('agent: reasons are shown', (await agent.$$('#lookup-result ul.reasons li')).length > 0);
  ok('agent: no money amount in what the agent reads', !/\d[\d,]*\.\d\d|EUR|SEK|GBP/.test(agentText), agentText.slice(0, 120));
  await agent.waitForFunction(() => document.querySelector('#lookup-result .badge img')?.naturalWidth > 0);
  ok('agent: the badge shows', true);
  await agent.screenshot({ path: `${outDir}/ui-agent.png`, fullPage: true });
  await agent.fill('#lookup-player', 'nobody-here');
  await agent.press('#lookup-player', 'Enter');
  await agent.waitForSelector('#lookup-result .error');
  ok('agent: an unknown player is said so', (await agent.textContent('#lookup-result')).includes('No player nobody-here'));

  // A regulator signs in to the export page: range, format, a signed
  // download, the key's fingerprint and how to verify.
  const reg = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  reg.on('pageerror', (e) => pageErrors.push(e.message));
  await reg.goto(url + '/');
  await signIn(reg, process.env.REGULATOR_TOKEN);
  await reg.waitForSelector('#export-form');
  await reg.fill('#export-from', '2026-01-01');
  await reg.selectOption('#export-format', 'csv');
  await reg.click('#export-form button[type=submit]');
  await reg.waitForSelector('#export-download');
  ok('regulator: the export names its signing key', /^sha256:[0-9a-f]{16,64}$/.test(await reg.textContent('#export-fingerprint')));
  ok('regulator: it says how to verify', (await reg.textContent('#export-result')).includes('rgmon audit verify'));
  const [saved] = await Promise.all([reg.waitForEvent('download'), reg.click('#export-download')]);
  const exportPath = outDir + '/ui-export.csv';
  await saved.saveAs(exportPath);
  ok('regulator: the export downloads', (await (await import('node:fs/promises')).stat(exportPath)).size > 1000);
  await reg.screenshot({ path: `${outDir}/ui-regulator.png`, fullPage: true });

  ok('no script errors in the page', pageErrors.length === 0, pageErrors.join('; '));
} catch (e) {
  ok('browser run completed', false, e.message.split('\n')[0]);
  await page.screenshot({ path: `${outDir}/ui-failure.png`, fullPage: true }).catch(() => {});
} finally {
  await browser.close();
}
console.log(`# screenshots in ${outDir}: ui-queue.png ui-alert.png ui-player.png ui-phone-queue.png ui-phone-player.png ui-agent.png ui-regulator.png`);
process.exit(exitCode());
