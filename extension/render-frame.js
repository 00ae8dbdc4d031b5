/**
 * Runs in a crawl's rendering frame (a content script, in the ISOLATED world: the page's scripts can't reach it),
 * registered only for the origins of sites being crawled with rendering on (extension/render.js), and acts only in
 * a frame the offscreen document named `sitemirror-render:<token>` inside this extension — anywhere else (the
 * user's own tabs on that site) it does nothing.
 *
 * It waits for the page to settle (no new request and no DOM change for QUIET_MS, at most SETTLE_MS), scrolling down
 * two viewports at a time so lazy content loads, then writes the DOM as the page's scripts left it (snapshot.js:
 * with what `outerHTML` loses — CSSOM styles, shadow roots, form state, canvases, the chosen responsive image) and
 * sends it with the URLs the page loaded, and the page measured for its fidelity score (measure.js), to the
 * extension's service worker.
 */
(() => {
  const PREFIX = 'sitemirror-render:';
  const QUIET_MS = 300;
  const SETTLE_MS = 10_000;
  const MAX_SCROLLS = 20;
  const TICK_MS = 50;
  if (window === window.top || !window.name.startsWith(PREFIX)) return;
  const origins = location.ancestorOrigins;
  if (!origins || origins[origins.length - 1] !== new URL(chrome.runtime.getURL('')).origin) return;
  const token = window.name.slice(PREFIX.length);

  let lastChange = performance.now();
  const touch = () => (lastChange = performance.now());
  // Content arriving changes the tree or its text; attribute changes alone (a scroll spy marking the current
  // heading, an animation) never stop, and are not waited for.
  new MutationObserver(touch).observe(document, { subtree: true, childList: true, characterData: true });
  new PerformanceObserver(touch).observe({ type: 'resource', buffered: false });
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  async function settle() {
    const started = performance.now();
    // The load event, or the cap: a request that never ends (a host that doesn't answer) holds the load event.
    if (document.readyState !== 'complete') {
      await Promise.race([new Promise((resolve) => addEventListener('load', resolve, { once: true })), sleep(SETTLE_MS)]);
    }
    let scrolls = 0;
    while (performance.now() - started < SETTLE_MS) {
      const atBottom = scrollY + innerHeight >= document.documentElement.scrollHeight - 2;
      if (!atBottom && scrolls < MAX_SCROLLS) {
        // Two viewports a step: what comes into view starts loading (lazy images, infinite lists).
        scrollBy(0, 2 * innerHeight);
        scrolls += 1;
        if (scrollY + innerHeight >= document.documentElement.scrollHeight - 2) touch(); // quiet counts from the bottom
      } else if (performance.now() - lastChange >= QUIET_MS) {
        break;
      }
      await sleep(TICK_MS);
    }
    scrollTo(0, 0);
  }

  async function run() {
    await settle();
    // measure.js and snapshot.js are loaded before this script, in the same isolated world.
    const measure = globalThis.sitemirrorMeasure?.(window) ?? null;
    const html = globalThis.sitemirrorSnapshot(document);
    const resources = performance.getEntriesByType('resource').map((e) => e.name).filter((u) => /^https?:/.test(u));
    await chrome.runtime.sendMessage({ type: 'render/done', token, url: location.href, html, resources, measure });
  }

  run().catch((err) => chrome.runtime.sendMessage({ type: 'render/done', token, url: location.href, error: String(err?.message ?? err) }));
})();
