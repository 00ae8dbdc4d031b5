/**
 * End-to-end: the crawl UI ("Mirror this site", issue 5) of the built extension against real local sites.
 * Popup: "Mirror this site" starts a crawl and shows its progress and counts, then "Done"; Pause / Resume /
 * Cancel; "Update now"; closing the popup doesn't stop the crawl. Dashboard: "Start mirror" with options
 * (validated in the page; refusals of the engine shown), per-site progress and controls, and the report of
 * failed and skipped URLs with their reasons — attacker text shown as text.
 *
 * The sites have a "gated" page: its answer is held until the test opens the gate, so a crawl stays running
 * exactly as long as a test needs it to.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedExtension, send, dialogControl } from './lib/pages.mjs';
import { startServer } from './lib/server.mjs';
import { until, timeUntil, assertWindowLongEnough, quiet } from './lib/wait.mjs';

const ATTACK = '<img src=x onerror=alert(1)>';

const browser = sharedExtension();
const { extUrl, popupUrl, storeCall, openPage } = browser;

/** A promise the test resolves: requests to a gated page wait for it. */
function gate() {
  let open;
  const opened = new Promise((resolve) => (open = resolve));
  return { opened, open };
}

const html = (title, links = []) =>
  `<!doctype html><title>${title}</title><h1>${title}</h1>${links.map((h) => `<a href="${h}">${h}</a>`).join(' ')}`;

/**
 * A small site: the home page links to five pages, a gated page (which links to one more) and a missing page.
 * Done when the crawl is: index, p1–p5, slow, after-slow = 8 pages (robots.txt is a 404: "no rules", not kept);
 * failed: missing (404) = 1. While the gate is shut: 6 done, slow queued.
 * @param {{extraLinks?: string[], extraRoutes?: Record<string, any>}} [opts]
 */
async function startGatedSite({ extraLinks = [], extraRoutes = {} } = {}) {
  const g = gate();
  const pages = ['p1.html', 'p2.html', 'p3.html', 'p4.html', 'p5.html'];
  const routes = {
    '/index.html': html('Home', [...pages, 'slow.html', 'missing.html', ...extraLinks]),
    ...Object.fromEntries(pages.map((p) => [`/${p}`, html(p, ['index.html'])])),
    '/slow.html': async (req, res) => {
      await g.opened;
      if (res.destroyed || req.destroyed) return;
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end(html('Slow', ['after-slow.html']));
    },
    '/after-slow.html': html('After slow'),
    '/missing.html': { status: 404, body: 'not here' },
    ...extraRoutes,
  };
  const server = await startServer({ routes });
  return { server, gate: g, site: `${server.origin}/`, home: `${server.origin}/index.html` };
}


/** The popup's crawl counts as shown. */
async function popupCounts(page) {
  const text = async (id) => (await page.textContent(id)).trim();
  return {
    done: Number(await text('#crawl-done')),
    queued: Number(await text('#crawl-queued')),
    failed: Number(await text('#crawl-failed')),
    skipped: Number(await text('#crawl-skipped')),
  };
}

const visible = (page, sel) => page.isVisible(sel);


/**
 * Presses the popup's "Mirror this site" and waits until the crawl has fetched every page but the gated one.
 * @param {import('playwright-core').Page} page the popup
 */
async function mirrorFromPopup(page) {
  await page.waitForSelector('body[data-state=not-mirrored]');
  await page.getByRole('button', { name: 'Mirror this site' }).click();
  await page.waitForSelector('body[data-crawl=running]');
  await until(async () => (await popupCounts(page)).done >= 6, 'the fast pages');
}

