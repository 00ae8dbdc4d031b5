/**
 * Fidelity benchmark (issue 13): real sites nobody here wrote, taken from packages and served from 127.0.0.1, are
 * mirrored by "Mirror this site" only (never browsed), raw and rendered, and sampled pages are compared live
 * against their replay with the origin stopped:
 *
 * - screenshotMatch: the first viewport (1280×800), live vs replay, the share of pixels whose channels all differ by
 *   at most 24 of 255 (pixel similarity is lenient: a blank page on a white site still scores high, so text and
 *   links carry the signal);
 * - textMatch: the visible text (`innerText`), as the Sørensen–Dice coefficient of the two word multisets;
 * - links: `a[href]` in the replayed page against the live page.
 *
 * Usage: node tests/bench/fidelity.mjs [--pages N] [--samples N] [--only <site name part>]
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { launchExtension, extensionWorker, ROOT } from '../e2e/lib/browser.mjs';
import { startServer } from '../e2e/lib/server.mjs';
import { until } from '../e2e/lib/wait.mjs';

const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(name);
  return i >= 0 && i + 1 < argv.length ? argv[i + 1] : dflt;
};
const MAX_PAGES = Number(opt('--pages', 150));
const SAMPLES = Number(opt('--samples', 12));
const ONLY = opt('--only', null);
const VIEWPORT = { width: 1280, height: 800 };
/** Renders at once in the crawl (crate/src/crawl/driver.rs `MAX_RENDERS`): the floor loads pages as many at a time. */
const RENDERS = 4;

const sysroot = execFileSync('rustc', ['--print', 'sysroot'], { encoding: 'utf8' }).trim();
const RUST_DOCS = path.join(sysroot, 'share/doc/rust/html');
const PYTHON_DOCS = '/usr/share/doc/python3/html';
const NODE_MODULES = path.join(ROOT, 'node_modules');

/** A docsify site in history mode: docsify's own README, changelog and history, rendered in the browser. */
function docsifyRoutes() {
  const pkg = path.join(NODE_MODULES, 'docsify');
  const index = `<!doctype html><html><head><meta charset="utf-8"><title>docsify</title>
<link rel="stylesheet" href="/lib/themes/vue.css"></head><body><div id="app"></div>
<script>window.$docsify = { name: 'docsify', routerMode: 'history', loadSidebar: '/_sidebar.md', subMaxLevel: 2 };</script>
<script src="/lib/docsify.min.js"></script></body></html>`;
  const file = (p) => fs.readFileSync(path.join(pkg, p));
  return {
    dir: pkg,
    routes: {
      '/': index,
      '/README.md': { type: 'text/markdown; charset=utf-8', body: file('README.md') },
      '/CHANGELOG.md': { type: 'text/markdown; charset=utf-8', body: file('CHANGELOG.md') },
      '/HISTORY.md': { type: 'text/markdown; charset=utf-8', body: file('HISTORY.md') },
      '/_sidebar.md': { type: 'text/markdown; charset=utf-8', body: '- [Home](/)\n- [Changelog](/CHANGELOG)\n- [History](/HISTORY)\n' },
      '/lib/themes/vue.css': { type: 'text/css', body: file('lib/themes/vue.css') },
      '/lib/docsify.min.js': { type: 'text/javascript', body: file('lib/docsify.min.js') },
    },
    // History mode: every other path is the app.
    notFound: { type: 'text/html; charset=utf-8', body: index },
  };
}

const SITES = [
  { name: 'The Rust Programming Language (mdBook; rustup docs)', dir: path.join(RUST_DOCS, 'book'), start: '/index.html' },
  { name: 'Rust standard library API (rustdoc; rustup docs)', dir: RUST_DOCS, start: '/std/index.html', options: { scope: 'prefix', prefix: '/std/' } },
  { name: 'Python 3 documentation (Sphinx; Debian python3-doc)', dir: PYTHON_DOCS, start: '/index.html' },
  { name: 'docsify 4 (its own docs; npm docsify, rendered in the browser)', ...docsifyRoutes(), start: '/' },
  { name: 'reveal.js 5 demo (a JavaScript application; npm reveal.js)', dir: path.join(NODE_MODULES, 'reveal.js'), start: '/demo.html', options: { maxPages: 1 } },
];

