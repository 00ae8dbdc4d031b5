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
            assert!(
                s.payload(&c.digest).await.unwrap().is_some(),
                "{} points at a missing body",
                c.url
            );
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
}

#[wasm_bindgen_test]
async fn captures_survive_reopening_the_database() {
    let (s, name) = fresh().await;
    s.put_captures(vec![suite::capture(
        "https://example.com/kept",
        7,
        200,
        b"persisted",
    )])
    .await
    .unwrap();
    s.close();
    let reopened = IdbStore::open(&name).await.unwrap();
    let c = reopened
        .lookup("https://example.com/kept", When::Latest)
        .await
        .unwrap()
        .expect("still there");
    assert_eq!(
        reopened.payload(&c.digest).await.unwrap().unwrap(),
        b"persisted"
    );
    assert_eq!(reopened.totals().await.unwrap().bytes, 9);
    assert_eq!(SCHEMA_VERSION, 1);
    reopened.close();
}
