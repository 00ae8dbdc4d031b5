/**
 * End-to-end: the site worker (dist/worker) deployed on a local origin the test controls, in real headless
 * Chromium. Each test gets its own origin and browser context (own service worker, caches and IndexedDB).
 * Run after ./build.sh:  node --test --test-concurrency=1 tests/e2e/worker.test.mjs
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import zlib from 'node:zlib';
import path from 'node:path';
import { startSite, launchChromium, ask, until, openControlled, WORKER_DIR } from './lib/site.mjs';
import { stopServiceWorker, isServiceWorkerRunning } from './lib/browser.mjs';
import { startServer } from './lib/server.mjs';

const SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><rect width="40" height="20" fill="#c33"/></svg>';
const CSS = 'body { background: rgb(1, 2, 3); } .hero { background-image: url(/img/bg.svg); min-height: 10px; }';

/** A page of the test site: stylesheet, image, a link, the one-tag install, and a script of the site's own. */
function page(title, { links = [], config = '/sitemirror.json', extra = '' } = {}) {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title>
<link rel="stylesheet" href="/css/site.css"></head>
<body><h1 id="title">${title}</h1><div class="hero"></div><img id="logo" src="/img/logo.svg" alt="">
${links.map((l) => `<a href="${l}">${l}</a>`).join(' ')}${extra}
<script>document.body.dataset.js = 'ran';</script>
<script src="/register.js" data-config="${config}" defer></script></body></html>`;
}

/** A fresh site: pages, assets, and the worker's config. */
function siteRoutes(config = {}) {
  return {
    '/': page('Home', { links: ['/about.html', '/private.html', '/blocked.html'] }),
    '/blocked.html': page('Disallowed by robots.txt'),
    '/robots.txt': 'User-agent: *\nDisallow: /blocked.html\n',
    '/about.html': page('About', { links: ['/', '/deep/never.html'] }),
    '/deep/never.html': page('Never visited', { extra: '<img id="only-here" src="/img/only-here.svg">' }),
    '/private.html': { body: page('Private'), headers: { 'Cache-Control': 'no-store' } },
    '/account.html': { body: page('Account'), headers: { 'Cache-Control': 'private, max-age=0' } },
    '/css/site.css': CSS,
    '/img/logo.svg': SVG,
    '/img/bg.svg': SVG,
    '/img/only-here.svg': SVG,
    '/sitemirror.json': JSON.stringify({ timeout: 1000, ...config }),
  };
}

/** @type {import('playwright-core').Browser} */
let browser;
const cleanups = [];
before(async () => {
  browser = await launchChromium();
});
after(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
  await browser?.close();
});

/** A site, a browser context and a page for one test. */
async function setup(config) {
  const site = await startSite(siteRoutes(config));
  const ctx = await browser.newContext();
  const tab = await ctx.newPage();
  cleanups.push(() => ctx.close(), () => site.close());
  return { site, ctx, tab };
}

/** Waits until the mirror holds every one of `paths`. */
async function mirrored(tab, site, paths) {
  const urls = paths.map((p) => site.origin + p);
  return until(async () => {
    const s = await ask(tab, { type: 'mirror/status', urls });
    return urls.every((u) => s.has[u] > 0) && s;
  }, `the mirror to hold ${paths.join(', ')}`);
}

/** What the page shows: the banner, its content, whether its stylesheet, images and own script worked. */
function looks(tab) {
  return tab.evaluate(async () => {
    const images = [...document.images];
    await Promise.all(images.map((i) => (i.complete ? null : new Promise((r) => (i.onload = i.onerror = r)))));
    const banner = document.getElementById('sitemirror-banner');
    return {
      title: document.getElementById('title')?.textContent,
      banner: banner ? banner.textContent : null,
      bannerFirst: document.body.firstElementChild?.id === 'sitemirror-banner',
      bannerTime: banner?.querySelector('time')?.getAttribute('datetime') ?? null,
      background: getComputedStyle(document.body).backgroundColor,
      images: Object.fromEntries(images.map((i) => [i.id, i.naturalWidth])),
      script: document.body.dataset.js ?? null,
    };
  });
}

test('visited pages are served from the mirror, with banner and assets, when the origin is down', async () => {
  const { site, tab } = await setup();
  await openControlled(tab, `${site.origin}/`);
  const online = await looks(tab);
  assert.equal(online.banner, null, 'no banner while the origin answers');
  await tab.goto(`${site.origin}/about.html`);
  await mirrored(tab, site, ['/', '/about.html', '/css/site.css', '/img/logo.svg', '/img/bg.svg']);
  const before = Date.now();

  await site.down();
  await tab.reload();
  const about = await looks(tab);
  assert.equal(about.title, 'About');
  assert.match(about.banner, /^Offline copy of this page, saved .+\.$/);
  assert.equal(about.bannerFirst, true, 'the banner starts the body');
  assert.ok(Math.abs(Date.parse(about.bannerTime) - before) < 60_000, `capture time in the banner: ${about.bannerTime}`);
  assert.equal(about.background, 'rgb(1, 2, 3)', 'the mirrored stylesheet applies');
  assert.deepEqual(about.images, { logo: 40 }, 'the mirrored image loads');
  assert.equal(about.script, 'ran', "the site's own scripts are kept (the owner's choice, see README)");

  // Navigate inside the offline copy: a link to another mirrored page.
  await Promise.all([tab.waitForURL(`${site.origin}/`), tab.click('a[href="/"]')]);
  const home = await looks(tab);
  assert.equal(home.title, 'Home');
  assert.match(home.banner, /Offline copy/);
  assert.equal(home.background, 'rgb(1, 2, 3)');
  const status = await ask(tab, { type: 'mirror/status' });
  assert.ok(status.served.some((s) => s.url === `${site.origin}/` && s.why === 'offline'), JSON.stringify(status.served));

  // A page that was never mirrored fails as it would without the worker (the browser's own error).
  await assert.rejects(tab.goto(`${site.origin}/deep/never.html`), /net::ERR_/);
});

test('the origin answering 503 (and 502, 504) gets the mirror; an unmirrored page gets the origin answer', async () => {
  const { site, tab } = await setup();
  await openControlled(tab, `${site.origin}/`);
  await tab.goto(`${site.origin}/about.html`);
  await mirrored(tab, site, ['/', '/about.html', '/css/site.css']);

  for (const status of [503, 502, 504]) {
    site.routes['/about.html'] = { status, body: '<!doctype html><title>down</title><p id=down>Service Unavailable' };
    const res = await tab.reload();
    assert.equal(res.status(), 200, `${status} → the mirrored copy`);
    const got = await looks(tab);
    assert.equal(got.title, 'About');
    assert.match(got.banner, /Offline copy/);
  }
  // Never mirrored: the visitor sees the origin's own 503 page, as without the worker.
  site.routes['/deep/never.html'] = { status: 503, body: '<!doctype html><title>down</title><p id=down>Service Unavailable' };
  const res = await tab.goto(`${site.origin}/deep/never.html`);
  assert.equal(res.status(), 503);
  assert.equal(await tab.textContent('#down'), 'Service Unavailable');
  // A 500 is not a "down" status by default: the origin's answer.
  site.routes['/about.html'] = { status: 500, body: '<!doctype html><title>err</title><p id=down>Oops' };
  assert.equal((await tab.goto(`${site.origin}/about.html`)).status(), 500);
});

test('an origin slower than the timeout gets the mirror; a slow unmirrored page still arrives', async () => {
  const { site, tab } = await setup({ timeout: 800 });
  await openControlled(tab, `${site.origin}/`);
  await tab.goto(`${site.origin}/about.html`);
  await mirrored(tab, site, ['/', '/about.html', '/css/site.css']);

  site.routes['/about.html'] = { delay: 6000, body: page('About, slowly') };
  const started = Date.now();
  await tab.reload();
  const took = Date.now() - started;
  const got = await looks(tab);
  assert.equal(got.title, 'About', 'the mirrored copy');
  assert.match(got.banner, /Offline copy/);
  assert.ok(took < 4000, `served after the 800 ms timeout, not after the origin's 6 s (took ${took} ms)`);

  // No copy to fall back to: the worker keeps waiting for the network, as the browser would have.
  site.routes['/slow-new.html'] = { delay: 1500, body: page('Slow but new') };
  await tab.goto(`${site.origin}/slow-new.html`);
  const slow = await looks(tab);
  assert.equal(slow.title, 'Slow but new');
  assert.equal(slow.banner, null);
});

