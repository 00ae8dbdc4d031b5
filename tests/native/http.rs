//! The site worker's HTTP rules (issue 11, hardening): what may be mirrored, which headers a copy keeps, when a stored copy
//! is fresh enough to answer while the origin is reachable (RFC 9111), when a new response replaces it, which
//! Clear-Site-Data values clear the mirror, and how the banner is styled under the page's CSP.
#![cfg(not(target_arch = "wasm32"))]

#[path = "../common/mod.rs"]
mod common;
#[path = "growth.rs"]
mod growth;

use common::Rng;
use growth::{assert_linear, GROWTH};
use sitemirror::http::*;

/// 2026-05-28T20:26:40Z: "now" for every test.
const NOW: u64 = 1_780_000_000_000;
const S: u64 = 1000;
/// When the request of most stored copies here was sent: 100 s ago.
const AT: u64 = NOW - 100 * S;

type Hs = Vec<(String, String)>;

fn h(pairs: &[(&str, &str)]) -> Hs {
    pairs.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect()
}

/// An IMF-fixdate (its own calendar arithmetic, so it also checks the engine's date parser).
fn date(ms: u64) -> String {
    let days = (ms / 1000 / 86_400) as i64;
    let secs = ms / 1000 % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let weekday = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][(days % 7) as usize];
    let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    format!(
        "{weekday}, {day:02} {} {year} {:02}:{:02}:{:02} GMT",
        months[month as usize - 1],
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

#[test]
fn the_date_helper_writes_what_the_engine_reads() {
    assert_eq!(date(784_111_777_000), "Sun, 06 Nov 1994 08:49:37 GMT");
    assert_eq!(date(NOW), "Thu, 28 May 2026 20:26:40 GMT");
}

const RULES: Rules = Rules { mirror_uncacheable: false, max_body: 1000 };
const UNCACHEABLE: Rules = Rules { mirror_uncacheable: true, max_body: 1000 };

fn exchange(headers: &[(String, String)]) -> Exchange<'_> {
    Exchange { status: 200, same_origin: true, authorization: false, cookies_changed: false, headers, body_len: None }
}

#[test]
fn may_mirror_follows_a_shared_caches_contract() {
    use Refusal::*;
    type Case = (&'static str, &'static [(&'static str, &'static str)], fn(&mut Exchange), Result<(), Refusal>);
    let same = |_: &mut Exchange| {};
    let cases: &[Case] = &[
        ("a plain 200", &[("content-type", "text/html")], same, Ok(())),
        ("a partial answer", &[], |x| x.status = 206, Err(Status)),
        ("a 304", &[], |x| x.status = 304, Err(Status)),
        ("a redirect", &[("location", "/")], |x| x.status = 301, Err(Status)),
        ("a 404", &[], |x| x.status = 404, Err(Status)),
        ("a 503", &[], |x| x.status = 503, Err(Status)),
        ("an opaque or cross-origin response", &[], |x| x.same_origin = false, Err(Status)),
        ("a logout page", &[("Clear-Site-Data", "\"cookies\"")], same, Err(ClearSiteData)),
        ("a response during which a cookie changed", &[], |x| x.cookies_changed = true, Err(SetCookie)),
        ("an answer to a request with Authorization", &[], |x| x.authorization = true, Err(Authorization)),
        ("no-store", &[("Cache-Control", "no-store")], same, Err(NoStore)),
        ("NO-STORE among others", &[("cache-control", "public, max-age=60, NO-STORE")], same, Err(NoStore)),
        (
            "no-store given in a second header",
            &[("cache-control", "public"), ("Cache-Control", "no-store")],
            same,
            Err(NoStore),
        ),
        ("private", &[("cache-control", "private, max-age=0")], same, Err(Private)),
        ("private with field names", &[("cache-control", "private=\"x-user\"")], same, Err(Private)),
        (
            "no-store inside a quoted argument is no directive",
            &[("cache-control", "ext=\"a, no-store\"")],
            same,
            Ok(()),
        ),
        ("no-cache is storable", &[("cache-control", "no-cache")], same, Ok(())),
        ("max-age=0 is storable", &[("cache-control", "max-age=0, must-revalidate")], same, Ok(())),
        ("Vary: Cookie", &[("vary", "Cookie")], same, Err(Vary)),
        ("Vary: Accept-Encoding, cookie", &[("vary", "Accept-Encoding, cookie")], same, Err(Vary)),
        ("Vary: Authorization", &[("Vary", "authorization")], same, Err(Vary)),
        ("Vary: *", &[("vary", "*")], same, Err(Vary)),
        ("Vary: Accept-Encoding", &[("vary", "Accept-Encoding")], same, Ok(())),
        ("Vary: Cookies (another header)", &[("vary", "Cookies")], same, Ok(())),
        ("Content-Length over the limit", &[("content-length", "1001")], same, Err(TooLarge)),
        ("Content-Length at the limit", &[("content-length", "1000")], same, Ok(())),
        ("a body over the limit", &[], |x| x.body_len = Some(1001), Err(TooLarge)),
        ("an unreadable Content-Length", &[("content-length", "lots")], same, Ok(())),
    ];
    for (what, headers, tweak, expected) in cases {
        let headers = h(headers);
        let mut x = exchange(&headers);
        tweak(&mut x);
        assert_eq!(may_mirror(&x, &RULES), *expected, "{what}");
    }
}

