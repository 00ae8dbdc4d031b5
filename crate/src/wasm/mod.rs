//! The JavaScript API (see docs/engine-api.md): conversions only. Plain data crosses with serde-wasm-bindgen,
//! bodies as `Uint8Array`, and every error becomes a JS `Error` named `SitemirrorError` with a stable `code`.

#[cfg(feature = "archive")]
mod archive;
pub mod crawl;
pub mod http;
pub mod store;

use crate::error::{ErrorCode, OptionsError};
use crate::rewrite::{self, Mode, RewriteOptions};
use crate::url::{self, MirrorMap};
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// Options object shared by the rewrite and extract functions (camelCase in JS).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct JsOptions {
    url: String,
    #[serde(default)]
    mirror_prefix: Option<String>,
    #[serde(default)]
    mode: Mode,
    #[serde(default)]
    content_type: Option<String>,
    #[serde(default)]
    banner: Option<String>,
    #[serde(default)]
    at: Option<String>,
    #[serde(default)]
    kind: Option<String>,
}

#[derive(Serialize)]
struct JsOriginal {
    url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    at: Option<String>,
}

pub(crate) fn to_js(e: &dyn ErrorCode) -> JsValue {
    let err = js_sys::Error::new(&e.to_string());
    err.set_name("SitemirrorError");
    let _ = js_sys::Reflect::set(&err, &JsValue::from_str("code"), &JsValue::from_str(e.code()));
    err.into()
}

/// The body as bytes; anything but a `Uint8Array` is refused (a string would otherwise become zero bytes).
fn body(value: &JsValue) -> Result<Vec<u8>, JsValue> {
    value
        .dyn_ref::<js_sys::Uint8Array>()
        .map(js_sys::Uint8Array::to_vec)
        .ok_or_else(|| to_js(&OptionsError { reason: "the body must be a Uint8Array".into() }))
}

/// The option names `JsOptions` knows, as JS spells them.
const OPTION_NAMES: &[&str] = &["url", "mirrorPrefix", "mode", "contentType", "banner", "at", "kind"];

fn options(value: JsValue) -> Result<JsOptions, JsValue> {
    // serde-wasm-bindgen reads only the fields it is asked for, so `deny_unknown_fields` never sees a misspelt
    // name: a `{mirorPrefix}` would silently mean "no prefix". Names are checked here instead.
    if let Some(object) = value.dyn_ref::<js_sys::Object>() {
        for key in js_sys::Object::keys(object).iter() {
            let key = key.as_string().unwrap_or_default();
            if !OPTION_NAMES.contains(&key.as_str()) {
                let reason = format!("unknown option '{key}' (known: {})", OPTION_NAMES.join(", "));
                return Err(to_js(&OptionsError { reason }));
            }
        }
    }
    serde_wasm_bindgen::from_value(value).map_err(|e| to_js(&OptionsError { reason: e.to_string() }))
}

fn rewrite_options(value: JsValue) -> Result<RewriteOptions, JsValue> {
    let o = options(value)?;
    let prefix = o.mirror_prefix.ok_or_else(|| to_js(&OptionsError { reason: "mirrorPrefix is required".into() }))?;
    Ok(RewriteOptions {
        url: url::parse(&o.url).map_err(|e| to_js(&e))?,
        map: MirrorMap::new(&prefix, o.at.as_deref()).map_err(|e| to_js(&e))?,
        mode: o.mode,
        content_type: o.content_type,
        banner: o.banner,
    })
}

/// The engine's version.
#[wasm_bindgen]
pub fn version() -> String {
    crate::VERSION.to_owned()
}

/// Rewrites a mirrored HTML document for replay; returns UTF-8 bytes.
#[wasm_bindgen(js_name = rewriteHtml)]
pub fn rewrite_html(body: JsValue, opts: JsValue) -> Result<Vec<u8>, JsValue> {
    let body = self::body(&body)?;
    let options = rewrite_options(opts)?;
    rewrite::rewrite_html(&body, &options).map_err(|e| to_js(&e))
}

/// Rewrites a mirrored stylesheet for replay; returns UTF-8 bytes.
#[wasm_bindgen(js_name = rewriteCss)]
pub fn rewrite_css(body: JsValue, opts: JsValue) -> Result<Vec<u8>, JsValue> {
    let body = self::body(&body)?;
    let options = rewrite_options(opts)?;
    Ok(rewrite::rewrite_css(&body, &options))
}

