//! The lol_html pass over a document: one element handler driven by `rules::RULES`, plus the behaviour that
//! isn't "an attribute holds a URL" — scripts, `<base>`, `<meta>`, `<link rel>`, lazy images, `<noscript>`,
//! `<style>`, `srcdoc`, targets and the banner.
//!
//! The same pass serves replay (attributes rewritten into the mirror) and crawling (URLs collected, output
//! discarded), so what the crawler fetches is what replay points at.

use super::entities::{decode_attr, escape_attr};
use super::rules::{self, Kind, LinkRel};
use super::{css, data_url, noscript, srcset, Links, Mode};
use crate::error::RewriteError;
use crate::url::{is_mirrorable, resolve, MirrorMap, Url};
use lol_html::errors::RewritingError;
use lol_html::html_content::{Attribute, ContentType, Element, TextChunk, TextType};
use lol_html::{doc_comments, doc_text, element, text, HandlerResult, HtmlRewriter, MemorySettings, Settings};
use std::cell::{Cell, RefCell};

/// Parser memory a single document may use. Real pages need a few hundred KB at most (the biggest buffered
/// thing is one start tag split across input chunks); hostile input hits this and fails cleanly.
pub const MEMORY_LIMIT: usize = 32 << 20;
/// How much `<style>` text is collected for rewriting; beyond this it passes through as is.
const MAX_COLLECTED_TEXT: usize = 16 << 20;
/// How deep `srcdoc` documents nest before their content is left alone.
const MAX_NESTING: u8 = 4;

/// First in every document static replay serves. Chromium gives every document of an extension's origin — where
/// the extension replays — an author-level stylesheet of its own, `body { font-family: "DejaVu Sans", Arial,
/// sans-serif; font-size: 75% }`, ordered before the page's. A site that sets its font on `html` (or none) then
/// replays in that font at 75%. An unlayered `body` rule after it wins over it; `revert-layer` rolls the whole
/// unlayered layer back — that injected rule included — to the page's layered rules or, without any, to
/// inheritance, as if it weren't there. The page's own `body` rules come later in the document and still win.
const INJECTED_STYLE_RESET: &str = "<style>body{font-family:revert-layer;font-size:revert-layer}</style>";

/// Attributes outside the rules table (on elements it doesn't list them for) that could still carry a
/// `javascript:` or `blob:` URL: static replay removes those. (`href` and `xlink:href` are pointed into the
/// mirror on every element; animation values are handled with the animation elements.)
const JS_PRONE: &[&str] = &["src", "action", "formaction", "data", "to", "values", "from", "by"];

/// What a pass does besides reading: rewrite for replay, or only collect links.
pub(crate) struct Job<'a> {
    /// `Some` when rewriting for replay.
    pub map: Option<&'a MirrorMap>,
    pub mode: Mode,
    /// Where found URLs go (crawling); `None` while rewriting, which doesn't need them.
    pub links: Option<&'a RefCell<Links>>,
    pub banner: Option<&'a str>,
    /// The document may hold `<svg` or `<math` (see [`may_hold_foreign_content`]); `true` when unknown.
    pub foreign: bool,
}

/// State of one pass over one document (nested documents get their own).
struct Pass<'a> {
    job: &'a Job<'a>,
    base: RefCell<Url>,
    base_seen: Cell<bool>,
    banner_done: Cell<bool>,
    /// Whether [`INJECTED_STYLE_RESET`] is in (or this document takes none).
    reset_done: Cell<bool>,
    depth: u8,
    /// How many `data:` stylesheets deep the CSS being rewritten is.
    css_depth: Cell<u8>,
    style: RefCell<Held>,
    /// lol_html found an element inside the current `<style>` (see `inside_style`): the rest of its text goes.
    style_broken: Cell<bool>,
}

/// What to do with one attribute.
enum Change {
    Set(String),
    Remove,
}

/// Runs one pass over `chunks` (UTF-8), writing output through `sink`.
pub(crate) fn run(
    job: &Job<'_>,
    document_url: &Url,
    chunks: impl IntoIterator<Item = impl AsRef<[u8]>>,
    sink: &mut dyn FnMut(&[u8]),
) -> Result<(), RewriteError> {
    run_at_depth(job, document_url.clone(), 0, chunks, sink)
}

