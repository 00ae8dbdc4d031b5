//! Reading WARC files written by any tool, as a push parser: the file comes in chunks of any size (the browser
//! streams it from disk), records come out as they complete, and memory stays bounded by the largest record kept
//! plus one header, whatever the file holds.
//!
//! Three layers: the input (plain, or a sequence of gzip members, found from the first two bytes), the record
//! framing (a WARC header, then exactly Content-Length bytes of block, then whatever CR/LFs the writer put between
//! records), and the decoding of one block into what a browser would have seen (the HTTP head read, chunked
//! transfer coding and gzip/deflate content coding undone). A failure of the last layer concerns one record and
//! is reported on it (`problem`); a failure of the first two leaves no way to find the next record, so it stops the
//! file with an [`ArchiveError`]. So does inflating more than the ratio bound allows, at any layer (`ratio.rs`).
//!
//! A WACZ entry compressed with deflate (ZIP method 8) is read with [`WarcReader::deflated`]: one more layer, under
//! the same bound.

use super::gzip::{self, DecodeError, Gunzip, Stop};
use super::ratio::Meter;
use super::{date, digest, http};
use crate::error::ArchiveError;

/// A WARC header bigger than this is not one.
const MAX_HEADER: usize = 64 * 1024;
/// Of a record too big to keep, this much of the block is still kept to read its HTTP status and headers.
const MAX_HEAD_KEPT: usize = 64 * 1024;
/// How many first bytes are looked at to say what a file that isn't a WARC looks like.
const SNIFF: usize = 16;

/// One record of a WARC file that can become a capture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchiveRecord {
    /// `WARC-Type`: `response`, `revisit` or `resource` (the only types returned).
    pub kind: String,
    /// `WARC-Target-URI` as written, without the `<>` that some writers put around it.
    pub url: String,
    /// `WARC-Date`, milliseconds since the Unix epoch.
    pub at_ms: u64,
    /// The HTTP status of a response or revisit; 200 for a resource.
    pub status: u16,
    /// HTTP headers, names lower-cased, in order, without `content-encoding`, `transfer-encoding` and
    /// `content-length` (they describe the bytes on the wire, not `body`); for a resource, a `content-type` from the
    /// record's `Content-Type`.
    pub headers: Vec<(String, String)>,
    /// The payload as a browser would see it: chunked transfer coding removed, gzip/deflate content coding decoded.
    pub body: Vec<u8>,
    /// SHA-256 (hex) of the payload as the record states it (`WARC-Payload-Digest` in SHA-256), else `None`. It is
    /// the writer's claim about the payload as archived, before any content coding was decoded, so it pairs
    /// revisits with the responses they repeat; the digest of `body` itself is computed by whoever stores it.
    pub digest: Option<String>,
    /// A revisit's `WARC-Refers-To-Target-URI` and `WARC-Refers-To-Date`, when it has both.
    pub refers_to: Option<(String, u64)>,
    /// Why this record can't be used (and `body` is empty), e.g. `content-encoding br is not supported`.
    pub problem: Option<String>,
}

/// A streaming WARC reader: [`push`](WarcReader::push) the file's bytes as they come, then
/// [`finish`](WarcReader::finish).
pub struct WarcReader {
    /// The raw deflate of a ZIP entry, undone first (`None`: the file is read as it is).
    outer: Option<Box<Gunzip>>,
    input: Input,
    records: Records,
    /// What was read and what was inflated from it, for the ratio bound.
    meter: Meter,
    /// Once set, every call returns it.
    failed: Option<ArchiveError>,
}

/// What the file is, found from its first two bytes.
enum Input {
    /// Undecided: nothing seen yet, or a first byte that may start the gzip magic.
    Start(Option<u8>),
    Plain,
    Gzip(Box<Gunzip>),
}

impl WarcReader {
    /// `max_record`: records whose block is bigger are skipped (their bytes are consumed without being kept) and
    /// returned with `problem` set.
    pub fn new(max_record: usize) -> Self {
        WarcReader {
            outer: None,
            meter: Meter::default(),
            input: Input::Start(None),
            records: Records {
                max_record,
                gzipped: false,
                pos: 0,
                seen: 0,
                stage: Stage::Between,
                head: Vec::new(),
                block: Vec::new(),
            },
            failed: None,
        }
    }