test('popup: "Mirror this site" crawls the site, shows live progress and counts, then "Done"; closing the popup doesn\'t stop it', async () => {
  const { server, gate: g, site, home } = await startGatedSite();
  let { page } = await openPage(popupUrl(home));
  try {
    await page.waitForSelector('body[data-state=not-mirrored]');
    assert.equal(await visible(page, '#crawl'), false, 'no crawl shown before one exists');
    await page.getByRole('button', { name: 'Mirror this site' }).click();
    await page.waitForSelector('body[data-crawl=running]');
    assert.equal(await page.getAttribute('body', 'data-state'), 'mirrored');
    assert.match(await page.textContent('#site'), new RegExp(site.replace(/[.]/g, '\\.')));
    assert.equal(await visible(page, '#mirror'), false);
    assert.equal(await visible(page, '#crawl-progress'), true);

    // Every page but the gated one (and what only it links to) is fetched; the gated one keeps the crawl running.
    await until(async () => (await popupCounts(page)).done >= 6 && (await popupCounts(page)).failed >= 1, 'the fast pages');
    const running = await popupCounts(page);
    assert.equal(running.done, 6, 'index, p1–p5');
    assert.equal(running.failed, 1, 'missing.html');
    assert.ok(running.queued >= 1, `the gated page is still queued (${running.queued})`);
    assert.match(await page.textContent('#crawl-state'), /^Mirroring: \d+%$/);
    const value = await page.$eval('#crawl-progress', (p) => p.value);
    assert.ok(value > 0 && value < 1, `partial progress (${value})`);
    assert.equal(await page.getAttribute('#crawl-state', 'aria-live'), 'polite');
    assert.equal(await visible(page, '#pause'), true);
    assert.equal(await visible(page, '#cancel'), true);
    assert.equal(await visible(page, '#resume'), false);
    assert.equal(await visible(page, '#update'), false, 'no "Update now" while a crawl runs');
    // The popup shows what crawl/status says.
    const status = await send(page, { type: 'crawl/status', site });
    assert.equal(status.job.state, 'running');
    assert.equal(status.job.kind, 'mirror');
    assert.equal(status.job.startUrl, home);

    // Closing the popup doesn't matter: the crawl runs in the background.
    await page.close();
    g.open();
    ({ page } = await openPage(popupUrl(home)));
    await page.waitForSelector('body[data-crawl=done]', { timeout: 20000 });
    assert.equal(await page.textContent('#crawl-state'), 'Done');
    assert.deepEqual(await popupCounts(page), { done: 8, queued: 0, failed: 1, skipped: 0 });
    assert.equal(await page.$eval('#crawl-progress', (p) => p.value), 1);
    const final = await send(page, { type: 'crawl/status', site });
    assert.deepEqual(final.counts, { done: 8, queued: 0, failed: 1, skipped: 0 });
    assert.ok(final.job.bytes > 0);
    assert.equal(await page.textContent('#crawl-bytes'), await page.evaluate(
      async (b) => (await import(chrome.runtime.getURL('ui.js'))).formatBytes(b), final.job.bytes));
    // No controls for a finished crawl; "Update now" instead. The site status counts the stored pages.
    assert.equal(await visible(page, '#pause'), false);
    assert.equal(await visible(page, '#resume'), false);
    assert.equal(await visible(page, '#cancel'), false);
    assert.equal(await visible(page, '#update'), true);
    assert.equal(await page.textContent('#pages'), '8', 'the crawled pages (robots.txt is not one) are in the mirror');
    assert.notEqual(await page.textContent('#captured'), 'never');
    for (const p of ['/p1.html', '/p5.html', '/slow.html', '/after-slow.html']) {
      assert.equal(server.requests.filter((r) => r === p).length, 1, `${p} fetched once`);
    }
  } finally {
    g.open();
    await page.close();
    await server.close();
  }
});

test('popup: Pause stops the crawl (counts and requests stand still), Resume continues it to the end', async () => {
  const { server, gate: g, site, home } = await startGatedSite();
  const { page } = await openPage(popupUrl(home));
  try {
    await mirrorFromPopup(page);

    await page.getByRole('button', { name: 'Pause' }).click();
    await page.waitForSelector('body[data-crawl=paused]');
    assert.match(await page.textContent('#crawl-state'), /^Paused at \d+%$/);
    assert.equal(await visible(page, '#pause'), false);
    assert.equal(await visible(page, '#resume'), true);
    assert.equal(await visible(page, '#cancel'), true, 'a paused crawl can be cancelled');
    assert.equal(await visible(page, '#update'), false);
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'resume', 'focus moves to Resume');
    const paused = await popupCounts(page);
    assert.ok(paused.queued >= 1, 'the gated page stays queued');
    const requests = server.requests.length;

    // Paused: the gate opens, yet nothing is fetched and nothing changes over several polls.
    g.open();
    const window = 1500;
    await quiet(window);
    assert.deepEqual(await popupCounts(page), paused);
    assert.equal(server.requests.length, requests, 'no request while paused');
    assert.equal((await send(page, { type: 'crawl/status', site })).job.state, 'paused');

    // The positive control: resumed, the same crawl asks the origin again well within that window.
    await page.getByRole('button', { name: 'Resume' }).click();
    assertWindowLongEnough(window, await timeUntil(() => server.requests.length > requests, 'a request after Resume'), 'pause');
    await page.waitForSelector('body[data-crawl=done]', { timeout: 20000 });
    const done = await popupCounts(page);
    assert.ok(done.done > paused.done, `counts go on after Resume (${paused.done} → ${done.done})`);
    assert.deepEqual(done, { done: 8, queued: 0, failed: 1, skipped: 0 });
    assert.ok(server.requests.slice(requests).includes('/slow.html'), 'the paused request is made again');
  } finally {
    g.open();
    await page.close();
    await server.close();
  }
});

