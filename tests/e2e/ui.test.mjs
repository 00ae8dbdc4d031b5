/**
 * End-to-end: the popup and the dashboard of the built extension. "Mirror this site" crawls the tab's site;
 * the dashboard lists sites (pages, size, last updated), adds one by URL (http/https only, with a visible error
 * otherwise), opens one in the viewer and deletes one with everything only it used; mirror text (site ids, URLs)
 * is shown as text, never as HTML. Screenshots of both pages go to target/test-logs/screenshots/.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { ROOT } from './lib/browser.mjs';
import { sharedExtension, send, dialogControl } from './lib/pages.mjs';
import { startServer } from './lib/server.mjs';
import { captureFrom } from './lib/mirror.mjs';
import { until, timeUntil, assertWindowLongEnough, quiet } from './lib/wait.mjs';

const SITE = {
  '/index.html': '<!doctype html><title>Home</title><h1>Welcome home</h1><a href="about.html">about</a>',
  '/about.html': '<!doctype html><title>About</title><h1>About</h1>',
};
const PATHS = Object.keys(SITE);
const ATTACK = '<img src=x onerror=alert(1)>';
// Under target/: a test run leaves the tracked tree as it was.
const SHOTS = path.join(ROOT, 'target/test-logs/screenshots');

const browser = sharedExtension();
const { extUrl, popupUrl, inWorker, storeCall, openPage } = browser;

async function openDashboard(opts) {
  const r = await openPage(extUrl('dashboard/dashboard.html'), opts);
  await r.page.waitForSelector('body[data-state=ready]');
  return r;
}

/** How long a dismissed delete is watched for not deleting (an accepted one must take under half of it). */
const KEPT_WINDOW = 1000;

const row = (page, id) => page.locator(`#sites tbody tr[data-site-id="${id.replace(/["\\]/g, '\\$&')}"]`);

test('popup: "Mirror this site" crawls the tab\'s site; its status and the dashboard show it', async () => {
  const server = await startServer({ routes: { ...SITE } });
  const site = `${server.origin}/`;
  const { page } = await openPage(popupUrl(`${server.origin}/index.html`));
  try {
    await page.waitForSelector('body[data-state=not-mirrored]');
    assert.equal(await page.locator('#engine-status').getAttribute('data-state'), 'ready');
    assert.equal(await page.isVisible('#offline'), false);
    assert.match(await page.textContent('#site'), new RegExp(`Not mirrored yet.*${site.replace(/[.]/g, '\\.')}`));
    await page.getByRole('button', { name: 'Mirror this site' }).click();
    await page.waitForSelector('body[data-state=mirrored]');
    assert.equal(await page.isVisible('#mirror'), false, 'the button goes once the site is mirrored');
    // The crawl (crawl-ui.test.mjs tests it in depth) fetches both pages; the status shows them when it is done.
    await page.waitForSelector('body[data-crawl=done]', { timeout: 20000 });
    await page.waitForFunction(() => document.getElementById('pages').textContent === '2');

    const list = await send(page, { type: 'sites/list' });
    assert.equal(list.ok, true);
    const entry = list.sites.find((s) => s.id === site);
    assert.ok(entry, 'the site is listed');
    assert.equal(entry.startUrl, `${server.origin}/index.html`);
    assert.equal(entry.pages, 2);
    // Both pages, and what else the crawl stored (the origin's robots.txt answer).
    const bytes = entry.bytes;
    assert.ok(bytes >= PATHS.reduce((n, p) => n + Buffer.byteLength(SITE[p]), 0), `${bytes} bytes`);
    assert.equal(await page.textContent('#size'), `${bytes} B`);
    assert.ok(entry.created > 0 && entry.lastCaptured >= entry.created);
    assert.equal(await page.textContent('#captured'), await page.evaluate((t) => new Date(t).toLocaleString(), entry.lastCaptured));

    // Pages captured later (as you browse) show up in the popup's status.
    const at = Date.now() + 60_000;
    await captureFrom(browser.ext, server.origin, PATHS, { at, register: false });
    await page.reload();
    await page.waitForSelector('body[data-state=mirrored]');
    assert.equal(await page.textContent('#pages'), '2');
    assert.equal(await page.textContent('#captured'), await page.evaluate((t) => new Date(t).toLocaleString(), at));
    const status = await send(page, { type: 'site/status', url: `${server.origin}/about.html` });
    assert.deepEqual(
      { mirrored: status.mirrored, id: status.site.id, pages: status.pages, bytes: status.bytes, last: status.lastCaptured },
      { mirrored: true, id: site, pages: 2, bytes, last: at },
    );
    assert.deepEqual(await send(page, { type: 'site/status', url: 'https://not-mirrored.example/' }), { ok: true, mirrored: false });
    assert.deepEqual(await send(page, { type: 'site/status', url: 'chrome://newtab/' }), { ok: true, mirrored: false });

    // The dashboard lists it, linked from the popup.
    assert.equal(await page.getAttribute('#dashboard', 'href'), '../dashboard/dashboard.html');
    const { page: dash } = await openDashboard();
    try {
      const r = row(dash, site);
      await r.waitFor();
      assert.match(await r.locator('.site-start').textContent(), /\/index\.html$/);
      assert.equal(await r.locator('.pages').textContent(), '2');
      assert.equal(await r.locator('.size').textContent(), `${bytes} B of 1.0 GB`, 'the size, against the site limit');
    } finally {
      await dash.close();
    }
  } finally {
    await page.close();
    await server.close();
  }
});

