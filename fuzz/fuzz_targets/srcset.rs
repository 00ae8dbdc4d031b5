//! srcset values, through the attributes that hold them (`<img srcset>`, `<source srcset>`, `<link imagesrcset>`).
//!
//! Input: the attribute value (bytes, read as UTF-8 with replacement).
//!
//! Invariants: no panic; read back with html5ever and split by a srcset parser written from the HTML standard,
//! each rewritten attribute has no more candidates than the original and each one stays in the mirror (or
//! is data:, blob:, about:, a fragment, or unresolvable); the static-replay checker passes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sitemirror::rewrite::{self, Mode, RewriteOptions};
use sitemirror_fuzz::{checker, doc_url, dom, leaves_mirror, map, srcset_scan, PREFIX};

fuzz_target!(|data: &[u8]| {
    let value = String::from_utf8_lossy(data);
    // As an attribute value in double quotes: only `&` and `"` need escaping for the browser to read it back.
    let attr = value.replace('&', "&amp;").replace('"', "&quot;");
    let html = format!(
        "<!doctype html><link rel=preload as=image imagesrcset=\"{attr}\"><img srcset=\"{attr}\">\
         <picture><source srcset=\"{attr}\"><img src=a.png></picture>"
    );
    let options =
        RewriteOptions { url: doc_url(), map: map(None), mode: Mode::Static, content_type: None, banner: None };
    let out = rewrite::rewrite_html(html.as_bytes(), &options).expect("a small document rewrites");

    let before = dom::attributes(html.as_bytes(), &["srcset", "imagesrcset"]);
    let after = dom::attributes(&out, &["srcset", "imagesrcset"]);
    assert_eq!(before.len(), 3, "the wrapper holds three srcset attributes");
    assert_eq!(after.len(), before.len(), "a srcset attribute was dropped or added: {after:?}");
    let expected = srcset_scan::urls(&before[0].2).len();
    for (tag, name, value) in &after {
        let urls = srcset_scan::urls(value);
        assert!(urls.len() <= expected, "<{tag} {name}={value:?}> has more candidates than {expected}");
        for u in urls {
            if let Some(why) = leaves_mirror(u, &options.url, PREFIX) {
                panic!("<{tag} {name}>: {why}");
            }
        }
    }
    let violations = checker::static_violations(&out, PREFIX);
    assert!(violations.is_empty(), "static replay invariants broken: {violations:#?}");
});
