//! robots.txt parsing and matching, through `Robots::parse` and `Robots::check`.
//!
//! Input: two bytes of HTTP status, then the robots.txt text, then (after a NUL) paths to check, one per NUL.
//! Paths made from each rule's own pattern are checked too, so matches are common.
//!
//! Invariants: no panic; the status decides before the body (4xx and redirects allow all, 5xx/429/0 disallow all
//! but /robots.txt); /robots.txt is always allowed; the Crawl-delay is 1 ms to 30 s; sitemaps are absolute
//! http(s) canonical keys, each once, at most 1000; and every verdict equals that of a matcher written from
//! RFC 9309 (see robots_ref), over the rules `parse` chose.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sitemirror::crawl::{Robots, MAX_CRAWL_DELAY_MS};
use sitemirror_fuzz::{check_link_list, robots_ref};

/// Past this (patterns × path length), the reference matcher's worst case is too slow for a fuzz iteration.
const REFERENCE_BUDGET: usize = 1 << 20;

fuzz_target!(|data: &[u8]| {
    let Some((status, rest)) = data.split_first_chunk::<2>() else { return };
    // Mostly 200, sometimes any status.
    let status = if status[0] & 0x80 == 0 { 200 } else { u16::from_le_bytes(*status) % 700 };
    let text = String::from_utf8_lossy(rest);
    let mut parts = text.split('\0');
    let robots_txt = parts.next().unwrap_or("");
    let mut paths: Vec<String> = parts.take(16).map(str::to_owned).collect();

    let (robots, info) = Robots::parse(robots_txt, status);
    assert_eq!(robots.check("/robots.txt"), None, "/robots.txt must always be allowed");
    match status {
        200..=299 => {}
        429 | 500..=599 | 0 => {
            assert_eq!(robots, Robots::Unreachable { status });
            assert!(robots.check("/").is_some(), "an unreachable robots.txt disallows everything");
        }
        _ => assert_eq!(robots, Robots::AllowAll),
    }
    if let Some(ms) = info.crawl_delay_ms {
        assert!((1..=MAX_CRAWL_DELAY_MS).contains(&ms), "Crawl-delay {ms} ms out of range");
    }
    check_link_list("sitemap", &info.sitemaps);
    assert!(info.sitemaps.len() <= 1000, "{} sitemaps", info.sitemaps.len());

    let Robots::Rules(rules) = &robots else {
        for path in &paths {
            if !matches!(robots, Robots::Unreachable { .. }) {
                assert_eq!(robots.check(path), None);
            }
        }
        return;
    };
    assert!(rules.iter().all(|r| !r.text.is_empty()), "an empty pattern became a rule");
    for r in rules.iter().take(8) {
        paths.push(r.text.replace('*', "x").trim_end_matches('$').to_owned());
        paths.push(r.text.replace(['*', '$'], "") + "/more");
    }
    let reference: Vec<(bool, &str)> = rules.iter().map(|r| (r.allow, r.text.as_str())).collect();
    let pattern_bytes: usize = rules.iter().map(|r| 3 * r.text.len() + 1).sum();
    for path in &paths {
        let verdict = robots.check(path);
        if let Some(reason) = &verdict {
            assert!(reason.contains("Disallow: "), "reason {reason:?} names no rule");
        }
        if pattern_bytes.saturating_mul(3 * path.len() + 1) <= REFERENCE_BUDGET && path != "/robots.txt" {
            let expected = robots_ref::disallowed(&reference, path);
            assert_eq!(verdict.is_some(), expected, "check({path:?}) disagrees with RFC 9309 over {reference:?}");
        }
    }
});
