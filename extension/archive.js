/**
 * Mirrors outlive the extension: a site exported as a WARC 1.1 file, and WARC files imported as a site's mirror.
 *
 * Export writes `.warc.gz` the way web-archive tools do (one gzip member per record, so any tool can seek and
 * read it): a `warcinfo` record, then every capture of the site oldest first, each a `response` record — or a
 * `revisit` record when its body was already written (the store keeps identical bodies once; so does the file).
 * A page's rendered DOM, kept beside a visited page, is a `response` for `<url>#rendered`.
 * WACZ export wraps that WARC in a WACZ 1.1.1 ZIP with its CDXJ index, page list and fixity manifest, the form
 * ReplayWeb.page and other Webrecorder tools open directly.
 * Import reads `.warc`, `.warc.gz` and `.wacz` from any tool (ours, wget --warc-file, warcio, Webrecorder,
 * browsertrix) through the engine's `WarcReader`, which streams: the file is never held in memory at once.
 *
 * Both run in the dashboard page, not the service worker: the user's File and the download (a Blob URL) are page
 * things. The store is the same IndexedDB database the worker uses. Nothing in an archive is ever run: records
 * become captures (bytes and a few headers), replayed later under the viewer's sandbox like any capture.
 */
import { KEPT_HEADERS, isHtml } from './capture.js';
import { RENDERED } from './replay.js';

/** Bodies bigger than the store takes are reported, not read (the store's default per-body cap). */
const MAX_RECORD = 64 << 20;
/** Captures stored per transaction on import. */
const BATCH = 50;
const BATCH_BYTES = 16 << 20;

/** `example.com_8080-20261127103000.warc.gz` (or `.wacz`) */
function archiveName(siteId, now, extension = 'warc.gz') {
  const host = new URL(siteId).host.replace(/[^A-Za-z0-9.-]/g, '_');
  const stamp = new Date(now).toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return `${host}-${stamp}.${extension}`;
}

const mimeOf = (headers) => (headers.find(([n]) => n === 'content-type')?.[1] ?? '').split(';')[0].trim().toLowerCase();

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
  const out = await warcMembers(engine, store, siteId, { software, now, filename: archiveName(siteId, now) });
  return { ...out, blob: new Blob(out.members, { type: 'application/warc' }) };
}

/**
 * The records of a site's WARC file, each a gzip member, and the CDXJ index entry of each (for WACZ).
 * @returns {Promise<{members: Blob[], index: {url: string, at: number, mime: string, status: number,
 *   digest: string, offset: number, length: number}[], filename: string, responses: number, revisits: number,
 *   missing: string[]}>}
 */
async function warcMembers(engine, store, siteId, { software, now, filename }) {
  const members = [await gzipMember([engine.warcInfo(software, filename, now)])];
  const index = [];
  let offset = members[0].size;
  const add = (member, c, mime) => {
    members.push(member);
    index.push({ url: c.url, at: c.at, mime, status: c.status, digest: `sha256:${c.digest}`, offset, length: member.size });
    offset += member.size;
  };
  const end = engine.warcRecordEnd();
  /** digest → the first capture written with that body */
  const written = new Map();
  let responses = 0;
  let revisits = 0;
  const missing = [];
  for (const c of await store.captures(siteId)) {
    const first = written.get(c.digest);
    if (first && c.size > 0) {
      add(await gzipMember([engine.warcRevisit(c, first.url, first.at)]), c, 'warc/revisit');
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
    add(await gzipMember([engine.warcResponseHead(c, length), body, end]), c, mimeOf(c.headers));
    if (!first) written.set(c.digest, { url: c.url, at: c.at });
    responses += 1;
  }
  return { members, index, filename, responses, revisits, missing };
}

/** SHA-256 hex and CRC-32 of a Blob, read in chunks (a WACZ's WARC can be big). */
async function fixity(engine, blob) {
  const crc = new engine.Crc32();
  const sha = new engine.Sha256();
  const reader = blob.stream().getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    crc.update(value);
    sha.update(value);
  }
  return { crc: crc.value(), sha256: sha.hex() };
}

/**
 * The site as a WACZ 1.1.1 file (a ZIP, every entry STORE'd so readers can seek): `archive/data.warc.gz` (the WARC
 * export), `indexes/index.cdx` (CDXJ, sorted), `pages/pages.jsonl` (the site's pages, latest version each),
 * `datapackage.json` (sizes and SHA-256 of each) and `datapackage-digest.json`. ReplayWeb.page opens it as is.
 * @returns {Promise<{blob: Blob, filename: string, responses: number, revisits: number, missing: string[],
 *   pages: number}>}
 */
