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
 * browsertrix) through the engine's `WarcReader`, which streams: the file is never held in memory at once. An archive
 * is attacker text that may hold records of any site, so import is two passes: `scanArchive` lists the sites in the
 * file, the user chooses, and `importArchive` stores only theirs, into sites kept for offline viewing only.
 *
 * Both run in the dashboard page, not the service worker: the user's File and the download (a Blob URL) are page
 * things. The store is the same IndexedDB database the worker uses. Nothing in an archive is ever run: records
 * become captures (bytes and a few headers), replayed later under the viewer's sandbox like any capture.
 */
import { isHtml } from './capture.js';
import { RENDERED } from './replay.js';
import { IMPORTED_ONLY, isImportedOnly } from './sites.js';
import { ErrorCode } from './lib/shared.js';

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
    if (body == null) {
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
 * export), `indexes/index.cdx` (CDXJ, sorted), `pages/pages.jsonl` (the site's pages, latest version each, with
 * its fidelity score where a rendering crawl scored it),
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
  const site = await store.site(siteId);
  const home = pages.find((p) => p.url === site?.startUrl) ?? pages[0];
  const jsonl = [
    JSON.stringify({ format: 'json-pages-1.0', id: 'pages', title: 'All Pages' }),
    // A page a rendering crawl scored carries its score (WACZ allows fields of one's own in a page entry).
    ...pages.map((p, i) => JSON.stringify({ id: `p${i + 1}`, url: p.url, ts: iso(p.at), ...(p.fidelity ? { fidelity: p.fidelity } : {}) })),
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

/** Of the records left out of an import, this many are listed (all are counted, by reason). */
const SKIPPED_LISTED = 1000;

/** The canonical key of an archive record's URL (a rendered copy keeps its `#rendered`), or null if not http(s). */
function keyOf(engine, raw) {
  let key;
  try {
    // A page's rendered DOM (a visit's companion capture) is exported under `<url>#rendered` and comes back as
    // that companion, not as the page: canonical keys otherwise drop the fragment.
    key = engine.canonicalKey(raw) + (raw.endsWith(RENDERED) ? RENDERED : '');
  } catch {
    return null;
  }
  return /^https?:/.test(key) ? key : null;
}

/** A record that is a page of its site: a good HTML response (or a revisit of one), not a rendered copy. */
const isPage = (r) => !r.problem && r.status >= 200 && r.status < 300 && isHtml(r) && !r.url.endsWith(RENDERED);

/**
 * Streams every record of `file` (a WARC, or each WARC of a WACZ) to `handle`, in order.
 * @returns {Promise<{records: number, error: {code: string, message: string} | null}>} `records`: every record read
 *   (warcinfo and request ones too); `error`: the file is not a WARC, or breaks off, is corrupt or too compressed
 *   after the records handled. Other errors (the store's) reject.
 */
async function readArchive(engine, file, handle, onProgress) {
  let records = 0;
  let read = 0;
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
          for (const r of reader.push(value)) await handle(r);
          onProgress?.({ read: Math.min(read, file.size), total: file.size });
        }
        for (const r of reader.finish()) await handle(r);
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
    return { records, error: { code: err.code, message: err.message } };
  }
  return { records, error: null };
}

/**
 * The first pass of an import: which sites (origins) `file` holds, with their records and pages, nothing stored.
 * The user chooses among them; an archive is attacker text, and may hold records of any site.
 * @param {any} engine
 * @param {any} store
 * @param {Blob & {name?: string}} file   a File, or a Blob (named `archive`)
 * @param {{onProgress?: (p: {read: number, total: number}) => void}} [opts]
 * @returns {Promise<{sites: ArchiveSite[], records: number, error: {code: string, message: string} | null}>}
 *   sites in the order the file first names them; `error` as for `importArchive`.
 * @typedef {{id: string, origin: string, records: number, pages: number, startUrl: string, mirrored: boolean,
 *   importedOnly: boolean}} ArchiveSite  `records` of that origin (any type that can become a capture), `pages`: its
 *   distinct page URLs; `mirrored`: the user has that site already (`importedOnly`: one an earlier import created)
 */