/// The pages and resources a document links to: `{pages: string[], resources: string[]}`.
#[wasm_bindgen(js_name = extractLinks)]
pub fn extract_links(body: JsValue, opts: JsValue) -> Result<JsValue, JsValue> {
    let body = self::body(&body)?;
    let o = options(opts)?;
    let base = url::parse(&o.url).map_err(|e| to_js(&e))?;
    let links = match o.kind.as_deref() {
        None | Some("html") => {
            rewrite::extract_links(&body, &base, o.content_type.as_deref()).map_err(|e| to_js(&e))?
        }
        Some("css") => rewrite::extract_css_links(&body, &base, o.content_type.as_deref()),
        Some(other) => {
            return Err(to_js(&OptionsError { reason: format!("kind must be \"html\" or \"css\", not {other:?}") }))
        }
    };
    serde_wasm_bindgen::to_value(&links).map_err(|e| to_js(&OptionsError { reason: e.to_string() }))
}

/// The mirror URL of an original http(s) URL.
#[wasm_bindgen(js_name = mirrorUrl)]
pub fn mirror_url(original: &str, mirror_prefix: &str, at: Option<String>) -> Result<String, JsValue> {
    let map = MirrorMap::new(mirror_prefix, at.as_deref()).map_err(|e| to_js(&e))?;
    let url = url::parse(original).map_err(|e| to_js(&e))?;
    map.to_mirror(&url).map_err(|e| to_js(&e))
}

/// The original URL (and capture time) of a mirror URL, or `null` (absent is `null` across the API).
#[wasm_bindgen(js_name = originalUrl, unchecked_return_type = "{url: string, at?: string} | null")]
pub fn original_url(mirror: &str, mirror_prefix: &str) -> Result<JsValue, JsValue> {
    let map = MirrorMap::new(mirror_prefix, None).map_err(|e| to_js(&e))?;
    match map.to_original(mirror) {
        Some((url, at)) => serde_wasm_bindgen::to_value(&JsOriginal { url: url.into(), at })
            .map_err(|e| to_js(&OptionsError { reason: e.to_string() })),
        None => Ok(JsValue::NULL),
    }
}

/// The time (milliseconds since the epoch) a mirror URL's timestamp pins (`2026` is its first moment), or
/// `null` when it names no date.
#[wasm_bindgen(js_name = pinnedTime, unchecked_return_type = "number | null")]
pub fn pinned_time(timestamp: &str) -> JsValue {
    crate::serve::pinned_ms(timestamp).map_or(JsValue::NULL, |ms| JsValue::from_f64(ms as f64))
}

/// Of a site's mirrored page URLs, the one to offer for `url` that was never captured (`serve::closest_page`),
/// or `null`.
#[wasm_bindgen(js_name = closestPage, unchecked_return_type = "string | null")]
pub fn closest_page(url: &str, pages: Vec<String>) -> JsValue {
    let pages: Vec<&str> = pages.iter().map(String::as_str).collect();
    crate::serve::closest_page(url, &pages).map_or(JsValue::NULL, JsValue::from_str)
}

