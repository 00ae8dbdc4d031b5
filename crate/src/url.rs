//! URLs: canonical store keys, site scope, and the reversible original ⇄ mirror URL mapping.
//!
//! Everything is WHATWG URL parsing (the `url` crate), so a URL means here what it means to the browser that will
//! load the mirror. This module knows nothing about HTML; the rewriter asks it what a URL becomes.
//!
//! Mirror URL shape: `<prefix>[<timestamp>/]<scheme>/<host[:port]><path>[?query][#fragment]`. Path and query are
//! kept exactly as the URL parser serialised them, so relative URLs that the rewriter never saw (set by CSS in
//! an SVG, say) still resolve inside the same mirrored site.

use crate::error::UrlError;
pub use url::Url;

/// Longest timestamp accepted in a mirror URL: `YYYYMMDDhhmmss`.
const TIMESTAMP_DIGITS: usize = 14;

/// Parses an absolute URL.
pub fn parse(input: &str) -> Result<Url, UrlError> {
    Url::parse(input).map_err(|e| UrlError::Invalid { input: truncate(input), reason: e.to_string() })
}

/// Resolves an attribute or CSS value against a base, as the browser would. `None` when it doesn't parse.
pub fn resolve(base: &Url, value: &str) -> Option<Url> {
    base.join(value).ok()
}

/// Whether the URL is one the mirror can hold: fetched over HTTP, and not from the hosts `.` or `..` (whatever the
/// port), which are dot segments in a mirror URL's path: the browser drops them (`<prefix>https/../x` is
/// `<prefix>x`), so their mirror URLs would lead to another page, or none.
pub fn is_mirrorable(url: &Url) -> bool {
    matches!(url.scheme(), "http" | "https") && !matches!(url.host_str(), Some("." | ".."))
}

/// The store key for a URL: the WHATWG serialisation without fragment (the fragment never reaches the server).
pub fn canonical_key(url: &Url) -> String {
    let s = url.as_str();
    match url.fragment() {
        Some(f) => s[..s.len() - f.len() - 1].to_owned(),
        None => s.to_owned(),
    }
}

/// "Is this URL part of the site?": same scheme, host and port, and under a path prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    origin: url::Origin,
    path_prefix: String,
}

impl Scope {
    /// The scope of a start URL: its origin, and the directory of its path when `under_path` is set.
    pub fn new(start: &Url, under_path: bool) -> Result<Self, UrlError> {
        if !is_mirrorable(start) {
            return Err(UrlError::NotMirrorable { url: start.to_string() });
        }
        let path_prefix = if under_path {
            let path = start.path();
            path[..=path.rfind('/').unwrap_or(0)].to_owned()
        } else {
            "/".to_owned()
        };
        Ok(Scope { origin: start.origin(), path_prefix })
    }

    /// Whether `url` lies inside this scope.
    pub fn contains(&self, url: &Url) -> bool {
        url.origin() == self.origin && url.path().starts_with(&self.path_prefix)
    }
}

/// Maps original URLs to URLs under a mirror prefix and back, optionally pinned to one capture time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MirrorMap {
    prefix: String,
    at: Option<String>,
}

impl MirrorMap {
    /// `prefix` is an absolute URL ending in `/` (e.g. `chrome-extension://<id>/m/`); `at` a capture timestamp of
    /// up to 14 digits that every mapped URL carries, so links inside an old version stay in that version.
    pub fn new(prefix: &str, at: Option<&str>) -> Result<Self, UrlError> {
        let bad = || UrlError::BadPrefix { prefix: truncate(prefix) };
        let parsed = Url::parse(prefix).map_err(|_| bad())?;
        if !prefix.ends_with('/') || parsed.query().is_some() || parsed.fragment().is_some() {
            return Err(bad());
        }
        let at = match at {
            Some(t) if is_timestamp(t) => Some(t.to_owned()),
            Some(t) => {
                return Err(UrlError::Invalid {
                    input: truncate(t),
                    reason: "a capture time is 1 to 14 digits (YYYYMMDDhhmmss)".into(),
                })
            }
            None => None,
        };
        // The serialised form, so that prefix matching agrees with what the browser shows.
        Ok(MirrorMap { prefix: parsed.into(), at })
    }

    /// The prefix all mirror URLs start with.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The capture time pinned into mapped URLs, if any.
    pub fn at(&self) -> Option<&str> {
        self.at.as_deref()
    }

    /// The mirror URL of an original http(s) URL (fragment kept: it addresses a place in the mirrored page).
    pub fn to_mirror(&self, url: &Url) -> Result<String, UrlError> {
        if !is_mirrorable(url) {
            return Err(UrlError::NotMirrorable { url: truncate(url.as_str()) });
        }
        let mut out = String::with_capacity(self.prefix.len() + url.as_str().len() + 16);
        self.push_mirror(url, &mut out);
        Ok(out)
    }

    /// Appends the mirror URL of an http(s) URL to `out` (the rewriter's hot path: no intermediate strings).
    pub(crate) fn push_mirror(&self, url: &Url, out: &mut String) {
        out.push_str(&self.prefix);
        if let Some(at) = &self.at {
            out.push_str(at);
            out.push('/');
        }
        out.push_str(url.scheme());
        out.push('/');
        // Everything after "scheme://" — host, port, path, query, fragment — exactly as serialised. The url crate
        // drops user:password@ only if we ask; mirrors never carry credentials, so skip them.
        let s = url.as_str();
        let after_scheme = &s[url.scheme().len() + 3..];
        let rest = match after_scheme.find('@') {
            Some(at) if !url.username().is_empty() || url.password().is_some() => &after_scheme[at + 1..],
            _ => after_scheme,
        };
        out.push_str(rest);
    }

    /// The original URL (and capture time, if pinned) of a mirror URL; `None` when `mirror` is not one.
    pub fn to_original(&self, mirror: &str) -> Option<(Url, Option<String>)> {
        let rest = mirror.strip_prefix(self.prefix.as_str())?;
        let (at, rest) = match rest.split_once('/') {
            Some((ts, rest)) if is_timestamp(ts) => (Some(ts.to_owned()), rest),
            _ => (None, rest),
        };
        let (scheme, rest) = rest.split_once('/')?;
        if !matches!(scheme, "http" | "https") {
            return None;
        }
        let url = Url::parse(&format!("{scheme}://{rest}")).ok()?;
        // Mirror URLs never carry credentials (`push_mirror` leaves them out): `https/user@host/` isn't one.
        let credentials = !url.username().is_empty() || url.password().is_some();
        if url.host_str().is_none_or(str::is_empty) || !is_mirrorable(&url) || credentials {
            return None;
        }
        Some((url, at))
    }
}

fn is_timestamp(s: &str) -> bool {
    (1..=TIMESTAMP_DIGITS).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
}

/// Error messages quote their input; keep hostile megabyte-long URLs out of them.
fn truncate(s: &str) -> String {
    const MAX: usize = 200;
    if s.len() <= MAX {
        return s.to_owned();
    }
    let mut end = MAX;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_never_reach_the_mirror_url() {
        let map = MirrorMap::new("chrome-extension://x/m/", None).unwrap();
        let url = Url::parse("https://user:pw@example.com/a").unwrap();
        assert_eq!(map.to_mirror(&url).unwrap(), "chrome-extension://x/m/https/example.com/a");
    }

    #[test]
    fn long_inputs_are_truncated_in_errors() {
        let long = "x".repeat(10_000);
        let msg = parse(&long).unwrap_err().to_string();
        assert!(msg.len() < 400, "{}", msg.len());
    }
}
