//! WACZ: the ZIP around the archive (CRC, directory, ZIP64, what unzip and Python's zipfile make of ours and we of
//! theirs, hostile tails), SURT keys as the Python surt package makes them, CDXJ lines as pywb writes them.
#![cfg(not(target_arch = "wasm32"))]

#[path = "archive_common.rs"]
mod archive_common;
#[path = "growth.rs"]
mod growth;

use archive_common::*;
use growth::{assert_linear, Case, GROWTH};

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
    // Deep nesting of escapes, thousands of session-id look-alikes: linear, not quadratic. Each URL is timed at
    // full size against an eighth of it, not against a clock (CI machines differ).
    let urls: [Case; 6] = [
        ("n × %25", 200_000, |n| format!("http://example.com/{}41", "%25".repeat(n))),
        ("n × cfid=x", 100_000, |n| format!("http://example.com/?{}", "cfid=x".repeat(n))),
        ("n × /(x(…)", 40_000, |n| format!("http://example.com/{}", "/(x(abcdefghijklmnopqrstuvwx)".repeat(n))),
        ("n × www.", 300_000, |n| format!("http://{}example.com/", "www.".repeat(n))),
        ("n × http://", 1_000_000, |n| format!("{}example.com/", "http://".repeat(n))),
        ("n × (", 1_500_000, |n| format!("http://example.com/{}", "(".repeat(n))),
    ];
    for (what, n, url) in urls {
        assert_linear(&format!("surt of {what}"), n / GROWTH, url, |url| surt(url));
    }
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
