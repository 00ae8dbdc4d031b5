/**
 * sitemirror site worker: a classic service worker a site owner deploys on their own origin (see README.md).
 * Visitors keep seeing the site when the origin, or the backend behind its proxy, is down.
 *
 * - Navigations: network first, with a timeout against "lie-fi"; the mirrored copy when the network fails, times
 *   out, or the origin answers 502/503/504 — served at the page's own URL, as captured (its scripts are the site
 *   owner's) and with the security headers it was captured with, plus an "offline copy" banner the engine
 *   inserts. No copy: the network's answer, as without us.
 * - Same-origin assets (styles, scripts, images, fonts, media): from the mirror while the stored copy is fresh
 *   (RFC 9111, decided by the engine's `http` rules), else network first; fetch()/XHR: network first. A stale copy
 *   only ever answers when the network fails or the origin says it's down.
 * - Same-origin GETs in scope are handled; everything else same-origin (non-GET, Authorization, excluded paths)
 *   goes to the network as sent and comes back untouched: the worker only reads its Clear-Site-Data. Cross-origin
 *   requests, Range requests and the worker's own files are left to the browser.
 * - Mirrored: what the engine's `mayMirror` allows — 200 responses a shared cache may keep, no Clear-Site-Data,
 *   and no cookie change while they were fetched (the worker can't see Set-Cookie; it watches `cookiechange`).
 * - Logout: the mirror is cleared when the site's cookies are (Clear-Site-Data "cookies" or "*", a browser's "clear
 *   cookies", a logout script): the worker keeps a cookie of its own and watches it go. Chromium hides the
 *   Clear-Site-Data header itself from service workers; where a browser shows it, "cache", "cookies", "storage" or
 *   "*" on any response the worker sees clears the mirror before the response goes on. Writes are serialised with
 *   the clear, so nothing fetched before it lands after it.
 * - Storage: the engine's MirrorStore (IndexedDB): versions, bodies deduplicated by SHA-256, pruned to a budget.
 * - Optional precache: the site's own pages (links from the engine's extractor, depth and page limits, frontier
 *   persisted in the store so a stopped worker resumes), fetched without credentials.
 *
 * Classic + importScripts (wasm-bindgen `--target no-modules`, global `wasm_bindgen`) because module service
 * workers are not available in every browser a site's visitors use. Listeners are registered synchronously at
 * the top level; the engine loads in the background (`ready`), never awaited at the top level.
 */
/* global wasm_bindgen */
importScripts('pkg/sitemirror.js', 'lib.js'); // lib.js: lib/shared.js, shared with the extension

/** This worker's global scope, as the service worker it is (`self` is typed as any worker's). */
const sw = /** @type {ServiceWorkerGlobalScope} */ (/** @type {unknown} */ (self));

/**
 * Holds the engine files. Versioned so a new deployment whose layout changes can drop old entries in `activate`;
 * files of the same version are simply overwritten at install.
 */
const ENGINE_CACHE = 'sitemirror-engine-v1';
/** Holds the site owner's JSON config, so a worker restarted while the origin is down still has it. */
const CONFIG_CACHE = 'sitemirror-config-v1';
/** The mirror's IndexedDB database. Kept across worker updates; deleted by `register.js` with `data-unregister`. */
const DB_NAME = 'sitemirror-site';
const GLUE_URL = new URL('pkg/sitemirror.js', self.location.href).href;
const WASM_URL = new URL('pkg/sitemirror_bg.wasm', self.location.href).href;
const LIB_URL = new URL('lib.js', self.location.href).href;
/** The worker's own files: never mirrored, never intercepted. */
const OWN_FILES = new Set([self.location.href.split('?')[0], GLUE_URL, WASM_URL, LIB_URL]);
/** Mirror URLs (engine/rewrite messages) stay on this origin, under the scope, in a path unlikely to clash. */
const MIRROR_PREFIX = new URL('__sitemirror/m/', sw.registration.scope).href;
/** `sw.js?config=/sitemirror.json`: where the site owner's config is (set by register.js from `data-config`). */
const CONFIG_URL = (() => {
  const c = new URL(self.location.href).searchParams.get('config');
  return c ? new URL(c, self.location.href).href : null;
})();

