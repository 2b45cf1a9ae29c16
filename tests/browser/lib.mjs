// What every browser test shares: TAP-style checks, Debian's chromium,
// collecting a page's errors, and signing in with a token.
import { chromium } from 'playwright-core';

let failed = 0;

// Prints "ok - NAME" or "not ok - NAME (INFO)"; a failure sets the exit code.
export function ok(name, cond, info = '') {
  console.log(`${cond ? 'ok' : 'not ok'} - ${name}${cond || !info ? '' : ' (' + info + ')'}`);
  if (!cond) failed++;
}

export const exitCode = () => (failed ? 1 : 0);

export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
}

// Collects the page's uncaught errors and console errors into ERRORS;
// a console error containing IGNORE (an expected 401 or 404) is left out.
export function watchErrors(page, errors, ignore = null) {
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error' && !(ignore && m.text().includes(ignore))) errors.push(m.text());
  });
}

// Submits TOKEN in the sign-in form of a page already showing it.
export async function signIn(page, token) {
  await page.fill('#token', token);
  await page.click('#signin-form button[type=submit]');
}
