/**
 * Dashboard: the mirrored sites (pages, size, last updated, their crawl: state, progress and counts; Open, Pause /
 * Resume / Cancel, Update now, Report of failed and skipped URLs, Fidelity of rendered pages with Compare and
 * Recapture, Delete), a form that mirrors a site by URL
 * (`crawl/start`, with crawl options under "Options"), the offline-fallback triggers, the extension's storage usage
 * and persistence. It talks to the background through messages.js; while a crawl runs or is paused it polls
 * `crawl/status` every 500 ms, and a crawl started elsewhere (the popup) shows up at once (chrome.storage.onChanged).
 * WARC export and import (archive.js) run in this page with the engine and store loaded here: they handle the
 * user's File and a download, which a service worker can't. Import lists the sites of a file for the user to tick
 * first; a site it created is marked in its row, with a button that turns on capture and the offline fallback.
 * Site ids, URLs, crawl errors, report and import reasons, file names are attacker text: every one is set with
 * textContent, never as HTML.
 */
import { MessageType, ErrorCode } from '../messages.js';
import {
  send, el, formatBytes, formatTime, viewerUrl, crawlStatus, crawlActive, crawlStateText, parseReason, percent, REPORT_SHOWN,
} from '../ui.js';
import { DEFAULT_SETTINGS, settings as fallbackSettings } from '../fallback.js';
import { siteBudget, setSiteBudget } from '../budget.js';

/** An element of the page by id (any element type: the ids are this page's own). @type {(id: string) => any} */
const $ = (id) => document.getElementById(id);
const form = /** @type {HTMLFormElement} */ ($('add'));
const input = /** @type {HTMLInputElement} */ ($('add-url'));
const optionsBox = /** @type {HTMLDetailsElement} */ ($('options'));

function showAddError(text) {
  $('add-error').textContent = text;
  $('add-done').textContent = '';
  if (text) input.setAttribute('aria-invalid', 'true');
  else input.removeAttribute('aria-invalid');
}

// ---- Crawl options: only the fields the user set are sent; the engine fills the rest with its defaults and
// rejects what it can't take (crawl/invalid-config, shown as it says). The ranges below are the engine's
// (crate/src/crawl/config.rs), checked here first so a typo gets a message next to its field. ----

const MB = 1024 * 1024;
/** A number field's value: undefined when empty, else a finite number or an error text. */
function numberField(raw, { whole, min, max, above = false, label, rule }) {
  const text = raw.trim().replace(',', '.');
  if (text === '') return { value: undefined };
  const ok = whole ? /^\d+$/.test(text) : /^(\d+(\.\d*)?|\.\d+)$/.test(text);
  const n = ok ? Number(text) : NaN;
  if (!Number.isFinite(n) || n < min || n > max || (above && n === min)) {
    return { error: `${label} must be ${rule}, or empty for the default.` };
  }
  return { value: n };
}

/** The number fields: element id, CrawlOptions key, and how the typed value becomes the option. */
const NUMBER_FIELDS = [
  { id: 'opt-depth', key: 'maxDepth', whole: true, min: 0, max: 1000, label: 'Maximum depth',
    rule: 'a whole number from 0 (the start page only) to 1000', to: (n) => n },
  { id: 'opt-pages', key: 'maxPages', whole: true, min: 1, max: 1_000_000, label: 'Maximum pages',
    rule: 'a whole number from 1 to 1000000', to: (n) => n },
  { id: 'opt-size', key: 'maxBytes', whole: false, min: 0, above: true, max: 1024 * 1024, label: 'Maximum size',
    rule: 'a number of megabytes above 0 (such as 500 or 0.5)', to: (n) => Math.max(1, Math.round(n * MB)) },
  { id: 'opt-timeout', key: 'timeoutMs', whole: false, min: 1, max: 600, label: 'Timeout per request',
    rule: 'a number of seconds from 1 to 600', to: (n) => Math.round(n * 1000) },
];

/** One pattern a line, blank lines dropped. */
const lines = (id) => /** @type {HTMLTextAreaElement} */ ($(id)).value.split('\n').map((l) => l.trim()).filter(Boolean);
const checked = (id) => /** @type {HTMLInputElement} */ ($(id)).checked;
const fieldValue = (id) => /** @type {HTMLInputElement} */ ($(id)).value;

/**
 * Reads the options form.
 * @returns {{options: import('../messages.js').CrawlOptions, errors: {id: string, text: string}[]}}
 */
