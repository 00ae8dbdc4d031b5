//! What a stored response IS when it is replayed: decided the way the browser will decide it, so that nothing
//! the browser would render as a document is ever served unrewritten at the extension's origin.
//!
//! - [`extract`] is the Fetch standard's "extract a MIME type": every `Content-Type` value is read (a header sent
//!   twice, or a comma list), the last valid type wins, and its charset is kept only if the essence didn't change.
//!   `text/plain, text/html` is HTML; `text/html (comment)` is no valid type at all.
//! - [`treat`] chooses how replay serves a body: rewritten as HTML, rewritten as CSS, or raw under a type the
//!   browser can't render as a document. Everything a browser renders as a document with markup — HTML, XHTML,
//!   SVG, any XML — goes through the static HTML rewriter and is served as `text/html` when it is requested as a
//!   document: one parser (HTML's) both in the rewriter and in the browser, so no parser differential between
//!   what was rewritten and what renders. A missing, invalid or unknown type is sniffed the careful way: anything
//!   that isn't plainly binary is treated as HTML.
//!
//! Owns no I/O and no policy about which requests reach the mirror (that is the service worker's).

/// How replay serves one stored body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Treatment {
    /// Rewritten by the static HTML rewriter, served as `text/html; charset=utf-8`.
    Html,
    /// Rewritten as a stylesheet, served as `text/css; charset=utf-8`.
    Css,
    /// Served as stored, under this type (never one the browser renders as a document with markup).
    Raw(String),
}

/// A parsed MIME type: essence (lower-case `type/subtype`) and its `charset` parameter if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mime {
    pub essence: String,
    pub charset: Option<String>,
}

/// Request destinations whose responses are never rendered as a document (Fetch's `request.destination`).
/// Everything else — `document`, `iframe`, `frame`, `object`, `embed` and any destination this list doesn't know
/// — is treated as a document request: the careful default.
const SUBRESOURCE_DESTINATIONS: &[&str] = &[
    "image",
    "style",
    "font",
    "audio",
    "video",
    "track",
    "script",
    "worker",
    "sharedworker",
    "serviceworker",
    "manifest",
    "xslt",
    "audioworklet",
    "paintworklet",
    "json",
    "",
];

/// Bytes of a body's head that sniffing looks at (the MIME Sniffing standard's resource header).
pub const SNIFF_BYTES: usize = 1445;

/// Whether `destination` (a Fetch request destination) is a subresource that is never rendered as a document.
pub fn is_subresource(destination: &str) -> bool {
    SUBRESOURCE_DESTINATIONS.contains(&destination)
}

/// How to serve a stored response: `content_types` are its `Content-Type` values in order, `head` the first
/// bytes of its body ([`SNIFF_BYTES`] are enough), `destination` the replay request's destination.
pub fn treat(content_types: &[&str], head: &[u8], destination: &str) -> Treatment {
    let mime = extract(content_types);
    let document = !is_subresource(destination);
    let Some(mime) = mime.filter(|m| !is_sniffable(&m.essence)) else {
        return sniffed(head, document);
    };
    let essence = mime.essence.as_str();
    if essence == "text/css" {
        return Treatment::Css;
    }
    if is_markup(essence) {
        return match (document, essence) {
            (true, _) => Treatment::Html,
            // An SVG image must stay SVG to render in <img>; as an image it runs nothing and loads nothing.
            (false, "image/svg+xml") => Treatment::Raw(essence.to_owned()),
            (false, _) => Treatment::Raw("text/plain".into()),
        };
    }
    if essence.starts_with("multipart/") {
        // multipart/x-mixed-replace renders each part by its own type: a part could be HTML.
        return Treatment::Raw("application/octet-stream".into());
    }
    match (&mime.charset, essence.starts_with("text/")) {
        (Some(charset), true) if is_token(charset) => Treatment::Raw(format!("{essence}; charset={charset}")),
        _ => Treatment::Raw(essence.to_owned()),
    }
}

/// The Fetch standard's "extract a MIME type" over the values of every `Content-Type` header, in order.
pub fn extract(content_types: &[&str]) -> Option<Mime> {
    let mut result: Option<Mime> = None;
    let mut essence: Option<String> = None;
    let mut charset: Option<String> = None;
    for value in content_types.iter().flat_map(|v| split_values(v)) {
        let Some(mut parsed) = parse(&value) else { continue };
        if parsed.essence == "*/*" {
            continue;
        }
        if essence.as_deref() != Some(parsed.essence.as_str()) {
            charset = parsed.charset.clone();
            essence = Some(parsed.essence.clone());
        } else if parsed.charset.is_none() {
            parsed.charset = charset.clone();
        }
        result = Some(parsed);
    }
    result
}