/** Defaults of every config key (README.md documents them). */
const DEFAULTS = {
  scope: null, // register.js's business; here for completeness
  timeout: 4000, // ms a navigation waits for the network before the mirror answers (when it has a copy)
  fallbackStatuses: [502, 503, 504], // origin answers that mean "down": serve the mirror instead
  banner: 'Offline copy of this page, saved {date}.', // text ({date} = capture time); false: no banner
  exclude: [], // path prefixes (e.g. "/admin/") never mirrored nor answered from the mirror
  mirrorUncacheable: false, // true: also mirror `Cache-Control: no-store` / `private` / `Vary: Cookie` responses
  logoutCookie: true, // keep the `__sitemirror` cookie, whose loss (cookies cleared: a logout) clears the mirror
  refresh: 60_000, // ms: a URL's copy is refreshed from a response it passed on at most this often
  budget: 100 << 20, // bytes of bodies kept; older versions, then least recently captured pages, go beyond it
  maxBody: 16 << 20, // largest body mirrored
  precache: false, // or {pages: 50, depth: 3, start: ["/"], concurrency: 2, every: 86400000}
};
const PRECACHE_DEFAULTS = { pages: 50, depth: 3, start: ['/'], concurrency: 2, every: 24 * 3600 * 1000 };
/** Subresource destinations a fresh stored copy may answer; other non-navigation GETs are network first. */
const ASSET_DESTINATIONS = new Set(['style', 'script', 'image', 'font', 'audio', 'video', 'track', 'manifest', 'worker', 'sharedworker', 'object', 'embed']);
/** How often the config is re-read from the origin after a successful navigation. */
const CONFIG_REFRESH_MS = 10 * 60 * 1000;
/**
 * What the mirror's captures hold (site setting `rules`). Copies stored by a worker whose captures lacked what
 * replay now relies on (before '2': the security headers) are dropped when the store opens, never served.
 */
const MIRROR_RULES = '2';

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
  const res = await fetch(CONFIG_URL, { cache: 'no-cache', credentials: 'omit' }).then(honour);
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

sw.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(ENGINE_CACHE);
      // `no-cache`: revalidate, so the cached wasm matches the glue this worker version imported.
      await cache.addAll([GLUE_URL, WASM_URL].map((url) => new Request(url, { cache: 'no-cache' })));
      await fetchConfig().catch((err) => console.warn('sitemirror: config not read', err));
      await sw.skipWaiting();
    })(),
  );
});

sw.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      const names = await caches.keys();
      await Promise.all(
        names.filter((n) => n.startsWith('sitemirror-engine-') && n !== ENGINE_CACHE).map((n) => caches.delete(n)),
      );
      // The navigation request starts while the worker boots, instead of after: less online overhead.
      await sw.registration.navigationPreload?.enable().catch(() => {});
      // Cookie changes under the scope wake the worker (`cookiechange`, below). Not awaited: it can take seconds,
      // and fetch events wait for activation to end.
      sw.registration.cookies?.subscribe([{ url: sw.registration.scope }]).catch(() => {});
      // Control already-open pages now, so their next requests are mirrored without a reload.
      await sw.clients.claim();
    })(),
  );
});

// ---------------------------------------------------------------------------------------------- fetch

sw.addEventListener('fetch', (event) => {
  const req = event.request;
  const url = req.url;
  if (!url.startsWith(self.location.origin + '/')) return; // cross-origin: untouched
  if (OWN_FILES.has(url.split('?')[0]) || req.headers.has('range')) return;
  const t = ticket();
  const answer = (c) => {
    if (req.method !== 'GET' || req.headers.has('authorization') || excluded(url, c)) return passThrough(event);
    return req.mode === 'navigate' ? navigation(event, c, t) : subresource(event, c, t);
  };
  // The first event of a fresh worker waits the few ms the config takes to read.
  event.respondWith(config ? answer(config) : configReady.then(answer));
});

/** Paths the site owner keeps out of the mirror (config `exclude`: path prefixes). */
function excluded(url, c) {
  const path = new URL(url).pathname;
  return c.exclude.some((prefix) => path.startsWith(prefix));
}

/**
 * A request's ticket: when it was sent, its place among the events this worker handles (`seq`: a cookie change
 * handled after it may come from its answer), and which mirror it belongs to (a clear starts a new generation).
 */
function ticket() {
  return { sent: Date.now(), seq: ++events, gen: generation };
}

/** The navigation preload response when the browser made one, else a fetch. */
async function preloadOrFetch(event) {
  const preloaded = await event.preloadResponse;
  return preloaded || fetch(event.request);
}

/**
 * What the mirror never answers (non-GET — logout forms and API calls —, requests with Authorization, excluded
 * paths) goes to the network as sent and comes back untouched: the worker only makes it wait for the clear a
 * logout starts (`honour`).
 */
