// The browser tests' runner: Debian's Chromium driven by playwright-core (no downloaded
// browser), one fresh browser context per test, tests in file order (the db outage last),
// a screenshot of each failing test's page under $BROWSER_ARTIFACTS/failures, and a closing
// line "N passed, N failed". Exit status 1 when a test failed.
//
//   node web/tests/run.mjs [substring ...]   runs the tests whose name contains a substring
//
// Environment: API_URL, DATABASE_URL, JWT_SECRET (from .run/stack.env: make browser),
// BROWSER_ARTIFACTS (default build/browser), CHROMIUM (default /usr/bin/chromium).
import { mkdirSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium } from 'playwright-core';

import { repoRoot } from './support.mjs';
import { tests as shopTests } from './shop.test.mjs';
import { tests as docsTests } from './docs.test.mjs';
import { tests as outageTests } from './outage.test.mjs';

const kTestTimeoutMs = 120000;
const kActionTimeoutMs = 15000;
const artifacts = resolve(process.env.BROWSER_ARTIFACTS ?? resolve(repoRoot, 'build/browser'));
const failures = resolve(artifacts, 'failures');
const screens = resolve(artifacts, 'screens');
rmSync(failures, { recursive: true, force: true });
mkdirSync(failures, { recursive: true });
mkdirSync(screens, { recursive: true });

const filters = process.argv.slice(2);
const selected = [...shopTests, ...docsTests, ...outageTests].filter(
  (test) => filters.length === 0 || filters.some((filter) => test.name.includes(filter)),
);

function Slug(name) {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 80);
}

function WithTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const started = Date.now();
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  // This machine reaches no network beyond loopback: Chromium's own background traffic is off.
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
  timeout: 60000,
});
console.log(`browser tests: ${browser.browserType().name()} ${browser.version()}, ${selected.length} tests`);

let passed = 0;
let failed = 0;
for (const test of selected) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...(test.context ?? {}) });
  context.setDefaultTimeout(kActionTimeoutMs);
  const pages = [];
  context.on('page', (page) => pages.push(page));
  const testStarted = Date.now();
  try {
    await WithTimeout(test.run({ context, screens }), kTestTimeoutMs, test.name);
    passed += 1;
    console.log(`ok   ${test.name} (${Date.now() - testStarted} ms)`);
  } catch (error) {
    failed += 1;
    console.log(`FAIL ${test.name} (${Date.now() - testStarted} ms)`);
    console.log(String(error?.stack ?? error).replace(/^/gm, '     '));
    for (const [index, page] of pages.entries()) {
      const file = resolve(failures, `${Slug(test.name)}${index ? `-${index}` : ''}.png`);
      try {
        await page.screenshot({ path: file, fullPage: true, timeout: 10000 });
        console.log(`     screenshot: ${file}`);
      } catch (screenshotError) {
        console.log(`     no screenshot: ${screenshotError.message}`);
      }
    }
  } finally {
    await context.close().catch(() => undefined);
  }
}
await browser.close();
console.log(`browser tests took ${((Date.now() - started) / 1000).toFixed(1)} s`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