test('popup: Cancel ends the crawl (what was left is skipped); "Update now" crawls the site again', async () => {
  const { server, gate: g, site, home } = await startGatedSite();
  const { page } = await openPage(popupUrl(home));
  try {
    await mirrorFromPopup(page);

    await page.getByRole('button', { name: 'Cancel crawl' }).click();
    await page.waitForSelector('body[data-crawl=cancelled]');
    assert.equal(await page.textContent('#crawl-state'), 'Cancelled');
    const counts = await popupCounts(page);
    assert.equal(counts.queued, 0);
    assert.ok(counts.skipped >= 1, 'the gated page is skipped');
    assert.equal(counts.done, 6);
    for (const id of ['#pause', '#resume', '#cancel']) assert.equal(await visible(page, id), false, id);
    assert.equal(await visible(page, '#update'), true);
    const report = await send(page, { type: 'crawl/report', site });
    assert.ok(report.entries.some((e) => e.url.endsWith('/slow.html') && e.reason.startsWith('crawl/cancelled')));
    // Nothing goes on in the background.
    const requests = server.requests.length;
    const window = 1000;
    await quiet(window);
    assert.equal(server.requests.length, requests);

    // The positive control: a crawl of the same site asks the origin well within that window.
    g.open();
    await page.getByRole('button', { name: 'Update now' }).click();
    assertWindowLongEnough(window, await timeUntil(() => server.requests.length > requests, 'a request after Update now'), 'cancel');
    await page.waitForSelector('body[data-crawl=done]', { timeout: 20000 });
    assert.equal(await page.textContent('#crawl-state'), 'Update done');
    const job = (await send(page, { type: 'crawl/status', site })).job;
    assert.equal(job.kind, 'update');
    assert.ok(server.requests.slice(requests).includes('/after-slow.html'), 'the update reached what the cancelled crawl left');
  } finally {
    g.open();
    await page.close();
    await server.close();
  }
});

async function openDashboard() {
  const r = await openPage(extUrl('dashboard/dashboard.html'));
  await r.page.waitForSelector('body[data-state=ready]');
  return r;
}
const row = (page, id) => page.locator(`#sites tbody tr[data-site-id="${id.replace(/["\\]/g, '\\$&')}"]`);
/** The site's row once its crawl is in `state`. */
const rowIn = (page, id, state) => page.locator(`#sites tbody tr[data-site-id="${id.replace(/["\\]/g, '\\$&')}"][data-crawl=${state}]`);
const reportRow = (page, id) => page.locator(`#sites tbody tr[data-report-of="${id.replace(/["\\]/g, '\\$&')}"]`);

/** Fills the dashboard's options (opening the disclosure) and the URL, then presses Start mirror. */
async function startMirror(page, url, fields = {}) {
  if (!(await page.$eval('#options', (d) => d.open))) await page.locator('#options summary').click();
  for (const [label, value] of Object.entries(fields)) {
    const input = page.getByLabel(label, { exact: true });
    if (typeof value === 'boolean') await input.setChecked(value);
    else await input.fill(value);
  }
  await page.getByLabel('Site URL').fill(url);
  await page.getByRole('button', { name: 'Start mirror' }).click();
}

