/**
 * End-to-end: capture as you browse in the built extension. Browsing a mirrored site stores each page with
 * everything it loaded (document, stylesheet, image, fetch() data) as raw responses; the site can then be read
 * offline. A site that isn't mirrored is never captured.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchExtension, extensionWorker } from './lib/browser.mjs';
import { startServer } from './lib/server.mjs';

let ext;
before(async () => {
  ext = await launchExtension();
});
after(async () => {
  await ext?.close();
});

const ROUTES = {
  '/index.html':
    '<!doctype html><title>Shop</title><link rel=stylesheet href="/css/site.css"><h1>Shop</h1>' +
    '<img id=pic src="/img/p.svg"><a href="/about.html">about</a><a href="https://elsewhere.example/">out</a>' +
    '<p id=data></p><script>fetch("/api/data.json").then(r => r.json()).then(d => { data.textContent = d.msg })</script>',
  '/about.html': '<!doctype html><title>About</title><h1>About</h1>',
  '/css/site.css': 'h1 { color: rgb(10, 20, 30); }',
  '/img/p.svg': '<svg xmlns="http://www.w3.org/2000/svg" width="9" height="4"></svg>',
  '/api/data.json': '{"msg": "loaded by script"}',
  '/old': { status: 301, headers: { Location: '/about.html' }, body: '' },
  '/cached.html': '<!doctype html><title>Cached</title><link rel=stylesheet href="/css/cached.css"><h1>Cached</h1>',
  '/css/cached.css': { headers: { 'Cache-Control': 'max-age=3600' }, body: 'h1 { color: rgb(1, 1, 1); }' },
  '/app.html':
    '<!doctype html><title>App</title><div id=root></div>' +
    '<script>document.getElementById("root").innerHTML = "<h1>Built by script</h1>"</script>',
  // What outerHTML loses: a box ticked by script, a CSSOM rule, a shadow root with an adopted sheet, a canvas, a
  // noscript fallback that never showed.
  '/state.html':
    '<!doctype html><title>State</title><input type=checkbox id=box><input id=name><style id=css></style>' +
    '<div id=host></div><canvas id=pic width=4 height=2></canvas><noscript><p id=fallback>Enable JavaScript</p></noscript>' +
    '<script>box.checked = true; document.getElementById("name").value = "typed"; css.sheet.insertRule("h2 { color: rgb(7, 8, 9) }");' +
    'const root = host.attachShadow({ mode: "closed" }); const s = new CSSStyleSheet(); s.replaceSync("p { color: rgb(1, 2, 3) }");' +
    'root.adoptedStyleSheets = [s]; root.innerHTML = "<p>In the shadow</p>";' +
    'const g = pic.getContext("2d"); g.fillStyle = "red"; g.fillRect(0, 0, 4, 2);' +
    'document.body.insertAdjacentHTML("beforeend", "<h2>Styled</h2>")</script>',
};

/** Polls the store in the SW until `url` has a capture (capture runs after the page's load event). */
function waitForCapture(url, timeout = 5000) {
  return extensionWorker(ext.ctx).evaluate(
    async ({ url, timeout }) => {
      const store = await globalThis.sitemirror.storeReady;
      const end = Date.now() + timeout;
      while (Date.now() < end) {
        const c = await store.lookup(url, undefined);
        if (c) return c;
        await new Promise((r) => setTimeout(r, 50));
      }
      return null;
    },
    { url, timeout },
  );
}

function inStore(fn, arg) {
  return extensionWorker(ext.ctx).evaluate(fn, arg);
}

/** A fresh origin serving ROUTES, registered as a mirrored site (as "Mirror this site" does). */
async function mirroredOrigin() {
  const server = await startServer({ routes: { ...ROUTES } });
  await inStore(async (site) => {
    const store = await globalThis.sitemirror.storeReady;
    await store.putSite({ id: site, startUrl: site, created: 1, updated: 1, settings: {} });
  }, `${server.origin}/`);
  return server;
}

