/**
 * Which tab the popup is about: the active tab of the last focused window (the toolbar popup is not a tab
 * itself, so that is the page the user was looking at). Its own module so that the test build, which opens the
 * popup as a page of its own, can say which tab it stands for.
 * @returns {Promise<string>} the tab's URL ('' when there is none)
 */
export async function currentTabUrl() {
  const [tab] = await chrome.tabs.query({ active: true, lastFocusedWindow: true });
  return tab?.url || tab?.pendingUrl || '';
}
