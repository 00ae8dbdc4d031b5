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
import { startWorkerSite, launchChromium, ask, openControlled, WORKER_DIR } from './lib/siteworker.mjs';
import { until } from './lib/wait.mjs';
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
async function setup(config, contextOptions = {}) {
  const site = await startWorkerSite(siteRoutes(config));
  const ctx = await browser.newContext(contextOptions);
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

/** Why the worker answered from the mirror (its `x-sitemirror-served` header), or null when it didn't. */
const servedAs = (res) => res?.headers()['x-sitemirror-served'] ?? null;

/** Fetches `paths` from the page (same-origin fetch(): network first, mirrored behind) and waits for the mirror. */
async function mirrorByFetch(tab, site, paths) {
  await tab.evaluate((paths) => Promise.all(paths.map((p) => fetch(p).then((r) => r.arrayBuffer()))), paths);
  return mirrored(tab, site, paths);
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
  assert.equal(servedAs(await tab.reload()), 'offline', 'x-sitemirror-served says why');
  const about = await looks(tab);
  assert.equal(about.title, 'About');
  assert.match(about.banner, /^Offline copy of this page, saved .+\.$/);
  assert.equal(about.bannerFirst, true, 'the banner starts the body');
  assert.ok(Math.abs(Date.parse(about.bannerTime) - before) < 60_000, `capture time in the banner: ${about.bannerTime}`);
  assert.equal(about.background, 'rgb(1, 2, 3)', 'the mirrored stylesheet applies');
  assert.deepEqual(about.images, { logo: 40 }, 'the mirrored image loads');
  assert.equal(about.script, 'ran', "the site's own scripts are kept (the owner's choice, see README)");

  // Navigate inside the offline copy: a link to another mirrored page.
  const isHome = (r) => r.url() === `${site.origin}/` && r.request().isNavigationRequest();
  const [res] = await Promise.all([tab.waitForResponse(isHome), tab.click('a[href="/"]')]);
  assert.equal(servedAs(res), 'offline');
  const home = await looks(tab);
  assert.equal(home.title, 'Home');
  assert.match(home.banner, /Offline copy/);
  assert.equal(home.background, 'rgb(1, 2, 3)');

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
    assert.equal(servedAs(res), `status-${status}`);
    const got = await looks(tab);
    assert.equal(got.title, 'About');
    assert.match(got.banner, /Offline copy/);
  }
  // Never mirrored: the visitor sees the origin's own 503 page, as without the worker.
  site.routes['/deep/never.html'] = { status: 503, body: '<!doctype html><title>down</title><p id=down>Service Unavailable' };
  const res = await tab.goto(`${site.origin}/deep/never.html`);
  assert.equal(res.status(), 503);
  assert.equal(servedAs(res), null);
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
  const res = await tab.reload();
  const took = Date.now() - started;
  assert.equal(servedAs(res), 'timeout');
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
  const crawled = site.log.filter((r) => r.path === '/deep/never.html');
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
  const site = await startWorkerSite(routes);
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
  assert.ok(!site.log.some((r) => r.path === '/behind-bomb.html'));
  assert.equal(site.log.filter((r) => r.path === '/pages.xml.gz').length, 1);
});

