//! WARC files: what the writer makes reads back identically however the file is chunked, plain or gzipped; files
//! from other tools (old wget's WARC/1.0 above all) are read as a browser would see their responses; broken,
//! hostile and foreign files end with the right code, without panicking or holding more than one record.
#![cfg(not(target_arch = "wasm32"))]

#[path = "../common/mod.rs"]
mod common;

use common::Rng;
use flate2::write::{DeflateEncoder, GzEncoder, ZlibEncoder};
use flate2::Compression;
use sitemirror::archive::*;
use sitemirror::error::{ArchiveError, ErrorCode};
use sitemirror::store::{digest_of, Capture};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::io::Write;
use std::time::{Duration, Instant};

/// Counts the bytes each thread holds, so a test can tell how much memory reading took (tests run in parallel,
/// each on its own thread).
struct PerThread;

thread_local! {
    static LIVE: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

fn count(delta: isize) {
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
fn peak_memory<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let base = LIVE.with(Cell::get);
    PEAK.with(|p| p.set(base));
    let out = f();
    (out, (PEAK.with(Cell::get) - base) as usize)
}

/// 2026-11-27T10:20:00.123Z
const AT: u64 = 1_795_774_800_123;
const MAX: usize = 1 << 20;

/// What a reader made of a file: the records, how many it saw, and how it ended.
#[derive(Debug, PartialEq)]
struct Read {
    records: Vec<ArchiveRecord>,
    seen: u64,
    end: Result<(), ArchiveError>,
}

/// Reads `file` pushed in pieces of the given sizes (cycled), then finishes.
fn read_with(file: &[u8], sizes: &[usize], max_record: usize) -> Read {
    read_by(WarcReader::new(max_record), file, sizes)
}

/// Reads `file` with `reader`, pushed in pieces of the given sizes (cycled), then finishes.
fn read_by(mut reader: WarcReader, file: &[u8], sizes: &[usize]) -> Read {
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

fn read(file: &[u8]) -> Read {
    read_with(file, &[file.len().max(1)], MAX)
}

/// Every chunking (sizes 1..=64 and random splits) must read like the whole file at once; returns that.
fn read_in_every_chunking(file: &[u8], max_record: usize) -> Read {
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

fn gz(data: &[u8]) -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::new(), Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// A .warc.gz as every tool writes it: one gzip member per record.
fn gz_members(records: &[Vec<u8>]) -> Vec<u8> {
    records.iter().flat_map(|r| gz(r)).collect()
}

fn code(end: &Result<(), ArchiveError>) -> &'static str {
    end.as_ref().err().map_or("ok", |e| e.code())
}

fn capture(url: &str, at_ms: u64, status: u16, headers: &[(&str, &str)], body: &[u8]) -> ArchiveCapture {
    ArchiveCapture {
        url: url.into(),
        at_ms,
        status,
        headers: headers.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect(),
        digest: digest_of(body),
    }
}

/// A response record as the writer is used: head, body, end.
fn response(c: &ArchiveCapture, body: &[u8]) -> Vec<u8> {
    let mut r = response_head(c, body.len() as u64);
    r.extend_from_slice(body);
    r.extend_from_slice(RECORD_END);
    r
}

/// What reading back a written response must give.
fn expected(c: &ArchiveCapture, body: &[u8]) -> ArchiveRecord {
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
fn raw_record(version: &str, fields: &[(&str, &str)], block: &[u8]) -> Vec<u8> {
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
fn http_record(url: &str, http: &[u8]) -> Vec<u8> {
    raw_record(
        "WARC/1.1",
        &[("WARC-Type", "response"), ("WARC-Target-URI", url), ("WARC-Date", "2026-11-27T10:20:00Z")],
        http,
    )
}

fn only(read: Read) -> ArchiveRecord {
    assert_eq!(read.end, Ok(()));
    assert_eq!(read.records.len(), 1, "{:?}", read.records);
    read.records.into_iter().next().unwrap()
}

/// The captures of the round trip, with their bodies.
fn sample() -> Vec<(ArchiveCapture, Vec<u8>)> {
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

// ---------------------------------------------------------------------------------------------------------------
// Writing, and reading back what was written

#[test]
fn written_records_read_back_identically_in_any_chunking_plain_or_gzipped() {
    let sample = sample();
    let mut records = vec![warcinfo("sitemirror/0.1.0", "example.com.warc.gz", AT)];
    records.extend(sample.iter().map(|(c, body)| response(c, body)));
    let want: Vec<ArchiveRecord> = sample.iter().map(|(c, body)| expected(c, body)).collect();

    let plain = records.concat();
    let gzipped = gz_members(&records);
    assert_eq!(&gzipped[..2], [0x1f, 0x8b]);
    for file in [plain, gzipped] {
        let got = read_in_every_chunking(&file, MAX);
        assert_eq!(got.end, Ok(()));
        assert_eq!(got.records, want);
        assert_eq!(got.seen, records.len() as u64, "the warcinfo is counted, not returned");
        for (r, (_, body)) in got.records.iter().zip(&sample) {
            assert_eq!(r.digest.as_deref(), Some(&*digest_of(body)), "the digest names the body");
        }
    }
}

#[test]
fn written_records_have_the_warc_1_1_shape() {
    let c = capture(
        "https://example.com/a b",
        AT,
        200,
        &[
            ("content-type", "text/html"),
            ("content-encoding", "gzip"),
            ("Transfer-Encoding", "chunked"),
            ("content-length", "99"),
            ("x-injected", "a\r\nWARC/1.1\r\n\r\nb"),
        ],
        b"hello",
    );
    let head = String::from_utf8(response_head(&c, 5)).unwrap();
    let lines: Vec<&str> = head.split("\r\n").collect();
    let names: Vec<&str> = lines[1..8].iter().map(|l| l.split(": ").next().unwrap()).collect();
    assert_eq!(lines[0], "WARC/1.1");
    assert_eq!(
        names,
        [
            "WARC-Type",
            "WARC-Record-ID",
            "WARC-Date",
            "WARC-Target-URI",
            "Content-Type",
            "WARC-Payload-Digest",
            "Content-Length"
        ]
    );
    assert_eq!(lines[1], "WARC-Type: response");
    assert_eq!(lines[3], "WARC-Date: 2026-11-27T10:20:00.123Z");
    assert_eq!(lines[5], "Content-Type: application/http;msgtype=response");
    // warcio's spelling: base32 of the SHA-256 bytes, upper case.
    assert_eq!(lines[6], "WARC-Payload-Digest: sha256:FTZE3OS7WCRQ4JXIHMVMLOPCTYNRMHS4D6TUEXTTAQZWFE4LTASA====");
    let http = &head[head.find("\r\n\r\n").unwrap() + 4..];
    assert_eq!(lines[7], format!("Content-Length: {}", http.len() + 5));
    assert_eq!(
        http,
        "HTTP/1.1 200 OK\r\ncontent-type: text/html\r\nx-injected: a  WARC/1.1    b\r\ncontent-length: 5\r\n\r\n"
    );

    let info = String::from_utf8(warcinfo("sitemirror/0.1.0", "site.warc.gz", AT)).unwrap();
    let (header, block) = info.split_once("\r\n\r\n").unwrap();
    assert!(header.starts_with("WARC/1.1\r\nWARC-Type: warcinfo\r\nWARC-Record-ID: <urn:uuid:"), "{header}");
    assert!(header.contains("\r\nWARC-Filename: site.warc.gz\r\nContent-Type: application/warc-fields\r\n"));
    assert!(header.ends_with(&format!("Content-Length: {}", block.len() - RECORD_END.len())), "{info}");
    assert!(block.starts_with("software: sitemirror/0.1.0\r\nformat: WARC File Format 1.1\r\n"), "{block}");
    assert!(block.ends_with("\r\n\r\n\r\n"));
    assert_eq!(RECORD_END, b"\r\n\r\n");
}

#[test]
fn record_ids_are_unique_and_deterministic() {
    let id = |record: &[u8]| -> String {
        let text = String::from_utf8_lossy(record);
        let line = text.lines().find(|l| l.starts_with("WARC-Record-ID: ")).expect("an id").to_owned();
        line["WARC-Record-ID: ".len()..].to_owned()
    };
    let sample = sample();
    let (first, _) = &sample[0];
    let mut ids: Vec<String> = vec![id(&warcinfo("sitemirror/0.1.0", "a.warc.gz", AT))];
    ids.push(id(&warcinfo("sitemirror/0.1.0", "b.warc.gz", AT)));
    for (c, _) in &sample {
        ids.push(id(&response_head(c, 1)));
        ids.push(id(&revisit(c, "https://example.com/", 1)));
    }
    let later = ArchiveCapture { at_ms: first.at_ms + 1, ..first.clone() };
    ids.push(id(&response_head(&later, 1)));
    let other_body = ArchiveCapture { digest: digest_of(b"other"), ..first.clone() };
    ids.push(id(&response_head(&other_body, 1)));
    for id in &ids {
        // <urn:uuid:xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx>
        let uuid = id.strip_prefix("<urn:uuid:").and_then(|u| u.strip_suffix('>')).expect(id);
        let groups: Vec<usize> = uuid.split('-').map(str::len).collect();
        assert_eq!(groups, [8, 4, 4, 4, 12], "{id}");
        assert!(uuid.chars().all(|c| c == '-' || c.is_ascii_hexdigit() && !c.is_ascii_uppercase()), "{id}");
        assert_eq!(&uuid[14..15], "4", "{id}");
        assert!("89ab".contains(&uuid[19..20]), "{id}");
    }
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "{ids:?}");
    // The same capture, the same bytes: exports are reproducible.
    assert_eq!(response_head(first, 7), response_head(&first.clone(), 7));
    assert_eq!(revisit(first, "https://example.com/", 5), revisit(first, "https://example.com/", 5));
    assert_eq!(warcinfo("s", "f", 1), warcinfo("s", "f", 1));
}

#[test]
fn revisits_round_trip_with_what_they_refer_to() {
    let body = b"same bytes";
    let c = capture("https://example.com/page", AT + 60_000, 200, &[("content-type", "text/html")], body);
    let record = revisit(&c, "https://example.com/page", AT);
    let text = String::from_utf8_lossy(&record);
    assert!(text.contains(
        "\r\nWARC-Profile: http://netpreserve.org/warc/1.1/revisit/identical-payload-digest\r\n\
         WARC-Refers-To-Target-URI: https://example.com/page\r\nWARC-Refers-To-Date: 2026-11-27T10:20:00.123Z\r\n"
    ));
    assert!(!text.contains("content-length: "), "a revisit's HTTP head has no body to count");
    for file in [record.clone(), gz(&record)] {
        let got = read_in_every_chunking(&file, MAX);
        let r = only(got);
        assert_eq!(
            r,
            ArchiveRecord {
                kind: "revisit".into(),
                url: c.url.clone(),
                at_ms: c.at_ms,
                status: 200,
                headers: c.headers.clone(),
                body: Vec::new(),
                digest: Some(digest_of(body)),
                refers_to: Some(("https://example.com/page".into(), AT)),
                problem: None,
            }
        );
    }
}

#[test]
fn captures_convert_to_what_is_written() {
    let stored = Capture {
        id: 7,
        site: "https://example.com/".into(),
        url: "https://example.com/x".into(),
        at: AT,
        status: 203,
        headers: vec![("content-type".into(), "text/plain".into())],
        digest: digest_of(b"x"),
        size: 1,
        source: "visit".into(),
    };
    let c = ArchiveCapture::from(&stored);
    assert_eq!(c, capture("https://example.com/x", AT, 203, &[("content-type", "text/plain")], b"x"));
}

// ---------------------------------------------------------------------------------------------------------------
// Files of other tools

/// wget 1.x: WARC/1.0, `<>` around URIs, sha1 digests, a warcinfo, a request and a metadata record, and the
/// response as it came off the wire (chunked and gzipped); one CRLF too many and one too few between records.
#[test]
fn an_old_wget_warc_1_0_file_is_read_as_a_browser_would_see_it() {
    let page = b"<html><body>Hello from wget</body></html>\n".repeat(20);
    let zipped = gz(&page);
    let mut http = b"HTTP/1.1 200 OK\r\nDate: Fri, 27 Nov 2026 10:20:00 GMT\r\nContent-Type: text/html\r\n\
        Transfer-Encoding: chunked\r\nContent-Encoding: gzip\r\nVary: Accept-Encoding\r\n\r\n"
        .to_vec();
    for piece in zipped.chunks(100) {
        http.extend_from_slice(format!("{:x}\r\n", piece.len()).as_bytes());
        http.extend_from_slice(piece);
        http.extend_from_slice(b"\r\n");
    }
    http.extend_from_slice(b"0\r\n\r\n");
    let date = ("WARC-Date", "2026-11-27T10:20:00Z");
    let file = [
        raw_record(
            "WARC/1.0",
            &[("WARC-Type", "warcinfo"), ("WARC-Filename", "site.warc.gz"), date],
            b"software: Wget/1.14 (linux-gnu)\r\nformat: WARC File Format 1.0\r\n",
        ),
        raw_record(
            "WARC/1.0",
            &[("WARC-Type", "request"), ("WARC-Target-URI", "<http://example.com/>"), date],
            b"GET / HTTP/1.1\r\nHost: example.com\r\n\r\n",
        ),
        b"\r\n".to_vec(),
        raw_record(
            "WARC/1.0",
            &[
                ("WARC-Type", "response"),
                ("WARC-Record-ID", "<urn:uuid:ab0ed2b0-7e8c-4c4d-9ad4-8d3b8e1f6c1a>"),
                ("WARC-Target-URI", "<http://example.com/>"),
                date,
                ("WARC-Payload-Digest", "sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ"),
                ("Content-Type", "application/http;msgtype=response"),
            ],
            &http,
        ),
        // No CRLFs at all before the next record.
        raw_record(
            "WARC/1.0",
            &[
                ("WARC-Type", "metadata"),
                ("WARC-Target-URI", "metadata://gnu.org/software/wget/warc/MANIFEST.txt"),
                date,
            ],
            b"manifest\n",
        )
        .strip_suffix(RECORD_END)
        .unwrap()
        .to_vec(),
        raw_record(
            "WARC/1.0",
            &[
                ("WARC-Type", "resource"),
                ("warc-target-uri", "<metadata://gnu.org/software/wget/warc/wget_arguments.txt>"),
                ("warc-date", "20261127102000"),
                ("content-type", "text/plain"),
            ],
            b"\"http://example.com/\" \"--warc-file=site\"\n",
        ),
    ]
    .concat();
    // The last record ends without its CRLFs.
    let file = &file[..file.len() - 4];
    for file in [file.to_vec(), gz(file)] {
        let got = read_in_every_chunking(&file, MAX);
        assert_eq!(got.end, Ok(()));
        assert_eq!(got.seen, 5, "warcinfo, request, response, metadata, resource");
        assert_eq!(got.records.len(), 2);
        let (response, resource) = (&got.records[0], &got.records[1]);
        assert_eq!((response.kind.as_str(), response.url.as_str()), ("response", "http://example.com/"));
        assert_eq!((response.at_ms, response.status, response.problem.as_deref()), (AT - 123, 200, None));
        assert_eq!(response.body, page, "de-chunked and gunzipped");
        assert_eq!(
            response.headers,
            [
                ("date".to_owned(), "Fri, 27 Nov 2026 10:20:00 GMT".to_owned()),
                ("content-type".into(), "text/html".into()),
                ("vary".into(), "Accept-Encoding".into()),
            ]
        );
        assert_eq!(response.digest, None, "a sha1 digest doesn't name a stored body");
        assert_eq!(resource.url, "metadata://gnu.org/software/wget/warc/wget_arguments.txt");
        assert_eq!((resource.kind.as_str(), resource.status, resource.at_ms), ("resource", 200, AT - 123));
        assert_eq!(resource.headers, [("content-type".to_owned(), "text/plain".to_owned())]);
        assert_eq!(resource.body, b"\"http://example.com/\" \"--warc-file=site\"\n");
    }
}

#[test]
fn payloads_are_decoded_as_a_browser_would() {
    let page = b"<p>compressed</p>".repeat(50);
    let deflate = |zlib: bool| {
        if zlib {
            let mut e = ZlibEncoder::new(Vec::new(), Compression::default());
            e.write_all(&page).unwrap();
            e.finish().unwrap()
        } else {
            let mut e = DeflateEncoder::new(Vec::new(), Compression::default());
            e.write_all(&page).unwrap();
            e.finish().unwrap()
        }
    };
    let message = |headers: &str, body: &[u8]| {
        let mut m = format!("HTTP/1.1 200 OK\r\ncontent-type: text/html\r\n{headers}\r\n").into_bytes();
        m.extend_from_slice(body);
        m
    };
    let mut bomb = GzEncoder::new(Vec::new(), Compression::default());
    bomb.write_all(&vec![0; 20 << 20]).unwrap();
    let bomb = bomb.finish().unwrap();
    let mut twice = gz(&gz(&page));
    twice.extend_from_slice(b"trailing junk that browsers ignore");

    /// Name, HTTP message, the body or the problem.
    type Case<'a> = (&'a str, Vec<u8>, Result<&'a [u8], &'a str>);
    let cases: Vec<Case> = vec![
        ("identity", message("content-encoding: identity\r\n", &page), Ok(&page)),
        ("gzip", message("Content-Encoding: gzip\r\n", &gz(&page)), Ok(&page)),
        ("x-gzip", message("content-encoding: x-gzip\r\n", &gz(&page)), Ok(&page)),
        ("zlib deflate", message("content-encoding: deflate\r\n", &deflate(true)), Ok(&page)),
        ("raw deflate", message("content-encoding: deflate\r\n", &deflate(false)), Ok(&page)),
        ("gzip twice", message("content-encoding: gzip, gzip\r\n", &twice), Ok(&page)),
        ("empty 204", message("content-encoding: gzip\r\n", b""), Ok(b"")),
        ("bare LF head", b"HTTP/1.0 200 OK\ncontent-type: text/html\n\nbody".to_vec(), Ok(b"body")),
        ("brotli", message("content-encoding: br\r\n", b"\x1b\x03"), Err("content-encoding br is not supported")),
        ("broken gzip", message("content-encoding: gzip\r\n", &gz(&page)[..40]), Err("broken gzip content-encoding")),
        ("not gzip", message("content-encoding: gzip\r\n", &page), Err("broken gzip content-encoding")),
        (
            "broken chunks",
            message("transfer-encoding: chunked\r\n", b"ff\r\nshort\r\n0\r\n\r\n"),
            Err("broken chunked encoding"),
        ),
        ("bomb", message("content-encoding: gzip\r\n", &bomb), Err("body over 1048576 bytes once decoded")),
        ("no status line", b"<html>not HTTP</html>".to_vec(), Err("no HTTP status line")),
        ("dns record", b"20261127102000\nexample.com. 300 IN A 93.184.216.34\n".to_vec(), Err("no HTTP status line")),
    ];
    let file: Vec<u8> = cases.iter().flat_map(|(_, http, _)| http_record("https://example.com/", http)).collect();
    let (got, peak) = peak_memory(|| read(&file));
    assert!(peak < 8 << 20, "the 20 MB bomb stops at the 1 MB cap, yet reading held {peak} bytes");
    assert_eq!(got.end, Ok(()));
    assert_eq!(got.records.len(), cases.len());
    for ((name, _, want), r) in cases.iter().zip(&got.records) {
        match want {
            Ok(body) => {
                assert_eq!(r.problem, None, "{name}");
                assert_eq!(&r.body, body, "{name}");
                assert_eq!(r.status, 200, "{name}");
                assert!(r.headers.iter().all(|(n, _)| n == "content-type"), "{name}: {:?}", r.headers);
            }
            Err(problem) => {
                assert_eq!(r.problem.as_deref(), Some(*problem), "{name}");
                assert!(r.body.is_empty(), "{name}");
            }
        }
    }
}

#[test]
fn warc_fields_are_read_in_the_spellings_of_other_tools() {
    let hex = digest_of(b"payload");
    let b32 = {
        let label = String::from_utf8(response_head(&capture("u", 0, 200, &[], b"payload"), 0)).unwrap();
        let at = label.find("sha256:").unwrap() + 7;
        label[at..at + 56].to_owned()
    };
    let cases = [
        ("2026-11-27T10:20:00.123456Z", format!("sha256:{b32}"), AT, Some(hex.clone())),
        (
            "2026-11-27T10:20:00Z",
            format!("SHA-256:{}", b32.trim_end_matches('=').to_lowercase()),
            AT - 123,
            Some(hex.clone()),
        ),
        ("20261127102000", format!("sha-256:{hex}"), AT - 123, Some(hex.clone())),
        ("2026-11-27T10:20:00.1Z", "sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ".to_owned(), AT - 23, None),
        ("2026-11-27T10:20:00Z", "sha256:not base32!".to_owned(), AT - 123, None),
    ];
    let mut file = Vec::new();
    for (date, digest, _, _) in &cases {
        file.extend(raw_record(
            "WARC/1.1",
            &[
                ("warc-type", "Response"),
                ("WARC-Target-URI", "<https://example.com/>"),
                ("WARC-DATE", date),
                ("WARC-Payload-Digest", digest),
                ("X-Folded", "first\r\n  second"),
            ],
            b"HTTP/1.1 200 OK\r\n\r\npayload",
        ));
    }
    let got = read_in_every_chunking(&file, MAX);
    assert_eq!(got.end, Ok(()));
    for ((date, _, at, digest), r) in cases.iter().zip(&got.records) {
        assert_eq!((r.kind.as_str(), r.url.as_str()), ("response", "https://example.com/"));
        assert_eq!((&r.at_ms, &r.digest), (at, digest), "{date}");
    }

    let bad_date = http_record("https://example.com/", b"HTTP/1.1 200 OK\r\n\r\n");
    let bad_date = String::from_utf8(bad_date).unwrap().replace("2026-11-27T10:20:00Z", "yesterday");
    assert_eq!(only(read(bad_date.as_bytes())).problem.as_deref(), Some("bad WARC-Date \"yesterday\""));
    let cut = raw_record(
        "WARC/1.1",
        &[
            ("WARC-Type", "response"),
            ("WARC-Target-URI", "https://example.com/v.mp4"),
            ("WARC-Date", "2026-11-27T10:20:00Z"),
            ("WARC-Truncated", "length"),
        ],
        b"HTTP/1.1 200 OK\r\n\r\npart of a video",
    );
    let r = only(read(&cut));
    assert_eq!(r.problem.as_deref(), Some("cut short when it was captured (WARC-Truncated: length)"));
    assert_eq!((r.status, r.body.len()), (200, 0));
}

// ---------------------------------------------------------------------------------------------------------------
// Bad input

#[test]
fn files_that_are_not_warc_are_refused_saying_what_they_look_like() {
    let zip = b"PK\x03\x04\x14\x00\x00\x00\x08\x00manifest.json".to_vec();
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (b"<!DOCTYPE html><html><body>Sign in</body></html>".to_vec(), "an HTML file"),
        (zip, "a ZIP file"),
        (gz(b"<html>a gzipped page</html>"), "a gzip file holding an HTML file"),
        (b"filedesc://IA-001.arc 0.0.0.0 20260101000000 text/plain 76\n".to_vec(), "an ARC file"),
        (b"".to_vec(), "an empty file"),
        (b"\r\n\r\n".to_vec(), "an empty file"),
        (gz(b""), "a gzip file holding an empty file"),
        (vec![0x1f], "binary data"),
        (b"W".to_vec(), "a text file starting \"W\""),
        (b"WARD/1.0\r\n\r\n".to_vec(), "a text file starting \"WARD/1.0\""),
    ];
    for (file, looks_like) in cases {
        let got = read_in_every_chunking(&file, MAX);
        assert_eq!(code(&got.end), "archive/not-warc", "{looks_like}");
        let message = got.end.unwrap_err().to_string();
        assert!(message.contains(looks_like), "{message}");
        assert!(got.records.is_empty());
    }
}

/// The end of a .warc.gz cut in the middle: the data there is valid, it just stops, so it is `truncated` (a
/// download that didn't finish), not `bad-gzip` (which says the bytes are wrong); the records before are kept.
#[test]
fn a_gzip_file_cut_in_the_middle_is_truncated_after_the_records_before_it() {
    let sample = sample();
    let members: Vec<Vec<u8>> = sample.iter().map(|(c, body)| gz(&response(c, body))).collect();
    let file = members.concat();
    let two = members[0].len() + members[1].len();
    // In the third member's header, its data, its trailer (where its record is already complete).
    for (cut, before) in [(two + 5, 2), (two + members[2].len() / 2, 2), (two + members[2].len() - 3, 3)] {
        let got = read_in_every_chunking(&file[..cut], MAX);
        assert_eq!(got.end, Err(ArchiveError::Truncated { records: before }), "cut at {cut}");
        let want: Vec<ArchiveRecord> = sample[..before as usize].iter().map(|(c, body)| expected(c, body)).collect();
        assert_eq!(got.records, want, "cut at {cut}");
    }
    // Cut between members, the file is whole.
    assert_eq!(read(&file[..two]).end, Ok(()));
}

#[test]
fn corrupt_gzip_is_bad_gzip_with_where_it_is() {
    let sample = sample();
    let members: Vec<Vec<u8>> = sample.iter().map(|(c, body)| gz(&response(c, body))).collect();
    let second = members[0].len();
    let third = second + members[1].len();
    let file = members.concat();

    // Not a gzip member where the second should start.
    let mut bad_magic = file.clone();
    bad_magic[second] = b'W';
    // The CRC of the second member doesn't match.
    let mut bad_crc = file.clone();
    bad_crc[third - 8] ^= 0xff;
    // A deflate block of the reserved type 3 at the start of the second member's data.
    let mut bad_block = file.clone();
    bad_block[second + 10] = 0b111;
    // The CRC is checked after the member's record was read (it is streamed), so that record comes back too.
    let cases = [("magic", bad_magic, second, 1), ("crc", bad_crc, third - 8, 2), ("block", bad_block, second + 10, 1)];
    for (name, file, offset, before) in cases {
        let got = read_in_every_chunking(&file, MAX);
        let Err(ArchiveError::BadGzip { offset: at, reason }) = &got.end else { panic!("{name}: {:?}", got.end) };
        assert_eq!((*at, code(&got.end)), (offset as u64, "archive/bad-gzip"), "{name}: {reason}");
        let want: Vec<ArchiveRecord> = sample[..before].iter().map(|(c, body)| expected(c, body)).collect();
        assert_eq!(got.records, want, "{name}: the records before the damage are returned");
    }
}

#[test]
fn unparseable_headers_are_malformed_with_where_the_record_starts() {
    let ok = http_record("https://example.com/", b"HTTP/1.1 200 OK\r\n\r\nfine");
    let at = ok.len() as u64;
    let no_length = b"WARC/1.1\r\nWARC-Type: response\r\nWARC-Target-URI: https://example.com/\r\n\r\nbody\r\n\r\n";
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (no_length.to_vec(), "no Content-Length"),
        (b"WARC/1.1\r\nContent-Length: ten\r\n\r\n".to_vec(), "bad Content-Length \"ten\""),
        (b"WARC/one\r\nContent-Length: 0\r\n\r\n".to_vec(), "bad version line \"WARC/one\""),
        (b"<html>garbage between records</html>".to_vec(), "no WARC/ version line where a record should start"),
        ([&b"WARC/1.1\r\nX: "[..], &vec![b'a'; 70_000]].concat(), "a header over 64 KiB"),
    ];
    for (second, reason) in cases {
        let file = [ok.clone(), second].concat();
        for got in [
            read_in_every_chunking(&file, MAX),
            read_in_every_chunking(&gz_members(&[ok.clone(), file[at as usize..].to_vec()]), MAX),
        ] {
            assert_eq!(got.end, Err(ArchiveError::Malformed { offset: at, reason: reason.into() }));
            assert_eq!(code(&got.end), "archive/malformed");
            assert_eq!(got.records.len(), 1, "the record before is returned");
        }
    }
}

#[test]
fn a_content_length_past_the_end_is_truncated_at_finish() {
    let ok = http_record("https://example.com/", b"HTTP/1.1 200 OK\r\n\r\nfine");
    let long = b"WARC/1.1\r\nWARC-Type: resource\r\nContent-Length: 1000\r\n\r\nonly this";
    let file = [ok.clone(), long.to_vec()].concat();
    let mut reader = WarcReader::new(MAX);
    assert_eq!(reader.push(&file).map(|r| r.len()), Ok(1), "pushing is fine: more may come");
    assert_eq!(reader.finish(), Err(ArchiveError::Truncated { records: 1 }));
    assert_eq!(code(&Err(reader.finish().unwrap_err())), "archive/truncated");
    // Cut inside a header, the same.
    assert_eq!(
        read(&[ok.clone(), b"WARC/1.1\r\nWARC-Type: res".to_vec()].concat()).end,
        Err(ArchiveError::Truncated { records: 1 })
    );
    assert_eq!(read(&[ok, b"WA".to_vec()].concat()).end, Err(ArchiveError::Truncated { records: 1 }));
}

#[test]
fn a_record_over_the_limit_is_skipped_with_a_problem_and_reading_goes_on() {
    let big_body = vec![b'x'; 5000];
    let big = capture("https://example.com/big", AT, 206, &[("content-type", "video/mp4")], &big_body);
    let small = capture("https://example.com/small", AT, 200, &[], b"small");
    let resource = raw_record(
        "WARC/1.1",
        &[
            ("WARC-Type", "resource"),
            ("WARC-Target-URI", "https://example.com/r"),
            ("WARC-Date", "2026-11-27T10:20:00Z"),
        ],
        &big_body,
    );
    let records = vec![response(&big, &big_body), resource, response(&small, b"small")];
    for file in [records.concat(), gz_members(&records)] {
        let got = read_in_every_chunking(&file, 1000);
        assert_eq!(got.end, Ok(()));
        assert_eq!(got.seen, 3);
        let [skipped, resource, after] = &got.records[..] else { panic!("{:?}", got.records) };
        assert_eq!(skipped.problem.as_deref(), Some("record over 1000 bytes"));
        assert_eq!((skipped.url.as_str(), skipped.status, skipped.body.len()), ("https://example.com/big", 206, 0));
        assert_eq!(skipped.headers, big.headers, "the head is still read");
        assert_eq!(resource.problem.as_deref(), Some("record over 1000 bytes"));
        assert_eq!(after, &expected(&small, b"small"));
    }
}

#[test]
fn records_before_an_error_in_the_same_chunk_are_returned_and_the_error_comes_next() {
    let ok = http_record("https://example.com/", b"HTTP/1.1 200 OK\r\n\r\nfine");
    let file = [ok.clone(), b"WARC/1.1\r\n\r\n".to_vec()].concat();
    let mut reader = WarcReader::new(MAX);
    assert_eq!(reader.push(&file).map(|r| r.len()), Ok(1));
    let err = ArchiveError::Malformed { offset: ok.len() as u64, reason: "no Content-Length".into() };
    assert_eq!(reader.push(&ok), Err(err.clone()));
    assert_eq!(reader.finish(), Err(err));
    assert_eq!(reader.records_seen(), 1);
}

#[test]
fn random_and_mutated_input_never_panics() {
    let sample = sample();
    let mut records = vec![warcinfo("sitemirror/0.1.0", "x.warc.gz", AT)];
    records.extend(sample.iter().map(|(c, body)| response(c, body)));
    records.push(revisit(&sample[0].0, "https://example.com/", AT));
    let plain = records.concat();
    let gzipped = gz_members(&records);
    let mut ends = std::collections::BTreeSet::new();
    for seed in 1..=6u64 {
        let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15));
        let noise: Vec<u8> = (0..1 << 20).map(|_| rng.next() as u8).collect();
        let mut inputs = vec![noise.clone(), [b"WARC/1.1\r\n".to_vec(), noise.clone()].concat()];
        inputs.push([&[0x1f, 0x8b][..], &noise].concat());
        inputs.push([&gzipped[..100], &noise[..5000]].concat());
        for base in [&plain, &gzipped] {
            for _ in 0..20 {
                let mut m = base.to_vec();
                for _ in 0..1 + rng.below(8) {
                    let i = rng.below(m.len());
                    match rng.below(3) {
                        0 => m[i] = rng.next() as u8,
                        1 => m.truncate(i),
                        _ => m.insert(i, *b"\r\n:0 \x1f\x8b".get(rng.below(8)).unwrap_or(&b'9')),
                    }
                    if m.is_empty() {
                        break;
                    }
                }
                inputs.push(m);
            }
        }
        for input in &inputs {
            let whole = read(input);
            let sizes: Vec<usize> = (0..16).map(|_| 1 + rng.below(300)).collect();
            let chunked = read_with(input, &sizes, 2000);
            let small = read_with(input, &[input.len().max(1)], 2000);
            assert_eq!(chunked, small, "chunking changes nothing, even on damaged input (seed {seed})");
            ends.insert(code(&whole.end));
        }
    }
    // The mutations reach every way a file can end.
    for c in ["ok", "archive/not-warc", "archive/bad-gzip", "archive/truncated", "archive/malformed"] {
        assert!(ends.contains(c), "{c} never happened: {ends:?}");
    }
}

