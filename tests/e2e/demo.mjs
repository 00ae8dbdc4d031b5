/**
 * `./build.sh demo`: shows the built extension's engine at work on a small local site.
 * Headed when a display is available (DISPLAY set), headless otherwise. Everything it prints comes from
 * the real engine in the extension's service worker; screenshots go to docs/screenshots/.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { launchExtension, extensionWorker, ROOT } from './lib/browser.mjs';
import { startServer } from './lib/server.mjs';

const SHOTS = path.join(ROOT, 'docs/screenshots');

const SITE = {
  '/': `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Demo bakery</title>
<link rel="stylesheet" href="/style.css"></head>
<body><h1>Demo bakery</h1>
<p><img src="img/bread.svg" alt="bread" width="120"></p>
<p><a href="menu.html">Our menu</a> · <a href="https://example.com/elsewhere">elsewhere</a></p>
<script>document.body.insertAdjacentHTML('beforeend', '<p>(this line was added by the page script)</p>')</script>
</body></html>`,
  '/menu.html': '<!doctype html><title>Menu</title><h1>Menu</h1><a href="/">home</a>',
  '/style.css': 'body{font:16px system-ui;margin:2em;background:#fdf6e3}h1{color:#8a5a00}',
  '/img/bread.svg':
    '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="60"><ellipse cx="60" cy="30" rx="55" ry="25" fill="#d9a441"/></svg>',
};

const ext = await launchExtension({ headless: !process.env.DISPLAY });
const site = await startServer({ routes: SITE });
try {
  await mkdir(SHOTS, { recursive: true });
  const url = `${site.origin}/`;

  const live = await ext.ctx.newPage();
  await live.setViewportSize({ width: 640, height: 360 });
  await live.goto(url);
  const siteShot = path.join(SHOTS, 'demo-site.png');
  await live.screenshot({ path: siteShot });

  // The product path: an extension page asks the background SW, which runs the wasm engine.
  const popup = await ext.ctx.newPage();
  await popup.setViewportSize({ width: 320, height: 120 });
  await popup.goto(`chrome-extension://${ext.extensionId}/popup/popup.html`);
  await popup.waitForSelector('#engine-status[data-state]');
  const popupShot = path.join(SHOTS, 'popup.png');
  await popup.screenshot({ path: popupShot });

  const html = await (await fetch(url)).text();
  const rewritten = await popup.evaluate((m) => chrome.runtime.sendMessage(m), { type: 'engine/rewrite', html, url });
  if (!rewritten.ok) throw new Error(`rewrite failed: ${rewritten.error.code}`);
  const links = await extensionWorker(ext.ctx).evaluate(async ({ html, url }) => {
    await globalThis.sitemirror.ready;
    const out = globalThis.sitemirror.engine.extractLinks(new TextEncoder().encode(html), { url });
    return { pages: Array.from(out.pages), resources: Array.from(out.resources) };
  }, { html, url });

  console.log(`engine ${await popup.textContent('#engine-status')} in extension ${ext.extensionId}`);
  console.log(`\n--- ${url} as served ---\n${html}`);
  console.log(`\n--- rewritten for static replay (mirror prefix chrome-extension://${ext.extensionId}/m/) ---`);
  console.log(rewritten.html);
  console.log('\n--- links found ---');
  console.log(`pages:     ${links.pages.join('\n           ')}`);
  console.log(`resources: ${links.resources.join('\n           ')}`);
  console.log(`\nscreenshots:\n  ${path.relative(ROOT, siteShot)}\n  ${path.relative(ROOT, popupShot)}`);
} finally {
  await ext.close();
  await site.close();
}
