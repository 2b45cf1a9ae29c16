// The workbench additions in chromium: a signed badge link in an <img> of
// another page, without a token (and the refused and unknown badges as
// images); an alert's evidence grouped by reason and in time order; an
// unknown alert's error shown alone; the player page naming its time zone
// and an unpriced currency. Prints TAP-style lines, saves screenshots.
// usage: node test_wb.mjs URL COMPLIANCE_TOKEN OUTDIR BADGE_LINK TAMPERED_LINK UNKNOWN_LINK ALERT_ID XYZ_PLAYER
import { ok, exitCode, launchChromium, watchErrors, signIn } from './lib.mjs';

const [url, token, outDir, badgeLink, tamperedLink, unknownLink, alertId, xyzPlayer] = process.argv.slice(2);
const browser = await launchChromium();

try {
  // ---- badge links embedded in another page: no token, no cookie ----
  const embed = await browser.newPage({ viewport: { width: 640, height: 240 } });
  await embed.setContent(`<!doctype html><body style="font:14px sans-serif">
    <p>A CRM page embedding rgmon badges:</p>
    <p>signed link <img id="good" src="${url}${badgeLink}"></p>
    <p>tampered link <img id="bad" src="${url}${tamperedLink}"></p>
    <p>unknown player <img id="unknown" src="${url}${unknownLink}"></p></body>`);
  await embed.waitForFunction(() => [...document.images].every((i) => i.complete));
  const sizes = await embed.$$eval('img', (imgs) => Object.fromEntries(imgs.map((i) => [i.id, i.naturalWidth])));
  ok('a signed badge link shows in an <img> without a token', sizes.good > 0, JSON.stringify(sizes));
  ok('a tampered link shows an image, not a broken one', sizes.bad > 0, JSON.stringify(sizes));
  ok('an unknown player shows an image, not a broken one', sizes.unknown > 0, JSON.stringify(sizes));
  await embed.screenshot({ path: `${outDir}/wb-badge-links.png` });
  await embed.close();

  // ---- the alert page: evidence by reason, in time order ----
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  const pageErrors = [];
  // The unknown alert below is meant to answer 404; nothing else may fail.
  watchErrors(page, pageErrors, 'status of 404');
  await page.goto(url + '/#/queue'); // compliance staff land on the dashboard
  await signIn(page, token);
  await page.waitForSelector('#queue-table tbody tr');

  const api = await (await fetch(`${url}/v1/alerts/${alertId}`, { headers: { Authorization: 'Bearer ' + token } })).json();
  const ts = Object.fromEntries(api.evidence_events.map((e) => [e.event_id, e.event ? Date.parse(e.event.ts) : Infinity]));
  await page.goto(`${url}/#/alerts/${alertId}`);
  await page.waitForSelector('#evidence .evidence-group');
  const groups = await page.$$eval('#evidence .evidence-group', (gs) => gs.map((g) => ({
    rule: g.dataset.rule, title: g.querySelector('h3').textContent, ids: [...g.querySelectorAll('tbody tr')].map((tr) => tr.dataset.event),
  })));
  const counting = groups.filter((g) => /^loss_chasing\.(deposit_after_loss|deposits_in_session|escalating_deposits)$/.test(g.rule));
  ok('the alert page groups evidence by reason', groups.length >= 2 && counting.length >= 1, groups.map((g) => g.rule).join(','));
  for (const g of counting) {
    const said = Number((g.title.match(/^(\d+) deposits?/) || [])[1]);
    ok(`"${g.title.slice(0, 40)}…" lists that many events`, said === g.ids.length, said + ' vs ' + g.ids.length);
  }
  const ordered = groups.every((g) => g.ids.every((id, i) => i === 0 || ts[g.ids[i - 1]] <= ts[id]));
  ok('each group is in event time order', ordered);
  ok('the evidence says which zone its times are in', (await page.textContent('#evidence .zone-note')).includes('your browser'));
  await page.screenshot({ path: `${outDir}/wb-alert-evidence.png`, fullPage: true });

  // ---- an unknown alert: the error alone ----
  await page.goto(`${url}/#/queue`);
  await page.waitForSelector('#queue-table tbody tr');
  await page.goto(`${url}/#/alerts/0123456789abcdef0123456789abcdef`);
  await page.waitForSelector('#error:not([hidden])');
  ok('an unknown alert says so', (await page.textContent('#error')).includes('unknown alert'));
  const visible = await page.$$eval('main > section', (ss) => ss.filter((s) => !s.hidden).map((s) => s.id));
  ok('the error shows alone, not under the queue', visible.length === 0, visible.join(','));
  await page.screenshot({ path: `${outDir}/wb-unknown-alert.png` });

  // ---- the player page: the zone, and a currency no pack prices ----
  await page.goto(`${url}/#/players/${xyzPlayer}`);
  await page.waitForSelector('#player-zone');
  ok('the player page names its time zone', /Times in \S+ \(the player's pack\)/.test(await page.textContent('#player-zone')));
  ok('the player page says the currency is not priced', (await page.textContent('#currency-note')).includes('XYZ'));
  await page.screenshot({ path: `${outDir}/wb-player-unpriced.png`, fullPage: true });
  ok('no script errors', pageErrors.length === 0, pageErrors.join(' | '));

  // ---- an agent makes a badge link from the lookup and it embeds ----
  if (process.env.AGENT_TOKEN) {
    const agent = await browser.newPage({ viewport: { width: 1000, height: 700 } });
    await agent.goto(url + '/');
    await signIn(agent, process.env.AGENT_TOKEN);
    await agent.waitForSelector('#lookup-form');
    await agent.goto(`${url}/#/lookup/${encodeURIComponent(api.player_id)}`);
    await agent.click('#badge-link-make');
    await agent.waitForSelector('#badge-link:not([hidden])');
    const made = await agent.inputValue('#badge-link');
    ok('the agent gets an embeddable badge link', made.startsWith(url + '/v1/badge/') && made.includes('sig='), made);
    await agent.screenshot({ path: `${outDir}/wb-agent-badge-link.png` });
    const crm = await browser.newPage();
    await crm.setContent(`<img id="b" src="${made}">`);
    await crm.waitForFunction(() => document.images[0].complete);
    ok('... which shows in another page without a token', (await crm.$eval('#b', (i) => i.naturalWidth)) > 0);
    await crm.close();
    await agent.close();
  }
} catch (e) {
  ok('the browser test ran to its end', false, e.message);
} finally {
  await browser.close();
}
process.exit(exitCode());