fn run_at_depth(
    job: &Job<'_>,
    base: Url,
    depth: u8,
    chunks: impl IntoIterator<Item = impl AsRef<[u8]>>,
    sink: &mut dyn FnMut(&[u8]),
) -> Result<(), RewriteError> {
    let pass = Pass {
        job,
        base: RefCell::new(base),
        base_seen: Cell::new(false),
        banner_done: Cell::new(depth > 0),
        reset_done: Cell::new(depth > 0 || !(job.map.is_some() && job.mode == Mode::Static)),
        depth,
        css_depth: Cell::new(0),
        style: RefCell::default(),
        style_broken: Cell::new(false),
    };
    // Strict while rewriting: lol_html refuses markup whose parse it can't be sure of (a text-switching tag like
    // <xmp> inside <select>, which older browsers ignore and lol_html obeys), rather than leave what it took for
    // text unrewritten while the browser sees elements. Crawling may read such a page as best it can.
    let settings = Settings::new()
        .with_strict(job.map.is_some())
        .with_memory_settings(MemorySettings::new().with_max_allowed_memory_usage(MEMORY_LIMIT))
        .append_element_content_handler(element!("*", |el| pass.element(el)))
        .append_element_content_handler(text!("style", |t| pass.style_text(t)));
    let static_rewrite = job.map.is_some() && job.mode == Mode::Static;
    // After the handler for every element, so a `<style>` inside a `<style>` is seen starting, then removed.
    let settings = if static_rewrite && job.foreign {
        settings.append_element_content_handler(element!("style *", |el| pass.inside_style(el)))
    } else {
        settings
    };
    let settings = if static_rewrite {
        settings.append_element_content_handler(text!(RAW_TEXT, |t| {
            if matches!(t.text_type(), TextType::RCData | TextType::RawText | TextType::PlainText) {
                if let Some(new) = escape_lt(t.as_str()) {
                    t.replace(&new, ContentType::Html);
                }
            }
            Ok(())
        }))
    } else {
        settings
    };
    // CDATA sections exist only where lol_html thinks it is in SVG or MathML, which takes an <svg or <math tag: a
    // handler for all text costs ~20% of the rewrite, so documents without one go without it (same output).
    // Runs after the <style> handler on the same chunk (which splits what it rewrites itself).
    let settings = if static_rewrite && job.foreign {
        settings.append_document_content_handler(doc_text!(|t| {
            if t.text_type() == TextType::CDataSection && !t.removed() {
                if let Some(split) = split_cdata(t.as_str()) {
                    t.replace(&split, ContentType::Html);
                }
            }
            Ok(())
        }))
    } else {
        settings
    };
    // A comment may hold the `</style` that ends a browser's raw text (see `attributes`): none keeps a `<`. Every
    // comment, not only in documents with SVG or MathML, so chunked input (which can't know) gives the same output.
    let settings = if static_rewrite {
        settings.append_document_content_handler(doc_comments!(|c| {
            let text = c.text();
            if text.contains('<') {
                let _ = c.set_text(&text.replace('<', "&lt;"));
            }
            Ok(())
        }))
    } else {
        settings
    };
    // What lol_html still holds at the end is what it couldn't finish: a tag cut off by the end of the document
    // (`<x y="</style><a href=…>`), which it writes out raw, unrewritten. A browser drops an unfinished tag, but
    // one in raw text (lol_html and the browser disagreeing on that) could end the text and start elements. Static
    // replay drops it too (and an unfinished comment or doctype with it).
    let ending = Cell::new(false);
    let mut rewriter = HtmlRewriter::new(settings, |out: &[u8]| {
        if !(ending.get() && static_rewrite) {
            sink(out)
        }
    });
    // Interactive replay (and a page served as captured) runs scripts, so there the browser too treats
    // <noscript> as raw text. Link extraction (no map) always runs in static mode.
    if job.mode == Mode::Interactive {
        for chunk in chunks {
            rewriter.write(chunk.as_ref()).map_err(error)?;
        }
    } else {
        let mut renamer = noscript::Renamer::default();
        let mut write = |b: &[u8]| rewriter.write(b);
        for chunk in chunks {
            renamer.feed(chunk.as_ref(), false, &mut write).map_err(error)?;
        }
        renamer.feed(&[], true, &mut write).map_err(error)?;
    }
    ending.set(true);
    rewriter.end().map_err(error)
}

fn error(e: RewritingError) -> RewriteError {
    match e {
        RewritingError::MemoryLimitExceeded(_) => RewriteError::MemoryLimit { limit: MEMORY_LIMIT },
        RewritingError::ParsingAmbiguity(e) => RewriteError::Ambiguous { tag: ambiguous_tag(&e.to_string()) },
        RewritingError::ContentHandlerError(inner) => match inner.downcast::<RewriteError>() {
            Ok(e) => *e,
            Err(other) => RewriteError::Failed { reason: other.to_string() },
        },
        other => RewriteError::Failed { reason: other.to_string() },
    }
}

