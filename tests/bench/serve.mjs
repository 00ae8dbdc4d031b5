// Replay benchmark in the built extension (real Chromium): how long the service worker takes to serve a mirrored
// 100 KB page (IndexedDB read + rewrite + CSP), next to the same bytes served by the same worker from the store
// without rewriting (the floor for a store-backed SW response), and the same bytes from a loopback server; then the
// time from a failed navigation to the mirrored page being shown (origin down → viewer → frame loaded).
// Chromium records no Resource Timing for chrome-extension:// fetches, so everything is wall clock.
//
//   node tests/bench/serve.mjs [--n 200] [--fallbacks 10]
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { launchExtension, ROOT } from '../e2e/lib/browser.mjs';
import { startServer } from '../e2e/lib/server.mjs';
import { captureFrom } from '../e2e/lib/mirror.mjs';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const N = arg('--n', 200);
const FALLBACKS = arg('--fallbacks', 10);

// A real page of about 100 KB from the rewrite benchmark's corpus.
const dir = path.join(ROOT, 'node_modules/htmlparser-benchmark/files');
const file = readdirSync(dir)
  .map((f) => ({ f, size: statSync(path.join(dir, f)).size }))
  .sort((a, b) => Math.abs(a.size - 100_000) - Math.abs(b.size - 100_000))[0].f;
const html = readFileSync(path.join(dir, file));

const server = await startServer({
  routes: {
    '/page.html': html,
    '/page.txt': html,
    '/index.html': '<!doctype html><title>Home</title><h1>Home</h1>',
  },
});
const ext = await launchExtension();
try {
  await captureFrom(ext, server.origin, ['/page.html', '/page.txt', '/index.html']);
  const page = await ext.ctx.newPage();
  await page.goto(`chrome-extension://${ext.extensionId}/popup/popup.html`);
  const mirror = (p) => `chrome-extension://${ext.extensionId}/m/http/${server.origin.slice(7)}${p}`;
  const timings = await page.evaluate(
    async ({ urls, n }) => {
      const time = async (url) => {
        const t = performance.now();
        const res = await fetch(url, { cache: 'no-store' });
        await res.arrayBuffer();
        return performance.now() - t;
      };
      const out = { rewrite: [], raw: [], loopback: [] };
      for (let i = 0; i < 20; i++) for (const k of Object.keys(out)) await time(urls[k]); // warm-up
      for (let i = 0; i < n; i++) {
        // Alternate, so drift hits all three alike.
        for (const k of Object.keys(out)) out[k].push(await time(urls[k]));
      }
      return out;
    },
    { urls: { rewrite: mirror('/page.html'), raw: mirror('/page.txt'), loopback: `${server.origin}/page.html` }, n: N },
  );
  await page.close();

  // Navigation error → mirrored page shown, with the origin down.
  await server.close();
  const fallbacks = [];
  for (let i = 0; i < FALLBACKS; i++) {
    const tab = await ext.ctx.newPage();
    const t = Date.now();
    await tab.goto(`${server.origin}/index.html`).catch(() => {}); // no-store: never answered from the HTTP cache
    await tab.waitForURL(/\/view\.html\?url=/, { timeout: 5000 });
    await tab.frameLocator('#mirror').locator('h1').waitFor();
    fallbacks.push(Date.now() - t);
    await tab.close();
  }

  const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];
  const row = (label, xs) => `| ${label} | ${pct(xs, 0.5).toFixed(2)} | ${pct(xs, 0.95).toFixed(2)} |`;
  console.log(`Page: ${file} (${html.length} bytes), ${N} fetches each from an extension page, alternated; wall clock.`);
  console.log('');
  console.log('| served by | p50 ms | p95 ms |');
  console.log('|---|---:|---:|');
  console.log(row('extension SW: mirrored page, IndexedDB + rewrite + CSP', timings.rewrite));
  console.log(row('extension SW: same bytes from IndexedDB, no rewrite (floor)', timings.raw));
  console.log(row('loopback HTTP server (127.0.0.1), same bytes', timings.loopback));
  console.log('');
  console.log(
    `Origin down → viewer with the mirrored page loaded: p50 ${pct(fallbacks, 0.5)} ms, p95 ${pct(fallbacks, 0.95)} ms ` +
      `over ${FALLBACKS} navigations (target ≤ 1000 ms p50).`,
  );
} finally {
  await ext.close();
  await server.close();
}