test('dashboard: options are checked in the page (a message at each field, nothing sent); the engine\'s refusal is shown', async () => {
  const { server, gate: g, site, home } = await startGatedSite();
  const { page } = await openDashboard();
  try {
    assert.equal(await page.$eval('#options', (d) => d.open), false, 'options start folded');
    const cases = [
      ['Maximum pages', 'abc', 'opt-pages', /Maximum pages must be a whole number from 1/],
      ['Maximum pages', '0', 'opt-pages', /Maximum pages must be/],
      ['Maximum depth (links from the start page)', '-1', 'opt-depth', /Maximum depth must be a whole number from 0/],
      ['Maximum depth (links from the start page)', '2.5', 'opt-depth', /Maximum depth must be/],
      ['Maximum size (MB)', '0', 'opt-size', /Maximum size must be a number of megabytes above 0/],
      ['Timeout per request (seconds)', '0.5', 'opt-timeout', /Timeout per request must be a number of seconds from 1 to 600/],
    ];
    for (const [label, value, id, message] of cases) {
      await startMirror(page, home, { [label]: value });
      await page.waitForFunction((id) => document.getElementById(`${id}-error`).textContent !== '', id);
      assert.match(await page.textContent(`#${id}-error`), message, `${label} = ${value}`);
      assert.equal(await page.getAttribute(`#${id}`, 'aria-invalid'), 'true');
      assert.ok((await page.getAttribute(`#${id}`, 'aria-describedby')).includes(`${id}-error`));
      assert.match(await page.textContent('#add-error'), /^Check the options: /);
      assert.equal(await page.evaluate(() => document.activeElement?.id), id, 'focus goes to the field');
      await page.getByLabel(label, { exact: true }).fill('');
      assert.equal(await page.textContent(`#${id}-error`), '', 'typing clears the message');
    }
    const list = await send(page, { type: 'sites/list' });
    assert.equal(list.sites.some((s) => s.id === site), false, 'nothing was sent');

    // Valid in the page, refused by the engine: a prefix the start URL isn't under.
    await page.getByLabel('Only pages under a path').check();
    await startMirror(page, home, { 'Path prefix': '/docs/' });
    await page.waitForFunction(() => document.getElementById('add-error').textContent !== '');
    assert.match(await page.textContent('#add-error'), /^The crawl options were refused: .*prefix/);
    assert.equal((await send(page, { type: 'crawl/status', site })).job, null, 'no crawl started');
    assert.ok(!server.requests.includes('/index.html'), 'nothing fetched');
  } finally {
    g.open();
    await page.close();
    await server.close();
  }
});

test('dashboard: Start mirror with "Maximum pages 3": the row shows progress, Pause/Resume, then the report lists the crawl/max-pages skips', async () => {
  const { server, gate: g, site, home } = await startGatedSite();
  const { page, dialogs } = await openDashboard();
  try {
    // The first crawl of this site is held at the gated page (no limit), to drive the row's controls.
    await startMirror(page, home);
    const r = row(page, site);
    await r.waitFor();
    assert.match(await page.textContent('#add-done'), new RegExp(`^Mirroring ${site.replace(/[.]/g, '\\.')}`));
    await rowIn(page, site, 'running').waitFor();
    await until(async () => Number(await r.locator('.count-done').textContent()) >= 6, 'the fast pages');
    assert.equal(await r.locator('progress').isVisible(), true);
    assert.match(await r.locator('.crawl-state').textContent(), /^Mirroring: \d+%$/);
    assert.equal(await r.locator('.crawl-state').getAttribute('aria-live'), 'polite');
    await r.getByRole('button', { name: 'Pause' }).click();
    await rowIn(page, site, 'paused').waitFor();
    assert.match(await r.locator('.crawl-state').textContent(), /^Paused at/);
    assert.equal(await r.getByRole('button', { name: 'Resume' }).isVisible(), true);
    assert.equal(await r.getByRole('button', { name: 'Pause' }).isVisible(), false);
    assert.equal(await r.getByRole('button', { name: 'Update now' }).isVisible(), false);
    await r.getByRole('button', { name: 'Resume' }).click();
    await rowIn(page, site, 'running').waitFor();
    await r.getByRole('button', { name: 'Cancel crawl' }).click();
    await rowIn(page, site, 'cancelled').waitFor();
    assert.equal(await r.locator('.crawl-state').textContent(), 'Cancelled');
    assert.equal(await r.getByRole('button', { name: 'Update now' }).isVisible(), true);
    g.open();

    // A new crawl with a page limit replaces the finished one.
    await startMirror(page, home, { 'Maximum pages': '3' });
    await rowIn(page, site, 'done').waitFor({ timeout: 20000 });
    assert.equal(await r.locator('.crawl-state').textContent(), 'Done');
    const status = await send(page, { type: 'crawl/status', site });
    assert.equal(status.job.options.maxPages, 3, 'the option was sent');
    assert.equal(status.job.options.maxDepth, 20, 'fields left empty get the engine\'s defaults');
    assert.equal(await r.locator('.count-done').textContent(), String(status.counts.done));
    assert.equal(await r.locator('.count-skipped').textContent(), String(status.counts.skipped));
    assert.ok(status.counts.skipped >= 1);

    const button = r.getByRole('button', { name: 'Report' });
    assert.equal(await button.getAttribute('aria-expanded'), 'false');
    await button.click();
    assert.equal(await button.getAttribute('aria-expanded'), 'true');
    const rep = reportRow(page, site);
    await rep.locator('.report-summary').waitFor();
    const maxPages = rep.locator('tbody tr[data-code="crawl/max-pages"]');
    assert.ok((await maxPages.count()) >= 1, 'crawl/max-pages entries listed');
    const first = maxPages.first();
    assert.equal(await first.locator('.report-state').textContent(), 'skipped');
    assert.equal(await first.locator('.report-reason code').textContent(), 'crawl/max-pages');
    assert.match(await first.locator('.report-url').textContent(), new RegExp(`^${server.origin.replace(/[.]/g, '\\.')}/`));
    assert.match(await first.locator('.report-kind').textContent(), /^(page|resource)$/);
    await button.click();
    assert.equal(await rep.isVisible(), false, 'Report toggles');
    assert.deepEqual(dialogs, []);
  } finally {
    g.open();
    await page.close();
    await server.close();
  }
});

