// Store benchmark: captures per second into IndexedDB from the built extension's service worker (real Chromium),
// for a realistic page mix, next to the same records written with plain IndexedDB calls (the floor: no hashing,
// no dedup, no wasm), batched and unbatched; then the bytes a second, unchanged pass adds.
//
//   node tests/bench/store.mjs [--pages N] [--rounds N]
//
// The mix per page: one HTML document (20–120 KB), two images (5–150 KB) and, shared site-wide, 4 stylesheets,
// 2 fonts and a logo: what a mirrored site looks like. Bodies are generated in the worker (JS memory), so the
// timed region is the store, not the test harness.
import { launchExtension, extensionWorker } from '../e2e/lib/browser.mjs';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const PAGES = arg('--pages', 300);
const ROUNDS = arg('--rounds', 3);

const ext = await launchExtension();
try {
  const sw = extensionWorker(ext.ctx);
  const result = await sw.evaluate(
    async ({ pages, rounds }) => {
      await globalThis.sitemirror.ready;
      const { engine } = globalThis.sitemirror;
      const site = 'https://bench.example/';
      // Deterministic pseudo-random bodies (xorshift), so every run stores the same bytes.
      let seed = 42;
      const rnd = () => ((seed ^= seed << 13), (seed ^= seed >>> 17), (seed ^= seed << 5), (seed >>> 0) / 2 ** 32);
      const body = (n) => {
        const b = new Uint8Array(n);
        for (let i = 0; i < n; i += 64) b[i] = (rnd() * 256) | 0;
        return b;
      };
      const shared = [
        ...[0, 1, 2, 3].map((i) => ({ url: `${site}css/${i}.css`, type: 'text/css', body: body(20_000) })),
        ...[0, 1].map((i) => ({ url: `${site}fonts/${i}.woff2`, type: 'font/woff2', body: body(60_000) })),
        { url: `${site}logo.png`, type: 'image/png', body: body(12_000) },
      ];
      const items = [];
      for (let p = 0; p < pages; p++) {
        items.push({ url: `${site}p/${p}.html`, type: 'text/html', body: body(20_000 + ((rnd() * 100_000) | 0)) });
        for (let i = 0; i < 2; i++) {
          items.push({ url: `${site}img/${p}-${i}.jpg`, type: 'image/jpeg', body: body(5_000 + ((rnd() * 145_000) | 0)) });
        }
        // Each page references the shared assets: a crawler captures them again with every page.
        items.push(shared[p % shared.length]);
      }
      const bytes = items.reduce((n, x) => n + x.body.length, 0);
      const capture = (x, at) => ({ site, url: x.url, at, status: 200, headers: [['content-type', x.type]], body: x.body, source: 'bench' });

      async function ours(name, batch, at) {
        const store = await engine.MirrorStore.open(name, undefined);
        const t = performance.now();
        for (let i = 0; i < items.length; i += batch) {
          await store.putCaptures(items.slice(i, i + batch).map((x) => capture(x, at)));
        }
        const ms = performance.now() - t;
        const totals = await store.totals();
        store.close();
        return { ms, totals };
      }

      // The floor: the same records with plain IndexedDB, no digest, no dedup (every body written).
      async function plain(name, batch) {
        const db = await new Promise((resolve, reject) => {
          const r = indexedDB.open(name, 1);
          r.onupgradeneeded = () => r.result.createObjectStore('records', { autoIncrement: true });
          r.onsuccess = () => resolve(r.result);
          r.onerror = () => reject(r.error);
        });
        const t = performance.now();
        for (let i = 0; i < items.length; i += batch) {
          await new Promise((resolve, reject) => {
            const tx = db.transaction('records', 'readwrite');
            for (const x of items.slice(i, i + batch)) tx.objectStore('records').add(capture(x, 1));
            tx.oncomplete = resolve;
            tx.onerror = () => reject(tx.error);
          });
        }
        const ms = performance.now() - t;
        db.close();
        return { ms };
      }

      const drop = (name) => new Promise((resolve) => { const r = indexedDB.deleteDatabase(name); r.onsuccess = r.onerror = resolve; });
      const runs = { ours20: [], plain20: [], ours1: [], plain1: [] };
      let second = null;
      for (let round = 0; round < rounds; round++) {
        // Alternate the implementations; every run starts from an empty database.
        for (const [key, fn] of [['ours20', () => ours(`b-o20-${round}`, 20, 1)], ['plain20', () => plain(`b-p20-${round}`, 20)],
          ['ours1', () => ours(`b-o1-${round}`, 1, 1)], ['plain1', () => plain(`b-p1-${round}`, 1)]]) {
          runs[key].push((await fn()).ms);
        }
        for (const n of [`b-o20-${round}`, `b-p20-${round}`, `b-o1-${round}`, `b-p1-${round}`]) await drop(n);
      }
      // Mirror the same site twice, unchanged: what does the second pass cost?
      {
        const first = await ours('b-twice', 20, 1000);
        const again = await ours('b-twice', 20, 2000);
        // Capture records are small JS objects; their structured-clone size is close to their JSON size.
        const store = await engine.MirrorStore.open('b-twice', undefined);
        const records = await store.versions(items[0].url);
        store.close();
        const recordBytes = JSON.stringify(records[0]).length;
        second = { first: first.totals, again: again.totals, recordBytes };
        await drop('b-twice');
      }
      return { captures: items.length, bytes, runs, second };
    },
    { pages: PAGES, rounds: ROUNDS },
  );

  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const row = (label, key) => {
    const ms = median(result.runs[key]);
    return `| ${label} | ${(result.captures / (ms / 1000)).toFixed(0)} | ${(result.bytes / 1e6 / (ms / 1000)).toFixed(1)} | ${ms.toFixed(0)} |`;
  };
  const s = result.second;
  const firstBytes = s.first.bytes + s.first.captures * s.recordBytes;
  const added = s.again.bytes - s.first.bytes + (s.again.captures - s.first.captures) * s.recordBytes;
  console.log(`${result.captures} captures (${PAGES} pages), ${(result.bytes / 1e6).toFixed(1)} MB of bodies; median of ${ROUNDS} rounds, alternated.`);
  console.log('');
  console.log('| writer | captures/s | MB/s | ms |');
  console.log('|---|---:|---:|---:|');
  console.log(row('MirrorStore, batches of 20 (hash, dedup, refcount)', 'ours20'));
  console.log(row('plain IndexedDB, batches of 20 (no hash, no dedup)', 'plain20'));
  console.log(row('MirrorStore, one capture per transaction', 'ours1'));
  console.log(row('plain IndexedDB, one record per transaction', 'plain1'));
  console.log('');
  console.log(`MirrorStore / plain IndexedDB, batched: ${(median(result.runs.plain20) / median(result.runs.ours20)).toFixed(2)}× the floor's speed`);
  console.log(`Batching (20 vs 1 per transaction): ${(median(result.runs.ours1) / median(result.runs.ours20)).toFixed(1)}× faster`);
  console.log('');
  console.log(`Second unchanged pass: payload bytes ${s.first.bytes} → ${s.again.bytes}, payloads ${s.first.payloads} → ` +
    `${s.again.payloads}, captures ${s.first.captures} → ${s.again.captures} (~${s.recordBytes} B per record): ` +
    `adds ${added} of ${firstBytes} bytes = ${(100 * added / firstBytes).toFixed(2)}% (target ≤ 1%).`);
} finally {
  await ext.close();
}