/// One gzip member inflating to 200 MB inside a record of 200 MB, with 1 MB allowed: it is inflated through a window,
/// not held, and stops the file at the ratio bound (issue 11 item 5: before, all 200 MB were inflated and the
/// file read on) after the record before it.
#[test]
fn a_gzip_bomb_record_stops_the_file_without_holding_it() {
    const SIZE: usize = 200 << 20;
    let before = capture("https://example.com/before", AT, 200, &[], b"before");
    let mut file = gz(&response(&before, b"before"));
    let mut member = GzEncoder::new(Vec::new(), Compression::default());
    let header = format!(
        "WARC/1.1\r\nWARC-Type: resource\r\nWARC-Target-URI: https://example.com/bomb\r\n\
         WARC-Date: 2026-11-27T10:20:00Z\r\nContent-Length: {SIZE}\r\n\r\n"
    );
    member.write_all(header.as_bytes()).unwrap();
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..SIZE / zeros.len() {
        member.write_all(&zeros).unwrap();
    }
    member.write_all(RECORD_END).unwrap();
    file.extend(member.finish().unwrap());
    assert!(file.len() < SIZE / 200, "{} bytes compressed", file.len());
    let after = capture("https://example.com/after", AT, 200, &[], b"after");
    file.extend(gz(&response(&after, b"after")));

    let started = Instant::now();
    let (got, peak) = peak_memory(|| read_with(&file, &[64 << 10], 1 << 20));
    assert!(started.elapsed() < Duration::from_secs(10), "{:?}", started.elapsed());
    assert!(peak < 4 << 20, "reading held {peak} bytes at most; the record is 200 MB, the limit 1 MB");
    assert_eq!(code(&got.end), "archive/too-compressed");
    assert_eq!(got.records, [expected(&before, b"before")]);
}