export async function exportWacz(engine, store, siteId, { software, now = Date.now() }) {
  const warc = await warcMembers(engine, store, siteId, { software, now, filename: 'data.warc.gz' });
  const iso = (ms) => new Date(ms).toISOString();
  const cdx = warc.index
    .map((e) => engine.cdxjLine({ ...e, filename: 'data.warc.gz' }))
    .sort()
    .join('\n');
  const pages = (await store.pages(siteId)).sort((a, b) => a.at - b.at);
  const site = (await store.sites()).find((s) => s.id === siteId);
  const home = pages.find((p) => p.url === site?.startUrl) ?? pages[0];
  const jsonl = [
    JSON.stringify({ format: 'json-pages-1.0', id: 'pages', title: 'All Pages' }),
    ...pages.map((p, i) => JSON.stringify({ id: `p${i + 1}`, url: p.url, ts: iso(p.at) })),
  ].join('\n');
  const text = (t) => new Blob([new TextEncoder().encode(`${t}\n`)]);
  const files = [
    { path: 'archive/data.warc.gz', blob: new Blob(warc.members) },
    { path: 'indexes/index.cdx', blob: text(cdx) },
    { path: 'pages/pages.jsonl', blob: text(jsonl) },
  ];
  const resources = [];
  for (const f of files) {
    f.fixity = await fixity(engine, f.blob);
    resources.push({ name: f.path.split('/').pop(), path: f.path, hash: `sha256:${f.fixity.sha256}`, bytes: f.blob.size });
  }
  const datapackage = text(JSON.stringify({
    profile: 'data-package',
    wacz_version: '1.1.1',
    title: `sitemirror: ${siteId}`,
    created: iso(now),
    modified: iso(now),
    software,
    ...(home ? { mainPageUrl: home.url, mainPageDate: iso(home.at) } : {}),
    resources,
  }, null, 2));
  const dp = { path: 'datapackage.json', blob: datapackage, fixity: await fixity(engine, datapackage) };
  const digest = text(JSON.stringify({ path: 'datapackage.json', hash: `sha256:${dp.fixity.sha256}` }, null, 2));
  files.push(dp, { path: 'datapackage-digest.json', blob: digest, fixity: await fixity(engine, digest) });

  const zip = new engine.ZipWriter();
  const parts = [];
  for (const f of files) parts.push(zip.entry(f.path, f.blob.size, f.fixity.crc, now), f.blob);
  parts.push(zip.finish());
  return {
    blob: new Blob(parts, { type: 'application/wacz' }),
    filename: archiveName(siteId, now, 'wacz'),
    responses: warc.responses,
    revisits: warc.revisits,
    missing: warc.missing,
    pages: pages.length,
  };
}

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
  let records = 0;
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
    if (r.status >= 200 && r.status < 300 && isHtml({ headers })) pages += 1;
    batch.push({ ...base, body: r.body });
    batchBytes += r.body.byteLength;
    if (batch.length >= BATCH || batchBytes >= BATCH_BYTES) await flush();
  };

  const handle = async (records) => {
    for (const r of records) {
      if (site === null) {
        pending.push(r);
        const page = pending.find((p) => !p.problem && p.type !== 'revisit' && /^https?:/.test(p.url) && isHtml(p));
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

  let read = 0;
  /** A file that breaks off or is corrupt: what came before it is kept, and the error says where. */
  let error = null;
  try {
    // A WACZ is a ZIP of WARC files (and indexes, which import doesn't need: every record is read anyway).
    for (const warc of await warcFiles(engine, file)) {
      const reader = warc.deflated ? engine.WarcReader.deflated(MAX_RECORD) : new engine.WarcReader(MAX_RECORD);
      const stream = warc.stream.getReader();
      try {
        for (;;) {
          const { done, value } = await stream.read();
          if (done) break;
          read += value.byteLength;
          await handle(reader.push(value));
          onProgress?.({ read: Math.min(read, file.size), total: file.size, captures: captures + batch.length });
        }
        await handle(reader.finish());
      } catch (err) {
        await stream.cancel().catch(() => {});
        if (err?.code?.startsWith('archive/') && warc.name) err.message = `${warc.name}: ${err.message}`;
        throw err;
      } finally {
        records += reader.recordsSeen();
      }
    }
  } catch (err) {
    if (!err?.code?.startsWith('archive/')) throw err;
    error = { code: err.code, message: err.message };
  }
  if (site === null) {
    const first = pending.find((p) => /^https?:/.test(p.url));
    if (first) {
      await ensureSite(first.url);
      for (const p of pending) await take(p);
    }
  }
  await flush();
  return { site, captures, pages, records, skipped, error };
}

const bytesOf = async (blob) => new Uint8Array(await blob.arrayBuffer());

/**
 * The WARC streams in `file`: the file itself, or — for a WACZ (a ZIP) — each `archive/*.warc[.gz]` entry, read
 * straight from its place in the file (only the ZIP directory is read into memory). A deflated entry is inflated by
 * the engine's reader (`deflated`), under its decompression-ratio bound like every other layer.
 * @returns {Promise<{name: string, stream: ReadableStream<Uint8Array>, deflated: boolean}[]>}
 */
async function warcFiles(engine, file) {
  const magic = await bytesOf(file.slice(0, 4));
  if (!(magic[0] === 0x50 && magic[1] === 0x4b && magic[2] === 3 && magic[3] === 4)) return [{ name: '', stream: file.stream(), deflated: false }];
  const tail = await bytesOf(file.slice(Math.max(0, file.size - engine.zipTailBytes())));
  const dir = engine.zipDirectory(tail, file.size);
  const entries = engine.zipEntries(await bytesOf(file.slice(dir.offset, dir.offset + dir.size)));
  const warcs = entries.filter((e) => /^archive\/[^/]+\.warc(\.gz)?$/i.test(e.name));
  if (warcs.length === 0) {
    throw Object.assign(new Error('a ZIP file with no archive/*.warc or archive/*.warc.gz in it: not a WACZ'), { code: 'archive/not-warc' });
  }
  const out = [];
  for (const e of warcs) {
    const start = engine.zipDataOffset(e, await bytesOf(file.slice(e.headerOffset, e.headerOffset + 30)));
    const data = file.slice(start, start + e.compressedSize).stream();
    if (e.method === 0 || e.method === 8) out.push({ name: e.name, stream: data, deflated: e.method === 8 });
    else throw Object.assign(new Error(`${e.name} is compressed with ZIP method ${e.method}, which can't be read`), { code: 'archive/malformed' });
  }
  return out;
}
