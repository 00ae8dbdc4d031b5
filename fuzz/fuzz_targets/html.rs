//! The HTML rewriter in static mode and the link extractor, on arbitrary documents.
//!
//! Input: one flag byte, then the body. Flags: bits 0–2 the Content-Type, bit 3 a banner, bit 4 a capture time,
//! bits 5–7 the chunking seed.
//!
//! Invariants: no panic; the only error is lol_html's memory limit (`rewrite/memory-limit`); the output is UTF-8
//! and the same whole or fed in chunks; it passes the static-replay checker (no script, no handler, no
//! `javascript:`, every URL in the mirror); the extractor's links are absolute http(s) canonical keys, each once.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sitemirror::error::{ErrorCode, RewriteError};
use sitemirror::rewrite::{self, Mode, RewriteOptions};
use sitemirror_fuzz::{check_link_list, checker, chunks, doc_url, map, PREFIX};

const CONTENT_TYPES: [Option<&str>; 8] = [
    None,
    Some("text/html"),
    Some("text/html; charset=windows-1252"),
    Some("text/html; charset=Shift_JIS"),
    Some("text/html; charset=utf-16le"),
    Some("text/html; charset=iso-2022-jp"),
    Some("application/xhtml+xml; charset=gb18030"),
    Some("text/html; charset=bogus"),
];
const BANNER: &str = "<div id=\"sitemirror-banner\">Mirrored copy</div>";

/// `Some` output, or `None` when the memory limit stopped the rewrite (an accepted outcome).
fn accepted(result: Result<Vec<u8>, RewriteError>) -> Option<Vec<u8>> {
    match result {
        Ok(out) => Some(out),
        Err(e @ RewriteError::MemoryLimit { .. }) => {
            assert_eq!(e.code(), "rewrite/memory-limit");
            None
        }
        Err(e) => panic!("rewrite failed with {} ({e})", e.code()),
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&flags, body)) = data.split_first() else { return };
    let options = RewriteOptions {
        url: doc_url(),
        map: map((flags & 0x10 != 0).then_some("20240102030405")),
        mode: Mode::Static,
        content_type: CONTENT_TYPES[usize::from(flags & 7)].map(str::to_owned),
        banner: (flags & 8 != 0).then(|| BANNER.to_owned()),
    };

    let whole = accepted(rewrite::rewrite_html(body, &options));
    let mut chunked = Vec::new();
    let pieces = chunks(body, u64::from(flags >> 5) ^ body.len() as u64, 4096);
    let streamed = rewrite::rewrite_html_chunks(pieces, &options, &mut |b| chunked.extend_from_slice(b));
    let streamed = accepted(streamed.map(|()| chunked));
    if let (Some(whole), Some(streamed)) = (&whole, &streamed) {
        assert!(whole == streamed, "chunked output differs from whole output");
    }
    if let Some(out) = whole {
        assert!(std::str::from_utf8(&out).is_ok(), "output is not UTF-8");
        let violations = checker::static_violations(&out, PREFIX);
        assert!(violations.is_empty(), "static replay invariants broken: {violations:#?}");
    }

    if let Some(links) = accepted_links(rewrite::extract_links(body, &options.url, options.content_type.as_deref())) {
        check_link_list("page", &links.pages);
        check_link_list("resource", &links.resources);
    }
});

fn accepted_links(result: Result<rewrite::Links, RewriteError>) -> Option<rewrite::Links> {
    match result {
        Ok(links) => Some(links),
        Err(RewriteError::MemoryLimit { .. }) => None,
        Err(e) => panic!("link extraction failed with {} ({e})", e.code()),
    }
}
