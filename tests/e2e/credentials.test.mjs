/**
 * A site can't make the browser act for it (issue 11 item 1). A mirrored site decides which URLs get fetched —
 * its pages, stylesheets, redirects, robots.txt and sitemaps — so it must not decide who gets the user's cookies,
 * nor point the extension at the user's own network.
 *
 * Real origins with their own host names (Chromium's `--host-resolver-rules` maps `*.test` to 127.0.0.1) and a
 * public/private split made by Chromium's own `--ip-address-space-overrides` (the shipped extension has no switch
 * for it): `site.test` and `bank.test` count as public, while 127.0.0.1 on the intranet port — reached by its IP
 * literal or through `rebind.test`, a public-looking name that resolves to it (DNS rebinding) — is loopback.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launchExtension } from './lib/browser.mjs';
import { startServer } from './lib/server.mjs';
import { until } from './lib/wait.mjs';

const html = (body) => ({ headers: { 'content-type': 'text/html; charset=utf-8' }, body: `<!doctype html><meta charset="utf-8">${body}` });
/** A page that logs the user in (sets a cookie). */
const cookie = (c) => ({ ...html('logged in'), headers: { 'content-type': 'text/html', 'set-cookie': c } });

test('the user\'s cookies reach only the mirrored site, and a public site never reaches a private address', async (t) => {
  // The bank: the user is logged in there (Lax, Strict and plain cookies — SameSite=None needs Secure, which plain
  // http can't set); it logs every Cookie header it gets.
  const bank = await startServer({
    routes: {
      '/login': cookie('plain=1; Path=/'),
      '/login-strict': cookie('strict=1; Path=/; SameSite=Strict'),
      '/login-lax': cookie('lax=1; Path=/; SameSite=Lax'),
      '/account': html('account page'),
    },
  });
  // The intranet: a router on this machine. Nothing may reach it for a public site, not even a TCP connection.
  const intranet = await startServer({ routes: {} });
  const site = await startServer({ routes: {} });
  const B = `http://bank.test:${bank.port}`;
  const S = `http://site.test:${site.port}`;
  const LAN = `http://127.0.0.1:${intranet.port}`;
  const REBIND = `http://rebind.test:${intranet.port}`;
  Object.assign(site.routes, {
    '/login': cookie('session=ada; Path=/'),
    '/': html(`<title>Hostile</title>
      <link rel="stylesheet" href="/style.css">
      <link rel="stylesheet" href="${B}/theme.css">
      <img src="${B}/transfer?to=mallory&amount=1000">
      <img src="${LAN}/apply.cgi?reboot=1">
      <img src="${REBIND}/rebind.png">
      <img src="/hop.png">
      <a href="/about">About</a>`),
    '/about': html('<title>About</title><p>About us.</p>'),
    '/style.css': { headers: { 'content-type': 'text/css' }, body: `body { background: url(${B}/bg.png) } p { background: url(${LAN}/css-bg.png) }` },
    // A redirect of a resource into the bank: the hop is followed without cookies.
    '/hop.png': { status: 302, headers: { location: `${B}/via-redirect.png` }, body: '' },
    '/robots.txt': { headers: { 'content-type': 'text/plain' }, body: `User-agent: *\nAllow: /\nSitemap: ${B}/sitemap.xml\nSitemap: ${LAN}/admin/export\nSitemap: ${REBIND}/sitemap.xml\n` },
    // A page the user browses: it reads the bank with fetch() and shows a bank image.
    '/browse': html(`<title>Browse</title><img src="${B}/browse.png">
      <script>fetch('${B}/api/me', { credentials: 'include' }).catch(() => {})</script>`),
  });
  Object.assign(bank.routes, {
    '/sitemap.xml': { headers: { 'content-type': 'application/xml' }, body: `<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>${S}/from-bank-sitemap</loc></url><url><loc>${B}/secret-statement</loc></url></urlset>` },
  });
  site.routes['/from-bank-sitemap'] = html('<title>Listed by another host</title>');

  const ext = await launchExtension({
    args: [
      '--host-resolver-rules=MAP *.test 127.0.0.1',
      `--ip-address-space-overrides=127.0.0.1:${site.port}=public,127.0.0.1:${bank.port}=public`,
    ],
  });
  t.after(async () => {
    await ext.close();
    for (const s of [site, bank, intranet]) await s.close();
  });

  // The user logs in to the bank and to the site. Positive control: the bank does see their cookies when the
  // user goes there.
  const tab = await ext.ctx.newPage();
  for (const p of ['/login', '/login-strict', '/login-lax']) await tab.goto(`${B}${p}`);
  await tab.goto(`${B}/account`);
  const own = bank.log.find((r) => r.path === '/account');
  assert.match(own?.headers.cookie ?? '', /plain=1/);
  assert.match(own?.headers.cookie ?? '', /strict=1/);
  assert.match(own?.headers.cookie ?? '', /lax=1/);
  await tab.goto(`${S}/login`);
  const fromUser = bank.log.length;

  // Mirror this site.
  const ui = await ext.ctx.newPage();
  await ui.goto(`chrome-extension://${ext.extensionId}/dashboard/dashboard.html`);
  const send = (m) => ui.evaluate((msg) => chrome.runtime.sendMessage(msg), m);
  const started = await send({ type: 'crawl/start', url: `${S}/`, options: { timeoutMs: 3000, maxRetries: 0 } });
  assert.equal(started.ok, true, JSON.stringify(started));
  const status = await until(async () => {
    const s = await send({ type: 'crawl/status', site: `${S}/` });
    return s.job && s.job.state !== 'running' ? s : null;
  }, 'the crawl to end', 60_000);
  assert.equal(status.job.state, 'done', JSON.stringify(status.job));

  // The site got the user's cookie (its own origin), and its pages were crawled.
  const siteAsked = site.log.filter((r) => r.method === 'GET' && (r.path === '/' || r.path === '/about'));
  assert.ok(siteAsked.length >= 2, JSON.stringify(site.log.map((r) => r.path)));
  for (const r of siteAsked) assert.match(r.headers.cookie ?? '', /session=ada/, `${r.path} without the user's cookie`);
  assert.ok(site.log.some((r) => r.path === '/from-bank-sitemap'), 'a page listed by a sitemap on another host, in scope, is crawled');

  // The bank was asked for the resources the site points at (positive control) — never with a cookie.
  const crawled = bank.log.slice(fromUser);
  for (const p of ['/theme.css', '/bg.png', '/transfer?to=mallory&amount=1000', '/via-redirect.png', '/sitemap.xml']) {
    assert.ok(crawled.some((r) => r.url === p), `${p} was not fetched (bank saw ${crawled.map((r) => r.url)})`);
  }
  for (const r of crawled) assert.equal(r.headers.cookie, undefined, `${r.path} carried the user's bank cookies`);
  assert.ok(!crawled.some((r) => r.path === '/secret-statement'), 'a sitemap on another host admits only in-scope URLs');

  // Nothing reached the intranet: not by IP literal, not by a public name resolving to it, not by a sitemap. The
  // rebinding name costs at most a TCP connection each (the image, the sitemap): Chromium learns the address by
  // connecting, then refuses to send the request. The IP literals are refused before any connection.
  assert.deepEqual(intranet.log.map((r) => r.path), [], 'requests reached the intranet');
  assert.ok(intranet.connections() <= 2, `${intranet.connections()} connections to the intranet`);
  const connected = intranet.connections();
  const report = await send({ type: 'crawl/report', site: `${S}/` });
  const reason = (url) => report.entries.find((e) => e.url === url)?.reason ?? '(not reported)';
  assert.match(reason(`${LAN}/apply.cgi?reboot=1`), /^crawl\/private-address: /);
  assert.match(reason(`${LAN}/css-bg.png`), /^crawl\/private-address: /);
  // Chromium refused the rebinding name itself (a network failure to the crawl): nothing was sent.
  assert.match(reason(`${REBIND}/rebind.png`), /^crawl\/network/);

  // Capture as you browse: the page's own requests to the bank (made by the browser) carry no cookie in
  // Chromium; the extension's re-reads of what it loaded must not add one.
  const before = bank.log.length;
  await tab.goto(`${S}/browse`);
  await until(() => bank.log.slice(before).some((r) => r.path === '/api/me') && bank.log.slice(before).some((r) => r.path === '/browse.png'), 'the page to load from the bank');
  const sw = ext.ctx.serviceWorkers().find((w) => w.url().startsWith('chrome-extension://'));
  // Positive control: the visit is stored (so the re-reads ran).
  await until(() => sw.evaluate(async (u) => !!(await (await globalThis.sitemirror.storeReady).lookup(u)), `${S}/browse`), 'the visit to be stored');
  await until(() => sw.evaluate(async (u) => !!(await (await globalThis.sitemirror.storeReady).lookup(u)), `${B}/browse.png`), 'the bank image to be stored');
  for (const r of bank.log.slice(before)) assert.equal(r.headers.cookie, undefined, `${r.path} carried the user's bank cookies during capture`);
  assert.equal(intranet.connections(), connected);
});
