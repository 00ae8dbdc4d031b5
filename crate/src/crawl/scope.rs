//! Which URLs belong to a crawl: the origin or path prefix, include/exclude wildcard patterns, and links that
//! would log the user out. Traps and limits are decided elsewhere (`traps`, `CrawlPolicy`).

use super::config::{invalid, CrawlOptions, ScopeKind};
use crate::error::CrawlError;
use crate::url::Url;

/// The site's origin and, for prefix scope, the path every page must start with.
#[derive(Debug, Clone)]
pub(crate) struct CrawlScope {
    origin: url::Origin,
    host: Option<String>,
    path_prefix: Option<String>,
}

impl CrawlScope {
    /// The scope of a crawl from `start`; fills in `options.prefix` (the start URL's directory by default).
    pub(crate) fn new(start: &Url, options: &mut CrawlOptions) -> Result<Self, CrawlError> {
        let mut scope =
            CrawlScope { origin: start.origin(), host: start.host_str().map(str::to_owned), path_prefix: None };
        match options.scope {
            ScopeKind::Origin if options.prefix.is_some() => {
                return Err(invalid("prefix is only used with scope \"prefix\""));
            }
            ScopeKind::Origin => {}
            ScopeKind::Prefix => {
                let prefix = match &options.prefix {
                    Some(p) => start.join(p).map_err(|e| invalid(format!("prefix {p:?} is not a URL ({e})")))?,
                    None => {
                        let mut dir = start.clone();
                        let path = start.path();
                        dir.set_path(&path[..=path.rfind('/').unwrap_or(0)]);
                        dir.set_query(None);
                        dir.set_fragment(None);
                        dir
                    }
                };
                if prefix.origin() != scope.origin || prefix.query().is_some() || prefix.fragment().is_some() {
                    return Err(invalid(format!(
                        "prefix must be a path on {} (no query), not {:?}",
                        scope.origin.ascii_serialization(),
                        prefix.as_str()
                    )));
                }
                if !start.path().starts_with(prefix.path()) {
                    return Err(invalid(format!("prefix {:?} must contain the start URL", prefix.as_str())));
                }
                options.prefix = Some(prefix.to_string());
                scope.path_prefix = Some(prefix.path().to_owned());
            }
        }
        Ok(scope)
    }

    /// On the site's origin (robots.txt applies)?
    pub(crate) fn same_origin(&self, url: &Url) -> bool {
        url.origin() == self.origin
    }

    /// On the site's host, any scheme or port (a resource from there is never "external")?
    pub(crate) fn same_host(&self, url: &Url) -> bool {
        url.host_str().map(str::to_owned) == self.host
    }

    /// A page of the site: on its origin and under its prefix.
    pub(crate) fn contains(&self, url: &Url) -> bool {
        self.same_origin(url) && self.path_prefix.as_deref().is_none_or(|p| url.path().starts_with(p))
    }
}

/// Whether `text` matches a pattern where `*` stands for any run of characters (the whole text must match).
pub(crate) fn wildcard(pattern: &str, text: &str) -> bool {
    // Greedy match that only ever backtracks to the last `*` (the classic glob algorithm): no recursion, no
    // exponential blow-up on hostile patterns, linear on ordinary ones.
    let (p, t) = (pattern.as_bytes(), text.as_bytes());
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && p[pi] == b'*' {
            star = Some((pi, ti));
            pi += 1;
        } else if pi < p.len() && p[pi] == t[ti] {
            pi += 1;
            ti += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&b| b == b'*')
}

/// Words that mark a link as logging the user out (matched case-insensitively in the path and query).
const LOGOUT_WORDS: &[&str] = &[
    "logout", "log-out", "log_out", "signout", "sign-out", "sign_out", "logoff", "log-off", "log_off", "signoff",
    "sign-off", "sign_off",
];

