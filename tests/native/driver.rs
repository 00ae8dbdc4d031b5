//! The crawl driver (`crawl::driver`): a whole crawl run natively against a simulated origin and a `MemoryStore`,
//! with a simulated clock. The host loop below is what extension/crawl.js and the site worker do with `fetch()`,
//! timers and IndexedDB: seeding order, redirect chains and loops, 304 merging, retries, the byte budget, resuming
//! from the frontier, and what a stop can cost.
#![cfg(not(target_arch = "wasm32"))]

#[path = "../common/store_suite.rs"]
mod store_suite;

use sitemirror::crawl::driver::{
    Batch, Driver, FetchTask, Hop, Host, Purpose, Redirects, Rendered, Response, Step, Stored, BATCH_CAPTURES,
    MAX_IN_FLIGHT, MAX_RENDERS,
};
use sitemirror::crawl::fidelity::Measure;
use sitemirror::crawl::reason::code_of;
use sitemirror::crawl::{CrawlOptions, CrawlPolicy, FetchError};
use sitemirror::store::{MemoryStore, NewBody, NewCapture, Settle, Store, UrlState, When};
use std::collections::{HashMap, VecDeque};
use store_suite::block_on;

const NOW: u64 = 1_780_000_000_000;
const SITE: &str = "https://example.com/";

#[derive(Clone)]
enum Reply {
    Ok { status: u16, headers: Vec<(String, String)>, body: Vec<u8> },
    Hop(u16, String),
    Fail(FetchError),
}

fn html(body: &str) -> Reply {
    Reply::Ok {
        status: 200,
        headers: vec![("Content-Type".into(), "text/html".into())],
        body: body.as_bytes().to_vec(),
    }
}

fn typed(ct: &str, body: &str) -> Reply {
    Reply::Ok { status: 200, headers: vec![("content-type".into(), ct.into())], body: body.as_bytes().to_vec() }
}

fn status(status: u16, headers: &[(&str, &str)]) -> Reply {
    let headers = headers.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect();
    Reply::Ok { status, headers, body: Vec::new() }
}

/// A host: the origin's answers (a list per URL: one per request, the last repeated), a clock, the store.
struct Sim {
    driver: Driver,
    store: MemoryStore,
    origin: HashMap<String, VecDeque<Reply>>,
    clock: u64,
    latency: u64,
    /// How long a write takes (the store is slow while thousands of links are queued).
    write_ms: u64,
    in_flight: Vec<(u64, FetchTask)>,
    write_done: Option<(u64, bool)>,
    held: HashMap<u64, Vec<u8>>,
    /// Every request made, in order.
    fetched: Vec<String>,
    /// The request headers of every conditional request.
    sent: HashMap<String, Vec<(String, String)>>,
    /// The most fetched-but-unwritten responses plus requests in flight seen at any moment.
    worst_unwritten: u64,
    batches: Vec<Batch>,
    /// Stop (as a stopped worker does) once this many requests were made.
    stop_after: Option<usize>,
    /// What rendering a page shows (its DOM, the URLs it loads); a page not named renders as its raw HTML.
    dom: HashMap<String, (String, Vec<String>)>,
    /// Renders in progress: (due, id, url).
    rendering: Vec<(u64, u64, String)>,
    /// Every page rendered, in order, and the most renders seen at once.
    rendered: Vec<String>,
    worst_rendering: usize,
    /// How long a render takes (default: five fetches).
    render_ms: Option<u64>,
    /// Stop (as a stopped worker does) at the first write made while a render is in progress.
    stop_mid_render: bool,
    /// Every page scored, in order, with whether its rendered copy was stored when its score was asked for.
    scored: Vec<(String, bool)>,
}

fn driver(options: &str, conditional: bool, redirects: Redirects) -> Driver {
    let options: CrawlOptions = serde_json::from_str(options).unwrap();
    let policy = CrawlPolicy::new(SITE, options).unwrap();
    Driver::new(policy, Host { source: "crawl-1".into(), conditional, redirects, cookies: true })
}

impl Sim {
    fn new(pages: &[(&str, Reply)]) -> Sim {
        Sim::with(driver("{}", false, Redirects::Manual), MemoryStore::new(), pages)
    }

    fn with(driver: Driver, store: MemoryStore, pages: &[(&str, Reply)]) -> Sim {
        let mut origin = HashMap::new();
        for (url, reply) in pages {
            origin.entry(format!("https://example.com{url}")).or_insert_with(VecDeque::new).push_back(reply.clone());
        }
        Sim {
            driver,
            store,
            origin,
            clock: NOW,
            latency: 10,
            write_ms: 0,
            in_flight: Vec::new(),
            write_done: None,
            held: HashMap::new(),
            fetched: Vec::new(),
            sent: HashMap::new(),
            worst_unwritten: 0,
            batches: Vec::new(),
            stop_after: None,
            dom: HashMap::new(),
            rendering: Vec::new(),
            rendered: Vec::new(),
            worst_rendering: 0,
            render_ms: None,
            stop_mid_render: false,
            scored: Vec::new(),
        }
    }