impl Pass<'_> {
    fn rewriting(&self) -> bool {
        self.job.map.is_some()
    }

    fn static_rewrite(&self) -> bool {
        self.rewriting() && self.job.mode == Mode::Static
    }

    fn element(&self, el: &mut Element<'_, '_>) -> HandlerResult {
        let tag = el.tag_name();
        if !self.reset_done.get() {
            self.reset(&tag, el);
        }
        if tag == "style" {
            self.style_broken.set(false);
        }
        match tag.as_str() {
            "script" if self.static_rewrite() => {
                remove(el, false);
                return Ok(());
            }
            "base" => self.base(el),
            "meta" => {
                self.meta(el);
                if el.removed() {
                    return Ok(());
                }
            }
            "link" => {
                let rel = attribute(el, "rel").unwrap_or_default();
                if rules::link_rel_kind(&rel) == LinkRel::Drop && self.static_rewrite() {
                    remove(el, false);
                    return Ok(());
                }
            }
            // Renamed <noscript> (see noscript.rs): static replay shows its content, which was parsed as markup.
            noscript::RENAMED if self.static_rewrite() => remove(el, true),
            // SMIL animation setting a URL attribute (the browser follows an animated href when clicked): the
            // element goes, whatever the namespace lol_html thinks it is in; what it holds stays.
            t if self.rewriting()
                && rules::is_animation(t)
                && attribute(el, "attributename").is_some_and(|a| rules::animates_url(&decode_attr(&a))) =>
            {
                remove(el, true);
                return Ok(());
            }
            _ => {}
        }
        if !self.banner_done.get() {
            self.banner(&tag, el);
        }
        self.attributes(&tag, el)?;
        // Last, once every change to the tag is made (here, and in `base` and `meta` before).
        if self.rewriting() && !el.removed() && !keep_attribute_boundaries(el)? {
            remove(el, false);
        }
        Ok(())
    }

    /// The reset goes first in the head, before every style of the page: the first child of `<head>`, or — without
    /// a head tag — just before the first element after `<html>` (a `<style>` there opens the implied head).
    fn reset(&self, tag: &str, el: &mut Element<'_, '_>) {
        match tag {
            "html" => return,
            "head" => el.prepend(INJECTED_STYLE_RESET, ContentType::Html),
            _ => el.before(INJECTED_STYLE_RESET, ContentType::Html),
        }
        self.reset_done.set(true);
    }

    /// The banner goes at the start of `<body>`, or — without a body tag — just before the first element that
    /// starts the body. Never at the end of the document: a document may end inside an unfinished tag, and the
    /// banner would become that tag's attributes.
    fn banner(&self, tag: &str, el: &mut Element<'_, '_>) {
        let Some(banner) = self.job.banner else {
            return;
        };
        match tag {
            "body" => el.prepend(banner, ContentType::Html),
            // These don't start the body (frameset documents have none: no banner there).
            "html"
            | "head"
            | "title"
            | "meta"
            | "link"
            | "style"
            | "script"
            | "base"
            | "noscript"
            | noscript::RENAMED
            | "template"
            | "frameset"
            | "frame"
            | "noframes" => {
                if tag == "frameset" {
                    self.banner_done.set(true);
                }
                return;
            }
            _ => el.before(banner, ContentType::Html),
        }
        self.banner_done.set(true);
    }

    fn attributes(&self, tag: &str, el: &mut Element<'_, '_>) -> HandlerResult {
        let rules = rules::rules_for(tag);
        let animation = rules::is_animation(tag);
        // Inside what lol_html takes for SVG or MathML, a browser may be in HTML raw text (`<svg><math><title>
        // <style>`: that <math> is SVG to a browser, its <title> leads back to HTML), which ends at the first
        // `</style` even inside what lol_html reads as an attribute value: no attribute value there keeps a `<`.
        let foreign = self.static_rewrite() && self.job.foreign && el.namespace_uri() != HTML_NAMESPACE;
        let mut changes: Vec<(String, Change)> = Vec::new();
        let attrs = el.attributes();
        let names: Vec<String> = attrs.iter().map(|a| a.name()).collect();
        for (i, (attr, name)) in attrs.iter().zip(&names).enumerate() {
            // Browsers obey the first of duplicate attributes and ignore the rest; so does the rewriter (a set
            // changes the first, a removal removes them all).
            if names[..i].contains(name) {
                continue;
            }
            let change = match name.as_str() {
                n if n.starts_with("on") && self.static_rewrite() => Some(Change::Remove),
                "style" => self.style_attribute(&attr_value(attr)),
                "integrity" | "ping" if self.rewriting() => Some(Change::Remove),
                "target" | "formtarget" if self.rewriting() => retarget(&attr_value(attr)),
                "srcdoc" if tag == "iframe" => self.srcdoc(&attr_value(attr))?,
                "href" if tag == "base" => None,
                // An application cache manifest: nothing replay may fetch or keep.
                "manifest" if tag == "html" && self.static_rewrite() => Some(Change::Remove),
                n => match rules.and_then(|r| r.iter().find(|r| r.attribute == n)).map(|r| r.kind) {
                    Some(Kind::LinkRel) => {
                        let kind = match rules::link_rel_kind(&attribute(el, "rel").unwrap_or_default()) {
                            LinkRel::Resource => Kind::Resource,
                            LinkRel::Page => Kind::Page,
                            LinkRel::Reference | LinkRel::Drop => Kind::Reference,
                        };
                        let value = attr_value(attr);
                        let change = self.url_attribute(&value, kind);
                        // A `<link>` is never clicked: the mailto:, tel: and sms: a page link keeps for the user to
                        // follow (`<a>`) have no use there, and a rel a browser fetches would leave the mirror with
                        // them (found by fuzzing: `<link rel=next` took an `<a>`'s href).
                        let decoded = decode_attr(&value);
                        let dialer = ["mailto:", "tel:", "sms:"].iter().any(|s| has_scheme(&decoded, s));
                        if change.is_none() && dialer && self.static_rewrite() {
                            Some(Change::Remove)
                        } else {
                            change
                        }
                    }
                    Some(kind) => self.url_attribute(&attr_value(attr), kind),
                    // A link on an element the table doesn't list (custom elements, MathML, SVG the browser may
                    // learn to follow): into the mirror, as a reference.
                    None if n == "href" || n == "xlink:href" => self.url_attribute(&attr_value(attr), Kind::Reference),
                    None if rules::is_presentation(n) => self.style_attribute(&attr_value(attr)),
                    None if animation && rules::ANIMATION_VALUES.contains(&n) => {
                        self.animation_value(&attr_value(attr))
                    }
                    // Other URL-looking attributes the table doesn't list: static replay has no use for a
                    // javascript: or blob: URL in any of them.
                    None if self.static_rewrite() && JS_PRONE.contains(&n) => {
                        let raw = attr_value(attr);
                        let value = decode_attr(&raw);
                        (has_scheme(&value, "javascript:") || has_scheme(&value, "blob:")).then_some(Change::Remove)
                    }
                    None => None,
                },
            };
            let change = match change {
                None if foreign => {
                    let raw = attr_value(attr);
                    raw.contains('<').then(|| Change::Set(raw.replace('<', "&lt;")))
                }
                Some(Change::Set(v)) if foreign && v.contains('<') => Some(Change::Set(v.replace('<', "&lt;"))),
                other => other,
            };
            if let Some(change) = change {
                changes.push((name.clone(), change));
            }
        }
        if self.rewriting() && rules.is_some() && !changes.is_empty() {
            self.promote_lazy(el, &mut changes);
        }
        for (name, change) in changes {
            match change {
                Change::Set(value) => el.set_attribute(&name, &value)?,
                Change::Remove => el.remove_attribute(&name),
            }
        }
        Ok(())
    }

    /// A URL-holding attribute: record it (crawl) and point it into the mirror (replay).
    fn url_attribute(&self, raw: &str, kind: Kind) -> Option<Change> {
        let value = decode_attr(raw);
        if kind == Kind::Srcset {
            return self.srcset(&value);
        }
        match self.url(value.trim_matches(is_html_space), kind) {
            Mapped::Keep => None,
            Mapped::Drop => Some(Change::Remove),
            Mapped::To(new) => Some(Change::Set(escape_attr(&new).into_owned())),
        }
    }

    fn srcset(&self, value: &str) -> Option<Change> {
        let mut out = String::new();
        let mut copied = 0;
        let spans = srcset::url_spans(value);
        for (i, &(start, end)) in spans.iter().enumerate() {
            match self.url(&value[start..end], Kind::Resource) {
                Mapped::Keep => {}
                Mapped::To(new) => {
                    // Only what the URL parser reads is replaced: the C0 controls it strips around the URL stay
                    // (they are not srcset whitespace), so the candidate still ends where it did. A mirror URL
                    // ending in ',' right at the end of the candidate would end it early for the browser (trailing
                    // commas end a candidate), turning its descriptors into a URL nobody mapped: those commas are
                    // written %2C.
                    let token = &value[start..end];
                    let lead = token.len() - token.trim_start_matches(|c: char| c <= ' ').len();
                    let trail = token.len() - token.trim_end_matches(|c: char| c <= ' ').len();
                    let (start, end) = (start + lead, (end - trail).max(start + lead));
                    out.push_str(&value[copied..start]);
                    if trail == 0 && new.ends_with(',') {
                        let kept = new.trim_end_matches(',');
                        out.push_str(kept);
                        out.push_str(&"%2C".repeat(new.len() - kept.len()));
                    } else {
                        out.push_str(&new);
                    }
                    copied = end;
                }
                // The whole candidate goes: its URL, descriptors and comma, up to the next candidate's URL.
                Mapped::Drop => {
                    out.push_str(&value[copied..start]);
                    copied = spans.get(i + 1).map_or(value.len(), |next| next.0);
                }
            }
        }
        if !self.rewriting() || copied == 0 {
            return None;
        }
        out.push_str(&value[copied..]);
        Some(Change::Set(escape_attr(&out).into_owned()))
    }

    /// What one URL (already decoded and trimmed) becomes.
    fn url(&self, value: &str, kind: Kind) -> Mapped {
        // Empty and fragment-only URLs stay in the document itself.
        if value.is_empty() || value.starts_with('#') {
            return Mapped::Keep;
        }
        let Some(url) = resolve(&self.base.borrow(), value) else {
            // The browser can't resolve it either; replay drops it rather than leave anything pointing outside.
            return if self.rewriting() { Mapped::Drop } else { Mapped::Keep };
        };
        if is_mirrorable(&url) {
            self.record(&url, kind);
            return match self.job.map {
                Some(map) => {
                    let mut out = String::new();
                    map.push_mirror(&url, &mut out);
                    Mapped::To(out)
                }
                None => Mapped::Keep,
            };
        }
        let resource = matches!(kind, Kind::Resource | Kind::Srcset);
        if resource && url.scheme() == "data" {
            return self.data_url(&url);
        }
        if !self.rewriting() {
            return Mapped::Keep;
        }
        let interactive = self.job.mode == Mode::Interactive;
        match url.scheme() {
            "about" => Mapped::Keep,
            "mailto" | "tel" | "sms" if kind == Kind::Page => Mapped::Keep,
            "javascript" | "data" | "blob" if interactive => Mapped::Keep,
            // javascript: in static replay; data: anywhere but a resource (a link or refresh to a data: document
            // would show attacker markup, and a sandboxed frame may still navigate itself); blob: everywhere
            // (nothing in static replay made one, so it points outside); and anything that would leave the mirror
            // (ftp:, file:, ws:, chrome-extension: pages of this or another extension…).
            _ => Mapped::Drop,
        }
    }

    /// A `data:` resource: kept, unless it is a stylesheet, whose CSS is rewritten (or scanned) like any other.
    fn data_url(&self, url: &Url) -> Mapped {
        let Some(sheet) = data_url::stylesheet(url) else {
            return Mapped::Keep;
        };
        let depth = self.css_depth.get();
        if depth >= data_url::MAX_NESTING {
            return if self.rewriting() { Mapped::Drop } else { Mapped::Keep };
        }
        self.css_depth.set(depth + 1);
        let css = self.css(&sheet.css);
        self.css_depth.set(depth);
        match css {
            std::borrow::Cow::Owned(new) if self.rewriting() => Mapped::To(data_url::encode(&sheet.mime, &new)),
            _ => Mapped::Keep,
        }
    }

    fn record(&self, url: &Url, kind: Kind) {
        if let Some(links) = self.job.links {
            let mut links = links.borrow_mut();
            match kind {
                Kind::Page => links.add_page(url),
                Kind::Resource | Kind::Srcset => links.add_resource(url),
                Kind::Reference | Kind::LinkRel => {}
            }
        }
    }

    /// `style=""`: CSS declarations.
    fn style_attribute(&self, raw: &str) -> Option<Change> {
        let value = decode_attr(raw);
        match self.css(&value) {
            std::borrow::Cow::Owned(new) if self.rewriting() => Some(Change::Set(escape_attr(&new).into_owned())),
            _ => None,
        }
    }

    /// `to`, `from`, `by` or `values` of an animation element (one animating a URL attribute is gone already):
    /// `url()`s are rewritten as in CSS (a `fill` animated to a paint server), and a `javascript:` anywhere
    /// removes the value in static replay.
    fn animation_value(&self, raw: &str) -> Option<Change> {
        let value = decode_attr(raw);
        if self.static_rewrite() && contains_javascript(&value) {
            return Some(Change::Remove);
        }
        self.style_attribute(raw)
    }

    /// Rewrites (or scans) CSS text; borrowed back when nothing changed.
    fn css<'t>(&self, text: &'t str) -> std::borrow::Cow<'t, str> {
        css::rewrite(text, &mut |u| match self.url(u.trim_matches(is_html_space), Kind::Resource) {
            Mapped::To(new) => Some(new),
            // A url() that would leave the mirror points nowhere instead.
            Mapped::Drop => Some(String::new()),
            Mapped::Keep => None,
        })
    }

    /// `<base href>` sets the base for every later URL, then is neutralised so it can't redirect the mirror.
    /// Only the first `<base href>` counts, but every one loses its href: with the first one gone, the browser
    /// would otherwise obey the second.
    fn base(&self, el: &mut Element<'_, '_>) {
        let Some(href) = attribute(el, "href") else {
            return;
        };
        if self.rewriting() {
            el.remove_attribute("href");
        }
        if self.base_seen.replace(true) {
            return;
        }
        let href = decode_attr(&href);
        let resolved = resolve(&self.base.borrow(), href.trim_matches(is_html_space));
        if let Some(url) = resolved.filter(is_mirrorable) {
            *self.base.borrow_mut() = url;
        }
    }

    fn meta(&self, el: &mut Element<'_, '_>) {
        if el.has_attribute("charset") && self.rewriting() {
            // The rewriter's output is always UTF-8.
            let _ = el.set_attribute("charset", "utf-8");
        }
        let Some(equiv) = attribute(el, "http-equiv") else {
            return;
        };
        match equiv.trim().to_ascii_lowercase().as_str() {
            "refresh" => self.meta_refresh(el),
            "content-security-policy" | "content-security-policy-report-only" | "set-cookie" if self.rewriting() => {
                remove(el, false)
            }
            "content-type" if self.rewriting() => {
                let _ = el.set_attribute("content", "text/html; charset=utf-8");
            }
            _ => {}
        }
    }

    /// `<meta http-equiv=refresh content="5; url=…">`: keep the refresh inside the mirror, or drop it.
    fn meta_refresh(&self, el: &mut Element<'_, '_>) {
        let content = decode_attr(&attribute(el, "content").unwrap_or_default()).into_owned();
        let Some((delay, url_at)) = refresh_url(&content) else {
            return;
        };
        let target = &content[url_at..];
        let target = target.trim_end_matches(is_html_space);
        let target = match target.as_bytes().first() {
            Some(q @ (b'"' | b'\'')) => target[1..].split(*q as char).next().unwrap_or(""),
            _ => target,
        };
        match self.url(target, Kind::Page) {
            Mapped::Keep => {}
            Mapped::Drop => remove(el, false),
            Mapped::To(new) => {
                let _ = el.set_attribute("content", &escape_attr(&format!("{delay}; url={new}")));
            }
        }
    }

    /// `srcdoc`: a whole document in an attribute, rewritten like any other (its URLs resolve against ours).
    fn srcdoc(&self, raw: &str) -> Result<Option<Change>, RewriteError> {
        if self.depth >= MAX_NESTING {
            return Ok(self.rewriting().then_some(Change::Remove));
        }
        let html = decode_attr(raw);
        let out = self.nested(&html)?;
        Ok(self.rewriting().then(|| Change::Set(escape_attr(&out).into_owned())))
    }

    fn nested(&self, html: &str) -> Result<String, RewriteError> {
        let job = Job { banner: None, foreign: may_hold_foreign_content(html.as_bytes()), ..*self.job };
        let mut out = Vec::with_capacity(html.len() + html.len() / 4);
        run_at_depth(&job, self.base.borrow().clone(), self.depth + 1, [html.as_bytes()], &mut |b| {
            out.extend_from_slice(b)
        })?;
        Ok(String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
    }

    /// If a lazy-loading attribute holds the real image, make it the one the browser loads.
    fn promote_lazy(&self, el: &Element<'_, '_>, changes: &mut Vec<(String, Change)>) {
        for (lazy, real) in rules::LAZY {
            let Some(new) = changes.iter().find_map(|(n, c)| match c {
                Change::Set(v) if n == lazy => Some(v.clone()),
                _ => None,
            }) else {
                continue;
            };
            let placeholder = match attribute(el, real) {
                None => true,
                Some(v) => {
                    let v = v.trim();
                    v.is_empty() || v.starts_with("data:") || attribute(el, "class").is_some_and(|c| c.contains("lazy"))
                }
            };
            if placeholder {
                changes.retain(|(n, _)| n != real);
                changes.push((real.to_string(), Change::Set(new)));
            }
        }
    }

    /// An element lol_html finds inside a `<style>`: only in SVG or MathML, where a `<style>` holds markup — but a
    /// browser may be in HTML there (`<svg><math><title><style>`: that `<math>` is SVG to a browser, its `<title>`
    /// leads back to HTML), reading the "element" as CSS text: `<x" ); } .a { background: image-set("/a>` was left
    /// as a tag, its URL unmapped (found by fuzzing). A `</style>` goes before the first such element, so a browser
    /// in raw text leaves it there and reads the element as lol_html does (which takes the `</style>` for text);
    /// and the rest of that style's text goes, text to one parser and CSS to the other. Removing the element
    /// instead would remove the style's own end tag when the tag holds it (`<x a="}</style>`), and the browser's
    /// raw text would run on through the page.
    fn inside_style(&self, el: &mut Element<'_, '_>) -> HandlerResult {
        if !self.style_broken.replace(true) {
            el.before("</style>", ContentType::Html);
        }
        // A `<style>` inside is a style of its own, whose text is CSS to both parsers until an element shows up in
        // it: that one needs its `</style>` too (found by fuzzing: the flag its parent had set hid it).
        if el.tag_name() == "style" {
            self.style_broken.set(false);
        }
        Ok(())
    }

    fn style_text(&self, chunk: &mut TextChunk<'_>) -> HandlerResult {
        if self.style_broken.get() && self.static_rewrite() {
            chunk.remove();
            return Ok(());
        }
        self.collect(chunk, &self.style, |text| Ok(self.css(text).into_owned()))
    }

    /// Gathers a raw-text element's chunks, then replaces them with `process(all text)` at the last one.
    fn collect(
        &self,
        chunk: &mut TextChunk<'_>,
        held: &RefCell<Held>,
        process: impl FnOnce(&str) -> Result<String, RewriteError>,
    ) -> HandlerResult {
        let mut held = held.borrow_mut();
        let last = chunk.last_in_text_node();
        if held.overflowed || held.text.len() + chunk.as_str().len() > MAX_COLLECTED_TEXT {
            // Too big to hold: what was held goes out unchanged, and so does the rest of this element.
            if !held.text.is_empty() {
                chunk.before(&std::mem::take(&mut held.text), ContentType::Html);
            }
            held.overflowed = !last;
            return Ok(());
        }
        held.text.push_str(chunk.as_str());
        if !last {
            chunk.remove();
            return Ok(());
        }
        let text = std::mem::take(&mut held.text);
        drop(held);
        // Text lol_html reads as SVG or MathML content: a browser that agrees decodes its character references
        // before CSS sees it (`url(&quot;//x/&quot;)` is `url("//x/")`), and lol_html hands it over raw, so the URL
        // went unmapped (found by fuzzing). The decoded text is rewritten and written back as text (`&`, `<`, `>`
        // escaped), which such a browser decodes to exactly the rewritten CSS; a browser in HTML raw text there
        // instead reads the escapes literally, and finds no tag start in them.
        if self.static_rewrite() && chunk.text_type() == TextType::Data {
            let out = process(&decode_attr(&text))?;
            chunk.replace(&out, ContentType::Text);
            return Ok(());
        }
        let out = process(&text)?;
        let safe = match chunk.text_type() {
            _ if !self.static_rewrite() => None,
            TextType::CDataSection => split_cdata(&out),
            TextType::RawText => css::escape_tag_starts(&out),
            _ => None,
        };
        chunk.replace(safe.as_deref().unwrap_or(&out), ContentType::Html);
        Ok(())
    }
}