/// A record of 24 MiB that compresses as real data does, with 1 MiB allowed: inflated through and dropped, not held;
/// the record after it is read.
#[test]
fn a_big_gzipped_record_is_skipped_without_holding_it() {
    const SIZE: usize = 24 << 20;
    let mut rng = Rng(3);
    let mut member = GzEncoder::new(Vec::new(), Compression::fast());
    let header = format!(
        "WARC/1.1\r\nWARC-Type: resource\r\nWARC-Target-URI: https://example.com/big\r\n\
         WARC-Date: 2026-11-27T10:20:00Z\r\nContent-Length: {SIZE}\r\n\r\n"
    );
    member.write_all(header.as_bytes()).unwrap();
    let mut chunk = vec![0u8; 1 << 20];
    for _ in 0..SIZE / chunk.len() {
        chunk.iter_mut().for_each(|b| *b = b'a' + rng.below(16) as u8);
        member.write_all(&chunk).unwrap();
    }
    member.write_all(RECORD_END).unwrap();
    let mut file = member.finish().unwrap();
    let after = capture("https://example.com/after", AT, 200, &[], b"after");
    file.extend(gz(&response(&after, b"after")));

    let (got, peak) = peak_memory(|| read_with(&file, &[64 << 10], 1 << 20));
    assert!(peak < 4 << 20, "reading held {peak} bytes at most; the record is 24 MiB, the limit 1 MiB");
    assert_eq!(got.end, Ok(()));
    let [big, next] = &got.records[..] else { panic!("{:?}", got.records.len()) };
    assert_eq!(
        (big.url.as_str(), big.problem.as_deref()),
        ("https://example.com/big", Some("record over 1048576 bytes"))
    );
    assert!(big.body.is_empty());
    assert_eq!(next, &expected(&after, b"after"));
}

