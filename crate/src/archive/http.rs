//! The HTTP message inside `response` and `revisit` records: its head, written from a stored capture and read
//! back leniently (bare LFs, folded lines and non-UTF-8 bytes all occur in real archives), and chunked transfer
//! coding, which WARC keeps as it came off the wire.

/// Header fields that describe the bytes on the wire rather than the body: the store keeps bodies decoded, so
/// these are never written, and they are dropped after a read has decoded a body.
pub(crate) const WIRE_HEADERS: [&str; 3] = ["content-length", "content-encoding", "transfer-encoding"];

pub(crate) fn is_wire_header(name: &str) -> bool {
    WIRE_HEADERS.iter().any(|w| name.eq_ignore_ascii_case(w))
}

/// The reason phrase of common statuses; others get an empty one, which HTTP allows.
fn reason(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        101 => "Switching Protocols",
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        203 => "Non-Authoritative Information",
        204 => "No Content",
        206 => "Partial Content",
        300 => "Multiple Choices",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        408 => "Request Timeout",
        409 => "Conflict",
        410 => "Gone",
        412 => "Precondition Failed",
        415 => "Unsupported Media Type",
        429 => "Too Many Requests",
        451 => "Unavailable For Legal Reasons",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "",
    }
}

/// A header value (or name) on one line: CR and LF would end the line, or the record, early.
pub(crate) fn one_line(s: &str) -> String {
    s.replace(['\r', '\n'], " ")
}

/// `HTTP/1.1 <status> <reason>`, the headers except the wire ones, `content-length` when given, a blank line.
pub(crate) fn head(status: u16, headers: &[(String, String)], content_length: Option<u64>) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status:03} {}\r\n", reason(status));
    for (name, value) in headers {
        let name = one_line(name.trim());
        if name.is_empty() || is_wire_header(&name) {
            continue;
        }
        out.push_str(&format!("{name}: {}\r\n", one_line(value)));
    }
    if let Some(n) = content_length {
        out.push_str(&format!("content-length: {n}\r\n"));
    }
    out.push_str("\r\n");
    out.into_bytes()
}

/// A parsed HTTP response head.
pub(crate) struct Head {
    pub status: u16,
    /// Lower-case names, trimmed values, in order.
    pub headers: Vec<(String, String)>,
    /// Where the body starts in the block.
    pub body_start: usize,
}

/// Reads the response head at the start of a block, `None` when it doesn't start with an HTTP status line. A head
/// with no blank line after it takes the whole block (a revisit whose record ends after the headers).
pub(crate) fn parse_head(block: &[u8]) -> Option<Head> {
    let mut lines = Lines { b: block, i: 0 };
    // Some writers leave blank lines before the status line.
    let status_line = loop {
        let line = lines.next()?;
        if !line.is_empty() {
            break line;
        }
    };
    let status = status_of(status_line)?;
    let mut headers: Vec<(String, String)> = Vec::new();
    while let Some(line) = lines.next() {
        if line.is_empty() {
            break;
        }
        if line[0] == b' ' || line[0] == b'\t' {
            // obs-fold: a continuation of the previous value.
            if let Some((_, v)) = headers.last_mut() {
                v.push(' ');
                v.push_str(text(line).trim());
            }
            continue;
        }
        let Some(colon) = memchr::memchr(b':', line) else { continue };
        let name = text(&line[..colon]).trim().to_ascii_lowercase();
        if !name.is_empty() {
            headers.push((name, text(&line[colon + 1..]).trim().to_owned()));
        }
    }
    Some(Head { status, headers, body_start: lines.i })
}

/// `HTTP/<version> NNN [reason]` → NNN.
fn status_of(line: &[u8]) -> Option<u16> {
    let rest = line.strip_prefix(b"HTTP/")?;
    let space = memchr::memchr(b' ', rest)?;
    let code = rest[space + 1..].trim_ascii_start();
    let digits = code.get(..3)?;
    if !digits.iter().all(u8::is_ascii_digit) || code.get(3).is_some_and(|&c| c != b' ' && c != b'\t') {
        return None;
    }
    Some(digits.iter().fold(0, |acc, d| acc * 10 + u16::from(d - b'0')))
}

/// Header bytes as text: UTF-8 when they are, otherwise one char per byte (what browsers do with header bytes).
pub(crate) fn text(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.into(),
        Err(_) => bytes.iter().map(|&b| b as char).collect::<String>().into(),
    }
}

