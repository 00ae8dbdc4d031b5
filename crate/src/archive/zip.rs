//! ZIP, as far as WACZ needs it: writing one whose entries are all stored (method 0), and reading the directory of
//! one that lives in a browser `File` several gigabytes long.
//!
//! Writing produces header bytes only. The data of each entry lives in the browser's storage and is streamed out
//! of it by the caller, so [`ZipWriter::entry`] takes the size and CRC-32 up front (computed with [`Crc32`]) and
//! returns the local header to put before the data; [`ZipWriter::finish`] returns the central directory and end
//! records to put after the last entry. Entries are never compressed: the WARC inside a WACZ is already gzip, WACZ
//! 1.1.1 forbids compressing it again, and stored data is what lets a replayer read a record at an offset without
//! inflating everything before it. Sizes and offsets past 4 GiB get ZIP64 fields, so multi-gigabyte archives work.
//!
//! Reading works on slices the caller cuts from the file, so memory stays small whatever its size: the last
//! [`ZIP_TAIL_BYTES`] give the directory's place ([`zip_directory`]), the directory gives the entries
//! ([`zip_entries`]), and the 30 fixed bytes of an entry's local header give where its data starts
//! ([`zip_data_offset`]). Every length read from the file is checked before it is used: hostile input gives an
//! [`ArchiveError`], never a panic or an allocation the input chose.

use crate::crawl::dates::{civil_from_days, days_from_civil};
use crate::error::ArchiveError;
use std::collections::HashSet;

const LOCAL_SIG: u32 = 0x0403_4b50;
const CENTRAL_SIG: u32 = 0x0201_4b50;
const END_SIG: u32 = 0x0605_4b50;
const ZIP64_END_SIG: u32 = 0x0606_4b50;
const ZIP64_LOCATOR_SIG: u32 = 0x0706_4b50;
/// Some writers sign the central directory; the signature record ends it.
const DIGITAL_SIGNATURE_SIG: u32 = 0x0505_4b50;

const LOCAL_LEN: usize = 30;
const CENTRAL_LEN: usize = 46;
const END_LEN: usize = 22;
const ZIP64_END_LEN: usize = 56;
const ZIP64_LOCATOR_LEN: usize = 20;
const MAX_COMMENT: usize = 0xFFFF;

/// How many bytes from the end of a file [`zip_directory`] needs (or the whole file, if it is shorter): the end
/// record with the longest comment it can have, the ZIP64 locator before it and the ZIP64 end record before that.
pub const ZIP_TAIL_BYTES: u64 = (END_LEN + MAX_COMMENT + ZIP64_LOCATOR_LEN + ZIP64_END_LEN) as u64;

/// A 32-bit field holding this value (or a 16-bit one holding 0xFFFF) says "the real value is in the ZIP64 field".
const U32_MARK: u64 = 0xFFFF_FFFF;
const U16_MARK: u64 = 0xFFFF;
/// General purpose flag bit 11: the name is UTF-8 (otherwise readers take it as code page 437).
const UTF8_NAME: u16 = 1 << 11;
const ZIP64_EXTRA_ID: u16 = 0x0001;
/// "Version needed to extract": 2.0 for a plain stored file, 4.5 once ZIP64 fields are involved.
const VERSION_PLAIN: u16 = 20;
const VERSION_ZIP64: u16 = 45;
/// Made by a Unix host (upper byte 3), so the external attributes below are a file mode: unzip then extracts
/// files readable by everyone instead of with whatever permissions it guesses.
const MADE_BY: u16 = 3 << 8 | VERSION_ZIP64;
const FILE_MODE: u32 = 0o100_644 << 16;

/// At most this many entries are read from a directory (a WACZ has a handful).
const MAX_ENTRIES: u64 = 1_000_000;
/// A directory claiming to be bigger than this is refused before the caller reads it into memory.
const MAX_DIRECTORY: u64 = 256 << 20;

/// Incremental CRC-32 (the IEEE polynomial, as ZIP and gzip use it) of an entry's data as it streams past.
#[derive(Clone, Default)]
pub struct Crc32(crc32fast::Hasher);

impl Crc32 {
    pub fn new() -> Self {
        Crc32(crc32fast::Hasher::new())
    }

    /// Adds the next bytes of the data.
    pub fn update(&mut self, data: &[u8]) {
        self.0.update(data);
    }

    /// The CRC-32 of everything given so far (more can still be added).
    pub fn value(&self) -> u32 {
        self.0.clone().finalize()
    }
}

