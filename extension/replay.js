/**
 * Replay: the background service worker answers requests for `<extension>/m/…` from the mirror store.
 *
 * Security model (docs/security.md): a page served here is an extension page, so no mirrored script may run in
 * it. The engine's static mode removes scripts; this file adds the replay CSP (scripts off, no request outside
 * the mirror, sandboxed) to EVERY mirrored response — an SVG or XML document opened on its own is a document
 * too. `nosniff` keeps a mislabelled body from being sniffed into HTML. A missing resource is answered from
 * here with a 404, never fetched live.
 */

/** The path mirrored URLs live under (the engine's mirror prefix is `chrome-extension://<id>/m/`). */
export const MIRROR_PATH = '/m/';

/**
 * The replay Content-Security-Policy for the extension origin `origin` (`chrome-extension://<id>`).
 * @param {string} origin
 */
export function replayCsp(origin) {
  const mirror = `${origin}${MIRROR_PATH}`;
  return [
    "default-src 'self' data: blob:",
    "script-src 'none'",
    "object-src 'none'",
    "connect-src 'none'",
    "form-action 'none'",
    "base-uri 'none'",
    "style-src 'self' 'unsafe-inline' data: blob:",
    `frame-src ${mirror}`,
    `child-src ${mirror}`,
    "worker-src 'none'",
    "manifest-src 'none'",
    'sandbox allow-same-origin',
  ].join('; ');
}

/**
 * What a stored response is when opened as a page: `'html'` (rewritten as a document: HTML, XHTML, SVG, any XML,
 * an untyped text body), `'css'` or `'raw'` — the engine's `replayTreatment` for a document request.
 * @param {any} engine @param {[string, string][]} headers @param {Uint8Array} body
 * @returns {'html' | 'css' | 'raw'}
 */
export function documentKind(engine, headers, body) {
  return engine.replayTreatment(headers, body.subarray(0, SNIFF_BYTES), 'document').kind;
}

/** Bytes of a body's head the engine's sniffing looks at. */
const SNIFF_BYTES = 1445;

/** Capture time in a mirror URL (`YYYYMMDDhhmmss`, UTC) ⇄ milliseconds since the epoch. */
export function timestampToMs(ts) {
  const d = ts.padEnd(14, '0');
  return Date.UTC(+d.slice(0, 4), +d.slice(4, 6) - 1, +d.slice(6, 8), +d.slice(8, 10), +d.slice(10, 12), +d.slice(12, 14));
}

