//! Hostile and pathological input: nothing panics, nothing hangs, limits fail with their codes, and static
//! replay output keeps its invariants whatever came in.
#![cfg(not(target_arch = "wasm32"))]

#[path = "../common/mod.rs"]
mod common;

use common::*;
use sitemirror::error::ErrorCode;
use sitemirror::rewrite::{self, Mode, RewriteOptions};
use sitemirror::url::{self, MirrorMap};
use std::time::{Duration, Instant};

fn options() -> RewriteOptions {
    RewriteOptions {
        url: url::parse("https://example.com/dir/page.html").unwrap(),
        map: MirrorMap::new(PREFIX, None).unwrap(),
        mode: Mode::Static,
        content_type: None,
        banner: Some("<div id=sitemirror-banner>Offline copy</div>".into()),
    }
}

/// Runs the rewriter and the extractor; either may refuse with a coded error, neither may panic.
fn survive(input: &[u8]) -> Option<Vec<u8>> {
    let o = options();
    let _ = rewrite::extract_links(input, &o.url, None);
    let _ = rewrite::extract_css_links(input, &o.url, None);
    let _ = rewrite::rewrite_css(input, &o);
    match rewrite::rewrite_html(input, &o) {
        Ok(out) => Some(out),
        Err(e) => {
            assert!(e.code().starts_with("rewrite/"), "unexpected code {}", e.code());
            None
        }
    }
}

#[test]
fn quadratic_selector_input_finishes_fast() {
    // lol_html's known worst case: "<a></b>" repeated leaves 100,000 open <a> elements for selectors to match.
    let input = "<a></b>".repeat(100_000);
    let start = Instant::now();
    let out = survive(input.as_bytes());
    let took = start.elapsed();
    assert!(took < Duration::from_millis(1000), "took {took:?}");
    if let Some(out) = out {
        assert!(out.len() >= input.len());
    }
}

#[test]
fn arbitrary_bytes_never_panic_and_static_output_stays_safe() {
    let mut rng = Rng(0xdead_beef);
    let tokens: &[&[u8]] = &[
        b"<",
        b">",
        b"</",
        b"/>",
        b"\"",
        b"'",
        b"=",
        b"&",
        b"&amp;",
        b"&#",
        b";",
        b" ",
        b"\n",
        b"<script>",
        b"</script>",
        b"<style>",
        b"</style>",
        b"<noscript>",
        b"</noscript>",
        b"<a href=",
        b"<img src=",
        b" srcset=",
        b" onclick=",
        b"javascript:",
        b"url(",
        b")",
        b"@import ",
        b"<base href=",
        b"<meta http-equiv=refresh content='0;url=",
        b"<iframe srcdoc=\"",
        b"<svg>",
        b"<set to=",
        b"\xff",
        b"\xc3",
        b"\x00",
        b"<!--",
        b"-->",
        b"<![CDATA[",
        b"https://live.example/",
        b"data:",
        b"#",
        b"<body>",
        b" style=",
        b"<link rel=preconnect href=",
    ];
    for case in 0..3000 {
        let mut input = Vec::new();
        let n = rng.below(60);
        for _ in 0..n {
            if rng.below(5) == 0 {
                input.push(rng.next() as u8);
            } else {
                input.extend_from_slice(tokens[rng.below(tokens.len())]);
            }
        }
        if let Some(out) = survive(&input) {
            let bad = static_violations(&out, PREFIX);
            assert!(
                bad.is_empty(),
                "case {case}: {:?}\n→ {:?}\n{bad:#?}",
                String::from_utf8_lossy(&input),
                String::from_utf8_lossy(&out)
            );
        }
    }
}

#[test]
fn mutated_fixtures_never_panic() {
    let mut rng = Rng(42);
    for f in FIXTURES {
        for _ in 0..40 {
            let mut input = f.input.to_vec();
            for _ in 0..1 + rng.below(8) {
                if input.is_empty() {
                    break;
                }
                let at = rng.below(input.len());
                match rng.below(3) {
                    0 => input[at] = rng.next() as u8,
                    1 => {
                        input.remove(at);
                    }
                    _ => input.truncate(at),
                }
            }
            if let Some(out) = survive(&input) {
                let bad = static_violations(&out, PREFIX);
                assert!(
                    bad.is_empty(),
                    "{}: {:?}\n→ {:?}\n{bad:#?}",
                    f.name,
                    String::from_utf8_lossy(&input),
                    String::from_utf8_lossy(&out)
                );
            }
        }
    }
}

#[test]
fn deep_nesting_and_huge_values_are_handled() {
    let deep = "<div>".repeat(200_000);
    survive(deep.as_bytes());
    let huge_attr = format!("<img src=\"data:image/png;base64,{}\"><a href=x.html>after</a>", "A".repeat(8 << 20));
    let out = survive(huge_attr.as_bytes()).expect("one big attribute is fine when the document is whole");
    assert!(String::from_utf8(out).unwrap().contains(&format!("{PREFIX}https/example.com/dir/x.html")));
    let deep_css = format!("<style>{}url(x.png)</style>", "(".repeat(100_000));
    survive(deep_css.as_bytes());
    let nested_noscript = "<noscript>".repeat(50) + "<img src=deep.png>";
    survive(nested_noscript.as_bytes());
    let srcdoc_bomb = (0..10).fold("<img src=x.png>".to_owned(), |inner, _| {
        format!("<iframe srcdoc=\"{}\"></iframe>", inner.replace('&', "&amp;").replace('"', "&quot;"))
    });
    survive(srcdoc_bomb.as_bytes());
}

#[test]
fn an_unclosed_tag_split_across_chunks_hits_the_memory_limit_with_its_code() {
    // Fed in chunks, a start tag that never ends must be buffered; past the limit the rewriter refuses.
    let o = options();
    let chunk = vec![b'a'; 1 << 20];
    let mut chunks: Vec<&[u8]> = vec![b"<img src=\"x.png\" data-x=\""];
    chunks.extend(std::iter::repeat_n(chunk.as_slice(), (rewrite::MEMORY_LIMIT >> 20) + 8));
    let err = rewrite::rewrite_html_chunks(chunks, &o, &mut |_| {}).unwrap_err();
    assert_eq!(err.code(), "rewrite/memory-limit");
    assert!(err.to_string().ends_with('.'), "{err}");
}

#[test]
fn bad_charset_labels_fall_back_instead_of_failing() {
    let mut o = options();
    for ct in ["text/html; charset=no-such-charset", "text/html; charset=", "text/html; charset=\"utf-7\"", "garbage"] {
        o.content_type = Some(ct.into());
        let out = rewrite::rewrite_html("<p>café</p>".as_bytes(), &o).unwrap();
        assert!(String::from_utf8(out).unwrap().contains("café"), "{ct}");
    }
    let out = rewrite::rewrite_html(b"<meta charset=\"\xff\xfe\"><p>x", &options()).unwrap();
    assert!(String::from_utf8(out).is_ok());
}
