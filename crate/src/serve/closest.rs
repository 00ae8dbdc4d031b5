//! The page to offer instead of one that was never captured.

use crate::url::{self, Url};

/// Of a site's mirrored `pages` (URLs), the one closest to `wanted`: on the same origin, sharing the most leading
/// path segments with it; among those, a page `wanted` lies under (its parent, then the site root) before a
/// sibling's, then the shorter path, then the first in URL order. `None` when no page is on `wanted`'s origin (the
/// caller offers the site's start page).
///
/// Comparing characters instead (the first differing one) put the root and every parent page last: a prefix of
/// `wanted` has no differing character at all.
pub fn closest_page<'p>(wanted: &str, pages: &[&'p str]) -> Option<&'p str> {
    let wanted = url::parse(wanted).ok()?;
    let want = segments(&wanted);
    pages
        .iter()
        .filter_map(|&page| {
            let url = url::parse(page).ok()?;
            if url.origin() != wanted.origin() {
                return None;
            }
            let have = segments(&url);
            let shared = want.iter().zip(&have).take_while(|(a, b)| a == b).count();
            let above = shared == have.len();
            Some(((shared, above, std::cmp::Reverse(have.len())), page))
        })
        // Highest score; among equals the smallest URL (max_by_key keeps the last maximum, hence the reversal).
        .max_by(|(a, pa), (b, pb)| a.cmp(b).then_with(|| pb.cmp(pa)))
        .map(|(_, page)| page)
}

/// A URL's path segments, an empty last one (a directory's trailing slash) left out.
fn segments(url: &Url) -> Vec<&str> {
    let mut all: Vec<&str> = url.path().split('/').skip(1).collect();
    if all.last() == Some(&"") {
        all.pop();
    }
    all
}

#[cfg(test)]
mod tests {
    use super::closest_page;

    #[test]
    fn parents_and_the_root_are_offered() {
        let pages = ["https://s.test/", "https://s.test/other/page.html", "https://s.test/docs/a/x.html"];
        // The root is a prefix of every URL: it must not lose to an unrelated page.
        assert_eq!(closest_page("https://s.test/missing.html", &pages), Some("https://s.test/"));
        assert_eq!(closest_page("https://s.test/docs/b/missing.html", &pages), Some("https://s.test/docs/a/x.html"));
        let more = [&pages[..], &["https://s.test/docs/", "https://s.test/docs/a/"]].concat();
        assert_eq!(closest_page("https://s.test/docs/a/b/missing.html", &more), Some("https://s.test/docs/a/"));
        assert_eq!(closest_page("https://s.test/docs/a/x.html?v=2", &more), Some("https://s.test/docs/a/x.html"));
        assert_eq!(closest_page("https://s.test/docs/c", &more), Some("https://s.test/docs/"));
    }

    #[test]
    fn other_origins_are_never_offered() {
        assert_eq!(closest_page("https://s.test/a", &["https://t.test/a", "http://s.test/a"]), None);
        assert_eq!(closest_page("not a url", &["https://s.test/"]), None);
    }
}
