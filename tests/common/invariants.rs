//! What static replay output must never contain, checked on a parse by html5ever: a parser independent of the
//! rewriter's (lol_html), so a document lol_html reads differently from a browser can't hide a live URL, a script
//! or a handler from the check. Parsed as the replay browser parses it: scripting disabled (the sandbox has no
//! `allow-scripts`), so `<noscript>` content is markup; `srcdoc` documents and `<template>` contents are checked too.
//!
//! Depends only on sitemirror's public API and html5ever: a fuzz harness includes this file by `#[path]`.
#![allow(dead_code)]

use html5ever::tendril::TendrilSink;
use html5ever::{ns, parse_document, Attribute, ParseOpts};
use markup5ever_rcdom::{Handle, NodeData, RcDom};
use sitemirror::rewrite::css_urls;
use sitemirror::rewrite::rules::{kind_of, Kind, ANIMATION, ANIMATION_VALUES, PRESENTATION, RULES};
use sitemirror::url;

/// How deep `srcdoc` documents and `data:` stylesheets are followed.
const MAX_DEPTH: u8 = 8;

/// The violations of the static-replay invariants in `html` (a rewriter output), empty when there are none:
/// no `<script>` (any namespace), no `on*` attribute, no `javascript:`/`data:`/`blob:` in a navigation (a/area
/// href, xlink:href on `<a>`, form actions, meta refresh), no URL outside `prefix` in a URL attribute of the rules
/// table, in `href`/`xlink:href` on any element, in a presentation attribute, a `style` attribute, a `<style>`
/// element or a `data:` stylesheet (`data:` is allowed where something is loaded; fragments, `mailto:` and `tel:`
/// in links), no SMIL animation of a URL attribute, no connection hint (`<link rel=preconnect|dns-prefetch|
/// prefetch|prerender>`), no `<base href>`, no `<html manifest>`, no `ping`, no meta refresh leaving the mirror.
pub fn static_violations(html: &[u8], prefix: &str) -> Vec<String> {
    let mut found = Vec::new();
    check_document(html, prefix, 0, &mut found);
    found
}

fn check_document(html: &[u8], prefix: &str, depth: u8, found: &mut Vec<String>) {
    let mut opts = ParseOpts::default();
    opts.tree_builder.scripting_enabled = false;
    let dom = parse_document(RcDom::default(), opts).from_utf8().one(html);
    let checker = Checker { prefix, depth };
    checker.node(&dom.document, found);
}

struct Checker<'a> {
    prefix: &'a str,
    depth: u8,
}

/// Where a URL sits, which decides what besides a mirror URL it may be.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Position {
    /// Followed when clicked or refreshed: fragments, `mailto:`, `tel:`, `sms:` too.
    Navigation,
    /// Loaded to render: `data:` too.
    Resource,
    /// Anything else: only the mirror, a fragment or `about:`.
    Other,
}

