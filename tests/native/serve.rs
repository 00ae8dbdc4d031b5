//! Replay's decisions (`sitemirror::serve`) on a `MemoryStore`: which version, what it is served as, with which
//! headers and status, what a miss gets. The browser host runs the same code over IndexedDB (`MirrorStore.serve`),
//! which the e2e replay tests drive through real Chromium.
#![cfg(not(target_arch = "wasm32"))]

#[path = "../common/store_suite.rs"]
mod suite;

use sitemirror::serve::{self, closest_page, pinned_ms, Body, Host, Request, Served};
use sitemirror::store::{MemoryStore, Store};
use suite::{block_on, capture, from, with_header};

const PREFIX: &str = "chrome-extension://abcdefghijklmnopabcdefghijklmnop/m/";

fn host() -> Host {
    Host { prefix: PREFIX.into(), origin: "chrome-extension://abcdefghijklmnopabcdefghijklmnop".into() }
}

fn get(store: &MemoryStore, url: &str, destination: &str) -> Served {
    let navigate = destination == "document";
    block_on(serve::serve(store, &Request { url, destination, navigate }, &host())).expect("the store answers")
}

fn text(s: &Served) -> String {
    match &s.response.body {
        Body::Bytes(b) => String::from_utf8(b.clone()).unwrap(),
        other => panic!("expected bytes, got {other:?}"),
    }
}

fn store_with(captures: Vec<sitemirror::store::NewCapture>) -> MemoryStore {
    let store = MemoryStore::new();
    block_on(store.put_captures(captures)).unwrap();
    store
}

#[test]
fn a_document_is_served_rewritten_under_the_replay_headers() {
    let page = b"<!doctype html><script>steal()</script><a href=/b>b</a><img src=https://cdn.test/i.png>";
    let store = store_with(vec![capture("https://example.com/a", 1000, 200, page)]);
    let s = get(&store, &format!("{PREFIX}https/example.com/a"), "document");
    assert_eq!(s.response.status, 200);
    let out = text(&s);
    assert!(!out.contains("steal"), "scripts go: {out}");
    assert!(out.contains(&format!("href=\"{PREFIX}https/example.com/b\"")), "{out}");
    assert!(out.contains(&format!("src=\"{PREFIX}https/cdn.test/i.png\"")), "{out}");
    let r = &s.response;
    assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"));
    assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(r.header("cache-control"), Some("no-store"));
    assert_eq!(r.header("referrer-policy"), Some("no-referrer"));
    assert_eq!(r.header("x-sitemirror-captured"), Some("1000"));
    let csp = r.header("content-security-policy").unwrap();
    for directive in
        ["script-src 'none'", "connect-src 'none'", "sandbox allow-same-origin", &format!("frame-src {PREFIX}")]
    {
        assert!(csp.contains(directive), "{directive} missing from {csp}");
    }
}

#[test]
fn a_pinned_url_serves_the_closest_version_and_keeps_its_links_pinned() {
    let url = "https://example.com/p";
    let store = store_with(vec![
        capture(url, pinned_ms("20260101").unwrap(), 200, b"<p>january <a href=q>q</a>"),
        capture(url, pinned_ms("20260601").unwrap(), 200, b"<p>june"),
    ]);
    let s = get(&store, &format!("{PREFIX}20260201000000/https/example.com/p"), "document");
    let out = text(&s);
    assert!(out.contains("january"), "{out}");
    assert!(out.contains(&format!("{PREFIX}20260201000000/https/example.com/q")), "{out}");
    assert!(text(&get(&store, &format!("{PREFIX}https/example.com/p"), "document")).contains("june"));
    assert!(text(&get(&store, &format!("{PREFIX}2026/https/example.com/p"), "document")).contains("january"));
}

#[test]
fn partial_timestamps_are_their_earliest_moment() {
    assert_eq!(pinned_ms("1970"), Some(0));
    assert_eq!(pinned_ms("19700102"), Some(86_400_000));
    assert_eq!(pinned_ms("20260101000001"), pinned_ms("2026").map(|t| t + 1000));
    assert_eq!(pinned_ms("20261301"), None, "no 13th month");
    assert_eq!(pinned_ms(""), None);
    assert_eq!(pinned_ms("2026010100000000"), None, "more than 14 digits");
}

