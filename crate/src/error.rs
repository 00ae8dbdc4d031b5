//! Errors of the engine, one enum per module, each variant with a stable code.
//!
//! The code (`"area/what"`) is the contract with JavaScript: `crate::wasm` turns every error into a JS `Error`
//! whose `code` property is this string, and the extension branches on it. Messages are for people and may change;
//! codes may not.

use crate::codes;
use std::fmt;

/// Anything with a stable machine-readable code.
pub trait ErrorCode: std::error::Error {
    /// The stable code, e.g. `"rewrite/memory-limit"`.
    fn code(&self) -> &'static str;
}

/// Errors from URL parsing and the original ⇄ mirror mapping.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum UrlError {
    /// The text is not a URL that can be parsed.
    Invalid { input: String, reason: String },
    /// The URL parsed, but only http(s) URLs can be mirrored (and not from the hosts `.` and `..`).
    NotMirrorable { url: String },
    /// The mirror prefix is not an absolute URL ending in `/`.
    BadPrefix { prefix: String },
}

impl fmt::Display for UrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UrlError::Invalid { input, reason } => {
                write!(f, "Not a valid URL: {input:?} ({reason}).")
            }
            UrlError::NotMirrorable { url } => {
                write!(f, "Only http and https URLs can be mirrored, not {url:?}.")
            }
            UrlError::BadPrefix { prefix } => {
                write!(f, "The mirror prefix must be an absolute URL ending in '/', not {prefix:?}.")
            }
        }
    }
}

impl std::error::Error for UrlError {}

impl ErrorCode for UrlError {
    fn code(&self) -> &'static str {
        match self {
            UrlError::Invalid { .. } => codes::URL_INVALID,
            UrlError::NotMirrorable { .. } => codes::URL_NOT_MIRRORABLE,
            UrlError::BadPrefix { .. } => codes::OPTIONS_INVALID,
        }
    }
}

/// Errors from rewriting or scanning a document.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RewriteError {
    /// The document needs more parser memory than the limit allows (hostile or pathological input).
    MemoryLimit { limit: usize },
    /// The HTML rewriter stopped for another reason.
    Failed { reason: String },
    /// The markup puts a raw-text tag (`<xmp>`, `<textarea>`, `<style>`…) where browsers may ignore it (inside
    /// `<select>`, after `<frameset>`): what follows could be text or elements, so it can't be rewritten safely.
    Ambiguous { tag: String },
    /// The options given to the rewriter are unusable.
    Options(UrlError),
}

impl fmt::Display for RewriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RewriteError::MemoryLimit { limit } => {
                write!(f, "The document needs more than {limit} bytes of parser memory; it was not rewritten.")
            }
            RewriteError::Failed { reason } => {
                write!(f, "The document could not be rewritten: {reason}.")
            }
            RewriteError::Ambiguous { tag } => write!(
                f,
                "The document can't be replayed safely: browsers may read what follows its <{tag}> tag as text or as \
                 markup (a raw-text tag inside <select> or after <frameset>)."
            ),
            RewriteError::Options(e) => write!(f, "Bad rewrite options: {e}"),
        }
    }
}

impl std::error::Error for RewriteError {}

impl ErrorCode for RewriteError {
    fn code(&self) -> &'static str {
        match self {
            RewriteError::MemoryLimit { .. } => codes::REWRITE_MEMORY_LIMIT,
            RewriteError::Failed { .. } => codes::REWRITE_FAILED,
            RewriteError::Ambiguous { .. } => codes::REWRITE_AMBIGUOUS,
            RewriteError::Options(e) => e.code(),
        }
    }
}

impl From<UrlError> for RewriteError {
    fn from(e: UrlError) -> Self {
        RewriteError::Options(e)
    }
}

/// Options passed across the JS boundary that don't have the expected shape.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct OptionsError {
    pub reason: String,
}

impl fmt::Display for OptionsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Invalid options: {}.", self.reason.trim_end_matches('.'))
    }
}

impl std::error::Error for OptionsError {}

impl ErrorCode for OptionsError {
    fn code(&self) -> &'static str {
        codes::OPTIONS_INVALID
    }
}

/// Errors from the mirror store.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum StoreError {
    /// The browser's storage quota (or the store's budget) has no room for the write; nothing was written.
    QuotaExceeded { needed: u64, available: u64 },
    /// One body is larger than the per-resource cap; nothing was written.
    TooLarge { url: String, size: u64, max: u64 },
    /// A 304 refers to a body the store doesn't have.
    MissingPayload { digest: String },
    /// The storage backend (IndexedDB) failed; the transaction was rolled back.
    Backend { reason: String },
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::QuotaExceeded { needed, available } => write!(
                f,
                "Storage is full: {needed} more bytes were needed and {available} are available; nothing was written."
            ),
            StoreError::TooLarge { url, size, max } => {
                write!(f, "{url} is {size} bytes, over the {max}-byte limit for one resource; it was not stored.")
            }
            StoreError::MissingPayload { digest } => {
                write!(f, "No stored body has digest {digest}; the unchanged version can't be recorded.")
            }
            StoreError::Backend { reason } => {
                write!(f, "The browser's storage failed: {}; nothing was written.", reason.trim_end_matches('.'))
            }
        }
    }
}