test('precache: a never-visited page and its assets work offline', async () => {
  const { site, tab } = await setup({ precache: { pages: 10, depth: 3 } });
  await tab.goto(`${site.origin}/`);
  // register.js asks for the precache once the page is idle; wait until the crawl is done.
  const status = await until(async () => {
    const s = await ask(tab, { type: 'mirror/status', urls: [`${site.origin}/deep/never.html`, `${site.origin}/img/only-here.svg`, `${site.origin}/blocked.html`] });
    return s.precache.state === 'done' && s;
  }, 'the precache to finish', 30_000);
  assert.ok(status.has[`${site.origin}/deep/never.html`] > 0, JSON.stringify(status));
  assert.ok(status.has[`${site.origin}/img/only-here.svg`] > 0);
  assert.equal(status.has[`${site.origin}/blocked.html`], 0, "the crawl policy obeys the site's robots.txt");
  assert.ok(status.frontier.skipped >= 2, `no-store and robots-disallowed pages skipped: ${JSON.stringify(status.frontier)}`);
  assert.ok(!status.pages.includes(`${site.origin}/private.html`), 'a no-store page is not precached either');
  const crawled = site.requests.filter((r) => r.path === '/deep/never.html');
  assert.ok(crawled.length >= 1 && crawled.every((r) => !r.headers.cookie), 'fetched by the worker, without credentials');

  await site.down();
  await tab.goto(`${site.origin}/deep/never.html`);
  const got = await looks(tab);
  assert.equal(got.title, 'Never visited');
  assert.match(got.banner, /Offline copy/);
  assert.deepEqual(got.images, { logo: 40, 'only-here': 40 });
  assert.equal(got.background, 'rgb(1, 2, 3)');
});

