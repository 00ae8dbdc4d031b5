//! The wasm engine inside a page of headless Chromium (wasm-bindgen-test-runner + chromedriver).
#![cfg(target_arch = "wasm32")]

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

#[path = "../common/mod.rs"]
mod common;
#[path = "shared.rs"]
mod shared;
#[path = "store.rs"]
mod store;
#[path = "../common/store_suite.rs"]
mod store_suite;
