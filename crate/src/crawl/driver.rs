//! The crawl driver: one whole-site crawl as a state machine, shared by the extension's "Mirror this site"
//! (extension/crawl.js) and the site worker's precache (worker/sw.js). It owns the queue and its order, seeding
//! (robots.txt, then the sitemaps, then the start URL), per-host pacing and retries (through [`CrawlPolicy`]),
//! redirect chains and their loops, conditional refreshes and 304 merging, the byte budget, batching of writes and
//! the progress counts. The host keeps what only it can do — `fetch()`, timers, the store, gunzipping a sitemap —
//! and runs this loop:
//!
//! ```text
//! loop { match driver.next(now) {
//!     Step::Fetch(task)  => fetch task.url; driver.on_response(task.id, response, now)   (any order, concurrently)
//!     Step::Read{..}     => read a stored body;  driver.on_stored(id, bytes, now)
//!     Step::Render{..}   => load the page where its scripts run; driver.on_rendered(id, dom, now)  (concurrently)
//!     Step::Write(batch) => store.record(batch) in one transaction; driver.written()
//!     Step::Wait{ms}     => sleep ms (None: until a response or a write ends)
//!     Step::Done         => the crawl is over; everything it found is written
//! } }
//! ```
//!
//! Crash safety: the frontier lives in the store, and a URL's capture, its links and its new state travel in one
//! batch. What a stopped worker loses is what was fetched but not yet written, and that is bounded: while one batch
//! is being written, fetches go on only until the next batch is full ([`BATCH_CAPTURES`], [`BATCH_BYTES`],
//! [`BATCH_FOUND`]). A restarted host builds a new driver and [`begin`](Driver::begin)s it from the frontier.
//!
//! Nothing here reads a clock or does I/O: `now` comes in as milliseconds since the epoch, so every run is
//! reproducible and tested natively (tests/native/driver.rs).

use super::fidelity::{Measure, ScorePlan};
use super::reason::{reason, BAD_SITEMAP, MAX_BYTES, REDIRECT_LOOP};
use super::render::{RenderPlan, Signal};
use super::{host_of, Action, CrawlPolicy, FetchError, FetchResult, Link, Parent};
use crate::http::kept_headers;
use crate::mime::{self, Treatment, SNIFF_BYTES};
use crate::net::RequestPlan;
use crate::store::{FrontierEntry, UrlState, RENDERED};
use crate::url::{canonical_key, is_mirrorable, Url};
use serde::Serialize;
use std::collections::{HashMap, HashSet, VecDeque};

/// A batch is written once it holds this many captures…
pub const BATCH_CAPTURES: usize = 48;
/// …or this many body bytes…
pub const BATCH_BYTES: u64 = 8 << 20;
/// …or this many new frontier entries (a page with thousands of links is one big write)…
pub const BATCH_FOUND: usize = 4096;
/// …or this long after its first item.
pub const BATCH_MS: u64 = 150;
/// Requests in flight across all hosts (per-host limits are the policy's).
pub const MAX_IN_FLIGHT: usize = 24;
/// Pages being rendered at once: each is a browsing context running the site's scripts, far heavier than a fetch,
/// but most of a render is waiting for the page's own requests and for it to go quiet.
pub const MAX_RENDERS: usize = 4;
/// Replays being measured for their fidelity score at once (`Step::Score`).
pub const MAX_SCORES: usize = 2;
/// How far into the queue the scheduler looks for a host that may start a request now.
const SCAN: usize = 64;
/// Redirects followed in a row before the chain counts as a loop.
pub const MAX_REDIRECTS: usize = 10;
/// The sitemaps.org limit on one sitemap, uncompressed (the host stops gunzipping there too).
pub const MAX_SITEMAP_BYTES: u64 = 50 * 1024 * 1024;
/// How the host's `fetch()` handles redirects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Redirects {
    /// `redirect: 'manual'`: each hop comes back as [`Response::hop`] and is stored as a 3xx capture (the
    /// extension sees hops through `webRequest`).
    Manual,
    /// `redirect: 'follow'`: the response of the final URL comes back with [`Response::url`] (the site worker).
    Follow,
}

/// Who runs the crawl.
#[derive(Debug, Clone)]
pub struct Host {
    /// The captures' `source`: the crawl's id (`crawl-…`) or `precache`.
    pub source: String,
    /// Send the stored version's validators (an update: unchanged content costs a 304).
    pub conditional: bool,
    pub redirects: Redirects,
    /// Send the user's cookies to the site's own origin (the policy's plan); `false`: never (the site worker
    /// precaches the page anyone gets).
    pub cookies: bool,
}

/// What a request is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Purpose {
    Robots,
    Sitemap,
    Page,
    Resource,
}

/// A request for the host to make.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FetchTask {
    pub id: u64,
    pub url: String,
    pub purpose: Purpose,
    /// For `fetch()`: `credentials` and `targetAddressSpace` (the policy's plan).
    pub credentials: &'static str,
    pub target_address_space: &'static str,
    pub redirect: Redirects,
    pub timeout_ms: u64,
    /// The host stops reading past this and reports [`FetchError::TooLarge`].
    pub max_bytes: u64,
    /// Look up the stored version and pass it to [`Driver::conditional`] before fetching.
    pub conditional: bool,
}

/// A capture to store. Its body is the response of fetch `response` (the host holds it), the stored body
/// `unchanged` (a 304), or empty when both are `None` (a redirect).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CaptureOut {
    pub site: String,
    pub url: String,
    pub at: u64,
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub source: String,
    pub response: Option<u64>,
    pub unchanged: Option<String>,
}

/// A frontier URL's new state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SettleOut {
    pub site: String,
    pub url: String,
    pub state: UrlState,
    pub reason: Option<String>,
    pub at: u64,
    /// Its render is still to come (`FrontierEntry::render`): set as a page's render is queued, cleared as it ends.
    pub render: bool,
}

