//! `data:` URLs that hold stylesheets. A `data:` stylesheet loads like any other, so its `@import`s and `url()`s
//! must point into the mirror too: the CSS is decoded (percent-encoded or base64, as the fetch standard's `data:`
//! URL processor reads it), rewritten or scanned by the caller, and written back percent-encoded as UTF-8.

use super::charset;
use crate::url::Url;

/// How deep `data:` stylesheets inside `data:` stylesheets are followed; deeper ones are dropped in replay.
pub const MAX_NESTING: u8 = 4;

/// A decoded `data:` stylesheet.
pub struct Stylesheet {
    /// The MIME type as written (`text/css`, or empty), without parameters.
    pub mime: String,
    pub css: String,
}

/// The stylesheet in `url` (a `data:` URL) when a browser could load it as one: type `text/css`, or no type or
/// `text/plain` (which quirks mode accepts for a `<link rel=stylesheet>`). `None` for other types (images, fonts:
/// their bytes are never looked at) and for bodies a browser can't decode either.
pub fn stylesheet(url: &Url) -> Option<Stylesheet> {
    let serialized = &url[..url::Position::AfterQuery];
    let rest = serialized.get(serialized.find(':')? + 1..)?;
    let comma = rest.find(',')?;
    let header = &rest[..comma];
    let mut params = header.split(';');
    let mime = params.next().unwrap_or_default().trim_matches(is_ascii_space);
    if !(mime.is_empty() || mime.eq_ignore_ascii_case("text/css") || mime.eq_ignore_ascii_case("text/plain")) {
        return None;
    }
    let mut base64 = false;
    let mut charset = None;
    for p in params {
        let p = p.trim_matches(is_ascii_space);
        if p.eq_ignore_ascii_case("base64") {
            base64 = true;
        } else if let Some((name, value)) = p.split_once('=') {
            if name.trim_matches(is_ascii_space).eq_ignore_ascii_case("charset") {
                charset = Some(value);
            }
        }
    }
    let body = percent_decode(&rest.as_bytes()[comma + 1..]);
    let body = if base64 { base64_decode(&body)? } else { body };
    let content_type = charset.map(|c| format!("text/css;charset={c}"));
    let encoding = charset::sniff_css(&body, content_type.as_deref());
    Some(Stylesheet { mime: mime.to_owned(), css: charset::decode(&body, encoding).into_owned() })
}

/// A `data:` URL of `mime` holding `css`, percent-encoded UTF-8.
pub fn encode(mime: &str, css: &str) -> String {
    let mut out = String::with_capacity(css.len() + css.len() / 4 + 32);
    out.push_str("data:");
    out.push_str(mime);
    out.push_str(";charset=utf-8,");
    for &b in css.as_bytes() {
        // Everything that could end or change the URL, the attribute or the CSS string it is written into.
        if b.is_ascii_alphanumeric() || b"-._~!$()*+,;=:@/?[]{}^|".contains(&b) {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(char::from(b"0123456789ABCDEF"[(b >> 4) as usize]));
            out.push(char::from(b"0123456789ABCDEF"[(b & 15) as usize]));
        }
    }
    out
}

fn is_ascii_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\x0c' | '\r')
}

fn percent_decode(s: &[u8]) -> Vec<u8> {
    let hex = |c: Option<&u8>| c.and_then(|&c| (c as char).to_digit(16)).map(|d| d as u8);
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        if s[i] == b'%' {
            if let (Some(h), Some(l)) = (hex(s.get(i + 1)), hex(s.get(i + 2))) {
                out.push(h << 4 | l);
                i += 3;
                continue;
            }
        }
        out.push(s[i]);
        i += 1;
    }
    out
}

/// The standard's forgiving base64: ASCII whitespace ignored, padding optional; `None` where it fails.
fn base64_decode(s: &[u8]) -> Option<Vec<u8>> {
    let mut data: Vec<u8> =
        s.iter().copied().filter(|c| !matches!(c, b' ' | b'\t' | b'\n' | b'\x0c' | b'\r')).collect();
    if data.len() % 4 == 0 && data.ends_with(b"=") {
        data.pop();
        if data.ends_with(b"=") {
            data.pop();
        }
    }
    if data.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(data.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in data {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        };
        acc = (acc << 6 | u32::from(v)) & 0xff_ffff;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn css(url: &str) -> Option<String> {
        stylesheet(&crate::url::parse(url).unwrap()).map(|s| s.css)
    }

    #[test]
    fn decodes_percent_and_base64_bodies_of_stylesheet_types() {
        assert_eq!(css("data:text/css,@import%20url(x.css)").as_deref(), Some("@import url(x.css)"));
        // "a{b:url(y.png)}" in base64, with whitespace and without padding.
        assert_eq!(css("data:TEXT/CSS;charset=utf-8;base64,YXtiOnVybCh5LnBu Zyl9").as_deref(), Some("a{b:url(y.png)}"));
        assert_eq!(css("data:,a%7Bb:c%7D#frag").as_deref(), Some("a{b:c}"));
        assert_eq!(css("data:text/css;charset=windows-1252,%E9").as_deref(), Some("é"));
        assert_eq!(css("data:image/png;base64,AAAA"), None);
        assert_eq!(css("data:text/css;base64,A"), None, "a body the browser can't decode either");
    }

    #[test]
    fn encoding_round_trips() {
        let text = "@import \"x y.css\"; a{b:url('#f%')} /* é\n */ <\\>&";
        let url = encode("text/css", text);
        assert!(!url.contains([' ', '"', '\'', '#', '<', '>', '\\', '&', '\n']), "{url}");
        assert_eq!(css(&url).as_deref(), Some(text));
    }
}
