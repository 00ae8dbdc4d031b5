//! What the fuzz targets share: how an input is split into options and chunks, and the independent readings
//! their invariants are checked with — the static-replay checker of the native tests, a CSS tokenizer and a
//! srcset parser written from the specifications, an html5ever walk, and a robots.txt matcher written from
//! RFC 9309 — none of them the engine's own code.

pub mod css_scan;
pub mod dom;
pub mod robots_ref;
pub mod srcset_scan;

/// The static-replay invariant checker the native fixture tests use (`static_violations(html, prefix)`).
#[allow(clippy::should_implement_trait)]
#[path = "../../tests/common/mod.rs"]
pub mod checker;

use sitemirror::url::{MirrorMap, Url};

/// The mirror prefix of the extension (the fixtures' one).
pub const PREFIX: &str = "chrome-extension://abcdefghijklmnopabcdefghijklmnop/m/";
/// The document every rewritten input claims to come from.
pub const DOC_URL: &str = "https://example.com/dir/page.html";

pub fn doc_url() -> Url {
    Url::parse(DOC_URL).expect("a valid URL")
}

pub fn map(at: Option<&str>) -> MirrorMap {
    MirrorMap::new(PREFIX, at).expect("a valid prefix")
}

/// A small deterministic generator (xorshift64*), so chunkings are reproducible from the input alone.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        // Never zero (xorshift would stay there).
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// 0..n (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}

/// `data` cut into chunks of 1 to `max` bytes (sizes from `seed`): what a streaming consumer may be handed.
pub fn chunks(data: &[u8], seed: u64, max: usize) -> Vec<&[u8]> {
    let mut rng = Rng::new(seed);
    let mut out = Vec::new();
    let mut rest = data;
    while !rest.is_empty() {
        // Pieces of any size, a quarter of them tiny (every boundary position matters). Not all tiny: lol_html
        // re-reads a tag cut into many pieces from its start, and a document in 1-byte pieces fuzzes 50× slower.
        let n = if rng.below(4) == 0 { 1 + rng.below(8) } else { 1 + rng.below(max) };
        let n = n.min(rest.len());
        out.push(&rest[..n]);
        rest = &rest[n..];
    }
    out
}

/// Why a URL found in rewritten output is a violation, or `None` when it stays in the mirror: empty, a fragment,
/// under `prefix`, unresolvable (the browser can't load it either), or data:/blob:/about:.
pub fn leaves_mirror(value: &str, base: &Url, prefix: &str) -> Option<String> {
    // What the URL parser strips: C0 controls and space (not DEL, not other whitespace).
    let v = value.trim_matches(|c: char| c <= ' ');
    if v.is_empty() || v.starts_with('#') || v.starts_with(prefix) {
        return None;
    }
    let resolved = base.join(v).ok()?;
    if matches!(resolved.scheme(), "data" | "blob" | "about") || resolved.as_str().starts_with(prefix) {
        return None;
    }
    Some(format!("{value:?} (resolves to {resolved}) leaves the mirror"))
}

/// A link list the extractor returns must hold absolute http(s) canonical keys (no fragment, already in the
/// parser's serialisation), each once.
pub fn check_link_list(what: &str, list: &[String]) {
    let mut seen = std::collections::HashSet::new();
    for link in list {
        let url = Url::parse(link).unwrap_or_else(|e| panic!("{what} link {link:?} doesn't parse: {e}"));
        assert!(matches!(url.scheme(), "http" | "https"), "{what} link {link:?} isn't http(s)");
        assert!(url.fragment().is_none(), "{what} link {link:?} has a fragment");
        assert_eq!(sitemirror::url::canonical_key(&url), *link, "{what} link isn't a canonical key");
        assert!(seen.insert(link.as_str()), "{what} link {link:?} listed twice");
    }
}
