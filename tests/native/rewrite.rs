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
    // The checker is what the fuzz and fixture tests lean on: prove each invariant can fail, beside a clean page
    // using every allowed form.
    let m = |path: &str| format!("{PREFIX}https/example.com/{path}");
    let clean = format!(
        r##"<html><head><link rel=stylesheet href="{css}"><style>a{{b:url("{img}")}}</style>
        <meta http-equiv=refresh content="5; url={page}"></head><body><a href="{page}">p</a><a href="#top">t</a>
        <a href="mailto:a@b">m</a><img src="data:image/png;base64,AA" srcset="{img} 1x, data:image/png;base64,AA 2x">
        <svg><rect fill="url(#g)" style="stroke:url('{img}')"/><a xlink:href="{page}"><text>s</text></a>
        <set attributeName="fill" to="url({img})"/></svg><my-el href="{page}"></my-el>
        <link rel=stylesheet href="data:text/css,a%7Bb:url({img})%7D"><iframe srcdoc="<img src=&quot;{img}&quot;>"></iframe>"##,
        css = m("s.css"),
        img = m("i.png"),
        page = m("p.html")
    );
    assert_eq!(static_violations(clean.as_bytes(), PREFIX), Vec::<String>::new());
    let cases: &[(&str, &str)] = &[
        ("script", "<script>x</script>"),
        ("script in SVG", "<svg><script>x</script></svg>"),
        ("script inside <noscript>, scripting off", "<noscript><script>x</script></noscript>"),
        ("handler", "<div onclick=x()></div>"),
        ("javascript: link", "<a href=' JaVa\tScript:x()'>j</a>"),
        ("data: link", "<a href='data:text/html,x'>d</a>"),
        ("data: area", "<map><area href='data:text/html,x'></map>"),
        ("blob: image", "<img src='blob:https://live.example/x'>"),
        ("data: form action", "<form action='data:text/html,x'></form>"),
        ("table attribute outside", "<img src='https://live.example/x.png'>"),
        ("relative to another host", "<img src='//live.example/x.png'>"),
        ("srcset candidate outside", "<img srcset='a.png 1x, https://live.example/b.png 2x'>"),
        ("href on a custom element", "<my-el href='https://live.example/'></my-el>"),
        ("xlink:href on MathML", "<math><mi xlink:href='https://live.example/'>x</mi></math>"),
        ("presentation attribute", "<svg><rect fill='url(https://live.example/p#g)'/></svg>"),
        ("style attribute", "<div style='background:url(https://live.example/x.png)'></div>"),
        ("<style> text", "<style>@import 'https://live.example/x.css';</style>"),
        ("<style> text in SVG", "<svg><style>a{b:url(https://live.example/x)}</style></svg>"),
        ("data: stylesheet", "<link rel=stylesheet href='data:text/css,@import%20url(https://live.example/x.css)'>"),
        (
            "base64 data: stylesheet",
            "<link rel=stylesheet href='data:text/css;base64,QGltcG9ydCAnaHR0cHM6Ly9saXZlLyc7'>",
        ),
        ("SMIL animating href", "<svg><a><set attributeName='href' to='#x'/></a></svg>"),
        ("SMIL animating xlink:href", "<svg><a><animate attributeName='xlink:href' values='#x'/></a></svg>"),
        ("SMIL value with javascript:", "<svg><set attributeName='fill' to='javascript:x()'/></svg>"),
        ("SMIL url() value outside", "<svg><set attributeName='fill' to='url(https://live.example/p#g)'/></svg>"),
        ("preconnect", "<link rel=preconnect href='#'>"),
        ("prefetch", "<link rel='Prefetch' href='#'>"),
        ("base href", "<base href='#'>"),
        ("manifest, even when merged from a later <html>", "<p>x<html manifest='#'>"),
        ("ping", "<a href='#' ping='#'>p</a>"),
        ("meta refresh leaving", "<meta http-equiv=Refresh content=\"0;URL='https://live.example/'\">"),
        ("in a srcdoc", "<iframe srcdoc='<img src=&quot;https://live.example/x.png&quot;>'></iframe>"),
        ("in a template", "<template><img src='https://live.example/x.png'></template>"),
    ];
    for (what, html) in cases {
        let bad = static_violations(html.as_bytes(), PREFIX);
        assert!(!bad.is_empty(), "{what}: {html} passed the checker");
    }
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
