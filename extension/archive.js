/**
 * Mirrors outlive the extension: a site exported as a WARC 1.1 file, and WARC files imported as a site's mirror.
 *
 * Export writes `.warc.gz` the way web-archive tools do (one gzip member per record, so any tool can seek and
 * read it): a `warcinfo` record, then every capture of the site oldest first, each a `response` record — or a
 * `revisit` record when its body was already written (the store keeps identical bodies once; so does the file).
 * A page's rendered DOM, kept beside a visited page, is a `response` for `<url>#rendered`.
 * Import reads `.warc` and `.warc.gz` from any tool (ours, wget --warc-file, warcio, Webrecorder) through the
 * engine's `WarcReader`, which streams: the file is never held in memory at once.
 *
 * Both run in the dashboard page, not the service worker: the user's File and the download (a Blob URL) are page
 * things. The store is the same IndexedDB database the worker uses. Nothing in an archive is ever run: records
 * become captures (bytes and a few headers), replayed later under the viewer's sandbox like any capture.
 */
import { KEPT_HEADERS } from './capture.js';
import { RENDERED } from './replay.js';

/** Bodies bigger than the store takes are reported, not read (the store's default per-body cap). */
export const MAX_RECORD = 64 << 20;
/** Captures stored per transaction on import. */
const BATCH = 50;
const BATCH_BYTES = 16 << 20;

/** `example.com_8080-20261127103000.warc.gz` */
export function archiveName(siteId, now) {
  const host = new URL(siteId).host.replace(/[^A-Za-z0-9.-]/g, '_');
  const stamp = new Date(now).toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return `${host}-${stamp}.warc.gz`;
}

/** One gzip member holding `parts` (Uint8Arrays / Blobs), as a Blob. */
async function gzipMember(parts) {
  const stream = new Blob(parts).stream().pipeThrough(new CompressionStream('gzip'));
  return new Response(stream).blob();
}

/**
 * The site as a `.warc.gz` Blob.
 * @param {any} engine the wasm engine module
 * @param {any} store a MirrorStore
 * @param {string} siteId
 * @param {{software: string, now?: number}} opts
 * @returns {Promise<{blob: Blob, filename: string, responses: number, revisits: number, missing: string[]}>}
 */
export async function exportSite(engine, store, siteId, { software, now = Date.now() }) {
  const filename = archiveName(siteId, now);
  const members = [await gzipMember([engine.warcInfo(software, filename, now)])];
  const end = engine.warcRecordEnd();
  /** digest → the first capture written with that body */
  const written = new Map();
  let responses = 0;
  let revisits = 0;
  const missing = [];
  for (const c of await store.captures(siteId)) {
    const first = written.get(c.digest);
    if (first && c.size > 0) {
      members.push(await gzipMember([engine.warcRevisit(c, first.url, first.at)]));
      revisits += 1;
      continue;
    }
    const body = c.size > 0 ? await store.body(c.digest) : new Uint8Array(0);
    if (body === undefined) {
      // A body the store lost (it never should): the capture is left out and named, the rest still exported.
      missing.push(c.url);
      continue;
    }
    const length = body instanceof Blob ? body.size : body.byteLength;
    members.push(await gzipMember([engine.warcResponseHead(c, length), body, end]));
    if (!first) written.set(c.digest, { url: c.url, at: c.at });
    responses += 1;
  }
  return { blob: new Blob(members, { type: 'application/warc' }), filename, responses, revisits, missing };
}

const isHtml = (headers) => headers.some(([n, v]) => n === 'content-type' && /^\s*(text\/html|application\/xhtml\+xml)/i.test(v));

/**
 * Imports a WARC file into the store. The site is the origin of the first HTML page in the file (its resources
 * from other hosts belong to it, as in a crawl); it is registered if new, and existing captures stay: imported
 * ones are versions like any other. Records that can't become captures are listed with their reason.
 * @param {any} engine
 * @param {any} store
 * @param {Blob} file
 * @param {{now?: number, onProgress?: (p: {read: number, total: number, captures: number}) => void}} [opts]
 * @returns {Promise<{site: string | null, captures: number, pages: number, records: number,
 *   skipped: {url: string, reason: string}[], error: {code: string, message: string} | null}>}
 *   `error`: the file is not a WARC, or breaks off or is corrupt after the records that were imported.
 *   Store errors (quota) reject.
 */
