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
 * @typedef {{type: 'mirror/view', url?: string, frame?: string, at?: string}} ViewRequest
 *   What the viewer shows for an original URL (optionally the version closest to ISO-8601 time `at`), or for
 *   the page its frame has navigated to (`frame`: a mirror URL).
 * @typedef {{type: 'sites/list'}} SitesListRequest
 *   Every mirrored site with its page count, bytes and last capture time.
 * @typedef {{type: 'site/add', url: string}} SiteAddRequest
 *   Registers the site `url` belongs to (its origin + '/') as mirrored; `url` becomes its start URL. Only
 *   http(s) URLs: anything else is answered with `site/invalid-url`. Adding a known site returns it unchanged.
 * @typedef {{type: 'site/delete', id: string}} SiteDeleteRequest
 *   Deletes a site and everything only it used (captures, payloads no other site shares).
 * @typedef {{type: 'site/status', url: string}} SiteStatusRequest
 *   Whether the site `url` belongs to is mirrored, and how much of it.
 * @typedef {{type: 'mirror/missing', frame: string}} MissingRequest
 *   The resources a replayed document (its mirror URL) asked for that the mirror doesn't have.
 * @typedef {StatusRequest | RewriteRequest | ViewRequest | MissingRequest | SitesListRequest | SiteAddRequest | SiteDeleteRequest
 *   | SiteStatusRequest} Request
 *
 * @typedef {{code: string, message?: string}} ErrorInfo
 *   `code` is stable and what callers branch on; `message` is for humans and logs only.
 * @typedef {{ok: true, version: string}} StatusResponse
 * @typedef {{ok: true, html: string}} RewriteResponse
 * @typedef {{id: string, startUrl: string, created: number, updated: number, settings: Record<string, string>}} Site
 *   Times are ms since the epoch. Ids, URLs and titles come from the web: attacker text wherever shown.
 * @typedef {{id: string, startUrl: string, created: number, updated: number, pages: number, bytes: number,
 *   lastCaptured: number | null}} SiteSummary   `lastCaptured`: newest capture among its pages, null if none
 * @typedef {{ok: true, sites: SiteSummary[]}} SitesListResponse
 * @typedef {{ok: true, site: Site}} SiteAddResponse
 * @typedef {{ok: true}} SiteDeleteResponse
 * @typedef {{ok: true, mirrored: false} | {ok: true, mirrored: true, site: Site, pages: number, bytes: number,
 *   lastCaptured: number | null}} SiteStatusResponse
 * @typedef {{ok: false, error: ErrorInfo}} ErrorResponse
 * @typedef {StatusResponse | RewriteResponse | SitesListResponse | SiteAddResponse | SiteDeleteResponse
 *   | SiteStatusResponse | ErrorResponse} Response
 */

/** Message type tags, so callers don't spell them by hand. */
export const MessageType = Object.freeze({
  STATUS: 'engine/status',
  REWRITE: 'engine/rewrite',
  VIEW: 'mirror/view',
  MISSING: 'mirror/missing',
  SITES_LIST: 'sites/list',
  SITE_ADD: 'site/add',
  SITE_DELETE: 'site/delete',
  SITE_STATUS: 'site/status',
});

/** Error codes produced by the JS glue itself (engine errors keep the engine's codes). */
export const ErrorCode = Object.freeze({
  INVALID: 'message/invalid',
  ENGINE_INIT: 'engine/init-failed',
  INTERNAL: 'internal/error',
  INVALID_URL: 'site/invalid-url',
});

/** Longest URL or site id a message may carry (browsers cap URLs near 2 MB; ours are far shorter). */
const MAX_URL = 64 * 1024;
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
      const atOk = msg.at === undefined || (typeof msg.at === 'string' && !Number.isNaN(Date.parse(msg.at)));
      if (!oneOf || !atOk) {
        return errorResponse(ErrorCode.INVALID, 'mirror/view needs a string url or frame, and an optional ISO-8601 at');
      }
      const target = typeof msg.url === 'string' ? { url: msg.url } : { frame: msg.frame };
      return { ok: true, request: { type: MessageType.VIEW, ...target, ...(msg.at ? { at: msg.at } : {}) } };
    }
    case MessageType.SITES_LIST:
      return { ok: true, request: { type: MessageType.SITES_LIST } };
    case MessageType.SITE_ADD:
    case MessageType.SITE_STATUS:
      // Only the shape here: whether the URL is a mirrorable http(s) URL is the handler's answer (site/invalid-url).
      if (!boundedString(msg.url)) return errorResponse(ErrorCode.INVALID, `${msg.type} needs a string url`);
      return { ok: true, request: { type: msg.type, url: msg.url } };
    case MessageType.SITE_DELETE:
      if (!boundedString(msg.id) || msg.id === '') return errorResponse(ErrorCode.INVALID, 'site/delete needs a non-empty string id');
      return { ok: true, request: { type: MessageType.SITE_DELETE, id: msg.id } };
    default:
      return errorResponse(ErrorCode.INVALID, `unknown message type ${JSON.stringify(msg.type)}`);
  }
}

/**
 * @param {string} code
 * @param {string} [message]
 * @returns {ErrorResponse}
 */
export function errorResponse(code, message) {
  return { ok: false, error: message === undefined ? { code } : { code, message } };
}

/**
 * Turns anything thrown into an ErrorResponse. Engine errors carry a stable `code`, which is passed
 * through unchanged so callers can branch on it; anything else becomes `internal/error`.
 * @param {unknown} err
 * @returns {ErrorResponse}
 */
export function errorFrom(err) {
  const code = err && typeof err === 'object' && typeof err.code === 'string' ? err.code : ErrorCode.INTERNAL;
  return errorResponse(code, err instanceof Error ? err.message : String(err));
}