/// One write: captures, new frontier entries and state changes, in one transaction (`Store::record`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Batch {
    pub captures: Vec<CaptureOut>,
    pub settle: Vec<SettleOut>,
    pub found: Vec<FrontierEntry>,
    /// Seeding (robots.txt, sitemaps, the start URL) is complete once this batch is written.
    pub seeded: bool,
    /// Body bytes of the batch's captures.
    pub bytes: u64,
}

impl Batch {
    fn is_empty(&self) -> bool {
        self.captures.is_empty() && self.settle.is_empty() && self.found.is_empty() && !self.seeded
    }

    /// Written at once: full, or the end of seeding (a stop after it doesn't seed again).
    fn is_full(&self) -> bool {
        self.seeded
            || self.captures.len() >= BATCH_CAPTURES
            || self.bytes >= BATCH_BYTES
            || self.found.len() >= BATCH_FOUND
    }
}

/// What the host does next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Step {
    Fetch(FetchTask),
    /// Read the stored body `digest` and pass it to [`Driver::on_stored`] (the links of a 304).
    Read {
        id: u64,
        digest: String,
    },
    Write(Batch),
    /// Load the page `url` where the site's scripts run (the site's own origin, never the host's) and pass the
    /// DOM they leave, with the URLs the page loaded, to [`Driver::on_rendered`].
    Render {
        id: u64,
        url: String,
    },
    /// Measure the replay of the rendered page `url` (its rendered copy is stored) as its render measured it live
    /// (`live`), store the score (`crawl::fidelity::score`, `Store::score`) and call [`Driver::on_scored`].
    Score {
        id: u64,
        url: String,
        live: Measure,
    },
    /// Nothing to do for `ms` (`None`: until a response arrives or the write in progress ends).
    Wait {
        ms: Option<u64>,
    },
    Done,
}

/// A redirect hop, as `webRequest.onBeforeRedirect` reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hop {
    pub status: u16,
    pub location: String,
}

/// How a fetch ended, as the host saw it.
#[derive(Debug, Clone, Default)]
pub struct Response<'a> {
    /// No response: why (`Aborted` when the host itself cancelled it).
    pub error: Option<FetchError>,
    pub status: u16,
    /// Every response header (names in any case).
    pub headers: Vec<(String, String)>,
    /// The final URL after followed redirects ([`Redirects::Follow`]), when it differs.
    pub url: Option<String>,
    /// The redirect this request received ([`Redirects::Manual`]).
    pub hop: Option<Hop>,
    /// The body, when [`Driver::wants_body`] asked for it (for a sitemap: gunzipped).
    pub body: Option<&'a [u8]>,
    /// The body's length in bytes (as received).
    pub size: u64,
    /// A sitemap the host could not gunzip (broken, or over [`MAX_SITEMAP_BYTES`] once gunzipped).
    pub unreadable: Option<String>,
    /// The host refuses to keep this response (the site worker's caching rules), with a coded reason.
    pub refused: Option<String>,
    pub elapsed_ms: u64,
}

/// The stored version a conditional request is made against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub digest: String,
}

/// URLs in each state, and what the crawl has fetched.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Progress {
    pub queued: u64,
    pub done: u64,
    pub failed: u64,
    pub skipped: u64,
    /// Body bytes downloaded (across restarts, as given to `begin`).
    pub bytes: u64,
    /// Responses settled this run.
    pub fetched: u64,
    /// Responses fetched and not yet written (what a stop now would fetch again).
    pub unwritten: u64,
    pub in_flight: u64,
    /// Whether seeding is written (a host restarted before that seeds again).
    pub seeded: bool,
    /// Pages rendered this run, and renders that failed (the page is kept as its raw response).
    pub rendered: u64,
    pub render_failed: u64,
    /// The robots.txt status seeding saw (0: unreachable), for a resumed crawl whose robots.txt isn't stored.
    pub robots_status: Option<u16>,
}

#[derive(Debug, Clone)]
struct Entry {
    url: String,
    host: String,
    page: bool,
    depth: u32,
    run: u32,
    attempt: u32,
}

#[derive(Debug)]
struct Flight {
    purpose: Purpose,
    url: String,
    entry: Option<Entry>,
    stored: Option<Stored>,
}

/// A page to render: its entry, and its raw HTML's signal when `auto` is sampling its template.
#[derive(Debug)]
struct RenderJob {
    entry: Entry,
    url: String,
    raw: Option<Signal>,
}

/// What a render brought back, as the host saw it.
#[derive(Debug, Clone, Default)]
pub struct Rendered<'a> {
    /// The serialised DOM (UTF-8 HTML), or `None` when the render failed.
    pub html: Option<&'a [u8]>,
    /// URLs the page loaded while it rendered (fetch and XHR, lazy images, fonts, media).
    pub resources: Vec<String>,
    /// The page measured as it rendered, for its fidelity score (none: the page is not scored).
    pub measure: Option<Measure>,
}

#[derive(Debug, PartialEq, Eq)]
enum Phase {
    /// `begin` not called yet.
    New,
    Robots,
    Sitemaps,
    Crawl,
}

