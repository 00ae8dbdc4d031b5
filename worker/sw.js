/**
 * sitemirror site worker: a classic service worker a site owner deploys on their own origin (see README.md).
 * Visitors keep seeing the site when the origin, or the backend behind its proxy, is down.
 *
 * - Navigations: network first, with a timeout against "lie-fi"; the mirrored copy when the network fails, times
 *   out, or the origin answers 502/503/504 — served at the page's own URL, as captured (its scripts are the site
 *   owner's), with an "offline copy" banner the engine inserts. No copy: the network's answer, as without us.
 * - Same-origin subresources (styles, scripts, images, fonts, media): stale-while-revalidate from the mirror.
 *   Same-origin fetch()/XHR: network first, the mirror when the network fails.
 * - Only same-origin GETs in scope are handled; everything else (POST, cross-origin, Range, requests carrying
 *   Authorization, excluded paths, the worker's own files) is left to the browser untouched.
 * - Mirrored: 200 responses the site lets a shared cache keep — not `no-store`, not `private`, no
 *   `Vary: Cookie/Authorization`, not answering a request with Authorization — unless configured otherwise.
 * - Storage: the engine's MirrorStore (IndexedDB): versions, bodies deduplicated by SHA-256, pruned to a budget.
 *   A new version is written only when the body changed.
 * - Optional precache: the site's own pages (links from the engine's extractor, depth and page limits, frontier
 *   persisted in the store so a stopped worker resumes), fetched without credentials.
 *
 * Classic + importScripts (wasm-bindgen `--target no-modules`, global `wasm_bindgen`) because module service
 * workers are not available in every browser a site's visitors use. Listeners are registered synchronously at
 * the top level; the engine loads in the background (`ready`), never awaited at the top level.
 */
/* global wasm_bindgen */
importScripts('pkg/sitemirror.js');

/**
 * Holds the engine files. Versioned so a new deployment whose layout changes can drop old entries in `activate`;
 * files of the same version are simply overwritten at install.
 */
const ENGINE_CACHE = 'sitemirror-engine-v1';
/** Holds the site owner's JSON config, so a worker restarted while the origin is down still has it. */
const CONFIG_CACHE = 'sitemirror-config-v1';
/** The mirror's IndexedDB database. Kept across worker updates; deleted by `register.js` with `data-unregister`. */
const DB_NAME = 'sitemirror-site';
const GLUE_URL = new URL('pkg/sitemirror.js', self.location).href;
const WASM_URL = new URL('pkg/sitemirror_bg.wasm', self.location).href;
/** The worker's own files: never mirrored, never intercepted. */
const OWN_FILES = new Set([self.location.href.split('?')[0], GLUE_URL, WASM_URL]);
/** Mirror URLs (engine/rewrite messages) stay on this origin, under the scope, in a path unlikely to clash. */
const MIRROR_PREFIX = new URL('__sitemirror/m/', self.registration.scope).href;
/** `sw.js?config=/sitemirror.json`: where the site owner's config is (set by register.js from `data-config`). */
const CONFIG_URL = (() => {
  const c = new URL(self.location).searchParams.get('config');
  return c ? new URL(c, self.location).href : null;
})();

