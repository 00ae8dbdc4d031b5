//! The site worker's HTTP rules. Its mirror lives in a visitor's browser, which several people may share (a family
//! or library computer), so it follows a shared cache's contract: which responses may be mirrored (`may_mirror`),
//! which of their headers are stored and replayed with them (`kept_headers`, `replay_headers`) so the copy keeps
//! the origin's security policies, whether a stored copy is fresh enough to answer in place of a reachable origin
//! (`freshness`, RFC 9111), when a new response replaces the stored one (`recapture`), whether a response asks for
//! the mirror to be cleared (`clears_mirror`, Clear-Site-Data), and how the offline banner may be styled under the
//! page's own Content-Security-Policy (`banner_style`).
//!
//! Pure functions of header values and of times in milliseconds since the Unix epoch, given by the caller. Header
//! names match case-insensitively; a header given twice counts as its values joined with ", ", as fetch's
//! `Headers.get` (which is all a service worker sees) joins them.

use crate::crawl::dates::parse_http_date;
use serde::Serialize;

/// Response headers as (name, value) pairs.
pub type Headers = [(String, String)];

/// Headers stored with a capture. Besides what replay and freshness need, every header that restricts what the
/// page may do: served from the mirror at its own URL, on the site's own origin, a page without them would run
/// what the live site blocks (a reflected script its CSP stops, an upload it forces to download, a frame it
/// refuses).
pub const KEPT_HEADERS: &[&str] = &[
    // What the body is.
    "content-type",
    "content-language",
    "content-disposition",
    "etag",
    "last-modified",
    // Where a redirect leads (replay follows it).
    "location",
    // How fresh it is (RFC 9111).
    "cache-control",
    "expires",
    "date",
    "age",
    // What the page may do. The report-only policies and the reporting endpoints keep the site's view of
    // violations the same online and offline.
    "content-security-policy",
    "content-security-policy-report-only",
    "x-frame-options",
    "x-content-type-options",
    "referrer-policy",
    "permissions-policy",
    "cross-origin-opener-policy",
    "cross-origin-opener-policy-report-only",
    "cross-origin-embedder-policy",
    "cross-origin-embedder-policy-report-only",
    "cross-origin-resource-policy",
    // Whether the page may share an agent cluster with its sibling subdomains (`document.domain`).
    "origin-agent-cluster",
    "reporting-endpoints",
    "report-to",
];

/// Kept headers that change with every response without saying anything new about the copy.
const VOLATILE: &[&str] = &["date", "age", "expires"];

/// Kept headers a replayed copy does not carry: the worker answers `Cache-Control: no-store` with the copy's own
/// `Age` instead, so nothing downstream keeps it.
const NOT_REPLAYED: &[&str] = &["cache-control", "expires", "age"];

/// The longest heuristic freshness (10% of the time since Last-Modified). Unlike a CDN's, a copy in a visitor's
/// browser can't be purged on deploy: a day bounds how long an asset the origin gave no lifetime outlives a change.
pub const HEURISTIC_CAP_MS: u64 = 24 * 3600 * 1000;

/// RFC 9111 §1.2.2: delta-seconds beyond what a cache can represent count as 2^31.
const MAX_DELTA_SECONDS: u64 = 1 << 31;

/// All values of a header, joined with ", ".
pub fn header(headers: &Headers, name: &str) -> Option<String> {
    let mut values = headers.iter().filter(|(n, _)| n.trim().eq_ignore_ascii_case(name)).map(|(_, v)| v.trim());
    let first = values.next()?;
    Some(values.fold(first.to_owned(), |all, v| all + ", " + v))
}

/// An HTTP date given once. A joined pair of dates ("Sun, 06 Nov…, Mon, 07 Nov…") is no date: RFC 9111 §4.2.1
/// lets a cache treat duplicated freshness information as stale, which beats guessing which one the site meant.
fn single_date(value: &str) -> Option<u64> {
    if value.matches(',').count() > 1 {
        return None;
    }
    parse_http_date(value)
}