test('popup reads the active tab of the focused window (no override)', async () => {
  const server = await startServer({ routes: { ...SITE } });
  const { page: popup } = await openPage(popupUrl());
  // Opened in a tab of its own, the popup first describes itself: not a web page.
  await popup.waitForSelector('body[data-state=not-web]');
  assert.match(await popup.textContent('#site'), /can’t be mirrored/);
  const tab = await browser.ext.ctx.newPage();
  try {
    await tab.goto(`${server.origin}/index.html`);
    await tab.bringToFront();
    // Reloading the popup page in its background tab makes it describe the now active tab.
    await popup.evaluate(() => location.reload());
    await popup.waitForSelector('body[data-state=not-mirrored]');
    assert.match(await popup.textContent('#site'), new RegExp(server.origin.replace(/[.]/g, '\\.')));
    // The extension's own viewer in the active tab: an offline copy.
    await captureFrom(browser.ext, server.origin, PATHS);
    await tab.goto(extUrl(`view.html?url=${encodeURIComponent(`${server.origin}/index.html`)}`));
    await tab.bringToFront();
    await popup.evaluate(() => location.reload());
    await popup.waitForSelector('body[data-state=mirrored]');
    assert.equal(await popup.isVisible('#offline'), true);
  } finally {
    await tab.close();
    await popup.close();
    await server.close();
  }
});

test('popup on a mirrored copy says "You are viewing an offline copy"', async () => {
  const server = await startServer({ routes: { ...SITE } });
  await captureFrom(browser.ext, server.origin, PATHS);
  const copies = [
    extUrl(`view.html?url=${encodeURIComponent(`${server.origin}/index.html`)}`),
    extUrl(`m/http/127.0.0.1:${server.port}/about.html`),
    extUrl(`m/20260101000000/http/127.0.0.1:${server.port}/index.html`),
  ];
  try {
    for (const copy of copies) {
      const { page } = await openPage(popupUrl(copy));
      try {
        await page.waitForSelector('body[data-state=mirrored]');
        assert.equal(await page.isVisible('#offline'), true, copy);
        assert.equal(await page.textContent('#offline'), 'You are viewing an offline copy');
        assert.equal(await page.textContent('#pages'), '2', 'the status of the original site is shown');
      } finally {
        await page.close();
      }
    }
    // A live page of the same site is not an offline copy.
    const { page } = await openPage(popupUrl(`${server.origin}/index.html`));
    await page.waitForSelector('body[data-state=mirrored]');
    assert.equal(await page.isVisible('#offline'), false);
    await page.close();
  } finally {
    await server.close();
  }
});