test('precache: pages only a gzipped sitemap lists are mirrored; a gzip-bomb sitemap is skipped, not followed', async () => {
  const routes = siteRoutes({ precache: { pages: 10, depth: 3 } });
  routes['/only-in-sitemap.html'] = page('Only in the sitemap');
  routes['/behind-bomb.html'] = page('Behind the bomb');
  const site = await startSite(routes);
  const ctx = await browser.newContext();
  const tab = await ctx.newPage();
  cleanups.push(() => ctx.close(), () => site.close());
  const o = site.origin;
  const NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"';
  routes['/robots.txt'] += `\nSitemap: ${o}/bomb.xml.gz\nSitemap: ${o}/pages.xml.gz\n`;
  // Served as files: gzip bytes with no Content-Encoding, as sites publish sitemap.xml.gz.
  const gz = (xml) => ({ body: zlib.gzipSync(xml), headers: { 'Content-Type': 'application/gzip' } });
  routes['/pages.xml.gz'] = gz(`<?xml version="1.0"?><urlset ${NS}><url><loc>${o}/only-in-sitemap.html</loc></url></urlset>`);
  routes['/bomb.xml.gz'] = gz(Buffer.concat([Buffer.from(`<urlset ${NS}>`), Buffer.alloc(64 << 20, 0x20), Buffer.from(`<url><loc>${o}/behind-bomb.html</loc></url></urlset>`)]));

  await tab.goto(`${o}/`);
  const urls = [`${o}/only-in-sitemap.html`, `${o}/behind-bomb.html`];
  const status = await until(async () => {
    const s = await ask(tab, { type: 'mirror/status', urls });
    return s.precache.state === 'done' && s;
  }, 'the precache to finish', 30_000);
  assert.ok(status.has[`${o}/only-in-sitemap.html`] > 0, JSON.stringify(status));
  assert.equal(status.has[`${o}/behind-bomb.html`], 0, 'nothing past the 50 MB sitemap limit is read');
  assert.ok(!site.requests.some((r) => r.path === '/behind-bomb.html'));
  assert.equal(site.requests.filter((r) => r.path === '/pages.xml.gz').length, 1);
});