    /// A reader of a WARC file compressed as one raw deflate stream: the data of a WACZ's ZIP entry stored with
    /// method 8 (deflate), read like [`WarcReader::new`] once inflated.
    pub fn deflated(max_record: usize) -> Self {
        WarcReader { outer: Some(Box::new(Gunzip::raw())), ..WarcReader::new(max_record) }
    }

    /// Feeds the next bytes of the file, as they come (any chunking gives the same records). A file starting with
    /// the gzip magic is gunzipped as a sequence of gzip members. Returns the records completed by this chunk.
    ///
    /// When the chunk completes records and then fails, the records are returned and the error comes from the
    /// next call (`finish` at the latest), so no record before the fault is lost.
    ///
    /// Each record is bounded by `max_record`, but all those completed by one chunk come back together, and
    /// inflating may make up to 100 times the bytes pushed (then the file stops with `archive/too-compressed`;
    /// where exactly depends on the chunking): push chunks of a modest size (64 KiB to 1 MiB).
    pub fn push(&mut self, chunk: &[u8]) -> Result<Vec<ArchiveRecord>, ArchiveError> {
        self.run(|reader, out| reader.take(chunk, out))
    }

    /// End of file: the records still buffered, or [`ArchiveError::Truncated`] if the file ends inside a record.
    pub fn finish(&mut self) -> Result<Vec<ArchiveRecord>, ArchiveError> {
        self.run(|reader, out| {
            if let Input::Start(Some(b)) = reader.input {
                // A one-byte file: whatever it is, it isn't gzip.
                reader.input = Input::Plain;
                reader.records.feed(&[b], out, &reader.meter)?;
            }
            let whole = match &reader.input {
                Input::Gzip(gz) => gz.at_boundary(),
                _ => true,
            };
            if reader.outer.as_ref().is_some_and(|deflate| !deflate.at_boundary()) {
                return Err(ArchiveError::Truncated { records: reader.records.seen });
            }
            reader.records.finish(whole)
        })
    }

    /// Records seen of every type (including warcinfo, request and metadata, which are not returned).
    pub fn records_seen(&self) -> u64 {
        self.records.seen
    }

    fn run(
        &mut self,
        step: impl FnOnce(&mut Self, &mut Vec<ArchiveRecord>) -> Result<(), ArchiveError>,
    ) -> Result<Vec<ArchiveRecord>, ArchiveError> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        let mut out = Vec::new();
        match step(self, &mut out) {
            Ok(()) => Ok(out),
            Err(e) => {
                self.failed = Some(e.clone());
                if out.is_empty() {
                    Err(e)
                } else {
                    Ok(out)
                }
            }
        }
    }

    fn take(&mut self, chunk: &[u8], out: &mut Vec<ArchiveRecord>) -> Result<(), ArchiveError> {
        self.meter.read(chunk.len());
        let (input, records, meter) = (&mut self.input, &mut self.records, &self.meter);
        match &mut self.outer {
            Some(deflate) => deflate
                .push(chunk, &mut |piece| {
                    meter.made(piece.len())?;
                    take(input, records, meter, piece, out)
                })
                .map_err(stop),
            None => take(input, records, meter, chunk, out),
        }
    }
}

/// The WARC data (a WACZ entry's once inflated, or the file itself) goes to the record framing, gunzipped first
/// when it starts with the gzip magic.
fn take(
    input: &mut Input,
    records: &mut Records,
    meter: &Meter,
    chunk: &[u8],
    out: &mut Vec<ArchiveRecord>,
) -> Result<(), ArchiveError> {
    if let Input::Start(held) = *input {
        let first: Vec<u8> = held.into_iter().chain(chunk.iter().copied()).take(2).collect();
        match first[..] {
            [] => return Ok(()),
            [0x1f] => {
                *input = Input::Start(Some(0x1f));
                return Ok(());
            }
            [0x1f, 0x8b] => {
                *input = Input::Gzip(Box::new(Gunzip::new()));
                records.gzipped = true;
            }
            _ => *input = Input::Plain,
        }
        if let Some(b) = held {
            feed(input, records, meter, &[b], out)?;
        }
    }
    feed(input, records, meter, chunk, out)
}