#[test]
fn mirror_uncacheable_lifts_only_the_header_rules() {
    for (headers, expected) in [
        (h(&[("cache-control", "no-store")]), Ok(())),
        (h(&[("cache-control", "private")]), Ok(())),
        (h(&[("vary", "Cookie")]), Ok(())),
        (h(&[("clear-site-data", "\"*\"")]), Err(Refusal::ClearSiteData)),
        (h(&[("content-length", "5000")]), Err(Refusal::TooLarge)),
    ] {
        assert_eq!(may_mirror(&exchange(&headers), &UNCACHEABLE), expected, "{headers:?}");
    }
    let none = h(&[]);
    let cookie = Exchange { cookies_changed: true, ..exchange(&none) };
    assert_eq!(may_mirror(&cookie, &UNCACHEABLE), Err(Refusal::SetCookie), "Set-Cookie: never, whatever the config");
    let auth = Exchange { authorization: true, ..exchange(&none) };
    assert_eq!(may_mirror(&auth, &UNCACHEABLE), Err(Refusal::Authorization));
    let status = Exchange { status: 500, ..exchange(&none) };
    assert_eq!(may_mirror(&status, &UNCACHEABLE), Err(Refusal::Status));
}

#[test]
fn refusal_codes_are_stable() {
    use Refusal::*;
    let codes: Vec<_> =
        [Status, ClearSiteData, SetCookie, Authorization, NoStore, Private, Vary, TooLarge].map(Refusal::code).into();
    assert_eq!(
        codes,
        ["status", "clear-site-data", "set-cookie", "authorization", "no-store", "private", "vary", "too-large"]
    );
}

