/**
 * The viewer: `view.html?url=<original URL>[&at=<ISO-8601 time>]`. A banner (offline copy, when captured and by
 * what — a visit, a crawl, or an imported file — which version, "Try live") above a frame showing the mirrored page
 * from `/m/…`. Everything shown from the mirror is attacker text (an imported file's name too): it is set with
 * textContent only.
 */
import { MessageType } from './messages.js';

const params = new URLSearchParams(location.search);
let original = params.get('url') || '';
const at = params.get('at');
/** An element of the page by id (the ids are this page's own). @type {(id: string) => any} */
const $ = (id) => document.getElementById(id);

/**
 * What made a version, for people: `visit`, `crawl`, `imported from <file name>`.
 * @param {string} source a capture's source: `visit`, `dom`, `crawl-…`, `import:<file name>` (`import` before files
 *   were named)
 */
function sourceLabel(source) {
  if (source === 'visit' || source === 'dom') return 'visit';
  if (source.startsWith('crawl-')) return 'crawl';
  if (source === 'import') return 'imported';
  if (source.startsWith('import:')) return `imported from ${source.slice('import:'.length)}`;
  return source;
}

async function show(url, when) {
  // The page's address keeps the time readable (ISO 8601); messages carry milliseconds, like every time of the API.
  render(await chrome.runtime.sendMessage({ type: MessageType.VIEW, url, ...(when ? { at: Date.parse(when) } : {}) }), url, true);
}

/**
 * Fills the banner from a `mirror/view` answer; `load` also points the frame at the page (not done when the
 * frame itself navigated there).
 */
function render(info, url, load) {
  if (!info.ok) {
    $('captured').textContent = `Cannot show the mirror (${info.error.code}).`;
    return;
  }
  const select = $('versions');
  select.replaceChildren();
  if (!info.found) {
    $('mirror').hidden = true;
    const none = $('none');
    none.hidden = false;
    none.textContent = 'This page is not in the mirror. ';
    if (info.suggestion) {
      const a = document.createElement('a');
      a.href = `view.html?url=${encodeURIComponent(info.suggestion)}`;
      a.textContent = `Open the closest mirrored page: ${info.suggestion}`;
      a.id = 'suggestion';
      none.append(a);
    }
    $('captured').textContent = '';
    $('source').textContent = '';
    $('count').textContent = '';
    return;
  }
  for (const v of info.versions) {
    const option = document.createElement('option');
    option.value = new Date(v.at).toISOString();
    const scored = v.fidelity ? `, fidelity ${Math.min(v.fidelity.viewportMatch, v.fidelity.textMatch).toFixed(2)}` : '';
    option.textContent = `${new Date(v.at).toLocaleString()} — ${sourceLabel(v.source ?? '')}${v.status >= 400 ? ` (${v.status})` : ''}${scored}`;
    option.dataset.source = v.source ?? '';
    option.selected = v.at === info.captured;
    select.append(option);
  }
  $('captured').textContent = `captured ${new Date(info.captured).toLocaleString()}`;
  $('captured').dataset.at = String(info.captured);
  $('source').textContent = sourceLabel(info.source ?? '');
  $('source').dataset.source = info.source ?? '';
  $('count').textContent = `${info.versions.length} version${info.versions.length === 1 ? '' : 's'}`;
  const f = info.fidelity;
  $('fidelity').textContent = f ? `Fidelity: screen ${f.viewportMatch.toFixed(2)}, text ${f.textMatch.toFixed(2)}` : '';
  $('fidelity').title = f ? `This copy against the page as it rendered when captured; ${f.missing} of ${f.resources} stylesheets, images and fonts missing` : '';
  if (load) $('mirror').src = info.frame;
  document.title = `Offline copy — ${url}`;
}

/** A link followed inside the mirror: the banner, the address and "Try live" follow the frame's page. */
async function followFrame() {
  const frame = $('mirror').contentWindow?.location.href;
  if (!frame || !frame.startsWith(chrome.runtime.getURL('m/')) || frame === $('mirror').dataset.shown) return;
  $('mirror').dataset.shown = frame;
  const info = await chrome.runtime.sendMessage({ type: MessageType.VIEW, frame });
  if (!info.ok || !info.found || info.url === original) return;
  original = info.url;
  const next = new URL(location.href);
  next.searchParams.set('url', info.url);
  next.searchParams.delete('at');
  history.replaceState(null, '', next.href);
  render(info, info.url, false);
}

/** Lists what the mirrored page asked for that the mirror doesn't have (it was never fetched live). */
async function listMissing() {
  const frame = $('mirror').contentWindow?.location.href;
  if (!frame || !frame.startsWith(chrome.runtime.getURL('m/'))) return;
  const res = await chrome.runtime.sendMessage({ type: MessageType.MISSING, frame });
  if (!res.ok) return;
  const box = $('missing');
  box.hidden = res.missing.length === 0;
  $('missing-summary').textContent = `${res.missing.length} resource${res.missing.length === 1 ? '' : 's'} missing from this copy`;
  $('missing-list').replaceChildren(
    ...res.missing.map((u) => {
      const li = document.createElement('li');
      li.textContent = u;
      return li;
    }),
  );
}

// After each page the frame shows has loaded (and its late requests had a moment to fail).
$('mirror').addEventListener('load', () => {
  followFrame().catch(() => {});
  setTimeout(listMissing, 300);
});

$('versions').addEventListener('change', (e) => {
  const next = new URL(location.href);
  next.searchParams.set('at', /** @type {HTMLSelectElement} */ (e.target).value);
  location.href = next.href;
});
$('try-live').addEventListener('click', () => {
  location.href = original;
});
show(original, at);