/// Text of a `<style>` element being gathered across chunks.
#[derive(Default)]
struct Held {
    text: String,
    overflowed: bool,
}

enum Mapped {
    Keep,
    Drop,
    To(String),
}

/// Once an attribute changes, lol_html writes the tag back as `<tag` and, for each attribute, a space and its source
/// text. Attributes the source separated by `/` rather than space, `<img alt/="b c onclick=x()">`, hold a name
/// starting with `=` (an `=` where a name starts begins one), and written back, `alt ="b c…`, a browser reads it as
/// `alt`'s quoted value, up to a quote somewhere after the tag: what followed becomes attributes (found by fuzzing,
/// twice: first after a URL change, then after `<base href>` was removed, a change made outside the attribute pass,
/// which let a later `href` become the base). So, with the tag's final attributes, one written from its source
/// text just before such a name is set to its own value (written `name="value"`). lol_html can't set a name with
/// `=` in it, nor the second of two duplicates: where that attribute is one of those, `Ok(false)`: the element
/// can't be written faithfully and goes, with its content.
fn keep_attribute_boundaries(el: &mut Element<'_, '_>) -> Result<bool, lol_html::errors::AttributeNameError> {
    let attrs = el.attributes();
    if !attrs.iter().skip(1).any(|a| a.name().starts_with('=')) {
        return Ok(true);
    }
    let names: Vec<String> = attrs.iter().map(|a| a.name()).collect();
    let mut sets = Vec::new();
    for at in 1..names.len() {
        let before = at - 1;
        // A set or added attribute (no source span) is already written `name="value"`.
        if !names[at].starts_with('=') || attrs[before].name_source_location().is_none() {
            continue;
        }
        let name = &names[before];
        if name.starts_with('=') || names[..before].contains(name) {
            return Ok(false);
        }
        // The source text of the value, as it was: lol_html writes it in double quotes, escaping those.
        sets.push((name.clone(), attr_value(&attrs[before])));
    }
    for (name, value) in sets {
        el.set_attribute(&name, &value)?;
    }
    Ok(true)
}

