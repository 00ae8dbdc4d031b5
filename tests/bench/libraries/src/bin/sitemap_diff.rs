//! Differential: sitemirror's sitemap scan vs quick-xml on generated sitemaps, whole and cut short.
use quick_xml::events::Event;
use sitemirror::crawl::{CrawlOptions, CrawlPolicy};

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 { self.0 ^= self.0 << 13; self.0 ^= self.0 >> 7; self.0 ^= self.0 << 17; self.0 }
    fn below(&mut self, n: usize) -> usize { (self.next() % n as u64) as usize }
}

fn ours(body: &[u8]) -> (Vec<String>, Vec<String>) {
    let mut p = CrawlPolicy::new("https://example.com/", CrawlOptions::default()).unwrap();
    let l = p.sitemap(body, "https://example.com/sitemap.xml");
    (l.pages, l.sitemaps)
}

/// <loc> text of <url> / <sitemap> elements by local name, as quick-xml reads it (stops at the first error).
fn quick(body: &[u8]) -> (Vec<String>, Vec<String>) {
    let mut r = quick_xml::Reader::from_reader(body);
    let mut buf = Vec::new();
    let (mut pages, mut maps) = (Vec::new(), Vec::new());
    let mut stack: Vec<Vec<u8>> = Vec::new();
    let mut text = String::new();
    loop {
        match r.read_event_into(&mut buf) {
            Ok(Event::Start(e)) => { stack.push(e.local_name().as_ref().to_vec()); text.clear(); }
            Ok(Event::End(_)) => {
                let name = stack.pop().unwrap_or_default();
                if name == b"loc" {
                    let parent = stack.last().cloned().unwrap_or_default();
                    if let Ok(u) = sitemirror::url::parse(text.trim()) {
                        if sitemirror::url::is_mirrorable(&u) {
                            let k = sitemirror::url::canonical_key(&u);
                            if parent == b"url" && !pages.contains(&k) { pages.push(k) } else if parent == b"sitemap" && !maps.contains(&k) { maps.push(k) }
                        }
                    }
                }
                text.clear();
            }
            Ok(Event::Text(t)) => text += &t.decode().map(|c| c.into_owned()).unwrap_or_default(),
            Ok(Event::GeneralRef(g)) => {
                let name = g.decode().unwrap_or_default();
                text += match &*name { "amp" => "&", "lt" => "<", "gt" => ">", "quot" => "\"", "apos" => "'", _ => "" };
                if let Ok(Some(c)) = g.resolve_char_ref() { text.push(c) }
            }
            Ok(Event::CData(c)) => text += &String::from_utf8_lossy(&c.into_inner()),
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
        buf.clear();
    }
    (pages, maps)
}

fn main() {
    let mut rng = Rng(0xfeed_beef_1234_5678);
    let (mut same, mut differ, mut cut_ours, mut cut_quick) = (0, 0, 0usize, 0usize);
    let mut shown = 0;
    for i in 0..5000 {
        let index = rng.below(4) == 0;
        let pre = ["", "sm:"][rng.below(2)];
        let ns = if pre.is_empty() { "xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\"" } else { "xmlns:sm=\"http://www.sitemaps.org/schemas/sitemap/0.9\"" };
        let (outer, inner) = if index { ("sitemapindex", "sitemap") } else { ("urlset", "url") };
        let mut s = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        if rng.below(3) == 0 { s += "<!-- generated -->\n<?xml-stylesheet type=\"text/xsl\" href=\"/s.xsl\"?>\n"; }
        s += &format!("<{pre}{outer} {ns}>\n");
        for j in 0..(1 + rng.below(6)) {
            let url = format!("https://example.com/p/{i}/{j}?a=1&b=2");
            let loc = match rng.below(4) {
                0 => url.replace('&', "&amp;"),
                1 => format!("<![CDATA[{url}]]>"),
                2 => format!("  {}  ", url.replace('&', "&#38;")),
                _ => url.replace('&', "&amp;").replace("https", "htt&#112;s"),
            };
            s += &format!("  <{pre}{inner}><{pre}loc>{loc}</{pre}loc><{pre}lastmod>2026-01-01</{pre}lastmod></{pre}{inner}>\n");
        }
        s += &format!("</{pre}{outer}>\n");
        let (a, b) = (ours(s.as_bytes()), quick(s.as_bytes()));
        if a == b { same += 1 } else {
            differ += 1;
            if shown < 3 { shown += 1; println!("--- ours {a:?}\n--- quick {b:?}\n{s}"); }
        }
        // Cut short (a sitemap that broke off): what each still reads.
        let cut = &s.as_bytes()[..rng.below(s.len())];
        let (oa, ob) = (ours(cut), quick(cut));
        cut_ours += oa.0.len() + oa.1.len();
        cut_quick += ob.0.len() + ob.1.len();
    }
    println!("whole files: {same} agree, {differ} differ; cut files: ours read {cut_ours} URLs, quick-xml {cut_quick}");
}