export async function scanArchive(engine, store, file, { onProgress } = {}) {
  /** origin → {origin, records, pages: Set, startUrl, firstUrl} */
  const found = new Map();
  const { records, error } = await readArchive(engine, file, (r) => {
    const key = keyOf(engine, r.url);
    if (key === null) return;
    const origin = new URL(key).origin;
    let site = found.get(origin);
    if (!site) found.set(origin, (site = { origin, records: 0, pages: new Set(), startUrl: null, firstUrl: key.split('#')[0] }));
    site.records += 1;
    if (isPage(r)) {
      site.pages.add(key);
      site.startUrl ??= key;
    }
  }, onProgress);
  const known = new Map((await store.sites()).map((s) => [s.id, s]));
  const sites = [...found.values()].map((s) => {
    const id = `${s.origin}/`;
    const mine = known.get(id);
    return {
      id, origin: s.origin, records: s.records, pages: s.pages.size, startUrl: s.startUrl ?? s.firstUrl,
      mirrored: !!mine, importedOnly: !!mine && isImportedOnly(mine),
    };
  });
  return { sites, records, error };
}

/**
 * Imports the records of the chosen sites of a WARC or WACZ file (the second pass, after `scanArchive`). Every
 * record of a site not chosen is left out (`archive/site-not-chosen`). A chosen origin with pages is a site of its
 * own; one without (a CDN's images and fonts) is kept with the chosen site that has the most pages, as a crawl keeps
 * a site's resources from other hosts.
 *
 * A site the import creates is kept for offline viewing only (`IMPORTED_ONLY`: no capture as you browse, no
 * automatic fallback) until the user turns it on; a site the user mirrors already keeps its flags. Existing captures
 * stay: imported ones are versions whose source names the file (`import:<file name>`), and the store never serves
 * them before the user's own by default. A record dated after the import is refused (`archive/future-date`): its
 * time can't be true, and the store orders versions by time.
 * @param {any} engine
 * @param {any} store
 * @param {Blob & {name?: string}} file   a File, or a Blob (named `archive`)
 * @param {{sites: ArchiveSite[], now?: number, onProgress?: (p: {read: number, total: number, captures: number}) =>
 *   void}} opts  `sites`: the chosen ones, as `scanArchive` listed them
 * @returns {Promise<{sites: string[], created: string[], captures: number, pages: number, records: number,
 *   skipped: {url: string, reason: string}[], skippedCount: number, skippedBy: Record<string, number>,
 *   error: {code: string, message: string} | null}>}
 *   `sites`: ids captures went into; `created`: those registered by this import; `skipped`: the first
 *   SKIPPED_LISTED records left out, each with its reason (stable code first), `skippedCount` all of them and
 *   `skippedBy` their number per code; `error` as for `scanArchive`. Store errors (quota) reject.
 */
