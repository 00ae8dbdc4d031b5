/**
 * What both hosts of the engine need, written once: the extension (ES modules, `extension/`) and the site worker
 * (a classic service worker, `worker/`). build.sh puts this file in dist/extension/lib/shared.js, imported as a
 * module, and — its `export` keywords dropped — in dist/worker/lib.js, loaded with `importScripts`, where its
 * declarations are the worker's globals. So: no imports here, and nothing but declarations at the top level.
 */

/**
 * Every code JavaScript uses, defined once: the hosts' own errors and reasons, and the engine's codes JS branches
 * on (defined in crate/src/codes.rs). docs/engine-api.md ("Codes") lists them all; tests/native/codes.rs fails on
 * a code literal anywhere else.
 */
export const ErrorCode = Object.freeze({
  /** A message that isn't one the handler knows, or lacks what it needs. */
  INVALID: 'message/invalid',
  /** The engine (wasm) could not start. */
  ENGINE_INIT: 'engine/init-failed',
  /** Anything thrown that carries no code of its own. */
  INTERNAL: 'internal/error',
  INVALID_URL: 'site/invalid-url',
  NOT_MIRRORED: 'site/not-mirrored',
  NO_CRAWL: 'crawl/none',
  /** The UI's message got no answer from the background, or could not reach it. */
  NO_ANSWER: 'internal/no-answer',
  UNREACHABLE: 'internal/unreachable',
  // Why a URL was left out (frontier entries' `reason`, `"code: human text"`), besides the engine's crawl codes.
  CRAWL_CANCELLED: 'crawl/cancelled',
  /** A page the crawl renders did not settle in time, or its frame sent no DOM (the raw page is kept). */
  RENDER_TIMEOUT: 'crawl/render-timeout',
  RENDER_FAILED: 'crawl/render-failed',
  CAPTURE_OVER_BUDGET: 'capture/over-budget',
  CAPTURE_THIRD_PARTY: 'capture/third-party',
  ARCHIVE_NOT_MIRRORABLE: 'archive/not-mirrorable',
  ARCHIVE_SITE_NOT_CHOSEN: 'archive/site-not-chosen',
  ARCHIVE_RECORD: 'archive/record',
  ARCHIVE_STATUS: 'archive/status',
  ARCHIVE_FUTURE_DATE: 'archive/future-date',
  ARCHIVE_REVISIT: 'archive/revisit',
  /** The site worker's precache: `precache/<why>`, why the worker's caching rules refused a response. */
  PRECACHE_PREFIX: 'precache/',
  // The engine's own codes JavaScript branches on (crate/src/codes.rs; tests/native/codes.rs checks they match).
  CRAWL_INVALID_CONFIG: 'crawl/invalid-config',
  ARCHIVE_NOT_WARC: 'archive/not-warc',
  ARCHIVE_MALFORMED: 'archive/malformed',
  ARCHIVE_TOO_COMPRESSED: 'archive/too-compressed',
});

/** @typedef {{ok: false, error: {code: string, message?: string}}} ErrorResponse */

/**
 * The failure answer of a message handler: `{ok: false, error: {code, message?}}`.
 * @param {string} code
 * @param {string} [message]
 * @returns {ErrorResponse}
 */
export function errorResponse(code, message) {
  return { ok: false, error: message === undefined ? { code } : { code, message } };
}

/**
 * Anything thrown, as a failure answer. Engine errors carry a stable `code`, passed through unchanged so callers
 * can branch on it; anything else becomes `internal/error`.
 * @param {unknown} err
 */
export function errorFrom(err) {
  const code = err && typeof err === 'object' && 'code' in err && typeof err.code === 'string' ? err.code : ErrorCode.INTERNAL;
  return errorResponse(code, err instanceof Error ? err.message : String(err));
}

/**
 * A stream's bytes in one array, or null (and the stream cancelled) as soon as they pass `max`.
 * @param {ReadableStream<Uint8Array>} stream
 * @param {number} max
 * @returns {Promise<Uint8Array | null>}
 */
export async function readCapped(stream, max) {
  const reader = stream.getReader();
  const chunks = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > max) {
      await reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}

/**
 * A response's body, or null when it is bigger than `max` (a declared Content-Length over it is refused before
 * anything is read; the request is then aborted through `controller`, if given).
 * @param {Response} res
 * @param {number} max
 * @param {AbortController} [controller]
 * @returns {Promise<Uint8Array | null>}
 */
export async function bodyCapped(res, max, controller) {
  const declared = Number(res.headers.get('content-length'));
  if (res.headers.has('content-length') && declared > max) {
    controller?.abort('too-large');
    return null;
  }
  // A declared length is the body's when nothing was decoded (with Content-Encoding it is the compressed size).
  if (res.headers.has('content-length') && !res.headers.has('content-encoding')) return new Uint8Array(await res.arrayBuffer());
  if (!res.body) return new Uint8Array(0);
  const body = await readCapped(res.body, max);
  if (!body) controller?.abort('too-large');
  return body;
}

/**
 * A sitemap's XML (or text) bytes. `sitemap.xml.gz` files arrive as gzip bytes (a file, not Content-Encoding,
 * which fetch() would have undone): they are gunzipped here with the browser's DecompressionStream and stopped at
 * `max` (the crawl driver's sitemaps.org limit, given with the fetch), so a gzip bomb costs that much memory at
 * most. Throws with the reason otherwise.
 * @param {Uint8Array} body
 * @param {number} max
 * @returns {Promise<Uint8Array>}
 */
export async function sitemapBytes(body, max) {
  if (body.length < 2 || body[0] !== 0x1f || body[1] !== 0x8b) return body;
  let text;
  try {
    text = await readCapped(new Blob([/** @type {BlobPart} */ (body)]).stream().pipeThrough(new DecompressionStream('gzip')), max);
  } catch (err) {
    throw new Error(`broken gzip (${err?.message || err})`);
  }
  if (!text) throw new Error(`over ${max} bytes once gunzipped`);
  return text;
}

/**
 * Puts a fetched body on a crawl driver's response (`CrawlDriver.onResponse`): its size, and the bytes the engine
 * reads — for a sitemap, gunzipped (or `unreadable` with the reason instead).
 * @param {{size?: number, body?: Uint8Array, unreadable?: string}} response
 * @param {{purpose: string, maxBytes: number}} task the fetch step
 * @param {Uint8Array} body
 */
export async function putBody(response, task, body) {
  response.size = body.length;
  response.body = body;
  if (task.purpose !== 'sitemap') return;
  try {
    response.body = await sitemapBytes(body, task.maxBytes);
  } catch (err) {
    response.unreadable = err?.message || String(err);
    delete response.body;
  }
}