/// How replay serves a stored response: `{kind: "html" | "css" | "raw", contentType}` (the type to serve a raw
/// body under). `headers` are the capture's `[name, value]` pairs, `head` the first bytes of its body
/// (`SNIFF_BYTES` are enough), `destination` the replay request's `Request.destination`.
#[wasm_bindgen(js_name = replayTreatment)]
pub fn replay_treatment(headers: JsValue, head: JsValue, destination: &str) -> Result<JsValue, JsValue> {
    let headers: Vec<(String, String)> =
        serde_wasm_bindgen::from_value(headers).map_err(|e| to_js(&OptionsError { reason: e.to_string() }))?;
    let head = self::body(&head)?;
    let types: Vec<&str> =
        headers.iter().filter(|(n, _)| n.eq_ignore_ascii_case("content-type")).map(|(_, v)| v.as_str()).collect();
    let (kind, content_type) = match crate::mime::treat(&types, &head, destination) {
        crate::mime::Treatment::Html => ("html", "text/html; charset=utf-8".to_owned()),
        crate::mime::Treatment::Css => ("css", "text/css; charset=utf-8".to_owned()),
        crate::mime::Treatment::Raw(t) => ("raw", t),
    };
    serde_wasm_bindgen::to_value(&JsTreatment { kind, content_type })
        .map_err(|e| to_js(&OptionsError { reason: e.to_string() }))
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsTreatment {
    kind: &'static str,
    content_type: String,
}

/// How to request `url` on behalf of the mirrored site `site` (its start URL or id) whose own origin is in the
/// address space `siteSpace`: `{credentials, targetAddressSpace}`, or `{refused: "crawl/private-address: …"}`.
/// Capture as you browse asks this before re-reading what a page loaded; the crawl asks its `CrawlPolicy`.
#[wasm_bindgen(js_name = requestPlan)]
pub fn request_plan(site: &str, site_space: &str, target: &str) -> Result<JsValue, JsValue> {
    let site = url::parse(site).map_err(|e| to_js(&e))?;
    let space = crate::net::AddressSpace::parse(site_space).ok_or_else(|| {
        to_js(&OptionsError { reason: format!("address space must be public, local or loopback, not {site_space:?}") })
    })?;
    let target = url::parse(target).map_err(|e| to_js(&e))?;
    plan_to_js(match crate::net::refusal(&site, space, &target) {
        Some(why) => Err(format!("{}: {why}", crate::crawl::reason::PRIVATE_ADDRESS)),
        None => Ok(crate::net::plan(&site, space, &target)),
    })
}

/// The address space a URL's host is in by its very name (`"public"`, `"local"`, `"loopback"`), or `null` when
/// only resolving it can tell.
#[wasm_bindgen(js_name = addressSpaceByName)]
pub fn address_space_by_name(target: &str) -> Result<JsValue, JsValue> {
    let target = url::parse(target).map_err(|e| to_js(&e))?;
    Ok(crate::net::space_by_name(&target).map_or(JsValue::NULL, |s| JsValue::from_str(s.as_str())))
}

pub(crate) fn plan_to_js(plan: Result<crate::net::RequestPlan, String>) -> Result<JsValue, JsValue> {
    #[derive(Serialize)]
    struct Refused {
        refused: String,
    }
    let out = match plan {
        Ok(plan) => serde_wasm_bindgen::to_value(&plan),
        Err(refused) => serde_wasm_bindgen::to_value(&Refused { refused }),
    };
    out.map_err(|e| to_js(&OptionsError { reason: e.to_string() }))
}

/// The store key of a URL: normalised, fragment dropped.
#[wasm_bindgen(js_name = canonicalKey)]
pub fn canonical_key(input: &str) -> Result<String, JsValue> {
    url::parse(input).map(|u| url::canonical_key(&u)).map_err(|e| to_js(&e))
}

/// The bytes of a stored body (`Uint8Array` or `Blob`), the first `limit` of them or all.
pub(crate) async fn body_bytes(body: &JsValue, limit: Option<usize>) -> Result<Vec<u8>, JsValue> {
    if let Some(blob) = body.dyn_ref::<web_sys::Blob>() {
        let part = match limit {
            Some(n) => blob.slice_with_f64_and_f64(0.0, n as f64)?,
            None => blob.clone(),
        };
        let buffer = wasm_bindgen_futures::JsFuture::from(part.array_buffer()).await?;
        return Ok(js_sys::Uint8Array::new(&buffer).to_vec());
    }
    let bytes = body
        .dyn_ref::<js_sys::Uint8Array>()
        .ok_or_else(|| to_js(&OptionsError { reason: "a stored body is neither a Blob nor a Uint8Array".into() }))?;
    let end = limit.map_or(bytes.length(), |n| bytes.length().min(n as u32));
    Ok(bytes.subarray(0, end).to_vec())
}

/// The field names (as JS spells them) a derived `Deserialize` struct reads: asked of the struct itself, by a
/// deserializer that only records what `deserialize_struct` is given. So a struct's name list is never written twice.
fn field_names<T: serde::de::DeserializeOwned>() -> &'static [&'static str] {
    use serde::de::{value::Error, Error as _, Visitor};
    struct Probe<'a>(&'a std::cell::Cell<&'static [&'static str]>);
    impl<'de> serde::Deserializer<'de> for Probe<'_> {
        type Error = Error;
        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Error> {
            Err(Error::custom("probe"))
        }
        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Error> {
            self.0.set(fields);
            Err(Error::custom("probe"))
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option unit
            unit_struct newtype_struct seq tuple tuple_struct map enum identifier ignored_any
        }
    }
    let fields = std::cell::Cell::new(&[][..]);
    let _ = T::deserialize(Probe(&fields));
    fields.get()
}

/// Reads a plain object into `T`, refusing a name `T` doesn't have. serde-wasm-bindgen reads only the fields it is
/// asked for, so `deny_unknown_fields` never sees a misspelt name (`{maxBdy}` would silently mean the default);
/// every object crossing the boundary is read through here instead. `null`/`undefined` read as `T`'s absent value.
pub(crate) fn strict<T: serde::de::DeserializeOwned>(value: JsValue, what: &str) -> Result<T, String> {
    if let Some(object) = value.dyn_ref::<js_sys::Object>() {
        let known = field_names::<T>();
        if !known.is_empty() && !js_sys::Array::is_array(&value) {
            for key in js_sys::Object::keys(object).iter() {
                let key = key.as_string().unwrap_or_default();
                if !known.contains(&key.as_str()) {
                    return Err(format!("{what}: unknown field '{key}' (known: {})", known.join(", ")));
                }
            }
        }
    }
    serde_wasm_bindgen::from_value(value).map_err(|e| format!("{what}: {e}"))
}