function readOptions() {
  /** @type {Record<string, unknown>} */
  const options = {};
  const errors = [];
  if (checked('opt-scope-prefix')) {
    // A path (resolved against the start URL) or an absolute URL on the site; empty: the start URL's folder.
    const prefix = fieldValue('opt-prefix').trim();
    Object.assign(options, { scope: 'prefix' }, prefix ? { prefix } : {});
  }
  for (const f of NUMBER_FIELDS) {
    const r = numberField(fieldValue(f.id), f);
    if (r.error) errors.push({ id: f.id, text: r.error });
    else if (r.value !== undefined) options[f.key] = f.to(r.value);
  }
  const include = lines('opt-include');
  const exclude = lines('opt-exclude');
  if (include.length) options.include = include;
  if (exclude.length) options.exclude = exclude;
  if (!checked('opt-external')) options.externalResources = false;
  if (checked('opt-robots')) options.ignoreRobots = true;
  const render = /** @type {HTMLSelectElement} */ ($('opt-render')).value;
  if (render !== 'never') options.render = render;
  const score = /** @type {HTMLSelectElement} */ ($('opt-score')).value;
  if (render !== 'never' && score !== 'sample') options.score = score;
  return { options, errors };
}

const OPTION_INPUTS = NUMBER_FIELDS.map((f) => f.id);

/** Shows each field's error under it (or clears it). */
function showOptionErrors(errors) {
  for (const id of OPTION_INPUTS) {
    const err = errors.find((e) => e.id === id);
    $(`${id}-error`).textContent = err ? err.text : '';
    if (err) $(id).setAttribute('aria-invalid', 'true');
    else $(id).removeAttribute('aria-invalid');
  }
}
for (const id of OPTION_INPUTS) {
  $(id).addEventListener('input', () => {
    if (!$(id).hasAttribute('aria-invalid')) return;
    $(`${id}-error`).textContent = '';
    $(id).removeAttribute('aria-invalid');
  });
}
// Typing a path prefix means mirroring under it.
$('opt-prefix').addEventListener('input', () => {
  if (fieldValue('opt-prefix').trim()) /** @type {HTMLInputElement} */ ($('opt-scope-prefix')).checked = true;
});

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const value = input.value.trim();
  const button = /** @type {HTMLButtonElement} */ (form.querySelector('button[type=submit]'));
  if (!value) {
    showAddError('Enter the web address of a site, such as https://example.com/.');
    input.focus();
    return;
  }
  const { options, errors } = readOptions();
  showOptionErrors(errors);
  if (errors.length) {
    optionsBox.open = true;
    showAddError(`Check the options: ${errors[0].text}`);
    input.removeAttribute('aria-invalid');
    $(errors[0].id).focus();
    return;
  }
  button.disabled = true;
  try {
    const request = { type: MessageType.CRAWL_START, url: value, ...(Object.keys(options).length ? { options } : {}) };
    const res = await send(request);
    if (!res.ok) {
      const { code, message } = res.error;
      if (code === ErrorCode.INVALID_URL) {
        showAddError(`“${value}” is not a web address that can be mirrored: only http:// and https:// URLs, such as https://example.com/.`);
      } else if (code === ErrorCode.CRAWL_INVALID_CONFIG) {
        optionsBox.open = true;
        showAddError(`The crawl options were refused: ${message || code}`);
        input.removeAttribute('aria-invalid');
      } else {
        showAddError(`The crawl couldn’t be started (${code})${message ? `: ${message}` : '.'}`);
      }
      return;
    }
    if (res.job === null && res.leadsTo) {
      // The address leads to another site: nothing is crawled there until the user starts that address.
      input.value = res.leadsTo;
      showAddError(`“${value}” leads to another site, ${res.leadsTo}. Press Start mirror again to mirror that site.`);
      input.focus();
      return;
    }
    showAddError('');
    $('add-done').textContent = `Mirroring ${res.job?.site ?? value}: the crawl runs in the background.`;
    input.value = '';
    await refresh();
  } finally {
    button.disabled = false;
  }
});
input.addEventListener('input', () => {
  if (input.hasAttribute('aria-invalid')) showAddError('');
});

// ---- Sites: one row each, kept across refreshes (so focus and open reports survive polling). ----

const POLL_MS = 500;
/** Polls between two refreshes of pages / size while a crawl runs. */
const LIST_EVERY = 4;
/** @type {Map<string, SiteRow>} */
const rows = new Map();
let reportIds = 0;