/// Removes an element, with its content or keeping it.
///
/// What was around it must not join into markup: `<<script></script>img onerror=…>` would become an `<img>` with a
/// handler, so an empty comment takes the removed tags' places. And an element may end without its own end tag,
/// closed by an ancestor's (`<svg><script></svg>`); lol_html takes that end tag for the element's and would remove it
/// too, and the browser would then read what follows as still inside `<svg>`, where `<xmp>` holds markup rather than
/// text (one parse for lol_html, another for the browser). That end tag is put back.
fn remove(el: &mut Element<'_, '_>, keep_content: bool) {
    el.before(SEPARATOR, ContentType::Html);
    if keep_content {
        el.remove_and_keep_content();
    } else {
        el.remove();
    }
    // An HTML <script> is raw text to lol_html: nothing but its own end tag ends it, so the common case needs no
    // end-tag handler (a page has dozens of scripts).
    let own_end = el.tag_name() == "script" && el.namespace_uri() == HTML_NAMESPACE;
    if el.can_have_content() && !own_end {
        let name = el.tag_name();
        // Several removed elements closed by one end tag each run this, but lol_html gives the end tag each
        // element's own mutations afresh before its handler: the last one's `after` is what remains, once.
        let _ = el.on_end_tag(lol_html::end_tag!(move |end| {
            let closing = end.name();
            match (closing == name, keep_content) {
                (true, false) => {}
                (true, true) => end.after(SEPARATOR, ContentType::Html),
                (false, _) => end.after(&format!("{SEPARATOR}</{closing}>"), ContentType::Html),
            }
            Ok(())
        }));
    }
}

