/**
 * What a page shows, measured the same way live (in a crawl's rendering frame, by render-frame.js) and in replay
 * (in the offscreen document, offscreen/render.js), for its fidelity score. The comparison itself is the engine's
 * (crate/src/crawl/fidelity.rs); this only looks:
 *
 * - `cells`: the first viewport as a grid of points (GRID, the engine's), each described by what is drawn there —
 *   the element (images and canvases alike: a rendered copy keeps a canvas as an image), its effective background,
 *   its text colour, and whether an image loaded;
 * - `text`: the visible text of the body;
 * - `resources` / `missing`: the stylesheets, images and web fonts the document uses, and how many of those failed
 *   to load (counted in the DOM: Resource Timing has no entries for the extension's own URLs, where replay lives).
 *
 * A classic script (content scripts can't import modules): it defines `globalThis.sitemirrorMeasure`.
 */
(() => {
  const GRID = [32, 20];
  const TRANSPARENT = 'rgba(0, 0, 0, 0)';
  const MEDIA = new Set(['img', 'canvas', 'picture', 'video']);

  /**
   * The colour behind an element: its own background, else the nearest ancestor's (memoised per measure: most
   * points of a grid fall on the same few elements and ancestors).
   * @param {Element | null} el @param {Window} win @param {Map<Element, string>} memo
   * @returns {string}
   */
  function background(el, win, memo) {
    if (!el) return 'none';
    let out = memo.get(el);
    if (out === undefined) {
      const s = win.getComputedStyle(el);
      if (s.backgroundImage !== 'none') out = 'image';
      else if (s.backgroundColor !== TRANSPARENT) out = s.backgroundColor;
      else out = background(el.parentElement, win, memo);
      memo.set(el, out);
    }
    return out;
  }

  /** @param {Element | null} el @param {Window} win @param {Map<Element, string>} memo */
  function describe(el, win, memo) {
    if (!el) return '';
    const kind = MEDIA.has(el.localName) ? 'media' : el.localName;
    let loaded = '';
    if (el.localName === 'img') {
      const img = /** @type {HTMLImageElement} */ (el);
      loaded = img.complete && img.naturalWidth > 0 ? 'loaded' : 'broken';
    }
    return `${kind}|${background(el, win, memo)}|${win.getComputedStyle(el).color}|${loaded}`;
  }

  /**
   * @param {Window} win the page's window (scrolled to the top)
   * @returns {{text: string, cells: string[], resources: number, missing: number}}
   */
  globalThis.sitemirrorMeasure = (win) => {
    const doc = win.document;
    const [cols, rows] = GRID;
    const cells = [];
    const backgrounds = new Map();
    const described = new Map();
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const x = ((c + 0.5) * win.innerWidth) / cols;
        const y = ((r + 0.5) * win.innerHeight) / rows;
        const el = doc.elementFromPoint(x, y);
        let cell = described.get(el);
        if (cell === undefined) {
          cell = describe(el, win, backgrounds);
          described.set(el, cell);
        }
        cells.push(cell);
      }
    }
    // A disabled or alternate stylesheet (a theme not chosen) is never applied: not something the page uses.
    const sheets = /** @type {HTMLLinkElement[]} */ ([...doc.querySelectorAll('link[rel~="stylesheet"][href]:not([rel~="alternate"])')])
      .filter((link) => !link.disabled);
    const images = [...doc.images].filter((img) => img.currentSrc || img.getAttribute('src'));
    const fonts = [...doc.fonts].filter((f) => f.status !== 'unloaded');
    const failed = [
      ...sheets.filter((link) => !link.sheet),
      ...images.filter((img) => img.complete && img.naturalWidth === 0),
      ...fonts.filter((f) => f.status === 'error'),
    ];
    return {
      text: (doc.body?.innerText ?? '').slice(0, 200_000),
      cells,
      resources: sheets.length + images.length + fonts.length,
      missing: failed.length,
    };
  };
})();
