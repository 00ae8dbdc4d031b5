//! `MirrorStore`: the store's JavaScript face (conversions only; behaviour lives in `crate::store`).
//!
//! ```js
//! const store = await MirrorStore.open('sitemirror', { maxBody: 64 << 20 });
//! await store.putCaptures([{ site, url, at, status, headers: [['content-type', 'text/html']], body, source }]);
//! const latest = await store.lookup(url);            // or { at, exact: true } / { at } (closest)
//! const body = await store.body(latest.digest);      // Uint8Array or Blob, as stored
//! ```
//! `body` may be a `Uint8Array` or a `Blob` (hashed and stored by the browser, never copied into wasm memory); a 304 passes
//! `unchanged: <digest of the stored version>` instead. Every method returns a Promise; failures reject with a
//! `SitemirrorError` whose `code` is `store/…`.

use super::{to_js as error_to_js, OptionsError};
use crate::error::{ErrorCode, StoreError};
use crate::serve;
use crate::store::{Capture, FrontierEntry, IdbStore, NewBody, NewCapture, Settle, Site, Store, UrlState, When};
use js_sys::{Promise, Reflect, Uint8Array};
use serde::{Deserialize, Serialize};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::future_to_promise;

/// The mirror store on IndexedDB.
#[wasm_bindgen(js_name = MirrorStore)]
pub struct JsStore {
    inner: Rc<IdbStore>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct OpenOptions {
    max_body: Option<f64>,
    budget: Option<f64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct JsNewCapture {
    site: String,
    url: String,
    at: f64,
    status: u16,
    #[serde(default)]
    headers: Vec<(String, String)>,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    unchanged: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct JsSettle {
    site: String,
    url: String,
    state: UrlState,
    #[serde(default)]
    reason: Option<String>,
    at: f64,
    #[serde(default)]
    render: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ServeRequest {
    url: String,
    #[serde(default)]
    destination: String,
    #[serde(default)]
    navigate: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ServeHost {
    prefix: String,
    origin: String,
}

/// A `serve::Response` for JS; `stored` is the body the store returned (sent as it is for `Body::Stored`).
fn served(response: serve::Response, stored: JsValue, missed: Option<String>) -> Result<JsValue, JsValue> {
    let result = js_sys::Object::new();
    Reflect::set(&result, &"status".into(), &JsValue::from(response.status))?;
    Reflect::set(&result, &"headers".into(), &out(&response.headers)?)?;
    let body = match response.body {
        serve::Body::Empty => JsValue::NULL,
        serve::Body::Stored => stored,
        serve::Body::Bytes(bytes) => Uint8Array::from(bytes.as_slice()).into(),
    };
    Reflect::set(&result, &"body".into(), &body)?;
    Reflect::set(&result, &"missed".into(), &missed.map_or(JsValue::NULL, JsValue::from))?;
    Ok(result.into())
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct ReplayOptions {
    at: Option<f64>,
    rendered: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct LookupOptions {
    at: Option<f64>,
    exact: bool,
    follow_redirects: bool,
}

fn err(e: &dyn ErrorCode) -> JsValue {
    error_to_js(e)
}

fn bad(reason: impl std::fmt::Display) -> JsValue {
    err(&OptionsError { reason: reason.to_string() })
}

fn out<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    value.serialize(&serde_wasm_bindgen::Serializer::new().serialize_maps_as_objects(true)).map_err(bad)
}

fn store_err(e: StoreError) -> JsValue {
    err(&e)
}

/// Reads a batch of JS captures; bodies stay in JS memory and are hashed by the browser, all at once.
async fn new_captures(batch: js_sys::Array) -> Result<Vec<NewCapture>, JsValue> {
    let mut parsed = Vec::with_capacity(batch.length() as usize);
    let mut browser_bodies = Vec::new();
    for item in batch.iter() {
        let body = Reflect::get(&item, &"body".into()).unwrap_or(JsValue::UNDEFINED);
        let c: JsNewCapture = serde_wasm_bindgen::from_value(item).map_err(bad)?;
        if c.unchanged.is_none() {
            if !(body.is_instance_of::<web_sys::Blob>() || body.is_instance_of::<Uint8Array>()) {
                return Err(bad("a capture's body must be a Uint8Array or a Blob (or give `unchanged`)"));
            }
            browser_bodies.push(body.clone());
        }
        parsed.push((c, body));
    }
    let mut digests = IdbStore::browser_digests(&browser_bodies).await.map_err(store_err)?.into_iter();
    let mut out = Vec::with_capacity(parsed.len());
    for (c, body) in parsed {
        let body = match c.unchanged {
            Some(digest) => NewBody::Unchanged { digest },
            None => {
                let (digest, size) = digests.next().expect("one digest per browser body");
                NewBody::Browser { body, digest, size }
            }
        };
        out.push(NewCapture {
            site: c.site,
            url: c.url,
            at: c.at as u64,
            status: c.status,
            headers: c.headers,
            body,
            source: c.source.unwrap_or_else(|| "visit".into()),
        });
    }
    Ok(out)
}

#[wasm_bindgen(js_class = MirrorStore)]
impl JsStore {
    /// Opens (creating or upgrading) the IndexedDB database `name`. Options: `{maxBody, budget}` in bytes.
    pub async fn open(name: String, options: JsValue) -> Result<JsStore, JsValue> {
        let o: OpenOptions = if options.is_undefined() || options.is_null() {
            OpenOptions::default()
        } else {
            super::strict(options, "options").map_err(bad)?
        };
        let mut store = IdbStore::open(&name).await.map_err(store_err)?;
        if let Some(max) = o.max_body {
            store = store.with_max_body(max as u64);
        }
        if let Some(budget) = o.budget {
            store = store.with_budget(budget as u64);
        }
        Ok(JsStore { inner: Rc::new(store) })
    }

    fn run<F>(&self, work: impl FnOnce(Rc<IdbStore>) -> F) -> Promise
    where
        F: std::future::Future<Output = Result<JsValue, JsValue>> + 'static,
    {
        future_to_promise(work(self.inner.clone()))
    }

    /// Adds or replaces a site: `{id, startUrl, created, updated, settings}`.
    #[wasm_bindgen(js_name = putSite)]
    pub fn put_site(&self, site: JsValue) -> Promise {
        self.run(|s| async move {
            let site: Site = serde_wasm_bindgen::from_value(site).map_err(bad)?;
            s.put_site(&site).await.map_err(store_err)?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// One site by id, or `null`.
    pub fn site(&self, id: String) -> Promise {
        self.run(|s| async move {
            match s.site(&id).await.map_err(store_err)? {
                Some(site) => out(&site),
                None => Ok(JsValue::NULL),
            }
        })
    }

    /// All sites.
    pub fn sites(&self) -> Promise {
        self.run(|s| async move { out(&s.sites().await.map_err(store_err)?) })
    }

    /// Stores a batch of captures in one transaction; resolves to their records. (`put…` writes, like `putSite`;
    /// `captures(site)` reads.)
    #[wasm_bindgen(js_name = putCaptures)]
    pub fn put_captures(&self, batch: js_sys::Array) -> Promise {
        self.record(batch, js_sys::Array::new(), JsValue::UNDEFINED)
    }

    /// Stores captures, adds the URLs they led to (`found`: frontier entries, optional) and settles crawl URLs
    /// (`[{site, url, state, reason?, at}]`) in one transaction.
    pub fn record(&self, batch: js_sys::Array, settle: js_sys::Array, found: JsValue) -> Promise {
        self.run(|s| async move {
            let items = new_captures(batch).await?;
            let found: Vec<FrontierEntry> =
                if found.is_undefined() { Vec::new() } else { serde_wasm_bindgen::from_value(found).map_err(bad)? };
            let settle: Vec<JsSettle> = serde_wasm_bindgen::from_value(settle.into()).map_err(bad)?;
            let settle = settle
                .into_iter()
                .map(|x| Settle {
                    site: x.site,
                    url: x.url,
                    state: x.state,
                    reason: x.reason,
                    at: x.at as u64,
                    render: x.render,
                })
                .collect();
            out(&s.record(items, settle, found).await.map_err(store_err)?)
        })
    }

    /// Adds URLs (`[{site, url, depth, page, state: 'queued', updated}]`) to crawl frontiers; known URLs keep
    /// their state. Resolves to how many were new.
    pub fn enqueue(&self, entries: JsValue) -> Promise {
        self.run(|s| async move {
            let entries: Vec<FrontierEntry> = serde_wasm_bindgen::from_value(entries).map_err(bad)?;
            Ok(JsValue::from_f64(s.enqueue(entries).await.map_err(store_err)? as f64))
        })
    }

    /// Up to `limit` queued URLs of a site, shallowest first.
    pub fn queued(&self, site: String, limit: u32) -> Promise {
        self.run(|s| async move { out(&s.queued(&site, limit as usize).await.map_err(store_err)?) })
    }

    /// A site's whole frontier (states and reasons, for the UI).
    pub fn frontier(&self, site: String) -> Promise {
        self.run(|s| async move { out(&s.frontier(&site).await.map_err(store_err)?) })
    }

    /// `{queued, done, failed, skipped}` for a site's crawl.
    #[wasm_bindgen(js_name = frontierCounts)]
    pub fn frontier_counts(&self, site: String) -> Promise {
        self.run(|s| async move { out(&s.frontier_counts(&site).await.map_err(store_err)?) })
    }

    /// Forgets a site's frontier.
    #[wasm_bindgen(js_name = clearFrontier)]
    pub fn clear_frontier(&self, site: String) -> Promise {
        self.run(|s| async move {
            s.clear_frontier(&site).await.map_err(store_err)?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// The version to show: latest by default, `{at}` for the closest to a time, `{at, exact: true}` for that
    /// capture; `{followRedirects: true}` follows stored redirects. Resolves to a capture or `null`.
    pub fn lookup(&self, url: String, options: JsValue) -> Promise {
        self.run(|s| async move {
            let o: LookupOptions = if options.is_undefined() || options.is_null() {
                LookupOptions::default()
            } else {
                super::strict(options, "options").map_err(bad)?
            };
            let when = match (o.at, o.exact) {
                (Some(t), true) => When::Exact(t as u64),
                (Some(t), false) => When::Closest(t as u64),
                (None, _) => When::Latest,
            };
            let found: Option<Capture> =
                if o.follow_redirects { s.resolve(&url, when).await } else { s.lookup(&url, when).await }
                    .map_err(store_err)?;
            match found {
                Some(c) => out(&c),
                None => Ok(JsValue::NULL),
            }
        })
    }

    /// Replay's one-transaction read: `{capture, body}` for a URL (redirects followed; `{at}` for the version
    /// closest to a time; `{rendered: '<suffix>'}` to prefer a document's rendered-DOM companion), or `null`.
    pub fn replay(&self, url: String, options: JsValue) -> Promise {
        self.run(|s| async move {
            let o: ReplayOptions = if options.is_undefined() || options.is_null() {
                ReplayOptions::default()
            } else {
                super::strict(options, "options").map_err(bad)?
            };
            let when = o.at.map_or(When::Latest, |t| When::Closest(t as u64));
            let Some((capture, body)) = s.replay(&url, when, o.rendered.as_deref()).await.map_err(store_err)? else {
                return Ok(JsValue::NULL);
            };
            let result = js_sys::Object::new();
            Reflect::set(&result, &"capture".into(), &out(&capture)?)?;
            Reflect::set(&result, &"body".into(), &body)?;
            Ok(result.into())
        })
    }

    /// Replay: the response for one request under the mirror, every decision made by `sitemirror::serve` and the
    /// store read in one transaction. `request`: `{url, destination, navigate}` (the `Request`'s); `host`:
    /// `{prefix, origin}`. Resolves to `{status, headers: [[name, value]…], body, missed}`: `body` is a
    /// `Uint8Array`, the stored `Blob`/`Uint8Array` itself (a raw body is never copied into wasm), or `null`;
    /// `missed` the store key that was asked for and not found, or `null`.
    pub fn serve(&self, request: JsValue, host: JsValue) -> Promise {
        self.run(|s| async move {
            let r: ServeRequest = super::strict(request, "request").map_err(bad)?;
            let h: ServeHost = super::strict(host, "host").map_err(bad)?;
            let host = serve::Host { prefix: h.prefix, origin: h.origin };
            let request = serve::Request { url: &r.url, destination: &r.destination, navigate: r.navigate };
            let target = match serve::target(&request, &host) {
                Ok(t) => t,
                Err(response) => return served(*response, JsValue::NULL, None),
            };
            let found = s.replay(&target.key, target.when, target.rendered).await.map_err(store_err)?;
            let Some((capture, body)) = found else {
                return served(serve::miss(&target.url, request.is_document(), &host), JsValue::NULL, Some(target.key));
            };
            let head = super::body_bytes(&body, Some(serve::SNIFF_BYTES)).await?;
            let treatment = serve::treatment(&capture, &head, &request);
            let whole = match treatment {
                crate::mime::Treatment::Raw(_) => None,
                _ => Some(super::body_bytes(&body, None).await?),
            };
            served(serve::respond(&target, &capture, &treatment, whole.as_deref(), &host), body, None)
        })
    }

    /// All versions of a URL, newest first.
    pub fn versions(&self, url: String) -> Promise {
        self.run(|s| async move { out(&s.versions(&url).await.map_err(store_err)?) })
    }

    /// Every capture of a site (all URLs, all versions), oldest first: what an archive export writes.
    pub fn captures(&self, site: String) -> Promise {
        self.run(|s| async move {
            let mut all = s.site_captures(&site).await.map_err(store_err)?;
            all.sort_by_key(|c| (c.at, c.id));
            out(&all)
        })
    }

    /// A site's pages, each with its latest good capture.
    pub fn pages(&self, site: String) -> Promise {
        self.run(|s| async move { out(&s.pages(&site).await.map_err(store_err)?) })
    }

    /// Scores the latest version of the page `url` (what replay shows for it now): its replay measured (`replay`)
    /// against the page as it rendered live (`live`), each `{text, cells, resources, missing}` (see
    /// `crawl::fidelity`). Resolves to the score `{viewportMatch, textMatch, resources, missing, at}`, or null when
    /// the page has no version.
    pub fn score(&self, url: String, live: JsValue, replay: JsValue, at: f64) -> Promise {
        self.run(|s| async move {
            let live: crate::crawl::fidelity::Measure = super::strict(live, "live").map_err(bad)?;
            let replay: crate::crawl::fidelity::Measure = super::strict(replay, "replay").map_err(bad)?;
            let fidelity = crate::crawl::fidelity::score(&live, &replay, at as u64);
            let stored = s.score(&url, fidelity).await.map_err(store_err)?;
            if stored {
                out(&fidelity)
            } else {
                Ok(JsValue::NULL)
            }
        })
    }

    /// A site's fidelity over the latest version of each page: `{scored, pages, viewportMean, textMean, resources,
    /// missing, worst: [{url, at, fidelity}] (the `worst` lowest, worst first), low: [url] (below 0.9: to
    /// recapture)}`.
    pub fn fidelity(&self, site: String, worst: f64) -> Promise {
        self.run(|s| async move {
            let pages = s.pages(&site).await.map_err(store_err)?;
            out(&crate::crawl::fidelity::summary(&pages, worst as usize))
        })
    }

    /// `{captures, bytes}` for one site.
    pub fn usage(&self, site: String) -> Promise {
        self.run(|s| async move { out(&s.usage(&site).await.map_err(store_err)?) })
    }

    /// Deletes a site's captures until the stored bodies fit in `budget` bytes: old versions first (oldest
    /// first), then whole URLs (least recently captured first). Resolves to `{captures, bytes}` removed.
    pub fn prune(&self, site: String, budget: f64) -> Promise {
        self.run(|s| async move { out(&s.prune(&site, budget as u64).await.map_err(store_err)?) })
    }

    /// `{captures, payloads, bytes}` for the whole store.
    pub fn totals(&self) -> Promise {
        self.run(|s| async move { out(&s.totals().await.map_err(store_err)?) })
    }

    /// The stored body (`Uint8Array` or `Blob`) for a digest, or `null`.
    pub fn body(&self, digest: String) -> Promise {
        self.run(|s| async move { Ok(s.stored_body(&digest).await.map_err(store_err)?.unwrap_or(JsValue::NULL)) })
    }

    /// Deletes one version (and its body when nothing else uses it).
    #[wasm_bindgen(js_name = deleteCapture)]
    pub fn delete_capture(&self, id: f64) -> Promise {
        self.run(|s| async move {
            s.delete_capture(id as u64).await.map_err(store_err)?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// Deletes a site and everything only it used.
    #[wasm_bindgen(js_name = deleteSite)]
    pub fn delete_site(&self, id: String) -> Promise {
        self.run(|s| async move {
            s.delete_site(&id).await.map_err(store_err)?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// Closes the database connection.
    pub fn close(&self) {
        self.inner.close();
    }
}