/// A record whose body is 256 KiB of zeros after its number: gzip makes it about 1000 times smaller.
fn zeros_record(i: usize) -> (ArchiveCapture, Vec<u8>) {
    let mut body = vec![0u8; 256 << 10];
    body[..8].copy_from_slice(&(i as u64).to_le_bytes());
    let c =
        capture(&format!("https://example.com/{i}"), AT, 200, &[("content-type", "application/octet-stream")], &body);
    (c, body)
}

/// Issue 11 item 5: a decompression bomb — 400 records of 256 KiB, each about 1000 times smaller in its gzip
/// member, 100 MiB from a 200 KB file — stops with archive/too-compressed once what was inflated passes 100 times
/// the bytes read (after the first 16 MiB); the records read before stay, whole, and memory stays bounded.
#[test]
fn a_decompression_bomb_stops_at_the_ratio_bound_keeping_the_records_before() {
    let first = capture("https://example.com/first", AT, 200, &[], b"first");
    let mut file = gz(&response(&first, b"first"));
    for i in 0..400 {
        let (c, body) = zeros_record(i);
        file.extend(gz(&response(&c, &body)));
    }
    assert!(file.len() < 400 << 10, "{} bytes", file.len());
    let (got, peak) = peak_memory(|| read_with(&file, &[64 << 10], 1 << 20));
    assert_eq!(code(&got.end), "archive/too-compressed", "{:?}", got.end);
    let message = got.end.as_ref().unwrap_err().to_string();
    assert!(message.contains("more than 100 times"), "{message}");
    assert_eq!(got.records[0], expected(&first, b"first"));
    let kept = got.records.len() - 1;
    assert!((32..=80).contains(&kept), "stopped near 16 MiB of output, after {kept} records of 256 KiB");
    for (i, r) in got.records[1..].iter().enumerate() {
        assert_eq!(r, &expected(&zeros_record(i).0, &zeros_record(i).1), "record {i} is whole");
    }
    assert!(peak < 40 << 20, "reading held {peak} bytes (the records kept are ~16 MiB)");
}

