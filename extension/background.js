/**
 * Background service worker: loads the wasm engine and answers runtime messages.
 *
 * Rules this file follows (see docs/architecture.md, "Platform facts"):
 * - `init()` starts at top level but is never awaited there: top-level await kills an extension SW.
 * - Every listener is registered synchronously on first evaluation, or Chrome won't deliver the event
 *   that woke the worker.
 * - Handlers `await ready`, so a message that restarts a stopped worker waits for the engine.
 */
import init, * as engine from './pkg/sitemirror.js';
import { MessageType, ErrorCode, parseRequest, errorResponse, errorFrom } from './messages.js';
import { MIRROR_PATH, msToTimestamp, serve } from './replay.js';
import { UNREACHABLE, settings, statusTriggers, viewerUrl } from './fallback.js';
import { listSites, addSite, enableSite, deleteSite, siteStatus, siteOf, liveSite, mirrorableUrl } from './sites.js';
import * as capture from './capture.js';
import * as crawl from './crawl.js';
import * as render from './render.js';
import { siteBudget } from './budget.js';

const ready = init({ module_or_path: chrome.runtime.getURL('pkg/sitemirror_bg.wasm') });
// Log a failed init once here; handlers still see the rejection through `ready` and report it.
ready.catch((err) => console.error('sitemirror: engine failed to initialise', err));

/** Where mirrored pages live: `chrome-extension://<id>/m/`, served by the fetch handler below. */
const MIRROR_PREFIX = chrome.runtime.getURL('m/');
const ORIGIN = MIRROR_PREFIX.slice(0, -MIRROR_PATH.length);

/** The mirror store, opened once the engine is ready. */
const storeReady = ready.then(() => engine.MirrorStore.open('sitemirror', undefined));
storeReady.catch((err) => console.error('sitemirror: the mirror store failed to open', err));

// The test build's entry (tests/e2e/test-build/) imports these to reach the engine and the store; nothing in the
// shipped extension exposes them.
export { ready, engine, storeReady };

/**
 * What each replayed document asked for and the mirror doesn't have: document mirror URL → missing original
 * URLs. In memory only: it describes pages being looked at now, for the viewer to list.
 */
const missing = new Map();
const MISSING_DOCS = 50;
/** Misses whose document is still being looked up: a `mirror/missing` question waits for them, so a 404 the page
 * has already received is always in its answer. */
const recording = new Set();

function recordMiss(clientId, url) {
  if (!clientId) return;
  // A service worker's globals (the checked types are the DOM's; this file runs as the extension's worker).
  const done = /** @type {any} */ (self).clients.get(clientId).then((client) => {
    if (!client) return;
    const key = client.url.split('#')[0];
    if (!missing.has(key) && missing.size >= MISSING_DOCS) missing.delete(missing.keys().next().value);
    const list = missing.get(key) || new Set();
    list.add(url);
    missing.set(key, list);
  });
  recording.add(done);
  done.finally(() => recording.delete(done));
}

/** What the replayed document `doc` (its mirror URL) asked for that the mirror doesn't have, misses being recorded
 * included (a 404 it has already received is always there). */
async function missesOf(doc) {
  await Promise.allSettled([...recording]);
  return [...(missing.get(doc.split('#')[0]) || [])];
}

self.addEventListener('fetch', (/** @type {any} */ event) => {
  const url = new URL(event.request.url);
  if (url.origin !== ORIGIN || !url.pathname.startsWith(MIRROR_PATH)) return;
  const onMiss = (key) => recordMiss(event.clientId, key);
  event.respondWith(
    storeReady.then((store) => serve(event.request, { store, prefix: MIRROR_PREFIX, origin: ORIGIN, onMiss })),
  );
});

/**
 * The mirrored site a URL belongs to, if any (sites are keyed by their origin + '/').
 * @param {string} url
 */
async function mirroredSite(url) {
  return siteOf(await storeReady, url);
}

/** Sends a tab whose navigation failed to the viewer, if the site is mirrored (and not kept for viewing only). */
async function fallBack(tabId, url) {
  if (!(await liveSite(await storeReady, url, 'fallback'))) return;
  await chrome.tabs.update(tabId, { url: viewerUrl(url) });
}

chrome.webNavigation.onErrorOccurred.addListener((details) => {
  if (details.frameId !== 0 || !UNREACHABLE.has(details.error)) return;
  settings()
    .then((s) => (s.onUnreachable ? fallBack(details.tabId, details.url) : undefined))
    .catch((err) => console.error('sitemirror: fallback failed', err));
});

