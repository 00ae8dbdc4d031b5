/**
 * Capture as you browse: on sites the user mirrors (and only there), every page visited is stored with
 * everything it loaded — document, stylesheets, scripts, images, fonts, media, fetch/XHR responses, frames.
 *
 * chrome.webRequest lists what a tab loaded (URL, status, headers; no bodies, and no chrome.debugger bar); when
 * the page has loaded, the bodies are read again with `cache: 'force-cache'` — same-origin ones from inside the
 * page, where Chromium's partitioned HTTP cache can answer them — and the whole page goes into the store in one
 * transaction, with the rendered DOM (the page as its scripts left it) kept next to the raw document. Links
 * found in the page are queued for the crawler.
 *
 * The user's cookies go only to the mirrored site: a re-read of anything another origin served is made without
 * them (the page may have loaded it with them; its bytes stay unknown), and never on a private address for a
 * public site (the engine's `requestPlan`). What can't be had that way is recorded as missing with its reason
 * (a failed frontier entry, listed in the site's report), never fetched with the user's cookies.
 */

import { RENDERED } from './replay.js';
import { ErrorCode } from './lib/shared.js';

/** What each tab's current page has loaded so far: tabId → {pageUrl, items: Map<url, item>, loaded, next}. */
const pages = new Map();

/** After the load event, what a page still fetches (XHR, lazy images) is stored once it has been quiet this long. */
const LATE_QUIET_MS = 400;
/** How long after an in-page re-read its webRequest events are still recognised as ours. */
const REREAD_GRACE_MS = 2000;

/** Set by the background script: how to reach the engine, the store and the site list. */
let context;

/**
 * @param {{engine: any, store: () => Promise<any>, siteOf: (url: string) => Promise<{id: string} | undefined>,
 *   spaceOf: (site: any) => Promise<string>, budget: () => Promise<number>}} ctx `spaceOf`: the address space the
 *   site's own origin answers from; `budget`: the size limit of one site (budget.js)
 */
export function configure(ctx) {
  context = ctx;
}

/** @param {chrome.webRequest.HttpHeader[] | undefined} headers */
function keep(headers) {
  // Which headers a capture keeps is the engine's (crate/src/http.rs `KEPT_HEADERS`), for every way in.
  return context.engine.keptHeaders((headers || []).filter((h) => h.value !== undefined).map((h) => [h.name, h.value]));
}

/**
 * A response finished in a tab (webRequest.onCompleted, with responseHeaders). A top-level document starts a
 * new page for its tab.
 * @param {chrome.webRequest.OnCompletedDetails} d
 */
export function onResponse(d) {
  if (d.tabId < 0 || d.method !== 'GET' || !/^https?:/.test(d.url)) return;
  if (d.type === 'main_frame') startPage(d.tabId, d.url).tabId = d.tabId;
  const page = pages.get(d.tabId);
  if (!page) return;
  // Our own re-read of a body inside the page (fetchInPage) is a response in the tab too. Taken as the page
  // loading something, it would store the document again in a later batch (a version without its rendered
  // companion, which replays as the raw page) — and that batch's re-read would start the next: a loop.
  if (d.type === 'xmlhttprequest' && page.rereading?.has(d.url)) return;
  page.items.set(d.url, { url: d.url, status: d.statusCode, headers: keep(d.responseHeaders), redirect: false });
  if (page.loaded) {
    clearTimeout(page.timer);
    page.timer = setTimeout(() => flush(page).catch((err) => console.error('sitemirror: capture failed', err)), LATE_QUIET_MS);
  }
}

/**
 * A redirect in a tab: stored as a capture (3xx + Location, no body) so replay can follow it.
 * @param {chrome.webRequest.OnBeforeRedirectDetails} d
 */
export function onRedirect(d) {
  if (d.tabId < 0 || d.method !== 'GET' || !/^https?:/.test(d.url)) return;
  if (d.type === 'main_frame') startPage(d.tabId, d.url).next = d.redirectUrl;
  const page = pages.get(d.tabId);
  if (!page) return;
  const headers = keep(d.responseHeaders);
  if (!headers.some(([n]) => n === 'location')) headers.push(['location', d.redirectUrl]);
  page.items.set(d.url, { url: d.url, status: d.statusCode, headers, redirect: true });
}

/**
 * A top-level document arrived: a new page for the tab, unless it is the end of the redirect chain the tab's
 * page is following (the redirects belong to the page they lead to).
 */
