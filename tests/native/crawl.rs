//! The crawl policy ("Mirror this site"): options, what is admitted and why not, robots.txt, sitemaps, traps,
//! resuming, and the per-host pacer. Every decision the JS scheduler relies on is pinned here.
#![cfg(not(target_arch = "wasm32"))]

#[path = "../common/mod.rs"]
mod common;
#[path = "growth.rs"]
mod growth;

use common::Rng;
use growth::{assert_linear, Case, GROWTH};
use sitemirror::crawl::reason::{self, code_of};
use sitemirror::crawl::*;
use sitemirror::error::ErrorCode;
use sitemirror::store::{FrontierEntry, UrlState};

/// 2026-05-28T20:26:40Z: "now" for every test (the current year is 2026).
const NOW: u64 = 1_780_000_000_000;
const START: &str = "https://example.com/";

fn opts(json: &str) -> CrawlOptions {
    serde_json::from_str(json).unwrap_or_else(|e| panic!("{json}: {e}"))
}

fn policy(json: &str) -> CrawlPolicy {
    CrawlPolicy::new(START, opts(json)).unwrap()
}

fn parent(url: &str, depth: u32, run: u32) -> Parent {
    Parent { url: url.into(), depth, run }
}

/// Admits one link and returns its entry (panics when none was made).
fn one(p: &mut CrawlPolicy, from: Option<&Parent>, link: Link) -> FrontierEntry {
    let url = link.url.clone();
    let mut found = p.admit(from, &[link], NOW);
    assert_eq!(found.len(), 1, "{url}: {found:?}");
    found.remove(0)
}

fn page(p: &mut CrawlPolicy, from: Option<&Parent>, url: &str) -> FrontierEntry {
    one(p, from, Link::page(url))
}

fn resource(p: &mut CrawlPolicy, from: Option<&Parent>, url: &str) -> FrontierEntry {
    one(p, from, Link::resource(url))
}

/// The entry's reason code, or "queued".
fn verdict(e: &FrontierEntry) -> &str {
    match (&e.state, &e.reason) {
        (UrlState::Queued, None) => "queued",
        (UrlState::Skipped, Some(r)) => code_of(r),
        other => panic!("unexpected entry state {other:?}"),
    }
}

fn home() -> Parent {
    parent(START, 0, 0)
}

// ---------------------------------------------------------------------------------------------------------------
// Options

#[test]
fn defaults_are_filled_in_and_round_trip() {
    let p = CrawlPolicy::new("https://example.com/docs/intro.html#top", CrawlOptions::default()).unwrap();
    assert_eq!(p.site(), "https://example.com/");
    let o = p.options();
    assert_eq!(o, &opts("{}"));
    assert_eq!((o.scope, o.prefix.as_deref()), (ScopeKind::Origin, None));
    assert_eq!((o.max_depth, o.max_pages), (DEFAULT_MAX_DEPTH, 10_000));
    assert_eq!((o.max_bytes, o.max_resource_bytes), (2 << 30, 32 << 20));
    assert_eq!((o.external_resources, o.external_pages, o.ignore_robots, o.follow_logout), (true, false, false, false));
    assert_eq!((o.max_concurrency, o.delay_ms, o.timeout_ms, o.max_retries), (6, 0, 30_000, 2));
    // What options() shows is what a persisted job feeds back in on resume.
    let json = serde_json::to_string(o).unwrap();
    for key in ["\"maxDepth\":20", "\"maxPages\":10000", "\"externalResources\":true", "\"prefix\":null"] {
        assert!(json.contains(key), "{json}");
    }
    assert_eq!(&opts(&json), o);
}

