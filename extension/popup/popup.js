/**
 * Popup: the current tab's site — mirrored or not, how much of it (pages, size, last capture) — a "Mirror this
 * site" button that crawls the site (`crawl/start`), and a link to the dashboard. While a crawl of the site exists
 * it shows its state, progress and counts with Pause / Resume / Cancel, polling `crawl/status` every 500 ms while
 * the crawl is running or paused; a mirrored site with no running crawl offers "Update now" (`crawl/update`).
 * The crawl runs in the background: closing the popup only stops the polling. On a mirrored copy (the viewer or a
 * page under /m/) it says so. It talks to the background only through messages.js. Site ids, URLs and crawl
 * errors are attacker text: textContent only.
 *
 * Which tab: the active tab of the last focused window (the popup is not a tab itself; see `tab.js`).
 */
import { MessageType, ErrorCode } from '../messages.js';
import { currentTabUrl } from './tab.js';
import { send, el, formatBytes, formatTime, offlineCopyOf, crawlStatus, crawlActive, crawlStateText } from '../ui.js';

const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));
const engineOut = /** @type {HTMLOutputElement} */ ($('engine-status'));

send({ type: MessageType.STATUS }).then((res) =>
  showEngine(res.ok ? `v${res.version}` : `error: ${res.error.code}`, !res.ok),
);

/** textContent, never innerHTML: this page shows mirror data, which is attacker text. */
function showEngine(text, isError) {
  engineOut.textContent = text;
  engineOut.classList.toggle('error', isError);
  engineOut.dataset.state = isError ? 'error' : 'ready';
}

/** http(s) URL → URL, anything else → undefined. */
function webUrl(raw) {
  try {
    const u = new URL(raw);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u : undefined;
  } catch {
    return undefined;
  }
}

function message(text, isError = false) {
  const m = $('message');
  m.textContent = text;
  m.classList.toggle('error', isError);
}

/** The URL whose site the popup describes (for an offline copy: the original page), once known. */
let target = '';
/** The id of the mirrored site shown, once known. */
let siteId = '';

const POLL_MS = 500;
/** How many polls between two refreshes of the site's pages / size while a crawl runs. */
const STATUS_EVERY = 4;
let pollTimer = 0;
let polls = 0;
/** Bumped by every refresh, so an answer that arrives after a newer refresh started neither shows nor re-polls. */
let generation = 0;

/** Shows the site's pages, size and last capture. */
function showSiteStatus(status) {
  $('pages').textContent = String(status.pages);
  $('size').textContent = formatBytes(status.bytes);
  $('captured').textContent = formatTime(status.lastCaptured);
  $('status').hidden = false;
}

/** Shows the site of the tab (or of `about`: the site an address led to, once the user chose to mirror it). */
async function render(about) {
  const tabUrl = about ?? (await currentTabUrl());
  const copyOf = offlineCopyOf(tabUrl);
  $('offline').hidden = copyOf === undefined;
  target = copyOf ?? tabUrl;
  const url = webUrl(target);
  const button = /** @type {HTMLButtonElement} */ ($('mirror'));
  const siteLine = $('site');
  if (!url) {
    $('status').hidden = true;
    button.hidden = true;
    siteLine.textContent = copyOf !== undefined ? '' : 'This page can’t be mirrored: only http:// and https:// sites can.';
    document.body.dataset.state = 'not-web';
    return;
  }
  const status = await send({ type: MessageType.SITE_STATUS, url: url.href });
  if (!status.ok) {
    message(`Can’t read the mirror (${status.error.code}).`, true);
    document.body.dataset.state = 'error';
    return;
  }
  if (status.mirrored) {
    siteId = status.site.id;
    siteLine.replaceChildren('Mirrored site', el('strong', { text: status.site.id }));
    showSiteStatus(status);
    button.hidden = true;
    await refreshCrawl();
  } else {
    siteId = '';
    siteLine.replaceChildren('Not mirrored yet', el('strong', { text: `${url.origin}/` }));
    $('status').hidden = true;
    $('crawl').hidden = true;
    $('update').hidden = true;
    button.hidden = false;
    document.body.dataset.crawl = 'none';
  }
  document.body.dataset.state = status.mirrored ? 'mirrored' : 'not-mirrored';
}

/** Sets text only when it changed, so the live region doesn't repeat itself every poll. */
function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
}

/**
 * Shows a crawl status (or none) and the buttons its state allows. Keeps keyboard focus on a control when the
 * one that had it goes away (Pause → Resume and back).
 * @param {import('../messages.js').CrawlStatusResponse} res
 */
