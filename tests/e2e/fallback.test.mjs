/**
 * End-to-end: automatic offline fallback in the built extension. A site is captured, then its origin is
 * stopped (connection refused) or answers 503: navigating there lands on the viewer with the banner and the
 * mirrored page — styled — within a second or two; also after the extension's service worker was stopped.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchExtension, stopServiceWorker } from './lib/browser.mjs';
import { startServer } from './lib/server.mjs';
import { captureFrom } from './lib/mirror.mjs';
import { assertWindowLongEnough, quiet } from './lib/wait.mjs';
import { existsSync, readFileSync } from 'node:fs';

// A real font file to mirror: the system's (Debian's chromium pulls in fonts-liberation; DejaVu is common too).
const FONT_FILE = [
  '/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf',
  '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
].find((f) => existsSync(f));

const SITE = {
  '/index.html':
    '<!doctype html><title>Home</title><link rel=stylesheet href="style.css"><h1>Welcome home</h1><a href="about.html">about</a>' +
    '<img src="never-captured.png" alt="">',
  '/about.html': '<!doctype html><title>About</title><h1>About</h1>',
  '/style.css':
    '@font-face { font-family: MirrorFont; src: url(fonts/mirror.ttf); } h1 { color: rgb(0, 128, 0); font-family: MirrorFont; }',
  ...(FONT_FILE ? { '/fonts/mirror.ttf': readFileSync(FONT_FILE) } : {}),
};
const PATHS = Object.keys(SITE);

let ext;
before(async () => {
  ext = await launchExtension();
});
after(async () => {
  await ext?.close();
});

/** How long a 500 is watched for not falling back by default (the enabled fallback must take under half of it). */
const DEFAULT_WINDOW = 1500;

/** Navigates, tolerating the navigation error a down origin causes, and waits for the viewer. */
async function openExpectingViewer(page, url) {
  const started = Date.now();
  await page.goto(url).catch(() => {});
  await page.waitForURL(/\/view\.html\?url=/, { timeout: 5000 });
  const fellBack = Date.now() - started;
  await page.waitForSelector('#captured[data-at]');
  const frame = page.frameLocator('#mirror');
  await frame.locator('h1').waitFor();
  return { ms: Date.now() - started, fellBack, frame };
}