#[test]
fn every_security_header_is_kept_and_nothing_personal() {
    // Issue 11: the worker kept five headers, none of them a security header.
    let security = [
        ("Content-Security-Policy", "default-src 'self'; sandbox allow-scripts"),
        ("Content-Security-Policy-Report-Only", "img-src 'none'"),
        ("Content-Disposition", "attachment; filename=\"upload.html\""),
        ("X-Frame-Options", "DENY"),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "no-referrer"),
        ("Permissions-Policy", "geolocation=(), camera=()"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
        ("Cross-Origin-Opener-Policy-Report-Only", "same-origin"),
        ("Cross-Origin-Embedder-Policy", "require-corp"),
        ("Cross-Origin-Embedder-Policy-Report-Only", "credentialless"),
        ("Cross-Origin-Resource-Policy", "same-origin"),
        ("Origin-Agent-Cluster", "?1"),
        ("Reporting-Endpoints", "csp=\"https://example.com/r\""),
    ];
    let other = [
        ("Content-Type", "text/html"),
        ("Set-Cookie", "sid=secret"),
        ("Clear-Site-Data", "\"cookies\""),
        ("Server", "nginx"),
        ("Strict-Transport-Security", "max-age=1"),
        ("Cache-Control", "max-age=60"),
        ("Date", "Thu, 28 May 2026 20:26:40 GMT"),
    ];
    let kept = kept_headers(&h(&[&security[..], &other[..]].concat()));
    for (name, value) in security {
        let found = kept.iter().find(|(n, _)| n == &name.to_ascii_lowercase());
        assert_eq!(found.map(|(_, v)| v.as_str()), Some(value), "{name} is kept, its name lower-case");
    }
    let names: Vec<&str> = kept.iter().map(|(n, _)| n.as_str()).collect();
    for gone in ["set-cookie", "clear-site-data", "server", "strict-transport-security"] {
        assert!(!names.contains(&gone), "{gone} is not kept: {names:?}");
    }
    for needed in ["content-type", "cache-control", "date"] {
        assert!(names.contains(&needed), "{needed}");
    }
    assert!(
        names
            .windows(2)
            .all(|w| KEPT_HEADERS.iter().position(|k| *k == w[0]) < KEPT_HEADERS.iter().position(|k| *k == w[1])),
        "in the list's order: {names:?}"
    );
    // Two CSP headers are two policies: joined, as Headers.get joins them, both still apply.
    let two = kept_headers(&h(&[
        ("content-security-policy", "script-src 'self'"),
        ("Content-Security-Policy", "img-src 'none'"),
    ]));
    assert_eq!(two, h(&[("content-security-policy", "script-src 'self', img-src 'none'")]));
}