async function passThrough(event) {
  return honour(await (event.request.mode === 'navigate' ? preloadOrFetch(event) : fetch(event.request)));
}

/**
 * A response that ends a session clears the mirror before it goes on, so the next person at this browser can't
 * be shown the previous one's pages: a `Clear-Site-Data` of "cookies", "cache", "storage" or "*" where the
 * browser lets the worker read it (Chromium doesn't), and in every browser a clear started because the site's
 * cookies vanished while it was fetched (the browser clears them before it hands the response on).
 */
async function honour(res) {
  const value = res.headers.get('clear-site-data');
  try {
    if (value !== null) {
      await ready;
      if (wasm_bindgen.clearsMirror(value)) await clearMirror();
    }
    await clearing;
  } catch (err) {
    console.error('sitemirror: the mirror could not be cleared', err);
  }
  return res;
}

/**
 * Network first. The mirror answers when the network fails, takes longer than `timeout` (and a copy exists), or
 * the origin says it's down (502/503/504). Otherwise the network's answer, unchanged.
 */
async function navigation(event, c, t) {
  const req = event.request;
  const network = preloadOrFetch(event).then(honour);
  // Whatever the network answers later (after a timeout) still refreshes the mirror — when due: a response handed
  // on untouched streams straight to the page, while a copied one goes through this worker's thread.
  if (due(req.url, c)) event.waitUntil(network.then((res) => keep(req, res.clone(), c, t)).catch(() => {}));
  maybeRefreshConfig(event);

  let timer;
  const timedOut = new Promise((resolve) => {
    timer = setTimeout(() => resolve('timeout'), c.timeout);
  });
  const first = await Promise.race([network.then((res) => ({ res }), (err) => ({ err })), timedOut]);
  clearTimeout(timer);

  if (first === 'timeout') {
    const copy = await fromMirror(req.url, c, 'timeout');
    return copy || network; // no copy: keep waiting, as the browser would have
  }
  if (first.err) {
    const copy = await fromMirror(req.url, c, 'offline');
    if (copy) return copy;
    throw first.err; // the browser's own error page, as without the worker
  }
  if (c.fallbackStatuses.includes(first.res.status)) {
    const copy = await fromMirror(req.url, c, `status-${first.res.status}`);
    if (copy) return copy;
  }
  return first.res;
}

/**
 * Assets: the stored copy while it is fresh (or within its stale-while-revalidate window, refreshed behind it);
 * otherwise, like fetch()/XHR, network first, the stored copy when the network fails or the origin is down.
 */
async function subresource(event, c, t) {
  const req = event.request;
  let copy = null;
  if (ASSET_DESTINATIONS.has(req.destination)) {
    // A copy known to be stale (no-cache, say) isn't read only to be put aside: the network answers first.
    const seen = seenCopies.get(req.url);
    const stale = seen && wasm_bindgen.freshness(seen.headers, seen.at, Date.now(), req.cache).state === 'stale';
    copy = stale ? null : await stored(req.url);
    if (copy) {
      sawCopy(req.url, copy.capture);
      const { state } = wasm_bindgen.freshness(copy.capture.headers, copy.capture.at, Date.now(), req.cache);
      const answer = state === 'stale' ? null : await respond(copy, state, c);
      if (answer) {
        if (state === 'stale-while-revalidate') event.waitUntil(revalidate(req, c));
        return answer;
      }
    }
  }
  const fallback = async (why) => respond(copy || (await stored(req.url)), why, c);
  let res;
  try {
    res = await fetch(req).then(honour);
  } catch (err) {
    const answer = await fallback('offline');
    if (answer) return answer;
    throw err;
  }
  if (due(req.url, c)) event.waitUntil(keep(req, res.clone(), c, t).catch(() => {}));
  if (c.fallbackStatuses.includes(res.status)) {
    const answer = await fallback(`status-${res.status}`);
    if (answer) return answer;
  }
  return res;
}

/**
 * The headers and time of each URL's stored copy, as this worker instance last read or wrote it: enough to tell
 * a stale copy without reading it (an IndexedDB read that cost no-cache assets ~15 ms before the network).
 * Only ever used to skip a read: a copy believed fresh is read, and judged, again.
 */