/// Writes the headers of a ZIP whose entries are all stored: for each entry, [`entry`](ZipWriter::entry) gives the
/// local header, which the caller writes followed by exactly `size` bytes of data; then [`finish`](ZipWriter::finish)
/// gives the directory and end records, written last. Offsets are counted from those sizes, so the caller must
/// write exactly what it declared.
#[derive(Debug, Default)]
pub struct ZipWriter {
    entries: Vec<Written>,
    names: HashSet<String>,
    /// Where the next local header goes: everything declared so far.
    offset: u64,
    finished: bool,
}

/// What the central directory repeats about one entry.
#[derive(Debug)]
struct Written {
    name: String,
    size: u64,
    crc: u32,
    time: u16,
    date: u16,
    offset: u64,
}

impl ZipWriter {
    pub fn new() -> Self {
        ZipWriter::default()
    }

    /// The local file header of the next entry, whose data (`size` bytes, CRC-32 `crc`) the caller writes right
    /// after it; `modified_ms` (ms since the Unix epoch) becomes the DOS date and time, in UTC.
    ///
    /// Refuses (`archive/malformed`, nothing recorded) an empty name, a name starting with `/`, containing a
    /// backslash or a `..` segment (unzip tools would write outside the folder they extract to, or refuse the
    /// file), a name longer than a ZIP can hold, a name already used, and any entry after [`finish`](Self::finish).
    pub fn entry(&mut self, name: &str, size: u64, crc: u32, modified_ms: u64) -> Result<Vec<u8>, ArchiveError> {
        let refuse = |reason: &str| ArchiveError::BadZipEntry { name: name.to_owned(), reason: reason.to_owned() };
        if self.finished {
            return Err(refuse("the ZIP is already finished"));
        }
        if name.is_empty() {
            return Err(refuse("the name is empty"));
        }
        if name.starts_with('/') {
            return Err(refuse("the name starts with '/'"));
        }
        if name.contains('\\') {
            return Err(refuse("the name contains a backslash"));
        }
        if name.split('/').any(|segment| segment == "..") {
            return Err(refuse("the name has a '..' segment"));
        }
        if name.len() > 0xFFFF {
            return Err(refuse("the name is longer than 65535 bytes"));
        }
        if self.names.contains(name) {
            return Err(refuse("an entry of that name is already in the ZIP"));
        }

        let (time, date) = dos_date_time(modified_ms);
        let zip64 = size >= U32_MARK;
        let mut extra = Vec::new();
        if zip64 {
            // In a local header the ZIP64 field must carry both sizes (APPNOTE 4.5.3); there is no offset here.
            extra.extend_from_slice(&ZIP64_EXTRA_ID.to_le_bytes());
            extra.extend_from_slice(&16u16.to_le_bytes());
            extra.extend_from_slice(&size.to_le_bytes());
            extra.extend_from_slice(&size.to_le_bytes());
        }
        let mut h = Vec::with_capacity(LOCAL_LEN + name.len() + extra.len());
        put32(&mut h, LOCAL_SIG);
        put16(&mut h, if zip64 { VERSION_ZIP64 } else { VERSION_PLAIN });
        put16(&mut h, UTF8_NAME);
        put16(&mut h, 0); // stored
        put16(&mut h, time);
        put16(&mut h, date);
        put32(&mut h, crc);
        put32(&mut h, size.min(U32_MARK) as u32); // compressed size: stored, so the same
        put32(&mut h, size.min(U32_MARK) as u32);
        put16(&mut h, name.len() as u16);
        put16(&mut h, extra.len() as u16);
        h.extend_from_slice(name.as_bytes());
        h.extend_from_slice(&extra);

        let next = self
            .offset
            .checked_add(h.len() as u64)
            .and_then(|o| o.checked_add(size))
            .ok_or_else(|| refuse("the ZIP would be larger than 2^64 bytes"))?;
        self.entries.push(Written { name: name.to_owned(), size, crc, time, date, offset: self.offset });
        self.names.insert(name.to_owned());
        self.offset = next;
        Ok(h)
    }