function startPage(tabId, url) {
  const current = pages.get(tabId);
  if (current && current.next === url) {
    current.pageUrl = url;
    current.next = undefined;
    return current;
  }
  const page = { pageUrl: url, items: new Map(), next: undefined, loaded: false, timer: undefined };
  pages.set(tabId, page);
  return page;
}

/** Forgets a closed tab. @param {number} tabId */
export function onTabRemoved(tabId) {
  pages.delete(tabId);
}

/**
 * The tab's page finished loading: if its site is mirrored, fetch and store everything it loaded. What it
 * loads afterwards is stored in later batches (see `onResponse`).
 * @param {number} tabId
 * @returns {Promise<number>} how many captures were stored
 */
export async function onPageLoaded(tabId) {
  const page = pages.get(tabId);
  if (!page) return 0;
  page.loaded = true;
  page.tabId = tabId;
  return flush(page, Date.now(), true);
}

/**
 * The page as its scripts left it, for static replay of pages built by JavaScript. Read in the page (the
 * ISOLATED world: the page's own scripts can't interfere), and only if the tab still shows that page.
 */
async function renderedDom(page) {
  try {
    // snapshot.js reads the page without changing it (the user is looking at it): what outerHTML would lose —
    // form state, CSSOM styles, shadow roots, canvases — is written into a copy.
    await chrome.scripting.executeScript({ target: { tabId: page.tabId }, files: ['snapshot.js'] });
    const [result] = await chrome.scripting.executeScript({
      target: { tabId: page.tabId },
      func: () => ({ url: location.href, html: globalThis.sitemirrorSnapshot(document) }),
    });
    const got = result?.result;
    return got && got.url.split('#')[0] === page.pageUrl.split('#')[0] ? got.html : null;
  } catch {
    return null; // tab closed or navigated away, or a page scripts may not touch (the Web Store)
  }
}

/** Stores what a page has loaded since the last flush, in one transaction. */
async function flush(page, now = Date.now(), withDom = false) {
  const items = [...page.items.values()];
  page.items = new Map();
  if (items.length === 0 || !context) return 0;
  const site = await context.siteOf(page.pageUrl);
  if (!site) return 0;
  const store = await context.store();
  // A site past its size limit gets nothing more: what it would have stored is reported, not written.
  const [usage, budget] = await Promise.all([store.usage(site.id), context.budget()]);
  if (usage.bytes >= budget) {
    const reason = `${ErrorCode.CAPTURE_OVER_BUDGET}: the site's mirror is at its size limit (${budget} bytes); raise it on the dashboard`;
    await store.record([], [], items.filter((i) => !i.redirect).map((i) => missingEntry(site, i.url, reason, now)));
    return 0;
  }
  // The rendered DOM of an error page is not a copy of the page: only a good document gets one.
  const document = items.find((i) => i.url === page.pageUrl);
  const wantDom = withDom && document && !document.redirect && document.status < 400;
  const [dom, fromPage, space] = await Promise.all([wantDom ? renderedDom(page) : null, fetchInPage(page, items), context.spaceOf(site)]);
  const read = await Promise.all(items.map((item) => fetchBody(item, site.id, space, now, fromPage.get(item.url))));
  /** @type {any[]} captures as `store.record` takes them */
  const batch = read.filter((r) => r && !r.missing);
  const missing = read.filter((r) => r?.missing).map((r) => missingEntry(site, r.missing, r.reason, now));
  if (dom !== null) {
    batch.push({
      site: site.id,
      url: page.pageUrl.split('#')[0] + RENDERED,
      at: now,
      status: 200,
      headers: [['content-type', 'text/html; charset=utf-8']],
      body: new TextEncoder().encode(dom),
      source: 'dom',
    });
  }
  if (batch.length === 0 && missing.length === 0) return 0;
  // The pages visited are done for the crawler and the pages they link to are queued, with the captures, in one
  // transaction.
  const visited = batch.filter((c) => isHtml(c) && c.status < 400 && c.source !== 'dom');
  const entries = [
    ...visited.map((c) => ({ site: site.id, url: c.url, depth: 0, page: true, state: 'queued', updated: now })),
    ...links(context.engine, site, visited, now),
    ...missing,
  ];
  const settle = visited.map((c) => ({ site: site.id, url: c.url, state: 'done', at: now }));
  await store.record(batch, settle, entries);
  return batch.length;
}

/**
 * A frontier entry saying why a URL a page loaded is not in the mirror (listed in the site's report; a URL the
 * frontier already has keeps its state).
 */
