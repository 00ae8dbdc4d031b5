//! What the WARC/WACZ test binaries share (warc_write, warc_foreign, warc_hostile, wacz): a per-thread allocation
//! counter (a reader must not hold more than one record), readers fed in every chunking, record builders, a sample.
#![allow(dead_code, unused_imports)]

#[path = "../common/mod.rs"]
pub mod common;

pub use common::Rng;
pub use flate2::write::{DeflateEncoder, GzEncoder, ZlibEncoder};
pub use flate2::Compression;
pub use sitemirror::archive::*;
pub use sitemirror::error::{ArchiveError, ErrorCode};
pub use sitemirror::store::{digest_of, Capture};
pub use std::alloc::{GlobalAlloc, Layout, System};
pub use std::cell::Cell;
pub use std::io::Write;

/// Counts the bytes each thread holds, so a test can tell how much memory reading took (tests run in parallel,
/// each on its own thread).
struct PerThread;

thread_local! {
    static LIVE: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

pub fn count(delta: isize) {
    let _ = LIVE.try_with(|live| {
        live.set(live.get() + delta);
        let _ = PEAK.try_with(|peak| peak.set(peak.get().max(live.get())));
    });
}

unsafe impl GlobalAlloc for PerThread {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count(layout.size() as isize);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        count(-(layout.size() as isize));
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count(new_size as isize - layout.size() as isize);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: PerThread = PerThread;

/// Runs `f` and returns its result with the most memory this thread held meanwhile beyond what it held before.
pub fn peak_memory<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let base = LIVE.with(Cell::get);
    PEAK.with(|p| p.set(base));
    let out = f();
    (out, (PEAK.with(Cell::get) - base) as usize)
}

/// 2026-11-27T10:20:00.123Z
pub const AT: u64 = 1_795_774_800_123;
pub const MAX: usize = 1 << 20;

/// What a reader made of a file: the records, how many it saw, and how it ended.
#[derive(Debug, PartialEq)]
pub struct Read {
    pub records: Vec<ArchiveRecord>,
    pub seen: u64,
    pub end: Result<(), ArchiveError>,
}

/// Reads `file` pushed in pieces of the given sizes (cycled), then finishes.
pub fn read_with(file: &[u8], sizes: &[usize], max_record: usize) -> Read {
    read_by(WarcReader::new(max_record), file, sizes)
}

/// Reads `file` with `reader`, pushed in pieces of the given sizes (cycled), then finishes.
pub fn read_by(mut reader: WarcReader, file: &[u8], sizes: &[usize]) -> Read {
    let mut records = Vec::new();
    let mut rest = file;
    let mut i = 0;
    let mut end = Ok(());
    while !rest.is_empty() && end.is_ok() {
        let n = sizes[i % sizes.len()].clamp(1, rest.len());
        match reader.push(&rest[..n]) {
            Ok(r) => records.extend(r),
            Err(e) => end = Err(e),
        }
        rest = &rest[n..];
        i += 1;
    }
    if end.is_ok() {
        match reader.finish() {
            Ok(r) => records.extend(r),
            Err(e) => end = Err(e),
        }
    }
    if let Err(e) = &end {
        // The reader refuses anything after an error, with the same error.
        assert_eq!(reader.push(b"WARC/1.1\r\n").as_ref(), Err(e));
        assert_eq!(reader.finish().as_ref(), Err(e));
    }
    Read { records, seen: reader.records_seen(), end }
}

pub fn read(file: &[u8]) -> Read {
    read_with(file, &[file.len().max(1)], MAX)
}

/// Every chunking (sizes 1..=64 and random splits) must read like the whole file at once; returns that.
pub fn read_in_every_chunking(file: &[u8], max_record: usize) -> Read {
    let whole = read_with(file, &[file.len().max(1)], max_record);
    for size in 1..=64 {
        assert_eq!(read_with(file, &[size], max_record), whole, "chunks of {size}");
    }
    for seed in 1..=8 {
        let mut rng = Rng(seed);
        let sizes: Vec<usize> = (0..64).map(|_| 1 + rng.below(if seed % 2 == 0 { 7 } else { 700 })).collect();
        assert_eq!(read_with(file, &sizes, max_record), whole, "random split, seed {seed}");
    }
    whole
}

pub fn gz(data: &[u8]) -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::new(), Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// A .warc.gz as every tool writes it: one gzip member per record.
pub fn gz_members(records: &[Vec<u8>]) -> Vec<u8> {
    records.iter().flat_map(|r| gz(r)).collect()
}

pub fn code(end: &Result<(), ArchiveError>) -> &'static str {
    end.as_ref().err().map_or("ok", |e| e.code())
}