/// Raw text (`<textarea>`, `<title>`, `<xmp>`, `<iframe>`, `<noembed>`, `<noframes>`, `<plaintext>`) with every `<`
/// written `&lt;`. lol_html tracks SVG and MathML with a simpler model than the tree builder (`<math><svg>` is
/// MathML to a browser, so its `<foreignObject>` is no way back into HTML), and where lol_html reads raw text the
/// browser may read markup; escaped, there is none. `<title>` and `<textarea>` decode `&lt;` back, so only what
/// `<xmp>` and `<plaintext>` show changes. Every `<`, not only those starting a tag, so chunking can't matter.
fn escape_lt(text: &str) -> Option<String> {
    text.contains('<').then(|| text.replace('<', "&lt;"))
}

const HTML_NAMESPACE: &str = "http://www.w3.org/1999/xhtml";

/// The elements whose content lol_html may read as raw text, `<style>` aside (its handler escapes what it rewrites).
const RAW_TEXT: &str = "title, textarea, xmp, iframe, noembed, noframes, plaintext";

/// Whether `html` has an `<svg` or `<math` start tag (any case): without one, lol_html never leaves HTML.
pub(crate) fn may_hold_foreign_content(html: &[u8]) -> bool {
    // Asked of every `<` of the document: one byte decides for most.
    let lower = |at: usize| html.get(at).map(|c| c | 0x20);
    memchr::memchr_iter(b'<', html).any(|at| match lower(at + 1) {
        Some(b's') => lower(at + 2) == Some(b'v') && lower(at + 3) == Some(b'g'),
        Some(b'm') => lower(at + 2) == Some(b'a') && lower(at + 3) == Some(b't') && lower(at + 4) == Some(b'h'),
        _ => false,
    })
}

