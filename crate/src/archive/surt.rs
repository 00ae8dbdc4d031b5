//! SURT (Sort-friendly URI Reordering Transform): the key a CDXJ index is sorted and searched by, so a replayer
//! (pywb, wabac.js, ReplayWeb.page) finds a URL's captures by computing the same key from the URL it is asked for.
//!
//! This is a port of what the `surt` Python package (0.3.1, used by pywb, cdxj-indexer and py-wacz) does with its
//! default options, step by step, because a key that differs in any detail is a capture the replayer can't find:
//! the URL is parsed as that package parses it, canonicalised as Google's safe-browsing rules say (percent-escapes
//! undone and redone minimally, `.`/`..` path segments resolved, numeric hosts written as dotted quads), then as
//! the Internet Archive does (lower case, `www.`/`www2.` dropped, default port dropped, session ids and the trailing
//! slash dropped, query arguments sorted), and written with the host labels reversed: `com,example)/path?a=1&b=2`.
//! IP addresses are reversed too (the package's `reverse_ipaddr` defaults to true): `1,0,0,127:8080)/path`.
//!
//! Where the package asks the system resolver whether a numeric host is an address, this uses the same parsing
//! rules the resolver does (`inet_aton`) without a lookup. Where it IDNA-encodes a non-ASCII host with Python's
//! IDNA 2003 codec, this uses the `url` crate's UTS #46 processing, which agrees on real host names but refuses
//! labels holding characters no host can have (`%`, `]`, controls…), which then stay percent-escaped where Python
//! would punycode them. Where the package raises (a port that isn't a number up to 65535, a URL of blanks), this
//! drops the port or returns `-`. The URLs a mirror stores went through a URL parser already, so their hosts are
//! ASCII and their ports numbers, and none of these differences reach them.

