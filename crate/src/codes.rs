//! Every error and reason code the engine speaks, defined once. A code is `area/what`: stable, the contract with
//! JavaScript (which branches on it, never on the message) and with the crawl report (which groups by it). The
//! codes JavaScript adds of its own are defined once too, in lib/shared.js; docs/engine-api.md ("Codes") lists
//! them all with their meaning. tests/native/codes.rs fails on a code not documented there, and on a code written
//! as a literal anywhere but in the two registries.

// Errors (`SitemirrorError.code`).
pub const URL_INVALID: &str = "url/invalid";
pub const URL_NOT_MIRRORABLE: &str = "url/not-mirrorable";
pub const OPTIONS_INVALID: &str = "options/invalid";
pub const REWRITE_MEMORY_LIMIT: &str = "rewrite/memory-limit";
pub const REWRITE_FAILED: &str = "rewrite/failed";
pub const REWRITE_AMBIGUOUS: &str = "rewrite/ambiguous";
pub const STORE_QUOTA_EXCEEDED: &str = "store/quota-exceeded";
pub const STORE_TOO_LARGE: &str = "store/too-large";
pub const STORE_MISSING_PAYLOAD: &str = "store/missing-payload";
pub const STORE_FAILED: &str = "store/failed";
pub const CRAWL_INVALID_CONFIG: &str = "crawl/invalid-config";
pub const ARCHIVE_NOT_WARC: &str = "archive/not-warc";
pub const ARCHIVE_BAD_GZIP: &str = "archive/bad-gzip";
pub const ARCHIVE_TRUNCATED: &str = "archive/truncated";
pub const ARCHIVE_MALFORMED: &str = "archive/malformed";
pub const ARCHIVE_TOO_COMPRESSED: &str = "archive/too-compressed";

// Why a crawl skipped or failed a URL (frontier entries' `reason`: `"code: human text"`).
pub const CRAWL_OUT_OF_SCOPE: &str = "crawl/out-of-scope";
/// An exclude pattern matched, or include patterns exist and none matched.
pub const CRAWL_EXCLUDED: &str = "crawl/excluded";
pub const CRAWL_ROBOTS: &str = "crawl/robots";
pub const CRAWL_LOGOUT: &str = "crawl/logout";
/// A link that looks like it deletes, unsubscribes or revokes something (`followLogout` is off).
pub const CRAWL_STATE_CHANGING: &str = "crawl/state-changing";
/// A host on a private or local address, which the site may not make the browser request.
pub const CRAWL_PRIVATE_ADDRESS: &str = "crawl/private-address";
pub const CRAWL_URL_TOO_LONG: &str = "crawl/url-too-long";
pub const CRAWL_REPETITION: &str = "crawl/repetition";
pub const CRAWL_CALENDAR: &str = "crawl/calendar";
pub const CRAWL_QUERY_EXPLOSION: &str = "crawl/query-explosion";
pub const CRAWL_MAX_DEPTH: &str = "crawl/max-depth";
pub const CRAWL_MAX_PAGES: &str = "crawl/max-pages";
pub const CRAWL_MAX_BYTES: &str = "crawl/max-bytes";
pub const CRAWL_TOO_LARGE: &str = "crawl/too-large";
pub const CRAWL_TIMEOUT: &str = "crawl/timeout";
pub const CRAWL_NETWORK: &str = "crawl/network";
pub const CRAWL_REDIRECT_LOOP: &str = "crawl/redirect-loop";
/// A sitemap that could not be read (not gzip or XML/text, or over 50 MB uncompressed).
pub const CRAWL_BAD_SITEMAP: &str = "crawl/bad-sitemap";
/// Prefix of the family `crawl/http-<status>` (e.g. `crawl/http-404`).
pub const CRAWL_HTTP_PREFIX: &str = "crawl/http-";

/// Every code above (the `crawl/http-` prefix as the family `crawl/http-<status>`).
pub const ALL: &[&str] = &[
    URL_INVALID,
    URL_NOT_MIRRORABLE,
    OPTIONS_INVALID,
    REWRITE_MEMORY_LIMIT,
    REWRITE_FAILED,
    REWRITE_AMBIGUOUS,
    STORE_QUOTA_EXCEEDED,
    STORE_TOO_LARGE,
    STORE_MISSING_PAYLOAD,
    STORE_FAILED,
    CRAWL_INVALID_CONFIG,
    ARCHIVE_NOT_WARC,
    ARCHIVE_BAD_GZIP,
    ARCHIVE_TRUNCATED,
    ARCHIVE_MALFORMED,
    ARCHIVE_TOO_COMPRESSED,
    CRAWL_OUT_OF_SCOPE,
    CRAWL_EXCLUDED,
    CRAWL_ROBOTS,
    CRAWL_LOGOUT,
    CRAWL_STATE_CHANGING,
    CRAWL_PRIVATE_ADDRESS,
    CRAWL_URL_TOO_LONG,
    CRAWL_REPETITION,
    CRAWL_CALENDAR,
    CRAWL_QUERY_EXPLOSION,
    CRAWL_MAX_DEPTH,
    CRAWL_MAX_PAGES,
    CRAWL_MAX_BYTES,
    CRAWL_TOO_LARGE,
    CRAWL_TIMEOUT,
    CRAWL_NETWORK,
    CRAWL_REDIRECT_LOOP,
    CRAWL_BAD_SITEMAP,
    "crawl/http-<status>",
];
