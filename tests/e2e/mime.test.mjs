/**
 * MIME confusion (issue 11 items 2 and 3): a stored response that Chromium would render as a document is never
 * served unrewritten at the extension's origin, whatever its Content-Type says — comma lists, parameters and
 * comments, case, duplicate headers, no type at all, SVG, XML holding XHTML, xml-stylesheet. Each variant is
 * crawled from a hostile origin (the product's own path into the store), the origin is stopped, and each is
 * opened in the viewer and at its mirror URL: no script runs, no connection reaches the leak server (preconnect
 * sends no request, so it counts TCP connections), and every link stays inside the mirror, clicked or not.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launchExtension } from './lib/browser.mjs';
import { startServer } from './lib/server.mjs';
import { until } from './lib/wait.mjs';

/** A route that answers with exactly these headers (node:http sends an array value as repeated headers). */
const raw = (headers, body) => (req, res) => {
  res.writeHead(200, { 'cache-control': 'no-store', ...headers });
  res.end(body);
};

test('responses the browser renders as documents are served only through the static rewriter', async (t) => {
  const leak = await startServer({ routes: {} });
  const L = `http://127.0.0.1:${leak.port}`;
  // The page every HTML-ish variant carries: a preconnect and a prefetch to the leak, a script that would retitle
  // the page and call out, a link into the extension's own pages (relative) and one to the live web.
  const armed = (name) => `<!doctype html><html><head><title>${name}</title>
<link rel="preconnect" href="${L}"><link rel="dns-prefetch" href="${L}">
<script>document.title = 'RAN'; fetch('${L}/script')</script></head>
<body><h1>${name}</h1><a id="inside" href="/dashboard/dashboard.html">dashboard</a>
<a id="live" href="${L}/clicked">live</a><img src="${L}/img.png" onerror="document.title='RAN'"></body></html>`;
  const svg = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE svg [<!ENTITY live "${L}/entity">]>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="200" height="200">
  <title>svg</title>
  <script>document.title = 'RAN'; fetch('${L}/svg-script')</script>
  <a id="live" xlink:href="${L}/svg-clicked"><rect width="100" height="100" fill="url(${L}/fill#g) red"/></a>
  <a id="inside" href="/dashboard/dashboard.html"><circle cx="150" cy="150" r="40"/>
    <set attributeName="href" to="${L}/smil" begin="0s"/></a>
  <foreignObject width="200" height="50"><div xmlns="http://www.w3.org/1999/xhtml"><a href="${L}/fo">fo</a>
    <link rel="preconnect" href="${L}"/></div></foreignObject>
</svg>`;
  const xhtmlInXml = `<?xml version="1.0"?>
<?xml-stylesheet type="text/xsl" href="${L}/transform.xsl"?>
<root><html xmlns="http://www.w3.org/1999/xhtml"><head><title>xml</title><link rel="preconnect" href="${L}"/>
<script>document.title = 'RAN'</script></head><body><a id="live" href="${L}/xml-clicked">live</a>
<a id="inside" href="/dashboard/dashboard.html">dashboard</a></body></html></root>`;
  const variants = {
    '/comma': raw({ 'content-type': 'text/plain, text/html' }, armed('comma')),
    '/comment': raw({ 'content-type': 'text/html (comment)' }, armed('comment')),
    '/case': raw({ 'content-type': 'TEXT/HTML; Charset="UTF-8"' }, armed('case')),
    '/duplicate': raw({ 'content-type': ['text/plain', 'text/html'] }, armed('duplicate')),
    '/untyped': (req, res) => {
      res.removeHeader('content-type');
      res.writeHead(200, { 'cache-control': 'no-store' });
      res.end(armed('untyped'));
    },
    '/octet': raw({ 'content-type': 'application/octet-stream' }, armed('octet')),
    '/svg': raw({ 'content-type': 'image/svg+xml' }, svg),
    '/xml': raw({ 'content-type': 'application/xml' }, xhtmlInXml),
    '/xhtml': raw({ 'content-type': 'application/xhtml+xml' }, armed('xhtml').replace('<html>', '<html xmlns="http://www.w3.org/1999/xhtml">')),
  };
  const site = await startServer({
    routes: {
      '/': { headers: { 'content-type': 'text/html' }, body: `<!doctype html><title>index</title>${Object.keys(variants).map((p) => `<a href="${p}">${p}</a>`).join(' ')}` },
      '/robots.txt': { headers: { 'content-type': 'text/plain' }, body: 'User-agent: *\nAllow: /\n' },
      ...variants,
    },
  });
  const ext = await launchExtension();
  t.after(async () => {
    await ext.close();
    await leak.close();
    await site.close();
  });
  const ui = await ext.ctx.newPage();
  await ui.goto(`chrome-extension://${ext.extensionId}/dashboard/dashboard.html`);
  const send = (m) => ui.evaluate((msg) => chrome.runtime.sendMessage(msg), m);
  const S = site.origin;
  const started = await send({ type: 'crawl/start', url: `${S}/`, options: { externalResources: false, timeoutMs: 3000 } });
  assert.equal(started.ok, true, JSON.stringify(started));
  await until(async () => (await send({ type: 'crawl/status', site: `${S}/` })).job?.state === 'done', 'the crawl', 60_000);
  for (const p of Object.keys(variants)) assert.ok(site.requests.includes(p), `${p} was not crawled`);
  await site.close();
  // Positive control for the leak counter: a connection to it is counted.
  await fetch(`${L}/control`);
  assert.equal(leak.connections(), 1);

  const prefix = `chrome-extension://${ext.extensionId}/m/`;
  const mirror = (p) => `${prefix}http/127.0.0.1:${site.port}${p}`;
  for (const path of Object.keys(variants)) {
    // 1. Opened in the viewer (a sandboxed frame), 2. opened at its mirror URL as a top-level page.
    const viewer = await ext.ctx.newPage();
    await viewer.goto(`chrome-extension://${ext.extensionId}/view.html?url=${encodeURIComponent(S + path)}`);
    const frame = await until(() => viewer.frames().find((f) => f.url().startsWith(mirror(path))), `${path} in the viewer`);
    await frame.waitForLoadState('load');
    const top = await ext.ctx.newPage();
    const res = await top.goto(mirror(path));
    assert.equal(res.headers()['content-type'], 'text/html; charset=utf-8', `${path} is served as a rewritten document`);
    for (const [where, doc] of [['viewer', frame], ['top', top]]) {
      const seen = await doc.evaluate(() => ({
        title: document.title,
        scripts: document.getElementsByTagName('script').length,
        links: [...document.querySelectorAll('a, [href]')]
          .map((a) => a.getAttribute('href') ?? a.getAttributeNS('http://www.w3.org/1999/xlink', 'href'))
          .filter((h) => h !== null),
        html: document.documentElement.outerHTML,
      }));
      assert.notEqual(seen.title, 'RAN', `${path} (${where}): a script ran`);
      assert.equal(seen.scripts, 0, `${path} (${where}): a script element survived`);
      assert.ok(seen.links.length >= 1, `${path} (${where}): no link to check: ${seen.html.slice(0, 300)}`);
      for (const href of seen.links) {
        assert.ok(href === '' || href.startsWith('#') || href.startsWith(prefix), `${path} (${where}): a link leaves the mirror: ${href}`);
      }
      assert.ok(!seen.html.includes(L), `${path} (${where}): the leak's address is still in the page: ${seen.html.split(L).slice(0, -1).map((x) => x.slice(-60)).join(' | ')}`);
    }
    // Clicks stay inside the mirror: each link (the one that pointed live, the one that pointed into the
    // extension) navigates — to a mirror URL.
    for (const id of ['#live', '#inside']) {
      const page = await ext.ctx.newPage();
      await page.goto(mirror(path));
      if (await page.$(id)) {
        const before = page.url();
        await page.click(id, { force: true });
        await page.waitForURL((u) => u.href !== before, { timeout: 10_000 }).catch(async () => {
          const what = await page.$eval(id, (a) => a.outerHTML.slice(0, 300));
          throw new Error(`${path}: clicking ${id} did not navigate: ${what}`);
        });
        assert.ok(page.url().startsWith(prefix), `${path}: clicking ${id} left the mirror for ${page.url()}`);
      }
      await page.close();
    }
    await viewer.close();
    await top.close();
  }
  assert.equal(leak.connections(), 1, `the leak server was reached: ${leak.log.map((r) => r.path)}`);
});
