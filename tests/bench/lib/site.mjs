/**
 * The crawl benchmark's site (issue 5): a deterministic generated website and the loopback origin that serves it.
 *
 * The site for `pages` = N (the N = 2,000 gives 2,000 pages, 2,200 assets, ~33 MB):
 * - N pages of ~6 KB: page 0 is `/`, page i is `/sec<i/100>/page<i>.html`; each links 6 other pages (a ternary
 *   tree 3i+1..3i+3 so every page is reachable within ~log3 N hops, its parent, its successor and one
 *   pseudo-random page), one stylesheet, its own image and two shared images;
 * - N per-page images (`/media/<i/100>/photo-<i>.png`, 7–12 KB);
 * - N/20 shared images (`/shared/img-<j>.png`, 10–20 KB), used by many pages;
 * - N/40 stylesheets (`/css/style-<j>.css`) whose `url()` background (`bg/bg-<j>.png`, relative) is only
 *   reachable through the CSS, and those N/40 background images (8–12 KB);
 * - `/robots.txt` allowing everything.
 * Every body is a pure function of (N, path): two servers for the same N serve the same bytes.
 *
 * The origin is the one test origin (tests/e2e/lib/server.mjs): keep-alive, TCP_NODELAY on every socket (without it a sequential client
 * such as wget pays a ~40 ms delayed-ACK stall per request and the comparison is meaningless), an optional delay
 * before each response (a realistic origin's think time), ETag + Last-Modified with 304 answers to
 * If-None-Match / If-Modified-Since, no Cache-Control (what most origins send). It counts, per run (`reset()` starts
 * one): requests by status, distinct URLs, distinct TCP connections, and peak concurrent connections and requests.
 */
import { startServer } from '../../e2e/lib/server.mjs';


