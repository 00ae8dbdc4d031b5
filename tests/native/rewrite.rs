//! The rewriter against the fixture folders in tests/fixtures/rewrite: expected output, the same output
//! whatever the chunking, expected links, and the static-replay invariants.
//!
//! `BLESS=1 cargo test --test native_rewrite` writes missing/changed expected files (then read them!).
//! `SITEMIRROR_CHUNK_SEED=<n>` replays a particular random chunking.
#![cfg(not(target_arch = "wasm32"))]

#[path = "../common/mod.rs"]
mod common;

use common::*;
use std::path::PathBuf;

fn fixture_dir(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/rewrite").join(name)
}

#[test]
fn every_fixture_rewrites_to_its_expected_output() {
    assert!(FIXTURES.len() >= 15, "fixtures went missing: {}", FIXTURES.len());
    let bless = std::env::var_os("BLESS").is_some();
    let mut failures = Vec::new();
    for f in FIXTURES {
        let s = settings(f);
        let out = rewrite_whole(f, &s.options);
        let path = fixture_dir(f.name).join(format!("expected.{}", f.kind));
        match f.expected {
            Some(exp) if exp == out.as_slice() => {}
            _ if bless => std::fs::write(&path, &out).unwrap(),
            Some(exp) => failures.push(format!(
                "{}: output differs\n--- expected\n{}\n--- got\n{}",
                f.name,
                String::from_utf8_lossy(exp),
                String::from_utf8_lossy(&out)
            )),
            None => failures.push(format!("{}: no expected.{} (run with BLESS=1)", f.name, f.kind)),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn random_chunking_gives_byte_identical_output() {
    let seed: u64 = std::env::var("SITEMIRROR_CHUNK_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(0x5eed_cafe);
    let mut rng = Rng(seed);
    for f in FIXTURES.iter().filter(|f| f.kind == "html") {
        let s = settings(f);
        let whole = rewrite_whole(f, &s.options);
        for round in 0..24 {
            // Mostly tiny chunks (split inside tags, attributes, entities and UTF-8 sequences), some larger.
            let sizes: Vec<usize> =
                (0..16).map(|_| if rng.below(4) == 0 { 1 + rng.below(300) } else { 1 + rng.below(7) }).collect();
            let chunked = rewrite_chunked(f, &s.options, &sizes);
            assert!(
                chunked == whole,
                "{}: chunk sizes {sizes:?} (seed {seed}, round {round}) changed the output:\n{}",
                f.name,
                String::from_utf8_lossy(&chunked)
            );
        }
    }
}

#[test]
fn fixtures_extract_the_links_they_declare() {
    let mut checked = 0;
    for f in FIXTURES {
        let s = settings(f);
        if let Some((pages, resources)) = &s.links {
            let got = links(f, &s.options);
            assert_eq!(&got.pages, pages, "{}: pages", f.name);
            assert_eq!(&got.resources, resources, "{}: resources", f.name);
            checked += 1;
        }
    }
    assert!(checked >= 5, "only {checked} fixtures declare links");
}

#[test]
fn static_outputs_keep_the_replay_invariants() {
    for f in FIXTURES.iter().filter(|f| f.kind == "html") {
        let s = settings(f);
        if s.options.mode != sitemirror::rewrite::Mode::Static {
            continue;
        }
        let out = rewrite_whole(f, &s.options);
        let bad = static_violations(&out, s.options.map.prefix());
        assert!(bad.is_empty(), "{}: {bad:#?}", f.name);
    }
}

#[test]
fn the_invariant_checker_catches_what_it_should() {
    // The checker is what the fuzz and fixture tests lean on: prove it can fail.
    let bad = static_violations(
        br#"<script>x</script><img src="https://live.example/a.png" onerror="x()"><a href="javascript:x()">j</a><link rel=preconnect href="https://live.example">"#,
        PREFIX,
    );
    assert_eq!(bad.len(), 7, "{bad:#?}");
}

#[test]
fn insert_banner_keeps_the_document_as_captured() {
    use sitemirror::rewrite::insert_banner;
    let url = sitemirror::url::parse("https://example.com/dir/page.html").unwrap();
    let banner = r#"<div id="b">offline</div>"#;
    let page = "<!doctype html><html><head><meta charset=\"iso-8859-1\"><title>t</title>\
        <script src=\"app.js\"></script><noscript><p>no js</noscript></head>\
        <body class=x><a href=\"/about\" onclick=\"go()\">caf\u{e9}</a><img src=\"i.png\"></body></html>";
    let (latin1, _, _) = encoding_rs::WINDOWS_1252.encode(page);
    let out = insert_banner(&latin1, &url, Some("text/html; charset=iso-8859-1"), banner).unwrap();
    let out = String::from_utf8(out).unwrap();
    // Only the banner is added; the text is now UTF-8 (the HTTP charset served with it must say so).
    assert_eq!(out, page.replace("<body class=x>", &format!("<body class=x>{banner}")));
    // Without a <body> tag, before the first element of the body.
    let out = insert_banner(b"<title>t</title><p>hi", &url, None, banner).unwrap();
    assert_eq!(out, format!("<title>t</title>{banner}<p>hi").as_bytes());
}
