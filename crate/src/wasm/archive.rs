//! WARC export and import for JavaScript (conversions only; the format lives in `crate::archive`).
//!
//! ```js
//! const parts = [engine.warcInfo('sitemirror/0.1.0', 'example.com.warc.gz', Date.now())];
//! parts.push(engine.warcResponseHead(capture, body.byteLength), body, RECORD_END); // then gzip each record
//! const reader = new engine.WarcReader(64 << 20); // or engine.WarcReader.deflated(…) for a WACZ entry of method 8
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
        JsWarcReader { inner: WarcReader::new(max_of(max_record)) }
    }

    /// A reader of a WACZ entry compressed with deflate (ZIP method 8): its data is pushed as it is in the ZIP.
    pub fn deflated(max_record: Option<f64>) -> JsWarcReader {
        JsWarcReader { inner: WarcReader::deflated(max_of(max_record)) }
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

fn max_of(max_record: Option<f64>) -> usize {
    max_record.filter(|m| m.is_finite() && *m > 0.0).map_or(64 << 20, |m| m as usize)
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

// WACZ: the ZIP around the WARC and its CDXJ index. The data of each entry stays in JS; only sizes, CRCs, headers
// and the ZIP's directory cross.

/// A whole number from 0 to 2^53 from JS, or `options/invalid` naming it: a size or offset that is negative,
/// fractional or NaN would make a ZIP whose offsets are wrong, so it is refused rather than clamped.
fn whole(v: f64, what: &str) -> Result<u64, JsValue> {
    if v.is_finite() && v >= 0.0 && v.fract() == 0.0 && v <= 9_007_199_254_740_992.0 {
        Ok(v as u64)
    } else {
        Err(to_js(&OptionsError { reason: format!("{what} must be a whole number from 0 to 2^53, not {v}") }))
    }
}

/// Incremental CRC-32 of an entry's data: `update(bytes)` as it streams, then `value()`.
#[wasm_bindgen(js_name = Crc32)]
#[derive(Default)]
pub struct JsCrc32 {
    inner: archive::Crc32,
}

#[wasm_bindgen(js_class = Crc32)]
impl JsCrc32 {
    #[wasm_bindgen(constructor)]
    pub fn new() -> JsCrc32 {
        JsCrc32::default()
    }

    /// Adds bytes (a `Uint8Array`; anything else throws rather than counting as no bytes).
    pub fn update(&mut self, data: JsValue) -> Result<(), JsValue> {
        self.inner.update(&super::body(&data)?);
        Ok(())
    }

    /// The CRC-32 so far, as an unsigned 32-bit number.
    pub fn value(&self) -> f64 {
        f64::from(self.inner.value())
    }
}

/// Incremental SHA-256 (hex) of a WACZ file's parts, for its `datapackage.json`: `crypto.subtle.digest` would need
/// the whole (possibly multi-GB) WARC in memory at once.
#[wasm_bindgen(js_name = Sha256)]
#[derive(Default)]
pub struct JsSha256 {
    inner: sha2::Sha256,
}

#[wasm_bindgen(js_class = Sha256)]
impl JsSha256 {
    #[wasm_bindgen(constructor)]
    pub fn new() -> JsSha256 {
        JsSha256::default()
    }

    /// Adds bytes (a `Uint8Array`).
    pub fn update(&mut self, data: JsValue) -> Result<(), JsValue> {
        sha2::Digest::update(&mut self.inner, super::body(&data)?);
        Ok(())
    }

    /// The digest of everything added, lower-case hex.
    pub fn hex(&self) -> String {
        crate::store::to_hex(&sha2::Digest::finalize(self.inner.clone()))
    }
}

/// Writes the headers of a WACZ's ZIP: `entry(...)` before each entry's data, `finish()` after the last.
#[wasm_bindgen(js_name = ZipWriter)]
#[derive(Default)]
pub struct JsZipWriter {
    inner: archive::ZipWriter,
}

#[wasm_bindgen(js_class = ZipWriter)]
impl JsZipWriter {
    #[wasm_bindgen(constructor)]
    pub fn new() -> JsZipWriter {
        JsZipWriter::default()
    }

    /// The local header of the next entry, whose `size` bytes of data (CRC-32 `crc`) the caller writes after it.
    pub fn entry(&mut self, name: &str, size: f64, crc: f64, modified_ms: f64) -> Result<Vec<u8>, JsValue> {
        let size = whole(size, "size")?;
        // A CRC computed in JS may have gone through `| 0` and be negative: the same 32 bits either way.
        if !(crc.is_finite() && crc.fract() == 0.0 && (-2_147_483_648.0..=4_294_967_295.0).contains(&crc)) {
            let reason = format!("crc must be a 32-bit number, not {crc}");
            return Err(to_js(&OptionsError { reason }));
        }
        let crc = (crc as i64) as u32;
        self.inner.entry(name, size, crc, ms(modified_ms)).map_err(|e| to_js(&e))
    }

    /// The central directory and end records: the last bytes of the file.
    pub fn finish(&mut self) -> Vec<u8> {
        self.inner.finish()
    }
}

/// How many bytes from the end of the file `zipDirectory` needs (the whole file if it is shorter).
#[wasm_bindgen(js_name = zipTailBytes)]
pub fn zip_tail_bytes() -> f64 {
    archive::ZIP_TAIL_BYTES as f64
}

/// `{offset, size}` of the ZIP's central directory, from the last `zipTailBytes()` bytes of a file.
#[wasm_bindgen(js_name = zipDirectory)]
pub fn zip_directory(tail: JsValue, file_length: f64) -> Result<JsValue, JsValue> {
    let tail = super::body(&tail)?;
    let (offset, size) = archive::zip_directory(&tail, whole(file_length, "fileLength")?).map_err(|e| to_js(&e))?;
    let o = Object::new();
    let _ = Reflect::set(&o, &JsValue::from_str("offset"), &JsValue::from_f64(offset as f64));
    let _ = Reflect::set(&o, &JsValue::from_str("size"), &JsValue::from_f64(size as f64));
    Ok(o.into())
}

/// The entries of a central directory: `[{name, method, headerOffset, compressedSize, size, crc}]`.
#[wasm_bindgen(js_name = zipEntries)]
pub fn zip_entries(directory: JsValue) -> Result<Array, JsValue> {
    let entries = archive::zip_entries(&super::body(&directory)?).map_err(|e| to_js(&e))?;
    Ok(entries
        .iter()
        .map(|e| {
            let o = Object::new();
            let set = |k: &str, v: JsValue| {
                let _ = Reflect::set(&o, &JsValue::from_str(k), &v);
            };
            set("name", JsValue::from_str(&e.name));
            set("method", JsValue::from_f64(f64::from(e.method)));
            set("headerOffset", JsValue::from_f64(e.header_offset as f64));
            set("compressedSize", JsValue::from_f64(e.compressed_size as f64));
            set("size", JsValue::from_f64(e.size as f64));
            set("crc", JsValue::from_f64(f64::from(e.crc)));
            JsValue::from(o)
        })
        .collect())
}

/// An entry as `zipEntries` returns it (extra fields ignored).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct JsZipEntry {
    #[serde(default)]
    name: String,
    #[serde(default)]
    method: u16,
    header_offset: f64,
    #[serde(default)]
    compressed_size: f64,
    #[serde(default)]
    size: f64,
    #[serde(default)]
    crc: u32,
}

/// Where an entry's data starts, from the 30 bytes of its local header (read at `entry.headerOffset`).
#[wasm_bindgen(js_name = zipDataOffset)]
pub fn zip_data_offset(entry: JsValue, local_header: JsValue) -> Result<f64, JsValue> {
    let e: JsZipEntry = serde_wasm_bindgen::from_value(entry)
        .map_err(|e| to_js(&OptionsError { reason: format!("not a ZIP entry from zipEntries: {e}") }))?;
    let entry = archive::ZipEntry {
        name: e.name,
        method: e.method,
        header_offset: whole(e.header_offset, "headerOffset")?,
        compressed_size: whole(e.compressed_size, "compressedSize")?,
        size: whole(e.size, "size")?,
        crc: e.crc,
    };
    let offset = archive::zip_data_offset(&entry, &super::body(&local_header)?).map_err(|e| to_js(&e))?;
    Ok(offset as f64)
}

/// The SURT of a URL, as the `surt` Python package (pywb, py-wacz) computes it: the key of CDXJ lines.
#[wasm_bindgen]
pub fn surt(url: &str) -> String {
    archive::surt(url)
}

/// What `cdxjLine` takes.
#[derive(Deserialize)]
struct JsCdxj {
    url: String,
    at: f64,
    mime: String,
    status: u16,
    digest: String,
    length: f64,
    offset: f64,
    filename: String,
}

/// One CDXJ line (no newline): `<surt> <14-digit timestamp> {"url", "mime", "status", "digest", "length",
/// "offset", "filename"}`.
#[wasm_bindgen(js_name = cdxjLine)]
pub fn cdxj_line(record: JsValue) -> Result<String, JsValue> {
    let r: JsCdxj = serde_wasm_bindgen::from_value(record)
        .map_err(|e| to_js(&OptionsError { reason: format!("not a CDXJ record: {e}") }))?;
    let (length, offset) = (whole(r.length, "length")?, whole(r.offset, "offset")?);
    Ok(archive::cdxj_line(&r.url, ms(r.at), &r.mime, r.status, &r.digest, length, offset, &r.filename))
}