/// One crawl of one site. See the module documentation.
#[derive(Debug)]
pub struct Driver {
    policy: CrawlPolicy,
    host: Host,
    phase: Phase,
    site: String,
    /// The start pages: the policy's start URL first.
    starts: Vec<String>,
    robots_url: String,
    sitemaps: Vec<String>,
    sitemap_next: usize,
    /// A seeding fetch is in flight.
    seeding_busy: bool,
    /// Resources first: they complete the pages already stored before the crawl moves deeper.
    resources: VecDeque<Entry>,
    pages: VecDeque<Entry>,
    /// (due, entry): retries waiting for their delay.
    retries: Vec<(u64, Entry)>,
    in_flight: HashMap<u64, Flight>,
    /// Stored bodies asked for (a 304's links): id → (entry, headers); `Read` steps not yet handed out.
    reads: HashMap<u64, (Entry, Vec<(String, String)>)>,
    to_read: VecDeque<(u64, String)>,
    next_id: u64,
    /// This run's redirects (URL → target), for loop detection.
    redirect_of: HashMap<String, String>,
    /// Redirects in a row that led to a URL.
    hops_to: HashMap<String, u32>,
    counts: Progress,
    pending: Batch,
    pending_since: Option<u64>,
    /// Captures of the batch being written, if one is.
    writing: Option<u64>,
    over_budget: bool,
    render: RenderPlan,
    renders: VecDeque<RenderJob>,
    rendering: HashMap<u64, RenderJob>,
    score: ScorePlan,
    /// Rendered pages to score: in the pending batch, in the batch being written, written (due), being scored.
    unscored: Vec<(String, Measure)>,
    unscored_writing: Vec<(String, Measure)>,
    scores: VecDeque<(String, Measure)>,
    scoring: HashMap<u64, String>,
}

impl Driver {
    /// A driver for `policy`'s crawl, run by `host`.
    pub fn new(policy: CrawlPolicy, host: Host) -> Self {
        let start = policy.start.to_string();
        let robots_url = policy.start.join("/robots.txt").map(|u| canonical_key(&u)).unwrap_or_default();
        let render = RenderPlan::new(policy.options().render);
        let score = ScorePlan::new(policy.options().score);
        Driver {
            site: policy.site().to_owned(),
            policy,
            host,
            phase: Phase::New,
            starts: vec![start],
            robots_url,
            sitemaps: Vec::new(),
            sitemap_next: 0,
            seeding_busy: false,
            resources: VecDeque::new(),
            pages: VecDeque::new(),
            retries: Vec::new(),
            in_flight: HashMap::new(),
            reads: HashMap::new(),
            to_read: VecDeque::new(),
            next_id: 0,
            redirect_of: HashMap::new(),
            hops_to: HashMap::new(),
            counts: Progress::default(),
            pending: Batch::default(),
            pending_since: None,
            writing: None,
            over_budget: false,
            render,
            renders: VecDeque::new(),
            rendering: HashMap::new(),
            score,
            unscored: Vec::new(),
            unscored_writing: Vec::new(),
            scores: VecDeque::new(),
            scoring: HashMap::new(),
        }
    }

    /// Another start page, seeded with the start URL (before `begin`).
    pub fn add_start(&mut self, url: &str) {
        self.starts.push(url.to_owned());
    }

    /// The crawl policy (its options, the site id).
    pub fn policy(&self) -> &CrawlPolicy {
        &self.policy
    }

    /// The canonical URL of the site's robots.txt (a resumed crawl reads its rules from the mirror).
    pub fn robots_url(&self) -> &str {
        &self.robots_url
    }

    /// Starts the crawl from the persisted `frontier` (empty for a new crawl) and the bytes already downloaded.
    /// `robots`: the robots.txt (text and status) of a crawl whose seeding is already written — it resumes
    /// fetching what is queued; `None` seeds (again): robots.txt, the sitemaps, the start URL.
    pub fn begin(&mut self, frontier: &[FrontierEntry], robots: Option<(&str, u16)>, bytes: u64) {
        self.policy.seed(frontier);
        self.policy.add_bytes(bytes);
        self.counts.bytes = bytes;
        for e in frontier {
            *self.count(e.state) += 1;
        }
        match robots {
            None => self.phase = Phase::Robots,
            Some((text, status)) => {
                self.policy.robots(text, status);
                self.counts.robots_status = Some(status);
                self.counts.seeded = true;
                self.phase = Phase::Crawl;
                let mut queued: Vec<&FrontierEntry> = frontier.iter().filter(|e| e.state == UrlState::Queued).collect();
                queued.sort_by_key(|e| e.depth);
                for e in queued {
                    self.enqueue(e);
                }
                // Pages stored before a stop whose render had not ended: rendered now (their template's `auto`
                // samples are gone with the old driver, so `wants` decides afresh).
                if self.render.enabled() {
                    for e in frontier.iter().filter(|e| e.render && e.page && e.state == UrlState::Done) {
                        self.renders.push_back(RenderJob { entry: entry_of(e), url: e.url.clone(), raw: None });
                    }
                }
            }
        }
    }

    /// What the host does next (call again after each step until it says `Wait` or `Done`).
    pub fn next(&mut self, now: u64) -> Step {
        if self.over_budget {
            self.skip_queued(now);
        }
        let sitemaps_left = self.sitemap_next < self.sitemaps.len().min(super::MAX_SITEMAPS);
        if self.phase == Phase::Sitemaps && !self.seeding_busy && !sitemaps_left {
            self.end_seeding(now);
        }
        if let Some((id, digest)) = self.to_read.pop_front() {
            return Step::Read { id, digest };
        }
        if self.writing.is_none() && !self.pending.is_empty() {
            let due = self.pending_since.is_some_and(|t| now >= t.saturating_add(BATCH_MS));
            if self.pending.is_full() || due || self.idle() {
                return self.take_batch();
            }
        }
        // Fetched-but-unwritten responses stay bounded (what a stop costs): a request starts only while what is
        // pending plus what is in flight is less than one batch, so at most the batch being written and one more
        // are ever held.
        let blocked = self.pending.is_full() || self.pending.captures.len() + self.in_flight.len() >= BATCH_CAPTURES;
        // The pending batch is due at its time, unless a write is in progress (its end is the event to wait for).
        let mut wait: Option<u64> = match self.writing {
            None => self.pending_since.map(|t| t.saturating_add(BATCH_MS).saturating_sub(now)),
            Some(_) => None,
        };
        // Scores have frames of their own beside the renders': a render spends most of its time waiting for the
        // page's requests and for it to go quiet, a score loads a replay from the store.
        if self.scoring.len() < MAX_SCORES {
            if let Some((url, live)) = self.scores.pop_front() {
                self.next_id += 1;
                self.scoring.insert(self.next_id, url.clone());
                return Step::Score { id: self.next_id, url, live };
            }
        }
        if !blocked && self.rendering.len() < MAX_RENDERS {
            // Decided as a render starts, not as the page is queued: by then `auto` knows more of the template.
            while let Some(job) = self.renders.pop_front() {
                if !self.render.wants(&job.url) {
                    self.mark_render(&job.entry.url, false, now);
                    continue;
                }
                self.next_id += 1;
                let (id, url) = (self.next_id, job.url.clone());
                self.rendering.insert(id, job);
                return Step::Render { id, url };
            }
        }
        if !blocked {
            if let Some(task) = self.seed_task(now) {
                return Step::Fetch(task);
            }
            if self.phase == Phase::Crawl {
                self.retry_due(now, &mut wait);
                match self.pick(now) {
                    Ok(task) => return Step::Fetch(task),
                    Err(ms) => wait = min_opt(wait, ms),
                }
            }
        }
        if self.phase == Phase::Crawl && self.idle() && self.pending.is_empty() && self.writing.is_none() {
            return Step::Done;
        }
        Step::Wait { ms: wait }
    }