/** Small, fast, deterministic PRNG (mulberry32). */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** FNV-1a over a string: seeds. */
function fnv(s) {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

// Image bytes are slices of one pseudo-random pool behind a PNG signature and the image's own index, so every
// image is distinct (the extension deduplicates by SHA-256) without holding N images in memory.
const POOL = (() => {
  const r = rng(7);
  const b = Buffer.alloc(1 << 20);
  for (let i = 0; i < b.length; i += 4) b.writeUInt32LE((r() * 2 ** 32) >>> 0, i);
  return b;
})();
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const WORDS = ('mirror archive origin offline crawler frontier capture version museum harbour lantern meadow river ' +
  'signal copper garden window ladder pocket orchard thunder canvas marble velvet compass anchor beacon ' +
  'quarry timber saddle falcon glacier harvest island jasmine kettle lagoon meteor nectar oyster pepper ' +
  'quartz ribbon summit tundra umbrella valley willow yonder zephyr amber basalt cedar delta ember fjord')
  .split(' ');

/**
 * The site's shape for `pages` pages.
 * @param {number} pages
 */
export function siteShape(pages) {
  const shared = Math.max(1, Math.round(pages / 20));
  const styles = Math.max(1, Math.round(pages / 40));
  return { pages, shared, styles, assets: pages + shared + 2 * styles };
}

const pagePath = (i) => (i === 0 ? '/' : `/sec${Math.floor(i / 100)}/page${i}.html`);
const photoPath = (i) => `/media/${Math.floor(i / 100)}/photo-${i}.png`;

/**
 * The deterministic site: `get(path)` returns `{type, body}` or null. HTML is built on first request and kept.
 * @param {number} pages
 */
export function makeSite(pages) {
  const shape = siteShape(pages);
  /** @type {Map<string, {type: string, body: Buffer}>} */
  const cache = new Map();

  function links(i) {
    const r = rng(fnv(`links-${i}`));
    const pick = () => Math.floor(r() * pages);
    const out = [];
    const add = (j) => {
      let k = j;
      for (let tries = 0; (k < 0 || k >= pages || k === i || out.includes(k)) && tries < 20; tries++) k = pick();
      if (k >= 0 && k < pages && k !== i && !out.includes(k)) out.push(k);
    };
    add(3 * i + 1);
    add(3 * i + 2);
    add(3 * i + 3);
    add(i === 0 ? -1 : Math.floor((i - 1) / 3));
    add((i + 1) % pages);
    add(pick());
    return out;
  }

  function page(i) {
    const r = rng(fnv(`page-${i}`));
    const words = (n) => Array.from({ length: n }, () => WORDS[Math.floor(r() * WORDS.length)]).join(' ');
    const style = i % shape.styles;
    const s1 = i % shape.shared;
    const s2 = (i * 7 + 3) % shape.shared;
    const nav = links(i)
      .map((j) => `<li><a href="${pagePath(j)}">${words(3)} (page ${j})</a></li>`)
      .join('\n');
    const paras = [];
    const target = 3700 + Math.floor(r() * 2000);
    let size = 0;
    while (size < target) {
      const p = `<p>${words(40 + Math.floor(r() * 40))}.</p>`;
      paras.push(p);
      size += p.length;
    }
    const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Page ${i}: ${words(4)}</title>
<link rel="stylesheet" href="/css/style-${style}.css">
</head>
<body>
<header><img src="/shared/img-${s1}.png" alt="logo" width="64" height="64"><h1>Page ${i}</h1></header>
<nav><ul>
${nav}
</ul></nav>
<main>
<figure><img src="${photoPath(i)}" alt="${words(3)}"><figcaption>${words(8)}</figcaption></figure>
${paras.join('\n')}
<aside><img src="/shared/img-${s2}.png" alt="${words(2)}"></aside>
</main>
<footer>sitemirror crawl benchmark, ${pages} pages</footer>
</body>
</html>
`;
    return Buffer.from(html);
  }

  function image(kind, index, min, max) {
    const r = rng(fnv(`${kind}-${index}`));
    const size = min + Math.floor(r() * (max - min));
    const off = Math.floor(r() * (POOL.length - size));
    const head = Buffer.alloc(16);
    PNG_SIGNATURE.copy(head);
    head.writeUInt32BE(fnv(kind), 8);
    head.writeUInt32BE(index, 12);
    return Buffer.concat([head, POOL.subarray(off, off + size - 16)]);
  }

  function stylesheet(j) {
    const r = rng(fnv(`css-${j}`));
    const rules = [];
    rules.push(`body { margin: 0 auto; max-width: 60em; font-family: serif; }`);
    rules.push(`header { background: #eee url("bg/bg-${j}.png") repeat-x; padding: 1em; }`);
    for (let k = 0; rules.join('\n').length < 1500; k++) {
      rules.push(`.c${j}-${k} { color: #${Math.floor(r() * 0xffffff).toString(16).padStart(6, '0')}; padding: ${k}px; }`);
    }
    return Buffer.from(rules.join('\n') + '\n');
  }

  /** @param {string} path */
  function build(path) {
    if (path === '/' || path === '/index.html') return { type: 'text/html; charset=utf-8', body: page(0) };
    if (path === '/robots.txt') return { type: 'text/plain; charset=utf-8', body: Buffer.from('User-agent: *\nDisallow:\n') };
    let m;
    if ((m = /^\/sec(\d+)\/page(\d+)\.html$/.exec(path))) {
      const i = Number(m[2]);
      if (i > 0 && i < pages && Math.floor(i / 100) === Number(m[1])) return { type: 'text/html; charset=utf-8', body: page(i) };
    } else if ((m = /^\/media\/(\d+)\/photo-(\d+)\.png$/.exec(path))) {
      const i = Number(m[2]);
      if (i < pages && Math.floor(i / 100) === Number(m[1])) return { type: 'image/png', body: image('photo', i, 7000, 12000) };
    } else if ((m = /^\/shared\/img-(\d+)\.png$/.exec(path))) {
      const j = Number(m[1]);
      if (j < shape.shared) return { type: 'image/png', body: image('shared', j, 10000, 20000) };
    } else if ((m = /^\/css\/style-(\d+)\.css$/.exec(path))) {
      const j = Number(m[1]);
      if (j < shape.styles) return { type: 'text/css; charset=utf-8', body: stylesheet(j) };
    } else if ((m = /^\/css\/bg\/bg-(\d+)\.png$/.exec(path))) {
      const j = Number(m[1]);
      if (j < shape.styles) return { type: 'image/png', body: image('bg', j, 8000, 12000) };
    }
    return null;
  }

  /** @param {string} path */
  function get(path) {
    const hit = cache.get(path);
    if (hit) return hit;
    const made = build(path);
    // Images are cheap slices; HTML and CSS are kept so repeated runs don't pay for building them again.
    if (made && !made.type.startsWith('image/')) cache.set(path, made);
    return made;
  }

  /** Every URL path of the site (pages then assets), for checks. */
  function paths() {
    const out = [];
    for (let i = 0; i < pages; i++) out.push(pagePath(i));
    for (let i = 0; i < pages; i++) out.push(photoPath(i));
    for (let j = 0; j < shape.shared; j++) out.push(`/shared/img-${j}.png`);
    for (let j = 0; j < shape.styles; j++) out.push(`/css/style-${j}.css`, `/css/bg/bg-${j}.png`);
    return out;
  }

  return { shape, get, paths };
}

/**
 * Starts the origin for a generated site of `pages` pages, on the one test origin (tests/e2e/lib/server.mjs):
 * validators on every answer, no Cache-Control, keep-alive long enough that no client's connection is cut mid-run.
 * Its `reset()` / `stats()` count one run; `setLatency()` changes the think time between runs.
 * @param {{pages: number, latencyMs?: number}} opts
 */
export async function startBenchSite({ pages, latencyMs = 0 }) {
  const site = makeSite(pages);
  const server = await startServer({ routes: site, validators: true, cacheControl: null, latencyMs, keepAliveMs: 60_000 });
  return Object.assign(server, { site });
}
