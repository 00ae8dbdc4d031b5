//! The crawl policy of "Mirror this site": every decision of a whole-site crawl, as plain Rust that is tested
//! natively. The JS scheduler (extension/crawl.js) owns the event loop — it fetches, stores and persists the
//! frontier — and asks a [`CrawlPolicy`] which found URLs to queue and why others are skipped ([`admit`]), what
//! robots.txt and sitemaps say, when a host may be asked again ([`slot`]) and what a finished request means
//! ([`finished`]).
//!
//! Nothing here reads a clock: time comes in as milliseconds since the epoch, so every decision is reproducible.
//! What a crawl has admitted lives in memory; after the worker is stopped, [`seed`] rebuilds it from the persisted
//! frontier, so a resumed crawl admits nothing twice and its limits hold across the restart.
//!
//! [`admit`]: CrawlPolicy::admit
//! [`slot`]: CrawlPolicy::slot
//! [`finished`]: CrawlPolicy::finished
//! [`seed`]: CrawlPolicy::seed

mod config;
pub(crate) mod dates;
pub mod driver;
pub mod fidelity;
mod pacer;
pub mod reason;
pub mod render;
mod robots;
mod scope;
mod sitemap;
mod traps;

pub use config::{
    CrawlOptions, OptionsReason, RenderMode, ScopeKind, ScoreMode, DEFAULT_MAX_BYTES, DEFAULT_MAX_CONCURRENCY,
    DEFAULT_MAX_DEPTH, DEFAULT_MAX_PAGES, DEFAULT_MAX_RESOURCE_BYTES, DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT_MS,
    OPTION_NAMES,
};
pub use driver::{Driver, Step};
pub use pacer::{
    Action, Decision, FetchError, FetchResult, BACKOFF_MS, FAST_RESPONSE_MS, INITIAL_CONCURRENCY, MAX_PAUSE_MS,
};
pub use robots::{Robots, RobotsInfo, MAX_CRAWL_DELAY_MS, MAX_ROBOTS_BYTES, PRODUCT_TOKEN};
pub use sitemap::{SitemapLinks, MAX_SITEMAP_URLS};
pub use traps::{MAX_CALENDAR_RUN, MAX_QUERIES_PER_PATH, MAX_SEGMENTS, MAX_SEGMENT_REPEATS, MAX_YEARS_AHEAD, MIN_YEAR};

use crate::error::CrawlError;
use crate::net::{self, AddressSpace, RequestPlan};
use crate::store::{FrontierEntry, UrlState};
use crate::url::{self, canonical_key, is_mirrorable, Url};
use ::url::Position;
use pacer::Pacer;
use reason::{
    reason, EXCLUDED, LOGOUT, MAX_DEPTH, MAX_PAGES, OUT_OF_SCOPE, PRIVATE_ADDRESS, STATE_CHANGING, URL_TOO_LONG,
};
use scope::{is_logout, is_state_changing, looks_static, wildcard, CrawlScope};
use serde::Deserialize;
use std::collections::HashSet;
use traps::QueryCounter;

/// Longest URL crawled (`crawl/url-too-long` beyond).
pub const MAX_URL_LEN: usize = 2048;
/// Longer "URLs" are dropped without an entry: no report needs a megabyte of hostile text in the store.
pub const MAX_RECORDED_URL_LEN: usize = 64 * 1024;
/// Most sitemaps one crawl reads (an index listing indexes listing indexes ends here).
pub const MAX_SITEMAPS: usize = 1000;

/// The page or stylesheet links were found in.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Parent {
    pub url: String,
    pub depth: u32,
    #[serde(default)]
    pub run: u32,
}

/// A found link: a page (its links are followed) or a resource (fetched, not followed).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Link {
    pub url: String,
    pub page: bool,
}

impl Link {
    pub fn page(url: impl Into<String>) -> Self {
        Link { url: url.into(), page: true }
    }

    pub fn resource(url: impl Into<String>) -> Self {
        Link { url: url.into(), page: false }
    }
}

/// The policy of one crawl of one site.
#[derive(Debug)]
pub struct CrawlPolicy {
    options: CrawlOptions,
    site: String,
    /// The start URL, parsed: whose origin gets the user's cookies.
    start: Url,
    /// The address space the site itself was found in (public until the host measures it).
    site_space: AddressSpace,
    /// The start URL's `host[:port]`, as JS `URL.host` spells it: the host robots.txt paces.
    host: String,
    scope: CrawlScope,
    robots: Option<Robots>,
    /// Every URL that has an entry (queued, fetched or skipped).
    known: HashSet<String>,
    /// Pages admitted as queued, this run and (after `seed`) before.
    pages: u64,
    queries: QueryCounter,
    sitemaps: HashSet<String>,
    bytes: u64,
    pacer: Pacer,
}

/// `host[:port]` of a URL (the port only when not the scheme's default), like JS `URL.host`.
pub fn host_of(url: &Url) -> &str {
    &url[Position::BeforeHost..Position::AfterPort]
}

