// What the site worker's scope has beside its own declarations (type checking only: `tsc -p tsconfig.worker.json`).
// importScripts('pkg/sitemirror.js', 'lib.js') gives it the engine's glue (`wasm_bindgen`, declared by the
// generated target/types/worker/pkg/sitemirror.d.ts) and lib/shared.js's declarations as globals.
type Shared = typeof import('../lib/shared.js');
declare const ErrorCode: Shared['ErrorCode'];
declare const errorResponse: Shared['errorResponse'];
declare const errorFrom: Shared['errorFrom'];
declare const readCapped: Shared['readCapped'];
declare const bodyCapped: Shared['bodyCapped'];
declare const sitemapBytes: Shared['sitemapBytes'];
declare const putBody: Shared['putBody'];
