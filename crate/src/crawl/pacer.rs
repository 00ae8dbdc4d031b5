//! How fast each host is fetched, and what a finished request means: done, retry, failed or skipped.
//!
//! Per host, additive increase / multiplicative decrease: start at 2 requests in flight, add one per quick
//! success up to `maxConcurrency`, halve on 429/503 or a timeout. A fast host reaches full speed after a few
//! pages (wget2 stays at a fixed count); an overloaded one is backed off at once and paused for `Retry-After`.
//! A robots.txt Crawl-delay pins the site's host to one request at a time with that gap between starts.

use super::dates::parse_http_date;
use super::reason::{self, reason, NETWORK, REDIRECT_LOOP, TIMEOUT, TOO_LARGE};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Concurrency a host starts at.
pub const INITIAL_CONCURRENCY: u32 = 2;
/// A success quicker than this raises the host's concurrency.
pub const FAST_RESPONSE_MS: u64 = 1000;
/// Connections Chromium opens to one host (HTTP/1.1); requests beyond them wait in its socket pool.
pub const BROWSER_CONNECTIONS_PER_HOST: u32 = 6;
/// Requests kept waiting in the browser's socket pool once a host is at the browser's connection cap: each starts
/// the moment a connection frees, instead of a round trip through the worker later. They add no connection and
/// no concurrent load on an HTTP/1.1 host (the server still sees at most 6 requests at once); on an HTTP/2 host
/// they are concurrent streams, still fewer than one page load of a browser opens.
pub const BROWSER_QUEUE: u32 = 6;
/// Longest pause for one host (`Retry-After` and backoff are capped here).
pub const MAX_PAUSE_MS: u64 = 120_000;
/// First backoff step; doubles with each attempt.
pub const BACKOFF_MS: u64 = 1000;

/// Why a request ended without a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FetchError {
    Timeout,
    Network,
    RedirectLoop,
    /// The body was over `maxResourceBytes`; the scheduler aborted it.
    TooLarge,
    /// The scheduler aborted it (the crawl was paused): not the host's fault.
    Aborted,
}

/// How a request ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchResult {
    /// The HTTP status, when a response arrived.
    pub status: Option<u16>,
    pub error: Option<FetchError>,
    /// The response's `Retry-After` header.
    pub retry_after: Option<String>,
    pub elapsed_ms: u64,
    /// 1 for the first try.
    pub attempt: u32,
    pub now: u64,
}

/// What the scheduler does with a finished request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// Fetched: store it, settle it done.
    Done,
    /// Settle it failed (with the reason); store the response when `store` says so (an error page is a record).
    Failed,
    /// Settle it skipped (with the reason).
    Skipped,
    /// Fetch it again after `delay_ms` (it stays queued).
    Retry,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Decision {
    pub action: Action,
    /// Whether the response (if any) goes into the store.
    pub store: bool,
    pub delay_ms: u64,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Default)]
struct HostPace {
    limit: u32,
    active: u32,
    last_start: Option<u64>,
    paused_until: u64,
}

/// Pacing of every host a crawl fetches from.
#[derive(Debug, Clone)]
pub(crate) struct Pacer {
    max: u32,
    delay_ms: u64,
    max_retries: u32,
    max_resource_bytes: u64,
    /// The site's host and its robots.txt Crawl-delay.
    crawl_delay: Option<(String, u64)>,
    hosts: HashMap<String, HostPace>,
}

fn backoff(attempt: u32) -> u64 {
    BACKOFF_MS.saturating_mul(1 << attempt.clamp(1, 20).saturating_sub(1)).min(MAX_PAUSE_MS)
}

/// A `Retry-After` value (delay-seconds or an HTTP date) as ms from `now`, capped.
pub(crate) fn retry_after_ms(value: &str, now: u64) -> Option<u64> {
    let value = value.trim();
    let ms = if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        value.parse::<u64>().unwrap_or(u64::MAX).saturating_mul(1000)
    } else {
        parse_http_date(value)?.saturating_sub(now)
    };
    Some(ms.min(MAX_PAUSE_MS))
}

impl Pacer {
    pub(crate) fn new(max: u32, delay_ms: u64, max_retries: u32, max_resource_bytes: u64) -> Self {
        Pacer { max, delay_ms, max_retries, max_resource_bytes, crawl_delay: None, hosts: HashMap::new() }
    }

    /// Pins `host` to one request at a time, `delay_ms` apart (robots.txt Crawl-delay).
    pub(crate) fn set_crawl_delay(&mut self, host: &str, delay_ms: Option<u64>) {
        self.crawl_delay = delay_ms.map(|d| (host.to_owned(), d));
    }

    fn crawl_delay(&self, host: &str) -> Option<u64> {
        self.crawl_delay.as_ref().filter(|(h, _)| h == host).map(|(_, d)| *d)
    }

    /// The concurrency limit of a host now.
    pub(crate) fn concurrency(&self, host: &str) -> u32 {
        if self.crawl_delay(host).is_some() {
            return 1;
        }
        self.hosts.get(host).map_or(INITIAL_CONCURRENCY.min(self.max), |h| h.limit)
    }