export async function importArchive(engine, store, file, { now = Date.now(), onProgress } = {}) {
  const reader = new engine.WarcReader(MAX_RECORD);
  const skipped = [];
  let site = null;
  let captures = 0;
  let pages = 0;
  /** Records read before the site is known (the first HTML page decides it). */
  let pending = [];
  let batch = [];
  let batchBytes = 0;

  const flush = async () => {
    if (batch.length === 0) return;
    const todo = batch;
    batch = [];
    batchBytes = 0;
    await store.capture(todo);
    captures += todo.length;
  };

  const ensureSite = async (startUrl) => {
    const id = `${new URL(startUrl).origin}/`;
    if (!(await store.sites()).some((s) => s.id === id)) {
      await store.putSite({ id, startUrl, created: now, updated: now, settings: {} });
    }
    site = id;
  };

  /** One record → a capture (or a reason it isn't one). */
  const take = async (r) => {
    let url;
    try {
      // A page's rendered DOM (a visit's companion capture) is exported under `<url>#rendered` and comes back
      // as that companion, not as the page: canonical keys otherwise drop the fragment.
      url = engine.canonicalKey(r.url) + (r.url.endsWith(RENDERED) ? RENDERED : '');
    } catch {
      skipped.push({ url: String(r.url).slice(0, 2000), reason: 'archive/not-mirrorable: not an http(s) URL' });
      return;
    }
    if (!/^https?:/.test(url)) {
      skipped.push({ url, reason: 'archive/not-mirrorable: not an http(s) URL' });
      return;
    }
    if (r.problem) {
      skipped.push({ url, reason: `archive/record: ${r.problem}` });
      return;
    }
    if (r.status < 200 || r.status > 599 || r.status === 304) {
      skipped.push({ url, reason: `archive/status: HTTP ${r.status} is not a capture` });
      return;
    }
    const headers = r.headers.filter(([n]) => KEPT_HEADERS.has(n));
    const base = { site, url, at: r.at || now, status: r.status, headers, source: 'import' };
    if (r.type === 'revisit') {
      await flush();
      if (!r.digest) {
        skipped.push({ url, reason: 'archive/revisit: the record names no SHA-256 payload digest' });
        return;
      }
      try {
        await store.capture([{ ...base, unchanged: r.digest }]);
        captures += 1;
      } catch (err) {
        // The body it repeats is in no record read so far, nor in the store.
        skipped.push({ url, reason: `archive/revisit: the repeated body is not in the archive (${err?.code || err})` });
      }
      return;
    }
    if (r.status >= 200 && r.status < 300 && isHtml(headers)) pages += 1;
    batch.push({ ...base, body: r.body });
    batchBytes += r.body.byteLength;
    if (batch.length >= BATCH || batchBytes >= BATCH_BYTES) await flush();
  };

  const handle = async (records) => {
    for (const r of records) {
      if (site === null) {
        pending.push(r);
        const page = pending.find((p) => !p.problem && p.type !== 'revisit' && /^https?:/.test(p.url) && isHtml(p.headers));
        // The first HTML page names the site; a file with none takes the origin of its first web record.
        const first = page ?? (pending.length >= 200 ? pending.find((p) => /^https?:/.test(p.url)) : undefined);
        if (!first) continue;
        await ensureSite(first.url);
        const queued = pending;
        pending = [];
        for (const p of queued) await take(p);
      } else {
        await take(r);
      }
    }
  };

  const stream = file.stream().getReader();
  let read = 0;
  /** A file that breaks off or is corrupt: what came before it is kept, and the error says where. */
  let error = null;
  try {
    for (;;) {
      const { done, value } = await stream.read();
      if (done) break;
      read += value.byteLength;
      await handle(reader.push(value));
      onProgress?.({ read, total: file.size, captures: captures + batch.length });
    }
    await handle(reader.finish());
  } catch (err) {
    if (!err?.code?.startsWith('archive/')) throw err;
    error = { code: err.code, message: err.message };
    await stream.cancel().catch(() => {});
  }
  if (site === null) {
    const first = pending.find((p) => /^https?:/.test(p.url));
    if (first) {
      await ensureSite(first.url);
      for (const p of pending) await take(p);
    }
  }
  await flush();
  return { site, captures, pages, records: reader.recordsSeen(), skipped, error };
}
