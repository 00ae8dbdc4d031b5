//! The mirror's storage: sites, captures (one record per version of a URL), payloads (bodies, stored once by
//! SHA-256 and reference-counted), behind the [`Store`] trait.
//!
//! `MemoryStore` serves native tests; `IdbStore` (wasm32 only) is IndexedDB through the `idb` crate. Both only
//! implement the primitive operations; which version a lookup returns, how redirects are followed and what
//! counts as a page are decided here, once, for both.

#[cfg(target_arch = "wasm32")]
mod idb;
mod memory;
mod model;

/// Where a page's rendered DOM is kept (capture as you browse, a crawl that renders): the page's key plus this
/// suffix (a key no URL lookup produces).
pub const RENDERED: &str = "#rendered";

#[cfg(target_arch = "wasm32")]
pub use self::idb::{IdbStore, SCHEMA_VERSION};
pub use memory::MemoryStore;
pub use model::{
    digest_of, to_hex, Capture, Fidelity, FrontierCounts, FrontierEntry, NewBody, NewCapture, Pruned, Settle, Site,
    Totals, UrlState, Usage, When,
};

use crate::error::StoreError;

/// Longest redirect chain replay follows inside the mirror.
pub const MAX_REDIRECTS: usize = 10;
/// Default largest body one capture may store (bigger ones are refused with `store/too-large`).
pub const DEFAULT_MAX_BODY: u64 = 64 << 20;

/// What every store refuses, decided here once: one body over `max_body` bytes (`store/too-large`), and a write
/// that would take the stored bodies past `budget` bytes (`store/quota-exceeded`, as a full disk would).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub max_body: u64,
    pub budget: Option<u64>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_body: DEFAULT_MAX_BODY, budget: None }
    }
}

impl Limits {
    /// Checks every body of a batch before anything is written.
    pub(crate) fn check_bodies(&self, batch: &[NewCapture]) -> Result<(), StoreError> {
        for c in batch {
            if let Some(size) = c.body.size().filter(|s| *s > self.max_body) {
                return Err(StoreError::TooLarge { url: c.url.clone(), size, max: self.max_body });
            }
        }
        Ok(())
    }

    /// Checks that `new_bytes` more fit next to the `used` ones.
    pub(crate) fn check_budget(&self, used: u64, new_bytes: u64) -> Result<(), StoreError> {
        match self.budget {
            Some(budget) if used + new_bytes > budget => {
                Err(StoreError::QuotaExceeded { needed: new_bytes, available: budget.saturating_sub(used) })
            }
            _ => Ok(()),
        }
    }
}

/// Storage for mirrors. Every method is one transaction: it happens entirely or not at all.
#[allow(async_fn_in_trait)] // Used with concrete stores only; no Send bound is wanted in the browser.
pub trait Store {
    /// Adds or replaces a site.
    async fn put_site(&self, site: &Site) -> Result<(), StoreError>;
    /// One site.
    async fn site(&self, id: &str) -> Result<Option<Site>, StoreError>;
    /// All sites, by id.
    async fn sites(&self) -> Result<Vec<Site>, StoreError>;
    /// Stores a batch of captures and their payloads, adds the URLs they led to (`found`, as [`Store::enqueue`])
    /// and settles frontier URLs, in one transaction; returns the capture records in order. A body already stored
    /// (same SHA-256) is not stored again. Recording a page, the links found in it and its "done" together is what
    /// keeps a crawl from losing or refetching a URL when its worker is stopped mid-way.
    async fn record(
        &self,
        batch: Vec<NewCapture>,
        settle: Vec<Settle>,
        found: Vec<FrontierEntry>,
    ) -> Result<Vec<Capture>, StoreError>;
    /// Adds URLs to a site's frontier; URLs already there keep their state. Returns how many were new.
    async fn enqueue(&self, entries: Vec<FrontierEntry>) -> Result<u64, StoreError>;
    /// Up to `limit` queued URLs of a site, shallowest first.
    async fn queued(&self, site: &str, limit: usize) -> Result<Vec<FrontierEntry>, StoreError>;
    /// The whole frontier of a site.
    async fn frontier(&self, site: &str) -> Result<Vec<FrontierEntry>, StoreError>;
    /// Forgets a site's frontier (a new crawl starts from scratch).
    async fn clear_frontier(&self, site: &str) -> Result<(), StoreError>;
    /// Every capture of a URL (canonical key), oldest first.
    async fn captures_of(&self, url: &str) -> Result<Vec<Capture>, StoreError>;
    /// Every capture made for a site, oldest first.
    async fn site_captures(&self, site: &str) -> Result<Vec<Capture>, StoreError>;
    /// The body with this digest.
    async fn payload(&self, digest: &str) -> Result<Option<Vec<u8>>, StoreError>;
    /// Deletes one version; its payload goes when no other capture uses it.
    async fn delete_capture(&self, id: u64) -> Result<(), StoreError>;
    /// Deletes a site with all its captures, and the payloads only they used.
    async fn delete_site(&self, id: &str) -> Result<(), StoreError>;
    /// Everything stored: number of bodies and their bytes.
    async fn totals(&self) -> Result<Totals, StoreError>;
    /// Sets one version's fidelity score; false when that version is gone.
    async fn set_fidelity(&self, id: u64, fidelity: Fidelity) -> Result<bool, StoreError>;

