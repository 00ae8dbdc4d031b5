//! Which character encoding a mirrored document is in, and decoding it to UTF-8.
//!
//! The rewriter always works on, and emits, UTF-8: replay serves every rewritten document as UTF-8, so the
//! declared encoding only matters for reading the stored raw bytes. Order of authority, as in browsers:
//! byte order mark, then the HTTP `Content-Type` charset, then (HTML) a `<meta>` in the first 1024 bytes or
//! (CSS) a leading `@charset`; without any, a head that is valid UTF-8 means UTF-8, anything else windows-1252.

use encoding_rs::{Encoding, UTF_8, WINDOWS_1252};
use std::borrow::Cow;

/// How far into a document the encoding is looked for (the HTML standard's prescan length). Deciding on this
/// head alone keeps the answer the same however the body arrives in chunks.
pub const SNIFF_BYTES: usize = 1024;

/// The encoding of an HTML document from its first [`SNIFF_BYTES`] bytes and its Content-Type.
pub fn sniff_html(head: &[u8], content_type: Option<&str>) -> &'static Encoding {
    let head = &head[..head.len().min(SNIFF_BYTES)];
    sniff(head, || header_charset(content_type).or_else(|| meta_charset(head)))
}

/// The encoding of a stylesheet from its first [`SNIFF_BYTES`] bytes and its Content-Type.
pub fn sniff_css(head: &[u8], content_type: Option<&str>) -> &'static Encoding {
    let head = &head[..head.len().min(SNIFF_BYTES)];
    sniff(head, || header_charset(content_type).or_else(|| at_charset(head)))
}

fn sniff(head: &[u8], declared: impl FnOnce() -> Option<&'static Encoding>) -> &'static Encoding {
    if let Some((encoding, _)) = Encoding::for_bom(head) {
        return encoding;
    }
    declared().unwrap_or_else(|| match std::str::from_utf8(head) {
        Ok(_) => UTF_8,
        // Cut off mid-character where the head ends (not where the document ends) is still UTF-8.
        Err(e) if e.error_len().is_none() && head.len() == SNIFF_BYTES => UTF_8,
        Err(_) => WINDOWS_1252,
    })
}

/// Decodes a whole body (dropping a BOM); malformed sequences become U+FFFD, as in the browser. Borrowed when
/// the body is already valid UTF-8.
pub fn decode<'b>(bytes: &'b [u8], encoding: &'static Encoding) -> Cow<'b, str> {
    encoding.decode_with_bom_removal(bytes).0
}

/// The `charset` parameter of a Content-Type header value.
fn header_charset(content_type: Option<&str>) -> Option<&'static Encoding> {
    let ct = content_type?;
    ct.split(';').skip(1).find_map(|param| {
        let (name, value) = param.split_once('=')?;
        if !name.trim().eq_ignore_ascii_case("charset") {
            return None;
        }
        label(value.trim().trim_matches(|c| c == '"' || c == '\''))
    })
}

/// An encoding label as a document may declare it; UTF-16 declared in-document means UTF-8 (the bytes were
/// readable as ASCII, so they aren't UTF-16), and `x-user-defined` means windows-1252, as in the standard.
fn label(name: &str) -> Option<&'static Encoding> {
    let e = Encoding::for_label(name.as_bytes())?;
    Some(if e == encoding_rs::UTF_16LE || e == encoding_rs::UTF_16BE {
        UTF_8
    } else if e == encoding_rs::X_USER_DEFINED {
        WINDOWS_1252
    } else {
        e
    })
}

/// `@charset "name";` at the very start of a stylesheet.
fn at_charset(bytes: &[u8]) -> Option<&'static Encoding> {
    let rest = bytes.strip_prefix(b"@charset \"")?;
    let end = rest.iter().take(40).position(|&b| b == b'"')?;
    label(std::str::from_utf8(&rest[..end]).ok()?)
}

/// A simplified form of the standard's prescan: `<meta charset=…>` or `<meta http-equiv=content-type
/// content="…charset=…">`, skipping comments.
fn meta_charset(head: &[u8]) -> Option<&'static Encoding> {
    let mut i = 0;
    while i < head.len() {
        if head[i..].starts_with(b"<!--") {
            i = find(head, i + 4, b"-->").map_or(head.len(), |e| e + 3);
            continue;
        }
        if head[i] == b'<'
            && head.len() > i + 5
            && head[i + 1..i + 5].eq_ignore_ascii_case(b"meta")
            && matches!(head[i + 5], b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' | b'/')
        {
            let end = head[i..].iter().position(|&b| b == b'>').map_or(head.len(), |p| i + p);
            if let Some(e) = meta_tag_charset(&head[i + 5..end]) {
                return Some(e);
            }
            i = end;
            continue;
        }
        i += 1;
    }
    None
}

