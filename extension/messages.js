/**
 * The one message protocol between extension pages (popup, later dashboard/viewer) and the background
 * service worker. Every message is validated on receipt: runtime messages are plain JSON from other
 * contexts, so the background never trusts their shape, and both sides share these definitions instead
 * of scattering string literals.
 *
 * @typedef {{type: 'engine/status'}} StatusRequest
 * @typedef {{type: 'engine/rewrite', html: string, url: string}} RewriteRequest
 *   `url` is the document's original URL (base for relative links); the engine validates it, so a bad
 *   URL comes back as the engine's own error code (`url/invalid`), not as `message/invalid`.
 * @typedef {{type: 'mirror/view', url?: string, frame?: string, at?: number}} ViewRequest
 *   What the viewer shows for an original URL (optionally the version closest to time `at`, ms since the epoch), or for
 *   the page its frame has navigated to (`frame`: a mirror URL).
 * @typedef {{type: 'sites/list'}} SitesListRequest
 *   Every mirrored site with its page count, bytes and last capture time.
 * @typedef {{type: 'site/add', url: string}} SiteAddRequest
 *   Registers the site `url` belongs to (its origin + '/') as mirrored; `url` becomes its start URL. Only
 *   http(s) URLs: anything else is answered with `site/invalid-url`. Adding a known site returns it unchanged.
 * @typedef {{type: 'site/enable', id: string}} SiteEnableRequest
 *   Turns on capture as you browse and the offline fallback for a site an archive import created (it is kept for
 *   offline viewing only until then); answers like site/add, or `site/not-mirrored`.
 * @typedef {{type: 'site/delete', id: string}} SiteDeleteRequest
 *   Deletes a site and everything only it used (captures, payloads no other site shares).
 * @typedef {{type: 'site/status', url: string}} SiteStatusRequest
 *   Whether the site `url` belongs to is mirrored, and how much of it.
 * @typedef {{type: 'mirror/missing', frame: string}} MissingRequest
 *   The resources a replayed document (its mirror URL) asked for that the mirror doesn't have.
 * @typedef {{scope?: 'origin' | 'prefix', prefix?: string, include?: string[], exclude?: string[], maxDepth?: number,
 *   maxPages?: number, maxBytes?: number, maxResourceBytes?: number, externalResources?: boolean, externalPages?: boolean,
 *   ignoreRobots?: boolean, followLogout?: boolean, maxConcurrency?: number, delayMs?: number, timeoutMs?: number,
 *   maxRetries?: number, render?: 'never' | 'always' | 'auto', score?: 'every' | 'sample' | 'never'}} CrawlOptions
 *   What a crawl covers and how politely it fetches; every field is optional (the engine's `CrawlPolicy` fills
 *   defaults and rejects bad values with `crawl/invalid-config`). Patterns are `*` wildcards over the whole URL.
 * @typedef {{type: 'crawl/start', url: string, options?: CrawlOptions}} CrawlStartRequest
 *   "Mirror this site": registers the site of `url` (as site/add) and crawls it from `url`. A crawl already
 *   running for the site is returned as it is; a finished one is replaced by a new crawl. When `url` redirects
 *   to another site, nothing is started: the answer is `{ok: true, job: null, leadsTo}` and the UI asks the user
 *   (who confirms with a crawl/start of `leadsTo`).
 * @typedef {{type: 'crawl/recapture', site: string, urls: string[]}} CrawlRecaptureRequest
 *   "Recapture": the pages `urls` of the site (1–1000, each on the site) crawled again, rendered and scored, with
 *   what they use; nothing else. The site's last crawl options apply otherwise, and "Update now" keeps them.
 * @typedef {{type: 'site/fidelity', site: string}} SiteFidelityRequest
 *   The site's fidelity at a glance: `{scored, pages, viewportMean, textMean, resources, missing, worst: [{url, at,
 *   fidelity: {viewportMatch, textMatch, resources, missing, at}}], low: string[]}` (means null before any score;
 *   `worst`: the 10 lowest, worst first; `low`: every page below 0.9, what "Recapture low-scoring pages" takes).
 * @typedef {{type: 'crawl/update', site: string}} CrawlUpdateRequest
 *   "Update now": re-crawls a mirrored site with conditional requests (unchanged content costs a 304).
 * @typedef {{type: 'crawl/pause' | 'crawl/resume' | 'crawl/cancel' | 'crawl/status' | 'crawl/report', site: string}} CrawlControlRequest
 *   `site` is a site id (`https://example.com/`). Pause keeps the frontier; cancel ends the crawl (what was
 *   stored stays); status is the job and its counts; report lists the URLs that failed or were skipped.
 * @typedef {StatusRequest | RewriteRequest | ViewRequest | MissingRequest | SitesListRequest | SiteAddRequest | SiteEnableRequest | SiteDeleteRequest
 *   | SiteStatusRequest | CrawlStartRequest | CrawlUpdateRequest | CrawlRecaptureRequest | SiteFidelityRequest
 *   | CrawlControlRequest} Request
 *
 * @typedef {{code: string, message?: string}} ErrorInfo
 *   `code` is stable and what callers branch on; `message` is for humans and logs only.
 * @typedef {{ok: true, version: string}} StatusResponse
 * @typedef {{ok: true, html: string}} RewriteResponse
 * @typedef {{id: string, startUrl: string, created: number, updated: number, settings: Record<string, string>}} Site
 *   Times are ms since the epoch. Ids, URLs and titles come from the web: attacker text wherever shown.
 * @typedef {{id: string, startUrl: string, created: number, updated: number, importedOnly: boolean, pages: number,
 *   bytes: number, lastCaptured: number | null}} SiteSummary   `lastCaptured`: newest capture among its pages, null if
 *   none; `importedOnly`: an import created it and capture and fallback are off (settings `capture`/`fallback`)
 * @typedef {{ok: true, sites: SiteSummary[]}} SitesListResponse
 * @typedef {{ok: true, site: Site}} SiteAddResponse
 * @typedef {{ok: true}} SiteDeleteResponse
 * @typedef {{ok: true, mirrored: false} | {ok: true, mirrored: true, site: Site, pages: number, bytes: number,
 *   lastCaptured: number | null}} SiteStatusResponse
 * @typedef {{site: string, id: string, kind: 'mirror' | 'update' | 'recapture', state: 'running' | 'paused' | 'done' | 'cancelled'
 *   | 'failed', startUrl: string, options: CrawlOptions, started: number, finished: number | null, bytes: number,
 *   fetched: number, error: string | null}} CrawlJob
 *   One crawl of a site (the latest is kept). `options` are complete (defaults filled in); `bytes` and `fetched`
 *   count what this crawl downloaded; `error` says why a `failed` crawl stopped (stable code first).
 * @typedef {{queued: number, done: number, failed: number, skipped: number}} CrawlCounts
 * @typedef {{ok: true, job: CrawlJob}} CrawlJobResponse   answer to crawl/start, update, pause, resume, cancel
 * @typedef {{ok: true, job: null, leadsTo: string}} CrawlLeadsElsewhereResponse   crawl/start of an address
 *   that redirects to another site: nothing started, `leadsTo` is where it leads (attacker text: show as text)
 * @typedef {{ok: true, job: CrawlJob | null, counts: CrawlCounts, progress: number}} CrawlStatusResponse
 *   `progress` in [0, 1]: settled (done + failed) over settled + queued; skipped URLs are not work.
 * @typedef {{url: string, page: boolean, state: 'failed' | 'skipped', reason: string, depth: number}} CrawlReportEntry
 *   `reason` starts with a stable code (`crawl/robots`, `crawl/http-404`, `crawl/timeout`, …), then text for humans.
 * @typedef {{ok: true, entries: CrawlReportEntry[], truncated: boolean}} CrawlReportResponse
 * @typedef {{ok: false, error: ErrorInfo}} ErrorResponse
 * @typedef {{ok: true, missing: string[]}} MissingResponse   what a mirrored page asked for that the mirror lacks
 * @typedef {{ok: true, found: false, suggestion?: string, url?: string} | {ok: true, found: true, captured: number,
 *   source: string, fidelity: Fidelity | null, versions: {at: number, status: number, source: string,
 *   fidelity: Fidelity | null}[], frame: string, url?: string}} ViewResponse
 *   `fidelity`: the version's score, when a rendering crawl scored it.
 * @typedef {{viewportMatch: number, textMatch: number, resources: number, missing: number, at: number}} Fidelity
 * @typedef {StatusResponse | RewriteResponse | SitesListResponse | SiteAddResponse | SiteDeleteResponse
 *   | SiteStatusResponse | MissingResponse | ViewResponse | CrawlJobResponse | CrawlLeadsElsewhereResponse
 *   | CrawlStatusResponse | CrawlReportResponse | ErrorResponse} Response
 */