    /// Requests that may be in flight to a host: its concurrency, plus the browser-side queue once that reaches
    /// the browser's own connection cap (see [`BROWSER_QUEUE`]).
    pub(crate) fn in_flight_limit(&self, host: &str) -> u32 {
        let limit = self.concurrency(host);
        if limit >= BROWSER_CONNECTIONS_PER_HOST {
            limit + BROWSER_QUEUE
        } else {
            limit
        }
    }

    fn host(&mut self, host: &str) -> &mut HostPace {
        let limit = INITIAL_CONCURRENCY.min(self.max);
        self.hosts.entry(host.to_owned()).or_insert_with(|| HostPace { limit, ..HostPace::default() })
    }

    /// 0 when a request to `host` may start now, ms to wait (pause or gap), or -1 at the concurrency limit.
    pub(crate) fn slot(&self, host: &str, now: u64) -> i64 {
        let gap = self.delay_ms.max(self.crawl_delay(host).unwrap_or(0));
        let Some(h) = self.hosts.get(host) else { return 0 };
        if now < h.paused_until {
            return (h.paused_until - now) as i64;
        }
        if h.active >= self.in_flight_limit(host) {
            return -1;
        }
        match h.last_start {
            Some(t) if gap > 0 && t + gap > now => (t + gap - now) as i64,
            _ => 0,
        }
    }

    pub(crate) fn started(&mut self, host: &str, now: u64) {
        let h = self.host(host);
        h.active += 1;
        h.last_start = Some(h.last_start.map_or(now, |t| t.max(now)));
    }

    /// What a finished request means, and its effect on the host's pace.
    pub(crate) fn finished(&mut self, host: &str, r: &FetchResult) -> Decision {
        let (max, max_retries, max_resource_bytes) = (self.max, self.max_retries, self.max_resource_bytes);
        let h = self.host(host);
        h.active = h.active.saturating_sub(1);
        let attempt = r.attempt.max(1);
        let may_retry = attempt <= max_retries;
        let tries = |n: u32| if n == 1 { String::new() } else { format!(" ({n} attempts)") };
        let decide = |action, store, delay_ms, reason| Decision { action, store, delay_ms, reason };
        let halve = |h: &mut HostPace| h.limit = (h.limit / 2).max(1);

        match (r.error, r.status) {
            (Some(FetchError::Aborted), _) => decide(Action::Retry, false, 0, None),
            (Some(FetchError::TooLarge), _) => decide(
                Action::Skipped,
                false,
                0,
                Some(reason(
                    TOO_LARGE,
                    format_args!("larger than the {max_resource_bytes}-byte limit for one response (maxResourceBytes)"),
                )),
            ),
            (Some(FetchError::RedirectLoop), _) => {
                decide(Action::Failed, false, 0, Some(reason(REDIRECT_LOOP, "the redirects never end")))
            }
            (Some(FetchError::Timeout), _) => {
                halve(h);
                if may_retry {
                    decide(
                        Action::Retry,
                        false,
                        backoff(attempt),
                        Some(reason(TIMEOUT, "no response in time; retrying")),
                    )
                } else {
                    let text = format!("no complete response in time{}", tries(attempt));
                    decide(Action::Failed, false, 0, Some(reason(TIMEOUT, text)))
                }
            }
            (Some(FetchError::Network), _) | (None, None | Some(0)) => {
                if attempt == 1 && may_retry {
                    decide(Action::Retry, false, BACKOFF_MS, Some(reason(NETWORK, "the request failed; retrying")))
                } else {
                    let text = format!("the request failed (network error){}", tries(attempt));
                    decide(Action::Failed, false, 0, Some(reason(NETWORK, text)))
                }
            }
            (None, Some(status @ (429 | 503))) => {
                halve(h);
                let pause = r.retry_after.as_deref().and_then(|v| retry_after_ms(v, r.now)).unwrap_or(backoff(attempt));
                h.paused_until = h.paused_until.max(r.now.saturating_add(pause));
                let code = reason::http(status);
                let answered = format!("the server answered {status}{}", reason::status_text(status));
                if may_retry {
                    decide(Action::Retry, false, pause, Some(reason(&code, format_args!("{answered}; retrying"))))
                } else {
                    decide(Action::Failed, true, 0, Some(reason(&code, format_args!("{answered}{}", tries(attempt)))))
                }
            }
            (None, Some(status @ (500 | 502 | 504))) => {
                let code = reason::http(status);
                let answered = format!("the server answered {status}{}", reason::status_text(status));
                if attempt == 1 && may_retry {
                    decide(Action::Retry, false, BACKOFF_MS, Some(reason(&code, format_args!("{answered}; retrying"))))
                } else {
                    decide(Action::Failed, true, 0, Some(reason(&code, format_args!("{answered}{}", tries(attempt)))))
                }
            }
            (None, Some(200..=399)) => {
                if r.elapsed_ms < FAST_RESPONSE_MS {
                    h.limit = (h.limit + 1).min(max);
                }
                decide(Action::Done, true, 0, None)
            }
            (None, Some(status)) => {
                let text = format!("the server answered {status}{}", reason::status_text(status));
                decide(Action::Failed, true, 0, Some(reason(&reason::http(status), text)))
            }
        }
    }
}