test('POST, cross-origin and Authorization requests pass through untouched', async () => {
  const { site, tab } = await setup();
  const other = await startServer({ routes: { '/pic.svg': { body: SVG, headers: { 'Access-Control-Allow-Origin': '*' } } } });
  cleanups.push(() => other.close());
  site.routes['/api'] = (req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache' }).end(JSON.stringify({ method: req.method, body })));
  };
  site.routes['/form.html'] = page('Form', { extra: `<form method=post action="/api"><input name=q value=hi><button id=send>go</button></form><img id=cross src="${other.origin}/pic.svg">` });
  await openControlled(tab, `${site.origin}/form.html`);
  await tab.reload();

  const byWorker = async (urlPart, action) => {
    const [res] = await Promise.all([tab.waitForResponse((r) => r.url().includes(urlPart)), action()]);
    return { fromSw: res.fromServiceWorker(), status: res.status(), method: res.request().method() };
  };
  // Control: a same-origin GET is answered by the worker.
  assert.equal((await byWorker('/css/site.css', () => tab.evaluate(() => fetch('/css/site.css?x=1').then((r) => r.text())))).fromSw, true);
  const post = await byWorker('/api', () => tab.evaluate(() => fetch('/api', { method: 'POST', body: 'payload' }).then((r) => r.json())));
  assert.deepEqual(post, { fromSw: false, status: 200, method: 'POST' });
  const cross = await byWorker(`${other.origin}/pic.svg`, () => tab.evaluate((u) => fetch(u).then((r) => r.text()), `${other.origin}/pic.svg?y=1`));
  assert.equal(cross.fromSw, false, 'cross-origin GET untouched');
  const auth = await byWorker('/api', () => tab.evaluate(() => fetch('/api?auth', { headers: { Authorization: 'Bearer t' } }).then((r) => r.json())));
  assert.equal(auth.fromSw, false, 'a request carrying Authorization untouched');
  // A form POST navigation reaches the origin with its body.
  await Promise.all([tab.waitForURL(`${site.origin}/api`), tab.click('#send')]);
  assert.deepEqual(JSON.parse(await tab.textContent('body')), { method: 'POST', body: 'q=hi' });

  const status = await ask(tab, { type: 'mirror/status', urls: [`${site.origin}/api`, `${site.origin}/api?auth`, `${other.origin}/pic.svg`, `${site.origin}/css/site.css`] });
  assert.deepEqual(status.has, { [`${site.origin}/api`]: 0, [`${site.origin}/api?auth`]: 0, [`${other.origin}/pic.svg`]: 0, [`${site.origin}/css/site.css`]: 1 });
});

test('no-store and private pages are not mirrored', async () => {
  const { site, tab } = await setup();
  await openControlled(tab, `${site.origin}/`);
  await tab.goto(`${site.origin}/private.html`);
  await tab.goto(`${site.origin}/account.html`);
  await tab.goto(`${site.origin}/about.html`);
  await mirrored(tab, site, ['/', '/about.html']);
  const status = await ask(tab, { type: 'mirror/status', urls: [`${site.origin}/private.html`, `${site.origin}/account.html`] });
  assert.equal(status.has[`${site.origin}/private.html`], 0, 'Cache-Control: no-store is not mirrored');
  assert.equal(status.has[`${site.origin}/account.html`], 0, 'Cache-Control: private is not mirrored');

  await site.down();
  await tab.goto(`${site.origin}/about.html`);
  assert.match((await looks(tab)).banner, /Offline copy/, 'the mirror works');
  await assert.rejects(tab.goto(`${site.origin}/private.html`), /net::ERR_/, 'but has no copy of the no-store page');
});

