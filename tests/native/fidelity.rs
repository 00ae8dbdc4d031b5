//! The fidelity score (`crawl::fidelity`): how a page's replay is compared with the page as it rendered live, and
//! the per-site summary the dashboard shows. The scores must be able to fail: a replay that lost its stylesheet or
//! its text scores low, an intact one 1.
#![cfg(not(target_arch = "wasm32"))]

use sitemirror::crawl::fidelity::{score, summary, text_match, viewport_match, Measure, ScorePlan, LOW};
use sitemirror::crawl::ScoreMode;
use sitemirror::store::{Capture, Fidelity};

fn cells(spec: &[(&str, usize)]) -> Vec<String> {
    spec.iter().flat_map(|(c, n)| std::iter::repeat_n(c.to_string(), *n)).collect()
}

#[test]
fn an_intact_replay_scores_one_and_a_broken_one_scores_low() {
    let live = Measure {
        text: "Welcome to the shop. Fresh bread every morning.".into(),
        cells: cells(&[
            ("header|rgb(20, 40, 90)|rgb(255, 255, 255)|", 160),
            ("p|rgb(255, 255, 255)|rgb(0, 0, 0)|", 480),
        ]),
        resources: 5,
        missing: 0,
    };
    let intact = score(&live, &live.clone(), 7);
    assert_eq!((intact.viewport_match, intact.text_match, intact.at), (1.0, 1.0, 7));
    // The stylesheet didn't make it: the header is no longer blue.
    let unstyled = Measure {
        cells: cells(&[("header|rgb(255, 255, 255)|rgb(0, 0, 0)|", 160), ("p|rgb(255, 255, 255)|rgb(0, 0, 0)|", 480)]),
        resources: 5,
        missing: 1,
        ..live.clone()
    };
    let s = score(&live, &unstyled, 7);
    assert_eq!((s.viewport_match, s.text_match, s.missing), (0.75, 1.0, 1));
    assert!(s.overall() < LOW);
    // An empty shell (content built by script, not rendered): the text is gone.
    let shell = Measure { text: "Loading…".into(), ..live.clone() };
    assert_eq!(score(&live, &shell, 7).text_match, 0.0);
}

#[test]
fn text_match_counts_words_as_multisets_and_ignores_case_and_spacing() {
    assert_eq!(text_match("a b c d", "A  b\nc d"), 1.0);
    assert_eq!(text_match("", ""), 1.0);
    assert_eq!(text_match("word", ""), 0.0);
    // {a, a, b} vs {a, b, b}: common a, b = 2 of 6 words → 2·2/6.
    assert!((text_match("a a b", "a b b") - 4.0 / 6.0).abs() < 1e-9);
    // Order doesn't matter (a sidebar moved); repetition does.
    assert_eq!(text_match("one two three", "three two one"), 1.0);
    // A huge text is compared on its first part, not refused.
    let big = "lorem ".repeat(100_000);
    assert_eq!(text_match(&big, &big), 1.0);
}

#[test]
fn viewport_match_is_the_share_of_points_alike_and_a_missing_side_counts_as_different() {
    assert_eq!(viewport_match(&cells(&[("a", 4)]), &cells(&[("a", 3), ("b", 1)])), 0.75);
    assert_eq!(viewport_match(&cells(&[("a", 4)]), &[]), 0.0);
    assert_eq!(viewport_match(&[], &[]), 1.0);
}

fn page(url: &str, f: Option<(f64, f64)>) -> Capture {
    Capture {
        id: 1,
        site: "https://example.com/".into(),
        url: url.into(),
        at: 10,
        status: 200,
        headers: vec![],
        digest: String::new(),
        size: 0,
        source: "crawl-1".into(),
        fidelity: f.map(|(v, t)| Fidelity { viewport_match: v, text_match: t, resources: 4, missing: 1, at: 11 }),
    }
}

#[test]
fn the_summary_gives_means_the_worst_pages_first_and_the_low_ones_to_recapture() {
    let pages = [
        page("https://example.com/", Some((1.0, 1.0))),
        page("https://example.com/a", Some((0.5, 0.99))),
        page("https://example.com/b", Some((0.95, 0.7))),
        page("https://example.com/c", Some((0.92, 0.95))),
        page("https://example.com/raw-only", None),
    ];
    let s = summary(&pages, 2);
    assert_eq!((s.scored, s.pages), (4, 5));
    assert_eq!(s.viewport_mean, Some(0.843));
    assert_eq!(s.text_mean, Some(0.91));
    assert_eq!((s.resources, s.missing), (16, 4));
    let worst: Vec<&str> = s.worst.iter().map(|w| w.url.as_str()).collect();
    assert_eq!(worst, ["https://example.com/a", "https://example.com/b"], "ranked by their lower match");
    assert_eq!(s.low, ["https://example.com/a", "https://example.com/b"], "below {LOW}: the ones to recapture");
    let none = summary(&[page("https://example.com/", None)], 5);
    assert_eq!((none.scored, none.viewport_mean, none.worst.len()), (0, None, 0));
}

#[test]
fn the_score_option_scores_every_rendered_page_a_sample_per_template_or_none() {
    let urls: Vec<String> = (0..6).map(|i| format!("https://example.com/posts/{i}")).collect();
    let wanted = |mode| {
        let mut plan = ScorePlan::new(mode);
        urls.iter().filter(|u| plan.wants(u)).count()
    };
    assert_eq!(wanted(ScoreMode::Every), 6);
    assert_eq!(wanted(ScoreMode::Sample), sitemirror::crawl::render::SAMPLES as usize);
    assert_eq!(wanted(ScoreMode::Never), 0);
}
