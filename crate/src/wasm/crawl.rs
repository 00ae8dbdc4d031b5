//! `CrawlDriver`: the crawl driver's JavaScript face (conversions only; every decision lives in `crate::crawl`).
//! Numbers from JS (times, sizes) may be any number: they are clamped to whole non-negative values here.

use super::to_js;
use crate::crawl::{self, CrawlOptions, FetchError};
use crate::error::CrawlError;
use crate::store::FrontierEntry;
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

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

fn input<T: serde::de::DeserializeOwned>(value: JsValue, what: &str) -> Result<T, JsValue> {
    super::strict(value, what).map_err(invalid)
}

/// `null` or `undefined` as `None`, else a `T` read strictly.
fn input_opt<T: serde::de::DeserializeOwned>(value: JsValue, what: &str) -> Result<Option<T>, JsValue> {
    if value.is_null() || value.is_undefined() {
        return Ok(None);
    }
    input(value, what).map(Some)
}

/// How the host runs a crawl: `{source, conditional, redirects: "manual" | "follow", cookies, space}`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct JsHost {
    source: String,
    #[serde(default)]
    conditional: bool,
    redirects: String,
    #[serde(default = "yes")]
    cookies: bool,
    /// The address space the site's own origin answered from (`public` until measured).
    #[serde(default)]
    space: Option<String>,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JsRobotsFile {
    text: String,
    status: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JsHop {
    status: f64,
    location: String,
}

/// How a fetch ended (the body travels beside, as a `Uint8Array`).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct JsResponse {
    #[serde(default)]
    error: Option<FetchError>,
    #[serde(default)]
    status: f64,
    #[serde(default)]
    headers: Vec<(String, String)>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    hop: Option<JsHop>,
    #[serde(default)]
    body: Option<serde::de::IgnoredAny>,
    #[serde(default)]
    size: f64,
    #[serde(default)]
    unreadable: Option<String>,
    #[serde(default)]
    refused: Option<String>,
    #[serde(default)]
    elapsed_ms: f64,
}

/// How a render ended (the DOM travels beside, as a `Uint8Array`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JsRendered {
    #[serde(default)]
    html: Option<serde::de::IgnoredAny>,
    #[serde(default)]
    resources: Vec<String>,
    #[serde(default)]
    measure: Option<crawl::fidelity::Measure>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JsStored {
    status: f64,
    headers: Vec<(String, String)>,
    digest: String,
}

fn status_of(n: f64) -> u16 {
    if (0.0..=999.0).contains(&n) {
        n as u16
    } else {
        0
    }
}

/// A whole crawl (`crate::crawl::driver`): the host fetches, waits and writes what `next()` says.
///
/// ```js
/// const driver = new CrawlDriver(startUrl, options, { source: job.id, redirects: 'manual', space: 'public' });
/// driver.begin(frontier, null, 0);            // null: seed (robots.txt, sitemaps, the start URL)
/// for (let step = driver.next(Date.now()); step.kind !== 'wait' && step.kind !== 'done'; step = driver.next(Date.now())) { … }
/// ```
#[wasm_bindgen(js_name = CrawlDriver)]
pub struct JsCrawlDriver {
    inner: crawl::Driver,
}

#[wasm_bindgen(js_class = CrawlDriver)]
impl JsCrawlDriver {
    /// Throws `crawl/invalid-config` (or `url/…`) for bad options or host settings.
    #[wasm_bindgen(constructor)]
    pub fn new(start_url: &str, options: JsValue, host: JsValue) -> Result<JsCrawlDriver, JsValue> {
        let options: CrawlOptions = if options.is_undefined() || options.is_null() {
            CrawlOptions::default()
        } else {
            serde_wasm_bindgen::from_value(options).map_err(invalid)?
        };
        let host: JsHost = input(host, "host")?;
        let redirects = match host.redirects.as_str() {
            "manual" => crawl::driver::Redirects::Manual,
            "follow" => crawl::driver::Redirects::Follow,
            other => return Err(invalid(format_args!("redirects must be \"manual\" or \"follow\", not {other:?}"))),
        };
        let mut policy = crawl::CrawlPolicy::new(start_url, options).map_err(|e| to_js(&e))?;
        if let Some(space) = host.space.as_deref() {
            let space = crate::net::AddressSpace::parse(space)
                .ok_or_else(|| invalid(format_args!("space must be public, local or loopback, not {space:?}")))?;
            policy.set_site_space(space);
        }
        let host = crawl::driver::Host {
            source: host.source,
            conditional: host.conditional,
            redirects,
            cookies: host.cookies,
        };
        Ok(JsCrawlDriver { inner: crawl::Driver::new(policy, host) })
    }

    /// Another start page, seeded with the start URL (call before `begin`).
    #[wasm_bindgen(js_name = addStart)]
    pub fn add_start(&mut self, url: &str) {
        self.inner.add_start(url);
    }

    /// The complete options (defaults filled in), camelCase.
    pub fn options(&self) -> Result<JsValue, JsValue> {
        out(self.inner.policy().options())
    }

    /// The site id, e.g. `https://example.com/`.
    #[wasm_bindgen(getter)]
    pub fn site(&self) -> String {
        self.inner.policy().site().to_owned()
    }

    /// The canonical URL of the site's robots.txt (a resumed crawl reads it from the mirror).
    #[wasm_bindgen(getter, js_name = robotsUrl)]
    pub fn robots_url(&self) -> String {
        self.inner.robots_url().to_owned()
    }