/// delta-seconds: digits only, clamped to 2^31.
fn delta_seconds(value: &str) -> Option<u64> {
    let value = value.trim();
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(value.parse::<u64>().map_or(MAX_DELTA_SECONDS, |n| n.min(MAX_DELTA_SECONDS)))
}

/// Splits a header into `name[=argument]` items at commas outside quoted strings; names lower-case, quoted
/// arguments unquoted (RFC 9111 §5.2: recipients accept both forms).
fn directives(value: &str) -> Vec<(String, Option<String>)> {
    let mut out = Vec::new();
    let mut rest = value;
    loop {
        rest = rest.trim_start_matches(|c: char| c == ',' || c.is_ascii_whitespace());
        if rest.is_empty() {
            return out;
        }
        let end = rest.find([',', '=']).unwrap_or(rest.len());
        let name = rest[..end].trim().to_ascii_lowercase();
        rest = &rest[end..];
        let mut argument = None;
        if let Some(after) = rest.strip_prefix('=') {
            let after = after.trim_start();
            if let Some(quoted) = after.strip_prefix('"') {
                let mut text = String::new();
                let mut escaped = false;
                let mut end = quoted.len();
                for (i, c) in quoted.char_indices() {
                    if escaped {
                        text.push(c);
                        escaped = false;
                    } else if c == '\\' {
                        escaped = true;
                    } else if c == '"' {
                        end = i + 1;
                        break;
                    } else {
                        text.push(c);
                    }
                }
                argument = Some(text);
                rest = &quoted[end..];
            } else {
                let end = after.find(',').unwrap_or(after.len());
                argument = Some(after[..end].trim().to_owned());
                rest = &after[end..];
            }
        }
        if !name.is_empty() {
            out.push((name, argument));
        }
    }
}

/// The response directives of `Cache-Control` this module acts on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CacheControl {
    pub no_store: bool,
    /// `no-cache`, with or without field names (the whole response then needs revalidating: the safe reading).
    pub no_cache: bool,
    /// `private`, with or without field names (the whole response is then private: the safe reading).
    pub private: bool,
    /// `must-revalidate` or `proxy-revalidate`: no serving it stale, not even while revalidating.
    pub must_revalidate: bool,
    /// Seconds.
    pub max_age: Option<u64>,
    /// Seconds.
    pub s_maxage: Option<u64>,
    /// Seconds (RFC 5861).
    pub stale_while_revalidate: Option<u64>,
    /// A lifetime directive that is malformed or given twice with different values: the response is stale
    /// (RFC 9111 §4.2.1 encourages it; a guess could keep it fresh for longer than the site meant).
    pub invalid: bool,
}

impl CacheControl {
    pub fn parse(value: &str) -> CacheControl {
        let mut cc = CacheControl::default();
        for (name, argument) in directives(value) {
            let seconds = argument.as_deref().and_then(delta_seconds);
            let lifetime = |slot: &mut Option<u64>, invalid: &mut bool| match (seconds, *slot) {
                (None, _) => *invalid = true,
                (Some(s), Some(before)) if s != before => *invalid = true,
                (Some(s), _) => *slot = Some(s),
            };
            match name.as_str() {
                "no-store" => cc.no_store = true,
                "no-cache" => cc.no_cache = true,
                "private" => cc.private = true,
                "must-revalidate" | "proxy-revalidate" => cc.must_revalidate = true,
                "max-age" => lifetime(&mut cc.max_age, &mut cc.invalid),
                "s-maxage" => lifetime(&mut cc.s_maxage, &mut cc.invalid),
                // A malformed one only loses its permission to serve stale.
                "stale-while-revalidate" => cc.stale_while_revalidate = seconds,
                _ => {}
            }
        }
        cc
    }

    fn of(headers: &Headers) -> CacheControl {
        header(headers, "cache-control").map(|v| CacheControl::parse(&v)).unwrap_or_default()
    }
}

/// Whether `Vary` names what identifies the visitor (or everything): a copy then can't be told apart per visitor.
fn varies_per_visitor(headers: &Headers) -> bool {
    header(headers, "vary").is_some_and(|v| {
        v.split(',').map(|t| t.trim().to_ascii_lowercase()).any(|t| t == "cookie" || t == "authorization" || t == "*")
    })
}