fn feed(
    input: &mut Input,
    records: &mut Records,
    meter: &Meter,
    data: &[u8],
    out: &mut Vec<ArchiveRecord>,
) -> Result<(), ArchiveError> {
    match input {
        Input::Gzip(gz) => gz
            .push(data, &mut |piece| {
                meter.made(piece.len())?;
                records.feed(piece, out, meter)
            })
            .map_err(stop),
        _ => records.feed(data, out, meter),
    }
}

fn stop(stop: Stop<ArchiveError>) -> ArchiveError {
    match stop {
        Stop::Gzip(e) => ArchiveError::BadGzip { offset: e.offset, reason: e.reason },
        Stop::Sink(e) => e,
    }
}

/// The record framing over the (gunzipped) WARC data.
struct Records {
    max_record: usize,
    /// Only to say what a file that isn't a WARC looks like.
    gzipped: bool,
    /// Bytes of WARC data consumed so far.
    pos: u64,
    /// Complete records of any type.
    seen: u64,
    stage: Stage,
    /// The header being read.
    head: Vec<u8>,
    /// What is kept of the block being read.
    block: Vec<u8>,
}

enum Stage {
    /// Between records: CR and LF are skipped (writers put two, old wget sometimes more or none).
    Between,
    /// Reading a header that starts at this offset.
    Header {
        start: u64,
    },
    Block(Box<Open>),
}

/// A record whose block is being read.
struct Open {
    kind: String,
    fields: Vec<(String, String)>,
    /// The block's Content-Length.
    len: u64,
    remaining: u64,
    /// How many bytes of the block to keep: all of it, the start (to read the HTTP head of a record too big to
    /// keep), or none (a record that isn't returned).
    keep: usize,
}

impl Records {
    fn feed(&mut self, mut data: &[u8], out: &mut Vec<ArchiveRecord>, meter: &Meter) -> Result<(), ArchiveError> {
        while !data.is_empty() {
            match &mut self.stage {
                Stage::Between => {
                    let n = data.iter().take_while(|&&b| b == b'\r' || b == b'\n').count();
                    self.pos += n as u64;
                    data = &data[n..];
                    if !data.is_empty() {
                        self.stage = Stage::Header { start: self.pos };
                        self.head.clear();
                    }
                }
                Stage::Header { start } => {
                    let start = *start;
                    let old = self.head.len();
                    let take = data.len().min(MAX_HEADER + 1 - old);
                    self.head.extend_from_slice(&data[..take]);
                    let end = blank_line(&self.head, old.saturating_sub(2));
                    let used = end.map_or(take, |e| e - old);
                    self.head.truncate(old + used);
                    self.pos += used as u64;
                    data = &data[used..];
                    self.check_start(start, end.is_some())?;
                    if end.is_some() {
                        self.open(start, out, meter)?;
                    } else if self.head.len() > MAX_HEADER {
                        return Err(malformed(start, "a header over 64 KiB"));
                    }
                }
                Stage::Block(open) => {
                    let n = (data.len() as u64).min(open.remaining) as usize;
                    let room = open.keep - self.block.len().min(open.keep);
                    self.block.extend_from_slice(&data[..n.min(room)]);
                    open.remaining -= n as u64;
                    self.pos += n as u64;
                    data = &data[n..];
                    if open.remaining == 0 {
                        self.complete(out, meter)?;
                    }
                }
            }
        }
        Ok(())
    }

    /// `whole`: the input below ended cleanly (between gzip members).
    fn finish(&mut self, whole: bool) -> Result<(), ArchiveError> {
        match self.stage {
            Stage::Header { start } => {
                if self.seen == 0 {
                    // The first bytes may say this was never a WARC.
                    self.check_start(start, true)?;
                }
                Err(ArchiveError::Truncated { records: self.seen })
            }
            Stage::Block(_) => Err(ArchiveError::Truncated { records: self.seen }),
            Stage::Between if !whole => Err(ArchiveError::Truncated { records: self.seen }),
            Stage::Between if self.seen == 0 => {
                Err(ArchiveError::NotWarc { looks_like: looks_like(&[], self.gzipped) })
            }
            Stage::Between => Ok(()),
        }
    }