class SiteRow {
  /** @param {import('../messages.js').SiteSummary} site */
  constructor(site) {
    this.id = site.id;
    this.site = site;
    /** @type {import('../messages.js').CrawlStatusResponse | null} */
    this.status = null;
    this.seq = 0;
    const button = (text, className, onClick) => {
      const b = el('button', { text, className, attrs: { type: 'button' } });
      b.addEventListener('click', () => onClick(b));
      return b;
    };
    this.open = button('Open', 'secondary', () => chrome.tabs.create({ url: viewerUrl(this.site.startUrl) }));
    this.pause = button('Pause', 'secondary', (b) => this.control(b, MessageType.CRAWL_PAUSE, 'paused'));
    this.resume = button('Resume', 'secondary', (b) => this.control(b, MessageType.CRAWL_RESUME, 'resumed'));
    this.cancel = button('Cancel crawl', 'secondary', (b) => this.control(b, MessageType.CRAWL_CANCEL, 'cancelled'));
    this.update = button('Update now', 'secondary', (b) => this.control(b, MessageType.CRAWL_UPDATE, 'updated'));
    this.reportButton = button('Report', 'secondary', () => this.toggleReport());
    this.fidelityButton = button('Fidelity', 'secondary', () => this.toggleFidelity());
    this.exportWacz = button('Export WACZ', 'secondary', (b) => this.exportArchive(b, 'wacz'));
    this.exportButton = button('Export WARC', 'secondary', (b) => this.exportArchive(b, 'warc'));
    this.del = button('Delete', 'danger', () => this.remove());
    this.enable = button('Turn on offline fallback and capture as I browse', 'secondary', (b) => this.turnOn(b));
    this.enable.classList.add('enable');
    const reportId = `report-${++reportIds}`;
    this.reportButton.setAttribute('aria-expanded', 'false');
    this.reportButton.setAttribute('aria-controls', reportId);

    this.state = el('p', { className: 'crawl-state', attrs: { 'aria-live': 'polite', 'aria-atomic': 'true' } });
    this.progress = /** @type {HTMLProgressElement} */ (el('progress', { attrs: { max: '1', value: '0' } }));
    this.progress.setAttribute('aria-label', `Crawl progress of ${site.id}`); // an attribute: text, never markup
    this.counts = el('p', { className: 'crawl-counts' });
    this.countCells = Object.fromEntries(
      ['done', 'queued', 'failed', 'skipped', 'bytes'].map((k) => [k, el('span', { className: `count-${k}` })]),
    );
    this.counts.append(
      this.countCells.done, ' done · ', this.countCells.queued, ' queued · ', this.countCells.failed, ' failed · ',
      this.countCells.skipped, ' skipped · ', this.countCells.bytes, ' downloaded',
    );
    this.actionError = el('p', { className: 'error row-error', attrs: { role: 'alert' } });
    this.note = el('p', { className: 'done row-note', attrs: { role: 'status' } });

    this.pages = el('td', { className: 'num pages' });
    this.size = el('td', { className: 'num size' });
    this.updated = el('td', { className: 'updated' });
    this.siteId = el('div', { className: 'site-id' });
    this.siteStart = el('div', { className: 'site-start' });
    this.importedNote = el('div', {
      className: 'site-imported',
      text: 'Imported: kept for offline viewing only. It isn’t captured as you browse, and the offline fallback doesn’t open it.',
    });
    this.tr = el(
      'tr',
      {},
      el('th', { attrs: { scope: 'row' } }, this.siteId, this.siteStart, this.importedNote, this.enable),
      this.pages,
      this.size,
      this.updated,
      el('td', { className: 'crawl' }, this.state, this.progress, this.counts, this.actionError, this.note),
      el('td', { className: 'actions' }, this.open, this.pause, this.resume, this.cancel, this.update, this.reportButton,
        this.fidelityButton, this.exportWacz, this.exportButton, this.del),
    );
    this.tr.dataset.siteId = site.id;
    this.report = el('div', { className: 'report', attrs: { id: reportId, role: 'region' } });
    this.report.setAttribute('aria-label', `Report of ${site.id}`);
    this.reportRow = el('tr', { className: 'report-row' }, el('td', { attrs: { colspan: '6' } }, this.report));
    this.reportRow.dataset.reportOf = site.id;
    this.reportRow.hidden = true;
    const fidelityId = `fidelity-${reportIds}`;
    this.fidelityButton.setAttribute('aria-expanded', 'false');
    this.fidelityButton.setAttribute('aria-controls', fidelityId);
    this.fidelity = el('div', { className: 'fidelity', attrs: { id: fidelityId, role: 'region' } });
    this.fidelity.setAttribute('aria-label', `Fidelity of ${site.id}`);
    this.fidelityRow = el('tr', { className: 'report-row fidelity-row' }, el('td', { attrs: { colspan: '6' } }, this.fidelity));
    this.fidelityRow.dataset.fidelityOf = site.id;
    this.fidelityRow.hidden = true;
    this.setSite(site);
    this.showCrawl(null);
  }

  /** @param {import('../messages.js').SiteSummary} site */
  setSite(site) {
    this.site = site;
    const updated = Math.max(site.updated, site.lastCaptured ?? 0);
    setText(this.siteId, site.id);
    setText(this.siteStart, site.startUrl);
    setText(this.pages, String(site.pages));
    setText(this.size, `${formatBytes(site.bytes)} of ${formatBytes(budget)}`);
    this.size.title = `${site.bytes} bytes; the size limit of one site is ${budget} bytes`;
    this.size.classList.toggle('full', site.bytes >= budget);
    setText(this.updated, formatTime(updated));
    this.importedNote.hidden = !site.importedOnly;
    this.enable.hidden = !site.importedOnly;
    this.tr.dataset.importedOnly = String(!!site.importedOnly);
  }

