//! WARC 1.1 (ISO 28500): the file format of web archives, so a mirror can leave the browser as a `.warc.gz` and
//! come back from one written by any tool (wget --warc-file, warcio, webrecorder, ours).
//!
//! Writing ([`write`]) makes the bytes of each record and leaves the I/O to the caller, because the bodies live in
//! the browser's storage and are streamed from there: a `response` record is [`response_head`], the body, then
//! [`RECORD_END`]. Every output is deterministic (record ids are derived from the content), so exporting the same
//! mirror twice gives the same file.
//!
//! Reading ([`read`]) is a push parser, [`WarcReader`]: the file arrives in chunks of any size and records come out
//! as they complete, with gzip (one member per record, as every tool writes them) undone on the way, and each body
//! decoded to what a browser would see. Memory stays bounded by the largest record allowed plus one header, whatever
//! the file holds; a record that can't be used comes back with a `problem` instead of stopping the file. What
//! reading inflates is bounded too (`ratio.rs`): past 100 times the file's size, it stops as a decompression bomb.
//!
//! WACZ 1.1.1 (a ZIP holding the WARC gzipped, a CDXJ index, the pages and a datapackage) is assembled by the
//! caller from these parts: [`zip`] writes the ZIP's headers around data the caller streams and reads a ZIP's
//! directory from slices of a file of any size; [`cdxj`] writes the index lines, keyed by [`surt`].

pub mod cdxj;
mod date;
mod digest;
mod gzip;
mod http;
mod ratio;
pub mod read;
mod surt;
pub mod write;
pub mod zip;

pub use cdxj::{cdxj_line, surt};
pub use read::{ArchiveRecord, WarcReader};
pub use write::{response_head, revisit, warcinfo, ArchiveCapture, RECORD_END};
pub use zip::{zip_data_offset, zip_directory, zip_entries, Crc32, ZipEntry, ZipWriter, ZIP_TAIL_BYTES};