/// What stands where removed tags were: markup that ends whatever text is before it and starts nothing.
const SEPARATOR: &str = "<!---->";

/// CDATA text (which lol_html finds only in what it takes for SVG or MathML) with each `>` moved out of the
/// section: `]]>&gt;<![CDATA[`. A browser reading SVG sees the same text; one that is back in HTML (lol_html's
/// namespace tracking is simpler than the tree builder: `<svg><math><p>` leaves both for the browser, one for
/// lol_html) reads `<![CDATA[` as a comment up to the first `>`, and would otherwise see as markup what lol_html
/// left as text.
fn split_cdata(text: &str) -> Option<String> {
    text.contains('>').then(|| text.replace('>', "]]>&gt;<![CDATA["))
}

/// The tag lol_html's ambiguity message names ("… a text content tag (`<xmp>`) in the context …").
fn ambiguous_tag(message: &str) -> String {
    let tag = message.split_once("(`<").and_then(|(_, rest)| rest.split_once(">`)")).map(|(tag, _)| tag);
    tag.unwrap_or("?").to_owned()
}

/// `target=_blank` (or any `_name` that isn't a keyword) opens a popup, which sandboxed replay forbids: the link
/// would do nothing. It opens in place instead.
fn retarget(raw: &str) -> Option<Change> {
    let t = raw.trim();
    if t.starts_with('_') && !["_self", "_parent", "_top"].iter().any(|k| t.eq_ignore_ascii_case(k)) {
        Some(Change::Set("_self".into()))
    } else {
        None
    }
}