/// Words that mark a link as changing state on the site: fetched with the user's cookies, such a GET may delete,
/// unsubscribe or revoke something of theirs (sites shouldn't act on GETs; many do).
const STATE_CHANGING_WORDS: &[&str] = &[
    "delete",
    "remove",
    "destroy",
    "unsubscribe",
    "revoke",
    "deactivate",
    "disable",
    "erase",
    "purge",
    "unlink",
    "unfollow",
    "leave",
    "archive-account",
    "close-account",
    "cancel-subscription",
];

/// Query parameters that name an action (`?action=delete`, `?do=logout`): only a value from
/// [`READ_ONLY_ACTIONS`] is safe to follow.
const ACTION_PARAMETERS: &[&str] = &["action", "do", "act", "cmd", "op", "operation", "task", "method"];

/// Action values that only show something (MediaWiki's `action=history`, DokuWiki's `do=index`…).
const READ_ONLY_ACTIONS: &[&str] = &[
    "",
    "view",
    "show",
    "read",
    "list",
    "index",
    "history",
    "print",
    "raw",
    "render",
    "info",
    "search",
    "browse",
    "get",
    "display",
    "diff",
    "recent",
    "recentchanges",
    "export",
    "backlink",
    "revisions",
    "media",
    "sitemap",
];

/// A link a logged-in user would regret following: one of the words as a word of its own — after a
/// non-letter or starting a camelCase word, and not running on into lower-case letters — so `/doLogout` and
/// `/logout.php` count but `/catalogoutlet` doesn't.
pub(crate) fn is_logout(url: &Url) -> bool {
    has_word(url, LOGOUT_WORDS)
}

/// A link that looks like it changes something on the site (deletes, unsubscribes, revokes…), by a word in its
/// path or query, or by an action parameter whose value isn't a read-only one.
pub(crate) fn is_state_changing(url: &Url) -> bool {
    has_word(url, STATE_CHANGING_WORDS)
        || url.query_pairs().any(|(name, value)| {
            ACTION_PARAMETERS.contains(&name.to_ascii_lowercase().as_str())
                && !READ_ONLY_ACTIONS.contains(&value.trim().to_ascii_lowercase().as_str())
        })
}

/// File extensions of things a page loads that servers hand out as files (no action runs to serve them).
const STATIC_EXTENSIONS: &[&str] = &[
    "png", "jpg", "jpeg", "gif", "webp", "avif", "svg", "ico", "bmp", "css", "js", "mjs", "woff", "woff2", "ttf",
    "otf", "eot", "mp4", "webm", "ogg", "mp3", "wav", "m4a", "vtt", "json", "xml", "txt", "pdf",
];

/// Whether the URL names a static file by its extension, with no query.
pub(crate) fn looks_static(url: &Url) -> bool {
    let last = url.path().rsplit('/').next().unwrap_or("");
    url.query().is_none()
        && last.rsplit_once('.').is_some_and(|(_, ext)| STATIC_EXTENSIONS.contains(&ext.to_ascii_lowercase().as_str()))
}

fn has_word(url: &Url, words: &[&str]) -> bool {
    let mut text = url.path().to_owned();
    if let Some(q) = url.query() {
        text.push('?');
        text.push_str(q);
    }
    let lower = text.to_ascii_lowercase();
    let (orig, low) = (text.as_bytes(), lower.as_bytes());
    words.iter().any(|w| {
        lower.match_indices(w).any(|(i, _)| {
            let end = i + w.len();
            let starts = i == 0 || !orig[i - 1].is_ascii_alphabetic() || orig[i].is_ascii_uppercase();
            starts && (end == low.len() || !orig[end].is_ascii_lowercase())
        })
    })
}

#[cfg(test)]
mod tests {
    use super::wildcard;

    #[test]
    fn wildcards() {
        assert!(wildcard("*", ""));
        assert!(wildcard("https://a/*.pdf", "https://a/x/y.pdf"));
        assert!(!wildcard("https://a/*.pdf", "https://a/x/y.pdf?x"));
        assert!(wildcard("*a*b*c*", "xxaxxbxxcxx"));
        assert!(!wildcard("*a*b*c", "xxaxxbxxcxx"));
        assert!(wildcard("a**b", "ab"));
        assert!(!wildcard("abc", "ab"));
    }
}