impl CrawlPolicy {
    /// A crawl of the site of `start` (its origin), checking `options` (`crawl/invalid-config`).
    pub fn new(start: &str, mut options: CrawlOptions) -> Result<Self, CrawlError> {
        let start = url::parse(start)?;
        if !is_mirrorable(&start) {
            return Err(crate::error::UrlError::NotMirrorable { url: start.to_string() }.into());
        }
        options.check()?;
        let scope = CrawlScope::new(&start, &mut options)?;
        let pacer = Pacer::new(
            options.max_concurrency as u32,
            options.delay_ms,
            options.max_retries as u32,
            options.max_resource_bytes,
        );
        Ok(CrawlPolicy {
            site: format!("{}/", start.origin().ascii_serialization()),
            host: host_of(&start).to_owned(),
            start: start.clone(),
            site_space: AddressSpace::Public,
            scope,
            options,
            robots: None,
            known: HashSet::new(),
            pages: 0,
            queries: QueryCounter::default(),
            sitemaps: HashSet::new(),
            bytes: 0,
            pacer,
        })
    }

    /// The complete options, defaults and the prefix filled in.
    pub fn options(&self) -> &CrawlOptions {
        &self.options
    }

    /// The site id: the start URL's origin and `/`.
    pub fn site(&self) -> &str {
        &self.site
    }

    /// The address space the site's own origin was found in (measured by the host with `targetAddressSpace`
    /// probes). Until told, the site counts as public: no private address is requested for it.
    pub fn set_site_space(&mut self, space: AddressSpace) {
        self.site_space = space;
    }

    /// How to fetch `url` for this crawl — with the user's cookies only on the site's own origin, and only into
    /// the address space the request may reach (see `net`) — or why it may not be fetched at all
    /// (`crawl/private-address: …`).
    pub fn request(&self, url: &str) -> Result<RequestPlan, String> {
        let url = Url::parse(url).map_err(|e| reason(reason::NETWORK, format_args!("not a URL ({e})")))?;
        if let Some(why) = net::refusal(&self.start, self.site_space, &url) {
            return Err(reason(PRIVATE_ADDRESS, why));
        }
        Ok(net::plan(&self.start, self.site_space, &url))
    }

    /// Takes in robots.txt (body and HTTP status; 0 = the request failed). Its rules apply to URLs on the site's
    /// origin admitted from now on (unless `ignoreRobots`); its Crawl-delay paces the site's host.
    pub fn robots(&mut self, text: &str, status: u16) -> RobotsInfo {
        let (robots, info) = Robots::parse(text, status);
        self.robots = Some(robots);
        // "Ignore robots.txt" ignores all of it; `delayMs` still paces every host.
        if !self.options.ignore_robots {
            self.pacer.set_crawl_delay(&self.host, info.crawl_delay_ms);
        }
        self.sitemaps.extend(info.sitemaps.iter().cloned());
        info
    }

    /// Marks persisted frontier entries as known and recounts the pages and query strings they admitted, so a
    /// resumed crawl neither admits a URL twice nor exceeds its limits.
    pub fn seed(&mut self, entries: &[FrontierEntry]) {
        for e in entries {
            if !self.known.insert(e.url.clone()) {
                continue;
            }
            if e.page && e.state != UrlState::Skipped {
                self.pages += 1;
                if let Ok(u) = Url::parse(&e.url) {
                    self.queries.count(&u);
                }
            }
        }
    }

    /// The new frontier entries for links found in `parent` (`None` for the start URL): each URL once per crawl,
    /// `queued` or `skipped` with a reason. Links that are not http(s) URLs are dropped.
    pub fn admit(&mut self, parent: Option<&Parent>, links: &[Link], now: u64) -> Vec<FrontierEntry> {
        let parent_url = parent.and_then(|p| Url::parse(&p.url).ok());
        let parent_shape = parent_url.as_ref().map(|u| traps::shape(&canonical_key(u)));
        // Out-of-scope pages are followed one hop at most (`externalPages`): not from a page that is itself out.
        let parent_in_scope = parent_url.as_ref().is_none_or(|u| self.scope.contains(u));
        let mut out = Vec::new();
        for link in links {
            if link.url.len() > MAX_RECORDED_URL_LEN {
                continue;
            }
            let Ok(mut url) = Url::parse(&link.url) else { continue };
            if !is_mirrorable(&url) {
                continue;
            }
            // `user:password@` is a secret, not part of the page's address (and fetch() refuses such URLs).
            let _ = url.set_username("");
            let _ = url.set_password(None);
            let key = canonical_key(&url);
            if self.known.contains(&key) {
                continue;
            }
            let depth = match parent {
                None => 0,
                Some(p) if link.page => p.depth.saturating_add(1),
                // A resource belongs to the page that uses it: a page at the depth limit still gets its images.
                Some(p) => p.depth,
            };
            let run = match (parent, &parent_shape) {
                (Some(p), Some(shape)) if *shape == traps::shape(&key) => p.run.saturating_add(1),
                _ => 0,
            };
            let skip = self.judge(&url, &key, link.page, depth, run, parent_in_scope, now);
            if skip.is_none() && link.page {
                self.pages += 1;
                self.queries.count(&url);
            }
            self.known.insert(key.clone());
            out.push(FrontierEntry {
                site: self.site.clone(),
                url: key,
                depth,
                page: link.page,
                state: if skip.is_none() { UrlState::Queued } else { UrlState::Skipped },
                reason: skip,
                updated: now,
                run,
                render: false,
            });
        }
        out
    }