function missingEntry(site, url, reason, now) {
  return { site: site.id, url, depth: 1, page: false, state: 'failed', reason, updated: now };
}

/**
 * Whether a capture (or an archive record: anything with `headers`) is an HTML document.
 * @param {{headers: [string, string][]}} c
 */
export function isHtml(c) {
  const type = (c.headers.find(([n]) => n === 'content-type') || [])[1] || '';
  return /^(text\/html|application\/xhtml\+xml)/i.test(type);
}

/** Most bytes moved out of one page per batch (they cross as base64 JSON; runtime messages cap at 64 MiB). */
const IN_PAGE_BYTES = 24 << 20;

/**
 * Same-origin bodies are re-read inside the page, where Chromium's HTTP cache (partitioned by top-level site)
 * can answer them without asking the origin again; the extension's own fetch would miss that cache. Cross-origin
 * bodies can't be read there (CORS) and are fetched by the service worker instead.
 * @returns {Promise<Map<string, Uint8Array>>}
 */
async function fetchInPage(page, items) {
  const origin = new URL(page.pageUrl).origin;
  const urls = items.filter((i) => !i.redirect && new URL(i.url).origin === origin).map((i) => i.url);
  if (urls.length === 0 || page.tabId === undefined) return new Map();
  // Their webRequest events may arrive after executeScript resolves: the set stays a little longer.
  const rereading = new Set([...(page.rereading ?? []), ...urls]);
  page.rereading = rereading;
  try {
    const [result] = await chrome.scripting.executeScript({
      target: { tabId: page.tabId },
      args: [urls, page.pageUrl, IN_PAGE_BYTES],
      func: async (urls, pageUrl, budget) => {
        if (location.href.split('#')[0] !== pageUrl.split('#')[0]) return [];
        const out = [];
        for (const url of urls) {
          try {
            const res = await fetch(url, { cache: 'force-cache', credentials: 'include', redirect: 'manual' });
            if (res.type === 'opaqueredirect') continue;
            const bytes = new Uint8Array(await res.arrayBuffer());
            if ((budget -= bytes.length) < 0) break;
            let bin = '';
            for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
            out.push([url, btoa(bin)]);
          } catch {
            // left to the service worker's fetch
          }
        }
        return out;
      },
    });
    const decode = (b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    return new Map((result?.result || []).map(([url, b64]) => [url, decode(b64)]));
  } catch {
    return new Map();
  } finally {
    setTimeout(() => {
      if (page.rereading === rereading) page.rereading = undefined;
    }, REREAD_GRACE_MS);
  }
}

/**
 * The body of one item: read in the page already, else fetched here as the engine's `requestPlan` says (the
 * user's cookies only for the site's own origin). An answer that differs from what the page got (another status:
 * the resource needed the user's cookies, or a private address) is not the page's resource: it is reported
 * missing with its reason. A failure of our own re-read (network, abort) drops the item, not the page.
 */
async function fetchBody(item, site, space, at, fromPage) {
  const base = { site, url: item.url, at, status: item.status, headers: item.headers, source: 'visit' };
  if (item.redirect) return { ...base, body: new Uint8Array(0) };
  if (fromPage) return { ...base, body: fromPage };
  const plan = context.engine.requestPlan(site, space, item.url);
  if (plan.refused) return { missing: item.url, reason: plan.refused.replace(/^crawl\//, 'capture/') };
  try {
    const res = await fetch(item.url, { cache: 'force-cache', ...plan, redirect: 'manual' });
    if (res.type === 'opaqueredirect') return null;
    if (res.status !== item.status) {
      const reason = `${ErrorCode.CAPTURE_THIRD_PARTY}: without the user's cookies the site answered ${res.status}, the page got ${item.status}`;
      return { missing: item.url, reason };
    }
    return { ...base, body: new Uint8Array(await res.arrayBuffer()) };
  } catch {
    return null;
  }
}

/** Frontier entries for the pages linked from captured HTML, within the site. */
function links(engine, site, visited, now) {
  const entries = [];
  for (const c of visited) {
    const type = (c.headers.find(([n]) => n === 'content-type') || [])[1];
    let found;
    try {
      found = engine.extractLinks(c.body, { url: c.url, contentType: type });
    } catch {
      continue; // a page the engine refuses (e.g. memory limit) is still stored; it just yields no links
    }
    for (const url of found.pages) {
      if (url.startsWith(site.id)) entries.push({ site: site.id, url, depth: 1, page: true, state: 'queued', updated: now });
    }
  }
  return entries;
}
