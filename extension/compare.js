/**
 * Compare: `compare.html?url=<original URL>`, opened from the dashboard's Fidelity list. The live page as it is now
 * and its latest mirrored copy side by side, at the same width, with the copy's fidelity score (its replay against
 * the page as it rendered when it was captured). The URL and everything read from the mirror are attacker text:
 * set with textContent only.
 */
import { MessageType } from './messages.js';
import { formatTime } from './ui.js';

/** An element of the page by id (the ids are this page's own). @type {(id: string) => any} */
const $ = (id) => document.getElementById(id);
const raw = new URLSearchParams(location.search).get('url') || '';

/** Only a web address is ever loaded in the live frame (never javascript:, data:, or an extension page). */
function webUrl(s) {
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
  } catch {
    return null;
  }
}

async function main() {
  const url = webUrl(raw);
  $('page').textContent = raw;
  if (!url) return none('Not a web address.');
  const info = await chrome.runtime.sendMessage({ type: MessageType.VIEW, url });
  if (!info.ok) return none(`The mirror can’t be read (${info.error.code}).`);
  if (!info.found) return none('This page is not in the mirror.');
  const f = info.fidelity;
  $('scores').textContent = f
    ? `Screen match ${f.viewportMatch.toFixed(2)} · text match ${f.textMatch.toFixed(2)} · ${f.missing} of ${f.resources} missing in replay`
    : 'Not scored (pages are scored when a crawl renders them).';
  $('mirror-title').textContent = `Mirror, captured ${formatTime(info.captured)}`;
  $('mirror').src = info.frame;
  $('live').src = url;
}

function none(text) {
  const p = $('none');
  p.hidden = false;
  p.textContent = text;
  document.querySelector('main').hidden = true;
}

main();