/// Why a response is not mirrored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Not a full 200 from the site's own origin.
    Status,
    /// It carries `Clear-Site-Data`: it ends a session, it doesn't start a copy.
    ClearSiteData,
    /// A cookie changed while it was fetched: it probably set one (`Set-Cookie` itself is hidden from workers).
    SetCookie,
    /// The request carried `Authorization`.
    Authorization,
    /// `Cache-Control: no-store`.
    NoStore,
    /// `Cache-Control: private`.
    Private,
    /// `Vary: Cookie`, `Authorization` or `*`.
    Vary,
    /// Larger than the configured limit.
    TooLarge,
}

impl Refusal {
    /// The stable code, e.g. `"no-store"`.
    pub fn code(self) -> &'static str {
        match self {
            Refusal::Status => "status",
            Refusal::ClearSiteData => "clear-site-data",
            Refusal::SetCookie => "set-cookie",
            Refusal::Authorization => "authorization",
            Refusal::NoStore => "no-store",
            Refusal::Private => "private",
            Refusal::Vary => "vary",
            Refusal::TooLarge => "too-large",
        }
    }
}

/// What the worker knows about one request and its response.
#[derive(Debug, Clone, Copy)]
pub struct Exchange<'a> {
    pub status: u16,
    /// The response is the origin's own (`Response.type` is `"basic"`), not opaque or cross-origin.
    pub same_origin: bool,
    /// The request carried `Authorization`.
    pub authorization: bool,
    /// A cookie the worker can see changed between the request and now.
    pub cookies_changed: bool,
    pub headers: &'a Headers,
    /// The body's size once read (`Content-Length` is checked before).
    pub body_len: Option<u64>,
}

/// The site owner's settings that bear on mirroring.
#[derive(Debug, Clone, Copy)]
pub struct Rules {
    /// Also mirror `no-store`, `private` and `Vary: Cookie` responses (the site wants logged-in pages offline).
    /// Such copies are only ever served as offline copies, never while the origin answers.
    pub mirror_uncacheable: bool,
    /// Largest body mirrored, in bytes.
    pub max_body: u64,
}

/// Whether a response may go into the mirror, as a shared cache may store it (RFC 9111 §3), or why not.
pub fn may_mirror(x: &Exchange, rules: &Rules) -> Result<(), Refusal> {
    if x.status != 200 || !x.same_origin {
        return Err(Refusal::Status);
    }
    if header(x.headers, "clear-site-data").is_some() {
        return Err(Refusal::ClearSiteData);
    }
    if x.cookies_changed {
        return Err(Refusal::SetCookie);
    }
    if x.authorization {
        return Err(Refusal::Authorization);
    }
    if !rules.mirror_uncacheable {
        let cc = CacheControl::of(x.headers);
        if cc.no_store {
            return Err(Refusal::NoStore);
        }
        if cc.private {
            return Err(Refusal::Private);
        }
        if varies_per_visitor(x.headers) {
            return Err(Refusal::Vary);
        }
    }
    let declared = header(x.headers, "content-length").and_then(|v| v.trim().parse::<u64>().ok());
    if declared.into_iter().chain(x.body_len).any(|n| n > rules.max_body) {
        return Err(Refusal::TooLarge);
    }
    Ok(())
}

/// The headers to store with a capture: the `KEPT_HEADERS` present, names lower-case, in that list's order.
pub fn kept_headers(headers: &Headers) -> Vec<(String, String)> {
    KEPT_HEADERS.iter().filter_map(|&name| header(headers, name).map(|v| (name.to_owned(), v))).collect()
}

/// Whether a stored copy may answer while the origin is reachable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum State {
    /// Younger than its freshness lifetime: it may answer instead of the network.
    Fresh,
    /// Stale, within the response's `stale-while-revalidate` window: it may answer while the network refreshes it.
    StaleWhileRevalidate,
    /// Only an offline copy: served when the network fails, times out or says the origin is down.
    Stale,
}