/// The SURT of `url`, as `surt.surt(url)` of the Python package gives it (for the exceptions, see the module).
pub fn surt(url: &str) -> String {
    // Index lines of old ARC files are kept as they are.
    if url.starts_with("filedesc") {
        return url.to_owned();
    }
    // Surrounding whitespace goes (Python's, which counts the vertical tab), and so do tabs and line breaks
    // anywhere; spaces inside are kept.
    let url = url.trim_matches(|c| matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c'));
    let url: Vec<u8> = url.bytes().filter(|c| !matches!(c, b'\n' | b'\r' | b'\t')).collect();
    if url.is_empty() {
        // The key of "no URL" (the package fails on a URL of blanks).
        return "-".into();
    }
    let mut u = Parsed::parse(url);
    u.google();
    u.internet_archive();
    String::from_utf8_lossy(&u.key()).into_owned()
}

/// A URL split as the package's `handyurl` splits it. Empty means absent: the package treats an empty host, path
/// or query exactly like a missing one everywhere it looks at them.
struct Parsed {
    scheme: Vec<u8>,
    host: Vec<u8>,
    port: Option<u16>,
    path: Vec<u8>,
    query: Vec<u8>,
}

impl Parsed {
    /// `s` is not empty and has no tab or line break.
    fn parse(mut s: Vec<u8>) -> Parsed {
        if scheme_len(&s).is_none() {
            s.splice(0..0, b"http://".iter().copied());
        }
        // `http://https://example.com/` (a URL pasted after a scheme): only the last scheme counts.
        let mut last = 0;
        while let Some(len) = http_prefix(&s[last..]) {
            if http_prefix(&s[last + len..]).is_none() {
                break;
            }
            last += len;
        }
        s.drain(..last);

        let scheme_end = scheme_len(&s).unwrap_or(0);
        let scheme = s[..scheme_end].to_vec();
        let mut rest = &s[(scheme_end + 1).min(s.len())..];
        let mut netloc: &[u8] = &[];
        if let Some(after) = rest.strip_prefix(b"//") {
            let end = after.iter().position(|c| matches!(c, b'/' | b'?' | b'#')).unwrap_or(after.len());
            netloc = &after[..end];
            rest = &after[end..];
        }
        let path_end = rest.iter().position(|c| matches!(c, b'?' | b'#')).unwrap_or(rest.len());
        let mut path = rest[..path_end].to_vec();
        rest = &rest[path_end..];
        let mut query = Vec::new();
        if let Some(after) = rest.strip_prefix(b"?") {
            let end = after.iter().position(|&c| c == b'#').unwrap_or(after.len());
            query = after[..end].to_vec();
        }

        // Python's urlsplit: user info dropped, `[…]` around an IPv6 address dropped, the host lower-cased (but not
        // an IPv6 zone), the port a number from 0 to 65535. An unusable port makes Python raise; here it is dropped.
        while netloc.last() == Some(&b':') {
            netloc = &netloc[..netloc.len() - 1];
        }
        let hostinfo = match netloc.iter().rposition(|&c| c == b'@') {
            Some(at) => &netloc[at + 1..],
            None => netloc,
        };
        let (host, port): (&[u8], &[u8]) = match hostinfo.iter().position(|&c| c == b'[') {
            Some(open) => {
                let bracketed = &hostinfo[open + 1..];
                match bracketed.iter().position(|&c| c == b']') {
                    Some(close) => {
                        let after = &bracketed[close + 1..];
                        let port = after.iter().position(|&c| c == b':').map_or(&[][..], |c| &after[c + 1..]);
                        (&bracketed[..close], port)
                    }
                    None => (bracketed, &[]),
                }
            }
            None => match hostinfo.iter().position(|&c| c == b':') {
                Some(colon) => (&hostinfo[..colon], &hostinfo[colon + 1..]),
                None => (hostinfo, &[]),
            },
        };
        let mut host = match host.iter().position(|&c| c == b'%') {
            Some(zone) => [&host[..zone].to_ascii_lowercase()[..], &host[zone..]].concat(),
            None => host.to_ascii_lowercase(),
        };
        let port = std::str::from_utf8(port)
            .ok()
            .filter(|p| !p.is_empty() && p.bytes().all(|c| c.is_ascii_digit()))
            .and_then(|p| p.parse::<u16>().ok())
            .filter(|&p| p != 0);

        // `http:////example.com/x`: the host is the first path segment.
        if scheme.starts_with(b"http") && host.is_empty() && !path.is_empty() {
            let trimmed = &path[path.iter().position(|&c| c != b'/').unwrap_or(path.len())..];
            let slash = trimmed.iter().position(|&c| c == b'/').unwrap_or(trimmed.len());
            host = trimmed[..slash].to_vec();
            path = [b"/", &trimmed[(slash + 1).min(trimmed.len())..]].concat();
        }
        Parsed { scheme, host, port, path, query }
    }

    /// GoogleURLCanonicalizer: escapes made minimal, the host made canonical, the path normalised.
    fn google(&mut self) {
        if !self.query.is_empty() {
            self.query = escape_once(&unescape_repeatedly(&self.query));
        }
        if !self.host.is_empty() {
            let mut host = unescape_repeatedly(&self.host);
            if !host.is_ascii() {
                if let Some(ascii) = idna(&host) {
                    host = ascii;
                }
            }
            let host = collapse_dots(&host);
            let first = host.iter().position(|&c| c != b'.').unwrap_or(host.len());
            let last = host.iter().rposition(|&c| c != b'.').map_or(first, |l| l + 1);
            let host = &host[first..last.max(first)];
            self.host = ipv4(host).unwrap_or_else(|| escape_once(&host.to_ascii_lowercase()));
        }
        let mut path = unescape_repeatedly(&self.path);
        if !self.host.is_empty() {
            path = normalize_path(&path);
        }
        self.path = escape_once(&path);
    }

    /// IAURLCanonicalizer with its defaults.
    fn internet_archive(&mut self) {
        self.host.make_ascii_lowercase();
        if self.scheme != b"dns" {
            self.host.drain(..www_prefix(&self.host));
        }
        let default_port = match self.scheme.to_ascii_lowercase().as_slice() {
            b"http" => Some(80),
            b"https" => Some(443),
            _ => None,
        };
        if self.port.is_some() && self.port == default_port {
            self.port = None;
        }
        self.path.make_ascii_lowercase();
        self.path = strip_path_session_id(&self.path);
        if self.path.len() > 1 && self.path.ends_with(b"/") {
            self.path.pop();
        }
        if !self.query.is_empty() {
            let mut query = strip_query_session_id(&self.query);
            query.make_ascii_lowercase();
            self.query = sort_query(&query);
        }
    }

    /// `reversed,host:port)/path?query`; a URL without a host (`dns:example.com`) keeps its scheme instead.
    fn key(&self) -> Vec<u8> {
        let mut out = Vec::new();
        if self.host.is_empty() {
            out.extend_from_slice(&self.scheme);
            out.push(b':');
        } else {
            for (i, label) in self.host.split(|&c| c == b'.').rev().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                out.extend_from_slice(label);
            }
            if let Some(port) = self.port {
                out.extend_from_slice(format!(":{port}").as_bytes());
            }
            out.push(b')');
        }
        if !self.path.is_empty() {
            out.extend_from_slice(&self.path);
        } else if !self.query.is_empty() {
            out.push(b'/');
        }
        if !self.query.is_empty() {
            out.push(b'?');
            out.extend_from_slice(&self.query);
        }
        out
    }
}