#[test]
fn freshness_follows_rfc_9111() {
    use State::*;
    let cc = |v: &str| h(&[("cache-control", v)]);
    let at = |offset_s: i64| date((AT as i64 + offset_s * 1000) as u64);
    // (what, stored headers, state, lifetime s, age s) of a copy whose request was sent 100 s ago.
    #[rustfmt::skip]
    let cases: Vec<(&str, Hs, State, u64, u64)> = vec![
        ("max-age, younger", cc("max-age=3600"), Fresh, 3600, 100),
        ("max-age, older", cc("max-age=60"), Stale, 60, 100),
        ("MAX-AGE in capitals, quoted", h(&[("Cache-Control", "MAX-AGE=\"3600\"")]), Fresh, 3600, 100),
        ("Age from upstream caches counts", h(&[("cache-control", "max-age=3600"), ("age", "3550")]), Stale, 3600, 3650),
        ("a Date before the request: apparent age", h(&[("cache-control", "max-age=3600"), ("date", &at(-200))]), Fresh, 3600, 300),
        ("an origin clock ahead: no negative age", h(&[("cache-control", "max-age=3600"), ("date", &at(1000))]), Fresh, 3600, 100),
        ("an unreadable Age is ignored", h(&[("cache-control", "max-age=3600"), ("age", "soon")]), Fresh, 3600, 100),
        ("s-maxage below max-age wins", cc("max-age=3600, s-maxage=30"), Stale, 30, 100),
        ("max-age below s-maxage wins", cc("s-maxage=3600, max-age=30"), Stale, 30, 100),
        ("s-maxage alone", cc("s-maxage=3600"), Fresh, 3600, 100),
        ("Expires − Date", h(&[("expires", &at(600)), ("date", &at(0))]), Fresh, 600, 100),
        ("Expires without Date: from the request", h(&[("expires", &at(600))]), Fresh, 600, 100),
        ("Expires already past", h(&[("expires", &at(-1)), ("date", &at(0))]), Stale, 0, 100),
        ("Expires: 0 has expired", h(&[("expires", "0")]), Stale, 0, 100),
        ("two Expires: stale", h(&[("expires", &at(600)), ("Expires", &at(900))]), Stale, 0, 100),
        ("max-age beats Expires", h(&[("cache-control", "max-age=10"), ("expires", &at(86_400))]), Stale, 10, 100),
        ("heuristic: 10% of 5 days", h(&[("last-modified", &at(-5 * 86_400)), ("date", &at(0))]), Fresh, 43_200, 100),
        ("heuristic: capped at a day", h(&[("last-modified", &at(-100 * 86_400))]), Fresh, HEURISTIC_CAP_MS / S, 100),
        ("heuristic: modified 10 min before, 1 min", h(&[("last-modified", &at(-600))]), Stale, 60, 100),
        ("heuristic: a Last-Modified in the future", h(&[("last-modified", &at(86_400))]), Stale, 0, 100),
        ("heuristic: unreadable Last-Modified", h(&[("last-modified", "yesterday")]), Stale, 0, 100),
        ("no lifetime at all", h(&[("content-type", "text/css")]), Stale, 0, 100),
        ("no-cache outweighs max-age", cc("max-age=3600, no-cache"), Stale, 0, 100),
        ("no-cache with field names", cc("no-cache=\"set-cookie\", max-age=3600"), Stale, 0, 100),
        ("no-store (mirrored by override): offline only", cc("no-store, max-age=3600"), Stale, 0, 100),
        ("private (mirrored by override): offline only", cc("private, max-age=3600"), Stale, 0, 100),
        ("Vary: Cookie (mirrored by override): offline only", h(&[("cache-control", "max-age=3600"), ("vary", "Cookie")]), Stale, 0, 100),
        ("a malformed max-age: stale", cc("max-age=1h"), Stale, 0, 100),
        ("a negative max-age: stale", cc("max-age=-1"), Stale, 0, 100),
        ("an empty max-age: stale", cc("max-age"), Stale, 0, 100),
        ("two different max-age: stale", h(&[("cache-control", "max-age=3600"), ("cache-control", "max-age=7200")]), Stale, 0, 100),
        ("the same max-age twice", cc("max-age=3600, max-age=3600"), Fresh, 3600, 100),
        ("a huge max-age counts as 2^31 s", cc("max-age=99999999999999999999999"), Fresh, 1 << 31, 100),
        ("stale-while-revalidate window", cc("max-age=60, stale-while-revalidate=3600"), StaleWhileRevalidate, 60, 100),
        ("past the stale-while-revalidate window", cc("max-age=60, stale-while-revalidate=30"), Stale, 60, 100),
        ("max-age=0 with a window", cc("max-age=0, stale-while-revalidate=600"), StaleWhileRevalidate, 0, 100),
        ("must-revalidate forbids serving stale", cc("max-age=60, must-revalidate, stale-while-revalidate=3600"), Stale, 60, 100),
        ("proxy-revalidate as well", cc("max-age=60, proxy-revalidate, stale-while-revalidate=3600"), Stale, 60, 100),
        ("no-cache forbids it too", cc("no-cache, stale-while-revalidate=3600"), Stale, 0, 100),
        ("must-revalidate while fresh is fresh", cc("max-age=3600, must-revalidate"), Fresh, 3600, 100),
    ];
    for (what, headers, state, lifetime, age) in cases {
        let expected = Freshness { state, lifetime_ms: lifetime * S, age_ms: age * S };
        assert_eq!(freshness(&headers, AT, NOW), expected, "{what}: {headers:?}");
    }
    // A clock that went back: no resident time, no negative age.
    let later = freshness(&cc("max-age=60"), NOW + 10 * S, NOW);
    assert_eq!(later, Freshness { state: Fresh, lifetime_ms: 60 * S, age_ms: 0 });
}

#[test]
fn a_reload_asks_for_the_network() {
    for (mode, network) in [
        ("default", false),
        ("force-cache", false),
        ("only-if-cached", false),
        ("no-cache", true),
        ("reload", true),
        ("no-store", true),
    ] {
        assert_eq!(request_wants_network(mode), network, "{mode}");
    }
}

