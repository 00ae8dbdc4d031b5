/**
 * For test files whose tests share one browser with the extension: its pages (popup, dashboard) and its store.
 * `sharedExtension()` launches it before the file's tests and closes it after them.
 */
import { before, after } from 'node:test';
import { launchExtension, extensionWorker } from './browser.mjs';
import { timeUntil } from './wait.mjs';

/** Sends a runtime message from an extension page, as the popup and dashboard do. */
export const send = (page, msg) => page.evaluate((m) => chrome.runtime.sendMessage(m), msg);

/**
 * The positive control of "no dialog": an image that fails to load raises an alert from its error handler, as an
 * attacker's `<img src=x onerror=alert()>` would if the page let it run. Returns how long the dialog took to be
 * recorded in `dialogs` (as `openPage` records them), and takes it back out.
 * @param {import('playwright-core').Page} page
 * @param {{type: string, message: string}[]} dialogs
 */
export async function dialogControl(page, dialogs) {
  const before = dialogs.length;
  const [ms] = await Promise.all([
    timeUntil(() => dialogs.some((d) => d.message === 'control'), 'the control dialog', 5000),
    page.evaluate(() => {
      const img = document.createElement('img');
      img.onerror = () => {
        img.remove();
        alert('control');
      };
      img.src = 'data:image/png;base64,bm90IGFuIGltYWdl';
      document.body.append(img);
    }),
  ]);
  dialogs.splice(before, dialogs.length - before);
  return ms;
}

export function sharedExtension() {
  /** @type {{ext: Awaited<ReturnType<typeof launchExtension>>}} */
  const shared = { ext: undefined };
  before(async () => {
    shared.ext = await launchExtension();
  });
  after(async () => {
    await shared.ext?.close();
  });
  const extUrl = (p) => `chrome-extension://${shared.ext.extensionId}/${p}`;
  /** Runs `fn(arg)` in the extension's service worker. */
  const inWorker = (fn, arg) => extensionWorker(shared.ext.ctx).evaluate(fn, arg);
  return {
    get ext() {
      return shared.ext;
    },
    extUrl,
    /** The popup for a tab showing `tabUrl` (the test build's `?url=`, see tests/e2e/test-build/), or for the real active tab. */
    popupUrl: (tabUrl) => extUrl(`popup/popup.html${tabUrl === undefined ? '' : `?url=${encodeURIComponent(tabUrl)}`}`),
    inWorker,
    /** Calls a MirrorStore method in the worker. */
    storeCall: (method, ...args) =>
      inWorker(async ({ method, args }) => (await globalThis.sitemirror.storeReady)[method](...args), { method, args }),
    /** Opens a page and records every dialog it raises (and accepts confirm() if asked to). */
    async openPage(url, { acceptConfirm = false } = {}) {
      const page = await shared.ext.ctx.newPage();
      const dialogs = [];
      page.on('dialog', (d) => {
        dialogs.push({ type: d.type(), message: d.message() });
        (acceptConfirm && d.type() === 'confirm' ? d.accept() : d.dismiss()).catch(() => {});
      });
      if (url) await page.goto(url);
      return { page, dialogs };
    },
  };
}
