//! Store behaviours, written once against the `Store` trait: the native runner feeds them a `MemoryStore`, the
//! wasm runners an `IdbStore` on real IndexedDB in a page and in a service worker.
#![allow(dead_code)]

use sitemirror::error::ErrorCode;
use sitemirror::store::{digest_of, NewBody, NewCapture, Site, Store, When};

pub const SITE: &str = "https://example.com/";

/// Runs a future of `MemoryStore` to completion: its futures never wait, so polling until ready is enough (the
/// native runners; the wasm runners await real IndexedDB instead).
pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    let mut f = std::pin::pin!(f);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    loop {
        if let std::task::Poll::Ready(out) = f.as_mut().poll(&mut cx) {
            return out;
        }
    }
}

pub fn capture(url: &str, at: u64, status: u16, body: &[u8]) -> NewCapture {
    NewCapture {
        site: SITE.into(),
        url: url.into(),
        at,
        status,
        headers: vec![("content-type".into(), "text/html; charset=utf-8".into())],
        body: NewBody::Bytes(body.to_vec()),
        source: "visit".into(),
    }
}

pub fn with_header(mut c: NewCapture, name: &str, value: &str) -> NewCapture {
    c.headers.push((name.into(), value.into()));
    c
}

pub async fn versions_are_kept_and_the_latest_is_served(s: &impl Store) {
    let url = "https://example.com/page";
    s.put_captures(vec![capture(url, 1000, 200, b"v1"), capture(url, 3000, 200, b"v3")]).await.unwrap();
    s.put_captures(vec![capture(url, 2000, 200, b"v2")]).await.unwrap();
    let versions = s.versions(url).await.unwrap();
    assert_eq!(versions.iter().map(|c| c.at).collect::<Vec<_>>(), [3000, 2000, 1000], "newest first");
    let body = |c: Option<sitemirror::store::Capture>| async move {
        s.payload(&c.expect("a version").digest).await.unwrap().expect("its body")
    };
    assert_eq!(body(s.lookup(url, When::Latest).await.unwrap()).await, b"v3");
    assert_eq!(body(s.lookup(url, When::Exact(2000)).await.unwrap()).await, b"v2");
    assert_eq!(body(s.lookup(url, When::Closest(1400)).await.unwrap()).await, b"v1");
    assert_eq!(body(s.lookup(url, When::Closest(2600)).await.unwrap()).await, b"v3");
    assert_eq!(s.lookup(url, When::Exact(2500)).await.unwrap(), None);
    assert_eq!(s.lookup("https://example.com/other", When::Latest).await.unwrap(), None);
}

pub async fn identical_bodies_are_stored_once(s: &impl Store) {
    let shared = vec![7u8; 10_000];
    s.put_captures(vec![
        capture("https://example.com/a", 1, 200, &shared),
        capture("https://example.com/b", 1, 200, &shared),
    ])
    .await
    .unwrap();
    s.put_captures(vec![capture("https://example.com/a", 2, 200, &shared)]).await.unwrap();
    let t = s.totals().await.unwrap();
    assert_eq!((t.captures, t.payloads, t.bytes), (3, 1, 10_000));
}

pub async fn deleting_frees_exactly_the_unshared_payloads(s: &impl Store) {
    let (x, y) = (b"shared body".to_vec(), b"only in a".to_vec());
    let mut other_site = capture("https://other.example/x", 1, 200, &x);
    other_site.site = "https://other.example/".into();
    let stored = s
        .put_captures(vec![
            capture("https://example.com/x", 1, 200, &x),
            capture("https://example.com/y", 1, 200, &y),
            other_site,
        ])
        .await
        .unwrap();
    // One version goes: its body stays while another capture uses it.
    s.delete_capture(stored[0].id).await.unwrap();
    assert!(s.payload(&digest_of(&x)).await.unwrap().is_some());
    assert_eq!(s.versions("https://example.com/x").await.unwrap().len(), 0);
    // The whole site goes: its own body too, the other site's stays.
    s.delete_site(SITE).await.unwrap();
    assert_eq!(s.payload(&digest_of(&y)).await.unwrap(), None);
    assert_eq!(s.payload(&digest_of(&x)).await.unwrap(), Some(x.clone()));
    assert_eq!(s.site_captures(SITE).await.unwrap().len(), 0);
    assert_eq!(s.site_captures("https://other.example/").await.unwrap().len(), 1);
    s.delete_site("https://other.example/").await.unwrap();
    let t = s.totals().await.unwrap();
    assert_eq!((t.captures, t.payloads, t.bytes), (0, 0, 0));
}