  /** An imported site becomes one the user mirrors: capture as you browse and the offline fallback on. */
  async turnOn(b) {
    b.disabled = true;
    setText(this.actionError, '');
    const res = await send({ type: MessageType.SITE_ENABLE, id: this.id });
    b.disabled = false;
    if (!res.ok) {
      setText(this.actionError, `The site couldn’t be turned on (${res.error.code}).`);
      return;
    }
    setText(this.note, 'Offline fallback and capture as you browse are on for this site.');
    await refresh();
  }

  get active() {
    return crawlActive(this.status?.job);
  }

  /** Asks for the crawl's status; an answer overtaken by a newer request is dropped. */
  async load() {
    const n = ++this.seq;
    const res = await crawlStatus(this.id);
    if (n !== this.seq) return;
    if (res.ok === false) {
      this.showCrawl(null, `Crawl status unavailable (${res.error.code}).`);
      return;
    }
    const before = this.status?.job;
    this.showCrawl(res);
    const after = res.job;
    // The crawl moved on: a report on show is refreshed (finished crawls add their last entries), and so are the
    // scores (a crawl scores its pages as it goes).
    const moved = before?.state !== after?.state || before?.started !== after?.started;
    if (!this.reportRow.hidden && moved) this.loadReport();
    if (!this.fidelityRow.hidden && moved) this.loadFidelity();
  }

  /** @param {import('../messages.js').CrawlStatusResponse | null} res @param {string} [problem] */
  showCrawl(res, problem) {
    const focused = document.activeElement;
    this.status = res;
    const job = res?.job ?? null;
    this.tr.dataset.crawl = job ? job.state : 'none';
    setText(this.state, job ? crawlStateText(job, res.progress) : problem || 'Not crawled yet');
    this.state.classList.toggle('error', job?.state === 'failed' || !!problem);
    this.progress.hidden = !job;
    this.counts.hidden = !job;
    if (job) {
      this.progress.value = job.state === 'done' ? 1 : Math.min(1, Math.max(0, res.progress || 0));
      this.progress.setAttribute('aria-valuetext', `${percent(job.state === 'done' ? 1 : res.progress)}%`);
      setText(this.countCells.done, String(res.counts.done));
      setText(this.countCells.queued, String(res.counts.queued));
      setText(this.countCells.failed, String(res.counts.failed));
      setText(this.countCells.skipped, String(res.counts.skipped));
      setText(this.countCells.bytes, formatBytes(job.bytes));
    }
    this.pause.hidden = job?.state !== 'running';
    this.resume.hidden = job?.state !== 'paused';
    this.cancel.hidden = !this.active;
    this.update.hidden = this.active;
    this.reportButton.hidden = !job;
    if (!job && !this.reportRow.hidden) this.toggleReport();
    if (focused instanceof HTMLElement && focused.hidden && this.tr.contains(focused)) {
      [this.resume, this.pause, this.cancel, this.update, this.open].find((b) => !b.hidden)?.focus();
    }
  }

  /** Pause / Resume / Cancel / Update now. */
  async control(buttonEl, type, done) {
    // aria-disabled, not disabled: a disabled button loses the keyboard focus, which should stay in the row.
    if (buttonEl.getAttribute('aria-disabled') === 'true') return;
    buttonEl.setAttribute('aria-disabled', 'true');
    setText(this.actionError, '');
    try {
      const res = await send({ type, site: this.id });
      if (!res.ok) {
        setText(this.actionError, `The crawl couldn’t be ${done} (${res.error.code})${res.error.message ? `: ${res.error.message}` : '.'}`);
        return;
      }
      await this.load();
      schedulePoll();
    } finally {
      buttonEl.removeAttribute('aria-disabled');
    }
  }

  async remove() {
    // The id is only ever text, in the dialog too (confirm() shows plain text).
    if (!confirm(`Delete the mirror of ${this.id}?\n\nEvery captured page and file of this site is removed from this browser.`)) return;
    this.del.disabled = true;
    const res = await send({ type: MessageType.SITE_DELETE, id: this.id });
    if (!res.ok) {
      this.del.disabled = false;
      showListError(`The site couldn’t be deleted (${res.error.code}).`);
      return;
    }
    await refresh();
  }

  /** Downloads the site as `<host>-<time>.warc.gz` or `.wacz`. */
  async exportArchive(b, format) {
    b.disabled = true;
    setText(this.actionError, '');
    setText(this.note, 'Exporting…');
    try {
      const { engine, store, archive } = await archiveTools();
      const exporter = format === 'wacz' ? archive.exportWacz : archive.exportSite;
      const out = await exporter(engine, store, this.id, { software: `sitemirror/${engine.version()}` });
      const a = el('a', { attrs: { href: URL.createObjectURL(out.blob), download: out.filename } });
      a.click();
      setTimeout(() => URL.revokeObjectURL(a.href), 60_000);
      const lost = out.missing.length ? `; ${out.missing.length} captures had lost their body and were left out` : '';
      setText(this.note, `Exported ${out.responses + out.revisits} captures (${out.revisits} repeating an earlier body) as ` +
        `${out.filename}, ${formatBytes(out.blob.size)}${lost}.`);
    } catch (err) {
      setText(this.note, '');
      setText(this.actionError, `The export failed (${err?.code || err?.name || 'error'}): ${err?.message || err}`);
    } finally {
      b.disabled = false;
    }
  }