test('dashboard: a crawl started from the popup appears in the open dashboard at once and is followed to "Done"', async () => {
  const { server, gate: g, site, home } = await startGatedSite();
  const dash = await openDashboard();
  const popup = await openPage(popupUrl(home));
  try {
    assert.equal(await row(dash.page, site).count(), 0, 'the site is not listed before its crawl');
    assert.equal(await dash.page.evaluate(() => document.visibilityState), 'visible', 'no visibilitychange refresh to lean on');
    await mirrorFromPopup(popup.page);
    // No reload and no visibility change: the dashboard learns of the crawl by itself.
    await rowIn(dash.page, site, 'running').waitFor({ timeout: 5000 });
    const r = row(dash.page, site);
    await until(async () => Number(await r.locator('.count-done').textContent()) >= 6, 'the row\'s live counts');
    g.open();
    await rowIn(dash.page, site, 'done').waitFor({ timeout: 20000 });
    assert.equal(await r.locator('.crawl-state').textContent(), 'Done');
    assert.equal(await r.locator('.count-done').textContent(), '8');
    assert.deepEqual(dash.dialogs, []);
  } finally {
    g.open();
    await popup.page.close();
    await dash.page.close();
    await server.close();
  }
});

test('dashboard report: a 404 (crawl/http-404), an exclude pattern (crawl/excluded), attacker URLs and reasons as text, long lists cut', async () => {
  const attackPath = `/x/${ATTACK}.html`;
  const { server, gate: g, site, home } = await startGatedSite({
    extraLinks: ['private/secret.html', attackPath],
    extraRoutes: { '/private/secret.html': html('Secret') },
  });
  g.open();
  const { page, dialogs } = await openDashboard();
  try {
    await startMirror(page, home, { 'Never URLs matching': '*/private/*' });
    const r = row(page, site);
    await r.waitFor();
    await rowIn(page, site, 'done').waitFor({ timeout: 20000 });
    assert.ok(!server.requests.includes('/private/secret.html'), 'the excluded page was not fetched');
    assert.deepEqual((await send(page, { type: 'crawl/status', site })).job.options.exclude, ['*/private/*']);

    await r.getByRole('button', { name: 'Report' }).click();
    const rep = reportRow(page, site);
    await rep.locator('.report-summary').waitFor();
    const entry = (code) => rep.locator(`tbody tr[data-code="${code}"]`);
    const notFound = entry('crawl/http-404').filter({ hasText: `${server.origin}/missing.html` });
    assert.equal(await notFound.count(), 1);
    assert.equal(await notFound.locator('.report-state').textContent(), 'failed');
    assert.equal(await notFound.locator('.report-kind').textContent(), 'page');
    assert.match(await notFound.locator('.report-reason').textContent(), /^crawl\/http-404 \S/, 'code, then text');
    const excluded = entry('crawl/excluded');
    assert.equal(await excluded.locator('.report-url').textContent(), `${server.origin}/private/secret.html`);
    assert.equal(await excluded.locator('.report-state').textContent(), 'skipped');

    // The attacker's link, as the crawler recorded its URL, shown as that text.
    const report = await send(page, { type: 'crawl/report', site });
    const attacked = report.entries.find((e) => e.url.includes('onerror'));
    assert.ok(attacked, 'the attacker link is in the report');
    const urls = await rep.locator('.report-url').allTextContents();
    assert.ok(urls.includes(attacked.url));
    assert.equal(await page.locator('img').count(), 0);
    assert.equal(await rep.locator('a, script, iframe, svg').count(), 0);

    // Raw attacker text in the store (URL and reason) is shown verbatim, and 450 entries are cut to 300.
    const rawUrl = `${server.origin}/${ATTACK}"><script>alert(2)</script>`;
    const rawReason = `crawl/robots: <img src=y onerror=alert(3)> disallowed`;
    const fillers = Array.from({ length: 450 }, (_, i) => `${server.origin}/filler/${String(i).padStart(3, '0')}.html`);
    const all = [rawUrl, ...fillers];
    await storeCall('enqueue', all.map((url) => ({ site, url, depth: 1, page: true, state: 'queued', updated: 0 })));
    await storeCall('record', [], all.map((url) => ({ site, url, state: 'skipped', reason: url === rawUrl ? rawReason : 'crawl/max-depth: too deep', at: Date.now() })));
    await rep.getByRole('button', { name: 'Refresh report' }).click();
    await page.waitForFunction(() => /Showing the first 300 of \d+ URLs\./.test(document.querySelector('.report-summary')?.textContent ?? ''));
    const full = await send(page, { type: 'crawl/report', site });
    const total = full.entries.length;
    assert.ok(total >= 451, `${total} entries`);
    assert.equal(await rep.locator('.report-summary').textContent(), `Showing the first 300 of ${total} URLs.`);
    assert.equal(await rep.locator('tbody tr').count(), 300);
    // Skipped entries of one depth are listed by URL: '<' sorts before 'filler', so it is among the first 300.
    const raw = rep.locator('tbody tr').filter({ hasText: rawUrl });
    assert.equal(await raw.count(), 1);
    assert.equal(await raw.locator('.report-url').textContent(), rawUrl);
    assert.equal(await raw.locator('.report-reason').textContent(), 'crawl/robots <img src=y onerror=alert(3)> disallowed');
    assert.equal(await page.locator('img, script:not([src])').count(), 0, 'no element made from mirror text');
    await quiet(500);
    assert.deepEqual(dialogs, [], 'no script ran');
    assertWindowLongEnough(500, await dialogControl(page, dialogs), 'the report');
  } finally {
    await page.close();
    await server.close();
  }
});

