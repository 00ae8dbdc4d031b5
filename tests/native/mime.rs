//! What replay serves a stored response as (`sitemirror::mime`): the Fetch standard's MIME extraction and the
//! careful sniffing. Regression tests for issue 11 item 2: responses Chromium renders as documents were served
//! raw at the extension's origin when their type wasn't exactly `text/html` or `application/xhtml+xml`.
#![cfg(not(target_arch = "wasm32"))]

use sitemirror::mime::{extract, is_subresource, parse, treat, Mime, Treatment};

const HTML: &[u8] =
    b"<!doctype html><link rel=preconnect href=https://live.example/><a href=/dashboard/dashboard.html>x</a>";
const SVG: &[u8] = b"<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\"><a href=\"https://live.example/\"><text>x</text></a></svg>";
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

fn doc(types: &[&str], body: &[u8]) -> Treatment {
    treat(types, body, "document")
}

#[test]
fn the_last_valid_type_of_a_comma_list_wins() {
    // Chromium renders `text/plain, text/html` from the network as HTML (Fetch's extraction).
    assert_eq!(doc(&["text/plain, text/html"], HTML), Treatment::Html);
    assert_eq!(doc(&["text/html, text/plain"], HTML), Treatment::Raw("text/plain".into()));
    // Invalid entries are skipped, */* too.
    assert_eq!(doc(&["text/html, nonsense, */*"], HTML), Treatment::Html);
}

#[test]
fn duplicate_headers_are_one_list() {
    assert_eq!(doc(&["text/plain", "text/html"], HTML), Treatment::Html);
    assert_eq!(doc(&["image/png", "image/svg+xml"], SVG), Treatment::Html);
}

#[test]
fn case_parameters_and_comments() {
    assert_eq!(doc(&["TEXT/HTML; Charset=UTF-8"], HTML), Treatment::Html);
    assert_eq!(doc(&["text/html;charset=\"utf-8\";x=\"a,b\""], HTML), Treatment::Html);
    // `text/html (comment)` is no valid type: the body decides, and an HTML body is HTML.
    assert_eq!(doc(&["text/html (comment)"], HTML), Treatment::Html);
    assert_eq!(parse("text/html (comment)"), None);
}

#[test]
fn every_xml_type_is_rewritten_as_a_document() {
    for t in [
        "application/xml",
        "text/xml",
        "image/svg+xml",
        "application/xhtml+xml",
        "application/atom+xml",
        "text/xsl",
        "application/rss+xml; charset=utf-8",
    ] {
        assert_eq!(doc(&[t], SVG), Treatment::Html, "{t}");
        assert_eq!(treat(&[t], SVG, "iframe"), Treatment::Html, "{t} in a frame");
        assert_eq!(treat(&[t], SVG, "object"), Treatment::Html, "{t} in an object");
    }
}

#[test]
fn a_missing_or_uninformative_type_is_sniffed_carefully() {
    assert_eq!(doc(&[], HTML), Treatment::Html);
    assert_eq!(doc(&[""], SVG), Treatment::Html);
    assert_eq!(doc(&["application/octet-stream"], b"hello <b>world</b>"), Treatment::Html);
    // Plain binary is served as bytes: no browser renders it as markup.
    assert_eq!(doc(&[], PNG), Treatment::Raw("application/octet-stream".into()));
    assert_eq!(doc(&["unknown/unknown"], b"\0\x01\x02"), Treatment::Raw("application/octet-stream".into()));
    // A UTF-16 byte order mark is text, not binary.
    assert_eq!(doc(&[], b"\xff\xfe<\0h\0t\0m\0l\0>\0"), Treatment::Html);
}

#[test]
fn subresources_keep_their_type_but_never_a_markup_one() {
    assert_eq!(treat(&["image/svg+xml"], SVG, "image"), Treatment::Raw("image/svg+xml".into()));
    assert_eq!(treat(&["text/html"], HTML, "image"), Treatment::Raw("text/plain".into()));
    assert_eq!(treat(&["image/png"], PNG, "image"), Treatment::Raw("image/png".into()));
    assert_eq!(treat(&[], PNG, "image"), Treatment::Raw("application/octet-stream".into()));
    assert_eq!(treat(&["text/css"], b"a{}", "style"), Treatment::Css);
    assert_eq!(treat(&["font/woff2"], b"wOF2", "font"), Treatment::Raw("font/woff2".into()));
    // Unknown destinations are documents (the careful default).
    assert!(!is_subresource("fencedframe"));
    assert_eq!(treat(&["image/svg+xml"], SVG, "fencedframe"), Treatment::Html);
}

#[test]
fn other_types_are_served_as_they_are() {
    assert_eq!(doc(&["text/plain; charset=iso-8859-1"], b"x"), Treatment::Raw("text/plain; charset=iso-8859-1".into()));
    assert_eq!(doc(&["application/pdf"], b"%PDF-1.4"), Treatment::Raw("application/pdf".into()));
    assert_eq!(doc(&["text/css"], b"a{}"), Treatment::Css);
    // A multipart/x-mixed-replace part could be HTML.
    assert_eq!(
        doc(&["multipart/x-mixed-replace; boundary=x"], HTML),
        Treatment::Raw("application/octet-stream".into())
    );
}

#[test]
fn charset_follows_the_fetch_rules() {
    let mime = |types: &[&str]| extract(types);
    assert_eq!(
        mime(&["text/html;charset=gbk, text/html"]),
        Some(Mime { essence: "text/html".into(), charset: Some("gbk".into()) })
    );
    assert_eq!(
        mime(&["text/html;charset=gbk, text/plain"]),
        Some(Mime { essence: "text/plain".into(), charset: None })
    );
    assert_eq!(mime(&["text/html;charset=\"shift_jis\"iso-2022-jp"]).and_then(|m| m.charset), Some("shift_jis".into()));
}