  toggleFidelity() {
    const open = this.fidelityRow.hidden;
    this.fidelityRow.hidden = !open;
    this.fidelityButton.setAttribute('aria-expanded', String(open));
    if (open) this.loadFidelity();
  }

  /**
   * The site's fidelity (`site/fidelity`, the engine's summary): the means over scored pages, what their replays
   * missed, the worst pages with Compare (live and mirror side by side) and Recapture, and "Recapture low-scoring
   * pages" for every page below 0.9.
   */
  async loadFidelity() {
    const n = (this.fidelitySeq = (this.fidelitySeq ?? 0) + 1);
    this.fidelity.setAttribute('aria-busy', 'true');
    const res = await send({ type: MessageType.SITE_FIDELITY, site: this.id });
    if (n !== this.fidelitySeq) return;
    this.fidelity.removeAttribute('aria-busy');
    const heading = el('h3', { text: `Fidelity of ${this.id}` });
    if (!res.ok) {
      this.fidelity.replaceChildren(heading, el('p', { className: 'error', text: `The scores couldn’t be read (${res.error.code}).` }));
      return;
    }
    const score = (v) => (v === null || v === undefined ? '—' : v.toFixed(2));
    if (res.scored === 0) {
      this.fidelity.replaceChildren(heading, el('p', {
        className: 'fidelity-summary',
        text: 'No page has a fidelity score yet. Pages are scored when a crawl renders them: choose “Render pages with JavaScript” in the options of “Mirror this site”.',
      }));
      return;
    }
    const summary = el('p', {
      className: 'fidelity-summary',
      text: `${res.scored} of ${res.pages} pages scored. Mean screen match ${score(res.viewportMean)}, mean text match ` +
        `${score(res.textMean)}; ${res.missing} of ${res.resources} stylesheets, images and fonts missing in replay.`,
    });
    /** @type {HTMLElement[]} */
    const parts = [heading, summary];
    if (res.low.length) {
      const all = el('button', { text: `Recapture low-scoring pages (${res.low.length})`, className: 'secondary recapture-low', attrs: { type: 'button' } });
      all.addEventListener('click', () => this.recapture(all, res.low));
      parts.push(all);
    }
    const body = el('tbody');
    for (const w of res.worst) {
      const f = w.fidelity;
      const compare = el('button', { text: 'Compare', className: 'secondary', attrs: { type: 'button' } });
      compare.addEventListener('click', () => chrome.tabs.create({ url: chrome.runtime.getURL(`compare.html?url=${encodeURIComponent(w.url)}`) }));
      const again = el('button', { text: 'Recapture', className: 'secondary', attrs: { type: 'button' } });
      again.addEventListener('click', () => this.recapture(again, [w.url]));
      const tr = el('tr', {},
        el('td', { className: 'report-url', text: w.url }),
        el('td', { className: 'num fidelity-viewport', text: score(f.viewportMatch) }),
        el('td', { className: 'num fidelity-text', text: score(f.textMatch) }),
        el('td', { className: 'num fidelity-missing', text: `${f.missing} of ${f.resources}` }),
        el('td', { className: 'updated', text: formatTime(f.at) }),
        el('td', {}, compare, again));
      tr.dataset.url = w.url;
      tr.classList.toggle('low', Math.min(f.viewportMatch, f.textMatch) < 0.9);
      body.append(tr);
    }
    parts.push(el('table', { className: 'report-list fidelity-list' },
      el('caption', { text: 'Lowest-scoring pages first' }),
      el('thead', {}, el('tr', {},
        el('th', { text: 'Page', attrs: { scope: 'col' } }),
        el('th', { text: 'Screen match', attrs: { scope: 'col', title: 'The first screen of the page, live when it was captured and in the mirror: share of points that look the same' } }),
        el('th', { text: 'Text match', attrs: { scope: 'col', title: 'The visible text, live when it was captured and in the mirror' } }),
        el('th', { text: 'Missing in replay', attrs: { scope: 'col' } }),
        el('th', { text: 'Scored', attrs: { scope: 'col' } }),
        el('th', { text: 'Actions', attrs: { scope: 'col' } }))),
      body));
    this.fidelity.replaceChildren(...parts);
    this.fidelity.dataset.loaded = String(n);
  }

