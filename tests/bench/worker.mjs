// Site worker benchmark (real Chromium, local origin): what the worker costs a visitor while the origin is up, and
// how fast it serves the mirror when the origin is down.
//
// Two browser contexts load the same ~100 KB page (1 stylesheet, 10 images) from the same origin: one with the
// worker installed and warm, one with service workers blocked. Reloads alternate between them. Reported from the
// browser's own Navigation and Resource Timing entries (startTime → responseStart / responseEnd), fetch() by clock:
//   - navigation: the document (network first through the worker, navigation preload on);
//   - assets: the stylesheet and images (served `Cache-Control: no-cache`, so network first through the worker,
//     mirrored behind at most every `refresh` ms: a stored copy only stands in for a fresh one or a down origin);
//   - fetch(): same-origin fetch() of a new URL each time (network first, then mirrored in the background),
//     measured in a separate loop after the reloads.
// A third context runs a minimal network-first service worker on its own origin: the floor any such worker costs.
// Then the origin is stopped and the same page is reloaded: time to the mirrored document and to its load event.
//
//   node tests/bench/worker.mjs [--n 100] [--down 20]
import { startWorkerSite, launchChromium, ask, openControlled } from '../e2e/lib/siteworker.mjs';
import { until } from '../e2e/lib/wait.mjs';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const N = arg('--n', 100);
const DOWN = arg('--down', 20);

const IMAGES = 10;
const para = '<p>' + 'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt. '.repeat(10) + '</p>\n';
const PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>bench</title>
<link rel="stylesheet" href="/css/site.css"></head><body><h1>Bench</h1>
${Array.from({ length: IMAGES }, (_, i) => `<img src="/img/${i}.svg" width="20" height="20">`).join('')}
${para.repeat(Math.ceil(100_000 / para.length))}
<script src="/register.js" data-config="/sitemirror.json" defer></script></body></html>`;
const SVG = (i) => `<svg xmlns="http://www.w3.org/2000/svg" width="20" height="20"><!-- ${'x'.repeat(900)} --><rect width="20" height="20" fill="#${(i * 111111).toString(16).padStart(6, '0').slice(0, 6)}"/></svg>`;

const routes = {
  '/page.html': PAGE,
  '/css/site.css': 'body { font: 14px sans-serif; color: #222 } p { margin: 0 0 1em }'.repeat(20),
  '/data.json': JSON.stringify({ hello: 'world', items: Array.from({ length: 50 }, (_, i) => i) }),
  '/sitemirror.json': JSON.stringify({ timeout: 4000 }),
};
for (let i = 0; i < IMAGES; i++) routes[`/img/${i}.svg`] = SVG(i);

/**
 * The floor: the least a network-first service worker can do (navigation preload, every GET answered with the
 * network's response, nothing stored) — on its own origin, serving the same bytes.
 */
const FLOOR_SW = `self.addEventListener('activate', (e) => e.waitUntil(Promise.all([
  self.registration.navigationPreload?.enable(), self.clients.claim()])));