    /// A header must start with `WARC/`. At the start of the file, anything else means it isn't a WARC; later, the
    /// previous Content-Length was wrong or the data is damaged. `complete`: no more bytes of it will come.
    fn check_start(&self, start: u64, complete: bool) -> Result<(), ArchiveError> {
        const MAGIC: &[u8] = b"WARC/";
        let head = &self.head;
        if self.seen == 0 {
            // Judged on a fixed number of bytes, so the message doesn't depend on how the file was chunked.
            if (head.len() >= SNIFF || complete) && !head.starts_with(MAGIC) {
                let looks_like = looks_like(&head[..head.len().min(SNIFF)], self.gzipped);
                return Err(ArchiveError::NotWarc { looks_like });
            }
        } else {
            let n = head.len().min(MAGIC.len());
            if head[..n] != MAGIC[..n] || (complete && n < MAGIC.len()) {
                return Err(malformed(start, "no WARC/ version line where a record should start"));
            }
        }
        Ok(())
    }

    /// The header is complete: parse it and start reading the block.
    fn open(&mut self, start: u64, out: &mut Vec<ArchiveRecord>, meter: &Meter) -> Result<(), ArchiveError> {
        let (fields, len) = parse_header(&self.head).map_err(|reason| malformed(start, &reason))?;
        let kind = field(&fields, "WARC-Type").unwrap_or("").to_ascii_lowercase();
        let keep = match kind.as_str() {
            "response" | "revisit" | "resource" if len <= self.max_record as u64 => len as usize,
            "response" | "revisit" => MAX_HEAD_KEPT.min(self.max_record),
            _ => 0,
        };
        self.block = Vec::with_capacity(keep);
        self.stage = Stage::Block(Box::new(Open { kind, fields, len, remaining: len, keep }));
        if len == 0 {
            self.complete(out, meter)?;
        }
        Ok(())
    }

    fn complete(&mut self, out: &mut Vec<ArchiveRecord>, meter: &Meter) -> Result<(), ArchiveError> {
        let Stage::Block(open) = std::mem::replace(&mut self.stage, Stage::Between) else { return Ok(()) };
        self.seen += 1;
        if matches!(open.kind.as_str(), "response" | "revisit" | "resource") {
            out.push(record(*open, std::mem::take(&mut self.block), self.max_record, meter)?);
        }
        Ok(())
    }
}

fn malformed(offset: u64, reason: &str) -> ArchiveError {
    ArchiveError::Malformed { offset, reason: reason.to_owned() }
}

/// The end of the first blank line (LF, optional CR, LF) that ends at or after `from`.
fn blank_line(b: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    while let Some(n) = memchr::memchr(b'\n', b.get(i..)?) {
        let lf = i + n;
        match b.get(lf + 1..) {
            Some([b'\n', ..]) => return Some(lf + 2),
            Some([b'\r', b'\n', ..]) => return Some(lf + 3),
            _ => i = lf + 1,
        }
    }
    None
}

/// The fields of a WARC header and its Content-Length.
fn parse_header(head: &[u8]) -> Result<(Vec<(String, String)>, u64), String> {
    let mut lines = head.split(|&b| b == b'\n').map(|l| l.strip_suffix(b"\r").unwrap_or(l));
    let version = lines.next().unwrap_or_default();
    let ok = version.strip_prefix(b"WARC/").map(|v| v.trim_ascii_end()).is_some_and(|v| {
        let mut parts = v.split(|&b| b == b'.');
        let mut number = || parts.next().is_some_and(|p| !p.is_empty() && p.iter().all(u8::is_ascii_digit));
        number() && number() && parts.next().is_none()
    });
    if !ok {
        let shown: String = http::text(version).chars().take(40).collect();
        return Err(format!("bad version line {shown:?}"));
    }
    let mut fields: Vec<(String, String)> = Vec::new();
    for line in lines {
        if line.first().is_some_and(|&b| b == b' ' || b == b'\t') {
            if let Some((_, v)) = fields.last_mut() {
                v.push(' ');
                v.push_str(http::text(line).trim());
            }
        } else if let Some(colon) = memchr::memchr(b':', line) {
            fields
                .push((http::text(&line[..colon]).trim().to_owned(), http::text(&line[colon + 1..]).trim().to_owned()));
        }
    }
    let len = match field(&fields, "Content-Length") {
        None => return Err("no Content-Length".into()),
        Some(v) => v.parse::<u64>().map_err(|_| format!("bad Content-Length {v:?}"))?,
    };
    Ok((fields, len))
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}