  /** Crawls `urls` again, rendered and scored (`crawl/recapture`); the row follows the crawl. */
  async recapture(b, urls) {
    if (b.getAttribute('aria-disabled') === 'true') return;
    b.setAttribute('aria-disabled', 'true');
    setText(this.actionError, '');
    try {
      const res = await send({ type: MessageType.CRAWL_RECAPTURE, site: this.id, urls });
      if (!res.ok) {
        setText(this.actionError, `The pages couldn’t be recaptured (${res.error.code})${res.error.message ? `: ${res.error.message}` : '.'}`);
        return;
      }
      setText(this.note, `Recapturing ${urls.length} page${urls.length === 1 ? '' : 's'}…`);
      await this.load();
      schedulePoll();
    } finally {
      b.removeAttribute('aria-disabled');
    }
  }

  toggleReport() {
    const open = this.reportRow.hidden;
    this.reportRow.hidden = !open;
    this.reportButton.setAttribute('aria-expanded', String(open));
    if (open) this.loadReport();
  }

  /** Reads `crawl/report` and lists the failed and skipped URLs (the first REPORT_SHOWN of them). */
  async loadReport() {
    const n = (this.reportSeq = (this.reportSeq ?? 0) + 1);
    this.report.setAttribute('aria-busy', 'true');
    const res = await send({ type: MessageType.CRAWL_REPORT, site: this.id });
    if (n !== this.reportSeq) return;
    this.report.removeAttribute('aria-busy');
    const heading = el('h3', { text: `Failed and skipped URLs of ${this.id}` });
    if (!res.ok) {
      this.report.replaceChildren(heading, el('p', { className: 'error', text: `The report couldn’t be read (${res.error.code}).` }));
      return;
    }
    const entries = res.entries;
    const counts = this.status?.counts;
    const total = Math.max(entries.length, counts ? counts.failed + counts.skipped : 0);
    const shown = entries.slice(0, REPORT_SHOWN);
    const failed = entries.filter((e) => e.state === 'failed').length;
    let summary;
    if (total === 0) summary = 'Nothing failed and nothing was skipped.';
    else if (shown.length < total) summary = `Showing the first ${shown.length} of ${total} URLs.`;
    else summary = `${total} URL${total === 1 ? '' : 's'}: ${failed} failed, ${total - failed} skipped.`;
    const refreshButton = el('button', { text: 'Refresh report', className: 'secondary', attrs: { type: 'button' } });
    refreshButton.addEventListener('click', () => this.loadReport());
    const parts = [heading, el('p', { className: 'report-summary', text: summary }), refreshButton];
    if (shown.length) {
      const body = el('tbody');
      for (const e of shown) {
        const { code, text } = parseReason(e.reason);
        const tr = el(
          'tr',
          {},
          el('td', { className: 'report-url', text: e.url }),
          el('td', { className: 'report-kind', text: e.page ? 'page' : 'resource' }),
          el('td', { className: 'report-state', text: e.state }),
          el('td', { className: 'report-reason' }, el('code', { text: code }), text ? ` ${text}` : ''),
        );
        tr.dataset.code = code;
        tr.dataset.state = e.state;
        body.append(tr);
      }
      parts.push(
        el(
          'table',
          { className: 'report-list' },
          el('thead', {}, el('tr', {},
            el('th', { text: 'URL', attrs: { scope: 'col' } }),
            el('th', { text: 'Type', attrs: { scope: 'col' } }),
            el('th', { text: 'Result', attrs: { scope: 'col' } }),
            el('th', { text: 'Reason', attrs: { scope: 'col' } }))),
          body,
        ),
      );
    }
    this.report.replaceChildren(...parts);
    this.report.dataset.loaded = String(n);
  }
}

/** Sets text only when it changed (live regions announce changes, not every poll). */
function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
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
  const ids = new Set(res.sites.map((s) => s.id));
  for (const [id, r] of rows) {
    if (ids.has(id)) continue;
    r.tr.remove();
    r.reportRow.remove();
    r.fidelityRow.remove();
    rows.delete(id);
  }
  const order = res.sites.map((site) => {
    let r = rows.get(site.id);
    if (r) r.setSite(site);
    else rows.set(site.id, (r = new SiteRow(site)));
    return r;
  });
  // Re-append only when the order changed: moving a row would take the keyboard focus out of it.
  const current = [...body.children].filter((n) => n.matches('tr:not(.report-row)'));
  if (current.length !== order.length || current.some((tr, i) => tr !== order[i].tr)) {
    body.replaceChildren(...order.flatMap((r) => [r.tr, r.reportRow, r.fidelityRow]));
  }
  $('sites').hidden = res.sites.length === 0;
  $('sites-empty').hidden = res.sites.length > 0;
  $('site-count').textContent = `(${res.sites.length})`;
  await Promise.all(order.map((r) => r.load()));
}

// ---- WARC export and import (archive.js), with the engine and store loaded in this page on first use ----

let archiveKit = null;
function archiveTools() {
  archiveKit ??= (async () => {
    const engine = await import('../pkg/sitemirror.js');
    await engine.default({ module_or_path: chrome.runtime.getURL('pkg/sitemirror_bg.wasm') });
    const store = await engine.MirrorStore.open('sitemirror', undefined);
    const archive = await import('../archive.js');
    return { engine, store, archive };
  })();
  archiveKit.catch(() => (archiveKit = null));
  return archiveKit;
}

