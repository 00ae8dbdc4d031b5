//! Digest labels (`sha256:…`): the store keys bodies by SHA-256 in hex, WARC writes `algorithm:value` with the value
//! in base32 (warcio, Heritrix) or, from some tools, hex.

const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// `sha256:` + RFC 4648 base32 (upper case, padded, as warcio writes it) of a SHA-256 given in hex; `None` when the
/// hex isn't 32 bytes, so a bad stored digest is left out rather than written wrong.
pub(crate) fn label(hex: &str) -> Option<String> {
    let bytes = from_hex(hex)?;
    let mut out = String::from("sha256:");
    for group in bytes.chunks(5) {
        let mut five = [0u8; 5];
        five[..group.len()].copy_from_slice(group);
        let bits = five.iter().fold(0u64, |acc, &b| acc << 8 | u64::from(b));
        let used = (group.len() * 8).div_ceil(5);
        for k in 0..8 {
            if k < used {
                out.push(BASE32[(bits >> (35 - 5 * k) & 31) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    Some(out)
}

/// The SHA-256 in lower-case hex of a `WARC-Payload-Digest` value (`sha256:` or `sha-256:`, any case, base32 with
/// or without padding, or hex); `None` for other algorithms and anything unreadable.
pub(crate) fn sha256_of_label(value: &str) -> Option<String> {
    let (algorithm, v) = value.trim().split_once(':')?;
    if !algorithm.eq_ignore_ascii_case("sha256") && !algorithm.eq_ignore_ascii_case("sha-256") {
        return None;
    }
    let v = v.trim();
    let bytes = if v.len() == 64 { from_hex(v)? } else { from_base32(v.trim_end_matches('='))? };
    (bytes.len() == 32).then(|| to_hex(&bytes))
}

fn from_base32(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 5 / 8);
    let (mut acc, mut bits) = (0u32, 0);
    for c in s.bytes() {
        let v = BASE32.iter().position(|&a| a == c.to_ascii_uppercase())? as u32;
        acc = (acc << 5 | v) & 0xfff;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    Some(out)
}

fn from_hex(s: &str) -> Option<Vec<u8>> {
    if s.len() != 64 {
        return None;
    }
    let digit = |c: u8| (c as char).to_digit(16);
    s.as_bytes().chunks(2).map(|p| Some((digit(p[0])? << 4 | digit(p[1])?) as u8)).collect()
}

use crate::store::to_hex;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_round_trip_in_every_spelling() {
        // SHA-256 of the empty string, and its base32 as warcio writes it.
        let hex = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        let b32 = "4OYMIQUY7QOBJGX36TEJS35ZEQT24QPEMSNZGTFESWMRW6CSXBKQ====";
        assert_eq!(label(hex).as_deref(), Some(&*format!("sha256:{b32}")));
        for v in [format!("sha256:{b32}"), format!("SHA-256:{}", b32.to_lowercase()), format!("sha256:{hex}")] {
            assert_eq!(sha256_of_label(&v).as_deref(), Some(hex), "{v}");
        }
        assert_eq!(sha256_of_label(&format!("sha256:{}", b32.trim_end_matches('='))).as_deref(), Some(hex));
        for bad in ["sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ", "sha256:", "sha256:01", "sha256:!!", "nonsense"] {
            assert_eq!(sha256_of_label(bad), None, "{bad}");
        }
        assert_eq!(label("e3b0"), None);
    }
}
