/**
 * End-to-end: the mirror store's JS API (MirrorStore) inside the built extension's service worker, on the
 * browser's real IndexedDB: versions, dedup, Blob bodies, coded errors, and data surviving a SW restart.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchExtension, stopServiceWorker, extensionWorker } from './lib/browser.mjs';

/** @type {Awaited<ReturnType<typeof launchExtension>>} */
let ext;
before(async () => {
  ext = await launchExtension();
});
after(async () => {
  await ext?.close();
});

/**
 * Runs `fn(arg)` in the extension's service worker. Playwright sends the function's source over CDP, which the
 * extension's CSP doesn't apply to; each function awaits the engine itself.
 */
function inWorker(fn, arg) {
  return extensionWorker(ext.ctx).evaluate(fn, arg);
}

test('captures, versions, dedup and Blob bodies through MirrorStore in the extension SW', async () => {
  const r = await inWorker(async () => {
    await globalThis.sitemirror.ready;
    const { engine } = globalThis.sitemirror;
    const store = await engine.MirrorStore.open('e2e-store', undefined);
    const site = 'https://example.com/';
    await store.putSite({ id: site, startUrl: site, created: 1, updated: 1, settings: {} });
    const html = (s) => new TextEncoder().encode(`<p>${s}</p>`);
    const headers = [['content-type', 'text/html'], ['etag', '"v1"']];
    const [first] = await store.putCaptures([{ site, url: `${site}a`, at: 1000, status: 200, headers, body: html('one') }]);
    await store.putCaptures([
      { site, url: `${site}a`, at: 2000, status: 200, headers, body: html('two') },
      { site, url: `${site}b`, at: 2000, status: 200, headers, body: html('two') },
      { site, url: `${site}a`, at: 3000, status: 503, headers, body: html('down') },
      { site, url: `${site}a`, at: 4000, status: 200, headers, unchanged: first.digest },
    ]);
    const video = new Blob([new Uint8Array(3 << 20).fill(7)], { type: 'video/mp4' });
    await store.putCaptures([{ site, url: `${site}v.mp4`, at: 1, status: 200, headers: [['content-type', 'video/mp4']], body: video }]);
    const latest = await store.lookup(`${site}a`, undefined);
    const closest = await store.lookup(`${site}a`, { at: 1900 });
    const body = await store.body(latest.digest);
    const videoCapture = await store.lookup(`${site}v.mp4`, undefined);
    const videoBody = await store.body(videoCapture.digest);
    const result = {
      versions: (await store.versions(`${site}a`)).map((c) => [c.at, c.status]),
      latestAt: latest.at,
      latestText: new TextDecoder().decode(body),
      closestAt: closest.at,
      totals: await store.totals(),
      pages: (await store.pages(site)).map((c) => c.url),
      usage: await store.usage(site),
      videoIsBlob: videoBody instanceof Blob,
      videoSize: videoBody.size,
      sites: (await store.sites()).map((s) => s.id),
    };
    store.close();
    return result;
  });
  assert.deepEqual(r.versions, [[4000, 200], [3000, 503], [2000, 200], [1000, 200]]);
  assert.equal(r.latestAt, 4000, 'the 304 refresh is the newest good version');
  assert.equal(r.latestText, '<p>one</p>', 'and it carries the body it confirmed');
  assert.equal(r.closestAt, 2000);
  // Bodies: one, two (shared by a@2000 and b), down, and the video: 4 payloads for 6 captures.
  assert.deepEqual(r.totals, { captures: 6, payloads: 4, bytes: 10 + 10 + 11 + (3 << 20) });
  assert.deepEqual(r.pages, ['https://example.com/a', 'https://example.com/b']);
  assert.equal(r.usage.captures, 6);
  assert.equal(r.videoIsBlob, true, 'a Blob body comes back as a Blob');
  assert.equal(r.videoSize, 3 << 20);
  assert.deepEqual(r.sites, ['https://example.com/']);
});