/// A stored copy's freshness (RFC 9111 §4.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Freshness {
    pub state: State,
    /// current_age (§4.2.3).
    pub age_ms: u64,
    /// freshness_lifetime (§4.2.1); 0 when the copy may never answer in place of the network.
    pub lifetime_ms: u64,
}

/// The freshness of a copy stored with `headers` (as `kept_headers` keeps them), whose request was sent at
/// `requested_at`, at `now`.
///
/// Taking the request time as the response time too gives §4.2.3's current_age exactly: the response delay it
/// adds to the Age header's value is what the resident time then loses.
///
/// Lifetime: the smaller of `max-age` and `s-maxage` (the mirror is in a visitor's browser like a private cache,
/// and shared by whoever uses that browser like a shared cache: the stricter wins), else `Expires` − `Date`
/// (an invalid `Expires`, such as `0`, has expired), else 10% of the time since `Last-Modified`, capped at
/// `HEURISTIC_CAP_MS`. `no-cache`, and what only `Rules::mirror_uncacheable` let in (`no-store`, `private`,
/// `Vary: Cookie`), have none: those copies are offline copies only.
pub fn freshness(headers: &Headers, requested_at: u64, now: u64) -> Freshness {
    let cc = CacheControl::of(headers);
    let date = header(headers, "date").and_then(|d| single_date(&d)).unwrap_or(requested_at);
    let age_value = header(headers, "age").and_then(|a| delta_seconds(&a)).unwrap_or(0).saturating_mul(1000);
    let apparent_age = requested_at.saturating_sub(date);
    let age_ms = apparent_age.max(age_value).saturating_add(now.saturating_sub(requested_at));

    let reusable = !(cc.no_cache || cc.no_store || cc.private || cc.invalid || varies_per_visitor(headers));
    let lifetime_ms = if !reusable {
        0
    } else if let Some(seconds) = match (cc.max_age, cc.s_maxage) {
        (Some(a), Some(s)) => Some(a.min(s)),
        (a, s) => a.or(s),
    } {
        seconds * 1000
    } else if let Some(expires) = header(headers, "expires") {
        single_date(&expires).map_or(0, |e| e.saturating_sub(date))
    } else {
        header(headers, "last-modified")
            .and_then(|lm| single_date(&lm))
            .map_or(0, |lm| (date.saturating_sub(lm) / 10).min(HEURISTIC_CAP_MS))
    };

    let state = if lifetime_ms > age_ms {
        State::Fresh
    } else if reusable
        && !cc.must_revalidate
        && cc.stale_while_revalidate.is_some_and(|s| age_ms < lifetime_ms.saturating_add(s * 1000))
    {
        State::StaleWhileRevalidate
    } else {
        State::Stale
    };
    Freshness { state, age_ms, lifetime_ms }
}

/// Whether the request itself asks for the network's answer (fetch's `Request.cache`: a reload, `no-cache`,
/// `no-store`): no stored copy answers it while the origin does.
pub fn request_wants_network(cache_mode: &str) -> bool {
    matches!(cache_mode, "no-store" | "reload" | "no-cache")
}

/// What to do with a new response of a URL the mirror may already hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Recapture {
    /// Store it as a new version (a new body, or new headers on the same body).
    Add,
    /// Same body, same headers: store it in place of the stored version, which had gone stale while this one is
    /// fresh (the origin just confirmed the copy; its age starts again).
    Replace,
    /// Nothing new.
    Skip,
}

/// `previous`: the stored version's headers and request time; `same_body`: whether the new body is the stored one.
pub fn recapture(previous: Option<(&Headers, u64)>, same_body: bool, headers: &Headers, at: u64) -> Recapture {
    let Some((before, before_at)) = previous else { return Recapture::Add };
    let meaningful = |h: &Headers| {
        let mut kept = kept_headers(h);
        kept.retain(|(n, _)| !VOLATILE.contains(&n.as_str()));
        kept
    };
    if !same_body || meaningful(before) != meaningful(headers) {
        return Recapture::Add;
    }
    let was_stale = freshness(before, before_at, at).state != State::Fresh;
    if was_stale && freshness(headers, at, at).state == State::Fresh {
        Recapture::Replace
    } else {
        Recapture::Skip
    }
}