test('an address that leads to another site: the popup and the dashboard say where and mirror it only when the user agrees (issue 11 item 7)', async () => {
  const { server: target, gate: g, home } = await startGatedSite();
  g.open();
  // The typed site redirects everything to the target; its name is attacker text.
  const typed = await startServer({ routes: {} });
  const leadsTo = `${home}?from=${encodeURIComponent(ATTACK)}`;
  typed.routes['/'] = (req, res) => {
    res.writeHead(302, { Location: leadsTo, 'Cache-Control': 'no-store' });
    res.end();
  };
  const { page } = await openPage(popupUrl(`${typed.origin}/`));
  try {
    await page.waitForSelector('body[data-state=not-mirrored]');
    await page.getByRole('button', { name: 'Mirror this site' }).click();
    await page.waitForSelector('#leads:not([hidden])');
    assert.equal(await page.textContent('#leads-to'), new URL(leadsTo).href, 'where it leads, as text');
    assert.equal(await page.$('#leads img'), null, 'attacker text is not markup');
    assert.deepEqual((await send(page, { type: 'sites/list' })).sites.map((s) => s.id).filter((id) => id.includes(String(target.port))), [], 'nothing started yet');
    const gets = (server) => server.log.filter((r) => r.method === 'GET');
    assert.deepEqual(gets(target), [], 'the other site was not crawled before the user agreed (only probed)');
    // Cancel: nothing happens. Then agree: that site is mirrored, and the popup now shows it.
    await page.click('#leads-no');
    assert.equal(await visible(page, '#leads'), false);
    await page.getByRole('button', { name: 'Mirror this site' }).click();
    await page.waitForSelector('#leads:not([hidden])');
    await page.click('#leads-yes');
    await page.waitForSelector('body[data-crawl=done]', { timeout: 20000 });
    assert.match(await page.textContent('#site'), new RegExp(`127\\.0\\.0\\.1:${target.port}/`));
    assert.ok(gets(target).some((r) => r.path === '/index.html'));
    assert.deepEqual(typed.log.map((r) => r.method), ['HEAD', 'HEAD'], 'the typed site was only probed, once per click');
  } finally {
    await page.close();
  }
  // The dashboard asks the same way: the address field is filled with where it leads.
  const { page: dash } = await openPage(extUrl('dashboard/dashboard.html'));
  try {
    await dash.waitForSelector('body[data-state=ready]');
    await dash.fill('#add-url', `${typed.origin}/`);
    await dash.getByRole('button', { name: 'Start mirror' }).click();
    await dash.waitForFunction(() => document.querySelector('#add-error')?.textContent.includes('leads to another site'));
    assert.equal(await dash.inputValue('#add-url'), new URL(leadsTo).href);
  } finally {
    await dash.close();
    await typed.close();
    await target.close();
  }
});

