//! What the store holds, and the decisions made over it (which version, which pages, how much space).

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};

/// A site the user mirrors.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Site {
    /// The site's key: its origin plus path scope, e.g. `https://example.com/`.
    pub id: String,
    pub start_url: String,
    /// Milliseconds since the Unix epoch.
    pub created: u64,
    pub updated: u64,
    /// Per-site settings (crawl limits, fallback triggers…), owned by the layers that use them.
    #[serde(default)]
    pub settings: BTreeMap<String, String>,
}

/// How faithfully a page's replay shows the page as it rendered live when it was captured (`crawl::fidelity`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Fidelity {
    /// The first viewport, live vs replay: the share of sampled points that show the same thing, 0–1.
    pub viewport_match: f64,
    /// The visible text, live vs replay (word multisets, Sørensen–Dice), 0–1.
    pub text_match: f64,
    /// The stylesheets, images and web fonts the replay uses, and how many of those failed to load.
    pub resources: u32,
    pub missing: u32,
    /// When it was scored, milliseconds since the Unix epoch.
    pub at: u64,
}

impl Fidelity {
    /// One number to rank pages by: the lower of the two matches (a page is as faithful as its worst aspect).
    pub fn overall(&self) -> f64 {
        self.viewport_match.min(self.text_match)
    }
}

/// One stored version of one URL.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Capture {
    pub id: u64,
    pub site: String,
    /// Canonical URL key (see `url::canonical_key`).
    pub url: String,
    /// When it was captured, milliseconds since the Unix epoch.
    pub at: u64,
    pub status: u16,
    /// Response headers that matter for replay and refresh (lower-case names).
    pub headers: Vec<(String, String)>,
    /// SHA-256 of the body, hex.
    pub digest: String,
    pub size: u64,
    /// What made it: `visit` (capture as you browse), `dom` (a visit's rendered copy, under `<url>#rendered`), a
    /// crawl id (`crawl-…`), or `import:<file name>` (an imported archive; `import` before file names were kept).
    pub source: String,
    /// This version's fidelity score, once a rendering crawl compared its replay with the live page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fidelity: Option<Fidelity>,
}

/// The source of imported captures: `import:<file name>`.
const IMPORT: &str = "import";

impl Capture {
    /// Whether it came from an imported archive rather than from the user's own browsing or crawling: archives are
    /// attacker text, never preferred to what the user captured.
    pub fn is_imported(&self) -> bool {
        self.source == IMPORT || self.source.strip_prefix(IMPORT).is_some_and(|rest| rest.starts_with(':'))
    }

    /// Whether it is an HTML document (by its stored Content-Type).
    pub fn is_html(&self) -> bool {
        matches!(self.mime_type().as_deref(), Some("text/html" | "application/xhtml+xml"))
    }

    /// The first value of a header (names are stored lower-case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// 4xx and 5xx are recorded but never become "latest" over a good version.
    pub fn is_good(&self) -> bool {
        self.status < 400
    }

    /// For a redirect, the absolute canonical URL it points to.
    pub fn redirect_target(&self) -> Option<String> {
        if !(300..400).contains(&self.status) || self.status == 304 {
            return None;
        }
        let base = url::Url::parse(&self.url).ok()?;
        let target = base.join(self.header("location")?.trim()).ok()?;
        crate::url::is_mirrorable(&target).then(|| crate::url::canonical_key(&target))
    }

    /// The MIME type without parameters, lower-case.
    pub fn mime_type(&self) -> Option<String> {
        let ct = self.header("content-type")?;
        Some(ct.split(';').next().unwrap_or("").trim().to_ascii_lowercase())
    }

    /// Validators for a conditional refresh: (ETag, Last-Modified).
    pub fn validators(&self) -> (Option<&str>, Option<&str>) {
        (self.header("etag"), self.header("last-modified"))
    }
}

/// A capture to store.
#[derive(Debug, Clone, PartialEq)]
pub struct NewCapture {
    pub site: String,
    pub url: String,
    pub at: u64,
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: NewBody,
    pub source: String,
}

/// The body of a new capture.
#[derive(Debug, Clone, PartialEq)]
pub enum NewBody {
    /// The response body.
    Bytes(Vec<u8>),
    /// A 304 Not Modified: the body is the one already stored under this digest (a new version, no new bytes).
    Unchanged { digest: String },
    /// A body the browser holds (a `Uint8Array` or a `Blob`): stored as it is, never copied into wasm memory
    /// (which never shrinks); its digest is computed by the browser (see `IdbStore::browser_digest`).
    #[cfg(target_arch = "wasm32")]
    Browser { body: wasm_bindgen::JsValue, digest: String, size: u64 },
}

