/**
 * A generated site for crawl tests, served on 127.0.0.1 by node:http: a multi-level site whose pages use
 * CSS-referenced assets (fonts, backgrounds, an @import chain), srcset images, a sitemap and a robots.txt —
 * plus every trap a real crawl meets: a disallowed path, a slow endpoint, one that never answers, a redirect
 * loop, an infinite calendar, a 404, a 500, a page over the size cap, a logout link and a link off-site.
 *
 * It runs on the one test origin (lib/server.mjs), which counts what it is asked (per path + query) and which
 * answers it finished sending, can hold requests to freeze a crawl at a known point, and answers conditional
 * requests with 304.
 */
import { startServer } from './server.mjs';

/** A tiny valid PNG (1×1), varied per name so bodies differ. */
function png(name) {
  const base = Buffer.from(
    '89504e470d0a1a0a0000000d4948445200000001000000010806000000' + '1f15c4890000000d49444154789c63f8cfc0f01f0005000201e5' + '27de8a0000000049454e44ae426082',
    'hex',
  );
  return Buffer.concat([base, Buffer.from(`<!-- ${name} -->`)]);
}

const page = (title, body, head = '') =>
  `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title>` +
  `<link rel="stylesheet" href="/style.css">${head}</head><body><h1>${title}</h1>${body}</body></html>`;

/**
 * The site's static routes: path → {type, body}. `pages` lists the in-scope pages a complete crawl must
 * store, `resources` the files they use.
 * @param {{externalOrigin: string}} opts an origin that is not this site (a link there must not be followed)
 */
export function siteRoutes({ externalOrigin }) {
  const routes = new Map();
  const add = (path, type, body) => routes.set(path, { type, body: Buffer.isBuffer(body) ? body : Buffer.from(body) });
  const html = (path, title, body, head) => add(path, 'text/html; charset=utf-8', page(title, body, head));

  html(
    '/',
    'Home',
    `<p>Start here.</p>
     <a href="/a/">Section A</a> <a href="/b/">Section B</a> <a href="/deep/1">Deep</a>
     <a href="/private/secret">Private</a> <a href="/account/logout">Log out</a>
     <a href="/slow">Slow</a> <a href="/stall">Stall</a> <a href="/loop1">Loop</a>
     <a href="/calendar?month=2026-11">Calendar</a> <a href="/missing">Missing</a> <a href="/broken">Broken</a>
     <a href="/huge">Huge</a> <a href="/moved">Moved</a> <a href="${externalOrigin}/elsewhere">Elsewhere</a>
     <a href="/busy">Busy</a> <a href="/account">Account</a>
     <img src="/img/logo.png" srcset="/img/logo.png 1x, /img/logo-2x.png 2x" alt="logo">`,
  );
  html('/a/', 'Section A', `<a href="/a/1">A1</a> <a href="/a/2">A2</a>
     <picture><source srcset="/img/pic.webp" type="image/webp"><img src="/img/pic.png" alt=""></picture>`);
  html('/a/1', 'A1', '<a href="/a/2">A2</a> <img src="/img/a1.png" alt="">');
  html('/a/2', 'A2', '<a href="/">Home</a> <div style="background:url(/img/inline.png)">x</div>');
  html('/b/', 'Section B', '<a href="/b/page">B page</a>', '<style>@import "/css/b.css";</style>');
  html('/b/page', 'B page', '<img srcset="/img/b-small.png 300w, /img/b-large.png 800w" sizes="50vw" alt="">');
  for (let i = 1; i <= 4; i++) html(`/deep/${i}`, `Deep ${i}`, i < 4 ? `<a href="/deep/${i + 1}">deeper</a>` : 'bottom');
  html('/only-in-sitemap', 'Only in the sitemap', 'No page links here.');
  html('/slow', 'Slow', 'Worth the wait.');
  html('/private/secret', 'Secret', 'robots.txt says no.');
  html('/account/logout', 'Logged out', 'You were logged out.');
  add('/huge', 'text/html; charset=utf-8', page('Huge', `<p>${'x'.repeat(2 << 20)}</p>`));

  add('/style.css', 'text/css', `@import url("/css/base.css");
    @font-face { font-family: Site; src: url("/fonts/site.woff2") format("woff2"); }
    body { font-family: Site, sans-serif; background: url(/img/bg.png); }`);
  add('/css/base.css', 'text/css', '@import "deeper.css"; h1 { background-image: url(../img/base.png); }');
  add('/css/deeper.css', 'text/css', 'p { background: url("/img/deeper.png") }');
  add('/css/b.css', 'text/css', 'a { background: image-set("/img/b1.png" 1x, "/img/b2.png" 2x); }');
  add('/fonts/site.woff2', 'font/woff2', Buffer.from('wOF2 fake font bytes'));
  for (const name of ['logo', 'logo-2x', 'pic', 'a1', 'inline', 'b-small', 'b-large', 'bg', 'base', 'deeper', 'b1', 'b2']) {
    add(`/img/${name}.png`, 'image/png', png(name));
  }
  add('/img/pic.webp', 'image/webp', png('webp'));

  add('/robots.txt', 'text/plain', 'User-agent: *\nDisallow: /private/\n\nSitemap: /sitemap.xml\n');
  return routes;
}

/** Pages a complete crawl stores (in scope, allowed, fetchable). */
export const PAGES = ['/', '/a/', '/a/1', '/a/2', '/b/', '/b/page', '/deep/1', '/deep/2', '/deep/3', '/deep/4', '/only-in-sitemap', '/slow', '/busy', '/account'];

