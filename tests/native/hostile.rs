//! Hostile and pathological input: nothing panics, nothing hangs, limits fail with their codes, and static
//! replay output keeps its invariants whatever came in.
#![cfg(not(target_arch = "wasm32"))]

#[path = "../common/mod.rs"]
mod common;
#[path = "growth.rs"]
mod growth;

use common::*;
use growth::{assert_linear, GROWTH};
use sitemirror::error::ErrorCode;
use sitemirror::rewrite::{self, Mode, RewriteOptions};
use sitemirror::url::{self, MirrorMap};

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
    // Timed against an eighth of it, not against a clock (CI machines differ): the time must grow linearly.
    let open = |n: usize| "<a></b>".repeat(n);
    let out = assert_linear("n × <a></b>", 100_000 / GROWTH, open, |input| survive(input.as_bytes()));
    let input = open(100_000);
    if let Some(out) = out {
        assert!(out.len() >= input.len());
    }
}

#[test]
fn arbitrary_bytes_never_panic_and_static_output_stays_safe() {
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
        b"<select>",
        b"<xmp>",
        b"<textarea>",
        b"<title>",
        b"<template>",
        b"<table>",
        b"<math>",
        b"<foreignObject>",
        b"</svg>",
        b"<p>",
        b"<font color=x>",
        b"<frameset>",
        b" href=",
        b" xlink:href=",
        b" lowsrc=",
        b" fill=",
        b"<set attributeName=href to=",
        b"<animate attributename=xlink:href values=",
        b"data:text/css,@import url(",
        b"blob:",
        b"<html manifest=",
        b"<svg><style>",
    ];
    let cases: usize = std::env::var("SITEMIRROR_FUZZ_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(3000);
    let seed: u64 = std::env::var("SITEMIRROR_FUZZ_SEED").ok().and_then(|n| n.parse().ok()).unwrap_or(0xdead_beef);
    let mut rng = Rng(seed);
    for case in 0..cases {
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
            if let (false, Some(path)) = (bad.is_empty(), std::env::var_os("SITEMIRROR_FUZZ_DUMP")) {
                std::fs::write(path, &input).unwrap();
            }
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

/// A static rewrite that keeps every invariant (checked on html5ever's parse of the output), as text.
fn rewrite_static(input: &str) -> String {
    let out = rewrite::rewrite_html(input.as_bytes(), &options()).expect("rewrites");
    let bad = static_violations(&out, PREFIX);
    let out = String::from_utf8(out).unwrap();
    assert!(bad.is_empty(), "{input}\n→ {out}\n{bad:#?}");
    out
}

fn extracted(input: &str) -> rewrite::Links {
    rewrite::extract_links(input.as_bytes(), &options().url, None).unwrap()
}

fn mirror(url: &str) -> String {
    MirrorMap::new(PREFIX, None).unwrap().to_mirror(&url::parse(url).unwrap()).unwrap()
}

#[test]
fn smil_animation_of_a_url_attribute_is_removed() {
    // Hardening issue item 1: Chromium follows an animated href when the link is clicked.
    let input = r#"<svg><a href="ok.html"><set attributeName="href" to="https://live.example/set"/>
        <animate attributeName="xlink:href" values="https://live.example/a;https://live.example/b"/>
        <AnimateMotion attributename=" HREF " to="https://live.example/m"></AnimateMotion><animateTransform attributeName="src" to="x"/>
        <animateColor attributeName="XLink:Href" to="https://live.example/c"/><text>t</text></a>
        <rect><set attributeName="fill" to="url(https://live.example/p.svg#g)"/>
        <animate attributeName="stroke" values="red;url(https://live.example/q.svg#p);blue" by="java&#9;script:alert(1)"/>
        <set attributeName="class" to="x"/></rect></svg>"#;
    let out = rewrite_static(input);
    assert!(!out.contains("https://live.example"), "{out}");
    assert!(!out.to_ascii_lowercase().contains("attributename=\"href") && !out.contains("XLink"), "{out}");
    // Animations of other attributes stay, their url() values pointed into the mirror, script values gone.
    assert!(
        out.contains(&format!(
            r#"<set attributeName="fill" to="url(&quot;{}&quot;)""#,
            mirror("https://live.example/p.svg#g")
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!("values=\"red;url(&quot;{}&quot;);blue\"", mirror("https://live.example/q.svg#p"))),
        "{out}"
    );
    assert!(!out.contains("by="), "{out}");
    assert!(out.contains(r#"<set attributeName="class" to="x"/>"#), "{out}");
    assert!(out.contains("<text>t</text>"), "{out}");
}

#[test]
fn data_and_blob_navigations_are_removed() {
    // Hardening issue item 2: a data: document is attacker markup (a sandboxed frame can still navigate itself),
    // and nothing in static replay made a blob: URL.
    let input = r#"<a href="data:text/html,<script>alert(1)</script>">d</a><map><area href=" DATA:text/html;base64,PHNjcmlwdD4="></map>
        <meta http-equiv="refresh" content="0; url=data:text/html,hi"><svg><a xlink:href="data:text/html,x"><text>s</text></a></svg>
        <form action="data:text/html,f"></form><a href="blob:https://live.example/1">b</a><img src="blob:https://live.example/2">
        <img srcset="blob:https://live.example/3 1x, ok.png 2x"><div style="background:url(blob:https://live.example/4)"></div>
        <iframe src="blob:https://live.example/5"></iframe><x-y src="blob:https://live.example/6"></x-y>
        <img src="data:image/png;base64,AAAA"><img srcset="data:image/png;base64,BBBB 1x">"#;
    let out = rewrite_static(input);
    let lower = out.to_ascii_lowercase();
    assert!(!lower.contains("data:text/html") && !lower.contains("blob:") && !lower.contains("refresh"), "{out}");
    // Positive controls: data: images stay, the other candidate of a srcset stays.
    assert!(out.contains(r#"<img src="data:image/png;base64,AAAA">"#), "{out}");
    assert!(out.contains(r#"srcset="data:image/png;base64,BBBB 1x""#), "{out}");
    assert!(out.contains(&format!(r#"<img srcset="{} 2x">"#, mirror("https://example.com/dir/ok.png"))), "{out}");
    assert!(out.contains(">d</a>") && out.contains(">b</a>"), "{out}");
}

#[test]
fn svg_presentation_attributes_with_url_are_rewritten_and_extracted() {
    // Hardening issue item 3.
    let input = r#"<svg><rect fill="url(https://live.example/p.svg#g)" stroke="url('//live.example/s.svg#x') red"
        filter="url(f.svg#blur)" mask="url(ftp://live.example/m#m)" clip-path="url(#local)" cursor="url(c.cur), auto"
        marker-start="url(m1.svg#a)" marker-mid="url(m2.svg#b)" marker-end="url(m3.svg#c)" marker="url(m4.svg#d)"/></svg>
        <div fill="url(https://live.example/div.svg)"></div>"#;
    let out = rewrite_static(input);
    assert!(!out.contains("(https://live") && !out.contains("'//live") && !out.contains("ftp:"), "{out}");
    for (attr, url) in [
        ("fill", "https://live.example/p.svg#g"),
        ("filter", "https://example.com/dir/f.svg#blur"),
        ("marker-start", "https://example.com/dir/m1.svg#a"),
        ("marker-mid", "https://example.com/dir/m2.svg#b"),
        ("marker-end", "https://example.com/dir/m3.svg#c"),
        ("marker", "https://example.com/dir/m4.svg#d"),
    ] {
        assert!(out.contains(&format!(r#"{attr}="url(&quot;{}&quot;)""#, mirror(url))), "{attr}: {out}");
    }
    assert!(
        out.contains(&format!(r#"stroke="url(&quot;{}&quot;) red""#, mirror("https://live.example/s.svg#x"))),
        "{out}"
    );
    assert!(
        out.contains(&format!(r#"cursor="url(&quot;{}&quot;), auto""#, mirror("https://example.com/dir/c.cur"))),
        "{out}"
    );
    assert!(out.contains(r#"mask="url(&quot;&quot;)""#), "outside the mirror: url(\"\"): {out}");
    assert!(out.contains(r#"clip-path="url(#local)""#), "{out}");
    let links = extracted(input);
    assert_eq!(
        links.resources,
        [
            "https://live.example/p.svg",
            "https://live.example/s.svg",
            "https://example.com/dir/f.svg",
            "https://example.com/dir/c.cur",
            "https://example.com/dir/m1.svg",
            "https://example.com/dir/m2.svg",
            "https://example.com/dir/m3.svg",
            "https://example.com/dir/m4.svg",
            "https://live.example/div.svg",
        ]
    );
}

#[test]
fn data_stylesheets_with_nested_imports_are_rewritten_and_extracted() {
    // Hardening issue item 4: a data: stylesheet loads like any other, and so do its @imports.
    use std::fmt::Write;
    let base64 = |s: &str| {
        const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = String::new();
        for c in s.as_bytes().chunks(3) {
            let n = c.iter().enumerate().fold(0u32, |n, (i, &b)| n | (b as u32) << (16 - 8 * i));
            for i in 0..4 {
                let _ =
                    write!(out, "{}", if i <= c.len() { A[(n >> (18 - 6 * i) & 63) as usize] as char } else { '=' });
            }
        }
        out
    };
    let inner = base64(r#"@import "https://live.example/y.css"; a { background: url(https://live.example/z.png) }"#);
    let input = format!(
        r#"<link rel=stylesheet href="data:text/css,@import url(https://live.example/x.css);">
        <style>@import url("data:text/css;base64,{inner}");</style>
        <link rel=stylesheet href="data:,@import%20'https://live.example/plain.css'">"#
    );
    let out = rewrite_static(&input);
    assert!(!out.contains("https://live.example") && !out.contains(&inner), "{out}");
    assert!(out.contains(&mirror("https://live.example/x.css")), "{out}");
    assert!(out.contains(&mirror("https://live.example/y.css")), "inside the re-encoded data: URL: {out}");
    let links = extracted(&input);
    assert_eq!(
        links.resources,
        [
            "https://live.example/x.css",
            "https://live.example/y.css",
            "https://live.example/z.png",
            "https://live.example/plain.css"
        ]
    );
    // Stylesheets (rewrite_css / extract_css_links) do the same.
    let sheet = format!(r#"@import url("data:text/css;base64,{inner}"); b {{ c: url(blob:https://live.example/b) }}"#);
    let css = String::from_utf8(rewrite::rewrite_css(sheet.as_bytes(), &options())).unwrap();
    assert!(!css.contains("https://live.example") && !css.contains("blob:"), "{css}");
    assert!(css.contains("chrome-extension%3A//") || css.contains(PREFIX), "{css}");
    let links = rewrite::extract_css_links(sheet.as_bytes(), &options().url, None);
    assert_eq!(links.resources, ["https://live.example/y.css", "https://live.example/z.png"]);
    // Nested past the limit: the innermost is dropped rather than followed.
    let mut deep = "a{b:url(https://live.example/deep.png)}".to_owned();
    for _ in 0..8 {
        deep = format!("@import url(\"data:text/css,{}\");", deep.replace('%', "%25").replace('"', "%22"));
    }
    let out = rewrite_static(&format!("<style>{deep}</style>"));
    assert!(!out.contains("deep.png") && out.matches("data:text/css").count() == 4, "{out}");
}

#[test]
fn rules_table_gaps_are_closed() {
    // Hardening issue item 5: lowsrc, <html manifest>, SVG elements whose href loads something, and href on any
    // element the table doesn't list.
    let input = r#"<html manifest="https://live.example/app.appcache"><body><img lowsrc="https://live.example/low.png" src="a.png">
        <svg><pattern xlink:href="https://live.example/p.svg#p"/><linearGradient href="https://live.example/l.svg#g"/>
        <radialGradient xlink:href="https://live.example/r.svg#g"/><filter href="https://live.example/f.svg#f"/>
        <textPath href="https://live.example/t.svg#p"/><mpath xlink:href="https://live.example/mp.svg#p"/>
        <tref xlink:href="https://live.example/tr.svg#t"/><cursor xlink:href="https://live.example/c.png"/>
        <script href="https://live.example/s.js"></script><unknown-svg href="https://live.example/u"/></svg>
        <my-widget href="https://live.example/w" xlink:href="javascript:alert(1)"></my-widget>
        <math href="https://live.example/m"><mi xlink:href="https://live.example/mi">x</mi></math>"#;
    let out = rewrite_static(input);
    assert!(!out.contains("\"https://live.example") && !out.contains("manifest") && !out.contains("<script"), "{out}");
    assert!(out.contains(&format!(r#"<img lowsrc="{}""#, mirror("https://live.example/low.png"))), "{out}");
    assert!(out.contains(&format!(r#"<my-widget href="{}">"#, mirror("https://live.example/w"))), "{out}");
    assert!(out.contains(&format!(r#"<mi xlink:href="{}">"#, mirror("https://live.example/mi"))), "{out}");
    let links = extracted(input);
    assert_eq!(
        links.resources,
        [
            "https://live.example/low.png",
            "https://example.com/dir/a.png",
            "https://live.example/p.svg",
            "https://live.example/l.svg",
            "https://live.example/r.svg",
            "https://live.example/f.svg",
            "https://live.example/t.svg",
            "https://live.example/mp.svg",
            "https://live.example/tr.svg",
            "https://live.example/c.png",
            "https://live.example/s.js",
        ],
        "references (custom elements, MathML) are not fetched"
    );
    assert!(links.pages.is_empty(), "{:?}", links.pages);
}

#[test]
fn text_switching_tags_inside_select_are_refused_as_ambiguous() {
    // Hardening issue item 6: inside <select>, Chromium 110's parser ignores <xmp> and the other raw-text tags that
    // lol_html obeys, so the link lol_html took for text would be live. lol_html's strict mode refuses these.
    let refused = [
        "<select><xmp><a href=https://live.example/>x</a></xmp></select>",
        "<select><title><a href=https://live.example/>",
        "<select><style><a href=https://live.example/>",
        "<select><plaintext><a href=https://live.example/>",
        "<select><iframe><a href=https://live.example/>",
        "<select><noembed><a href=https://live.example/>",
        "<select><noframes><a href=https://live.example/>",
        "<select><option><template><xmp><a href=https://live.example/>",
        "<frameset><xmp><a href=https://live.example/>",
    ];
    for input in refused {
        for mode in [Mode::Static, Mode::Interactive] {
            let o = RewriteOptions { mode, ..options() };
            let err = rewrite::rewrite_html(input.as_bytes(), &o).expect_err(input);
            assert_eq!(err.code(), "rewrite/ambiguous", "{input}: {err}");
            assert!(err.to_string().contains("can't be replayed safely") && err.to_string().ends_with('.'), "{err}");
            let pieces: Vec<&[u8]> = input.as_bytes().chunks(3).collect();
            let chunked = rewrite::rewrite_html_chunks(pieces, &o, &mut |_| {}).expect_err(input);
            assert_eq!(chunked.code(), "rewrite/ambiguous", "{input} in chunks");
        }
        // The crawler still reads such a page as best it can.
        assert!(rewrite::extract_links(input.as_bytes(), &options().url, None).is_ok(), "{input}");
    }
    // Positive controls: what browsers agree on still rewrites. <textarea> and <select> end the select, and
    // <script> inside <select> is a script to every parser (and is removed).
    for input in [
        "<select><option>a<option>b</select><xmp><a href=x></xmp>",
        "<select><textarea><a href=https://live.example/></textarea>",
        "<select><script>x</script><option>o</select>",
        "<noframes><a href=x></noframes><xmp>y</xmp>",
    ] {
        rewrite_static(input);
    }
}

#[test]
fn removed_elements_closed_by_an_ancestor_end_tag_keep_that_end_tag() {
    // Found by the html5ever checker: lol_html takes `</svg>` as the end tag of an unclosed <script> inside <svg>
    // and removed it with the script; the browser then read <xmp> as an SVG element, and the <script> after it
    // (text to lol_html) as a script.
    let out = rewrite_static("<svg><script></svg><xmp><script>alert(1)</script></xmp>");
    let reset = "<style>body{font-family:revert-layer;font-size:revert-layer}</style>";
    assert!(
        out.starts_with(&format!("{reset}<div id=sitemirror-banner>Offline copy</div><svg><!----><!----></svg><xmp>")),
        "{out}"
    );
    for input in [
        "<svg><set attributeName=href to=https://live.example/></svg><xmp><a href=https://live.example/></xmp>",
        "<svg><link rel=preconnect href=https://live.example/></svg><xmp><a href=https://live.example/></xmp>",
        "<svg><noscript></svg><xmp><a href=https://live.example/></xmp>",
        "<svg><svg><script><set attributeName=href></svg></svg><xmp><a href=https://live.example/></xmp>",
    ] {
        let out = rewrite_static(input);
        assert_eq!(out.matches("</svg>").count(), input.matches("</svg>").count(), "{out}");
    }
}

#[test]
fn removed_markup_does_not_join_its_neighbours_into_a_tag() {
    // Found by the html5ever checker: `<` before a removed element and text after it made a new start tag.
    for input in [
        "<<script></script>img src=x onerror=alert(1)>",
        "<<noscript>img src=x onerror=alert(1)></noscript>",
        "<noscript><</noscript>img src=x onerror=alert(1)>",
        "<<link rel=preconnect href=https://live.example/>img src=x onerror=alert(1)>",
    ] {
        let out = rewrite_static(input);
        assert!(out.contains("<!---->") && out.contains("img src=x onerror=alert(1)>"), "{out}");
    }
}

#[test]
fn cdata_lol_html_reads_in_svg_cannot_hide_markup_from_a_browser_back_in_html() {
    // Found by the html5ever checker: <p> takes the browser out of both <math> and <svg>, lol_html out of one, so
    // lol_html read a CDATA section (text) where the browser reads a comment up to the first `>`, then markup.
    let out = rewrite_static("<svg><math><p><![CDATA[><a href=https://live.example/>x</a>]]>");
    assert!(out.contains("<![CDATA[]]>&gt;<![CDATA[<a href=https://live.example/]]>&gt;<![CDATA[x</a]]>&gt;"), "{out}");
    // lol_html takes a self-closing <svg/> for the start of SVG that never ends; a browser doesn't.
    for input in ["<svg/><![CDATA[><a href=https://live.example/>", "<MATH/><![CDATA[><a href=https://live.example/>"] {
        let out = rewrite_static(input);
        assert!(out.contains("<![CDATA[]]>&gt;<![CDATA[<a href=https://live.example/]]>&gt;<![CDATA["), "{out}");
    }
    // In SVG the text is the same: a `>` between two CDATA sections.
    let out = rewrite_static("<svg><style><![CDATA[svg > g { fill: red }]]></style></svg>");
    assert!(out.contains("<style><![CDATA[svg ]]>&gt;<![CDATA[ g { fill: red }]]></style>"), "{out}");
}

#[test]
fn raw_text_lol_html_reads_in_html_cannot_hide_markup_from_a_browser_in_foreign_content() {
    // Found by the html5ever checker: <svg> inside <math> is a MathML element to a browser, so its <foreignObject>
    // or <title> is no way back into HTML; lol_html took <xmp>, <title>, <textarea>, <style> as raw text there.
    for input in [
        "<math><svg><foreignObject><xmp><a href=https://live.example/>x</a></xmp>",
        "<math><svg><title><textarea><a href=https://live.example/>x</a></textarea>",
        "<math><svg><desc><noembed><a href=https://live.example/>x</a></noembed>",
        "<math><svg><foreignObject><style><a href=https://live.example/>x</a></style></foreignObject>",
        "<math><svg><foreignObject><plaintext><a href=https://live.example/>x",
    ] {
        let out = rewrite_static(input);
        assert!(!out.contains("<a href"), "{out}");
    }
    // The other way round: <math> inside <svg> is SVG to a browser, so its <title> leads back to HTML, and the
    // <style> there is raw text up to the first `</style`, which lol_html (in MathML) read inside an attribute
    // value or a comment.
    for input in [
        "<svg><math><title><style><x y=\"</style><a href=https://live.example/>\">",
        "<svg><math><title><style><!--</style><a href=https://live.example/>-->",
    ] {
        let out = rewrite_static(input);
        assert!(!out.contains("</style><a"), "{out}");
    }
    // A tag cut off by the end of the document: lol_html writes it out raw; a browser in raw text would see its
    // `</style>` and what follows. Static output drops it, as a browser in HTML does.
    let out = rewrite_static("<svg><math><title><style><t f=\"</style><a href=https://live.example/>");
    assert!(!out.contains("<t f") && out.ends_with("<style>"), "{out}");
    let out = rewrite_static("<p>text at the end &amp; more");
    assert!(out.ends_with("<p>text at the end &amp; more"), "text at the end is kept: {out}");
    // Where lol_html is right, what a browser shows is the same: <title> and <textarea> decode `&lt;`.
    let out = rewrite_static("<title>a<b</title><textarea>c<d</textarea>");
    assert!(out.contains("<title>a&lt;b</title>") && out.contains("<textarea>c&lt;d</textarea>"), "{out}");
}
