//! `CrawlPolicy`: the crawl policy's JavaScript face (conversions only; every decision lives in `crate::crawl`).
//!
//! ```js
//! const policy = new CrawlPolicy('https://example.com/', { maxPages: 500 });
//! policy.robots(text, 200);                                   // → {sitemaps, crawlDelayMs}
//! const found = policy.admit(null, [{ url: policy.site, page: true }], Date.now()); // new frontier entries
//! ```
//! Numbers from JS (times, sizes) may be any number: they are clamped to whole non-negative values here.

use super::to_js;
use crate::crawl::{self, CrawlOptions, FetchError, FetchResult, Link, Parent};
use crate::error::CrawlError;
use crate::store::FrontierEntry;
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// The crawl policy of one crawl of one site.
#[wasm_bindgen(js_name = CrawlPolicy)]
pub struct JsCrawlPolicy {
    inner: crawl::CrawlPolicy,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct JsFetchResult {
    #[serde(default)]
    status: Option<f64>,
    #[serde(default)]
    error: Option<FetchError>,
    #[serde(default)]
    retry_after: Option<String>,
    #[serde(default)]
    elapsed_ms: f64,
    #[serde(default)]
    attempt: f64,
    now: f64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsRobots {
    sitemaps: Vec<String>,
    crawl_delay_ms: Option<u64>,
}

fn invalid(reason: impl std::fmt::Display) -> JsValue {
    to_js(&CrawlError::InvalidConfig { reason: reason.to_string() })
}

/// Whole, non-negative, within `u64` (JS times and sizes are doubles).
fn whole(n: f64) -> u64 {
    if n.is_finite() && n > 0.0 {
        n as u64
    } else {
        0
    }
}

fn out<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    // null (not undefined) for absent values: the documented shapes say `string | null`.
    value.serialize(&serde_wasm_bindgen::Serializer::new().serialize_missing_as_null(true)).map_err(invalid)
}

fn input<T: for<'de> Deserialize<'de>>(value: JsValue, what: &str) -> Result<T, JsValue> {
    serde_wasm_bindgen::from_value(value).map_err(|e| invalid(format_args!("{what}: {e}")))
}

#[wasm_bindgen(js_class = CrawlPolicy)]
impl JsCrawlPolicy {
    /// A crawl of the site of `startUrl`; throws `crawl/invalid-config` (or `url/…`) for bad input.
    #[wasm_bindgen(constructor)]
    pub fn new(start_url: &str, options: JsValue) -> Result<JsCrawlPolicy, JsValue> {
        let options: CrawlOptions = if options.is_undefined() || options.is_null() {
            CrawlOptions::default()
        } else {
            serde_wasm_bindgen::from_value(options).map_err(invalid)?
        };
        let inner = crawl::CrawlPolicy::new(start_url, options).map_err(|e| to_js(&e))?;
        Ok(JsCrawlPolicy { inner })
    }

    /// The complete options (defaults filled in), camelCase.
    pub fn options(&self) -> Result<JsValue, JsValue> {
        out(self.inner.options())
    }

    /// The site id, e.g. `https://example.com/`.
    #[wasm_bindgen(getter)]
    pub fn site(&self) -> String {
        self.inner.site().to_owned()
    }

    /// The address space (`"public"`, `"local"` or `"loopback"`) the site's own origin answered from, as the
    /// host measured it with `targetAddressSpace` probes. Until set, the site counts as public.
    #[wasm_bindgen(js_name = setSiteSpace)]
    pub fn set_site_space(&mut self, space: &str) -> Result<(), JsValue> {
        let space = crate::net::AddressSpace::parse(space)
            .ok_or_else(|| invalid(format_args!("address space must be public, local or loopback, not {space:?}")))?;
        self.inner.set_site_space(space);
        Ok(())
    }

    /// How to fetch `url` for this crawl: `{credentials, targetAddressSpace}` (pass both to `fetch()`), or
    /// `{refused: "crawl/private-address: …"}` when the site may not make the browser request it.
    pub fn request(&self, url: &str) -> Result<JsValue, JsValue> {
        super::plan_to_js(self.inner.request(url))
    }

    /// robots.txt body and HTTP status (0 = failed) → `{sitemaps: string[], crawlDelayMs: number | null}`.
    pub fn robots(&mut self, text: &str, status: f64) -> Result<JsValue, JsValue> {
        let status = if (0.0..=999.0).contains(&status) { status as u16 } else { 0 };
        let info = self.inner.robots(text, status);
        out(&JsRobots { sitemaps: info.sitemaps, crawl_delay_ms: info.crawl_delay_ms })
    }

    /// Frontier entries read back from the store when a crawl resumes.
    pub fn seed(&mut self, entries: JsValue) -> Result<(), JsValue> {
        let entries: Vec<FrontierEntry> = input(entries, "seed entries")?;
        self.inner.seed(&entries);
        Ok(())
    }

    /// `parent`: `{url, depth, run}` or null; `links`: `[{url, page}]` → the new frontier entries.
    pub fn admit(&mut self, parent: JsValue, links: JsValue, now: f64) -> Result<JsValue, JsValue> {
        let parent: Option<Parent> = input(parent, "parent")?;
        let links: Vec<Link> = input(links, "links")?;
        out(&self.inner.admit(parent.as_ref(), &links, whole(now)))
    }

    /// Sitemap XML (or text) bytes → `{pages: string[], sitemaps: string[]}`.
    pub fn sitemap(&mut self, bytes: JsValue, url: &str) -> Result<JsValue, JsValue> {
        let bytes = bytes
            .dyn_ref::<js_sys::Uint8Array>()
            .map(js_sys::Uint8Array::to_vec)
            .ok_or_else(|| invalid("a sitemap must be a Uint8Array"))?;
        out(&self.inner.sitemap(&bytes, url))
    }

    /// 0 = start now; > 0 = ms to wait; -1 = the host is at its concurrency limit.
    pub fn slot(&self, host: &str, now: f64) -> f64 {
        self.inner.slot(host, whole(now)) as f64
    }

    pub fn started(&mut self, host: &str, now: f64) {
        self.inner.started(host, whole(now))
    }

    /// `result`: `{status?, error?, retryAfter?, elapsedMs, attempt, now}` → `{action, store, delayMs, reason}`.
    pub fn finished(&mut self, host: &str, url: &str, result: JsValue) -> Result<JsValue, JsValue> {
        // The URL is part of the contract for future per-URL decisions; today the host and result decide.
        let _ = url;
        let r: JsFetchResult = input(result, "fetch result")?;
        let result = FetchResult {
            status: r.status.filter(|s| (0.0..=999.0).contains(s)).map(|s| s as u16),
            error: r.error,
            retry_after: r.retry_after,
            elapsed_ms: whole(r.elapsed_ms),
            attempt: whole(r.attempt).min(u32::MAX as u64) as u32,
            now: whole(r.now),
        };
        out(&self.inner.finished(host, &result))
    }

    /// Counts downloaded bytes; false once `maxBytes` is exceeded.
    #[wasm_bindgen(js_name = addBytes)]
    pub fn add_bytes(&mut self, n: f64) -> bool {
        self.inner.add_bytes(whole(n))
    }

    /// The current concurrency limit of a host.
    pub fn concurrency(&self, host: &str) -> u32 {
        self.inner.concurrency(host)
    }
}