    /// The central directory, then (when the directory's offset or size, or the number of entries, doesn't fit the
    /// classic fields) the ZIP64 end record and its locator, then the end record: the last bytes of the file.
    /// After this, [`entry`](Self::entry) is refused; calling `finish` again gives the same bytes.
    pub fn finish(&mut self) -> Vec<u8> {
        self.finished = true;
        let directory_offset = self.offset;
        let mut out = Vec::new();
        for e in &self.entries {
            let big_size = e.size >= U32_MARK;
            let big_offset = e.offset >= U32_MARK;
            // In the directory, the ZIP64 field holds only the values whose classic field is marked, in this order.
            let mut extra = Vec::new();
            if big_size {
                extra.extend_from_slice(&e.size.to_le_bytes());
                extra.extend_from_slice(&e.size.to_le_bytes());
            }
            if big_offset {
                extra.extend_from_slice(&e.offset.to_le_bytes());
            }
            if !extra.is_empty() {
                let data = std::mem::take(&mut extra);
                extra.extend_from_slice(&ZIP64_EXTRA_ID.to_le_bytes());
                extra.extend_from_slice(&(data.len() as u16).to_le_bytes());
                extra.extend_from_slice(&data);
            }
            put32(&mut out, CENTRAL_SIG);
            put16(&mut out, MADE_BY);
            put16(&mut out, if big_size || big_offset { VERSION_ZIP64 } else { VERSION_PLAIN });
            put16(&mut out, UTF8_NAME);
            put16(&mut out, 0);
            put16(&mut out, e.time);
            put16(&mut out, e.date);
            put32(&mut out, e.crc);
            put32(&mut out, e.size.min(U32_MARK) as u32);
            put32(&mut out, e.size.min(U32_MARK) as u32);
            put16(&mut out, e.name.len() as u16);
            put16(&mut out, extra.len() as u16);
            put16(&mut out, 0); // comment
            put16(&mut out, 0); // disk
            put16(&mut out, 0); // internal attributes
            put32(&mut out, FILE_MODE);
            put32(&mut out, e.offset.min(U32_MARK) as u32);
            out.extend_from_slice(e.name.as_bytes());
            out.extend_from_slice(&extra);
        }
        let directory_size = out.len() as u64;
        let count = self.entries.len() as u64;
        if count >= U16_MARK || directory_size >= U32_MARK || directory_offset >= U32_MARK {
            let zip64_end = directory_offset.saturating_add(directory_size);
            put32(&mut out, ZIP64_END_SIG);
            out.extend_from_slice(&((ZIP64_END_LEN - 12) as u64).to_le_bytes()); // size of the rest of the record
            put16(&mut out, MADE_BY);
            put16(&mut out, VERSION_ZIP64);
            put32(&mut out, 0); // this disk
            put32(&mut out, 0); // disk of the directory
            out.extend_from_slice(&count.to_le_bytes());
            out.extend_from_slice(&count.to_le_bytes());
            out.extend_from_slice(&directory_size.to_le_bytes());
            out.extend_from_slice(&directory_offset.to_le_bytes());
            put32(&mut out, ZIP64_LOCATOR_SIG);
            put32(&mut out, 0); // disk of the ZIP64 end record
            out.extend_from_slice(&zip64_end.to_le_bytes());
            put32(&mut out, 1); // disks in all
        }
        put32(&mut out, END_SIG);
        put16(&mut out, 0);
        put16(&mut out, 0);
        put16(&mut out, count.min(U16_MARK) as u16);
        put16(&mut out, count.min(U16_MARK) as u16);
        put32(&mut out, directory_size.min(U32_MARK) as u32);
        put32(&mut out, directory_offset.min(U32_MARK) as u32);
        put16(&mut out, 0); // comment
        out
    }
}

/// One entry of a ZIP's central directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZipEntry {
    pub name: String,
    /// 0 = stored, 8 = deflated; a WACZ reader wants 0.
    pub method: u16,
    /// Where the entry's local header starts in the file.
    pub header_offset: u64,
    pub compressed_size: u64,
    pub size: u64,
    pub crc: u32,
}

