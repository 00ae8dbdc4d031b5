//! Replay: what a request under the mirror gets, decided once for every host.
//!
//! A host (the extension's service worker) hands over the request — its URL under the mirror prefix, its Fetch
//! destination — and gets back a [`Response`]: status, headers and body, or a miss page. This module owns every
//! decision on the way:
//!
//! - which capture: the mirror URL's pinned time (`<prefix><14 digits>/…`) or the latest ([`target`]); stored
//!   redirects followed, and for a document its rendered copy when one was made with it (the store's `served`);
//! - what the body is served as ([`mime::treat`], as the browser will read it): rewritten as HTML or CSS by the
//!   static rewriter, or raw under a type the browser can't render as a document;
//! - the replay headers: the CSP that keeps every mirrored response script-free and inside the mirror, `nosniff`,
//!   no caching, no referrer, the capture time;
//! - the captured status (a mirrored 404 page is still the site's 404 page);
//! - the pages for a miss and for a page the rewriter refuses (attacker text escaped here);
//! - the closest mirrored page to offer for a URL that was never captured ([`closest_page`]).
//!
//! The host keeps only I/O: the store read (one transaction in the browser, `IdbStore::replay`) and building the
//! `Response` object. Native tests run all of it on `MemoryStore` through [`serve`].
//!
//! The site worker serves differently — the copy under its own URL, as the site sent it — and [`site_copy`] is its
//! response.

mod closest;
mod pages;
mod site;

pub use closest::closest_page;
pub use site::{site_copy, takes_banner, Banner};

use crate::error::{ErrorCode, StoreError};
use crate::mime::{self, Treatment};
use crate::rewrite::{self, Mode, RewriteOptions};
use crate::store::{Capture, Store, When};
use crate::url::{self, MirrorMap};

pub use crate::store::RENDERED;

/// Bytes of a body's head that deciding its treatment reads.
pub const SNIFF_BYTES: usize = mime::SNIFF_BYTES;

/// The mirror a host serves: its URL prefix (`chrome-extension://<id>/m/`) and its origin.
#[derive(Debug, Clone)]
pub struct Host {
    pub prefix: String,
    pub origin: String,
}

/// One request under the mirror prefix.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    /// The requested URL (under [`Host::prefix`]).
    pub url: &'a str,
    /// Fetch's `Request.destination` (`""` for fetch(), `document` for a navigation).
    pub destination: &'a str,
    /// `Request.mode == "navigate"`.
    pub navigate: bool,
}

impl Request<'_> {
    /// A request that renders what it gets as a document (a page or a frame): it may get a miss page, and it
    /// prefers a rendered copy.
    pub fn is_document(&self) -> bool {
        self.navigate || matches!(self.destination, "document" | "iframe" | "frame")
    }
}

/// What a mirror URL asks the store for.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// The original URL.
    pub url: String,
    /// Its store key.
    pub key: String,
    /// The pinned time of the mirror URL as written (1 to 14 digits), if any.
    pub at: Option<String>,
    /// Which version: the latest, or the one closest to the pinned time.
    pub when: When,
    /// The key suffix of rendered copies, for a document request.
    pub rendered: Option<&'static str>,
}

/// A response for the host to send.
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    pub status: u16,
    /// Header names lower-case, in the order they are set.
    pub headers: Vec<(String, String)>,
    pub body: Body,
}

/// The body of a [`Response`].
#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    /// No body (a 204, a miss of a subresource).
    Empty,
    /// The stored body, as it is (the host already holds it, maybe as a `Blob` never copied into wasm).
    Stored,
    /// These bytes (a rewritten document or stylesheet, or a page of ours).
    Bytes(Vec<u8>),
}

impl Response {
    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// The replay Content-Security-Policy for a host: no script, no request outside the mirror, no form or base,
/// sandboxed (same origin kept, so mirrored frames and images load from the mirror).
pub fn csp(host: &Host) -> String {
    let mirror = &host.prefix;
    [
        "default-src 'self' data: blob:",
        "script-src 'none'",
        "object-src 'none'",
        "connect-src 'none'",
        "form-action 'none'",
        "base-uri 'none'",
        "style-src 'self' 'unsafe-inline' data: blob:",
        &format!("frame-src {mirror}"),
        &format!("child-src {mirror}"),
        "worker-src 'none'",
        "manifest-src 'none'",
        "sandbox allow-same-origin",
    ]
    .join("; ")
}

/// Headers every mirrored response carries, whatever it is: a mislabelled body is never sniffed into HTML, the
/// browser keeps no copy (the store is the copy), and no mirrored page tells anyone where it was read.
fn base_headers(host: &Host) -> Vec<(String, String)> {
    [
        ("content-security-policy", csp(host)),
        ("x-content-type-options", "nosniff".to_owned()),
        ("cache-control", "no-store".to_owned()),
        ("referrer-policy", "no-referrer".to_owned()),
    ]
    .into_iter()
    .map(|(n, v)| (n.to_owned(), v))
    .collect()
}

/// What a request asks the store for, or the response for a URL that is no mirror URL at all.
pub fn target(request: &Request<'_>, host: &Host) -> Result<Target, Box<Response>> {
    let original = MirrorMap::new(&host.prefix, None).ok().and_then(|map| map.to_original(request.url));
    let Some((original, at)) = original else {
        return Err(Box::new(miss(request.url, request.is_document(), host)));
    };
    let when = at.as_deref().and_then(pinned_ms).map_or(When::Latest, When::Closest);
    Ok(Target {
        key: url::canonical_key(&original),
        url: original.into(),
        at,
        when,
        rendered: request.is_document().then_some(RENDERED),
    })
}

/// The time a mirror URL is pinned to (`YYYYMMDDhhmmss`, UTC, digits from the right may be left out), in
/// milliseconds; `None` when it names no date. Left-out digits are the earliest moment they could be: `2026` is
/// 2026-01-01T00:00:00Z.
pub fn pinned_ms(ts: &str) -> Option<u64> {
    if ts.is_empty() || ts.len() > 14 || !ts.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let full = format!("{ts:0<14}");
    let n = |r: std::ops::Range<usize>| full[r].parse::<u32>().unwrap_or(0);
    let (year, month, day) = (n(0..4), n(4..6).max(1), n(6..8).max(1));
    let (hour, min, sec) = (n(8..10), n(10..12), n(12..14));
    if month > 12 || day > 31 || hour > 23 || min > 59 || sec > 59 {
        return None;
    }
    let days = u64::try_from(crate::crawl::dates::days_from_civil(i64::from(year), month, day)).ok()?;
    Some(((days * 24 + u64::from(hour)) * 60 + u64::from(min)) * 60_000 + u64::from(sec) * 1000)
}

/// How a capture is served to a request, from the first [`SNIFF_BYTES`] of its body.
pub fn treatment(capture: &Capture, head: &[u8], request: &Request<'_>) -> Treatment {
    let types: Vec<&str> = capture
        .headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("content-type"))
        .map(|(_, v)| v.as_str())
        .collect();
    mime::treat(&types, &head[..head.len().min(SNIFF_BYTES)], request.destination)
}

