/**
 * Background service worker: loads the wasm engine and answers runtime messages.
 *
 * Rules this file follows (see ARCHITECTURE.md §4/§6):
 * - `init()` starts at top level but is never awaited there: top-level await kills an extension SW.
 * - Every listener is registered synchronously on first evaluation, or Chrome won't deliver the event
 *   that woke the worker.
 * - Handlers `await ready`, so a message that restarts a stopped worker waits for the engine.
 */
import init, * as engine from './pkg/sitemirror.js';
import { MessageType, ErrorCode, parseRequest, errorResponse, errorFrom } from './messages.js';

const ready = init({ module_or_path: chrome.runtime.getURL('pkg/sitemirror_bg.wasm') });
// Log a failed init once here; handlers still see the rejection through `ready` and report it.
ready.catch((err) => console.error('sitemirror: engine failed to initialise', err));

/** Where mirrored pages live; the SW will serve this path in a later milestone. */
const MIRROR_PREFIX = chrome.runtime.getURL('m/');

// Tests reach the engine through this (sw.evaluate); it is not an API for other code.
globalThis.sitemirror = { ready, engine };

chrome.runtime.onMessage.addListener((raw, sender, sendResponse) => {
  // Only our own pages and scripts: web pages use onMessageExternal, which we don't listen to.
  if (sender.id !== chrome.runtime.id) return false;
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
      // The engine takes bytes: passing a JS string costs a decode + re-encode (ARCHITECTURE.md §6).
      const out = engine.rewriteHtml(new TextEncoder().encode(req.html), {
        url: req.url,
        mirrorPrefix: MIRROR_PREFIX,
        mode: 'static',
      });
      return { ok: true, html: new TextDecoder().decode(out) };
    }
  }
}
