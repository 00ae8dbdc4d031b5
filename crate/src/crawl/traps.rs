//! Crawler traps: URL spaces a site generates without end (relative-link loops, calendars with a "next month"
//! link forever, filters that combine into millions of query strings). Each rule is tuned so that ordinary big
//! sites — thousands of products listed on one page, long pagination — pass.

use super::dates::year_of;
use super::reason::{reason, CALENDAR, QUERY_EXPLOSION, REPETITION};
use crate::url::Url;
use std::collections::HashMap;

/// A path segment seen this many times is a loop (`/a/b/a/b/a/b`, `/x/x/x`).
pub const MAX_SEGMENT_REPEATS: usize = 2;
/// More path segments than this is a loop, whatever they are.
pub const MAX_SEGMENTS: usize = 30;
/// Links in a row between date-shaped pages of the same shape: a year of "next month" clicks.
pub const MAX_CALENDAR_RUN: u32 = 12;
/// Distinct query strings admitted for one origin + path.
pub const MAX_QUERIES_PER_PATH: u32 = 100;
/// Dates this far in the future are a calendar running away (events are announced a year or two ahead).
pub const MAX_YEARS_AHEAD: i64 = 2;
/// Dates before this are a calendar running backwards.
pub const MIN_YEAR: i64 = 1900;

/// `crawl/repetition` when the path loops.
pub(crate) fn repetition(url: &Url) -> Option<String> {
    let segments: Vec<&str> = url.path().split('/').filter(|s| !s.is_empty()).collect();
    if segments.len() > MAX_SEGMENTS {
        return Some(reason(REPETITION, format_args!("{} path segments (a link loop?)", segments.len())));
    }
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for s in &segments {
        let n = counts.entry(s).or_default();
        *n += 1;
        if *n > MAX_SEGMENT_REPEATS {
            return Some(reason(REPETITION, format_args!("the path repeats {s:?} {n} times (a link loop?)")));
        }
    }
    None
}

/// A URL with every run of digits replaced by `0`: `/2024/05/` and `/2024/06/` have the same shape, as have
/// `?page=2` and `?page=10`.
pub(crate) fn shape(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    let mut in_digits = false;
    for c in url.chars() {
        if c.is_ascii_digit() {
            if !in_digits {
                out.push('0');
            }
            in_digits = true;
        } else {
            out.push(c);
            in_digits = false;
        }
    }
    out
}

/// Query parameters whose numeric values make a URL a date page.
const DATE_KEYS: &[&str] = &["year", "month", "day", "date", "week", "yr", "mo", "ym", "ymd", "cal", "calendar"];

fn year(digits: &str) -> Option<i64> {
    let y: i64 = digits.parse().ok()?;
    (digits.len() == 4 && (1000..=2999).contains(&y)).then_some(y)
}

fn month(digits: &str) -> bool {
    matches!(digits.parse::<u32>(), Ok(1..=12)) && (1..=2).contains(&digits.len())
}

/// `yyyy-mm` or `yyyy_mm` (optionally `-dd`) inside one segment or value: the year.
fn dashed_date(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i + 1 < b.len() && matches!(b[i], b'-' | b'_') && b[i + 1].is_ascii_digit() {
            let m_start = i + 1;
            let mut m_end = m_start;
            while m_end < b.len() && b[m_end].is_ascii_digit() {
                m_end += 1;
            }
            if let Some(y) = year(&text[start..i]).filter(|_| month(&text[m_start..m_end])) {
                return Some(y);
            }
        }
    }
    None
}

/// Whether the URL addresses a date (`Some`), and the year when it names one.
pub(crate) fn date_of(url: &Url) -> Option<Option<i64>> {
    let segments: Vec<&str> = url.path().split('/').filter(|s| !s.is_empty()).collect();
    for pair in segments.windows(2) {
        // `/2024/05/`: a zero-padded month after a year, the way date archives spell it.
        if let Some(y) = year(pair[0]).filter(|_| pair[1].len() == 2 && month(pair[1])) {
            return Some(Some(y));
        }
    }
    if let Some(y) = segments.iter().find_map(|s| dashed_date(s)) {
        return Some(Some(y));
    }
    let mut found = None;
    for (key, value) in url.query_pairs() {
        if let Some(y) = dashed_date(&value) {
            return Some(Some(y));
        }
        let key = key.to_ascii_lowercase();
        if DATE_KEYS.contains(&key.as_str()) && value.bytes().any(|b| b.is_ascii_digit()) {
            let named_year =
                (key == "year" || key == "yr") && value.len() == 4 && value.bytes().all(|b| b.is_ascii_digit());
            let named = if named_year { value.parse().ok() } else { None };
            found = Some(named.or(found.flatten()));
        }
    }
    found
}

/// `crawl/calendar` for a date page whose year is implausible, or that is `run` same-shape links from the last
/// page of another shape.
pub(crate) fn calendar(url: &Url, run: u32, now: u64) -> Option<String> {
    let year = date_of(url)?;
    let latest = year_of(now) + MAX_YEARS_AHEAD;
    if let Some(y) = year.filter(|y| !(MIN_YEAR..=latest).contains(y)) {
        return Some(reason(
            CALENDAR,
            format_args!("a date in {y}, outside {MIN_YEAR}–{latest} (an endless calendar?)"),
        ));
    }
    (run > MAX_CALENDAR_RUN).then(|| {
        reason(
            CALENDAR,
            format_args!("{run} links in a row between date pages of the same shape (an endless calendar?)"),
        )
    })
}

/// Distinct query strings admitted per origin + path (`crawl/query-explosion` past the limit).
#[derive(Debug, Default)]
pub(crate) struct QueryCounter {
    per_path: HashMap<String, u32>,
}

fn path_key(url: &Url) -> Option<&str> {
    url.query()?;
    let s = url.as_str();
    Some(&s[..s.find('?').unwrap_or(s.len())])
}

impl QueryCounter {
    /// The skip reason when one more query string for this URL's path would be too many.
    pub(crate) fn check(&self, url: &Url) -> Option<String> {
        let n = *self.per_path.get(path_key(url)?)?;
        (n >= MAX_QUERIES_PER_PATH).then(|| {
            reason(QUERY_EXPLOSION, format_args!("more than {MAX_QUERIES_PER_PATH} query strings for this path"))
        })
    }

    /// Counts an admitted URL.
    pub(crate) fn count(&mut self, url: &Url) {
        if let Some(key) = path_key(url) {
            *self.per_path.entry(key.to_owned()).or_default() += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_and_dates() {
        assert_eq!(shape("https://a/2024/05/?p=10"), "https://a/0/0/?p=0");
        let d = |s: &str| date_of(&Url::parse(s).unwrap());
        assert_eq!(d("https://a/blog/2024/05/"), Some(Some(2024)));
        assert_eq!(d("https://a/events/2024-05-17"), Some(Some(2024)));
        assert_eq!(d("https://a/cal?month=5&year=2031"), Some(Some(2031)));
        assert_eq!(d("https://a/cal?month=5"), Some(None));
        assert_eq!(d("https://a/cal?date=2024-13-01"), Some(None));
        assert_eq!(d("https://a/product/1234/5"), None);
        assert_eq!(d("https://a/t/topic/1234/5"), None);
        assert_eq!(d("https://a/blog/page/2"), None);
        assert_eq!(d("https://a/files/v2.2024.05"), None);
    }
}