/** Crawls `site` in a fresh browser; returns the browser (kept for replay), the time and the crawl's counts. */
async function crawl(server, site, render) {
  const ext = await launchExtension();
  const dash = await ext.ctx.newPage();
  await dash.goto(`chrome-extension://${ext.extensionId}/dashboard/dashboard.html`);
  const send = (m) => dash.evaluate((m) => chrome.runtime.sendMessage(m), m);
  const started = performance.now();
  const res = await send({ type: 'crawl/start', url: server.origin + site.start, options: { maxPages: MAX_PAGES, ...site.options, render } });
  if (!res.ok) throw new Error(`crawl/start: ${JSON.stringify(res)}`);
  const status = await until(async () => {
    const s = await send({ type: 'crawl/status', site: `${server.origin}/` });
    return s.job && s.job.state !== 'running' ? s : null;
  }, 'the crawl to end', 900_000);
  const seconds = (performance.now() - started) / 1000;
  await dash.close();
  return { ext, seconds, counts: status.counts, state: status.job.state };
}

/** What a page shows: its first viewport as PNG, its visible text, its links. */
async function look(page, url) {
  await page.goto(url, { waitUntil: 'load', timeout: 30_000 }).catch(() => {});
  await page.waitForTimeout(600); // late layout, fonts (both sides alike)
  const shot = await page.screenshot({ type: 'png' });
  const { text, links } = await page.evaluate(() => ({ text: document.body?.innerText ?? '', links: document.querySelectorAll('a[href]').length }));
  return { shot, text, links };
}

/** Share of pixels alike (every channel within 24), computed in a page from two PNGs. */
async function pixelMatch(page, a, b) {
  return page.evaluate(async ({ a, b }) => {
    const load = async (b64) => createImageBitmap(await (await fetch(`data:image/png;base64,${b64}`)).blob());
    const [x, y] = await Promise.all([load(a), load(b)]);
    const w = Math.min(x.width, y.width);
    const h = Math.min(x.height, y.height);
    const data = (img) => {
      const c = new OffscreenCanvas(w, h);
      const g = c.getContext('2d');
      g.drawImage(img, 0, 0);
      return g.getImageData(0, 0, w, h).data;
    };
    const [p, q] = [data(x), data(y)];
    let same = 0;
    for (let i = 0; i < p.length; i += 4) {
      if (Math.abs(p[i] - q[i]) <= 24 && Math.abs(p[i + 1] - q[i + 1]) <= 24 && Math.abs(p[i + 2] - q[i + 2]) <= 24) same++;
    }
    return same / (w * h);
  }, { a: a.toString('base64'), b: b.toString('base64') });
}

/** Sørensen–Dice over word multisets. */
function textMatch(a, b) {
  const bag = (s) => {
    const m = new Map();
    for (const w of s.toLowerCase().split(/\s+/).filter(Boolean)) m.set(w, (m.get(w) ?? 0) + 1);
    return m;
  };
  const [x, y] = [bag(a), bag(b)];
  let common = 0;
  let total = 0;
  for (const [w, n] of x) common += Math.min(n, y.get(w) ?? 0);
  for (const n of x.values()) total += n;
  for (const n of y.values()) total += n;
  return total === 0 ? 1 : (2 * common) / total;
}

/**
 * The floor of a rendered crawl: every page the mirror holds loaded in sandboxed frames of an extension page (the
 * rendering's own mechanism), RENDERS at a time, up to each frame's load event — no settling, scrolling or
 * serialising, no raw fetch beside it.
 */
async function loadFloor(ext, origin) {
  const sw = extensionWorker(ext.ctx);
  const pages = await sw.evaluate(async (site) => (await (await globalThis.sitemirror.storeReady).pages(site)).map((c) => c.url), `${origin}/`);
  const host = await ext.ctx.newPage();
  await host.goto(`chrome-extension://${ext.extensionId}/view.html`);
  const seconds = await host.evaluate(async ({ pages, n, vp }) => {
    const queue = [...pages];
    const started = performance.now();
    await Promise.all(Array.from({ length: n }, async () => {
      for (let u = queue.shift(); u; u = queue.shift()) {
        const f = document.createElement('iframe');
        f.setAttribute('sandbox', 'allow-scripts allow-same-origin');
        f.style.cssText = `width:${vp.width}px;height:${vp.height}px;position:absolute;left:0;top:0`;
        document.body.append(f);
        void f.getBoundingClientRect();
        await new Promise((resolve) => {
          f.onload = resolve;
          setTimeout(resolve, 30_000);
          f.src = u;
        });
        f.remove();
      }
    }));
    return (performance.now() - started) / 1000;
  }, { pages, n: RENDERS, vp: VIEWPORT });
  await host.close();
  return { seconds, pages: pages.length };
}