test('store errors reach JS with stable codes and leave the store consistent', async () => {
  const r = await inWorker(async () => {
    await globalThis.sitemirror.ready;
    const { engine } = globalThis.sitemirror;
    const store = await engine.MirrorStore.open('e2e-errors', { budget: 1000, maxBody: 800 });
    const site = 'https://example.com/';
    const bytes = (n) => new Uint8Array(n).fill(n % 251);
    const code = (p) => p.then(() => null, (e) => ({ name: e.name, code: e.code, message: e.message }));
    await store.putCaptures([{ site, url: `${site}1`, at: 1, status: 200, body: bytes(600) }]);
    const result = {
      quota: await code(store.putCaptures([{ site, url: `${site}2`, at: 1, status: 200, body: bytes(700) }])),
      tooLarge: await code(store.putCaptures([{ site, url: `${site}3`, at: 1, status: 200, body: bytes(900) }])),
      missing: await code(store.putCaptures([{ site, url: `${site}4`, at: 1, status: 200, unchanged: 'f'.repeat(64) }])),
      noBody: await code(store.putCaptures([{ site, url: `${site}5`, at: 1, status: 200, body: 'a string' }])),
      totals: await store.totals(),
    };
    store.close();
    return result;
  });
  assert.equal(r.quota.code, 'store/quota-exceeded');
  assert.equal(r.quota.name, 'SitemirrorError');
  assert.match(r.quota.message, /nothing was written/);
  assert.equal(r.tooLarge.code, 'store/too-large');
  assert.equal(r.missing.code, 'store/missing-payload');
  assert.equal(r.noBody.code, 'options/invalid');
  assert.deepEqual(r.totals, { captures: 1, payloads: 1, bytes: 600 }, 'failed writes left nothing behind');
});

test('stored captures survive the extension service worker being stopped', async () => {
  await inWorker(async () => {
    await globalThis.sitemirror.ready;
    const { engine } = globalThis.sitemirror;
    const store = await engine.MirrorStore.open('e2e-restart', undefined);
    const body = new TextEncoder().encode('still here');
    await store.putCaptures([{ site: 'https://example.com/', url: 'https://example.com/kept', at: 5, status: 200, body }]);
    store.close();
  });
  const page = await ext.ctx.newPage();
  await page.goto(`chrome-extension://${ext.extensionId}/popup/popup.html`);
  await stopServiceWorker(ext.ctx, page);
  // The next extension page load starts a fresh worker.
  await page.reload();
  const text = await inWorker(async () => {
    await globalThis.sitemirror.ready;
    const { engine } = globalThis.sitemirror;
    const store = await engine.MirrorStore.open('e2e-restart', undefined);
    const c = await store.lookup('https://example.com/kept', undefined);
    const body = await store.body(c.digest);
    store.close();
    return new TextDecoder().decode(body);
  });
  assert.equal(text, 'still here');
  await page.close();
});

test('the crawl frontier: enqueue, take shallowest first, settle with the capture, count', async () => {
  const r = await inWorker(async () => {
    await globalThis.sitemirror.ready;
    const { engine } = globalThis.sitemirror;
    const store = await engine.MirrorStore.open('e2e-frontier', undefined);
    const site = 'https://example.com/';
    const entry = (url, depth) => ({ site, url, depth, page: true, state: 'queued', updated: 0 });
    const added = await store.enqueue([entry(`${site}deep`, 3), entry(site, 0), entry(`${site}a`, 1)]);
    const first = (await store.queued(site, 1)).map((e) => e.url);
    await store.record(
      [{ site, url: site, at: 5, status: 200, headers: [['content-type', 'text/html']], body: new Uint8Array([60]) }],
      [{ site, url: site, state: 'done', at: 5 }, { site, url: `${site}deep`, state: 'skipped', reason: 'crawl/depth: deeper than 2', at: 5 }],
    );
    const again = await store.enqueue([entry(site, 0)]);
    const counts = await store.frontierCounts(site);
    const reasons = (await store.frontier(site)).filter((e) => e.reason).map((e) => [e.url, e.reason]);
    const bad = await store.enqueue([{ site }]).then(() => null, (e) => e.code);
    store.close();
    return { added, first, again, counts, reasons, bad };
  });
  assert.equal(r.added, 3);
  assert.deepEqual(r.first, ['https://example.com/']);
  assert.equal(r.again, 0, 'a known URL is not queued twice');
  assert.deepEqual(r.counts, { queued: 1, done: 1, failed: 0, skipped: 1 });
  assert.deepEqual(r.reasons, [['https://example.com/deep', 'crawl/depth: deeper than 2']]);
  assert.equal(r.bad, 'options/invalid');
});
