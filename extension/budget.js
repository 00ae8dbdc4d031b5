/**
 * How big one mirrored site may grow: a size limit the user sees and changes on the dashboard (chrome.storage.local
 * `budget`), 1 GiB by default. A crawl that sets no `maxBytes` of its own stops at it (`crawl/max-bytes`), and
 * capture as you browse stores nothing more for a site past it (each left-out URL is reported as
 * `capture/over-budget`), so no site fills the disk by default.
 */

/** The default size limit of one mirrored site. */
export const DEFAULT_SITE_BUDGET = 1 << 30;

/** The size limit of one mirrored site, in bytes. */
export async function siteBudget() {
  /** @type {{budget?: {perSite?: unknown}}} */
  const { budget } = await chrome.storage.local.get('budget');
  const bytes = Number(budget?.perSite);
  return Number.isFinite(bytes) && bytes > 0 ? bytes : DEFAULT_SITE_BUDGET;
}

/** @param {number} bytes */
export async function setSiteBudget(bytes) {
  await chrome.storage.local.set({ budget: { perSite: Math.max(1, Math.round(bytes)) } });
}