pub async fn error_responses_never_replace_a_good_version(s: &impl Store) {
    let url = "https://example.com/flaky";
    s.put_captures(vec![capture(url, 1, 200, b"good"), capture(url, 2, 503, b"down")]).await.unwrap();
    let latest = s.lookup(url, When::Latest).await.unwrap().unwrap();
    assert_eq!((latest.at, latest.status), (1, 200));
    assert_eq!(s.versions(url).await.unwrap().len(), 2, "the 503 is recorded");
    let only_404 = "https://example.com/missing";
    s.put_captures(vec![capture(only_404, 5, 404, b"nope")]).await.unwrap();
    assert_eq!(s.lookup(only_404, When::Latest).await.unwrap().unwrap().status, 404);
}

pub async fn redirects_are_followed_and_loops_end(s: &impl Store) {
    s.put_captures(vec![
        with_header(capture("https://example.com/old", 1, 301, b""), "location", "/new?x=1#frag"),
        capture("https://example.com/new?x=1", 1, 200, b"new"),
        with_header(capture("https://example.com/a", 1, 302, b""), "location", "https://example.com/b"),
        with_header(capture("https://example.com/b", 1, 302, b""), "location", "/a"),
    ])
    .await
    .unwrap();
    let target = s.resolve("https://example.com/old", When::Latest).await.unwrap().unwrap();
    assert_eq!((target.url.as_str(), target.status), ("https://example.com/new?x=1", 200));
    let looped = s.resolve("https://example.com/a", When::Latest).await.unwrap().unwrap();
    assert_eq!(looped.status, 302, "a loop ends at a redirect instead of spinning");
}

pub async fn not_modified_adds_a_version_without_new_bytes(s: &impl Store) {
    let url = "https://example.com/cached";
    let first = s
        .put_captures(vec![with_header(capture(url, 1, 200, &[1u8; 5000]), "etag", "\"abc\"")])
        .await
        .unwrap()
        .remove(0);
    assert_eq!(first.validators(), (Some("\"abc\""), None));
    let before = s.totals().await.unwrap();
    let mut again = with_header(capture(url, 2, 200, b""), "etag", "\"abc\"");
    again.body = NewBody::Unchanged { digest: first.digest.clone() };
    let second = s.put_captures(vec![again]).await.unwrap().remove(0);
    assert_eq!((second.digest.as_str(), second.size), (first.digest.as_str(), 5000));
    let after = s.totals().await.unwrap();
    assert_eq!((after.captures, after.payloads, after.bytes), (before.captures + 1, before.payloads, before.bytes));
    assert_eq!(s.versions(url).await.unwrap().len(), 2);
}

pub async fn a_failing_batch_writes_nothing(s: &impl Store) {
    // The store under test refuses bodies over 1,000 bytes.
    let url = "https://example.com/batch";
    let err = s
        .put_captures(vec![capture(url, 1, 200, b"fine"), capture("https://example.com/huge", 1, 200, &[0u8; 2000])])
        .await
        .unwrap_err();
    assert_eq!(err.code(), "store/too-large");
    assert_eq!(s.versions(url).await.unwrap().len(), 0, "the good half of the batch was not kept");
    let mut unknown = capture(url, 2, 200, b"");
    unknown.body = NewBody::Unchanged { digest: digest_of(b"never stored") };
    let err = s.put_captures(vec![capture(url, 1, 200, b"fine"), unknown]).await.unwrap_err();
    assert_eq!(err.code(), "store/missing-payload");
    let t = s.totals().await.unwrap();
    assert_eq!((t.captures, t.payloads), (0, 0));
}

pub async fn quota_exhaustion_is_a_clear_error_and_loses_nothing(s: &impl Store) {
    // The store under test has a 10,000-byte budget.
    s.put_captures(vec![capture("https://example.com/1", 1, 200, &[1u8; 6000])]).await.unwrap();
    let err = s.put_captures(vec![capture("https://example.com/2", 1, 200, &[2u8; 6000])]).await.unwrap_err();
    assert_eq!(err.code(), "store/quota-exceeded");
    assert!(err.to_string().contains("nothing was written"), "{err}");
    assert_eq!(s.versions("https://example.com/2").await.unwrap().len(), 0);
    let kept = s.lookup("https://example.com/1", When::Latest).await.unwrap().unwrap();
    assert_eq!(s.payload(&kept.digest).await.unwrap().unwrap().len(), 6000);
    // A duplicate body costs nothing, so it still fits.
    s.put_captures(vec![capture("https://example.com/3", 1, 200, &[1u8; 6000])]).await.unwrap();
}

