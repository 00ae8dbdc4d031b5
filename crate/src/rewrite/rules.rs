//! The one table of which element attributes hold URLs, and what each URL is.
//!
//! Both the rewriter (replay) and the link extractor (crawl) read this table, so a URL the crawler fetches is
//! exactly a URL the replay points into the mirror. Behaviour that isn't "an attribute holds a URL" (scripts,
//! `<base>`, `<meta>`, lazy images, `<noscript>`, `srcdoc`) lives in `html.rs`, next to the handler using it.

/// What a URL in an attribute is, which decides how it is extracted and rewritten.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A navigation target (`<a href>`): extracted as a page, rewritten to stay inside the mirror.
    Page,
    /// Something the document needs to render (image, stylesheet, frame, media): extracted as a resource.
    Resource,
    /// A `srcset`-style list of image candidates: each URL extracted as a resource.
    Srcset,
    /// A URL the document mentions but neither loads nor shows (`cite`, form actions, `href` on an element the
    /// table doesn't list): rewritten, not extracted.
    Reference,
    /// `<link href>`: the kind depends on `rel` (stylesheet → resource, next → page, preconnect → dropped).
    LinkRel,
}

/// One row of the table: on `element`, the attribute `attribute` holds a URL of kind `kind`.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub element: &'static str,
    pub attribute: &'static str,
    pub kind: Kind,
}

const fn rule(element: &'static str, attribute: &'static str, kind: Kind) -> Rule {
    Rule { element, attribute, kind }
}

use Kind::*;

/// Element and attribute names are lower case, as lol_html reports them (SVG's `feImage` is `feimage`).
pub const RULES: &[Rule] = &[
    rule("a", "href", Page),
    rule("a", "xlink:href", Page),
    rule("area", "href", Page),
    rule("link", "href", LinkRel),
    rule("link", "imagesrcset", Srcset),
    rule("img", "src", Resource),
    rule("img", "srcset", Srcset),
    rule("img", "longdesc", Reference),
    rule("picture", "src", Resource),
    rule("source", "src", Resource),
    rule("source", "srcset", Srcset),
    rule("video", "src", Resource),
    rule("video", "poster", Resource),
    rule("audio", "src", Resource),
    rule("track", "src", Resource),
    rule("iframe", "src", Resource),
    rule("frame", "src", Resource),
    rule("embed", "src", Resource),
    rule("object", "data", Resource),
    rule("input", "src", Resource),
    rule("script", "src", Resource),
    rule("body", "background", Resource),
    rule("table", "background", Resource),
    rule("td", "background", Resource),
    rule("th", "background", Resource),
    rule("tr", "background", Resource),
    rule("form", "action", Reference),
    rule("button", "formaction", Reference),
    rule("input", "formaction", Reference),
    rule("blockquote", "cite", Reference),
    rule("q", "cite", Reference),
    rule("del", "cite", Reference),
    rule("ins", "cite", Reference),
    rule("image", "href", Resource),
    rule("image", "xlink:href", Resource),
    // Outside SVG, HTML's tree builder turns an `<image>` start tag into `<img>`, which loads its src (found by
    // fuzzing). Rewritten in SVG too: lol_html's idea of where SVG ends is not always the browser's.
    rule("image", "src", Resource),
    rule("image", "srcset", Srcset),
    rule("image", "lowsrc", Resource),
    rule("image", "longdesc", Reference),
    rule("image", "data-src", Resource),
    rule("image", "data-srcset", Srcset),
    rule("use", "href", Resource),
    rule("use", "xlink:href", Resource),
    rule("feimage", "href", Resource),
    rule("feimage", "xlink:href", Resource),
    // SVG elements whose href names what they use (a pattern, gradient or filter to inherit from, the path of a
    // textPath or motion, a script). Mostly `#fragment`s; another document when a browser loads one.
    rule("pattern", "href", Resource),
    rule("pattern", "xlink:href", Resource),
    rule("lineargradient", "href", Resource),
    rule("lineargradient", "xlink:href", Resource),
    rule("radialgradient", "href", Resource),
    rule("radialgradient", "xlink:href", Resource),
    rule("filter", "href", Resource),
    rule("filter", "xlink:href", Resource),
    rule("textpath", "href", Resource),
    rule("textpath", "xlink:href", Resource),
    rule("mpath", "href", Resource),
    rule("mpath", "xlink:href", Resource),
    rule("tref", "href", Resource),
    rule("tref", "xlink:href", Resource),
    rule("cursor", "href", Resource),
    rule("cursor", "xlink:href", Resource),
    rule("script", "href", Resource),
    rule("script", "xlink:href", Resource),
    rule("img", "lowsrc", Resource),
    // Lazy-loading conventions: the real image waits in a data attribute for a script that static replay never
    // runs, so these are fetched by the crawler and promoted to src/srcset by the rewriter.
    rule("img", "data-src", Resource),
    rule("img", "data-srcset", Srcset),
    rule("img", "data-lazy-src", Resource),
    rule("img", "data-original", Resource),
    rule("source", "data-src", Resource),
    rule("source", "data-srcset", Srcset),
    rule("iframe", "data-src", Resource),
    rule("video", "data-src", Resource),
    rule("video", "data-poster", Resource),
];

