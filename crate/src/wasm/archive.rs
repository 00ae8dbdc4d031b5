//! WARC export and import for JavaScript (conversions only; the format lives in `crate::archive`).
//!
//! ```js
//! const parts = [engine.warcInfo('sitemirror/0.1.0', 'example.com.warc.gz', Date.now())];
//! parts.push(engine.warcResponseHead(capture, body.byteLength), body, RECORD_END); // then gzip each record
//! const reader = new engine.WarcReader(64 << 20);
//! for await (const chunk of file.stream()) for (const r of reader.push(chunk)) store(r);
//! for (const r of reader.finish()) store(r);
//! ```
//! Bodies being exported stay in JS (only their length crosses); bodies being imported come out as `Uint8Array`s.

use super::to_js;
use crate::archive::{self, ArchiveCapture, ArchiveRecord, WarcReader};
use crate::error::OptionsError;
use js_sys::{Array, Object, Reflect, Uint8Array};
use serde::Deserialize;
use wasm_bindgen::prelude::*;

/// A stored capture as `MirrorStore` returns it (extra fields ignored).
#[derive(Deserialize)]
struct JsCapture {
    url: String,
    at: f64,
    status: u16,
    #[serde(default)]
    headers: Vec<(String, String)>,
    digest: String,
}

fn capture(value: JsValue) -> Result<ArchiveCapture, JsValue> {
    let c: JsCapture = serde_wasm_bindgen::from_value(value)
        .map_err(|e| to_js(&OptionsError { reason: format!("not a capture record: {e}") }))?;
    Ok(ArchiveCapture { url: c.url, at_ms: ms(c.at), status: c.status, headers: c.headers, digest: c.digest })
}

fn ms(v: f64) -> u64 {
    if v.is_finite() && v > 0.0 {
        v as u64
    } else {
        0
    }
}

/// A complete `warcinfo` record: the first record of an export.
#[wasm_bindgen(js_name = warcInfo)]
pub fn warc_info(software: &str, filename: &str, at: f64) -> Vec<u8> {
    archive::warcinfo(software, filename, ms(at))
}

/// The WARC header and HTTP head of a `response` record; the caller appends the body and `RECORD_END`.
#[wasm_bindgen(js_name = warcResponseHead)]
pub fn warc_response_head(capture_record: JsValue, body_length: f64) -> Result<Vec<u8>, JsValue> {
    Ok(archive::response_head(&capture(capture_record)?, ms(body_length)))
}

/// A complete `revisit` record: this capture's body is the one recorded for `refersToUrl` at `refersToAt`.
#[wasm_bindgen(js_name = warcRevisit)]
pub fn warc_revisit(capture_record: JsValue, refers_to_url: &str, refers_to_at: f64) -> Result<Vec<u8>, JsValue> {
    Ok(archive::revisit(&capture(capture_record)?, refers_to_url, ms(refers_to_at)))
}

/// The bytes that end every record (after the body of a `warcResponseHead` record).
#[wasm_bindgen(js_name = warcRecordEnd)]
pub fn warc_record_end() -> Vec<u8> {
    archive::RECORD_END.to_vec()
}

/// Reads a `.warc` or `.warc.gz` file fed in chunks of any size.
#[wasm_bindgen(js_name = WarcReader)]
pub struct JsWarcReader {
    inner: WarcReader,
}

#[wasm_bindgen(js_class = WarcReader)]
impl JsWarcReader {
    /// `maxRecord`: bigger records come back with `problem` set and no body (default 64 MiB).
    #[wasm_bindgen(constructor)]
    pub fn new(max_record: Option<f64>) -> JsWarcReader {
        let max = max_record.filter(|m| m.is_finite() && *m > 0.0).map_or(64 << 20, |m| m as usize);
        JsWarcReader { inner: WarcReader::new(max) }
    }

    /// The records this chunk completed: `{type, url, at, status, headers, body, digest, refersTo, problem}`.
    pub fn push(&mut self, chunk: &Uint8Array) -> Result<Array, JsValue> {
        let records = self.inner.push(&chunk.to_vec()).map_err(|e| to_js(&e))?;
        Ok(records.iter().map(record).collect())
    }

    /// End of file: the last records, or `archive/truncated` when the file stops inside one.
    pub fn finish(&mut self) -> Result<Array, JsValue> {
        let records = self.inner.finish().map_err(|e| to_js(&e))?;
        Ok(records.iter().map(record).collect())
    }

    /// Records of every type read so far (warcinfo, request and metadata included).
    #[wasm_bindgen(js_name = recordsSeen)]
    pub fn records_seen(&self) -> f64 {
        self.inner.records_seen() as f64
    }
}

fn record(r: &ArchiveRecord) -> JsValue {
    let o = Object::new();
    let set = |k: &str, v: JsValue| {
        let _ = Reflect::set(&o, &JsValue::from_str(k), &v);
    };
    let opt = |v: &Option<String>| v.as_deref().map_or(JsValue::NULL, JsValue::from_str);
    set("type", JsValue::from_str(&r.kind));
    set("url", JsValue::from_str(&r.url));
    set("at", JsValue::from_f64(r.at_ms as f64));
    set("status", JsValue::from_f64(f64::from(r.status)));
    let headers: Array =
        r.headers.iter().map(|(n, v)| Array::of2(&JsValue::from_str(n), &JsValue::from_str(v))).collect();
    set("headers", headers.into());
    set("body", Uint8Array::from(r.body.as_slice()).into());
    set("digest", opt(&r.digest));
    let refers = match &r.refers_to {
        Some((url, at)) => {
            let t = Object::new();
            let _ = Reflect::set(&t, &JsValue::from_str("url"), &JsValue::from_str(url));
            let _ = Reflect::set(&t, &JsValue::from_str("at"), &JsValue::from_f64(*at as f64));
            t.into()
        }
        None => JsValue::NULL,
    };
    set("refersTo", refers);
    set("problem", opt(&r.problem));
    o.into()
}
