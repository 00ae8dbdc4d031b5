/**
 * Automatic offline fallback: when a top-level navigation to a mirrored site fails because the origin is
 * unreachable, or the origin answers 502/503/504 (500 when the user enables it), the tab is sent to the viewer.
 * Which failures count is one table with defaults, kept in chrome.storage.local (`fallback` settings).
 */

/** Network errors that mean "the origin can't be reached" (not: the user stopped it, a policy blocked it). */
export const UNREACHABLE = new Set([
  'net::ERR_NAME_NOT_RESOLVED',
  'net::ERR_NAME_RESOLUTION_FAILED',
  'net::ERR_CONNECTION_REFUSED',
  'net::ERR_CONNECTION_RESET',
  'net::ERR_CONNECTION_CLOSED',
  'net::ERR_CONNECTION_TIMED_OUT',
  'net::ERR_CONNECTION_FAILED',
  'net::ERR_TIMED_OUT',
  'net::ERR_ADDRESS_UNREACHABLE',
  'net::ERR_INTERNET_DISCONNECTED',
  'net::ERR_EMPTY_RESPONSE',
  'net::ERR_NETWORK_CHANGED',
]);

/** Defaults for the triggers; the user's choices override them. */
export const DEFAULT_SETTINGS = Object.freeze({ onUnreachable: true, on5xx: [502, 503, 504], on500: false });

/** @returns {Promise<typeof DEFAULT_SETTINGS>} */
export async function settings() {
  /** @type {{fallback?: Partial<typeof DEFAULT_SETTINGS>}} */
  const { fallback } = await chrome.storage.local.get('fallback');
  return { ...DEFAULT_SETTINGS, ...(fallback || {}) };
}

/** Whether an HTTP status should send the tab to the mirror. */
export function statusTriggers(status, s) {
  return s.on5xx.includes(status) || (status === 500 && s.on500);
}

/** The viewer URL for an original URL. */
export function viewerUrl(url) {
  return chrome.runtime.getURL(`view.html?url=${encodeURIComponent(url)}`);
}
