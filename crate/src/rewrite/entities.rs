//! Character references in attribute values.
//!
//! lol_html hands attribute values over raw (`&amp;` stays `&amp;`), so a URL must be decoded before it is
//! resolved, and escaped when written back (lol_html escapes `"` itself, but not `&`).

use std::borrow::Cow;

/// Decodes character references the way the HTML tokenizer does inside an attribute value.
pub fn decode_attr(raw: &str) -> Cow<'_, str> {
    // The tokenizer reads a NUL in an attribute value as U+FFFD (lol_html passes it on raw); a URL parser would
    // strip a leading NUL instead, and see another URL than the browser does.
    if raw.contains('\0') {
        return Cow::Owned(decode_attr(&raw.replace('\0', "\u{FFFD}")).into_owned());
    }
    if !raw.contains('&') {
        return Cow::Borrowed(raw);
    }
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let (decoded, used) = reference(rest);
        match decoded {
            Some(text) => {
                out.push_str(&text);
                rest = &rest[used..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// Decodes the reference at the start of `s` (which starts with `&`): the text and the bytes it used.
fn reference(s: &str) -> (Option<Cow<'static, str>>, usize) {
    let bytes = s.as_bytes();
    if bytes.get(1) == Some(&b'#') {
        let (hex, digits_from) = match bytes.get(2) {
            Some(b'x' | b'X') => (true, 3),
            _ => (false, 2),
        };
        let digits = bytes[digits_from..]
            .iter()
            .take_while(|b| if hex { b.is_ascii_hexdigit() } else { b.is_ascii_digit() })
            .count();
        if digits == 0 {
            return (None, 0);
        }
        let text = &s[digits_from..digits_from + digits];
        let code = u32::from_str_radix(text, if hex { 16 } else { 10 }).unwrap_or(u32::MAX);
        let mut used = digits_from + digits;
        if bytes.get(used) == Some(&b';') {
            used += 1;
        }
        let ch = match code {
            0 => '\u{FFFD}',
            c => char::from_u32(c).unwrap_or('\u{FFFD}'),
        };
        return (Some(Cow::Owned(ch.to_string())), used);
    }
    let name_len = bytes[1..].iter().take_while(|b| b.is_ascii_alphanumeric()).count();
    if name_len == 0 {
        return (None, 0);
    }
    let name = &s[1..1 + name_len];
    let terminated = bytes.get(1 + name_len) == Some(&b';');
    if !terminated {
        // In attributes, a reference without ';' followed by '=' or an alphanumeric is literal text
        // (`?a=1&copy=2` keeps its `&copy`); only the common legacy names are decoded otherwise.
        let next = bytes.get(1 + name_len);
        if matches!(next, Some(b'=')) {
            return (None, 0);
        }
        let text = match name {
            "amp" => "&",
            "lt" => "<",
            "gt" => ">",
            "quot" => "\"",
            "nbsp" => "\u{A0}",
            _ => return (None, 0),
        };
        return (Some(Cow::Borrowed(text)), 1 + name_len);
    }
    let text: Cow<'static, str> = match name {
        "amp" => Cow::Borrowed("&"),
        "quot" => Cow::Borrowed("\""),
        "apos" => Cow::Borrowed("'"),
        "lt" => Cow::Borrowed("<"),
        "gt" => Cow::Borrowed(">"),
        _ => {
            let reference = &s[..name_len + 2];
            match html_escape::decode_html_entities(reference) {
                Cow::Owned(decoded) if decoded != reference => Cow::Owned(decoded),
                _ => return (None, 0),
            }
        }
    };
    (Some(text), name_len + 2)
}

/// Escapes a value for writing back into an attribute through lol_html (which escapes `"` itself).
pub fn escape_attr(value: &str) -> Cow<'_, str> {
    if value.contains('&') {
        Cow::Owned(value.replace('&', "&amp;"))
    } else {
        Cow::Borrowed(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_like_the_html_tokenizer() {
        assert_eq!(decode_attr("a?x=1&amp;y=2"), "a?x=1&y=2");
        assert_eq!(decode_attr("&#47;path&#x2F;x"), "/path/x");
        assert_eq!(decode_attr("?a=1&copy=2"), "?a=1&copy=2");
        assert_eq!(decode_attr("&eacute;t&eacute;"), "été");
        assert_eq!(decode_attr("&unknown; & &#; &#0;"), "&unknown; & &#; \u{FFFD}");
        assert_eq!(decode_attr("&amp"), "&");
        assert_eq!(decode_attr("&#x110000;"), "\u{FFFD}");
    }
}