impl NewBody {
    /// Bytes of a body given here (`None` for an unchanged one: its bytes are already stored).
    pub fn size(&self) -> Option<u64> {
        match self {
            NewBody::Bytes(b) => Some(b.len() as u64),
            #[cfg(target_arch = "wasm32")]
            NewBody::Browser { size, .. } => Some(*size),
            NewBody::Unchanged { .. } => None,
        }
    }
}

/// Which version a lookup wants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    /// The newest good version of the user's own (visits and crawls); imported versions only when the URL has no
    /// other kind. Among them, the newest of any status when none is good.
    Latest,
    /// Exactly the capture made at this time.
    Exact(u64),
    /// The good version closest in time, of any source (any status when none is good); ties go to the user's own,
    /// then to the newer one.
    Closest(u64),
}

/// Space a site uses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Usage {
    pub captures: u64,
    /// Bytes of the distinct bodies its captures use (a body shared with another site counts for both).
    pub bytes: u64,
}

/// Everything a store holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Totals {
    pub captures: u64,
    pub payloads: u64,
    /// Bytes of all stored bodies (each distinct body once).
    pub bytes: u64,
}

/// SHA-256 of a body, lower-case hex: the payload's key.
pub fn digest_of(body: &[u8]) -> String {
    use sha2::Digest;
    to_hex(&sha2::Sha256::digest(body))
}

/// Lower-case hex of bytes: how every digest is written (store keys, WARC/WACZ fields). One function, not a crate:
/// the `hex` crate would add a dependency for these four lines.
pub fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 15)] as char);
    }
    out
}

/// Picks a version from the captures of one URL (any order).
///
/// By default ([`When::Latest`]) the user's own captures win over imported ones whatever their dates: an archive is
/// attacker text, and its WARC-Date is whatever it says, so it must not override what the user captured. An
/// imported version is served when the URL has no other kind, or when it is asked for by its time (the viewer's
/// version list, a mirror URL pinned to a time).
pub(crate) fn choose(all: &[Capture], when: When) -> Option<&Capture> {
    use std::cmp::Reverse;
    let kind: Vec<&Capture> = match when {
        When::Latest if all.iter().any(|c| !c.is_imported()) => all.iter().filter(|c| !c.is_imported()).collect(),
        _ => all.iter().collect(),
    };
    let good: Vec<&Capture> = kind.iter().copied().filter(|c| c.is_good()).collect();
    let pool: Vec<&Capture> = if good.is_empty() { kind } else { good };
    match when {
        When::Latest => pool.into_iter().max_by_key(|c| (c.at, c.id)),
        When::Exact(t) => all.iter().filter(|c| c.at == t).max_by_key(|c| (!c.is_imported(), c.id)),
        When::Closest(t) => pool.into_iter().min_by_key(|c| (c.at.abs_diff(t), c.is_imported(), Reverse((c.at, c.id)))),
    }
}

/// What replay serves for the document `doc` when a rendered copy may replace it (see `capture.js`: a visited
/// page's DOM as its scripts left it, stored under `<url>#rendered`): the copy made with this very document, under
/// the document's URL; else the document itself. `versions` are every capture of the document's URL, `copies`
/// every capture of its `#rendered` key.
///
/// A copy goes with a document when the same source made both (a visit's copy is stored as `dom`; an imported
/// page's copy comes from the same file), at the document's time or after it, and before the document's next
/// version: an older copy would show an outdated page, a newer one another version, and one from another source a
/// page that was never served with this document (an archive could plant one next to a crawled page).
pub(crate) fn with_rendered(doc: Capture, versions: &[Capture], copies: &[Capture]) -> Capture {
    if !doc.is_html() || !doc.is_good() {
        return doc;
    }
    let next = versions.iter().map(|v| v.at).filter(|&at| at > doc.at).min();
    let made_with = |c: &&Capture| {
        let same_source = c.source == doc.source || (doc.source == "visit" && c.source == "dom");
        same_source && c.is_good() && c.at >= doc.at && next.is_none_or(|n| c.at < n)
    };
    match copies.iter().filter(made_with).min_by_key(|c| (c.at, std::cmp::Reverse(c.id))) {
        Some(copy) => Capture { url: doc.url, ..copy.clone() },
        None => doc,
    }
}

/// The pages of a site: URLs with an HTML capture of good status, each with its latest good capture (the user's own
/// before imported ones, as [`When::Latest`] chooses).
pub(crate) fn pages(captures: Vec<Capture>) -> Vec<Capture> {
    let mut latest: BTreeMap<String, Capture> = BTreeMap::new();
    for c in captures {
        // Keys with a fragment are not URLs of the site but companions of one (a page's rendered DOM is kept
        // under `<url>#rendered`): they are not pages of their own.
        if c.url.contains('#') {
            continue;
        }
        if !c.is_html() || !c.is_good() || (300..400).contains(&c.status) {
            continue;
        }
        match latest.get(&c.url) {
            Some(old) if (!old.is_imported(), old.at, old.id) >= (!c.is_imported(), c.at, c.id) => {}
            _ => {
                latest.insert(c.url.clone(), c);
            }
        }
    }
    latest.into_values().collect()
}

