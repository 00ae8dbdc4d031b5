//! Test bodies run by both wasm test binaries (in a page, in a service worker): the engine compiled to wasm
//! gives byte-identical results to the native build on every fixture, and the exported JS API converts
//! options, bodies and errors as docs/engine-api.md says.

use super::common::*;
use sitemirror::wasm;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

fn js_options(pairs: &[(&str, &str)]) -> JsValue {
    let o = js_sys::Object::new();
    for (k, v) in pairs {
        js_sys::Reflect::set(&o, &JsValue::from_str(k), &JsValue::from_str(v)).unwrap();
    }
    o.into()
}

fn bytes(b: &[u8]) -> JsValue {
    js_sys::Uint8Array::from(b).into()
}

fn code_of(err: JsValue) -> String {
    let err: js_sys::Error = err.dyn_into().expect("errors are JS Error objects");
    assert_eq!(String::from(err.name()), "SitemirrorError");
    js_sys::Reflect::get(&err, &JsValue::from_str("code")).unwrap().as_string().expect("errors carry a code")
}

#[wasm_bindgen_test]
fn every_fixture_gives_the_native_expected_bytes() {
    assert!(FIXTURES.len() >= 15);
    for f in FIXTURES {
        let s = settings(f);
        let expected = f.expected.unwrap_or_else(|| panic!("{}: no expected output", f.name));
        assert!(rewrite_whole(f, &s.options) == expected, "{}: wasm output differs from native", f.name);
        if f.kind == "html" {
            assert!(rewrite_chunked(f, &s.options, &[1, 3, 7, 64]) == expected, "{}: chunked", f.name);
        }
        if let Some((pages, resources)) = s.links {
            let got = links(f, &s.options);
            assert_eq!((got.pages, got.resources), (pages, resources), "{}: links", f.name);
        }
    }
}

#[wasm_bindgen_test]
fn exported_rewrite_html_takes_bytes_and_options() {
    let f = FIXTURES.iter().find(|f| f.name == "static-hostile-page").unwrap();
    let out = wasm::rewrite_html(
        bytes(f.input),
        js_options(&[("url", "https://example.com/dir/page.html"), ("mirrorPrefix", PREFIX)]),
    )
    .unwrap();
    assert!(out == f.expected.unwrap(), "the JS entry point must give the fixture's expected bytes");
    let interactive = wasm::rewrite_html(
        bytes(b"<script src=a.js></script>"),
        js_options(&[("url", "https://example.com/"), ("mirrorPrefix", PREFIX), ("mode", "interactive")]),
    )
    .unwrap();
    assert_eq!(
        String::from_utf8(interactive).unwrap(),
        format!("<script src=\"{PREFIX}https/example.com/a.js\"></script>")
    );
}

#[wasm_bindgen_test]
fn exported_extract_links_returns_plain_arrays() {
    let links = wasm::extract_links(
        bytes(b"<a href=p.html></a><img src=i.png><style>a{b:url(c.png)}</style>"),
        js_options(&[("url", "https://example.com/")]),
    )
    .unwrap();
    let get = |k: &str| -> Vec<String> {
        js_sys::Array::from(&js_sys::Reflect::get(&links, &JsValue::from_str(k)).unwrap())
            .iter()
            .map(|v| v.as_string().unwrap())
            .collect()
    };
    assert_eq!(get("pages"), ["https://example.com/p.html"]);
    assert_eq!(get("resources"), ["https://example.com/i.png", "https://example.com/c.png"]);
    let css = wasm::extract_links(
        bytes(b"@import 'x.css';"),
        js_options(&[("url", "https://example.com/a/"), ("kind", "css")]),
    )
    .unwrap();
    let resources = js_sys::Array::from(&js_sys::Reflect::get(&css, &JsValue::from_str("resources")).unwrap());
    assert_eq!(resources.get(0).as_string().unwrap(), "https://example.com/a/x.css");
}

#[wasm_bindgen_test]
fn exported_url_mapping_round_trips() {
    let mirror = wasm::mirror_url("https://例え.jp:8443/ä?q=1", PREFIX, Some("20261127041900".into())).unwrap();
    assert_eq!(mirror, format!("{PREFIX}20261127041900/https/xn--r8jz45g.jp:8443/%C3%A4?q=1"));
    let back = wasm::original_url(&mirror, PREFIX).unwrap();
    let url = js_sys::Reflect::get(&back, &JsValue::from_str("url")).unwrap().as_string().unwrap();
    let at = js_sys::Reflect::get(&back, &JsValue::from_str("at")).unwrap().as_string().unwrap();
    assert_eq!((url.as_str(), at.as_str()), ("https://xn--r8jz45g.jp:8443/%C3%A4?q=1", "20261127041900"));
    assert!(wasm::original_url("https://example.com/", PREFIX).unwrap().is_null());
    assert_eq!(wasm::canonical_key("HTTPS://EXAMPLE.com/a#b").unwrap(), "https://example.com/a");
}

