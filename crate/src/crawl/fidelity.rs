//! How faithfully a page replays. A rendering crawl measures each page twice the same way: live, in its rendering
//! frame, as the page's scripts left it, and again in its replay from the mirror (no script, nothing live). The
//! two measures give the page's [`Fidelity`], stored with its version:
//!
//! - `viewportMatch`: the first viewport seen as a grid of points ([`GRID`]), each described by what is drawn there
//!   (the element, its effective background, its text colour, whether an image loaded). It stands in for a
//!   screenshot comparison, which an extension can't make of a page nobody sees without `chrome.debugger` (and the
//!   "debugging this browser" bar on every window). A missing stylesheet, image or font moves or recolours points.
//! - `textMatch`: the visible text, as the Sørensen–Dice coefficient of the two word multisets (Browsertrix's QA
//!   compares text the same way).
//! - resources: the stylesheets, images and web fonts the replay uses, and how many of those failed to load.
//!
//! Which pages are scored is decided here too ([`ScorePlan`], the crawl's `score` option), so both the extension
//! and the native tests share the rule; and the per-site view (mean, worst pages, which to recapture) is
//! [`summary`].

use super::config::ScoreMode;
use super::render::{template, SAMPLES};
use crate::store::{Capture, Fidelity};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Points of the first viewport compared, columns × rows (a 1280×800 viewport: one every 40 px).
pub const GRID: (u32, u32) = (32, 20);
/// A page scoring below this (its lower match) is offered for recapture.
pub const LOW: f64 = 0.9;
/// Longest text compared (characters): a huge page's first part says enough.
const MAX_TEXT: usize = 200_000;

/// One measure of a page (live or replay), as a frame takes it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Measure {
    /// `innerText` of the body.
    #[serde(default)]
    pub text: String,
    /// What each point of the grid shows, row by row (an opaque description, compared for equality).
    #[serde(default)]
    pub cells: Vec<String>,
    /// The stylesheets, images and web fonts the page uses, and those that failed to load.
    #[serde(default)]
    pub resources: u32,
    #[serde(default)]
    pub missing: u32,
}

/// The fidelity of a replay (`replay`) against the page as it rendered live (`live`).
pub fn score(live: &Measure, replay: &Measure, at: u64) -> Fidelity {
    Fidelity {
        viewport_match: round(viewport_match(&live.cells, &replay.cells)),
        text_match: round(text_match(&live.text, &replay.text)),
        resources: replay.resources,
        missing: replay.missing,
        at,
    }
}

/// Share of grid points that show the same thing (1 when neither side has any).
pub fn viewport_match(live: &[String], replay: &[String]) -> f64 {
    let n = live.len().max(replay.len());
    if n == 0 {
        return 1.0;
    }
    let same = live.iter().zip(replay).filter(|(a, b)| a == b).count();
    same as f64 / n as f64
}

/// Sørensen–Dice coefficient of the two texts' word multisets (lower-cased; 1 when both are empty).
pub fn text_match(a: &str, b: &str) -> f64 {
    fn bag(s: &str) -> HashMap<String, u32> {
        let mut m = HashMap::new();
        let s = match s.char_indices().nth(MAX_TEXT) {
            Some((cut, _)) => &s[..cut],
            None => s,
        };
        for w in s.split_whitespace() {
            *m.entry(w.to_lowercase()).or_insert(0) += 1;
        }
        m
    }
    let (x, y) = (bag(a), bag(b));
    let total: u32 = x.values().chain(y.values()).sum();
    if total == 0 {
        return 1.0;
    }
    let common: u32 = x.iter().map(|(w, n)| (*n).min(y.get(w).copied().unwrap_or(0))).sum();
    f64::from(2 * common) / f64::from(total)
}

/// Three decimals: what is shown and exported, and no float noise between runs.
fn round(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}

/// Which rendered pages a crawl scores (its `score` option): every one, the first [`SAMPLES`] of each template, or
/// none.
#[derive(Debug, Default)]
pub struct ScorePlan {
    mode: ScoreMode,
    templates: HashMap<String, u32>,
}

impl ScorePlan {
    pub fn new(mode: ScoreMode) -> Self {
        ScorePlan { mode, templates: HashMap::new() }
    }

    /// Whether the rendered page `url` is scored (counted when it is).
    pub fn wants(&mut self, url: &str) -> bool {
        match self.mode {
            ScoreMode::Never => false,
            ScoreMode::Every => true,
            ScoreMode::Sample => {
                let n = self.templates.entry(template(url)).or_default();
                *n += 1;
                *n <= SAMPLES
            }
        }
    }
}

/// A scored page, for the per-site view.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Scored {
    pub url: String,
    pub at: u64,
    pub fidelity: Fidelity,
}

/// A site's fidelity at a glance: over the latest version of each page that has a score.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    /// Pages with a score, of `pages`.
    pub scored: usize,
    pub pages: usize,
    pub viewport_mean: Option<f64>,
    pub text_mean: Option<f64>,
    /// Stylesheets, images and fonts the scored replays use, and how many of those failed to load.
    pub resources: u64,
    pub missing: u64,
    /// The lowest-scoring pages, worst first (at most `worst` of them).
    pub worst: Vec<Scored>,
    /// Every page scoring below [`LOW`] (what "Recapture low-scoring pages" recaptures).
    pub low: Vec<String>,
}

/// The summary of a site's pages (latest version each, as `Store::pages` gives them).
pub fn summary(pages: &[Capture], worst: usize) -> Summary {
    let mut scored: Vec<Scored> =
        pages.iter().filter_map(|c| c.fidelity.map(|f| Scored { url: c.url.clone(), at: c.at, fidelity: f })).collect();
    let n = scored.len();
    let mean =
        |f: fn(&Fidelity) -> f64| (n > 0).then(|| round(scored.iter().map(|s| f(&s.fidelity)).sum::<f64>() / n as f64));
    let viewport_mean = mean(|f| f.viewport_match);
    let text_mean = mean(|f| f.text_match);
    let resources = scored.iter().map(|s| u64::from(s.fidelity.resources)).sum();
    let missing = scored.iter().map(|s| u64::from(s.fidelity.missing)).sum();
    scored.sort_by(|a, b| a.fidelity.overall().total_cmp(&b.fidelity.overall()).then_with(|| a.url.cmp(&b.url)));
    let low = scored.iter().filter(|s| s.fidelity.overall() < LOW).map(|s| s.url.clone()).collect();
    scored.truncate(worst);
    Summary { scored: n, pages: pages.len(), viewport_mean, text_mean, resources, missing, worst: scored, low }
}
