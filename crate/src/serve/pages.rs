//! The pages replay answers with itself: a miss and a page the rewriter refused. URLs in them are attacker text.

use super::{Body, Response};

const STYLE: &str = "body{font:16px system-ui,sans-serif;margin:3em auto;max-width:40em;color:#222}\
                     code{word-break:break-all}";

/// A document request for a URL that was never captured. A miss is never fetched live.
pub(super) fn not_mirrored(url: &str, headers: Vec<(String, String)>) -> Response {
    let page = format!(
        "<!doctype html><meta charset=\"utf-8\"><title>Not in the mirror</title>\n<style>{STYLE}</style>\n\
         <h1>Not in the mirror</h1><p>This page was never captured, so there is no offline copy of it:</p>\n\
         <p><code id=\"missing-url\">{}</code></p>",
        escape(url)
    );
    html(404, page, headers)
}

/// A stored page the rewriter refused, with the engine's code. The stored copy stays (it can still be exported);
/// it is just never served unrewritten.
pub(super) fn unsafe_page(url: &str, code: &str, headers: Vec<(String, String)>) -> Response {
    let page = format!(
        "<!doctype html><meta charset=\"utf-8\"><title>Can't be shown safely</title>\n<style>{STYLE}</style>\n\
         <h1>This copy can't be shown safely</h1><p>The mirrored page could not be made script-free and kept inside \
         the\nmirror, so it is not shown (<code id=\"error-code\">{}</code>). The stored copy is kept.</p>\n\
         <p><code id=\"missing-url\">{}</code></p>",
        escape(code),
        escape(url)
    );
    html(500, page, headers)
}

fn html(status: u16, page: String, mut headers: Vec<(String, String)>) -> Response {
    headers.push(("content-type".to_owned(), "text/html; charset=utf-8".to_owned()));
    Response { status, headers, body: Body::Bytes(page.into_bytes()) }
}

/// Text for HTML, in element content and quoted attributes alike.
pub(super) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' | '<' | '>' | '"' | '\'' => out.push_str(&format!("&#{};", c as u32)),
            c => out.push(c),
        }
    }
    out
}