test('dashboard: "Start mirror" by URL; non-http(s) URLs are refused with a visible error', async () => {
  const { page, dialogs } = await openDashboard();
  try {
    const before = (await send(page, { type: 'sites/list' })).sites.length;
    const url = page.getByLabel('Site URL');
    const start = page.getByRole('button', { name: 'Start mirror' });
    for (const bad of ['ftp://x', 'javascript:alert(1)', 'not a url', '']) {
      await url.fill(bad);
      await start.click();
      await page.waitForFunction(() => document.getElementById('add-error').textContent !== '');
      assert.ok(await page.isVisible('#add-error'), `error shown for ${JSON.stringify(bad)}`);
      assert.match(await page.textContent('#add-error'), bad ? /only http:\/\/ and https:\/\// : /Enter the web address/);
      assert.equal(await url.getAttribute('aria-invalid'), 'true');
      await url.fill('h');
      assert.equal(await page.textContent('#add-error'), '', 'typing again clears the error');
    }
    assert.equal((await send(page, { type: 'sites/list' })).sites.length, before, 'nothing was added');
    assert.deepEqual(dialogs, [], 'javascript: never ran');
    for (const bad of ['ftp://x', 'javascript:alert(1)', 'nope', 'file:///etc/passwd']) {
      const res = await send(page, { type: 'site/add', url: bad });
      assert.equal(res.error?.code, 'site/invalid-url', bad);
    }
    assert.equal((await send(page, { type: 'site/add', url: 42 })).error.code, 'message/invalid');
    assert.equal((await send(page, { type: 'site/delete' })).error.code, 'message/invalid');

    // A local origin (tests never reach the web): "Start mirror" now crawls it.
    const server = await startServer({ routes: { ...SITE } });
    const id = `${server.origin}/`;
    await url.fill(`HTTP://user:secret@127.0.0.1:${server.port}/docs/start?x=1#top`);
    await start.click();
    const r = row(page, id);
    await r.waitFor();
    assert.equal(await r.locator('.site-start').textContent(), `${id}docs/start?x=1`, 'no credentials, no fragment');
    assert.notEqual(await r.locator('.updated').textContent(), 'never', 'its registration time');
    assert.match(await page.textContent('#add-done'), new RegExp(`Mirroring ${id.replace(/[.]/g, '\\.')}`));
    assert.equal(await url.inputValue(), '');
    await page.locator(`#sites tbody tr[data-site-id="${id}"][data-crawl=done]`).waitFor({ timeout: 20000 });
    assert.ok(server.requests.includes('/docs/start'), 'the crawl started at the URL given');
    await server.close();
    // Adding a known site changes nothing.
    const again = await send(page, { type: 'site/add', url: `${id}other` });
    assert.equal(again.site.startUrl, `${id}docs/start?x=1`);

    // Storage usage and persistence are shown.
    assert.match(await page.textContent('#storage-usage'), /\d+(\.\d)? (B|KB|MB|GB)/);
    assert.match(await page.textContent('#storage-quota'), /\d+(\.\d)? (B|KB|MB|GB|TB)/);
    assert.match(await page.textContent('#storage-persisted'), /persistent/i);
  } finally {
    await page.close();
  }
});

test('dashboard: "Open" shows the site in the viewer; "Delete" (confirmed) removes it and its captures', async () => {
  // Bodies no other site shares (identical bodies are stored once and only freed with their last user).
  const unique = Object.fromEntries(PATHS.map((p) => [p, `${SITE[p]}<!-- only here: ${Math.random()} -->`]));
  const server = await startServer({ routes: unique });
  const site = `${server.origin}/`;
  await captureFrom(browser.ext, server.origin, PATHS);
  const usage = await storeCall('usage', site);
  assert.equal(usage.captures, 2);
  const totalsBefore = await storeCall('totals');
  const { page, dialogs } = await openDashboard();
  try {
    const r = row(page, site);
    await r.waitFor();
    const [viewer] = await Promise.all([browser.ext.ctx.waitForEvent('page'), r.getByRole('button', { name: 'Open' }).click()]);
    await viewer.waitForURL(/\/view\.html\?url=/);
    assert.equal(new URL(viewer.url()).searchParams.get('url'), site);
    await viewer.close();

    // Dismissing the confirm keeps the site: over a window twice what an accepted delete takes (below).
    await r.getByRole('button', { name: 'Delete' }).click();
    await until(() => dialogs.length === 1, 'the confirm');
    await quiet(KEPT_WINDOW);
    assert.equal(dialogs[0].type, 'confirm');
    assert.ok(dialogs[0].message.includes(site));
    assert.equal(await r.count(), 1);
    assert.equal((await storeCall('usage', site)).captures, 2);
  } finally {
    await page.close();
  }
  const { page: dash, dialogs: accepted } = await openDashboard({ acceptConfirm: true });
  try {
    const r = row(dash, site);
    await r.getByRole('button', { name: 'Delete' }).click();
    await until(() => accepted.length === 1, 'the confirm');
    const deleting = await timeUntil(async () => (await r.count()) === 0, 'the row to go');
    assertWindowLongEnough(KEPT_WINDOW, deleting, 'a dismissed delete');
    const list = await send(dash, { type: 'sites/list' });
    assert.equal(list.sites.some((s) => s.id === site), false);
    assert.deepEqual(await storeCall('usage', site), { captures: 0, bytes: 0 });
    const totalsAfter = await storeCall('totals');
    assert.equal(totalsBefore.captures - totalsAfter.captures, 2, 'its captures are gone');
    assert.equal(totalsBefore.bytes - totalsAfter.bytes, usage.bytes, 'and the bodies only it used');
    assert.equal((await storeCall('pages', site)).length, 0);
  } finally {
    await dash.close();
    await server.close();
  }
});

test('mirror text is shown as text: no element is created from a site id or URL, no script runs', async () => {
  const id = `https://evil.example/${ATTACK}/`;
  const startUrl = `https://evil.example/${ATTACK}"><script>alert(2)</script>`;
  await storeCall('putSite', { id, startUrl, created: 1, updated: 1, settings: {} });
  const { page, dialogs } = await openDashboard();
  try {
    const r = row(page, id);
    await r.waitFor();
    assert.equal(await r.locator('.site-id').textContent(), id);
    assert.equal(await r.locator('.site-start').textContent(), startUrl);
    assert.equal(await page.locator('img').count(), 0);
    assert.equal(await page.locator('#sites script').count(), 0);
    await quiet(500);
    assert.deepEqual(dialogs, []);
    assertWindowLongEnough(500, await dialogControl(page, dialogs), 'the site list');
    const [viewer] = await Promise.all([browser.ext.ctx.waitForEvent('page'), r.getByRole('button', { name: 'Open' }).click()]);
    await viewer.waitForURL(/\/view\.html\?url=/);
    assert.equal(new URL(viewer.url()).searchParams.get('url'), startUrl);
    await viewer.close();
  } finally {
    await page.close();
  }
  // The popup on an offline copy of an attacker-named page.
  const { page: popup, dialogs: popupDialogs } = await openPage(popupUrl(extUrl(`view.html?url=${encodeURIComponent(startUrl)}`)));
  try {
    await popup.waitForSelector('body[data-state]');
    assert.equal(await popup.isVisible('#offline'), true);
    assert.equal(await popup.locator('img').count(), 0);
    await quiet(500);
    assert.deepEqual(popupDialogs, []);
    assertWindowLongEnough(500, await dialogControl(popup, popupDialogs), 'the popup');
  } finally {
    await popup.close();
  }
  await storeCall('deleteSite', id);
});

test('screenshots of the popup and the dashboard (target/test-logs/screenshots/)', async () => {
  await mkdir(SHOTS, { recursive: true });
  const server = await startServer({ routes: { ...SITE } });
  await captureFrom(browser.ext, server.origin, PATHS);
  const { page: popup } = await openPage();
  try {
    await popup.setViewportSize({ width: 332, height: 220 });
    await popup.goto(popupUrl(`${server.origin}/index.html`));
    await popup.waitForSelector('body[data-state=mirrored]');
    await popup.waitForSelector('#engine-status[data-state]');
    await popup.screenshot({ path: path.join(SHOTS, 'popup.png'), fullPage: true });
  } finally {
    await popup.close();
  }
  const { page: dash } = await openPage();
  try {
    await dash.setViewportSize({ width: 1000, height: 640 });
    await dash.goto(extUrl('dashboard/dashboard.html'));
    await dash.waitForSelector('body[data-state=ready]');
    await dash.screenshot({ path: path.join(SHOTS, 'dashboard.png'), fullPage: true });
  } finally {
    await dash.close();
    await server.close();
  }
});