const seenCopies = new Map();
function sawCopy(url, capture) {
  seenCopies.delete(url);
  seenCopies.set(url, { headers: capture.headers, at: capture.at });
  if (seenCopies.size > 5000) seenCopies.delete(seenCopies.keys().next().value);
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
    const t = ticket();
    const job = fetch(req)
      .then(honour)
      .then((res) => keep(req, res, c, t))
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

// ---------------------------------------------------------------------------------------------- cookies

/**
 * A service worker can't read `Set-Cookie`, but the browser tells it when a script-visible cookie under its scope
 * changes (`cookiechange`, subscribed at activation) — before the worker gets the response that set it. So a
 * response during whose fetch a cookie changed is not mirrored: it probably set it, and what it holds may belong
 * to that session. Fetch and cookie events are numbered in the order this worker's thread handles them.
 * HttpOnly cookies are never reported (README.md, "Privacy").
 *
 * Logouts: the worker keeps a cookie of its own (`SENTINEL`, a constant value). When the site's cookies are
 * cleared — `Clear-Site-Data: "cookies"` (which Chromium hides from workers, even on a redirect), the browser's
 * "clear cookies", a logout script deleting them — it goes with them, and the mirror is cleared.
 */
let events = 0;
let cookieChangedSeq = 0;
sw.addEventListener('cookiechange', (event) => {
  const others = (list) => list.some((cookie) => cookie.name !== SENTINEL);
  if (others(event.changed) || others(event.deleted)) cookieChangedSeq = ++events;
  if (event.deleted.some((cookie) => cookie.name === SENTINEL)) event.waitUntil(cookiesCleared());
});

const SENTINEL = '__sitemirror';
/** A clear started because the sentinel vanished, until it is done (responses wait for it: `honour`). */
let clearing = null;

function cookiesCleared() {
  clearing ??= (async () => {
    const c = config || (await configReady);
    if (c.logoutCookie !== false) await clearMirror(); // the next opening of the store sets a new sentinel
  })().finally(() => (clearing = null));
  return clearing;
}

/** The sentinel as the browser has it: a cookie, null when there is none, undefined when cookies can't be read. */
async function sentinel() {
  if (!sw.cookieStore) return undefined;
  return sw.cookieStore.get(SENTINEL).catch(() => undefined);
}

/** Sets (or renews) the sentinel for the worker's scope; false when it didn't stick (cookies blocked). */
async function setSentinel() {
  if (!sw.cookieStore) return false;
  const path = new URL(sw.registration.scope).pathname;
  const expires = Date.now() + 400 * 86_400_000; // the longest a browser keeps a cookie
  await sw.cookieStore.set({ name: SENTINEL, value: '1', path, expires, sameSite: 'strict' }).catch(() => {});
  return !!(await sentinel());
}

/** Whether a cookie changed after the request of ticket `t` was sent. */
function cookiesChanged(t) {
  return cookieChangedSeq > t.seq;
}

// ---------------------------------------------------------------------------------------------- the mirror

let opened;
/**
 * The engine and the store, opened once per worker instance (and again after a clear). What it holds is dropped
 * when it was stored under older rules, or when the site's cookies were cleared since the sentinel was set (a
 * logout while no worker was running to see it go). `watched`: the sentinel stands for the mirror.
 */
function mirror() {
  opened ??= (async () => {
    await ready;
    const c = config || (await configReady);
    const store = await wasm_bindgen.MirrorStore.open(DB_NAME, { maxBody: c.maxBody });
    const site = sw.registration.scope;
    let known = await store.site(site);
    const mark = c.logoutCookie !== false ? await sentinel() : undefined;
    // Copies stored under older rules lack headers their replay relies on (the page's security policies).
    const outdated = known && known.settings?.rules !== MIRROR_RULES;
    const loggedOut = known?.settings?.sentinel === 'set' && mark === null;
    if (outdated || loggedOut) {
      await store.deleteSite(site);
      known = null;
    }
    if (!known) {
      const now = Date.now();
      known = { id: site, startUrl: site, created: now, updated: now, settings: { rules: MIRROR_RULES } };
      await store.putSite(known);
    }
    const renew = !mark || mark.expires === null || mark.expires < Date.now() + 30 * 86_400_000;
    let watched = known.settings.sentinel === 'set' && !!mark;
    if (c.logoutCookie !== false && mark !== undefined && (renew || !watched) && (await setSentinel())) {
      if (known.settings.sentinel !== 'set') {
        await store.putSite({ ...known, settings: { ...known.settings, sentinel: 'set' } });
      }
      watched = true;
    }
    return { engine: wasm_bindgen, store, site, watched };
  })();
  opened.catch(() => (opened = undefined));
  return opened;
}

/** Bumped by every clear: what was fetched or read under an older generation is neither written nor served. */
let generation = 0;
/**
 * Mirror writes run one at a time, a clear among them: a capture fetched before a logout, whose write comes
 * after the clear, is dropped instead of bringing the previous session's page back.
 */
let writing = Promise.resolve();
function write(t, job) {
  const run = writing.then(() => (t.gen === generation ? job() : false));
  writing = run.catch(() => {});
  return run;
}

/**
 * A read that must see the store whole (`mirror/status`): it takes its turn between writes, so a clear can't
 * delete the site and close the store under it, and it sees every write queued before it.
 */
function between(job) {
  const run = writing.then(job);
  writing = run.catch(() => {});
  return run;
}

/** Deletes everything the mirror holds (captures, bodies, frontier) and the precache's progress. */
async function clearMirror() {
  generation++;
  precacheState = { state: 'idle', queued: 0, done: 0, failed: 0, skipped: 0 };
  refreshed.clear();
  seenCopies.clear();
  await write(ticket(), async () => {
    await ready;
    // The store as it is: opening it through mirror() sets a new sentinel, which is the next session's business
    // (and must not come back while register.js data-unregister removes everything).
    const store = opened ? (await mirror()).store : await wasm_bindgen.MirrorStore.open(DB_NAME, {});
    await store.deleteSite(sw.registration.scope);
    // Closed so a page can delete the database (register.js data-unregister) without being blocked.
    store.close();
    opened = undefined;
  });
}

/** The stored copy of `url` (`{capture, body, gen, watched}`), or null. */
async function stored(url) {
  try {
    const gen = generation;
    const { engine, store, watched } = await mirror();
    const found = await store.replay(engine.canonicalKey(url), {});
    return found ? { ...found, gen, watched } : null;
  } catch {
    return null;
  }
}

/**
 * A stored copy as the answer to its own URL — with the headers it was captured with (its security policies
 * among them, so it may do offline no more than online) — or null when the mirror was cleared since it was read.
 * Documents get the offline banner. `why` becomes `x-sitemirror-served` (README.md, "How it works").
 */
async function respond(found, why, c) {
  if (!found || found.gen !== generation) return null;
  try {
    const { capture, body } = found;
    // Before a copy stands in for the origin, the sentinel is looked at: a logout whose cookie event hasn't come
    // yet must not let the previous session's page through. (A fresh copy is a public one, answered at once.)
    const online = why === 'fresh' || why === 'stale-while-revalidate';
    if (!online && found.watched && (await sentinel()) === null) {
      await cookiesCleared();
      return null;
    }
    // Headers, type, banner and body are the engine's (serve::site_copy); only the date's wording is the browser's.
    const banner = c.banner === false ? null : {
      text: String(c.banner === true ? DEFAULTS.banner : c.banner),
      dateText: formatDate(new Date(capture.at)),
    };
    const out = await wasm_bindgen.siteCopy(capture, body, { why, now: Date.now(), banner });
    return new Response(out.body, { status: out.status, headers: out.headers });
  } catch (err) {
    console.warn('sitemirror: a stored copy could not be replayed', err);
    return null;
  }
}

/** The stored copy of `url` as a Response, or null. */
async function fromMirror(url, c, why) {
  return respond(await stored(url), why, c);
}

function formatDate(date) {
  try {
    return date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
  } catch {
    return date.toUTCString();
  }
}

/** Why the mirror must not keep a response (the engine's `mayMirror`: README.md, "Privacy"), or null. */
function refusal(req, res, c, more = {}) {
  const exchange = {
    status: res.status,
    sameOrigin: res.type === 'basic',
    authorization: req.headers.has('authorization'),
    headers: [...res.headers],
    ...more,
  };
  return wasm_bindgen.mayMirror(exchange, { mirrorUncacheable: !!c.mirrorUncacheable, maxBody: c.maxBody });
}

/** Writes since the last prune; every few writes the store is brought back within the budget. */
let writesSincePrune = 0;
const PRUNE_EVERY = 20;

/**
 * Mirrors a response (a clone the page doesn't read) when the rules allow it. `t`: its request's ticket (when it
 * was sent, which mirror generation it belongs to).
 */
async function keep(req, res, c, t, source = 'visit') {
  const url = res.url || req.url;
  if (excluded(url, c) || !url.startsWith(self.location.origin + '/')) return false;
  await ready;
  if (refusal(req, res, c, { cookiesChanged: cookiesChanged(t) })) return false;
  const body = new Uint8Array(await res.arrayBuffer());
  // Again once the body is in: its real size, and a cookie set while it streamed.
  if (refusal(req, res, c, { cookiesChanged: cookiesChanged(t), bodyLength: body.length })) return false;
  return capture(url, res, body, source, [], [], t);
}

/**
 * Stores one response (as the engine's `recapture` says: a new version, in place of a stale copy the origin just
 * confirmed, or not at all) plus frontier changes, in one transaction. Its time is when its request was sent.
 */
async function capture(url, res, body, source, settle, found, t) {
  const headers = wasm_bindgen.keptHeaders([...res.headers]);
  const digest = await sha256(body);
  return write(t, async () => {
    const { engine, store, site } = await mirror();
    const key = engine.canonicalKey(url);
    const latest = (await store.lookup(key)) || null;
    const good = latest && latest.status === 200 ? latest : null;
    const same = !!good && good.digest === digest;
    const plan = engine.recapture(good && { headers: good.headers, at: good.at }, same, headers, t.sent);
    const version = { site, url: key, at: t.sent, status: 200, headers, source, ...(same ? { unchanged: digest } : { body }) };
    const batch = plan === 'skip' ? [] : [version];
    if (batch.length === 0 && settle.length === 0 && found.length === 0) return false;
    await store.record(batch, settle, found);
    if (plan === 'replace') await store.deleteCapture(good.id);
    if (batch.length) sawCopy(url, version);
    if (batch.length && ++writesSincePrune >= PRUNE_EVERY) {
      writesSincePrune = 0;
      await store.prune(site, (config || (await configReady)).budget);
    }
    return batch.length > 0;
  });
}

async function prune(t) {
  writesSincePrune = 0;
  const c = config || (await configReady);
  return write(t, async () => {
    const { store, site } = await mirror();
    return store.prune(site, c.budget);
  });
}

async function sha256(bytes) {
  const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  let hex = '';
  for (const b of hash) hex += b.toString(16).padStart(2, '0');
  return hex;
}

// ---------------------------------------------------------------------------------------------- precache

let precaching = null;
/** Progress of the current or last precache run (for `mirror/status`): the crawl driver's counts. */
let precacheState = { state: 'idle', queued: 0, done: 0, failed: 0, skipped: 0 };

/**
 * Crawls the site's own pages into the mirror with the engine's `CrawlDriver` — the same crawl as the extension's
 * "Mirror this site": seeding (robots.txt, sitemaps, the start pages), scope, exclusions, robots rules, traps,
 * depth/page/byte limits, per-host pacing, retries, batching. Fetched without credentials: what is precached is
 * the page anyone gets, and the mirroring rules (`mayMirror`) still apply. The frontier lives in the store, so a
 * worker stopped mid-way resumes where it was; a finished crawl runs again after `every` ms. A clear (logout)
 * ends the run: nothing it fetched before is written after.
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
  const t = ticket();
  const { engine, store, site } = await mirror();
  const siteRecord = await store.site(site);
  const last = Number(siteRecord?.settings?.precachedAt || 0);
  let frontier = await store.frontier(site);
  const unfinished = frontier.some((e) => e.state === 'queued');
  if (!force && !unfinished && last && Date.now() - last < p.every) return precacheState;

  const { pages, depth, concurrency, start, every, ...more } = p;
  const starts = start.map((s) => new URL(s, site).href);
  const options = {
    scope: 'prefix',
    prefix: site,
    maxPages: pages,
    maxDepth: depth,
    maxConcurrency: concurrency,
    maxResourceBytes: c.maxBody,
    // Resources of other origins would never be served by this worker.
    externalResources: false,
    exclude: c.exclude.map((prefix) => new URL(prefix, self.location.origin).href + '*'),
    ...more, // any other crawl option (delayMs, include, ignoreRobots, maxBytes…)
  };
  const driver = new engine.CrawlDriver(starts[0] ?? site, options, { source: 'precache', redirects: 'follow', cookies: false });
  for (const more of starts.slice(1)) driver.addStart(more);
  if (!unfinished) {
    await write(t, () => store.clearFrontier(site));
    frontier = [];
  }
  // A resumed run asks robots.txt again (the worker keeps no crawl job): its rules rule what is still queued.
  driver.begin(frontier, unfinished ? await robotsNow(driver.robotsUrl) : null, 0);
  if (t.gen !== generation) return precacheState;
  precacheState = { state: 'running', ...counts(driver) };
  const ok = await hostDriver(driver, c, t);
  if (!ok || t.gen !== generation) return precacheState; // cleared meanwhile: the run is over, its state reset
  const settings = { ...(siteRecord?.settings || {}), precachedAt: String(Date.now()) };
  await write(t, () => store.putSite({ ...(siteRecord || { id: site, startUrl: site, created: Date.now() }), updated: Date.now(), settings }));
  await prune(t);
  precacheState = { state: 'done', ...counts(driver) };
  return precacheState;
}

function counts(driver) {
  const { queued, done, failed, skipped } = driver.progress();
  return { queued, done, failed, skipped };
}

async function robotsNow(url) {
  const res = await fetch(url, { credentials: 'omit' }).then(honour).catch(() => null);
  return { text: res && res.ok ? await res.text() : '', status: res ? res.status : 0 };
}

/**
 * Runs the driver: fetches what it asks for (concurrently), waits when it says, writes its batches in order.
 * Resolves true when the crawl is done, false when a clear ended it.
 */
async function hostDriver(driver, c, t) {
  const bodies = new Map();
  const inFlight = new Set();
  let wake = null;
  const woken = () => new Promise((resolve) => (wake = resolve));
  const kick = () => wake?.();
  for (;;) {
    if (t.gen !== generation) return false;
    const step = driver.next(Date.now());
    if (step.kind === 'fetch') {
      const job = precacheFetch(driver, step, c, bodies).finally(() => {
        inFlight.delete(job);
        kick();
      });
      inFlight.add(job);
    } else if (step.kind === 'write') {
      const ok = await write(t, () => writeBatch(step, bodies));
      if (ok === false) return false;
      driver.written(step.seeded);
      precacheState = { state: 'running', ...counts(driver) };
    } else if (step.kind === 'read') {
      const { store } = await mirror();
      const body = await store.body(step.digest);
      driver.onStored(step.id, body ? new Uint8Array(await new Blob([body]).arrayBuffer()) : null, Date.now());
    } else if (step.kind === 'wait') {
      const signal = woken();
      await (step.ms === null ? signal : Promise.race([signal, sleep(step.ms)]));
    } else {
      return true;
    }
  }
}

/** One fetch of the precache: its outcome (and, when the worker's rules refuse the response, why) to the driver. */
async function precacheFetch(driver, task, c, bodies) {
  const started = Date.now();
  const req = new Request(task.url, { credentials: 'omit', cache: 'no-cache' });
  const response = { status: 0, headers: [], size: 0, elapsedMs: 0 };
  let body = null;
  try {
    const res = await fetch(req, { signal: AbortSignal.timeout(task.timeoutMs) }).then(honour);
    Object.assign(response, { status: res.status, headers: [...res.headers] });
    if (res.redirected && res.url) response.url = res.url;
    body = await bodyCapped(res, task.maxBytes);
    if (body === null) {
      response.error = 'too-large';
    } else {
      const finalUrl = res.url || task.url;
      // Without credentials no cookie is set: the cookie rule has nothing to see here.
      const why = refusal(req, res, c, { bodyLength: body.length }) || (finalUrl.startsWith(self.location.origin + '/') ? null : 'cross-origin');
      if (why) response.refused = `${ErrorCode.PRECACHE_PREFIX}${why}: the site worker does not keep this response`;
      await putBody(response, task, body);
    }
  } catch (err) {
    response.error = err && err.name === 'TimeoutError' ? 'timeout' : 'network';
  }
  const now = Date.now();
  response.elapsedMs = now - started;
  if (driver.onResponse(task.id, response, now)) bodies.set(task.id, body);
}

/** Writes one batch of the driver; each new body as `capture` would (the engine's `recapture`). */
async function writeBatch(batch, bodies) {
  const { engine, store } = await mirror();
  const captures = [];
  const replaced = [];
  for (const { response, ...c } of batch.captures) {
    const body = bodies.get(response) ?? new Uint8Array(0);
    bodies.delete(response);
    if (c.unchanged) {
      captures.push(c);
      continue;
    }
    const headers = engine.keptHeaders(c.headers);
    const digest = await sha256(body);
    const latest = (await store.lookup(c.url)) || null;
    const good = latest && latest.status === 200 ? latest : null;
    const same = !!good && good.digest === digest;
    const plan = engine.recapture(good && { headers: good.headers, at: good.at }, same, headers, c.at);
    if (plan === 'skip') continue;
    captures.push({ ...c, headers, ...(same ? { unchanged: digest } : { body }) });
    if (plan === 'replace') replaced.push(good.id);
  }
  await store.record(captures, batch.settle, batch.found);
  for (const id of replaced) await store.deleteCapture(id);
  return true;
}

// ---------------------------------------------------------------------------------------------- messages

sw.addEventListener('message', (event) => {
  const reply = (data) => (event.ports[0] ? event.ports[0].postMessage(data) : event.source?.postMessage(data));
  // waitUntil keeps the worker alive until the answer is sent (and a precache run until it ends).
  event.waitUntil(handle(event.data, event).catch(errorFrom).then(reply));
});

/**
 * Messages (same shape as the extension's: `{ok: true, …}` or `{ok: false, error: {code, message}}`):
 * - `engine/status`, `engine/rewrite` {html, url}: the engine (as in the extension).
 * - `mirror/status`: what the mirror holds, the precache progress, the config in effect.
 * - `mirror/idle` {url, resources}: sent by register.js when a page has loaded; mirrors that page and what it
 *   loaded if the worker didn't see them (the first visit, before the worker controlled the page), then runs a
 *   due precache.
 * - `precache/run`: crawls now, whatever the last run (resolves when it ends).
 * - `mirror/clear`: deletes the mirror, as a Clear-Site-Data response does (a logout the worker can't see).
 * @param {any} msg
 */
async function handle(msg, event) {
  if (!msg || typeof msg !== 'object') return errorResponse(ErrorCode.INVALID, 'message must be an object');
  const types = ['engine/status', 'engine/rewrite', 'mirror/status', 'mirror/idle', 'precache/run', 'mirror/clear'];
  if (!types.includes(msg.type)) return errorResponse(ErrorCode.INVALID, `unknown message type ${JSON.stringify(msg.type)}`);
  if (msg.type === 'engine/rewrite' && (typeof msg.html !== 'string' || typeof msg.url !== 'string')) {
    return errorResponse(ErrorCode.INVALID, 'engine/rewrite needs string html and url');
  }
  try {
    await ready;
  } catch (err) {
    return errorResponse(ErrorCode.ENGINE_INIT, String(err && err.message ? err.message : err));
  }
  const c = config || (await configReady);
  switch (msg.type) {
    case 'engine/status':
      return { ok: true, version: wasm_bindgen.version() };
    case 'engine/rewrite': {
      const out = wasm_bindgen.rewriteHtml(new TextEncoder().encode(msg.html), { url: msg.url, mirrorPrefix: MIRROR_PREFIX, mode: 'static' });
      return { ok: true, html: new TextDecoder().decode(out) };
    }
    case 'mirror/status':
      return between(async () => {
        const { engine, store, site } = await mirror();
        const [totals, pages, counts] = await Promise.all([store.totals(), store.pages(site), store.frontierCounts(site)]);
        // `urls`: which of these the mirror has (any version).
        const asked = Array.isArray(msg.urls) ? msg.urls.filter((u) => typeof u === 'string') : [];
        const has = {};
        for (const u of asked) has[u] = (await store.versions(engine.canonicalKey(u))).length;
        return { ok: true, site, totals, pages: pages.map((p) => p.url), has, frontier: counts, precache: precacheState, config: c };
      });
    case 'mirror/idle': {
      const urls = [msg.url, ...(Array.isArray(msg.resources) ? msg.resources : [])].filter((u) => typeof u === 'string');
      await catchUp(urls, c);
      if (c.precache) await precache();
      return { ok: true };
    }
    case 'precache/run':
      return { ok: true, precache: await precache({ force: true }) };
    case 'mirror/clear':
      await clearMirror();
      return { ok: true };
  }
  return errorResponse(ErrorCode.INVALID, 'unreachable');
}

/** Mirrors URLs a page loaded that the mirror lacks (the first visit, before the worker was in control). */
async function catchUp(urls, c) {
  const { engine, store } = await mirror();
  for (const url of urls.slice(0, 200)) {
    if (!url.startsWith(self.location.origin + '/') || OWN_FILES.has(url.split('?')[0]) || excluded(url, c)) continue;
    if (await store.lookup(engine.canonicalKey(url))) continue;
    // Same request as the page's (cookies included): the same mirroring rules decide.
    const req = new Request(url, { credentials: 'same-origin' });
    const t = ticket();
    const res = await fetch(req).then(honour).catch(() => null);
    if (res) await keep(req, res, c, t).catch(() => {});
  }
}

