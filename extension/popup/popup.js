/**
 * Popup: the current tab's site — mirrored or not, how much of it (pages, size, last capture) — a "Mirror this
 * site" button, and a link to the dashboard. On a mirrored copy (the viewer or a page under /m/) it says so.
 * It talks to the background only through messages.js. Site ids and URLs are attacker text: textContent only.
 *
 * Which tab: the active tab of the last focused window (the popup is not a tab itself). FOR TESTS ONLY, a
 * `?url=<tab URL>` query parameter stands in for the tab's URL (a test opens this page in a tab of its own,
 * where it would otherwise describe itself); Chrome never opens the popup with a query.
 */
import { MessageType } from '../messages.js';
import { send, el, formatBytes, formatTime, offlineCopyOf } from '../ui.js';

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

/** The URL of the tab this popup is about (see the header for the test-only override). */
async function currentTabUrl() {
  const override = new URLSearchParams(location.search).get('url');
  if (override !== null) return override;
  const [tab] = await chrome.tabs.query({ active: true, lastFocusedWindow: true });
  return tab?.url || tab?.pendingUrl || '';
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

async function render() {
  const tabUrl = await currentTabUrl();
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
    siteLine.replaceChildren('Mirrored site', el('strong', { text: status.site.id }));
    $('pages').textContent = String(status.pages);
    $('size').textContent = formatBytes(status.bytes);
    $('captured').textContent = formatTime(status.lastCaptured);
    $('status').hidden = false;
    button.hidden = true;
  } else {
    siteLine.replaceChildren('Not mirrored yet', el('strong', { text: `${url.origin}/` }));
    $('status').hidden = true;
    button.hidden = false;
  }
  document.body.dataset.state = status.mirrored ? 'mirrored' : 'not-mirrored';
}

$('mirror').addEventListener('click', async () => {
  const button = /** @type {HTMLButtonElement} */ ($('mirror'));
  button.disabled = true;
  const res = await send({ type: MessageType.SITE_ADD, url: target });
  button.disabled = false;
  if (!res.ok) {
    message(res.error.code === 'site/invalid-url' ? 'Only http:// and https:// sites can be mirrored.' : `Couldn’t add the site (${res.error.code}).`, true);
    return;
  }
  message('Added to your mirrored sites.');
  await render();
});

render().catch((err) => message(`Error: ${err instanceof Error ? err.message : String(err)}`, true));
