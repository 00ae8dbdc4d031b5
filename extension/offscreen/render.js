/**
 * The offscreen document that holds the crawl's rendering frames (see extension/render.js). Each page is loaded in
 * a sandboxed frame: its scripts run in the site's own origin, never this one's (the frame is cross-origin to the
 * extension, so it reaches no `chrome.*`); the sandbox allows scripts and the site's own origin and nothing else —
 * no alerts or other dialogs, no popups, no downloads, no form submission, no navigation of this document — and a
 * cross-origin frame gets no permission prompt (geolocation, notifications, camera…) it isn't delegated.
 */
const openFrames = new Map();

chrome.runtime.onMessage.addListener((msg, sender, sendResponse) => {
  if (!msg || msg.target !== 'render-offscreen' || sender.id !== chrome.runtime.id) return;
  if (msg.type === 'render/ping') {
    sendResponse(true);
    return;
  }
  if (msg.type === 'render/open') open(msg.token, msg.url, msg.width, msg.height);
  if (msg.type === 'render/close') close(msg.token);
  if (msg.type === 'render/reset') for (const token of [...openFrames.keys()]) close(token);
  if (msg.type === 'render/measure' && typeof msg.url === 'string' && msg.url.startsWith(chrome.runtime.getURL('m/'))) {
    measureReplay(msg.url, msg.width, msg.height).then(sendResponse, () => sendResponse(null));
    return true;
  }
});

/** @param {string} token @param {string} url @param {number} width @param {number} height */
function open(token, url, width, height) {
  close(token);
  const frame = document.createElement('iframe');
  frame.setAttribute('sandbox', 'allow-scripts allow-same-origin');
  frame.setAttribute('referrerpolicy', 'no-referrer');
  // The frame script (extension/render-frame.js) answers only in a frame named like this.
  frame.name = `sitemirror-render:${token}`;
  frame.style.cssText = `width:${width}px;height:${height}px;border:0;position:absolute;left:0;top:0`;
  document.body.append(frame);
  // Lay the frame out before its page starts: a page's first script may read its width (mdBook opens its
  // sidebar at ≥ 1080 px), and a document nobody looks at is not laid out until something asks.
  void frame.getBoundingClientRect();
  frame.src = url;
  openFrames.set(token, frame);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A page's replay (a mirror URL) measured as its render was (measure.js): loaded in a frame where no script
 * runs (the sandbox says so whatever the response does; the replay's own CSP does too), same origin as this
 * document so it can look, given time for its fonts and images. Null when it doesn't load.
 * @param {string} url @param {number} width @param {number} height
 */
async function measureReplay(url, width, height) {
  const frame = document.createElement('iframe');
  frame.setAttribute('sandbox', 'allow-same-origin');
  frame.style.cssText = `width:${width}px;height:${height}px;border:0;position:absolute;left:0;top:0`;
  document.body.append(frame);
  void frame.getBoundingClientRect();
  try {
    const loaded = new Promise((resolve) => frame.addEventListener('load', () => resolve(true), { once: true }));
    frame.src = url;
    if (!(await Promise.race([loaded, sleep(15_000).then(() => false)]))) return null;
    const win = frame.contentWindow;
    const doc = frame.contentDocument;
    if (!win || !doc) return null;
    const images = [...doc.images].filter((img) => !img.complete);
    const settled = (img) => new Promise((resolve) => (img.addEventListener('load', resolve), img.addEventListener('error', resolve)));
    await Promise.race([Promise.all([doc.fonts.ready, ...images.map(settled)]), sleep(3000)]);
    return globalThis.sitemirrorMeasure(win);
  } catch {
    return null;
  } finally {
    frame.remove();
  }
}

/** @param {string} token */
function close(token) {
  openFrames.get(token)?.remove();
  openFrames.delete(token);
}