pub async fn sites_pages_and_usage(s: &impl Store) {
    let site = Site { id: SITE.into(), start_url: SITE.into(), created: 1, updated: 2, settings: Default::default() };
    s.put_site(&site).await.unwrap();
    assert_eq!(s.site(SITE).await.unwrap(), Some(site.clone()));
    assert_eq!(s.sites().await.unwrap(), vec![site]);
    let mut css = capture("https://example.com/s.css", 1, 200, b"a{}");
    css.headers = vec![("content-type".into(), "text/css".into())];
    s.put_captures(vec![
        capture("https://example.com/", 1, 200, b"home v1"),
        capture("https://example.com/", 2, 200, b"home v2"),
        capture("https://example.com/gone", 1, 404, b"404"),
        capture("https://example.com/dup", 1, 200, b"home v2"),
        capture("https://example.com/#rendered", 2, 200, b"home v2 as rendered"),
        css,
    ])
    .await
    .unwrap();
    let pages = s.pages(SITE).await.unwrap();
    let urls: Vec<(&str, u64)> = pages.iter().map(|c| (c.url.as_str(), c.at)).collect();
    assert_eq!(urls, [("https://example.com/", 2), ("https://example.com/dup", 1)]);
    let usage = s.usage(SITE).await.unwrap();
    assert_eq!(usage.captures, 6);
    assert_eq!(usage.bytes, (7 + 7 + 3 + 19 + 3) as u64, "distinct bodies only");
}

pub fn entry(url: &str, depth: u32) -> sitemirror::store::FrontierEntry {
    sitemirror::store::FrontierEntry {
        site: SITE.into(),
        url: url.into(),
        depth,
        page: true,
        state: sitemirror::store::UrlState::Queued,
        reason: None,
        updated: 0,
        run: 0,
        render: false,
    }
}

pub async fn the_frontier_resumes_without_losing_or_refetching(s: &impl Store) {
    use sitemirror::store::{FrontierCounts, Settle, UrlState};
    let deep = "https://example.com/deep";
    let added = s
        .enqueue(vec![entry(deep, 2), entry("https://example.com/", 0), entry("https://example.com/a", 1)])
        .await
        .unwrap();
    assert_eq!(added, 3);
    let batch = s.queued(SITE, 2).await.unwrap();
    assert_eq!(
        batch.iter().map(|e| e.url.as_str()).collect::<Vec<_>>(),
        ["https://example.com/", "https://example.com/a"]
    );
    let settle = |url: &str, state, reason: Option<&str>| Settle {
        site: SITE.into(),
        url: url.into(),
        state,
        reason: reason.map(Into::into),
        at: 9,
        render: false,
    };
    // The first page is fetched: its capture, the link found in it and its "done" land together.
    s.record(
        vec![capture("https://example.com/", 9, 200, b"home")],
        vec![settle("https://example.com/", UrlState::Done, None)],
        vec![entry("https://example.com/found", 1), entry("https://example.com/a", 1)],
    )
    .await
    .unwrap();
    s.record(vec![], vec![settle(deep, UrlState::Skipped, Some("crawl/robots: disallowed by robots.txt"))], vec![])
        .await
        .unwrap();
    // Links found again (by a resumed crawl) don't reset what is known.
    assert_eq!(s.enqueue(vec![entry("https://example.com/", 0), entry(deep, 2)]).await.unwrap(), 0);
    let next = s.queued(SITE, 10).await.unwrap();
    assert_eq!(
        next.iter().map(|e| e.url.as_str()).collect::<Vec<_>>(),
        ["https://example.com/a", "https://example.com/found"]
    );
    let counts = s.frontier_counts(SITE).await.unwrap();
    assert_eq!(counts, FrontierCounts { queued: 2, done: 1, failed: 0, skipped: 1 });
    let skipped = s.frontier(SITE).await.unwrap().into_iter().find(|e| e.url == deep).unwrap();
    assert_eq!(skipped.reason.as_deref(), Some("crawl/robots: disallowed by robots.txt"));
    // A page stored with its render still to come keeps that mark until a later settle clears it.
    let home = "https://example.com/";
    let rendering = |render| Settle { render, ..settle(home, UrlState::Done, None) };
    s.record(vec![], vec![rendering(true)], vec![]).await.unwrap();
    let marked = |all: Vec<sitemirror::store::FrontierEntry>| all.into_iter().find(|e| e.url == home).unwrap().render;
    assert!(marked(s.frontier(SITE).await.unwrap()));
    s.record(vec![], vec![rendering(false)], vec![]).await.unwrap();
    assert!(!marked(s.frontier(SITE).await.unwrap()));
    // A failing batch settles nothing either.
    let mut bad = capture("https://example.com/a", 10, 200, b"");
    bad.body = NewBody::Unchanged { digest: digest_of(b"unknown") };
    let lost = entry("https://example.com/lost", 2);
    assert!(s
        .record(vec![bad], vec![settle("https://example.com/a", UrlState::Done, None)], vec![lost])
        .await
        .is_err());
    assert_eq!(s.frontier_counts(SITE).await.unwrap().queued, 2, "nothing of a failed batch is kept");
    s.clear_frontier(SITE).await.unwrap();
    assert_eq!(s.frontier(SITE).await.unwrap().len(), 0);
    s.enqueue(vec![entry("https://example.com/x", 0)]).await.unwrap();
    s.delete_site(SITE).await.unwrap();
    assert_eq!(s.frontier(SITE).await.unwrap().len(), 0, "deleting a site forgets its crawl");
}

