/**
 * Runs in a crawl's rendering frame (a content script, in the ISOLATED world: the page's scripts can't reach it),
 * registered only for the origins of sites being crawled with rendering on (extension/render.js), and acts only in
 * a frame the offscreen document named `sitemirror-render:<token>` inside this extension — anywhere else (the
 * user's own tabs on that site) it does nothing.
 *
 * It waits for the page to settle (no new request and no DOM change for QUIET_MS, at most SETTLE_MS), scrolling down
 * two viewports at a time so lazy content loads, then writes the DOM as the page's scripts left it — with what
 * `outerHTML` loses: styles set through the CSSOM (`insertRule`, `adoptedStyleSheets`), shadow roots (as
 * declarative shadow DOM), form state, canvases as images where readable, the source each responsive image chose —
 * and sends it with the URLs the page loaded, and the page measured for its fidelity score (measure.js), to the
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

  /**
   * Every shadow root, open or closed (a content script may read closed ones), depth first.
   * @param {Document | ShadowRoot} [root]
   * @param {ShadowRoot[]} [out]
   */
  function shadowRoots(root = document, out = []) {
    for (const el of root.querySelectorAll('*')) {
      // Only HTML elements host shadow roots (the API throws for SVG and MathML ones).
      if (!(el instanceof HTMLElement)) continue;
      let shadow = el.shadowRoot;
      try {
        shadow = chrome.dom?.openOrClosedShadowRoot?.(el) ?? shadow;
      } catch {
        // an element the API refuses: its open root (if any) is still taken
      }
      if (shadow) {
        out.push(shadow);
        shadowRoots(shadow, out);
      }
    }
    return out;
  }

  const rulesOf = (sheet) => {
    try {
      return [...sheet.cssRules].map((r) => r.cssText).join('\n');
    } catch {
      return null; // a cross-origin sheet: its <link> is kept and the file crawled
    }
  };

  /** Writes what the DOM holds only in objects into markup. The frame is discarded after. */
  function materialise(roots) {
    for (const root of [document, ...roots]) {
      // The page ran with scripts on, so its <noscript> fallbacks were never shown; replay runs none and would show
      // them (measured on mdBook: its noscript table-of-contents frame covered the sidebar scripts had built).
      for (const fallback of root.querySelectorAll('noscript')) fallback.remove();
      // Rules added through the CSSOM are not in the <style> element's text.
      for (const style of root.querySelectorAll('style')) {
        const text = style.sheet && rulesOf(style.sheet);
        if (text !== null && text !== undefined && text !== style.textContent) style.textContent = text;
      }
      const adopted = root.adoptedStyleSheets ?? [];
      if (adopted.length) {
        const style = document.createElement('style');
        style.textContent = adopted.map(rulesOf).filter((t) => t).join('\n');
        if (root === document) document.head.append(style);
        else root.append(style);
      }
      for (const input of root.querySelectorAll('input')) {
        if (input.type === 'checkbox' || input.type === 'radio') input.toggleAttribute('checked', input.checked);
        else if (input.type !== 'password' && input.type !== 'file') input.setAttribute('value', input.value);
      }
      for (const area of root.querySelectorAll('textarea')) area.textContent = area.value;
      for (const option of root.querySelectorAll('option')) option.toggleAttribute('selected', option.selected);
      for (const img of root.querySelectorAll('img')) {
        if (img.currentSrc && img.currentSrc !== img.src) img.setAttribute('src', img.currentSrc);
      }
      for (const canvas of root.querySelectorAll('canvas')) {
        try {
          const img = document.createElement('img');
          img.src = canvas.toDataURL();
          img.width = canvas.width;
          img.height = canvas.height;
          for (const name of ['id', 'class', 'style']) if (canvas.hasAttribute(name)) img.setAttribute(name, canvas.getAttribute(name));
          canvas.replaceWith(img);
        } catch {
          // A canvas holding another origin's pixels can't be read: it stays (empty in replay).
        }
      }
    }
  }

  const escapeAttr = (v) => v.replace(/&/g, '&amp;').replace(/"/g, '&quot;');

  function serialise(roots) {
    const html = document.documentElement;
    const attrs = [...html.attributes].map((a) => ` ${a.name}="${escapeAttr(a.value)}"`).join('');
    const inner = html.getHTML ? html.getHTML({ shadowRoots: roots }) : html.innerHTML;
    return `<!DOCTYPE html>\n<html${attrs}>${inner}</html>`;
  }

  async function run() {
    await settle();
    // Measured as the user would see it, before materialise() rewrites parts of the DOM (measure.js, loaded
    // before this script).
    const measure = globalThis.sitemirrorMeasure?.(window) ?? null;
    const roots = shadowRoots();
    materialise(roots);
    const html = serialise(roots);
    const resources = performance.getEntriesByType('resource').map((e) => e.name).filter((u) => /^https?:/.test(u));
    await chrome.runtime.sendMessage({ type: 'render/done', token, url: location.href, html, resources, measure });
  }

  run().catch((err) => chrome.runtime.sendMessage({ type: 'render/done', token, url: location.href, error: String(err?.message ?? err) }));
})();
