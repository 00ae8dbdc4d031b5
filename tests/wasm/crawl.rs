//! `CrawlDriver` as JavaScript calls it, in a page of headless Chromium: options in and out as plain objects,
//! steps as plain objects, bodies as `Uint8Array`s, coded errors, `null` (not `undefined`) for absent values,
//! floats where JS has them. The decisions themselves are tested natively (tests/native/crawl.rs, driver.rs).
#![cfg(target_arch = "wasm32")]

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use sitemirror::wasm::crawl::JsCrawlDriver as CrawlDriver;
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
    let host = || js(r#"{"source": "crawl-1", "redirects": "manual"}"#);
    let p = CrawlDriver::new("https://example.com/docs/", JsValue::UNDEFINED, host()).unwrap();
    assert_eq!(p.site(), "https://example.com/");
    let o = json(&p.options().unwrap());
    assert!(
        o.contains(r#""maxDepth":20"#) && o.contains(r#""prefix":null"#) && o.contains(r#""scope":"origin""#),
        "{o}"
    );
    // What options() gives is accepted back (a persisted job resumes with it).
    assert!(CrawlDriver::new("https://example.com/", p.options().unwrap(), host()).is_ok());

    let err = CrawlDriver::new("https://example.com/", js(r#"{"maxConcurrency": 99}"#), host()).err().unwrap();
    assert_eq!(code_of(err), "crawl/invalid-config");
    let err = CrawlDriver::new("https://example.com/", js(r#"{"nope": 1}"#), host()).err().unwrap();
    assert_eq!(code_of(err), "crawl/invalid-config");
    assert_eq!(code_of(CrawlDriver::new("::", JsValue::NULL, host()).err().unwrap()), "url/invalid");
}

#[wasm_bindgen_test]
fn a_crawl_step_by_step_speaks_plain_objects() {
    let host = js(r#"{"source": "crawl-1", "redirects": "manual", "space": "public"}"#);
    let mut d = CrawlDriver::new("https://example.com/", js(r#"{"maxPages": 5}"#), host).unwrap();
    assert_eq!(d.robots_url(), "https://example.com/robots.txt");
    d.begin(js("[]"), JsValue::NULL, 0.0).unwrap();
    let step = d.next(1e12).unwrap();
    assert_eq!(
        json(&step),
        r#"{"kind":"fetch","id":1,"url":"https://example.com/robots.txt","purpose":"robots","credentials":"include","targetAddressSpace":"public","redirect":"follow","timeoutMs":30000,"maxBytes":33554432,"conditional":false}"#
    );
    // The body travels as a Uint8Array beside the plain fields.
    let robots = js(r#"{"status": 200, "headers": [["content-type", "text/plain"]], "size": 25, "elapsedMs": 3.5}"#);
    let body = js_sys::Uint8Array::from(&b"User-agent: *\nDisallow: /x"[..]);
    js_sys::Reflect::set(&robots, &"body".into(), &body).unwrap();
    assert!(d.on_response(1.0, robots, 1e12).unwrap(), "robots.txt is kept");
    let step = json(&d.next(1e12).unwrap());
    assert!(
        step.contains(r#""purpose":"sitemap""#) && step.contains(r#""url":"https://example.com/sitemap.xml""#),
        "{step}"
    );
    assert!(!d.on_response(2.0, js(r#"{"status": 404}"#), 1e12).unwrap());
    // Seeding is written at once: robots.txt (its body: the response of fetch 1) and the start page's entry.
    let write = d.next(1e12).unwrap();
    let text = json(&write);
    assert!(
        text.starts_with(
            r#"{"kind":"write","captures":[{"site":"https://example.com/","url":"https://example.com/robots.txt""#
        ),
        "{text}"
    );
    assert!(text.contains(r#""response":1,"unchanged":null"#) && text.contains(r#""seeded":true"#), "{text}");
    assert!(
        text.contains(r#""url":"https://example.com/","depth":0,"page":true,"state":"queued","reason":null"#),
        "{text}"
    );
    d.written(true);
    let progress = json(&d.progress().unwrap());
    assert!(progress.contains(r#""seeded":true"#) && progress.contains(r#""robotsStatus":200"#), "{progress}");
    let step = json(&d.next(1e12).unwrap());
    assert!(step.contains(r#""purpose":"page""#) && step.contains(r#""redirect":"manual""#), "{step}");
    assert!(json(&d.next(1e12).unwrap()).starts_with(r#"{"kind":"wait""#));

    // Unknown fields are refused, like unknown options.
    let bad = d.on_response(3.0, js(r#"{"status": 200, "bodyy": 1}"#), 1e12);
    assert_eq!(code_of(bad.err().unwrap()), "crawl/invalid-config");
    let bad =
        CrawlDriver::new("https://example.com/", JsValue::NULL, js(r#"{"source": "x", "redirects": "sometimes"}"#));
    assert_eq!(code_of(bad.err().unwrap()), "crawl/invalid-config");
}