#[test]
fn a_miss_is_never_fetched_and_its_page_escapes_the_url() {
    let store = store_with(vec![capture("https://example.com/", 1000, 200, b"home")]);
    let hostile = format!("{PREFIX}https/example.com/%3Cscript%3E\"<img src=x onerror=alert(1)>");
    let s = get(&store, &hostile, "document");
    assert_eq!(s.response.status, 404);
    assert!(s.missed.as_deref().is_some_and(|k| k.starts_with("https://example.com/")), "{:?}", s.missed);
    let out = text(&s);
    assert!(out.contains("Not in the mirror"), "{out}");
    assert!(!out.contains("<img") && !out.contains("\"<"), "the URL is escaped: {out}");
    assert!(s.response.header("content-security-policy").is_some());
    // A subresource gets an empty 404 of no type.
    let s = get(&store, &format!("{PREFIX}https/example.com/gone.png"), "image");
    assert_eq!((s.response.status, &s.response.body), (404, &Body::Empty));
    assert_eq!(s.response.header("content-type"), None);
    assert_eq!(s.missed.as_deref(), Some("https://example.com/gone.png"));
    // A URL under the prefix that is no mirror URL: a miss with nothing to record.
    let s = get(&store, &format!("{PREFIX}ftp/example.com/x"), "document");
    assert_eq!((s.response.status, s.missed), (404, None));
}

#[test]
fn stored_redirects_are_followed_and_a_document_prefers_its_rendered_copy() {
    let store = store_with(vec![
        with_header(capture("https://example.com/old", 1000, 301, b""), "location", "/new"),
        from("visit", capture("https://example.com/new", 1000, 200, b"<p>as served")),
        from("dom", capture("https://example.com/new#rendered", 1000, 200, b"<p>as rendered")),
    ]);
    assert!(text(&get(&store, &format!("{PREFIX}https/example.com/old"), "document")).contains("as rendered"));
    // A frame renders it too.
    assert!(text(&get(&store, &format!("{PREFIX}https/example.com/new"), "iframe")).contains("as rendered"));
    // fetch() renders nothing: the body is served as stored, under a type no browser renders as a document.
    let s = get(&store, &format!("{PREFIX}https/example.com/new"), "");
    assert_eq!(s.response.body, Body::Stored);
    assert!(!s.response.header("content-type").unwrap().contains("html"), "{:?}", s.response.headers);
}

#[test]
fn what_is_served_as_what() {
    let png = b"\x89PNG\r\n\x1a\n0000";
    let svg = b"<svg xmlns='http://www.w3.org/2000/svg'><script>x()</script><image href='/a.png'/></svg>";
    let store = store_with(vec![
        with_header(capture("https://example.com/i.png", 1, 200, png), "content-type", "image/png"),
        {
            let mut c = capture("https://example.com/d.svg", 1, 200, svg);
            c.headers = vec![("content-type".into(), "image/svg+xml".into())];
            c
        },
        {
            let mut c = capture("https://example.com/s.css", 1, 200, b"a{background:url(/bg.png)}");
            c.headers = vec![("content-type".into(), "text/css".into())];
            c
        },
    ]);
    // A binary image is served as stored (the host's copy, never read into wasm).
    let s = get(&store, &format!("{PREFIX}https/example.com/i.png"), "image");
    assert_eq!(s.response.body, Body::Stored);
    // An SVG opened as a page is a document: rewritten, script-free, served as HTML.
    let s = get(&store, &format!("{PREFIX}https/example.com/d.svg"), "document");
    let out = text(&s);
    assert!(!out.contains("x()") && out.contains(&format!("{PREFIX}https/example.com/a.png")), "{out}");
    assert_eq!(s.response.header("content-type"), Some("text/html; charset=utf-8"));
    let s = get(&store, &format!("{PREFIX}https/example.com/s.css"), "style");
    assert!(text(&s).contains(&format!("{PREFIX}https/example.com/bg.png")), "{}", text(&s));
    assert_eq!(s.response.header("content-type"), Some("text/css; charset=utf-8"));
}

#[test]
fn captured_statuses_replay_as_they_were() {
    let store = store_with(vec![
        capture("https://example.com/404", 1, 404, b"<p>site's own 404"),
        capture("https://example.com/304", 1, 304, b"<p>unchanged"),
        capture("https://example.com/204", 1, 204, b""),
    ]);
    let at = |p: &str| get(&store, &format!("{PREFIX}https/example.com/{p}"), "document").response;
    assert_eq!(at("404").status, 404);
    assert_eq!(at("304").status, 200);
    let r = at("204");
    assert_eq!((r.status, r.body), (204, Body::Empty));
}

#[test]
fn a_page_the_rewriter_refuses_is_never_served_as_it_was() {
    // A raw-text tag where browsers may ignore it: the rewriter can't know what is text.
    let page = b"<select><xmp></select><img src=x onerror=alert(1)></xmp>";
    let store = store_with(vec![capture("https://example.com/amb", 1, 200, page)]);
    let s = get(&store, &format!("{PREFIX}https/example.com/amb"), "document");
    assert_eq!(s.response.status, 500);
    let out = text(&s);
    assert!(out.contains("id=\"error-code\">rewrite/"), "{out}");
    assert!(!out.contains("onerror"), "{out}");
}

