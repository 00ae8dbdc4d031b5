//! Static replay runs with scripting disabled, and then the browser parses `<noscript>` content as markup. lol_html
//! always treats it as raw text, so its view of the document would differ from the browser's (an unfinished tag
//! inside `<noscript>` would swallow the real markup after it, unrewritten). Renaming the tag on the way in makes
//! lol_html parse exactly what the browser will: the content becomes ordinary, rewritten markup.

/// The name `<noscript>` gets; the rewriter unwraps these elements in static replay.
pub const RENAMED: &str = "sm-noscript";

/// Streams chunks through, renaming `<noscript` / `</noscript` tags (any case) to [`RENAMED`]; a possible tag
/// split across chunks is held back until the next chunk decides it.
#[derive(Default)]
pub struct Renamer {
    carry: Vec<u8>,
}

/// What a `<` at some position starts, as far as the bytes available tell.
enum Found {
    Tag { slash: bool, len: usize },
    NotTag,
    NeedMore,
}

const NAME: &[u8] = b"noscript";

fn at(b: &[u8]) -> Found {
    let slash = b.get(1) == Some(&b'/');
    let start = 1 + slash as usize;
    for (i, expected) in NAME.iter().enumerate() {
        match b.get(start + i) {
            None => return Found::NeedMore,
            Some(c) if c.to_ascii_lowercase() == *expected => {}
            Some(_) => return Found::NotTag,
        }
    }
    match b.get(start + NAME.len()) {
        None => Found::NeedMore,
        Some(b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' | b'/' | b'>') => Found::Tag { slash, len: start + NAME.len() },
        Some(_) => Found::NotTag,
    }
}

impl Renamer {
    /// Passes `chunk` on through `write`, renamed; `last` flushes what was held back.
    pub fn feed<E>(
        &mut self,
        chunk: &[u8],
        last: bool,
        write: &mut dyn FnMut(&[u8]) -> Result<(), E>,
    ) -> Result<(), E> {
        let joined;
        let data: &[u8] = if self.carry.is_empty() {
            chunk
        } else {
            let mut j = std::mem::take(&mut self.carry);
            j.extend_from_slice(chunk);
            joined = j;
            &joined
        };
        let mut copied = 0;
        let mut i = 0;
        while let Some(p) = memchr::memchr(b'<', &data[i..]) {
            let lt = i + p;
            match at(&data[lt..]) {
                Found::Tag { slash, len } => {
                    if lt > copied {
                        write(&data[copied..lt])?;
                    }
                    write(if slash { b"</sm-noscript" } else { b"<sm-noscript" })?;
                    copied = lt + len;
                    i = copied;
                }
                Found::NotTag => i = lt + 1,
                Found::NeedMore if !last => {
                    if lt > copied {
                        write(&data[copied..lt])?;
                    }
                    self.carry = data[lt..].to_vec();
                    return Ok(());
                }
                Found::NeedMore => i = lt + 1,
            }
        }
        if copied < data.len() {
            write(&data[copied..])?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(chunks: &[&[u8]]) -> String {
        let mut r = Renamer::default();
        let mut out = Vec::new();
        for (i, c) in chunks.iter().enumerate() {
            r.feed::<()>(c, i + 1 == chunks.len(), &mut |b| {
                out.extend_from_slice(b);
                Ok(())
            })
            .unwrap();
        }
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn renames_tags_in_any_case_and_split() {
        assert_eq!(run(&[b"a<NoScript>b</noscript >c"]), "a<sm-noscript>b</sm-noscript >c");
        assert_eq!(run(&[b"a<nos", b"cript", b">b</", b"noscript>"]), "a<sm-noscript>b</sm-noscript>");
        assert_eq!(run(&[b"<noscripts> <noscript", b""]), "<noscripts> <noscript");
        assert_eq!(run(&[b"<", b"n", b"o"]), "<no");
    }
}