    /// Why a new URL is skipped, checks in the documented order; `None` to queue it.
    #[allow(clippy::too_many_arguments)]
    fn judge(
        &self,
        url: &Url,
        key: &str,
        page: bool,
        depth: u32,
        run: u32,
        parent_in_scope: bool,
        now: u64,
    ) -> Option<String> {
        let o = &self.options;
        if key.len() > MAX_URL_LEN {
            return Some(reason(
                URL_TOO_LONG,
                format_args!("{} characters; at most {MAX_URL_LEN} are crawled", key.len()),
            ));
        }
        if page && !self.scope.contains(url) && !(o.external_pages && parent_in_scope) {
            let what = if o.prefix.is_some() { "outside the crawl's prefix" } else { "a page of another site" };
            return Some(reason(OUT_OF_SCOPE, what));
        }
        if !page && !self.scope.same_host(url) && !o.external_resources {
            return Some(reason(OUT_OF_SCOPE, "a resource from another host (externalResources is off)"));
        }
        if let Some(why) = net::refusal(&self.start, self.site_space, url) {
            return Some(reason(PRIVATE_ADDRESS, why));
        }
        if let Some(p) = o.exclude.iter().find(|p| wildcard(p, key)) {
            return Some(reason(EXCLUDED, format_args!("matches the exclude pattern {p:?}")));
        }
        // Include patterns choose pages; the resources those pages use come with them.
        if page && !o.include.is_empty() && !o.include.iter().any(|p| wildcard(p, key)) {
            return Some(reason(EXCLUDED, "matches no include pattern"));
        }
        // Resources too (an <img src="/item/1/delete"> is a GET with the user's cookies like any link), unless
        // the name is a static file's (`/img/logout.png` is an icon).
        let checked = page || !looks_static(url);
        if checked && !o.follow_logout && is_logout(url) {
            return Some(reason(LOGOUT, "looks like a logout link (followLogout is off)"));
        }
        if checked && !o.follow_logout && is_state_changing(url) {
            return Some(reason(STATE_CHANGING, "looks like it changes something on the site (followLogout is off)"));
        }
        if let (false, true, Some(robots)) = (o.ignore_robots, self.scope.same_origin(url), &self.robots) {
            if let Some(why) = robots.check(&url[Position::BeforePath..Position::AfterQuery]) {
                return Some(why);
            }
        }
        if let Some(why) = traps::repetition(url) {
            return Some(why);
        }
        if page {
            if let Some(why) = traps::calendar(url, run, now).or_else(|| self.queries.check(url)) {
                return Some(why);
            }
            if u64::from(depth) > o.max_depth {
                return Some(reason(
                    MAX_DEPTH,
                    format_args!("{depth} links from the start page; maxDepth is {}", o.max_depth),
                ));
            }
            if self.pages >= o.max_pages {
                return Some(reason(MAX_PAGES, format_args!("the crawl has its {} pages (maxPages)", o.max_pages)));
            }
        }
        None
    }

    /// The URLs a sitemap (or sitemap index) at `url` lists. Sitemaps this crawl already knows (from robots.txt
    /// or an earlier index) are not returned again, so index loops end; at most [`MAX_SITEMAPS`] per crawl.
    pub fn sitemap(&mut self, body: &[u8], url: &str) -> SitemapLinks {
        let mut links = sitemap::parse(body);
        if let Ok(u) = Url::parse(url) {
            self.sitemaps.insert(canonical_key(&u));
        }
        let seen = &mut self.sitemaps;
        links.sitemaps.retain(|s| seen.len() < MAX_SITEMAPS && seen.insert(s.clone()));
        links
    }

    /// 0 when a request to `host` may start at `now`; > 0: ms to wait (pause, delay); -1: at its concurrency limit.
    pub fn slot(&self, host: &str, now: u64) -> i64 {
        self.pacer.slot(host, now)
    }

    /// A request to `host` started.
    pub fn started(&mut self, host: &str, now: u64) {
        self.pacer.started(host, now)
    }

    /// A request to `host` ended: what to do with it, and the host's pace adjusted.
    pub fn finished(&mut self, host: &str, result: &FetchResult) -> Decision {
        self.pacer.finished(host, result)
    }

    /// Counts downloaded bytes; `false` once the crawl is past `maxBytes`.
    pub fn add_bytes(&mut self, n: u64) -> bool {
        self.bytes = self.bytes.saturating_add(n);
        self.bytes <= self.options.max_bytes
    }

    /// The concurrency limit of a host now.
    pub fn concurrency(&self, host: &str) -> u32 {
        self.pacer.concurrency(host)
    }
}
