//! The CSS rewriter and CSS link extraction, on arbitrary stylesheets.
//!
//! Input: one flag byte (bits 0–1: the Content-Type), then the stylesheet.
//!
//! Invariants: no panic; every URL a browser would load from the output — found by a CSS tokenizer written from
//! the CSS Syntax specification, not the engine's — stays in the mirror (or is data:, blob:, about:, a fragment,
//! empty or unresolvable); the output as a `<style>` element passes the static-replay checker; the extractor's
//! links are absolute http(s) canonical keys, each once, and none is found again in the output.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sitemirror::rewrite::{self, Mode, RewriteOptions};
use sitemirror_fuzz::{check_link_list, checker, css_scan, doc_url, leaves_mirror, map, PREFIX};

const CONTENT_TYPES: [Option<&str>; 4] =
    [None, Some("text/css"), Some("text/css; charset=windows-1252"), Some("text/css; charset=utf-16be")];

fuzz_target!(|data: &[u8]| {
    let Some((&flags, body)) = data.split_first() else { return };
    let options = RewriteOptions {
        url: doc_url().join("/styles/site.css").unwrap(),
        map: map(None),
        mode: Mode::Static,
        content_type: CONTENT_TYPES[usize::from(flags & 3)].map(str::to_owned),
        banner: None,
    };
    let out = rewrite::rewrite_css(body, &options);
    let out = String::from_utf8(out).expect("the output is UTF-8");

    let leaks: Vec<String> =
        css_scan::urls(&out).iter().filter_map(|u| leaves_mirror(u, &options.url, PREFIX)).collect();
    assert!(leaks.is_empty(), "URLs outside the mirror in the rewritten stylesheet: {leaks:#?}");

    // A stylesheet holding `</style` can't be a <style> element's text; any other one can.
    if !out.to_ascii_lowercase().contains("</style") {
        let html = format!("<!doctype html><style>{out}</style><p>x</p>");
        let violations = checker::static_violations(html.as_bytes(), PREFIX);
        assert!(violations.is_empty(), "static replay invariants broken: {violations:#?}");
    }

    let links = rewrite::extract_css_links(body, &options.url, options.content_type.as_deref());
    check_link_list("resource", &links.resources);
    assert!(links.pages.is_empty(), "a stylesheet has no pages");
    let again = rewrite::extract_css_links(out.as_bytes(), &options.url, None);
    assert!(again.resources.is_empty(), "links left in the rewritten stylesheet: {:?}", again.resources);
});
