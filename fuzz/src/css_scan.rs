//! Where a browser loads URLs from in CSS, found by a tokenizer written from CSS Syntax Level 3 (§3 preprocessing,
//! §4 tokenization) and nothing else: not the engine's cssparser, so a stylesheet the two read differently shows.
//!
//! URL places: `url(…)` tokens, the string argument of the `url(`/`src(` functions, bare strings directly inside
//! `image-set(`/`-webkit-image-set(`, and the string after `@import`. Everything else (strings in `content`,
//! comments, bad strings and bad urls, which the browser drops) loads nothing.

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ws,
    Str(String),
    Url(String),
    /// A function token's name (the `(` is part of it).
    Func(String),
    At(String),
    /// `(` or `[`: a block, closed by the given character.
    Open(char),
    /// `)` or `]`: closes the innermost block or function if it is that block's closer; otherwise a plain token.
    Close(char),
    /// `;`, `{` or `}`: the end of an at-rule's prelude (and `{`…`}` a block inside a function).
    End(char),
    /// Anything else: idents, numbers, hashes, delimiters, blocks, bad strings and bad urls.
    Other,
}

struct Tokenizer {
    c: Vec<char>,
    i: usize,
}

fn is_ws(c: Option<char>) -> bool {
    matches!(c, Some('\n' | '\t' | ' '))
}

fn is_digit(c: Option<char>) -> bool {
    c.is_some_and(|c| c.is_ascii_digit())
}

fn is_ident_start(c: Option<char>) -> bool {
    c.is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || !c.is_ascii())
}

fn is_ident_char(c: Option<char>) -> bool {
    is_ident_start(c) || is_digit(c) || c == Some('-')
}

fn valid_escape(a: Option<char>, b: Option<char>) -> bool {
    a == Some('\\') && b != Some('\n')
}

fn starts_ident(a: Option<char>, b: Option<char>, c: Option<char>) -> bool {
    match a {
        Some('-') => is_ident_start(b) || b == Some('-') || valid_escape(b, c),
        Some('\\') => valid_escape(a, b),
        _ => is_ident_start(a),
    }
}

fn starts_number(a: Option<char>, b: Option<char>, c: Option<char>) -> bool {
    match a {
        Some('+' | '-') => is_digit(b) || (b == Some('.') && is_digit(c)),
        Some('.') => is_digit(b),
        _ => is_digit(a),
    }
}