    fn begin(mut self) -> Self {
        let frontier = block_on(self.store.frontier(SITE)).unwrap();
        self.driver.begin(&frontier, None, 0);
        self
    }

    fn reply(&mut self, url: &str) -> Reply {
        match self.origin.get_mut(url) {
            Some(q) if q.len() > 1 => q.pop_front().unwrap(),
            Some(q) => q[0].clone(),
            None => status(404, &[("content-type", "text/plain")]),
        }
    }

    /// Runs the crawl to its end (or to the stop); returns whether it ended.
    fn run(&mut self) -> bool {
        for _ in 0..1_000_000 {
            let p = self.driver.progress();
            self.worst_unwritten = self.worst_unwritten.max(p.unwritten + p.in_flight);
            match self.driver.next(self.clock) {
                Step::Fetch(task) => {
                    self.fetched.push(task.url.clone());
                    if task.conditional {
                        let stored = block_on(self.store.lookup(&task.url, When::Latest)).unwrap();
                        let stored = stored.map(|c| Stored { status: c.status, headers: c.headers, digest: c.digest });
                        let sent = self.driver.conditional(task.id, stored);
                        self.sent.insert(task.url.clone(), sent);
                    }
                    self.in_flight.push((self.clock + self.latency, task));
                    if self.stop_after.is_some_and(|n| self.fetched.len() >= n) {
                        return false;
                    }
                }
                Step::Read { id, digest } => {
                    let body = block_on(self.store.payload(&digest)).unwrap();
                    self.driver.on_stored(id, body.as_deref(), self.clock);
                }
                Step::Render { id, url } => {
                    self.rendered.push(url.clone());
                    let ms = self.render_ms.unwrap_or(5 * self.latency);
                    self.rendering.push((self.clock + ms, id, url));
                    self.worst_rendering = self.worst_rendering.max(self.rendering.len());
                }
                Step::Score { id, url, live } => {
                    assert_eq!(live.text, url, "the page's own live measure");
                    let copy = block_on(self.store.lookup(&format!("{url}#rendered"), When::Latest)).unwrap();
                    self.scored.push((url, copy.is_some()));
                    self.driver.on_scored(id);
                }
                Step::Write(batch) => {
                    self.write(&batch);
                    self.write_done = Some((self.clock + self.write_ms, batch.seeded));
                    self.batches.push(batch);
                    if self.write_ms == 0 {
                        self.finish_write();
                    }
                    if self.stop_mid_render && !self.rendering.is_empty() {
                        return false;
                    }
                }
                Step::Wait { ms } => {
                    let next_io = self
                        .in_flight
                        .iter()
                        .map(|(t, ..)| *t)
                        .chain(self.rendering.iter().map(|(t, ..)| *t))
                        .chain(self.write_done.map(|(t, _)| t))
                        .min();
                    let until = match (ms, next_io) {
                        (Some(ms), Some(t)) => t.min(self.clock + ms),
                        (Some(ms), None) => self.clock + ms,
                        (None, Some(t)) => t,
                        (None, None) => panic!("the driver waits for nothing: {:?}", self.driver.progress()),
                    };
                    self.clock = until.max(self.clock);
                    if self.write_done.is_some_and(|(t, _)| t <= self.clock) {
                        self.finish_write();
                    }
                    self.deliver();
                }
                Step::Done => return true,
            }
        }
        panic!("the crawl never ended");
    }

    fn finish_write(&mut self) {
        if let Some((_, seeded)) = self.write_done.take() {
            self.driver.written(seeded);
        }
    }

    fn deliver(&mut self) {
        let (renders, later): (Vec<_>, Vec<_>) =
            std::mem::take(&mut self.rendering).into_iter().partition(|(t, ..)| *t <= self.clock);
        self.rendering = later;
        for (_, id, url) in renders {
            let (html, resources) = match self.dom.get(&url) {
                Some((html, resources)) => (html.as_bytes().to_vec(), resources.clone()),
                None => match self.reply(&url) {
                    Reply::Ok { body, .. } => (body, Vec::new()),
                    _ => (Vec::new(), Vec::new()),
                },
            };
            let measure = Some(Measure { text: url.clone(), ..Measure::default() });
            let rendered = Rendered { html: Some(&html), resources, measure };
            if self.driver.on_rendered(id, rendered, self.clock) {
                self.held.insert(id, html);
            }
        }
        let (due, later): (Vec<_>, Vec<_>) =
            std::mem::take(&mut self.in_flight).into_iter().partition(|(t, ..)| *t <= self.clock);
        self.in_flight = later;
        for (_, task) in due {
            let reply = self.reply(&task.url);
            let mut r = Response { elapsed_ms: self.latency, ..Response::default() };
            let body = match reply {
                Reply::Fail(e) => {
                    r.error = Some(e);
                    Vec::new()
                }
                Reply::Hop(status, location) => {
                    r.hop = Some(Hop { status, location });
                    r.status = status;
                    Vec::new()
                }
                Reply::Ok { status, headers, body } => {
                    r.status = status;
                    r.headers = headers;
                    body
                }
            };
            r.size = body.len() as u64;
            let wanted = self.driver.wants_body(task.id, &r.headers, &body[..body.len().min(1445)]);
            if wanted {
                r.body = Some(&body);
            }
            if self.driver.on_response(task.id, r, self.clock) {
                self.held.insert(task.id, body);
            }
        }
    }

