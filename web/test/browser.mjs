// The page in a real headless Chromium: node test/browser.mjs (after ./build.sh).
// Loads dist/cnid.html, checks a valid and an invalid number, a pasted list and a dropped
// 10,000-row CSV, and asserts that no request leaves the page.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import puppeteer from 'puppeteer-core';
import { complete, wrong, csv } from './common.mjs';

const candidates = [process.env.CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
const executablePath = candidates.find((p) => p && existsSync(p));
if (!executablePath) {
  console.error('web/test/browser.mjs: no Chromium found (apt-get install chromium, or set CHROMIUM)');
  process.exit(2);
}
const pagePath = fileURLToPath(new URL('../dist/cnid.html', import.meta.url));

// A server on loopback that counts every hit: the page must never reach it; a control
// page without the policy must, which shows that the watch works.
let hits = 0;
const server = createServer((req, res) => { hits += 1; res.setHeader('Access-Control-Allow-Origin', '*'); res.end('x'); });
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const spy = `http://127.0.0.1:${server.address().port}/spy`;

const browser = await puppeteer.launch({
  executablePath,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage();
  const requests = [];
  page.on('request', (r) => requests.push(r.url()));
  const cdp = await page.createCDPSession();
  await cdp.send('Network.enable');
  const network = [];
  cdp.on('Network.requestWillBeSent', (e) => network.push(e.request.url));
  cdp.on('Network.webSocketCreated', (e) => network.push(e.url));
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));

  await page.goto(`file://${pagePath}`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 20_000 });

  const one = async (input) => {
    await page.$eval('#one-input', (e, v) => { e.value = v; }, input);
    await page.click('#one-check');
    return page.$eval('#one-result', (e) => ({ ...e.dataset, text: e.textContent }));
  };
  const valid = await one('110101199001011114');
  assert.equal(valid.status, 'ALREADY_ATT');
  assert.equal(valid.valid, 'true');
  assert.match(valid.text, /北京市 东城区/);
  assert.match(valid.text, /1990年01月01日/);
  const invalid = await one(wrong('11010119900101111'));
  assert.equal(invalid.status, 'WRONG_IDCARD');
  assert.equal(invalid.valid, 'false');
  assert.match(invalid.text, /check character/);
  const foreign = await one(complete('91184019800101111'));
  assert.equal(foreign.kind, 'foreign_permanent_residence_id');
  assert.match(foreign.text, /美国/);
  const hk = await one('A123456(3)');
  assert.equal(hk.kind, 'hong_kong_id');
  assert.equal(hk.valid, 'true');

  await page.$eval('#list-input', (e, v) => { e.value = v; }, ['110101199001011114', wrong('11010119900101111'), '', complete('43041919900101111')].join('\n'));
  await page.click('#list-check');
  const list = await page.$eval('#list-summary', (e) => ({ ...e.dataset }));
  assert.deepEqual([list.rows, list.alreadyatt, list.wrongidcard, list.notatt], ['3', '1', '1', '1']);

  const [text, counts] = csv(10_000);
  const started = Date.now();
  await page.evaluate((body) => {
    const dt = new DataTransfer();
    dt.items.add(new File([body], 'ids.csv', { type: 'text/csv' }));
    document.getElementById('drop-zone').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, text);
  await page.waitForSelector('#file-summary[data-done="true"]', { timeout: 60_000 });
  const ms = Date.now() - started;
  const file = await page.$eval('#file-summary', (e) => ({ ...e.dataset }));
  assert.equal(file.rows, '10000');
  assert.equal(Number(file.alreadyatt), counts.ALREADY_ATT);
  assert.equal(Number(file.notatt), counts.NOT_ATT);
  assert.equal(Number(file.wrongidcard), counts.WRONG_IDCARD);

  // The page's own policy refuses a request even when script asks for one.
  const attempt = await page.evaluate((url) => fetch(url).then(() => 'sent', () => 'refused'), spy);
  assert.equal(attempt, 'refused');
  assert.deepEqual(errors, []);

  // No request left the page: besides the page's own file, only data: URLs (Chromium draws
  // the date field's calendar icon from one), which never leave the browser.
  const all = [...requests, ...network];
  assert.ok(all.includes(`file://${pagePath}`), 'the watch saw the page load');
  const outside = all.filter((u) => u !== `file://${pagePath}` && !u.startsWith('data:'));
  assert.deepEqual(outside, [], `requests left the page: ${outside.join(', ')}`);
  assert.equal(hits, 0);

  // Control: the same watch sees a request from a page without the policy.
  const control = await browser.newPage();
  const seen = [];
  control.on('request', (r) => seen.push(r.url()));
  await control.goto(`${spy}/page`);
  await control.evaluate((url) => fetch(url).then((r) => r.text()), spy);
  assert.ok(seen.includes(spy), 'the watch saw the control request');
  assert.ok(hits >= 2, `the server saw the control page and its request (${hits} hits)`);
  console.log(`web/test/browser.mjs: ok (Chromium ${await browser.version()}; 10,000-row CSV in ${ms} ms; no request left the page)`);
} finally {
  await browser.close();
  server.close();
}