/// §3.3: CR LF, CR and FF become LF; NUL becomes U+FFFD.
fn preprocess(s: &str) -> Vec<char> {
    let mut out = Vec::with_capacity(s.len());
    let mut it = s.chars().peekable();
    while let Some(c) = it.next() {
        match c {
            '\r' => {
                if it.peek() == Some(&'\n') {
                    it.next();
                }
                out.push('\n');
            }
            '\x0c' => out.push('\n'),
            '\0' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

impl Tokenizer {
    fn at(&self, k: usize) -> Option<char> {
        self.c.get(self.i + k).copied()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.at(0);
        self.i += 1;
        c
    }

    /// §4.3.7, after the backslash.
    fn escape(&mut self) -> char {
        match self.bump() {
            None => '\u{fffd}',
            Some(h) if h.is_ascii_hexdigit() => {
                let mut v = h.to_digit(16).unwrap();
                let mut n = 1;
                while n < 6 && self.at(0).is_some_and(|c| c.is_ascii_hexdigit()) {
                    v = v * 16 + self.bump().unwrap().to_digit(16).unwrap();
                    n += 1;
                }
                if is_ws(self.at(0)) {
                    self.i += 1;
                }
                if v == 0 {
                    '\u{fffd}'
                } else {
                    char::from_u32(v).unwrap_or('\u{fffd}')
                }
            }
            Some(c) => c,
        }
    }

    fn name(&mut self) -> String {
        let mut s = String::new();
        loop {
            if is_ident_char(self.at(0)) {
                s.push(self.bump().unwrap());
            } else if valid_escape(self.at(0), self.at(1)) {
                self.i += 1;
                s.push(self.escape());
            } else {
                return s;
            }
        }
    }

    fn number(&mut self) {
        if matches!(self.at(0), Some('+' | '-')) {
            self.i += 1;
        }
        while is_digit(self.at(0)) {
            self.i += 1;
        }
        if self.at(0) == Some('.') && is_digit(self.at(1)) {
            self.i += 1;
            while is_digit(self.at(0)) {
                self.i += 1;
            }
        }
        let exp = matches!(self.at(0), Some('e' | 'E'));
        let signed = matches!(self.at(1), Some('+' | '-'));
        if exp && (is_digit(self.at(1)) || (signed && is_digit(self.at(2)))) {
            self.i += if signed { 2 } else { 1 };
            while is_digit(self.at(0)) {
                self.i += 1;
            }
        }
    }

    /// §4.3.3: a number, then a unit (dimension) or `%`.
    fn numeric(&mut self) -> Tok {
        self.number();
        if starts_ident(self.at(0), self.at(1), self.at(2)) {
            self.name();
        } else if self.at(0) == Some('%') {
            self.i += 1;
        }
        Tok::Other
    }

    /// §4.3.4.
    fn ident_like(&mut self) -> Tok {
        let name = self.name();
        if self.at(0) != Some('(') {
            return Tok::Other;
        }
        self.i += 1;
        if name.eq_ignore_ascii_case("url") {
            while is_ws(self.at(0)) && is_ws(self.at(1)) {
                self.i += 1;
            }
            let quote = |c: Option<char>| matches!(c, Some('"' | '\''));
            if quote(self.at(0)) || (is_ws(self.at(0)) && quote(self.at(1))) {
                return Tok::Func(name);
            }
            return self.url();
        }
        Tok::Func(name)
    }

    /// §4.3.6: an unquoted url token, or a bad url (which loads nothing).
    fn url(&mut self) -> Tok {
        let mut s = String::new();
        while is_ws(self.at(0)) {
            self.i += 1;
        }
        loop {
            match self.bump() {
                Some(')') | None => return Tok::Url(s),
                Some('\n' | '\t' | ' ') => {
                    while is_ws(self.at(0)) {
                        self.i += 1;
                    }
                    if matches!(self.at(0), Some(')') | None) {
                        self.i += 1;
                        return Tok::Url(s);
                    }
                    self.bad_url_remnants();
                    return Tok::Other;
                }
                Some('"' | '\'' | '(') => {
                    self.bad_url_remnants();
                    return Tok::Other;
                }
                Some('\0'..='\x08' | '\x0b' | '\x0e'..='\x1f' | '\x7f') => {
                    self.bad_url_remnants();
                    return Tok::Other;
                }
                Some('\\') => {
                    if valid_escape(Some('\\'), self.at(0)) {
                        s.push(self.escape());
                    } else {
                        self.bad_url_remnants();
                        return Tok::Other;
                    }
                }
                Some(c) => s.push(c),
            }
        }
    }

    /// §4.3.14.
    fn bad_url_remnants(&mut self) {
        loop {
            match self.at(0) {
                None => return,
                Some(')') => {
                    self.i += 1;
                    return;
                }
                _ if valid_escape(self.at(0), self.at(1)) => {
                    self.i += 1;
                    self.escape();
                }
                _ => self.i += 1,
            }
        }
    }

    /// §4.3.5, after the opening quote.
    fn string(&mut self, quote: char) -> Tok {
        let mut s = String::new();
        loop {
            match self.at(0) {
                None => return Tok::Str(s),
                Some(c) if c == quote => {
                    self.i += 1;
                    return Tok::Str(s);
                }
                // A bad string: the newline is left for the next token.
                Some('\n') => return Tok::Other,
                Some('\\') => {
                    self.i += 1;
                    match self.at(0) {
                        None => {}
                        Some('\n') => self.i += 1,
                        Some(_) => s.push(self.escape()),
                    }
                }
                Some(c) => {
                    self.i += 1;
                    s.push(c);
                }
            }
        }
    }

    fn next(&mut self) -> Option<Tok> {
        // Comments first (§4.3.2), as many as there are.
        while self.at(0) == Some('/') && self.at(1) == Some('*') {
            self.i += 2;
            while self.at(0).is_some() && !(self.at(0) == Some('*') && self.at(1) == Some('/')) {
                self.i += 1;
            }
            self.i = (self.i + 2).min(self.c.len());
        }
        let (a, b, c) = (self.at(0), self.at(1), self.at(2));
        let tok = match a? {
            '\n' | '\t' | ' ' => {
                while is_ws(self.at(0)) {
                    self.i += 1;
                }
                Tok::Ws
            }
            q @ ('"' | '\'') => {
                self.i += 1;
                self.string(q)
            }
            '#' => {
                self.i += 1;
                if is_ident_char(self.at(0)) || valid_escape(self.at(0), self.at(1)) {
                    self.name();
                }
                Tok::Other
            }
            '(' | '[' => {
                self.i += 1;
                Tok::Open(if a == Some('(') { ')' } else { ']' })
            }
            q @ (')' | ']') => {
                self.i += 1;
                Tok::Close(q)
            }
            e @ (';' | '{' | '}') => {
                self.i += 1;
                Tok::End(e)
            }
            '+' | '.' if starts_number(a, b, c) => self.numeric(),
            '-' if starts_number(a, b, c) => self.numeric(),
            '-' if b == Some('-') && c == Some('>') => {
                self.i += 3;
                Tok::Other
            }
            '-' if starts_ident(a, b, c) => self.ident_like(),
            '<' if b == Some('!') && c == Some('-') && self.at(3) == Some('-') => {
                self.i += 4;
                Tok::Other
            }
            '@' => {
                self.i += 1;
                if starts_ident(self.at(0), self.at(1), self.at(2)) {
                    Tok::At(self.name())
                } else {
                    Tok::Other
                }
            }
            '\\' if valid_escape(a, b) => self.ident_like(),
            _ if is_digit(a) => self.numeric(),
            _ if is_ident_start(a) => self.ident_like(),
            _ => {
                self.i += 1;
                Tok::Other
            }
        };
        Some(tok)
    }
}

/// What an open parenthesis belongs to.
#[derive(Clone, Copy, PartialEq)]
enum Ctx {
    /// `url(` or `src(` with a quoted argument, before its first token: a string there is the URL (another string
    /// after it makes the function invalid, so it loads nothing).
    UrlArg,
    /// `image-set(`: its own bare strings are URLs.
    ImageSet,
    Other,
}

/// Every URL a browser would load from `css`, escapes resolved, in order. `@namespace` URLs name a namespace
/// and load nothing.
pub fn urls(css: &str) -> Vec<String> {
    let mut t = Tokenizer { c: preprocess(css), i: 0 };
    let mut found = Vec::new();
    let mut stack: Vec<(Ctx, char)> = Vec::new();
    // Just after `@import` (whitespace aside): a string there is the imported sheet's URL.
    let mut import = false;
    // In the prelude of `@namespace`, begun at this depth of the block stack.
    let mut namespace: Option<usize> = None;
    while let Some(tok) = t.next() {
        if tok == Tok::Ws {
            continue;
        }
        let after_import = std::mem::take(&mut import);
        let top = stack.last().map(|&(ctx, _)| ctx);
        if top == Some(Ctx::UrlArg) && tok != Tok::Close(')') {
            stack.last_mut().unwrap().0 = Ctx::Other;
        }
        match tok {
            Tok::Ws => {}
            Tok::Url(u) => {
                if namespace.is_none() {
                    found.push(u)
                }
            }
            Tok::Str(s) => {
                if namespace.is_none() && (after_import || matches!(top, Some(Ctx::UrlArg | Ctx::ImageSet))) {
                    found.push(s);
                }
            }
            Tok::Func(name) => {
                let name = name.to_ascii_lowercase();
                let ctx = match name.as_str() {
                    "url" | "src" => Ctx::UrlArg,
                    "image-set" | "-webkit-image-set" => Ctx::ImageSet,
                    _ => Ctx::Other,
                };
                stack.push((ctx, ')'));
            }
            // A string in a `[…]` or `(…)` block inside image-set() is not one of its URLs (found by fuzzing:
            // `[` was read as a plain token, so a string in it counted as an image-set URL).
            Tok::Open(closer) => stack.push((Ctx::Other, closer)),
            Tok::Close(closer) => {
                if stack.last().is_some_and(|&(_, c)| c == closer) {
                    stack.pop();
                }
            }
            // Inside a function or block, `{`…`}` is a block of its own: a `)` in it closes nothing outside (found
            // by fuzzing: read flat, `url( { ) }` closed the url( and ended a prelude early, a false alarm).
            Tok::End('}') if stack.last().is_some_and(|&(_, c)| c == '}') => {
                stack.pop();
            }
            Tok::End(e) => {
                if e == '{' && !stack.is_empty() {
                    stack.push((Ctx::Other, '}'));
                }
                // A prelude ends at a `;` or `{` outside its own blocks: `@namespace x((;` runs on, through every
                // later rule, to the end of the sheet (found by fuzzing, a false alarm of this scanner).
                if namespace.is_some_and(|d| stack.len() <= d) {
                    namespace = None;
                }
                // A block or `;` inside url(), src() or image-set() makes it invalid: it loads nothing.
                stack.iter_mut().for_each(|c| c.0 = Ctx::Other);
            }
            Tok::At(name) => {
                import = name.eq_ignore_ascii_case("import");
                // Inside a prelude an at-keyword is one more token of it, not a rule of its own.
                if namespace.is_none() && name.eq_ignore_ascii_case("namespace") {
                    namespace = Some(stack.len());
                }
            }
            Tok::Other => {}
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::urls;

    #[test]
    fn url_places() {
        let css = r#"@import "a.css"; @import url(b.css) screen; p { background: url( c.png ) }
            q { content: "d.png"; background: URL("e.png") } /* url(f.png) */
            r { background: image-set("g.png" 1x, url(h.png) 2x, "i.png" type("image/png")) }
            @font-face { src: src("j.woff") } s { x: \75rl(k.png); y: 5url(no.png); z: u\72l( "l.png" ) }
            t { background: url(bad"x.png) } u { background: url(m\29.png) } v{w:-url(n.png)}"#;
        assert_eq!(
            urls(css),
            ["a.css", "b.css", "c.png", "e.png", "g.png", "h.png", "i.png", "j.woff", "k.png", "l.png", "m).png"]
        );
    }

    #[test]
    fn blocks_inside_image_set() {
        // A string in a [] or () block is not an image-set URL; a closer that isn't the block's is a plain token.
        assert_eq!(urls(r#"a{b:image-set([ "x" ] "y" 1x)}"#), ["y"]);
        assert_eq!(urls(r#"a{b:image-set(] "y" 1x)}"#), ["y"]);
        assert_eq!(urls(r#"a{b:image-set([ ) "x")}"#), Vec::<String>::new());
        assert_eq!(urls(r#"a{b:image-set(("x") "y")}"#), ["y"]);
    }

    #[test]
    fn an_unclosed_block_keeps_a_namespace_prelude_open() {
        assert_eq!(urls("@namespace svg x((; a{b:url(y.png)}"), Vec::<String>::new());
        assert_eq!(urls("@namespace svg url(x); a{b:url(y.png)}"), ["y.png"]);
        assert_eq!(urls("@namespace svg x(( @import url(a.css); a{b:url(y.png)}"), Vec::<String>::new());
        // A `{…}` block inside a function is a block: its `)` closes nothing outside it.
        assert_eq!(urls("@namespace s x( { ) } url(y.png)"), Vec::<String>::new());
        assert_eq!(urls("a{b:x( { ) } ); c:url(z.png)}"), ["z.png"]);
    }
}