/** The mirror's pages (HTML, good status), start page first, at most `n`, spread over the site. */
async function sample(ext, origin, start, n) {
  const sw = extensionWorker(ext.ctx);
  const pages = await sw.evaluate(async (site) => (await (await globalThis.sitemirror.storeReady).pages(site)).map((c) => c.url), `${origin}/`);
  const rest = pages.filter((u) => u !== origin + start).sort();
  const step = Math.max(1, Math.floor(rest.length / Math.max(1, n - 1)));
  return [origin + start, ...rest.filter((_, i) => i % step === 0)].slice(0, n);
}

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const f2 = (x) => x.toFixed(2);

const rows = [];
for (const site of SITES) {
  if (ONLY && !site.name.toLowerCase().includes(ONLY.toLowerCase())) continue;
  if (site.dir && !fs.existsSync(site.dir)) {
    console.log(`${site.name}: ${site.dir} is missing; skipped`);
    continue;
  }
  // Served as a static server serves files: validators, no Cache-Control (the browser's cache may revalidate them).
  const server = await startServer({ routes: site.routes ?? {}, dir: site.dir, notFound: site.notFound, dirAsSite: true, cacheControl: null, validators: true });
  const raw = await crawl(server, site, 'never');
  const rendered = await crawl(server, site, 'always');
  const urls = await sample(rendered.ext, server.origin, site.start, SAMPLES);
  const floor = await loadFloor(rendered.ext, server.origin);
  // Live first (the origin up): the user's view of each sampled page, in a browser of its own — browsed in a
  // crawl's browser, the pages would be captured as visits, newer than the crawl's copies.
  const viewer = await launchExtension();
  const tab = await viewer.ctx.newPage();
  await tab.setViewportSize(VIEWPORT);
  const live = [];
  for (const u of urls) live.push(await look(tab, u));
  await viewer.close();
  await server.down();
  const mirrorOf = (ext, u) => extensionWorker(ext.ctx).evaluate(({ u, id }) => globalThis.sitemirror.engine.mirrorUrl(u, `chrome-extension://${id}/m/`), { u, id: ext.extensionId });
  const score = async (ext) => {
    const t = await ext.ctx.newPage();
    await t.setViewportSize(VIEWPORT);
    // Pixels are compared in a blank page: a replayed page's CSP lets it fetch nothing, not even a data: URL.
    const blank = await ext.ctx.newPage();
    const out = [];
    for (let i = 0; i < urls.length; i++) {
      const r = await look(t, await mirrorOf(ext, urls[i]));
      // SITEMIRROR_FIDELITY_SHOTS=<dir> keeps each pair of screenshots, to see what differs.
      if (process.env.SITEMIRROR_FIDELITY_SHOTS) {
        const dir = process.env.SITEMIRROR_FIDELITY_SHOTS;
        fs.mkdirSync(dir, { recursive: true });
        const name = `${site.name.split(' ')[0]}-${i}`;
        fs.writeFileSync(path.join(dir, `${name}-live.png`), live[i].shot);
        fs.writeFileSync(path.join(dir, `${name}-${ext === raw.ext ? 'raw' : 'rendered'}.png`), r.shot);
      }
      out.push({ url: urls[i], shot: await pixelMatch(blank, live[i].shot, r.shot), text: textMatch(live[i].text, r.text), links: [live[i].links, r.links] });
    }
    await t.close();
    await blank.close();
    return out;
  };
  const rawScores = await score(raw.ext);
  const renderedScores = await score(rendered.ext);
  // The product's own score (every rendered page, computed by the crawl: crate/src/crawl/fidelity.rs), over the
  // site and on the sampled pages, beside the benchmark's pixel and text comparison of those pages.
  const product = await extensionWorker(rendered.ext.ctx).evaluate(async ({ site, urls }) => {
    const store = await globalThis.sitemirror.storeReady;
    const summary = await store.fidelity(site, 1);
    const sampled = [];
    for (const u of urls) sampled.push((await store.lookup(u, undefined))?.fidelity ?? null);
    return { summary, sampled };
  }, { site: `${server.origin}/`, urls });
  await raw.ext.close();
  await rendered.ext.close();
  await server.close();
  const summary = (s) => {
    const liveLinks = s.reduce((a, x) => a + x.links[0], 0);
    const replayLinks = s.reduce((a, x) => a + x.links[1], 0);
    const worst = s.reduce((w, x) => (x.text < w.text ? x : w), s[0]);
    return {
      shotMean: mean(s.map((x) => x.shot)), shotWorst: Math.min(...s.map((x) => x.shot)),
      textMean: mean(s.map((x) => x.text)), textWorst: worst.text, worstUrl: worst.url.replace(/^http:\/\/127\.0\.0\.1:\d+/, ''),
      links: liveLinks ? replayLinks / liveLinks : 1, liveLinks, replayLinks,
    };
  };
  const row = { site: site.name, pages: rendered.counts.done, raw, rendered, floor, rawScore: summary(rawScores), renderedScore: summary(renderedScores), samples: urls.length, product, renderedPages: renderedScores };
  rows.push(row);
  console.log(`${site.name}: raw ${raw.seconds.toFixed(1)} s (${raw.counts.done} done), rendered ${rendered.seconds.toFixed(1)} s (${rendered.counts.done} done); ` +
    `text ${f2(row.rawScore.textMean)} → ${f2(row.renderedScore.textMean)}, links ${f2(row.rawScore.links)} → ${f2(row.renderedScore.links)}, ` +
    `screenshot ${f2(row.rawScore.shotMean)} → ${f2(row.renderedScore.shotMean)}`);
}

