/**
 * Dashboard: the mirrored sites (pages, size, last updated; Open / Delete), a form to add a site by URL, and
 * the offline-fallback triggers, the extension's storage usage and persistence. It talks to the background only through messages.js.
 * Site ids and URLs are attacker text: every one is set with textContent, never as HTML.
 */
import { MessageType, ErrorCode } from '../messages.js';
import { send, el, formatBytes, formatTime, viewerUrl } from '../ui.js';
import { DEFAULT_SETTINGS, settings as fallbackSettings } from '../fallback.js';

const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));
const form = /** @type {HTMLFormElement} */ ($('add'));
const input = /** @type {HTMLInputElement} */ ($('add-url'));

function showAddError(text) {
  $('add-error').textContent = text;
  $('add-done').textContent = '';
  if (text) input.setAttribute('aria-invalid', 'true');
  else input.removeAttribute('aria-invalid');
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const value = input.value.trim();
  const button = /** @type {HTMLButtonElement} */ (form.querySelector('button[type=submit]'));
  if (!value) {
    showAddError('Enter the web address of a site, such as https://example.com/.');
    return;
  }
  button.disabled = true;
  try {
    const res = await send({ type: MessageType.SITE_ADD, url: value });
    if (!res.ok) {
      showAddError(
        res.error.code === ErrorCode.INVALID_URL
          ? `“${value}” is not a web address that can be mirrored: only http:// and https:// URLs, such as https://example.com/.`
          : `The site couldn’t be added (${res.error.code}).`,
      );
      return;
    }
    showAddError('');
    $('add-done').textContent = `Mirroring ${res.site.id}`;
    input.value = '';
    await refresh();
  } finally {
    button.disabled = false;
  }
});
input.addEventListener('input', () => {
  if (input.hasAttribute('aria-invalid')) showAddError('');
});

/** @param {import('../messages.js').SiteSummary} site */
function row(site) {
  const open = el('button', { text: 'Open', className: 'secondary', attrs: { type: 'button' } });
  open.addEventListener('click', () => chrome.tabs.create({ url: viewerUrl(site.startUrl) }));
  const del = el('button', { text: 'Delete', className: 'danger', attrs: { type: 'button' } });
  del.addEventListener('click', async () => {
    // The id is only ever text, in the dialog too (confirm() shows plain text).
    if (!confirm(`Delete the mirror of ${site.id}?\n\nEvery captured page and file of this site is removed from this browser.`)) return;
    del.disabled = true;
    const res = await send({ type: MessageType.SITE_DELETE, id: site.id });
    if (!res.ok) {
      del.disabled = false;
      showListError(`The site couldn’t be deleted (${res.error.code}).`);
      return;
    }
    await refresh();
  });
  const updated = Math.max(site.updated, site.lastCaptured ?? 0);
  const tr = el(
    'tr',
    {},
    el('td', {}, el('div', { className: 'site-id', text: site.id }), el('div', { className: 'site-start', text: site.startUrl })),
    el('td', { className: 'num pages', text: String(site.pages) }),
    el('td', { className: 'num size', text: formatBytes(site.bytes), attrs: { title: `${site.bytes} bytes` } }),
    el('td', { className: 'updated', text: formatTime(updated) }),
    el('td', { className: 'actions' }, open, del),
  );
  tr.dataset.siteId = site.id;
  return tr;
}

function showListError(text) {
  $('sites-error').textContent = text;
  $('sites-error').hidden = !text;
}

async function refreshSites() {
  const res = await send({ type: MessageType.SITES_LIST });
  if (!res.ok) {
    showListError(`The mirrored sites couldn’t be read (${res.error.code}).`);
    return;
  }
  showListError('');
  const body = /** @type {HTMLTableSectionElement} */ (document.querySelector('#sites tbody'));
  body.replaceChildren(...res.sites.map(row));
  $('sites').hidden = res.sites.length === 0;
  $('sites-empty').hidden = res.sites.length > 0;
  $('site-count').textContent = `(${res.sites.length})`;
}

async function refreshStorage() {
  const { usage, quota } = await navigator.storage.estimate();
  $('storage-usage').textContent = usage === undefined ? 'unknown' : formatBytes(usage);
  $('storage-quota').textContent = quota === undefined ? 'unknown' : formatBytes(quota);
  const persisted = await navigator.storage.persisted();
  $('storage-persisted').textContent = persisted
    ? 'Persistent: the browser won’t clear mirrors to free space.'
    : 'Not marked persistent; the extension’s unlimitedStorage permission exempts its mirrors from the usual quota.';
  $('storage').dataset.persisted = String(persisted);
}

async function refresh() {
  await Promise.all([refreshSites(), refreshStorage().catch(() => {})]);
  document.body.dataset.state = 'ready';
}

// Back from the popup or another tab: the list may have changed.
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible') refresh();
});
refresh();

// Offline fallback triggers: defaults from fallback.js, the user's choices in chrome.storage.local `fallback`.
async function showFallbackSettings() {
  const s = await fallbackSettings();
  document.getElementById('fallback-unreachable').checked = s.onUnreachable;
  document.getElementById('fallback-5xx').checked = s.on5xx.length > 0;
  document.getElementById('fallback-500').checked = s.on500;
}

for (const id of ['fallback-unreachable', 'fallback-5xx', 'fallback-500']) {
  document.getElementById(id).addEventListener('change', async () => {
    await chrome.storage.local.set({
      fallback: {
        onUnreachable: document.getElementById('fallback-unreachable').checked,
        on5xx: document.getElementById('fallback-5xx').checked ? DEFAULT_SETTINGS.on5xx : [],
        on500: document.getElementById('fallback-500').checked,
      },
    });
  });
}
showFallbackSettings();