/// Whether a URL starts with `scheme` (`"javascript:"`) as the browser reads it, or could: the URL parser strips
/// leading C0 controls and spaces and removes tabs and newlines anywhere; this skips all of those anywhere.
fn has_scheme(value: &str, scheme: &str) -> bool {
    let mut chars = value.chars().filter(|c| !c.is_ascii_whitespace() && !c.is_control());
    scheme.chars().all(|expected| chars.next().is_some_and(|c| c.eq_ignore_ascii_case(&expected)))
}

/// Whether `javascript:` appears anywhere in `value` (case, tabs and newlines ignored, as the URL parser would).
fn contains_javascript(value: &str) -> bool {
    let compact: Vec<u8> =
        value.bytes().filter(|b| !matches!(b, b'\t' | b'\n' | b'\r')).map(|b| b.to_ascii_lowercase()).collect();
    compact.windows(11).any(|w| w == b"javascript:")
}

/// An attribute's value (entities not decoded) as the browser reads it. lol_html decodes values with encoding_rs's
/// BOM sniffing, which drops a U+FEFF at the start of a value; the browser keeps it, as part of the URL
/// (`%EF%BB%BF…`). Read without it, `"\u{FEFF}"` looked empty and stayed unrewritten, and `"\u{FEFF}x"` was
/// mapped as `x` (found by fuzzing). The value's source span still has the raw length, so a value three bytes
/// (one U+FEFF in the UTF-8 the rewriter runs on) shorter than its span lost one.
fn attr_value(attr: &Attribute<'_>) -> String {
    let value = attr.value();
    match attr.value_source_location() {
        Some(span) if span.bytes().len() == value.len() + '\u{FEFF}'.len_utf8() => format!("\u{FEFF}{value}"),
        _ => value,
    }
}

/// `el.get_attribute(name)`, read as [`attr_value`] does.
fn attribute(el: &Element<'_, '_>, name: &str) -> Option<String> {
    el.attributes().iter().find(|a| a.name() == name).map(attr_value)
}

fn is_html_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\x0c' | '\r')
}

/// In a refresh `content`, the delay text and the byte offset of the URL (HTML's "shared declarative refresh
/// steps"), or `None` when it only reloads.
fn refresh_url(content: &str) -> Option<(&str, usize)> {
    let s = content.trim_start_matches(is_html_space);
    let lead = content.len() - s.len();
    let delay_len = s.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(s.len());
    let delay = &s[..delay_len];
    let mut rest = &s[delay_len..];
    rest = rest.trim_start_matches(is_html_space);
    rest = rest.strip_prefix([';', ',']).unwrap_or(rest);
    rest = rest.trim_start_matches(is_html_space);
    // `get`, not slicing: the three bytes after the delay may end inside a multi-byte character ("urÖl=").
    if rest.get(..3).is_some_and(|p| p.eq_ignore_ascii_case("url")) {
        let after = rest[3..].trim_start_matches(is_html_space);
        if let Some(after) = after.strip_prefix('=') {
            rest = after.trim_start_matches(is_html_space);
        }
    }
    if rest.is_empty() {
        return None;
    }
    Some((if delay.is_empty() { "0" } else { delay }, lead + (s.len() - rest.len())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn foreign_content_is_found_in_any_case() {
        for html in ["<svg>", "a<SvG/>", "<MATH", "x<math\n>"] {
            assert!(may_hold_foreign_content(html.as_bytes()), "{html}");
        }
        for html in ["<span>svg</span>", "<sv g>", "<mat>", "math", "<s", "<"] {
            assert!(!may_hold_foreign_content(html.as_bytes()), "{html}");
        }
    }

    #[test]
    fn refresh_content_forms() {
        let url = |c: &str| refresh_url(c).map(|(d, at)| (d.to_owned(), c[at..].to_owned()));
        assert_eq!(url("5; url=/next"), Some(("5".into(), "/next".into())));
        assert_eq!(url("0;URL='a.html'"), Some(("0".into(), "'a.html'".into())));
        assert_eq!(url(" 3 , other.html"), Some(("3".into(), "other.html".into())));
        assert_eq!(url("10"), None);
        // A multi-byte character within three bytes of the delay is just the URL (was a panic, found by fuzzing).
        assert_eq!(url("0; urÖl=x"), Some(("0".into(), "urÖl=x".into())));
        assert_eq!(url("0;Ö"), Some(("0".into(), "Ö".into())));
    }

    #[test]
    fn javascript_detection_ignores_case_and_spaces() {
        assert!(has_scheme(" JaVa\tScRiPt:alert(1)", "javascript:"));
        assert!(!has_scheme("https://x/javascript:", "javascript:"));
        assert!(contains_javascript("url(a); JavA\nScript:x()"));
        assert!(!contains_javascript("java script:"));
    }
}