impl Checker<'_> {
    fn node(&self, node: &Handle, found: &mut Vec<String>) {
        if let NodeData::Element { name, attrs, template_contents, .. } = &node.data {
            let tag = name.local.to_ascii_lowercase().to_string();
            let attrs = attrs.borrow();
            self.element(&tag, &attrs, found);
            if tag == "style" {
                let mut text = String::new();
                for child in node.children.borrow().iter() {
                    if let NodeData::Text { contents } = &child.data {
                        text.push_str(&contents.borrow());
                    }
                }
                self.css(&text, "<style> text", 0, found);
            }
            if let Some(contents) = template_contents.borrow().as_ref() {
                self.node(contents, found);
            }
        }
        for child in node.children.borrow().iter() {
            self.node(child, found);
        }
    }

    fn element(&self, tag: &str, attrs: &[Attribute], found: &mut Vec<String>) {
        let get = |n: &str| attrs.iter().find(|a| attr_name(a).eq_ignore_ascii_case(n)).map(|a| &*a.value);
        if tag == "script" {
            found.push("a <script> element".into());
        }
        if tag == "base" && get("href").is_some() {
            found.push("a <base href>".into());
        }
        if tag == "html" && get("manifest").is_some() {
            found.push("an <html manifest>".into());
        }
        if tag == "link" {
            let rel = get("rel").unwrap_or_default().to_ascii_lowercase();
            if rel
                .split_ascii_whitespace()
                .any(|t| ["preconnect", "dns-prefetch", "prefetch", "prerender"].contains(&t))
            {
                found.push(format!("<link rel={rel:?}> kept"));
            }
        }
        if tag == "meta" && get("http-equiv").is_some_and(|e| e.trim().eq_ignore_ascii_case("refresh")) {
            if let Some(target) = refresh_target(get("content").unwrap_or_default()) {
                if !target.starts_with(self.prefix) && !target.starts_with('#') {
                    found.push(format!("meta refresh to {target:?} leaves the mirror"));
                }
            }
        }
        if ANIMATION.contains(&tag) {
            if let Some(target) = get("attributename") {
                let local = target.trim().rsplit(':').next().unwrap_or_default().to_ascii_lowercase();
                if local == "href" || RULES.iter().any(|r| r.attribute == local) {
                    found.push(format!("<{tag}> animates the URL attribute {target:?}"));
                }
            }
        }
        for attr in attrs {
            let name = attr_name(attr);
            let value = &*attr.value;
            let what = || format!("{name}={value:?} on <{tag}>");
            if name.starts_with("on") {
                found.push(format!("handler {}", what()));
            }
            if name == "ping" {
                found.push(format!("ping {}", what()));
            }
            if name == "srcdoc" && tag == "iframe" && self.depth < MAX_DEPTH {
                let inner = Checker { prefix: self.prefix, depth: self.depth + 1 };
                let mut nested = Vec::new();
                check_document(value.as_bytes(), inner.prefix, inner.depth, &mut nested);
                found.extend(nested.into_iter().map(|v| format!("in srcdoc: {v}")));
            }
            if matches!(name.as_str(), "href" | "src" | "xlink:href" | "action" | "formaction" | "data")
                && (has_scheme(value, "javascript:") || has_scheme(value, "blob:"))
            {
                found.push(format!("script or blob URL in {}", what()));
            }
            if name == "style" || PRESENTATION.contains(&name.as_str()) {
                self.css(value, &what(), 0, found);
            }
            if ANIMATION.contains(&tag) && ANIMATION_VALUES.contains(&name.as_str()) {
                if value.to_ascii_lowercase().contains("javascript:") {
                    found.push(format!("javascript: in {}", what()));
                }
                self.css(value, &what(), 0, found);
            }
            let kind = kind_of(tag, &name)
                .or_else(|| matches!(name.as_str(), "href" | "xlink:href").then_some(Kind::Reference));
            let position = match kind {
                None => continue,
                Some(Kind::Page) => Position::Navigation,
                Some(Kind::Resource | Kind::LinkRel) => Position::Resource,
                Some(Kind::Reference) => Position::Other,
                Some(Kind::Srcset) => {
                    for url in srcset_urls(value) {
                        self.url(url, Position::Resource, &what(), found);
                    }
                    continue;
                }
            };
            if !(tag == "base" && name == "href") {
                self.url(value, position, &what(), found);
            }
        }
    }

    /// One URL in an attribute: inside the mirror once the browser resolves it against a page of the mirror, or
    /// something its position allows.
    fn url(&self, value: &str, position: Position, what: &str, found: &mut Vec<String>) {
        let Some(url) = self.resolve(value) else {
            return;
        };
        let ok = match url.scheme() {
            _ if url.as_str().starts_with(self.prefix) => true,
            "about" => true,
            "data" if position == Position::Resource => {
                self.data_css(url.as_str(), what, 0, found);
                true
            }
            "mailto" | "tel" | "sms" => position == Position::Navigation,
            _ => false,
        };
        if !ok {
            found.push(format!("{what} leaves the mirror"));
        }
    }

    /// A URL as a page of the mirror resolves it (`None` when it can't: the browser loads nothing).
    fn resolve(&self, value: &str) -> Option<url::Url> {
        let page = url::parse(&format!("{}https/example.com/dir/page.html", self.prefix)).expect("the prefix is a URL");
        url::resolve(&page, value.trim_matches(|c: char| c <= ' '))
    }

    /// CSS text: every url() and @import inside the mirror, or `data:` (whose stylesheets are checked too).
    fn css(&self, css: &str, what: &str, depth: u8, found: &mut Vec<String>) {
        for value in css_urls(css) {
            let Some(url) = self.resolve(&value) else {
                continue;
            };
            if url.as_str().starts_with(self.prefix) || url.scheme() == "about" {
                continue;
            }
            if url.scheme() == "data" {
                self.data_css(url.as_str(), what, depth, found);
                continue;
            }
            found.push(format!("CSS url({value:?}) in {what} leaves the mirror"));
        }
    }

    /// A `data:` URL that a browser could load as a stylesheet: its CSS is checked like any other.
    fn data_css(&self, url: &str, what: &str, depth: u8, found: &mut Vec<String>) {
        let Some(css) = data_url_text(url) else {
            return;
        };
        if depth >= MAX_DEPTH {
            found.push(format!("data: stylesheets nested too deep in {what}"));
            return;
        }
        self.css(&css, &format!("data: stylesheet in {what}"), depth + 1, found);
    }
}

/// An attribute's name as markup spells it: `xlink:href`, `xml:lang`, else the local name (lower case in HTML).
fn attr_name(attr: &Attribute) -> String {
    match attr.name.ns {
        ns!(xlink) => format!("xlink:{}", attr.name.local),
        ns!(xml) => format!("xml:{}", attr.name.local),
        ns!(xmlns) if &*attr.name.local != "xmlns" => format!("xmlns:{}", attr.name.local),
        _ => attr.name.local.to_string(),
    }
}

