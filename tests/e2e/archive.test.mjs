/**
 * Mirrors outlive the extension: WARC export and import end to end, in the real extension's dashboard.
 * - A crawled site (crawled twice, so unchanged versions exist) is exported with "Export WARC"; the download is
 *   checked with Node's own gunzip (one gzip member per record); the site is deleted, the file imported from the
 *   dashboard, the origin stopped: every page replays with all its resources, from the imported copy.
 * - A WARC written by wget (an outside tool) is imported and replays offline.
 * - A damaged file keeps what came before the damage and says what is wrong; a non-WARC file is refused by name.
 * - Every import lists the file's sites first, none ticked; only the ticked ones are imported. A hostile archive of
 *   two sites (a bank's first) changes nothing the user didn't choose: see the last test.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createHash, randomUUID } from 'node:crypto';
import { launchExtension, extensionWorker } from './lib/browser.mjs';
import { startCrawlSite } from './lib/crawlsite.mjs';
import { until } from './lib/wait.mjs';

// A 1×1 PNG, and a second, different one.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
const PNG2 = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

const page = (title, body) => ({
  type: 'text/html; charset=utf-8',
  body: Buffer.from(`<!doctype html><html><head><meta charset="utf-8"><title>${title}</title>` +
    `<link rel="stylesheet" href="/style.css"></head><body><h1>${title}</h1>${body}</body></html>`),
});

/** Three pages, a stylesheet with a background and a font, and two image URLs with identical bytes. */
function routes() {
  return new Map([
    ['/', page('Home', '<a href="/a.html">A</a> <a href="/b.html">B</a> <img src="/img/one.png" alt="">')],
    // Hostile: once imported, its script and handler must not run (the title would change, the origin be called).
    ['/a.html', page('Page A', '<img src="/img/one.png" alt=""> <img src="/img/copy.png" alt=""> <a href="/">home</a>' +
      '<script>document.title = "script ran"; fetch("/leak?script")</script>' +
      '<img src="/img/one.png" onload="document.title = \'handler ran\'; fetch(\'/leak?handler\')" alt="">')],
    ['/b.html', page('Grüße aus B', '<p>Umlaute: äöü — 東京</p> <a href="/">home</a>')],
    ['/style.css', { type: 'text/css', body: Buffer.from('@font-face{font-family:F;src:url(/font.woff2)} body{font-family:F;background:url(/img/bg.png)}') }],
    ['/img/one.png', { type: 'image/png', body: PNG }],
    ['/img/copy.png', { type: 'image/png', body: PNG }],
    ['/img/bg.png', { type: 'image/png', body: PNG2 }],
    ['/font.woff2', { type: 'font/woff2', body: Buffer.from('wOF2 not really a font') }],
  ]);
}
const PAGES = ['/', '/a.html', '/b.html'];

/** wget mirrors the site into a WARC file (`<base>.warc.gz`); asynchronous, since the origin runs in this process. */
async function wgetWarc(origin, dir, base) {
  const args = ['-q', '-r', '-l', '3', '-p', '-e', 'robots=off', '-P', path.join(dir, 'files'), `--warc-file=${base}`, `${origin}/`];
  await promisify(execFile)('wget', args, { timeout: 60_000 }).catch((err) => {
    if (!fs.existsSync(`${base}.warc.gz`)) throw new Error(`wget wrote no WARC: ${err.message}`);
  });
  return `${base}.warc.gz`;
}
const FILES = ['/style.css', '/img/one.png', '/img/copy.png', '/img/bg.png', '/font.woff2'];