/** Files those pages use (all must replay). */
export const RESOURCES = [
  '/style.css', '/css/base.css', '/css/deeper.css', '/css/b.css', '/fonts/site.woff2', '/img/logo.png', '/img/logo-2x.png',
  '/img/pic.png', '/img/pic.webp', '/img/a1.png', '/img/inline.png', '/img/b-small.png', '/img/b-large.png', '/img/bg.png',
  '/img/base.png', '/img/deeper.png', '/img/b1.png', '/img/b2.png',
];

/**
 * Starts the site on the one test origin (lib/server.mjs): its static routes carry validators (an ETag, a
 * Last-Modified, `Cache-Control: no-cache`) and get a 304 when a conditional request matches. Dynamic routes, added
 * to any table that doesn't name them: /slow (answers after `slowMs`), /stall (never answers), /loop1 ⇄ /loop2,
 * /busy (429 with Retry-After: 1 the first time), /login (sets a session cookie), /account (greets the
 * session's user, or asks to log in), /moved → /a/ (301), /calendar?month=YYYY-MM (links the previous and next
 * month, forever), /missing (404), /broken (500), /elsewhere (301 to `redirectTo`, another site), and
 * /sitemap.xml listing `/` and, when the site has it, a page no other page links to.
 * @param {{slowMs?: number, routes?: Map<string, any>, latencyMs?: number, redirectTo?: string}} [opts]
 */
export async function startCrawlSite({ slowMs = 1200, routes, latencyMs = 0, redirectTo = '' } = {}) {
  const table = routes ?? siteRoutes({ externalOrigin: 'http://localhost:9' });
  let busy = 0;
  /** @param {import('node:http').ServerResponse} res */
  const send = (res, status, type, body, headers = {}) => {
    res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), ...headers });
    res.end(body);
  };
  const listed = ['/', '/only-in-sitemap'].filter((p) => table.has(p));
  /** @type {Record<string, import('./server.mjs').Handler>} */
  const dynamic = {
    '/slow': (_req, res) => {
      setTimeout(() => !res.destroyed && send(res, 200, 'text/html', page('Slow', 'Worth the wait.')), slowMs);
    },
    '/stall': () => {}, // never answers
    '/busy': (_req, res) => {
      busy += 1;
      if (busy === 1) return send(res, 429, 'text/plain', 'Too many requests', { 'retry-after': '1' });
      send(res, 200, 'text/html', page('Busy', 'Now it answers.'));
    },
    '/login': (_req, res) =>
      send(res, 200, 'text/html', '<!doctype html><title>Logged in</title>Welcome back.', { 'set-cookie': 'session=ada; Path=/; HttpOnly' }),
    '/account': (req, res) => {
      const user = /(?:^|;\s*)session=(\w+)/.exec(req.headers.cookie || '')?.[1];
      send(res, 200, 'text/html', page('Account', user ? `Signed in as ${user}.` : 'Please log in.'));
    },
    '/loop1': (_req, res) => send(res, 302, 'text/plain', '', { location: '/loop2' }),
    '/loop2': (_req, res) => send(res, 302, 'text/plain', '', { location: '/loop1' }),
    '/moved': (_req, res) => send(res, 301, 'text/plain', '', { location: '/a/' }),
    '/elsewhere': (_req, res) => send(res, 301, 'text/plain', '', { location: `${redirectTo}/` }),
    '/missing': (_req, res) => send(res, 404, 'text/html', page('Not found', 'Nothing here.')),
    '/broken': (_req, res) => send(res, 500, 'text/html', page('Error', 'The backend fell over.')),
    '/calendar': (_req, res, url) => {
      const [y, m] = (url.searchParams.get('month') || '2026-11').split('-').map(Number);
      const month = (d) => {
        const t = new Date(Date.UTC(y, m - 1 + d, 1));
        return `${t.getUTCFullYear()}-${String(t.getUTCMonth() + 1).padStart(2, '0')}`;
      };
      send(res, 200, 'text/html', page(`Calendar ${y}-${m}`,
        `<a href="/calendar?month=${month(-1)}">previous</a> <a href="/calendar?month=${month(1)}">next</a>`));
    },
    '/sitemap.xml': (req, res) => {
      const origin = `http://${req.headers.host}`;
      send(res, 200, 'application/xml', `<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">` +
        listed.map((p) => `<url><loc>${origin}${p}</loc></url>`).join('') + '</urlset>');
    },
  };
  for (const [p, handler] of Object.entries(dynamic)) if (!table.has(p)) table.set(p, handler);
  return startServer({
    routes: table,
    validators: true,
    cacheControl: 'no-cache',
    latencyMs,
    notFound: { status: 404, type: 'text/html', body: page('Not found', 'No such page.') },
  });
}

/**
 * A plain generated site of `n` pages (/p/0 … /p/n-1, each linking the next two and using its own image and
 * a shared stylesheet), for tests that count requests.
 * @param {number} n
 */
export function chainRoutes(n) {
  const routes = new Map();
  const add = (path, type, body) => routes.set(path, { type, body: Buffer.from(body) });
  add('/', 'text/html; charset=utf-8', page('Start', '<a href="/p/0">Begin</a>'));
  add('/style.css', 'text/css', 'body { background: url(/img/bg.png) }');
  routes.set('/img/bg.png', { type: 'image/png', body: png('bg') });
  for (let i = 0; i < n; i++) {
    const links = [i + 1, i + 2].filter((j) => j < n).map((j) => `<a href="/p/${j}">page ${j}</a>`).join(' ');
    add(`/p/${i}`, 'text/html; charset=utf-8', page(`Page ${i}`, `${links} <img src="/img/p${i}.png" alt="">`));
    routes.set(`/img/p${i}.png`, { type: 'image/png', body: png(`p${i}`) });
  }
  add('/robots.txt', 'text/plain', 'User-agent: *\nAllow: /\n');
  return routes;
}