/// Types that carry markup a browser renders as a document: HTML, XHTML, SVG, and every XML type.
fn is_markup(essence: &str) -> bool {
    matches!(essence, "text/html" | "text/xml" | "application/xml" | "text/xsl")
        || essence.ends_with("+xml")
        // Chromium renders these as XML documents too.
        || essence == "application/xml-dtd"
}

/// Types that say nothing about the body; Chromium may sniff them, so replay sniffs them the careful way.
fn is_sniffable(essence: &str) -> bool {
    matches!(
        essence,
        "application/octet-stream" | "unknown/unknown" | "application/unknown" | "application/x-unknown-content-type"
    )
}

/// A body without a usable type. Documents: plainly binary bodies are served as bytes (the browser won't render
/// them as markup); anything else could be sniffed as HTML or XML by some browser, so it is rewritten as HTML.
fn sniffed(head: &[u8], document: bool) -> Treatment {
    let head = &head[..head.len().min(SNIFF_BYTES)];
    if document && !is_binary(head) {
        return Treatment::Html;
    }
    Treatment::Raw("application/octet-stream".into())
}

/// The MIME Sniffing standard's test: a body is binary if its head holds a binary data byte (text with a UTF-16
/// byte order mark is not binary).
fn is_binary(head: &[u8]) -> bool {
    if head.starts_with(&[0xFE, 0xFF]) || head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return false;
    }
    head.iter().any(|&b| matches!(b, 0x00..=0x08 | 0x0B | 0x0E..=0x1A | 0x1C..=0x1F))
}

/// Fetch's "split" of a combined header value: commas outside quoted strings separate values.
fn split_values(input: &str) -> Vec<String> {
    let mut values = Vec::new();
    let mut current = String::new();
    let mut chars = input.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                current.push('"');
                while let Some(q) = chars.next() {
                    current.push(q);
                    match q {
                        '\\' => {
                            if let Some(escaped) = chars.next() {
                                current.push(escaped);
                            }
                        }
                        '"' => break,
                        _ => {}
                    }
                }
            }
            ',' => values.push(std::mem::take(&mut current)),
            _ => current.push(c),
        }
    }
    values.push(current);
    values.into_iter().map(|v| v.trim_matches(is_http_tab_or_space).to_owned()).collect()
}

/// The MIME Sniffing standard's "parse a MIME type" (only the `charset` parameter is kept).
pub fn parse(input: &str) -> Option<Mime> {
    let input = input.trim_matches(is_http_whitespace);
    let (kind, rest) = input.split_once('/')?;
    if kind.is_empty() || !is_token(kind) {
        return None;
    }
    let (subtype, mut params) = match rest.find(';') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    let subtype = subtype.trim_end_matches(is_http_whitespace);
    if subtype.is_empty() || !is_token(subtype) {
        return None;
    }
    let mut mime =
        Mime { essence: format!("{}/{}", kind.to_ascii_lowercase(), subtype.to_ascii_lowercase()), charset: None };
    while let Some(after) = params.strip_prefix(';') {
        params = after.trim_start_matches(is_http_whitespace);
        let name_end = params.find([';', '=']).unwrap_or(params.len());
        let name = params[..name_end].to_ascii_lowercase();
        params = &params[name_end..];
        if params.starts_with(';') {
            continue;
        }
        let Some(after) = params.strip_prefix('=') else { break };
        params = after;
        let value = if params.starts_with('"') {
            let (value, used) = quoted(params);
            params = &params[used..];
            params = &params[params.find(';').unwrap_or(params.len())..];
            value
        } else {
            let end = params.find(';').unwrap_or(params.len());
            let value = params[..end].trim_end_matches(is_http_whitespace).to_owned();
            params = &params[end..];
            if value.is_empty() {
                continue;
            }
            value
        };
        if name == "charset" && mime.charset.is_none() && value.chars().all(is_quoted_string_char) {
            mime.charset = Some(value);
        }
    }
    Some(mime)
}

/// An HTTP quoted string at the start of `s` (which starts with `"`): its value and the bytes it used.
fn quoted(s: &str) -> (String, usize) {
    let mut value = String::new();
    let mut chars = s.char_indices().skip(1);
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some((_, escaped)) => value.push(escaped),
                None => {
                    value.push('\\');
                    return (value, s.len());
                }
            },
            '"' => return (value, i + 1),
            _ => value.push(c),
        }
    }
    (value, s.len())
}

fn is_token(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

fn is_quoted_string_char(c: char) -> bool {
    c == '\t' || (' '..='~').contains(&c) || ('\u{80}'..='\u{ff}').contains(&c)
}

fn is_http_whitespace(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | ' ')
}

fn is_http_tab_or_space(c: char) -> bool {
    matches!(c, '\t' | ' ')
}