pub async fn pruning_to_a_budget_drops_old_versions_first(s: &impl Store) {
    let (a, b, c) = ("https://example.com/a", "https://example.com/b", "https://example.com/c");
    let shared = vec![1u8; 100];
    s.put_captures(vec![
        capture(a, 1, 200, &[10u8; 100]),
        capture(a, 2, 200, &shared), // an old version whose body the latest of c also uses: frees nothing
        capture(a, 3, 200, &[30u8; 100]),
        capture(a, 4, 503, &[40u8; 100]), // newer, but an error: the 200 at 3 is what lookups serve
        capture(b, 5, 200, &[50u8; 100]),
        capture(c, 6, 200, &shared),
    ])
    .await
    .unwrap();
    assert_eq!(s.totals().await.unwrap().bytes, 500);
    let nothing = s.prune(SITE, 500).await.unwrap();
    assert_eq!((nothing.captures, nothing.bytes), (0, 0), "within budget: nothing to do");

    let pruned = s.prune(SITE, 300).await.unwrap();
    assert_eq!((pruned.captures, pruned.bytes), (3, 200), "a@1, a@2 (shared, frees nothing), a@4");
    let at = |v: Vec<sitemirror::store::Capture>| v.iter().map(|c| c.at).collect::<Vec<_>>();
    assert_eq!(at(s.versions(a).await.unwrap()), [3]);
    assert_eq!(s.lookup(a, When::Latest).await.unwrap().unwrap().at, 3, "what was served still is");
    assert_eq!(s.payload(&digest_of(&shared)).await.unwrap(), Some(shared.clone()), "c still uses it");
    assert_eq!(s.totals().await.unwrap().bytes, 300);

    // Old versions are gone: whole URLs go next, least recently captured first.
    let pruned = s.prune(SITE, 150).await.unwrap();
    assert_eq!((pruned.captures, pruned.bytes), (2, 200));
    assert_eq!(s.lookup(a, When::Latest).await.unwrap(), None);
    assert_eq!(s.lookup(b, When::Latest).await.unwrap(), None);
    assert_eq!(s.lookup(c, When::Latest).await.unwrap().unwrap().at, 6, "the newest page stays");
}

/// A capture made by `source` (`visit`, `dom`, `crawl-…`, `import:<file>`).
pub fn from(source: &str, mut c: NewCapture) -> NewCapture {
    c.source = source.into();
    c
}