    /// Nothing queued, in flight, waiting to be retried or to be read.
    fn idle(&self) -> bool {
        self.phase == Phase::Crawl
            && self.in_flight.is_empty()
            && self.resources.is_empty()
            && self.pages.is_empty()
            && self.retries.is_empty()
            && self.reads.is_empty()
            && self.renders.is_empty()
            && self.rendering.is_empty()
            && self.scores.is_empty()
            && self.scoring.is_empty()
    }

    fn take_batch(&mut self) -> Step {
        let batch = std::mem::take(&mut self.pending);
        self.unscored_writing = std::mem::take(&mut self.unscored);
        self.pending_since = None;
        self.writing = Some(batch.captures.len() as u64);
        Step::Write(batch)
    }

    /// The batch handed out by the last `Write` step is stored.
    pub fn written(&mut self, batch_seeded: bool) {
        self.writing = None;
        // Their rendered copies are stored: the replay to measure is there now.
        self.scores.extend(std::mem::take(&mut self.unscored_writing));
        if batch_seeded {
            self.counts.seeded = true;
        }
    }

    /// The next seeding request, while seeding.
    fn seed_task(&mut self, now: u64) -> Option<FetchTask> {
        if self.seeding_busy {
            return None;
        }
        loop {
            let (url, purpose) = match self.phase {
                Phase::Robots => (self.robots_url.clone(), Purpose::Robots),
                Phase::Sitemaps if self.sitemap_next < self.sitemaps.len().min(super::MAX_SITEMAPS) => {
                    self.sitemap_next += 1;
                    (self.sitemaps[self.sitemap_next - 1].clone(), Purpose::Sitemap)
                }
                Phase::Sitemaps => {
                    self.end_seeding(now);
                    return None;
                }
                _ => return None,
            };
            match self.policy.request(&url) {
                Ok(plan) => {
                    self.seeding_busy = true;
                    return Some(self.task(url, purpose, None, Redirects::Follow, plan));
                }
                // A sitemap robots.txt names on an address the site may not reach: not fetched.
                Err(_) if purpose == Purpose::Sitemap => continue,
                Err(_) => {
                    let r = Response { error: Some(FetchError::Network), ..Response::default() };
                    let flight = Flight { purpose, url, entry: None, stored: None };
                    self.on_robots(0, &flight, &r, now);
                }
            }
        }
    }

    fn task(
        &mut self,
        url: String,
        purpose: Purpose,
        entry: Option<Entry>,
        redirect: Redirects,
        plan: RequestPlan,
    ) -> FetchTask {
        self.next_id += 1;
        let id = self.next_id;
        let credentials = if self.host.cookies { plan.credentials } else { "omit" };
        let o = self.policy.options();
        let conditional = self.host.conditional && entry.is_some();
        let task = FetchTask {
            id,
            url: url.clone(),
            purpose,
            credentials,
            target_address_space: plan.target_address_space,
            redirect,
            timeout_ms: o.timeout_ms,
            max_bytes: if purpose == Purpose::Sitemap { MAX_SITEMAP_BYTES } else { o.max_resource_bytes },
            conditional,
        };
        self.in_flight.insert(id, Flight { purpose, url, entry, stored: None });
        task
    }

    /// Seeding is over once the last sitemap is in: its batch is written before anything else is fetched.
    fn end_seeding(&mut self, now: u64) {
        self.phase = Phase::Crawl;
        self.pending.seeded = true;
        self.touch_pending(now);
    }

    /// Retries whose delay is over go back to the head of their queue.
    fn retry_due(&mut self, now: u64, wait: &mut Option<u64>) {
        let mut i = 0;
        while i < self.retries.len() {
            if self.retries[i].0 <= now {
                let (_, e) = self.retries.swap_remove(i);
                if e.page {
                    self.pages.push_front(e)
                } else {
                    self.resources.push_front(e)
                }
            } else {
                *wait = min_opt(*wait, Some(self.retries[i].0 - now));
                i += 1;
            }
        }
    }

    /// The next entry a host may be asked for now, or how long until one may be (`None`: until an event).
    fn pick(&mut self, now: u64) -> Result<FetchTask, Option<u64>> {
        loop {
            match self.pick_one(now) {
                Ok(Some(task)) => return Ok(task),
                Ok(None) => continue,
                Err(wait) => return Err(wait),
            }
        }
    }

