//! What a crawl covers and how politely it fetches: the options, their defaults and their allowed ranges.
//!
//! Options arrive from JavaScript (and from a persisted crawl job), so they are read loosely — any JSON-ish value
//! per field — and then checked here, so that every refusal names the field and says what it must be, instead of
//! serde's "invalid type: floating point, expected u32".

use crate::error::CrawlError;
use serde::de::{IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// Default `maxDepth`: deep enough for real sites (almost every page is a handful of clicks from the home page),
/// shallow enough to bound what trap detection misses.
pub const DEFAULT_MAX_DEPTH: u64 = 20;
/// Default `maxPages`.
pub const DEFAULT_MAX_PAGES: u64 = 10_000;
/// Default `maxBytes`: 2 GiB downloaded per crawl.
pub const DEFAULT_MAX_BYTES: u64 = 2 << 30;
/// Default `maxResourceBytes`: 32 MiB per response (below the store's 64 MiB per-body cap).
pub const DEFAULT_MAX_RESOURCE_BYTES: u64 = 32 << 20;
/// Default `maxConcurrency` per host (what browsers open per HTTP/1.1 host).
pub const DEFAULT_MAX_CONCURRENCY: u64 = 6;
/// Default `timeoutMs` per request.
pub const DEFAULT_TIMEOUT_MS: u64 = 30_000;
/// Default `maxRetries` per URL.
pub const DEFAULT_MAX_RETRIES: u64 = 2;
/// Most include or exclude patterns, and longest one.
const MAX_PATTERNS: usize = 100;
const MAX_PATTERN_LEN: usize = 2048;

/// Which pages belong to the crawl.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ScopeKind {
    /// Every page on the start URL's origin (scheme, host and port).
    #[default]
    Origin,
    /// Pages whose URL starts with `prefix` (by default the start URL's directory).
    Prefix,
}

/// Whether a crawl loads its pages in a browser and keeps them as their scripts left them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RenderMode {
    /// Raw responses only: what the server sent.
    #[default]
    Never,
    /// Every page is rendered too.
    Always,
    /// Pages of a template (see `crawl::render`) are rendered while rendering changes what they show.
    Auto,
}

/// Which rendered pages get a fidelity score (their replay compared with the page as it rendered live).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ScoreMode {
    /// Every rendered page (each costs a replay load: on documentation sites it about doubles a rendered crawl).
    Every,
    /// The first pages of each template (`crawl::render::SAMPLES`).
    #[default]
    Sample,
    Never,
}

/// The options of a crawl (camelCase in JS). Every field has a default; `CrawlPolicy::new` checks the ranges.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", try_from = "BTreeMap<String, Loose>")]
pub struct CrawlOptions {
    pub scope: ScopeKind,
    /// With `scope: 'prefix'`: an absolute URL (or a path, resolved against the start URL) on the start URL's
    /// origin. Filled in by `CrawlPolicy::new` (`None` for origin scope).
    pub prefix: Option<String>,
    /// `*` wildcard patterns over the whole URL; a page must match one of them when there are any.
    pub include: Vec<String>,
    /// `*` wildcard patterns over the whole URL; nothing that matches one is fetched.
    pub exclude: Vec<String>,
    /// Links followed from the start page (0 = only the start page and what it uses).
    pub max_depth: u64,
    pub max_pages: u64,
    pub max_bytes: u64,
    pub max_resource_bytes: u64,
    /// Fetch images, stylesheets, fonts and scripts that pages use from other hosts.
    pub external_resources: bool,
    /// Fetch pages outside the scope that in-scope pages link to (one hop: their links are not followed out).
    pub external_pages: bool,
    pub ignore_robots: bool,
    pub follow_logout: bool,
    /// Most requests in flight per host.
    pub max_concurrency: u64,
    /// Least time between two request starts to one host.
    pub delay_ms: u64,
    pub timeout_ms: u64,
    pub max_retries: u64,
    /// Render pages with JavaScript (the host loads each in a browsing context of the site's own origin).
    pub render: RenderMode,
    /// Score rendered pages' fidelity (`crawl::fidelity`).
    pub score: ScoreMode,
}

