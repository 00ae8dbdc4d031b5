//! URLs in CSS: `url()`, `@import` (string and url forms) and `image-set()`, found with the `cssparser`
//! tokenizer so comments, strings and escapes mean what they mean to the browser (no regex over CSS).
//!
//! Used for stylesheets, `<style>` contents and `style=""` values alike. Everything that isn't a URL is copied
//! through byte for byte.

use cssparser::{ParseError, Parser, Token};
use std::borrow::Cow;

/// Where a URL sits in the source, and the URL as CSS means it (escapes resolved).
struct Span {
    start: usize,
    end: usize,
    value: String,
    /// The span is a whole `url(...)` token (unquoted form) rather than a quoted string.
    whole_url_token: bool,
    /// A malformed `url(` token (the browser ignores its declaration); replay blanks it so nothing of it remains.
    bad: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Context {
    /// Ordinary tokens: only `url(…)` tokens and `@import "…"` hold URLs.
    Plain,
    /// Inside `url(`/`src(` with a quoted argument: the string is the URL.
    UrlFunction,
    /// Inside `image-set(`: bare strings are image URLs.
    ImageSet,
}

/// Calls `map` for each URL in `css`; where it returns a new URL, the output has it instead (as a CSS string).
/// Returns the input unchanged (borrowed) when nothing was replaced.
pub fn rewrite<'a>(css: &'a str, map: &mut dyn FnMut(&str) -> Option<String>) -> Cow<'a, str> {
    if !may_hold_urls(css) {
        return Cow::Borrowed(css);
    }
    let spans = url_spans(css);
    let mut out = String::new();
    let mut copied = 0;
    for span in spans {
        let new = if span.bad {
            String::new()
        } else if let Some(new) = map(&span.value) {
            new
        } else {
            continue;
        };
        if out.is_empty() {
            out.reserve(css.len() + 64);
        }
        out.push_str(&css[copied..span.start]);
        if span.whole_url_token {
            out.push_str("url(");
            push_css_string(&new, &mut out);
            out.push(')');
        } else {
            push_css_string(&new, &mut out);
        }
        copied = span.end;
    }
    if copied == 0 {
        return Cow::Borrowed(css);
    }
    out.push_str(&css[copied..]);
    Cow::Owned(out)
}

/// Every URL in `css`, in source order.
pub fn urls(css: &str) -> Vec<String> {
    if !may_hold_urls(css) {
        return Vec::new();
    }
    url_spans(css).into_iter().filter(|s| !s.bad).map(|s| s.value).collect()
}

/// Cheap pre-check: without `url(`, `@import` or `image-set(` there is nothing to find (case-insensitively, and
/// CSS escapes could spell them other ways, hence the backslash check).
fn may_hold_urls(css: &str) -> bool {
    css.bytes().any(|b| matches!(b, b'(' | b'@' | b'\\'))
}

/// A token's text as the browser has it: CSS reads U+0000 as U+FFFD (CSS Syntax §3.3), which cssparser leaves
/// to its caller. Not only cosmetic: the URL parser refuses `//host\0` but resolves `//host\u{FFFD}`, so a URL
/// read with the NUL would be left as it was while the browser loads it (found by fuzzing).
fn css_text(value: &str) -> String {
    value.replace('\0', "\u{FFFD}")
}

fn url_spans(css: &str) -> Vec<Span> {
    let mut parser = Parser::new(css);
    let mut spans = Vec::new();
    walk(&mut parser, Context::Plain, &mut spans, 0);
    spans
}

