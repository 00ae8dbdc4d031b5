/**
 * End-to-end: the built extension and site worker in real Chromium (Debian's, via playwright-core).
 * Run after ./build.sh:  node --test --test-concurrency=1 tests/e2e/
 *
 * One browser for the whole file keeps the run short; each test opens its own pages.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { launchExtension, stopServiceWorker, isServiceWorkerRunning, extensionWorker, ROOT } from './lib/browser.mjs';
import { startServer } from './lib/server.mjs';

const SEMVER = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;
/** The engine reports the crate's version; read it from the manifest it is built from. */
const CRATE_VERSION = readFileSync(path.join(ROOT, 'crate/Cargo.toml'), 'utf8').match(/^version = "([^"]+)"/m)[1];
const STEP_TIMEOUT = 10_000;

const PAGE_HTML =
  '<!doctype html><html><head><title>t</title><link rel=stylesheet href="s.css"></head>' +
  '<body><img src="/a.png"><a href="b.html">b</a><script>alert(1)</script></body></html>';

/** @type {Awaited<ReturnType<typeof launchExtension>>} */
let ext;
/** An origin that is never supposed to be contacted: the engine is pure, rewriting must not fetch. */
let quiet;

before(async () => {
  ext = await launchExtension();
  quiet = await startServer({ routes: {} });
});
after(async () => {
  await ext?.close();
  await quiet?.close();
});

