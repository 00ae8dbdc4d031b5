//! robots.txt (RFC 9309): which paths of the site we may fetch, its Crawl-delay, and the sitemaps it names.
//!
//! Rules come from the groups for our product token (`sitemirror`), else from the `*` groups; groups naming the
//! same agent are merged. The longest matching Allow/Disallow pattern wins, Allow on a tie. Patterns and paths are
//! compared after the same percent-encoding normalisation, so `/%7Efoo`, `/~foo` and `/ツ` vs `/%E3%83%84` agree.

use super::reason::{self, ROBOTS};

/// Our product token in `User-agent:` lines.
pub const PRODUCT_TOKEN: &str = "sitemirror";
/// RFC 9309 §2.5: crawlers must parse at least 500 KiB; we parse exactly that much.
pub const MAX_ROBOTS_BYTES: usize = 500 * 1024;
/// Longest Crawl-delay honoured: a site asking for more still gets crawled, slowly.
pub const MAX_CRAWL_DELAY_MS: u64 = 30_000;
/// Most `Sitemap:` URLs taken from one robots.txt.
const MAX_SITEMAPS: usize = 1000;

/// What robots.txt allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Robots {
    /// No rules apply (no robots.txt, a 4xx, or no group for us).
    AllowAll,
    /// robots.txt could not be read (5xx, 429 or a network failure, `status` 0): RFC 9309 §2.3.1.3 says to assume
    /// complete disallow.
    Unreachable { status: u16 },
    /// Allow/Disallow rules of our group.
    Rules(Vec<Rule>),
}

/// One Allow or Disallow line of the group that applies to us.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub allow: bool,
    /// The pattern as written (for reasons).
    pub text: String,
    /// The pattern normalised for matching.
    pattern: String,
}

/// What the scheduler learns from robots.txt.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RobotsInfo {
    /// Absolute http(s) URLs from `Sitemap:` lines, in order, without duplicates.
    pub sitemaps: Vec<String>,
    /// The Crawl-delay of our group, in ms (capped at 30 s; `None` when absent, zero or unreadable).
    pub crawl_delay_ms: Option<u64>,
}

#[derive(Default)]
struct Group {
    agents: Vec<String>,
    rules: Vec<Rule>,
    delay_ms: Option<u64>,
}

impl Robots {
    /// Reads a robots.txt body fetched with HTTP `status` (0 = the request failed).
    pub fn parse(text: &str, status: u16) -> (Robots, RobotsInfo) {
        match status {
            200..=299 => {}
            429 | 500..=599 | 0 => return (Robots::Unreachable { status }, RobotsInfo::default()),
            // 4xx: "unavailable", crawl everything; 1xx/3xx (redirects the fetch didn't resolve): RFC 9309 §2.3.1.2
            // lets a crawler treat those as unavailable too.
            _ => return (Robots::AllowAll, RobotsInfo::default()),
        }
        let mut end = text.len().min(MAX_ROBOTS_BYTES);
        if end < text.len() {
            // A line cut in half could say much more than it did whole ("Disallow: /*a*" from "/*a*b"): drop it.
            end = text.as_bytes()[..end].iter().rposition(|b| matches!(b, b'\n' | b'\r')).unwrap_or(0);
        }
        let text = text[..end].strip_prefix('\u{feff}').unwrap_or(&text[..end]);

        let mut groups: Vec<Group> = Vec::new();
        let mut info = RobotsInfo::default();
        // A user-agent line right after another one (or after only non-rule lines) joins the same group.
        let mut collecting_agents = false;
        for line in text.split(['\n', '\r']) {
            let line = line.split('#').next().unwrap_or("");
            let Some((key, value)) = line.split_once(':') else { continue };
            let (key, value) = (key.trim().to_ascii_lowercase(), value.trim());
            match key.as_str() {
                "user-agent" => {
                    if !collecting_agents || groups.is_empty() {
                        groups.push(Group::default());
                    }
                    collecting_agents = true;
                    // The product token is the leading run of letters, digits, '-' and '_' ("sitemirror/1.0").
                    let token: String = if value.starts_with('*') {
                        "*".into()
                    } else {
                        value.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect()
                    };
                    groups.last_mut().expect("just pushed").agents.push(token.to_ascii_lowercase());
                }
                "allow" | "disallow" => {
                    collecting_agents = false;
                    // Rules before any user-agent line belong to no group; an empty pattern matches nothing.
                    if let (Some(group), false) = (groups.last_mut(), value.is_empty()) {
                        group.rules.push(Rule {
                            allow: key == "allow",
                            text: value.to_owned(),
                            pattern: normalise(value),
                        });
                    }
                }
                "crawl-delay" => {
                    collecting_agents = false;
                    if let Some(group) = groups.last_mut() {
                        group.delay_ms = parse_delay(value);
                    }
                }
                "sitemap" => {
                    if let Ok(url) = url::Url::parse(value) {
                        let key = crate::url::canonical_key(&url);
                        if crate::url::is_mirrorable(&url)
                            && info.sitemaps.len() < MAX_SITEMAPS
                            && !info.sitemaps.contains(&key)
                        {
                            info.sitemaps.push(key);
                        }
                    }
                }
                _ => {}
            }
        }

        let ours: Vec<&Group> = groups.iter().filter(|g| g.agents.iter().any(|a| a == PRODUCT_TOKEN)).collect();
        let chosen =
            if ours.is_empty() { groups.iter().filter(|g| g.agents.iter().any(|a| a == "*")).collect() } else { ours };
        info.crawl_delay_ms = chosen.iter().find_map(|g| g.delay_ms);
        let rules: Vec<Rule> = chosen.into_iter().flat_map(|g| g.rules.iter().cloned()).collect();
        let robots = if rules.is_empty() { Robots::AllowAll } else { Robots::Rules(rules) };
        (robots, info)
    }

