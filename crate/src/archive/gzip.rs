//! Inflating, for two readers: `.warc.gz` files, which are a sequence of gzip members (one per record, so a reader
//! can seek), and the raw deflate of a WACZ's ZIP entry, fed in chunks and inflated through a fixed window so a
//! gzip bomb costs no memory (its time is the ratio bound's business, see `ratio.rs`); and gzip/deflate
//! `Content-Encoding` of one payload already in memory, capped at a size.
//!
//! flate2's gzip readers aren't used: the member framing is parsed here to report where corrupt data is, to tell
//! a truncated file from a corrupt one, and to run on the raw inflater alone (the pure-Rust backend has no gzip
//! mode of its own).

use flate2::{Crc, Decompress, FlushDecompress, Status};

/// Output is handed on in pieces of this size, whatever the compression ratio.
const WINDOW: usize = 32 * 1024;
/// A member header bigger than this (a file name or comment without end) is treated as corrupt.
const MAX_MEMBER_HEADER: usize = 64 * 1024;

/// Corrupt gzip data at this byte of the compressed input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct GzipError {
    pub offset: u64,
    pub reason: String,
}

/// Why [`Gunzip::push`] stopped: the data, or the sink that took the output.
pub(crate) enum Stop<E> {
    Gzip(GzipError),
    Sink(E),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// Before a member (the start of the file, or after a complete one).
    Between,
    Header,
    Deflate,
    Trailer,
    /// After the one stream of raw deflate data.
    End,
}

/// A streaming reader of concatenated gzip members, or of one raw deflate stream.
pub(crate) struct Gunzip {
    stage: Stage,
    /// One raw deflate stream (a ZIP entry's data): no member header or trailer.
    raw: bool,
    inflate: Decompress,
    crc: Crc,
    /// The member header or trailer being collected.
    frame: Vec<u8>,
    window: Box<[u8]>,
    /// Bytes of compressed input consumed so far.
    offset: u64,
}

impl Gunzip {
    pub fn new() -> Self {
        Gunzip {
            stage: Stage::Between,
            raw: false,
            inflate: Decompress::new(false),
            crc: Crc::new(),
            frame: Vec::new(),
            window: vec![0; WINDOW].into_boxed_slice(),
            offset: 0,
        }
    }

    /// A reader of one raw deflate stream (ZIP method 8), which ends where the stream does.
    pub fn raw() -> Self {
        Gunzip { stage: Stage::Deflate, raw: true, ..Gunzip::new() }
    }

    /// True between members (after the stream, for raw deflate): the input so far is whole.
    pub fn at_boundary(&self) -> bool {
        self.stage == if self.raw { Stage::End } else { Stage::Between }
    }

    /// Inflates the next compressed bytes, handing every piece of output to `sink` as it is made.
    pub fn push<E>(&mut self, mut input: &[u8], sink: &mut impl FnMut(&[u8]) -> Result<(), E>) -> Result<(), Stop<E>> {
        loop {
            match self.stage {
                Stage::Deflate => {
                    let (in0, out0) = (self.inflate.total_in(), self.inflate.total_out());
                    let status = self.inflate.decompress(input, &mut self.window, FlushDecompress::None);
                    let used = (self.inflate.total_in() - in0) as usize;
                    let made = (self.inflate.total_out() - out0) as usize;
                    input = &input[used..];
                    self.offset += used as u64;
                    // What was inflated before a fault goes on first, so the outcome doesn't depend on where the
                    // chunks of input happened to end.
                    if made > 0 {
                        self.crc.update(&self.window[..made]);
                        sink(&self.window[..made]).map_err(Stop::Sink)?;
                    }
                    // The inflater fails on the byte it took last: the first one known to be wrong.
                    let last = self.offset - u64::from(used > 0);
                    let status = status.map_err(|_| Stop::Gzip(corrupt(last, "invalid deflate data")))?;
                    if status == Status::StreamEnd {
                        self.stage = if self.raw { Stage::End } else { Stage::Trailer };
                        self.frame.clear();
                    } else if used == 0 && made == 0 {
                        // Nothing more can be done until more input comes.
                        return Ok(());
                    }
                }
                _ if input.is_empty() => return Ok(()),
                Stage::End => return Err(Stop::Gzip(corrupt(self.offset, "data after the end of the deflate stream"))),
                Stage::Between => {
                    self.stage = Stage::Header;
                    self.frame.clear();
                }
                Stage::Header => {
                    let old = self.frame.len();
                    let take = input.len().min(MAX_MEMBER_HEADER + 1 - old);
                    self.frame.extend_from_slice(&input[..take]);
                    match header_len(&self.frame) {
                        Err(why) => return Err(Stop::Gzip(corrupt(self.offset - old as u64, why))),
                        Ok(Some(len)) => {
                            // `len > old`: the header was incomplete without the new bytes.
                            let used = len.saturating_sub(old);
                            input = &input[used..];
                            self.offset += used as u64;
                            self.stage = Stage::Deflate;
                            self.inflate.reset(false);
                            self.crc.reset();
                        }
                        Ok(None) if self.frame.len() > MAX_MEMBER_HEADER => {
                            return Err(Stop::Gzip(corrupt(self.offset, "gzip member header over 64 KiB")));
                        }
                        Ok(None) => {
                            self.offset += take as u64;
                            input = &input[take..];
                        }
                    }
                }
                Stage::Trailer => {
                    let take = input.len().min(8 - self.frame.len());
                    self.frame.extend_from_slice(&input[..take]);
                    input = &input[take..];
                    self.offset += take as u64;
                    if self.frame.len() == 8 {
                        let word = |i: usize| u32::from_le_bytes([0, 1, 2, 3].map(|k| self.frame[i + k]));
                        let at = self.offset - 8;
                        if word(0) != self.crc.sum() {
                            return Err(Stop::Gzip(corrupt(at, "CRC mismatch in a gzip member")));
                        }
                        if word(4) != self.crc.amount() {
                            return Err(Stop::Gzip(corrupt(at, "length mismatch in a gzip member")));
                        }
                        self.stage = Stage::Between;
                    }
                }
            }
        }
    }
}