console.log('');
console.log(`Fidelity: ${rows[0]?.samples ?? 0} sampled pages per site (at most ${SAMPLES}), crawl by "Mirror this site" only (maxPages ${MAX_PAGES}), origin stopped for replay; raw → rendered.`);
console.log('');
console.log('| site | URLs done | crawl s raw / rendered (×) | floor: the pages loaded in 4 frames, s (rendered / floor) | screenshotMatch mean (worst) raw → rendered | textMatch mean (worst) raw → rendered | links in replay / live, raw → rendered | worst text page (rendered) |');
console.log('|---|---:|---:|---:|---:|---:|---:|---|');
for (const r of rows) {
  const a = r.rawScore;
  const b = r.renderedScore;
  console.log(`| ${r.site} | ${r.pages} | ${r.raw.seconds.toFixed(1)} / ${r.rendered.seconds.toFixed(1)} (${(r.rendered.seconds / r.raw.seconds).toFixed(1)}×) | ` +
    `${r.floor.pages} pages: ${r.floor.seconds.toFixed(1)} (${(r.rendered.seconds / r.floor.seconds).toFixed(1)}×) | ` +
    `${f2(a.shotMean)} (${f2(a.shotWorst)}) → ${f2(b.shotMean)} (${f2(b.shotWorst)}) | ${f2(a.textMean)} (${f2(a.textWorst)}) → ${f2(b.textMean)} (${f2(b.textWorst)}) | ` +
    `${a.replayLinks}/${a.liveLinks} (${f2(a.links)}) → ${b.replayLinks}/${b.liveLinks} (${f2(b.links)}) | ${b.worstUrl} |`);
}
console.log('');
console.log('Goals (issue 13): screenshotMatch mean ≥ 0.95, textMatch mean ≥ 0.98, links ≥ 95% of live, rendered crawl ≤ 3× raw.');
console.log('');
console.log('The product\'s own fidelity score (computed by the rendered crawl for every page it rendered; screen match = the 32×20 grid of');
console.log('points, text match = word Dice against the page as it rendered), and on the sampled pages beside the benchmark\'s pixel screenshotMatch');
console.log('and textMatch (live now vs replay):');
console.log('');
console.log('| site | pages scored | screen match mean (worst) | text match mean (worst) | missing in replay | sampled: product screen / pixel screenshotMatch | sampled: product text / benchmark textMatch | lowest page |');
console.log('|---|---:|---:|---:|---:|---:|---:|---|');
for (const r of rows) {
  const s = r.product.summary;
  const w = s.worst[0];
  // [the product's score, the benchmark's] per sampled page the product scored.
  const pairs = r.product.sampled.map((f, i) => [f, r.renderedPages[i]]).filter(([f]) => f);
  const pm = (k) => f2(mean(pairs.map(([f]) => f[k])));
  const bm = (k) => f2(mean(pairs.map(([, b]) => b[k])));
  console.log(`| ${r.site} | ${s.scored} of ${s.pages} | ${s.viewportMean === null ? '—' : f2(s.viewportMean)} (${w ? f2(w.fidelity.viewportMatch) : '—'}) | ` +
    `${s.textMean === null ? '—' : f2(s.textMean)} (${w ? f2(w.fidelity.textMatch) : '—'}) | ${s.missing} of ${s.resources} | ` +
    `${pm('viewportMatch')} / ${bm('shot')} (${pairs.length} pages) | ${pm('textMatch')} / ${bm('text')} | ${w ? w.url.replace(/^http:\/\/127\.0\.0\.1:\d+/, '') : '—'} |`);
}
