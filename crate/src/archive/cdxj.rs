//! CDXJ, the index of a WACZ (`indexes/index.cdx`): one line per record of the WARC, `<SURT> <timestamp> {json}`,
//! sorted, so a replayer finds a URL's captures by binary search and reads each record at its offset in
//! `archive/data.warc.gz` without inflating the rest. Lines are written as pywb, cdxj-indexer and py-wacz write
//! them (same keys, same order, numbers as strings, Python's JSON spacing and ASCII escapes), so the index reads
//! the same to every replayer.

use super::date;
pub use super::surt::surt;

/// One index line (without the newline) for the record at `offset` in the WARC `filename`, `length` bytes long as
/// stored (compressed): `com,example)/ 20261127102000 {"url": …, "mime": …, "status": "200", "digest": …,
/// "length": …, "offset": …, "filename": …}`. `at_ms` is the capture time; `digest` is written as given. A revisit
/// is indexed with mime `warc/revisit`, as pywb does.
#[allow(clippy::too_many_arguments)] // the fields of the line, in the line's order
pub fn cdxj_line(
    url: &str,
    at_ms: u64,
    mime: &str,
    status: u16,
    digest: &str,
    length: u64,
    offset: u64,
    filename: &str,
) -> String {
    let mut line = format!("{} {} {{", surt(url), date::compact(at_ms));
    let fields = [
        ("url", url),
        ("mime", mime),
        ("status", &status.to_string()),
        ("digest", digest),
        ("length", &length.to_string()),
        ("offset", &offset.to_string()),
        ("filename", filename),
    ];
    for (i, (key, value)) in fields.iter().enumerate() {
        if i > 0 {
            line.push_str(", ");
        }
        json_string(&mut line, key);
        line.push_str(": ");
        json_string(&mut line, value);
    }
    line.push('}');
    line
}

/// A JSON string as Python's `json.dumps` writes it: `"` and `\` escaped, control characters and everything
/// outside printable ASCII as `\uXXXX` (UTF-16, so astral characters become a surrogate pair), which keeps index
/// lines ASCII and free of line breaks whatever the URL holds.
fn json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            ' '..='~' => out.push(c),
            _ => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
        }
    }
    out.push('"');
}