/// Issue 11 item 5: gzip content-encoding inside a plain WARC is inflation too: 200 bodies of 512 KiB of zeros, each
/// about 1000 times smaller as sent, stop the file with archive/too-compressed, after the records before.
#[test]
fn content_encoded_bodies_count_toward_the_ratio_bound() {
    let mut file = http_record("https://example.com/first", b"HTTP/1.1 200 OK\r\n\r\nfirst");
    for i in 0..200u64 {
        let mut body = vec![0u8; 512 << 10];
        body[..8].copy_from_slice(&i.to_le_bytes());
        let mut http = b"HTTP/1.1 200 OK\r\ncontent-encoding: gzip\r\n\r\n".to_vec();
        http.extend(gz(&body));
        file.extend(http_record(&format!("https://example.com/{i}"), &http));
    }
    assert!(file.len() < 400 << 10, "{} bytes", file.len());
    let got = read_with(&file, &[64 << 10], 1 << 20);
    assert_eq!(code(&got.end), "archive/too-compressed", "{:?}", got.end);
    assert_eq!(got.records[0].body, b"first");
    let kept = got.records.len() - 1;
    assert!((16..=40).contains(&kept), "stopped near 16 MiB of output, after {kept} bodies of 512 KiB");
    assert!(got.records.iter().all(|r| r.problem.is_none()));
}

/// The bound leaves real archives alone: text compresses 3 to 10 times, and the most compressible file found among
/// 500 MB of documentation, logs, JavaScript and JSON on a Debian system 28 times. A 40 MiB file of table rows that
/// compress over 30 times (more than any of those) reads through, gzipped and with gzip bodies.
#[test]
fn a_very_compressible_real_looking_archive_passes_the_bound() {
    let mut rng = Rng(7);
    let mut records = Vec::new();
    let mut made = 0;
    let mut i = 0;
    while made < 40 << 20 {
        let mut page = b"<!doctype html><table>".to_vec();
        for _ in 0..4000 {
            let (a, b) = (rng.below(20), rng.below(6));
            page.extend(
                format!("<tr><td class=\"n\">{a}</td><td class=\"state\">ok</td><td>{b} s</td></tr>\n").bytes(),
            );
        }
        made += page.len();
        let c = capture(&format!("https://example.com/t{i}"), AT, 200, &[("content-type", "text/html")], &page);
        records.push(response(&c, &page));
        i += 1;
    }
    let file = gz_members(&records);
    let ratio = made / file.len();
    assert!(ratio >= 25, "the rows compress {ratio} times");
    let got = read_with(&file, &[64 << 10], 1 << 20);
    assert_eq!(got.end, Ok(()), "{ratio}× passes");
    assert_eq!(got.records.len(), records.len());
    // The same pages sent gzip-encoded, in a gzipped WARC: both layers count, and it still passes.
    let encoded: Vec<Vec<u8>> = got
        .records
        .iter()
        .map(|r| {
            let mut http = b"HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-encoding: gzip\r\n\r\n".to_vec();
            http.extend(gz(&r.body));
            http_record(&r.url, &http)
        })
        .collect();
    let again = read_with(&gz_members(&encoded), &[64 << 10], 1 << 20);
    assert_eq!(again.end, Ok(()));
    assert_eq!(
        again.records.iter().map(|r| &r.body).collect::<Vec<_>>(),
        got.records.iter().map(|r| &r.body).collect::<Vec<_>>()
    );
}