#[wasm_bindgen_test]
fn errors_reach_js_with_stable_codes() {
    let bad_url =
        wasm::rewrite_html(bytes(b""), js_options(&[("url", "not a url"), ("mirrorPrefix", PREFIX)])).unwrap_err();
    assert_eq!(code_of(bad_url), "url/invalid");
    let no_prefix = wasm::rewrite_html(bytes(b""), js_options(&[("url", "https://example.com/")])).unwrap_err();
    assert_eq!(code_of(no_prefix), "options/invalid");
    let wrong_type = wasm::rewrite_css(bytes(b""), JsValue::from_f64(3.0)).unwrap_err();
    assert_eq!(code_of(wrong_type), "options/invalid");
    let string_body = wasm::rewrite_html(
        JsValue::from_str("<p>"),
        js_options(&[("url", "https://example.com/"), ("mirrorPrefix", PREFIX)]),
    );
    assert_eq!(code_of(string_body.unwrap_err()), "options/invalid");
    let not_http = wasm::mirror_url("ftp://example.com/", PREFIX, None).unwrap_err();
    assert_eq!(code_of(not_http), "url/not-mirrorable");
}

#[wasm_bindgen_test]
fn misspelt_option_names_are_refused_by_name() {
    // `mirorPrefix` would otherwise be dropped silently and the call fail later for the wrong reason (or, for
    // an optional name like `contentTyp`, succeed while ignoring what the caller meant).
    let opts = js_options(&[("url", "https://example.com/"), ("mirrorPrefix", PREFIX), ("contentTyp", "text/html")]);
    let err = wasm::rewrite_html(bytes(b"<p>"), opts).unwrap_err();
    let message = js_sys::Reflect::get(&err, &JsValue::from_str("message")).unwrap().as_string().unwrap();
    assert_eq!(code_of(err), "options/invalid");
    assert!(message.contains("'contentTyp'"), "{message}");
    let opts = js_options(&[("url", "https://example.com/"), ("mirrorPrefix", PREFIX), ("Banner", "")]);
    assert_eq!(code_of(wasm::rewrite_html(bytes(b"<p>"), opts).unwrap_err()), "options/invalid");
    let opts = js_options(&[("url", "https://example.com/"), ("kinds", "css")]);
    assert_eq!(code_of(wasm::extract_links(bytes(b"a{}"), opts).unwrap_err()), "options/invalid");
    // Every name the docs list is accepted.
    let all = js_options(&[
        ("url", "https://example.com/"),
        ("mirrorPrefix", PREFIX),
        ("mode", "static"),
        ("contentType", "text/html; charset=utf-8"),
        ("banner", "<b>x</b>"),
        ("at", "20260101000000"),
        ("kind", "html"),
    ]);
    assert!(wasm::rewrite_html(bytes(b"<p>"), all).is_ok());
}

#[wasm_bindgen_test]
async fn misspelt_field_names_are_refused_by_every_reader() {
    // serde-wasm-bindgen reads only the fields a struct has: without the engine's own check, `{maxBdy}` opened a
    // store with no body limit and `{mirrorUncachable}` kept the rules strict, both silently.
    let json = |s: &str| js_sys::JSON::parse(s).unwrap();
    let err =
        wasm::store::JsStore::open("sitemirror-strict-test".into(), json(r#"{"maxBdy": 5}"#)).await.err().unwrap();
    assert_eq!(code_of(err), "options/invalid");
    let exchange = json(r#"{"status": 200, "sameOrigin": true, "authorization": false, "headers": []}"#);
    let err = wasm::http::may_mirror(exchange, json(r#"{"mirrorUncachable": true, "maxBody": 10}"#)).unwrap_err();
    assert_eq!(code_of(err), "options/invalid");
    let host = json(r#"{"source": "crawl-1", "redirects": "manual", "cookie": false}"#);
    let err = wasm::crawl::JsCrawlDriver::new("https://example.com/", JsValue::NULL, host).err().unwrap();
    assert_eq!(code_of(err), "crawl/invalid-config");
    // The names the docs list are accepted.
    assert!(wasm::store::JsStore::open("sitemirror-strict-test".into(), json(r#"{"maxBody": 5, "budget": 9}"#))
        .await
        .is_ok());
}