/// Issue 11 item 4: an imported archive never silently overrides the user's own captures. The latest served is the
/// user's own (a visit or a crawl), whatever the archive's dates; an imported version is served when it is the only
/// kind, or when it is asked for by its time.
pub async fn own_captures_are_served_before_imported_ones(s: &impl Store) {
    let body = |c: Option<sitemirror::store::Capture>| async move {
        String::from_utf8(s.payload(&c.expect("a version").digest).await.unwrap().expect("its body")).unwrap()
    };
    let url = "https://example.com/account";
    s.put_captures(vec![
        from("visit", capture(url, 1000, 200, b"visited")),
        from("crawl-abc", capture(url, 2000, 200, b"crawled")),
        from("import:evil.warc.gz", capture(url, 9000, 200, b"planted")),
        from("import", capture(url, 8000, 200, b"imported before files were named")),
    ])
    .await
    .unwrap();
    assert_eq!(body(s.lookup(url, When::Latest).await.unwrap()).await, "crawled", "the newest of the user's own");
    assert_eq!(body(s.resolve(url, When::Latest).await.unwrap()).await, "crawled");
    assert_eq!(body(s.served(url, When::Latest, Some("#rendered")).await.unwrap()).await, "crawled");
    // Asked for by time, an imported version is what it is.
    assert_eq!(body(s.lookup(url, When::Exact(9000)).await.unwrap()).await, "planted");
    assert_eq!(body(s.lookup(url, When::Closest(8900)).await.unwrap()).await, "planted");
    assert_eq!(body(s.lookup(url, When::Closest(1900)).await.unwrap()).await, "crawled");
    assert_eq!(s.versions(url).await.unwrap().len(), 4, "every version is kept and listed");

    // Dated exactly like one of the user's own, an imported version still doesn't take its place.
    let tie = "https://example.com/tie";
    s.put_captures(vec![
        from("crawl-abc", capture(tie, 5000, 200, b"crawled")),
        from("import:evil.warc.gz", capture(tie, 5000, 200, b"planted")),
    ])
    .await
    .unwrap();
    assert_eq!(body(s.lookup(tie, When::Exact(5000)).await.unwrap()).await, "crawled");
    assert_eq!(body(s.lookup(tie, When::Closest(5000)).await.unwrap()).await, "crawled");

    // The user's own 404 is the user's own: a good imported page doesn't replace it by default.
    let gone = "https://example.com/gone";
    s.put_captures(vec![
        from("visit", capture(gone, 1000, 404, b"not found")),
        from("import:evil.warc.gz", capture(gone, 2000, 200, b"planted")),
    ])
    .await
    .unwrap();
    assert_eq!(body(s.lookup(gone, When::Latest).await.unwrap()).await, "not found");

    // Only imported versions: the newest good one is served.
    let only = "https://example.com/only-imported";
    s.put_captures(vec![
        from("import:a.wacz", capture(only, 1000, 200, b"older")),
        from("import:b.warc", capture(only, 2000, 200, b"newer")),
        from("import:b.warc", capture(only, 3000, 500, b"error")),
    ])
    .await
    .unwrap();
    assert_eq!(body(s.lookup(only, When::Latest).await.unwrap()).await, "newer");

    // The site's page list and pruning agree with what is served.
    let page = s.pages(SITE).await.unwrap().into_iter().find(|p| p.url == url).expect("a page");
    assert_eq!((page.at, page.source.as_str()), (2000, "crawl-abc"));
    let total = s.totals().await.unwrap().bytes;
    s.prune(SITE, total - 1).await.unwrap();
    assert_eq!(body(s.lookup(url, When::Latest).await.unwrap()).await, "crawled", "pruning keeps what is served");
}