/** Message type tags, so callers don't spell them by hand. */
export const MessageType = Object.freeze({
  STATUS: 'engine/status',
  REWRITE: 'engine/rewrite',
  VIEW: 'mirror/view',
  MISSING: 'mirror/missing',
  SITES_LIST: 'sites/list',
  SITE_ADD: 'site/add',
  SITE_ENABLE: 'site/enable',
  SITE_DELETE: 'site/delete',
  SITE_STATUS: 'site/status',
  CRAWL_START: 'crawl/start',
  CRAWL_UPDATE: 'crawl/update',
  CRAWL_PAUSE: 'crawl/pause',
  CRAWL_RESUME: 'crawl/resume',
  CRAWL_CANCEL: 'crawl/cancel',
  CRAWL_STATUS: 'crawl/status',
  CRAWL_REPORT: 'crawl/report',
  CRAWL_RECAPTURE: 'crawl/recapture',
  SITE_FIDELITY: 'site/fidelity',
});

/** Error codes produced by the JS glue itself (engine errors keep the engine's codes). */
export { ErrorCode, errorResponse, errorFrom } from './lib/shared.js';
import { ErrorCode, errorResponse } from './lib/shared.js';

/** Longest URL or site id a message may carry (browsers cap URLs near 2 MB; ours are far shorter). */
const MAX_URL = 64 * 1024;
/** @type {(v: unknown) => v is string} */
const boundedString = (v) => typeof v === 'string' && v.length <= MAX_URL;

