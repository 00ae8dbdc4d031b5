//! The streaming WARC reader, on arbitrary files fed in arbitrary chunkings.
//!
//! Input: one flag byte, then the file. Flags bits 0–1: the file as is, gzipped as one member, or gzipped as
//! several members (cut where the chunking seed says); bits 2–3: the largest record kept (64 B to 1 MiB); bits
//! 4–7: the chunking seed.
//!
//! Invariants: no panic; records and the final outcome are the same whole and chunked; an error is an
//! `archive/*` code with a message ending in a full stop, and every later call returns it again; records are only
//! of the returned kinds, bodies within the limit, a record with a problem has no body, a usable one has a URL
//! and no wire headers (content-length, -encoding, transfer-encoding); no more records than `records_seen`.
#![no_main]

use flate2::write::GzEncoder;
use flate2::Compression;
use libfuzzer_sys::fuzz_target;
use sitemirror::archive::{ArchiveRecord, WarcReader};
use sitemirror::error::{ArchiveError, ErrorCode};
use sitemirror_fuzz::{chunks, Rng};
use std::io::Write;

const LIMITS: [usize; 4] = [64, 1024, 64 * 1024, 1 << 20];

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut gz = GzEncoder::new(Vec::new(), Compression::fast());
    gz.write_all(data).unwrap();
    gz.finish().unwrap()
}

/// Everything the reader gives for `file` pushed in `pieces`: the records, then the error that ended it, if any.
fn read(pieces: &[&[u8]], max_record: usize) -> (Vec<ArchiveRecord>, Option<ArchiveError>) {
    let mut reader = WarcReader::new(max_record);
    let mut records = Vec::new();
    let mut outcome = None;
    for piece in pieces.iter().map(Some).chain([None]) {
        let step = match piece {
            Some(p) => reader.push(p),
            None => reader.finish(),
        };
        match step {
            Ok(mut got) => records.append(&mut got),
            Err(e) => {
                outcome = Some(e);
                break;
            }
        }
    }
    if outcome.is_none() {
        // A chunk that completes records and then fails returns the records; the error comes from the next call.
        if let Err(e) = reader.finish() {
            outcome = Some(e);
        }
    }
    if let Some(e) = &outcome {
        assert!(e.code().starts_with("archive/"), "error code {:?}", e.code());
        let message = e.to_string();
        assert!(message.ends_with('.'), "message {message:?} doesn't end with a full stop");
        assert_eq!(reader.push(b"more").err().as_ref(), Some(e), "the error isn't kept");
        assert_eq!(reader.finish().err().as_ref(), Some(e), "the error isn't kept");
    }
    assert!(records.len() as u64 <= reader.records_seen(), "more records returned than seen");
    (records, outcome)
}

fuzz_target!(|data: &[u8]| {
    let Some((&flags, raw)) = data.split_first() else { return };
    let seed = u64::from(flags >> 4) ^ raw.len() as u64;
    let max_record = LIMITS[usize::from(flags >> 2 & 3)];
    let file = match flags & 3 {
        0 | 3 => raw.to_vec(),
        1 => gzip(raw),
        _ => {
            let mut rng = Rng::new(seed);
            let mut out = Vec::new();
            let mut rest = raw;
            while !rest.is_empty() {
                let n = (1 + rng.below(512)).min(rest.len());
                out.extend_from_slice(&gzip(&rest[..n]));
                rest = &rest[n..];
            }
            out
        }
    };

    let (records, outcome) = read(&[&file], max_record);
    let (chunked, chunked_outcome) = read(&chunks(&file, seed, 1024), max_record);
    assert_eq!(records, chunked, "records depend on the chunking");
    assert_eq!(outcome, chunked_outcome, "the outcome depends on the chunking");

    for r in &records {
        assert!(matches!(r.kind.as_str(), "response" | "revisit" | "resource"), "kind {:?}", r.kind);
        assert!(r.body.len() <= max_record, "a body of {} bytes over the {max_record}-byte limit", r.body.len());
        match &r.problem {
            Some(p) => {
                assert!(!p.is_empty(), "an empty problem");
                assert!(r.body.is_empty(), "a record with a problem has a body");
            }
            None => {
                assert!(!r.url.is_empty(), "a usable record without URL");
                for (name, _) in &r.headers {
                    let wire = ["content-length", "content-encoding", "transfer-encoding"];
                    assert!(!wire.iter().any(|w| name.eq_ignore_ascii_case(w)), "wire header {name:?} kept");
                }
            }
        }
        if let Some(d) = &r.digest {
            assert!(d.len() == 64 && d.bytes().all(|b| b.is_ascii_hexdigit()), "digest {d:?} isn't SHA-256 hex");
        }
    }
});
