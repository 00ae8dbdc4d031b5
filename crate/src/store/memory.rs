//! The in-memory store: the reference implementation every store test runs against natively.

use super::model::{digest_of, Capture, Fidelity, FrontierEntry, NewBody, NewCapture, Settle, Site, Totals, UrlState};
use super::{Limits, Store};
use crate::error::StoreError;
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};

/// A store in memory, with the same limits as the browser store: a per-body cap and an optional byte budget
/// standing in for the browser's quota.
#[derive(Debug)]
pub struct MemoryStore {
    inner: RefCell<Inner>,
    limits: Limits,
}

#[derive(Debug, Default)]
struct Inner {
    sites: BTreeMap<String, Site>,
    captures: BTreeMap<u64, Capture>,
    /// digest → (body, number of captures using it)
    payloads: HashMap<String, (Vec<u8>, u64)>,
    /// (site, url) → entry
    frontier: BTreeMap<(String, String), FrontierEntry>,
    next_id: u64,
}

impl Default for MemoryStore {
    fn default() -> Self {
        Self::new()
    }
}

impl MemoryStore {
    pub fn new() -> Self {
        MemoryStore { inner: RefCell::default(), limits: Limits::default() }
    }

    /// Refuses bodies larger than `max_body` bytes.
    pub fn with_max_body(mut self, max_body: u64) -> Self {
        self.limits.max_body = max_body;
        self
    }

    /// Refuses writes that would make the stored bodies exceed `bytes` (as a full disk would).
    pub fn with_budget(mut self, bytes: u64) -> Self {
        self.limits.budget = Some(bytes);
        self
    }

    /// Whether every capture's payload exists and every reference count is right (tests check this after
    /// failures).
    pub fn is_consistent(&self) -> bool {
        let inner = self.inner.borrow();
        let mut refs: HashMap<&str, u64> = HashMap::new();
        for c in inner.captures.values() {
            *refs.entry(c.digest.as_str()).or_default() += 1;
        }
        refs.len() == inner.payloads.len()
            && refs.iter().all(|(d, n)| inner.payloads.get(*d).is_some_and(|(_, r)| r == n))
    }
}

fn release(inner: &mut Inner, digest: &str) {
    if let Some((_, refs)) = inner.payloads.get_mut(digest) {
        *refs -= 1;
        if *refs == 0 {
            inner.payloads.remove(digest);
        }
    }
}

impl Store for MemoryStore {
    async fn put_site(&self, site: &Site) -> Result<(), StoreError> {
        self.inner.borrow_mut().sites.insert(site.id.clone(), site.clone());
        Ok(())
    }

    async fn site(&self, id: &str) -> Result<Option<Site>, StoreError> {
        Ok(self.inner.borrow().sites.get(id).cloned())
    }

    async fn sites(&self) -> Result<Vec<Site>, StoreError> {
        Ok(self.inner.borrow().sites.values().cloned().collect())
    }

    async fn record(
        &self,
        batch: Vec<NewCapture>,
        settle: Vec<Settle>,
        found: Vec<FrontierEntry>,
    ) -> Result<Vec<Capture>, StoreError> {
        let mut inner = self.inner.borrow_mut();
        // Check everything first, then apply: the batch happens entirely or not at all.
        self.limits.check_bodies(&batch)?;
        let mut new_bytes = 0u64;
        let mut planned: Vec<(String, u64)> = Vec::with_capacity(batch.len());
        for c in &batch {
            let (digest, size) = match &c.body {
                NewBody::Bytes(b) => {
                    let d = digest_of(b);
                    let known = inner.payloads.contains_key(&d) || planned.iter().any(|(p, _)| *p == d);
                    if !known {
                        new_bytes += b.len() as u64;
                    }
                    (d, b.len() as u64)
                }
                #[cfg(target_arch = "wasm32")]
                NewBody::Browser { .. } => {
                    return Err(StoreError::Backend {
                        reason: "MemoryStore holds no browser bodies; use IdbStore".into(),
                    })
                }
                NewBody::Unchanged { digest } => match inner.payloads.get(digest) {
                    Some((b, _)) => (digest.clone(), b.len() as u64),
                    None if planned.iter().any(|(p, _)| p == digest) => {
                        (digest.clone(), planned.iter().find(|(p, _)| p == digest).unwrap().1)
                    }
                    None => return Err(StoreError::MissingPayload { digest: digest.clone() }),
                },
            };
            planned.push((digest, size));
        }
        let used: u64 = inner.payloads.values().map(|(b, _)| b.len() as u64).sum();
        self.limits.check_budget(used, new_bytes)?;
        let mut out = Vec::with_capacity(batch.len());
        for (c, (digest, size)) in batch.into_iter().zip(planned) {
            match c.body {
                NewBody::Bytes(b) => inner.payloads.entry(digest.clone()).or_insert((b, 0)).1 += 1,
                _ => inner.payloads.get_mut(&digest).expect("checked above").1 += 1,
            }
            inner.next_id += 1;
            let record = Capture {
                id: inner.next_id,
                site: c.site,
                url: c.url,
                at: c.at,
                status: c.status,
                headers: c.headers,
                digest,
                size,
                source: c.source,
                fidelity: None,
            };
            inner.captures.insert(record.id, record.clone());
            out.push(record);
        }
        for e in found {
            inner.frontier.entry((e.site.clone(), e.url.clone())).or_insert(e);
        }
        for s in settle {
            if let Some(e) = inner.frontier.get_mut(&(s.site, s.url)) {
                e.state = s.state;
                e.reason = s.reason;
                e.updated = s.at;
                e.render = s.render;
            }
        }
        Ok(out)
    }