/**
 * Checks the shape of an incoming message.
 * @param {unknown} raw
 * @returns {{ok: true, request: Request} | ErrorResponse}
 */
export function parseRequest(raw) {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return errorResponse(ErrorCode.INVALID, 'message must be an object');
  }
  const msg = /** @type {Record<string, unknown>} */ (raw);
  switch (msg.type) {
    case MessageType.STATUS:
      return { ok: true, request: { type: MessageType.STATUS } };
    case MessageType.REWRITE:
      if (typeof msg.html !== 'string' || typeof msg.url !== 'string') {
        return errorResponse(ErrorCode.INVALID, 'engine/rewrite needs string html and url');
      }
      return { ok: true, request: { type: MessageType.REWRITE, html: msg.html, url: msg.url } };
    case MessageType.MISSING:
      if (typeof msg.frame !== 'string' || msg.frame.length > 65536) {
        return errorResponse(ErrorCode.INVALID, 'mirror/missing needs a string frame URL');
      }
      return { ok: true, request: { type: MessageType.MISSING, frame: msg.frame } };
    case MessageType.VIEW: {
      const oneOf = (typeof msg.url === 'string') !== (typeof msg.frame === 'string');
      const atOk = msg.at === undefined || (typeof msg.at === 'number' && Number.isFinite(msg.at) && msg.at >= 0);
      if (!oneOf || !atOk) {
        return errorResponse(ErrorCode.INVALID, 'mirror/view needs a string url or frame, and an optional at (ms since the epoch)');
      }
      const at = typeof msg.at === 'number' ? { at: msg.at } : {};
      /** @type {ViewRequest} */
      const request = typeof msg.url === 'string' ? { type: MessageType.VIEW, url: msg.url, ...at } : { type: MessageType.VIEW, frame: String(msg.frame), ...at };
      return { ok: true, request };
    }
    case MessageType.SITES_LIST:
      return { ok: true, request: { type: MessageType.SITES_LIST } };
    case MessageType.SITE_ADD:
    case MessageType.SITE_STATUS:
      // Only the shape here: whether the URL is a mirrorable http(s) URL is the handler's answer (site/invalid-url).
      if (!boundedString(msg.url)) return errorResponse(ErrorCode.INVALID, `${msg.type} needs a string url`);
      return { ok: true, request: { type: msg.type, url: msg.url } };
    case MessageType.SITE_DELETE:
    case MessageType.SITE_ENABLE:
      if (!boundedString(msg.id) || msg.id === '') return errorResponse(ErrorCode.INVALID, `${msg.type} needs a non-empty string id`);
      return { ok: true, request: { type: msg.type, id: msg.id } };
    case MessageType.CRAWL_START: {
      if (!boundedString(msg.url)) return errorResponse(ErrorCode.INVALID, 'crawl/start needs a string url');
      const options = msg.options ?? {};
      if (options === null || typeof options !== 'object' || Array.isArray(options)) {
        return errorResponse(ErrorCode.INVALID, 'crawl/start options must be an object');
      }
      // Field values are checked by the engine (crawl/invalid-config), which owns the defaults and limits.
      return { ok: true, request: { type: MessageType.CRAWL_START, url: msg.url, options } };
    }
    case MessageType.CRAWL_RECAPTURE: {
      const urls = msg.urls;
      if (!boundedString(msg.site) || msg.site === '' || !Array.isArray(urls) || urls.length === 0 || urls.length > 1000 || !urls.every(boundedString)) {
        return errorResponse(ErrorCode.INVALID, 'crawl/recapture needs a site and 1 to 1000 string urls');
      }
      return { ok: true, request: { type: MessageType.CRAWL_RECAPTURE, site: msg.site, urls: [...urls] } };
    }
    case MessageType.SITE_FIDELITY:
    case MessageType.CRAWL_UPDATE:
    case MessageType.CRAWL_PAUSE:
    case MessageType.CRAWL_RESUME:
    case MessageType.CRAWL_CANCEL:
    case MessageType.CRAWL_STATUS:
    case MessageType.CRAWL_REPORT:
      if (!boundedString(msg.site) || msg.site === '') return errorResponse(ErrorCode.INVALID, `${msg.type} needs a non-empty string site`);
      return { ok: true, request: { type: msg.type, site: msg.site } };
    default:
      return errorResponse(ErrorCode.INVALID, `unknown message type ${JSON.stringify(msg.type)}`);
  }
}