#[test]
fn bad_options_are_refused_naming_the_field() {
    let cases = [
        (r#"{"maxDepth": -1}"#, "maxDepth must be a whole number"),
        (r#"{"maxDepth": 1001}"#, "maxDepth must be from 0 to 1000, not 1001"),
        (r#"{"maxPages": 0}"#, "maxPages must be from 1"),
        (r#"{"maxConcurrency": 17}"#, "maxConcurrency must be from 1 to 16, not 17"),
        (r#"{"maxConcurrency": 1.5}"#, "maxConcurrency must be a whole number"),
        (r#"{"maxConcurrency": "6"}"#, "maxConcurrency must be a whole number ≥ 0, not \"6\""),
        (r#"{"timeoutMs": 10}"#, "timeoutMs must be from 1000"),
        (r#"{"delayMs": 600000}"#, "delayMs must be from 0 to 60000"),
        (r#"{"maxRetries": 11}"#, "maxRetries must be from 0 to 10"),
        (r#"{"maxBytes": 0}"#, "maxBytes must be from 1"),
        (r#"{"maxResourceBytes": 1e300}"#, "maxResourceBytes must be a whole number"),
        (r#"{"scope": "site"}"#, "scope must be \"origin\" or \"prefix\""),
        (r#"{"include": "*.html"}"#, "include must be a list of strings"),
        (r#"{"exclude": ["ok", 3]}"#, "exclude[1] must be a string"),
        (r#"{"exclude": [""]}"#, "exclude[0] must be a pattern of 1 to 2048 characters"),
        (r#"{"ignoreRobots": "yes"}"#, "ignoreRobots must be true or false"),
        (r#"{"externalPages": 1}"#, "externalPages must be true or false"),
        (r#"{"prefix": 7}"#, "prefix must be a URL"),
        (r#"{"maxdepth": 3}"#, "unknown option \"maxdepth\" (the options are scope, prefix,"),
        (r#"[1, 2]"#, "invalid type"),
    ];
    for (json, message) in cases {
        let err = serde_json::from_str::<CrawlOptions>(json).expect_err(json).to_string();
        assert!(err.contains(message), "{json}: {err}");
    }
    // Null means "the default" (what JSON gives for an absent value).
    assert_eq!(opts(r#"{"maxDepth": null, "include": null}"#), CrawlOptions::default());

    // Options built in Rust are checked by the constructor, with the code JS branches on.
    let bad = CrawlOptions { max_concurrency: 0, ..CrawlOptions::default() };
    let err = CrawlPolicy::new(START, bad).unwrap_err();
    assert_eq!(err.code(), "crawl/invalid-config");
    assert!(err.to_string().contains("maxConcurrency must be from 1 to 16, not 0"), "{err}");
    let many = CrawlOptions { include: vec!["*".into(); 101], ..CrawlOptions::default() };
    assert!(CrawlPolicy::new(START, many).unwrap_err().to_string().contains("include has 101 patterns"));
}

#[test]
fn bad_start_urls_and_prefixes() {
    assert_eq!(CrawlPolicy::new("not a url", CrawlOptions::default()).unwrap_err().code(), "url/invalid");
    assert_eq!(
        CrawlPolicy::new("ftp://example.com/", CrawlOptions::default()).unwrap_err().code(),
        "url/not-mirrorable"
    );
    let start = "https://example.com/docs/guide/intro.html?x=1";
    let prefix = |json: &str| CrawlPolicy::new(start, opts(json)).map(|p| p.options().prefix.clone());
    assert_eq!(prefix(r#"{"scope": "prefix"}"#).unwrap().as_deref(), Some("https://example.com/docs/guide/"));
    assert_eq!(
        prefix(r#"{"scope": "prefix", "prefix": "/docs/"}"#).unwrap().as_deref(),
        Some("https://example.com/docs/")
    );
    let full = r#"{"scope": "prefix", "prefix": "https://example.com/docs"}"#;
    assert_eq!(prefix(full).unwrap().as_deref(), Some("https://example.com/docs"));
    for (json, message) in [
        (
            r#"{"scope": "prefix", "prefix": "https://other.example/docs/"}"#,
            "prefix must be a path on https://example.com",
        ),
        (r#"{"scope": "prefix", "prefix": "/blog/"}"#, "must contain the start URL"),
        (r#"{"scope": "prefix", "prefix": "/docs/?q"}"#, "(no query)"),
        (r#"{"prefix": "/docs/"}"#, "prefix is only used with scope \"prefix\""),
    ] {
        let err = prefix(json).unwrap_err();
        assert_eq!(err.code(), "crawl/invalid-config");
        assert!(err.to_string().contains(message), "{json}: {err}");
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Admission

#[test]
fn seeds_start_at_depth_zero_and_each_url_is_admitted_once() {
    let mut p = policy("{}");
    let e = page(&mut p, None, "https://EXAMPLE.com/#top");
    assert_eq!(
        e,
        FrontierEntry {
            site: START.into(),
            url: START.into(),
            depth: 0,
            page: true,
            state: UrlState::Queued,
            reason: None,
            updated: NOW,
            run: 0,
            render: false,
        }
    );
    let links = [
        Link::page("https://example.com/a#one"),
        Link::page("https://example.com/a#two"),
        Link::page("mailto:x@example.com"),
        Link::page("javascript:alert(1)"),
        Link::page("data:text/html,hi"),
        Link::page("not a url"),
        Link::resource("https://example.com/style.css"),
        Link::page("https://example.com/"),
    ];
    let found = p.admit(Some(&home()), &links, NOW + 1);
    let urls: Vec<_> = found.iter().map(|e| (e.url.as_str(), e.depth, e.page)).collect();
    assert_eq!(urls, [("https://example.com/a", 1, true), ("https://example.com/style.css", 0, false)]);
    assert!(found.iter().all(|e| e.updated == NOW + 1 && e.site == START));
    // Credentials never become part of a key.
    assert_eq!(page(&mut p, Some(&home()), "https://user:pw@example.com/private").url, "https://example.com/private");
    // Across calls too, and whether it was first seen as a page or a resource.
    assert!(p.admit(Some(&home()), &links, NOW).is_empty());
    assert!(p.admit(None, &[Link::resource("https://example.com/a")], NOW).is_empty());
}

#[test]
fn scope_keeps_pages_on_the_site_and_takes_the_resources_they_use() {
    let mut p = policy("{}");
    let from = home();
    assert_eq!(verdict(&page(&mut p, Some(&from), "https://other.example/")), "crawl/out-of-scope");
    assert_eq!(verdict(&page(&mut p, Some(&from), "http://example.com/insecure")), "crawl/out-of-scope");
    assert_eq!(verdict(&page(&mut p, Some(&from), "https://example.com:8443/port")), "crawl/out-of-scope");
    assert_eq!(verdict(&page(&mut p, Some(&from), "https://www.example.com/")), "crawl/out-of-scope");
    assert_eq!(verdict(&resource(&mut p, Some(&from), "https://cdn.example/font.woff2")), "queued");
    assert_eq!(verdict(&resource(&mut p, Some(&from), "http://example.com/img.png")), "queued");

    let mut p = policy(r#"{"externalResources": false}"#);
    assert_eq!(verdict(&resource(&mut p, Some(&from), "https://cdn.example/font.woff2")), "crawl/out-of-scope");
    assert_eq!(verdict(&resource(&mut p, Some(&from), "https://example.com/img.png")), "queued");

    // externalPages: one hop out, never two.
    let mut p = policy(r#"{"externalPages": true}"#);
    assert_eq!(verdict(&page(&mut p, Some(&from), "https://other.example/linked")), "queued");
    let out = parent("https://other.example/linked", 1, 0);
    assert_eq!(verdict(&page(&mut p, Some(&out), "https://other.example/next")), "crawl/out-of-scope");
    assert_eq!(verdict(&resource(&mut p, Some(&out), "https://other.example/pic.jpg")), "queued");
    assert_eq!(verdict(&page(&mut p, Some(&out), "https://example.com/back")), "queued");
}

#[test]
fn prefix_scope_limits_pages_not_resources() {
    let start = "https://example.com/docs/index.html";
    let mut p = CrawlPolicy::new(start, opts(r#"{"scope": "prefix"}"#)).unwrap();
    assert_eq!(p.site(), "https://example.com/");
    let from = parent(start, 0, 0);
    assert_eq!(verdict(&page(&mut p, Some(&from), "https://example.com/docs/api/x.html")), "queued");
    let blog = page(&mut p, Some(&from), "https://example.com/blog/");
    assert_eq!(blog.reason.as_deref(), Some("crawl/out-of-scope: outside the crawl's prefix"));
    assert_eq!(verdict(&resource(&mut p, Some(&from), "https://example.com/static/site.css")), "queued");
}

#[test]
fn include_chooses_pages_and_exclude_removes_anything() {
    let mut p = policy(r#"{"include": ["https://example.com/docs/*"], "exclude": ["*.pdf", "*?print=*"]}"#);
    let from = home();
    assert_eq!(verdict(&page(&mut p, None, "https://example.com/docs/")), "queued");
    assert_eq!(verdict(&page(&mut p, Some(&from), "https://example.com/docs/a.html")), "queued");
    let blog = page(&mut p, Some(&from), "https://example.com/blog/");
    assert_eq!(blog.reason.as_deref(), Some("crawl/excluded: matches no include pattern"));
    assert_eq!(verdict(&resource(&mut p, Some(&from), "https://example.com/static/site.css")), "queued");
    let pdf = resource(&mut p, Some(&from), "https://example.com/docs/manual.pdf");
    assert_eq!(pdf.reason.as_deref(), Some("crawl/excluded: matches the exclude pattern \"*.pdf\""));
    assert_eq!(verdict(&page(&mut p, Some(&from), "https://example.com/docs/a.html?print=1")), "crawl/excluded");
}

#[test]
fn logout_links_are_not_followed_unless_asked() {
    let mut p = policy("{}");
    let from = home();
    for url in [
        "https://example.com/logout",
        "https://example.com/account/Log-Out",
        "https://example.com/user/SIGNOUT?next=/",
        "https://example.com/index.php?action=logoff",
        "https://example.com/auth/sign_out",
        "https://example.com/do?what=log_out",
        "https://example.com/auth/sign-out",
        "https://example.com/doLogout",
        "https://example.com/logout.php?x=1",
        "https://example.com/SignOutNow",
    ] {
        assert_eq!(verdict(&page(&mut p, Some(&from), url)), "crawl/logout", "{url}");
    }
    for url in ["https://example.com/catalogoutlet", "https://example.com/blogoutreach", "https://example.com/logouts"]
    {
        assert_eq!(verdict(&page(&mut p, Some(&from), url)), "queued", "{url}");
    }
    assert_eq!(verdict(&resource(&mut p, Some(&from), "https://example.com/img/logout.png")), "queued");
    assert_eq!(verdict(&page(&mut p, Some(&from), "https://example.com/login")), "queued");
    let mut p = policy(r#"{"followLogout": true}"#);
    assert_eq!(verdict(&page(&mut p, Some(&from), "https://example.com/logout")), "queued");
}

#[test]
fn overlong_urls_are_skipped_and_absurd_ones_dropped() {
    let mut p = policy("{}");
    let from = home();
    let just = format!("https://example.com/{}", "a".repeat(2048 - 20));
    assert_eq!(just.len(), 2048);
    assert_eq!(verdict(&page(&mut p, Some(&from), &just)), "queued");
    let long = format!("{just}b");
    let e = page(&mut p, Some(&from), &long);
    assert_eq!(e.reason.as_deref(), Some("crawl/url-too-long: 2049 characters; at most 2048 are crawled"));
    // Checked first: an overlong URL of another site is reported as overlong.
    let other = format!("https://other.example/{}", "x".repeat(3000));
    assert_eq!(verdict(&page(&mut p, Some(&from), &other)), "crawl/url-too-long");
    let absurd = format!("https://example.com/{}", "x".repeat(MAX_RECORDED_URL_LEN));
    assert!(p.admit(Some(&from), &[Link::page(absurd)], NOW).is_empty());
}

#[test]
fn checks_run_in_the_documented_order() {
    let mut p = policy(r#"{"exclude": ["*/private/*"], "maxDepth": 1}"#);
    p.robots("User-agent: *\nDisallow: /private/\nDisallow: /logout\nDisallow: /a/\n", 200);
    let from = parent("https://example.com/deep/page", 1, 0);
    // scope before exclude; exclude before logout; logout before robots; robots before traps; traps before depth.
    assert_eq!(verdict(&page(&mut p, Some(&from), "https://other.example/private/logout")), "crawl/out-of-scope");
    assert_eq!(verdict(&page(&mut p, Some(&from), "https://example.com/private/logout")), "crawl/excluded");
    assert_eq!(verdict(&page(&mut p, Some(&from), "https://example.com/logout")), "crawl/logout");
    assert_eq!(verdict(&page(&mut p, Some(&from), "https://example.com/a/x/x/x")), "crawl/robots");
    assert_eq!(verdict(&page(&mut p, Some(&from), "https://example.com/b/x/x/x")), "crawl/repetition");
    assert_eq!(verdict(&page(&mut p, Some(&from), "https://example.com/b/")), "crawl/max-depth");
}

#[test]
fn depth_limits_pages_but_never_the_resources_of_an_admitted_page() {
    let mut p = policy(r#"{"maxDepth": 2}"#);
    let at_max = parent("https://example.com/a/b", 2, 0);
    let deeper = page(&mut p, Some(&at_max), "https://example.com/a/b/c");
    assert_eq!((verdict(&deeper), deeper.depth), ("crawl/max-depth", 3));
    assert_eq!(deeper.reason.as_deref(), Some("crawl/max-depth: 3 links from the start page; maxDepth is 2"));
    let img = resource(&mut p, Some(&at_max), "https://example.com/a/b.png");
    assert_eq!((verdict(&img), img.depth), ("queued", 2));
    assert_eq!(verdict(&page(&mut p, Some(&parent(START, 1, 0)), "https://example.com/two")), "queued");

    let mut p = policy(r#"{"maxDepth": 0}"#);
    assert_eq!(verdict(&page(&mut p, None, START)), "queued");
    assert_eq!(verdict(&page(&mut p, Some(&home()), "https://example.com/a")), "crawl/max-depth");
    assert_eq!(verdict(&resource(&mut p, Some(&home()), "https://example.com/logo.png")), "queued");
}

#[test]
fn max_pages_counts_queued_pages_only() {
    let mut p = policy(r#"{"maxPages": 3}"#);
    page(&mut p, None, START);
    let from = home();
    let mut links: Vec<Link> = (1..=5).map(|i| Link::page(format!("https://example.com/p{i}"))).collect();
    links.insert(1, Link::page("https://other.example/")); // skipped: doesn't count
    links.insert(2, Link::resource("https://example.com/r.png")); // a resource: doesn't count
    let found = p.admit(Some(&from), &links, NOW);
    let verdicts: Vec<_> = found.iter().map(|e| (e.url.rsplit('/').next().unwrap(), verdict(e))).collect();
    assert_eq!(
        verdicts,
        [
            ("p1", "queued"),
            ("", "crawl/out-of-scope"),
            ("r.png", "queued"),
            ("p2", "queued"),
            ("p3", "crawl/max-pages"),
            ("p4", "crawl/max-pages"),
            ("p5", "crawl/max-pages"),
        ]
    );
    assert_eq!(verdict(&resource(&mut p, Some(&from), "https://example.com/more.png")), "queued");
}

// ---------------------------------------------------------------------------------------------------------------
// robots.txt

/// Whether `path` may be fetched under `robots` (as the `*` agent and as us).
fn allowed(robots: &str, path: &str) -> bool {
    let (r, _) = Robots::parse(robots, 200);
    r.check(path).is_none()
}

#[test]
fn robots_longest_match_wins_and_allow_wins_ties() {
    // RFC 9309 §2.2.2 and the precedence examples of Google's documentation.
    let cases = [
        ("allow: /p\ndisallow: /", "/page", true),
        ("allow: /folder\ndisallow: /folder", "/folder/page", true),
        ("allow: /page\ndisallow: /*.htm", "/page.htm", false),
        ("allow: /page\ndisallow: /*.ph", "/page.php5", true),
        ("allow: /$\ndisallow: /", "/", true),
        ("allow: /$\ndisallow: /", "/page.htm", false),
        ("disallow: /fish", "/fish.html", false),
        ("disallow: /fish", "/Fish.asp", true),
        ("disallow: /fish/", "/fish", true),
        ("disallow: /*.php$", "/filename.php", false),
        ("disallow: /*.php$", "/filename.php?parameters", true),
        ("disallow: /*.php$", "/filename.php/", true),
        ("disallow: /fish*.php", "/fishheads/catfish.php?parameters", false),
        ("disallow: /*?", "/search?q=1", false),
        ("disallow: /*?", "/search", true),
        ("disallow:", "/anything", true),
        ("disallow: /\nallow:", "/anything", false),
        ("disallow: /", "/robots.txt", true),
        // Percent-encoding is normalised on both sides (RFC 9309 §2.2.2 table).
        ("disallow: /foo/bar/ツ", "/foo/bar/%E3%83%84", false),
        ("disallow: /foo/bar/%e3%83%84", "/foo/bar/%E3%83%84", false),
        ("disallow: /foo/bar/%62%61%7A", "/foo/bar/baz", false),
        ("disallow: /~joe/", "/%7Ejoe/index.html", false),
        ("disallow: /a%2Fb", "/a/b", true),
    ];
    for (rules, path, expected) in cases {
        let robots = format!("User-agent: *\n{rules}\n");
        assert_eq!(allowed(&robots, path), expected, "{rules:?} on {path}");
    }
}

#[test]
fn robots_groups_pick_our_token_else_star() {
    let txt = "\u{feff}# comment\r\nDisallow: /before-any-group\r\n\r\nUser-agent: googlebot\r\nDisallow: /\r\n\r\n\
               User-agent: *\r\nDisallow: /star-only # trailing comment\r\n\r\n\
               User-agent: other\r\nUser-Agent: SiteMirror/1.0 (+https://example.com)\r\nDisallow: /ours\r\n\
               Crawl-delay: 1.5\r\n\r\nUser-agent: sitemirror\r\nDisallow: /merged\r\nSitemap: https://example.com/s.xml\r\n";
    let (r, info) = Robots::parse(txt, 200);
    assert_eq!(r.check("/ours/x").unwrap(), "crawl/robots: robots.txt disallows it (Disallow: /ours)");
    assert!(r.check("/merged").is_some(), "groups for the same agent are merged");
    assert!(r.check("/star-only").is_none(), "the * group does not apply when ours exists");
    assert!(r.check("/before-any-group").is_none());
    assert!(r.check("/").is_none());
    assert_eq!(info.crawl_delay_ms, Some(1500));
    assert_eq!(info.sitemaps, ["https://example.com/s.xml"]);

    let (r, info) = Robots::parse("User-agent: googlebot\nDisallow: /g\n\nUser-agent: *\nDisallow: /s\n", 200);
    assert!(r.check("/s").is_some() && r.check("/g").is_none());
    assert_eq!(info.crawl_delay_ms, None);
    // No group for us and no * group: everything allowed.
    let (r, _) = Robots::parse("User-agent: googlebot\nDisallow: /\n", 200);
    assert_eq!(r, Robots::AllowAll);
}

#[test]
fn robots_status_decides_before_the_body() {
    let body = "User-agent: *\nDisallow: /";
    for status in [400, 401, 403, 404, 410, 301] {
        assert_eq!(Robots::parse(body, status).0, Robots::AllowAll, "{status}");
    }
    for status in [0, 429, 500, 503] {
        let (r, info) = Robots::parse(body, status);
        assert_eq!(r, Robots::Unreachable { status });
        assert_eq!(info, RobotsInfo::default());
        let why = r.check("/any").unwrap();
        assert_eq!(code_of(&why), "crawl/robots");
        assert!(why.contains("ignore robots.txt"), "{why}");
        assert!(r.check("/robots.txt").is_none());
    }
    assert!(Robots::parse("", 503).0.check("/x").unwrap().contains("HTTP 503"));
}

#[test]
fn robots_crawl_delay_sitemaps_and_size_limit() {
    let delay = |v: &str| Robots::parse(&format!("User-agent: *\nCrawl-delay: {v}\n"), 200).1.crawl_delay_ms;
    assert_eq!(delay("2"), Some(2000));
    assert_eq!(delay("0.25"), Some(250));
    assert_eq!(delay("3600"), Some(MAX_CRAWL_DELAY_MS));
    assert_eq!(delay("0"), None);
    assert_eq!(delay("soon"), None);
    assert_eq!(delay("-5"), None);

    let txt = "Sitemap: https://example.com/a.xml\nSitemap: /relative.xml\nSitemap: ftp://x/y\n\
               sitemap: https://example.com/a.xml\nSITEMAP:https://cdn.example/b.xml.gz\n";
    assert_eq!(Robots::parse(txt, 200).1.sitemaps, ["https://example.com/a.xml", "https://cdn.example/b.xml.gz"]);

    // Only the first 500 KiB is read, and a line cut at the limit is dropped: "Disallow: /" from
    // "Disallow: /late-and-long" would forbid the whole site.
    let mut txt = String::from("User-agent: *\nDisallow: /early\n");
    while txt.len() < MAX_ROBOTS_BYTES - 2000 {
        txt.push_str(&format!("# {}\n", "x".repeat(1000)));
    }
    txt.push_str(&format!("#{}\n", "x".repeat(MAX_ROBOTS_BYTES - "Disallow: /".len() - txt.len() - 2)));
    txt.push_str("Disallow: /late-and-long\n");
    assert_eq!(&txt[MAX_ROBOTS_BYTES - 11..MAX_ROBOTS_BYTES], "Disallow: /");
    let (r, _) = Robots::parse(&txt, 200);
    assert!(r.check("/early").is_some());
    assert!(r.check("/late-and-long").is_none());
    assert!(r.check("/other").is_none());
}

#[test]
fn robots_apply_to_the_site_origin_after_robots_is_called() {
    let mut p = policy("{}");
    let from = home();
    assert_eq!(verdict(&page(&mut p, Some(&from), "https://example.com/private/early")), "queued");
    let info = p.robots("User-agent: *\nDisallow: /private/\nSitemap: https://example.com/sitemap.xml\n", 200);
    assert_eq!(info.sitemaps, ["https://example.com/sitemap.xml"]);
    let e = page(&mut p, Some(&from), "https://example.com/private/late");
    assert_eq!(e.reason.as_deref(), Some("crawl/robots: robots.txt disallows it (Disallow: /private/)"));
    assert_eq!(verdict(&resource(&mut p, Some(&from), "https://example.com/private/img.png")), "crawl/robots");
    assert_eq!(verdict(&resource(&mut p, Some(&from), "https://cdn.example/private/img.png")), "queued");
    assert_eq!(verdict(&resource(&mut p, Some(&from), "http://example.com/private/other-origin.png")), "queued");

    let mut p = policy(r#"{"ignoreRobots": true}"#);
    p.robots("User-agent: *\nDisallow: /\nCrawl-delay: 5", 200);
    assert_eq!(verdict(&page(&mut p, Some(&from), "https://example.com/private/x")), "queued");
    assert_eq!(p.concurrency("example.com"), 2, "ignoring robots.txt ignores its Crawl-delay too");

    let mut p = policy("{}");
    p.robots("", 0);
    assert_eq!(verdict(&page(&mut p, None, START)), "crawl/robots");
}

#[test]
fn crawl_delay_paces_the_site_host_alone() {
    let mut p = CrawlPolicy::new("http://127.0.0.1:8080/", opts(r#"{"delayMs": 100}"#)).unwrap();
    assert_eq!(p.robots("User-agent: *\nCrawl-delay: 2.5\n", 200).crawl_delay_ms, Some(2500));
    let site = "127.0.0.1:8080";
    assert_eq!(p.concurrency(site), 1);
    assert_eq!(p.slot(site, NOW), 0);
    p.started(site, NOW);
    assert_eq!(p.slot(site, NOW + 10), -1);
    ok(&mut p, site, NOW + 100, 50);
    assert_eq!(p.concurrency(site), 1, "a quick success doesn't raise a crawl-delayed host");
    assert_eq!(p.slot(site, NOW + 100), 2400);
    assert_eq!(p.slot(site, NOW + 2500), 0);
    // Other hosts keep delayMs only.
    p.started("cdn.example", NOW);
    assert_eq!(p.slot("cdn.example", NOW + 40), 60);
    assert_eq!(p.concurrency("cdn.example"), 2);
}

// ---------------------------------------------------------------------------------------------------------------
// Sitemaps

const URLSET: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<!-- generated -->
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>https://example.com/</loc><lastmod>2026-01-01</lastmod></url>
  <url>
    <loc>
      https://example.com/search?a=1&amp;b=2
    </loc>
  </url>
  <url><loc><![CDATA[https://example.com/cdata?x=1&y=2]]></loc></url>
  <url><loc>https://example.com/caf&#233;#frag</loc></url>
  <url><loc>/relative/not/allowed</loc></url>
  <url><loc>mailto:someone@example.com</loc></url>
  <url><loc>https://example.com/</loc></url>
  <!-- <url><loc>https://example.com/commented-out</loc></url> -->
  <image:image><image:loc>https://example.com/photo.jpg</image:loc></image:image>
</urlset>"#;

#[test]
fn a_urlset_lists_pages() {
    let mut p = policy("{}");
    let links = p.sitemap(URLSET.as_bytes(), "https://example.com/sitemap.xml");
    assert_eq!(
        links.pages,
        [
            "https://example.com/",
            "https://example.com/search?a=1&b=2",
            "https://example.com/cdata?x=1&y=2",
            "https://example.com/caf%C3%A9",
        ]
    );
    assert!(links.sitemaps.is_empty());
}

#[test]
fn a_sitemap_index_lists_sitemaps_once_per_crawl() {
    let mut p = policy("{}");
    p.robots("Sitemap: https://example.com/from-robots.xml", 200);
    let index = r#"<?xml version="1.0"?><sm:sitemapindex xmlns:sm="http://www.sitemaps.org/schemas/sitemap/0.9">
        <sm:sitemap><sm:loc>https://example.com/s1.xml.gz</sm:loc></sm:sitemap>
        <sm:sitemap><sm:loc>https://example.com/index.xml</sm:loc></sm:sitemap>
        <sm:sitemap><sm:loc>https://example.com/from-robots.xml</sm:loc></sm:sitemap>
        <sm:sitemap><sm:loc>https://example.com/s2.xml</sm:loc></sm:sitemap>
        </sm:sitemapindex>"#;
    let links = p.sitemap(index.as_bytes(), "https://example.com/index.xml");
    assert_eq!(links.sitemaps, ["https://example.com/s1.xml.gz", "https://example.com/s2.xml"]);
    assert!(links.pages.is_empty());
    // An index that lists itself or its parent again: nothing new, so the loop ends.
    let again = p.sitemap(index.as_bytes(), "https://example.com/s2.xml");
    assert!(again.sitemaps.is_empty());
    // Text sitemaps: one URL per line.
    let text =
        p.sitemap(b"https://example.com/a\r\n\r\nhttps://example.com/b\nnot a url\n", "https://example.com/s.txt");
    assert_eq!(text.pages, ["https://example.com/a", "https://example.com/b"]);
}

#[test]
fn sitemaps_stop_at_50000_urls_and_sitemap_urls_are_depth_one() {
    let urlset = |n: usize| {
        let mut xml = String::from("<urlset>");
        for i in 0..n {
            xml.push_str(&format!("<url><loc>https://example.com/p/{i}</loc></url>"));
        }
        xml.push_str("</urlset>");
        xml
    };
    let mut p = policy("{}");
    // Time 60,000 URLs against 7,500, not against a clock (CI machines differ): reading a sitemap must stay linear.
    let links = assert_linear("sitemap of n URLs", 60_000 / GROWTH, urlset, |xml| {
        p.sitemap(xml.as_bytes(), "https://example.com/big.xml")
    });
    assert_eq!(links.pages.len(), MAX_SITEMAP_URLS);
    assert_eq!(links.pages.last().unwrap(), "https://example.com/p/49999");
    // The scheduler admits sitemap URLs as found in a depth-0 "page": the sitemap.
    let from = parent("https://example.com/big.xml", 0, 0);
    let links: Vec<Link> = links.pages.iter().take(3).map(Link::page).collect();
    let found = p.admit(Some(&from), &links, NOW);
    assert!(found.iter().all(|e| e.depth == 1 && e.run == 0 && e.state == UrlState::Queued), "{found:?}");
}

// ---------------------------------------------------------------------------------------------------------------
// Traps

#[test]
fn repeated_path_segments_are_a_loop() {
    let mut p = policy("{}");
    let from = home();
    for url in [
        "https://example.com/a/b/a/b/a/b",
        "https://example.com/x/x/x",
        "https://example.com/docs/img/docs/img/docs/img/logo.png",
        &format!("https://example.com/{}", (0..31).map(|i| format!("s{i}")).collect::<Vec<_>>().join("/")),
    ] {
        assert_eq!(verdict(&page(&mut p, Some(&from), url)), "crawl/repetition", "{url}");
    }
    assert_eq!(verdict(&resource(&mut p, Some(&from), "https://example.com/y/y/y/pic.png")), "crawl/repetition");
    for url in [
        "https://example.com/a/b/a/b",
        "https://example.com/2024/01/01/new-year",
        "https://example.com/en/docs/en/",
        &format!("https://example.com/{}", (0..30).map(|i| format!("s{i}")).collect::<Vec<_>>().join("/")),
    ] {
        assert_eq!(verdict(&page(&mut p, Some(&from), url)), "queued", "{url}");
    }
}

/// Follows "next month" links from `first` for `months` steps; returns the verdicts in order.
fn follow_calendar(p: &mut CrawlPolicy, url_of: impl Fn(i64, i64) -> String, months: usize) -> Vec<String> {
    let mut from = parent("https://example.com/events/", 1, 0);
    let mut out = Vec::new();
    for i in 0..months as i64 {
        let (y, m) = (2026 + i / 12, i % 12 + 1);
        let e = page(p, Some(&from), &url_of(y, m));
        out.push(verdict(&e).to_owned());
        if e.state != UrlState::Queued {
            break;
        }
        from = parent(&e.url, e.depth, e.run);
    }
    out
}

#[test]
fn an_endless_calendar_stops_but_date_archives_pass() {
    let mut p = policy("{}");
    let steps = follow_calendar(&mut p, |y, m| format!("https://example.com/events/{y}/{m:02}/"), 100);
    assert_eq!(steps.len(), MAX_CALENDAR_RUN as usize + 2, "{steps:?}");
    assert_eq!(steps.last().unwrap(), "crawl/calendar");
    let steps = follow_calendar(&mut p, |y, m| format!("https://example.com/cal?month={m}&year={y}"), 100);
    assert_eq!(steps.last().unwrap(), "crawl/calendar");
    let steps = follow_calendar(&mut p, |y, m| format!("https://example.com/day/{y}-{m:02}-01"), 100);
    assert_eq!(steps.last().unwrap(), "crawl/calendar");

    // An archive page listing 200 months: each is one link from a page of another shape.
    let mut p = policy("{}");
    let archive = parent("https://example.com/archive/", 1, 0);
    let months: Vec<Link> =
        (0..200).map(|i| Link::page(format!("https://example.com/{}/{:02}/", 2010 + i / 12, i % 12 + 1))).collect();
    let found = p.admit(Some(&archive), &months, NOW);
    assert!(
        found.iter().all(|e| e.state == UrlState::Queued && e.run == 0),
        "{:?}",
        found.iter().find(|e| e.reason.is_some())
    );
}

#[test]
fn implausible_years_are_a_calendar() {
    let mut p = policy("{}");
    let from = home();
    for (url, expected) in [
        ("https://example.com/events/2028/12/", "queued"),
        ("https://example.com/events/2029/01/", "crawl/calendar"),
        ("https://example.com/events/1899/12/", "crawl/calendar"),
        ("https://example.com/events/1900/01/", "queued"),
        ("https://example.com/cal?year=3000&month=1", "crawl/calendar"),
        ("https://example.com/day/2100-01-01", "crawl/calendar"),
        ("https://example.com/history/1066-10-14", "crawl/calendar"),
        // Not dates: product and topic ids, versions, sizes.
        ("https://example.com/product/1234/5", "queued"),
        ("https://example.com/t/some-topic/3000/12", "queued"),
        ("https://example.com/files/v2.3000.05", "queued"),
        ("https://example.com/img?w=3000&h=12", "queued"),
    ] {
        assert_eq!(verdict(&page(&mut p, Some(&from), url)), expected, "{url}");
    }
    let e = page(&mut p, Some(&from), "https://example.com/events/2400/01/");
    assert_eq!(e.reason.as_deref(), Some("crawl/calendar: a date in 2400, outside 1900–2028 (an endless calendar?)"));
}

#[test]
fn big_listings_and_long_pagination_are_not_traps() {
    let mut p = policy("{}");
    let listing = parent("https://example.com/products", 1, 0);
    let products: Vec<Link> = (1..=5000).map(|i| Link::page(format!("https://example.com/product/{i}"))).collect();
    let found = p.admit(Some(&listing), &products, NOW);
    assert_eq!(found.iter().filter(|e| e.state == UrlState::Queued).count(), 5000);
    // Related-product links chain pages of one shape: runs grow, but products are not dates.
    let mut from = parent("https://example.com/product/1", 2, 0);
    for i in 0..50 {
        let e = page(&mut p, Some(&from), &format!("https://example.com/product/{}/related", 1 + i));
        assert_eq!(verdict(&e), "queued");
        from = parent(&e.url, 2, e.run);
    }
    assert_eq!(from.run, 49);

    let mut from = parent("https://example.com/blog/", 1, 0);
    for n in 2..=40 {
        let e = page(&mut p, Some(&from), &format!("https://example.com/blog/page/{n}"));
        assert_eq!(verdict(&e), "queued", "page {n}");
        assert_eq!(e.run, if n == 2 { 0 } else { n - 2 });
        from = parent(&e.url, 1, e.run);
    }
}

#[test]
fn too_many_query_strings_for_one_path_are_an_explosion() {
    let mut p = policy("{}");
    let from = parent("https://example.com/shop", 1, 0);
    let filters: Vec<Link> =
        (0..150).map(|i| Link::page(format!("https://example.com/shop?color={}&size={}", i % 10, i / 10))).collect();
    let found = p.admit(Some(&from), &filters, NOW);
    assert_eq!(found.iter().filter(|e| e.state == UrlState::Queued).count(), MAX_QUERIES_PER_PATH as usize);
    assert_eq!(verdict(&found[100]), "crawl/query-explosion");
    assert_eq!(verdict(&page(&mut p, Some(&from), "https://example.com/shop")), "queued");
    assert_eq!(verdict(&page(&mut p, Some(&from), "https://example.com/cart?x=1")), "queued");
    assert_eq!(verdict(&resource(&mut p, Some(&from), "https://example.com/shop?thumb=1")), "queued");
}

// ---------------------------------------------------------------------------------------------------------------
// Resuming

#[test]
fn a_resumed_crawl_admits_nothing_twice_and_keeps_its_limits() {
    let json = r#"{"maxPages": 10}"#;
    let mut first = policy(json);
    let mut persisted = first.admit(None, &[Link::page(START)], NOW);
    let from = home();
    let links: Vec<Link> = (0..6)
        .map(|i| Link::page(format!("https://example.com/list?page={i}")))
        .chain([Link::resource("https://example.com/a.css"), Link::page("https://other.example/")])
        .collect();
    persisted.extend(first.admit(Some(&from), &links, NOW));
    // Some were fetched before the worker stopped.
    persisted[1].state = UrlState::Done;
    persisted[2].state = UrlState::Failed;

    let mut resumed = policy(json);
    resumed.seed(&persisted);
    resumed.seed(&persisted); // twice is harmless
    assert!(resumed.admit(Some(&from), &links, NOW).is_empty());
    assert!(resumed.admit(None, &[Link::page(START)], NOW).is_empty());
    // 7 pages counted (start + 6; the skipped one not): 3 more fit.
    let more: Vec<Link> = (0..5).map(|i| Link::page(format!("https://example.com/more/{i}"))).collect();
    let found = resumed.admit(Some(&from), &more, NOW);
    let verdicts: Vec<_> = found.iter().map(verdict).collect();
    assert_eq!(verdicts, ["queued", "queued", "queued", "crawl/max-pages", "crawl/max-pages"]);
}

#[test]
fn seeding_rebuilds_the_query_counter() {
    let mut first = policy("{}");
    let from = parent("https://example.com/shop", 1, 0);
    let links: Vec<Link> = (0..100).map(|i| Link::page(format!("https://example.com/shop?f={i}"))).collect();
    let persisted = first.admit(Some(&from), &links, NOW);
    let mut resumed = policy("{}");
    resumed.seed(&persisted);
    assert_eq!(verdict(&page(&mut resumed, Some(&from), "https://example.com/shop?f=new")), "crawl/query-explosion");
}

// ---------------------------------------------------------------------------------------------------------------
// Pacing and outcomes

fn result(status: Option<u16>, error: Option<FetchError>, attempt: u32, now: u64) -> FetchResult {
    FetchResult { status, error, retry_after: None, elapsed_ms: 200, attempt, now }
}

fn ok(p: &mut CrawlPolicy, host: &str, now: u64, elapsed_ms: u64) -> Decision {
    p.finished(host, &FetchResult { elapsed_ms, ..result(Some(200), None, 1, now) })
}

fn finish(p: &mut CrawlPolicy, host: &str, status: Option<u16>, error: Option<FetchError>, attempt: u32) -> Decision {
    p.started(host, NOW);
    p.finished(host, &result(status, error, attempt, NOW))
}

#[test]
fn concurrency_grows_on_quick_successes_and_halves_under_pressure() {
    let mut p = policy(r#"{"maxConcurrency": 5}"#);
    let h = "example.com";
    assert_eq!((p.concurrency(h), p.slot(h, NOW)), (2, 0));
    p.started(h, NOW);
    p.started(h, NOW);
    assert_eq!(p.slot(h, NOW), -1);
    let d = ok(&mut p, h, NOW + 300, 300);
    assert_eq!(d, Decision { action: Action::Done, store: true, delay_ms: 0, reason: None });
    assert_eq!(p.concurrency(h), 3);
    assert_eq!(p.slot(h, NOW + 300), 0);
    for _ in 0..10 {
        p.started(h, NOW);
        ok(&mut p, h, NOW, 10);
    }
    assert_eq!(p.concurrency(h), 5, "capped at maxConcurrency");
    p.started(h, NOW);
    ok(&mut p, h, NOW, 5000);
    assert_eq!(p.concurrency(h), 5, "slow successes neither raise nor lower");
    p.started(h, NOW);
    p.finished(h, &result(Some(503), None, 1, NOW));
    assert_eq!(p.concurrency(h), 2);
    assert_eq!(finish(&mut p, h, None, Some(FetchError::Timeout), 1).action, Action::Retry);
    assert_eq!(p.concurrency(h), 1);
    assert_eq!(finish(&mut p, h, None, Some(FetchError::Timeout), 1).action, Action::Retry);
    assert_eq!(p.concurrency(h), 1, "never below one");
    assert_eq!(p.concurrency("other.example"), 2, "hosts are paced separately");
    assert_eq!(CrawlPolicy::new(START, opts(r#"{"maxConcurrency": 1}"#)).unwrap().concurrency(h), 1);
}

#[test]
fn at_the_browsers_connection_cap_requests_queue_in_the_browser_not_in_the_worker() {
    let mut p = policy("{}"); // maxConcurrency 6: Chromium's own cap per host
    let h = "example.com";
    for _ in 0..10 {
        p.started(h, NOW);
        ok(&mut p, h, NOW, 10);
    }
    assert_eq!(p.concurrency(h), 6);
    for _ in 0..12 {
        assert_eq!(p.slot(h, NOW), 0);
        p.started(h, NOW);
    }
    assert_eq!(p.slot(h, NOW), -1, "6 connections + 6 waiting for one");
    // Below the cap, every request in flight is a connection: no extra.
    let mut q = policy(r#"{"maxConcurrency": 4}"#);
    for _ in 0..10 {
        q.started(h, NOW);
        ok(&mut q, h, NOW, 10);
    }
    for _ in 0..4 {
        q.started(h, NOW);
    }
    assert_eq!(q.slot(h, NOW), -1);
    // A host backed off under pressure loses the extra at once.
    p.finished(h, &result(Some(503), None, 1, NOW));
    assert_eq!(p.concurrency(h), 3);
    assert_eq!(p.slot(h, NOW + 200_000), -1, "after the pause: 11 in flight, limit 3");
}

#[test]
fn overload_pauses_the_host_and_retries_with_backoff() {
    let mut p = policy("{}"); // maxRetries 2
    let h = "example.com";
    for (attempt, delay) in [(1, 1000), (2, 2000)] {
        let d = finish(&mut p, h, Some(429), None, attempt);
        assert_eq!((d.action, d.store, d.delay_ms), (Action::Retry, false, delay), "attempt {attempt}");
        assert_eq!(code_of(d.reason.as_deref().unwrap()), "crawl/http-429");
        assert_eq!(p.slot(h, NOW), delay as i64, "the host is paused, not just the URL");
    }
    let d = finish(&mut p, h, Some(503), None, 3);
    assert_eq!((d.action, d.store, d.delay_ms), (Action::Failed, true, 0));
    assert_eq!(d.reason.as_deref(), Some("crawl/http-503: the server answered 503 Service Unavailable (3 attempts)"));

    // Retry-After in seconds or as an HTTP date, capped at two minutes.
    let mut p = policy(r#"{"maxRetries": 5}"#);
    for (value, expected) in [
        ("7", 7000),
        ("0", 0),
        ("86400", MAX_PAUSE_MS),
        ("Thu, 28 May 2026 20:27:10 GMT", 30_000), // NOW + 30 s
        ("Thu, 01 Jan 2026 00:00:00 GMT", 0),      // in the past
        ("whenever", 4000),                        // unreadable: backoff for attempt 3
    ] {
        p.started(h, NOW);
        let r = FetchResult { retry_after: Some(value.into()), ..result(Some(503), None, 3, NOW) };
        let d = p.finished(h, &r);
        assert_eq!((d.action, d.delay_ms), (Action::Retry, expected), "Retry-After: {value}");
    }
    let d = finish(&mut p, h, Some(429), None, 5);
    assert_eq!(d.delay_ms, 16_000);
    assert_eq!(finish(&mut p, h, Some(429), None, 6).action, Action::Failed);
}

/// (status, error, attempt) → (action, store, delayMs, reason code).
type Outcome = (Option<u16>, Option<FetchError>, u32, Action, bool, u64, Option<&'static str>);

#[test]
fn every_outcome_maps_to_an_action() {
    let mut p = policy("{}");
    let h = "example.com";
    let cases: &[Outcome] = &[
        (Some(200), None, 1, Action::Done, true, 0, None),
        (Some(204), None, 2, Action::Done, true, 0, None),
        (Some(301), None, 1, Action::Done, true, 0, None),
        (Some(304), None, 1, Action::Done, true, 0, None),
        (Some(404), None, 1, Action::Failed, true, 0, Some("crawl/http-404")),
        (Some(403), None, 1, Action::Failed, true, 0, Some("crawl/http-403")),
        (Some(410), None, 1, Action::Failed, true, 0, Some("crawl/http-410")),
        (Some(500), None, 1, Action::Retry, false, 1000, Some("crawl/http-500")),
        (Some(500), None, 2, Action::Failed, true, 0, Some("crawl/http-500")),
        (Some(502), None, 1, Action::Retry, false, 1000, Some("crawl/http-502")),
        (Some(504), None, 2, Action::Failed, true, 0, Some("crawl/http-504")),
        (Some(501), None, 1, Action::Failed, true, 0, Some("crawl/http-501")),
        (Some(999), None, 1, Action::Failed, true, 0, Some("crawl/http-999")),
        (None, Some(FetchError::Timeout), 1, Action::Retry, false, 1000, Some("crawl/timeout")),
        (None, Some(FetchError::Timeout), 2, Action::Retry, false, 2000, Some("crawl/timeout")),
        (None, Some(FetchError::Timeout), 3, Action::Failed, false, 0, Some("crawl/timeout")),
        (None, Some(FetchError::Network), 1, Action::Retry, false, 1000, Some("crawl/network")),
        (None, Some(FetchError::Network), 2, Action::Failed, false, 0, Some("crawl/network")),
        (Some(0), None, 2, Action::Failed, false, 0, Some("crawl/network")),
        (None, None, 2, Action::Failed, false, 0, Some("crawl/network")),
        (None, Some(FetchError::RedirectLoop), 1, Action::Failed, false, 0, Some("crawl/redirect-loop")),
        (None, Some(FetchError::TooLarge), 1, Action::Skipped, false, 0, Some("crawl/too-large")),
        (Some(200), Some(FetchError::TooLarge), 1, Action::Skipped, false, 0, Some("crawl/too-large")),
        (None, Some(FetchError::Aborted), 1, Action::Retry, false, 0, None),
        (None, Some(FetchError::Aborted), 9, Action::Retry, false, 0, None),
    ];
    for &(status, error, attempt, action, store, delay, code) in cases {
        let d = finish(&mut p, h, status, error, attempt);
        let label = format!("{status:?} {error:?} attempt {attempt}");
        assert_eq!((d.action, d.store, d.delay_ms), (action, store, delay), "{label}: {d:?}");
        assert_eq!(d.reason.as_deref().map(code_of), code, "{label}");
    }
    assert_eq!(
        finish(&mut p, h, Some(404), None, 1).reason.as_deref(),
        Some("crawl/http-404: the server answered 404 Not Found")
    );
    assert!(finish(&mut p, h, None, Some(FetchError::TooLarge), 1).reason.unwrap().contains("33554432-byte"));

    // No retries at all when maxRetries is 0.
    let mut p = policy(r#"{"maxRetries": 0}"#);
    for (status, error) in
        [(Some(503), None), (Some(500), None), (None, Some(FetchError::Timeout)), (None, Some(FetchError::Network))]
    {
        assert_eq!(finish(&mut p, h, status, error, 1).action, Action::Failed, "{status:?} {error:?}");
    }
}

#[test]
fn delay_ms_spaces_request_starts() {
    let mut p = policy(r#"{"delayMs": 500, "maxConcurrency": 4}"#);
    let h = "example.com";
    assert_eq!(p.slot(h, NOW), 0);
    p.started(h, NOW);
    assert_eq!(p.slot(h, NOW + 200), 300);
    assert_eq!(p.slot(h, NOW + 500), 0);
    p.started(h, NOW + 500);
    assert_eq!(p.slot(h, NOW + 500), -1, "at the limit of 2");
    ok(&mut p, h, NOW + 600, 100);
    assert_eq!(p.slot(h, NOW + 600), 400);
    // A pause outranks the concurrency limit: the scheduler must wait for it either way.
    p.started(h, NOW + 1000);
    p.started(h, NOW + 1000);
    p.finished(h, &FetchResult { retry_after: Some("3".into()), ..result(Some(429), None, 1, NOW + 1000) });
    assert_eq!(p.slot(h, NOW + 1000), 3000);
}

#[test]
fn add_bytes_reports_the_byte_budget() {
    let mut p = policy(r#"{"maxBytes": 1000}"#);
    assert!(p.add_bytes(600));
    assert!(p.add_bytes(400));
    assert!(!p.add_bytes(1));
    assert!(!p.add_bytes(0));
    assert!(!p.add_bytes(u64::MAX));
}

#[test]
fn reasons_carry_stable_codes() {
    let codes = [
        reason::OUT_OF_SCOPE,
        reason::EXCLUDED,
        reason::ROBOTS,
        reason::LOGOUT,
        reason::STATE_CHANGING,
        reason::PRIVATE_ADDRESS,
        reason::URL_TOO_LONG,
        reason::REPETITION,
        reason::CALENDAR,
        reason::QUERY_EXPLOSION,
        reason::MAX_DEPTH,
        reason::MAX_PAGES,
        reason::MAX_BYTES,
        reason::TOO_LARGE,
        reason::TIMEOUT,
        reason::NETWORK,
        reason::REDIRECT_LOOP,
    ];
    assert!(codes.iter().all(|c| c.starts_with("crawl/") && !c.contains(' ')));
    assert_eq!(reason::http(404), "crawl/http-404");
    assert_eq!(code_of("crawl/robots: robots.txt disallows it (Disallow: /a: b)"), "crawl/robots");
}

// ---------------------------------------------------------------------------------------------------------------
// Hostile input

#[test]
fn garbage_never_panics() {
    let mut rng = Rng(0x5eed_c4a1);
    let tokens: &[&str] = &[
        "<",
        ">",
        "</",
        "/>",
        "<url>",
        "</url>",
        "<loc>",
        "</loc>",
        "<sitemap>",
        "<![CDATA[",
        "]]>",
        "<!--",
        "-->",
        "<?",
        "?>",
        "&",
        "&amp;",
        "&#",
        "&#x",
        ";",
        "https://example.com/",
        "http://",
        "a",
        "/",
        "*",
        "$",
        "%",
        "%e3",
        "?",
        "#",
        ":",
        "\n",
        "\r",
        " ",
        "User-agent:",
        "Disallow:",
        "Allow:",
        "Crawl-delay:",
        "Sitemap:",
        "ツ",
        "\u{0}",
        "2024",
        "-05",
        "/2024/05",
        "logout",
        "..",
        "//",
        "?year=",
        "9999",
    ];
    let mut p = policy(r#"{"externalPages": true, "include": ["*a*b*", "*"], "exclude": ["*/x*y*z"]}"#);
    for case in 0..3000 {
        let mut text = String::new();
        for _ in 0..rng.below(80) {
            text.push_str(tokens[rng.below(tokens.len())]);
        }
        let mut bytes = text.clone().into_bytes();
        if rng.below(4) == 0 && !bytes.is_empty() {
            let at = rng.below(bytes.len());
            bytes[at] = rng.next() as u8;
        }
        let status = [0u16, 200, 404, 503, 999][rng.below(5)];
        let info = p.robots(&text, status);
        assert!(info.sitemaps.iter().all(|s| s.starts_with("http")), "case {case}");
        let links = p.sitemap(&bytes, "https://example.com/s.xml");
        assert!(links.pages.iter().chain(&links.sitemaps).all(|u| u.starts_with("http")), "case {case}");
        let from = parent(&text, rng.below(30) as u32, rng.below(30) as u32);
        let url = format!("https://example.com/{text}");
        let found = p.admit(Some(&from), &[Link::page(url.as_str()), Link::resource(text.as_str())], NOW);
        for e in found {
            assert!(e.state == UrlState::Queued || code_of(e.reason.as_deref().unwrap()).starts_with("crawl/"));
        }
        p.started(&text, NOW);
        let r = FetchResult {
            status: Some(rng.next() as u16),
            error: None,
            retry_after: Some(text.clone()),
            elapsed_ms: rng.next() % 5000,
            attempt: rng.next() as u32,
            now: rng.next(),
        };
        p.finished(&text, &r);
        let _ = p.slot(&text, rng.next());
    }
}

#[test]
fn huge_pathological_input_finishes_fast() {
    // Each input is timed at its full size against an eighth of it, not against a clock (CI machines differ):
    // what must not happen is work that grows quadratically (or worse) with the input.
    let mut p = policy("{}");
    let inputs: [Case; 6] = [
        ("n × &", 32 << 20, |n| "&".repeat(n)),
        ("n × <", 32 << 20, |n| "<".repeat(n)),
        ("<loc> and n × &amp;", 6 << 20, |n| format!("<urlset><url><loc>{}", "&amp;".repeat(n))),
        ("<loc> and n × a", 32 << 20, |n| format!("<urlset><url><loc>{}", "a".repeat(n))),
        ("<!-- and n × -", 10 << 20, |n| format!("<!--{}", "-".repeat(n))),
        ("n × <url>", 100_000, |n| "<url><loc>https://example.com/</loc></url>".repeat(n)),
    ];
    for (what, n, input) in inputs {
        let links = assert_linear(&format!("sitemap of {what}"), n / GROWTH, input, |input| {
            p.sitemap(input.as_bytes(), "https://example.com/s.xml")
        });
        assert!(links.pages.len() <= 1);
    }
    // robots.txt with n wildcard rules (20,000 are cut to the 500 KiB read, about 14,000), each tried on a
    // 2,000-character path. A new policy each time: a URL is admitted once per crawl.
    let robots = |n: usize| format!("User-agent: *\n{}", "Disallow: /*a*a*a*a*a*a*a*a*a*a*b\n".repeat(n));
    let found = assert_linear("robots.txt of n wildcard rules", 20_000 / GROWTH, robots, |robots| {
        let mut p = policy("{}");
        p.robots(robots, 200);
        p.admit(None, &[Link::page(format!("https://example.com/{}", "a".repeat(2000)))], NOW)
    });
    assert_eq!(found[0].state, UrlState::Queued, "{:?}", found[0].reason);
    // An exclude pattern of 500 wildcards tried on URLs of n characters (at most 2,048 are matched). Admitting one
    // URL takes microseconds, so each run admits 500 of them.
    let pattern = format!("{}b", "*a".repeat(500));
    let options = format!(r#"{{"exclude": ["{pattern}"]}}"#);
    let urls = |n: usize| -> Vec<Link> {
        (0..500).map(|i| Link::page(format!("https://example.com/{i}/{}", "a".repeat(n)))).collect()
    };
    assert_linear("exclude pattern on URLs of n characters", 2000 / GROWTH, urls, |links| {
        policy(&options).admit(None, links, NOW)
    });
}

/// Issue 11 item 7: `/item/1/delete`, `/unsubscribe` and `?action=delete` were fetched with the user's cookies
/// (only seven logout words were filtered, and only on pages).
#[test]
fn state_changing_links_are_not_followed_unless_asked() {
    let mut p = policy("{}");
    let from = home();
    for url in [
        "https://example.com/item/1/delete",
        "https://example.com/newsletter/unsubscribe?u=7",
        "https://example.com/index.php?action=delete&page=Main",
        "https://example.com/wiki/Main?do=revoke",
        "https://example.com/api/tokens/3/Revoke",
        "https://example.com/account/deactivate",
        "https://example.com/posts/9/destroy",
        "https://example.com/cart/remove?id=3",
        "https://example.com/x?cmd=purge",
    ] {
        assert_eq!(verdict(&page(&mut p, Some(&from), url)), "crawl/state-changing", "{url}");
    }
    for url in ["https://example.com/auth/log-off", "https://example.com/Sign_Off"] {
        assert_eq!(verdict(&page(&mut p, Some(&from), url)), "crawl/logout", "{url}");
    }
    // Words inside other words, and read-only actions, are fine.
    for url in [
        "https://example.com/deleted-scenes",
        "https://example.com/removable-media",
        "https://example.com/index.php?action=history",
        "https://example.com/doku.php?do=index",
        "https://example.com/w?action=view",
        "https://example.com/archive/2024",
    ] {
        assert_eq!(verdict(&page(&mut p, Some(&from), url)), "queued", "{url}");
    }
    // A resource that would act on a GET is a link like any other; a static file is not.
    assert_eq!(verdict(&resource(&mut p, Some(&from), "https://example.com/item/2/delete")), "crawl/state-changing");
    assert_eq!(verdict(&resource(&mut p, Some(&from), "https://example.com/logout?pixel=1")), "crawl/logout");
    assert_eq!(verdict(&resource(&mut p, Some(&from), "https://example.com/icons/delete.svg")), "queued");
    let mut p = policy(r#"{"followLogout": true}"#);
    assert_eq!(verdict(&page(&mut p, Some(&from), "https://example.com/item/1/delete")), "queued");
}

/// Issue 11 item 1: a mirrored site decided which hosts got the user's cookies and could point the crawl at the
/// user's own network (`<img src="http://192.168.1.1/apply.cgi?reboot=1">`, `Sitemap: http://localhost:8080/`).
#[test]
fn cookies_go_only_to_the_site_and_private_hosts_are_refused_for_a_public_site() {
    let mut p = policy("{}");
    let from = home();
    for url in [
        "http://192.168.1.1/apply.cgi?reboot=1",
        "http://localhost:8080/admin/export",
        "http://127.0.0.1/x.png",
        "http://[::1]/x.png",
        "http://10.0.0.8/a.css",
        "http://printer.local/status",
        "http://router/",
        "http://[fd00::1]/x",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::ffff:192.168.0.1]/x",
        "http://0.0.0.0:631/",
    ] {
        assert_eq!(verdict(&resource(&mut p, Some(&from), url)), "crawl/private-address", "{url}");
        assert!(p.request(url).unwrap_err().starts_with("crawl/private-address: "), "{url}");
    }
    // The site's own origin: the user's cookies, in the site's own address space.
    let own = p.request("https://example.com/account").unwrap();
    assert_eq!((own.credentials, own.target_address_space), ("include", "public"));
    // Any other origin, same host on another scheme included: no cookies, public addresses only.
    for url in ["https://cdn.example.net/a.css", "http://example.com/x", "https://bank.example/transfer?to=me"] {
        let plan = p.request(url).unwrap();
        assert_eq!((plan.credentials, plan.target_address_space), ("omit", "public"), "{url}");
    }
    // An intranet site may fetch its own origin, in its own space — and only that.
    let mut wiki = CrawlPolicy::new("http://wiki.internal/", opts("{}")).unwrap();
    wiki.set_site_space(sitemirror::net::AddressSpace::Local);
    let own = wiki.request("http://wiki.internal/page").unwrap();
    assert_eq!((own.credentials, own.target_address_space), ("include", "local"));
    assert!(wiki.request("http://files.internal/a.png").is_err());
    let cdn = wiki.request("https://cdn.example.net/a.css").unwrap();
    assert_eq!((cdn.credentials, cdn.target_address_space), ("omit", "public"));
}