async function withExtension(t, ...sites) {
  const ext = await launchExtension();
  const dashboard = await ext.ctx.newPage();
  await dashboard.goto(`chrome-extension://${ext.extensionId}/dashboard/dashboard.html`);
  await dashboard.waitForSelector('body[data-state=ready]');
  const send = (msg) => dashboard.evaluate((m) => chrome.runtime.sendMessage(m), msg);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sitemirror-archive-'));
  t.after(async () => {
    await ext.close();
    for (const site of sites) await site.close().catch(() => {});
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return { ext, dashboard, send, dir };
}

async function settled(send, site) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const s = await send({ type: 'crawl/status', site });
    if (s.job && s.job.state !== 'running' && s.job.state !== 'paused') return s;
    if (Date.now() > deadline) throw new Error(`crawl not finished: ${JSON.stringify(s)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Crawls the site, then presses the row's export button; the download is saved in `dir`. Returns its path. */
async function crawlAndExport({ dashboard, send, dir }, siteId, button, { update = false } = {}) {
  assert.equal((await send({ type: 'crawl/start', url: siteId, options: {} })).ok, true);
  assert.equal((await settled(send, siteId)).job.state, 'done');
  if (update) {
    // "Update now": every URL gets an unchanged version (same body), which the export writes as a revisit.
    assert.equal((await send({ type: 'crawl/update', site: siteId })).ok, true);
    await until(async () => (await send({ type: 'crawl/status', site: siteId })).job?.kind === 'update', 'the update to start');
    assert.equal((await settled(send, siteId)).job.state, 'done');
  }
  return exportFrom({ dashboard, dir }, siteId, button);
}

/** Presses the site's export button in the dashboard; the download is saved in `dir`. Returns its path. */
async function exportFrom({ dashboard, dir }, siteId, button) {
  await dashboard.reload();
  await dashboard.waitForSelector('body[data-state=ready]');
  const row = dashboard.locator(`#sites tbody tr[data-site-id="${siteId}"]`);
  const [download] = await Promise.all([dashboard.waitForEvent('download'), row.getByRole('button', { name: button }).click()]);
  const file = path.join(dir, download.suggestedFilename());
  await download.saveAs(file);
  await row.locator('.row-note').filter({ hasText: /^Exported \d+ captures/ }).waitFor();
  return file;
}

/**
 * Imports `file` with the dashboard: the file is read and its sites listed, none ticked; the ones in `choose`
 * (origins; every one listed by default) are ticked and imported. Returns what the dashboard showed at each step.
 */
async function importFile(dashboard, file, { choose } = {}) {
  await dashboard.setInputFiles('#import-file', file);
  await dashboard.waitForFunction(() => !document.getElementById('import-choose').hidden ||
    document.getElementById('import-error').textContent !== '', undefined, { timeout: 60_000 });
  const listed = await dashboard.$$eval('#import-sites li', (lis) =>
    lis.map((li) => ({ origin: li.dataset.origin, text: li.textContent, ticked: li.querySelector('input').checked })));
  const scanNote = await dashboard.textContent('#import-scan-note');
  if (listed.length > 0) {
    assert.deepEqual(listed.filter((s) => s.ticked), [], 'no site is ticked for the user');
    assert.equal(await dashboard.isDisabled('#import-go'), true, 'nothing to import until a site is ticked');
    for (const origin of choose ?? listed.map((s) => s.origin)) {
      await dashboard.locator(`#import-sites li[data-origin="${origin}"] input`).check();
    }
    await dashboard.click('#import-go');
    await dashboard.waitForFunction(() => /^Imported /.test(document.getElementById('import-done').textContent) ||
      document.getElementById('import-error').textContent !== '', undefined, { timeout: 60_000 });
  }
  return {
    listed,
    scanNote,
    done: await dashboard.textContent('#import-done'),
    error: await dashboard.textContent('#import-error'),
    skipped: await dashboard.$$eval('#import-skipped li', (lis) => lis.map((li) => ({ code: li.dataset.code, text: li.textContent }))),
  };
}

/** Opens every page from the mirror (the origin is down): each has its title and misses nothing. */
async function replaysOffline(ext, send, origin, pages, titles) {
  const prefix = `chrome-extension://${ext.extensionId}/m/`;
  const sw = extensionWorker(ext.ctx);
  for (const p of pages) {
    const mirror = await sw.evaluate(({ u, prefix }) => globalThis.sitemirror.engine.mirrorUrl(u, prefix), { u: origin + p, prefix });
    const tab = await ext.ctx.newPage();
    await tab.goto(mirror, { waitUntil: 'load' });
    assert.equal(await tab.title(), titles[p], `${p} replays`);
    const missing = await send({ type: 'mirror/missing', frame: mirror });
    assert.deepEqual(missing.missing, [], `${p} replays without: ${missing.missing}`);
    await tab.close();
  }
}

/** The records of a .warc.gz as Node reads it: [{type, uri, headers: Map, block: Buffer}]. */
function parseWarc(gz) {
  const data = zlib.gunzipSync(gz); // Node reads concatenated gzip members as one stream
  const out = [];
  let at = 0;
  while (at < data.length) {
    const end = data.indexOf('\r\n\r\n', at);
    const head = data.subarray(at, end).toString('utf8').split('\r\n');
    assert.equal(head[0], 'WARC/1.1');
    const headers = new Map(head.slice(1).map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
    const length = Number(headers.get('content-length'));
    const block = data.subarray(end + 4, end + 4 + length);
    assert.equal(data.subarray(end + 4 + length, end + 8 + length).toString(), '\r\n\r\n', 'each record ends with CRLF CRLF');
    out.push({ type: headers.get('warc-type'), uri: headers.get('warc-target-uri'), headers, block });
    at = end + 8 + length;
  }
  return out;
}

test('Export WARC, delete the site, import the file: every page replays offline from the import', async (t) => {
  const site = await startCrawlSite({ routes: routes() });
  const ctx = await withExtension(t, site);
  const { ext, dashboard, send } = ctx;
  const siteId = `${site.origin}/`;
  const file = await crawlAndExport(ctx, siteId, 'Export WARC', { update: true });
  const host = new URL(siteId).host.replace(':', '_');
  assert.match(path.basename(file), new RegExp(`^${host.replace(/[.]/g, '\\.')}-\\d{14}\\.warc\\.gz$`));

  // The file, read by Node: warcinfo first, then a response per distinct body and revisits for repeats.
  const gz = fs.readFileSync(file);
  assert.deepEqual([...gz.subarray(0, 2)], [0x1f, 0x8b]);
  const records = parseWarc(gz);
  assert.equal(records[0].type, 'warcinfo');
  const responses = records.filter((r) => r.type === 'response');
  const revisits = records.filter((r) => r.type === 'revisit');
  for (const p of [...PAGES, ...FILES, '/robots.txt'].filter((x) => x !== '/robots.txt')) {
    assert.ok(responses.some((r) => r.uri === site.origin + p) || revisits.some((r) => r.uri === site.origin + p), `${p} exported`);
  }
  assert.ok(revisits.length >= PAGES.length + FILES.length - 1, `unchanged versions are revisits (${revisits.length})`);
  // /img/copy.png has the same bytes as /img/one.png: one of them is written as a revisit of the other.
  const pngBodies = responses.filter((r) => r.uri.endsWith('.png')).map((r) => r.uri);
  assert.equal(pngBodies.length, 2, `two distinct PNG bodies written once each: ${pngBodies}`);
  const b = responses.find((r) => r.uri === `${site.origin}/b.html`);
  const http = b.block.toString('utf8');
  assert.match(http, /^HTTP\/1\.1 200 OK\r\n/);
  assert.match(http, /\r\ncontent-type: text\/html; charset=utf-8\r\n/i);
  assert.ok(http.endsWith('東京</p> <a href="/">home</a></body></html>'), 'the body, byte for byte');
  for (const r of [...responses, ...revisits]) assert.match(r.headers.get('warc-payload-digest'), /^sha256:[A-Z2-7]{52}={4}$/);
  assert.equal(new Set(records.map((r) => r.headers.get('warc-record-id'))).size, records.length, 'record ids are unique');

  // Gone from the extension; then back from the file, with the origin down.
  assert.equal((await send({ type: 'site/delete', id: siteId })).ok, true);
  assert.deepEqual((await send({ type: 'sites/list' })).sites, []);
  await site.close();
  const shown = await importFile(dashboard, file);
  assert.equal(shown.error, '');
  assert.match(shown.done, new RegExp(`^Imported ${responses.length + revisits.length} captures \\(\\d+ pages\\) into ${siteId.replace(/[.]/g, '\\.')} from ${records.length} records\\.$`));
  const listed = (await send({ type: 'sites/list' })).sites;
  assert.deepEqual(listed.map((s) => s.id), [siteId]);
  assert.equal(listed[0].pages, PAGES.length);
  await dashboard.locator(`#sites tbody tr[data-site-id="${siteId}"]`).waitFor();
  await replaysOffline(ext, send, site.origin, PAGES, { '/': 'Home', '/a.html': 'Page A', '/b.html': 'Grüße aus B' });
  // Versions came back too: each page has its two captures.
  const sw = extensionWorker(ext.ctx);
  const versions = await sw.evaluate(async (u) => (await (await globalThis.sitemirror.storeReady).versions(u)).length, `${site.origin}/a.html`);
  assert.equal(versions, 2);
});

/** The STORE'd entries of a ZIP, read here independently of the engine: name → {data, crc, method}. */
function readZip(buf) {
  const eocd = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 5, 6]));
  assert.ok(eocd >= 0, 'a ZIP end record');
  const count = buf.readUInt16LE(eocd + 10);
  let at = buf.readUInt32LE(eocd + 16);
  const out = new Map();
  for (let i = 0; i < count; i++) {
    assert.equal(buf.readUInt32LE(at), 0x02014b50, 'central directory entry');
    const method = buf.readUInt16LE(at + 10);
    const crc = buf.readUInt32LE(at + 16);
    const size = buf.readUInt32LE(at + 20);
    const nameLen = buf.readUInt16LE(at + 28);
    const extraLen = buf.readUInt16LE(at + 30);
    const commentLen = buf.readUInt16LE(at + 32);
    const local = buf.readUInt32LE(at + 42);
    const name = buf.subarray(at + 46, at + 46 + nameLen).toString('utf8');
    assert.equal(buf.readUInt32LE(local), 0x04034b50, `${name}: local header`);
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    out.set(name, { method, crc, data: buf.subarray(start, start + size) });
    at += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

test('Export WACZ: a WACZ whose manifest, index and pages check out imports back and replays offline', async (t) => {
  const site = await startCrawlSite({ routes: routes() });
  const ctx = await withExtension(t, site);
  const { ext, dashboard, send } = ctx;
  const siteId = `${site.origin}/`;
  const file = await crawlAndExport(ctx, siteId, 'Export WACZ');
  assert.match(path.basename(file), /-\d{14}\.wacz$/);

  const zip = readZip(fs.readFileSync(file));
  const sha = (b) => createHash('sha256').update(b).digest('hex');
  assert.deepEqual([...zip.keys()].sort(),
    ['archive/data.warc.gz', 'datapackage-digest.json', 'datapackage.json', 'indexes/index.cdx', 'pages/pages.jsonl']);
  for (const [name, e] of zip) {
    assert.equal(e.method, 0, `${name} is STORE'd (readers seek into it)`);
    assert.equal(zlib.crc32(e.data), e.crc, `${name}: CRC-32`);
  }
  const dp = JSON.parse(zip.get('datapackage.json').data.toString());
  assert.equal(dp.profile, 'data-package');
  assert.equal(dp.wacz_version, '1.1.1');
  assert.equal(dp.mainPageUrl, siteId);
  for (const r of dp.resources) {
    assert.equal(r.hash, `sha256:${sha(zip.get(r.path).data)}`, `${r.path}: hash`);
    assert.equal(r.bytes, zip.get(r.path).data.length, `${r.path}: bytes`);
  }
  assert.equal(dp.resources.length, 3);
  const digest = JSON.parse(zip.get('datapackage-digest.json').data.toString());
  assert.deepEqual(digest, { path: 'datapackage.json', hash: `sha256:${sha(zip.get('datapackage.json').data)}` });

  // Every CDXJ line points at the gzip member of its record; lines are sorted (readers binary-search them).
  const warc = zip.get('archive/data.warc.gz').data;
  const lines = zip.get('indexes/index.cdx').data.toString().trim().split('\n');
  assert.deepEqual(lines, [...lines].sort());
  for (const line of lines) {
    const m = /^(\S+) (\d{14}) (\{.*\})$/.exec(line);
    assert.ok(m, line);
    const j = JSON.parse(m[3]);
    const record = zlib.gunzipSync(warc.subarray(Number(j.offset), Number(j.offset) + Number(j.length))).toString('latin1');
    assert.match(record, new RegExp(`\r\nWARC-Target-URI: ${j.url.replace(/[.?*+]/g, '\\$&')}\r\n`), line);
    assert.equal(j.filename, 'data.warc.gz');
  }
  assert.ok(lines.every((l) => l.startsWith('1,0,0,127:')), 'SURT keys (surt reverses IP addresses too)');
  const pages = zip.get('pages/pages.jsonl').data.toString().trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(pages[0].format, 'json-pages-1.0');
  assert.deepEqual(pages.slice(1).map((p) => p.url).sort(), PAGES.map((p) => site.origin + p).sort());
  for (const p of pages.slice(1)) assert.match(p.ts, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);

  assert.equal((await send({ type: 'site/delete', id: siteId })).ok, true);
  await site.close();
  const shown = await importFile(dashboard, file);
  assert.equal(shown.error, '');
  assert.match(shown.done, new RegExp(`^Imported ${lines.length} captures \\(3 pages\\) into ${siteId.replace(/[.]/g, '\\.')}`));
  await replaysOffline(ext, send, site.origin, PAGES, { '/': 'Home', '/a.html': 'Page A', '/b.html': 'Grüße aus B' });
});

test('a WARC written by wget (--warc-file) imports and replays offline', async (t) => {
  const site = await startCrawlSite({ routes: routes() });
  const { ext, dashboard, send, dir } = await withExtension(t, site);
  const warc = await wgetWarc(site.origin, dir, path.join(dir, 'wget-site'));
  await site.close();

  const shown = await importFile(dashboard, warc);
  assert.equal(shown.error, '');
  const siteId = `${site.origin}/`;
  assert.match(shown.done, new RegExp(`^Imported \\d+ captures \\(3 pages\\) into ${siteId.replace(/[.]/g, '\\.')} from \\d+ records`));
  assert.deepEqual((await send({ type: 'sites/list' })).sites.map((s) => s.id), [siteId]);
  await replaysOffline(ext, send, site.origin, PAGES, { '/': 'Home', '/a.html': 'Page A', '/b.html': 'Grüße aus B' });
});

test('a damaged WARC keeps the records before the damage and says where; a file that is no WARC is refused by name', async (t) => {
  const site = await startCrawlSite({ routes: routes() });
  const { ext, dashboard, send, dir } = await withExtension(t, site);
  const whole = fs.readFileSync(await wgetWarc(site.origin, dir, path.join(dir, 'cut')));
  await site.close();
  const cut = path.join(dir, 'cut-short.warc.gz');
  fs.writeFileSync(cut, whole.subarray(0, Math.floor(whole.length * 0.7)));

  const shown = await importFile(dashboard, cut);
  assert.match(shown.scanNote, /^The file is damaged \(archive\/(truncated|bad-gzip)\): .+ What comes before that point can be imported\.$/);
  assert.match(shown.error, /^The file is damaged \(archive\/(truncated|bad-gzip)\): .+ The captures before that point were kept\.$/);
  const imported = Number(/^Imported (\d+) captures/.exec(shown.done)?.[1]);
  assert.ok(imported >= 1, `some captures kept: ${shown.done}`);
  const siteId = `${site.origin}/`;
  assert.deepEqual((await send({ type: 'sites/list' })).sites.map((s) => s.id), [siteId]);
  // What was kept replays.
  const sw = extensionWorker(ext.ctx);
  const home = await sw.evaluate(async (u) => (await (await globalThis.sitemirror.storeReady).lookup(u))?.status ?? null, `${site.origin}/`);
  assert.equal(home, 200);

  const html = path.join(dir, 'page.html');
  fs.writeFileSync(html, '<!doctype html><title>not an archive</title>');
  const refused = await importFile(dashboard, html);
  assert.match(refused.error, /^The file is not a WARC or WACZ file \(archive\/not-warc\): /);
  assert.deepEqual(refused.listed, [], 'no site to choose');
  assert.equal(refused.done, '');
  assert.deepEqual((await send({ type: 'sites/list' })).sites.map((s) => s.id), [siteId], 'nothing registered');
});

test('a page built by JavaScript, captured while browsing, keeps its rendered copy through export and import', async (t) => {
  const app = '<!doctype html><title>App</title><div id=root></div>' +
    '<script>document.getElementById("root").innerHTML = "<h1>Built by script</h1>"</script>';
  const site = await startCrawlSite({ routes: new Map([['/app.html', { type: 'text/html', body: Buffer.from(app) }]]) });
  const ctx = await withExtension(t, site);
  const { ext, dashboard, send } = ctx;
  const siteId = `${site.origin}/`;
  assert.equal((await send({ type: 'site/add', url: `${site.origin}/app.html` })).ok, true);
  const tab = await ext.ctx.newPage();
  await tab.goto(`${site.origin}/app.html`);
  const sw = extensionWorker(ext.ctx);
  const lookup = (u) => sw.evaluate(async ({ u, wait }) => {
    const store = await globalThis.sitemirror.storeReady;
    for (const end = Date.now() + wait; Date.now() < end;) {
      const c = await store.lookup(u, undefined);
      if (c) return { status: c.status, at: c.at };
      await new Promise((r) => setTimeout(r, 50));
    }
    return null;
  }, { u, wait: 10_000 });
  const rendered = await lookup(`${site.origin}/app.html#rendered`);
  assert.ok(rendered, 'browsing stored the rendered copy');
  await tab.close();
  const versionsOf = (u) => sw.evaluate(async (u) => (await (await globalThis.sitemirror.storeReady).versions(u)).map((c) => c.at), u);

  const file = await exportFrom(ctx, siteId, 'Export WARC');
  const records = parseWarc(fs.readFileSync(file));
  const uris = records.filter((r) => r.type === 'response').map((r) => r.uri);
  // The page's own versions as exported (capture may store it again in a later batch: a revisit then).
  const pageVersions = records.filter((r) => r.uri === `${site.origin}/app.html`).map((r) => Date.parse(r.headers.get('warc-date')));
  assert.ok(uris.includes(`${site.origin}/app.html#rendered`), `the rendered copy is its own record: ${uris}`);
  assert.ok(uris.includes(`${site.origin}/app.html`), 'beside the page as served');

  assert.equal((await send({ type: 'site/delete', id: siteId })).ok, true);
  await site.close();
  assert.equal((await importFile(dashboard, file)).error, '');
  const back = await lookup(`${site.origin}/app.html#rendered`);
  assert.deepEqual(back, rendered, 'the rendered copy came back as the companion, not as a version of the page');
  assert.deepEqual((await versionsOf(`${site.origin}/app.html`)).sort(), pageVersions.sort(), 'the page\'s own versions, no more');
  // Replay shows the page as the script built it, and runs no script.
  const prefix = `chrome-extension://${ext.extensionId}/m/`;
  const mirror = await sw.evaluate(({ u, prefix }) => globalThis.sitemirror.engine.mirrorUrl(u, prefix), { u: `${site.origin}/app.html`, prefix });
  const view = await ext.ctx.newPage();
  await view.goto(mirror, { waitUntil: 'load' });
  assert.equal(await view.locator('h1').textContent(), 'Built by script');
  assert.equal(await view.locator('script').count(), 0);
  await view.close();
});

/** A gzipped WARC response record, as another tool would write it. */
function warcResponse(uri, date, html) {
  const block = Buffer.from(`HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n${html}`);
  const head = `WARC/1.1\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:${randomUUID()}>\r\n` +
    `WARC-Date: ${new Date(date).toISOString()}\r\nWARC-Target-URI: ${uri}\r\n` +
    `Content-Type: application/http; msgtype=response\r\nContent-Length: ${block.length}\r\n\r\n`;
  return zlib.gzipSync(Buffer.concat([Buffer.from(head), block, Buffer.from('\r\n\r\n')]));
}

/** The site's record of `url` as the store holds it: sources of its versions, newest first. */
const sourcesOf = (ext, url) => extensionWorker(ext.ctx).evaluate(
  async (u) => (await (await globalThis.sitemirror.storeReady).versions(u)).map((c) => c.source), url);

// Issue 11 items 1-4: an archive is attacker text. This one starts with a bank's pages (a site the user doesn't
// mirror), plants a newer version of the user's crawled home page and a rendered copy beside a crawled page, and
// dates one record in 2099; its file name carries markup.
test('an archive of two sites: the user chooses, nothing else is stored, the user\'s crawl stays what is shown, and an imported site is neither captured nor fallen back to', async (t) => {
  const site = await startCrawlSite({ routes: routes() });
  const bank = await startCrawlSite({ routes: new Map([
    ['/', page('Bank', '<a href="/login.html">Log in</a>')],
    ['/login.html', page('Bank login', '<form><input name=pin></form>')],
  ]) });
  const ctx = await withExtension(t, site, bank);
  const { ext, dashboard, send, dir } = ctx;
  const siteId = `${site.origin}/`;
  const bankId = `${bank.origin}/`;
  assert.equal((await send({ type: 'crawl/start', url: siteId, options: {} })).ok, true);
  assert.equal((await settled(send, siteId)).job.state, 'done');

  // Dated after the crawl, on a whole second (mirror URLs pin versions to the second), and before the import.
  const crawled = await extensionWorker(ext.ctx).evaluate(
    async (u) => (await (await globalThis.sitemirror.storeReady).lookup(u)).at, siteId);
  const planted = (Math.floor(crawled / 1000) + 2) * 1000;
  while (Date.now() <= planted) await new Promise((r) => setTimeout(r, 100));
  const name = 'planted<img src=x onerror=alert(1)>.warc.gz';
  const file = path.join(dir, name);
  fs.writeFileSync(file, Buffer.concat([
    warcResponse(`${bank.origin}/`, planted, '<title>Planted bank</title><h1>Planted bank</h1>'),
    warcResponse(`${bank.origin}/login.html`, planted, '<title>Planted login</title><h1>Call 555-0100</h1>'),
    warcResponse(`${site.origin}/`, planted, '<title>Planted home</title><h1>Planted home</h1>'),
    warcResponse(`${site.origin}/b.html#rendered`, planted, '<title>Planted copy</title><h1>Planted copy</h1>'),
    warcResponse(`${site.origin}/future.html`, Date.UTC(2099, 0, 1), '<title>From 2099</title>'),
  ]));

  // Item 1: the sites of the file are listed (as text), none ticked; the user ticks their own site only.
  const first = await importFile(dashboard, file, { choose: [site.origin] });
  assert.deepEqual(first.listed.map((s) => s.origin), [bank.origin, site.origin], 'in the order the file names them');
  assert.match(first.listed[0].text, /— 2 pages, 2 records · new: kept for offline viewing only$/);
  assert.match(first.listed[1].text, /— 2 pages, 3 records · you mirror this site/);
  assert.ok((await dashboard.textContent('#import-choose-intro')).startsWith(`${name} holds 2 sites (5 records).`));
  assert.equal(await dashboard.locator('#import-choose img').count(), 0, 'the file name is text, not markup');
  assert.equal(first.error, '');
  assert.equal(first.done, `Imported 2 captures (1 pages) into ${siteId} from 5 records; 3 records were left out ` +
    '(2 archive/site-not-chosen, 1 archive/future-date).');
  assert.deepEqual(first.skipped.map((s) => s.code), ['archive/site-not-chosen', 'archive/site-not-chosen', 'archive/future-date']);
  assert.ok(first.skipped[0].text.includes(`${bank.origin}/`), first.skipped[0].text);
  assert.ok(planted > crawled && planted < Date.now());
  // Item 2: the record dated 2099 was refused, and says so.
  assert.match(first.skipped[2].text, /dated 2099-01-01T00:00:00\.000Z, after the import/);
  assert.deepEqual(await sourcesOf(ext, `${site.origin}/future.html`), []);
  // Nothing of the bank was stored or registered; the user's site keeps its flags.
  const listed = (await send({ type: 'sites/list' })).sites;
  assert.deepEqual(listed.map((s) => [s.id, s.importedOnly]), [[siteId, false]]);
  assert.deepEqual(await sourcesOf(ext, `${bank.origin}/`), []);

  // Item 4: the planted home page is kept as a version named after the file, but the crawl is what replay shows;
  // the rendered copy planted beside the crawled /b.html is never served in its place.
  const home = await sourcesOf(ext, siteId);
  assert.deepEqual(home.filter((s) => !s.startsWith('crawl-')), [`import:${name}`]);
  await replaysOffline(ext, send, site.origin, ['/', '/b.html'], { '/': 'Home', '/b.html': 'Grüße aus B' });
  const viewer = await ext.ctx.newPage();
  await viewer.goto(`chrome-extension://${ext.extensionId}/view.html?url=${encodeURIComponent(siteId)}`);
  await viewer.waitForSelector('#captured[data-at]');
  assert.equal(await viewer.textContent('#source'), 'crawl', 'the banner says what made the version shown');
  await viewer.frameLocator('#mirror').locator('h1', { hasText: /^Home$/ }).waitFor();
  const options = await viewer.$$eval('#versions option', (os) => os.map((o) => ({ value: o.value, text: o.textContent })));
  const imported = options.filter((o) => o.text.endsWith(` — imported from ${name}`));
  assert.equal(imported.length, 1, JSON.stringify(options));
  assert.ok(options.some((o) => o.text.endsWith(' — crawl')));
  // Chosen by its time, the imported version is shown, and the banner says where it came from.
  await viewer.selectOption('#versions', imported[0].value);
  await viewer.waitForURL(/&at=/);
  await viewer.frameLocator('#mirror').locator('h1', { hasText: /^Planted home$/ }).waitFor();
  assert.equal(await viewer.textContent('#source'), `imported from ${name}`);
  assert.equal(await viewer.locator('#banner img').count(), 0, 'the file name is text in the viewer too');
  await viewer.close();

  // Item 3: the same file again, the bank ticked this time: it becomes a site kept for offline viewing only.
  const second = await importFile(dashboard, file, { choose: [bank.origin] });
  assert.equal(second.done, `Imported 2 captures (2 pages) into ${bankId} from 5 records; 3 records were left out ` +
    '(3 archive/site-not-chosen).');
  const both = (await send({ type: 'sites/list' })).sites;
  assert.deepEqual(both.map((s) => [s.id, s.importedOnly]).sort(), [[bankId, true], [siteId, false]].sort());
  const bankRow = dashboard.locator(`#sites tbody tr[data-site-id="${bankId}"]`);
  await dashboard.locator(`#sites tbody tr[data-site-id="${bankId}"][data-imported-only=true]`).waitFor();
  assert.equal(await bankRow.getByRole('button', { name: 'Turn on offline fallback and capture as I browse' }).isVisible(), true);
  assert.equal(await dashboard.locator(`#sites tbody tr[data-site-id="${siteId}"] button.enable`).isVisible(), false);

  // Browsing the bank live stores nothing; browsing the user's site (positive control) stores a visit. The bank's
  // page loads first, so its capture would have been stored before the control's.
  const bankCaptures = async () => extensionWorker(ext.ctx).evaluate(
    async (s) => (await (await globalThis.sitemirror.storeReady).captures(s)).length, bankId);
  const before = await bankCaptures();
  const tab = await ext.ctx.newPage();
  await tab.goto(`${bank.origin}/login.html`);
  await tab.goto(`${site.origin}/a.html`);
  const visited = await extensionWorker(ext.ctx).evaluate(async (u) => {
    const store = await globalThis.sitemirror.storeReady;
    for (const end = Date.now() + 10_000; Date.now() < end;) {
      if ((await store.versions(u)).some((c) => c.source === 'visit')) return true;
      await new Promise((r) => setTimeout(r, 50));
    }
    return false;
  }, `${site.origin}/a.html`);
  assert.equal(visited, true, 'the user\'s own site is captured as it is browsed');
  assert.equal(await bankCaptures(), before, 'the imported bank is not');
  assert.deepEqual(await sourcesOf(ext, `${bank.origin}/login.html`), [`import:${name}`]);
  await tab.close();

  // Both origins down: the bank stays on the browser's error page; the user's site (positive control, opened after
  // it) lands on the viewer; once the user turns the bank on, it does too.
  await site.close();
  await bank.close();
  const down = await ext.ctx.newPage();
  await down.goto(`${bank.origin}/`).catch(() => {});
  const control = await ext.ctx.newPage();
  await control.goto(`${site.origin}/`).catch(() => {});
  await control.waitForURL(/\/view\.html\?url=/, { timeout: 10_000 });
  await control.waitForSelector('#captured[data-at]');
  assert.ok(!down.url().includes('/view.html'), `no fallback to an imported-only site: ${down.url()}`);
  assert.match(await down.evaluate(() => document.documentElement.textContent), /refused|ERR_CONNECTION_REFUSED/i);
  await bankRow.getByRole('button', { name: 'Turn on offline fallback and capture as I browse' }).click();
  await dashboard.locator(`#sites tbody tr[data-site-id="${bankId}"][data-imported-only=false]`).waitFor();
  await down.goto(`${bank.origin}/login.html`).catch(() => {});
  await down.waitForURL(/\/view\.html\?url=/, { timeout: 10_000 });
  await down.frameLocator('#mirror').locator('h1', { hasText: /^Call 555-0100$/ }).waitFor();
  assert.equal(await down.textContent('#source'), `imported from ${name}`);

  // Mirroring an imported site (site/add, as "Mirror this site" and "Start mirror" do) is turning it on too.
  const third = 'http://127.0.0.1:9';
  const one = path.join(dir, 'one.warc.gz');
  fs.writeFileSync(one, warcResponse(`${third}/`, planted, '<title>Third</title>'));
  assert.equal((await importFile(dashboard, one)).error, '');
  const thirdSite = (await send({ type: 'sites/list' })).sites.find((s) => s.id === `${third}/`);
  assert.equal(thirdSite?.importedOnly, true);
  assert.deepEqual((await send({ type: 'site/add', url: `${third}/` })).site.settings, {});
  assert.equal((await send({ type: 'sites/list' })).sites.find((s) => s.id === `${third}/`).importedOnly, false);
});