    /// `frontier`: the site's persisted entries; `robots`: `{text, status}` when seeding is already written
    /// (resume), `null` to seed; `bytes`: downloaded before.
    pub fn begin(&mut self, frontier: JsValue, robots: JsValue, bytes: f64) -> Result<(), JsValue> {
        let frontier: Vec<FrontierEntry> = input(frontier, "frontier")?;
        let robots: Option<JsRobotsFile> = input_opt(robots, "robots")?;
        let robots = robots.as_ref().map(|r| (r.text.as_str(), status_of(r.status)));
        self.inner.begin(&frontier, robots, whole(bytes));
        Ok(())
    }

    /// The next step: `{kind: "fetch", id, url, purpose, credentials, targetAddressSpace, redirect, timeoutMs,
    /// maxBytes, conditional}`, `{kind: "read", id, digest}`, `{kind: "write", captures, settle, found, seeded,
    /// bytes}`, `{kind: "render", id, url}`, `{kind: "score", id, url, live}`, `{kind: "wait", ms: number | null}` or
    /// `{kind: "done"}`.
    pub fn next(&mut self, now: f64) -> Result<JsValue, JsValue> {
        out(&self.inner.next(whole(now)))
    }

    /// The request headers (`[name, value][]`) of conditional fetch `id`, given the stored version
    /// `{status, headers, digest}` or `null`.
    pub fn conditional(&mut self, id: f64, stored: JsValue) -> Result<JsValue, JsValue> {
        let stored: Option<JsStored> = input_opt(stored, "stored")?;
        let stored =
            stored.map(|s| crawl::driver::Stored { status: status_of(s.status), headers: s.headers, digest: s.digest });
        out(&self.inner.conditional(whole(id), stored))
    }

    /// Fetch `id` ended: `{error?, status, headers, url?, hop?: {status, location}, body?: Uint8Array, size,
    /// unreadable?, refused?, elapsedMs}`. Only a body the crawl reads (documents, stylesheets, robots.txt,
    /// sitemaps) is copied into wasm memory. Returns whether the host keeps the body for a later write.
    #[wasm_bindgen(js_name = onResponse)]
    pub fn on_response(&mut self, id: f64, response: JsValue, now: f64) -> Result<bool, JsValue> {
        let body = js_sys::Reflect::get(&response, &"body".into()).unwrap_or(JsValue::UNDEFINED);
        let r: JsResponse = input(response, "response")?;
        let _ = r.body;
        let id = whole(id);
        let body = body.dyn_into::<js_sys::Uint8Array>().ok();
        let bytes = match &body {
            Some(b) => {
                let head = b.subarray(0, b.length().min(crate::mime::SNIFF_BYTES as u32)).to_vec();
                self.inner.wants_body(id, &r.headers, &head).then(|| b.to_vec())
            }
            None => None,
        };
        let response = crawl::driver::Response {
            error: r.error,
            status: status_of(r.status),
            headers: r.headers,
            url: r.url,
            hop: r.hop.map(|h| crawl::driver::Hop { status: status_of(h.status), location: h.location }),
            body: bytes.as_deref(),
            size: whole(r.size),
            unreadable: r.unreadable,
            refused: r.refused,
            elapsed_ms: whole(r.elapsed_ms),
        };
        Ok(self.inner.on_response(id, response, whole(now)))
    }

    /// Render `id` ended: `{html?: Uint8Array, resources: string[], measure?}` (the DOM as UTF-8 HTML, absent when
    /// the render failed; the URLs the page loaded; the page measured for its fidelity score, `{text, cells,
    /// resources, missing}`). Returns whether the host keeps `html` for a later write (as a fetch's body).
    #[wasm_bindgen(js_name = onRendered)]
    pub fn on_rendered(&mut self, id: f64, rendered: JsValue, now: f64) -> Result<bool, JsValue> {
        let html = js_sys::Reflect::get(&rendered, &"html".into()).unwrap_or(JsValue::UNDEFINED);
        let r: JsRendered = input(rendered, "rendered")?;
        let _ = r.html;
        let html = html.dyn_into::<js_sys::Uint8Array>().ok().map(|b| b.to_vec());
        let rendered = crawl::driver::Rendered { html: html.as_deref(), resources: r.resources, measure: r.measure };
        Ok(self.inner.on_rendered(whole(id), rendered, whole(now)))
    }

    /// Score `id` ended (stored or not).
    #[wasm_bindgen(js_name = onScored)]
    pub fn on_scored(&mut self, id: f64) {
        self.inner.on_scored(whole(id));
    }

    /// The stored body a `read` step asked for, or `null` when it is gone.
    #[wasm_bindgen(js_name = onStored)]
    pub fn on_stored(&mut self, id: f64, body: Option<Vec<u8>>, now: f64) {
        self.inner.on_stored(whole(id), body.as_deref(), whole(now));
    }

    /// The last `write` step's batch is stored (`seeded`: the batch's own flag).
    pub fn written(&mut self, seeded: bool) {
        self.inner.written(seeded);
    }

    /// `{queued, done, failed, skipped, bytes, fetched, unwritten, inFlight, seeded, robotsStatus, rendered,
    /// renderFailed}`.
    pub fn progress(&self) -> Result<JsValue, JsValue> {
        out(&self.inner.progress())
    }

    /// Whether the crawl reached `maxBytes`.
    #[wasm_bindgen(getter, js_name = overBudget)]
    pub fn over_budget(&self) -> bool {
        self.inner.over_budget()
    }

    /// What is pending as one last batch (a host that stops writes it), or `null`.
    pub fn flush(&mut self) -> Result<JsValue, JsValue> {
        out(&self.inner.flush())
    }
}
