/**
 * Popup: shows the engine version, which proves the background SW started and its wasm loaded.
 * It talks to the background only through messages.js, like every extension page will.
 */
import { MessageType } from '../messages.js';

const out = /** @type {HTMLOutputElement} */ (document.getElementById('engine-status'));

chrome.runtime.sendMessage({ type: MessageType.STATUS }).then(
  (res) => show(res && res.ok ? `v${res.version}` : `error: ${res && res.error ? res.error.code : 'no answer'}`, !res?.ok),
  (err) => show(`error: ${err.message}`, true),
);

/** textContent, never innerHTML: later this shows mirror data, which is attacker text. */
function show(text, isError) {
  out.textContent = text;
  out.classList.toggle('error', isError);
  out.dataset.state = isError ? 'error' : 'ready';
}
