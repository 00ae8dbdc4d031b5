/**
 * The test build's stand-in for extension/popup/tab.js: a test opens the popup as a page of its own (Playwright
 * can't drive the toolbar popup), where the active tab would be the popup itself; `?url=<tab URL>` says which tab
 * it stands for. Without the parameter it behaves as the shipped module.
 * @returns {Promise<string>}
 */
export async function currentTabUrl() {
  const override = new URLSearchParams(location.search).get('url');
  if (override !== null) return override;
  const [tab] = await chrome.tabs.query({ active: true, lastFocusedWindow: true });
  return tab?.url || tab?.pendingUrl || '';
}