/** Defaults of every config key (README.md documents them). */
const DEFAULTS = {
  scope: null, // register.js's business; here for completeness
  timeout: 4000, // ms a navigation waits for the network before the mirror answers (when it has a copy)
  fallbackStatuses: [502, 503, 504], // origin answers that mean "down": serve the mirror instead
  banner: 'Offline copy of this page, saved {date}.', // text ({date} = capture time); false: no banner
  exclude: [], // path prefixes (e.g. "/admin/") never mirrored nor answered from the mirror
  mirrorUncacheable: false, // true: also mirror `Cache-Control: no-store` / `private` / `Vary: Cookie` responses
  refresh: 60_000, // ms: a URL's copy is refreshed from a response it passed on at most this often
  budget: 100 << 20, // bytes of bodies kept; older versions, then least recently captured pages, go beyond it
  maxBody: 16 << 20, // largest body mirrored
  precache: false, // or {pages: 50, depth: 3, start: ["/"], concurrency: 2, every: 86400000}
};
const PRECACHE_DEFAULTS = { pages: 50, depth: 3, start: ['/'], concurrency: 2, every: 24 * 3600 * 1000 };
/** Response headers kept with a capture (replayed as they were). */
const KEPT_HEADERS = ['content-type', 'etag', 'last-modified', 'content-language', 'location'];
/** Subresource destinations served stale-while-revalidate; other non-navigation GETs are network first. */
const ASSET_DESTINATIONS = new Set(['style', 'script', 'image', 'font', 'audio', 'video', 'track', 'manifest', 'worker', 'sharedworker', 'object', 'embed']);
/** How often the config is re-read from the origin after a successful navigation. */
const CONFIG_REFRESH_MS = 10 * 60 * 1000;

/**
 * Start the engine from the Cache API copy when there is one: a worker restarted while the origin is down must
 * not need the network (the browser keeps sw.js and its importScripts, but not our wasm). The first run (before
 * install finished) falls back to the network.
 */
const ready = (async () => {
  const cache = await caches.open(ENGINE_CACHE);
  const wasm = (await cache.match(WASM_URL)) || (await fetch(WASM_URL));
  if (!wasm.ok) throw new Error(`sitemirror: engine wasm answered ${wasm.status}`);
  await wasm_bindgen({ module_or_path: wasm });
})();
ready.catch((err) => console.error('sitemirror: engine failed to initialise', err));

/** The config in effect; `null` until read from the Cache API (a few ms after start). */
let config = null;
let configReadAt = 0;
const configReady = loadConfig().catch(() => (config = normalise({})));

async function loadConfig() {
  if (!CONFIG_URL) return (config = normalise({}));
  const cached = await (await caches.open(CONFIG_CACHE)).match(CONFIG_URL);
  return (config = normalise(cached ? await cached.json().catch(() => ({})) : {}));
}

/** Fetches the config from the origin and keeps it; a missing or broken config leaves the last good one. */
async function fetchConfig() {
  if (!CONFIG_URL) return;
  configReadAt = Date.now();
  const res = await fetch(CONFIG_URL, { cache: 'no-cache', credentials: 'omit' });
  if (!res.ok) return;
  const json = await res.clone().json();
  await (await caches.open(CONFIG_CACHE)).put(CONFIG_URL, new Response(JSON.stringify(json), { headers: { 'content-type': 'application/json' } }));
  config = normalise(json);
}

function normalise(raw) {
  const c = { ...DEFAULTS, ...(raw && typeof raw === 'object' ? raw : {}) };
  c.timeout = Number(c.timeout) > 0 ? Number(c.timeout) : DEFAULTS.timeout;
  c.refresh = Number(c.refresh) >= 0 ? Number(c.refresh) : DEFAULTS.refresh;
  c.fallbackStatuses = Array.isArray(c.fallbackStatuses) ? c.fallbackStatuses.map(Number) : DEFAULTS.fallbackStatuses;
  c.exclude = Array.isArray(c.exclude) ? c.exclude.filter((p) => typeof p === 'string' && p) : [];
  c.precache = c.precache ? { ...PRECACHE_DEFAULTS, ...(c.precache === true ? {} : c.precache) } : false;
  return c;
}

// ---------------------------------------------------------------------------------------------- lifecycle

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(ENGINE_CACHE);
      // `no-cache`: revalidate, so the cached wasm matches the glue this worker version imported.
      await cache.addAll([GLUE_URL, WASM_URL].map((url) => new Request(url, { cache: 'no-cache' })));
      await fetchConfig().catch((err) => console.warn('sitemirror: config not read', err));
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      const names = await caches.keys();
      await Promise.all(
        names.filter((n) => n.startsWith('sitemirror-engine-') && n !== ENGINE_CACHE).map((n) => caches.delete(n)),
      );
      // The navigation request starts while the worker boots, instead of after: less online overhead.
      await self.registration.navigationPreload?.enable().catch(() => {});
      // Control already-open pages now, so their next requests are mirrored without a reload.
      await self.clients.claim();
    })(),
  );
});