test('a worker update keeps the mirror', async () => {
  const { site, tab } = await setup();
  await openControlled(tab, `${site.origin}/`);
  await tab.goto(`${site.origin}/about.html`);
  await mirrored(tab, site, ['/', '/about.html', '/css/site.css', '/img/logo.svg']);

  // Deploy a new sw.js (different bytes) and let the browser update to it.
  const v2 = readFileSync(path.join(WORKER_DIR, 'sw.js'), 'utf8') + '\nself.e2eVersion = 2;\n';
  site.routes['/sw.js'] = { body: v2, headers: { 'Content-Type': 'text/javascript', 'Cache-Control': 'no-store' } };
  const changed = await tab.evaluate(async () => {
    const reg = await navigator.serviceWorker.ready;
    const old = reg.active;
    const swapped = new Promise((resolve) => navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true }));
    await reg.update();
    await swapped;
    return old !== navigator.serviceWorker.controller;
  });
  assert.equal(changed, true, 'a new worker took over');
  const worker = tab.context().serviceWorkers().find((w) => w.url().startsWith(site.origin));
  assert.equal(await until(() => worker.evaluate(() => self.e2eVersion ?? null), 'the new version'), 2);

  await site.down();
  await tab.reload();
  const got = await looks(tab);
  assert.equal(got.title, 'About');
  assert.match(got.banner, /Offline copy/);
  assert.equal(got.background, 'rgb(1, 2, 3)');
});

test('a worker restarted while the origin is down still serves the mirror', async () => {
  const { site, ctx, tab } = await setup();
  await openControlled(tab, `${site.origin}/`);
  await tab.goto(`${site.origin}/about.html`);
  await mirrored(tab, site, ['/', '/about.html', '/css/site.css', '/img/logo.svg']);

  await site.down();
  assert.equal(await stopServiceWorker(ctx, tab, `${site.origin}/`), 1);
  assert.equal(await isServiceWorkerRunning(ctx, tab, `${site.origin}/`), false);
  await tab.goto(`${site.origin}/`); // starts the worker: engine and config can only come from the Cache API
  assert.equal(await isServiceWorkerRunning(ctx, tab, `${site.origin}/`), true);
  const got = await looks(tab);
  assert.equal(got.title, 'Home');
  assert.match(got.banner, /Offline copy/);
  assert.deepEqual(got.images, { logo: 40 });
  const status = await ask(tab, { type: 'mirror/status' });
  assert.equal(status.config.timeout, 1000, 'the site config survived the restart');
});

test('the banner can be turned off; unregistering removes worker, caches and mirror', async () => {
  const { site, tab } = await setup({ banner: false });
  await openControlled(tab, `${site.origin}/`);
  await tab.goto(`${site.origin}/about.html`);
  await mirrored(tab, site, ['/about.html']);
  site.routes['/about.html'] = { status: 503, body: 'down' };
  await tab.reload();
  const got = await looks(tab);
  assert.equal(got.title, 'About', 'served from the mirror');
  assert.equal(got.banner, null, 'without a banner');
  const served = (await ask(tab, { type: 'mirror/status' })).served;
  assert.ok(served.some((x) => x.url === `${site.origin}/about.html` && x.why === 'status-503'), JSON.stringify(served));

  site.routes['/bye.html'] = '<!doctype html><title>bye</title><script src="/register.js" data-unregister></script>';
  await tab.goto(`${site.origin}/bye.html`);
  const left = await until(
    () =>
      tab.evaluate(async () => {
        const regs = await navigator.serviceWorker.getRegistrations();
        const caches_ = await caches.keys();
        const dbs = (await indexedDB.databases()).map((d) => d.name);
        return regs.length === 0 && caches_.length === 0 && !dbs.includes('sitemirror-site') && { regs: regs.length, caches_, dbs };
      }),
    'the worker, its caches and its database to be gone',
  );
  assert.deepEqual(left, { regs: 0, caches_: [], dbs: [] });
});
