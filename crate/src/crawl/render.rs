//! Which pages a crawl renders (loads in a browsing context where the site's scripts run, and keeps as they left
//! the DOM), by the crawl's `render` option. `always` and `never` say it; `auto` decides per page template: the
//! first [`SAMPLES`] pages of a template are rendered, and the template goes on being rendered only if one of them
//! showed something its raw HTML didn't — a link to a page the raw HTML lacks, or materially more text (content
//! built by script). A template is the page's directory with runs of digits taken as one (`/docs/v2/`,
//! `/posts/2026/11/` ~ `/posts/2025/3/`): the pages a site builds the same way.
//!
//! The decision is made here, not in a host, so both hosts and the native tests share it; the host only renders
//! what the driver asks for ([`super::driver::Step::Render`]).

use super::config::RenderMode;
use std::collections::{HashMap, HashSet};

/// Pages of a template rendered before `auto` decides about the rest.
pub const SAMPLES: u32 = 3;
/// Text counts as materially more when rendering adds over this share of the raw text…
const MORE_TEXT_SHARE: f64 = 0.10;
/// …and over this many characters (a clock or a counter a script fills in is not content).
const MORE_TEXT_MIN: usize = 200;

/// What a page shows, for comparing its raw HTML with its rendered DOM.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Signal {
    /// Characters of text outside tags, scripts and styles, whitespace left out.
    pub text: usize,
    /// The pages it links to.
    pub pages: HashSet<String>,
}

impl Signal {
    /// The signal of an HTML document and the page links found in it.
    pub fn of(html: &[u8], pages: impl IntoIterator<Item = String>) -> Signal {
        Signal { text: visible_text_len(html), pages: pages.into_iter().collect() }
    }

    /// Whether `rendered` shows materially more than `self` (the raw HTML).
    pub fn differs(&self, rendered: &Signal) -> bool {
        let more_text = rendered.text.saturating_sub(self.text);
        let text = more_text > MORE_TEXT_MIN && more_text as f64 > self.text as f64 * MORE_TEXT_SHARE;
        text || rendered.pages.iter().any(|p| !self.pages.contains(p))
    }
}

#[derive(Debug, Default, Clone, Copy)]
struct Template {
    /// Renders asked for.
    asked: u32,
    /// Renders that came back, and how many of those differed.
    seen: u32,
    differed: u32,
}

/// The render decisions of one crawl.
#[derive(Debug, Default)]
pub struct RenderPlan {
    mode: RenderMode,
    templates: HashMap<String, Template>,
}

impl RenderPlan {
    pub fn new(mode: RenderMode) -> Self {
        RenderPlan { mode, templates: HashMap::new() }
    }

    /// Whether any page may be rendered.
    pub fn enabled(&self) -> bool {
        self.mode != RenderMode::Never
    }

    /// Whether the page `url` (a canonical key) is rendered now; counts it as asked when it is. Under `auto`, a
    /// template's first [`SAMPLES`] pages are, and the rest only once one of those showed more than its raw HTML.
    /// (Asked as a render starts: samples still out count as not differing.)
    pub fn wants(&mut self, url: &str) -> bool {
        match self.mode {
            RenderMode::Never => false,
            RenderMode::Always => true,
            RenderMode::Auto => {
                let t = self.templates.entry(template(url)).or_default();
                let wanted = t.asked < SAMPLES || t.differed > 0;
                if wanted {
                    t.asked += 1;
                }
                wanted
            }
        }
    }

    /// Whether `wants` needs the raw page's [`Signal`] for `url` (only while its template is being sampled).
    pub fn samples(&self, url: &str) -> bool {
        self.mode == RenderMode::Auto && self.templates.get(&template(url)).is_none_or(|t| t.seen < SAMPLES)
    }

    /// A render of `url` came back: whether it showed more than the raw page.
    pub fn learn(&mut self, url: &str, raw: &Signal, rendered: &Signal) {
        if self.mode != RenderMode::Auto {
            return;
        }
        let t = self.templates.entry(template(url)).or_default();
        t.seen += 1;
        if raw.differs(rendered) {
            t.differed += 1;
        }
    }
}

/// The template of a page URL: scheme, host and directory, each run of digits as `0`.
pub fn template(url: &str) -> String {
    let no_query = url.split(['?', '#']).next().unwrap_or(url);
    let dir = match no_query.rfind('/') {
        Some(i) if i > no_query.find("//").map_or(0, |j| j + 1) => &no_query[..=i],
        _ => no_query,
    };
    super::traps::shape(dir)
}

/// Characters of text outside tags, comments, scripts and styles, whitespace left out: a cheap, linear measure of
/// how much a document shows (not a parser: both sides of a comparison are measured the same way).
pub fn visible_text_len(html: &[u8]) -> usize {
    let mut count = 0;
    let mut i = 0;
    while i < html.len() {
        match html[i] {
            b'<' => {
                let rest = &html[i + 1..];
                let raw_end: Option<&[u8]> = if starts_with_ci(rest, b"script") {
                    Some(b"</script")
                } else if starts_with_ci(rest, b"style") {
                    Some(b"</style")
                } else if rest.starts_with(b"!--") {
                    Some(b"-->")
                } else {
                    None
                };
                let from = match raw_end {
                    Some(end) => find_ci(html, i + 1, end).map_or(html.len(), |j| j + end.len() - 1),
                    None => i,
                };
                // On to the end of the tag (of the end tag, after a script or style).
                i = html[from..].iter().position(|&b| b == b'>').map_or(html.len(), |j| from + j + 1);
            }
            b if b.is_ascii_whitespace() => i += 1,
            // A UTF-8 continuation byte is not a character of its own.
            b if b & 0xC0 == 0x80 => i += 1,
            _ => {
                count += 1;
                i += 1;
            }
        }
    }
    count
}

fn starts_with_ci(hay: &[u8], needle: &[u8]) -> bool {
    hay.len() >= needle.len() && hay[..needle.len()].eq_ignore_ascii_case(needle)
}

fn find_ci(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    (from..hay.len().saturating_sub(needle.len() - 1)).find(|&j| hay[j..j + needle.len()].eq_ignore_ascii_case(needle))
}