impl Default for CrawlOptions {
    fn default() -> Self {
        CrawlOptions {
            scope: ScopeKind::Origin,
            prefix: None,
            include: Vec::new(),
            exclude: Vec::new(),
            max_depth: DEFAULT_MAX_DEPTH,
            max_pages: DEFAULT_MAX_PAGES,
            max_bytes: DEFAULT_MAX_BYTES,
            max_resource_bytes: DEFAULT_MAX_RESOURCE_BYTES,
            external_resources: true,
            external_pages: false,
            ignore_robots: false,
            follow_logout: false,
            max_concurrency: DEFAULT_MAX_CONCURRENCY,
            delay_ms: 0,
            timeout_ms: DEFAULT_TIMEOUT_MS,
            max_retries: DEFAULT_MAX_RETRIES,
            render: RenderMode::Never,
            score: ScoreMode::Sample,
        }
    }
}

/// Allowed range of each numeric option, checked in one place.
const RANGES: &[(&str, u64, u64)] = &[
    ("maxDepth", 0, 1000),
    ("maxPages", 1, 1_000_000),
    ("maxBytes", 1, 1 << 50),
    ("maxResourceBytes", 1, 2 << 30),
    ("maxConcurrency", 1, 16),
    ("delayMs", 0, 60_000),
    ("timeoutMs", 1000, 600_000),
    ("maxRetries", 0, 10),
];

impl CrawlOptions {
    fn numbers(&self) -> [u64; 8] {
        [
            self.max_depth,
            self.max_pages,
            self.max_bytes,
            self.max_resource_bytes,
            self.max_concurrency,
            self.delay_ms,
            self.timeout_ms,
            self.max_retries,
        ]
    }

    /// Checks ranges and patterns (the prefix is checked against the start URL by `CrawlPolicy::new`).
    pub fn check(&self) -> Result<(), CrawlError> {
        for ((name, min, max), value) in RANGES.iter().zip(self.numbers()) {
            if !(*min..=*max).contains(&value) {
                return Err(invalid(format!("{name} must be from {min} to {max}, not {value}")));
            }
        }
        for (name, patterns) in [("include", &self.include), ("exclude", &self.exclude)] {
            if patterns.len() > MAX_PATTERNS {
                return Err(invalid(format!(
                    "{name} has {} patterns; at most {MAX_PATTERNS} are allowed",
                    patterns.len()
                )));
            }
            if let Some(i) = patterns.iter().position(|p| p.is_empty() || p.len() > MAX_PATTERN_LEN) {
                return Err(invalid(format!("{name}[{i}] must be a pattern of 1 to {MAX_PATTERN_LEN} characters")));
            }
        }
        Ok(())
    }
}

pub(crate) fn invalid(reason: impl Into<String>) -> CrawlError {
    CrawlError::InvalidConfig { reason: reason.into() }
}

/// Why options were refused while reading them (serde wants a `Display` error; the wasm layer adds the code).
#[derive(Debug)]
pub struct OptionsReason(pub String);

impl fmt::Display for OptionsReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Any value a JS caller might put in a field, so that type errors can name the field.
#[derive(Debug)]
pub enum Loose {
    Null,
    Bool(bool),
    Number(f64),
    Text(String),
    List(Vec<Loose>),
    Object,
}

impl Loose {
    fn describe(&self) -> String {
        match self {
            Loose::Null => "null".into(),
            Loose::Bool(b) => b.to_string(),
            Loose::Number(n) => n.to_string(),
            Loose::Text(s) => format!("{:?}", s.chars().take(40).collect::<String>()),
            Loose::List(_) => "a list".into(),
            Loose::Object => "an object".into(),
        }
    }
}