/// SVG presentation attributes whose value may be a CSS `url()` (a paint server, filter, mask, clip path, marker or
/// cursor), on any element: rewritten like a `style` value, and what they point at is a resource.
pub const PRESENTATION: &[&str] =
    &["fill", "stroke", "filter", "mask", "clip-path", "cursor", "marker-start", "marker-mid", "marker-end", "marker"];

/// SMIL animation elements: they set another attribute of their target, which a browser then uses (Chromium follows
/// an animated `href` when the link is clicked).
pub const ANIMATION: &[&str] = &["animate", "set", "animatemotion", "animatetransform", "animatecolor"];

/// Whether `name` is in [`PRESENTATION`] (a `match`, which the rewriter asks of most attributes; a test keeps the
/// two the same).
pub fn is_presentation(name: &str) -> bool {
    matches!(
        name,
        "fill"
            | "stroke"
            | "filter"
            | "mask"
            | "clip-path"
            | "cursor"
            | "marker-start"
            | "marker-mid"
            | "marker-end"
            | "marker"
    )
}

/// Whether `element` is in [`ANIMATION`] (asked of every element; a test keeps the two the same).
pub fn is_animation(element: &str) -> bool {
    matches!(element, "animate" | "set" | "animatemotion" | "animatetransform" | "animatecolor")
}

/// The attributes of an animation element that hold values for the animated attribute.
pub const ANIMATION_VALUES: &[&str] = &["to", "from", "by", "values"];

/// Whether an animation's `attributeName` names a URL attribute: `href` or any attribute of the table, with any
/// namespace prefix (`xlink:href`) and in any case.
pub fn animates_url(attribute_name: &str) -> bool {
    let name = attribute_name.trim_matches(|c: char| c.is_ascii_whitespace());
    let local = name.rsplit(':').next().unwrap_or(name);
    local.eq_ignore_ascii_case("href") || RULES.iter().any(|r| r.attribute.eq_ignore_ascii_case(local))
}

/// The lazy-loading attributes and the attribute each one stands in for.
pub const LAZY: &[(&str, &str)] = &[
    ("data-src", "src"),
    ("data-lazy-src", "src"),
    ("data-original", "src"),
    ("data-srcset", "srcset"),
    ("data-poster", "poster"),
];

/// The URL kind of `attribute` on `element`, if the table lists it.
pub fn kind_of(element: &str, attribute: &str) -> Option<Kind> {
    rules_for(element)?.iter().find(|r| r.attribute == attribute).map(|r| r.kind)
}

