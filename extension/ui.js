/**
 * Small helpers shared by the extension's own pages (popup, dashboard). Text from a mirror (site ids, URLs,
 * titles) is attacker text: these helpers only ever build DOM nodes and set `textContent`, never HTML.
 */

import { ErrorCode, errorResponse } from './lib/shared.js';

/**
 * Sends a message to the background and turns a missing answer or a thrown error into an error response, so
 * callers handle one shape.
 * @param {import('./messages.js').Request} message
 * @returns {Promise<any>}
 */
export async function send(message) {
  try {
    const res = await chrome.runtime.sendMessage(message);
    return res ?? errorResponse(ErrorCode.NO_ANSWER, 'The background did not answer.');
  } catch (err) {
    return errorResponse(ErrorCode.UNREACHABLE, err instanceof Error ? err.message : String(err));
  }
}

/** Bytes as people read them: 0 B, 999 B, 1.5 KB, 12 MB, 3.2 GB (powers of 1024, like file managers). */
export function formatBytes(n) {
  if (!Number.isFinite(n) || n < 0) return '—';
  const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i += 1;
  }
  return i === 0 ? `${v} B` : `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

/** A time (ms since the epoch) in the user's locale; `null`/missing → "never". */
export function formatTime(ms) {
  return ms == null ? 'never' : new Date(ms).toLocaleString();
}

/**
 * Creates an element with text content (never HTML) and optional attributes/properties.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {{text?: string, className?: string, attrs?: Record<string, string>}} [opts]
 * @param {...(Node | string)} children   strings become text nodes
 * @returns {HTMLElementTagNameMap[K]}
 */
export function el(tag, { text, className, attrs } = {}, ...children) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (attrs) for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  node.append(...children);
  return node;
}

/** Where the viewer shows the mirrored copy of an original URL. */
export function viewerUrl(url) {
  return chrome.runtime.getURL(`view.html?url=${encodeURIComponent(url)}`);
}

/**
 * If `tabUrl` is one of this extension's mirrored-copy pages (the viewer `view.html?url=…`, or a page served under
 * `/m/`), the original URL it shows ('' when it can't be told); otherwise undefined.
 * Mirror URL shape (docs/engine-api.md): `<ext>/m/[<14-digit timestamp>/]<scheme>/<host[:port]><path>[?query]`.
 * @param {string} tabUrl
 * @returns {string | undefined}
 */
export function offlineCopyOf(tabUrl) {
  const viewer = chrome.runtime.getURL('view.html');
  const mirror = chrome.runtime.getURL('m/');
  if (tabUrl === viewer || tabUrl.startsWith(`${viewer}?`) || tabUrl.startsWith(`${viewer}#`)) {
    return new URL(tabUrl).searchParams.get('url') || '';
  }
  if (!tabUrl.startsWith(mirror)) return undefined;
  const m = /^(?:\d{14}\/)?(https?)\/([^/?#]+)(.*)$/.exec(tabUrl.slice(mirror.length));
  return m ? `${m[1]}://${m[2]}${m[3].startsWith('/') ? '' : '/'}${m[3]}` : '';
}

/** Crawl states in which a crawl still has work (it can be paused, resumed or cancelled). */
export const ACTIVE_CRAWL = Object.freeze(['running', 'paused']);

/** Whether a crawl job (or null) is running or paused. */
export function crawlActive(job) {
  return !!job && ACTIVE_CRAWL.includes(job.state);
}

/**
 * The crawl of a site: `crawl/status`, with "no crawl yet" (`crawl/none`, `site/not-mirrored`) answered as a
 * status whose job is null, so callers handle one shape. Other errors come back as error responses.
 * @param {string} site a site id
 * @returns {Promise<import('./messages.js').CrawlStatusResponse | import('./messages.js').ErrorResponse>}
 */
export async function crawlStatus(site) {
  const res = await send({ type: 'crawl/status', site });
  if (!res.ok && (res.error.code === ErrorCode.NO_CRAWL || res.error.code === ErrorCode.NOT_MIRRORED)) {
    return { ok: true, job: null, counts: { queued: 0, done: 0, failed: 0, skipped: 0 }, progress: 0 };
  }
  return res;
}

/** A whole percentage of a progress in [0, 1] (clamped; anything not a number is 0). */
export function percent(progress) {
  const p = Number.isFinite(progress) ? Math.min(1, Math.max(0, progress)) : 0;
  return Math.floor(p * 100);
}

/**
 * What a crawl is doing, in words: "Mirroring: 40%", "Paused at 40%", "Done", "Cancelled", "Failed: <error>".
 * `job.error` is text from the engine (and may quote a URL): set it as text only.
 * @param {import('./messages.js').CrawlJob} job
 * @param {number} progress
 */
export function crawlStateText(job, progress) {
  const verb = { update: 'Updating', recapture: 'Recapturing' }[job.kind] ?? 'Mirroring';
  switch (job.state) {
    case 'running': return `${verb}: ${percent(progress)}%`;
    case 'paused': return `Paused at ${percent(progress)}%`;
    case 'done': return { update: 'Update done', recapture: 'Recapture done' }[job.kind] ?? 'Done';
    case 'cancelled': return 'Cancelled';
    case 'failed': return `Failed: ${job.error || 'unknown error'}`;
    default: return String(job.state);
  }
}

/**
 * A crawl report reason (`crawl/http-404 Not Found`, `crawl/robots: disallowed by robots.txt`) split into its
 * stable code and the text for humans.
 * @param {string} reason
 * @returns {{code: string, text: string}}
 */
export function parseReason(reason) {
  const m = /^\s*([a-z0-9-]+\/[a-z0-9._-]+)\s*[:—–-]?\s*([\s\S]*)$/i.exec(String(reason ?? ''));
  return m ? { code: m[1], text: m[2].trim() } : { code: '', text: String(reason ?? '') };
}

/** How many entries of a crawl report the pages list before saying how many more there are. */
export const REPORT_SHOWN = 300;