/// Length of a leading `scheme` (before its `:`), as `[a-zA-Z][a-zA-Z0-9+.-]*:`.
fn scheme_len(s: &[u8]) -> Option<usize> {
    if !s.first()?.is_ascii_alphabetic() {
        return None;
    }
    let len = s.iter().position(|&c| !(c.is_ascii_alphanumeric() || matches!(c, b'+' | b'.' | b'-')))?;
    (s[len] == b':').then_some(len)
}

fn http_prefix(s: &[u8]) -> Option<usize> {
    [&b"http://"[..], b"https://"].iter().find(|p| s.starts_with(p)).map(|p| p.len())
}

/// `www.`, `www1.`, `www42.` at the start of a host: its length, or 0.
fn www_prefix(host: &[u8]) -> usize {
    let Some(rest) = host.strip_prefix(b"www") else { return 0 };
    let digits = rest.iter().take_while(|c| c.is_ascii_digit()).count();
    if rest.get(digits) == Some(&b'.') {
        3 + digits + 1
    } else {
        0
    }
}

/// Python's `bytes.replace(b'..', b'.')`: non-overlapping, left to right (`...` becomes `..`).
fn collapse_dots(host: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(host.len());
    let mut i = 0;
    while i < host.len() {
        out.push(host[i]);
        i += if host[i..].starts_with(b"..") { 2 } else { 1 };
    }
    out
}

/// A host with non-ASCII bytes as Python's `idna` codec encodes it after `decode('utf-8', 'ignore')`, as the
/// package does: invalid UTF-8 dropped; labels split at any of the four IDNA dots; an ASCII label kept as it is
/// (no character is refused: the codec doesn't apply the STD3 rules) if it is 1 to 63 bytes long; another one
/// mapped and punycoded (here by the `url` crate's UTS #46, which differs from Python's IDNA 2003 nameprep only
/// on a few characters such as `ß`). `None` when the codec would fail (an empty or long label), and the package
/// then keeps the bytes as they were.
fn idna(host: &[u8]) -> Option<Vec<u8>> {
    let text: String = host.utf8_chunks().map(|chunk| chunk.valid()).collect();
    let label_ok = |l: &[u8]| !l.is_empty() && l.len() < 64;
    if text.is_ascii() {
        let labels: Vec<&[u8]> = text.as_bytes().split(|&c| c == b'.').collect();
        let (last, leading) = labels.split_last()?;
        return (leading.iter().all(|l| label_ok(l)) && last.len() < 64).then(|| text.into_bytes());
    }
    let mut labels: Vec<&str> = text.split(['.', '\u{3002}', '\u{ff0e}', '\u{ff61}']).collect();
    let trailing_dot = labels.last() == Some(&"");
    if trailing_dot {
        labels.pop();
    }
    let mut out = Vec::new();
    for (i, label) in labels.iter().enumerate() {
        if i > 0 {
            out.push(b'.');
        }
        let ascii = if label.is_ascii() {
            label.to_string()
        } else {
            match url::Host::parse(label).ok()? {
                url::Host::Domain(d) if !d.contains('.') => d,
                _ => return None,
            }
        };
        if !label_ok(ascii.as_bytes()) {
            return None;
        }
        out.extend_from_slice(ascii.as_bytes());
    }
    if trailing_dot {
        out.push(b'.');
    }
    Some(out)
}