impl<'de> Deserialize<'de> for Loose {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Loose;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a value")
            }
            fn visit_unit<E>(self) -> Result<Loose, E> {
                Ok(Loose::Null)
            }
            fn visit_none<E>(self) -> Result<Loose, E> {
                Ok(Loose::Null)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Loose, D::Error> {
                Loose::deserialize(d)
            }
            fn visit_bool<E>(self, v: bool) -> Result<Loose, E> {
                Ok(Loose::Bool(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Loose, E> {
                Ok(Loose::Number(v as f64))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Loose, E> {
                Ok(Loose::Number(v as f64))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Loose, E> {
                Ok(Loose::Number(v))
            }
            fn visit_str<E>(self, v: &str) -> Result<Loose, E> {
                Ok(Loose::Text(v.to_owned()))
            }
            fn visit_string<E>(self, v: String) -> Result<Loose, E> {
                Ok(Loose::Text(v))
            }
            fn visit_bytes<E>(self, _: &[u8]) -> Result<Loose, E> {
                Ok(Loose::Object)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Loose, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element::<Loose>()? {
                    items.push(item);
                }
                Ok(Loose::List(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Loose, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Loose::Object)
            }
        }
        d.deserialize_any(V)
    }
}

/// The options as given: every field optional and of any type until checked.
#[derive(Default)]
struct OptionsInput {
    scope: Option<Loose>,
    prefix: Option<Loose>,
    include: Option<Loose>,
    exclude: Option<Loose>,
    max_depth: Option<Loose>,
    max_pages: Option<Loose>,
    max_bytes: Option<Loose>,
    max_resource_bytes: Option<Loose>,
    external_resources: Option<Loose>,
    external_pages: Option<Loose>,
    ignore_robots: Option<Loose>,
    follow_logout: Option<Loose>,
    max_concurrency: Option<Loose>,
    delay_ms: Option<Loose>,
    timeout_ms: Option<Loose>,
    max_retries: Option<Loose>,
    render: Option<Loose>,
    score: Option<Loose>,
}

/// The option names, as JS spells them.
pub const OPTION_NAMES: &[&str] = &[
    "scope",
    "prefix",
    "include",
    "exclude",
    "maxDepth",
    "maxPages",
    "maxBytes",
    "maxResourceBytes",
    "externalResources",
    "externalPages",
    "ignoreRobots",
    "followLogout",
    "maxConcurrency",
    "delayMs",
    "timeoutMs",
    "maxRetries",
    "render",
    "score",
];

impl TryFrom<BTreeMap<String, Loose>> for OptionsInput {
    type Error = OptionsReason;

    // Read as a map, not a struct: serde-wasm-bindgen reads a struct by asking for its known fields only, so a
    // misspelt option ("maxdepth") would be silently ignored instead of refused.
    fn try_from(map: BTreeMap<String, Loose>) -> Result<Self, OptionsReason> {
        let mut i = OptionsInput::default();
        for (name, value) in map {
            let slot = match name.as_str() {
                "scope" => &mut i.scope,
                "prefix" => &mut i.prefix,
                "include" => &mut i.include,
                "exclude" => &mut i.exclude,
                "maxDepth" => &mut i.max_depth,
                "maxPages" => &mut i.max_pages,
                "maxBytes" => &mut i.max_bytes,
                "maxResourceBytes" => &mut i.max_resource_bytes,
                "externalResources" => &mut i.external_resources,
                "externalPages" => &mut i.external_pages,
                "ignoreRobots" => &mut i.ignore_robots,
                "followLogout" => &mut i.follow_logout,
                "maxConcurrency" => &mut i.max_concurrency,
                "delayMs" => &mut i.delay_ms,
                "timeoutMs" => &mut i.timeout_ms,
                "maxRetries" => &mut i.max_retries,
                "render" => &mut i.render,
                "score" => &mut i.score,
                other => {
                    let name: String = other.chars().take(40).collect();
                    return Err(OptionsReason(format!(
                        "unknown option {name:?} (the options are {})",
                        OPTION_NAMES.join(", ")
                    )));
                }
            };
            *slot = Some(value);
        }
        Ok(i)
    }
}

/// A field that is absent or null takes its default.
fn given(v: Option<Loose>) -> Option<Loose> {
    v.filter(|v| !matches!(v, Loose::Null))
}

fn whole(v: Option<Loose>, name: &str, default: u64) -> Result<u64, OptionsReason> {
    match given(v) {
        None => Ok(default),
        // Below 2^53: every such number is exact in a JS number.
        Some(Loose::Number(n)) if n.fract() == 0.0 && (0.0..9_007_199_254_740_992.0).contains(&n) => Ok(n as u64),
        Some(v) => Err(OptionsReason(format!("{name} must be a whole number ≥ 0, not {}", v.describe()))),
    }
}

fn flag(v: Option<Loose>, name: &str, default: bool) -> Result<bool, OptionsReason> {
    match given(v) {
        None => Ok(default),
        Some(Loose::Bool(b)) => Ok(b),
        Some(v) => Err(OptionsReason(format!("{name} must be true or false, not {}", v.describe()))),
    }
}

fn strings(v: Option<Loose>, name: &str) -> Result<Vec<String>, OptionsReason> {
    match given(v) {
        None => Ok(Vec::new()),
        Some(Loose::List(items)) => items
            .into_iter()
            .enumerate()
            .map(|(i, item)| match item {
                Loose::Text(s) => Ok(s),
                other => Err(OptionsReason(format!("{name}[{i}] must be a string, not {}", other.describe()))),
            })
            .collect(),
        Some(v) => Err(OptionsReason(format!("{name} must be a list of strings, not {}", v.describe()))),
    }
}

impl TryFrom<BTreeMap<String, Loose>> for CrawlOptions {
    type Error = OptionsReason;

    fn try_from(map: BTreeMap<String, Loose>) -> Result<Self, OptionsReason> {
        let i = OptionsInput::try_from(map)?;
        let d = CrawlOptions::default();
        let scope = match given(i.scope) {
            None => d.scope,
            Some(Loose::Text(s)) if s == "origin" => ScopeKind::Origin,
            Some(Loose::Text(s)) if s == "prefix" => ScopeKind::Prefix,
            Some(v) => {
                return Err(OptionsReason(format!("scope must be \"origin\" or \"prefix\", not {}", v.describe())))
            }
        };
        let render = match given(i.render) {
            None => d.render,
            Some(Loose::Text(s)) if s == "never" => RenderMode::Never,
            Some(Loose::Text(s)) if s == "always" => RenderMode::Always,
            Some(Loose::Text(s)) if s == "auto" => RenderMode::Auto,
            Some(v) => {
                return Err(OptionsReason(format!(
                    "render must be \"never\", \"always\" or \"auto\", not {}",
                    v.describe()
                )))
            }
        };
        let score = match given(i.score) {
            None => d.score,
            Some(Loose::Text(s)) if s == "every" => ScoreMode::Every,
            Some(Loose::Text(s)) if s == "sample" => ScoreMode::Sample,
            Some(Loose::Text(s)) if s == "never" => ScoreMode::Never,
            Some(v) => {
                return Err(OptionsReason(format!(
                    "score must be \"every\", \"sample\" or \"never\", not {}",
                    v.describe()
                )))
            }
        };
        let prefix = match given(i.prefix) {
            None => None,
            Some(Loose::Text(s)) if s.is_empty() => None,
            Some(Loose::Text(s)) => Some(s),
            Some(v) => return Err(OptionsReason(format!("prefix must be a URL, not {}", v.describe()))),
        };
        let o = CrawlOptions {
            scope,
            prefix,
            include: strings(i.include, "include")?,
            exclude: strings(i.exclude, "exclude")?,
            max_depth: whole(i.max_depth, "maxDepth", d.max_depth)?,
            max_pages: whole(i.max_pages, "maxPages", d.max_pages)?,
            max_bytes: whole(i.max_bytes, "maxBytes", d.max_bytes)?,
            max_resource_bytes: whole(i.max_resource_bytes, "maxResourceBytes", d.max_resource_bytes)?,
            external_resources: flag(i.external_resources, "externalResources", d.external_resources)?,
            external_pages: flag(i.external_pages, "externalPages", d.external_pages)?,
            ignore_robots: flag(i.ignore_robots, "ignoreRobots", d.ignore_robots)?,
            follow_logout: flag(i.follow_logout, "followLogout", d.follow_logout)?,
            max_concurrency: whole(i.max_concurrency, "maxConcurrency", d.max_concurrency)?,
            delay_ms: whole(i.delay_ms, "delayMs", d.delay_ms)?,
            timeout_ms: whole(i.timeout_ms, "timeoutMs", d.timeout_ms)?,
            max_retries: whole(i.max_retries, "maxRetries", d.max_retries)?,
            render,
            score,
        };
        o.check().map_err(|e| match e {
            CrawlError::InvalidConfig { reason } => OptionsReason(reason),
            other => OptionsReason(other.to_string()),
        })?;
        Ok(o)
    }
}