test('browsing a mirrored site stores every page with everything it loaded', async () => {
  const server = await mirroredOrigin();
  const page = await ext.ctx.newPage();
  try {
    await page.goto(`${server.origin}/index.html`);
    await page.waitForFunction(() => document.getElementById('data').textContent === 'loaded by script');
    const doc = await waitForCapture(`${server.origin}/index.html`);
    assert.ok(doc, 'the document was captured');
    // Fetched by the page's script, possibly after the load event: stored in a later batch.
    assert.ok(await waitForCapture(`${server.origin}/api/data.json`), 'the fetch() response was captured');
    await page.goto(`${server.origin}/old`); // a redirect to /about.html
    await waitForCapture(`${server.origin}/about.html`);
    const got = await inStore(async (origin) => {
      const store = await globalThis.sitemirror.storeReady;
      const text = async (path) => {
        const c = await store.lookup(origin + path, undefined);
        if (!c) return null;
        const body = await store.body(c.digest);
        return { status: c.status, type: c.headers.find(([n]) => n === 'content-type')?.[1], text: new TextDecoder().decode(body) };
      };
      const old = await store.lookup(`${origin}/old`, undefined);
      const redirected = await store.lookup(`${origin}/old`, { followRedirects: true });
      return {
        css: await text('/css/site.css'),
        img: await text('/img/p.svg'),
        data: await text('/api/data.json'),
        old: old && [old.status, old.headers.find(([n]) => n === 'location')?.[1]],
        redirected: redirected?.url,
        frontier: (await store.frontier(`${origin}/`)).map((e) => [e.url.slice(origin.length), e.state]).sort(),
      };
    }, server.origin);
    assert.deepEqual(got.css, { status: 200, type: 'text/css; charset=utf-8', text: ROUTES['/css/site.css'] });
    assert.equal(got.img.text, ROUTES['/img/p.svg']);
    assert.equal(got.data.text, ROUTES['/api/data.json'], 'fetch()/XHR responses are captured too');
    assert.equal(got.old[0], 301);
    assert.equal(got.redirected, `${server.origin}/about.html`, 'replay follows the stored redirect');
    // Visited pages are done; the page it links to inside the site was queued; the outside link was not.
    assert.deepEqual(got.frontier, [['/about.html', 'done'], ['/index.html', 'done']]);
  } finally {
    await page.close();
    await server.close();
  }
});

test('the captured site is readable after its origin is gone', async () => {
  const server = await mirroredOrigin();
  const page = await ext.ctx.newPage();
  try {
    await page.goto(`${server.origin}/index.html`);
    await waitForCapture(`${server.origin}/css/site.css`);
    await server.close();
    await page.goto(`${server.origin}/index.html`).catch(() => {});
    await page.waitForURL(/\/view\.html\?url=/, { timeout: 5000 });
    const frame = page.frameLocator('#mirror');
    await frame.locator('h1').waitFor();
    assert.equal(await frame.locator('h1').evaluate((h) => getComputedStyle(h).color), 'rgb(10, 20, 30)');
    assert.equal(await frame.locator('#pic').evaluate((i) => i.naturalWidth), 9);
  } finally {
    await page.close();
  }
});

test('a page built by JavaScript replays as rendered, though replay runs no script', async () => {
  const server = await mirroredOrigin();
  const page = await ext.ctx.newPage();
  try {
    await page.goto(`${server.origin}/app.html`);
    await waitForCapture(`${server.origin}/app.html#rendered`);
    // Later batches (responses after the load event) must not store the document again: a newer version without a
    // rendered companion would replay as the raw, script-less page. The capture's own in-page re-reads of bodies
    // are responses in the tab too; they are not the page loading anything. A late request of the page's own
    // is stored by the next batch: once it is there, that batch has run, and a document stored again would be too.
    await page.evaluate(() => fetch('/api/data.json?late=1').then((r) => r.text()));
    assert.ok(await waitForCapture(`${server.origin}/api/data.json?late=1`), 'the late response is stored by a later batch');
    const versions = await inStore(async (u) => (await (await globalThis.sitemirror.storeReady).versions(u)).length, `${server.origin}/app.html`);
    assert.equal(versions, 1, 'one visit, one version of the document');
    await server.close();
    await page.goto(`${server.origin}/app.html`).catch(() => {});
    await page.waitForURL(/\/view\.html\?url=/, { timeout: 5000 });
    const frame = page.frameLocator('#mirror');
    await frame.locator('h1').waitFor();
    assert.equal(await frame.locator('h1').textContent(), 'Built by script');
    assert.equal(await frame.locator('script').count(), 0, 'and the rendered copy carries no script');
  } finally {
    await page.close();
  }
});

