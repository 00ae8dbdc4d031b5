//! The ZIP reader (and writer), on arbitrary files.
//!
//! Input: one flag byte, then bytes. Flags bit 0 clear: the bytes are the file, read as the importer does — the
//! tail gives the directory, the directory the entries, each local header its data offset; bit 1 makes the file
//! 4 GiB + the bytes long with them as its end (the reader only sees the slices it asks for). Bit 0 set: the bytes
//! describe entries (names and data), written with `ZipWriter` and read back.
//!
//! Invariants: no panic; errors are `archive/*` codes with messages ending in a full stop; the directory lies
//! within the file and before its end records; each data offset is after its local header and its data ends
//! before 2^64; a written ZIP reads back with the same entries in order (names, sizes, CRC-32, stored) and the
//! same data at the data offsets, and the writer refuses exactly the names its contract says.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sitemirror::archive::{zip_data_offset, zip_directory, zip_entries, Crc32, ZipEntry, ZipWriter, ZIP_TAIL_BYTES};
use sitemirror::error::{ArchiveError, ErrorCode};

fn coded(e: &ArchiveError) {
    assert!(e.code().starts_with("archive/"), "error code {:?}", e.code());
    assert!(e.to_string().ends_with('.'), "message {:?} doesn't end with a full stop", e.to_string());
}

/// Reads a file of `file_len` bytes whose last `end.len()` bytes are `end`: the entries and their data offsets.
fn read(end: &[u8], file_len: u64) -> Result<Vec<(ZipEntry, u64)>, ArchiveError> {
    let base = file_len - end.len() as u64;
    let tail = &end[end.len() - (ZIP_TAIL_BYTES.min(file_len) as usize).min(end.len())..];
    let (offset, size) = zip_directory(tail, file_len)?;
    let directory_end = offset.checked_add(size).expect("the directory's end fits in u64");
    assert!(directory_end <= file_len, "the directory ({offset}+{size}) runs past the file ({file_len})");
    if offset < base {
        return Ok(Vec::new()); // Not in the bytes we have: nothing more to read.
    }
    let directory = &end[(offset - base) as usize..(directory_end - base) as usize];
    let entries = zip_entries(directory)?;
    let mut out = Vec::new();
    for entry in entries {
        let Some(at) = entry.header_offset.checked_sub(base) else { continue };
        let Some(local) = end.get(at as usize..).map(|l| &l[..l.len().min(30)]) else { continue };
        match zip_data_offset(&entry, local) {
            Ok(start) => {
                assert!(start >= entry.header_offset + 30, "data starts inside its local header");
                assert!(start.checked_add(entry.compressed_size).is_some(), "data ends past 2^64");
                out.push((entry, start));
            }
            Err(e) => coded(&e),
        }
    }
    Ok(out)
}

fn refused_name(name: &str, earlier: &[String]) -> bool {
    name.is_empty()
        || name.starts_with('/')
        || name.contains('\\')
        || name.split('/').any(|s| s == "..")
        || name.len() > 0xFFFF
        || earlier.iter().any(|e| e == name)
}

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else { return };
    if flags & 1 == 0 {
        let file_len = rest.len() as u64 + if flags & 2 != 0 { 1 << 32 } else { 0 };
        if let Err(e) = read(rest, file_len) {
            coded(&e);
        }
        return;
    }

    // Entries: "name\0data\0" repeated; the flag's high bits give the modification time.
    let mut writer = ZipWriter::new();
    let mut file = Vec::new();
    let mut written: Vec<(String, Vec<u8>)> = Vec::new();
    let mut names: Vec<String> = Vec::new();
    let mut parts = rest.split(|&b| b == 0);
    while let (Some(name), Some(body)) = (parts.next(), parts.next()) {
        let name = String::from_utf8_lossy(name).into_owned();
        let mut crc = Crc32::new();
        crc.update(body);
        let modified = u64::from(flags >> 1) * 86_400_000 * 365 * 2;
        match writer.entry(&name, body.len() as u64, crc.value(), modified) {
            Ok(header) => {
                assert!(!refused_name(&name, &names), "{name:?} should have been refused");
                file.extend_from_slice(&header);
                file.extend_from_slice(body);
                written.push((name.clone(), body.to_vec()));
                names.push(name);
            }
            Err(e) => {
                coded(&e);
                assert!(refused_name(&name, &names), "{name:?} refused: {e}");
            }
        }
    }
    file.extend_from_slice(&writer.finish());
    assert!(writer.entry("late", 0, 0, 0).is_err(), "an entry after finish");

    let read_back = read(&file, file.len() as u64).unwrap_or_else(|e| panic!("a written ZIP doesn't read: {e}"));
    assert_eq!(read_back.len(), written.len(), "entries lost or added");
    for ((entry, start), (name, body)) in read_back.iter().zip(&written) {
        assert_eq!(&entry.name, name);
        assert_eq!(entry.method, 0, "stored");
        assert_eq!((entry.size, entry.compressed_size), (body.len() as u64, body.len() as u64));
        let mut crc = Crc32::new();
        crc.update(body);
        assert_eq!(entry.crc, crc.value());
        assert_eq!(&file[*start as usize..*start as usize + body.len()], &body[..], "data of {name:?}");
    }
});
