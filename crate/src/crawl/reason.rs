//! Why a URL was skipped or failed: stable codes (the contract with the extension, which groups its crawl report
//! by them) and the `"code: human text"` strings frontier entries carry.

pub const OUT_OF_SCOPE: &str = "crawl/out-of-scope";
/// An exclude pattern matched, or include patterns exist and none matched.
pub const EXCLUDED: &str = "crawl/excluded";
pub const ROBOTS: &str = "crawl/robots";
pub const LOGOUT: &str = "crawl/logout";
/// A link that looks like it deletes, unsubscribes or revokes something (`followLogout` is off).
pub const STATE_CHANGING: &str = "crawl/state-changing";
/// A host on a private or local address, which the site may not make the browser request.
pub const PRIVATE_ADDRESS: &str = "crawl/private-address";
pub const URL_TOO_LONG: &str = "crawl/url-too-long";
pub const REPETITION: &str = "crawl/repetition";
pub const CALENDAR: &str = "crawl/calendar";
pub const QUERY_EXPLOSION: &str = "crawl/query-explosion";
pub const MAX_DEPTH: &str = "crawl/max-depth";
pub const MAX_PAGES: &str = "crawl/max-pages";
/// Settled by the scheduler once `addBytes` returns false.
pub const MAX_BYTES: &str = "crawl/max-bytes";
pub const TOO_LARGE: &str = "crawl/too-large";
pub const TIMEOUT: &str = "crawl/timeout";
pub const NETWORK: &str = "crawl/network";
pub const REDIRECT_LOOP: &str = "crawl/redirect-loop";
/// Set by the scheduler: a sitemap that could not be read (not gzip or XML/text, or over 50 MB uncompressed).
pub const BAD_SITEMAP: &str = "crawl/bad-sitemap";
/// Prefix of `crawl/http-<status>` (e.g. `crawl/http-404`).
pub const HTTP_PREFIX: &str = "crawl/http-";

/// The code of an HTTP status, e.g. `crawl/http-404`.
pub fn http(status: u16) -> String {
    format!("{HTTP_PREFIX}{status}")
}

/// `"code: text"`.
pub(crate) fn reason(code: &str, text: impl std::fmt::Display) -> String {
    format!("{code}: {text}")
}

/// The code of a reason string (the part before `": "`).
pub fn code_of(reason: &str) -> &str {
    reason.split_once(": ").map_or(reason, |(code, _)| code)
}

/// Reason phrases for the statuses a crawl report shows most.
pub(crate) fn status_text(status: u16) -> &'static str {
    match status {
        400 => " Bad Request",
        401 => " Unauthorized",
        403 => " Forbidden",
        404 => " Not Found",
        405 => " Method Not Allowed",
        408 => " Request Timeout",
        410 => " Gone",
        429 => " Too Many Requests",
        451 => " Unavailable For Legal Reasons",
        500 => " Internal Server Error",
        502 => " Bad Gateway",
        503 => " Service Unavailable",
        504 => " Gateway Timeout",
        _ => "",
    }
}
