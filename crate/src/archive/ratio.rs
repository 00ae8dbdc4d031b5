//! The decompression-ratio bound: how much reading an archive may inflate, so a small file can't fill the disk with
//! captures or keep the reader busy for hours.
//!
//! Deflate makes up to about 1032 bytes from one, and a `.warc.gz`, a WACZ entry and each gzip/deflate-encoded body
//! are all deflate. Real archives compress far less: text and HTML 3 to 10 times (a wget WARC of the Node.js API
//! documentation 7 times, its most compressible record 13), and the most compressible file among 500 MB of
//! documentation, logs, JavaScript and JSON measured 28 times (whole collections about 4). So every
//! byte inflated while reading one file is counted against the bytes of that file pushed so far, and past [`FLOOR`]
//! bytes of output, more than [`RATIO`] times the input stops the file with `archive/too-compressed`.

use crate::error::ArchiveError;
use std::cell::Cell;

/// Most bytes inflated per byte of the file read.
pub(crate) const RATIO: u64 = 100;
/// Inflating this much is always allowed (a small file holding one very compressible page).
pub(crate) const FLOOR: u64 = 16 << 20;

/// The bytes of one file read, and those inflated from it (by every layer: the file's gzip or deflate, then the
/// bodies' content coding).
#[derive(Debug, Default)]
pub(crate) struct Meter {
    read: Cell<u64>,
    made: Cell<u64>,
}

impl Meter {
    /// Counts bytes of the file.
    pub fn read(&self, n: usize) {
        self.read.set(self.read.get().saturating_add(n as u64));
    }

    /// Counts `n` more bytes inflated, and refuses them when they take the output past the bound.
    pub fn made(&self, n: usize) -> Result<(), ArchiveError> {
        let made = self.made.get().saturating_add(n as u64);
        self.made.set(made);
        let read = self.read.get();
        if made > FLOOR && made > read.saturating_mul(RATIO) {
            return Err(ArchiveError::TooCompressed { read, made, ratio: RATIO });
        }
        Ok(())
    }
}
