//! The bytes of WARC/1.1 records, built from stored captures. The bodies stay with the caller (they live in the
//! browser's storage and are streamed out of it), so a `response` record is written as [`response_head`], the
//! body, then [`RECORD_END`]; the smaller records are built whole.
//!
//! Bodies are stored decoded, so records say nothing of how they travelled: no `content-encoding` or
//! `transfer-encoding`, and `content-length` is the stored body's. Everything written is deterministic, record ids
//! included, so exporting the same mirror twice gives the same file.

use super::{date, digest, http};
use crate::store::Capture;
use sha2::{Digest, Sha256};

/// One stored capture to write out.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ArchiveCapture {
    pub url: String,
    /// When it was captured, milliseconds since the Unix epoch.
    pub at_ms: u64,
    pub status: u16,
    /// Response headers as stored (lower-case names).
    pub headers: Vec<(String, String)>,
    /// SHA-256 of the body, hex.
    pub digest: String,
}

impl From<&Capture> for ArchiveCapture {
    fn from(c: &Capture) -> Self {
        ArchiveCapture {
            url: c.url.clone(),
            at_ms: c.at,
            status: c.status,
            headers: c.headers.clone(),
            digest: c.digest.clone(),
        }
    }
}

/// Ends every record (the two CRLFs after the block).
pub const RECORD_END: &[u8] = b"\r\n\r\n";

/// What `revisit` records of an unchanged body declare (WARC 1.1 §6.7.2).
const IDENTICAL_PAYLOAD: &str = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest";
const HTTP_RESPONSE: &str = "application/http;msgtype=response";

/// A complete `warcinfo` record (software name/version, format "WARC File Format 1.1", the filename), ending with
/// [`RECORD_END`].
pub fn warcinfo(software: &str, filename: &str, at_ms: u64) -> Vec<u8> {
    let block = format!(
        "software: {}\r\nformat: WARC File Format 1.1\r\n\
         conformsTo: http://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/\r\n",
        http::one_line(software)
    );
    let mut out = header(&[
        ("WARC-Type", "warcinfo".into()),
        ("WARC-Record-ID", record_id(&["warcinfo", filename, &at_ms.to_string(), software])),
        ("WARC-Date", date::format(at_ms)),
        ("WARC-Filename", http::one_line(filename)),
        ("Content-Type", "application/warc-fields".into()),
        ("Content-Length", block.len().to_string()),
    ]);
    out.extend_from_slice(block.as_bytes());
    out.extend_from_slice(RECORD_END);
    out
}

/// The WARC header and HTTP response head of a `response` record whose body is `body_len` bytes: the caller writes
/// these bytes, then the body, then [`RECORD_END`]. Content-Length counts the HTTP head plus `body_len`.
pub fn response_head(c: &ArchiveCapture, body_len: u64) -> Vec<u8> {
    let head = http::head(c.status, &c.headers, Some(body_len));
    let mut fields = vec![
        ("WARC-Type", "response".to_owned()),
        ("WARC-Record-ID", record_id(&["response", &c.url, &c.at_ms.to_string(), &c.digest])),
        ("WARC-Date", date::format(c.at_ms)),
        ("WARC-Target-URI", http::one_line(&c.url)),
        ("Content-Type", HTTP_RESPONSE.to_owned()),
    ];
    fields.extend(digest::label(&c.digest).map(|d| ("WARC-Payload-Digest", d)));
    fields.push(("Content-Length", (head.len() as u64 + body_len).to_string()));
    let mut out = header(&fields);
    out.extend_from_slice(&head);
    out
}

/// A complete `revisit` record (profile identical-payload-digest) for a capture whose body is identical to the one
/// recorded earlier for `refers_to_url` at `refers_to_at_ms`; its block is the HTTP head only.
pub fn revisit(c: &ArchiveCapture, refers_to_url: &str, refers_to_at_ms: u64) -> Vec<u8> {
    let head = http::head(c.status, &c.headers, None);
    let mut fields = vec![
        ("WARC-Type", "revisit".to_owned()),
        ("WARC-Record-ID", record_id(&["revisit", &c.url, &c.at_ms.to_string(), &c.digest])),
        ("WARC-Date", date::format(c.at_ms)),
        ("WARC-Target-URI", http::one_line(&c.url)),
        ("WARC-Profile", IDENTICAL_PAYLOAD.to_owned()),
        ("WARC-Refers-To-Target-URI", http::one_line(refers_to_url)),
        ("WARC-Refers-To-Date", date::format(refers_to_at_ms)),
        ("Content-Type", HTTP_RESPONSE.to_owned()),
    ];
    fields.extend(digest::label(&c.digest).map(|d| ("WARC-Payload-Digest", d)));
    fields.push(("Content-Length", head.len().to_string()));
    let mut out = header(&fields);
    out.extend_from_slice(&head);
    out.extend_from_slice(RECORD_END);
    out
}

/// `WARC/1.1`, the fields, a blank line.
fn header(fields: &[(&str, String)]) -> Vec<u8> {
    let mut out = String::from("WARC/1.1\r\n");
    for (name, value) in fields {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.push_str("\r\n");
    out.into_bytes()
}

/// `<urn:uuid:…>` made from the SHA-256 of what identifies the record, shaped as a version-4 UUID (a random UUID
/// would make every export of the same mirror differ).
fn record_id(parts: &[&str]) -> String {
    let mut hash = Sha256::new();
    for part in parts {
        // Lengths first, so no two different lists of parts hash the same bytes.
        hash.update((part.len() as u64).to_le_bytes());
        hash.update(part.as_bytes());
    }
    let mut b: [u8; 16] = hash.finalize()[..16].try_into().expect("SHA-256 is 32 bytes");
    b[6] = b[6] & 0x0f | 0x40;
    b[8] = b[8] & 0x3f | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!("<urn:uuid:{}-{}-{}-{}-{}>", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..])
}
