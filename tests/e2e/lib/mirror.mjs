/**
 * Seeds the extension's real mirror store from a live local origin: fetches each path from the origin (as the
 * capture code will) and stores it through MirrorStore in the extension's service worker.
 */
import { extensionWorker } from './browser.mjs';

/**
 * @param {{ctx: import('playwright-core').BrowserContext}} ext
 * @param {string} origin e.g. http://127.0.0.1:1234
 * @param {string[]} paths
 * @param {{at?: number, register?: boolean}} [opts] `register` adds the origin as a mirrored site (default true)
 */
export async function captureFrom(ext, origin, paths, { at = Date.now(), register = true } = {}) {
  const items = [];
  for (const path of paths) {
    const res = await fetch(origin + path);
    items.push({
      url: origin + path,
      status: res.status,
      type: res.headers.get('content-type') || 'application/octet-stream',
      body: [...new Uint8Array(await res.arrayBuffer())],
    });
  }
  await extensionWorker(ext.ctx).evaluate(
    async ({ items, site, at, register }) => {
      const store = await globalThis.sitemirror.storeReady;
      if (register) await store.putSite({ id: site, startUrl: site, created: at, updated: at, settings: {} });
      await store.putCaptures(
        items.map((x) => ({ site, url: x.url, at, status: x.status, headers: [['content-type', x.type]], body: new Uint8Array(x.body) })),
      );
    },
    { items, site: `${origin}/`, at, register },
  );
}
