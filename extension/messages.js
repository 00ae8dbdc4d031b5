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
 * @typedef {StatusRequest | RewriteRequest} Request
 *
 * @typedef {{code: string, message?: string}} ErrorInfo
 *   `code` is stable and what callers branch on; `message` is for humans and logs only.
 * @typedef {{ok: true, version: string}} StatusResponse
 * @typedef {{ok: true, html: string}} RewriteResponse
 * @typedef {{ok: false, error: ErrorInfo}} ErrorResponse
 * @typedef {StatusResponse | RewriteResponse | ErrorResponse} Response
 */

/** Message type tags, so callers don't spell them by hand. */
export const MessageType = Object.freeze({
  STATUS: 'engine/status',
  REWRITE: 'engine/rewrite',
});

/** Error codes produced by the JS glue itself (engine errors keep the engine's codes). */
export const ErrorCode = Object.freeze({
  INVALID: 'message/invalid',
  ENGINE_INIT: 'engine/init-failed',
  INTERNAL: 'internal/error',
});

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