/** @param {number} ms */
export function msToTimestamp(ms) {
  return new Date(ms).toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

/** Escapes text for HTML (mirrored URLs and titles are attacker text). */
export function escapeHtml(s) {
  return String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Where capture keeps a page's rendered DOM: the page's key plus this suffix (a key no URL lookup produces). */
export const RENDERED = '#rendered';


/**
 * Answers one request under the mirror path.
 * @param {Request} request
 * @param {{engine: any, store: any, prefix: string, origin: string, onMiss?: (url: string, request: Request) => void}} ctx
 * @returns {Promise<Response>}
 */
export async function serve(request, { engine, store, prefix, origin, onMiss }) {
  const headers = new Headers({
    'content-security-policy': replayCsp(origin),
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-store',
    'referrer-policy': 'no-referrer',
  });
  const target = engine.originalUrl(request.url, prefix);
  const isDocument = request.mode === 'navigate' || request.destination === 'document' || request.destination === 'iframe';
  if (!target) return notMirrored(request.url, isDocument, headers);
  const key = engine.canonicalKey(target.url);
  const at = target.at ? timestampToMs(target.at) : undefined;
  // One store transaction: the version (redirects followed) and its body; a document replays as its scripts
  // rendered it when that was captured (static replay runs no script).
  const found = await store.replay(key, { ...(at === undefined ? {} : { at }), ...(isDocument ? { rendered: RENDERED } : {}) });
  if (!found) {
    onMiss?.(key, request);
    return notMirrored(target.url, isDocument, headers);
  }
  const { capture, body } = found;
  // What the body is served as, decided the way the browser would decide it (the engine's `replayTreatment`:
  // Fetch's MIME extraction, careful sniffing): anything it could render as a document goes through the static
  // rewriter, everything else is served under a type that can't render as one.
  const treatment = engine.replayTreatment(capture.headers, await head(body), request.destination);
  const type = header(capture, 'content-type');
  const options = { url: capture.url, mirrorPrefix: prefix, mode: 'static', ...(type ? { contentType: type } : {}), ...(target.at ? { at: target.at } : {}) };
  let out = body;
  try {
    if (treatment.kind === 'html') out = engine.rewriteHtml(await bytes(body), options);
    else if (treatment.kind === 'css') out = engine.rewriteCss(await bytes(body), options);
  } catch (err) {
    // A page the rewriter refuses (rewrite/ambiguous, rewrite/memory-limit…) is never served as it was.
    return unsafePage(target.url, err, headers);
  }
  headers.set('content-type', treatment.contentType);
  headers.set('x-sitemirror-captured', String(capture.at));
  // Errors that were captured replay as they were (a mirrored 404 page is still the site's 404 page).
  const status = capture.status >= 200 && capture.status < 600 && capture.status !== 304 ? capture.status : 200;
  return new Response(status === 204 || status === 205 ? null : out, { status, headers });
}

/** @param {{headers: [string, string][]}} capture @param {string} name */
function header(capture, name) {
  const found = capture.headers.find(([n]) => n.toLowerCase() === name);
  return found ? found[1] : undefined;
}

/** The first bytes of a body, for sniffing. @param {Uint8Array | Blob} body */
async function head(body) {
  return body instanceof Blob ? new Uint8Array(await body.slice(0, SNIFF_BYTES).arrayBuffer()) : body.subarray(0, SNIFF_BYTES);
}

/** @param {Uint8Array | Blob} body */
async function bytes(body) {
  return body instanceof Blob ? new Uint8Array(await body.arrayBuffer()) : body;
}

/**
 * A miss is never fetched live. Documents get a page saying so; everything else an empty 404 of no type.
 * @param {string} url @param {boolean} isDocument @param {Headers} headers
 */
function notMirrored(url, isDocument, headers) {
  if (!isDocument) return new Response(null, { status: 404, headers });
  headers.set('content-type', 'text/html; charset=utf-8');
  const page = `<!doctype html><meta charset="utf-8"><title>Not in the mirror</title>
<style>body{font:16px system-ui,sans-serif;margin:3em auto;max-width:40em;color:#222}code{word-break:break-all}</style>
<h1>Not in the mirror</h1><p>This page was never captured, so there is no offline copy of it:</p>
<p><code id="missing-url">${escapeHtml(url)}</code></p>`;
  return new Response(page, { status: 404, headers });
}

/**
 * A stored page the rewriter refused: a page saying so, with the engine's code. The stored copy stays (it can
 * still be exported); it is just never served unrewritten.
 * @param {string} url @param {any} err @param {Headers} headers
 */
function unsafePage(url, err, headers) {
  headers.set('content-type', 'text/html; charset=utf-8');
  const code = typeof err?.code === 'string' ? err.code : 'rewrite/failed';
  const page = `<!doctype html><meta charset="utf-8"><title>Can't be shown safely</title>
<style>body{font:16px system-ui,sans-serif;margin:3em auto;max-width:40em;color:#222}code{word-break:break-all}</style>
<h1>This copy can't be shown safely</h1><p>The mirrored page could not be made script-free and kept inside the
mirror, so it is not shown (<code id="error-code">${escapeHtml(code)}</code>). The stored copy is kept.</p>
<p><code id="missing-url">${escapeHtml(url)}</code></p>`;
  return new Response(page, { status: 500, headers });
}