/// Issue 11 item 4: a page's rendered copy (`<url>#rendered`) replaces the document only when it was made with that
/// very document: by the same source (a visit's copy is stored as `dom`), at its time or after, before the document's
/// next version. A `#rendered` record an archive planted beside a crawled page is never served in its place.
pub async fn a_rendered_copy_only_goes_with_the_document_it_was_made_with(s: &impl Store) {
    let served = |url: &'static str, when| async move {
        let c = s.served(url, when, Some("#rendered")).await.unwrap().expect("a version");
        assert_eq!(c.url, url, "served under the document's URL");
        String::from_utf8(s.payload(&c.digest).await.unwrap().unwrap()).unwrap()
    };
    // A crawled page, and a rendered copy from an imported archive, dated after it.
    let crawled = "https://example.com/crawled";
    s.put_captures(vec![
        from("crawl-abc", capture(crawled, 1000, 200, b"crawled page")),
        from("import:evil.warc.gz", capture(&format!("{crawled}#rendered"), 1500, 200, b"planted copy")),
    ])
    .await
    .unwrap();
    assert_eq!(served(crawled, When::Latest).await, "crawled page");
    assert_eq!(served(crawled, When::Closest(1500)).await, "crawled page");

    // A visit and its rendered copy (`dom`), made together: the copy is served, for that version only.
    let visited = "https://example.com/visited";
    s.put_captures(vec![
        from("visit", capture(visited, 1000, 200, b"raw v1")),
        from("dom", capture(&format!("{visited}#rendered"), 1000, 200, b"rendered v1")),
        from("visit", capture(visited, 2000, 200, b"raw v2")),
        from("visit", capture(visited, 3000, 200, b"raw v3")),
        from("dom", capture(&format!("{visited}#rendered"), 3100, 200, b"rendered v3")),
    ])
    .await
    .unwrap();
    assert_eq!(served(visited, When::Latest).await, "rendered v3");
    assert_eq!(served(visited, When::Closest(1000)).await, "rendered v1");
    assert_eq!(served(visited, When::Closest(2000)).await, "raw v2", "v3's copy came after v2's next version");
    // Without asking for the rendered copy, the document as it was served.
    let raw = s.served(visited, When::Latest, None).await.unwrap().unwrap();
    assert_eq!(s.payload(&raw.digest).await.unwrap().unwrap(), b"raw v3");

    // An archive's page and its rendered copy (as our export writes them) come back together; another file's copy
    // doesn't go with it.
    let archived = "https://example.com/archived";
    s.put_captures(vec![
        from("import:site.wacz", capture(archived, 1000, 200, b"archived raw")),
        from("import:site.wacz", capture(&format!("{archived}#rendered"), 1000, 200, b"archived rendered")),
        from("import:site.wacz", capture(archived, 2000, 200, b"archived raw v2")),
        from("import:other.warc", capture(&format!("{archived}#rendered"), 2000, 200, b"other file's copy")),
    ])
    .await
    .unwrap();
    assert_eq!(served(archived, When::Closest(1000)).await, "archived rendered");
    assert_eq!(served(archived, When::Latest).await, "archived raw v2");

    // Redirects are followed to the document whose copy is looked for; a non-HTML document has none.
    s.put_captures(vec![with_header(capture("https://example.com/old", 1, 301, b""), "location", "/visited")])
        .await
        .unwrap();
    let via = s.served("https://example.com/old", When::Latest, Some("#rendered")).await.unwrap().unwrap();
    assert_eq!((via.url.as_str(), s.payload(&via.digest).await.unwrap().unwrap()), (visited, b"rendered v3".to_vec()));
    let mut css = from("visit", capture("https://example.com/s.css", 1, 200, b"a{}"));
    css.headers = vec![("content-type".into(), "text/css".into())];
    s.put_captures(vec![css, from("visit", capture("https://example.com/s.css#rendered", 1, 200, b"no"))])
        .await
        .unwrap();
    let c = s.served("https://example.com/s.css", When::Latest, Some("#rendered")).await.unwrap().unwrap();
    assert_eq!(s.payload(&c.digest).await.unwrap().unwrap(), b"a{}");
}

pub async fn a_score_is_kept_with_the_version_it_was_made_for(s: &impl Store) {
    use sitemirror::store::Fidelity;
    let url = "https://example.com/page";
    let f = Fidelity { viewport_match: 0.625, text_match: 0.98, resources: 12, missing: 3, at: 40 };
    assert!(!s.score(url, f).await.unwrap(), "no version, nothing scored");
    s.put_captures(vec![capture(url, 10, 200, b"v1")]).await.unwrap();
    s.put_captures(vec![capture(url, 20, 200, b"v2")]).await.unwrap();
    assert!(s.score(url, f).await.unwrap());
    let versions = s.captures_of(url).await.unwrap();
    assert_eq!(versions.iter().map(|c| c.fidelity).collect::<Vec<_>>(), [None, Some(f)], "the latest version's");
    assert_eq!(s.pages(SITE).await.unwrap()[0].fidelity, Some(f), "shown with the page");
    // A newer version has no score of its own until it is scored.
    s.put_captures(vec![capture(url, 30, 200, b"v3")]).await.unwrap();
    assert_eq!(s.lookup(url, When::Latest).await.unwrap().unwrap().fidelity, None);
    let gone = versions[0].id;
    s.delete_capture(gone).await.unwrap();
    assert!(!s.set_fidelity(gone, f).await.unwrap(), "a deleted version is not brought back");
    assert_eq!(s.captures_of(url).await.unwrap().len(), 2);
}