    /// One pick: a task, `None` when the picked entry was refused (pick again), or how long to wait.
    fn pick_one(&mut self, now: u64) -> Result<Option<FetchTask>, Option<u64>> {
        if self.in_flight.len() >= MAX_IN_FLIGHT {
            return Err(None);
        }
        let mut wait = None;
        let mut blocked: HashSet<&str> = HashSet::new();
        let mut picked = None;
        'queues: for (qi, q) in [&self.resources, &self.pages].into_iter().enumerate() {
            for (i, e) in q.iter().take(SCAN).enumerate() {
                if blocked.contains(e.host.as_str()) {
                    continue;
                }
                let slot = self.policy.slot(&e.host, now);
                if slot == 0 {
                    picked = Some((qi, i));
                    break 'queues;
                }
                blocked.insert(&e.host);
                if slot > 0 {
                    wait = min_opt(wait, Some(slot as u64));
                }
            }
        }
        let Some((qi, i)) = picked else { return Err(wait) };
        let q = if qi == 0 { &mut self.resources } else { &mut self.pages };
        let e = q.remove(i).expect("picked from the queue");
        let plan = match self.policy.request(&e.url) {
            Ok(plan) => plan,
            // admit() refuses such URLs already; this is the backstop.
            Err(why) => {
                self.settle(&e.url, UrlState::Skipped, Some(why), now);
                self.touch_pending(now);
                return Ok(None);
            }
        };
        self.policy.started(&e.host, now);
        let url = e.url.clone();
        let purpose = if e.page { Purpose::Page } else { Purpose::Resource };
        let redirects = self.host.redirects;
        Ok(Some(self.task(url, purpose, Some(e), redirects, plan)))
    }

    /// The request headers of a conditional request for fetch `id`, given its stored version (if any).
    pub fn conditional(&mut self, id: u64, stored: Option<Stored>) -> Vec<(String, String)> {
        let Some(flight) = self.in_flight.get_mut(&id) else { return Vec::new() };
        let Some(stored) = stored.filter(|s| s.status < 300) else { return Vec::new() };
        let get = |n: &str| stored.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(n)).map(|(_, v)| v.clone());
        let mut out = Vec::new();
        if let Some(etag) = get("etag") {
            out.push(("If-None-Match".to_owned(), etag));
        }
        if let Some(date) = get("last-modified") {
            out.push(("If-Modified-Since".to_owned(), date));
        }
        if !out.is_empty() {
            flight.stored = Some(stored);
        }
        out
    }

    /// Whether `on_response` needs the body of fetch `id`, judged from its headers and first bytes (at least
    /// [`SNIFF_BYTES`]): robots.txt, sitemaps, and what replay treats as a document or stylesheet (its links are
    /// followed). Other bodies stay with the host, never copied into wasm memory.
    pub fn wants_body(&self, id: u64, headers: &[(String, String)], head: &[u8]) -> bool {
        match self.in_flight.get(&id).map(|f| f.purpose) {
            Some(Purpose::Robots | Purpose::Sitemap) => true,
            Some(Purpose::Page | Purpose::Resource) => links_kind(headers, head).is_some(),
            None => false,
        }
    }

    /// Fetch `id` ended. Returns whether the host keeps its body for a capture (named in a later `Write`).
    pub fn on_response(&mut self, id: u64, r: Response<'_>, now: u64) -> bool {
        let Some(flight) = self.in_flight.remove(&id) else { return false };
        match flight.purpose {
            Purpose::Robots => self.on_robots(id, &flight, &r, now),
            Purpose::Sitemap => self.on_sitemap(id, &flight, &r, now),
            Purpose::Page | Purpose::Resource => {
                let entry = flight.entry.clone().expect("entries have one");
                self.on_entry(id, entry, flight.stored, &r, now)
            }
        }
    }

    /// The stored body of a 304 (asked for with a `Read` step), or `None` when it is gone.
    pub fn on_stored(&mut self, id: u64, body: Option<&[u8]>, now: u64) {
        let Some((entry, headers)) = self.reads.remove(&id) else { return };
        if let Some(body) = body {
            let url = entry.url.clone();
            let pages = self.links(&entry, &url, &headers, body, now);
            // Unchanged, but a new version: its rendered copy is made with it (an older one goes with the old).
            self.queue_render(&entry, &url, &headers, body, pages, now);
        }
    }

    /// Queues a render of an HTML page (`pages`: the pages it links to) when the crawl renders (whether this one
    /// is, `wants` says as it starts).
    fn queue_render(
        &mut self,
        e: &Entry,
        url: &str,
        headers: &[(String, String)],
        body: &[u8],
        pages: Vec<String>,
        now: u64,
    ) {
        let head = &body[..body.len().min(SNIFF_BYTES)];
        if !self.render.enabled() || !e.page || links_kind(headers, head) != Some(Treatment::Html) {
            return;
        }
        let raw = self.render.samples(url).then(|| Signal::of(body, pages));
        self.renders.push_back(RenderJob { entry: e.clone(), url: url.to_owned(), raw });
        // Written with the page: a stop before the render ends leaves the mark, and the resumed crawl renders it.
        self.mark_render(&e.url, true, now);
        self.touch_pending(now);
    }

    /// Render `id` ended. Returns whether the host keeps the DOM it sent (`rendered.html`) for a capture of the
    /// page's rendered copy, named in a later `Write` (as a fetch's body is).
    pub fn on_rendered(&mut self, id: u64, rendered: Rendered<'_>, now: u64) -> bool {
        let Some(job) = self.rendering.remove(&id) else { return false };
        self.mark_render(&job.entry.url, false, now);
        self.touch_pending(now);
        let Some(html) = rendered.html.filter(|_| !self.over_budget) else {
            self.counts.render_failed += 1;
            return false;
        };
        self.counts.rendered += 1;
        let headers = vec![("content-type".to_owned(), "text/html; charset=utf-8".to_owned())];
        let size = html.len() as u64;
        self.push_capture(&format!("{}{RENDERED}", job.url), now, 200, headers.clone(), Some(id), None, size);
        self.counts.bytes = self.counts.bytes.saturating_add(size);
        if !self.policy.add_bytes(size) {
            self.over_budget = true;
        }
        // What scripts built links to pages the raw HTML may not; what the page loaded completes its copy.
        let pages = self.links(&job.entry, &job.url, &headers, html, now);
        let parent = Parent { url: job.entry.url.clone(), depth: job.entry.depth, run: job.entry.run };
        let loaded: Vec<Link> = rendered.resources.into_iter().map(Link::resource).collect();
        if !loaded.is_empty() {
            self.admit(Some(&parent), &loaded, now);
        }
        if let Some(raw) = &job.raw {
            self.render.learn(&job.url, raw, &Signal::of(html, pages));
        }
        if let Some(live) = rendered.measure {
            if self.score.wants(&job.url) {
                self.unscored.push((job.url.clone(), live));
            }
        }
        self.touch_pending(now);
        true
    }

    /// Score `id` ended (stored or not: a score is advisory, and a page whose replay couldn't be measured keeps
    /// none).
    pub fn on_scored(&mut self, id: u64) {
        self.scoring.remove(&id);
    }

    fn on_robots(&mut self, id: u64, flight: &Flight, r: &Response<'_>, now: u64) -> bool {
        self.seeding_busy = false;
        let status = if r.error.is_some() { 0 } else { r.status };
        let text = match (status, r.body) {
            (200..=299, Some(b)) => String::from_utf8_lossy(b).into_owned(),
            _ => String::new(),
        };
        let info = self.policy.robots(&text, status);
        self.counts.robots_status = Some(status);
        // A robots.txt the site has is part of its mirror; a 404 only means "no rules" and is not kept.
        let kept = (1..400).contains(&status) && self.keep_seed_file(id, flight, r, now);
        let starts: Vec<Link> = self.starts.iter().cloned().map(Link::page).collect();
        self.admit(None, &starts, now);
        let mut list: Vec<String> = Vec::new();
        let default = self.policy.start.join("/sitemap.xml").map(|u| u.to_string()).unwrap_or_default();
        for s in info.sitemaps.into_iter().chain([default]) {
            if !s.is_empty() && !list.contains(&s) {
                list.push(s);
            }
        }
        self.sitemaps = list;
        self.phase = Phase::Sitemaps;
        self.touch_pending(now);
        kept
    }

    fn on_sitemap(&mut self, id: u64, flight: &Flight, r: &Response<'_>, now: u64) -> bool {
        self.seeding_busy = false;
        if r.error.is_some() || r.status != 200 {
            return false;
        }
        let url = final_key(&flight.url, r);
        let why = r.unreadable.clone().or_else(|| match r.body {
            Some(b) if b.len() as u64 > MAX_SITEMAP_BYTES => Some(format!("over {MAX_SITEMAP_BYTES} bytes")),
            None => Some("no body".to_owned()),
            _ => None,
        });
        if let Some(why) = why {
            // A sitemap that is there but can't be read is reported, not silently passed over.
            for mut e in self.policy.admit(None, &[Link::resource(url)], now) {
                e.state = UrlState::Failed;
                e.reason = Some(reason(BAD_SITEMAP, why.as_str()));
                self.counts.failed += 1;
                self.pending.found.push(e);
            }
            self.touch_pending(now);
            return false;
        }
        let map = self.policy.sitemap(r.body.unwrap_or_default(), &url);
        let kept = self.keep_seed_file(id, flight, r, now);
        for nested in map.sitemaps {
            if !self.sitemaps.contains(&nested) {
                self.sitemaps.push(nested);
            }
        }
        // Sitemap pages are depth 1, like the start page's links.
        let parent = Parent { url: url.clone(), depth: 0, run: 0 };
        let links: Vec<Link> = map.pages.into_iter().map(Link::page).collect();
        self.admit(Some(&parent), &links, now);
        kept
    }

    /// Stores robots.txt or a sitemap as a capture whose frontier entry is done at once.
    fn keep_seed_file(&mut self, id: u64, flight: &Flight, r: &Response<'_>, now: u64) -> bool {
        if r.error.is_some() || r.refused.is_some() {
            return false;
        }
        let url = final_key(&flight.url, r);
        self.push_capture(&url, now, r.status, kept_headers(&r.headers), Some(id), None, r.size);
        for mut e in self.policy.admit(None, &[Link::resource(url)], now) {
            e.state = UrlState::Done;
            self.counts.done += 1;
            self.pending.found.push(e);
        }
        true
    }

    fn on_entry(&mut self, id: u64, e: Entry, stored: Option<Stored>, r: &Response<'_>, now: u64) -> bool {
        if self.over_budget {
            // Past maxBytes: what was still in flight is not stored either (the host may abort it).
            self.settle(&e.url, UrlState::Skipped, Some(reason(MAX_BYTES, "the crawl reached its size limit")), now);
            self.touch_pending(now);
            return false;
        }
        let result = FetchResult {
            status: if r.error.is_some() { None } else { Some(r.status) },
            error: r.error,
            retry_after: header(&r.headers, "retry-after").map(str::to_owned),
            elapsed_ms: r.elapsed_ms,
            attempt: e.attempt,
            now,
        };
        let decision = self.policy.finished(&e.host, &result);
        if decision.action == Action::Retry {
            let mut e = e;
            // An abort the host made (a pause) is not an attempt.
            if r.error != Some(FetchError::Aborted) {
                e.attempt += 1;
            }
            self.retries.push((now.saturating_add(decision.delay_ms), e));
            return false;
        }
        let (mut state, mut why) = (decision.action, decision.reason);
        if let (Action::Done, Some(refused)) = (state, &r.refused) {
            state = Action::Skipped;
            why = Some(refused.clone());
        }
        let state = match state {
            Action::Done => UrlState::Done,
            Action::Failed => UrlState::Failed,
            _ => UrlState::Skipped,
        };
        self.settle(&e.url, state, why, now);
        self.counts.fetched += 1;
        let mut kept = false;
        if decision.store && r.refused.is_none() && r.error.is_none() {
            if let Some(hop) = &r.hop {
                self.redirect(&e, hop, now);
            } else {
                kept = self.store_response(id, &e, stored, r, now);
            }
        }
        self.touch_pending(now);
        kept
    }

    fn store_response(&mut self, id: u64, e: &Entry, stored: Option<Stored>, r: &Response<'_>, now: u64) -> bool {
        let headers = kept_headers(&r.headers);
        let url = final_key(&e.url, r);
        if let (304, Some(stored)) = (r.status, stored) {
            // Unchanged: a new version pointing at the stored body (no new bytes); links come from that body.
            let merged = merge_headers(&stored.headers, &headers);
            self.push_capture(&url, now, stored.status, merged.clone(), None, Some(stored.digest.clone()), 0);
            if links_kind(&merged, b"").is_some() {
                self.next_id += 1;
                self.reads.insert(self.next_id, (e.clone(), merged));
                self.to_read.push_back((self.next_id, stored.digest));
            }
            return false;
        }
        self.push_capture(&url, now, r.status, headers.clone(), Some(id), None, r.size);
        self.counts.bytes = self.counts.bytes.saturating_add(r.size);
        if !self.policy.add_bytes(r.size) {
            self.over_budget = true;
        }
        if r.status < 300 {
            if let Some(body) = r.body {
                let pages = self.links(e, &url, &headers, body, now);
                self.queue_render(e, &url, &headers, body, pages, now);
            }
        }
        true
    }

    #[allow(clippy::too_many_arguments)]
    fn push_capture(
        &mut self,
        url: &str,
        at: u64,
        status: u16,
        headers: Vec<(String, String)>,
        response: Option<u64>,
        unchanged: Option<String>,
        size: u64,
    ) {
        self.pending.captures.push(CaptureOut {
            site: self.site.clone(),
            url: url.to_owned(),
            at,
            status,
            headers,
            source: self.host.source.clone(),
            response,
            unchanged,
        });
        if response.is_some() {
            self.pending.bytes = self.pending.bytes.saturating_add(size);
        }
    }

    /// A redirect: stored as a 3xx capture (replay follows it), its target admitted like a link of the same kind
    /// at the same depth. A target that leads back here, or a chain longer than [`MAX_REDIRECTS`], is a loop:
    /// every URL of it is recorded as failed.
    fn redirect(&mut self, e: &Entry, hop: &Hop, now: u64) {
        let target = Url::parse(&e.url)
            .ok()
            .and_then(|base| base.join(hop.location.trim()).ok())
            .filter(is_mirrorable)
            .map(|u| canonical_key(&u));
        let location = target.clone().unwrap_or_else(|| hop.location.clone());
        let headers = vec![("location".to_owned(), location)];
        self.push_capture(&e.url, now, hop.status, headers, None, None, 0);
        let Some(target) = target else { return };
        self.redirect_of.insert(e.url.clone(), target.clone());
        // Redirects in a row that led to `target`, for chains found in the order they are followed.
        let hops = self.hops_to.get(&e.url).copied().unwrap_or(0) + 1;
        if hops as usize > MAX_REDIRECTS {
            let why = reason(REDIRECT_LOOP, format_args!("more than {MAX_REDIRECTS} redirects in a row"));
            self.resettle(&e.url, UrlState::Failed, Some(why), now);
            return;
        }
        self.hops_to.insert(target.clone(), hops);
        let mut chain = vec![e.url.clone()];
        let mut at = Some(target.clone());
        while let Some(url) = at {
            if chain.len() > MAX_REDIRECTS {
                break;
            }
            if chain.contains(&url) {
                let why = reason(REDIRECT_LOOP, format_args!("redirects go round in a loop ({} URLs)", chain.len()));
                for url in chain {
                    self.resettle(&url, UrlState::Failed, Some(why.clone()), now);
                }
                return;
            }
            at = self.redirect_of.get(&url).cloned();
            chain.push(url);
        }
        if chain.len() > MAX_REDIRECTS {
            let why = reason(REDIRECT_LOOP, format_args!("more than {MAX_REDIRECTS} redirects in a row"));
            self.resettle(&e.url, UrlState::Failed, Some(why), now);
            return;
        }
        let parent =
            Parent { url: e.url.clone(), depth: if e.page { e.depth.saturating_sub(1) } else { e.depth }, run: e.run };
        let link = Link { url: target, page: e.page };
        self.admit(Some(&parent), &[link], now);
    }

    /// Links of a stored HTML page or stylesheet, admitted by the policy and queued. Returns the pages it links to.
    fn links(&mut self, e: &Entry, base: &str, headers: &[(String, String)], body: &[u8], now: u64) -> Vec<String> {
        let Ok(base) = Url::parse(base) else { return Vec::new() };
        let head = &body[..body.len().min(SNIFF_BYTES)];
        let content_type = header(headers, "content-type");
        // A document the engine refuses (memory limit…) is still stored; it just yields no links.
        let found = match links_kind(headers, head) {
            Some(Treatment::Html) => crate::rewrite::extract_links(body, &base, content_type).ok(),
            Some(Treatment::Css) => Some(crate::rewrite::extract_css_links(body, &base, content_type)),
            _ => None,
        };
        let Some(found) = found else { return Vec::new() };
        let pages = found.pages.clone();
        let links: Vec<Link> =
            found.pages.into_iter().map(Link::page).chain(found.resources.into_iter().map(Link::resource)).collect();
        if !links.is_empty() {
            let parent = Parent { url: e.url.clone(), depth: e.depth, run: e.run };
            self.admit(Some(&parent), &links, now);
        }
        pages
    }

    /// Admits links, queues the new entries and adds them to the pending batch.
    fn admit(&mut self, parent: Option<&Parent>, links: &[Link], now: u64) {
        for entry in self.policy.admit(parent, links, now) {
            *self.count(entry.state) += 1;
            if entry.state == UrlState::Queued {
                self.enqueue(&entry);
            }
            self.pending.found.push(entry);
        }
        self.touch_pending(now);
    }

    fn enqueue(&mut self, e: &FrontierEntry) {
        let entry = entry_of(e);
        if e.page {
            self.pages.push_back(entry);
        } else {
            self.resources.push_back(entry);
        }
    }

    /// A queued URL settles.
    fn settle(&mut self, url: &str, state: UrlState, why: Option<String>, now: u64) {
        self.counts.queued = self.counts.queued.saturating_sub(1);
        *self.count(state) += 1;
        self.push_settle(url, state, why, now);
    }

    /// A settled URL changes state (a redirect found to loop).
    fn resettle(&mut self, url: &str, state: UrlState, why: Option<String>, now: u64) {
        self.counts.done = self.counts.done.saturating_sub(1);
        *self.count(state) += 1;
        self.push_settle(url, state, why, now);
    }

    fn push_settle(&mut self, url: &str, state: UrlState, reason: Option<String>, at: u64) {
        let site = self.site.clone();
        self.pending.settle.push(SettleOut { site, url: url.to_owned(), state, reason, at, render: false });
    }

    /// A stored page's render is to come (`pending`) or has ended (rendered, failed or not wanted).
    fn mark_render(&mut self, url: &str, pending: bool, at: u64) {
        let site = self.site.clone();
        let settle = SettleOut { site, url: url.to_owned(), state: UrlState::Done, reason: None, at, render: pending };
        self.pending.settle.push(settle);
    }

    fn touch_pending(&mut self, now: u64) {
        if self.pending_since.is_none() && !self.pending.is_empty() {
            self.pending_since = Some(now);
        }
    }

    fn count(&mut self, state: UrlState) -> &mut u64 {
        match state {
            UrlState::Queued => &mut self.counts.queued,
            UrlState::Done => &mut self.counts.done,
            UrlState::Failed => &mut self.counts.failed,
            UrlState::Skipped => &mut self.counts.skipped,
        }
    }

    /// `maxBytes` reached: what is queued (or waiting to be retried) is recorded as skipped, and so is what is
    /// still in flight when it ends; then the crawl ends.
    fn skip_queued(&mut self, now: u64) {
        let why = reason(MAX_BYTES, "the crawl reached its size limit");
        let rest: Vec<Entry> = self
            .resources
            .drain(..)
            .chain(self.pages.drain(..))
            .chain(self.retries.drain(..).map(|(_, e)| e))
            .collect();
        for e in rest {
            self.settle(&e.url, UrlState::Skipped, Some(why.clone()), now);
        }
        self.touch_pending(now);
    }

    /// URLs in each state, bytes, and what a stop now would cost.
    pub fn progress(&self) -> Progress {
        let unwritten = self.pending.captures.len() as u64 + self.writing.unwrap_or(0);
        Progress { unwritten, in_flight: self.in_flight.len() as u64, ..self.counts }
    }

    /// Whether the crawl stopped at its byte budget (a host aborts what it has in flight).
    pub fn over_budget(&self) -> bool {
        self.over_budget
    }

    /// What is pending, as one last batch (a host that stops writes it before letting go).
    pub fn flush(&mut self) -> Option<Batch> {
        if self.pending.is_empty() {
            return None;
        }
        match self.take_batch() {
            Step::Write(b) => Some(b),
            _ => None,
        }
    }
}

