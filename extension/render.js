/**
 * Rendering for "Mirror this site" (the crawl option `render`): the driver names a page (`render` step), this loads
 * it in a sandboxed frame of an offscreen document (offscreen/render.js) where the site's scripts run in the site's
 * own origin, and the frame script (render-frame.js) sends back the DOM they left and the URLs the page loaded.
 * Why an offscreen document and not a tab or a window: docs/architecture.md, "Rendering in the crawl".
 *
 * While a crawl renders, session rules of declarativeNetRequest hold for requests of the rendering frames (no tab;
 * initiated by the site): the user's cookies go to no other host (the Cookie header is removed, Set-Cookie ignored),
 * and another host's frame isn't loaded at all (its own requests would be its own, beyond these rules); a site that
 * is public reaches no private or loopback address; and the site's X-Frame-Options, which
 * would keep its page out of a frame, is dropped for our frame only (its Content-Security-Policy stays whole: a page
 * whose `frame-ancestors` refuses us is not rendered, and keeps its raw copy).
 */
import { ErrorCode } from './lib/shared.js';

const OFFSCREEN = 'offscreen/render.html';
const SCRIPT_ID = 'sitemirror-render-frame';
/** Session rule ids (nothing else of ours uses declarativeNetRequest). */
const RULE = { frame: 1, cookies: 2, private: 3, frames: 4 };
/** How long a page may take to load and settle before its render counts as failed. */
const RENDER_TIMEOUT_MS = 30_000;
/** The frame's size: a common laptop viewport (what lazy loading and media queries see). */
const VIEWPORT = { width: 1280, height: 800 };
/** Loopback and private addresses written as such, and the names that mean this machine. */
const PRIVATE = '^[a-z]+://(\\[?::1\\]?|\\[?f[cd][0-9a-f]{2}:[^/]*|localhost|[^/]*\\.localhost|127\\.[0-9.]+|10\\.[0-9.]+|192\\.168\\.[0-9.]+|172\\.(1[6-9]|2[0-9]|3[01])\\.[0-9.]+|169\\.254\\.[0-9.]+|0\\.0\\.0\\.0)(:[0-9]+)?/';

/** Sites rendering now: site id → {host, public}. */
const sites = new Map();
/** Renders waiting for their frame: token → {resolve, timer, site}. */
const pending = new Map();
let creating = null;
/** Sent once per life of this worker to a document it finds open (see ensureOffscreen). */
let reset = null;

/**
 * Makes rendering ready for `site` (called before a crawl that renders starts or resumes).
 * @param {string} site the site id (its origin + '/')
 * @param {{addressSpace?: string}} job
 */
export async function prepare(site, { addressSpace = 'public' } = {}) {
  sites.set(site, { host: new URL(site).hostname, public: addressSpace === 'public' });
  await apply();
}

/** The crawl of `site` renders no more: its frames go, and so do its rules when no other crawl renders. */
export async function release(site) {
  for (const [token, p] of pending) if (p.site === site) finish(token, { error: 'stopped' });
  sites.delete(site);
  await apply();
}

/**
 * Renders `url`: the DOM as the page's scripts left it (UTF-8 HTML), the URLs it loaded and the page measured for
 * its fidelity score, or why not.
 * @param {string} site
 * @param {string} url
 * @returns {Promise<{html?: Uint8Array, resources: string[], measure?: object, error?: string}>}
 */
export async function render(site, url) {
  const opened = await ensureOffscreen().then(() => null, (err) => `${ErrorCode.RENDER_FAILED}: ${String(err?.message ?? err)}`);
  if (opened) return { resources: [], error: opened };
  const token = crypto.randomUUID();
  const done = new Promise((resolve) => {
    const timer = setTimeout(() => finish(token, { error: `${ErrorCode.RENDER_TIMEOUT}: not settled in ${RENDER_TIMEOUT_MS} ms` }), RENDER_TIMEOUT_MS);
    pending.set(token, { resolve, timer, site });
  });
  // A page whose frame can't be opened fails alone (its raw copy stays), not the crawl.
  await chrome.runtime
    .sendMessage({ target: 'render-offscreen', type: 'render/open', token, url, ...VIEWPORT })
    .catch((err) => finish(token, { error: `${ErrorCode.RENDER_FAILED}: ${String(err?.message ?? err)}`.slice(0, 500) }));
  return done;
}

/**
 * A frame's answer (render-frame.js). Only a frame we opened knows its token.
 * @param {any} msg
 * @returns {boolean} whether the message was a render's
 */
export function onFrameMessage(msg) {
  if (!msg || msg.type !== 'render/done' || typeof msg.token !== 'string') return false;
  if (!pending.has(msg.token)) return true;
  if (typeof msg.html === 'string') {
    const resources = Array.isArray(msg.resources) ? msg.resources.filter((u) => typeof u === 'string').slice(0, 10_000) : [];
    finish(msg.token, { html: new TextEncoder().encode(msg.html), resources, measure: measureOf(msg.measure) });
  } else {
    finish(msg.token, { error: `${ErrorCode.RENDER_FAILED}: ${String(msg.error ?? 'no DOM')}`.slice(0, 500) });
  }
  return true;
}

/**
 * A measure as the engine reads it, or undefined (a frame is the site's: what it sends is checked, not trusted).
 * @param {any} m
 */
