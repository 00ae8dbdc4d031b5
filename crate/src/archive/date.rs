//! `WARC-Date`: written with milliseconds (WARC 1.1 allows a fraction, and captures are timed to the
//! millisecond), read in every form found in the wild.

use crate::crawl::dates::{civil_from_days, days_from_civil};

const MS_PER_DAY: u64 = 86_400_000;

/// `2026-11-27T10:00:00.123Z`.
pub(crate) fn format(ms: u64) -> String {
    crate::crawl::dates::iso(ms)
}

/// `20261127102000`: the 14-digit UTC timestamp of CDX indexes and replay URLs (to the second, dropped not rounded).
/// Dates past 9999 are written as its last second, so the field keeps its width.
pub(crate) fn compact(ms: u64) -> String {
    let last = days_from_civil(10_000, 1, 1) as u64 * MS_PER_DAY - 1;
    let ms = ms.min(last);
    let (y, mo, d) = civil_from_days((ms / MS_PER_DAY) as i64);
    let rest = ms % MS_PER_DAY;
    let (h, mi, s) = (rest / 3_600_000, rest / 60_000 % 60, rest / 1000 % 60);
    format!("{y:04}{mo:02}{d:02}{h:02}{mi:02}{s:02}")
}

/// Milliseconds since the epoch of a W3C-ISO8601 date (any precision from the year down to a fraction of a second;
/// `Z`, an offset or nothing for UTC), or of a 14-digit `YYYYMMDDhhmmss` (WARC/0.x and ARC). `None` otherwise.
pub(crate) fn parse(s: &str) -> Option<u64> {
    let s = s.trim();
    let b = s.as_bytes();
    if b.len() == 14 && b.iter().all(u8::is_ascii_digit) {
        let n = |r: std::ops::Range<usize>| s[r].parse::<u32>().ok();
        return to_ms(n(0..4)? as i64, n(4..6)?, n(6..8)?, n(8..10)?, n(10..12)?, n(12..14)?, 0);
    }
    let mut p = Cursor { b, i: 0 };
    let year = p.digits(4)? as i64;
    let (mut month, mut day, mut hour, mut min, mut sec, mut ms) = (1, 1, 0, 0, 0, 0);
    let mut offset_min: i64 = 0;
    if p.eat(b'-') {
        month = p.digits(2)?;
        if p.eat(b'-') {
            day = p.digits(2)?;
            if p.eat(b'T') || p.eat(b't') || p.eat(b' ') {
                hour = p.digits(2)?;
                p.eat(b':').then_some(())?;
                min = p.digits(2)?;
                if p.eat(b':') {
                    sec = p.digits(2)?;
                    if p.eat(b'.') || p.eat(b',') {
                        let start = p.i;
                        while p.peek().is_some_and(|c| c.is_ascii_digit()) {
                            p.i += 1;
                        }
                        let digits = &b[start..p.i];
                        if digits.is_empty() {
                            return None;
                        }
                        // Milliseconds: the first three digits, padded; finer digits are dropped, not rounded, so
                        // a date never moves into the next second.
                        ms = (0..3).fold(0, |acc, k| acc * 10 + digits.get(k).map_or(0, |d| u32::from(d - b'0')));
                    }
                }
                match p.peek() {
                    Some(b'Z' | b'z') => p.i += 1,
                    Some(sign @ (b'+' | b'-')) => {
                        p.i += 1;
                        let oh = p.digits(2)? as i64;
                        p.eat(b':');
                        let om = p.digits(2)? as i64;
                        offset_min = (oh * 60 + om) * if sign == b'+' { 1 } else { -1 };
                    }
                    _ => {}
                }
            }
        }
    }
    if p.i != b.len() {
        return None;
    }
    let utc = to_ms(year, month, day, hour, min, sec, ms)? as i64 - offset_min * 60_000;
    u64::try_from(utc).ok()
}

fn to_ms(y: i64, mo: u32, d: u32, h: u32, mi: u32, s: u32, ms: u32) -> Option<u64> {
    if !(1970..=9999).contains(&y) || !(1..=12).contains(&mo) || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    let days = days_from_civil(y, mo, d);
    // Rejects 31 April or 29 February of a common year: the day must map back to itself.
    if civil_from_days(days) != (y, mo, d) {
        return None;
    }
    let secs = days as u64 * 86_400 + u64::from(h * 3600 + mi * 60 + s);
    Some(secs * 1000 + u64::from(ms))
}

struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn eat(&mut self, c: u8) -> bool {
        let hit = self.peek() == Some(c);
        self.i += usize::from(hit);
        hit
    }

    fn digits(&mut self, n: usize) -> Option<u32> {
        let d = self.b.get(self.i..self.i + n)?;
        if !d.iter().all(u8::is_ascii_digit) {
            return None;
        }
        self.i += n;
        Some(d.iter().fold(0, |acc, c| acc * 10 + u32::from(c - b'0')))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_written_with_milliseconds_and_read_in_every_form() {
        let t = 1_795_774_800_123; // 2026-11-27T10:20:00.123Z
        assert_eq!(format(t), "2026-11-27T10:20:00.123Z");
        assert_eq!(format(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(parse(&format(t)), Some(t));
        assert_eq!(parse("2026-11-27T10:20:00Z"), Some(t - 123));
        assert_eq!(parse("2026-11-27T10:20:00.123456Z"), Some(t));
        assert_eq!(parse("2026-11-27T10:20:00.1Z"), Some(t - 23));
        assert_eq!(parse("2026-11-27T10:20Z"), Some(t - 123));
        assert_eq!(parse("2026-11-27T11:20:00.123+01:00"), Some(t));
        assert_eq!(parse("2026-11-27"), Some(t - 123 - 37_200_000));
        assert_eq!(parse("20261127102000"), Some(t - 123));
        for bad in ["", "2026-13-01", "2026-02-29T00:00:00Z", "2026-11-27T10:20:00ZZ", "1969-12-31", "2026-11-27T"] {
            assert_eq!(parse(bad), None, "{bad}");
        }
        assert_eq!(parse("2024-02-29T00:00:00Z").map(format).as_deref(), Some("2024-02-29T00:00:00.000Z"));
    }

    #[test]
    fn compact_timestamps_are_14_digits() {
        assert_eq!(compact(1_795_774_800_999), "20261127102000");
        assert_eq!(compact(0), "19700101000000");
        assert_eq!(compact(u64::MAX), "99991231235959");
    }
}
