//! sitemirror's engine: canonical URLs and the mirror URL mapping (`url`), rewriting mirrored pages for safe
//! replay and extracting their links (`rewrite`), the versioned, deduplicated mirror store (`store`), what a request
//! under the mirror gets (`serve`), the policy of whole-site crawls (`crawl`), what a stored response is served as
//! (`mime`), who a request may go to and with what (`net`), WARC files written from and read into mirrors
//! (`archive`), the site worker's HTTP rules for what it stores and reuses (`http`), with errors that carry stable
//! codes (`error`).
//!
//! Pure Rust that builds and tests natively; `wasm` (compiled for wasm32 only) is the only place that knows
//! about JavaScript, and it holds conversions, not logic.

#[cfg(feature = "archive")]
pub mod archive;
pub mod codes;
pub mod crawl;
pub mod error;
pub mod http;
pub mod mime;
pub mod net;
pub mod rewrite;
pub mod serve;
pub mod store;
pub mod url;

/// The JavaScript API; public so the wasm tests call exactly what JS calls.
#[cfg(target_arch = "wasm32")]
pub mod wasm;

/// The engine's version, as shown by the extension and the site worker.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