fn raw_deflate(data: &[u8]) -> Vec<u8> {
    let mut e = DeflateEncoder::new(Vec::new(), Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// A WACZ entry stored with deflate (ZIP method 8) is read by the engine, under the same ratio bound (issue 11 item
/// 5: the extension inflated it with the browser's DecompressionStream, unbounded): its WARC, plain or gzipped,
/// reads as when stored, in any chunking; a bomb stops with archive/too-compressed after the records before it; an
/// entry cut short is truncated, and data after its end is corrupt.
#[test]
fn a_deflated_wacz_entry_reads_like_a_stored_one_under_the_same_bound() {
    let sample = sample();
    let records: Vec<Vec<u8>> = sample.iter().map(|(c, body)| response(c, body)).collect();
    let want: Vec<ArchiveRecord> = sample.iter().map(|(c, body)| expected(c, body)).collect();
    for warc in [records.concat(), gz_members(&records)] {
        let entry = raw_deflate(&warc);
        let whole = read_by(WarcReader::deflated(MAX), &entry, &[entry.len()]);
        assert_eq!(whole.end, Ok(()));
        assert_eq!(whole.records, want);
        for size in [1, 2, 3, 7, 64, 1000] {
            assert_eq!(read_by(WarcReader::deflated(MAX), &entry, &[size]), whole, "chunks of {size}");
        }
        let cut = read_by(WarcReader::deflated(MAX), &entry[..entry.len() - 4], &[entry.len()]);
        assert_eq!(code(&cut.end), "archive/truncated");
        let more = [&entry[..], b"more"].concat();
        assert_eq!(code(&read_by(WarcReader::deflated(MAX), &more, &[more.len()]).end), "archive/bad-gzip");
    }

    let first = capture("https://example.com/first", AT, 200, &[], b"first");
    let mut bomb = response(&first, b"first");
    for i in 0..400 {
        let (c, body) = zeros_record(i);
        bomb.extend(response(&c, &body));
    }
    let entry = raw_deflate(&bomb);
    assert!(entry.len() < 400 << 10, "{} bytes", entry.len());
    let (got, peak) = peak_memory(|| read_by(WarcReader::deflated(1 << 20), &entry, &[64 << 10]));
    assert_eq!(code(&got.end), "archive/too-compressed");
    assert_eq!(got.records[0], expected(&first, b"first"));
    assert!((32..=80).contains(&(got.records.len() - 1)), "{} records", got.records.len());
    assert!(peak < 40 << 20, "reading held {peak} bytes");
}

// ---- WACZ: the ZIP around the archive and its CDXJ index ----

/// A ZIP as the extension writes one: each entry's header from the writer, then its data; the directory last.
fn zip_file(entries: &[(&str, &[u8])], modified_ms: u64) -> Vec<u8> {
    let mut zip = ZipWriter::new();
    let mut file = Vec::new();
    for (name, data) in entries {
        let mut crc = Crc32::new();
        crc.update(data);
        file.extend(zip.entry(name, data.len() as u64, crc.value(), modified_ms).unwrap());
        file.extend_from_slice(data);
    }
    file.extend(zip.finish());
    file
}

/// The last bytes the JS side slices off a file for `zip_directory`.
fn tail_of(file: &[u8]) -> &[u8] {
    &file[file.len() - (file.len() as u64).min(ZIP_TAIL_BYTES) as usize..]
}

/// Reads a ZIP as the extension does, from slices only: the tail, the directory, each 30-byte local header.
fn read_zip(file: &[u8]) -> Result<Vec<(ZipEntry, Vec<u8>)>, ArchiveError> {
    let (offset, size) = zip_directory(tail_of(file), file.len() as u64)?;
    let entries = zip_entries(&file[offset as usize..(offset + size) as usize])?;
    let mut out = Vec::new();
    for e in entries {
        let at = e.header_offset as usize;
        let start = zip_data_offset(&e, &file[at..(at + 30).min(file.len())])? as usize;
        let data = file[start..start + e.compressed_size as usize].to_vec();
        out.push((e, data));
    }
    Ok(out)
}

fn crc_of(data: &[u8]) -> u32 {
    let mut crc = Crc32::new();
    crc.update(data);
    crc.value()
}

/// The entries of a WACZ, a non-ASCII name and an empty entry among them.
fn wacz_like() -> Vec<(&'static str, Vec<u8>)> {
    let warc: Vec<u8> = gz(&response(&capture("https://example.com/", AT, 200, &[], b"<p>hi</p>"), b"<p>hi</p>"));
    vec![
        ("archive/data.warc.gz", warc),
        ("pages/päges ✓.jsonl", b"{\"format\": \"json-pages-1.0\"}\n".to_vec()),
        ("empty.txt", Vec::new()),
    ]
}

#[test]
fn crc32_is_the_ieee_crc_in_any_chunking() {
    assert_eq!(crc_of(b"123456789"), 0xCBF4_3926, "the CRC-32 check value");
    assert_eq!(crc_of(b""), 0);
    let data: Vec<u8> = (0..100_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let mut crc = Crc32::new();
    for chunk in data.chunks(777) {
        crc.update(chunk);
        assert_ne!(crc.value(), 0, "value() can be read mid-stream");
    }
    assert_eq!(crc.value(), crc_of(&data));
}

#[test]
fn a_zip_round_trips_through_its_directory_read_from_slices() {
    let entries = wacz_like();
    let borrowed: Vec<(&str, &[u8])> = entries.iter().map(|(n, d)| (*n, d.as_slice())).collect();
    let file = zip_file(&borrowed, AT);
    let read = read_zip(&file).unwrap();
    assert_eq!(read.len(), 3);
    let mut expected_offset = 0u64;
    for ((e, data), (name, original)) in read.iter().zip(&entries) {
        assert_eq!(&e.name, name);
        assert_eq!((e.method, e.size, e.compressed_size), (0, original.len() as u64, original.len() as u64));
        assert_eq!(data, original, "{name}");
        assert_eq!(e.crc, crc_of(original), "{name}");
        assert_eq!(e.header_offset, expected_offset, "{name}");
        expected_offset += 30 + name.len() as u64 + original.len() as u64;
    }
    // The same bytes every time: the writer keeps no clock and no randomness.
    assert_eq!(zip_file(&borrowed, AT), file);

    // The local header: UTF-8 flag, stored, the DOS time of AT in UTC (2026-11-27 10:20:00).
    let h = &file[..30];
    assert_eq!(&h[..4], b"PK\x03\x04");
    assert_eq!(u16::from_le_bytes([h[6], h[7]]) & 1 << 11, 1 << 11);
    assert_eq!(u16::from_le_bytes([h[8], h[9]]), 0);
    assert_eq!(u16::from_le_bytes([h[10], h[11]]), 10 << 11 | 20 << 5);
    assert_eq!(u16::from_le_bytes([h[12], h[13]]), (2026 - 1980) << 9 | 11 << 5 | 27);

    // A file that is nothing but an empty ZIP: 22 bytes, no entries.
    let empty = ZipWriter::new().finish();
    assert_eq!(empty.len(), 22);
    assert_eq!(read_zip(&empty).unwrap(), vec![]);
}

#[test]
fn the_writer_refuses_unsafe_and_duplicate_names_and_entries_after_finish() {
    let mut zip = ZipWriter::new();
    let first = zip.entry("archive/data.warc.gz", 5, crc_of(b"hello"), AT).unwrap();
    for bad in ["", "/etc/passwd", "a/../../b", "..", "a\\b", "archive/data.warc.gz"] {
        let err = zip.entry(bad, 1, 0, AT).unwrap_err();
        assert_eq!(err.code(), "archive/malformed", "{bad:?}: {err}");
        assert!(err.to_string().contains(&format!("{bad:?}")), "{err}");
    }
    let long = "n".repeat(70_000);
    assert_eq!(zip.entry(&long, 0, 0, AT).unwrap_err().code(), "archive/malformed");
    // Names with dots that aren't `..` segments are fine.
    let second = zip.entry("a..b/.hidden/x..", 2, crc_of(b"hi"), AT).unwrap();
    // Refused entries left no trace: the offsets are those of the two accepted ones.
    let end = zip.finish();
    assert_eq!(zip.entry("late.txt", 0, 0, AT).unwrap_err().code(), "archive/malformed");
    assert_eq!(zip.finish(), end, "finish is repeatable");
    let file = [first, b"hello".to_vec(), second, b"hi".to_vec(), end].concat();
    let read = read_zip(&file).unwrap();
    let got: Vec<(&str, &[u8])> = read.iter().map(|(e, d)| (e.name.as_str(), d.as_slice())).collect();
    assert_eq!(got, [("archive/data.warc.gz", &b"hello"[..]), ("a..b/.hidden/x..", b"hi")]);
}

fn temp_path(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("sitemirror-{}-{name}", std::process::id()))
}

fn tool_exists(tool: &str) -> bool {
    std::process::Command::new(tool).arg("--version").output().is_ok()
        || std::process::Command::new(tool).arg("-v").output().is_ok()
}

const PY_CHECK: &str = r#"
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
assert z.testzip() is None
for i in z.infolist():
    print("%s\t%d\t%08x" % (i.filename, len(z.read(i)), i.CRC))
"#;

/// What Python's zipfile reads: `name\tsize\tcrc` per entry.
fn python_listing(path: &std::path::Path) -> String {
    let out = std::process::Command::new("python3").arg("-c").arg(PY_CHECK).arg(path).output().unwrap();
    assert!(out.status.success(), "python zipfile: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn written_zips_pass_unzip_and_python_zipfile_and_zips_they_write_read_back() {
    let entries = wacz_like();
    let borrowed: Vec<(&str, &[u8])> = entries.iter().map(|(n, d)| (*n, d.as_slice())).collect();
    let path = temp_path("wacz.zip");
    std::fs::write(&path, zip_file(&borrowed, AT)).unwrap();
    // 70,000 entries: more than the classic end record counts, so ZIP64 end records are written.
    let many: Vec<(String, Vec<u8>)> = (0..70_000).map(|i| (format!("f/{i}"), format!("{i}").into_bytes())).collect();
    let many_borrowed: Vec<(&str, &[u8])> = many.iter().map(|(n, d)| (n.as_str(), d.as_slice())).collect();
    let many_file = zip_file(&many_borrowed, AT);
    assert_eq!(read_zip(&many_file).unwrap().len(), 70_000);
    let many_path = temp_path("many.zip");
    std::fs::write(&many_path, &many_file).unwrap();

    if tool_exists("unzip") {
        for p in [&path, &many_path] {
            let out = std::process::Command::new("unzip").arg("-t").arg(p).output().unwrap();
            let text = String::from_utf8_lossy(&out.stdout);
            assert!(out.status.success() && text.contains("No errors detected"), "unzip -t {}: {text}", p.display());
        }
    } else {
        println!("note: unzip is not installed; the unzip -t check was skipped");
    }

    if tool_exists("python3") {
        let expected: String =
            entries.iter().map(|(name, data)| format!("{name}\t{}\t{:08x}\n", data.len(), crc_of(data))).collect();
        assert_eq!(python_listing(&path), expected);
        assert_eq!(python_listing(&many_path).lines().count(), 70_000);

        // The other way: a ZIP Python writes (stored and deflated entries, a UTF-8 name, a long comment) reads
        // back with the right method, sizes and, for the stored entry, data.
        let theirs = temp_path("theirs.zip");
        let script = r#"
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w") as z:
    z.writestr(zipfile.ZipInfo("datapackage.json"), b'{"profile": "data-package"}')
    z.writestr("indexes/index.cdx", b"com,example)/ 20261127102000 {}\n" * 50, compress_type=zipfile.ZIP_DEFLATED)
    z.writestr("pages/caf\u00e9.jsonl", b"")
    z.comment = b"PK\x05\x06 looks like an end record" * 100
"#;
        let out = std::process::Command::new("python3").arg("-c").arg(script).arg(&theirs).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let file = std::fs::read(&theirs).unwrap();
        let read = read_zip(&file).unwrap();
        let names: Vec<(&str, u16, u64)> = read.iter().map(|(e, _)| (e.name.as_str(), e.method, e.size)).collect();
        assert_eq!(names, [("datapackage.json", 0, 27), ("indexes/index.cdx", 8, 1600), ("pages/café.jsonl", 0, 0)]);
        assert_eq!(read[0].1, br#"{"profile": "data-package"}"#);
        assert!(read[1].0.compressed_size < 1600);
        let _ = std::fs::remove_file(theirs);
    } else {
        println!("note: python3 is not installed; the zipfile checks were skipped");
    }
    let _ = std::fs::remove_file(path);
    let _ = std::fs::remove_file(many_path);
}

#[test]
fn a_5_gib_entry_gets_zip64_fields_and_its_directory_reads_back() {
    const FIVE_GIB: u64 = 5 << 30;
    let mut zip = ZipWriter::new();
    let big = zip.entry("archive/data.warc.gz", FIVE_GIB, 0x1234_5678, AT).unwrap();
    // Local header: sizes marked, version 4.5, and the ZIP64 extra field with both sizes.
    let name_len = "archive/data.warc.gz".len();
    assert_eq!(u16::from_le_bytes([big[4], big[5]]), 45);
    assert_eq!(&big[18..26], &[0xFF; 8]);
    assert_eq!(u16::from_le_bytes([big[28], big[29]]), 20, "extra length");
    let extra = &big[30 + name_len..];
    assert_eq!(&extra[..4], &[1, 0, 16, 0]);
    assert_eq!(extra[4..12], FIVE_GIB.to_le_bytes());
    assert_eq!(extra[12..20], FIVE_GIB.to_le_bytes());
    // The next entry starts past 4 GiB (the 5 GiB of data are declared, not written).
    let index_header = zip.entry("indexes/index.cdx", 10, crc_of(b"0123456789"), AT).unwrap();
    assert_eq!(u16::from_le_bytes([index_header[28], index_header[29]]), 0, "a small entry needs no ZIP64 here");
    let index_at = big.len() as u64 + FIVE_GIB;
    let end = zip.finish();
    let file_len = index_at + index_header.len() as u64 + 10 + end.len() as u64;

    // The tail the JS side would slice: whatever data precedes the directory, then the directory and end records.
    let mut tail = vec![0x55; ZIP_TAIL_BYTES as usize - end.len()];
    tail.extend_from_slice(&end);
    let directory_at = index_at + index_header.len() as u64 + 10;
    let (offset, size) = zip_directory(&tail, file_len).unwrap();
    assert_eq!(offset, directory_at);
    assert!(offset > u64::from(u32::MAX));
    // A shorter tail that still holds the end records reads the same.
    assert_eq!(zip_directory(&end, file_len), Ok((offset, size)));
    let directory = &end[..size as usize];
    let entries = zip_entries(directory).unwrap();
    assert_eq!(
        entries,
        [
            ZipEntry {
                name: "archive/data.warc.gz".into(),
                method: 0,
                header_offset: 0,
                compressed_size: FIVE_GIB,
                size: FIVE_GIB,
                crc: 0x1234_5678
            },
            ZipEntry {
                name: "indexes/index.cdx".into(),
                method: 0,
                header_offset: index_at,
                compressed_size: 10,
                size: 10,
                crc: crc_of(b"0123456789")
            },
        ]
    );
    assert_eq!(zip_data_offset(&entries[0], &big[..30]), Ok(big.len() as u64));
    assert_eq!(zip_data_offset(&entries[1], &index_header[..30]), Ok(index_at + index_header.len() as u64));

    // Only the end record and locator in the tail: the ZIP64 record is before it, and that is said.
    let short = &end[end.len() - 42..];
    let err = zip_directory(short, file_len).unwrap_err();
    assert_eq!(err.code(), "archive/malformed");
    assert!(err.to_string().contains("not within the last 42 bytes"), "{err}");
}

#[test]
fn files_that_are_not_zips_or_are_cut_say_so() {
    let not_zip = |tail: &[u8], len: u64| {
        let err = zip_directory(tail, len).unwrap_err();
        assert_eq!(err, ArchiveError::NoZipDirectory);
        assert_eq!(err.code(), "archive/not-warc");
        assert_eq!(err.to_string(), "This is not a WARC or WACZ file (no ZIP directory).");
    };
    let warc = response(&capture("https://example.com/", AT, 200, &[], b"hi"), b"hi");
    not_zip(&warc, warc.len() as u64);
    not_zip(b"", 0);
    not_zip(b"PK\x05\x06", 4);
    let entries = wacz_like();
    let borrowed: Vec<(&str, &[u8])> = entries.iter().map(|(n, d)| (*n, d.as_slice())).collect();
    let file = zip_file(&borrowed, AT);
    // The end cut off: the end record is gone.
    for cut in [1, 10, 21] {
        let f = &file[..file.len() - cut];
        not_zip(tail_of(f), f.len() as u64);
    }
    // The front cut off (a download that kept only its end): the directory points before the file's start, or its
    // entries' headers aren't where it says.
    let malformed = |r: Result<Vec<(ZipEntry, Vec<u8>)>, ArchiveError>| {
        assert_eq!(r.map(|_| ()).unwrap_err().code(), "archive/malformed");
    };
    let (offset, size) = zip_directory(tail_of(&file), file.len() as u64).unwrap();
    let shifted: Vec<u8> = file[100..].to_vec();
    let err = zip_directory(tail_of(&shifted), shifted.len() as u64).unwrap_err();
    assert_eq!(err.code(), "archive/malformed", "{err}");
    assert!(err.to_string().contains("runs past the end record"), "{err}");
    // More tail than file.
    assert_eq!(zip_directory(&file, 10).unwrap_err().code(), "archive/malformed");
    // A directory cut short, or not a directory.
    let directory = &file[offset as usize..(offset + size) as usize];
    for cut in [1, 20, 46] {
        assert_eq!(zip_entries(&directory[..directory.len() - cut]).unwrap_err().code(), "archive/malformed");
    }
    assert_eq!(zip_entries(&warc).unwrap_err().code(), "archive/malformed");
    assert_eq!(zip_entries(b""), Ok(vec![]));
    // A local header that is short or isn't one.
    let e = &zip_entries(directory).unwrap()[0];
    assert_eq!(zip_data_offset(e, &file[..29]).unwrap_err().code(), "archive/malformed");
    assert_eq!(zip_data_offset(e, &file[1..31]).unwrap_err().code(), "archive/malformed");
    // A data offset pointing inside another entry: the bytes there are no local header.
    let mut moved = file.clone();
    let central = offset as usize;
    moved[central + 42..central + 46].copy_from_slice(&7u32.to_le_bytes());
    malformed(read_zip(&moved));
}

#[test]
fn random_and_mutated_tails_and_directories_never_panic() {
    let entries = wacz_like();
    let borrowed: Vec<(&str, &[u8])> = entries.iter().map(|(n, d)| (*n, d.as_slice())).collect();
    let small = zip_file(&borrowed, AT);
    let mut zip = ZipWriter::new();
    let big_header = zip.entry("archive/data.warc.gz", 5 << 30, 1, AT).unwrap();
    zip.entry("indexes/index.cdx", 10, 2, AT).unwrap();
    let big_end = zip.finish();
    let big_len = big_header.len() as u64 + (5 << 30) + 57 + 10 + big_end.len() as u64;
    let signatures: [&[u8]; 5] = [b"PK\x05\x06", b"PK\x06\x07", b"PK\x06\x06", b"PK\x01\x02", b"PK\x03\x04"];

    let mut rng = Rng(0x5EED);
    let mut random_bytes = 0usize;
    let mut outcomes = std::collections::BTreeMap::<&str, usize>::new();
    for round in 0..720 {
        // A third random bytes with signatures sprinkled in, a third mutated small ZIPs, a third mutated ZIP64 ends.
        let (mut tail, file_len) = match round % 3 {
            0 => {
                let n = rng.below(8192);
                random_bytes += n;
                let mut t: Vec<u8> = (0..n).map(|_| rng.next() as u8).collect();
                for _ in 0..rng.below(6) {
                    if t.len() >= 4 {
                        let at = rng.below(t.len() - 3);
                        t[at..at + 4].copy_from_slice(signatures[rng.below(5)]);
                    }
                }
                let len = t.len() as u64 + if rng.below(4) == 0 { rng.next() } else { rng.next() % 1000 };
                (t, len)
            }
            1 => (small.clone(), small.len() as u64),
            _ => (big_end.clone(), big_len),
        };
        if round % 3 != 0 {
            for _ in 0..1 + rng.below(6) {
                let at = rng.below(tail.len());
                match rng.below(3) {
                    0 => tail[at] = rng.next() as u8,
                    1 => tail[at] ^= 0xFF,
                    _ => tail[at] = [0, 0xFF, 0x06, 0x05, 0x50, 0x4b][rng.below(6)],
                }
            }
            random_bytes += tail.len();
        }
        let file_len = file_len.max(tail.len() as u64);
        let result = zip_directory(&tail, file_len);
        *outcomes.entry(result.as_ref().err().map_or("ok", |e| e.code())).or_default() += 1;
        // Read on as far as the tail holds the bytes asked for.
        if let Ok((offset, size)) = result {
            let base = file_len - tail.len() as u64;
            if offset >= base && offset + size <= file_len {
                let directory = &tail[(offset - base) as usize..(offset - base + size) as usize];
                if let Ok(found) = zip_entries(directory) {
                    for e in &found {
                        let header: Vec<u8> = (0..30).map(|_| rng.next() as u8).collect();
                        let _ = zip_data_offset(e, &header);
                        let _ = zip_data_offset(e, &small[..30]);
                    }
                }
            }
        }
        let _ = zip_entries(&tail);
    }
    assert!(random_bytes > 1 << 20, "{random_bytes} bytes tried");
    for code in ["ok", "archive/not-warc", "archive/malformed"] {
        assert!(outcomes.contains_key(code), "{code} never happened: {outcomes:?}");
    }
}

#[test]
fn surt_keys_are_those_of_the_python_surt_package() {
    // Outputs of surt 0.3.1 (`surt.surt(url)`, default options), the package pywb and py-wacz index with.
    let cases = [
        ("http://www.Example.com/Path?b=2&a=1", "com,example)/path?a=1&b=2"),
        ("https://example.com/", "com,example)/"),
        // IP addresses are reversed too: the package's reverse_ipaddr defaults to true.
        ("http://127.0.0.1:8080/path", "1,0,0,127:8080)/path"),
        ("http://192.168.1.254/info/", "254,1,168,192)/info"),
        ("https://www1.example.com:443/a#frag", "com,example)/a"),
        ("http://example.com:8080/A/B?Z=1&a=2&a=1", "com,example:8080)/a/b?a=1&a=2&z=1"),
        ("http://WWW.example.com", "com,example)/"),
        ("http://www2.x.co.uk/", "uk,co,x)/"),
        ("http://www123.example.com/", "com,example)/"),
        ("http://sub.www.example.com/", "com,example,www,sub)/"),
        ("http://wwwx.example.com/", "com,example,wwwx)/"),
        ("http://www.com/", "com)/"),
        ("http://xn--bcher-kva.example/", "example,xn--bcher-kva)/"),
        ("http://bücher.example/ä?ö=ü", "example,xn--bcher-kva)/%c3%a4?%c3%b6=%c3%bc"),
        ("https://user:pw@example.com/x", "com,example)/x"),
        ("http://example.com/a%20b?q=%2F", "com,example)/a%20b?q=/"),
        ("http://[::1]:80/x", "::1)/x"),
        ("http://[2001:DB8::1]:8080/a", "2001:db8::1:8080)/a"),
        ("http://example.com/?", "com,example)/"),
        ("http://example.com/path?", "com,example)/path"),
        ("http://www.example.com/?a", "com,example)/?a"),
        ("https://example.com:80/", "com,example:80)/"),
        ("https://example.com:443", "com,example)/"),
        ("http://example.com/a/../b", "com,example)/b"),
        ("http://example.com/a//b/./c/", "com,example)/a/b/c"),
        ("http://example.com/a/b/../../../c", "com,example)/../c"),
        ("http://example.com/a%2Fb%2F..%2Fc", "com,example)/a/c"),
        ("http://example.com./", "com,example)/"),
        ("http://..example..com../", "com,example)/"),
        ("http://Example.COM/%7Euser", "com,example)/~user"),
        ("http://example.com/%2541", "com,example)/a"),
        ("http://example.com/%25%32%35", "com,example)/%25"),
        ("http://example.com/%", "com,example)/%25"),
        ("http://example.com/ü/%C3%BC", "com,example)/%c3%bc/%c3%bc"),
        ("https://example.com/😀?e=😀", "com,example)/%f0%9f%98%80?e=%f0%9f%98%80"),
        ("http://example.com/\u{1}\u{7f}", "com,example)/%01%7f"),
        ("http://example.com/a?q=\"x\"&r=<y>", "com,example)/a?q=\"x\"&r=<y>"),
        ("http://example.com/?x=%2526", "com,example)/?&x="),
        ("http://www.example.com:8080/index.html?x=%20%2b+", "com,example:8080)/index.html?x=%20++"),
        ("http://example.com/a?b=1&amp;a=2", "com,example)/a?amp;a=2&b=1"),
        ("http://example.com/?a&&b&", "com,example)/?&&a&b"),
        ("http://example.com/?a=b=c", "com,example)/?a=b=c"),
        ("http://archive.org/goo/?a=2&b&a=1", "org,archive)/goo?a=1&a=2&b"),
        ("http://archive.org/goo/?b&a", "org,archive)/goo?a&b"),
        ("http://127.1/", "1,0,0,127)/"),
        ("http://3232235777/", "1,1,168,192)/"),
        ("http://0177.0.0.1/", "1,0,0,127)/"),
        ("http://1.2.3.010/", "8,3,2,1)/"),
        (
            "http://archive.org/index.php?PHPSESSID=0123456789abcdefghijklemopqrstuv&action=profile;u=4221",
            "org,archive)/index.php?action=profile;u=4221",
        ),
        ("http://example.com/x?jsessionid=0123456789abcdef0123456789ABCDEF&b=1", "com,example)/x?b=1"),
        ("http://example.com/x?a=1&ASPSESSIONIDabcdefgh=abcdefghijklmnopqrstuvwx", "com,example)/x?&a=1"),
        ("http://example.com/x?cfid=123&cftoken=456&z=1", "com,example)/x?z=1"),
        ("http://example.com/(S(abcdefghijklmnopqrstuvwx))/page.aspx?x=1", "com,example)/page.aspx?x=1"),
        ("http://example.com/(abcdefghijklmnopqrstuvwx)/dir/page.ASPX", "com,example)/dir/page.aspx"),
        (
            "http://visit.webhosting.yahoo.com/visit.gif?&r=http%3A//web.archive.org/web/20090517140029/http%3A//anthonystewarthead.electric-chi.com/&b=Netscape%205.0%20%28Windows%3B%20en-US%29&s=1366x768&o=Win32&c=24&j=true&v=1.2",
            "com,yahoo,webhosting,visit)/visit.gif?&b=netscape%205.0%20(windows;%20en-us)&c=24&j=true&o=win32&r=http://web.archive.org/web/20090517140029/http://anthonystewarthead.electric-chi.com/&s=1366x768&v=1.2",
        ),
        ("http://https://example.com/", "com,example)/"),
        ("http:////www.vikings.com/x", "com,vikings)/x"),
        ("  http://example.com/a b  ", "com,example)/a%20b"),
        ("http://exa\tmple.com/\n", "com,example)/"),
        ("example.com/path", "com,example)/path"),
        ("http://example.com:/x", "com,example)/x"),
        ("HTTP://Example.com/X", "com,example)/x"),
        ("ftp://www.example.com/", "com,example)/"),
        ("dns:archive.org", "dns:archive.org"),
        ("mailto:foo@example.com", "mailto:foo@example.com"),
        ("whois://whois.isoc.org.il/shaveh.co.il", "il,org,isoc,whois)/shaveh.co.il"),
        ("filedesc:foo.arc.gz", "filedesc:foo.arc.gz"),
        ("warcinfo:foo.warc.gz", "warcinfo:foo.warc.gz"),
        ("urn:uuid:1234", "urn:uuid:1234"),
        ("", "-"),
    ];
    for (url, key) in cases {
        assert_eq!(surt(url), key, "{url:?}");
    }
}

#[test]
fn surt_never_panics_and_stays_fast_on_hostile_urls() {
    let mut rng = Rng(7);
    let pieces =
        ["%", "%25", "%2", "/", "/../", "?", "&", "=", "#", "[", "]", ":", "@", ".", "www.", "ü", "😀", "(", ")"];
    for _ in 0..20_000 {
        let url: String = (0..rng.below(20)).map(|_| pieces[rng.below(pieces.len())]).collect();
        let key = surt(&format!("http://{url}"));
        assert!(key.is_ascii(), "{url:?} -> {key:?}");
    }
    // Deep nesting of escapes, thousands of session-id look-alikes: linear, not quadratic.
    let started = Instant::now();
    for url in [
        format!("http://example.com/{}41", "%25".repeat(200_000)),
        format!("http://example.com/?{}", "cfid=x".repeat(100_000)),
        format!("http://example.com/{}", "/(x(abcdefghijklmnopqrstuvwx)".repeat(20_000)),
        format!("http://{}example.com/", "www.".repeat(100_000)),
        format!("{}example.com/", "http://".repeat(100_000)),
        format!("http://example.com/{}", "(".repeat(300_000)),
    ] {
        let _ = surt(&url);
    }
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
}

#[test]
fn cdxj_lines_are_written_as_pywb_writes_them() {
    let digest = "sha256:4OYMIQUY7QOBJGX36TEJS35ZEQT24QPEMSNZGTFESWMRW6CSXBKQ====";
    let line = cdxj_line("https://www.example.com/a?b=2&a=1", AT, "text/html", 200, digest, 1234, 5678, "data.warc.gz");
    assert_eq!(
        line,
        format!(
            "com,example)/a?a=1&b=2 20261127102000 {{\"url\": \"https://www.example.com/a?b=2&a=1\", \"mime\": \
             \"text/html\", \"status\": \"200\", \"digest\": \"{digest}\", \"length\": \"1234\", \"offset\": \"5678\", \
             \"filename\": \"data.warc.gz\"}}"
        )
    );
    let revisit = cdxj_line("https://example.com/", 0, "warc/revisit", 304, "", 0, 0, "data.warc.gz");
    assert!(revisit.starts_with("com,example)/ 19700101000000 {\"url\""), "{revisit}");
    assert!(revisit.contains("\"mime\": \"warc/revisit\", \"status\": \"304\", \"digest\": \"\""), "{revisit}");

    // JSON escaping: quotes, backslashes and control characters, and non-ASCII as \u escapes (as Python's
    // json.dumps does), so a line is always one line of ASCII.
    let url = "https://example.com/\"q\"\\\u{1}\n\u{7f}é😀";
    let line = cdxj_line(url, AT, "text/html; charset=\"utf-8\"", 200, "d", 1, 2, "data.warc.gz");
    assert!(line.is_ascii() && !line.contains('\n'), "{line}");
    assert!(line.contains(r#""url": "https://example.com/\"q\"\\\u0001\n\u007f\u00e9\ud83d\ude00""#), "{line}");
    let json: serde_json::Value =
        serde_json::from_str(line.split_once(' ').unwrap().1.split_once(' ').unwrap().1).unwrap();
    assert_eq!(json["url"], url);
    assert_eq!(json["mime"], "text/html; charset=\"utf-8\"");
    let keys: Vec<&str> = json.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys.len(), 7);
}

/// Fuzz finding (docs/fuzzing.md, zip target): the reader took any ZIP64 locator signature 20 bytes before the end
/// record for one, so a WACZ whose last entry's name ended in such bytes was refused as split across disks (or its
/// directory looked for elsewhere). The locator counts only when the end record marks a value as held in ZIP64.
#[test]
fn fuzz_finding_a_name_ending_like_a_zip64_locator_is_just_a_name() {
    let name = "pages/PK\u{6}\u{7}\u{1}\0\0\0zzzzzzzz\u{1}\0\0\0";
    let file = zip_file(&[("datapackage.json", b"{}"), (name, b"data")], AT);
    let read = read_zip(&file).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(read.iter().map(|(e, _)| e.name.as_str()).collect::<Vec<_>>(), ["datapackage.json", name]);
    assert_eq!(read[1].1, b"data");
    // Positive control: the same locator bytes with the end record's count marked are followed, and refused.
    let mut marked = file.clone();
    let n = marked.len();
    marked[n - 12..n - 10].copy_from_slice(&0xFFFFu16.to_le_bytes());
    let err = read_zip(&marked).unwrap_err();
    assert!(err.to_string().contains("several disks"), "{err}");
}