export function measureOf(m) {
  if (!m || typeof m !== 'object' || typeof m.text !== 'string' || !Array.isArray(m.cells)) return undefined;
  const count = (n) => (Number.isInteger(n) && n >= 0 ? Math.min(n, 1e6) : 0);
  const cells = m.cells.slice(0, 2000).map((c) => (typeof c === 'string' ? c.slice(0, 200) : ''));
  return { text: m.text.slice(0, 200_000), cells, resources: count(m.resources), missing: count(m.missing) };
}

/**
 * The replay of a page measured like its render was (offscreen/render.js loads `mirrorUrl` in a frame without
 * scripts), or null when it couldn't be.
 * @param {string} mirrorUrl
 */
export async function measureReplay(mirrorUrl) {
  if (!(await ensureOffscreen().then(() => true, () => false))) return null;
  const timeout = new Promise((resolve) => setTimeout(() => resolve(null), RENDER_TIMEOUT_MS));
  const asked = chrome.runtime.sendMessage({ target: 'render-offscreen', type: 'render/measure', url: mirrorUrl, ...VIEWPORT });
  return measureOf(await Promise.race([asked.catch(() => null), timeout])) ?? null;
}

function finish(token, result) {
  const p = pending.get(token);
  if (!p) return;
  pending.delete(token);
  clearTimeout(p.timer);
  chrome.runtime.sendMessage({ target: 'render-offscreen', type: 'render/close', token }).catch(() => {});
  p.resolve({ resources: [], ...result });
}

async function ensureOffscreen() {
  if (creating) return creating;
  const url = chrome.runtime.getURL(OFFSCREEN);
  const existing = await chrome.runtime.getContexts({ contextTypes: [chrome.runtime.ContextType.OFFSCREEN_DOCUMENT], documentUrls: [url] });
  if (creating) return creating;
  if (existing.length) {
    // A document this worker didn't open: its previous life was stopped mid-render. Those frames answer no one
    // (the resumed crawl renders their pages again), so they go before new ones open.
    reset ??= chrome.runtime.sendMessage({ target: 'render-offscreen', type: 'render/reset' }).catch(() => {});
    await reset;
    return;
  }
  reset = Promise.resolve(); // a document opened by this life holds only its own frames
  creating = (async () => {
    await chrome.offscreen.createDocument({ url: OFFSCREEN, reasons: [chrome.offscreen.Reason.DOM_SCRAPING], justification: 'Render the pages of a site being mirrored, as its scripts build them.' });
    // createDocument can resolve before the document's scripts have run: it is ready once its listener answers.
    for (let i = 0; i < 250; i++) {
      if (await chrome.runtime.sendMessage({ target: 'render-offscreen', type: 'render/ping' }).catch(() => false)) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`${ErrorCode.RENDER_FAILED}: the rendering document did not start`);
  })().finally(() => (creating = null));
  await creating;
}

/** The frame script and the session rules, for the sites rendering now (none: all removed). */
async function apply() {
  const list = [...sites.values()];
  await chrome.scripting.unregisterContentScripts({ ids: [SCRIPT_ID] }).catch(() => {});
  await chrome.declarativeNetRequest.updateSessionRules({ removeRuleIds: Object.values(RULE) });
  if (list.length === 0) {
    if (pending.size === 0) await chrome.offscreen.closeDocument().catch(() => {});
    return;
  }
  const hosts = [...new Set(list.map((s) => s.host))];
  await chrome.scripting.registerContentScripts([{
    id: SCRIPT_ID,
    // Any port: match patterns name none. The script itself acts only in our frames.
    matches: hosts.flatMap((h) => [`http://${h}/*`, `https://${h}/*`]),
    js: ['measure.js', 'snapshot.js', 'render-frame.js'],
    allFrames: true,
    runAt: 'document_idle',
    persistAcrossSessions: false,
  }]);
  const fromFrames = { tabIds: [chrome.tabs.TAB_ID_NONE], initiatorDomains: hosts };
  /** @type {chrome.declarativeNetRequest.Rule[]} */
  const rules = [
    {
      id: RULE.frame,
      priority: 1,
      action: { type: 'modifyHeaders', responseHeaders: [{ header: 'x-frame-options', operation: 'remove' }] },
      condition: { resourceTypes: ['sub_frame'], tabIds: [chrome.tabs.TAB_ID_NONE], requestDomains: hosts },
    },
    {
      id: RULE.cookies,
      priority: 1,
      action: {
        type: 'modifyHeaders',
        requestHeaders: [{ header: 'cookie', operation: 'remove' }],
        responseHeaders: [{ header: 'set-cookie', operation: 'remove' }],
      },
      condition: { ...fromFrames, excludedRequestDomains: hosts },
    },
    {
      // Another host's frame inside the page: its own requests would be initiated by that host, out of the rules'
      // reach (with the user's cookies for it). Static replay shows no live frame of another host anyway.
      id: RULE.frames,
      priority: 2,
      action: { type: 'block' },
      condition: { ...fromFrames, resourceTypes: ['sub_frame'], excludedRequestDomains: hosts },
    },
  ];
  const publicHosts = list.filter((s) => s.public).map((s) => s.host);
  if (publicHosts.length) {
    rules.push({
      id: RULE.private,
      priority: 2,
      action: { type: 'block' },
      condition: { tabIds: [chrome.tabs.TAB_ID_NONE], initiatorDomains: publicHosts, regexFilter: PRIVATE, isUrlFilterCaseSensitive: false },
    });
  }
  await chrome.declarativeNetRequest.updateSessionRules({ addRules: rules });
}