/// A host that is a number the way the system resolver reads one (`3232235777`, `127.1`, `0177.0.0.1`) as a dotted
/// quad; `None` for anything else. A host of digits alone is taken modulo 2^32, as the package does.
fn ipv4(host: &[u8]) -> Option<Vec<u8>> {
    let quad = |v: u32| v.to_be_bytes().map(|b| b.to_string()).join(".").into_bytes();
    if !host.is_empty() && host.iter().all(u8::is_ascii_digit) {
        let v = host.iter().fold(0u64, |acc, &d| (acc * 10 + u64::from(d - b'0')) & 0xFFFF_FFFF);
        return Some(quad(v as u32));
    }
    // Only these shapes are handed to the resolver: dotted decimal starting 1-9, or dotted octal starting with 0.
    let parts: Vec<&[u8]> = host.split(|&c| c == b'.').collect();
    let octal = |p: &&[u8]| !p.is_empty() && p.iter().all(|c| (b'0'..=b'7').contains(c));
    let shaped = parts.len() <= 4
        && parts.iter().all(|p| !p.is_empty() && p.iter().all(u8::is_ascii_digit))
        && (parts[0][0] != b'0' || parts.iter().all(octal));
    if !shaped {
        return None;
    }
    inet_aton(&parts).map(quad)
}

/// glibc's `inet_aton` over parts that are all digits: a part with a leading 0 is octal; `a.b` is 8.24 bits, `a.b.c`
/// 8.8.16, `a.b.c.d` 8.8.8.8; anything out of range or not a number is `None`.
fn inet_aton(parts: &[&[u8]]) -> Option<u32> {
    let mut values = Vec::with_capacity(parts.len());
    for part in parts {
        let (digits, radix) = if part.len() > 1 && part[0] == b'0' { (&part[1..], 8) } else { (&part[..], 10) };
        let mut v: u64 = 0;
        for &d in digits {
            let d = u64::from((d as char).to_digit(radix)?);
            v = v.checked_mul(u64::from(radix))?.checked_add(d)?;
            if v > 0xFFFF_FFFF {
                return None;
            }
        }
        values.push(v);
    }
    let (last, leading) = values.split_last()?;
    if leading.iter().any(|&v| v > 0xFF) || *last > 0xFFFF_FFFF >> (8 * leading.len()) {
        return None;
    }
    let high = leading.iter().enumerate().fold(0u64, |acc, (i, &v)| acc | v << (24 - 8 * i));
    Some((high | last) as u32)
}

/// Percent-decoding repeated until nothing changes (`%2541` is `A`), in one pass: whenever the bytes decoded so
/// far end in `%XX`, those three become one byte, which may complete another `%XX` before it. Repeating Python's
/// `unquote` until nothing changes gives the same bytes (checked against it in the tests below), but takes time
/// quadratic in the nesting, which a hostile URL controls.
fn unescape_repeatedly(input: &[u8]) -> Vec<u8> {
    let mut out: Vec<u8> = Vec::with_capacity(input.len());
    for &c in input {
        out.push(c);
        while let [.., b'%', h, l] = out[..] {
            let (Some(h), Some(l)) = ((h as char).to_digit(16), (l as char).to_digit(16)) else { break };
            out.truncate(out.len() - 3);
            out.push((h << 4 | l) as u8);
        }
    }
    out
}

/// Percent-encodes what the package's `escapeOnce` does: controls, space, `#`, `%`, DEL and every non-ASCII byte.
fn escape_once(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len());
    for &c in input {
        if c > b' ' && c < 0x7F && c != b'#' && c != b'%' {
            out.push(c);
        } else {
            out.extend_from_slice(format!("%{c:02X}").as_bytes());
        }
    }
    out
}

/// `.` and `..` segments resolved (a `..` above the root is kept), empty segments dropped but for a trailing one.
fn normalize_path(path: &[u8]) -> Vec<u8> {
    if path.is_empty() {
        return b"/".to_vec();
    }
    let mut kept: Vec<&[u8]> = Vec::new();
    // What comes before the first `/` is skipped: the path starts with one whenever there is a host.
    for segment in path.split(|&c| c == b'/').skip(1) {
        match segment {
            b"." => {}
            b".." => {
                if kept.pop().is_none() {
                    kept.push(segment);
                }
            }
            _ => kept.push(segment),
        }
    }
    let mut out = b"/".to_vec();
    if let Some((last, leading)) = kept.split_last() {
        for segment in leading.iter().filter(|s| !s.is_empty()) {
            out.extend_from_slice(segment);
            out.push(b'/');
        }
        out.extend_from_slice(last);
    }
    out
}