function showCrawl(res) {
  const { job, counts } = res;
  const active = crawlActive(job);
  const focused = document.activeElement;
  $('crawl').hidden = !job;
  $('update').hidden = active;
  document.body.dataset.crawl = job ? job.state : 'none';
  if (job) {
    const progress = /** @type {HTMLProgressElement} */ ($('crawl-progress'));
    const done = job.state === 'done';
    progress.value = done ? 1 : Math.min(1, Math.max(0, res.progress || 0));
    const stateLine = $('crawl-state');
    setText(stateLine, crawlStateText(job, res.progress));
    stateLine.classList.toggle('error', job.state === 'failed');
    setText($('crawl-done'), String(counts.done));
    setText($('crawl-queued'), String(counts.queued));
    setText($('crawl-failed'), String(counts.failed));
    setText($('crawl-skipped'), String(counts.skipped));
    setText($('crawl-bytes'), formatBytes(job.bytes));
  }
  $('pause').hidden = job?.state !== 'running';
  $('resume').hidden = job?.state !== 'paused';
  $('cancel').hidden = !active;
  if (focused instanceof HTMLElement && focused.hidden) {
    const next = ['resume', 'pause', 'cancel', 'update'].map($).find((b) => !b.hidden && !b.closest('[hidden]'));
    next?.focus();
  }
}

/** Reads the site's crawl, shows it, and keeps polling while it is running or paused. */
async function refreshCrawl() {
  clearTimeout(pollTimer);
  const mine = ++generation;
  if (!siteId) return;
  const res = await crawlStatus(siteId);
  if (mine !== generation) return;
  if (res.ok === false) {
    $('crawl').hidden = true;
    $('update').hidden = false;
    document.body.dataset.crawl = 'unknown';
    message(`Can’t read the crawl (${res.error.code}).`, true);
    return;
  }
  const wasActive = document.body.dataset.crawl === 'running' || document.body.dataset.crawl === 'paused';
  showCrawl(res);
  const active = crawlActive(res.job);
  polls += 1;
  // Pages and size grow while the crawl stores them; refresh them now and then, and once at the end.
  // "Mirroring started…" has served its purpose once the crawl is over.
  if (wasActive && !active && $('message').textContent.startsWith('Mirroring started')) message('');
  if ((active && polls % STATUS_EVERY === 0) || (wasActive && !active)) {
    const status = await send({ type: MessageType.SITE_STATUS, url: siteId });
    if (status.ok && status.mirrored) showSiteStatus(status);
  }
  if (active) pollTimer = setTimeout(() => refreshCrawl().catch(showError), POLL_MS);
}

function showError(err) {
  message(`Error: ${err instanceof Error ? err.message : String(err)}`, true);
}

/** Text for a failed crawl request; `crawl/invalid-config` and others carry the engine's explanation. */
function crawlError(res, what) {
  if (res.error.code === ErrorCode.INVALID_URL) return 'Only http:// and https:// sites can be mirrored.';
  return `Couldn’t ${what} (${res.error.code})${res.error.message ? `: ${res.error.message}` : '.'}`;
}

/**
 * Runs a crawl request from a button (ignoring further clicks while it is on its way).
 * @param {HTMLElement} button @param {object} request @param {string} what @param {string} [done]
 */
async function control(button, request, what, done) {
  // aria-disabled, not disabled: a disabled button loses the keyboard focus, which should stay on the controls.
  if (button.getAttribute('aria-disabled') === 'true') return { ok: false, busy: true };
  button.setAttribute('aria-disabled', 'true');
  try {
    const res = await send(request);
    if (!res.ok) {
      message(crawlError(res, what), true);
      return res;
    }
    message(done ?? '');
    return res;
  } finally {
    button.removeAttribute('aria-disabled');
  }
}

/** Starts mirroring `url`; an address that leads to another site asks the user first (see `leads`). */
async function mirror(button, url) {
  const res = await control(button, { type: MessageType.CRAWL_START, url }, 'mirror the site', 'Mirroring started: it goes on when the popup is closed.');
  if (res.ok && res.job === null && res.leadsTo) {
    message('');
    $('leads-to').textContent = res.leadsTo; // attacker text: textContent only
    $('leads').hidden = false;
    $('leads-yes').focus();
    return;
  }
  $('leads').hidden = true;
  // The site mirrored may be the one the address led to: the popup describes it from now on.
  if (res.ok) await render(url);
  if (res.ok && !$('pause').hidden) $('pause').focus();
}

$('mirror').addEventListener('click', () => mirror($('mirror'), target));
$('leads-yes').addEventListener('click', () => mirror($('leads-yes'), $('leads-to').textContent ?? ''));
$('leads-no').addEventListener('click', () => {
  $('leads').hidden = true;
  $('mirror').focus();
});
$('update').addEventListener('click', async () => {
  const res = await control($('update'), { type: MessageType.CRAWL_UPDATE, site: siteId }, 'update the site', 'Updating: it goes on when the popup is closed.');
  if (res.ok) await refreshCrawl();
});
for (const [id, type, what] of [
  ['pause', MessageType.CRAWL_PAUSE, 'pause the crawl'],
  ['resume', MessageType.CRAWL_RESUME, 'resume the crawl'],
  ['cancel', MessageType.CRAWL_CANCEL, 'cancel the crawl'],
]) {
  $(id).addEventListener('click', async () => {
    const res = await control($(id), { type, site: siteId }, what);
    if (res.ok) await refreshCrawl();
  });
}

render().catch(showError);
