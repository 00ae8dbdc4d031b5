//! The floor under any rewriter built on this project's mandated stack (lol_html + the `url` crate), compiled to
//! wasm exactly like the engine: the rewrite benchmark (tests/bench/rewrite.mjs) times it beside the engine and
//! the JS peers, and reports its size, so the two issue-2 targets can be read against what the dependencies
//! alone cost.
//!
//! Modes of `floor_run(ptr, len, mode)`:
//! - 0 `pass`:  lol_html with no handler (its fast tag scanner; rewrites nothing).
//! - 1 `visit`: a `*` element handler that reads every tag name, attribute name and attribute value, and changes
//!   nothing. The engine must do at least this: `on*` handlers and `style=""` can be on any element, and lol_html
//!   hands names and values out only as new `String`s.
//! - 2 `resolve`: `visit` plus resolving every `href`/`src` value against the document URL with `url` (WHATWG),
//!   still writing nothing back.
//! - 3 `rewrite`: `resolve`, and each resolved `href`/`src` written back behind a mirror prefix — a plain
//!   URL-attribute rewrite: no `on*`, `style`, `srcset`, CSS, `<base>`, `<meta>` or script handling.
//!
//! Built by `./build.sh bench` as `cargo build --release --target wasm32-unknown-unknown --example bench_floor`.

use lol_html::{element, HtmlRewriter, MemorySettings, Settings};
use std::cell::Cell;

const PREFIX: &str = "chrome-extension://abcdefghijklmnopabcdefghijklmnop/m/";

/// Memory for `len` input bytes, for the caller to fill.
#[no_mangle]
pub extern "C" fn floor_alloc(len: usize) -> *mut u8 {
    let mut v = Vec::<u8>::with_capacity(len);
    let p = v.as_mut_ptr();
    std::mem::forget(v);
    p
}

/// Frees what `floor_alloc(len)` returned.
///
/// # Safety
/// `ptr` must come from `floor_alloc(len)` with the same `len`, and not be freed twice.
#[no_mangle]
pub unsafe extern "C" fn floor_free(ptr: *mut u8, len: usize) {
    drop(Vec::from_raw_parts(ptr, 0, len));
}

/// Runs one document through lol_html in `mode`; returns the output length (plus what was read, so nothing is
/// optimised away).
///
/// # Safety
/// `ptr` must point at `len` initialised bytes.
#[no_mangle]
pub unsafe extern "C" fn floor_run(ptr: *const u8, len: usize, mode: u32) -> usize {
    let input = std::slice::from_raw_parts(ptr, len);
    let base = url::Url::parse("https://bench.example/dir/page.html").expect("valid base");
    let seen = Cell::new(0usize);
    let mut out = Vec::with_capacity(len + len / 4);
    let mut settings = Settings::new()
        .with_strict(false)
        .with_memory_settings(MemorySettings::new().with_max_allowed_memory_usage(32 << 20));
    if mode >= 1 {
        settings = settings.append_element_content_handler(element!("*", |el| {
            let mut n = el.tag_name().len();
            let mut sets = Vec::new();
            for attr in el.attributes() {
                let name = attr.name();
                let value = attr.value();
                n += name.len() + value.len();
                if mode >= 2 && (name == "href" || name == "src") {
                    if let Ok(url) = base.join(&value) {
                        n += url.as_str().len();
                        if mode == 3 {
                            sets.push((name, format!("{PREFIX}{}", url.as_str())));
                        }
                    }
                }
            }
            for (name, value) in sets {
                el.set_attribute(&name, &value)?;
            }
            seen.set(seen.get() + n);
            Ok(())
        }));
    }
    let mut rewriter = HtmlRewriter::new(settings, |c: &[u8]| out.extend_from_slice(c));
    let ok = rewriter.write(input).and_then(|()| rewriter.end()).is_ok();
    out.len() + usize::from(ok) + (seen.get() & 1)
}