pub(crate) fn usage(captures: &[Capture]) -> Usage {
    let mut seen = HashSet::new();
    let bytes = captures.iter().filter(|c| seen.insert(c.digest.as_str())).map(|c| c.size).sum();
    Usage { captures: captures.len() as u64, bytes }
}

/// Where a URL of a crawl stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UrlState {
    /// Found, not fetched yet.
    Queued,
    /// Fetched and stored.
    Done,
    /// Fetching failed (the reason says why).
    Failed,
    /// Deliberately not fetched: out of scope, robots.txt, a trap, a limit (the reason says which).
    Skipped,
}

/// One URL of a site's crawl frontier: persisted, so a crawl resumes where it was when its worker was stopped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FrontierEntry {
    pub site: String,
    /// Canonical URL key.
    pub url: String,
    /// Links followed from the start page to reach it.
    pub depth: u32,
    /// A page (links followed) or a resource (fetched, not followed).
    pub page: bool,
    pub state: UrlState,
    /// Why it failed or was skipped, with a stable code first (e.g. `crawl/robots: disallowed by robots.txt`).
    #[serde(default)]
    pub reason: Option<String>,
    /// Last change, milliseconds since the Unix epoch.
    pub updated: u64,
    /// How many links in a row between URLs of the same shape led here (the crawl's trap detection; 0 for a seed).
    #[serde(default)]
    pub run: u32,
    /// A page stored as fetched whose render (crawl option `render`) is still to come: a crawl resumed after its
    /// worker was stopped renders it then, so a stop loses no render.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub render: bool,
}

/// A state change for a frontier URL, written in the same transaction as the captures it goes with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settle {
    pub site: String,
    pub url: String,
    pub state: UrlState,
    pub reason: Option<String>,
    pub at: u64,
    /// Its render is still to come ([`FrontierEntry::render`]).
    pub render: bool,
}

/// How many URLs of a crawl are in each state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FrontierCounts {
    pub queued: u64,
    pub done: u64,
    pub failed: u64,
    pub skipped: u64,
}

pub(crate) fn counts(entries: &[FrontierEntry]) -> FrontierCounts {
    let mut c = FrontierCounts::default();
    for e in entries {
        match e.state {
            UrlState::Queued => c.queued += 1,
            UrlState::Done => c.done += 1,
            UrlState::Failed => c.failed += 1,
            UrlState::Skipped => c.skipped += 1,
        }
    }
    c
}

/// What a prune removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Pruned {
    /// Captures deleted.
    pub captures: u64,
    /// Bytes of bodies freed.
    pub bytes: u64,
}

/// Which captures of a site to delete so that `total` stored bytes come down to `budget`: first the old versions
/// (every capture but the one [`When::Latest`] serves for its URL), oldest first; then, if that is not enough,
/// whole URLs, the least recently captured first. A body counts as freed when no remaining capture of the site
/// uses it (one shared with another site is not freed, so the plan errs on deleting more, never less than asked).
pub(crate) fn prune_plan(captures: &[Capture], total: u64, budget: u64) -> Vec<u64> {
    let mut refs: BTreeMap<&str, (u64, u64)> = BTreeMap::new(); // digest -> (uses, size)
    let mut by_url: BTreeMap<&str, Vec<&Capture>> = BTreeMap::new();
    for c in captures {
        refs.entry(c.digest.as_str()).or_insert((0, c.size)).0 += 1;
        by_url.entry(c.url.as_str()).or_default().push(c);
    }
    let mut kept = HashSet::new();
    let mut old = Vec::new();
    let mut urls = Vec::new(); // (latest capture time, the URL's remaining captures)
    for list in by_url.values() {
        let owned: Vec<Capture> = list.iter().map(|c| (*c).clone()).collect();
        let latest = choose(&owned, When::Latest).map(|c| c.id);
        kept.extend(latest);
        old.extend(list.iter().filter(|c| Some(c.id) != latest).copied());
        let newest = list.iter().map(|c| c.at).max().unwrap_or(0);
        urls.push((newest, list.iter().filter(|c| Some(c.id) == latest).copied().collect::<Vec<_>>()));
    }
    old.sort_by_key(|c| (c.at, c.id));
    urls.sort_by_key(|(at, list)| (*at, list.first().map(|c| c.id)));
    let mut used = total;
    let mut doomed = Vec::new();
    let order = old.into_iter().chain(urls.into_iter().flat_map(|(_, list)| list));
    for c in order {
        if used <= budget {
            break;
        }
        doomed.push(c.id);
        if let Some(entry) = refs.get_mut(c.digest.as_str()) {
            entry.0 -= 1;
            if entry.0 == 0 {
                used = used.saturating_sub(entry.1);
            }
        }
    }
    doomed
}
