//! URL keys, scope, and the original ⇄ mirror mapping.
#![cfg(not(target_arch = "wasm32"))]

use sitemirror::url::{self, canonical_key, MirrorMap, Scope, Url};

const PREFIX: &str = "chrome-extension://abcdefghijklmnopabcdefghijklmnop/m/";

fn map() -> MirrorMap {
    MirrorMap::new(PREFIX, None).unwrap()
}

#[test]
fn mapping_round_trips_the_hard_cases() {
    let cases = [
        "https://example.com/",
        "http://example.com/",
        "https://example.com/a/b.html?x=1&y=%20z",
        "https://example.com/?only=query",
        "https://example.com:8443/port",
        "http://127.0.0.1:8080/loopback",
        "https://[::1]:9000/v6?q",
        "https://xn--r8jz45g.jp/%E3%83%91%E3%82%B9",
        "https://example.com/a%2Fb/encoded-slash",
        "https://example.com/path;params?q=a/b?c",
        "https://example.com/@at-in-path",
        "https://example.com/1234/numeric/first/segment",
    ];
    for original in cases {
        let url = Url::parse(original).unwrap();
        let mirror = map().to_mirror(&url).unwrap();
        assert!(mirror.starts_with(PREFIX), "{mirror}");
        let (back, at) = map().to_original(&mirror).unwrap_or_else(|| panic!("{mirror} did not map back"));
        assert_eq!(back, url, "{original} → {mirror}");
        assert_eq!(at, None);
        // The browser re-parses the mirror URL; it must be stable under that too.
        assert_eq!(Url::parse(&mirror).unwrap().as_str(), mirror);
    }
}

#[test]
fn http_and_https_stay_distinct() {
    let a = map().to_mirror(&Url::parse("http://example.com/x").unwrap()).unwrap();
    let b = map().to_mirror(&Url::parse("https://example.com/x").unwrap()).unwrap();
    assert_ne!(a, b);
    assert_eq!(a, format!("{PREFIX}http/example.com/x"));
}

#[test]
fn non_ascii_hosts_and_paths_are_normalised_once() {
    let url = url::parse("http://例え.jp/パス?q=値#frag").unwrap();
    let mirror = map().to_mirror(&url).unwrap();
    assert_eq!(mirror, format!("{PREFIX}http/xn--r8jz45g.jp/%E3%83%91%E3%82%B9?q=%E5%80%A4#frag"));
    assert_eq!(map().to_original(&mirror).unwrap().0, url);
}

#[test]
fn pinned_capture_time_is_carried_and_recovered() {
    let pinned = MirrorMap::new(PREFIX, Some("20261127041900")).unwrap();
    let url = Url::parse("https://example.com/a?b").unwrap();
    let mirror = pinned.to_mirror(&url).unwrap();
    assert_eq!(mirror, format!("{PREFIX}20261127041900/https/example.com/a?b"));
    // Any map with the same prefix reads the time back.
    assert_eq!(map().to_original(&mirror), Some((url, Some("20261127041900".to_owned()))));
    assert!(MirrorMap::new(PREFIX, Some("2026-11-27")).is_err());
}

#[test]
fn not_mirror_urls_are_refused() {
    for other in [
        "chrome-extension://abcdefghijklmnopabcdefghijklmnop/dashboard.html",
        "chrome-extension://abcdefghijklmnopabcdefghijklmnop/m/ftp/example.com/x",
        "chrome-extension://abcdefghijklmnopabcdefghijklmnop/m/https/",
        "chrome-extension://otherextensionidotherextension/m/https/example.com/",
    ] {
        assert_eq!(map().to_original(other), None, "{other}");
    }
    let err = map().to_mirror(&Url::parse("ftp://example.com/").unwrap()).unwrap_err();
    assert_eq!(sitemirror::error::ErrorCode::code(&err), "url/not-mirrorable");
}

