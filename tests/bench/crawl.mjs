// Crawl benchmark (issue 5): mirror a generated site of N pages (default 2,000 pages + 2,200 assets, ~33 MB; see
// lib/site.mjs) from a loopback origin with the built extension ("Mirror this site": crawl/start, then crawl/status
// until done), with Debian's `wget -m -p -k` (sequential) and with `wget2 -m -p -k --max-threads=5`, in the same
// run, in two settings: the origin waits 20 ms before each response (a realistic origin), and no added latency
// (per-request overhead). Connections are counted at the server. The extension's peak memory (its service worker's
// JS heap via CDP Runtime.getHeapUsage, and the extension process's RSS) is sampled every 250 ms, and the crawl is
// repeated on a site 4× larger to show it stays bounded. A reference row, "floor", fetches the same URLs (known in
// advance) with 12 concurrent fetch() loops in the extension service worker (Chromium still opens ≤ 6 connections)
// and stores nothing: what Chromium itself costs a crawler that runs in an extension.
//
//   node tests/bench/crawl.mjs [--pages 2000] [--only ours|wget|wget2] [--latency 20|0] [--rounds 3]
//                              [--wget-rounds 1] [--big 8000 (0: skip)] [--extension dist/extension]
//
// Implementations alternate round by round (the machine is noisy); medians are printed. wget at 20 ms takes
// ~90 s a run, so it runs --wget-rounds times (default 1) in that setting and every round without latency.
// wget and wget2 write into a temporary directory that is checked (every page and asset on disk) and deleted.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EXTENSION_DIR } from '../e2e/lib/browser.mjs';
import { startBenchSite } from './lib/site.mjs';

const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(name);
  return i >= 0 && i + 1 < argv.length ? argv[i + 1] : dflt;
};
const PAGES = Number(opt('--pages', 2000));
const ONLY = opt('--only', null);
const LATENCIES = opt('--latency', null) === null ? [20, 0] : [Number(opt('--latency'))];
const ROUNDS = Number(opt('--rounds', 3));
const WGET_ROUNDS = Number(opt('--wget-rounds', 1));
const BIG = Number(opt('--big', 4 * PAGES));
const EXTENSION = opt('--extension', EXTENSION_DIR); // e.g. a snapshot of dist/extension that no build replaces mid-run
if (ONLY && !['ours', 'wget', 'wget2', 'floor'].includes(ONLY)) throw new Error('--only must be ours, wget, wget2 or floor');
const IMPLS = ONLY ? [ONLY] : ['ours', 'wget2', 'wget', 'floor'];

// Issue 5's targets.
const TARGET = { latencyOursOverWget2: 1, latencyWgetOverOurs: 4, maxConnections: 6, noLatencyOursOverWget2: 1.5 };

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const log = (...a) => console.error('  ·', ...a); // progress on stderr; results on stdout

/** Set when crawl/start is refused (the crawler isn't built yet): the extension is skipped from then on. */
let oursUnavailable = null;

// ---------------------------------------------------------------------------------------------------------------
// wget / wget2

/**
 * @param {'wget' | 'wget2'} tool
 * @param {Awaited<ReturnType<typeof startBenchSite>>} origin
 */