    async fn enqueue(&self, entries: Vec<FrontierEntry>) -> Result<u64, StoreError> {
        let mut inner = self.inner.borrow_mut();
        let mut added = 0;
        for e in entries {
            inner.frontier.entry((e.site.clone(), e.url.clone())).or_insert_with(|| {
                added += 1;
                e
            });
        }
        Ok(added)
    }

    async fn queued(&self, site: &str, limit: usize) -> Result<Vec<FrontierEntry>, StoreError> {
        let mut q: Vec<FrontierEntry> = self
            .inner
            .borrow()
            .frontier
            .values()
            .filter(|e| e.site == site && e.state == UrlState::Queued)
            .cloned()
            .collect();
        q.sort_by(|a, b| (a.depth, &a.url).cmp(&(b.depth, &b.url)));
        q.truncate(limit);
        Ok(q)
    }

    async fn frontier(&self, site: &str) -> Result<Vec<FrontierEntry>, StoreError> {
        Ok(self.inner.borrow().frontier.values().filter(|e| e.site == site).cloned().collect())
    }

    async fn clear_frontier(&self, site: &str) -> Result<(), StoreError> {
        self.inner.borrow_mut().frontier.retain(|(s, _), _| s != site);
        Ok(())
    }

    async fn captures_of(&self, url: &str) -> Result<Vec<Capture>, StoreError> {
        let inner = self.inner.borrow();
        let mut v: Vec<Capture> = inner.captures.values().filter(|c| c.url == url).cloned().collect();
        v.sort_by_key(|c| (c.at, c.id));
        Ok(v)
    }

    async fn site_captures(&self, site: &str) -> Result<Vec<Capture>, StoreError> {
        let inner = self.inner.borrow();
        let mut v: Vec<Capture> = inner.captures.values().filter(|c| c.site == site).cloned().collect();
        v.sort_by_key(|c| (c.at, c.id));
        Ok(v)
    }

    async fn payload(&self, digest: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.inner.borrow().payloads.get(digest).map(|(b, _)| b.clone()))
    }

    async fn set_fidelity(&self, id: u64, fidelity: Fidelity) -> Result<bool, StoreError> {
        let mut inner = self.inner.borrow_mut();
        Ok(inner.captures.get_mut(&id).map(|c| c.fidelity = Some(fidelity)).is_some())
    }

    async fn delete_capture(&self, id: u64) -> Result<(), StoreError> {
        let mut inner = self.inner.borrow_mut();
        if let Some(c) = inner.captures.remove(&id) {
            release(&mut inner, &c.digest);
        }
        Ok(())
    }

    async fn delete_site(&self, id: &str) -> Result<(), StoreError> {
        let mut inner = self.inner.borrow_mut();
        inner.sites.remove(id);
        inner.frontier.retain(|(site, _), _| site != id);
        let ids: Vec<u64> = inner.captures.values().filter(|c| c.site == id).map(|c| c.id).collect();
        for capture_id in ids {
            if let Some(c) = inner.captures.remove(&capture_id) {
                release(&mut inner, &c.digest);
            }
        }
        Ok(())
    }

    async fn totals(&self) -> Result<Totals, StoreError> {
        let inner = self.inner.borrow();
        Ok(Totals {
            captures: inner.captures.len() as u64,
            payloads: inner.payloads.len() as u64,
            bytes: inner.payloads.values().map(|(b, _)| b.len() as u64).sum(),
        })
    }
}