self.addEventListener('fetch', (e) => {
  if (e.request.method !== 'GET') return;
  e.respondWith(e.request.mode === 'navigate' ? e.preloadResponse.then((r) => r || fetch(e.request)) : fetch(e.request));
});`;

const site = await startWorkerSite(routes);
const floorSite = await startWorkerSite({ ...routes, '/sw.js': { body: FLOOR_SW, headers: { 'Content-Type': 'text/javascript' } } });
const browser = await launchChromium();
try {
  const withWorker = await browser.newContext();
  const without = await browser.newContext({ serviceWorkers: 'block' });
  const floorCtx = await browser.newContext();
  const w = await withWorker.newPage();
  const n = await without.newPage();
  const fl = await floorCtx.newPage();
  const url = `${site.origin}/page.html`;
  await fl.goto(`${floorSite.origin}/page.html`);
  await fl.evaluate(() => navigator.serviceWorker.register('/sw.js').then(() => navigator.serviceWorker.ready));
  await fl.reload();
  await openControlled(w, url);
  await w.reload();
  const assetUrls = ['/page.html', '/css/site.css', ...Array.from({ length: IMAGES }, (_, i) => `/img/${i}.svg`)];
  await until(async () => {
    const s = await ask(w, { type: 'mirror/status', urls: assetUrls.map((p) => site.origin + p) });
    return Object.values(s.has).every((x) => x > 0);
  }, 'the page and its assets to be mirrored');
  await n.goto(url);

  /** One reload, then the page's timing entries. */
  const sample = async (tab, i) => {
    await tab.reload({ waitUntil: 'load' });
    return tab.evaluate(async () => {
      const [nav] = performance.getEntriesByType('navigation');
      const assets = performance
        .getEntriesByType('resource')
        .filter((e) => /\/(css|img)\//.test(e.name))
        .map((e) => e.responseEnd - e.startTime);
      return { nav: nav.responseEnd - nav.startTime, ttfb: nav.responseStart - nav.startTime, assets, sw: !!navigator.serviceWorker.controller };
    });
  };
  /** A same-origin fetch() of a URL never requested before (a version is written for it in the background). */
  const fetchNew = (tab, i) =>
    tab.evaluate(async (i) => {
      const t = performance.now();
      const res = await fetch(`/data.json?i=${i}`);
      await res.arrayBuffer();
      return performance.now() - t;
    }, i);
  const empty = () => ({ nav: [], ttfb: [], assets: [], fetch: [] });
  const out = { worker: empty(), none: empty(), floor: empty() };
  const tabs = [['worker', w], ['none', n], ['floor', fl]];
  for (let i = 0; i < 10; i++) for (const [, tab] of tabs) await sample(tab);
  for (let i = 0; i < N; i++) {
    for (const [name, tab] of tabs) {
      const s = await sample(tab);
      if (s.sw !== (name !== 'none')) throw new Error(`${name}: page controlled = ${s.sw}`);
      out[name].nav.push(s.nav);
      out[name].ttfb.push(s.ttfb);
      out[name].assets.push(...s.assets);
    }
  }
  for (let i = 0; i < N; i++) {
    for (const [name, tab] of tabs) out[name].fetch.push(await fetchNew(tab, `${name}-${i}`));
  }

  // Origin down: time to the mirrored document, and to the page's load event.
  await site.down();
  const down = { nav: [], load: [] };
  for (let i = 0; i < DOWN; i++) {
    const res = await w.reload({ waitUntil: 'load' });
    if (res.headers()['x-sitemirror-served'] !== 'offline') throw new Error('origin down but not answered from the mirror');
    const t = await w.evaluate(() => {
      const [nav] = performance.getEntriesByType('navigation');
      return { nav: nav.responseEnd - nav.startTime, load: nav.loadEventEnd - nav.startTime, banner: !!document.getElementById('sitemirror-banner') };
    });
    if (!t.banner) throw new Error('origin down but no offline copy shown');
    down.nav.push(t.nav);
    down.load.push(t.load);
  }

  const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];
  const f = (x) => x.toFixed(2);
  console.log(`Page: ${PAGE.length} bytes, 1 stylesheet + ${IMAGES} images; ${N} reloads per context, alternated; ` +
    'Navigation/Resource Timing startTime → responseEnd.');
  console.log('');
  console.log('| request | no worker p50 | minimal SW p50 | site worker p50 | overhead p50 | no worker p95 | minimal SW p95 | site worker p95 | overhead p95 |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const [label, k] of [['navigation, first byte (responseStart)', 'ttfb'], ['navigation (network first)', 'nav'], ['assets (no-cache: network first)', 'assets'], ['fetch() of a new URL (network first + capture)', 'fetch']]) {
    const [a, m, b] = [out.none[k], out.floor[k], out.worker[k]];
    console.log(`| ${label} | ${f(pct(a, 0.5))} | ${f(pct(m, 0.5))} | ${f(pct(b, 0.5))} | ${f(pct(b, 0.5) - pct(a, 0.5))} | ` +
      `${f(pct(a, 0.95))} | ${f(pct(m, 0.95))} | ${f(pct(b, 0.95))} | ${f(pct(b, 0.95) - pct(a, 0.95))} |`);
  }
  console.log('');
  console.log(`Origin down, ${DOWN} reloads: mirrored document p50 ${f(pct(down.nav, 0.5))} ms, p95 ${f(pct(down.nav, 0.95))} ms; ` +
    `load event p50 ${f(pct(down.load, 0.5))} ms, p95 ${f(pct(down.load, 0.95))} ms.`);
} finally {
  await browser.close();
  await site.close();
  await floorSite.close();
}