/// Where the central directory is, as (offset, size) in bytes, from `tail`: the last `min(file_len,
/// ZIP_TAIL_BYTES)` bytes of a file `file_len` bytes long. The ZIP64 end record is followed when the end record
/// marks one of its values (all ones) as held there.
///
/// Errors: no end record ([`ArchiveError::NoZipDirectory`], `archive/not-warc`: the file isn't a ZIP); a directory
/// that doesn't fit before its end record, has more than 1,000,000 entries, is over 256 MiB, is split across disks,
/// or whose ZIP64 end record lies before `tail` ([`ArchiveError::BadZip`], `archive/malformed`).
pub fn zip_directory(tail: &[u8], file_len: u64) -> Result<(u64, u64), ArchiveError> {
    let bad = |reason: String| ArchiveError::BadZip { reason };
    let base = file_len
        .checked_sub(tail.len() as u64)
        .ok_or_else(|| bad(format!("{} bytes were given as the end of a {file_len}-byte file", tail.len())))?;
    let end = find_end(tail).ok_or(ArchiveError::NoZipDirectory)?;
    let e = &tail[end..];
    let (disk, directory_disk) = (u16_at(e, 4), u16_at(e, 6));
    let mut count = u64::from(u16_at(e, 10));
    let mut size = u64::from(u32_at(e, 12));
    let mut offset = u64::from(u32_at(e, 16));
    // The directory must end before the record that follows it: the end record, or the ZIP64 end record.
    let mut limit = base + end as u64;

    // A ZIP64 end record is looked for only when the end record marks a value as held there (APPNOTE 4.4.1.4):
    // otherwise the last bytes of the directory (the end of an entry's name) could pass for a locator.
    let marked = count == U16_MARK || size == U32_MARK || offset == U32_MARK;
    let locator = end.checked_sub(ZIP64_LOCATOR_LEN).filter(|&l| marked && u32_at(tail, l) == ZIP64_LOCATOR_SIG);
    if let Some(l) = locator {
        let locator_at = base + l as u64;
        if u32_at(tail, l + 4) != 0 {
            return Err(bad("it is split across several disks, which is not supported".into()));
        }
        let record_at = u64_at(tail, l + 8);
        if record_at.checked_add(ZIP64_END_LEN as u64).is_none_or(|record_end| record_end > locator_at) {
            return Err(bad(format!("the ZIP64 locator points at byte {record_at}, past itself at byte {locator_at}")));
        }
        if record_at < base {
            return Err(bad(format!(
                "its ZIP64 end record (at byte {record_at}) is not within the last {} bytes of the file",
                tail.len()
            )));
        }
        let r = &tail[(record_at - base) as usize..];
        if u32_at(r, 0) != ZIP64_END_SIG {
            return Err(bad(format!("there is no ZIP64 end record at byte {record_at}, where its locator points")));
        }
        if u32_at(r, 16) != 0 || u32_at(r, 20) != 0 {
            return Err(bad("it is split across several disks, which is not supported".into()));
        }
        count = u64_at(r, 32);
        size = u64_at(r, 40);
        offset = u64_at(r, 48);
        limit = record_at;
    } else if disk != 0 || directory_disk != 0 {
        return Err(bad("it is split across several disks, which is not supported".into()));
    }

    if count > MAX_ENTRIES {
        return Err(bad(format!("its directory lists {count} entries; at most {MAX_ENTRIES} are read")));
    }
    if size > MAX_DIRECTORY {
        return Err(bad(format!("its directory is {size} bytes; at most {MAX_DIRECTORY} are read")));
    }
    if size < count * CENTRAL_LEN as u64 {
        return Err(bad(format!("a directory of {size} bytes can't hold {count} entries")));
    }
    if offset.checked_add(size).is_none_or(|directory_end| directory_end > limit) {
        return Err(bad(format!(
            "its directory (at byte {offset}, {size} bytes) runs past the end record at byte {limit}"
        )));
    }
    Ok((offset, size))
}

/// The end record: scanning back from the end, the first signature whose comment ends exactly at the end of the
/// file, or failing that (bytes appended after the ZIP) the last one whose comment fits. Preferring the exact fit
/// keeps a comment that happens to contain the signature from passing for the record.
fn find_end(tail: &[u8]) -> Option<usize> {
    let last = tail.len().checked_sub(END_LEN)?;
    let candidates = || (0..=last).rev().filter(|&p| u32_at(tail, p) == END_SIG);
    let comment_end = |p: usize| p + END_LEN + usize::from(u16_at(tail, p + 20));
    candidates()
        .find(|&p| comment_end(p) == tail.len())
        .or_else(|| candidates().find(|&p| comment_end(p) <= tail.len()))
}