test('origin down (connection refused): the tab shows the mirrored copy with its banner', async () => {
  const server = await startServer({ routes: { ...SITE } });
  await captureFrom(ext, server.origin, PATHS);
  await server.close();
  const page = await ext.ctx.newPage();
  try {
    const { ms, frame } = await openExpectingViewer(page, `${server.origin}/index.html`);
    assert.equal(await page.textContent('#banner strong'), 'Offline copy');
    assert.equal(new URL(page.url()).searchParams.get('url'), `${server.origin}/index.html`);
    assert.equal(await frame.locator('h1').textContent(), 'Welcome home');
    const color = await frame.locator('h1').evaluate((h) => getComputedStyle(h).color);
    assert.equal(color, 'rgb(0, 128, 0)', 'the mirrored stylesheet applies');
    if (FONT_FILE) {
      const font = await frame.locator('h1').evaluate(async () => {
        await document.fonts.load('16px MirrorFont');
        return [...document.fonts].find((f) => f.family.replace(/"/g, '') === 'MirrorFont')?.status;
      });
      assert.equal(font, 'loaded', 'the mirrored web font loads');
    }
    assert.ok(ms < 5000, `fallback took ${ms} ms`);
    // What the copy lacks is listed, and was not fetched live (the origin is down anyway; replay never tries).
    await page.waitForSelector('#missing:not([hidden])');
    assert.match(await page.textContent('#missing-summary'), /^1 resource missing/);
    assert.equal(await page.textContent('#missing-list li'), `${server.origin}/never-captured.png`);
    // Links inside the mirror navigate inside the mirror.
    await frame.locator('a').click();
    await frame.locator('h1', { hasText: 'About' }).waitFor();
    // The banner and the address follow the page the frame shows ("Try live" then retries that page).
    await page.waitForURL((u) => u.searchParams.get('url') === `${server.origin}/about.html`);
  } finally {
    await page.close();
  }
});

test('origin answers 503: the tab shows the mirrored copy', async () => {
  const server = await startServer({ routes: { ...SITE } });
  await captureFrom(ext, server.origin, PATHS);
  for (const path of PATHS) server.routes[path] = { status: 503, body: 'backend down' };
  const page = await ext.ctx.newPage();
  try {
    const { frame } = await openExpectingViewer(page, `${server.origin}/index.html`);
    assert.equal(await frame.locator('h1').textContent(), 'Welcome home');
  } finally {
    await page.close();
    await server.close();
  }
});

test('a healthy origin is left alone, and a 404 does not trigger the fallback', async () => {
  const server = await startServer({ routes: { ...SITE, '/gone.html': { status: 404, body: 'gone' } } });
  await captureFrom(ext, server.origin, PATHS);
  const page = await ext.ctx.newPage();
  try {
    await page.goto(`${server.origin}/index.html`);
    assert.equal(page.url(), `${server.origin}/index.html`, 'a healthy page stays');
    // The positive control first: a mirrored page answering 503 falls back; twice the time that took is what the
    // 404 gets to (not) fall back.
    server.routes['/about.html'] = { status: 503, body: 'down' };
    const asked = Date.now();
    await page.goto(`${server.origin}/about.html`).catch(() => {});
    await page.waitForURL(/\/view\.html\?url=/, { timeout: 5000 });
    const took = Date.now() - asked;
    await page.goto(`${server.origin}/gone.html`);
    await quiet(Math.max(500, 2 * took));
    assert.equal(page.url(), `${server.origin}/gone.html`);
  } finally {
    await page.close();
    await server.close();
  }
});

test('versions: the picker lists every capture and opens the one chosen', async () => {
  const server = await startServer({ routes: { ...SITE } });
  await captureFrom(ext, server.origin, PATHS, { at: Date.UTC(2026, 0, 1) });
  server.routes['/index.html'] = '<!doctype html><title>Home</title><h1>Welcome home, second edition</h1>';
  await captureFrom(ext, server.origin, ['/index.html'], { at: Date.UTC(2026, 5, 1) });
  await server.close();
  const page = await ext.ctx.newPage();
  try {
    const { frame } = await openExpectingViewer(page, `${server.origin}/index.html`);
    assert.equal(await frame.locator('h1').textContent(), 'Welcome home, second edition', 'the latest is served');
    assert.equal(await page.textContent('#count'), '2 versions');
    await page.selectOption('#versions', new Date(Date.UTC(2026, 0, 1)).toISOString());
    await page.waitForURL(/&at=/);
    await page.frameLocator('#mirror').locator('h1', { hasText: /^Welcome home$/ }).waitFor();
  } finally {
    await page.close();
  }
});

test('a page never captured on a mirrored site offers the closest mirrored page', async () => {
  const server = await startServer({ routes: { ...SITE } });
  await captureFrom(ext, server.origin, PATHS);
  await server.close();
  const page = await ext.ctx.newPage();
  try {
    await page.goto(`${server.origin}/about-team.html`).catch(() => {});
    await page.waitForURL(/\/view\.html\?url=/, { timeout: 5000 });
    await page.waitForSelector('#suggestion');
    assert.match(await page.textContent('#none'), /not in the mirror/);
    assert.match(await page.getAttribute('#suggestion', 'href'), /about\.html/);
  } finally {
    await page.close();
  }
});

test('fallback works after the extension service worker was stopped (cold start)', async () => {
  const server = await startServer({ routes: { ...SITE } });
  await captureFrom(ext, server.origin, PATHS);
  await server.close();
  const page = await ext.ctx.newPage();
  try {
    await page.goto(`chrome-extension://${ext.extensionId}/popup/popup.html`);
    await stopServiceWorker(ext.ctx, page);
    await page.goto('about:blank');
    const { frame } = await openExpectingViewer(page, `${server.origin}/index.html`);
    assert.equal(await frame.locator('h1').textContent(), 'Welcome home');
  } finally {
    await page.close();
  }
});

test('triggers are settings: 500 falls back only once the user enables it on the dashboard', async () => {
  const server = await startServer({ routes: { ...SITE } });
  await captureFrom(ext, server.origin, PATHS);
  for (const path of PATHS) server.routes[path] = { status: 500, body: 'internal error' };
  const page = await ext.ctx.newPage();
  try {
    await page.goto(`${server.origin}/index.html`);
    await quiet(DEFAULT_WINDOW);
    assert.equal(page.url(), `${server.origin}/index.html`, 'by default a 500 is shown as it is');
    const dash = await ext.ctx.newPage();
    await dash.goto(`chrome-extension://${ext.extensionId}/dashboard/dashboard.html`);
    assert.equal(await dash.isChecked('#fallback-500'), false);
    assert.equal(await dash.isChecked('#fallback-5xx'), true);
    await dash.check('#fallback-500');
    await dash.waitForFunction(async () => (await chrome.storage.local.get('fallback')).fallback?.on500 === true);
    await dash.close();
    const { frame, fellBack } = await openExpectingViewer(page, `${server.origin}/about.html`);
    assert.equal(await frame.locator('h1').textContent(), 'About');
    assertWindowLongEnough(DEFAULT_WINDOW, fellBack, 'a 500 shown as it is');
  } finally {
    await page.evaluate(() => 0).catch(() => {});
    const reset = await ext.ctx.newPage();
    await reset.goto(`chrome-extension://${ext.extensionId}/dashboard/dashboard.html`);
    await reset.evaluate(() => chrome.storage.local.remove('fallback'));
    await reset.close();
    await page.close();
    await server.close();
  }
});