test('POST and Authorization requests reach the origin as sent, never mirrored; cross-origin ones bypass the worker', async () => {
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
  // Non-GET and Authorization requests go through the worker only so it can read a Clear-Site-Data answer.
  let echoed;
  const post = await byWorker('/api', async () => (echoed = await tab.evaluate(() => fetch('/api', { method: 'POST', body: 'payload' }).then((r) => r.json()))));
  assert.deepEqual(post, { fromSw: true, status: 200, method: 'POST' });
  assert.deepEqual(echoed, { method: 'POST', body: 'payload' }, 'the body reached the origin');
  const cross = await byWorker(`${other.origin}/pic.svg`, () => tab.evaluate((u) => fetch(u).then((r) => r.text()), `${other.origin}/pic.svg?y=1`));
  assert.equal(cross.fromSw, false, 'cross-origin GET untouched');
  const auth = await byWorker('/api', () => tab.evaluate(() => fetch('/api?auth', { headers: { Authorization: 'Bearer t' } }).then((r) => r.json())));
  assert.equal(auth.status, 200);
  assert.equal(site.log.findLast((r) => r.path === '/api' && r.method === 'GET').headers.authorization, 'Bearer t');
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

test('the banner can be turned off; unregistering removes worker, caches, mirror and cookie', async () => {
  const { site, ctx, tab } = await setup({ banner: false });
  await openControlled(tab, `${site.origin}/`);
  await tab.goto(`${site.origin}/about.html`);
  await mirrored(tab, site, ['/about.html']);
  site.routes['/about.html'] = { status: 503, body: 'down' };
  assert.equal(servedAs(await tab.reload()), 'status-503');
  const got = await looks(tab);
  assert.equal(got.title, 'About', 'served from the mirror');
  assert.equal(got.banner, null, 'without a banner');

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
  assert.deepEqual(await ctx.cookies(), [], "the worker's logout sentinel is gone too");
});

// ------------------------------------------------------------------ issue 11 (hardening): the site worker's part

/**
 * Issue 11, security headers: each security header, with a page that misbehaves without it. Every row is captured twice —
 * `with` the header and `bare` — then probed from the mirror with the origin down, each probe in a fresh tab (a
 * fresh browsing context group: COOP and Origin-Agent-Cluster depend on it). The `bare` column is the positive
 * control: the same probe sees the page misbehave, so the `with` column's difference is the header's doing.
 * `routes(v, h)`: the row's files for variant `v`, `h` its headers; the page is `/sec/<id>-<v>.html`.
 * CORP can only matter to a mirrored document embedded by another origin: pages with an opaque origin (sandboxed
 * frames, `CSP: sandbox`) are not controlled by the worker, so every subresource it answers is same-origin.
 */
const html = (body, head = '') => `<!doctype html><html><head><meta charset="utf-8"><title>probe</title>${head}</head><body><p id="t">shown</p>${body}</body></html>`;
const SECURITY = [
  {
    id: 'csp',
    header: ['Content-Security-Policy', "script-src 'self'"],
    page: '<script>document.body.dataset.inline = "ran";</script>',
    probe: async (tab, url) => (await tab.goto(url), tab.evaluate(() => document.body.dataset.inline ?? 'blocked')),
    want: { with: 'blocked', bare: 'ran' },
  },
  {
    id: 'csp-sandbox',
    header: ['Content-Security-Policy', 'sandbox allow-scripts'],
    probe: async (tab, url) => (await tab.goto(url), tab.evaluate(() => (self.origin === 'null' ? 'opaque origin' : 'site origin'))),
    want: { with: 'opaque origin', bare: 'site origin' },
  },
  {
    id: 'csp-report-only',
    header: ['Content-Security-Policy-Report-Only', "img-src 'none'"],
    head: "<script>window.seen = []; addEventListener('securitypolicyviolation', (e) => seen.push(e.disposition));</script>",
    page: '<img src="/img/logo.svg">',
    // The image and the favicon: one report each, both 'report'.
    probe: async (tab, url) => (await tab.goto(url), tab.evaluate(() => [...new Set(seen)].join() || 'nothing reported')),
    want: { with: 'report', bare: 'nothing reported' },
  },
  {
    id: 'content-disposition',
    header: ['Content-Disposition', 'attachment; filename="upload.html"'],
    page: '<script>document.title = "rendered";</script>',
    probe: async (tab, url) => {
      const download = tab.waitForEvent('download').then((d) => `downloaded ${d.suggestedFilename()}`, () => 'no download');
      const shown = await tab.goto(url).then(() => tab.evaluate(() => `rendered as ${document.title}`), () => null);
      return shown ?? download;
    },
    want: { with: 'downloaded upload.html', bare: 'rendered as rendered' },
  },
  {
    id: 'x-frame-options',
    header: ['X-Frame-Options', 'DENY'],
    probe: (tab, url, env) => framed(tab, `${env.other.origin}/frame.html?src=${encodeURIComponent(url)}`),
    want: { with: 'blocked', bare: 'shown' },
  },
  {
    id: 'nosniff',
    header: ['X-Content-Type-Options', 'nosniff'],
    routes: (v, h) => ({
      [`/sec/nosniff-${v}.html`]: html(`<script src="/sec/nosniff-${v}.txt"></script>`),
      // A script served as text/plain: Chromium runs it unless nosniff says the type is what it is.
      [`/sec/nosniff-${v}.txt`]: { body: 'document.body.dataset.sniffed = "ran";', headers: h },
    }),
    probe: async (tab, url) => (await tab.goto(url), tab.evaluate(() => document.body.dataset.sniffed ?? 'blocked')),
    want: { with: 'blocked', bare: 'ran' },
  },
  {
    id: 'referrer-policy',
    header: ['Referrer-Policy', 'no-referrer'],
    page: (v, env) => `<img src="${env.other.origin}/ref.svg?referrer-policy-${v}">`,
    probe: async (tab, url, env, v) => {
      await tab.goto(url);
      const key = `referrer-policy-${v}`;
      await until(() => key in env.referers, `the image request of ${key}`);
      return env.referers[key] || 'no referrer';
    },
    want: { with: 'no referrer', bare: (env) => `${env.site.origin}/` },
  },
  {
    id: 'permissions-policy',
    header: ['Permissions-Policy', 'geolocation=()'],
    probe: async (tab, url) => {
      await tab.goto(url);
      return tab.evaluate(() => new Promise((resolve) => navigator.geolocation.getCurrentPosition(() => resolve('allowed'), (e) => resolve(`denied (${e.code})`))));
    },
    want: { with: 'denied (1)', bare: 'allowed' },
  },
  {
    id: 'coop',
    header: ['Cross-Origin-Opener-Policy', 'same-origin'],
    probe: async (tab, url, env) => {
      await tab.goto(`${env.other.origin}/opener.html`);
      const [popup] = await Promise.all([tab.context().waitForEvent('page'), tab.evaluate((u) => void window.open(u), url)]);
      await popup.waitForLoadState();
      const opener = await popup.evaluate(() => (window.opener === null ? 'opener severed' : 'opener kept'));
      await popup.close();
      return opener;
    },
    want: { with: 'opener severed', bare: 'opener kept' },
  },
  {
    id: 'coep',
    header: ['Cross-Origin-Embedder-Policy', 'require-corp'],
    page: (v, env) => `<img id="x" src="${env.other.origin}/pic.svg">`,
    probe: async (tab, url) => (await tab.goto(url), tab.evaluate(() => (document.getElementById('x').naturalWidth ? 'loaded' : 'blocked'))),
    want: { with: 'blocked', bare: 'loaded' },
  },
  {
    id: 'corp',
    header: ['Cross-Origin-Resource-Policy', 'cross-origin'],
    // Embedded by a require-corp page, a document needs COEP itself, and CORP to be allowed cross-origin.
    routes: (v, h) => ({ [`/sec/corp-${v}.html`]: { body: html(''), headers: { 'Cross-Origin-Embedder-Policy': 'require-corp', ...h } } }),
    probe: (tab, url, env) => framed(tab, `${env.other.origin}/coep-frame.html?src=${encodeURIComponent(url)}`),
    want: { with: 'shown', bare: 'blocked' },
  },
  {
    id: 'origin-agent-cluster',
    // Origin-keyed is Chromium's default now; `?0` is the value that changes what the page may do here.
    header: ['Origin-Agent-Cluster', '?0'],
    probe: async (tab, url) => (await tab.goto(url), tab.evaluate(() => (window.originAgentCluster ? 'origin-keyed' : 'site-keyed'))),
    want: { with: 'site-keyed', bare: 'origin-keyed' },
  },
];

/** Opens `frameUrl` (a page of the other origin framing the probe) and says what the frame shows. */
async function framed(tab, frameUrl) {
  await tab.goto(frameUrl);
  await tab.waitForFunction(() => document.title === 'loaded');
  const frame = tab.frames().find((f) => f !== tab.mainFrame());
  return frame.evaluate(() => document.getElementById('t')?.textContent ?? 'blocked').catch(() => 'blocked');
}

test('a mirrored copy keeps the security headers it was captured with', async () => {
  const referers = {};
  const SVG_OK = { body: SVG, headers: { 'Content-Type': 'image/svg+xml' } };
  const frame = '<!doctype html><title>frame</title><iframe id="f"></iframe><script>const f = document.getElementById("f");' +
    'f.onload = () => (document.title = "loaded"); f.src = new URLSearchParams(location.search).get("src");</script>';
  const other = await startServer({
    routes: {
      '/frame.html': frame,
      '/coep-frame.html': { body: frame, headers: { 'Cross-Origin-Embedder-Policy': 'require-corp', 'Content-Type': 'text/html' } },
      '/opener.html': '<!doctype html><title>opener</title>',
      '/pic.svg': SVG_OK,
      '/ref.svg': (req, res) => {
        referers[new URL(req.url, 'http://x').search.slice(1)] = req.headers.referer ?? '';
        res.writeHead(200, { 'Content-Type': 'image/svg+xml', 'Cache-Control': 'no-store' }).end(SVG);
      },
    },
  });
  cleanups.push(() => other.close());
  const { site, ctx, tab } = await setup({}, { permissions: ['geolocation'], geolocation: { latitude: 48.85, longitude: 2.35 } });
  const env = { site, other, referers };
  const paths = [];
  for (const row of SECURITY) {
    for (const v of ['with', 'bare']) {
      const h = v === 'with' ? { [row.header[0]]: row.header[1] } : {};
      const body = typeof row.page === 'function' ? row.page(v, env) : (row.page ?? '');
      const routes = row.routes ? row.routes(v, h) : { [`/sec/${row.id}-${v}.html`]: { body: html(body, row.head), headers: h } };
      Object.assign(site.routes, routes);
      paths.push(...Object.keys(routes));
    }
  }
  await openControlled(tab, `${site.origin}/`);
  await mirrorByFetch(tab, site, [...paths, '/img/logo.svg']);

  await site.down();
  const served = {};
  ctx.on('response', (r) => {
    if (r.url().startsWith(`${site.origin}/sec/`)) served[r.url()] = servedAs(r);
  });
  const got = {};
  const want = {};
  for (const row of SECURITY) {
    for (const v of ['with', 'bare']) {
      const probe = await ctx.newPage();
      try {
        got[`${row.id} ${v}`] = await row.probe(probe, `${site.origin}/sec/${row.id}-${v}.html`, env, v);
      } finally {
        await probe.close();
      }
      want[`${row.id} ${v}`] = typeof row.want[v] === 'function' ? row.want[v](env) : row.want[v];
    }
  }
  assert.deepEqual(got, want);
  assert.ok(Object.keys(served).length >= 2 * SECURITY.length, JSON.stringify(served));
  assert.deepEqual([...new Set(Object.values(served))], ['offline'], 'every probe was answered from the mirror');
});

// Issue 11, security headers: the banner's inline style under the page's CSP.
test('the banner survives a strict CSP without weakening it: plain, no violation of its own', async () => {
  const { site, tab } = await setup();
  const strict = "default-src 'self'; style-src 'self' 'report-sample'; script-src 'self'";
  const inline = "default-src 'self'; style-src 'self' 'unsafe-inline'; script-src 'self'";
  // The page's own inline style is the positive control: its violation must be seen, the banner's must not.
  const body = html('<h1 id="title" style="color: red">Styled</h1>', '<script src="/watch.js"></script>');
  site.routes['/watch.js'] = "window.violations = []; addEventListener('securitypolicyviolation', (e) => violations.push(e.sample));";
  site.routes['/strict.html'] = { body, headers: { 'Content-Security-Policy': strict } };
  site.routes['/inline.html'] = { body, headers: { 'Content-Security-Policy': inline } };
  await openControlled(tab, `${site.origin}/`);
  await mirrorByFetch(tab, site, ['/strict.html', '/inline.html', '/watch.js']);
  await site.down();

  const show = async (path) => {
    const res = await tab.goto(`${site.origin}${path}`);
    const seen = await tab.evaluate(() => {
      const banner = document.getElementById('sitemirror-banner');
      return {
        banner: banner?.textContent ?? null,
        background: banner ? getComputedStyle(banner).backgroundColor : null,
        title: getComputedStyle(document.getElementById('title')).color,
        violations: window.violations,
      };
    });
    return { ...seen, served: servedAs(res), csp: res.headers()['content-security-policy'] };
  };
  const s = await show('/strict.html');
  assert.equal(s.served, 'offline');
  assert.equal(s.csp, strict, 'the CSP is replayed exactly as captured');
  assert.match(s.banner, /^Offline copy of this page, saved .+\.$/, 'the banner is there');
  assert.notEqual(s.background, 'rgb(255, 248, 214)', 'unstyled: its style attribute would be blocked');
  assert.deepEqual(s.violations, ['color: red'], "only the page's own inline style was blocked and reported");
  assert.notEqual(s.title, 'rgb(255, 0, 0)', 'the CSP still applies to the page');

  const i = await show('/inline.html');
  assert.equal(i.csp, inline);
  assert.match(i.banner, /Offline copy/);
  assert.equal(i.background, 'rgb(255, 248, 214)', "styled where the page's CSP allows inline styles");
  assert.deepEqual(i.violations, []);
  assert.equal(i.title, 'rgb(255, 0, 0)');
});

// Issue 11, caching rules: stored assets were served first while online, even `no-cache` ones.
test('a changed no-cache asset comes from the origin while it is up, from the mirror when down; fresh ones are reused', async () => {
  const { site, tab } = await setup({ refresh: 0 });
  site.routes['/fresh.html'] = page('Fresh', { extra: '<link rel="stylesheet" href="/css/fresh.css"><link rel="stylesheet" href="/css/swr.css">' });
  site.routes['/css/fresh.css'] = { body: '.hero { color: rgb(7, 8, 9); }', headers: { 'Cache-Control': 'max-age=600' } };
  const swr = (color) => ({ body: `h1 { color: ${color}; }`, headers: { 'Cache-Control': 'max-age=0, stale-while-revalidate=600' } });
  site.routes['/css/swr.css'] = swr('rgb(20, 21, 22)');
  await openControlled(tab, `${site.origin}/`);
  await mirrored(tab, site, ['/', '/css/site.css']);
  // Mirrored by a fetch(): a stylesheet the page loaded itself would stay in the renderer's memory cache, and the
  // next page would take it from there without asking the worker.
  await mirrorByFetch(tab, site, ['/css/fresh.css', '/css/swr.css']);

  // Cache-Control: no-cache (the test origin's default): the stored copy must not stand in for the origin.
  site.routes['/css/site.css'] = 'body { background: rgb(4, 5, 6); }';
  const css = tab.waitForResponse(`${site.origin}/css/site.css`);
  await tab.goto(`${site.origin}/`);
  assert.equal((await looks(tab)).background, 'rgb(4, 5, 6)', "the origin's new version, not the stored one");
  assert.equal(servedAs(await css), null, 'answered by the network');
  await until(async () => (await ask(tab, { type: 'mirror/status', urls: [`${site.origin}/css/site.css`] })).has[`${site.origin}/css/site.css`] === 2, 'the new version in the mirror');

  // max-age=600: the stored copy is fresh and answers without asking the origin, even though the origin changed.
  site.routes['/css/fresh.css'] = { body: '.hero { color: rgb(10, 11, 12); }', headers: { 'Cache-Control': 'max-age=600' } };
  // max-age=0, stale-while-revalidate=600: the stale copy answers at once, and the origin is asked behind it.
  site.routes['/css/swr.css'] = swr('rgb(23, 24, 25)');
  const count = (path) => site.log.filter((r) => r.path === path).length;
  const [asked, askedSwr] = [count('/css/fresh.css'), count('/css/swr.css')];
  const fresh = tab.waitForResponse(`${site.origin}/css/fresh.css`);
  const stale = tab.waitForResponse(`${site.origin}/css/swr.css`);
  await tab.goto(`${site.origin}/fresh.html`);
  assert.equal(servedAs(await fresh), 'fresh');
  assert.equal(servedAs(await stale), 'stale-while-revalidate');
  assert.deepEqual(
    await tab.evaluate(() => [getComputedStyle(document.querySelector('.hero')).color, getComputedStyle(document.querySelector('h1')).color]),
    ['rgb(7, 8, 9)', 'rgb(20, 21, 22)'],
  );
  assert.equal(count('/css/fresh.css'), asked, 'the origin was not asked for the fresh one');
  await until(() => count('/css/swr.css') > askedSwr, 'the stale one revalidated');

  await site.down();
  const offline = tab.waitForResponse(`${site.origin}/css/site.css`);
  await tab.goto(`${site.origin}/`);
  assert.equal(servedAs(await offline), 'offline');
  const got = await looks(tab);
  assert.match(got.banner, /Offline copy/);
  assert.equal(got.background, 'rgb(4, 5, 6)', 'the stale copy serves when the origin is down');
});

// Issue 11, caching rules: responses that set a cookie were mirrored.
test('a response that sets a cookie is not mirrored, neither a page nor an asset', async () => {
  const { site, ctx, tab } = await setup({ refresh: 0 });
  site.routes['/welcome.html'] = { body: page('Welcome'), headers: { 'Set-Cookie': 'csrf=t0k3n; Path=/' } };
  site.routes['/again.html'] = { body: page('Again'), headers: { 'Set-Cookie': 'csrf=an0ther; Path=/' } };
  site.routes['/css/tracked.css'] = { body: CSS, headers: { 'Set-Cookie': 'seen=1; Path=/' } };
  await openControlled(tab, `${site.origin}/`);
  const o = site.origin;
  const has = async (paths) => (await ask(tab, { type: 'mirror/status', urls: paths.map((p) => o + p) })).has;

  // A page (its navigation preloaded by a running worker), then a page without cookies: the positive control.
  // Writes are serialised in order, so once the later page is in, the earlier one would have been too.
  await tab.goto(`${o}/welcome.html`);
  await tab.goto(`${o}/about.html`);
  await mirrored(tab, site, ['/about.html']);
  // An asset fetched by the page, then another once it has come back.
  await tab.evaluate(async () => {
    await (await fetch('/css/tracked.css')).text();
    await (await fetch('/img/bg.svg')).text();
  });
  await mirrored(tab, site, ['/img/bg.svg']);
  // A page loaded by a worker that was stopped: the navigation wakes it, the preload racing its start.
  assert.equal(await stopServiceWorker(ctx, tab, `${o}/`), 1);
  await tab.goto(`${o}/again.html`);
  await tab.goto(`${o}/blocked.html`);
  await mirrored(tab, site, ['/blocked.html']);

  assert.deepEqual(await has(['/welcome.html', '/css/tracked.css', '/again.html']), { [`${o}/welcome.html`]: 0, [`${o}/css/tracked.css`]: 0, [`${o}/again.html`]: 0 });
  assert.deepEqual((await ctx.cookies()).map((c) => c.name).sort(), ['__sitemirror', 'csrf', 'seen'], 'the cookies were set');
});

/**
 * Issue 11, logout: each way a logout can reach the browser, each clearing the mirror — before its answer goes on
 * where the worker handles that answer. Chromium hides Clear-Site-Data from service workers (even where they fetch
 * the response themselves), so what the worker sees is its sentinel cookie go with the site's cookies.
 */
const LOGOUTS = [
  { how: 'a logout page (GET navigation)', logout: (tab, o) => tab.goto(`${o}/logout`) },
  { how: 'a logout form (POST navigation)', logout: (tab, o) => submit(tab, o, '#logout', `${o}/logout`) },
  { how: 'a logout form answered with a redirect', logout: (tab, o) => submit(tab, o, '#logout-redirect', `${o}/`) },
  { how: 'a logout call (fetch POST)', logout: (tab) => tab.evaluate(() => fetch('/logout', { method: 'POST' }).then((r) => r.text())) },
  // No response at all: the visitor clears the browser's cookies. The cookie event comes when it comes: no
  // "before the answer" to check, but the page must not be served.
  { how: "the browser's clear cookies", logout: (tab) => tab.context().clearCookies(), after: true },
];

async function submit(tab, o, button, lands) {
  await tab.goto(`${o}/account.html`);
  await Promise.all([tab.waitForURL(lands), tab.click(button)]);
}

for (const { how, logout, after } of LOGOUTS) {
  test(`a logout by ${how} clears the mirror: the previous user's page is not served`, async () => {
    // The site wants logged-in pages offline (mirrorUncacheable) and marks them private, as it should.
    const { site, ctx, tab } = await setup({ mirrorUncacheable: true, refresh: 0 });
    const o = site.origin;
    site.routes['/login'] = (req, res) => {
      const user = new URL(req.url, o).searchParams.get('user');
      res.writeHead(200, { 'Content-Type': 'text/html', 'Set-Cookie': `sid=${user}; Path=/; HttpOnly`, 'Cache-Control': 'no-store' });
      res.end('<!doctype html><title>in</title><p>Logged in</p>');
    };
    site.routes['/account.html'] = (req, res) => {
      const user = /(?:^|; )sid=([^;]*)/.exec(req.headers.cookie || '')?.[1] || 'nobody';
      const forms = '<form method="post" action="/logout"><button id="logout">Log out</button></form>' +
        '<form method="post" action="/logout?redirect"><button id="logout-redirect">Log out and go home</button></form>';
      const body = page(`Hello ${user}`, { extra: forms });
      res.writeHead(200, { 'Content-Type': 'text/html', 'Cache-Control': 'private', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
    };
    site.routes['/logout'] = (req, res) => {
      if (req.url.endsWith('?redirect')) return res.writeHead(303, { Location: '/', 'Clear-Site-Data': '"cookies"' }).end();
      res.writeHead(200, { 'Content-Type': 'text/html', 'Clear-Site-Data': '"cookies"' });
      res.end('<!doctype html><title>out</title><p id="out">Logged out</p>');
    };
    await openControlled(tab, `${o}/`);
    await tab.goto(`${o}/login?user=alice`);
    await tab.goto(`${o}/account.html`);
    assert.equal((await looks(tab)).title, 'Hello alice');
    await mirrored(tab, site, ['/account.html']);
    // Positive control: with the origin down, alice's page is served from the mirror.
    await site.down();
    assert.equal(servedAs(await tab.goto(`${o}/account.html`)), 'offline');
    assert.equal((await looks(tab)).title, 'Hello alice');
    await site.up();

    await logout(tab, o);
    if (!after) {
      // Cleared before the answer went on: asked right after it, the mirror has no copy of alice's page (what the
      // visitor loaded since, the public page a redirect led to, may be there again).
      const status = await ask(tab, { type: 'mirror/status', urls: [`${o}/account.html`] });
      assert.equal(status.has[`${o}/account.html`], 0);
      // The browser cleared the cookies, the worker's sentinel with them (set again since, for the next session).
      assert.deepEqual((await ctx.cookies()).map((c) => c.name), ['__sitemirror']);
    }
    await site.down();
    await assert.rejects(tab.goto(`${o}/account.html`), /net::ERR_/, "alice's page is gone");
  });
}

// Issue 11, security headers: copies captured before the headers were kept must not be served without them.
test('copies stored under older rules (without their security headers) are dropped, not served', async () => {
  const { site, ctx, tab } = await setup();
  await openControlled(tab, `${site.origin}/`);
  await tab.goto(`${site.origin}/about.html`);
  await mirrored(tab, site, ['/', '/about.html']);
  // What a mirror written by an older worker looks like: the site record without `rules`.
  await tab.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open('sitemirror-site');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const tx = open.result.transaction('sites', 'readwrite');
          const sites = tx.objectStore('sites');
          const all = sites.getAll();
          all.onsuccess = () => all.result.forEach((s) => (delete s.settings.rules, sites.put(s)));
          tx.oncomplete = () => (open.result.close(), resolve());
          tx.onerror = () => reject(tx.error);
        };
      }),
  );
  // The control is 'a worker restarted while the origin is down still serves the mirror': same steps, served.
  await site.down();
  assert.equal(await stopServiceWorker(ctx, tab, `${site.origin}/`), 1);
  await assert.rejects(tab.goto(`${site.origin}/about.html`), /net::ERR_/);
});