/// The entries of a central directory (the `size` bytes at `offset` that [`zip_directory`] gives), in order.
/// ZIP64 fields are honoured; names are UTF-8 when flagged so, else UTF-8 if they are valid UTF-8 (many writers
/// don't set the flag), else code page 437, as the ZIP format says.
///
/// Errors (`archive/malformed`): an entry without its signature or cut short, a ZIP64 field too short for what it
/// must hold, more than 1,000,000 entries.
pub fn zip_entries(directory: &[u8]) -> Result<Vec<ZipEntry>, ArchiveError> {
    let bad = |reason: String| ArchiveError::BadZip { reason };
    let mut entries = Vec::new();
    let mut at = 0;
    while at < directory.len() {
        let d = &directory[at..];
        let n = entries.len() + 1;
        if d.len() >= 4 && u32_at(d, 0) == DIGITAL_SIGNATURE_SIG {
            break;
        }
        if d.len() < CENTRAL_LEN {
            return Err(bad(format!("directory entry {n} is cut short")));
        }
        if u32_at(d, 0) != CENTRAL_SIG {
            return Err(bad(format!("directory entry {n} (at byte {at} of the directory) has no signature")));
        }
        if entries.len() as u64 == MAX_ENTRIES {
            return Err(bad(format!("its directory has more than {MAX_ENTRIES} entries")));
        }
        let flags = u16_at(d, 8);
        let method = u16_at(d, 10);
        let crc = u32_at(d, 16);
        let mut compressed_size = u64::from(u32_at(d, 20));
        let mut size = u64::from(u32_at(d, 24));
        let name_len = usize::from(u16_at(d, 28));
        let extra_len = usize::from(u16_at(d, 30));
        let comment_len = usize::from(u16_at(d, 32));
        let mut header_offset = u64::from(u32_at(d, 42));
        let total = CENTRAL_LEN + name_len + extra_len + comment_len;
        if d.len() < total {
            return Err(bad(format!("directory entry {n} is cut short")));
        }
        let name_bytes = &d[CENTRAL_LEN..CENTRAL_LEN + name_len];
        let extra = &d[CENTRAL_LEN + name_len..CENTRAL_LEN + name_len + extra_len];
        let name = decode_name(name_bytes, flags & UTF8_NAME != 0);
        zip64_fields(extra, &mut size, &mut compressed_size, &mut header_offset)
            .map_err(|()| bad(format!("the ZIP64 field of {name:?} is too short for the values it must hold")))?;
        entries.push(ZipEntry { name, method, header_offset, compressed_size, size, crc });
        at += total;
    }
    Ok(entries)
}

/// Replaces each value whose classic field is marked (0xFFFFFFFF) by the next one of the ZIP64 extra field, in
/// the order APPNOTE 4.5.3 fixes: size, compressed size, local header offset. A marked value without a ZIP64 field
/// stays as it is (it may really be 4 GiB − 1); extra fields that don't parse are left alone, as unzip does.
fn zip64_fields(mut extra: &[u8], size: &mut u64, compressed: &mut u64, offset: &mut u64) -> Result<(), ()> {
    while extra.len() >= 4 {
        let id = u16_at(extra, 0);
        let len = usize::from(u16_at(extra, 2));
        let Some(mut data) = extra.get(4..4 + len) else { return Ok(()) };
        if id == ZIP64_EXTRA_ID {
            for value in [size, compressed, offset] {
                if *value == U32_MARK {
                    let (v, rest) = data.split_first_chunk::<8>().ok_or(())?;
                    *value = u64::from_le_bytes(*v);
                    data = rest;
                }
            }
            return Ok(());
        }
        extra = &extra[4 + len..];
    }
    Ok(())
}

fn decode_name(bytes: &[u8], utf8: bool) -> String {
    if utf8 {
        return String::from_utf8_lossy(bytes).into_owned();
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        Err(_) => {
            bytes.iter().map(|&b| if b < 0x80 { char::from(b) } else { CP437_HIGH[usize::from(b - 0x80)] }).collect()
        }
    }
}

