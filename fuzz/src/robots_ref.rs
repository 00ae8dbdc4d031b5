//! A reference for robots.txt matching, written from RFC 9309 §2.2.2 and §2.2.3 and not from the engine: paths
//! and patterns percent-normalised alike, `*` any run of characters, a final `$` the end of the path, the longest
//! matching pattern decides and Allow wins a tie. Matching is the classic glob matcher with backtracking to the
//! last `*`, not the engine's search for each literal piece.

const HEX: &[u8; 16] = b"0123456789ABCDEF";

fn push_escape(out: &mut Vec<u8>, b: u8) {
    out.extend_from_slice(&[b'%', HEX[usize::from(b >> 4)], HEX[usize::from(b & 15)]]);
}

/// Octets outside printable ASCII %-encoded; escapes of unreserved characters decoded; other escapes upper-cased.
pub fn normalise(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let hex = |c: u8| (c as char).to_digit(16);
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            if let (Some(h), Some(l)) = (b.get(i + 1).and_then(|&c| hex(c)), b.get(i + 2).and_then(|&c| hex(c))) {
                let v = (h * 16 + l) as u8;
                if v.is_ascii_alphanumeric() || b"-._~".contains(&v) {
                    out.push(v);
                } else {
                    push_escape(&mut out, v);
                }
                i += 3;
                continue;
            }
        }
        if (0x21..0x7f).contains(&b[i]) {
            out.push(b[i]);
        } else {
            push_escape(&mut out, b[i]);
        }
        i += 1;
    }
    out
}

/// Whether `pattern` (normalised) matches the start of `path` (normalised).
pub fn matches(pattern: &[u8], path: &[u8]) -> bool {
    let (p, anchored) = match pattern.strip_suffix(b"$") {
        Some(p) => (p, true),
        None => (pattern, false),
    };
    // "Matches the start" = the pattern followed by `*` matches the whole path.
    let mut glob = p.to_vec();
    if !anchored {
        glob.push(b'*');
    }
    glob_whole(&glob, path)
}

fn glob_whole(p: &[u8], s: &[u8]) -> bool {
    let (mut i, mut j) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while j < s.len() {
        if i < p.len() && p[i] == b'*' {
            star = Some((i, j));
            i += 1;
        } else if i < p.len() && p[i] == s[j] {
            i += 1;
            j += 1;
        } else if let Some((si, sj)) = star {
            i = si + 1;
            j = sj + 1;
            star = Some((si, sj + 1));
        } else {
            return false;
        }
    }
    p[i..].iter().all(|&c| c == b'*')
}

/// Whether rules `(allow, pattern as written)` disallow `path`.
pub fn disallowed(rules: &[(bool, &str)], path: &str) -> bool {
    let path = normalise(path);
    let mut best: Option<(usize, bool)> = None;
    for &(allow, text) in rules {
        let pattern = normalise(text);
        if !matches(&pattern, &path) {
            continue;
        }
        let better = match best {
            None => true,
            Some((len, best_allow)) => pattern.len() > len || (pattern.len() == len && allow && !best_allow),
        };
        if better {
            best = Some((pattern.len(), allow));
        }
    }
    best.is_some_and(|(_, allow)| !allow)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_examples() {
        let m = |p: &str, s: &str| matches(&normalise(p), &normalise(s));
        assert!(m("/fish", "/fish.html"));
        assert!(m("/*.php$", "/filename.php"));
        assert!(!m("/*.php$", "/filename.php?parameters"));
        assert!(m("/fish*.php", "/fishheads/catfish.php?parameters"));
        assert!(!m("/fish*.php", "/Fish.PHP"));
        assert!(m("/foo/bar/%E3%83%84", "/foo/bar/ツ"));
        assert!(m("/%7efoo", "/~foo"));
        assert!(disallowed(&[(false, "/p"), (true, "/")], "/page"));
        assert!(!disallowed(&[(false, "/folder"), (true, "/folder")], "/folder/page"));
    }
}
