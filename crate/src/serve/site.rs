//! The site worker's answer from its mirror: the stored copy under its own URL, as the site sent it (scripts and
//! all: the site is the owner's, served at its own origin), with the headers it was captured with, its age, and an
//! "offline copy" banner in documents. Which copy and when the mirror answers at all (freshness, the network, the
//! logout sentinel) stay the worker's: this is the response once it does.

use super::pages::escape;
use super::{Body, Response};
use crate::error::RewriteError;
use crate::http::{self, BannerStyle};
use crate::rewrite;
use crate::store::Capture;

/// The banner a site shows on its offline copies.
#[derive(Debug, Clone)]
pub struct Banner<'a> {
    /// The site owner's text; `{date}` becomes the capture time.
    pub text: &'a str,
    /// The capture time as the reader's locale writes it (the worker formats it: `Intl` is the browser's).
    pub date_text: &'a str,
}

/// Whether a banner goes into `capture`: a document (HTML, XHTML) that is not a download. Only then does
/// [`site_copy`] need its body.
pub fn takes_banner(capture: &Capture) -> bool {
    matches!(essence(capture).as_str(), "text/html" | "application/xhtml+xml")
        && http::banner_style(&capture.headers) != BannerStyle::None
}

fn content_type(capture: &Capture) -> &str {
    capture.header("content-type").unwrap_or("application/octet-stream")
}

fn essence(capture: &Capture) -> String {
    content_type(capture).split(';').next().unwrap_or("").trim().to_ascii_lowercase()
}

/// The response for `capture`, answered at `now` because of `why` (`x-sitemirror-served`: `offline`, `fresh`, …).
/// Documents get `banner` ([`takes_banner`]; `body` is then the stored body), styled inline only where every
/// CSP of the page allows inline style ([`http::banner_style`]). Everything else is the stored body as it is.
pub fn site_copy(
    capture: &Capture,
    body: Option<&[u8]>,
    why: &str,
    now: u64,
    banner: Option<&Banner<'_>>,
) -> Result<Response, RewriteError> {
    let mut headers = http::replay_headers(&capture.headers, capture.at, now);
    let content_type = content_type(capture).to_owned();
    let style = http::banner_style(&capture.headers);
    let banner = banner.zip(body).filter(|_| takes_banner(capture));
    let (served_type, body) = match banner {
        Some((banner, body)) => {
            let html = banner_html(banner, capture.at, style == BannerStyle::Inline);
            let url = crate::url::parse(&capture.url)?;
            let out = rewrite::insert_banner(body, &url, Some(&content_type), &html)?;
            // The banner pass writes UTF-8, whatever the stored charset was.
            (format!("{}; charset=utf-8", essence(capture)), Body::Bytes(out))
        }
        None => (content_type, Body::Stored),
    };
    headers.retain(|(n, _)| n != "content-type");
    headers.extend([
        ("content-type".to_owned(), served_type),
        ("cache-control".to_owned(), "no-store".to_owned()),
        ("x-sitemirror-captured".to_owned(), crate::crawl::dates::iso(capture.at)),
        ("x-sitemirror-served".to_owned(), why.to_owned()),
    ]);
    Ok(Response { status: 200, headers, body })
}

/// `<div id="sitemirror-banner" role="status">` with the owner's text (escaped: it is config text, and `{date}`
/// becomes a `<time>`), styled to stand apart from the page when `styled`, else in the page's own styles.
fn banner_html(banner: &Banner<'_>, at: u64, styled: bool) -> String {
    let when = format!("<time datetime=\"{}\">{}</time>", crate::crawl::dates::iso(at), escape(banner.date_text));
    let style = if styled {
        " style=\"all:initial;display:block;box-sizing:border-box;width:100%;padding:4px 12px;background:#fff8d6;\
         border-bottom:1px solid #e0d28a;color:#5c4d00;font:13px/1.4 system-ui,sans-serif;text-align:center;\
         position:relative;z-index:2147483647\""
    } else {
        ""
    };
    let text = escape(banner.text).replace("{date}", &when);
    format!("<div id=\"sitemirror-banner\" role=\"status\"{style}>{text}</div>")
}
