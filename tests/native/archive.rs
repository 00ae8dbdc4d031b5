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
    let mut reader = WarcReader::new(max_record);
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

/// One gzip member inflating to 200 MB inside a record of 200 MB, with 1 MB allowed: it is inflated through and
/// dropped, not held, and the record after it is read.
#[test]
fn a_gzip_bomb_record_is_skipped_without_holding_it() {
    const SIZE: usize = 200 << 20;
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
    let mut file = member.finish().unwrap();
    assert!(file.len() < SIZE / 200, "{} bytes compressed", file.len());
    let after = capture("https://example.com/after", AT, 200, &[], b"after");
    file.extend(gz(&response(&after, b"after")));

    let started = Instant::now();
    let (got, peak) = peak_memory(|| read_with(&file, &[64 << 10], 1 << 20));
    assert!(started.elapsed() < Duration::from_secs(30), "{:?}", started.elapsed());
    assert!(peak < 4 << 20, "reading held {peak} bytes at most; the record is 200 MB, the limit 1 MB");
    assert_eq!(got.end, Ok(()));
    let [bomb, next] = &got.records[..] else { panic!("{:?}", got.records.len()) };
    assert_eq!(
        (bomb.url.as_str(), bomb.problem.as_deref()),
        ("https://example.com/bomb", Some("record over 1048576 bytes"))
    );
    assert!(bomb.body.is_empty());
    assert_eq!(next, &expected(&after, b"after"));
}