async function runWget(tool, origin) {
  const dir = mkdtempSync(path.join(tmpdir(), `sitemirror-crawl-${tool}-`));
  try {
    const args = ['-m', '-p', '-k', '-q', '-nH', '-P', dir];
    if (tool === 'wget2') args.push('--max-threads=5');
    args.push(`${origin.origin}/`);
    origin.dropIdle();
    origin.reset();
    const t = performance.now();
    const code = await new Promise((resolve, reject) => {
      const p = spawn(`/usr/bin/${tool}`, args, { stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      p.stderr.on('data', (d) => (err += d));
      p.on('error', reject);
      p.on('exit', (c) => (c === 0 ? resolve(c) : reject(new Error(`${tool} exited with ${c}: ${err.slice(0, 500)}`))));
    });
    const ms = performance.now() - t;
    const stats = origin.stats();
    // Fairness check: every page and asset of the site is on disk.
    const missing = origin.site.paths().filter((p) => !existsSync(path.join(dir, p === '/' ? 'index.html' : p)));
    if (missing.length) throw new Error(`${tool} missed ${missing.length} files, e.g. ${missing.slice(0, 3).join(', ')}`);
    void code;
    return { ms, stats, stored: origin.site.paths().length };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The extension
//
// Chromium is launched here without Playwright: Playwright enables network instrumentation in every page and
// worker (CDP events for each request, sent to Node), which measured +50% on 4,200 fetches from the extension's
// worker (13.3 s vs 8.7 s, same machine, back to back). A crawler's speed must not include the harness's, so the
// browser gets Debian's Chromium with the same flags as tests/e2e/lib/browser.mjs and a bare CDP connection over
// --remote-debugging-pipe, used only to send messages, read the heap and find the extension's process.

/** A headless Chromium with the extension loaded, driven over a CDP pipe. */
async function launchBare(extensionDir) {
  const profile = mkdtempSync(path.join(tmpdir(), 'sitemirror-crawl-profile-'));
  const proc = spawn('/usr/bin/chromium', [
    '--headless', `--user-data-dir=${profile}`, `--disable-extensions-except=${extensionDir}`,
    `--load-extension=${extensionDir}`, '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync', '--remote-debugging-pipe',
    'about:blank',
  ], { stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'] });
  const toBrowser = /** @type {import('node:stream').Writable} */ (proc.stdio[3]);
  const fromBrowser = /** @type {import('node:stream').Readable} */ (proc.stdio[4]);
  let nextId = 0;
  const pending = new Map();
  /** @type {((m: any) => void)[]} */
  const listeners = [];
  let buf = '';
  fromBrowser.setEncoding('utf8');
  fromBrowser.on('data', (d) => {
    buf += d;
    for (let i; (i = buf.indexOf('\0')) >= 0; ) {
      const m = JSON.parse(buf.slice(0, i));
      buf = buf.slice(i + 1);
      const p = m.id !== undefined && pending.get(m.id);
      if (p) pending.delete(m.id), m.error ? p.reject(new Error(`${p.method}: ${m.error.message}`)) : p.resolve(m.result);
      else for (const l of listeners) l(m);
    }
  });
  const exited = new Promise((resolve) => proc.on('exit', resolve));
  /** @returns {Promise<any>} */
  const cdp = (method, params = {}, sessionId = undefined) =>
    new Promise((resolve, reject) => {
      const id = ++nextId;
      pending.set(id, { resolve, reject, method });
      toBrowser.write(JSON.stringify({ id, method, params, sessionId }) + '\0');
    });
  const close = async () => {
    await Promise.race([cdp('Browser.close').catch(() => {}), sleep(3000)]);
    await Promise.race([exited, sleep(5000)]);
    if (proc.exitCode === null) proc.kill('SIGKILL');
    await Promise.race([exited, sleep(2000)]);
    rmSync(profile, { recursive: true, force: true });
  };
  try {
    const workerTarget = async () => {
      const { targetInfos } = await cdp('Target.getTargets');
      return targetInfos.find((t) => t.type === 'service_worker' && t.url.startsWith('chrome-extension://'));
    };
    let sw;
    for (const deadline = Date.now() + 20_000; !(sw = await workerTarget()); await sleep(50)) {
      if (Date.now() > deadline) throw new Error('the extension service worker did not start');
    }
    const extensionId = new URL(sw.url).host;
    /** Evaluates `expression` (awaited) in a session, returning its value. */
    const evaluate = async (sessionId, expression) => {
      const r = await cdp('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true }, sessionId);
      if (r.exceptionDetails) throw new Error(r.exceptionDetails.exception?.description ?? r.exceptionDetails.text);
      return r.result.value;
    };
    /** A session on the extension's worker (re-attached when it restarted). */
    let swSession = null;
    listeners.push((m) => {
      if (m.method === 'Target.detachedFromTarget' && m.params.sessionId === swSession) swSession = null;
    });
    const worker = async () => {
      if (swSession) return swSession;
      const t = await workerTarget();
      if (!t) return null;
      swSession = (await cdp('Target.attachToTarget', { targetId: t.targetId, flatten: true })).sessionId;
      return swSession;
    };
    // An extension page to send runtime messages from, as the popup and the dashboard do.
    const { targetId } = await cdp('Target.createTarget', { url: `chrome-extension://${extensionId}/dashboard/dashboard.html` });
    const { sessionId: pageSession } = await cdp('Target.attachToTarget', { targetId, flatten: true });
    for (const deadline = Date.now() + 10_000; ; await sleep(50)) {
      const ready = await evaluate(pageSession, 'document.readyState === "complete" && !!globalThis.chrome?.runtime?.sendMessage').catch(() => false);
      if (ready) break;
      if (Date.now() > deadline) throw new Error('the dashboard did not load');
    }
    return {
      cdp,
      extensionId,
      worker,
      evaluateInWorker: async (expression) => evaluate(await worker(), expression),
      /** chrome.runtime.sendMessage from the dashboard page. */
      send: (msg) => evaluate(pageSession, `chrome.runtime.sendMessage(${JSON.stringify(msg)})`),
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

/**
 * Samples, every 250 ms, the extension service worker's JS heap (CDP Runtime.getHeapUsage on the worker target)
 * and the RSS of the extension's renderer process (it runs the worker and the dashboard page used to send
 * messages); keeps the peaks.
 * @param {Awaited<ReturnType<typeof launchBare>>} browser
 */
function memorySampler(browser) {
  // The extension's renderer: among THIS browser's processes, the one started with --extension-process.
  const extensionPid = async () => {
    const { processInfo } = await browser.cdp('SystemInfo.getProcessInfo');
    for (const p of processInfo.filter((x) => x.type === 'renderer')) {
      try {
        if (readFileSync(`/proc/${p.id}/cmdline`, 'utf8').includes('--extension-process')) return p.id;
      } catch {}
    }
    return null;
  };
  const rssMb = (pid) => {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      return m ? Number(m[1]) / 1024 : null;
    } catch {
      return null;
    }
  };
  let timer = null;
  const peak = { heapMb: 0, heapTotalMb: 0, rssMb: 0, samples: 0, failed: 0 };
  let pid = null;
  async function sample() {
    try {
      const session = await browser.worker();
      if (!session) return void peak.failed++;
      const h = await Promise.race([
        browser.cdp('Runtime.getHeapUsage', {}, session),
        sleep(2000).then(() => Promise.reject(new Error('heap sample timed out'))),
      ]);
      peak.heapMb = Math.max(peak.heapMb, h.usedSize / 2 ** 20);
      // JS heap + Blink's heap + array buffer backing stores (wasm memory, bodies held as ArrayBuffers).
      const total = (h.usedSize + (h.embedderHeapUsedSize ?? 0) + (h.backingStorageSize ?? 0)) / 2 ** 20;
      peak.heapTotalMb = Math.max(peak.heapTotalMb, total);
      pid ??= await extensionPid();
      const rss = pid && rssMb(pid);
      if (rss) peak.rssMb = Math.max(peak.rssMb, rss);
      peak.samples++;
    } catch {
      peak.failed++;
    }
  }
  return {
    start() {
      const tick = async () => {
        await sample();
        if (timer) timer = setTimeout(tick, 250);
      };
      timer = setTimeout(tick, 0);
    },
    async stop() {
      clearTimeout(timer);
      timer = null;
      await sample();
      return peak;
    },
  };
}

/**
 * The floor for any crawler in the extension: the site's URLs, known in advance, fetched by 12 concurrent fetch()
 * loops in the extension's service worker (same fetch options as the crawler: no-store, credentials, manual
 * redirects), bodies read, nothing parsed or stored. Chromium's socket pool still opens at most 6 connections to
 * the host (counted at the server); the 6 queued requests start the moment a socket frees, without a round trip
 * through the worker: measured 17.1 s vs 20.7 s with 6 loops at 20 ms, 2,000 pages.
 * @param {Awaited<ReturnType<typeof startBenchSite>>} origin
 */
async function runFloor(origin) {
  const browser = await launchBare(EXTENSION);
  try {
    const urls = ['/robots.txt', ...origin.site.paths()].map((p) => origin.origin + p);
    await sleep(500);
    origin.dropIdle();
    origin.reset();
    const ms = await browser.evaluateInWorker(`(async () => {
      const urls = ${JSON.stringify(urls)};
      const t = performance.now();
      let next = 0;
      const lane = async () => {
        while (next < urls.length) {
          const res = await fetch(urls[next++], { credentials: 'include', cache: 'no-store', redirect: 'manual' });
          await res.arrayBuffer();
        }
      };
      await Promise.all(Array.from({ length: 12 }, lane));
      return performance.now() - t;
    })()`);
    return { ms, stats: origin.stats() };
  } finally {
    await browser.close();
  }
}

/** @param {Awaited<ReturnType<typeof startBenchSite>>} origin */
async function runOurs(origin) {
  const browser = await launchBare(EXTENSION);
  try {
    const { send } = browser;
    const sampler = memorySampler(browser);
    await sleep(500); // let the worker and the dashboard settle before the timed region
    origin.dropIdle();
    origin.reset();
    sampler.start();
    const pages = origin.site.shape.pages;
    const options = { maxPages: Math.max(10_000, 2 * pages), maxDepth: 1000 };
    const t0 = Date.now();
    const started = await send({ type: 'crawl/start', url: `${origin.origin}/`, options });
    if (!started?.ok) {
      await sampler.stop();
      const e = started?.error ?? {};
      oursUnavailable = `${e.code ?? 'no answer'}${e.message ? `: ${e.message}` : ''}`;
      return null;
    }
    const site = started.job.site;
    let status;
    let lastLog = 0;
    for (;;) {
      status = await send({ type: 'crawl/status', site });
      if (!status?.ok) throw new Error(`crawl/status failed: ${JSON.stringify(status)}`);
      const state = status.job?.state;
      if (state && state !== 'running') break;
      if (Date.now() - lastLog > 10_000) {
        lastLog = Date.now();
        log(`ours: ${JSON.stringify(status.counts)} after ${((Date.now() - t0) / 1000).toFixed(0)} s`);
      }
      if (Date.now() - t0 > 15 * 60_000) throw new Error('crawl did not finish within 15 minutes');
      await sleep(250);
    }
    const tSeen = Date.now();
    const peak = await sampler.stop();
    const stats = origin.stats();
    const job = status.job;
    // The worker's own finish time is exact; the poll only sees it up to 250 ms (+ a round trip) later.
    const ms = (job.finished ?? tSeen) - t0;
    if (job.state !== 'done') {
      const report = await send({ type: 'crawl/report', site });
      throw new Error(`crawl ended ${job.state} (${job.error ?? ''}); report: ${JSON.stringify(report).slice(0, 800)}`);
    }
    const list = await send({ type: 'sites/list' });
    const summary = list?.sites?.find((s) => s.id === site);
    // Fairness check: every page and asset reached the origin (served with 200), as for wget.
    const missing = origin.site.paths().length - Math.min(stats.distinctUrls, origin.site.paths().length);
    let report = null;
    if (status.counts.failed || status.counts.skipped || missing) report = await send({ type: 'crawl/report', site });
    return { ms, pollMs: tSeen - t0, stats, counts: status.counts, job, summary, peak, report, missing };
  } finally {
    await browser.close();
  }
}

// ---------------------------------------------------------------------------------------------------------------

const fmtS = (ms) => (ms / 1000).toFixed(2);
const conns = (st) => `${st.connections} / ${st.peakConnections}`;

async function setting(latency, pages) {
  const origin = await startBenchSite({ pages, latencyMs: latency });
  const shape = origin.site.shape;
  const runs = { ours: [], wget2: [], wget: [], floor: [] };
  try {
    for (let round = 0; round < ROUNDS; round++) {
      // Rotate the order each round so drift hits every implementation alike.
      const order = IMPLS.map((_, i) => IMPLS[(i + round) % IMPLS.length]);
      for (const impl of order) {
        if (impl === 'wget' && latency > 0 && runs.wget.length >= WGET_ROUNDS) continue;
        if (impl === 'ours' && oursUnavailable) continue;
        log(`${latency} ms, round ${round + 1}/${ROUNDS}: ${impl}…`);
        const r = impl === 'ours' ? await runOurs(origin) : impl === 'floor' ? await runFloor(origin) : await runWget(impl, origin);
        if (!r) {
          console.log(`extension crawler not available (crawl/start answered ${oursUnavailable}); skipping the extension.`);
          continue;
        }
        log(`${impl}: ${fmtS(r.ms)} s, ${r.stats.requests} requests, connections ${conns(r.stats)}, in flight ${r.stats.meanInFlight.toFixed(1)}`);
        runs[impl].push(r);
      }
    }
  } finally {
    await origin.close();
  }

  const med = (impl) => (runs[impl].length ? median(runs[impl].map((r) => r.ms)) : null);
  console.log('');
  console.log(`### ${latency ? `Origin adds ${latency} ms before each response` : 'No added latency'} — ${pages} pages`);
  console.log('');
  console.log(`Site: ${shape.pages} pages + ${shape.assets} assets; ${ROUNDS} round(s), implementations rotated; medians.`);
  console.log('');
  console.log('| crawler | s (median) | s (all runs) | pages/s | requests | 200 / 304 / 404 | connections (distinct / peak) | requests in flight (mean / peak) |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
  const labels = {
    ours: 'sitemirror extension (6 per host)',
    wget2: 'wget2 -m -p -k, 5 threads',
    wget: 'wget -m -p -k (sequential)',
    floor: 'floor: 12 fetch() loops in the extension SW (≤ 6 connections), URL list known, nothing stored',
  };
  for (const impl of ['ours', 'wget2', 'wget', 'floor']) {
    const rs = runs[impl];
    if (!rs.length) continue;
    const m = med(impl);
    const last = rs[rs.length - 1].stats;
    const maxConn = Math.max(...rs.map((r) => r.stats.connections));
    const peakConn = Math.max(...rs.map((r) => r.stats.peakConnections));
    const peakFlight = Math.max(...rs.map((r) => r.stats.peakInFlight));
    const meanFlight = median(rs.map((r) => r.stats.meanInFlight));
    const st = last.byStatus;
    console.log(`| ${labels[impl]} | ${fmtS(m)} | ${rs.map((r) => fmtS(r.ms)).join(', ')} | ${(pages / (m / 1000)).toFixed(0)} | ` +
      `${last.requests} | ${st[200] ?? 0} / ${st[304] ?? 0} / ${st[404] ?? 0} | ${maxConn} / ${peakConn} | ${meanFlight.toFixed(1)} / ${peakFlight} |`);
  }
  for (const r of runs.ours) {
    const c = r.counts;
    const extra = r.report ? ` report: ${JSON.stringify(r.report.entries?.slice(0, 5))}` : '';
    console.log(`\nours, run: crawl counts done ${c.done}, failed ${c.failed}, skipped ${c.skipped}, queued ${c.queued}; ` +
      `stored ${r.summary?.pages ?? '?'} pages, ${((r.summary?.bytes ?? 0) / 1e6).toFixed(1)} MB; ` +
      `distinct URLs fetched ${r.stats.distinctUrls} of ${shape.pages + shape.assets} (+ robots.txt); ` +
      `done seen by polling after ${fmtS(r.pollMs)} s; peak SW heap ${r.peak?.heapMb.toFixed(1) ?? '?'} MB` +
      `${r.missing ? `; MISSING ${r.missing} URLs` : ''}${extra}`);
  }

  const ours = med('ours');
  const wget2 = med('wget2');
  const wget = med('wget');
  const lines = [];
  const verdict = (ok) => (ok ? 'met' : '**missed**');
  if (ours && wget2) {
    const target = latency ? TARGET.latencyOursOverWget2 : TARGET.noLatencyOursOverWget2;
    const ratio = ours / wget2;
    lines.push(`| ours / wget2 (time) | ${ratio.toFixed(2)}× | ${latency ? '< 1×' : '≤ 1.5×'} | ${verdict(latency ? ratio < target : ratio <= target)} |`);
  }
  if (ours && wget) {
    const ratio = wget / ours;
    lines.push(`| wget / ours (time) | ${ratio.toFixed(2)}× | ${latency ? '≥ 4×' : '—'} | ${latency ? verdict(ratio >= TARGET.latencyWgetOverOurs) : ''} |`);
  }
  if (runs.ours.length) {
    const c = Math.max(...runs.ours.map((r) => r.stats.peakConnections));
    const d = Math.max(...runs.ours.map((r) => r.stats.connections));
    lines.push(`| ours: connections to the host (distinct / peak open) | ${d} / ${c} | ≤ 6 | ${verdict(d <= TARGET.maxConnections)} |`);
  }
  if (lines.length) {
    console.log('');
    console.log('| ratio | measured | target | |');
    console.log('|---|---:|---:|---|');
    for (const l of lines) console.log(l);
  }
  return runs;
}

async function memory(pagesSmall, pagesBig, smallRuns) {
  const impls = IMPLS.filter((i) => i !== 'wget' && i !== 'floor');
  if (!impls.length || BIG <= 0) return;
  const origin = await startBenchSite({ pages: pagesBig, latencyMs: 0 });
  const big = {};
  try {
    for (const impl of impls) {
      if (impl === 'ours' && oursUnavailable) continue;
      log(`${pagesBig} pages, no latency: ${impl}…`);
      const r = impl === 'ours' ? await runOurs(origin) : await runWget(impl, origin);
      if (!r) {
        console.log(`extension crawler not available (crawl/start answered ${oursUnavailable}); skipping the extension.`);
        continue;
      }
      big[impl] = r;
    }
  } finally {
    await origin.close();
  }
  console.log('');
  console.log(`### Growth: ${pagesSmall} vs ${pagesBig} pages, no added latency`);
  console.log('');
  console.log('| crawler | pages | s | pages/s | connections (distinct / peak) | SW JS heap peak MB | heap + Blink + buffers peak MB | extension process RSS peak MB |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
  const row = (impl, pages, r) => {
    const p = r.peak;
    const mem = impl === 'ours' && p ? `${p.heapMb.toFixed(1)} | ${p.heapTotalMb.toFixed(1)} | ${p.rssMb.toFixed(0)}` : '— | — | —';
    console.log(`| ${impl} | ${pages} | ${fmtS(r.ms)} | ${(pages / (r.ms / 1000)).toFixed(0)} | ${conns(r.stats)} | ${mem} |`);
  };
  for (const impl of impls) {
    const small = smallRuns?.[impl] ?? [];
    if (small.length) {
      // The small run closest to the median time stands for the small site.
      const m = median(small.map((r) => r.ms));
      const pick = small.reduce((a, b) => (Math.abs(b.ms - m) < Math.abs(a.ms - m) ? b : a));
      row(impl, pagesSmall, pick);
    }
    if (big[impl]) row(impl, pagesBig, big[impl]);
  }
  if (big.ours?.peak && smallRuns?.ours?.length) {
    const small = Math.max(...smallRuns.ours.map((r) => r.peak?.heapMb ?? 0));
    const grow = big.ours.peak.heapMb / small;
    console.log('');
    console.log(`Peak SW JS heap, ${pagesBig} vs ${pagesSmall} pages (4× the site): ${grow.toFixed(2)}× ` +
      `(bounded if well under 4×: ${grow <= 2 ? 'met' : '**missed**'}, criterion ≤ 2×). Sampled every 250 ms: ` +
      `${big.ours.peak.samples} samples, ${big.ours.peak.failed} failed.`);
    const c = big.ours.counts;
    console.log(`ours at ${pagesBig}: done ${c.done}, failed ${c.failed}, skipped ${c.skipped}; ` +
      `distinct URLs fetched ${big.ours.stats.distinctUrls} of ${origin.site.paths().length}; ` +
      `requests ${big.ours.stats.requests}${big.ours.missing ? `; MISSING ${big.ours.missing}` : ''}`);
  }
}

console.log(`Crawl benchmark: ${new Date().toISOString()}, ${readFileSync('/proc/loadavg', 'utf8').trim()} (loadavg at start)`);
const all = {};
for (const latency of LATENCIES) all[latency] = await setting(latency, PAGES);
// Memory growth: the small site's runs without latency (or whatever ran) against one run on the big site.
await memory(PAGES, BIG, all[0] ?? all[LATENCIES[0]]);
if (oursUnavailable) console.log(`\nextension crawler not available: crawl/start answered ${oursUnavailable}.`);