#[test]
fn recapture_adds_versions_and_refreshes_confirmed_copies() {
    use Recapture::*;
    let cached =
        |extra: &[(&str, &str)]| h(&[&[("content-type", "text/css"), ("cache-control", "max-age=60")], extra].concat());
    let fresh_then = cached(&[("date", &date(NOW - 10 * S))]);
    let stale_then = cached(&[("date", &date(NOW - 100 * S))]);
    let now = cached(&[("date", &date(NOW))]);
    assert_eq!(recapture(None, false, &now, NOW), Add, "nothing stored yet");
    assert_eq!(recapture(Some((&fresh_then, NOW - 10 * S)), false, &now, NOW), Add, "a new body");
    let with_csp = cached(&[("content-security-policy", "script-src 'self'")]);
    assert_eq!(recapture(Some((&fresh_then, NOW - 10 * S)), true, &with_csp, NOW), Add, "same body, a new CSP");
    assert_eq!(recapture(Some((&fresh_then, NOW - 10 * S)), true, &now, NOW), Skip, "only Date changed, still fresh");
    assert_eq!(
        recapture(Some((&stale_then, NOW - 100 * S)), true, &now, NOW),
        Replace,
        "the origin confirmed a stale copy"
    );
    let no_cache = h(&[("content-type", "text/css"), ("cache-control", "no-cache")]);
    assert_eq!(recapture(Some((&no_cache, NOW - 100 * S)), true, &no_cache, NOW), Skip, "never fresh: nothing to gain");
    let expires = |at: u64| h(&[("content-type", "text/css"), ("expires", &date(at + 60 * S)), ("date", &date(at))]);
    assert_eq!(
        recapture(Some((&expires(NOW - 100 * S), NOW - 100 * S)), true, &expires(NOW), NOW),
        Replace,
        "Expires moves with Date"
    );
}

#[test]
fn clear_site_data_types_that_clear_the_mirror() {
    for (value, clears) in [
        ("\"cache\"", true),
        ("\"cookies\"", true),
        ("\"storage\"", true),
        ("\"*\"", true),
        ("\"executionContexts\"", false),
        ("\"clientHints\", \"prefetchCache\"", false),
        ("\"executionContexts\", \"cookies\"", true),
        ("  \"Cookies\"  ", true),
        ("cookies", true),
        ("", false),
        ("\"cookie\"", false),
    ] {
        assert_eq!(clears_mirror(value), clears, "{value:?}");
    }
}

#[test]
fn the_banner_is_styled_inline_only_where_the_csp_allows_it() {
    use BannerStyle::*;
    let csp = |v: &str| h(&[("content-security-policy", v)]);
    #[rustfmt::skip]
    let cases: Vec<(&str, Hs, BannerStyle)> = vec![
        ("no CSP", h(&[("content-type", "text/html")]), Inline),
        ("a CSP about scripts only", csp("script-src 'self'"), Inline),
        ("style-src 'self'", csp("default-src 'self'; style-src 'self'"), Plain),
        ("default-src 'self', no style-src", csp("default-src 'self'"), Plain),
        ("style-src 'unsafe-inline'", csp("default-src 'none'; style-src 'self' 'unsafe-inline'"), Inline),
        ("'unsafe-inline' with a nonce is off", csp("style-src 'unsafe-inline' 'nonce-abc'"), Plain),
        ("'unsafe-inline' with a hash is off", csp("style-src 'unsafe-inline' 'sha256-abc='"), Plain),
        ("style-src-attr governs attributes", csp("style-src 'self'; style-src-attr 'unsafe-inline'"), Inline),
        ("style-src-attr 'none'", csp("style-src 'unsafe-inline'; style-src-attr 'none'"), Plain),
        ("keywords in capitals", csp("STYLE-SRC 'UNSAFE-INLINE'"), Inline),
        ("a repeated directive: the first counts", csp("style-src 'self'; style-src 'unsafe-inline'"), Plain),
        ("two policies: both must allow", csp("style-src 'unsafe-inline', style-src 'self'"), Plain),
        (
            "two headers: both must allow",
            h(&[
                ("content-security-policy", "style-src 'unsafe-inline'"),
                ("Content-Security-Policy", "default-src 'self'"),
            ]),
            Plain,
        ),
        (
            "a report-only policy would report it",
            h(&[("content-security-policy-report-only", "style-src 'self'")]),
            Plain,
        ),
        ("a download gets no banner", h(&[("content-disposition", "attachment; filename=a.html")]), None),
        ("ATTACHMENT", h(&[("content-disposition", "ATTACHMENT")]), None),
        ("an unknown type downloads too", h(&[("content-disposition", "x-download")]), None),
        ("inline with a filename renders", h(&[("content-disposition", "inline; filename=a.html")]), Inline),
        ("only parameters: renders", h(&[("content-disposition", "; filename=a.html")]), Inline),
    ];
    for (what, headers, expected) in cases {
        assert_eq!(banner_style(&headers), expected, "{what}");
    }
}