    /// Scores the latest version of the page `url` (what replay shows for it now); false when it has none.
    async fn score(&self, url: &str, fidelity: Fidelity) -> Result<bool, StoreError> {
        match self.lookup(url, When::Latest).await? {
            Some(c) => self.set_fidelity(c.id, fidelity).await,
            None => Ok(false),
        }
    }

    /// Stores a batch of captures atomically (see [`Store::record`]).
    async fn put_captures(&self, batch: Vec<NewCapture>) -> Result<Vec<Capture>, StoreError> {
        self.record(batch, Vec::new(), Vec::new()).await
    }

    /// How many URLs of a site's crawl are in each state.
    async fn frontier_counts(&self, site: &str) -> Result<FrontierCounts, StoreError> {
        Ok(model::counts(&self.frontier(site).await?))
    }

    /// The version of `url` to show (see [`When`]).
    async fn lookup(&self, url: &str, when: When) -> Result<Option<Capture>, StoreError> {
        Ok(model::choose(&self.captures_of(url).await?, when).cloned())
    }

    /// Like [`Store::lookup`], following stored redirects (3xx + Location) to the capture that has the content.
    /// A loop or a chain longer than [`MAX_REDIRECTS`] ends at the last capture reached.
    async fn resolve(&self, url: &str, when: When) -> Result<Option<Capture>, StoreError> {
        let mut seen: Vec<String> = Vec::new();
        let Some(mut current) = self.lookup(url, when).await? else {
            return Ok(None);
        };
        while let Some(next) = current.redirect_target() {
            if seen.len() >= MAX_REDIRECTS || seen.contains(&next) || next == current.url {
                break;
            }
            seen.push(current.url.clone());
            match self.lookup(&next, when).await? {
                Some(c) => current = c,
                None => break,
            }
        }
        Ok(Some(current))
    }

    /// The capture replay serves for `url`: [`Store::resolve`]'s, or, with `rendered` (the key suffix of rendered
    /// copies, `#rendered`), the rendered copy made with that document (see `model::with_rendered`), under the
    /// document's URL. `IdbStore::replay` reads the same in one transaction, with the body.
    async fn served(&self, url: &str, when: When, rendered: Option<&str>) -> Result<Option<Capture>, StoreError> {
        let Some(doc) = self.resolve(url, when).await? else { return Ok(None) };
        let Some(suffix) = rendered.filter(|_| doc.is_html() && doc.is_good()) else { return Ok(Some(doc)) };
        let versions = self.captures_of(&doc.url).await?;
        let copies = self.captures_of(&format!("{}{suffix}", doc.url)).await?;
        Ok(Some(model::with_rendered(doc, &versions, &copies)))
    }

    /// All versions of a URL, newest first.
    async fn versions(&self, url: &str) -> Result<Vec<Capture>, StoreError> {
        let mut all = self.captures_of(url).await?;
        all.reverse();
        Ok(all)
    }

    /// The pages of a site (HTML captures with a good status), each once, with its latest good capture.
    async fn pages(&self, site: &str) -> Result<Vec<Capture>, StoreError> {
        Ok(model::pages(self.site_captures(site).await?))
    }

    /// How much a site holds: captures, and bytes of the distinct bodies they use.
    async fn usage(&self, site: &str) -> Result<Usage, StoreError> {
        Ok(model::usage(&self.site_captures(site).await?))
    }

    /// Brings the stored bytes down to `budget` by deleting a site's captures (see `model::prune_plan`): old
    /// versions first, oldest first; whole URLs, least recently captured first, only if that is not enough. Each
    /// deletion is its own transaction, so an interrupted prune leaves a consistent, smaller store.
    async fn prune(&self, site: &str, budget: u64) -> Result<Pruned, StoreError> {
        let before = self.totals().await?;
        if before.bytes <= budget {
            return Ok(Pruned::default());
        }
        let doomed = model::prune_plan(&self.site_captures(site).await?, before.bytes, budget);
        for id in &doomed {
            self.delete_capture(*id).await?;
        }
        let after = self.totals().await?;
        Ok(Pruned { captures: doomed.len() as u64, bytes: before.bytes.saturating_sub(after.bytes) })
    }
}