// ---------------------------------------------------------------------------------------------- fetch

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET') return;
  const url = req.url;
  if (!url.startsWith(self.location.origin + '/')) return; // cross-origin: untouched
  if (OWN_FILES.has(url.split('?')[0]) || req.headers.has('range') || req.headers.has('authorization')) return;
  const navigate = req.mode === 'navigate';
  if (config) {
    if (excluded(url, config)) return;
    event.respondWith(navigate ? navigation(event, config) : subresource(event, config));
    return;
  }
  // First event of a fresh worker: the config is a few ms away. Decide once it's there; an excluded request
  // then goes to the network exactly as the browser would have sent it.
  event.respondWith(
    configReady.then((c) => {
      if (excluded(url, c)) return navigate ? preloadOrFetch(event) : fetch(req);
      return navigate ? navigation(event, c) : subresource(event, c);
    }),
  );
});

/** Paths the site owner keeps out of the mirror (config `exclude`: path prefixes). */
function excluded(url, c) {
  const path = new URL(url).pathname;
  return c.exclude.some((prefix) => path.startsWith(prefix));
}

/** The navigation preload response when the browser made one, else a fetch. */
async function preloadOrFetch(event) {
  const preloaded = await event.preloadResponse;
  return preloaded || fetch(event.request);
}

/**
 * Network first. The mirror answers when the network fails, takes longer than `timeout` (and a copy exists), or
 * the origin says it's down (502/503/504). Otherwise the network's answer, unchanged.
 */
async function navigation(event, c) {
  const req = event.request;
  const network = preloadOrFetch(event);
  // Whatever the network answers later (after a timeout) still refreshes the mirror — when due: a response handed
  // on untouched streams straight to the page, while a copied one goes through this worker's thread.
  if (due(req.url, c)) event.waitUntil(network.then((res) => keep(req, res.clone(), c)).catch(() => {}));
  maybeRefreshConfig(event);

  let timer;
  const timedOut = new Promise((resolve) => {
    timer = setTimeout(() => resolve('timeout'), c.timeout);
  });
  const first = await Promise.race([network.then((res) => ({ res }), (err) => ({ err })), timedOut]);
  clearTimeout(timer);

  if (first === 'timeout') {
    const copy = await fromMirror(req.url, c, 'timeout').catch(() => null);
    return copy || network; // no copy: keep waiting, as the browser would have
  }
  if (first.err) {
    const copy = await fromMirror(req.url, c, 'offline').catch(() => null);
    if (copy) return copy;
    throw first.err; // the browser's own error page, as without the worker
  }
  if (c.fallbackStatuses.includes(first.res.status)) {
    const copy = await fromMirror(req.url, c, `status-${first.res.status}`).catch(() => null);
    if (copy) return copy;
  }
  return first.res;
}

/** Subresources: stale-while-revalidate for assets, network first for fetch()/XHR. */
async function subresource(event, c) {
  const req = event.request;
  if (ASSET_DESTINATIONS.has(req.destination)) {
    const copy = await fromMirror(req.url, c, 'asset').catch(() => null);
    if (copy) {
      event.waitUntil(revalidate(req, c));
      return copy;
    }
  }
  try {
    const res = await fetch(req);
    if (due(req.url, c)) event.waitUntil(keep(req, res.clone(), c).catch(() => {}));
    if (c.fallbackStatuses.includes(res.status)) {
      const copy = await fromMirror(req.url, c, `status-${res.status}`).catch(() => null);
      if (copy) return copy;
    }
    return res;
  } catch (err) {
    const copy = await fromMirror(req.url, c, 'offline').catch(() => null);
    if (copy) return copy;
    throw err;
  }
}

