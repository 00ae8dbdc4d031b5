//! Triage: what the rewriter makes of a fuzz input, as its target builds it, and (for `css`) the URLs the target's
//! own CSS scanner finds in the output.
//!
//!     cargo run --manifest-path fuzz/Cargo.toml --release --example dump -- css|srcset|html <input file>
//!
//! `css` and `html` inputs start with the target's flag byte, skipped here with the flags read as zero (no
//! Content-Type, no banner, no capture time) for `css`; `html` reads the whole file as the document.
use sitemirror::rewrite::{self, Mode, RewriteOptions};
use sitemirror_fuzz::{doc_url, map};
fn main() {
    let a: Vec<String> = std::env::args().collect();
    let data = std::fs::read(&a[2]).unwrap();
    let options =
        RewriteOptions { url: doc_url(), map: map(None), mode: Mode::Static, content_type: None, banner: None };
    match a[1].as_str() {
        "css" => {
            let mut o = options.clone();
            o.url = doc_url().join("/styles/site.css").unwrap();
            let out = String::from_utf8(rewrite::rewrite_css(&data[1..], &o)).unwrap();
            println!("{:?}", out);
            println!("{:?}", sitemirror_fuzz::css_scan::urls(&out));
        }
        "srcset" => {
            let value = String::from_utf8_lossy(&data);
            let attr = value.replace('&', "&amp;").replace('"', "&quot;");
            let html =
                format!("<!doctype html><link rel=preload as=image imagesrcset=\"{attr}\"><img srcset=\"{attr}\">");
            let out = rewrite::rewrite_html(html.as_bytes(), &options).unwrap();
            println!("{:?}", String::from_utf8_lossy(&out));
        }
        _ => {
            let out = rewrite::rewrite_html(&data, &options).unwrap();
            println!("{:?}", String::from_utf8_lossy(&out));
        }
    }
}