chrome.webRequest.onCompleted.addListener(
  (details) => {
    if (details.tabId < 0 || details.statusCode < 500) return;
    settings()
      .then((s) => (statusTriggers(details.statusCode, s) ? fallBack(details.tabId, details.url) : undefined))
      .catch((err) => console.error('sitemirror: fallback failed', err));
  },
  { urls: ['http://*/*', 'https://*/*'], types: ['main_frame'] },
);

// Capture as you browse (capture.js): what each tab loads is listed, then stored when the page has loaded.
const HTTP = { urls: ['http://*/*', 'https://*/*'] };
chrome.webRequest.onCompleted.addListener(capture.onResponse, HTTP, ['responseHeaders']);
chrome.webRequest.onBeforeRedirect.addListener(capture.onRedirect, HTTP, ['responseHeaders']);
chrome.tabs.onRemoved.addListener(capture.onTabRemoved);
capture.configure({
  engine,
  store: () => storeReady,
  siteOf: async (url) => liveSite(await storeReady, url, 'capture'),
  spaceOf: crawl.siteSpace,
  budget: siteBudget,
});
chrome.webNavigation.onCompleted.addListener((details) => {
  if (details.frameId !== 0) return;
  capture.onPageLoaded(details.tabId).catch((err) => console.error('sitemirror: capture failed', err));
});

// The crawl ("Mirror this site", crawl.js): it sees its own requests' redirects through webRequest,
// and is resumed on every worker start (idle stop, crash, browser restart) and by its alarm.
crawl.configure({ engine, store: () => storeReady, origin: ORIGIN, misses: { of: missesOf, forget: (doc) => missing.delete(doc.split('#')[0]) } });
chrome.webRequest.onBeforeRedirect.addListener(crawl.onRedirect, HTTP);
chrome.alarms.onAlarm.addListener((alarm) => {
  if (alarm.name === crawl.ALARM) resumeCrawls();
});
chrome.runtime.onStartup.addListener(() => resumeCrawls());
const crawlsResumed = resumeCrawls();

function resumeCrawls() {
  return storeReady.then(() => crawl.resumeAll()).catch((err) => console.error('sitemirror: resuming crawls failed', err));
}

chrome.runtime.onMessage.addListener((raw, sender, sendResponse) => {
  // Only our own pages and scripts: web pages use onMessageExternal, which we don't listen to.
  if (sender.id !== chrome.runtime.id) return false;
  // From a web page, only a rendering frame's answer (render-frame.js, our content script there) is taken; the
  // requests below are for the extension's own pages.
  if (!sender.url?.startsWith(`${ORIGIN}/`)) {
    render.onFrameMessage(raw);
    return false;
  }
  // The offscreen document's own traffic (render.js ↔ offscreen/render.js).
  if (raw && typeof raw === 'object' && raw.target === 'render-offscreen') return false;
  handle(raw).then(sendResponse, (err) => sendResponse(errorFrom(err)));
  return true; // the answer is asynchronous (engine init, rewriting)
});

/**
 * @param {unknown} raw
 * @returns {Promise<import('./messages.js').Response>}
 */
