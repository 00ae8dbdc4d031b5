/**
 * One-script-tag installation of the sitemirror site worker (see README.md):
 *
 *   <script src="/register.js" defer></script>
 *   <script src="/register.js" data-config="/sitemirror.json" defer></script>   (optional JSON config)
 *   <script src="/register.js" data-unregister defer></script>      (removes worker, mirror and the worker's cookie)
 *
 * `defer` keeps it off the critical rendering path. The worker is the `sw.js` next to this file.
 * `updateViaCache: 'none'` makes the browser revalidate sw.js AND its imported engine glue on update checks, so a
 * new deploy is picked up even when the site serves long-lived caching headers. Nothing here can break the page:
 * every failure is logged and ignored.
 */
(() => {
  if (!('serviceWorker' in navigator)) return;
  const script = /** @type {HTMLScriptElement | null} */ (document.currentScript);
  const base = script && script.src ? script.src : location.href;
  const swUrl = new URL('sw.js', base);
  const data = (script && script.dataset) || {};
  const warn = (what) => (err) => console.warn(`sitemirror: ${what}`, err);

  if ('unregister' in data) {
    unregister().catch(warn('unregistering failed'));
    return;
  }

  (async () => {
    let scope = data.scope;
    const configUrl = data.config ? new URL(data.config, base) : null;
    if (configUrl) swUrl.searchParams.set('config', configUrl.pathname + configUrl.search);
    const controller = navigator.serviceWorker.controller;
    const controlled = !!controller;
    // Already installed (this page is controlled by this very worker): nothing to register, nothing to fetch.
    // The browser itself checks sw.js for updates.
    const reg =
      controller && controller.scriptURL === swUrl.href
        ? await navigator.serviceWorker.ready
        : await register();
    async function register() {
      if (configUrl && !scope) {
        // Only the scope is needed here; the worker reads (and keeps) the rest itself.
        const res = await fetch(configUrl, { credentials: 'omit' }).catch(() => null);
        const json = res && res.ok ? await res.json().catch(() => ({})) : {};
        if (typeof json.scope === 'string') scope = json.scope;
      }
      return navigator.serviceWorker.register(swUrl.href, {
        ...(scope ? { scope: new URL(scope, base).href } : {}),
        updateViaCache: 'none',
      });
    }
    // When the page has loaded and the browser is idle: the worker mirrors this page if it didn't see it load
    // (the very first visit), and runs a precache if one is configured and due.
    await new Promise((resolve) => (document.readyState === 'complete' ? resolve() : addEventListener('load', resolve, { once: true })));
    await new Promise((resolve) => (self.requestIdleCallback ? requestIdleCallback(resolve, { timeout: 5000 }) : setTimeout(resolve, 1000)));
    const worker = (await navigator.serviceWorker.ready) && (reg.active || navigator.serviceWorker.controller);
    if (!worker) return;
    // A controlled page went through the worker already: only the due-precache check is left to do.
    const resources = controlled
      ? []
      : performance
          .getEntriesByType('resource')
          .map((e) => e.name)
          .filter((u) => u.startsWith(location.origin + '/'));
    worker.postMessage({ type: 'mirror/idle', url: controlled ? null : location.href.split('#')[0], resources });
  })().catch(warn('service worker registration failed'));

  /** Removes the worker, its caches, the mirror and its cookie (the site owner is uninstalling it). */
  async function unregister() {
    const worker = navigator.serviceWorker.controller;
    if (worker) {
      // The worker deletes the mirror and closes its database, so deleting the database isn't blocked.
      await new Promise((resolve) => {
        const ch = new MessageChannel();
        ch.port1.onmessage = resolve;
        worker.postMessage({ type: 'mirror/clear' }, [ch.port2]);
        setTimeout(resolve, 3000);
      });
    }
    const regs = (await navigator.serviceWorker.getRegistrations()).filter((r) => (r.active || r.waiting || r.installing)?.scriptURL.startsWith(swUrl.href));
    await Promise.all(regs.map((r) => r.unregister()));
    // The worker's own cookie (its logout sentinel) goes too, once the worker no longer watches it.
    for (const r of regs) {
      const path = new URL(r.scope).pathname;
      if (self.cookieStore) await cookieStore.delete({ name: '__sitemirror', path }).catch(() => {});
      else document.cookie = `__sitemirror=; Max-Age=0; Path=${path}; SameSite=Strict; Secure`;
    }
    const names = await caches.keys();
    await Promise.all(names.filter((n) => n.startsWith('sitemirror-')).map((n) => caches.delete(n)));
    await new Promise((resolve) => {
      const req = indexedDB.deleteDatabase('sitemirror-site');
      req.onsuccess = req.onerror = req.onblocked = () => resolve();
    });
  }
})();