/// The rules of one element, or `None` for the many elements no rule mentions. The rewriter asks this once per
/// element, so the table is indexed by element name on first use (binary search, no hashing).
pub fn rules_for(element: &str) -> Option<&'static [Rule]> {
    type Index = (Vec<Rule>, Vec<(&'static str, usize, usize)>);
    static BY_ELEMENT: std::sync::OnceLock<Index> = std::sync::OnceLock::new();
    let (sorted, index) = BY_ELEMENT.get_or_init(|| {
        let mut sorted = RULES.to_vec();
        sorted.sort_by_key(|r| r.element);
        let mut index: Vec<(&'static str, usize, usize)> = Vec::new();
        for (i, r) in sorted.iter().enumerate() {
            match index.last_mut() {
                Some((e, _, end)) if *e == r.element => *end = i + 1,
                _ => index.push((r.element, i, i + 1)),
            }
        }
        (sorted, index)
    });
    let at = index.binary_search_by(|(e, _, _)| (*e).cmp(element)).ok()?;
    let (_, start, end) = index[at];
    Some(&sorted[start..end])
}

/// What a `<link rel=…>` is, from its space-separated, case-insensitive `rel` tokens.
pub fn link_rel_kind(rel: &str) -> LinkRel {
    let mut kind = LinkRel::Reference;
    for token in rel.split_ascii_whitespace() {
        let token = token.to_ascii_lowercase();
        match token.as_str() {
            // These open connections or fetch things no CSP rule reliably stops (preconnect opens a TCP
            // connection to the live site), and replay needs none of them.
            "preconnect" | "dns-prefetch" | "prefetch" | "prerender" => return LinkRel::Drop,
            "stylesheet"
            | "icon"
            | "shortcut"
            | "apple-touch-icon"
            | "apple-touch-icon-precomposed"
            | "mask-icon"
            | "preload"
            | "modulepreload"
            | "manifest"
            | "image_src" => kind = LinkRel::Resource,
            "next" | "prev" | "previous" if kind == LinkRel::Reference => kind = LinkRel::Page,
            _ => {}
        }
    }
    kind
}

/// The outcome of [`link_rel_kind`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkRel {
    /// Loaded to render the page.
    Resource,
    /// Another page of the site (pagination).
    Page,
    /// Metadata only (canonical, alternate, author…).
    Reference,
    /// Removed in static replay.
    Drop,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_names_are_lower_case_and_unique() {
        for (i, r) in RULES.iter().enumerate() {
            assert_eq!(r.element, r.element.to_ascii_lowercase());
            assert_eq!(r.attribute, r.attribute.to_ascii_lowercase());
            assert!(
                !RULES[..i].iter().any(|o| o.element == r.element && o.attribute == r.attribute),
                "duplicate rule {r:?}"
            );
        }
    }

    #[test]
    fn lazy_attributes_are_all_in_the_table() {
        for (lazy, _) in LAZY {
            assert!(RULES.iter().any(|r| r.attribute == *lazy), "{lazy} has no rule");
        }
    }

    #[test]
    fn the_index_finds_every_rule() {
        for r in RULES {
            assert_eq!(kind_of(r.element, r.attribute), Some(r.kind), "{r:?}");
        }
        assert!(rules_for("div").is_none());
        let img = RULES.iter().filter(|r| r.element == "img").count();
        assert_eq!(rules_for("img").map(<[Rule]>::len), Some(img));
    }

    #[test]
    fn the_name_checks_match_their_lists() {
        for name in PRESENTATION.iter().chain(ANIMATION).chain(["fil", "fills", "class", "sets", "a"].iter()) {
            assert_eq!(is_presentation(name), PRESENTATION.contains(name), "{name}");
            assert_eq!(is_animation(name), ANIMATION.contains(name), "{name}");
        }
    }

    #[test]
    fn animated_url_attributes_are_recognised_in_any_case_and_prefix() {
        for name in ["href", "xlink:href", " XLINK:HREF ", "foo:href", "src", "Poster", "action", "data-src"] {
            assert!(animates_url(name), "{name}");
        }
        for name in ["fill", "x", "hreff", "style", "class"] {
            assert!(!animates_url(name), "{name}");
        }
    }

    #[test]
    fn link_rel_decides_the_kind() {
        assert_eq!(link_rel_kind("Stylesheet"), LinkRel::Resource);
        assert_eq!(link_rel_kind("shortcut icon"), LinkRel::Resource);
        assert_eq!(link_rel_kind("next"), LinkRel::Page);
        assert_eq!(link_rel_kind("canonical"), LinkRel::Reference);
        assert_eq!(link_rel_kind("preconnect"), LinkRel::Drop);
        assert_eq!(link_rel_kind("stylesheet prefetch"), LinkRel::Drop);
    }
}
