//! The mirror URL mapping and canonical keys, for arbitrary strings that parse as URLs.
//!
//! Input: one flag byte (bits 0–1: the mirror prefix, bits 2–3: the capture time), then a string; it is tried
//! as an absolute URL, after `https://`, and relative to a page, and also as a mirror URL.
//!
//! Invariants, for every http(s) URL: the mirror URL starts with the prefix and maps back to the same URL (without
//! credentials) and capture time — also after the browser has parsed and re-serialised it, which is what the
//! service worker receives; the canonical key has no fragment, parses, and is its own canonical key. For any
//! string the mapping reads as a mirror URL, mapping its original back gives the same original and time.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sitemirror::url::{canonical_key, is_mirrorable, MirrorMap, Url};
use sitemirror_fuzz::doc_url;

/// The extension's prefix, a site worker's (a special scheme, a port, an escaped path), and one with a query-like
/// path segment.
const PREFIXES: [&str; 4] = [
    "chrome-extension://abcdefghijklmnopabcdefghijklmnop/m/",
    "https://www.example.org/sitemirror/m/",
    "http://127.0.0.1:8080/a%20b/",
    "chrome-extension://x/",
];
const TIMES: [Option<&str>; 4] = [None, Some("20240102030405"), Some("1"), Some("0000")];

fn check(map: &MirrorMap, url: &Url) {
    let key = canonical_key(url);
    assert!(!key.contains('#'), "canonical key {key:?} has a fragment");
    let reparsed = Url::parse(&key).unwrap_or_else(|e| panic!("canonical key {key:?} doesn't parse: {e}"));
    assert_eq!(canonical_key(&reparsed), key, "canonical key isn't idempotent");

    let mirror = map.to_mirror(url).expect("an http(s) URL maps");
    assert!(mirror.starts_with(map.prefix()), "{mirror:?} isn't under the prefix");
    let mut plain = url.clone();
    let _ = plain.set_username("");
    let _ = plain.set_password(None);
    let expected = Some((plain, map.at().map(str::to_owned)));
    assert_eq!(map.to_original(&mirror), expected, "{url} → {mirror} doesn't map back");
    let seen = Url::parse(&mirror).unwrap_or_else(|e| panic!("mirror URL {mirror:?} doesn't parse: {e}"));
    assert_eq!(map.to_original(seen.as_str()), expected, "{url} → {seen} (as the browser serialises it)");
}

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else { return };
    let Ok(text) = std::str::from_utf8(rest) else { return };
    let prefix = PREFIXES[usize::from(flags & 3)];
    let map = MirrorMap::new(prefix, TIMES[usize::from(flags >> 2 & 3)]).expect("a valid map");

    let candidates = [Url::parse(text).ok(), Url::parse(&format!("https://{text}")).ok(), doc_url().join(text).ok()];
    for url in candidates.iter().flatten() {
        if is_mirrorable(url) {
            check(&map, url);
        } else {
            assert!(map.to_mirror(url).is_err(), "{url} isn't http(s) but maps");
        }
    }

    for candidate in [text.to_owned(), format!("{prefix}{text}")] {
        if let Some((original, at)) = map.to_original(&candidate) {
            assert!(is_mirrorable(&original), "{candidate:?} maps back to a non-http(s) URL");
            let pinned = MirrorMap::new(prefix, at.as_deref()).expect("the time read back is valid");
            let again = pinned.to_mirror(&original).expect("an http(s) URL maps");
            assert_eq!(pinned.to_original(&again), Some((original, at)), "{candidate:?} isn't stable");
        }
    }
});