/// Lines ending in LF, with an optional CR before it; the last line may have no end.
struct Lines<'a> {
    b: &'a [u8],
    /// Where the next line starts.
    i: usize,
}

impl<'a> Lines<'a> {
    fn next(&mut self) -> Option<&'a [u8]> {
        let rest = self.b.get(self.i..).filter(|r| !r.is_empty())?;
        let (line, used) = match memchr::memchr(b'\n', rest) {
            Some(n) => (&rest[..n], n + 1),
            None => (rest, rest.len()),
        };
        self.i += used;
        Some(line.strip_suffix(b"\r").unwrap_or(line))
    }
}

/// The body of a chunked message (RFC 9112 §7.1); `None` when the chunk sizes don't match the data. Chunk
/// extensions and trailers are ignored; data that ends cleanly after a chunk without the last, empty chunk (a
/// capture of a cut connection) is accepted.
pub(crate) fn dechunk(data: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(data.len());
    let mut lines = Lines { b: data, i: 0 };
    loop {
        let Some(line) = lines.next() else { return Some(out) };
        let size = line.split(|&c| c == b';').next().unwrap_or(b"").trim_ascii();
        if size.is_empty() || size.len() > 15 || !size.iter().all(u8::is_ascii_hexdigit) {
            return None;
        }
        let n = usize::from_str_radix(std::str::from_utf8(size).ok()?, 16).ok()?;
        if n == 0 {
            return Some(out);
        }
        let chunk = data.get(lines.i..lines.i.checked_add(n)?)?;
        out.extend_from_slice(chunk);
        lines.i += n;
        // The CRLF after the data (a bare LF, or nothing at the very end, is tolerated).
        let rest = &data[lines.i..];
        if rest.starts_with(b"\r\n") {
            lines.i += 2;
        } else if rest.starts_with(b"\n") {
            lines.i += 1;
        } else if !rest.is_empty() {
            return None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heads_are_written_and_read_back() {
        let headers = vec![
            ("Content-Type".to_owned(), "text/html".to_owned()),
            ("Content-Encoding".to_owned(), "gzip".to_owned()),
            ("x-evil".to_owned(), "a\r\nWARC/1.1\r\n".to_owned()),
        ];
        let h = head(404, &headers, Some(7));
        assert_eq!(
            String::from_utf8(h.clone()).unwrap(),
            "HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\nx-evil: a  WARC/1.1  \r\ncontent-length: 7\r\n\r\n"
        );
        let mut block = h.clone();
        block.extend_from_slice(b"body\r\n\r\n");
        let parsed = parse_head(&block).unwrap();
        assert_eq!(parsed.status, 404);
        assert_eq!(parsed.body_start, h.len());
        assert_eq!(parsed.headers[1], ("x-evil".to_owned(), "a  WARC/1.1".to_owned()));
        assert_eq!(String::from_utf8_lossy(&head(799, &[], None)), "HTTP/1.1 799 \r\n\r\n");

        let lenient = b"\nHTTP/1.0 200\nA: 1\n  2\nB:\xe9\nno colon\n\nrest";
        let parsed = parse_head(lenient).unwrap();
        assert_eq!(parsed.status, 200);
        assert_eq!(parsed.headers, [("a".into(), "1 2".into()), ("b".into(), "é".into())]);
        assert_eq!(&lenient[parsed.body_start..], b"rest");
        for bad in [&b"HTTP/1.1 20 OK\r\n\r\n"[..], b"HTTP/1.1 2000\r\n", b"ICY 200 OK\r\n", b"", b"\r\n\r\n"] {
            assert!(parse_head(bad).is_none(), "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn chunked_bodies_are_joined() {
        assert_eq!(dechunk(b"5;ext=1\r\nhello\r\n1\r\n!\r\n0\r\nTrailer: x\r\n\r\n").as_deref(), Some(&b"hello!"[..]));
        assert_eq!(dechunk(b"5\nhello\n0\n\n").as_deref(), Some(&b"hello"[..]));
        assert_eq!(dechunk(b"5\r\nhello\r\n").as_deref(), Some(&b"hello"[..]));
        assert_eq!(dechunk(b"").as_deref(), Some(&b""[..]));
        for bad in [&b"7\r\nhello\r\n0\r\n\r\n"[..], b"4\r\nhello\r\n0\r\n\r\n", b"zz\r\n", b"ffffffffffffffffff\r\n"] {
            assert!(dechunk(bad).is_none(), "{}", String::from_utf8_lossy(bad));
        }
    }
}