    fn write(&mut self, batch: &Batch) {
        let captures = batch
            .captures
            .iter()
            .map(|c| NewCapture {
                site: c.site.clone(),
                url: c.url.clone(),
                at: c.at,
                status: c.status,
                headers: c.headers.clone(),
                source: c.source.clone(),
                body: match (&c.unchanged, c.response) {
                    (Some(d), _) => NewBody::Unchanged { digest: d.clone() },
                    (None, Some(id)) => NewBody::Bytes(self.held.remove(&id).expect("a held body")),
                    (None, None) => NewBody::Bytes(Vec::new()),
                },
            })
            .collect();
        let settle = batch
            .settle
            .iter()
            .map(|s| Settle {
                site: s.site.clone(),
                url: s.url.clone(),
                state: s.state,
                reason: s.reason.clone(),
                at: s.at,
                render: s.render,
            })
            .collect();
        block_on(self.store.record(captures, settle, batch.found.clone())).unwrap();
    }

    /// url → (state, reason code) in the stored frontier.
    fn frontier(&self) -> HashMap<String, (UrlState, String)> {
        block_on(self.store.frontier(SITE))
            .unwrap()
            .into_iter()
            .map(|e| {
                (
                    e.url.trim_start_matches("https://example.com").to_owned(),
                    (e.state, e.reason.as_deref().map(code_of).unwrap_or("").to_owned()),
                )
            })
            .collect()
    }

    fn state(&self, path: &str) -> (UrlState, String) {
        self.frontier()
            .get(path)
            .cloned()
            .unwrap_or_else(|| panic!("{path} is not in the frontier: {:?}", self.frontier()))
    }

    fn paths(&self) -> Vec<String> {
        self.fetched.iter().map(|u| u.trim_start_matches("https://example.com").to_owned()).collect()
    }
}

/// Answers seeding (no robots.txt, no sitemap) and returns the start page's fetch.
fn start_page(d: &mut Driver) -> FetchTask {
    loop {
        let t = match d.next(NOW) {
            Step::Fetch(t) => t,
            Step::Write(batch) => {
                d.written(batch.seeded);
                continue;
            }
            other => panic!("seeding asks for nothing more: {other:?}"),
        };
        if t.purpose == Purpose::Page {
            return t;
        }
        d.on_response(t.id, Response { status: 404, ..Response::default() }, NOW);
    }
}

fn done() -> (UrlState, String) {
    (UrlState::Done, String::new())
}

