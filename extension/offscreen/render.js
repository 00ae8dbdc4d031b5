/**
 * The offscreen document that holds the crawl's rendering frames (see extension/render.js). Each page is loaded in
 * a sandboxed frame: its scripts run in the site's own origin, never this one's (the frame is cross-origin to the
 * extension, so it reaches no `chrome.*`); the sandbox allows scripts and the site's own origin and nothing else —
 * no alerts or other dialogs, no popups, no downloads, no form submission, no navigation of this document — and a
 * cross-origin frame gets no permission prompt (geolocation, notifications, camera…) it isn't delegated.
 */
const openFrames = new Map();

chrome.runtime.onMessage.addListener((msg) => {
  if (!msg || msg.target !== 'render-offscreen') return;
  if (msg.type === 'render/open') open(msg.token, msg.url, msg.width, msg.height);
  if (msg.type === 'render/close') close(msg.token);
  if (msg.type === 'render/reset') for (const token of [...openFrames.keys()]) close(token);
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

/** @param {string} token */
function close(token) {
  openFrames.get(token)?.remove();
  openFrames.delete(token);
}
