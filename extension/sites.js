/**
 * Mirrored sites: the handlers behind the `sites/list`, `site/add`, `site/enable`, `site/delete` and `site/status`
 * messages. Pure functions over a `MirrorStore` (docs/engine-api.md), so background.js only dispatches to them.
 *
 * A site is keyed by its origin + '/' (`https://example.com/`); a URL belongs to the site whose id is the
 * longest prefix of its normalised form. Site ids and URLs come from the web: callers show them as text only.
 *
 * Site flags (`settings`): `capture: 'off'` and `fallback: 'off'` keep a site out of capture as you browse and out
 * of the automatic offline fallback; absent means on. An archive import registers the sites it creates with both
 * off (`IMPORTED_ONLY`): a file can't make the extension start recording or redirecting a site (its first page
 * could be `https://bank.example/`). The user turns them on (`site/enable`, or by mirroring the site).
 */
import { ErrorCode, errorResponse } from './messages.js';

/**
 * Parses a URL the user or a tab gave us, keeping only http(s). Credentials and the fragment are dropped: they
 * are not part of the site and credentials must not be stored as a start URL.
 * @param {string} raw
 * @returns {URL | undefined}
 */
export function mirrorableUrl(raw) {
  let url;
  try {
    url = new URL(String(raw).trim());
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  url.username = '';
  url.password = '';
  url.hash = '';
  return url;
}

/** The flags of a site an archive import creates: kept for offline viewing only. */
export const IMPORTED_ONLY = Object.freeze({ capture: 'off', fallback: 'off' });

/**
 * Whether a site is kept for offline viewing only (an import made it; the user hasn't turned it on).
 * @param {{settings?: Record<string, string>}} site
 */
export function isImportedOnly(site) {
  return site.settings?.capture === 'off' && site.settings?.fallback === 'off';
}

/**
 * The mirrored site a URL belongs to, if `use` (`'capture'` as you browse, or the automatic `'fallback'`) is on for
 * it: sites an import created are not captured nor fallen back to until the user turns them on.
 * @param {any} store
 * @param {string} raw
 * @param {'capture' | 'fallback'} use
 */
export async function liveSite(store, raw, use) {
  const site = await siteOf(store, raw);
  return site && site.settings?.[use] !== 'off' ? site : undefined;
}

/**
 * The mirrored site a URL belongs to, if any.
 * @param {any} store a MirrorStore
 * @param {string} raw
 */
export async function siteOf(store, raw) {
  const url = mirrorableUrl(raw);
  if (!url) return undefined;
  const sites = (await store.sites()).filter((s) => url.href.startsWith(s.id));
  return sites.sort((a, b) => b.id.length - a.id.length)[0];
}

/**
 * Pages, bytes and newest capture time of one site.
 * @param {any} store
 * @param {{id: string}} site
 * @returns {Promise<{pages: number, bytes: number, lastCaptured: number | null}>}
 */
async function measure(store, site) {
  const [pages, usage] = await Promise.all([store.pages(site.id), store.usage(site.id)]);
  const lastCaptured = pages.reduce((max, c) => (max === null || c.at > max ? c.at : max), null);
  return { pages: pages.length, bytes: usage.bytes, lastCaptured };
}

/**
 * `sites/list`: every site with its size, most recently active first.
 * @param {any} store
 * @returns {Promise<import('./messages.js').SitesListResponse>}
 */
export async function listSites(store) {
  const sites = await store.sites();
  const out = await Promise.all(
    sites.map(async (s) => ({
      id: s.id, startUrl: s.startUrl, created: s.created, updated: s.updated, importedOnly: isImportedOnly(s), ...(await measure(store, s)),
    })),
  );
  const active = (s) => Math.max(s.updated, s.lastCaptured ?? 0);
  out.sort((a, b) => active(b) - active(a) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { ok: true, sites: out };
}

/**
 * `site/add`: registers the site `url` belongs to, with `url` as its start URL. A site already mirrored is
 * returned unchanged (its start URL, creation time and settings are the user's earlier choice) — except that a
 * site an import created, which the user now chooses to mirror, gets capture and fallback turned on.
 * @param {any} store
 * @param {string} raw
 * @param {number} now ms since the epoch
 * @returns {Promise<import('./messages.js').SiteAddResponse | import('./messages.js').ErrorResponse>}
 */
export async function addSite(store, raw, now) {
  const url = mirrorableUrl(raw);
  if (!url) return errorResponse(ErrorCode.INVALID_URL, 'Only http:// and https:// web addresses can be mirrored.');
  const id = `${url.origin}/`;
  const existing = await store.site(id);
  if (existing) return { ok: true, site: isImportedOnly(existing) ? await turnOn(store, existing, now) : existing };
  const site = { id, startUrl: url.href, created: now, updated: now, settings: {} };
  await store.putSite(site);
  return { ok: true, site };
}

/** The site with capture and fallback on (its other settings kept), stored. */
async function turnOn(store, site, now) {
  const { capture, fallback, ...settings } = site.settings ?? {};
  const on = { ...site, updated: now, settings };
  await store.putSite(on);
  return on;
}

/**
 * `site/enable`: turns on capture as you browse and the offline fallback for a site an import created (for any other
 * site they are on already). Answers `site/not-mirrored` for an unknown id.
 * @param {any} store
 * @param {string} id
 * @param {number} now
 * @returns {Promise<import('./messages.js').SiteAddResponse | import('./messages.js').ErrorResponse>}
 */
export async function enableSite(store, id, now) {
  const site = await store.site(id);
  if (!site) return errorResponse(ErrorCode.NOT_MIRRORED, 'This site is not mirrored.');
  const off = site.settings?.capture === 'off' || site.settings?.fallback === 'off';
  return { ok: true, site: off ? await turnOn(store, site, now) : site };
}

/**
 * `site/delete`: the site, its captures, its crawl frontier and the bodies no other site uses. Deleting a site
 * that doesn't exist is not an error (the user's intent — it is gone — holds).
 * @param {any} store
 * @param {string} id
 * @returns {Promise<{ok: true}>}
 */
export async function deleteSite(store, id) {
  await store.deleteSite(id);
  return { ok: true };
}

/**
 * `site/status`: whether the site of `url` is mirrored, and how much of it. Non-web URLs are simply not mirrored.
 * @param {any} store
 * @param {string} raw
 * @returns {Promise<import('./messages.js').SiteStatusResponse>}
 */
export async function siteStatus(store, raw) {
  const site = await siteOf(store, raw);
  if (!site) return { ok: true, mirrored: false };
  return { ok: true, mirrored: true, site, ...(await measure(store, site)) };
}
