/**
 * For the site worker's tests and benchmark: a site on the one test origin (lib/server.mjs) that serves the built
 * worker (dist/worker) next to its own routes, with `Cache-Control: no-cache` (the browser's HTTP cache must
 * revalidate, so a stopped origin looks stopped); plain headless Chromium (no extension); and a way to talk to the
 * page's worker.
 */
import path from 'node:path';
import { chromium } from 'playwright-core';
import { ROOT } from './browser.mjs';
import { startServer } from './server.mjs';
import { until } from './wait.mjs';

export const WORKER_DIR = path.join(ROOT, 'dist/worker');

/**
 * A site deploying the site worker: `routes` (see lib/server.mjs), every other path from dist/worker. `down()` /
 * `up()` stop and restart it on the same port: the same origin, so the same service worker and mirror.
 * @param {Record<string, import('./server.mjs').Route>} routes
 */
export const startWorkerSite = (routes) => startServer({ routes, dir: WORKER_DIR, cacheControl: 'no-cache' });


/** Plain headless Chromium (Debian's, never downloaded). Each test takes its own context (own storage). */
export function launchChromium() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}

/** Asks the page's worker (its controller, or the registration's active worker) over a MessageChannel. */
export function ask(page, msg, ms = 15_000) {
  return page.evaluate(
    async ({ msg, ms }) => {
      const reg = await navigator.serviceWorker.ready;
      const sw = navigator.serviceWorker.controller || reg.active;
      return new Promise((resolve, reject) => {
        const ch = new MessageChannel();
        const timer = setTimeout(() => reject(new Error(`no answer from the worker to ${msg.type}`)), ms);
        ch.port1.onmessage = (e) => {
          clearTimeout(timer);
          resolve(e.data);
        };
        sw.postMessage(msg, [ch.port2]);
      });
    },
    { msg, ms },
  );
}

/** Opens `url` and waits until the worker controls the page (a reload the first time: the first visit isn't). */
export async function openControlled(page, url) {
  await page.goto(url);
  await page.evaluate(() => navigator.serviceWorker.ready);
  if (!(await page.evaluate(() => !!navigator.serviceWorker.controller))) {
    await until(() => page.evaluate(() => !!navigator.serviceWorker.controller), 'clients.claim()', 5000).catch(() => page.reload());
  }
  await until(() => page.evaluate(() => !!navigator.serviceWorker.controller), 'a controlled page');
}