#[test]
fn a_copy_is_replayed_with_its_policies_and_its_age() {
    let stored = h(&[
        ("content-type", "text/html"),
        ("cache-control", "max-age=60"),
        ("expires", &date(AT + 60 * S)),
        ("age", "20"),
        ("date", &date(AT)),
        ("content-security-policy", "script-src 'self'"),
        ("x-frame-options", "DENY"),
    ]);
    assert_eq!(
        replay_headers(&stored, AT, NOW),
        h(&[
            ("content-type", "text/html"),
            ("date", &date(AT)),
            ("content-security-policy", "script-src 'self'"),
            ("x-frame-options", "DENY"),
            ("age", "120"),
        ])
    );
}

/// Hostile header values: no panic, and time linear in their size.
#[test]
fn hostile_header_values() {
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    let alphabet: Vec<char> = "\"\\,;= \t'abc-0123456789*é\u{0}".chars().collect();
    let names = [
        "cache-control",
        "expires",
        "date",
        "age",
        "last-modified",
        "vary",
        "content-length",
        "content-security-policy",
        "content-disposition",
        "clear-site-data",
    ];
    for _ in 0..2000 {
        let headers: Vec<(String, String)> = (0..rng.below(6))
            .map(|_| {
                let len = rng.below(40);
                (
                    names[rng.below(names.len())].to_owned(),
                    (0..len).map(|_| alphabet[rng.below(alphabet.len())]).collect(),
                )
            })
            .collect();
        let x = exchange(&headers);
        let _ = may_mirror(&x, &RULES);
        let _ = kept_headers(&headers);
        let f = freshness(&headers, AT, NOW);
        assert!(f.state != State::Fresh || f.lifetime_ms > f.age_ms);
        let _ = recapture(Some((&headers, AT)), true, &headers, NOW);
        let _ = banner_style(&headers);
        let _ = replay_headers(&headers, u64::MAX, 0);
        for (_, v) in &headers {
            let _ = clears_mirror(v);
            let _ = CacheControl::parse(v);
        }
    }
    // Timed at full size against an eighth of it, not against a clock (CI machines differ): linear, not quadratic.
    let huge = |n: usize| format!("max-age=1, {}", "x=\"\\\"".repeat(n));
    let cc = assert_linear("Cache-Control of n quoted pairs", 400_000 / GROWTH, huge, |huge| CacheControl::parse(huge));
    assert_eq!(cc.max_age, Some(1));
    let csp = |n: usize| h(&[("content-security-policy", &"style-src 'self' ".repeat(n))]);
    let style = assert_linear("CSP of n style-src", 200_000 / GROWTH, csp, |csp| banner_style(csp));
    assert_eq!(style, BannerStyle::Plain);
}