impl std::error::Error for StoreError {}

impl ErrorCode for StoreError {
    fn code(&self) -> &'static str {
        match self {
            StoreError::QuotaExceeded { .. } => codes::STORE_QUOTA_EXCEEDED,
            StoreError::TooLarge { .. } => codes::STORE_TOO_LARGE,
            StoreError::MissingPayload { .. } => codes::STORE_MISSING_PAYLOAD,
            StoreError::Backend { .. } => codes::STORE_FAILED,
        }
    }
}

/// Errors from setting up a crawl.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CrawlError {
    /// A crawl option has the wrong type or is out of its range; the reason names the field.
    InvalidConfig { reason: String },
    /// The start URL is not a URL that can be crawled.
    Url(UrlError),
}

impl fmt::Display for CrawlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CrawlError::InvalidConfig { reason } => {
                write!(f, "Invalid crawl options: {}.", reason.trim_end_matches('.'))
            }
            CrawlError::Url(e) => write!(f, "Bad start URL: {e}"),
        }
    }
}

impl std::error::Error for CrawlError {}

impl ErrorCode for CrawlError {
    fn code(&self) -> &'static str {
        match self {
            CrawlError::InvalidConfig { .. } => codes::CRAWL_INVALID_CONFIG,
            CrawlError::Url(e) => e.code(),
        }
    }
}

impl From<UrlError> for CrawlError {
    fn from(e: UrlError) -> Self {
        CrawlError::Url(e)
    }
}

/// Errors from reading a WARC file (`archive::WarcReader`). One record that can't be used is not an error (it
/// comes back with a `problem`); these stop the whole file, and the reader refuses further input with the same one.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ArchiveError {
    /// The file starts with neither a WARC header nor gzip (or is gzip holding something else).
    NotWarc { looks_like: String },
    /// The gzip data is corrupt at this byte of the file.
    BadGzip { offset: u64, reason: String },
    /// The file ends inside a record (or inside a gzip member), after this many complete records.
    Truncated { records: u64 },
    /// A record header can't be parsed; `offset` is where the record starts in the WARC data (after gunzipping).
    Malformed { offset: u64, reason: String },
    /// No ZIP end-of-central-directory record at the end of the file: neither a WACZ nor any other ZIP. Reported
    /// as `archive/not-warc`, since to the person importing it is just one more file that isn't an archive.
    NoZipDirectory,
    /// A ZIP whose directory or headers contradict themselves or the file's length (or that needs what isn't
    /// supported, like a directory split across disks).
    BadZip { reason: String },
    /// An entry the ZIP writer was asked to add that would make a broken or unsafe ZIP (or one after `finish`).
    BadZipEntry { name: String, reason: String },
    /// Inflating the file (gzip members, a WACZ entry's deflate, gzip/deflate-encoded bodies) made `made` bytes, more
    /// than `ratio` times the `read` bytes of the file: a decompression bomb, not an archive.
    TooCompressed { read: u64, made: u64, ratio: u64 },
}

impl fmt::Display for ArchiveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ArchiveError::NotWarc { looks_like } => {
                write!(f, "This is not a WARC file: it looks like {looks_like}.")
            }
            ArchiveError::BadGzip { offset, reason } => {
                write!(f, "The compressed data is corrupt at byte {offset}: {reason}.")
            }
            ArchiveError::Truncated { records } => {
                let s = if *records == 1 { "" } else { "s" };
                write!(f, "The file ends inside a record, after {records} complete record{s}; it is cut short.")
            }
            ArchiveError::Malformed { offset, reason } => {
                write!(f, "The WARC record at byte {offset} can't be read: {reason}.")
            }
            ArchiveError::NoZipDirectory => write!(f, "This is not a WARC or WACZ file (no ZIP directory)."),
            ArchiveError::BadZip { reason } => write!(f, "The ZIP file can't be read: {reason}."),
            ArchiveError::BadZipEntry { name, reason } => {
                write!(f, "The ZIP entry {name:?} can't be written: {reason}.")
            }
            ArchiveError::TooCompressed { read, made, ratio } => write!(
                f,
                "The data inflates to more than {ratio} times its size ({made} bytes from the first {read}), \
                 which no real archive does: it was read no further, as a decompression bomb."
            ),
        }
    }
}

impl std::error::Error for ArchiveError {}

impl ErrorCode for ArchiveError {
    fn code(&self) -> &'static str {
        match self {
            ArchiveError::NotWarc { .. } => codes::ARCHIVE_NOT_WARC,
            ArchiveError::BadGzip { .. } => codes::ARCHIVE_BAD_GZIP,
            ArchiveError::Truncated { .. } => codes::ARCHIVE_TRUNCATED,
            ArchiveError::Malformed { .. } => codes::ARCHIVE_MALFORMED,
            ArchiveError::NoZipDirectory => codes::ARCHIVE_NOT_WARC,
            ArchiveError::BadZip { .. } => codes::ARCHIVE_MALFORMED,
            ArchiveError::BadZipEntry { .. } => codes::ARCHIVE_MALFORMED,
            ArchiveError::TooCompressed { .. } => codes::ARCHIVE_TOO_COMPRESSED,
        }
    }
}
