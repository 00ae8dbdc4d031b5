//! The store behaviours (tests/common/store_suite.rs) against `MemoryStore`, plus its consistency checks.
#![cfg(not(target_arch = "wasm32"))]

#[path = "../common/store_suite.rs"]
mod suite;

use sitemirror::store::MemoryStore;
use suite::block_on;

macro_rules! store_tests {
    ($($name:ident => $store:expr;)*) => {$(
        #[test]
        fn $name() {
            let store = $store;
            block_on(suite::$name(&store));
            assert!(store.is_consistent(), "payload references are off after {}", stringify!($name));
        }
    )*};
}

store_tests! {
    versions_are_kept_and_the_latest_is_served => MemoryStore::new();
    identical_bodies_are_stored_once => MemoryStore::new();
    deleting_frees_exactly_the_unshared_payloads => MemoryStore::new();
    error_responses_never_replace_a_good_version => MemoryStore::new();
    redirects_are_followed_and_loops_end => MemoryStore::new();
    not_modified_adds_a_version_without_new_bytes => MemoryStore::new();
    a_failing_batch_writes_nothing => MemoryStore::new().with_max_body(1000);
    quota_exhaustion_is_a_clear_error_and_loses_nothing => MemoryStore::new().with_budget(10_000);
    sites_pages_and_usage => MemoryStore::new();
    the_frontier_resumes_without_losing_or_refetching => MemoryStore::new();
    pruning_to_a_budget_drops_old_versions_first => MemoryStore::new();
    own_captures_are_served_before_imported_ones => MemoryStore::new();
    a_rendered_copy_only_goes_with_the_document_it_was_made_with => MemoryStore::new();
    a_score_is_kept_with_the_version_it_was_made_for => MemoryStore::new();
}