/**
 * When each URL's copy was last refreshed by this worker instance. Refreshing costs a copy of the response (and a
 * hash and a lookup), so it happens at most every `refresh` ms per URL; a restarted worker refreshes again.
 */
const refreshed = new Map();
function due(url, c) {
  const now = Date.now();
  if (now - (refreshed.get(url) ?? -Infinity) < c.refresh) return false;
  refreshed.set(url, now);
  if (refreshed.size > 5000) refreshed.delete(refreshed.keys().next().value);
  return true;
}

/** One background refresh per URL at a time, at most every `refresh` ms. */
const revalidating = new Map();
function revalidate(req, c) {
  const key = req.url;
  if (!revalidating.has(key) && due(key, c)) {
    const job = fetch(req)
      .then((res) => keep(req, res, c))
      .catch(() => {})
      .finally(() => revalidating.delete(key));
    revalidating.set(key, job);
  }
  return revalidating.get(key) || Promise.resolve();
}

function maybeRefreshConfig(event) {
  if (CONFIG_URL && Date.now() - configReadAt > CONFIG_REFRESH_MS) {
    configReadAt = Date.now();
    event.waitUntil(fetchConfig().catch(() => {}));
  }
}

// ---------------------------------------------------------------------------------------------- the mirror

let opened;
/** The engine and the store, opened once per worker instance. */
function mirror() {
  opened ??= (async () => {
    await ready;
    const c = config || (await configReady);
    const store = await wasm_bindgen.MirrorStore.open(DB_NAME, { maxBody: c.maxBody });
    const site = self.registration.scope;
    const known = (await store.sites()).find((s) => s.id === site);
    if (!known) await store.putSite({ id: site, startUrl: site, created: Date.now(), updated: Date.now(), settings: {} });
    return { engine: wasm_bindgen, store, site };
  })();
  opened.catch(() => (opened = undefined));
  return opened;
}

/** Test and benchmark hook: why the last mirrored answers were given (newest last, a few kept). */
const served = [];

/**
 * The mirrored copy of `url` as a Response, or null. Documents get the banner (inserted by the engine) and are
 * otherwise exactly as captured.
 */
async function fromMirror(url, c, why) {
  const { engine, store } = await mirror();
  const found = await store.replay(engine.canonicalKey(url), {});
  if (!found) return null;
  const { capture, body } = found;
  const type = header(capture.headers, 'content-type') || 'application/octet-stream';
  const headers = new Headers({
    'content-type': type,
    'cache-control': 'no-store',
    'x-sitemirror-captured': new Date(capture.at).toISOString(),
  });
  for (const name of ['etag', 'last-modified', 'content-language']) {
    const v = header(capture.headers, name);
    if (v) headers.set(name, v);
  }
  let out = body;
  if (/^(text\/html|application\/xhtml\+xml)/i.test(type) && c.banner !== false) {
    const bytes = body instanceof Blob ? new Uint8Array(await body.arrayBuffer()) : body;
    out = engine.insertBanner(bytes, { url: capture.url, contentType: type, banner: bannerHtml(c, capture.at) });
    headers.set('content-type', type.split(';')[0].trim() + '; charset=utf-8');
  }
  served.push({ url, why, at: capture.at });
  if (served.length > 50) served.shift();
  return new Response(out, { status: 200, headers });
}

function bannerHtml(c, at) {
  const date = new Date(at);
  const text = escapeHtml(String(c.banner === true ? DEFAULTS.banner : c.banner));
  const when = `<time datetime="${date.toISOString()}">${escapeHtml(formatDate(date))}</time>`;
  return (
    '<div id="sitemirror-banner" role="status" style="all:initial;display:block;box-sizing:border-box;' +
    'width:100%;padding:4px 12px;background:#fff8d6;border-bottom:1px solid #e0d28a;color:#5c4d00;' +
    'font:13px/1.4 system-ui,sans-serif;text-align:center;position:relative;z-index:2147483647">' +
    text.replace('{date}', when) +
    '</div>'
  );
}

