//! One code registry: every error and reason code is defined once — the engine's in `crate/src/codes.rs`, the
//! JavaScript hosts' own in `lib/shared.js` (`ErrorCode`) — and documented in docs/engine-api.md. These tests read
//! the sources as text: a code written as a literal anywhere else, or a code the docs don't list, fails them.
#![cfg(not(target_arch = "wasm32"))]

use sitemirror::codes;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The areas codes live in (`area/what`). Message types share some areas (`crawl/start`); they are defined once
/// too, in extension/messages.js (`MessageType`) and worker/sw.js (its `types`), and are told apart by name.
const AREAS: &[&str] = &[
    "url", "options", "rewrite", "store", "crawl", "archive", "capture", "precache", "internal", "engine", "message",
    "site", "sites", "mirror",
];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Source text without comments (`/* … */` and `//` to the end of the line when it starts a comment, not a URL).
fn code_only(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("/*") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find("*/").map_or(rest.len(), |e| start + e + 2);
        out.extend(rest[start..end].chars().filter(|&c| c == '\n'));
        rest = &rest[end..];
    }
    out.push_str(rest);
    out.lines()
        .map(|line| {
            let cut = line.match_indices("//").find(|(i, _)| *i == 0 || line.as_bytes()[i - 1].is_ascii_whitespace());
            cut.map_or(line, |(i, _)| &line[..i])
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `area/what` tokens written as string literals: a quote, the code, then a quote or `:` (a `"code: text"` reason).
fn code_literals(text: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for (n, line) in code_only(text).lines().enumerate() {
        let b = line.as_bytes();
        for (i, &q) in b.iter().enumerate() {
            if !matches!(q, b'\'' | b'"' | b'`') {
                continue;
            }
            let tail = &line[i + 1..];
            let Some((area, after)) = tail.split_once('/') else { continue };
            if !AREAS.contains(&area) {
                continue;
            }
            let what: String =
                after.chars().take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-').collect();
            let next = after[what.len()..].chars().next();
            if !what.is_empty() && matches!(next, Some('\'' | '"' | '`' | ':')) {
                found.push((n + 1, format!("{area}/{what}")));
            }
        }
    }
    found
}

/// `NAME: 'area/what'` entries of a frozen JS object.
fn js_object(text: &str, start: &str) -> Vec<String> {
    let from = text.find(start).unwrap_or_else(|| panic!("{start} not found"));
    let body = &text[from..from + text[from..].find("});").expect("the object ends")];
    code_only(body)
        .lines()
        .filter_map(|l| {
            let (_, v) = l.split_once(": '")?;
            Some(v.split('\'').next()?.to_owned())
        })
        .collect()
}

fn js_codes() -> Vec<String> {
    js_object(&read("lib/shared.js"), "export const ErrorCode = Object.freeze({")
}

fn message_types() -> BTreeSet<String> {
    let mut types: BTreeSet<String> =
        js_object(&read("extension/messages.js"), "export const MessageType = Object.freeze({").into_iter().collect();
    let sw = read("worker/sw.js");
    let line = sw.lines().find(|l| l.contains("const types = [")).expect("the worker's message types");
    types.extend(line.split('\'').skip(1).step_by(2).map(str::to_owned));
    types
}

fn files(dir: &str, ext: &str, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(root().join(dir)).unwrap() {
        let entry = entry.unwrap();
        // extension/lib links to lib/: each file is read once, where it lives.
        if entry.file_type().unwrap().is_symlink() {
            continue;
        }
        let path = entry.path();
        let rel = path.strip_prefix(root()).unwrap().to_string_lossy().into_owned();
        if path.is_dir() {
            files(&rel, ext, out);
        } else if rel.ends_with(ext) {
            out.push(rel);
        }
    }
}

#[test]
fn every_code_is_documented_in_the_engine_api() {
    let docs = read("docs/engine-api.md");
    let mut missing = Vec::new();
    for code in codes::ALL.iter().map(|c| c.to_string()).chain(js_codes()) {
        // A prefix is documented as its family (`precache/<why>`).
        let shown = if code.ends_with('/') { format!("`{code}<") } else { format!("`{code}`") };
        if !docs.contains(&shown) {
            missing.push(code);
        }
    }
    assert!(missing.is_empty(), "codes docs/engine-api.md does not list: {missing:?}");
    assert!(codes::ALL.len() >= 30 && js_codes().len() >= 20, "the registries were read");
}

#[test]
fn the_engine_codes_javascript_names_are_the_engines() {
    let shared = read("lib/shared.js");
    let engine_part = &shared[shared.find("The engine's own codes").expect("the section of the engine's codes")..];
    let named: Vec<String> = js_object(&format!("X = Object.freeze({{{engine_part}"), "X = Object.freeze({");
    assert!(named.len() >= 4, "{named:?}");
    for code in &named {
        assert!(
            codes::ALL.contains(&code.as_str()),
            "lib/shared.js names {code}, which crate/src/codes.rs doesn't define"
        );
    }
    // And the hosts' own codes are not the engine's under another name.
    let own: Vec<String> = js_codes().into_iter().filter(|c| !named.contains(c)).collect();
    for code in own {
        assert!(!codes::ALL.contains(&code.as_str()), "{code} is defined in both registries");
    }
}

#[test]
fn no_code_is_written_as_a_literal_outside_the_registries() {
    let types = message_types();
    let mut sources = Vec::new();
    files("crate/src", ".rs", &mut sources);
    for dir in ["extension", "worker", "lib"] {
        files(dir, ".js", &mut sources);
    }
    let registries = ["crate/src/codes.rs", "lib/shared.js"];
    let mut stray = Vec::new();
    let mut scanned = 0;
    for rel in sources.iter().filter(|r| !registries.contains(&r.as_str())) {
        let text = read(rel);
        // A Rust file's unit tests may spell codes out: they check what the code produces.
        let text = text.split("#[cfg(test)]").next().unwrap_or_default();
        scanned += 1;
        for (line, code) in code_literals(text) {
            if !types.contains(&code) {
                stray.push(format!("{rel}:{line}: {code}"));
            }
        }
    }
    assert!(scanned > 40, "{scanned} files scanned");
    assert!(stray.is_empty(), "codes written outside crate/src/codes.rs and lib/shared.js:\n{}", stray.join("\n"));
}

#[test]
fn the_scanner_finds_what_it_should_and_not_urls_or_comments() {
    let text = "const a = 'crawl/none';\n// 'crawl/none' in a comment\nx(`capture/over-budget: why`);\n\
                const u = 'https://example.com/crawl/none';\nconst p = 'archive/data.warc.gz';\n/* 'store/failed' */";
    let found: Vec<String> = code_literals(text).into_iter().map(|(_, c)| c).collect();
    assert_eq!(found, ["crawl/none", "capture/over-budget"]);
}
