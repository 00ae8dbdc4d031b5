/**
 * `./build.sh demo` (and tests/e2e/demo.test.mjs): the product's main job, end to end, on the bundled demo site
 * (tests/fixtures/demo-site/). Chromium with the built extension (headed when a display exists, headless
 * otherwise) and a local origin on 127.0.0.1:
 *
 *   1. the demo site, live;
 *   2. the popup's "Mirror this site" crawls the whole site into the mirror (progress, then "Done");
 *   3. every page and file is in the mirror; the dashboard lists the site;
 *   4. the origin is stopped: opening the home page lands on the viewer with the "Offline copy" banner;
 *   5. a link inside the offline copy opens the mirrored blog post.
 *
 * Each step writes a screenshot to docs/screenshots/ (the ones the README shows) and prints a one-line summary.
 * Any step that fails stops the demo with a message saying which step and why; as a script it then exits 1.
 */
import { mkdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { launchExtension, extensionWorker, ROOT } from './lib/browser.mjs';
import { startServer } from './lib/server.mjs';

export const DEMO_SITE = path.join(ROOT, 'tests/fixtures/demo-site');
export const SHOTS_DIR = path.join(ROOT, 'docs/screenshots');

/** The demo site's pages (crawled in step 2) and what they load (stylesheet, CSS background, images). */
export const PAGES = ['/', '/about.html', '/journal/five-days-on-the-ridge.html'];
const RESOURCES = ['/css/site.css', '/img/logo.svg', '/img/ridge.svg', '/img/trail-map.svg'];

/** The steps, their screenshot files, in order. */
export const STEPS = [
  { title: 'the demo site, live', file: '01-live.png' },
  { title: 'popup: "Mirror this site" crawls the whole site', file: '02-popup-mirror.png' },
  { title: 'the dashboard lists the mirrored site', file: '03-dashboard.png' },
  { title: 'origin stopped: the offline copy', file: '04-offline-copy.png' },
  { title: 'a link inside the offline copy', file: '05-offline-navigation.png' },
];

const SITE_VIEWPORT = { width: 1024, height: 640 };
/** The popup's own width (popup.css: 300px + 2 × 16px padding). */
const POPUP_VIEWPORT = { width: 332, height: 240 };
const DASHBOARD_VIEWPORT = { width: 1000, height: 560 };
/** How long the viewer may take to appear once the origin is down (fallback lands in ~0.2 s; §6). */
const VIEWER_TIMEOUT_MS = 5000;
const CAPTURE_TIMEOUT_MS = 5000;
const CRAWL_TIMEOUT_MS = 30_000;

class DemoError extends Error {}

/** A path as printed: relative to the working directory when it is under it. */
function shown(p) {
  const rel = path.relative(process.cwd(), p);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : p;
}

/** The first line of an error (Playwright appends long call logs). */
const firstLine = (err) => String(err instanceof Error ? err.message : err).split('\n')[0];

/**
 * Polls the mirror store inside the extension's service worker until every URL has a capture; returns the ones
 * still missing after `timeout` ms (empty when all were stored).
 */
function missingCaptures(ctx, urls, timeout = CAPTURE_TIMEOUT_MS) {
  const worker = extensionWorker(ctx);
  if (!worker) throw new DemoError("the extension's service worker is not running");
  return worker.evaluate(
    async ({ urls, timeout }) => {
      const store = await globalThis.sitemirror.storeReady;
      const end = Date.now() + timeout;
      let missing = urls;
      for (;;) {
        const found = await Promise.all(missing.map((u) => store.lookup(u, undefined)));
        missing = missing.filter((_, i) => !found[i]);
        if (missing.length === 0 || Date.now() > end) return missing;
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    { urls, timeout },
  );
}

/**
 * Runs the demo. Resolves with what each step did; rejects with an Error naming the step that failed (its
 * `steps` property lists the steps that had succeeded).
 * @param {{headless?: boolean, shotsDir?: string, log?: (line: string) => void, pauseMs?: number}} [opts]
 *   `pauseMs`: a pause after each step so a person can follow a headed run (default 1 s headed, 0 headless)
 * @returns {Promise<{origin: string, extensionId: string, headless: boolean, ms: number,
 *   steps: {n: number, title: string, screenshot: string, summary: string, ms: number}[]}>}
 */
export async function runDemo({ headless = !process.env.DISPLAY, shotsDir = SHOTS_DIR, log = console.log, pauseMs } = {}) {
  const started = Date.now();
  const pause = pauseMs ?? (headless ? 0 : 1000);
  const steps = [];
  await mkdir(shotsDir, { recursive: true });
  const indexHtml = await readFile(path.join(DEMO_SITE, 'index.html'));
  // The home page is served at "/" (and, like every file, at its own path); 127.0.0.1 only, Cache-Control: no-store.
  const server = await startServer({ routes: { '/': indexHtml }, dir: DEMO_SITE });
  const origin = server.origin;
  const home = `${origin}/`;
  let ext;

  /** Runs step n: `fn(screenshotPath)` returns the summary line; the screenshot must exist afterwards. */
  async function step(n, fn) {
    const { title, file } = STEPS[n - 1];
    const shot = path.join(shotsDir, file);
    const t0 = Date.now();
    let summary;
    try {
      summary = await fn(shot);
      const { size } = await stat(shot).catch(() => ({ size: 0 }));
      if (size === 0) throw new DemoError(`no screenshot was written to ${shot}`);
    } catch (err) {
      const failure = new DemoError(`demo step ${n}/${STEPS.length} (${title}) failed: ${firstLine(err)}`, { cause: err });
      failure.steps = steps;
      throw failure;
    }
    const done = { n, title, screenshot: shot, summary, ms: Date.now() - t0 };
    steps.push(done);
    log(`${n}/${STEPS.length} ${title}: ${summary}\n    ${shown(shot)}`);
    if (pause) await new Promise((r) => setTimeout(r, pause));
    return done;
  }

  try {
    try {
      ext = await launchExtension({ headless });
    } catch (err) {
      throw new DemoError(`Chromium with the extension did not start (is it built? run ./build.sh demo): ${firstLine(err)}`);
    }
    const { ctx, extensionId } = ext;
    ctx.setDefaultTimeout(10_000);
    const extUrl = (p) => `chrome-extension://${extensionId}/${p}`;
    log(`sitemirror demo: Chromium ${headless ? 'headless' : 'headed'}, extension ${extensionId}, demo site at ${home}`);

    const tab = await ctx.newPage();
    await tab.setViewportSize(SITE_VIEWPORT);

    await step(1, async (shot) => {
      const res = await tab.goto(home, { waitUntil: 'load' });
      if (!res || res.status() !== 200) throw new DemoError(`${home} answered ${res ? res.status() : 'nothing'}`);
      const title = await tab.textContent('h1');
      await tab.screenshot({ path: shot });
      return `${home} is up and shows “${title.trim()}”`;
    });

    await step(2, async (shot) => {
      // The popup describes the active tab; its test-only `?url=` override (popup.js) stands in for it here.
      const popup = await ctx.newPage();
      try {
        await popup.setViewportSize(POPUP_VIEWPORT);
        await popup.goto(extUrl(`popup/popup.html?url=${encodeURIComponent(home)}`));
        await popup.waitForSelector('body[data-state=not-mirrored]');
        await popup.getByRole('button', { name: 'Mirror this site' }).click();
        await popup.waitForSelector('body[data-state=mirrored]');
        await popup.waitForSelector('body[data-crawl=done]', { timeout: CRAWL_TIMEOUT_MS }).catch(() => {
          throw new DemoError(`the crawl did not finish within ${CRAWL_TIMEOUT_MS / 1000} s (${popup.url()})`);
        });
        await popup.waitForSelector('#engine-status[data-state=ready]');
        await popup.screenshot({ path: shot, fullPage: true });
        const site = await popup.textContent('#site strong');
        const done = (await popup.textContent('#crawl-done')).trim();
        const bytes = (await popup.textContent('#crawl-bytes')).trim();
        return `“Mirror this site” crawled ${site}: ${done} pages and files, ${bytes}`;
      } finally {
        await popup.close();
      }
    });

    await step(3, async (shot) => {
      // The crawl found every page through links and every file those pages use.
      const missing = await missingCaptures(ctx, [...PAGES, ...RESOURCES].map((r) => origin + r));
      if (missing.length) throw new DemoError(`not in the mirror after the crawl: ${missing.join(', ')}`);
      const dash = await ctx.newPage();
      try {
        await dash.setViewportSize(DASHBOARD_VIEWPORT);
        await dash.goto(extUrl('dashboard/dashboard.html'));
        await dash.waitForSelector('body[data-state=ready]');
        const row = dash.locator(`#sites tbody tr[data-site-id="${home}"]`);
        if ((await row.count()) !== 1) throw new DemoError(`the dashboard does not list ${home}`);
        const pages = Number(await row.locator('.pages').textContent());
        if (pages < PAGES.length) throw new DemoError(`the dashboard shows ${pages} pages for ${home}, expected ${PAGES.length}`);
        const size = (await row.locator('.size').textContent()).trim();
        await dash.screenshot({ path: shot, fullPage: true });
        return `all ${PAGES.length + RESOURCES.length} pages and files are in the mirror; the dashboard lists ${home} with ${pages} pages, ${size}`;
      } finally {
        await dash.close();
      }
    });

    await step(4, async (shot) => {
      await server.close(); // the origin is down: connections are refused
      const t0 = Date.now();
      await tab.goto(home).catch(() => {}); // the failed navigation is what triggers the fallback
      await tab.waitForURL(/\/view\.html\?url=/, { timeout: VIEWER_TIMEOUT_MS }).catch(() => {
        throw new DemoError(`the viewer didn't appear within ${VIEWER_TIMEOUT_MS / 1000} s after the origin was stopped (the tab shows ${tab.url()})`);
      });
      const ms = Date.now() - t0;
      await tab.waitForSelector('#captured[data-at]');
      const banner = (await tab.textContent('#banner strong')).trim();
      if (banner !== 'Offline copy') throw new DemoError(`the banner says “${banner}”, not “Offline copy”`);
      const viewed = new URL(tab.url()).searchParams.get('url');
      if (viewed !== home) throw new DemoError(`the viewer shows ${viewed}, not ${home}`);
      const frame = await mirrorFrame(tab);
      const title = (await frame.textContent('h1')).trim();
      // The stylesheet and its url() background came from the mirror too.
      const background = await frame.locator('.hero').evaluate((e) => getComputedStyle(e).backgroundImage);
      if (!background.includes('/m/')) throw new DemoError(`the hero background is not served from the mirror (${background})`);
      await tab.screenshot({ path: shot });
      return `origin stopped; opening ${home} landed on the viewer in ${ms} ms: “${banner}”, ${(await tab.textContent('#captured')).trim()}, showing “${title}”`;
    });

    await step(5, async (shot) => {
      const frame = tab.frameLocator('#mirror');
      await frame.locator('a.button').click();
      await frame.locator('h1', { hasText: 'Five days on the ridge' }).waitFor();
      const post = await mirrorFrame(tab, /five-days-on-the-ridge/);
      const map = await post.locator('figure img').evaluate((img) => img.naturalWidth);
      if (!map) throw new DemoError('the blog post’s image did not load from the mirror');
      await tab.screenshot({ path: shot });
      return `followed “Read: Five days on the ridge” inside the offline copy: the post and its image came from the mirror (${post.url().replace(extUrl(''), '…/')})`;
    });
  } finally {
    await ext?.close();
    await server.close();
  }
  return { origin, extensionId: ext.extensionId, headless, ms: Date.now() - started, steps };
}

/**
 * The viewer's mirrored frame once it has loaded (its stylesheet and images included), optionally once its URL
 * matches `urlPattern`.
 * @param {import('playwright-core').Page} page
 * @param {RegExp} [urlPattern]
 */
async function mirrorFrame(page, urlPattern = /\/m\//) {
  await page.frameLocator('#mirror').locator('h1').waitFor();
  const deadline = Date.now() + 5000;
  let frame;
  while (!(frame = page.frames().find((f) => f !== page.mainFrame() && urlPattern.test(f.url())))) {
    if (Date.now() > deadline) throw new DemoError(`the viewer's frame never showed ${urlPattern}`);
    await page.waitForTimeout(50);
  }
  await frame.waitForLoadState('load');
  return frame;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  try {
    const result = await runDemo();
    console.log(
      `\ndemo done in ${(result.ms / 1000).toFixed(1)} s: the demo site was mirrored, its origin stopped, and the offline copy shown.` +
        `\nscreenshots (${result.steps.length}) in ${shown(SHOTS_DIR)}/:` + result.steps.map((s) => `\n  ${shown(s.screenshot)}`).join(''),
    );
  } catch (err) {
    console.error(`\n${err instanceof DemoError ? err.message : `demo failed: ${err && err.stack ? err.stack : err}`}`);
    process.exit(1);
  }
}