/** Rejects instead of hanging the run when a browser event never comes. */
function within(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Opens an extension page (pages are where chrome.runtime.sendMessage is called from). */
async function openPopup() {
  const page = await ext.ctx.newPage();
  await page.goto(`chrome-extension://${ext.extensionId}/popup/popup.html`);
  return page;
}

/** Parses HTML in a page (DOMParser runs no scripts and loads nothing) and reads the interesting bits. */
function inspectHtml(page, html) {
  return page.evaluate((html) => {
    const doc = new DOMParser().parseFromString(html, 'text/html');
    return {
      img: doc.querySelector('img')?.getAttribute('src'),
      css: doc.querySelector('link[rel=stylesheet]')?.getAttribute('href'),
      a: doc.querySelector('a')?.getAttribute('href'),
      scripts: doc.querySelectorAll('script').length,
      title: doc.title,
    };
  }, html);
}

describe('extension: engine in the background service worker', () => {
  test('the extension loads, its SW starts and the engine initialises', async () => {
    const sw = extensionWorker(ext.ctx);
    assert.ok(sw, 'extension service worker is running');
    assert.match(ext.extensionId, /^[a-p]{32}$/);
    const version = await sw.evaluate(async () => {
      await globalThis.sitemirror.ready;
      return globalThis.sitemirror.engine.version();
    });
    assert.match(version, SEMVER);
    assert.equal(version, CRATE_VERSION);
  });

  test('rewriteHtml / extractLinks / mirrorUrl round trip through the exported API', async () => {
    const url = `${quiet.origin}/dir/index.html`;
    const r = await extensionWorker(ext.ctx).evaluate(
      async ({ html, url }) => {
        const { engine, ready } = globalThis.sitemirror;
        await ready;
        const prefix = chrome.runtime.getURL('m/');
        const bytes = new TextEncoder().encode(html);
        const out = engine.rewriteHtml(bytes, { url, mirrorPrefix: prefix });
        const links = engine.extractLinks(bytes, { url });
        const caught = (fn) => {
          try {
            fn();
            return null;
          } catch (e) {
            return { isError: e instanceof Error, name: e.name, code: e.code };
          }
        };
        const img = engine.mirrorUrl(new URL('/a.png', url).href, prefix);
        return {
          prefix,
          outIsBytes: out instanceof Uint8Array,
          html: new TextDecoder().decode(out),
          pages: Array.from(links.pages),
          resources: Array.from(links.resources),
          expected: {
            img,
            css: engine.mirrorUrl(new URL('s.css', url).href, prefix),
            a: engine.mirrorUrl(new URL('b.html', url).href, prefix),
          },
          back: engine.originalUrl(img, prefix),
          notMirror: engine.originalUrl('https://example.com/a.png', prefix),
          badUrl: caught(() => engine.rewriteHtml(bytes, { url: 'not a url', mirrorPrefix: prefix })),
          badMode: caught(() => engine.rewriteHtml(bytes, { url, mirrorPrefix: prefix, mode: 'bogus' })),
        };
      },
      { html: PAGE_HTML, url },
    );

    const hostPort = `127.0.0.1:${quiet.port}`;
    assert.equal(r.prefix, `chrome-extension://${ext.extensionId}/m/`);
    assert.equal(r.outIsBytes, true, 'rewriteHtml returns a Uint8Array');
    // One expectation spelled out literally, so a wrong mirrorUrl can't make the test agree with itself.
    assert.equal(r.expected.img, `chrome-extension://${ext.extensionId}/m/http/${hostPort}/a.png`);
    assert.equal(r.expected.css, `chrome-extension://${ext.extensionId}/m/http/${hostPort}/dir/s.css`);

    const page = await ext.ctx.newPage();
    try {
      const got = await inspectHtml(page, r.html);
      assert.equal(got.img, r.expected.img);
      assert.equal(got.css, r.expected.css);
      assert.equal(got.a, r.expected.a, 'links stay inside the mirror');
      assert.equal(got.scripts, 0, 'static replay removes <script>');
      assert.equal(got.title, 't');
      assert.doesNotMatch(r.html, /alert\(1\)/);
    } finally {
      await page.close();
    }

    assert.deepEqual(r.pages, [`${quiet.origin}/dir/b.html`]);
    assert.deepEqual(r.resources, [`${quiet.origin}/dir/s.css`, `${quiet.origin}/a.png`]);
    assert.deepEqual(r.back, { url: `${quiet.origin}/a.png` });
    assert.equal(r.notMirror, null);

    assert.ok(r.badUrl, 'an invalid document URL throws');
    assert.equal(r.badUrl.isError, true);
    assert.equal(r.badUrl.name, 'SitemirrorError');
    assert.ok(['url/invalid', 'options/invalid'].includes(r.badUrl.code), `code was ${r.badUrl.code}`);
    assert.deepEqual(r.badMode, { isError: true, name: 'SitemirrorError', code: 'options/invalid' });

    assert.deepEqual(quiet.requests, [], 'the engine itself never touches the network');
  });

  test('runtime messages from an extension page reach the engine', async () => {
    const page = await openPopup();
    try {
      // The popup asks for the status on load and shows it.
      await page.waitForSelector('#engine-status[data-state]', { timeout: STEP_TIMEOUT });
      assert.equal(await page.textContent('#engine-status'), `v${CRATE_VERSION}`);

      const status = await page.evaluate(() => chrome.runtime.sendMessage({ type: 'engine/status' }));
      assert.deepEqual(status, { ok: true, version: CRATE_VERSION });

      const invalid = await page.evaluate(() =>
        Promise.all([
          chrome.runtime.sendMessage({ type: 'engine/nope' }),
          chrome.runtime.sendMessage('engine/status'),
          chrome.runtime.sendMessage({ type: 'engine/rewrite', html: 42, url: 'https://example.com/' }),
        ]),
      );
      for (const res of invalid) {
        assert.equal(res.ok, false);
        assert.equal(res.error.code, 'message/invalid');
      }

      const url = `${quiet.origin}/dir/index.html`;
      const rw = await page.evaluate((m) => chrome.runtime.sendMessage(m), { type: 'engine/rewrite', html: PAGE_HTML, url });
      assert.equal(rw.ok, true);
      const got = await inspectHtml(page, rw.html);
      assert.equal(got.img, `chrome-extension://${ext.extensionId}/m/http/127.0.0.1:${quiet.port}/a.png`);
      assert.equal(got.scripts, 0);

      const bad = await page.evaluate(() =>
        chrome.runtime.sendMessage({ type: 'engine/rewrite', html: '<p>x</p>', url: 'not a url' }),
      );
      assert.equal(bad.ok, false);
      assert.ok(['url/invalid', 'options/invalid'].includes(bad.error.code), `engine code passed through: ${bad.error.code}`);
    } finally {
      await page.close();
    }
  });

  test('a stopped SW restarts on the next message or page load and initialises the engine again', async () => {
    const prefix = `chrome-extension://${ext.extensionId}/`;
    const page = await openPopup();
    try {
      for (const wake of ['message', 'reload']) {
        // Playwright keeps one Worker object across restarts (see stopServiceWorker): a marker in the
        // old instance's global scope tells the instances apart.
        const sw = extensionWorker(ext.ctx);
        await sw.evaluate(() => {
          globalThis.e2eMarker = 'old';
        });
        assert.equal(await stopServiceWorker(ext.ctx, page, prefix), 1);
        assert.equal(await isServiceWorkerRunning(ext.ctx, page, prefix), false, `stopped before the ${wake} round`);

        if (wake === 'message') {
          const status = await page.evaluate(() => chrome.runtime.sendMessage({ type: 'engine/status' }));
          assert.deepEqual(status, { ok: true, version: CRATE_VERSION });
        } else {
          await page.reload();
          await page.waitForSelector('#engine-status[data-state=ready]', { timeout: STEP_TIMEOUT });
          assert.equal(await page.textContent('#engine-status'), `v${CRATE_VERSION}`);
        }
        assert.equal(await isServiceWorkerRunning(ext.ctx, page, prefix), true, `restarted by the ${wake}`);
        const state = await within(
          extensionWorker(ext.ctx).evaluate(async () => {
            await globalThis.sitemirror.ready;
            return { marker: globalThis.e2eMarker ?? null, version: globalThis.sitemirror.engine.version() };
          }),
          STEP_TIMEOUT,
          'evaluate in the restarted SW',
        );
        assert.deepEqual(state, { marker: null, version: CRATE_VERSION }, 'a new worker instance with its own engine');
      }
    } finally {
      await page.close();
    }
  });
});

describe('site worker (worker/sw.js on a local origin)', () => {
  const INDEX = '<!doctype html><title>site</title><h1>A site</h1><script src="/register.js" defer></script>';

  /** Asks the page's controlling worker over a MessageChannel. */
  const ask = (page, msg) =>
    page.evaluate(
      ({ msg, ms }) =>
        new Promise((resolve, reject) => {
          const sw = navigator.serviceWorker.controller;
          if (!sw) return reject(new Error('page is not controlled'));
          const ch = new MessageChannel();
          const timer = setTimeout(() => reject(new Error('no answer from the worker')), ms);
          ch.port1.onmessage = (e) => {
            clearTimeout(timer);
            resolve(e.data);
          };
          sw.postMessage(msg, [ch.port2]);
        }),
      { msg, ms: STEP_TIMEOUT },
    );

  test('registers, answers messages, and restarts from the Cache API while the origin is down', async () => {
    const site = await startServer({
      dir: path.join(ROOT, 'dist/worker'),
      routes: { '/': INDEX, '/index.html': INDEX },
    });
    const page = await ext.ctx.newPage();
    try {
      await page.goto(`${site.origin}/`);
      const scope = await page.evaluate(() =>
        navigator.serviceWorker.ready.then((reg) => reg.scope),
      );
      assert.equal(scope, `${site.origin}/`);
      // Reload once so the page is controlled regardless of clients.claim timing.
      await page.reload();
      assert.equal(await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL), `${site.origin}/sw.js`);

      assert.deepEqual(await ask(page, { type: 'engine/status' }), { ok: true, version: CRATE_VERSION });
      assert.equal((await ask(page, { type: 'nope' })).error.code, 'message/invalid');

      const rw = await ask(page, { type: 'engine/rewrite', html: PAGE_HTML, url: `${site.origin}/dir/index.html` });
      assert.equal(rw.ok, true);
      const got = await inspectHtml(page, rw.html);
      assert.equal(got.img, `${site.origin}/__sitemirror/m/http/127.0.0.1:${site.port}/a.png`);
      assert.equal(got.scripts, 0);

      const cached = await page.evaluate(async () => {
        const cache = await caches.open('sitemirror-engine-v1');
        return (await cache.keys()).map((r) => new URL(r.url).pathname).sort();
      });
      assert.deepEqual(cached, ['/pkg/sitemirror.js', '/pkg/sitemirror_bg.wasm']);

      // Origin down: connections are refused from now on (and no-store kept the HTTP cache out of it).
      await site.close();
      await assert.rejects(fetch(`${site.origin}/pkg/sitemirror_bg.wasm`));

      const prefix = `${site.origin}/`;
      const sw = ext.ctx.serviceWorkers().find((w) => w.url() === `${site.origin}/sw.js`);
      assert.ok(sw, 'playwright sees the site worker');
      await sw.evaluate(() => {
        globalThis.e2eMarker = 'old';
      });
      assert.equal(await stopServiceWorker(ext.ctx, page, prefix), 1);
      assert.equal(await isServiceWorkerRunning(ext.ctx, page, prefix), false);

      // The message starts the stopped worker; its engine can only come from the Cache API now.
      assert.deepEqual(await ask(page, { type: 'engine/status' }), { ok: true, version: CRATE_VERSION });
      assert.equal(await isServiceWorkerRunning(ext.ctx, page, prefix), true);
      const marker = await within(sw.evaluate(() => globalThis.e2eMarker ?? null), STEP_TIMEOUT, 'evaluate in site SW');
      assert.equal(marker, null, 'a new worker instance answered');
    } finally {
      await page.close();
      await site.close();
    }
  });
});
