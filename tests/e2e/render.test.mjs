/**
 * Rendering in "Mirror this site" (crawl option `render`): a fixture app whose content exists only after its
 * scripts run — data from fetch(), navigation built by script, styles inserted through the CSSOM, a shadow root with
 * an adopted stylesheet, a lazy image that loads on scroll, a web font set on <html> — is crawled without ever being
 * browsed, the origin is stopped, and the mirror replays it with its content, styles and font. The app also calls
 * alert(), opens a window and sends X-Frame-Options: DENY; the user's windows and tabs stay as they were, and a
 * third-party request of the app carries none of the user's cookies for that third party.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { launchExtension, extensionWorker, stopServiceWorker } from './lib/browser.mjs';
import { startServer } from './lib/server.mjs';
import { until } from './lib/wait.mjs';

const readdirRecursive = (dir) =>
  fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? readdirRecursive(path.join(dir, e.name)) : [path.join(dir, e.name)]));

/** The app: every page is an empty shell its script fills in. `other` is a third party it calls. */
function appRoutes(other) {
  const font = readdirRecursive('/usr/share/fonts').find((f) => f.endsWith('.ttf'));
  assert.ok(font, 'a TrueType font (fontconfig needs one; Chromium depends on fontconfig)');
  const shell = (title) => ({
    type: 'text/html; charset=utf-8',
    headers: { 'X-Frame-Options': 'DENY' },
    body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title><link rel="stylesheet" href="/app.css"></head>
<body><script>document.documentElement.classList.toggle('wide', document.body.clientWidth >= 1000)</script><svg width="10" height="10" aria-hidden="true"><circle r="4" cx="5" cy="5"/></svg><div id="app">Loading…</div><div style="height: 3000px"></div><img id="lazy" data-src="/img/lazy.svg" alt="">
<script src="/app.js"></script></body></html>`,
  });
  const app = `
alert('the app says hello'); window.open('/popup.html');
fetch(${JSON.stringify(other)} + '/track', { credentials: 'include' }).catch(() => {});
const embed = document.createElement('iframe'); embed.src = ${JSON.stringify(other)} + '/embed.html'; document.body.append(embed);
const style = document.createElement('style'); document.head.append(style);
style.sheet.insertRule('h1 { color: rgb(1, 2, 3) }');
const id = location.pathname === '/' ? 'home' : location.pathname.split('/').pop();
fetch('/api/' + id + '.json').then((r) => r.json()).then((data) => {
  const app = document.getElementById('app');
  app.innerHTML = '<h1>' + data.title + '</h1><nav>' + data.links.map((l) => '<a href="' + l + '">' + l + '</a>').join(' ') + '</nav>';
  const card = document.createElement('x-card'); app.append(card);
  const root = card.attachShadow({ mode: 'open' });
  const sheet = new CSSStyleSheet(); sheet.replaceSync('p { color: rgb(4, 5, 6) }');
  root.adoptedStyleSheets = [sheet];
  root.innerHTML = '<p class="inner">' + data.card + '</p>';
});
new IntersectionObserver((entries, io) => {
  for (const e of entries) if (e.isIntersecting) { e.target.src = e.target.dataset.src; io.disconnect(); }
}).observe(document.getElementById('lazy'));`;
  return {
    '/': shell('App'),
    '/items/1': shell('Item 1'),
    '/items/2': shell('Item 2'),
    '/app.js': { type: 'text/javascript', body: app },
    '/app.css': '@font-face { font-family: AppFace; src: url(/fonts/face.ttf) format("truetype"); } html { font-family: AppFace, monospace; font-size: 18px; }',
    '/fonts/face.ttf': { type: 'font/ttf', body: fs.readFileSync(font) },
    '/img/lazy.svg': { type: 'image/svg+xml', body: '<svg xmlns="http://www.w3.org/2000/svg" width="7" height="3"></svg>' },
    '/api/home.json': JSON.stringify({ title: 'Built by script', card: 'In a shadow root', links: ['/items/1', '/items/2'] }),
    '/api/1.json': JSON.stringify({ title: 'Item one, from the API', card: 'Card 1', links: ['/'] }),
    '/api/2.json': JSON.stringify({ title: 'Item two, from the API', card: 'Card 2', links: ['/'] }),
    '/robots.txt': 'User-agent: *\nAllow: /\n',
  };
}

test('a rendered crawl mirrors what scripts build: content, script-only links, CSSOM styles, shadow DOM, lazy images, the font', async (t) => {
  // Two sites by name (Chromium resolves *.localhost to this machine, and counts it a secure context, so the
  // third party may set a SameSite=None cookie over plain HTTP).
  const other = await startServer({ routes: { '/login': { type: 'text/html', headers: { 'Set-Cookie': 'tracker=user-1; SameSite=None; Secure; Path=/' }, body: 'ok' }, '/track': { type: 'text/plain', body: 'ok' },
    // A frame of the third party's own, embedded by the app: its requests are the third party's, not the site's.
    '/embed.html': { type: 'text/html', body: '<!doctype html><img src="/pixel.svg">' },
    '/pixel.svg': { type: 'image/svg+xml', body: '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"></svg>' } } });
  const otherOrigin = `http://tracker.localhost:${other.port}`;
  const site = await startServer({ routes: appRoutes(otherOrigin) });
  const origin = `http://app.localhost:${site.port}`;
  const ext = await launchExtension();
  t.after(async () => {
    await ext.close();
    await site.close();
    await other.close();
  });
  // The user has a cookie at the third party (the positive control: their own visit sends it).
  const tab = await ext.ctx.newPage();
  await tab.goto(`${otherOrigin}/login`);
  await tab.goto(`${otherOrigin}/track`);
  assert.match(other.log.at(-1).headers.cookie ?? '', /tracker=user-1/, 'the user\'s visit carries their cookie');
  await tab.close();

  const dash = await ext.ctx.newPage();
  await dash.goto(`chrome-extension://${ext.extensionId}/dashboard/dashboard.html`);
  const send = (msg) => dash.evaluate((m) => chrome.runtime.sendMessage(m), msg);
  const sw = extensionWorker(ext.ctx);
  const windowsBefore = await sw.evaluate(async () => (await chrome.windows.getAll({ populate: true })).map((w) => w.tabs.length));
  const pagesBefore = ext.ctx.pages().length;

  const siteId = `${origin}/`;
  const started = await send({ type: 'crawl/start', url: siteId, options: { render: 'always', timeoutMs: 5000 } });
  assert.equal(started.ok, true, JSON.stringify(started));
  const status = await until(async () => {
    const s = await send({ type: 'crawl/status', site: siteId });
    return s.job && s.job.state !== 'running' ? s : null;
  }, 'the crawl to end', 90_000);
  assert.equal(status.job.state, 'done', JSON.stringify(status));

  // Nothing showed up in the user's windows; the app's window.open() and alert() went nowhere.
  assert.deepEqual(await sw.evaluate(async () => (await chrome.windows.getAll({ populate: true })).map((w) => w.tabs.length)), windowsBefore);
  assert.equal(ext.ctx.pages().length, pagesBefore, 'no tab or window opened');
  assert.ok(!site.requests.includes('/popup.html'), 'the app opened no window');
  // The pages only script-built navigation links to were crawled, with what their scripts fetched.
  for (const p of ['/items/1', '/items/2', '/api/1.json', '/api/2.json', '/img/lazy.svg', '/fonts/face.ttf']) {
    assert.ok(site.requests.includes(p), `${p} was not fetched: ${site.requests}`);
  }
  // The third party was called by the app while rendering, without the user's cookie for it.
  const fromRender = other.log.filter((r) => r.headers.origin === origin || ['/embed.html', '/pixel.svg'].includes(r.path));
  assert.ok(fromRender.some((r) => r.path === '/track'), 'the app called the third party while rendering');
  for (const r of fromRender) assert.equal(r.headers.cookie, undefined, `${r.path} carried the user's third-party cookie`);

  // Origin down: the mirror replays every page as the scripts left it, and asks the origin for nothing.
  await site.close();
  site.reset();
  const mirror = (p) => sw.evaluate(({ u, id }) => globalThis.sitemirror.engine.mirrorUrl(u, `chrome-extension://${id}/m/`), { u: origin + p, id: ext.extensionId });
  const page = await ext.ctx.newPage();
  await page.goto(await mirror('/'), { waitUntil: 'load' });
  const seen = await page.evaluate(async () => {
    await document.fonts.ready;
    const lazy = /** @type {HTMLImageElement} */ (document.getElementById('lazy'));
    if (!lazy.complete) await new Promise((resolve) => lazy.addEventListener('load', resolve, { once: true }));
    const card = document.querySelector('x-card');
    const inner = card?.shadowRoot?.querySelector('p.inner');
    return {
      h1: document.querySelector('h1')?.textContent,
      h1Color: getComputedStyle(document.querySelector('h1')).color,
      links: [...document.querySelectorAll('nav a')].map((a) => new URL(a.href).pathname.split('/').slice(-2).join('/')),
      shadow: inner?.textContent,
      shadowColor: inner && getComputedStyle(inner).color,
      lazy: lazy.naturalWidth,
      font: getComputedStyle(document.body).fontFamily,
      faces: [...document.fonts].map((f) => `${f.family}:${f.status}`),
      scripts: document.scripts.length,
      wide: document.documentElement.classList.contains('wide'),
    };
  });
  assert.deepEqual(seen, {
    h1: 'Built by script',
    h1Color: 'rgb(1, 2, 3)',
    links: ['items/1', 'items/2'],
    shadow: 'In a shadow root',
    shadowColor: 'rgb(4, 5, 6)',
    lazy: 7,
    font: 'AppFace, monospace',
    faces: ['AppFace:loaded'],
    scripts: 0,
    // The page's first script saw a desktop-wide window, as it does live (mdBook opens its sidebar from 1080 px).
    wide: true,
  });
  await page.goto(await mirror('/items/2'), { waitUntil: 'load' });
  assert.equal(await page.textContent('h1'), 'Item two, from the API');
  assert.deepEqual(site.requests, [], 'replay asked the stopped origin for nothing');
});

test('the service worker stopped mid-render loses no page: the resumed crawl renders it, its frame from before is closed, nothing is fetched twice', async (t) => {
  // The start page's image is held by the origin until the test lets it go, so the page's load event — and with it
  // its render — waits (for at most the render's settle cap, 10 s).
  let release;
  const gate = new Promise((resolve) => (release = resolve));
  const site = await startServer({
    routes: {
      '/': { type: 'text/html', body: '<!doctype html><title>Home</title><div id="app">Loading…</div><img src="/img/slow.svg" alt=""><script src="/app.js"></script>' },
      '/app.js': { type: 'text/javascript', body: "fetch('/api/home.json').then((r) => r.json()).then((d) => { document.getElementById('app').innerHTML = '<h1>' + d.title + '</h1><a href=\"/next\">next</a>'; });" },
      '/api/home.json': '{"title":"Built by script"}',
      '/img/slow.svg': async (req, res) => {
        await gate;
        if (!res.destroyed) res.writeHead(200, { 'Content-Type': 'image/svg+xml', 'Cache-Control': 'no-store' }).end('<svg xmlns="http://www.w3.org/2000/svg" width="2" height="2"/>');
      },
      '/next': { type: 'text/html', body: '<!doctype html><title>Next</title><p>Next page' },
      '/robots.txt': 'User-agent: *\nAllow: /\n',
    },
  });
  const ext = await launchExtension();
  t.after(async () => {
    release();
    await ext.close();
    await site.close();
  });
  const origin = `http://app.localhost:${site.port}`;
  const siteId = `${origin}/`;
  const dash = await ext.ctx.newPage();
  await dash.goto(`chrome-extension://${ext.extensionId}/dashboard/dashboard.html`);
  const send = (msg) => dash.evaluate((m) => chrome.runtime.sendMessage(m), msg);
  assert.equal((await send({ type: 'crawl/start', url: siteId, options: { render: 'always', timeoutMs: 5000 } })).ok, true);

  // The page is stored as fetched, marked as still to render, and its render waits on its data: the worker stops.
  const sw = extensionWorker(ext.ctx);
  const marked = () => sw.evaluate(async (s) => (await (await globalThis.sitemirror.storeReady).frontier(s)).some((e) => e.render), siteId);
  // The frame's image request (the crawl's own fetch of it is held too: `sec-fetch-dest` tells them apart).
  const framed = () => site.log.filter((r) => r.path === '/img/slow.svg' && r.headers['sec-fetch-dest'] === 'image');
  await until(async () => framed().length === 1 && (await marked()), 'the start page to be rendering, its raw copy stored', 30_000);
  assert.equal(await stopServiceWorker(ext.ctx, dash), 1);

  // Woken, the worker resumes the crawl, closes the frame its previous life left (the held request goes away
  // with it) and renders the page again.
  await send({ type: 'crawl/status', site: siteId });
  await until(() => framed()[0].state === 'aborted', 'the frame of the stopped render to be closed', 8000);
  release();
  const status = await until(async () => {
    const s = await send({ type: 'crawl/status', site: siteId });
    return s.job && s.job.state !== 'running' ? s : null;
  }, 'the crawl to end', 60_000);
  assert.equal(status.job.state, 'done', JSON.stringify(status));
  // The crawl fetched the page once; frames loaded it twice, the cut render's and the one after.
  const home = site.log.filter((r) => r.path === '/' && r.method === 'GET');
  assert.deepEqual(home.map((r) => r.headers['sec-fetch-dest']), ['empty', 'iframe', 'iframe']);
  assert.ok(site.requests.includes('/next'), 'the link its script built was followed');

  // Origin down: the page replays as its script left it after the stop.
  await site.close();
  const sw2 = extensionWorker(ext.ctx);
  const url = await sw2.evaluate(({ u, id }) => globalThis.sitemirror.engine.mirrorUrl(u, `chrome-extension://${id}/m/`), { u: siteId, id: ext.extensionId });
  const page = await ext.ctx.newPage();
  await page.goto(url, { waitUntil: 'load' });
  assert.equal(await page.textContent('h1'), 'Built by script');
});

test('every rendered page gets a fidelity score (intact high, a replay that lost its stylesheet and image low), shown on the dashboard with Compare, kept in the WACZ, and Recapture low-scoring pages crawls that page alone again', async (t) => {
  const site = await startServer({
    routes: {
      '/': { type: 'text/html', body: '<!doctype html><title>Home</title><link rel="stylesheet" href="/style.css"><header>Shop</header><main><p>Fresh bread every morning, baked in the shop.</p><a href="/broken">The broken page</a></main>' },
      '/style.css': 'body { margin: 0; font: 16px sans-serif } header { background: rgb(20, 40, 90); color: white; height: 200px }',
      // Its theme and picture come from a path the crawl excludes: live they load, in replay they are missing.
      '/broken': { type: 'text/html', body: '<!doctype html><title>Broken</title><link rel="stylesheet" href="/style.css"><link rel="stylesheet" href="/excluded/theme.css"><header>Shop</header><img src="/excluded/pic.svg" width="600" height="300" alt=""><p>Our bakery.</p>' },
      '/excluded/theme.css': 'body { background: rgb(120, 10, 10); color: rgb(250, 250, 200) } header { height: 500px }',
      '/excluded/pic.svg': { type: 'image/svg+xml', body: '<svg xmlns="http://www.w3.org/2000/svg" width="600" height="300"><rect width="600" height="300" fill="green"/></svg>' },
      '/robots.txt': 'User-agent: *\nAllow: /\n',
    },
  });
  const ext = await launchExtension();
  t.after(async () => {
    await ext.close();
    await site.close();
  });
  const siteId = `http://app.localhost:${site.port}/`;
  const dash = await ext.ctx.newPage();
  await dash.goto(`chrome-extension://${ext.extensionId}/dashboard/dashboard.html`);
  const send = (msg) => dash.evaluate((m) => chrome.runtime.sendMessage(m), msg);
  const started = await send({ type: 'crawl/start', url: siteId, options: { render: 'always', exclude: ['*/excluded/*'], timeoutMs: 5000 } });
  assert.equal(started.ok, true, JSON.stringify(started));
  const status = await until(async () => {
    const s = await send({ type: 'crawl/status', site: siteId });
    return s.job && s.job.state !== 'running' ? s : null;
  }, 'the crawl to end', 60_000);
  assert.equal(status.job.state, 'done', JSON.stringify(status));

  const sw = extensionWorker(ext.ctx);
  const summary = await sw.evaluate(async (s) => (await globalThis.sitemirror.storeReady).fidelity(s, 10), siteId);
  t.diagnostic(JSON.stringify(summary));
  const of = (p) => summary.worst.find((w) => w.url === siteId + p.slice(1))?.fidelity;
  assert.equal(summary.scored, 2, 'both pages scored');
  assert.ok(of('/').viewportMatch >= 0.95 && of('/').textMatch >= 0.98, `intact: ${JSON.stringify(of('/'))}`);
  assert.equal(of('/').missing, 0);
  assert.ok(of('/broken').viewportMatch < 0.6, `broken: ${JSON.stringify(of('/broken'))}`);
  assert.ok(of('/broken').missing >= 2, 'its stylesheet and image are missing in replay');
  assert.deepEqual(summary.low, [`${siteId}broken`]);

  // The dashboard's Fidelity panel: the means, the worst page first with its numbers.
  await dash.reload();
  await dash.locator(`tr[data-site-id="${siteId}"]`).getByRole('button', { name: 'Fidelity' }).click();
  const panel = dash.locator(`tr[data-fidelity-of="${siteId}"] .fidelity`);
  await panel.locator('tbody tr').first().waitFor();
  assert.match(await panel.locator('.fidelity-summary').textContent(),
    /^2 of 2 pages scored\. Mean screen match 0\.\d\d, mean text match 1\.00; 2 of \d+ stylesheets, images and fonts missing in replay\.$/);
  const worst = panel.locator('tbody tr').first();
  assert.equal(await worst.getAttribute('data-url'), `${siteId}broken`);
  assert.equal(await worst.locator('.fidelity-viewport').textContent(), of('/broken').viewportMatch.toFixed(2));
  assert.equal(await worst.getAttribute('class'), 'low');

  // Compare: the live page and its mirror side by side, with the copy's score.
  const [compare] = await Promise.all([ext.ctx.waitForEvent('page'), worst.getByRole('button', { name: 'Compare' }).click()]);
  await compare.locator('#scores').filter({ hasText: /match/ }).waitFor();
  assert.equal(await compare.textContent('#scores'),
    `Screen match ${of('/broken').viewportMatch.toFixed(2)} · text match 1.00 · 2 of ${of('/broken').resources} missing in replay`);
  assert.equal(await compare.getAttribute('#live', 'src'), `${siteId}broken`);
  assert.ok((await compare.getAttribute('#mirror', 'src')).startsWith(`chrome-extension://${ext.extensionId}/m/`));
  assert.equal(await compare.getAttribute('#live', 'sandbox'), 'allow-scripts allow-same-origin', 'the live page gets no popups, dialogs or navigation of ours');
  await compare.close();

  // The WACZ's pages.jsonl carries each page's score (its entries are stored uncompressed: the JSON is in the bytes).
  const wacz = await dash.evaluate(async (s) => {
    const engine = await import(chrome.runtime.getURL('pkg/sitemirror.js'));
    await engine.default({ module_or_path: chrome.runtime.getURL('pkg/sitemirror_bg.wasm') });
    const store = await engine.MirrorStore.open('sitemirror', undefined);
    const archive = await import(chrome.runtime.getURL('archive.js'));
    const out = await archive.exportWacz(engine, store, s, { software: 'test' });
    return new TextDecoder('latin1').decode(await out.blob.arrayBuffer());
  }, siteId);
  const line = wacz.split('\n').find((l) => l.includes(`"url":"${siteId}broken"`) && l.includes('"ts"'));
  assert.deepEqual(JSON.parse(line).fidelity, of('/broken'));

  // Recapture low-scoring pages: that page alone is crawled again (with what it uses), rendered and scored again.
  site.reset();
  await panel.getByRole('button', { name: 'Recapture low-scoring pages (1)' }).click();
  const recaptured = await until(async () => {
    const s = await send({ type: 'crawl/status', site: siteId });
    return s.job?.kind === 'recapture' && s.job.state !== 'running' ? s : null;
  }, 'the recapture to end', 60_000);
  assert.equal(recaptured.job.state, 'done');
  await dash.locator(`tr[data-site-id="${siteId}"] .crawl-state`).filter({ hasText: 'Recapture done' }).waitFor();
  const fetched = new Set(site.log.filter((r) => r.method === 'GET' && r.headers['sec-fetch-dest'] === 'empty').map((r) => r.path));
  assert.deepEqual([...fetched].filter((p) => !['/robots.txt', '/sitemap.xml'].includes(p)).sort(), ['/broken', '/style.css']);
  const rescored = await sw.evaluate(async (s) => (await globalThis.sitemirror.storeReady).fidelity(s, 10), siteId);
  const again = rescored.worst.find((w) => w.url === `${siteId}broken`).fidelity;
  assert.ok(again.at > of('/broken').at, 'scored again');
  // The site's exclusions still apply: the page is as broken as before, and says so.
  assert.equal(again.viewportMatch, of('/broken').viewportMatch);
  // "Update now" after a recapture crawls the whole site again, from its start.
  site.reset();
  assert.equal((await send({ type: 'crawl/update', site: siteId })).job.startUrl, siteId);
});