    /// `None` when `path_and_query` (as the URL parser serialised it) may be fetched, else the skip reason.
    pub fn check(&self, path_and_query: &str) -> Option<String> {
        // RFC 9309 §2.2.2: /robots.txt is always allowed.
        if path_and_query == "/robots.txt" {
            return None;
        }
        match self {
            Robots::AllowAll => None,
            Robots::Unreachable { status: 0 } => Some(reason::reason(
                ROBOTS,
                "robots.txt could not be fetched, so the site counts as disallowed (RFC 9309); \
                 choose \"ignore robots.txt\" to crawl it anyway",
            )),
            Robots::Unreachable { status } => Some(reason::reason(
                ROBOTS,
                format_args!(
                    "robots.txt answered HTTP {status}, so the site counts as disallowed (RFC 9309); \
                     choose \"ignore robots.txt\" to crawl it anyway"
                ),
            )),
            Robots::Rules(rules) => {
                let path = normalise(path_and_query);
                let mut best: Option<&Rule> = None;
                for rule in rules.iter().filter(|r| matches(&r.pattern, &path)) {
                    let better = match best {
                        None => true,
                        Some(b) => {
                            rule.pattern.len() > b.pattern.len()
                                || (rule.pattern.len() == b.pattern.len() && rule.allow && !b.allow)
                        }
                    };
                    if better {
                        best = Some(rule);
                    }
                }
                best.filter(|r| !r.allow)
                    .map(|r| reason::reason(ROBOTS, format_args!("robots.txt disallows it (Disallow: {})", r.text)))
            }
        }
    }
}

fn parse_delay(value: &str) -> Option<u64> {
    let number: String = value.chars().take_while(|c| c.is_ascii_digit() || *c == '.').collect();
    let seconds: f64 = number.parse().ok()?;
    let ms = (seconds * 1000.0).round();
    // A zero delay asks for nothing; absurd ones are capped rather than obeyed.
    (ms >= 1.0).then(|| (ms as u64).min(MAX_CRAWL_DELAY_MS))
}

/// Percent-encoding normalised as RFC 9309 §2.2.2 asks: octets outside printable ASCII are encoded, escapes of
/// unreserved characters decoded, the remaining escapes upper-cased. `*` and `$` pass through.
fn normalise(s: &str) -> String {
    fn hex(b: u8) -> Option<u8> {
        (b as char).to_digit(16).map(|d| d as u8)
    }
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let bytes = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                let v = h << 4 | l;
                if v.is_ascii_alphanumeric() || matches!(v, b'-' | b'.' | b'_' | b'~') {
                    out.push(v as char);
                } else {
                    out.push('%');
                    out.push(HEX[(v >> 4) as usize] as char);
                    out.push(HEX[(v & 15) as usize] as char);
                }
                i += 3;
                continue;
            }
        }
        if b >= 0x80 || b <= 0x20 || b == 0x7f {
            out.push('%');
            out.push(HEX[(b >> 4) as usize] as char);
            out.push(HEX[(b & 15) as usize] as char);
        } else {
            out.push(b as char);
        }
        i += 1;
    }
    out
}

/// Whether a normalised pattern matches the start of a normalised path: `*` is any run of characters, a final
/// `$` anchors the end. Leftmost matching of each literal piece is enough: it leaves the most room for the rest.
fn matches(pattern: &str, path: &str) -> bool {
    let (pattern, anchored) = match pattern.strip_suffix('$') {
        Some(p) => (p, true),
        None => (pattern, false),
    };
    let pieces: Vec<&str> = pattern.split('*').collect();
    let last = pieces.len() - 1;
    if last == 0 {
        return if anchored { path == pattern } else { path.starts_with(pattern) };
    }
    if !path.starts_with(pieces[0]) {
        return false;
    }
    let mut pos = pieces[0].len();
    for piece in &pieces[1..last] {
        match path[pos..].find(piece) {
            Some(at) => pos += at + piece.len(),
            None => return false,
        }
    }
    let tail = pieces[last];
    if anchored {
        path.len() >= pos + tail.len() && path.ends_with(tail)
    } else {
        path[pos..].contains(tail)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalisation_follows_rfc_9309_examples() {
        assert_eq!(normalise("/foo/bar/ツ"), "/foo/bar/%E3%83%84");
        assert_eq!(normalise("/foo/bar/%e3%83%84"), "/foo/bar/%E3%83%84");
        assert_eq!(normalise("/foo/bar/%62%61%7A"), "/foo/bar/baz");
        assert_eq!(normalise("/a%2Fb%"), "/a%2Fb%");
        assert_eq!(normalise("/%4"), "/%4");
    }

    #[test]
    fn pattern_matching() {
        assert!(matches("/fish", "/fish.html"));
        assert!(matches("/fish*", "/fish"));
        assert!(matches("/*.php", "/folder/filename.php?parameters"));
        assert!(matches("/*.php$", "/filename.php"));
        assert!(!matches("/*.php$", "/filename.php?parameters"));
        assert!(matches("/fish*.php", "/fishheads/catfish.php?parameters"));
        assert!(!matches("/fish*.php", "/Fish.PHP"));
        assert!(matches("/*", "/"));
        assert!(matches("/a*b*$", "/aXbY"));
        assert!(!matches("/x$", "/xy"));
    }
}