/// A frontier entry as the driver's queues hold it.
fn entry_of(e: &FrontierEntry) -> Entry {
    let host = Url::parse(&e.url).map(|u| host_of(&u).to_owned()).unwrap_or_default();
    Entry { url: e.url.clone(), host, page: e.page, depth: e.depth, run: e.run, attempt: 1 }
}

/// The key a response is stored under: the final URL when the host followed redirects to a mirrorable one, else
/// the URL asked for.
fn final_key(asked: &str, r: &Response<'_>) -> String {
    r.url
        .as_deref()
        .and_then(|u| Url::parse(u).ok())
        .filter(is_mirrorable)
        .map(|u| canonical_key(&u))
        .unwrap_or_else(|| asked.to_owned())
}

/// The first value of a header, by case-insensitive name.
fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}

/// Html or Css when the links of such a response are followed: what replay shows as a page (HTML, XHTML, SVG, XML,
/// an untyped text body — the browser's own decision, `mime::treat`), and stylesheets.
pub fn links_kind(headers: &[(String, String)], head: &[u8]) -> Option<Treatment> {
    let types: Vec<&str> =
        headers.iter().filter(|(n, _)| n.eq_ignore_ascii_case("content-type")).map(|(_, v)| v.as_str()).collect();
    match mime::treat(&types, head, "document") {
        t @ (Treatment::Html | Treatment::Css) => Some(t),
        Treatment::Raw(_) => None,
    }
}

/// A 304's headers update the stored ones (RFC 9111 §4.3.4); the stored Content-Type stays.
fn merge_headers(stored: &[(String, String)], fresh: &[(String, String)]) -> Vec<(String, String)> {
    let mut out = stored.to_vec();
    for (n, v) in fresh {
        if n == "content-type" {
            continue;
        }
        match out.iter_mut().find(|(k, _)| k == n) {
            Some(slot) => slot.1 = v.clone(),
            None => out.push((n.clone(), v.clone())),
        }
    }
    out
}

fn min_opt(a: Option<u64>, b: Option<u64>) -> Option<u64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, None) => a,
        (None, b) => b,
    }
}
