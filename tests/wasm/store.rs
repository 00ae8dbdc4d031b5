//! The store behaviours (tests/common/store_suite.rs) against `IdbStore` on the browser's real IndexedDB, plus
//! what only a persistent store can show: data survives reopening, and no capture ever points at a missing body.

use super::store_suite as suite;
use sitemirror::store::{IdbStore, Store, When, SCHEMA_VERSION};
use wasm_bindgen_test::wasm_bindgen_test;

/// A database of its own for each test.
async fn fresh() -> (IdbStore, String) {
    let name = format!("sitemirror-test-{}", js_sys::Math::random().to_bits());
    (IdbStore::open(&name).await.expect("IndexedDB opens"), name)
}

/// Every capture of the suite's sites has its body.
async fn assert_consistent(s: &IdbStore) {
    for site in [suite::SITE, "https://other.example/"] {
        for c in s.site_captures(site).await.unwrap() {
            assert!(s.payload(&c.digest).await.unwrap().is_some(), "{} points at a missing body", c.url);
        }
    }
}

macro_rules! idb_tests {
    ($($name:ident => |$s:ident| $configure:expr;)*) => {$(
        #[wasm_bindgen_test]
        async fn $name() {
            let ($s, _) = fresh().await;
            let store = $configure;
            suite::$name(&store).await;
            assert_consistent(&store).await;
            store.close();
        }
    )*};
}

idb_tests! {
    versions_are_kept_and_the_latest_is_served => |s| s;
    identical_bodies_are_stored_once => |s| s;
    deleting_frees_exactly_the_unshared_payloads => |s| s;
    error_responses_never_replace_a_good_version => |s| s;
    redirects_are_followed_and_loops_end => |s| s;
    not_modified_adds_a_version_without_new_bytes => |s| s;
    a_failing_batch_writes_nothing => |s| s.with_max_body(1000);
    quota_exhaustion_is_a_clear_error_and_loses_nothing => |s| s.with_budget(10_000);
    sites_pages_and_usage => |s| s;
    the_frontier_resumes_without_losing_or_refetching => |s| s;
    pruning_to_a_budget_drops_old_versions_first => |s| s;
    own_captures_are_served_before_imported_ones => |s| s;
    a_rendered_copy_only_goes_with_the_document_it_was_made_with => |s| s;
    a_score_is_kept_with_the_version_it_was_made_for => |s| s;
}

#[wasm_bindgen_test]
async fn captures_survive_reopening_the_database() {
    let (s, name) = fresh().await;
    s.put_captures(vec![suite::capture("https://example.com/kept", 7, 200, b"persisted")]).await.unwrap();
    s.close();
    let reopened = IdbStore::open(&name).await.unwrap();
    let c = reopened.lookup("https://example.com/kept", When::Latest).await.unwrap().expect("still there");
    assert_eq!(reopened.payload(&c.digest).await.unwrap().unwrap(), b"persisted");
    assert_eq!(reopened.totals().await.unwrap().bytes, 9);
    reopened.close();
}

fn wasm_memory_bytes() -> f64 {
    let memory: js_sys::WebAssembly::Memory = wasm_bindgen::memory().into();
    js_sys::ArrayBuffer::from(memory.buffer()).byte_length() as f64
}

#[wasm_bindgen_test]
async fn a_50_mb_blob_is_stored_and_read_back_outside_wasm_memory() {
    use sitemirror::store::{NewBody, NewCapture};
    use wasm_bindgen::JsCast;
    let (s, _) = fresh().await;
    const SIZE: u32 = 50 << 20;
    // Made in JS memory: a pattern, so a truncated or zeroed read-back is caught.
    let bytes = js_sys::Uint8Array::new_with_length(SIZE);
    for i in (0..SIZE).step_by(4096) {
        bytes.set_index(i, (i / 4096 % 251) as u8);
    }
    let parts = js_sys::Array::of1(&bytes);
    let blob = web_sys::Blob::new_with_u8_array_sequence(&parts).unwrap();
    let before = wasm_memory_bytes();
    let (digest, size) = IdbStore::browser_digest(&blob).await.unwrap();
    assert_eq!(size, SIZE as u64);
    let stored = s
        .put_captures(vec![NewCapture {
            site: suite::SITE.into(),
            url: "https://example.com/video.mp4".into(),
            at: 1,
            status: 200,
            headers: vec![("content-type".into(), "video/mp4".into())],
            body: NewBody::Browser { body: blob.into(), digest: digest.clone(), size },
            source: "visit".into(),
        }])
        .await
        .unwrap();
    assert_eq!(stored[0].size, SIZE as u64);
    let back: web_sys::Blob =
        s.stored_body(&digest).await.unwrap().expect("stored").dyn_into().expect("kept as a Blob");
    assert_eq!(back.size() as u32, SIZE);
    assert_eq!(IdbStore::browser_digest(&back.into()).await.unwrap().0, digest, "the same bytes come back");
    let grown = wasm_memory_bytes() - before;
    assert!(grown < (4 << 20) as f64, "wasm memory grew by {grown} bytes");
    assert_eq!(s.totals().await.unwrap().bytes, SIZE as u64);
    s.close();
}

#[wasm_bindgen_test]
async fn a_version_1_database_is_upgraded_with_its_data() {
    let name = format!("sitemirror-upgrade-{}", js_sys::Math::random().to_bits());
    let v1 = IdbStore::open_at(&name, 1).await.unwrap();
    v1.put_captures(vec![suite::capture("https://example.com/old", 1, 200, b"from v1")]).await.unwrap();
    v1.close();
    let current = IdbStore::open(&name).await.unwrap();
    assert_eq!(SCHEMA_VERSION, 2);
    let c = current.lookup("https://example.com/old", When::Latest).await.unwrap().expect("v1 data kept");
    assert_eq!(current.payload(&c.digest).await.unwrap().unwrap(), b"from v1");
    // The step v1 → v2 added the frontier.
    assert_eq!(current.enqueue(vec![suite::entry("https://example.com/new", 0)]).await.unwrap(), 1);
    current.close();
}

#[wasm_bindgen_test]
async fn replay_reads_the_version_its_redirects_and_the_rendered_page_in_one_go() {
    use wasm_bindgen::JsCast;
    let (s, _) = fresh().await;
    let page = "https://example.com/page";
    s.put_captures(vec![
        suite::with_header(suite::capture("https://example.com/old", 1, 301, b""), "location", "/page"),
        suite::capture(page, 1000, 200, b"raw v1"),
        suite::capture(page, 3000, 200, b"raw v3"),
        suite::capture(&format!("{page}#rendered"), 1000, 200, b"rendered v1"),
    ])
    .await
    .unwrap();
    let text =
        |body: wasm_bindgen::JsValue| String::from_utf8(body.unchecked_into::<js_sys::Uint8Array>().to_vec()).unwrap();
    let (c, body) = s.replay("https://example.com/old", When::Latest, None).await.unwrap().unwrap();
    assert_eq!((c.url.as_str(), c.at, text(body).as_str()), (page, 3000, "raw v3"), "redirect followed, latest");
    let (c, body) = s.replay(page, When::Closest(900), Some("#rendered")).await.unwrap().unwrap();
    assert_eq!(
        (c.url.as_str(), text(body).as_str()),
        (page, "rendered v1"),
        "the rendered companion, under the page's URL"
    );
    let (_, body) = s.replay(page, When::Latest, Some("#rendered")).await.unwrap().unwrap();
    assert_eq!(text(body), "raw v3", "a rendered copy older than the version served is not used");
    assert!(s.replay("https://example.com/none", When::Latest, None).await.unwrap().is_none());
    s.close();
}
