//! Sitemaps, through `CrawlPolicy::sitemap`.
//!
//! Input: one flag byte, then bytes. Flags bit 0 clear: the bytes are the sitemap. Set: they are a list of URL
//! candidates (one per line), written by the target into a `<urlset>`/`<sitemapindex>` or a text sitemap with
//! the spellings real files use (entities, character references, CDATA, comments, namespace prefixes, upper
//! case, padding), chosen by the other flag bits and each line's first byte.
//!
//! Invariants: no panic; pages and sitemaps are absolute http(s) canonical keys, each listed once (in either
//! list), at most 50,000, and the sitemap itself is never listed; for a written sitemap, the result is exactly
//! the candidates that parse as mirrorable URLs, in order, without repeats.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sitemirror::crawl::{CrawlOptions, CrawlPolicy, SitemapLinks, MAX_SITEMAP_URLS};
use sitemirror::url::{canonical_key, is_mirrorable};
use sitemirror_fuzz::{check_link_list, Rng};
use std::collections::HashSet;

const SITEMAP_URL: &str = "https://example.com/sitemap.xml";

fn escape(s: &str, rng: &mut Rng) -> String {
    let mut out = String::new();
    for c in s.chars() {
        match (c, rng.below(4)) {
            ('&', 0) => out.push_str("&#38;"),
            ('&', _) => out.push_str("&amp;"),
            ('<', 0) => out.push_str("&#x3C;"),
            ('<', _) => out.push_str("&lt;"),
            ('>', _) => out.push_str("&gt;"),
            ('\'', 0) => out.push_str("&apos;"),
            ('"', 0) => out.push_str("&quot;"),
            (c, 0) if c.is_ascii_alphanumeric() => out.push_str(&format!("&#{};", u32::from(c))),
            (c, _) => out.push(c),
        }
    }
    out
}

/// Writes `candidates` as a sitemap; returns it and what it must give (pages, sitemaps).
fn write(flags: u8, candidates: &[(u8, &str)]) -> (String, SitemapLinks) {
    let mut rng = Rng::new(u64::from(flags));
    let mut expected = SitemapLinks::default();
    let mut seen = HashSet::new();
    let index = flags & 2 != 0;
    let text_format = flags & 4 != 0;
    let ns = if flags & 8 != 0 { "sm:" } else { "" };
    let tag = |name: &str, upper: bool| {
        let name = format!("{ns}{name}");
        if upper {
            name.to_ascii_uppercase()
        } else {
            name
        }
    };
    let mut doc = String::new();
    if text_format {
        for (_, c) in candidates {
            doc.push_str(c);
            doc.push_str(if rng.below(2) == 0 { "\n" } else { "\r\n" });
        }
    } else {
        let root = if index { "sitemapindex" } else { "urlset" };
        let item = if index { "sitemap" } else { "url" };
        doc.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- generated -->\n");
        doc.push_str(&format!(
            "<{} xmlns{}=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
            tag(root, false),
            if ns.is_empty() { "" } else { ":sm" }
        ));
        for &(style, c) in candidates {
            let upper = style & 1 != 0;
            let loc = match style >> 1 & 3 {
                0 => escape(c, &mut rng),
                1 if !c.contains("]]>") => format!("<![CDATA[{c}]]>"),
                2 => format!("\n   {}  \t", escape(c, &mut rng)),
                _ => {
                    let mid = c.char_indices().nth(c.chars().count() / 2).map_or(0, |(i, _)| i);
                    format!("{}<!-- x -->{}", escape(&c[..mid], &mut rng), escape(&c[mid..], &mut rng))
                }
            };
            let item_tag = tag(item, upper);
            let loc_tag = tag("loc", style & 8 != 0);
            doc.push_str(&format!(
                "  <{item_tag}>\n    <{loc_tag}>{loc}</{loc_tag}>\n    <{m}>2024-01-01</{m}>\n  </{item_tag}>\n",
                m = tag("lastmod", false)
            ));
        }
        doc.push_str(&format!("</{}>\n", tag(root, false)));
    }
    for (_, c) in candidates {
        let Ok(url) = url::Url::parse(c) else { continue };
        if !is_mirrorable(&url) {
            continue;
        }
        let key = canonical_key(&url);
        if key == SITEMAP_URL && index && !text_format {
            continue;
        }
        if seen.insert(key.clone()) {
            if index && !text_format { &mut expected.sitemaps } else { &mut expected.pages }.push(key);
        }
    }
    (doc, expected)
}

fn policy() -> CrawlPolicy {
    CrawlPolicy::new("https://example.com/", CrawlOptions::default()).expect("a valid start")
}

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else { return };
    let mut policy = policy();
    if flags & 1 == 0 {
        let links = policy.sitemap(rest, SITEMAP_URL);
        check_link_list("page", &links.pages);
        check_link_list("sitemap", &links.sitemaps);
        let pages: HashSet<&String> = links.pages.iter().collect();
        assert!(links.sitemaps.iter().all(|s| !pages.contains(s)), "a URL is listed as page and as sitemap");
        assert!(links.pages.len() + links.sitemaps.len() <= MAX_SITEMAP_URLS);
        assert!(!links.sitemaps.iter().any(|s| s == SITEMAP_URL), "the sitemap lists itself");
        return;
    }
    let text = String::from_utf8_lossy(rest);
    let candidates: Vec<(u8, &str)> = text
        .lines()
        .map(|l| {
            let style = l.bytes().next().unwrap_or(0);
            // Without the padding the reader trims, and without a byte order mark, which it takes off the file.
            let padding = |c: char| c.is_whitespace() || c.is_control() || c == '\u{feff}';
            (style, l.get(1..).unwrap_or("").trim_matches(padding))
        })
        .filter(|(_, c)| !c.is_empty() && c.len() < 2000 && !c.starts_with('<'))
        .take(200)
        .collect();
    let (doc, expected) = write(flags, &candidates);
    let links = policy.sitemap(doc.as_bytes(), SITEMAP_URL);
    assert_eq!(links, expected, "the sitemap written was read otherwise:\n{doc}");
});
