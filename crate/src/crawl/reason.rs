//! Why a URL was skipped or failed: stable codes (defined in `crate::codes`; the extension groups its crawl report
//! by them) and the `"code: human text"` strings frontier entries carry.

pub use crate::codes::{
    CRAWL_BAD_SITEMAP as BAD_SITEMAP, CRAWL_CALENDAR as CALENDAR, CRAWL_EXCLUDED as EXCLUDED,
    CRAWL_HTTP_PREFIX as HTTP_PREFIX, CRAWL_LOGOUT as LOGOUT, CRAWL_MAX_BYTES as MAX_BYTES,
    CRAWL_MAX_DEPTH as MAX_DEPTH, CRAWL_MAX_PAGES as MAX_PAGES, CRAWL_NETWORK as NETWORK,
    CRAWL_OUT_OF_SCOPE as OUT_OF_SCOPE, CRAWL_PRIVATE_ADDRESS as PRIVATE_ADDRESS,
    CRAWL_QUERY_EXPLOSION as QUERY_EXPLOSION, CRAWL_REDIRECT_LOOP as REDIRECT_LOOP, CRAWL_REPETITION as REPETITION,
    CRAWL_ROBOTS as ROBOTS, CRAWL_STATE_CHANGING as STATE_CHANGING, CRAWL_TIMEOUT as TIMEOUT,
    CRAWL_TOO_LARGE as TOO_LARGE, CRAWL_URL_TOO_LONG as URL_TOO_LONG,
};

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
