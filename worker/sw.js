/**
 * sitemirror site worker (classic service worker, deployed by a site owner on their own origin).
 *
 * Classic + importScripts (wasm-bindgen `--target no-modules`, global `wasm_bindgen`) because module
 * service workers are not available in every browser a site's visitors use.
 *
 * This milestone: load the engine robustly and answer status/rewrite messages. No fetch handler yet,
 * so every request goes to the network exactly as without the worker (the network-first fallback
 * comes in a later milestone).
 */
/* global wasm_bindgen */
importScripts('pkg/sitemirror.js');

/**
 * Holds the engine files. Versioned so a new deployment whose layout changes can drop old entries
 * in `activate`; files of the same version are simply overwritten at install.
 */
const ENGINE_CACHE = 'sitemirror-engine-v1';
const GLUE_URL = new URL('pkg/sitemirror.js', self.location).href;
const WASM_URL = new URL('pkg/sitemirror_bg.wasm', self.location).href;
/** Mirror URLs stay on this origin, under the worker's scope, in a path unlikely to clash with the site's. */
const MIRROR_PREFIX = new URL('__sitemirror/m/', self.registration.scope).href;

/**
 * Start the engine from the Cache API copy when there is one: a worker restarted while the origin is
 * down must not need the network (the browser keeps sw.js and its importScripts, but not our wasm).
 * The first run (before install finished) falls back to the network.
 */
const ready = (async () => {
  const cache = await caches.open(ENGINE_CACHE);
  const wasm = (await cache.match(WASM_URL)) || (await fetch(WASM_URL));
  if (!wasm.ok) throw new Error(`sitemirror: engine wasm answered ${wasm.status}`);
  await wasm_bindgen({ module_or_path: wasm });
})();
ready.catch((err) => console.error('sitemirror: engine failed to initialise', err));

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(ENGINE_CACHE);
      // `no-cache`: revalidate, so the cached wasm matches the glue this worker version imported.
      await cache.addAll([GLUE_URL, WASM_URL].map((url) => new Request(url, { cache: 'no-cache' })));
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      const names = await caches.keys();
      await Promise.all(
        names.filter((n) => n.startsWith('sitemirror-engine-') && n !== ENGINE_CACHE).map((n) => caches.delete(n)),
      );
      // Control already-open pages now, so they can message the worker without a reload.
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('message', (event) => {
  const reply = (data) => (event.ports[0] ? event.ports[0].postMessage(data) : event.source?.postMessage(data));
  // waitUntil keeps the worker alive until the answer is sent.
  event.waitUntil(handle(event.data).catch(errorFrom).then(reply));
});

/**
 * Same protocol as the extension's messages.js (copied: a classic worker can't import ES modules).
 * @param {unknown} msg
 */
async function handle(msg) {
  if (!msg || typeof msg !== 'object') return errorResponse('message/invalid', 'message must be an object');
  if (msg.type !== 'engine/status' && msg.type !== 'engine/rewrite') {
    return errorResponse('message/invalid', `unknown message type ${JSON.stringify(msg.type)}`);
  }
  if (msg.type === 'engine/rewrite' && (typeof msg.html !== 'string' || typeof msg.url !== 'string')) {
    return errorResponse('message/invalid', 'engine/rewrite needs string html and url');
  }
  try {
    await ready;
  } catch (err) {
    return errorResponse('engine/init-failed', String(err && err.message ? err.message : err));
  }
  if (msg.type === 'engine/status') return { ok: true, version: wasm_bindgen.version() };
  const out = wasm_bindgen.rewriteHtml(new TextEncoder().encode(msg.html), {
    url: msg.url,
    mirrorPrefix: MIRROR_PREFIX,
    mode: 'static',
  });
  return { ok: true, html: new TextDecoder().decode(out) };
}

function errorResponse(code, message) {
  return { ok: false, error: { code, message } };
}

/** Engine errors carry a stable `code`: pass it through so pages can branch on it. */
function errorFrom(err) {
  const code = err && typeof err.code === 'string' ? err.code : 'internal/error';
  return errorResponse(code, err instanceof Error ? err.message : String(err));
}
