//! Calendar arithmetic the crawl needs without a clock: the year of a timestamp (trap detection) and HTTP dates
//! (`Retry-After`). Time always comes in as milliseconds since the Unix epoch, from the caller. The civil-date
//! conversions are shared with `archive` (WARC dates), so there is one calendar in the crate.

const MS_PER_DAY: i64 = 86_400_000;

/// `2026-11-27T10:00:00.123Z` (what JavaScript's `toISOString` writes), for WARC dates and replay headers.
pub(crate) fn iso(ms: u64) -> String {
    let day = MS_PER_DAY as u64;
    let (y, mo, d) = civil_from_days((ms / day) as i64);
    let rest = ms % day;
    let (h, mi, s, frac) = (rest / 3_600_000, rest / 60_000 % 60, rest / 1000 % 60, rest % 1000);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{frac:03}Z")
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
pub(crate) fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The proleptic Gregorian (year, month, day) of a day counted from 1970-01-01 (H. Hinnant's `civil_from_days`).
pub(crate) fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

/// The UTC year of a timestamp.
pub(crate) fn year_of(ms: u64) -> i64 {
    civil_from_days((ms as i64).div_euclid(MS_PER_DAY)).0
}

/// An HTTP date (IMF-fixdate `Sun, 06 Nov 1994 08:49:37 GMT`, and the obsolete RFC 850 and asctime forms) as ms
/// since the epoch. `None` when it isn't one.
pub(crate) fn parse_http_date(s: &str) -> Option<u64> {
    const MONTHS: [&str; 12] = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
    let (mut day, mut month, mut year, mut time) = (None, None, None, None);
    for token in s.split(|c: char| c.is_ascii_whitespace() || c == ',' || c == '-').filter(|t| !t.is_empty()) {
        if token.contains(':') {
            let mut parts = token.split(':').map(|p| p.parse::<u32>().ok());
            let (h, m, s) = (parts.next()??, parts.next()??, parts.next()??);
            if parts.next().is_some() || h > 23 || m > 59 || s > 60 {
                return None;
            }
            time = Some((h * 3600 + m * 60 + s) as i64);
        } else if token.bytes().all(|b| b.is_ascii_digit()) {
            let n: i64 = token.parse().ok()?;
            match token.len() {
                1 | 2 if day.is_none() => day = Some(n),
                // RFC 850's two-digit year: 70–99 are the 1900s (RFC 9110 §5.6.7 says "50 years" — close enough).
                2 => year = Some(if n < 70 { 2000 + n } else { 1900 + n }),
                4 => year = Some(n),
                _ => return None,
            }
        } else if let Some(m) = MONTHS.iter().position(|m| token.get(..3).is_some_and(|t| t.eq_ignore_ascii_case(m))) {
            if token.len() == 3 {
                month = Some(m as u32 + 1);
            }
        }
    }
    let (day, month, year, time) = (day?, month?, year?, time?);
    if !(1..=31).contains(&day) || year < 1970 {
        return None;
    }
    let ms = (days_from_civil(year, month, day as u32) * 86_400 + time) * 1000;
    u64::try_from(ms).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_and_http_dates() {
        assert_eq!(year_of(0), 1970);
        assert_eq!(year_of(1_767_225_600_000 - 1), 2025); // 2025-12-31T23:59:59.999Z
        assert_eq!(year_of(1_767_225_600_000), 2026);
        for days in [-1, 0, 59, 10_956, 11_016, 20_000, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days, "{y}-{m}-{d}");
        }
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        let t = 784_111_777_000; // 1994-11-06T08:49:37Z
        assert_eq!(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), Some(t));
        assert_eq!(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"), Some(t));
        assert_eq!(parse_http_date("Sun Nov  6 08:49:37 1994"), Some(t));
        assert_eq!(parse_http_date("soon"), None);
        // A header value is Latin-1 text: a month-like token cut inside a character is no month, not a panic.
        assert_eq!(parse_http_date("Sun, 06 No\u{e9} 1994 08:49:37 GMT"), None);
        assert_eq!(parse_http_date("Sun, 06 Nov 1994 8:99:37 GMT"), None);
    }
}