#[test]
fn seeding_reads_robots_txt_then_the_sitemaps_then_crawls_and_writes_it_all() {
    let mut sim = Sim::new(&[
        (
            "/robots.txt",
            typed("text/plain", "User-agent: *\nDisallow: /private/\nSitemap: https://example.com/map.xml\n"),
        ),
        ("/map.xml", typed("application/xml", "<urlset><url><loc>https://example.com/from-map</loc></url></urlset>")),
        ("/", html(r#"<a href="/a">a</a><a href="/private/x">x</a><img src="/logo.png">"#)),
        ("/a", html("<p>a</p>")),
        ("/from-map", html("<p>map</p>")),
        ("/logo.png", typed("image/png", "PNG")),
    ])
    .begin();
    assert!(sim.run());
    let fetched = sim.paths();
    assert_eq!(&fetched[..3], ["/robots.txt", "/map.xml", "/sitemap.xml"], "seeding comes first, in order");
    assert!(
        fetched.contains(&"/a".to_owned())
            && fetched.contains(&"/from-map".to_owned())
            && fetched.contains(&"/logo.png".to_owned())
    );
    assert!(!fetched.iter().any(|u| u.starts_with("/private/")), "robots.txt rules: {fetched:?}");
    assert_eq!(sim.state("/robots.txt"), done());
    assert_eq!(sim.state("/map.xml"), done());
    assert_eq!(sim.state("/private/x"), (UrlState::Skipped, "crawl/robots".into()));
    assert_eq!(sim.state("/from-map"), done());
    assert!(!sim.frontier().contains_key("/sitemap.xml"), "a sitemap the site doesn't have leaves no entry");
    assert!(sim.batches.iter().any(|b| b.seeded), "one batch marks seeding written");
    let p = sim.driver.progress();
    assert!(p.seeded && p.queued == 0 && p.unwritten == 0, "{p:?}");
    assert_eq!(p.done, 6, "{p:?}");
    // Every capture is in the store, with its own body.
    let logo = block_on(sim.store.lookup("https://example.com/logo.png", When::Latest)).unwrap().unwrap();
    assert_eq!(block_on(sim.store.payload(&logo.digest)).unwrap().unwrap(), b"PNG");
    assert!(sim.held.is_empty(), "no body is held after the crawl");
}

#[test]
fn a_redirect_is_stored_and_its_target_crawled_and_a_loop_fails_every_url_of_it() {
    let mut sim = Sim::new(&[
        ("/", html(r#"<a href="/old">old</a><a href="/loop-a">loop</a>"#)),
        ("/old", Reply::Hop(301, "https://example.com/new".into())),
        ("/new", html("<p>new</p>")),
        ("/loop-a", Reply::Hop(302, "/loop-b".into())),
        ("/loop-b", Reply::Hop(302, "/loop-a".into())),
    ])
    .begin();
    assert!(sim.run());
    assert_eq!(sim.state("/old"), done());
    assert_eq!(sim.state("/new"), done());
    let old = block_on(sim.store.lookup("https://example.com/old", When::Latest)).unwrap().unwrap();
    assert_eq!((old.status, old.header("location")), (301, Some("https://example.com/new")));
    assert_eq!(sim.state("/loop-a"), (UrlState::Failed, "crawl/redirect-loop".into()));
    assert_eq!(sim.state("/loop-b"), (UrlState::Failed, "crawl/redirect-loop".into()));
    assert_eq!(sim.paths().iter().filter(|p| p.starts_with("/loop")).count(), 2, "each URL of the loop fetched once");
    let p = sim.driver.progress();
    assert_eq!((p.failed, p.queued), (2, 0), "{p:?}");
}

#[test]
fn a_chain_of_more_than_ten_redirects_fails() {
    let mut pages: Vec<(String, Reply)> =
        (0..12).map(|i| (format!("/r{i}"), Reply::Hop(302, format!("/r{}", i + 1)))).collect();
    pages.push(("/".into(), html(r#"<a href="/r0">go</a>"#)));
    let pages: Vec<(&str, Reply)> = pages.iter().map(|(p, r)| (p.as_str(), r.clone())).collect();
    let mut sim = Sim::new(&pages).begin();
    assert!(sim.run());
    let failed: Vec<_> =
        sim.frontier().into_iter().filter(|(_, (s, c))| *s == UrlState::Failed && c == "crawl/redirect-loop").collect();
    assert!(!failed.is_empty(), "{:?}", sim.frontier());
    assert!(sim.paths().len() <= 15, "the chain is not followed forever: {:?}", sim.paths());
}

#[test]
fn an_update_sends_validators_and_a_304_is_a_new_version_of_the_stored_body_whose_links_are_followed() {
    let store = MemoryStore::new();
    let old = NewCapture {
        site: SITE.into(),
        url: SITE.into(),
        at: NOW - 1000,
        status: 200,
        headers: vec![("content-type".into(), "text/html".into()), ("etag".into(), "\"v1\"".into())],
        body: NewBody::Bytes(br#"<a href="/linked">l</a>"#.to_vec()),
        source: "crawl-0".into(),
    };
    block_on(store.put_captures(vec![old])).unwrap();
    let driver = driver(r#"{"ignoreRobots": true}"#, true, Redirects::Manual);
    let mut sim = Sim::with(
        driver,
        store,
        &[("/", status(304, &[("etag", "\"v1\""), ("cache-control", "max-age=60")])), ("/linked", html("<p>l</p>"))],
    )
    .begin();
    assert!(sim.run());
    assert_eq!(sim.sent[SITE], vec![("If-None-Match".to_owned(), "\"v1\"".to_owned())]);
    let versions = block_on(sim.store.versions(SITE)).unwrap();
    assert_eq!(versions.len(), 2, "a new version");
    assert_eq!(versions[0].digest, versions[1].digest, "no new bytes");
    let newest = versions.iter().max_by_key(|c| c.at).unwrap();
    assert_eq!((newest.status, newest.header("content-type")), (200, Some("text/html")), "stored status and type kept");
    assert_eq!(sim.state("/linked"), done(), "links come from the stored body");
}

#[test]
fn a_503_with_retry_after_waits_that_long_then_succeeds() {
    let mut sim = Sim::new(&[
        ("/robots.txt", status(404, &[])),
        ("/", status(503, &[("retry-after", "3")])),
        ("/", html("<p>back</p>")),
    ])
    .begin();
    let start = sim.clock;
    assert!(sim.run());
    assert_eq!(sim.paths().iter().filter(|p| *p == "/").count(), 2);
    assert!(sim.clock - start >= 3000, "waited {} ms", sim.clock - start);
    assert_eq!(sim.state("/"), done());
}

#[test]
fn a_network_failure_is_retried_once_then_recorded_with_its_reason() {
    let mut sim = Sim::new(&[("/", Reply::Fail(FetchError::Network))]).begin();
    assert!(sim.run());
    assert_eq!(sim.paths().iter().filter(|p| *p == "/").count(), 2);
    assert_eq!(sim.state("/"), (UrlState::Failed, "crawl/network".into()));
}

#[test]
fn the_byte_budget_skips_what_is_left_and_ends_the_crawl() {
    let links: String = (0..40).map(|i| format!(r#"<a href="/p{i}">p</a>"#)).collect();
    let mut pages = vec![("/".to_owned(), html(&links))];
    for i in 0..40 {
        pages.push((format!("/p{i}"), typed("text/html", &"x".repeat(1000))));
    }
    let pages: Vec<(&str, Reply)> = pages.iter().map(|(p, r)| (p.as_str(), r.clone())).collect();
    let mut sim =
        Sim::with(driver(r#"{"maxBytes": 5000}"#, false, Redirects::Manual), MemoryStore::new(), &pages).begin();
    assert!(sim.run());
    assert!(sim.driver.over_budget());
    let skipped = sim.frontier().values().filter(|(s, c)| *s == UrlState::Skipped && c == "crawl/max-bytes").count();
    assert!(skipped > 20, "{skipped} skipped");
    assert_eq!(sim.driver.progress().queued, 0);
    assert!(sim.paths().len() < 30, "{} fetched", sim.paths().len());
    // Nothing is stored past the limit: what was in flight when it was reached is skipped too.
    let stored: u64 = block_on(sim.store.site_captures(SITE)).unwrap().iter().map(|c| c.size).sum();
    assert!(stored < 5000 + 1000 + links.len() as u64, "{stored} bytes stored");
}

#[test]
fn a_resumed_crawl_fetches_only_what_is_still_queued() {
    let links: String = (0..30).map(|i| format!(r#"<a href="/p{i}">p</a>"#)).collect();
    let mut pages = vec![
        ("/".to_owned(), html(&links)),
        ("/robots.txt".to_owned(), typed("text/plain", "User-agent: *\nDisallow: /p2\n")),
    ];
    for i in 0..30 {
        pages.push((format!("/p{i}"), html("<p>p</p>")));
    }
    let pages: Vec<(&str, Reply)> = pages.iter().map(|(p, r)| (p.as_str(), r.clone())).collect();
    let mut first = Sim::new(&pages).begin();
    first.stop_after = Some(15);
    assert!(!first.run(), "stopped");
    assert!(first.driver.progress().seeded, "seeding is written at once");
    // The stop: what was written stays; what was pending or in flight is lost.
    let store = first.store;
    let frontier = block_on(store.frontier(SITE)).unwrap();
    let written: Vec<String> = frontier.iter().filter(|e| e.state != UrlState::Queued).map(|e| e.url.clone()).collect();
    let robots = block_on(store.lookup("https://example.com/robots.txt", When::Latest)).unwrap().unwrap();
    let robots_text = String::from_utf8(block_on(store.payload(&robots.digest)).unwrap().unwrap()).unwrap();

    let mut second = Sim::with(driver("{}", false, Redirects::Manual), store, &pages);
    second.driver.begin(&frontier, Some((&robots_text, 200)), 0);
    assert!(second.run());
    for url in &written {
        assert!(!second.fetched.contains(url), "{url} was written before the stop and fetched again");
    }
    assert!(!second.fetched.iter().any(|u| u.ends_with("/robots.txt")), "robots.txt comes from the mirror");
    assert_eq!(second.state("/p2"), (UrlState::Skipped, "crawl/robots".into()));
    assert_eq!(second.driver.progress().queued, 0);
    for i in [0, 1, 3, 19] {
        assert_eq!(second.state(&format!("/p{i}")), done());
    }
}

#[test]
fn what_a_stop_costs_stays_bounded_while_thousands_of_links_are_queued_and_writes_are_slow() {
    // A start page with 5,000 links and a store that takes 400 ms per write: before, fetched responses piled up
    // in memory behind the writes (a stop re-fetched 700-1,000 of them).
    let links: String = (0..5000).map(|i| format!(r#"<a href="/p{i}">p</a>"#)).collect();
    let mut pages = vec![("/".to_owned(), html(&links))];
    for i in 0..5000 {
        pages.push((format!("/p{i}"), html("<p>p</p>")));
    }
    let pages: Vec<(&str, Reply)> = pages.iter().map(|(p, r)| (p.as_str(), r.clone())).collect();
    let mut sim = Sim::with(
        driver(r#"{"maxPages": 100000, "maxConcurrency": 16}"#, false, Redirects::Manual),
        MemoryStore::new(),
        &pages,
    )
    .begin();
    sim.write_ms = 400;
    sim.latency = 5;
    sim.stop_after = Some(600);
    assert!(!sim.run());
    let bound = 2 * BATCH_CAPTURES as u64;
    assert!(
        sim.worst_unwritten <= bound,
        "up to {} responses were unwritten or in flight (bound {bound})",
        sim.worst_unwritten
    );
    // And the crawl still goes at a useful pace: not one request at a time.
    assert!(sim.worst_unwritten >= MAX_IN_FLIGHT as u64 / 2, "{}", sim.worst_unwritten);
}

#[test]
fn follow_mode_stores_the_final_url_and_a_host_refusal_skips_with_its_reason() {
    let d = driver(r#"{"ignoreRobots": true}"#, false, Redirects::Follow);
    let mut sim = Sim::with(d, MemoryStore::new(), &[("/", html("<p>home</p>"))]).begin();
    // A host that follows redirects reports the final URL.
    let home = start_page(&mut sim.driver);
    assert_eq!((home.purpose, home.redirect, home.credentials), (Purpose::Page, Redirects::Follow, "include"));
    let body = b"<p>moved</p>".to_vec();
    let r = Response {
        status: 200,
        headers: vec![("content-type".into(), "text/html".into())],
        url: Some("https://example.com/home/".into()),
        body: Some(&body),
        size: body.len() as u64,
        ..Response::default()
    };
    assert!(sim.driver.on_response(home.id, r, NOW));
    let batch = sim.driver.flush().expect("a batch");
    assert!(batch.captures.iter().any(|c| c.url == "https://example.com/home/" && c.response == Some(home.id)));
    // The same response refused by the host (the site worker's caching rules) is skipped with its reason.
    let mut d = driver(r#"{"ignoreRobots": true}"#, false, Redirects::Follow);
    d.begin(&[], None, 0);
    let t = start_page(&mut d);
    let r = Response {
        status: 200,
        refused: Some("precache/no-store: Cache-Control: no-store".into()),
        ..Response::default()
    };
    assert!(!d.on_response(t.id, r, NOW));
    let batch = d.flush().unwrap();
    assert!(batch.captures.is_empty());
    assert_eq!(batch.settle[0].reason.as_deref().map(code_of), Some("precache/no-store"));
}

#[test]
fn without_cookies_every_request_omits_credentials() {
    let options: CrawlOptions = serde_json::from_str("{}").unwrap();
    let policy = CrawlPolicy::new(SITE, options).unwrap();
    let mut d = Driver::new(
        policy,
        Host { source: "precache".into(), conditional: false, redirects: Redirects::Follow, cookies: false },
    );
    d.begin(&[], None, 0);
    let Step::Fetch(t) = d.next(NOW) else { panic!() };
    assert_eq!(t.credentials, "omit");
}

#[test]
fn only_documents_stylesheets_robots_and_sitemaps_are_read_by_the_engine() {
    let mut d = driver("{}", false, Redirects::Manual);
    d.begin(&[], None, 0);
    let t = start_page(&mut d);
    let h = |ct: &str| vec![("content-type".to_owned(), ct.to_owned())];
    assert!(d.wants_body(t.id, &h("text/html"), b"<p>"));
    assert!(d.wants_body(t.id, &h("text/css"), b"a{}"));
    assert!(!d.wants_body(t.id, &h("image/png"), b"\x89PNG"));
    assert!(!d.wants_body(t.id, &h("video/mp4"), b""));
    assert!(!d.wants_body(999, &h("text/html"), b""), "an unknown fetch");
}

// ---------------------------------------------------------------------------------------------------------------
// Rendering (issue 13): pages loaded where their scripts run, kept as the scripts left them.

fn rendering_sim(render: &str, pages: &[(&str, Reply)]) -> Sim {
    let options = format!(r#"{{"render": "{render}"}}"#);
    Sim::with(driver(&options, false, Redirects::Manual), MemoryStore::new(), pages).begin()
}

#[test]
fn a_rendering_crawl_keeps_each_page_as_scripts_left_it_and_follows_what_only_scripts_built() {
    let mut sim = rendering_sim(
        "always",
        &[
            ("/", html("<title>App</title><div id=root></div><script src=/app.js></script>")),
            ("/app.js", typed("text/javascript", "render()")),
            ("/spa-only", html("<title>Only a script links here</title>")),
            ("/api/data.json", typed("application/json", "{}")),
        ],
    );
    sim.dom.insert(
        "https://example.com/".into(),
        (
            "<title>App</title><div id=root><h1>Built</h1><a href=/spa-only>in</a></div>".into(),
            vec!["https://example.com/api/data.json".into()],
        ),
    );
    assert!(sim.run());
    // Every page is rendered (the start page and the one its script linked), never two more at once than allowed.
    assert_eq!(sim.rendered, ["https://example.com/", "https://example.com/spa-only"]);
    assert!(sim.worst_rendering <= MAX_RENDERS);
    assert_eq!(sim.state("/spa-only"), done(), "a page only the rendered DOM links to is crawled");
    assert_eq!(sim.state("/api/data.json"), done(), "what the page loaded while rendering is kept");
    // Replay serves the rendered copy for the page, made by the same crawl with its document.
    let served = block_on(sim.store.served("https://example.com/", When::Latest, Some("#rendered"))).unwrap().unwrap();
    let body = block_on(sim.store.payload(&served.digest)).unwrap().unwrap();
    assert!(String::from_utf8(body).unwrap().contains("<h1>Built</h1>"));
    assert_eq!(served.source, "crawl-1");
    let p = sim.driver.progress();
    assert_eq!((p.rendered, p.render_failed), (2, 0));
}

#[test]
fn by_default_nothing_is_rendered_and_a_failed_render_keeps_the_raw_page() {
    let pages = [("/", html("<a href=/a>a</a>")), ("/a", html("A"))];
    let mut sim = Sim::new(&pages).begin();
    assert!(sim.run());
    assert!(sim.rendered.is_empty());
    // A render that fails (the host's frame never answered) stores nothing more; the raw page stays served.
    let mut d = driver(r#"{"render": "always"}"#, false, Redirects::Manual);
    d.begin(&[], None, 0);
    let task = start_page(&mut d);
    let body = b"<title>Home</title>".to_vec();
    let r = Response {
        status: 200,
        headers: vec![("content-type".into(), "text/html".into())],
        body: Some(&body),
        size: 19,
        ..Response::default()
    };
    assert!(d.on_response(task.id, r, NOW));
    let Step::Render { id, url } = d.next(NOW) else { panic!("a render") };
    assert_eq!(url, "https://example.com/");
    assert!(!d.on_rendered(id, Rendered { html: None, resources: vec![], measure: None }, NOW));
    assert_eq!(d.progress().render_failed, 1);
    let Step::Write(batch) = d.next(NOW + 1000) else { panic!("a write") };
    assert_eq!(batch.captures.iter().map(|c| c.url.as_str()).collect::<Vec<_>>(), ["https://example.com/"]);
    d.written(batch.seeded);
    assert_eq!(d.next(NOW + 2000), Step::Done);
}

#[test]
fn a_render_cut_short_by_a_stop_is_done_by_the_resumed_crawl_without_fetching_the_page_again() {
    let pages = [("/", html("<title>Home</title><div id=root></div>")), ("/robots.txt", typed("text/plain", ""))];
    let mut first = rendering_sim("always", &pages);
    first.render_ms = Some(60_000);
    first.stop_mid_render = true;
    assert!(!first.run(), "stopped while the start page rendered");
    assert_eq!(first.rendered, ["https://example.com/"]);
    // What the stop leaves: the page stored as fetched, marked as still to render.
    let store = first.store;
    let frontier = block_on(store.frontier(SITE)).unwrap();
    let home = frontier.iter().find(|e| e.url == "https://example.com/").unwrap();
    assert_eq!((home.state, home.render), (UrlState::Done, true));

    let mut second = Sim::with(driver(r#"{"render": "always"}"#, false, Redirects::Manual), store, &pages);
    second.dom.insert("https://example.com/".into(), ("<title>Home</title><h1>Built</h1>".into(), vec![]));
    second.driver.begin(&frontier, Some(("", 200)), 0);
    assert!(second.run());
    assert_eq!(second.rendered, ["https://example.com/"], "the cut render is done again");
    assert!(second.fetched.is_empty(), "and nothing is fetched again: {:?}", second.fetched);
    let served = block_on(second.store.served("https://example.com/", When::Latest, Some("#rendered"))).unwrap();
    let body = block_on(second.store.payload(&served.expect("a rendered copy").digest)).unwrap().unwrap();
    assert!(String::from_utf8(body).unwrap().contains("<h1>Built</h1>"));
    let home = block_on(second.store.frontier(SITE)).unwrap().into_iter().find(|e| e.url == "https://example.com/");
    assert!(!home.unwrap().render, "the mark goes once the render is stored");
    // A crawl that doesn't render leaves such a page as it is.
    let mut third = Sim::with(driver("{}", false, Redirects::Manual), MemoryStore::new(), &pages);
    third.driver.begin(&frontier, Some(("", 200)), 0);
    assert!(third.run());
    assert!(third.rendered.is_empty());
}

#[test]
fn each_rendered_page_is_scored_once_its_rendered_copy_is_stored_and_the_crawl_ends_after_the_scores() {
    let pages = [("/", html("<a href=/a>a</a><a href=/b>b</a>")), ("/a", html("A")), ("/b", html("B"))];
    let mut sim = rendering_sim("always", &pages);
    assert!(sim.run());
    let mut scored = sim.scored.clone();
    scored.sort();
    let all = ["https://example.com/", "https://example.com/a", "https://example.com/b"];
    assert_eq!(scored, all.map(|u| (u.to_owned(), true)), "each with its rendered copy already stored");
    // `score: "never"`, or no rendering: nothing is scored.
    let options = r#"{"render": "always", "score": "never"}"#;
    let mut quiet = Sim::with(driver(options, false, Redirects::Manual), MemoryStore::new(), &pages).begin();
    assert!(quiet.run());
    assert_eq!((quiet.rendered.len(), quiet.scored.len()), (3, 0));
    let mut raw = Sim::new(&pages).begin();
    assert!(raw.run());
    assert!(raw.scored.is_empty());
    let refused = serde_json::from_str::<CrawlOptions>(r#"{"score": "some"}"#).unwrap_err().to_string();
    assert!(refused.contains("score must be \"every\", \"sample\" or \"never\""), "{refused}");
}

#[test]
fn auto_renders_a_template_only_while_rendering_shows_more_than_the_raw_html() {
    // Ten documentation pages that scripts leave as they are, ten app pages whose content scripts build.
    let mut pages: Vec<(String, Reply)> = Vec::new();
    let mut home = String::from("<title>Home</title>");
    for i in 0..10 {
        home.push_str(&format!("<a href=/docs/p{i}>d</a><a href=/app/{i}>a</a>"));
        pages.push((format!("/docs/p{i}"), html(&format!("<title>Doc {i}</title><p>{}</p>", "text ".repeat(100)))));
        pages.push((format!("/app/{i}"), html("<title>App</title><div id=root></div>")));
    }
    pages.push(("/".into(), html(&home)));
    let refs: Vec<(&str, Reply)> = pages.iter().map(|(p, r)| (p.as_str(), r.clone())).collect();
    let mut sim = rendering_sim("auto", &refs);
    for i in 0..10 {
        let content =
            format!("<title>App</title><div id=root><h1>Item {i}</h1><p>{}</p></div>", "built by script ".repeat(40));
        sim.dom.insert(format!("https://example.com/app/{i}"), (content, vec![]));
    }
    assert!(sim.run());
    let docs = sim.rendered.iter().filter(|u| u.contains("/docs/")).count();
    let apps = sim.rendered.iter().filter(|u| u.contains("/app/")).count();
    assert_eq!(docs, sitemirror::crawl::render::SAMPLES as usize, "docs: sampled, then left raw");
    assert_eq!(apps, 10, "app pages: every one rendered");
    assert_eq!(sim.state("/docs/p9"), done());
}

#[test]
fn a_render_is_refused_as_an_option_it_does_not_know() {
    let refused = serde_json::from_str::<CrawlOptions>(r#"{"render": "sometimes"}"#).unwrap_err().to_string();
    assert!(refused.contains("render must be \"never\", \"always\" or \"auto\""), "{refused}");
}

#[test]
fn render_templates_and_the_signal_auto_compares() {
    use sitemirror::crawl::render::{template, visible_text_len, Signal};
    // One template per directory, runs of digits alike; the page's own name and query don't matter.
    assert_eq!(template("https://e.com/posts/2026/11/a.html"), template("https://e.com/posts/2025/3/b.html?x=1"));
    assert_ne!(template("https://e.com/docs/a"), template("https://e.com/app/a"));
    assert_eq!(template("https://e.com/"), "https://e.com/");
    // Text outside tags, scripts, styles and comments, whitespace left out; a multi-byte character counts once.
    assert_eq!(visible_text_len(b"<p>ab c</p><script>x<y</script><STYLE>p{}</STYLE><!-- z --> \xc3\xa9"), 4);
    assert_eq!(visible_text_len(b"<script>never closed"), 0);
    let raw = Signal { text: 1000, pages: ["https://e.com/a".to_owned()].into() };
    let same = Signal { text: 1150, pages: raw.pages.clone() };
    assert!(!raw.differs(&same), "a clock or counter filled in is not content");
    assert!(raw.differs(&Signal { text: 1300, pages: raw.pages.clone() }), "over 10% and 200 characters more");
    assert!(raw.differs(&Signal { text: 1000, pages: ["https://e.com/b".to_owned()].into() }), "a new page link");
}