/// The response for a capture found for `target`. `body` is the whole stored body; it may be `None` when the
/// treatment is [`Treatment::Raw`] (served as stored, the host's copy).
pub fn respond(
    target: &Target,
    capture: &Capture,
    treatment: &Treatment,
    body: Option<&[u8]>,
    host: &Host,
) -> Response {
    let mut headers = base_headers(host);
    let content_type = capture.header("content-type").map(str::to_owned);
    let rewritten = match treatment {
        Treatment::Raw(_) => Ok(None),
        Treatment::Html | Treatment::Css => {
            let options = rewrite_options(target, capture, content_type, host);
            let body = body.unwrap_or_default();
            match (treatment, options) {
                (_, Err(e)) => Err(e.code()),
                (Treatment::Html, Ok(o)) => rewrite::rewrite_html(body, &o).map(Some).map_err(|e| e.code()),
                (_, Ok(o)) => Ok(Some(rewrite::rewrite_css(body, &o))),
            }
        }
    };
    let out = match rewritten {
        // A page the rewriter refuses (rewrite/ambiguous, rewrite/memory-limit…) is never served as it was.
        Err(code) => return pages::unsafe_page(&target.url, code, headers),
        Ok(out) => out,
    };
    let served_as = match treatment {
        Treatment::Html => "text/html; charset=utf-8".to_owned(),
        Treatment::Css => "text/css; charset=utf-8".to_owned(),
        Treatment::Raw(t) => t.clone(),
    };
    headers.push(("content-type".to_owned(), served_as));
    headers.push(("x-sitemirror-captured".to_owned(), capture.at.to_string()));
    // Errors that were captured replay as they were; a stored 304 (no body of its own) or a status outside HTTP's
    // range is served as 200.
    let status = match capture.status {
        304 => 200,
        s @ 200..=599 => s,
        _ => 200,
    };
    let body = match (status, out) {
        (204 | 205, _) => Body::Empty,
        (_, Some(bytes)) => Body::Bytes(bytes),
        (_, None) => Body::Stored,
    };
    Response { status, headers, body }
}

fn rewrite_options(
    target: &Target,
    capture: &Capture,
    content_type: Option<String>,
    host: &Host,
) -> Result<RewriteOptions, crate::error::UrlError> {
    Ok(RewriteOptions {
        url: url::parse(&capture.url)?,
        // Links from a pinned page stay pinned to its time: the museum shows one moment, not today's pages.
        map: MirrorMap::new(&host.prefix, target.at.as_deref())?,
        mode: Mode::Static,
        content_type,
        banner: None,
    })
}

/// A miss is never fetched live: a document gets a page saying so, anything else an empty 404 of no type.
pub fn miss(url: &str, document: bool, host: &Host) -> Response {
    let headers = base_headers(host);
    if document {
        pages::not_mirrored(url, headers)
    } else {
        Response { status: 404, headers, body: Body::Empty }
    }
}

/// What [`serve`] did: the response, and the key that was missed (for the host's record of misses).
#[derive(Debug, Clone, PartialEq)]
pub struct Served {
    pub response: Response,
    pub missed: Option<String>,
}

/// Answers one request from `store`: [`target`], the store's `served` (redirects, rendered copy), the payload,
/// then [`respond`]. The browser host does the same with one IndexedDB transaction (`MirrorStore.serve`).
pub async fn serve<S: Store>(store: &S, request: &Request<'_>, host: &Host) -> Result<Served, StoreError> {
    let target = match target(request, host) {
        Ok(t) => t,
        Err(response) => return Ok(Served { response: *response, missed: None }),
    };
    let found = store.served(&target.key, target.when, target.rendered).await?;
    let body = match &found {
        Some(capture) => store.payload(&capture.digest).await?,
        None => None,
    };
    let (Some(capture), Some(body)) = (found, body) else {
        let response = miss(&target.url, request.is_document(), host);
        return Ok(Served { response, missed: Some(target.key) });
    };
    let treatment = treatment(&capture, &body, request);
    Ok(Served { response: respond(&target, &capture, &treatment, Some(&body), host), missed: None })
}