function formatDate(date) {
  try {
    return date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
  } catch {
    return date.toUTCString();
  }
}

function escapeHtml(s) {
  return s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** @param {[string, string][]} headers @param {string} name */
function header(headers, name) {
  const found = headers.find(([n]) => n.toLowerCase() === name);
  return found ? found[1] : undefined;
}

/**
 * Whether a response may go into the mirror: a full 200 from this origin that a shared cache could keep. What a
 * service worker can't see (Set-Cookie, HttpOnly cookies) is why `private`, `no-store` and `Vary: Cookie` are the
 * contract (README.md, "Privacy").
 * @returns {string | null} why not, or null when it may
 */
function refuse(req, res, c) {
  if (res.status !== 200 || res.type !== 'basic') return 'status';
  if (req.headers.has('authorization')) return 'authorization';
  if (!c.mirrorUncacheable) {
    const cc = (res.headers.get('cache-control') || '').toLowerCase();
    if (/(^|[\s,])(no-store|private)([\s,=]|$)/.test(cc)) return 'cache-control';
    const vary = (res.headers.get('vary') || '').toLowerCase();
    if (/(^|[\s,])(cookie|authorization|\*)([\s,]|$)/.test(vary)) return 'vary';
  }
  const length = Number(res.headers.get('content-length') || 0);
  if (length > c.maxBody) return 'too-large';
  return null;
}

/** Writes since the last prune; every few writes the store is brought back within the budget. */
let writesSincePrune = 0;
const PRUNE_EVERY = 20;

/**
 * Mirrors a response (a clone the page doesn't read) when allowed and new: a version is added only when its body
 * differs from the latest one stored.
 */
async function keep(req, res, c, source = 'visit') {
  const url = res.url || req.url;
  if (refuse(req, res, c) || excluded(url, c) || !url.startsWith(self.location.origin + '/')) return false;
  const body = new Uint8Array(await res.arrayBuffer());
  if (body.length > c.maxBody) return false;
  return capture(url, res, body, source, [], []);
}

/** Stores one body (skipped when unchanged) plus frontier changes, in one transaction. */
async function capture(url, res, body, source, settle, found) {
  const { engine, store, site } = await mirror();
  const key = engine.canonicalKey(url);
  const [latest, digest] = await Promise.all([store.lookup(key), sha256(body)]);
  const unchanged = latest && latest.digest === digest && latest.status === 200;
  const headers = KEPT_HEADERS.map((n) => [n, res.headers.get(n)]).filter(([, v]) => v !== null);
  const batch = unchanged ? [] : [{ site, url: key, at: Date.now(), status: 200, headers, body, source }];
  if (batch.length === 0 && settle.length === 0 && found.length === 0) return false;
  await store.record(batch, settle, found);
  if (batch.length && ++writesSincePrune >= PRUNE_EVERY) await prune();
  return batch.length > 0;
}

async function prune() {
  writesSincePrune = 0;
  const { store, site } = await mirror();
  const c = config || (await configReady);
  return store.prune(site, c.budget);
}

async function sha256(bytes) {
  const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  let hex = '';
  for (const b of hash) hex += b.toString(16).padStart(2, '0');
  return hex;
}

// ---------------------------------------------------------------------------------------------- precache

let precaching = null;
/** Progress of the current or last precache run (for `mirror/status`). */
let precacheState = { state: 'idle', pages: 0, resources: 0, failed: 0, skipped: 0 };

/**
 * A sitemap's bytes, gunzipped when it is a `.xml.gz` file (gzip magic; Content-Encoding is undone by fetch()).
 * Capped at the sitemaps.org limit of 50 MB uncompressed, so a gzip bomb can't exhaust the worker.
 */
async function sitemapBytes(body) {
  const MAX = 50 * 1024 * 1024;
  if (body.length < 2 || body[0] !== 0x1f || body[1] !== 0x8b) return body;
  const reader = new Blob([body]).stream().pipeThrough(new DecompressionStream('gzip')).getReader();
  const parts = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > MAX) {
      await reader.cancel().catch(() => {});
      throw new Error(`sitemap over ${MAX} bytes once gunzipped`);
    }
    parts.push(value);
  }
  return new Uint8Array(await new Blob(parts).arrayBuffer());
}

