//! Sitemaps (sitemaps.org): the page URLs of a `<urlset>` and the sitemap URLs of a `<sitemapindex>`, or the
//! lines of a plain-text sitemap.
//!
//! Not an XML parser: a single forward scan that only understands what sitemaps use (elements, comments,
//! CDATA, processing instructions, the five XML entities and numeric references). Anything malformed is skipped
//! over, never an error: a sitemap only adds URLs to a crawl that has the start page anyway.

use crate::url::{canonical_key, is_mirrorable};
use std::collections::HashSet;

/// The protocol's limit of URLs in one sitemap file; more are ignored.
pub const MAX_SITEMAP_URLS: usize = 50_000;
/// A `<loc>` longer than this is not a URL anyone means (the protocol says under 2,048 characters).
const MAX_LOC_BYTES: usize = 8192;

/// What a sitemap lists: absolute http(s) URLs as canonical keys, in document order, without duplicates.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct SitemapLinks {
    pub pages: Vec<String>,
    pub sitemaps: Vec<String>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Container {
    None,
    Url,
    Sitemap,
}

struct Collector {
    links: SitemapLinks,
    seen: HashSet<String>,
}

impl Collector {
    fn full(&self) -> bool {
        self.links.pages.len() + self.links.sitemaps.len() >= MAX_SITEMAP_URLS
    }

    fn add(&mut self, loc: &str, sitemap: bool) {
        let Ok(url) = url::Url::parse(loc.trim()) else { return };
        if !is_mirrorable(&url) || self.full() {
            return;
        }
        let key = canonical_key(&url);
        if self.seen.insert(key.clone()) {
            if sitemap { &mut self.links.sitemaps } else { &mut self.links.pages }.push(key);
        }
    }
}

/// Reads a sitemap (already decompressed).
pub fn parse(body: &[u8]) -> SitemapLinks {
    let text = String::from_utf8_lossy(body);
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let mut out = Collector { links: SitemapLinks::default(), seen: HashSet::new() };
    if text.trim_start().starts_with('<') {
        scan_xml(text, &mut out);
    } else {
        // The protocol's text format: one URL per line.
        for line in text.lines() {
            if out.full() {
                break;
            }
            out.add(line, false);
        }
    }
    out.links
}

fn local_name(tag: &str) -> &str {
    let name = tag.split(|c: char| c.is_ascii_whitespace() || c == '/' || c == '>').next().unwrap_or("");
    name.rsplit(':').next().unwrap_or(name)
}

fn scan_xml(text: &str, out: &mut Collector) {
    let mut container = Container::None;
    let mut loc: Option<String> = None;
    let mut rest = text;
    while !out.full() {
        let Some(lt) = rest.find('<') else { break };
        if let Some(buf) = loc.as_mut() {
            push_decoded(buf, &rest[..lt]);
        }
        rest = &rest[lt..];
        if let Some(after) = rest.strip_prefix("<![CDATA[") {
            let end = after.find("]]>").unwrap_or(after.len());
            if let Some(buf) = loc.as_mut() {
                buf.push_str(&after[..end]);
            }
            rest = after.get(end + 3..).unwrap_or("");
        } else if let Some(after) = rest.strip_prefix("<!--") {
            rest = after.find("-->").map_or("", |end| &after[end + 3..]);
        } else if let Some(after) = rest.strip_prefix("<?") {
            rest = after.find("?>").map_or("", |end| &after[end + 2..]);
        } else {
            let Some(gt) = rest.find('>') else { break };
            let tag = &rest[1..gt];
            rest = &rest[gt + 1..];
            if tag.starts_with('!') {
                continue; // DOCTYPE
            }
            if let Some(name) = tag.strip_prefix('/') {
                match local_name(name) {
                    n if n.eq_ignore_ascii_case("loc") => {
                        if let Some(buf) = loc.take() {
                            if container != Container::None {
                                out.add(&buf, container == Container::Sitemap);
                            }
                        }
                    }
                    n if n.eq_ignore_ascii_case("url") || n.eq_ignore_ascii_case("sitemap") => {
                        container = Container::None;
                    }
                    _ => {}
                }
            } else {
                let name = local_name(tag);
                if name.eq_ignore_ascii_case("url") {
                    container = Container::Url;
                } else if name.eq_ignore_ascii_case("sitemap") {
                    container = Container::Sitemap;
                } else if name.eq_ignore_ascii_case("loc") && !tag.ends_with('/') {
                    loc = Some(String::new());
                }
            }
        }
        if loc.as_ref().is_some_and(|b| b.len() > MAX_LOC_BYTES) {
            loc = None;
        }
    }
}

/// Appends XML text with its entity and character references decoded (unknown ones are kept as written).
fn push_decoded(out: &mut String, text: &str) {
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        // Only a short window is searched for the ';', so text full of '&' stays linear.
        let semi = rest.bytes().take(13).position(|b| b == b';');
        let decoded = semi.and_then(|e| rest.get(1..e)).and_then(|name| match name {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => {
                let n = name.strip_prefix('#')?;
                let code = match n.strip_prefix(['x', 'X']) {
                    Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                    None => n.parse().ok()?,
                };
                char::from_u32(code)
            }
        });
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[semi.expect("a decoded reference ends with ';'") + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
}

#[cfg(test)]
mod tests {
    use super::push_decoded;

    #[test]
    fn entities() {
        let mut s = String::new();
        push_decoded(&mut s, "a&amp;b&lt;&#65;&#x42;&bogus;&&#xZZ;&#1114112;");
        assert_eq!(s, "a&b<AB&bogus;&&#xZZ;&#1114112;");
    }
}