// Import is two steps: the file is read once to list the sites it holds (nothing stored), the user ticks the ones
// to import — none is ticked for them: an archive is attacker text and may hold any site — then only those are read
// in. Sites it creates are kept for offline viewing only until the user turns them on in their row.

const importInput = /** @type {HTMLInputElement} */ ($('import-file'));
const importProgress = /** @type {HTMLProgressElement} */ ($('import-progress'));
const importGo = /** @type {HTMLButtonElement} */ ($('import-go'));
/** @type {{file: File, sites: import('../archive.js').ArchiveSite[]} | null} */
let pendingImport = null;

const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;

function resetImport() {
  pendingImport = null;
  $('import-choose').hidden = true;
  $('import-sites').replaceChildren();
  importGo.disabled = true;
  importInput.disabled = false;
  importInput.value = '';
  importProgress.hidden = true;
}

/** Says why a file stopped being read, and that what came before it counts. */
function fileProblem(error, before) {
  const what = error.code === ErrorCode.ARCHIVE_NOT_WARC ? 'is not a WARC or WACZ file'
    : error.code === ErrorCode.ARCHIVE_TOO_COMPRESSED ? 'inflates too much to be an archive' : 'is damaged';
  return `The file ${what} (${error.code}): ${error.message}${before ? ` ${before}` : ''}`;
}

importInput.addEventListener('change', async () => {
  const file = importInput.files?.[0];
  if (!file) return;
  resetImport();
  importInput.disabled = true;
  $('import-error').textContent = '';
  $('import-done').textContent = `Reading ${file.name}…`;
  $('import-scan-note').textContent = '';
  $('import-skipped').replaceChildren();
  $('import-skipped').hidden = true;
  importProgress.hidden = false;
  importProgress.value = 0;
  try {
    const { engine, store, archive } = await archiveTools();
    const scan = await archive.scanArchive(engine, store, file, {
      onProgress: ({ read, total }) => (importProgress.value = total ? read / total : 0),
    });
    importProgress.hidden = true;
    $('import-done').textContent = '';
    if (scan.sites.length === 0) {
      $('import-error').textContent = scan.error ? fileProblem(scan.error) : 'The file holds no web pages or files to import.';
      resetImport();
      return;
    }
    if (scan.error) $('import-scan-note').textContent = fileProblem(scan.error, 'What comes before that point can be imported.');
    showSites(file, scan);
  } catch (err) {
    $('import-done').textContent = '';
    $('import-error').textContent = `The file couldn’t be read (${err?.code || err?.name || 'error'}): ${err?.message || err}`;
    resetImport();
  }
});

/** Lists the sites of the file, each with a checkbox (none ticked). Origins are attacker text: textContent only. */
function showSites(file, scan) {
  pendingImport = { file, sites: scan.sites };
  setText($('import-choose-intro'), `${file.name} holds ${plural(scan.sites.length, 'site')} (${plural(scan.records, 'record')}). ` +
    'Tick the ones to import: nothing else in the file is stored.');
  $('import-sites').replaceChildren(...scan.sites.map((s) => {
    const box = el('input', { attrs: { type: 'checkbox' } });
    box.value = s.origin;
    box.addEventListener('change', () => {
      importGo.disabled = !$('import-sites').querySelector('input:checked');
    });
    const status = s.mirrored
      ? (s.importedOnly ? 'imported before: kept for offline viewing only' : 'you mirror this site: yours stays the version shown')
      : 'new: kept for offline viewing only';
    const li = el('li', {}, el('label', {}, box, ' ', el('span', { className: 'site-id', text: s.origin }),
      el('span', { className: 'import-site-counts', text: ` — ${plural(s.pages, 'page')}, ${plural(s.records, 'record')} · ${status}` })));
    li.dataset.origin = s.origin; // an attribute value: text, never markup
    return li;
  }));
  $('import-choose').hidden = false;
  importGo.disabled = true;
  importInput.disabled = false;
}

$('import-cancel').addEventListener('click', () => {
  resetImport();
  $('import-scan-note').textContent = '';
});