fn corrupt(offset: u64, reason: &str) -> GzipError {
    GzipError { offset, reason: reason.to_owned() }
}

/// The length of the gzip member header at the start of `h` (RFC 1952 §2.3), `None` while incomplete.
fn header_len(h: &[u8]) -> Result<Option<usize>, &'static str> {
    if h.first().is_some_and(|&b| b != 0x1f) || h.get(1).is_some_and(|&b| b != 0x8b) {
        return Err("not the start of a gzip member");
    }
    if h.len() < 10 {
        return Ok(None);
    }
    if h[2] != 8 {
        return Err("gzip member with an unknown compression method");
    }
    let flags = h[3];
    if flags & 0xe0 != 0 {
        return Err("gzip member with reserved flags set");
    }
    let mut i = 10;
    if flags & 0x04 != 0 {
        let Some(x) = h.get(i..i + 2) else { return Ok(None) };
        i += 2 + usize::from(u16::from_le_bytes([x[0], x[1]]));
    }
    for field in [0x08, 0x10] {
        // File name, then comment: zero-terminated.
        if flags & field != 0 {
            let Some(z) = h.get(i..).and_then(|rest| memchr::memchr(0, rest)) else { return Ok(None) };
            i += z + 1;
        }
    }
    if flags & 0x02 != 0 {
        i += 2;
    }
    Ok((h.len() >= i).then_some(i))
}

/// Why a payload couldn't be decoded.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum DecodeError {
    /// Decoded, it would be over the cap.
    TooBig,
    Broken,
}

/// The payload of a `Content-Encoding: gzip` body, at most `cap` bytes. As browsers do, only the first member is
/// read and anything after it is ignored; its trailer is not required.
pub(crate) fn gunzip_body(data: &[u8], cap: usize) -> Result<Vec<u8>, DecodeError> {
    let n = header_len(data).ok().flatten().ok_or(DecodeError::Broken)?;
    inflate_all(Decompress::new(false), &data[n..], cap)
}

/// The payload of a `Content-Encoding: deflate` body, at most `cap` bytes: zlib-wrapped as the standard says, or
/// raw deflate as some servers send it (browsers accept both, and so retry raw when a zlib reading fails: raw
/// data can look like a zlib header by chance).
pub(crate) fn inflate_body(data: &[u8], cap: usize) -> Result<Vec<u8>, DecodeError> {
    let zlib = data.len() >= 2
        && data[0] & 0x0f == 8
        && data[0] >> 4 <= 7
        && (u16::from(data[0]) << 8 | u16::from(data[1])) % 31 == 0;
    match zlib.then(|| inflate_all(Decompress::new(true), data, cap)) {
        Some(Err(DecodeError::Broken)) | None => inflate_all(Decompress::new(false), data, cap),
        Some(done) => done,
    }
}

fn inflate_all(mut inflate: Decompress, mut data: &[u8], cap: usize) -> Result<Vec<u8>, DecodeError> {
    let mut out = Vec::new();
    loop {
        if out.len() == out.capacity() {
            // Doubles from one window, and never past one byte over the cap, so a bomb stops there.
            out.reserve_exact((cap + 1 - out.len()).min(WINDOW.max(out.len())));
        }
        let (in0, out0) = (inflate.total_in(), out.len());
        let status = inflate.decompress_vec(data, &mut out, FlushDecompress::None).map_err(|_| DecodeError::Broken)?;
        let used = (inflate.total_in() - in0) as usize;
        data = &data[used..];
        if out.len() > cap {
            return Err(DecodeError::TooBig);
        }
        if status == Status::StreamEnd {
            return Ok(out);
        }
        // Without progress (or with no input left and room to spare), the data ended before the stream did.
        if (used == 0 && out.len() == out0) || (data.is_empty() && out.len() < out.capacity()) {
            return Err(DecodeError::Broken);
        }
    }
}
