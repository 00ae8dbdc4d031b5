//! `CrawlPolicy` as JavaScript calls it, in a page of headless Chromium: options in and out as plain objects,
//! coded errors, `null` (not `undefined`) for absent values, floats where JS has them. The decisions themselves
//! are tested natively (tests/native/crawl.rs).
#![cfg(target_arch = "wasm32")]

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use sitemirror::wasm::crawl::JsCrawlPolicy as CrawlPolicy;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

fn js(json: &str) -> JsValue {
    js_sys::JSON::parse(json).unwrap_or_else(|_| panic!("bad test JSON: {json}"))
}

fn json(value: &JsValue) -> String {
    js_sys::JSON::stringify(value).unwrap().into()
}

fn code_of(err: JsValue) -> String {
    let err: js_sys::Error = err.dyn_into().expect("errors are JS Error objects");
    assert_eq!(String::from(err.name()), "SitemirrorError");
    js_sys::Reflect::get(&err, &"code".into()).unwrap().as_string().expect("errors carry a code")
}

#[wasm_bindgen_test]
fn options_come_back_complete_and_bad_ones_throw_coded_errors() {
    let p = CrawlPolicy::new("https://example.com/docs/", JsValue::UNDEFINED).unwrap();
    assert_eq!(p.site(), "https://example.com/");
    let o = json(&p.options().unwrap());
    assert!(
        o.contains(r#""maxDepth":20"#) && o.contains(r#""prefix":null"#) && o.contains(r#""scope":"origin""#),
        "{o}"
    );
    // What options() gives is accepted back (a persisted job resumes with it).
    assert!(CrawlPolicy::new("https://example.com/", p.options().unwrap()).is_ok());

    let err = CrawlPolicy::new("https://example.com/", js(r#"{"maxConcurrency": 99}"#)).err().unwrap();
    assert_eq!(code_of(err), "crawl/invalid-config");
    let err = CrawlPolicy::new("https://example.com/", js(r#"{"nope": 1}"#)).err().unwrap();
    assert_eq!(code_of(err), "crawl/invalid-config");
    assert_eq!(code_of(CrawlPolicy::new("::", JsValue::NULL).err().unwrap()), "url/invalid");
}

#[wasm_bindgen_test]
fn admit_robots_sitemap_and_pacing_speak_plain_objects() {
    let mut p = CrawlPolicy::new("https://example.com/", js(r#"{"maxPages": 2, "scope": "origin"}"#)).unwrap();
    let robots = p.robots("User-agent: *\nDisallow: /private\nSitemap: https://example.com/s.xml", 200.0).unwrap();
    assert_eq!(json(&robots), r#"{"sitemaps":["https://example.com/s.xml"],"crawlDelayMs":null}"#);

    let seeds = p.admit(JsValue::NULL, js(r#"[{"url": "https://example.com/#top", "page": true}]"#), 1e12).unwrap();
    assert_eq!(
        json(&seeds),
        r#"[{"site":"https://example.com/","url":"https://example.com/","depth":0,"page":true,"state":"queued","reason":null,"updated":1000000000000,"run":0}]"#
    );
    let links = js(r#"[{"url": "https://example.com/private/x", "page": true}, {"url": "mailto:a@b", "page": true},
        {"url": "https://example.com/a", "page": true}, {"url": "https://example.com/b", "page": true}]"#);
    let found = p.admit(js(r#"{"url": "https://example.com/", "depth": 0, "run": 0}"#), links, 1e12).unwrap();
    let found: js_sys::Array = found.dyn_into().unwrap();
    assert_eq!(found.length(), 3);
    let reason = |i: u32| json(&js_sys::Reflect::get(&found.get(i), &"reason".into()).unwrap());
    assert!(reason(0).starts_with(r#""crawl/robots: "#), "{}", reason(0));
    assert_eq!(reason(1), "null");
    assert!(reason(2).starts_with(r#""crawl/max-pages: "#), "{}", reason(2));

    // seed() takes entries as the store returns them.
    let mut resumed = CrawlPolicy::new("https://example.com/", JsValue::UNDEFINED).unwrap();
    resumed.seed(seeds).unwrap();
    let again = resumed.admit(JsValue::NULL, js(r#"[{"url": "https://example.com/", "page": true}]"#), 1.0).unwrap();
    assert_eq!(json(&again), "[]");

    let xml = b"<urlset><url><loc>https://example.com/a?x=1&amp;y=2</loc></url></urlset>";
    let links = p.sitemap(js_sys::Uint8Array::from(&xml[..]).into(), "https://example.com/s.xml").unwrap();
    assert_eq!(json(&links), r#"{"pages":["https://example.com/a?x=1&y=2"],"sitemaps":[]}"#);
    assert_eq!(
        code_of(p.sitemap(JsValue::from_str("<urlset/>"), "https://example.com/s.xml").err().unwrap()),
        "crawl/invalid-config"
    );

    assert_eq!(p.slot("example.com", 1e12), 0.0);
    p.started("example.com", 1e12);
    p.started("example.com", 1e12);
    assert_eq!(p.slot("example.com", 1e12), -1.0);
    let done = p
        .finished(
            "example.com",
            "https://example.com/",
            js(r#"{"status": 200, "elapsedMs": 12.5, "attempt": 1, "now": 1000000000100}"#),
        )
        .unwrap();
    assert_eq!(json(&done), r#"{"action":"done","store":true,"delayMs":0,"reason":null}"#);
    assert_eq!(p.concurrency("example.com"), 3);
    let busy = p
        .finished(
            "example.com",
            "https://example.com/a",
            js(r#"{"status": 503, "retryAfter": "2", "elapsedMs": 3, "attempt": 1, "now": 1000000000100}"#),
        )
        .unwrap();
    assert!(
        json(&busy).starts_with(r#"{"action":"retry","store":false,"delayMs":2000,"reason":"crawl/http-503: "#),
        "{}",
        json(&busy)
    );
    let aborted = p.finished(
        "example.com",
        "https://example.com/b",
        js(r#"{"error": "aborted", "elapsedMs": 1, "attempt": 1, "now": 1}"#),
    );
    assert_eq!(json(&aborted.unwrap()), r#"{"action":"retry","store":false,"delayMs":0,"reason":null}"#);
    let bad =
        p.finished("example.com", "https://example.com/b", js(r#"{"error": "exploded", "attempt": 1, "now": 1}"#));
    assert_eq!(code_of(bad.err().unwrap()), "crawl/invalid-config");

    assert!(p.add_bytes(1e9));
    assert!(!p.add_bytes(2e9));
}
