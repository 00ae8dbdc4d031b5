//! The candidate URLs of a `srcset` value, by the HTML standard's "parse a srcset attribute" (the splitting loop
//! and the descriptor tokenizer), written from the standard rather than from the engine's `srcset` module.
//! Candidates whose descriptors the standard would then reject are kept: a checker may only err on the safe side.

fn is_space(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\x0c' | '\r' | ' ')
}

/// The candidate URLs, in order.
pub fn urls(value: &str) -> Vec<&str> {
    let mut found = Vec::new();
    let mut rest = value;
    loop {
        // 1. Skip whitespace and commas.
        rest = rest.trim_start_matches(|c| is_space(c) || c == ',');
        if rest.is_empty() {
            return found;
        }
        // 2. The URL: a run of non-whitespace.
        let end = rest.find(is_space).unwrap_or(rest.len());
        let (url, after) = rest.split_at(end);
        rest = after;
        // 3. Trailing commas end the candidate (no descriptors); otherwise descriptors run to a comma outside
        // parentheses.
        let trimmed = url.trim_end_matches(',');
        if trimmed.len() != url.len() {
            found.push(trimmed);
            continue;
        }
        found.push(url);
        let mut in_parens = false;
        let mut cut = rest.len();
        for (i, c) in rest.char_indices() {
            match c {
                '(' => in_parens = true,
                ')' => in_parens = false,
                ',' if !in_parens => {
                    cut = i + 1;
                    break;
                }
                _ => {}
            }
        }
        rest = &rest[cut..];
    }
}

#[cfg(test)]
mod tests {
    use super::urls;

    #[test]
    fn candidates() {
        assert_eq!(urls("a.jpg 1x, b.jpg 2x"), ["a.jpg", "b.jpg"]);
        assert_eq!(urls("a.jpg,b.jpg"), ["a.jpg,b.jpg"]);
        assert_eq!(urls("a.jpg,, b.jpg"), ["a.jpg", "b.jpg"]);
        assert_eq!(urls("data:x;base64,AA= 1x, c (d, e) 2x, f"), ["data:x;base64,AA=", "c", "f"]);
        assert!(urls(" ,, ").is_empty());
    }
}
