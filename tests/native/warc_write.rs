//! WARC files written by the engine: they read back identically however the file is chunked, plain or gzipped,
//! with the WARC/1.1 shape, unique deterministic ids, revisits that round-trip.
#![cfg(not(target_arch = "wasm32"))]

#[path = "archive_common.rs"]
mod archive_common;

use archive_common::*;

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
        fidelity: None,
    };
    let c = ArchiveCapture::from(&stored);
    assert_eq!(c, capture("https://example.com/x", AT, 203, &[("content-type", "text/plain")], b"x"));
}
