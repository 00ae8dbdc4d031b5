/**
 * End-to-end: replay from the mirror in the built extension. Pages are captured into the real store (through
 * MirrorStore in the extension's service worker) from a local origin, then opened at their mirror URLs:
 * - a normal page replays with its stylesheet and image (computed styles and natural sizes, not just text);
 * - a hostile page's scripts never run (inline, external, handlers, javascript: links, meta refresh), it can't
 *   reach chrome.* storage, and the live origin receives zero requests while it is replayed. The same page served
 *   live is shown to do all of that, so the test can fail.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import fs from 'node:fs';
import path from 'node:path';
import { launchExtension, extensionWorker } from './lib/browser.mjs';
import { startServer } from './lib/server.mjs';
import { captureFrom } from './lib/mirror.mjs';
import { timeUntil, assertWindowLongEnough, quiet } from './lib/wait.mjs';

/** A real PNG of w×h solid pixels (so naturalWidth proves the image bytes were served). */
function png(w, h) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type), data]);
    const c = Buffer.alloc(4);
    c.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, c]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // truecolour
  const raw = Buffer.alloc((w * 3 + 1) * h, 0x80);
  for (let y = 0; y < h; y++) raw[y * (w * 3 + 1)] = 0; // filter byte
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** @param {string} dir @returns {string[]} every file under `dir` */
const readdirRecursive = (dir) =>
  fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? readdirRecursive(path.join(dir, e.name)) : [path.join(dir, e.name)]));

let ext;
let origin;
const LOGO = png(7, 5);
/** How long the live control's page took to reach its origin: the positive control of the hostile replay test. */
let armedMs;
const HOSTILE_WINDOW = 1500;

const hostile = (live) => `<!doctype html><html><head><title>hostile</title>
<meta http-equiv="refresh" content="1; url=javascript:document.title='PWNED-refresh'">
<link rel="preconnect" href="${live}"><link rel="prefetch" href="${live}/prefetch">
<link rel="stylesheet" href="${live}/live.css">
<script>document.title = 'PWNED-inline'; fetch('${live}/pwned-fetch'); chrome.storage.local.set({ pwned: 'inline' });</script>
<script src="${live}/evil.js"></script>
<script src="evil.js"></script>
</head><body onload="document.title='PWNED-onload'; chrome.storage.local.set({ pwned: 'onload' })">
<h1 id="h">hostile</h1>
<img src="${live}/live.png" srcset="${live}/live-2x.png 2x"><img src="missing.png" onerror="document.title='PWNED-onerror'">
<a id="js" href="javascript:document.title='PWNED-link'">js</a>
<a id="ping" href="index.html" ping="${live}/ping">ping</a>
<div style="background:url(${live}/live-bg.png);width:10px;height:10px"></div>
<iframe srcdoc="<script>parent.document.title='PWNED-srcdoc'</script>"></iframe>
<form action="${live}/post" method="post"><button id="submit">go</button></form>
</body></html>`;

before(async () => {
  ext = await launchExtension();
  const server = await startServer({
    routes: {
      '/index.html': { type: 'text/html', body: '<!doctype html><title>Home</title><link rel=stylesheet href="style.css"><h1>Hello</h1><img id="logo" src="img/logo.png"><a id="next" href="about.html">about</a>' },
      '/about.html': { type: 'text/html', body: '<!doctype html><title>About</title><h1>About us</h1>' },
      '/style.css': { type: 'text/css', body: 'h1 { color: rgb(200, 10, 10); } body { background-color: rgb(1, 2, 3); }' },
      '/img/logo.png': { type: 'image/png', body: LOGO },
      '/evil.js': { type: 'text/javascript', body: "document.title = 'PWNED-external'; chrome.storage.local.set({ pwned: 'external' });" },
    },
  });
  origin = server.origin;
  ext.server = server;
  // Capture the site into the real store through the extension's own API.
  server.routes['/hostile.html'] = hostile(origin);
  // Not registered as a mirrored site: visiting it live (the control test) must not start capturing.
  await captureFrom(ext, origin, ['/index.html', '/about.html', '/style.css', '/img/logo.png', '/evil.js', '/hostile.html'], {
    register: false,
  });
  delete server.routes['/hostile.html'];
});

after(async () => {
  await ext?.close();
  await ext?.server?.close();
});

const mirrorUrl = (path) => `chrome-extension://${ext.extensionId}/m/http/${origin.slice('http://'.length)}${path}`;

