//! The site worker's HTTP rules, as JavaScript sees them (conversions only; every decision lives in `crate::http`).
//!
//! ```js
//! const headers = engine.keptHeaders([...res.headers]);          // [[name, value]] to store with the capture
//! engine.mayMirror({ status, sameOrigin, authorization, cookiesChanged, headers: [...res.headers], bodyLength },
//!                  { mirrorUncacheable, maxBody });             // null, or why not: 'no-store', 'set-cookie'…
//! engine.freshness(capture.headers, capture.at, Date.now(), req.cache); // {state, ageMs, lifetimeMs}
//! engine.recapture({ headers, at } | null, sameBody, headers, at);    // 'add' | 'replace' | 'skip'
//! engine.clearsMirror(res.headers.get('clear-site-data'));           // boolean
//! ```
//! Times are milliseconds since the epoch; any number is accepted and clamped to a whole non-negative one.

use super::to_js;
use crate::error::OptionsError;
use crate::http::{self, Exchange, Rules, State};
use crate::serve;
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct JsExchange {
    status: u16,
    #[serde(default)]
    same_origin: bool,
    #[serde(default)]
    authorization: bool,
    #[serde(default)]
    cookies_changed: bool,
    #[serde(default)]
    headers: Vec<(String, String)>,
    #[serde(default)]
    body_length: Option<f64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct JsRules {
    #[serde(default)]
    mirror_uncacheable: bool,
    max_body: f64,
}

#[derive(Deserialize)]
struct JsStored {
    headers: Vec<(String, String)>,
    at: f64,
}

fn bad(reason: impl std::fmt::Display) -> JsValue {
    to_js(&OptionsError { reason: reason.to_string() })
}

fn input<T: serde::de::DeserializeOwned>(value: JsValue, what: &str) -> Result<T, JsValue> {
    super::strict(value, what).map_err(bad)
}

fn out<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    value.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).map_err(bad)
}

/// Whole, non-negative, within `u64` (JS times and sizes are doubles).
fn whole(n: f64) -> u64 {
    if n.is_finite() && n > 0.0 {
        n as u64
    } else {
        0
    }
}

/// `null` when the response may be mirrored, else why not (a `Refusal` code).
#[wasm_bindgen(js_name = mayMirror)]
pub fn may_mirror(exchange: JsValue, rules: JsValue) -> Result<Option<String>, JsValue> {
    let x: JsExchange = input(exchange, "exchange")?;
    let r: JsRules = input(rules, "rules")?;
    let exchange = Exchange {
        status: x.status,
        same_origin: x.same_origin,
        authorization: x.authorization,
        cookies_changed: x.cookies_changed,
        headers: &x.headers,
        body_len: x.body_length.map(whole),
    };
    let rules = Rules { mirror_uncacheable: r.mirror_uncacheable, max_body: whole(r.max_body) };
    Ok(http::may_mirror(&exchange, &rules).err().map(|why| why.code().to_owned()))
}

/// The headers to store with a capture (`[[name, value]]`, names lower-case).
#[wasm_bindgen(js_name = keptHeaders)]
pub fn kept_headers(headers: JsValue) -> Result<JsValue, JsValue> {
    let headers: Vec<(String, String)> = input(headers, "headers")?;
    out(&http::kept_headers(&headers))
}

/// `{state: 'fresh' | 'stale-while-revalidate' | 'stale', ageMs, lifetimeMs}` of a stored copy at `now`;
/// `requestCache` (the request's `cache` mode) may demand the network all the same.
#[wasm_bindgen]
pub fn freshness(
    headers: JsValue,
    requested_at: f64,
    now: f64,
    request_cache: Option<String>,
) -> Result<JsValue, JsValue> {
    let headers: Vec<(String, String)> = input(headers, "headers")?;
    let mut f = http::freshness(&headers, whole(requested_at), whole(now));
    if request_cache.as_deref().is_some_and(http::request_wants_network) {
        f.state = State::Stale;
    }
    out(&f)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct JsSiteCopyOptions {
    why: String,
    now: f64,
    #[serde(default)]
    banner: Option<JsBanner>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct JsBanner {
    text: String,
    date_text: String,
}

/// The site worker's response from its mirror (`serve::site_copy`): `capture` (a store record) with its stored
/// `body` (`Uint8Array` or `Blob`), `{why, now, banner: {text, dateText} | null}`. Resolves to
/// `{status, headers, body}`, `body` being the banner-carrying document (`Uint8Array`) or the stored body itself.
#[wasm_bindgen(js_name = siteCopy)]
pub fn site_copy(capture: JsValue, body: JsValue, options: JsValue) -> Result<js_sys::Promise, JsValue> {
    // A store record as the store gave it (read leniently: it is ours, not a caller's options).
    let capture: crate::store::Capture =
        serde_wasm_bindgen::from_value(capture).map_err(|e| bad(format_args!("capture: {e}")))?;
    let o: JsSiteCopyOptions = input(options, "options")?;
    Ok(wasm_bindgen_futures::future_to_promise(async move {
        let bytes = match &o.banner {
            Some(_) if serve::takes_banner(&capture) => Some(super::body_bytes(&body, None).await?),
            _ => None,
        };
        let banner = o.banner.as_ref().map(|b| serve::Banner { text: &b.text, date_text: &b.date_text });
        let response = serve::site_copy(&capture, bytes.as_deref(), &o.why, whole(o.now), banner.as_ref())
            .map_err(|e| to_js(&e))?;
        let result = js_sys::Object::new();
        js_sys::Reflect::set(&result, &"status".into(), &JsValue::from(response.status))?;
        js_sys::Reflect::set(&result, &"headers".into(), &out(&response.headers)?)?;
        let body = match response.body {
            serve::Body::Bytes(b) => js_sys::Uint8Array::from(b.as_slice()).into(),
            serve::Body::Stored => body,
            serve::Body::Empty => JsValue::NULL,
        };
        js_sys::Reflect::set(&result, &"body".into(), &body)?;
        Ok(result.into())
    }))
}

/// `'add' | 'replace' | 'skip'` for a new response, given the stored version (`{headers, at}` or `null`).
#[wasm_bindgen]
pub fn recapture(previous: JsValue, same_body: bool, headers: JsValue, at: f64) -> Result<JsValue, JsValue> {
    let previous: Option<JsStored> =
        if previous.is_null() || previous.is_undefined() { None } else { Some(input(previous, "previous")?) };
    let headers: Vec<(String, String)> = input(headers, "headers")?;
    let decision =
        http::recapture(previous.as_ref().map(|p| (p.headers.as_slice(), whole(p.at))), same_body, &headers, whole(at));
    out(&decision)
}

/// Whether a `Clear-Site-Data` value means the mirror must be cleared.
#[wasm_bindgen(js_name = clearsMirror)]
pub fn clears_mirror(value: &str) -> bool {
    http::clears_mirror(value)
}