fn walk(p: &mut Parser<'_>, context: Context, spans: &mut Vec<Span>, depth: u8) {
    // `@import` is followed by its URL (after optional whitespace and comments); `@namespace url(…)` names a
    // namespace and is never fetched, so it must not be touched.
    let mut after_import = false;
    let mut in_namespace = false;
    loop {
        let start = p.position().byte_index();
        let token = match p.next_including_whitespace_and_comments() {
            Ok(t) => t.clone(),
            Err(_) => return,
        };
        let end = p.position().byte_index();
        let is_url_string = after_import || matches!(context, Context::UrlFunction | Context::ImageSet);
        match token {
            Token::WhiteSpace(_) | Token::Comment(_) => continue,
            Token::UnquotedUrl(ref value) if !in_namespace => {
                spans.push(Span { start, end, value: css_text(value), whole_url_token: true, bad: false })
            }
            Token::BadUrl(_) => spans.push(Span { start, end, value: String::new(), whole_url_token: true, bad: true }),
            Token::QuotedString(ref value) if is_url_string && !in_namespace => {
                spans.push(Span { start, end, value: css_text(value), whole_url_token: false, bad: false })
            }
            Token::AtKeyword(ref name) => {
                after_import = name.eq_ignore_ascii_case("import");
                in_namespace = name.eq_ignore_ascii_case("namespace");
                continue;
            }
            Token::Semicolon | Token::CurlyBracketBlock => {
                in_namespace = false;
                if matches!(token, Token::CurlyBracketBlock) {
                    nested(p, Context::Plain, spans, depth);
                }
            }
            Token::Function(ref name) => {
                let inner = if in_namespace {
                    Context::Plain
                } else if name.eq_ignore_ascii_case("url") || name.eq_ignore_ascii_case("src") {
                    Context::UrlFunction
                } else if name.eq_ignore_ascii_case("image-set") || name.eq_ignore_ascii_case("-webkit-image-set") {
                    Context::ImageSet
                } else {
                    Context::Plain
                };
                if in_namespace {
                    // Skip the block without looking inside.
                    let _ = p.parse_nested_block(|_| Ok::<(), ParseError<()>>(()));
                } else {
                    nested(p, inner, spans, depth);
                }
            }
            Token::ParenthesisBlock | Token::SquareBracketBlock => nested(p, Context::Plain, spans, depth),
            _ => {}
        }
        after_import = false;
    }
}

/// Blocks nested deeper than this are not read: cssparser refuses past 75 without consuming the block, and the
/// walk would then read its tokens at the wrong level (a `url('x')` inside taken for a plain string).
const MAX_NESTING: u8 = 64;

fn nested(p: &mut Parser<'_>, context: Context, spans: &mut Vec<Span>, depth: u8) {
    if depth >= MAX_NESTING {
        // A browser reads on (CSS nesting makes `a{b{…{background:url(x)}}}` a rule at any depth), and what the
        // block holds is unknown here, so it goes: cssparser skips it (iteratively), and a bad span covers its
        // content, the closing bracket kept (found by fuzzing).
        let from = p.position();
        let _ = p.parse_nested_block(|_| Ok::<(), ParseError<()>>(()));
        let closer = usize::from(p.slice_from(from).ends_with([')', ']', '}']));
        let (start, end) = (from.byte_index(), p.position().byte_index());
        spans.push(Span {
            start,
            end: (end - closer).max(start),
            value: String::new(),
            whole_url_token: false,
            bad: true,
        });
        return;
    }
    // Errors here are CSS error recovery (an unclosed block at EOF): the browser drops the same tokens.
    let _ = p.parse_nested_block(|p| {
        walk(p, context, spans, depth + 1);
        Ok::<(), ParseError<()>>(())
    });
}

/// `<style>` text with nothing a browser could take for a tag should it read the element as markup (see
/// `html::escape_lt`): `<` before a letter, `/`, `!` or `?` becomes the CSS escape `\3c ` (the same character in
/// strings, `url()`s, identifiers and comments), and the ignorable `<!--` becomes a space (escaped, a legacy
/// `<style><!-- body{…}` would lose its first rule). A space, not nothing: removed, it joined the tokens around
/// it, `@i<!--mport 'x'` became an `@import` whose URL nobody mapped (found by fuzzing); and not a comment, which
/// would end a comment around it early. `None` when there is none.
pub fn escape_tag_starts(css: &str) -> Option<String> {
    let starts_tag =
        |i: usize| css.as_bytes().get(i + 1).is_some_and(|c| c.is_ascii_alphabetic() || b"/!?".contains(c));
    if !memchr::memchr_iter(b'<', css.as_bytes()).any(starts_tag) {
        return None;
    }
    let mut out = String::with_capacity(css.len() + 16);
    let mut rest = css;
    while let Some(at) = rest.find('<') {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        if let Some(after) = tail.strip_prefix("<!--") {
            out.push(' ');
            rest = after;
        } else if starts_tag(css.len() - tail.len()) {
            out.push_str("\\3c ");
            rest = &tail[1..];
        } else {
            out.push('<');
            rest = &tail[1..];
        }
    }
    out.push_str(rest);
    Some(out)
}