test('a captured page replays from the mirror with its stylesheet and image', async () => {
  ext.server.reset();
  const page = await ext.ctx.newPage();
  try {
    const res = await page.goto(mirrorUrl('/index.html'));
    assert.equal(res.status(), 200);
    assert.match(res.headers()['content-security-policy'], /script-src 'none'.*sandbox allow-same-origin/);
    assert.equal(await page.title(), 'Home');
    const style = await page.evaluate(() => ({
      h1: getComputedStyle(document.querySelector('h1')).color,
      bg: getComputedStyle(document.body).backgroundColor,
      logo: [document.getElementById('logo').naturalWidth, document.getElementById('logo').naturalHeight],
    }));
    assert.deepEqual(style, { h1: 'rgb(200, 10, 10)', bg: 'rgb(1, 2, 3)', logo: [7, 5] });
    // A link inside the mirror stays inside the mirror.
    await page.click('#next');
    await page.waitForURL(mirrorUrl('/about.html'));
    assert.equal(await page.textContent('h1'), 'About us');
    assert.deepEqual(ext.server.requests, [], 'replay never touched the live origin');
  } finally {
    await page.close();
  }
});

test('a page that was never captured says so and is not fetched live', async () => {
  ext.server.reset();
  const page = await ext.ctx.newPage();
  try {
    const res = await page.goto(mirrorUrl('/never-captured.html'));
    assert.equal(res.status(), 404);
    assert.equal(await page.textContent('h1'), 'Not in the mirror');
    assert.equal(await page.textContent('#missing-url'), `${origin}/never-captured.html`);
    assert.deepEqual(ext.server.requests, []);
  } finally {
    await page.close();
  }
});

test('a page that sets its font on html, not body, replays in its own web font and size (Chromium\'s stylesheet for extension pages neutralised)', async () => {
  // Chromium gives every document of the extension's origin `body { font-family: "DejaVu Sans", Arial, sans-serif;
  // font-size: 75% }`; a site whose font is set on html (mdBook, most of the web) must not replay in it.
  const font = readdirRecursive('/usr/share/fonts').find((f) => f.endsWith('.ttf'));
  assert.ok(font, 'a TrueType font (fontconfig needs one; Chromium depends on fontconfig)');
  const site = await startServer({
    routes: {
      '/typeset.html': '<!doctype html><html lang="en"><head><title>Typeset</title><link rel="stylesheet" href="type.css"></head><body><p id="t">Set in the site\'s own face.</p></body></html>',
      '/type.css': '@font-face { font-family: SiteFace; src: url(face.ttf) format("truetype"); } html { font-family: SiteFace, monospace; font-size: 20px; }',
      '/face.ttf': { type: 'font/ttf', body: fs.readFileSync(font) },
    },
  });
  await captureFrom(ext, site.origin, ['/typeset.html', '/type.css', '/face.ttf'], { register: false });
  await site.close();
  const page = await ext.ctx.newPage();
  try {
    await page.goto(`chrome-extension://${ext.extensionId}/m/http/${site.origin.slice('http://'.length)}/typeset.html`);
    const seen = await page.evaluate(async () => {
      await document.fonts.ready;
      const body = getComputedStyle(document.body);
      const p = getComputedStyle(document.getElementById('t'));
      return { body: [body.fontFamily, body.fontSize], p: [p.fontFamily, p.fontSize], faces: [...document.fonts].map((f) => `${f.family}:${f.status}`) };
    });
    assert.deepEqual(seen, { body: ['SiteFace, monospace', '20px'], p: ['SiteFace, monospace', '20px'], faces: ['SiteFace:loaded'] });
    // The control: without the reset the rewriter puts first, Chromium's own rule wins.
    const bare = await page.evaluate(() => {
      document.querySelector('head > style:first-child')?.remove();
      const body = getComputedStyle(document.body);
      return [body.fontFamily, body.fontSize];
    });
    assert.deepEqual(bare, ['"DejaVu Sans", Arial, sans-serif', '15px']);
  } finally {
    await page.close();
  }
});