/// Whether a URL has this scheme (`"javascript:"`), as the URL parser reads it: leading controls and spaces
/// skipped, tabs and newlines anywhere ignored, any case.
fn has_scheme(value: &str, scheme: &str) -> bool {
    let mut chars = value.trim_start_matches(|c: char| c <= ' ').chars().filter(|c| !matches!(c, '\t' | '\n' | '\r'));
    scheme.chars().all(|expected| chars.next().is_some_and(|c| c.eq_ignore_ascii_case(&expected)))
}

/// The URL of a refresh `content` ("5; url=…"), if it has one.
fn refresh_target(content: &str) -> Option<String> {
    let s = content.trim_start_matches(|c: char| c.is_ascii_whitespace());
    let s = s.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.');
    let s = s.trim_start_matches(|c: char| c.is_ascii_whitespace());
    let s = s.strip_prefix([';', ',']).unwrap_or(s).trim_start_matches(|c: char| c.is_ascii_whitespace());
    let s = match s.get(..3) {
        Some(u) if u.eq_ignore_ascii_case("url") => {
            let after = s[3..].trim_start_matches(|c: char| c.is_ascii_whitespace());
            after.strip_prefix('=').map_or(s, |a| a.trim_start_matches(|c: char| c.is_ascii_whitespace()))
        }
        _ => s,
    };
    let s = match s.chars().next() {
        Some(q @ ('"' | '\'')) => s[1..].split(q).next().unwrap_or_default(),
        _ => s,
    };
    let s = s.trim_matches(|c: char| c <= ' ');
    (!s.is_empty()).then(|| s.to_owned())
}

/// The URLs of a `srcset` list: each candidate's run of non-space characters, trailing commas dropped, up to the
/// next comma outside parentheses.
fn srcset_urls(value: &str) -> Vec<&str> {
    let mut urls = Vec::new();
    let mut rest = value;
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_ascii_whitespace() || c == ',');
        if rest.is_empty() {
            return urls;
        }
        let end = rest.find(|c: char| c.is_ascii_whitespace()).unwrap_or(rest.len());
        let url = &rest[..end];
        rest = &rest[end..];
        let trimmed = url.trim_end_matches(',');
        if !trimmed.is_empty() {
            urls.push(trimmed);
        }
        if trimmed.len() < url.len() {
            continue;
        }
        let mut depth = 0u32;
        let mut cut = rest.len();
        for (i, c) in rest.char_indices() {
            match c {
                '(' => depth += 1,
                ')' => depth = depth.saturating_sub(1),
                ',' if depth == 0 => {
                    cut = i + 1;
                    break;
                }
                _ => {}
            }
        }
        rest = &rest[cut..];
    }
}

/// The text of a `data:` URL whose type a browser might load as a stylesheet (`text/css`, or no type, or
/// `text/plain`, which quirks mode accepts), percent- or base64-decoded (lossily as UTF-8); `None` for other types.
fn data_url_text(url: &str) -> Option<String> {
    let url: String = url.chars().filter(|c| !matches!(c, '\t' | '\n' | '\r')).collect();
    let rest = &url[url.find(':')? + 1..];
    let rest = rest.split('#').next().unwrap_or_default();
    let (header, body) = rest.split_once(',')?;
    let mut params = header.split(';');
    let mime = params.next().unwrap_or_default().trim().to_ascii_lowercase();
    if !matches!(mime.as_str(), "" | "text/css" | "text/plain") {
        return None;
    }
    let base64 = header.split(';').skip(1).any(|p| p.trim().eq_ignore_ascii_case("base64"));
    let bytes = percent_decode(body.as_bytes());
    let bytes = if base64 { base64_decode(&bytes)? } else { bytes };
    Some(String::from_utf8_lossy(&bytes).into_owned())
}

fn percent_decode(s: &[u8]) -> Vec<u8> {
    let hex = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        if s[i] == b'%' {
            if let (Some(h), Some(l)) = (s.get(i + 1).and_then(|&c| hex(c)), s.get(i + 2).and_then(|&c| hex(c))) {
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

/// Forgiving base64 (whitespace ignored, padding optional); `None` where a browser would fail the URL.
fn base64_decode(s: &[u8]) -> Option<Vec<u8>> {
    let mut data: Vec<u8> = s.iter().copied().filter(|c| !c.is_ascii_whitespace()).collect();
    if data.len() % 4 == 0 && data.ends_with(b"=") {
        data.pop();
        if data.ends_with(b"=") {
            data.pop();
        }
    }
    if data.len() % 4 == 1 {
        return None;
    }
    let value = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let (mut out, mut acc, mut bits) = (Vec::new(), 0u32, 0);
    for &c in &data {
        acc = acc << 6 | value(c)? as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    Some(out)
}