#[test]
fn the_closest_page_offered_for_a_miss_is_a_parent_before_an_unrelated_page() {
    let pages = ["https://example.com/", "https://example.com/blog/2020/post.html", "https://example.com/docs/"];
    assert_eq!(closest_page("https://example.com/about.html", &pages), Some("https://example.com/"));
    assert_eq!(closest_page("https://example.com/docs/api/x.html", &pages), Some("https://example.com/docs/"));
    // Same section first: more shared leading segments beat being a parent.
    assert_eq!(
        closest_page("https://example.com/blog/2021/y.html", &pages),
        Some("https://example.com/blog/2020/post.html")
    );
}

fn stored(url: &str, headers: &[(&str, &str)]) -> sitemirror::store::Capture {
    sitemirror::store::Capture {
        id: 1,
        site: "https://example.com/".into(),
        url: url.into(),
        at: pinned_ms("20260102030405").unwrap(),
        status: 200,
        headers: headers.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect(),
        digest: String::new(),
        size: 0,
        source: "visit".into(),
        fidelity: None,
    }
}

#[test]
fn the_site_worker_serves_its_copy_as_the_site_sent_it_with_a_banner_in_documents() {
    let banner = serve::Banner { text: "Offline <copy> of {date}", date_text: "2 Jan 2026 & more" };
    let page = b"<!doctype html><html><body><script>app()</script><p>hello</p></body></html>";
    let capture = stored("https://example.com/", &[("content-type", "text/html; charset=windows-1252")]);
    let now = capture.at + 90_000;
    let r = serve::site_copy(&capture, Some(page), "offline", now, Some(&banner)).unwrap();
    assert_eq!(r.status, 200);
    let Body::Bytes(out) = &r.body else { panic!("a document with a banner is new bytes: {:?}", r.body) };
    let out = String::from_utf8(out.clone()).unwrap();
    // The site's own page, scripts and all, with the banner: the owner's text escaped, the date a <time>.
    assert!(out.contains("<script>app()</script>"), "{out}");
    assert!(
        out.contains(
            "Offline &#60;copy&#62; of <time datetime=\"2026-01-02T03:04:05.000Z\">2 Jan 2026 &#38; more</time>"
        ),
        "{out}"
    );
    assert!(out.contains("style=\"all:initial"), "no CSP: styled inline: {out}");
    assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"));
    assert_eq!(r.header("x-sitemirror-served"), Some("offline"));
    assert_eq!(r.header("x-sitemirror-captured"), Some("2026-01-02T03:04:05.000Z"));
    assert_eq!(r.header("cache-control"), Some("no-store"));
    assert_eq!(r.header("age"), Some("90"));

    // A CSP that forbids inline style: the banner comes plain, in the page's own styles.
    let strict = stored(
        "https://example.com/",
        &[("content-type", "text/html"), ("content-security-policy", "style-src 'self'")],
    );
    let r = serve::site_copy(&strict, Some(page), "offline", now, Some(&banner)).unwrap();
    let Body::Bytes(out) = &r.body else { panic!() };
    let out = String::from_utf8_lossy(out);
    assert!(out.contains("<div id=\"sitemirror-banner\" role=\"status\">") && !out.contains("all:initial"), "{out}");
    assert_eq!(r.header("content-security-policy"), Some("style-src 'self'"), "the site's policy is replayed");

    // A download, an image, or no banner configured: the stored body as it is.
    let download =
        stored("https://example.com/r", &[("content-type", "text/html"), ("content-disposition", "attachment")]);
    assert_eq!(serve::site_copy(&download, Some(page), "offline", now, Some(&banner)).unwrap().body, Body::Stored);
    let image = stored("https://example.com/i.png", &[("content-type", "image/png")]);
    assert!(!serve::takes_banner(&image));
    let r = serve::site_copy(&image, None, "fresh", now, Some(&banner)).unwrap();
    assert_eq!((&r.body, r.header("content-type")), (&Body::Stored, Some("image/png")));
    let r = serve::site_copy(&capture, Some(page), "offline", now, None).unwrap();
    assert_eq!(r.body, Body::Stored);
    // Untyped: served as bytes, never sniffed into a document.
    let untyped = stored("https://example.com/x", &[]);
    let r = serve::site_copy(&untyped, None, "offline", now, Some(&banner)).unwrap();
    assert_eq!(r.header("content-type"), Some("application/octet-stream"));
}