fn meta_tag_charset(attrs: &[u8]) -> Option<&'static Encoding> {
    let text = String::from_utf8_lossy(attrs);
    let mut charset = None;
    let mut is_content_type = false;
    let mut content_charset = None;
    for (name, value) in attributes(&text) {
        match name.to_ascii_lowercase().as_str() {
            "charset" => charset = charset.or_else(|| label(value.trim())),
            "http-equiv" => is_content_type |= value.trim().eq_ignore_ascii_case("content-type"),
            "content" => content_charset = charset_in_content(value),
            _ => {}
        }
    }
    charset.or(if is_content_type { content_charset } else { None })
}

/// `text/html; charset=…` inside a meta `content` attribute.
fn charset_in_content(value: &str) -> Option<&'static Encoding> {
    let lower = value.to_ascii_lowercase();
    let at = lower.find("charset")?;
    let rest = value[at + 7..].trim_start().strip_prefix('=')?.trim_start();
    let rest = rest.trim_start_matches(['"', '\'']);
    let end = rest.find(|c: char| c == ';' || c == '"' || c == '\'' || c.is_whitespace()).unwrap_or(rest.len());
    label(&rest[..end])
}

/// Attribute name/value pairs of a tag's inside, tolerant of any junk.
fn attributes(s: &str) -> Vec<(&str, &str)> {
    let mut out = Vec::new();
    let b = s.as_bytes();
    let mut i = 0;
    let space = |c: u8| matches!(c, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' | b'/');
    while i < b.len() {
        while i < b.len() && space(b[i]) {
            i += 1;
        }
        let name_start = i;
        while i < b.len() && !space(b[i]) && b[i] != b'=' {
            i += 1;
        }
        let name = &s[name_start..i];
        while i < b.len() && space(b[i]) {
            i += 1;
        }
        if i >= b.len() || b[i] != b'=' {
            if !name.is_empty() {
                out.push((name, ""));
            }
            continue;
        }
        i += 1;
        while i < b.len() && space(b[i]) {
            i += 1;
        }
        let value = if i < b.len() && (b[i] == b'"' || b[i] == b'\'') {
            let quote = b[i];
            let start = i + 1;
            let end = b[start..].iter().position(|&c| c == quote).map_or(b.len(), |p| start + p);
            i = (end + 1).min(b.len());
            &s[start..end]
        } else {
            let start = i;
            while i < b.len() && !space(b[i]) {
                i += 1;
            }
            &s[start..i]
        };
        if !name.is_empty() {
            out.push((name, value));
        }
    }
    out
}

fn find(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    hay.get(from..)?.windows(needle.len()).position(|w| w == needle).map(|p| from + p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authority_order() {
        let latin1 = b"<meta charset=utf-8><p>caf\xe9";
        // The header beats the meta.
        let e = sniff_html(latin1, Some("text/html; charset=ISO-8859-1"));
        assert_eq!(e, WINDOWS_1252);
        assert!(decode(latin1, e).ends_with("café"));
        // BOM beats the header.
        let doc = b"\xef\xbb\xbfcaf\xc3\xa9";
        let e = sniff_html(doc, Some("text/html; charset=windows-1252"));
        assert_eq!((decode(doc, e).as_ref(), e), ("café", UTF_8));
        let doc = b"\xff\xfec\x00a\x00";
        let e = sniff_html(doc, None);
        assert_eq!((decode(doc, e).as_ref(), e), ("ca", encoding_rs::UTF_16LE));
    }

    #[test]
    fn meta_prescan() {
        let doc = b"<!-- <meta charset=koi8-r> --><meta http-equiv=\"Content-Type\" content=\"text/html; charset=Shift_JIS\">";
        assert_eq!(sniff_html(doc, None), encoding_rs::SHIFT_JIS);
        assert_eq!(sniff_html(b"<META CHARSET='utf-16'>", None), UTF_8);
        assert_eq!(sniff_html(b"<p>no declaration \xe9", None), WINDOWS_1252);
    }

    #[test]
    fn css_at_charset() {
        let css = b"@charset \"iso-8859-15\"; a{content:'\xa4'}";
        let e = sniff_css(css, None);
        assert_eq!(e, encoding_rs::ISO_8859_15);
        assert!(decode(css, e).contains('€'));
    }
}