export async function importArchive(engine, store, file, { sites: chosen, now = Date.now(), onProgress }) {
  const source = `import:${String(file.name || 'archive').slice(0, 200)}`;
  const byOrigin = new Map(chosen.map((s) => [s.origin, s]));
  const home = [...chosen].sort((a, b) => b.pages - a.pages).find((s) => s.pages > 0);
  const existing = new Set((await store.sites()).map((s) => s.id));
  const into = new Set();
  const created = [];
  const skipped = [];
  let skippedCount = 0;
  /** @type {Record<string, number>} */
  const skippedBy = {};
  let captures = 0;
  let pages = 0;
  let batch = [];
  let batchBytes = 0;

  const skip = (url, reason) => {
    skippedCount += 1;
    const code = reason.split(':')[0];
    skippedBy[code] = (skippedBy[code] ?? 0) + 1;
    if (skipped.length < SKIPPED_LISTED) skipped.push({ url: String(url).slice(0, 2000), reason });
  };

  const flush = async () => {
    if (batch.length === 0) return;
    const todo = batch;
    batch = [];
    batchBytes = 0;
    await store.putCaptures(todo);
    captures += todo.length;
  };

  /** The site a chosen origin's records go into, registered (imported-only) when new. */
  const siteFor = async (entry) => {
    const site = entry.pages > 0 || !home ? entry : home;
    if (!into.has(site.id)) {
      if (!existing.has(site.id)) {
        await store.putSite({ id: site.id, startUrl: site.startUrl, created: now, updated: now, settings: { ...IMPORTED_ONLY } });
        created.push(site.id);
      }
      into.add(site.id);
    }
    return site.id;
  };

  /** One record → a capture (or a reason it isn't one). */
  const take = async (r) => {
    const url = keyOf(engine, r.url);
    if (url === null) {
      skip(r.url, `${ErrorCode.ARCHIVE_NOT_MIRRORABLE}: not an http(s) URL`);
      return;
    }
    const entry = byOrigin.get(new URL(url).origin);
    if (!entry) {
      skip(url, `${ErrorCode.ARCHIVE_SITE_NOT_CHOSEN}: ${new URL(url).origin} was not chosen for import`);
      return;
    }
    if (r.problem) {
      skip(url, `${ErrorCode.ARCHIVE_RECORD}: ${r.problem}`);
      return;
    }
    if (r.status < 200 || r.status > 599 || r.status === 304) {
      skip(url, `${ErrorCode.ARCHIVE_STATUS}: HTTP ${r.status} is not a capture`);
      return;
    }
    if (r.at > now) {
      skip(url, `${ErrorCode.ARCHIVE_FUTURE_DATE}: dated ${new Date(r.at).toISOString()}, after the import (${new Date(now).toISOString()})`);
      return;
    }
    const headers = engine.keptHeaders(r.headers);
    const base = { site: await siteFor(entry), url, at: r.at || now, status: r.status, headers, source };
    if (r.type === 'revisit') {
      await flush();
      if (!r.digest) {
        skip(url, `${ErrorCode.ARCHIVE_REVISIT}: the record names no SHA-256 payload digest`);
        return;
      }
      try {
        await store.putCaptures([{ ...base, unchanged: r.digest }]);
        captures += 1;
      } catch (err) {
        // The body it repeats is in no record read so far, nor in the store.
        skip(url, `${ErrorCode.ARCHIVE_REVISIT}: the repeated body is not in the archive (${err?.code || err})`);
      }
      return;
    }
    if (isPage(r)) pages += 1;
    batch.push({ ...base, body: r.body });
    batchBytes += r.body.byteLength;
    if (batch.length >= BATCH || batchBytes >= BATCH_BYTES) await flush();
  };

  const progress = onProgress && ((p) => onProgress({ ...p, captures: captures + batch.length }));
  const { records, error } = await readArchive(engine, file, take, progress);
  await flush();
  return { sites: [...into], created, captures, pages, records, skipped, skippedCount, skippedBy, error };
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
    throw Object.assign(new Error('a ZIP file with no archive/*.warc or archive/*.warc.gz in it: not a WACZ'), { code: ErrorCode.ARCHIVE_NOT_WARC });
  }
  const out = [];
  for (const e of warcs) {
    const start = engine.zipDataOffset(e, await bytesOf(file.slice(e.headerOffset, e.headerOffset + 30)));
    const data = file.slice(start, start + e.compressedSize).stream();
    if (e.method === 0 || e.method === 8) out.push({ name: e.name, stream: data, deflated: e.method === 8 });
    else throw Object.assign(new Error(`${e.name} is compressed with ZIP method ${e.method}, which can't be read`), { code: ErrorCode.ARCHIVE_MALFORMED });
  }
  return out;
}