/// Whether a `Clear-Site-Data` value asks to forget what the site stored or who was logged in: `"cache"`,
/// `"cookies"`, `"storage"` or `"*"`. Unquoted types count too: a browser ignores them, but clearing the mirror
/// when the site meant to is the safe side.
pub fn clears_mirror(value: &str) -> bool {
    value
        .split(',')
        .map(|t| t.trim().trim_matches('"').trim().to_ascii_lowercase())
        .any(|t| matches!(t.as_str(), "cache" | "cookies" | "storage" | "*"))
}

/// How the offline banner goes into a replayed page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum BannerStyle {
    /// Styled with an inline `style` attribute: every CSP the page has lets inline style attributes through.
    Inline,
    /// Without a `style` attribute: the page's CSP would block it (and report it). Plain text at the top of the
    /// page, in the page's own styles; the CSP is left as the site sent it.
    Plain,
    /// No banner: the response is a download (`Content-Disposition: attachment`), and the file is the site's.
    None,
}

/// Whether a `Content-Disposition` makes the browser download: any type but `inline` does (as in Chromium; RFC
/// 6266 §4.2 treats unknown types as `attachment`).
fn is_download(value: &str) -> bool {
    let kind = value.split(';').next().unwrap_or("").trim();
    !kind.is_empty() && !kind.eq_ignore_ascii_case("inline")
}

/// Whether one CSP header value (one or more policies, comma-separated) allows inline `style` attributes.
fn csp_allows_inline_style(value: &str) -> bool {
    value.split(',').all(|policy| {
        let mut seen: Vec<(String, Vec<String>)> = Vec::new();
        for directive in policy.split(';') {
            let mut tokens = directive.split_ascii_whitespace();
            let Some(name) = tokens.next() else { continue };
            let name = name.to_ascii_lowercase();
            // A repeated directive is ignored (CSP3 §2.2.1).
            if !seen.iter().any(|(n, _)| *n == name) {
                seen.push((name, tokens.map(str::to_ascii_lowercase).collect()));
            }
        }
        let governing = ["style-src-attr", "style-src", "default-src"]
            .iter()
            .find_map(|d| seen.iter().find(|(n, _)| n == d).map(|(_, sources)| sources));
        governing.is_none_or(|sources| {
            // A nonce or a hash switches 'unsafe-inline' off (CSP3 §6.7.3.3), and neither matches our attribute.
            sources.iter().any(|s| s == "'unsafe-inline'")
                && !sources
                    .iter()
                    .any(|s| ["'nonce-", "'sha256-", "'sha384-", "'sha512-"].iter().any(|prefix| s.starts_with(prefix)))
        })
    })
}

/// How the banner may go into a copy stored with `headers`: styled inline only when no CSP of the page, enforced
/// or report-only, objects (a report-only violation would still reach the site's reports).
pub fn banner_style(headers: &Headers) -> BannerStyle {
    if header(headers, "content-disposition").is_some_and(|v| is_download(&v)) {
        return BannerStyle::None;
    }
    let policies = ["content-security-policy", "content-security-policy-report-only"];
    if policies.iter().filter_map(|name| header(headers, name)).all(|v| csp_allows_inline_style(&v)) {
        BannerStyle::Inline
    } else {
        BannerStyle::Plain
    }
}

/// The headers a copy is replayed with: what was kept, but its caching headers (the worker sends
/// `Cache-Control: no-store` itself), plus the copy's `Age` in seconds at `now` (RFC 9111 §5.1).
pub fn replay_headers(headers: &Headers, requested_at: u64, now: u64) -> Vec<(String, String)> {
    let mut out = kept_headers(headers);
    out.retain(|(n, _)| !NOT_REPLAYED.contains(&n.as_str()));
    let age = freshness(headers, requested_at, now).age_ms / 1000;
    out.push(("age".to_owned(), age.min(MAX_DELTA_SECONDS).to_string()));
    out
}
