//! WARC files of other tools (old wget's WARC/1.0 above all): read as a browser would see their responses, their
//! fields in every spelling other tools use.
#![cfg(not(target_arch = "wasm32"))]

#[path = "archive_common.rs"]
mod archive_common;

use archive_common::*;

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