importGo.addEventListener('click', async () => {
  if (!pendingImport) return;
  const { file, sites } = pendingImport;
  const ticked = new Set([...$('import-sites').querySelectorAll('input:checked')].map((b) => /** @type {HTMLInputElement} */ (b).value));
  const chosen = sites.filter((s) => ticked.has(s.origin));
  if (chosen.length === 0) return;
  importGo.disabled = true;
  importInput.disabled = true;
  $('import-choose').hidden = true;
  $('import-scan-note').textContent = '';
  $('import-done').textContent = `Importing ${file.name}…`;
  importProgress.hidden = false;
  importProgress.value = 0;
  try {
    const { engine, store, archive } = await archiveTools();
    const res = await archive.importArchive(engine, store, file, {
      sites: chosen,
      onProgress: ({ read, total }) => (importProgress.value = total ? read / total : 0),
    });
    const into = res.sites.length ? ` into ${res.sites.join(', ')}` : '';
    const left = Object.entries(res.skippedBy).map(([code, n]) => `${n} ${code}`).join(', ');
    $('import-done').textContent = `Imported ${res.captures} captures (${res.pages} pages)${into} from ${res.records} records` +
      `${res.skippedCount ? `; ${res.skippedCount} records were left out (${left})` : ''}.`;
    if (res.error) $('import-error').textContent = fileProblem(res.error, res.captures ? 'The captures before that point were kept.' : '');
    const list = $('import-skipped');
    for (const s of res.skipped.slice(0, REPORT_SHOWN)) {
      const li = el('li', {}, el('code', { text: s.reason.split(':')[0] }), ` ${s.reason.slice(s.reason.indexOf(':') + 1).trim()} — `,
        el('span', { className: 'report-url', text: s.url }));
      li.dataset.code = s.reason.split(':')[0];
      list.append(li);
    }
    if (res.skippedCount > REPORT_SHOWN) list.append(el('li', { text: `and ${res.skippedCount - REPORT_SHOWN} more` }));
    list.hidden = res.skippedCount === 0;
    await refresh();
  } catch (err) {
    $('import-done').textContent = '';
    $('import-error').textContent = `The import failed (${err?.code || err?.name || 'error'}): ${err?.message || err}`;
  } finally {
    resetImport();
  }
});

// ---- Polling while a crawl runs or is paused ----

let pollTimer = 0;
let polls = 0;
function schedulePoll() {
  clearTimeout(pollTimer);
  if ([...rows.values()].some((r) => r.active)) pollTimer = setTimeout(poll, POLL_MS);
}
async function poll() {
  polls += 1;
  const active = [...rows.values()].filter((r) => r.active);
  try {
    await Promise.all(active.map((r) => r.load()));
    // Pages and size grow as the crawl stores them; a crawl that just ended shows its final numbers.
    if (polls % LIST_EVERY === 0 || active.some((r) => !r.active)) await refreshSites();
  } finally {
    schedulePoll();
  }
}

/** The size limit of one site, as last read (rows show their size against it). */
let budget = 0;

async function refreshStorage() {
  budget = await siteBudget();
  const field = /** @type {HTMLInputElement} */ ($('site-budget'));
  if (document.activeElement !== field) field.value = String(Math.round(budget / (1 << 20)));
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
  await refreshStorage().catch(() => {});
  await refreshSites();
  document.body.dataset.state = 'ready';
  schedulePoll();
}

// Back from the popup or another tab: the list may have changed.
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible') refresh();
});

// A crawl started, paused or ended elsewhere (the popup next to this tab, another dashboard, the alarm) while
// this page stays visible: its job lives in chrome.storage.local (crawl.js), so a change there is the signal.
// Only new jobs and state changes count; the byte counts a running crawl writes are the poll's business.
// The data itself still comes through messages.js.
let wakeTimer = 0;
chrome.storage.onChanged.addListener((changes, area) => {
  if (area !== 'local') return;
  const moved = Object.entries(changes).some(
    ([key, { oldValue, newValue }]) => key.startsWith('crawl:') && /** @type {any} */ (oldValue)?.state !== /** @type {any} */ (newValue)?.state,
  );
  if (!moved) return;
  clearTimeout(wakeTimer);
  wakeTimer = setTimeout(refresh, 100);
});
refresh();

// Offline fallback triggers: defaults from fallback.js, the user's choices in chrome.storage.local `fallback`.
async function showFallbackSettings() {
  const s = await fallbackSettings();
  $('fallback-unreachable').checked = s.onUnreachable;
  $('fallback-5xx').checked = s.on5xx.length > 0;
  $('fallback-500').checked = s.on500;
}

for (const id of ['fallback-unreachable', 'fallback-5xx', 'fallback-500']) {
  document.getElementById(id).addEventListener('change', async () => {
    await chrome.storage.local.set({
      fallback: {
        onUnreachable: $('fallback-unreachable').checked,
        on5xx: $('fallback-5xx').checked ? DEFAULT_SETTINGS.on5xx : [],
        on500: $('fallback-500').checked,
      },
    });
  });
}
showFallbackSettings();

// The size limit of one site (budget.js): whole megabytes, at least 1.
$('site-budget').addEventListener('change', async () => {
  const field = /** @type {HTMLInputElement} */ ($('site-budget'));
  const mb = Number(field.value.trim());
  if (!Number.isInteger(mb) || mb < 1) {
    $('site-budget-error').textContent = 'A whole number of megabytes, 1 or more.';
    field.setAttribute('aria-invalid', 'true');
    return;
  }
  $('site-budget-error').textContent = '';
  field.removeAttribute('aria-invalid');
  await setSiteBudget(mb * (1 << 20));
  await refresh();
});