/// `<uri>` → `uri` (warcio and old wget wrote the angle brackets of WARC 1.0's grammar).
fn unbracket(uri: &str) -> String {
    let uri = uri.trim();
    uri.strip_prefix('<').and_then(|u| u.strip_suffix('>')).unwrap_or(uri).to_owned()
}

/// Why a record can't be used: a problem of its own (reading goes on), or the file's (reading stops).
enum Refusal {
    Record(String),
    File(ArchiveError),
}

impl From<String> for Refusal {
    fn from(problem: String) -> Self {
        Refusal::Record(problem)
    }
}

/// Turns a complete record (or, when it was too big, the start of its block) into what is returned; decoding its
/// body past the ratio bound stops the file.
fn record(open: Open, block: Vec<u8>, max_record: usize, meter: &Meter) -> Result<ArchiveRecord, ArchiveError> {
    let f = |name: &str| field(&open.fields, name);
    let mut digest = f("WARC-Payload-Digest").and_then(digest::sha256_of_label);
    if open.kind == "resource" {
        // A resource's payload is its block.
        digest = digest.or_else(|| f("WARC-Block-Digest").and_then(digest::sha256_of_label));
    }
    let refers_to = match (f("WARC-Refers-To-Target-URI"), f("WARC-Refers-To-Date").and_then(date::parse)) {
        (Some(uri), Some(at)) if open.kind == "revisit" => Some((unbracket(uri), at)),
        _ => None,
    };
    let mut r = ArchiveRecord {
        kind: open.kind.clone(),
        url: f("WARC-Target-URI").map(unbracket).unwrap_or_default(),
        at_ms: f("WARC-Date").and_then(date::parse).unwrap_or(0),
        status: 0,
        headers: Vec::new(),
        body: Vec::new(),
        digest,
        refers_to,
        problem: None,
    };
    match fill(&mut r, &open, block, max_record, meter) {
        Ok(()) => {}
        Err(Refusal::Record(problem)) => {
            r.body = Vec::new();
            r.problem = Some(problem);
        }
        Err(Refusal::File(e)) => return Err(e),
    }
    Ok(r)
}

/// Status, headers and body of a record, or why it can't be used.
fn fill(r: &mut ArchiveRecord, open: &Open, block: Vec<u8>, max_record: usize, meter: &Meter) -> Result<(), Refusal> {
    let f = |name: &str| field(&open.fields, name);
    if r.url.is_empty() {
        return Err(Refusal::Record("no WARC-Target-URI".into()));
    }
    match f("WARC-Date") {
        None => return Err(Refusal::Record("no WARC-Date".into())),
        Some(d) if date::parse(d).is_none() => return Err(format!("bad WARC-Date {d:?}").into()),
        _ => {}
    }
    let too_big = open.len > max_record as u64;
    let mut head = None;
    if open.kind == "resource" {
        r.status = 200;
        r.headers.extend(f("Content-Type").map(|t| ("content-type".to_owned(), t.to_owned())));
    } else {
        // Of a record too big to keep, `block` is its start: the head is read if it fits there.
        head = http::parse_head(&block);
        if let Some(head) = &head {
            r.status = head.status;
            r.headers = head.headers.iter().filter(|(n, _)| !http::is_wire_header(n)).cloned().collect();
        } else if !too_big {
            return Err(Refusal::Record("no HTTP status line".into()));
        }
    }
    if too_big {
        return Err(format!("record over {max_record} bytes").into());
    }
    if f("WARC-Segment-Number").is_some() {
        return Err(Refusal::Record("a segmented record (not supported)".into()));
    }
    if let Some(why) = f("WARC-Truncated") {
        return Err(format!("cut short when it was captured (WARC-Truncated: {why})").into());
    }
    r.body = match (open.kind.as_str(), head) {
        ("resource", _) => block,
        ("response", Some(head)) => {
            let codings = |name: &str| -> Vec<String> {
                let values = head.headers.iter().filter(|(n, _)| n == name).flat_map(|(_, v)| v.split(','));
                values.map(|c| c.trim().to_ascii_lowercase()).filter(|c| !c.is_empty() && c != "identity").collect()
            };
            let mut body = block[head.body_start..].to_vec();
            drop(block);
            // Undone in the reverse of the order applied: transfer codings (outermost), then content codings. An
            // empty body (a 204, a 304, a HEAD) has nothing to decode, whatever the headers say.
            for coding in codings("transfer-encoding").iter().rev() {
                body = decode("transfer-encoding", coding, body, max_record, meter)?;
            }
            for coding in codings("content-encoding").iter().rev() {
                if !body.is_empty() {
                    body = decode("content-encoding", coding, body, max_record, meter)?;
                }
            }
            body
        }
        // A revisit's payload is elsewhere: in the record it refers to.
        _ => Vec::new(),
    };
    Ok(())
}

