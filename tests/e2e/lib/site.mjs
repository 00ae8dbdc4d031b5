/**
 * For the site worker's tests and benchmark: a local origin that serves the built worker (dist/worker) next to a
 * small site, can be taken down and brought back up on the SAME port (the same origin, so the same service worker
 * and mirror), and can make any path fail, slow down or change while it runs; plus plain headless Chromium (no
 * extension) and a way to talk to the page's worker.
 */
import http from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { ROOT } from './browser.mjs';
import { contentType } from './server.mjs';

export const WORKER_DIR = path.join(ROOT, 'dist/worker');

/**
 * @typedef {{status?: number, headers?: Record<string, string>, body?: string | Buffer, delay?: number}
 *   | string | ((req: http.IncomingMessage, res: http.ServerResponse) => void)} SiteRoute
 *   A string is an HTML/CSS/… body (type from the path); `delay` holds the answer back that many ms.
 */

/**
 * @param {Record<string, SiteRoute>} routes exact paths (query ignored); other paths come from dist/worker
 * @param {{cacheControl?: string}} [opts] the Cache-Control of routes that set none (default `no-cache`: the
 *   browser's HTTP cache must revalidate, so a stopped origin looks stopped)
 */
export async function startSite(routes, { cacheControl = 'no-cache' } = {}) {
  /** @type {{method: string, path: string, headers: http.IncomingHttpHeaders}[]} */
  const requests = [];
  const handler = async (req, res) => {
    const pathname = new URL(req.url, 'http://127.0.0.1').pathname;
    requests.push({ method: req.method, path: pathname, headers: req.headers });
    const route = routes[pathname];
    if (typeof route === 'function') return route(req, res);
    if (route !== undefined) {
      const r = typeof route === 'string' ? { body: route } : route;
      if (r.delay) await new Promise((resolve) => setTimeout(resolve, r.delay));
      if (res.destroyed) return;
      const body = Buffer.from(r.body ?? '');
      res.writeHead(r.status ?? 200, {
        'Content-Type': contentType(pathname),
        'Content-Length': body.length,
        'Cache-Control': cacheControl,
        ...(r.headers || {}),
      });
      return res.end(req.method === 'HEAD' ? undefined : body);
    }
    const root = path.resolve(WORKER_DIR);
    const file = path.join(root, path.normalize(decodeURIComponent(pathname)));
    if (file.startsWith(root + path.sep) && (await stat(file).catch(() => null))?.isFile()) {
      const body = await readFile(file);
      res.writeHead(200, { 'Content-Type': contentType(file), 'Content-Length': body.length, 'Cache-Control': 'no-store' });
      return res.end(body);
    }
    res.writeHead(404, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-store' });
    res.end('not found');
  };

  let server;
  let port = 0;
  const up = async () => {
    server = http.createServer({ keepAlive: true, noDelay: true }, (req, res) => {
      handler(req, res).catch((err) => {
        if (!res.headersSent) res.writeHead(500).end(String(err));
        else res.destroy();
      });
    });
    server.keepAliveTimeout = 5000;
    await new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    port = server.address().port;
  };
  await up();
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    port,
    routes,
    requests,
    /** The origin is down: connections are refused (open keep-alive sockets dropped too). */
    down: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
    /** Back up on the same port. */
    up,
    close: () =>
      new Promise((resolve) => {
        if (!server.listening) return resolve();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

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

/** Polls `check()` until it returns a truthy value, or throws what it last saw. */
export async function until(check, what, ms = 15_000) {
  const deadline = Date.now() + ms;
  let last;
  for (;;) {
    last = await check();
    if (last) return last;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
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
