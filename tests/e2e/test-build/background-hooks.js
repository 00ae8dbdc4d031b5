/**
 * The test build's background entry (build.sh puts it in target/test-extension, never in dist/): the shipped
 * background.js, plus the engine and the store on `globalThis.sitemirror` so that tests can seed and inspect the
 * real IndexedDB store from the service worker (`sw.evaluate`). Importing background.js runs it exactly as in the
 * shipped extension: its listeners are registered on first evaluation.
 */
import { ready, engine, storeReady } from './background.js';

globalThis.sitemirror = { ready, engine, storeReady };
