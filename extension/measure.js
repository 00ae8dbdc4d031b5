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

  /** The colour behind an element: its own background, else the nearest ancestor's. */
  function background(el, win) {
    for (let e = el; e; e = e.parentElement) {
      const s = win.getComputedStyle(e);
      if (s.backgroundImage !== 'none') return 'image';
      if (s.backgroundColor !== TRANSPARENT) return s.backgroundColor;
    }
    return 'none';
  }

  function describe(el, win) {
    if (!el) return '';
    const kind = MEDIA.has(el.localName) ? 'media' : el.localName;
    let loaded = '';
    if (el.localName === 'img') loaded = el.complete && el.naturalWidth > 0 ? 'loaded' : 'broken';
    return `${kind}|${background(el, win)}|${win.getComputedStyle(el).color}|${loaded}`;
  }

  /**
   * @param {Window} win the page's window (scrolled to the top)
   * @returns {{text: string, cells: string[], resources: number, missing: number}}
   */
  globalThis.sitemirrorMeasure = (win) => {
    const doc = win.document;
    const [cols, rows] = GRID;
    const cells = [];
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const x = ((c + 0.5) * win.innerWidth) / cols;
        const y = ((r + 0.5) * win.innerHeight) / rows;
        cells.push(describe(doc.elementFromPoint(x, y), win));
      }
    }
    const sheets = /** @type {HTMLLinkElement[]} */ ([...doc.querySelectorAll('link[rel~="stylesheet"][href]')]);
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
