//! The wasm engine inside a service worker of headless Chromium — where the extension and the site worker run it.
#![cfg(target_arch = "wasm32")]

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_service_worker);

#[path = "../common/mod.rs"]
mod common;
#[path = "shared.rs"]
mod shared;
#[path = "store.rs"]
mod store;
#[path = "../common/store_suite.rs"]
mod store_suite;