async function handle(raw) {
  const parsed = parseRequest(raw);
  if (!parsed.ok) return parsed;
  try {
    await ready;
  } catch (err) {
    return errorResponse(ErrorCode.ENGINE_INIT, String(err && err.message ? err.message : err));
  }
  const req = parsed.request;
  switch (req.type) {
    case MessageType.STATUS:
      return { ok: true, version: engine.version() };
    case MessageType.REWRITE: {
      // The engine takes bytes: passing a JS string costs a decode + re-encode (docs/architecture.md).
      const out = engine.rewriteHtml(new TextEncoder().encode(req.html), {
        url: req.url,
        mirrorPrefix: MIRROR_PREFIX,
        mode: 'static',
      });
      return { ok: true, html: new TextDecoder().decode(out) };
    }
    case MessageType.MISSING:
      return { ok: true, missing: await missesOf(req.frame) };
    case MessageType.VIEW: {
      if (req.url !== undefined) return view(req.url, req.at);
      // The frame's page: its original URL and pinned time come from its mirror URL.
      const target = engine.originalUrl(req.frame, MIRROR_PREFIX);
      if (!target) return errorResponse(ErrorCode.INVALID, 'not a mirror URL');
      const pinned = target.at ? engine.pinnedTime(target.at) : null;
      return { ...(await view(target.url, pinned ?? undefined)), url: target.url };
    }
    case MessageType.SITES_LIST: return listSites(await storeReady);
    case MessageType.SITE_ADD: return addSite(await storeReady, req.url, Date.now());
    case MessageType.SITE_ENABLE: return enableSite(await storeReady, req.id, Date.now());
    case MessageType.SITE_DELETE:
      await crawl.forget(req.id);
      return deleteSite(await storeReady, req.id);
    case MessageType.SITE_STATUS: return siteStatus(await storeReady, req.url);
    case MessageType.CRAWL_START: {
      const given = mirrorableUrl(req.url);
      if (!given) return errorResponse(ErrorCode.INVALID_URL, 'Only http:// and https:// web addresses can be mirrored.');
      // A crawl that sets no size limit of its own stops at the site's (budget.js).
      const options = { maxBytes: await siteBudget(), ...(req.options ?? {}) };
      // Options the engine refuses leave nothing behind: checked before the site is registered.
      crawl.validate(given.href, options);
      // Where the address leads (asked without the user's cookies): an address that leads to another site
      // (http://example.com → https://www.example.com/) is not crawled there until the user says so — they chose
      // this site, not wherever it sends them. They confirm by starting a crawl of that address.
      const probed = await crawl.probe(given.href);
      const leads = mirrorableUrl(probed.url);
      if (leads && leads.origin !== given.origin) return { ok: true, job: null, leadsTo: leads.href };
      const added = await addSite(await storeReady, given.href, Date.now());
      if (!added.ok) return added;
      await crawlsResumed;
      return { ok: true, job: await crawl.start(added.site, given.href, options, 'mirror', probed.space) };
    }
    case MessageType.CRAWL_UPDATE: {
      const site = await (await storeReady).site(req.site);
      if (!site) return errorResponse(ErrorCode.NOT_MIRRORED, 'This site is not mirrored.');
      await crawlsResumed;
      return { ok: true, job: await crawl.update(site) };
    }
    case MessageType.CRAWL_RECAPTURE: {
      const store = await storeReady;
      const site = await store.site(req.site);
      if (!site) return errorResponse(ErrorCode.NOT_MIRRORED, 'This site is not mirrored.');
      // Pages of this site only: a recapture never reaches beyond the site the user chose.
      const urls = [];
      for (const u of req.urls) {
        const key = mirrorableUrl(u) && engine.canonicalKey(u);
        if (!key || (await siteOf(store, key))?.id !== site.id) return errorResponse(ErrorCode.INVALID_URL, 'Only pages of this site can be recaptured.');
        urls.push(key);
      }
      await crawlsResumed;
      return { ok: true, job: await crawl.recapture(site, urls) };
    }
    case MessageType.SITE_FIDELITY:
      return { ok: true, ...(await (await storeReady).fidelity(req.site, 10)) };
    case MessageType.CRAWL_PAUSE:
    case MessageType.CRAWL_RESUME:
    case MessageType.CRAWL_CANCEL: {
      await crawlsResumed;
      const act = { [MessageType.CRAWL_PAUSE]: crawl.pause, [MessageType.CRAWL_RESUME]: crawl.resume, [MessageType.CRAWL_CANCEL]: crawl.cancel };
      const job = await act[req.type](req.site);
      return job ? { ok: true, job } : errorResponse(ErrorCode.NO_CRAWL, 'This site has no crawl.');
    }
    case MessageType.CRAWL_STATUS:
      await crawlsResumed;
      return { ok: true, ...(await crawl.status(req.site)) };
    case MessageType.CRAWL_REPORT:
      return { ok: true, ...(await crawl.report(req.site)) };
  }
}

/**
 * What the viewer shows for an original URL: the version (latest, or closest to `at`), all versions, and the
 * frame URL under the mirror; without a capture, the closest mirrored page of the site to offer instead.
 * @param {string} url @param {number} [at] ms since the epoch
 * @returns {Promise<import('./messages.js').ViewResponse>}
 */
async function view(url, at) {
  const store = await storeReady;
  const key = engine.canonicalKey(url);
  const when = at;
  const capture = await store.lookup(key, when === undefined ? { followRedirects: true } : { at: when, followRedirects: true });
  if (!capture) {
    const site = await mirroredSite(url);
    const pages = site ? await store.pages(site.id) : [];
    // The closest mirrored page (the engine's rule: same section, then a parent), else the site's start page.
    const best = engine.closestPage(key, pages.map((c) => c.url));
    return { ok: true, found: false, suggestion: best ?? site?.startUrl };
  }
  const versions = (await store.versions(capture.url)).map((v) => ({ at: v.at, status: v.status, source: v.source, fidelity: v.fidelity ?? null }));
  const frame = engine.mirrorUrl(capture.url, MIRROR_PREFIX, when === undefined ? undefined : msToTimestamp(capture.at));
  return { ok: true, found: true, captured: capture.at, source: capture.source, fidelity: capture.fidelity ?? null, versions, frame };
}
