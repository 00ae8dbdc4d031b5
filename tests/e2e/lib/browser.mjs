/**
 * Launches Debian's Chromium with the built extension (dist/extension) through playwright-core.
 * Never downloads a browser. Each launch gets a fresh profile so tests can't see each other's state
 * (service worker registrations, caches, IndexedDB).
 */
import { chromium } from 'playwright-core';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
/**
 * The extension under test: the test build (`./build.sh test` makes it: dist/extension plus tests/e2e/test-build/,
 * which puts the engine and store on `globalThis.sitemirror` in the service worker and lets `popup.html?url=`
 * stand for a tab), or another build (`SITEMIRROR_EXTENSION_DIR`, e.g. an older one, to see a regression test
 * fail without its fix).
 */
export const EXTENSION_DIR = process.env.SITEMIRROR_EXTENSION_DIR || path.join(ROOT, 'target/test-extension');

/**
 * @param {{headless?: boolean, extensionDir?: string, args?: string[], allowIncognito?: boolean}} [opts]
 *   `args`: more Chromium switches (tests give host names to local origins with `--host-resolver-rules`, and make
 *   some of them count as public addresses with `--ip-address-space-overrides`). `allowIncognito`: the user has
 *   switched on "Allow in Incognito" for the extension (set in the profile's preferences, as that switch does,
 *   between a first and a second start of the browser).
 * @returns {Promise<{ctx: import('playwright-core').BrowserContext, sw: import('playwright-core').Worker,
 *   extensionId: string, close: () => Promise<void>}>}
 */
export async function launchExtension({ headless = true, extensionDir = EXTENSION_DIR, args = [], allowIncognito = false } = {}) {
  const profileDir = await mkdtemp(path.join(tmpdir(), 'sitemirror-e2e-'));
  let ctx;
  const start = () =>
    chromium.launchPersistentContext(profileDir, {
      executablePath: '/usr/bin/chromium',
      headless,
      args: [
        `--disable-extensions-except=${extensionDir}`,
        `--load-extension=${extensionDir}`,
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        ...args,
      ],
    });
  const worker = async () => extensionWorker(ctx) || (await ctx.waitForEvent('serviceworker', { predicate: isExtensionWorker }));
  try {
    ctx = await start();
    let sw = await worker();
    if (allowIncognito) {
      const id = new URL(sw.url()).host;
      await ctx.close();
      const file = path.join(profileDir, 'Default', 'Preferences');
      const prefs = JSON.parse(await readFile(file, 'utf8'));
      prefs.extensions.settings[id].incognito = true;
      await writeFile(file, JSON.stringify(prefs));
      ctx = await start();
      sw = await worker();
    }
    const extensionId = new URL(sw.url()).host;
    const close = async () => {
      await ctx.close().catch(() => {});
      await rm(profileDir, { recursive: true, force: true });
    };
    return { ctx, sw, extensionId, close };
  } catch (err) {
    await ctx?.close().catch(() => {});
    await rm(profileDir, { recursive: true, force: true });
    throw err;
  }
}

/** @param {import('playwright-core').Worker} w */
function isExtensionWorker(w) {
  return w.url().startsWith('chrome-extension://');
}

/**
 * The extension's current background worker, if running.
 * @param {import('playwright-core').BrowserContext} ctx
 */
export function extensionWorker(ctx) {
  return ctx.serviceWorkers().find(isExtensionWorker);
}

/**
 * Service worker targets (CDP targetInfos) whose URL starts with `urlPrefix`.
 * @param {import('playwright-core').CDPSession} cdp
 * @param {string} urlPrefix
 */
async function workerTargets(cdp, urlPrefix) {
  const { targetInfos } = await cdp.send('Target.getTargets');
  return targetInfos.filter((t) => t.type === 'service_worker' && t.url.startsWith(urlPrefix));
}

/**
 * Stops service workers the way Chrome does when it idles them out, through CDP: Target.getTargets →
 * Target.closeTarget on each `service_worker` target whose URL starts with `urlPrefix` (default: any
 * extension worker), then waits until CDP no longer lists them. Needs a page to open the CDP session on.
 *
 * Why poll CDP instead of waiting for Playwright's Worker 'close' event (observed with playwright-core
 * 1.65.1 + Chromium 156): after the stop Playwright emits no 'close' and, on restart, no new
 * 'serviceworker' event; the SAME Worker object then reaches the restarted instance, and evaluate() on it
 * while the worker is stopped hangs. So: stop, confirm via CDP, wake it, then evaluate.
 * @param {import('playwright-core').BrowserContext} ctx
 * @param {import('playwright-core').Page} page
 * @param {string} [urlPrefix]
 * @param {number} [timeoutMs] how long to wait for CDP to stop listing them (a worker in the middle of a big
 *   IndexedDB transaction on a loaded 2-core machine has taken more than 5 s)
 * @returns {Promise<number>} how many workers were stopped
 */
export async function stopServiceWorker(ctx, page, urlPrefix = 'chrome-extension://', timeoutMs = 20000) {
  const cdp = await ctx.newCDPSession(page);
  try {
    const targets = await workerTargets(cdp, urlPrefix);
    for (const t of targets) await cdp.send('Target.closeTarget', { targetId: t.targetId });
    const deadline = Date.now() + timeoutMs;
    let asked = Date.now();
    for (;;) {
      const left = await workerTargets(cdp, urlPrefix);
      if (left.length === 0) break;
      if (Date.now() > deadline) throw new Error(`service worker ${urlPrefix}* still running after ${timeoutMs} ms`);
      // Chromium now and then drops a close that arrives while the worker is busy (measured: one stop in five of a
      // crawl queueing thousands of links never happened, 120 s later; asked again, it stops at once).
      if (Date.now() - asked > 2000) {
        for (const t of left) await cdp.send('Target.closeTarget', { targetId: t.targetId }).catch(() => {});
        asked = Date.now();
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    return targets.length;
  } finally {
    await cdp.detach().catch(() => {});
  }
}

/**
 * Whether a service worker under `urlPrefix` is running right now (per CDP, not Playwright's cache).
 * @param {import('playwright-core').BrowserContext} ctx
 * @param {import('playwright-core').Page} page
 * @param {string} urlPrefix
 */
export async function isServiceWorkerRunning(ctx, page, urlPrefix) {
  const cdp = await ctx.newCDPSession(page);
  try {
    return (await workerTargets(cdp, urlPrefix)).length > 0;
  } finally {
    await cdp.detach().catch(() => {});
  }
}