/// Query arguments sorted as Python sorts `(name, value)` tuples: by name, a bare `name` before any `name=…`, then
/// by value. Empty arguments (`a&&b`) are kept, and sort first.
fn sort_query(query: &[u8]) -> Vec<u8> {
    if query.len() <= 1 {
        return query.to_vec();
    }
    let mut args: Vec<(&[u8], Option<&[u8]>)> = query
        .split(|&c| c == b'&')
        .map(|arg| match arg.iter().position(|&c| c == b'=') {
            Some(eq) => (&arg[..eq], Some(&arg[eq + 1..])),
            None => (arg, None),
        })
        .collect();
    args.sort();
    let mut out = Vec::with_capacity(query.len());
    for (i, (name, value)) in args.iter().enumerate() {
        if i > 0 {
            out.push(b'&');
        }
        out.extend_from_slice(name);
        if let Some(value) = value {
            out.push(b'=');
            out.extend_from_slice(value);
        }
    }
    out
}

/// The package's query session-id patterns, each `^(.*)(?:ID)(?:&(.*))?$` case-insensitive, applied in turn: the
/// last occurrence of ID that runs to the end of the query or to an `&` is cut out, with that `&`.
fn strip_query_session_id(query: &[u8]) -> Vec<u8> {
    let mut q = query.to_vec();
    let run = |s: &[u8], n: usize, class: fn(&u8) -> bool| s.len() >= n && s[..n].iter().all(class);
    // `prefix` then `value` alphanumerics.
    let fixed = |prefix: &'static [u8], value: usize| {
        move |q: &[u8], i: usize| {
            let s = &q[i..];
            (starts_with_ignore_case(s, prefix) && run(&s[prefix.len()..], value, u8::is_ascii_alphanumeric))
                .then_some(prefix.len() + value)
        }
    };
    cut_last(&mut q, fixed(b"jsessionid=", 32));
    cut_last(&mut q, fixed(b"phpsessid=", 32));
    cut_last(&mut q, fixed(b"sid=", 32));
    cut_last(&mut q, |q, i| {
        let s = &q[i..];
        let ok = starts_with_ignore_case(s, b"aspsessionid") && run(&s[12..], 8, u8::is_ascii_alphabetic);
        (ok && s.get(20) == Some(&b'=') && run(&s[21..], 24, u8::is_ascii_alphabetic)).then_some(45)
    });
    // `cfid=[^&]+&cftoken=[^&]+`: each value runs to the next `&`, found from a table so that a query of many
    // `cfid=` without `&` isn't scanned to its end once per `cfid=`.
    let mut next_amp = vec![q.len(); q.len() + 1];
    for i in (0..q.len()).rev() {
        next_amp[i] = if q[i] == b'&' { i } else { next_amp[i + 1] };
    }
    cut_last(&mut q, |q, i| {
        if !starts_with_ignore_case(&q[i..], b"cfid=") {
            return None;
        }
        let amp = next_amp[i + 5];
        if amp == i + 5 || !starts_with_ignore_case(&q[amp..], b"&cftoken=") {
            return None;
        }
        let end = next_amp[amp + 9];
        (end > amp + 9).then_some(end - i)
    });
    q
}

/// Cuts out the last ID (its length at `i` given by `id_len`) that is followed by the end of `q` or by an `&`,
/// which goes too.
fn cut_last(q: &mut Vec<u8>, id_len: impl Fn(&[u8], usize) -> Option<usize>) {
    for i in (0..=q.len()).rev() {
        let Some(len) = id_len(q, i) else { continue };
        let end = i + len;
        if end == q.len() {
            q.truncate(i);
            return;
        }
        if q[end] == b'&' {
            q.drain(i..=end);
            return;
        }
    }
}