pub fn capture(url: &str, at_ms: u64, status: u16, headers: &[(&str, &str)], body: &[u8]) -> ArchiveCapture {
    ArchiveCapture {
        url: url.into(),
        at_ms,
        status,
        headers: headers.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect(),
        digest: digest_of(body),
    }
}

/// A response record as the writer is used: head, body, end.
pub fn response(c: &ArchiveCapture, body: &[u8]) -> Vec<u8> {
    let mut r = response_head(c, body.len() as u64);
    r.extend_from_slice(body);
    r.extend_from_slice(RECORD_END);
    r
}

/// What reading back a written response must give.
pub fn expected(c: &ArchiveCapture, body: &[u8]) -> ArchiveRecord {
    ArchiveRecord {
        kind: "response".into(),
        url: c.url.clone(),
        at_ms: c.at_ms,
        status: c.status,
        headers: c.headers.clone(),
        body: body.to_vec(),
        digest: Some(digest_of(body)),
        refers_to: None,
        problem: None,
    }
}

/// A record as another tool writes it: the given header lines, Content-Length computed, the block, CRLF CRLF.
pub fn raw_record(version: &str, fields: &[(&str, &str)], block: &[u8]) -> Vec<u8> {
    let mut r = format!("{version}\r\n").into_bytes();
    for (n, v) in fields {
        r.extend_from_slice(format!("{n}: {v}\r\n").as_bytes());
    }
    r.extend_from_slice(format!("Content-Length: {}\r\n\r\n", block.len()).as_bytes());
    r.extend_from_slice(block);
    r.extend_from_slice(b"\r\n\r\n");
    r
}

/// A WARC/1.1 response record of another tool with this HTTP message as its block.
pub fn http_record(url: &str, http: &[u8]) -> Vec<u8> {
    raw_record(
        "WARC/1.1",
        &[("WARC-Type", "response"), ("WARC-Target-URI", url), ("WARC-Date", "2026-11-27T10:20:00Z")],
        http,
    )
}

pub fn only(read: Read) -> ArchiveRecord {
    assert_eq!(read.end, Ok(()));
    assert_eq!(read.records.len(), 1, "{:?}", read.records);
    read.records.into_iter().next().unwrap()
}

/// The captures of the round trip, with their bodies.
pub fn sample() -> Vec<(ArchiveCapture, Vec<u8>)> {
    let mut binary: Vec<u8> = (0..=255u8).cycle().take(3000).collect();
    binary.extend_from_slice(b"\r\n\r\nWARC/1.1\r\nWARC-Type: response\r\nContent-Length: 5\r\n\r\n\r\n");
    binary.extend_from_slice(&[0x1f, 0x8b, 8, 0]);
    vec![
        (
            capture(
                "https://example.com/",
                AT,
                200,
                &[("content-type", "text/html; charset=utf-8"), ("etag", "\"abc\""), ("x-name", "Zoë")],
                b"<!doctype html><p>Hello\r\n\r\n</p>",
            ),
            b"<!doctype html><p>Hello\r\n\r\n</p>".to_vec(),
        ),
        (
            capture(
                "https://example.com/app.bin",
                AT + 1,
                200,
                &[("content-type", "application/octet-stream")],
                &binary,
            ),
            binary,
        ),
        (
            capture("https://example.com/missing", AT + 2, 404, &[("content-type", "text/plain")], b"Not here"),
            b"Not here".to_vec(),
        ),
        (capture("https://example.com/old", AT + 3, 301, &[("location", "/new")], b""), Vec::new()),
        (capture("https://例え.jp/パス?q=ü", 1_000, 200, &[], b"x"), b"x".to_vec()),
    ]
}