test('what a replayed page asked for and the mirror lacks is listed by mirror/missing as soon as the page has loaded', async () => {
  // The positive control of every `missing: []` check elsewhere: a page whose image and stylesheet were never
  // captured. Asked right after the load event, with no wait: the answer waits for misses still being recorded.
  const at = Date.now();
  await extensionWorker(ext.ctx).evaluate(async ({ url, at }) => {
    const store = await globalThis.sitemirror.storeReady;
    const body = new TextEncoder().encode('<!doctype html><title>Holes</title><link rel=stylesheet href="gone.css"><img src="img/gone.png">');
    await store.putCaptures([{ site: new URL(url).origin + '/', url, at, status: 200, headers: [['content-type', 'text/html']], body }]);
  }, { url: `${origin}/holes.html`, at });
  const asker = await ext.ctx.newPage();
  await asker.goto(`chrome-extension://${ext.extensionId}/dashboard/dashboard.html`);
  const page = await ext.ctx.newPage();
  try {
    await page.goto(mirrorUrl('/holes.html'), { waitUntil: 'load' });
    // A replayed document has no chrome.*: the question comes from an extension page, as the viewer asks it.
    const { missing } = await asker.evaluate((frame) => chrome.runtime.sendMessage({ type: 'mirror/missing', frame }), mirrorUrl('/holes.html'));
    assert.deepEqual([...missing].sort(), [`${origin}/gone.css`, `${origin}/img/gone.png`]);
  } finally {
    await page.close();
    await asker.close();
  }
});

test('control: served live, the hostile page does run its scripts and call its origin', async () => {
  // Proves the hostile page below is armed: the replay test can only pass because replay disarms it.
  ext.server.routes['/hostile.html'] = { type: 'text/html', body: hostile(origin) };
  ext.server.reset();
  const page = await ext.ctx.newPage();
  try {
    const loading = page.goto(`${origin}/hostile.html`);
    armedMs = await timeUntil(() => ext.server.requests.some((p) => p.includes('pwned-fetch') || p.includes('evil.js')), 'the live page to call its origin');
    await loading;
    await page.waitForFunction(() => document.title.startsWith('PWNED'));
  } finally {
    await page.close();
    delete ext.server.routes['/hostile.html'];
  }
});

test('a hostile mirrored page: no script runs, no chrome.* access, zero requests to the live origin', async () => {
  await extensionWorker(ext.ctx).evaluate(() => chrome.storage.local.remove('pwned'));
  ext.server.reset();
  const page = await ext.ctx.newPage();
  const dialogs = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    d.dismiss();
  });
  try {
    const res = await page.goto(mirrorUrl('/hostile.html'));
    assert.equal(res.status(), 200);
    await page.click('#js'); // a javascript: link
    await page.click('#submit').catch(() => {}); // a form posting to the live site
    // Past the meta refresh's 1 s, and at least twice what the armed page took to call its origin when served live.
    assert.ok(armedMs !== undefined, 'the live control runs first');
    assertWindowLongEnough(HOSTILE_WINDOW, armedMs, 'the hostile page');
    await quiet(HOSTILE_WINDOW);
    assert.equal(await page.title(), 'hostile', 'no script of the page changed its title');
    const stored = await extensionWorker(ext.ctx).evaluate(() => chrome.storage.local.get('pwned'));
    assert.deepEqual(stored, {}, 'the page never reached chrome.storage');
    assert.deepEqual(dialogs, []);
    assert.deepEqual(ext.server.requests, [], 'the live origin received nothing during replay');
    // What the page holds: no script element survived the rewriter.
    assert.equal(await page.evaluate(() => document.scripts.length), 0);
  } finally {
    await page.close();
  }
});

test('the viewer\'s frame is sandboxed: whatever it is made to show runs no script (issue 11 item 3)', async () => {
  // Replay keeps every link inside the mirror; this is the layer under that: should the frame ever be navigated to
  // an extension page, that page runs without scripts (an unsandboxed frame runs it with full chrome.* rights).
  const viewer = await ext.ctx.newPage();
  const control = await ext.ctx.newPage();
  try {
    await viewer.goto(`chrome-extension://${ext.extensionId}/view.html?url=${encodeURIComponent(`${origin}/index.html`)}`);
    assert.equal(await viewer.getAttribute('#mirror', 'sandbox'), 'allow-same-origin');
    const loaded = viewer.waitForEvent('framenavigated', (f) => f.url().endsWith('/dashboard/dashboard.html'));
    await viewer.evaluate(() => {
      document.getElementById('mirror').src = 'dashboard/dashboard.html';
    });
    const frame = await loaded;
    await frame.waitForLoadState('load');
    // Positive control: the same page in a tab of its own runs its scripts and gets ready.
    await control.goto(`chrome-extension://${ext.extensionId}/dashboard/dashboard.html`);
    await control.waitForSelector('body[data-state=ready]');
    assert.equal(await frame.evaluate(() => document.body.dataset.state ?? null), null, 'the dashboard ran its scripts inside the viewer');
  } finally {
    await viewer.close();
    await control.close();
  }
});