/// Fuzz finding (docs/fuzzing.md, url target): the hosts `.` and `..` became dot segments of the mirror URL, which
/// the browser drops, so `http://../http/other.example/a` was mirrored at `<prefix>http/../http/other.example/a`,
/// which the browser loads as `<prefix>http/other.example/a`: another site's page.
#[test]
fn fuzz_finding_dot_hosts_are_not_mirrorable() {
    for original in ["https://./", "http://../http/other.example/a", "https://\u{3002}/x", "http://..:8080/"] {
        let url = Url::parse(original).unwrap();
        assert!(!url::is_mirrorable(&url), "{original}");
        let err = map().to_mirror(&url).unwrap_err();
        assert_eq!(sitemirror::error::ErrorCode::code(&err), "url/not-mirrorable");
    }
    assert_eq!(map().to_original(&format!("{PREFIX}https/../x")), None);
    assert_eq!(map().to_original(&format!("{PREFIX}https/./x")), None);
    // Hosts that merely hold dots stay mirrorable.
    for fine in ["http://.../", "http://a../", "http://.a/"] {
        let url = Url::parse(fine).unwrap();
        let mirror = map().to_mirror(&url).unwrap();
        assert_eq!(map().to_original(Url::parse(&mirror).unwrap().as_str()), Some((url, None)), "{fine}");
    }
    // The rewriter drops a link to such a URL rather than point it at another page of the mirror.
    let options = sitemirror::rewrite::RewriteOptions {
        url: Url::parse("https://example.com/").unwrap(),
        map: map(),
        mode: sitemirror::rewrite::Mode::Static,
        content_type: None,
        banner: None,
    };
    let out = sitemirror::rewrite::rewrite_html(b"<a href=\"http://../http/other.example/a\">x</a>", &options).unwrap();
    assert!(!String::from_utf8(out).unwrap().contains("other.example"));
}

/// Fuzz finding (docs/fuzzing.md, url target): `<prefix>https/user@example.com/` mapped back to a URL with
/// credentials, which no mirror URL has, and whose own mirror URL (credentials left out) is another one.
#[test]
fn fuzz_finding_mirror_urls_with_credentials_are_not_mirror_urls() {
    for odd in
        ["https/user@example.com/", "https/u:p@example.com/a", "https/:p@example.com/", "https/,chr@me-extension://x/"]
    {
        assert_eq!(map().to_original(&format!("{PREFIX}{odd}")), None, "{odd}");
    }
    // An @ after the host is part of the path, as before.
    let (url, _) = map().to_original(&format!("{PREFIX}https/example.com/@at")).unwrap();
    assert_eq!(url.as_str(), "https://example.com/@at");
}

#[test]
fn bad_prefixes_are_refused_with_a_code() {
    use sitemirror::error::ErrorCode;
    for bad in ["no-scheme/", "chrome-extension://id/m", "chrome-extension://id/m/?q=1"] {
        let err = MirrorMap::new(bad, None).unwrap_err();
        assert_eq!(err.code(), "options/invalid", "{bad}");
    }
}

#[test]
fn canonical_keys_drop_the_fragment_and_normalise() {
    let key = |s: &str| canonical_key(&Url::parse(s).unwrap());
    assert_eq!(key("HTTPS://Example.COM:443/a/./b/../c#frag"), "https://example.com/a/c");
    assert_eq!(key("https://example.com/a?q#"), "https://example.com/a?q");
    assert_eq!(key("https://example.com/a?q=#x"), "https://example.com/a?q=");
    assert_ne!(key("https://example.com/a?x=1"), key("https://example.com/a?X=1"));
}

#[test]
fn scope_is_origin_and_optional_path_prefix() {
    let start = Url::parse("https://example.com/docs/intro.html").unwrap();
    let site = Scope::new(&start, false).unwrap();
    let docs = Scope::new(&start, true).unwrap();
    let inside = Url::parse("https://example.com/docs/a/b.html").unwrap();
    let elsewhere = Url::parse("https://example.com/blog/").unwrap();
    assert!(site.contains(&inside) && site.contains(&elsewhere));
    assert!(docs.contains(&inside) && !docs.contains(&elsewhere));
    for outside in ["http://example.com/docs/", "https://example.com:444/docs/", "https://sub.example.com/docs/"] {
        assert!(!site.contains(&Url::parse(outside).unwrap()), "{outside}");
    }
}