/// Undoes one coding; what gzip and deflate inflate counts toward the file's ratio bound (a body over `cap` is
/// refused after inflating `cap` bytes: those count too).
fn decode(header: &str, coding: &str, body: Vec<u8>, cap: usize, meter: &Meter) -> Result<Vec<u8>, Refusal> {
    let decoded = match coding {
        "chunked" if header == "transfer-encoding" => {
            return http::dechunk(&body).ok_or_else(|| "broken chunked encoding".to_owned().into())
        }
        "gzip" | "x-gzip" => gzip::gunzip_body(&body, cap),
        "deflate" => gzip::inflate_body(&body, cap),
        _ => return Err(format!("{header} {coding} is not supported").into()),
    };
    let made = match &decoded {
        Ok(b) => b.len(),
        Err(DecodeError::TooBig) => cap,
        Err(DecodeError::Broken) => 0,
    };
    meter.made(made).map_err(Refusal::File)?;
    decoded.map_err(|e| match e {
        DecodeError::TooBig => format!("body over {cap} bytes once decoded").into(),
        DecodeError::Broken => format!("broken {coding} {header}").into(),
    })
}

/// What a file that isn't a WARC looks like, from its first bytes, for the error message.
fn looks_like(b: &[u8], gzipped: bool) -> String {
    let text = b.strip_prefix(b"\xef\xbb\xbf").unwrap_or(b).trim_ascii_start().to_ascii_lowercase();
    let starts = |p: &[u8]| b.starts_with(p);
    let what = if b.is_empty() {
        "an empty file".to_owned()
    } else if starts(b"PK\x03\x04") || starts(b"PK\x05\x06") {
        "a ZIP file".to_owned()
    } else if starts(b"filedesc://") {
        "an ARC file (the format before WARC, not supported)".to_owned()
    } else if starts(b"\x28\xb5\x2f\xfd") {
        "a zstd file (.warc.zst is not supported)".to_owned()
    } else if starts(b"BZh") {
        "a bzip2 file".to_owned()
    } else if starts(b"\xfd7zXZ\x00") {
        "an xz file".to_owned()
    } else if starts(b"7z\xbc\xaf") {
        "a 7-Zip file".to_owned()
    } else if starts(b"Rar!") {
        "a RAR file".to_owned()
    } else if starts(b"%PDF") {
        "a PDF file".to_owned()
    } else if starts(b"\x89PNG") || starts(b"GIF8") || starts(b"\xff\xd8\xff") {
        "an image".to_owned()
    } else if text.starts_with(b"<!doctype html") || text.starts_with(b"<html") {
        "an HTML file".to_owned()
    } else if text.starts_with(b"<?xml") {
        "an XML file".to_owned()
    } else if text.starts_with(b"<") {
        "an HTML or XML file".to_owned()
    } else if text.starts_with(b"{") || text.starts_with(b"[") {
        "JSON".to_owned()
    } else {
        // The sniffed bytes may end inside a UTF-8 character.
        let valid = match std::str::from_utf8(b) {
            Ok(s) => Some(s),
            Err(e) if e.error_len().is_none() => std::str::from_utf8(&b[..e.valid_up_to()]).ok(),
            Err(_) => None,
        };
        match valid.map(|s| s.lines().next().unwrap_or("")) {
            Some(line) if line.chars().all(|c| !c.is_control() || c == '\t') => {
                format!("a text file starting {line:?}")
            }
            _ => "binary data".to_owned(),
        }
    };
    if gzipped {
        format!("a gzip file holding {what}")
    } else {
        what
    }
}
