/**
 * Replay: the background service worker answers requests for `<extension>/m/…` from the mirror store.
 *
 * Security model (docs/security.md): a page served here is an extension page, so no mirrored script may run in
 * it. The engine decides everything (crate/src/serve/): its static mode removes scripts, and it puts the replay
 * CSP (scripts off, no request outside the mirror, sandboxed) on EVERY mirrored response — an SVG or XML
 * document opened on its own is a document too. `nosniff` keeps a mislabelled body from being sniffed into
 * HTML. A missing resource is answered with a 404, never fetched live.
 */

/** The path mirrored URLs live under (the engine's mirror prefix is `chrome-extension://<id>/m/`). */
export const MIRROR_PATH = '/m/';

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

/**
 * Milliseconds since the epoch → the 14-digit UTC timestamp of mirror URLs (`YYYYMMDDhhmmss`).
 * @param {number} ms
 */
export function msToTimestamp(ms) {
  return new Date(ms).toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

/** Where capture keeps a page's rendered DOM: the page's key plus this suffix (a key no URL lookup produces). */
export const RENDERED = '#rendered';


/**
 * Answers one request under the mirror path. Every decision (which version, redirects, the rendered copy, what
 * the body is served as, the replay headers, the status, the miss and refusal pages) is the engine's
 * (`MirrorStore.serve`, crate/src/serve/); this only turns its answer into a Response.
 * @param {Request} request
 * @param {{store: any, prefix: string, origin: string, onMiss?: (key: string, request: Request) => void}} ctx
 * @returns {Promise<Response>}
 */
export async function serve(request, { store, prefix, origin, onMiss }) {
  const asked = { url: request.url, destination: request.destination, navigate: request.mode === 'navigate' };
  const out = await store.serve(asked, { prefix, origin });
  if (out.missed !== null) onMiss?.(out.missed, request);
  return new Response(out.body, { status: out.status, headers: out.headers });
}