/**
 * Crawls the site's own pages into the mirror with the extension's crawl policy (the engine's `CrawlPolicy`:
 * scope, exclusions, robots.txt, sitemaps, traps, depth/page/byte limits, per-host pacing, retries), starting
 * from `start` and the sitemaps; links come from the engine's extractor. Fetched without credentials: what is
 * precached is the page anyone gets, and the mirroring rules (`refuse`) still apply. The frontier lives in the
 * store, so a worker stopped mid-way resumes where it was; a finished crawl runs again after `every` ms.
 */
function precache({ force = false } = {}) {
  precaching ??= runPrecache(force).finally(() => (precaching = null));
  return precaching;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function runPrecache(force) {
  const c = config || (await configReady);
  const p = c.precache;
  if (!p) return precacheState;
  const { engine, store, site } = await mirror();
  const siteRecord = (await store.sites()).find((s) => s.id === site);
  const last = Number(siteRecord?.settings?.precachedAt || 0);
  const frontier = await store.frontier(site);
  const unfinished = frontier.some((e) => e.state === 'queued');
  if (!force && !unfinished && last && Date.now() - last < p.every) return precacheState;

  const { pages, depth, concurrency, start, every, ...more } = p;
  const policy = new engine.CrawlPolicy(site, {
    scope: 'prefix',
    prefix: site,
    maxPages: pages,
    maxDepth: depth,
    maxConcurrency: concurrency,
    maxResourceBytes: c.maxBody,
    exclude: c.exclude.map((prefix) => new URL(prefix, self.location.origin).href + '*'),
    ...more, // any other CrawlPolicy option (delayMs, include, ignoreRobots, maxBytes…)
  });
  const own = (entries) => entries.map((e) => ({ ...e, site }));
  const now = Date.now();
  const robots = await fetch(new URL('/robots.txt', site), { credentials: 'omit' }).catch(() => null);
  const info = policy.robots(robots && robots.ok ? await robots.text() : '', robots ? robots.status : 0);
  if (unfinished) {
    policy.seed(frontier);
  } else {
    await store.clearFrontier(site);
    const seeds = start.map((s) => ({ url: engine.canonicalKey(new URL(s, site).href), page: true }));
    const found = own(policy.admit(null, seeds, now));
    for (const url of info.sitemaps.slice(0, 5)) {
      const res = await fetch(url, { credentials: 'omit' }).catch(() => null);
      if (!res || !res.ok) continue;
      let map;
      try {
        map = policy.sitemap(await sitemapBytes(new Uint8Array(await res.arrayBuffer())), url);
      } catch (err) {
        console.warn('sitemirror worker: unreadable sitemap', url, err);
        continue;
      }
      found.push(...own(policy.admit({ url, depth: 0, run: 0 }, map.pages.map((u) => ({ url: u, page: true })), now)));
    }
    await store.enqueue(found);
  }
  precacheState = { state: 'running', pages: 0, resources: 0, failed: 0, skipped: 0 };
  for (;;) {
    const batch = await store.queued(site, concurrency);
    if (batch.length === 0) break;
    await Promise.all(
      batch.map((entry) =>
        precacheOne(entry, c, engine, store, site, policy, own).catch(async (err) => {
          precacheState.failed++;
          const reason = `precache/failed: ${err && err.message ? err.message : err}`;
          await store.record([], [{ site, url: entry.url, state: 'failed', reason, at: Date.now() }]);
        }),
      ),
    );
  }
  const settings = { ...(siteRecord?.settings || {}), precachedAt: String(Date.now()) };
  await store.putSite({ ...(siteRecord || { id: site, startUrl: site, created: Date.now() }), updated: Date.now(), settings });
  await prune();
  precacheState = { ...precacheState, state: 'done' };
  return precacheState;
}

/** One frontier entry: paced, fetched, decided by the policy, stored with its admitted links in one transaction. */
async function precacheOne(entry, c, engine, store, site, policy, own) {
  const host = new URL(entry.url).host;
  const timeoutMs = policy.options().timeoutMs;
  for (let attempt = 1; ; attempt++) {
    for (let slot; (slot = policy.slot(host, Date.now())) !== 0; ) await sleep(slot > 0 ? slot : 25);
    const started = Date.now();
    policy.started(host, started);
    const req = new Request(entry.url, { credentials: 'omit', cache: 'no-cache' });
    let res;
    let body;
    let error;
    try {
      res = await fetch(req, { signal: AbortSignal.timeout(timeoutMs) });
      body = new Uint8Array(await res.arrayBuffer());
    } catch (err) {
      error = err && err.name === 'TimeoutError' ? 'timeout' : 'network';
    }
    const now = Date.now();
    const result = { elapsedMs: now - started, attempt, now };
    if (error) result.error = error;
    else {
      result.status = res.status;
      if (res.headers.get('retry-after')) result.retryAfter = res.headers.get('retry-after');
    }
    const decision = policy.finished(host, entry.url, result);
    if (decision.action === 'retry') {
      await sleep(decision.delayMs);
      continue;
    }
    const settle = (state, reason) => [{ site, url: entry.url, state, ...(reason ? { reason } : {}), at: now }];
    const count = (state) => {
      if (state === 'done') precacheState[entry.page ? 'pages' : 'resources']++;
      else precacheState[state]++;
    };
    const finalUrl = res?.url || entry.url;
    const why = error || !decision.store ? null : refuse(req, res, c) || (finalUrl.startsWith(self.location.origin + '/') ? null : 'cross-origin');
    if (decision.action !== 'done' || !decision.store || why) {
      const state = decision.action === 'done' ? 'skipped' : decision.action;
      count(state);
      return store.record([], settle(state, decision.reason || (why ? `precache/${why}` : undefined)));
    }
    policy.addBytes(body.length);
    const type = (res.headers.get('content-type') || '').toLowerCase();
    let links = [];
    try {
      if (type.startsWith('text/html') || type.startsWith('application/xhtml+xml')) {
        const found = engine.extractLinks(body, { url: finalUrl, contentType: type });
        links = [...found.pages.map((url) => ({ url, page: true })), ...found.resources.map((url) => ({ url, page: false }))];
      } else if (type.startsWith('text/css')) {
        links = engine.extractLinks(body, { url: finalUrl, contentType: type, kind: 'css' }).resources.map((url) => ({ url, page: false }));
      }
    } catch (err) {
      console.warn('sitemirror: no links from', finalUrl, err); // stored all the same
    }
    // Resources the site's pages use from other origins would never be served by this worker: not fetched.
    links = links.filter((l) => l.url.startsWith(self.location.origin + '/'));
    const found = links.length ? own(policy.admit({ url: entry.url, depth: entry.depth, run: entry.run ?? 0 }, links, now)) : [];
    count('done');
    return capture(finalUrl, res, body, 'precache', settle('done'), found);
  }
}

// ---------------------------------------------------------------------------------------------- messages

self.addEventListener('message', (event) => {
  const reply = (data) => (event.ports[0] ? event.ports[0].postMessage(data) : event.source?.postMessage(data));
  // waitUntil keeps the worker alive until the answer is sent (and a precache run until it ends).
  event.waitUntil(handle(event.data, event).catch(errorFrom).then(reply));
});

/**
 * Messages (same shape as the extension's: `{ok: true, …}` or `{ok: false, error: {code, message}}`):
 * - `engine/status`, `engine/rewrite` {html, url}: the engine (as in the extension).
 * - `mirror/status`: what the mirror holds, the precache progress, the last answers served from the mirror.
 * - `mirror/idle` {url, resources}: sent by register.js when a page has loaded; mirrors that page and what it
 *   loaded if the worker didn't see them (the first visit, before the worker controlled the page), then runs a
 *   due precache.
 * - `precache/run`: crawls now, whatever the last run (resolves when it ends).
 * - `mirror/clear`: deletes the mirror (e.g. on logout when private pages are mirrored).
 * @param {unknown} msg
 */
async function handle(msg, event) {
  if (!msg || typeof msg !== 'object') return errorResponse('message/invalid', 'message must be an object');
  const types = ['engine/status', 'engine/rewrite', 'mirror/status', 'mirror/idle', 'precache/run', 'mirror/clear'];
  if (!types.includes(msg.type)) return errorResponse('message/invalid', `unknown message type ${JSON.stringify(msg.type)}`);
  if (msg.type === 'engine/rewrite' && (typeof msg.html !== 'string' || typeof msg.url !== 'string')) {
    return errorResponse('message/invalid', 'engine/rewrite needs string html and url');
  }
  try {
    await ready;
  } catch (err) {
    return errorResponse('engine/init-failed', String(err && err.message ? err.message : err));
  }
  const c = config || (await configReady);
  switch (msg.type) {
    case 'engine/status':
      return { ok: true, version: wasm_bindgen.version() };
    case 'engine/rewrite': {
      const out = wasm_bindgen.rewriteHtml(new TextEncoder().encode(msg.html), { url: msg.url, mirrorPrefix: MIRROR_PREFIX, mode: 'static' });
      return { ok: true, html: new TextDecoder().decode(out) };
    }
    case 'mirror/status': {
      const { engine, store, site } = await mirror();
      const [totals, pages, counts] = await Promise.all([store.totals(), store.pages(site), store.frontierCounts(site)]);
      // `urls`: which of these the mirror has (any version).
      const asked = Array.isArray(msg.urls) ? msg.urls.filter((u) => typeof u === 'string') : [];
      const has = {};
      for (const u of asked) has[u] = (await store.versions(engine.canonicalKey(u))).length;
      return { ok: true, site, totals, pages: pages.map((p) => p.url), has, frontier: counts, precache: precacheState, served: served.slice(), config: c };
    }
    case 'mirror/idle': {
      const urls = [msg.url, ...(Array.isArray(msg.resources) ? msg.resources : [])].filter((u) => typeof u === 'string');
      await catchUp(urls, c);
      if (c.precache) await precache();
      return { ok: true };
    }
    case 'precache/run':
      return { ok: true, precache: await precache({ force: true }) };
    case 'mirror/clear': {
      const { store, site } = await mirror();
      await store.deleteSite(site);
      // Close the database so a page can delete it (register.js data-unregister) without being blocked.
      store.close();
      opened = undefined;
      return { ok: true };
    }
  }
  return errorResponse('message/invalid', 'unreachable');
}

/** Mirrors URLs a page loaded that the mirror lacks (the first visit, before the worker was in control). */
async function catchUp(urls, c) {
  const { engine, store } = await mirror();
  for (const url of urls.slice(0, 200)) {
    if (!url.startsWith(self.location.origin + '/') || OWN_FILES.has(url.split('?')[0]) || excluded(url, c)) continue;
    if (await store.lookup(engine.canonicalKey(url))) continue;
    // Same request as the page's (cookies included): the same mirroring rules decide.
    const req = new Request(url, { credentials: 'same-origin' });
    const res = await fetch(req).catch(() => null);
    if (res) await keep(req, res, c).catch(() => {});
  }
}

function errorResponse(code, message) {
  return { ok: false, error: { code, message } };
}

/** Engine errors carry a stable `code`: pass it through so pages can branch on it. */
function errorFrom(err) {
  const code = err && typeof err.code === 'string' ? err.code : 'internal/error';
  return errorResponse(code, err instanceof Error ? err.message : String(err));
}
