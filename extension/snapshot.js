/**
 * The DOM as a page's scripts left it, written as HTML that replays like the page — without touching the page.
 * Used by a crawl's rendering frame (render-frame.js) and by capture as you browse (capture.js, in the user's own
 * tab, which must stay exactly as it is). It serialises a clone, into which it copies what `outerHTML` loses:
 *
 * - styles set through the CSSOM (`insertRule`) and adopted stylesheets (CSS-in-JS), as `<style>` text;
 * - shadow roots, open or closed, as declarative shadow DOM;
 * - form state: checked boxes, typed values (never a password or a file), selected options;
 * - the source each responsive image chose (`currentSrc`), and canvases as images where they can be read;
 * - no `<noscript>` fallback: the page ran with scripts on, so it never showed them (replay runs none, and would).
 *
 * A classic script (content scripts and `executeScript` files can't be modules): it defines
 * `globalThis.sitemirrorSnapshot(document)`.
 */
(() => {
  /** The CSSOM text of a sheet, or null when another origin's sheet can't be read (its <link> stays). */
  const rulesOf = (sheet) => {
    try {
      return [...sheet.cssRules].map((r) => r.cssText).join('\n');
    } catch {
      return null;
    }
  };

  /** An element's shadow root, open or closed (a content script may read closed ones). */
  const shadowOf = (el) => {
    if (!(el instanceof HTMLElement)) return null; // only HTML elements host shadow roots
    try {
      return chrome.dom?.openOrClosedShadowRoot?.(el) ?? el.shadowRoot;
    } catch {
      return el.shadowRoot;
    }
  };

  /**
   * Copies into a clone what the live tree holds only in objects. `live` and `cloned`: the elements of the live
   * tree and of its clone, in document order (the same structure: cloned synchronously, just before).
   * @param {Element[]} live @param {Element[]} cloned @param {Document} doc
   * @param {Element | ShadowRoot} copy the clone's root (its <noscript> elements go)
   */
  function transfer(live, cloned, doc, copy) {
    if (live.length !== cloned.length) return; // not the same tree: the clone stays as cloned
    for (let i = 0; i < live.length; i++) {
      const el = /** @type {any} */ (live[i]);
      const out = cloned[i];
      switch (el.localName) {
        case 'style': {
          const text = el.sheet && rulesOf(el.sheet);
          if (text !== null && text !== undefined && text !== el.textContent) out.textContent = text;
          break;
        }
        case 'input':
          if (el.type === 'checkbox' || el.type === 'radio') out.toggleAttribute('checked', el.checked);
          else if (el.type !== 'password' && el.type !== 'file') out.setAttribute('value', el.value);
          break;
        case 'textarea':
          out.textContent = el.value;
          break;
        case 'option':
          out.toggleAttribute('selected', el.selected);
          break;
        case 'img':
          if (el.currentSrc && el.currentSrc !== el.src) out.setAttribute('src', el.currentSrc);
          break;
        case 'canvas':
          try {
            const img = doc.createElement('img');
            img.setAttribute('src', el.toDataURL());
            img.setAttribute('width', String(el.width));
            img.setAttribute('height', String(el.height));
            for (const name of ['id', 'class', 'style']) if (el.hasAttribute(name)) img.setAttribute(name, el.getAttribute(name));
            out.replaceWith(img);
          } catch {
            // another origin's pixels can't be read: the canvas stays (empty in replay)
          }
          break;
        default:
      }
      const shadow = shadowOf(el);
      if (shadow && !out.shadowRoot) {
        try {
          const root = out.attachShadow({ mode: 'open', serializable: true });
          for (const child of shadow.childNodes) root.append(child.cloneNode(true));
          transfer([...shadow.querySelectorAll('*')], [...root.querySelectorAll('*')], doc, root);
          const adopted = (shadow.adoptedStyleSheets ?? []).map(rulesOf).filter((t) => t);
          if (adopted.length) root.append(Object.assign(doc.createElement('style'), { textContent: adopted.join('\n') }));
        } catch {
          // an element that can't host one in the copy: its light DOM alone is kept
        }
      }
    }
    for (const fallback of copy.querySelectorAll('noscript')) fallback.remove();
  }

  /**
   * @param {Document} doc the live document (left as it is)
   * @returns {string} `<!DOCTYPE html>` and the document
   */
  globalThis.sitemirrorSnapshot = (doc) => {
    const html = doc.documentElement;
    const copy = /** @type {Element} */ (html.cloneNode(true));
    transfer([html, ...html.querySelectorAll('*')], [copy, ...copy.querySelectorAll('*')], doc, copy);
    const adopted = (doc.adoptedStyleSheets ?? []).map(rulesOf).filter((t) => t);
    if (adopted.length) {
      const style = doc.createElement('style');
      style.textContent = adopted.join('\n');
      (copy.querySelector('head') ?? copy).append(style);
    }
    const escape = (v) => v.replace(/&/g, '&amp;').replace(/"/g, '&quot;');
    const attrs = [...copy.attributes].map((a) => ` ${a.name}="${escape(a.value)}"`).join('');
    const inner = copy.getHTML ? copy.getHTML({ serializableShadowRoots: true }) : copy.innerHTML;
    return `<!DOCTYPE html>\n<html${attrs}>${inner}</html>`;
  };
})();