/// Writes `value` as a double-quoted CSS string.
fn push_css_string(value: &str, out: &mut String) {
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\a "),
            '\r' => out.push_str("\\d "),
            '\x0c' => out.push_str("\\c "),
            '\0' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(css: &str) -> Vec<String> {
        urls(css)
    }

    #[test]
    fn finds_every_url_form() {
        let css = r#"@import "a.css"; @import url(b.css) screen; @import url("c.css");
            body { background: url( d.png ) , url('e.png'); }
            .x { background-image: image-set("f.png" 1x, url(g.png) 2x); }
            @font-face { src: url(h.woff2) format("woff2"); }"#;
        assert_eq!(all(css), ["a.css", "b.css", "c.css", "d.png", "e.png", "f.png", "g.png", "h.woff2"]);
    }

    #[test]
    fn ignores_comments_strings_and_namespaces() {
        let css = r#"/* url(no.png) */ .a::after { content: "url(no2.png)"; }
            @namespace svg url(http://www.w3.org/2000/svg); .b { background: url(yes.png) }"#;
        assert_eq!(all(css), ["yes.png"]);
    }

    #[test]
    fn what_is_nested_past_the_parser_limit_goes() {
        let deep = format!("a{{{}background:url(x.png){}}} b{{c:url(y.png)}}", "b{".repeat(80), "}".repeat(80));
        let out = rewrite(&deep, &mut |u| Some(format!("M/{u}")));
        assert!(!out.contains("x.png"), "{out}");
        // Below the limit, read as ever.
        let fine = format!("a{{{}background:url(x.png){}}}", "b{".repeat(60), "}".repeat(60));
        assert_eq!(urls(&fine), ["x.png"]);
        assert!(out.ends_with(r#"b{c:url("M/y.png")}"#), "{out}");
        assert_eq!(urls(&deep), ["y.png"]);
    }

    #[test]
    fn resolves_escapes() {
        assert_eq!(all(r#"a { b: url(sp\ ace.png) }"#), ["sp ace.png"]);
        assert_eq!(all(r#"a { b: u\72l(esc.png) }"#), ["esc.png"]);
    }

    #[test]
    fn rewrites_in_place_and_copies_the_rest() {
        let css = "a{b:url(x.png)} /*c*/ @import 'y.css';";
        let out = rewrite(css, &mut |u| Some(format!("M/{u}")));
        assert_eq!(out, r#"a{b:url("M/x.png")} /*c*/ @import "M/y.css";"#);
        let same = rewrite(css, &mut |_| None);
        assert!(matches!(same, Cow::Borrowed(_)));
    }

    #[test]
    fn quotes_and_newlines_in_new_urls_are_escaped() {
        let out = rewrite("a{b:url(x)}", &mut |_| Some("q\"\\\n".into()));
        assert_eq!(out, r#"a{b:url("q\"\\\a ")}"#);
    }

    #[test]
    fn tag_starts_are_escaped_the_css_way() {
        let css =
            r#"<!-- a{b:url("data:image/svg+xml,<svg/>")} /* </style><x> */ c{content:"<b>"} @media (w<9px) {} -->"#;
        let out = escape_tag_starts(css).unwrap();
        assert_eq!(
            out,
            r#"  a{b:url("data:image/svg+xml,\3c svg/>")} /* \3c /style>\3c x> */ c{content:"\3c b>"} @media (w<9px) {} -->"#
        );
        // `<!--` between two tokens leaves them apart: no `@import` made of `@i` and `mport`.
        assert_eq!(escape_tag_starts("@i<!--mport 'x.css';").unwrap(), "@i mport 'x.css';");
        assert_eq!(urls(&out), ["data:image/svg+xml,<svg/>"], "the URL is the same to CSS");
        assert!(escape_tag_starts("a < b {}").is_none());
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let css = "(".repeat(100_000) + "url(x.png)";
        let _ = all(&css);
    }
}