/// Code page 437 from 0x80 up: what a ZIP name without the UTF-8 flag means (APPNOTE appendix D).
const CP437_HIGH: [char; 128] = [
    'Ç', 'ü', 'é', 'â', 'ä', 'à', 'å', 'ç', 'ê', 'ë', 'è', 'ï', 'î', 'ì', 'Ä', 'Å', //
    'É', 'æ', 'Æ', 'ô', 'ö', 'ò', 'û', 'ù', 'ÿ', 'Ö', 'Ü', '¢', '£', '¥', '₧', 'ƒ', //
    'á', 'í', 'ó', 'ú', 'ñ', 'Ñ', 'ª', 'º', '¿', '⌐', '¬', '½', '¼', '¡', '«', '»', //
    '░', '▒', '▓', '│', '┤', '╡', '╢', '╖', '╕', '╣', '║', '╗', '╝', '╜', '╛', '┐', //
    '└', '┴', '┬', '├', '─', '┼', '╞', '╟', '╚', '╔', '╩', '╦', '╠', '═', '╬', '╧', //
    '╨', '╤', '╥', '╙', '╘', '╒', '╓', '╫', '╪', '┘', '┌', '█', '▄', '▌', '▐', '▀', //
    'α', 'ß', 'Γ', 'π', 'Σ', 'σ', 'µ', 'τ', 'Φ', 'Θ', 'Ω', 'δ', '∞', 'φ', 'ε', '∩', //
    '≡', '±', '≥', '≤', '⌠', '⌡', '÷', '≈', '°', '∙', '·', '√', 'ⁿ', '²', '■', '\u{a0}',
];

/// Where `entry`'s data starts, from the 30 fixed bytes of its local header (read at `entry.header_offset`): the
/// local header's own name and extra lengths count, which may differ from the directory's.
///
/// Errors (`archive/malformed`): fewer than 30 bytes, no local header signature, data that would end past 2^64.
pub fn zip_data_offset(entry: &ZipEntry, local_header: &[u8]) -> Result<u64, ArchiveError> {
    let bad = |reason: String| ArchiveError::BadZip { reason };
    if local_header.len() < LOCAL_LEN {
        return Err(bad(format!("the local header of {:?} is cut short", entry.name)));
    }
    if u32_at(local_header, 0) != LOCAL_SIG {
        return Err(bad(format!("there is no local header for {:?} at byte {}", entry.name, entry.header_offset)));
    }
    let variable = u64::from(u16_at(local_header, 26)) + u64::from(u16_at(local_header, 28));
    entry
        .header_offset
        .checked_add(LOCAL_LEN as u64 + variable)
        .filter(|start| start.checked_add(entry.compressed_size).is_some())
        .ok_or_else(|| bad(format!("the data of {:?} would end past 2^64 bytes", entry.name)))
}

/// The DOS time and date fields of `ms` (UTC), clamped to what they can hold: 1980 to 2107, to the even second.
fn dos_date_time(ms: u64) -> (u16, u16) {
    const MS_PER_DAY: u64 = 86_400_000;
    let first = days_from_civil(1980, 1, 1) as u64 * MS_PER_DAY;
    let after = days_from_civil(2108, 1, 1) as u64 * MS_PER_DAY;
    let ms = ms.clamp(first, after - 2000);
    let (y, mo, d) = civil_from_days((ms / MS_PER_DAY) as i64);
    let s = ms % MS_PER_DAY / 1000;
    let time = (s / 3600) << 11 | (s / 60 % 60) << 5 | ((s % 60) / 2);
    let date = (y as u64 - 1980) << 9 | u64::from(mo) << 5 | u64::from(d);
    (time as u16, date as u16)
}

fn put16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn put32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

// Little-endian reads at `at`; a read past the end gives 0 (callers check lengths first where a value matters,
// and a 0 signature matches nothing).
fn u16_at(b: &[u8], at: usize) -> u16 {
    b.get(at..at + 2).map_or(0, |s| u16::from_le_bytes([s[0], s[1]]))
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    b.get(at..at + 4).map_or(0, |s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    b.get(at..at + 8).and_then(|s| s.try_into().ok()).map_or(0, u64::from_le_bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dos_dates_are_utc_and_clamped_to_what_dos_can_hold() {
        // 2026-11-27T10:20:01.999Z: seconds are halved (rounded down).
        let (time, date) = dos_date_time(1_795_774_801_999);
        assert_eq!((time >> 11, time >> 5 & 63, (time & 31) * 2), (10, 20, 0));
        assert_eq!((1980 + (date >> 9), date >> 5 & 15, date & 31), (2026, 11, 27));
        assert_eq!(dos_date_time(0), (0, 1 << 5 | 1));
        assert_eq!(dos_date_time(u64::MAX), (23 << 11 | 59 << 5 | 29, 127 << 9 | 12 << 5 | 31));
    }

    #[test]
    fn code_page_437_names_decode_and_utf8_ones_are_kept() {
        assert_eq!(decode_name(b"caf\x82 \xe1", false), "café ß");
        assert_eq!(decode_name("café".as_bytes(), false), "café");
        assert_eq!(decode_name(b"bad \xff", true), "bad \u{fffd}");
    }
}