test('a size limit per site, shown and changed on the dashboard: a crawl stops there and browsing stores nothing more (issue 11 item 10)', async () => {
  // Eight different 300 KB pages (identical bodies would be stored once): 2.4 MB, over the 1 MB limit.
  const big = (n) => `<!doctype html><title>Big ${n}</title><p>${String(n).repeat(300 << 10)}</p>`;
  const bigs = Array.from({ length: 8 }, (_, i) => `big${i}.html`);
  const extraRoutes = { ...Object.fromEntries(bigs.map((b, i) => [`/${b}`, big(i)])), '/later.html': html('Later') };
  const { server, gate: g, site, home } = await startGatedSite({ extraLinks: bigs, extraRoutes });
  g.open();
  const { page: dash } = await openPage(extUrl('dashboard/dashboard.html'));
  try {
    await dash.waitForSelector('body[data-state=ready]');
    assert.equal(await dash.inputValue('#site-budget'), '1024', 'the default limit is shown: 1 GiB');
    // The user lowers it to 1 MB; a refusal for nonsense first.
    await dash.fill('#site-budget', 'lots');
    await dash.dispatchEvent('#site-budget', 'change');
    await dash.waitForFunction(() => document.querySelector('#site-budget-error').textContent !== '');
    await dash.fill('#site-budget', '1');
    await dash.dispatchEvent('#site-budget', 'change');
    await dash.waitForFunction(() => document.querySelector('#site-budget-error').textContent === '');
    await dash.fill('#add-url', home);
    await dash.getByRole('button', { name: 'Start mirror' }).click();
    const done = await until(async () => {
      const s = await send(dash, { type: 'crawl/status', site });
      return s.job && s.job.state !== 'running' ? s : null;
    }, 'the crawl to end', 30000);
    assert.equal(done.job.options.maxBytes, 1 << 20, 'the crawl took the site limit');
    const report = await send(dash, { type: 'crawl/report', site });
    assert.ok(report.entries.some((e) => e.reason.startsWith('crawl/max-bytes:')), 'the crawl stopped at the limit');
    await dash.waitForFunction(() => /of 1(\.0)? MB/.test(document.querySelector('td.size')?.textContent ?? ''));
    // Browsing the site now stores nothing more, and says why.
    const { page: tab } = await openPage(`${server.origin}/later.html`);
    await until(async () => (await send(dash, { type: 'crawl/report', site })).entries.some((e) => e.url.endsWith('/later.html') && e.reason.startsWith('capture/over-budget:')), 'the visit to be reported over budget');
    assert.ok(!(await storeCall('lookup', `${server.origin}/later.html`)), 'the visit was stored past the limit');
    await tab.close();
  } finally {
    await dash.evaluate(() => chrome.storage.local.remove('budget'));
    await dash.close();
    await server.close();
  }
});
