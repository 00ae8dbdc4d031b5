//! Native throughput of the full rewriter over a folder of HTML files: the "native lol_html" column of the
//! rewrite benchmark (tests/bench/rewrite.mjs drives it, one process per pass, alternating with the others).
//!
//! `bench_native --passes N <dir>` prints one JSON line per pass: {"bytes": total input bytes, "ms": time}.
//! File reading and process start are outside the timed region.

use sitemirror::rewrite::{rewrite_html, Mode, RewriteOptions};
use sitemirror::url::{self, MirrorMap};
use std::time::Instant;

const PREFIX: &str = "chrome-extension://abcdefghijklmnopabcdefghijklmnop/m/";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut passes = 1usize;
    let mut dir = None;
    let mut i = 0;
    while i < args.len() {
        if args[i] == "--passes" {
            passes = args.get(i + 1).and_then(|p| p.parse().ok()).expect("--passes N");
            i += 2;
        } else {
            dir = Some(args[i].clone());
            i += 1;
        }
    }
    let dir = dir.expect("usage: bench_native [--passes N] <dir of .html files>");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("readable directory")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    let docs: Vec<(RewriteOptions, Vec<u8>)> = files
        .iter()
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            let options = RewriteOptions {
                url: url::parse(&format!("https://bench.example/{name}")).unwrap(),
                map: MirrorMap::new(PREFIX, None).unwrap(),
                mode: Mode::Static,
                content_type: None,
                banner: None,
            };
            (options, std::fs::read(p).unwrap())
        })
        .collect();
    let bytes: usize = docs.iter().map(|(_, d)| d.len()).sum();
    for _ in 0..passes {
        let start = Instant::now();
        let mut out = 0;
        for (options, doc) in &docs {
            out += rewrite_html(doc, options).map(|o| o.len()).unwrap_or(0);
        }
        let ms = start.elapsed().as_secs_f64() * 1000.0;
        println!("{{\"bytes\":{bytes},\"ms\":{ms:.3},\"out\":{out}}}");
    }
}