/// The package's path session-id patterns (ASP.NET cookieless sessions), applied in turn to the lower-cased path:
/// a `/(x(24 alphanumerics)…)/` or `/(24 alphanumerics)/` segment, the last one followed by a `….aspx` before any
/// `?`, is cut out.
fn strip_path_session_id(path: &[u8]) -> Vec<u8> {
    let mut p = path.to_vec();
    let id24 =
        |s: &[u8]| s.len() >= 26 && s[0] == b'(' && s[1..25].iter().all(u8::is_ascii_alphanumeric) && s[25] == b')';
    let several = |s: &[u8]| -> Option<usize> {
        let mut at = 1;
        while s.get(at).is_some_and(u8::is_ascii_alphabetic) && id24(&s[at + 1..]) {
            at += 27;
        }
        (s.first() == Some(&b'(') && at > 1 && s[at..].starts_with(b")/")).then_some(at + 2)
    };
    let one = |s: &[u8]| (id24(s) && s[26..].starts_with(b"/")).then_some(27);
    cut_aspx_segment(&mut p, several);
    cut_aspx_segment(&mut p, one);
    p
}

/// Cuts out the last segment (its length at `i` given by `segment_len`) that follows a `/` and is followed by
/// `[^?]+\.aspx`: one or more bytes other than `?`, then `.aspx`.
fn cut_aspx_segment(p: &mut Vec<u8>, segment_len: impl Fn(&[u8]) -> Option<usize>) {
    // aspx_after[i]: whether `[^?]+\.aspx` matches at i, found from the right in one pass so that a path of many
    // segments isn't scanned once per segment.
    let mut aspx_after = vec![false; p.len() + 1];
    let mut aspx_seen = false; // `.aspx` starts after i, before any `?`
    for i in (0..p.len()).rev() {
        if p[i] == b'?' {
            aspx_seen = false;
            continue;
        }
        aspx_after[i] = aspx_seen;
        if starts_with_ignore_case(&p[i..], b".aspx") {
            aspx_seen = true;
        }
    }
    for i in (1..=p.len()).rev() {
        if p[i - 1] != b'/' {
            continue;
        }
        if let Some(len) = segment_len(&p[i..]) {
            if aspx_after[i + len] {
                p.drain(i..i + len);
                return;
            }
        }
    }
}

fn starts_with_ignore_case(s: &[u8], prefix: &[u8]) -> bool {
    s.len() >= prefix.len() && s[..prefix.len()].eq_ignore_ascii_case(prefix)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Python's `unquote_to_bytes`, one pass.
    fn unquote_once(input: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < input.len() {
            let hex = |k: usize| input.get(k).and_then(|&c| (c as char).to_digit(16));
            match (input[i], hex(i + 1), hex(i + 2)) {
                (b'%', Some(h), Some(l)) => {
                    out.push((h << 4 | l) as u8);
                    i += 3;
                }
                (c, _, _) => {
                    out.push(c);
                    i += 1;
                }
            }
        }
        out
    }

    #[test]
    fn one_pass_unescaping_equals_unquoting_until_nothing_changes() {
        let alphabet = b"%%%2544aAfgx";
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        for _ in 0..200_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let len = (seed % 12) as usize;
            let input: Vec<u8> =
                (0..len).map(|k| alphabet[(seed >> (4 + 5 * k) & 0xF) as usize % alphabet.len()]).collect();
            let mut slow = input.clone();
            loop {
                let next = unquote_once(&slow);
                if next == slow {
                    break;
                }
                slow = next;
            }
            assert_eq!(unescape_repeatedly(&input), slow, "{:?}", String::from_utf8_lossy(&input));
        }
    }

    #[test]
    fn numeric_hosts_read_as_the_resolver_reads_them() {
        let ip = |h: &str| ipv4(h.as_bytes()).map(|v| String::from_utf8(v).unwrap());
        assert_eq!(ip("127.0.0.1").as_deref(), Some("127.0.0.1"));
        assert_eq!(ip("127.1").as_deref(), Some("127.0.0.1"));
        assert_eq!(ip("3232235777").as_deref(), Some("192.168.1.1"));
        assert_eq!(ip("4294967297").as_deref(), Some("0.0.0.1"));
        assert_eq!(ip("0177.0.0.1").as_deref(), Some("127.0.0.1"));
        assert_eq!(ip("1.2.3.010").as_deref(), Some("1.2.3.8"));
        assert_eq!(ip("10.1.65535").as_deref(), Some("10.1.255.255"));
        for not in ["1.2.3.09", "1.2.300.4", "256.1.1.1", "1.2.3.4.5", "0x7f.1", "a.1", "1..2", "", "10.1.65536"] {
            assert_eq!(ip(not), None, "{not}");
        }
    }
}