test('a visited page is kept with what outerHTML loses — form state, CSSOM, a closed shadow root, a canvas — and the page itself is left as it was', async () => {
  const server = await mirroredOrigin();
  const page = await ext.ctx.newPage();
  try {
    await page.goto(`${server.origin}/state.html`);
    const before = await page.evaluate(() => document.documentElement.outerHTML);
    await waitForCapture(`${server.origin}/state.html#rendered`);
    // The user's page: not one attribute, element or style changed by the capture.
    assert.equal(await page.evaluate(() => document.documentElement.outerHTML), before);
    assert.equal(await page.evaluate(() => document.querySelectorAll('canvas, noscript').length), 2);
    await server.close();
    await page.goto(`${server.origin}/state.html`).catch(() => {});
    await page.waitForURL(/\/view\.html\?url=/, { timeout: 5000 });
    const frame = page.frameLocator('#mirror');
    await frame.locator('h2').waitFor();
    const seen = await frame.locator('html').evaluate(() => {
      const p = document.getElementById('host').shadowRoot?.querySelector('p');
      const pic = document.getElementById('pic');
      return {
        checked: /** @type {HTMLInputElement} */ (document.getElementById('box')).checked,
        name: /** @type {HTMLInputElement} */ (document.getElementById('name')).value,
        h2: getComputedStyle(document.querySelector('h2')).color,
        shadow: p?.textContent,
        shadowColor: p && getComputedStyle(p).color,
        canvas: `${pic.localName} ${pic.getAttribute('src')?.slice(0, 22)}`,
        fallback: document.getElementById('fallback') === null,
      };
    });
    assert.deepEqual(seen, {
      checked: true,
      name: 'typed',
      h2: 'rgb(7, 8, 9)',
      shadow: 'In the shadow',
      shadowColor: 'rgb(1, 2, 3)',
      canvas: 'img data:image/png;base64,',
      fallback: true,
    });
  } finally {
    await page.close();
  }
});

test('bodies the HTTP cache holds are captured without asking the origin again', async () => {
  const server = await mirroredOrigin();
  const page = await ext.ctx.newPage();
  try {
    await page.goto(`${server.origin}/cached.html`);
    const css = await waitForCapture(`${server.origin}/css/cached.css`);
    assert.ok(css, 'the stylesheet was captured');
    const hits = server.requests.filter((p) => p === '/css/cached.css').length;
    assert.equal(hits, 1, 'the page loaded it once; the capture read it from the cache');
    // A no-store document can't come from the cache: reading it again is expected.
    assert.equal(server.requests.filter((p) => p === '/cached.html').length, 2);
  } finally {
    await page.close();
    await server.close();
  }
});

test('a site that is not mirrored is never captured', async () => {
  const server = await startServer({ routes: { ...ROUTES } });
  const mirrored = await mirroredOrigin();
  const page = await ext.ctx.newPage();
  try {
    await page.goto(`${server.origin}/index.html`);
    // The positive control: a mirrored page loaded next in the same tab is captured, so capture ran (tab events
    // are handled in order) and had its chance at the first page.
    await page.goto(`${mirrored.origin}/about.html`);
    assert.ok(await waitForCapture(`${mirrored.origin}/about.html`), 'the mirrored page visited after it was captured');
    const found = await inStore(async (url) => {
      const store = await globalThis.sitemirror.storeReady;
      return (await store.lookup(url, undefined)) ?? null;
    }, `${server.origin}/index.html`);
    assert.equal(found, null);
  } finally {
    await page.close();
    await server.close();
    await mirrored.close();
  }
});

test('incognito visits are never captured, even when the user allows the extension in incognito (issue 11 item 8)', async () => {
  // The manifest says `"incognito": "not_allowed"`: the extension never runs in incognito, so nothing a user does
  // there is written to disk. The user's "Allow in Incognito" switch is on here; without the manifest key, this
  // browser hands incognito tabs' requests to the extension and capture stores them.
  const own = await launchExtension({ allowIncognito: true });
  const server = await startServer({ routes: { ...ROUTES } });
  try {
    const sw = own.sw;
    await sw.evaluate(async (site) => {
      const store = await globalThis.sitemirror.storeReady;
      await store.putSite({ id: site, startUrl: site, created: 1, updated: 1, settings: {} });
    }, `${server.origin}/`);
    // An incognito window on the mirrored site (extensions may open one even where they can't run).
    await sw.evaluate((url) => chrome.windows.create({ incognito: true, url }), `${server.origin}/about.html`);
    const deadline = Date.now() + 10_000;
    while (!server.requests.includes('/about.html') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.ok(server.requests.includes('/about.html'), 'the incognito window loaded the page');
    // Positive control, after it: a normal visit is captured — by then the incognito one would have been too.
    const page = await own.ctx.newPage();
    await page.goto(`${server.origin}/index.html`);
    const normal = await sw.evaluate(async (url) => {
      const store = await globalThis.sitemirror.storeReady;
      for (const end = Date.now() + 10_000; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) {
        if (await store.lookup(url, undefined)) return true;
      }
      return false;
    }, `${server.origin}/index.html`);
    assert.equal(normal, true, 'a normal visit is captured');
    const incognito = await sw.evaluate(async (url) => !!(await (await globalThis.sitemirror.storeReady).lookup(url, undefined)), `${server.origin}/about.html`);
    assert.equal(incognito, false, 'the incognito visit was stored');
    assert.equal(await sw.evaluate(() => chrome.extension.isAllowedIncognitoAccess()), false);
  } finally {
    await own.close();
    await server.close();
  }
});
