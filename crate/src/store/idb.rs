//! The store on IndexedDB (through the `idb` crate), for the extension and the site worker.
//!
//! Object stores are plural nouns: `sites` (key `id`), `captures` (auto-increment `id`; indexes `url`, `site`),
//! `payloads` (key `digest`: `{digest, size, refs, body}`), `meta` (the running totals the budget is checked
//! against), `frontier` (key `[site, url]`; index `queue` on `[site, state, depth]`). Every trait method is one IndexedDB transaction, aborted on any error, so a record never points at
//! a missing payload. Schema changes go in [`upgrade`], one numbered step per version.

use super::model::{choose, with_rendered, When};
use super::model::{digest_of, Capture, Fidelity, FrontierEntry, NewBody, NewCapture, Settle, Site, Totals};
use super::{Limits, Store, MAX_REDIRECTS};
use crate::error::StoreError;
use idb::event::DatabaseEvent;
use idb::{Database, Factory, KeyPath, ObjectStoreParams, Query, Transaction, TransactionMode};
use js_sys::{Object, Reflect, Uint8Array};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// The schema version; [`upgrade`] brings any older database up to it.
pub const SCHEMA_VERSION: u32 = 2;

const SITES: &str = "sites";
const CAPTURES: &str = "captures";
const PAYLOADS: &str = "payloads";
const META: &str = "meta";
const FRONTIER: &str = "frontier";
const TOTALS_KEY: &str = "totals";

/// A store in one IndexedDB database.
pub struct IdbStore {
    db: Database,
    limits: Limits,
}

fn backend(e: impl std::fmt::Display) -> StoreError {
    let reason = e.to_string();
    if reason.contains("QuotaExceeded") {
        StoreError::QuotaExceeded { needed: 0, available: 0 }
    } else {
        StoreError::Backend { reason }
    }
}

fn js_backend(v: JsValue) -> StoreError {
    let name = Reflect::get(&v, &"name".into()).ok().and_then(|n| n.as_string()).unwrap_or_default();
    let message = Reflect::get(&v, &"message".into()).ok().and_then(|n| n.as_string()).unwrap_or_default();
    backend(format!("{name}: {message}"))
}

fn to_js<T: Serialize>(value: &T) -> Result<JsValue, StoreError> {
    value.serialize(&serde_wasm_bindgen::Serializer::new().serialize_maps_as_objects(true)).map_err(backend)
}

fn from_js<T: DeserializeOwned>(value: JsValue) -> Result<T, StoreError> {
    serde_wasm_bindgen::from_value(value).map_err(backend)
}

/// Ordered schema steps: a database at `old` (0 = new) is brought to `new`, one version at a time.
fn upgrade(db: &Database, old: u32, new: u32) -> Result<(), idb::Error> {
    // v1: sites, captures, payloads and the totals.
    if old < 1 && new >= 1 {
        let mut keyed = ObjectStoreParams::new();
        keyed.key_path(Some(KeyPath::new_single("id")));
        db.create_object_store(SITES, keyed)?;
        let mut auto = ObjectStoreParams::new();
        auto.key_path(Some(KeyPath::new_single("id"))).auto_increment(true);
        let captures = db.create_object_store(CAPTURES, auto)?;
        captures.create_index("url", KeyPath::new_single("url"), None)?;
        captures.create_index("site", KeyPath::new_single("site"), None)?;
        let mut by_digest = ObjectStoreParams::new();
        by_digest.key_path(Some(KeyPath::new_single("digest")));
        db.create_object_store(PAYLOADS, by_digest)?;
        db.create_object_store(META, ObjectStoreParams::new())?;
    }
    // v2: the crawl frontier, so crawls resume after the worker is stopped.
    if old < 2 && new >= 2 {
        let mut params = ObjectStoreParams::new();
        params.key_path(Some(KeyPath::new_array(["site", "url"])));
        let frontier = db.create_object_store(FRONTIER, params)?;
        frontier.create_index("queue", KeyPath::new_array(["site", "state", "depth"]), None)?;
        frontier.create_index("site", KeyPath::new_single("site"), None)?;
    }
    Ok(())
}

impl IdbStore {
    /// Opens (creating or upgrading) the database `name`.
    pub async fn open(name: &str) -> Result<Self, StoreError> {
        Self::open_at(name, SCHEMA_VERSION).await
    }

    /// Opens at an older schema version: for tests of the upgrade path only.
    #[doc(hidden)]
    pub async fn open_at(name: &str, version: u32) -> Result<Self, StoreError> {
        let factory = Factory::new().map_err(backend)?;
        let mut request = factory.open(name, Some(version)).map_err(backend)?;
        let failed: Rc<RefCell<Option<String>>> = Rc::default();
        let failure = failed.clone();
        request.on_upgrade_needed(move |event| {
            let step = event.database().and_then(|db| upgrade(&db, event.old_version().unwrap_or(0), version));
            if let Err(e) = step {
                *failure.borrow_mut() = Some(e.to_string());
            }
        });
        let db = request.await.map_err(backend)?;
        if let Some(reason) = failed.borrow_mut().take() {
            db.close();
            return Err(StoreError::Backend { reason: format!("schema upgrade failed: {reason}") });
        }
        Ok(IdbStore { db, limits: Limits::default() })
    }

    /// Refuses bodies larger than `max_body` bytes.
    pub fn with_max_body(mut self, max_body: u64) -> Self {
        self.limits.max_body = max_body;
        self
    }

    /// Refuses writes that would make the stored bodies exceed `bytes`, before the browser's quota does.
    pub fn with_budget(mut self, bytes: u64) -> Self {
        self.limits.budget = Some(bytes);
        self
    }

    /// The body as the browser holds it (a `Uint8Array` or a `Blob`), without copying it into wasm memory: what
    /// a service worker hands to `new Response(…)`.
    pub async fn stored_body(&self, digest: &str) -> Result<Option<JsValue>, StoreError> {
        let tx = self.tx(&[PAYLOADS], TransactionMode::ReadOnly)?;
        let store = tx.object_store(PAYLOADS).map_err(backend)?;
        let record = store.get(JsValue::from_str(digest)).map_err(backend)?.await.map_err(backend)?;
        Ok(record.map(|r| field(&r, "body")))
    }

    /// SHA-256 and size of a body the browser holds (`Uint8Array`, `ArrayBuffer` or `Blob`), computed by the
    /// browser (`crypto.subtle`, native speed) so the bytes never enter wasm memory.
    pub async fn browser_digest(body: &JsValue) -> Result<(String, u64), StoreError> {
        Ok(Self::browser_digests(std::slice::from_ref(body)).await?.remove(0))
    }

    /// [`IdbStore::browser_digest`] for many bodies at once (the browser hashes them in parallel).
    pub async fn browser_digests(bodies: &[JsValue]) -> Result<Vec<(String, u64)>, StoreError> {
        let pending = js_sys::Array::new();
        for body in bodies {
            match body.dyn_ref::<web_sys::Blob>() {
                Some(blob) => pending.push(&blob.array_buffer()),
                None if body.is_instance_of::<Uint8Array>() || body.is_instance_of::<js_sys::ArrayBuffer>() => {
                    pending.push(body)
                }
                None => {
                    return Err(StoreError::Backend {
                        reason: "a body must be a Uint8Array, an ArrayBuffer or a Blob".into(),
                    })
                }
            };
        }
        let buffers: js_sys::Array =
            JsFuture::from(js_sys::Promise::all(&pending)).await.map_err(js_backend)?.unchecked_into();
        let subtle = Reflect::get(&js_sys::global(), &"crypto".into())
            .map_err(js_backend)?
            .unchecked_into::<web_sys::Crypto>()
            .subtle();
        let hashes = js_sys::Array::new();
        for buffer in buffers.iter() {
            let promise =
                subtle.digest_with_str_and_buffer_source("SHA-256", buffer.unchecked_ref()).map_err(js_backend)?;
            hashes.push(&promise);
        }
        let hashes: js_sys::Array =
            JsFuture::from(js_sys::Promise::all(&hashes)).await.map_err(js_backend)?.unchecked_into();
        let mut out = Vec::with_capacity(bodies.len());
        for (buffer, hash) in buffers.iter().zip(hashes.iter()) {
            let size = match buffer.dyn_ref::<js_sys::ArrayBuffer>() {
                Some(b) => b.byte_length(),
                None => buffer.unchecked_ref::<Uint8Array>().byte_length(),
            } as u64;
            out.push((super::to_hex(&Uint8Array::new(&hash).to_vec()), size));
        }
        Ok(out)
    }

    /// Closes the connection (tests reopen and delete databases).
    pub fn close(&self) {
        self.db.close();
    }

    fn tx(&self, stores: &[&str], mode: TransactionMode) -> Result<Transaction, StoreError> {
        self.db.transaction(stores, mode).map_err(backend)
    }

    async fn by_index(&self, index: &str, key: &str) -> Result<Vec<Capture>, StoreError> {
        let tx = self.tx(&[CAPTURES], TransactionMode::ReadOnly)?;
        let store = tx.object_store(CAPTURES).map_err(backend)?;
        let rows = store
            .index(index)
            .map_err(backend)?
            .get_all(Some(Query::Key(JsValue::from_str(key))), None)
            .map_err(backend)?
            .await
            .map_err(backend)?;
        let mut out: Vec<Capture> = rows.into_iter().map(from_js).collect::<Result<_, _>>()?;
        out.sort_by_key(|c| (c.at, c.id));
        Ok(out)
    }

    /// What replay serves for `url`, read in ONE transaction (replay's hot path): [`Store::served`] — the capture
    /// chosen by `when`, stored redirects followed as [`Store::resolve`] does, and with `rendered` (a key suffix) a
    /// good HTML document's rendered copy when one was made with it (`model::with_rendered`) — and its body as the
    /// browser holds it.
    pub async fn replay(
        &self,
        url: &str,
        when: When,
        rendered: Option<&str>,
    ) -> Result<Option<(Capture, JsValue)>, StoreError> {
        let tx = self.tx(&[CAPTURES, PAYLOADS], TransactionMode::ReadOnly)?;
        let index = tx.object_store(CAPTURES).map_err(backend)?.index("url").map_err(backend)?;
        let mut versions = versions_in(&index, url).await?;
        let Some(mut current) = choose(&versions, when).cloned() else { return Ok(None) };
        let mut seen: Vec<String> = Vec::new();
        while let Some(next) = current.redirect_target() {
            if seen.len() >= MAX_REDIRECTS || seen.contains(&next) || next == current.url {
                break;
            }
            seen.push(current.url.clone());
            let next_versions = versions_in(&index, &next).await?;
            match choose(&next_versions, when) {
                Some(c) => {
                    current = c.clone();
                    versions = next_versions;
                }
                None => break,
            }
        }
        if let (Some(suffix), true, true) = (rendered, current.is_html(), current.is_good()) {
            let copies = versions_in(&index, &format!("{}{suffix}", current.url)).await?;
            current = with_rendered(current, &versions, &copies);
        }
        let payloads = tx.object_store(PAYLOADS).map_err(backend)?;
        let record = payloads.get(JsValue::from_str(&current.digest)).map_err(backend)?.await.map_err(backend)?;
        Ok(record.map(|r| (current, field(&r, "body"))))
    }

    /// Runs `work` in a read-write transaction over all stores: committed when it succeeds, aborted otherwise.
    async fn write<T>(&self, work: impl AsyncFnOnce(&Transaction) -> Result<T, StoreError>) -> Result<T, StoreError> {
        // Every store the database has (an older schema, being opened by tests of the upgrade, has fewer).
        let names = self.db.store_names();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let tx = self.tx(&names, TransactionMode::ReadWrite)?;
        match work(&tx).await {
            Ok(value) => {
                tx.commit().map_err(backend)?.await.map_err(backend)?;
                Ok(value)
            }
            Err(e) => {
                let _ = tx.abort();
                Err(e)
            }
        }
    }
}

/// Every capture of one key through the `url` index of an open transaction.
async fn versions_in(index: &idb::Index, key: &str) -> Result<Vec<Capture>, StoreError> {
    let rows =
        index.get_all(Some(Query::Key(JsValue::from_str(key))), None).map_err(backend)?.await.map_err(backend)?;
    rows.into_iter().map(from_js).collect()
}

async fn read_totals(tx: &Transaction) -> Result<Totals, StoreError> {
    let meta = tx.object_store(META).map_err(backend)?;
    match meta.get(JsValue::from_str(TOTALS_KEY)).map_err(backend)?.await.map_err(backend)? {
        Some(v) => from_js(v),
        None => Ok(Totals::default()),
    }
}

async fn write_totals(tx: &Transaction, totals: &Totals) -> Result<(), StoreError> {
    let meta = tx.object_store(META).map_err(backend)?;
    meta.put(&to_js(totals)?, Some(&JsValue::from_str(TOTALS_KEY))).map_err(backend)?.await.map_err(backend)?;
    Ok(())
}

fn field(obj: &JsValue, name: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

/// Drops one reference to a payload, deleting it (and its bytes from the totals) at zero.
async fn release(tx: &Transaction, digest: &str, totals: &mut Totals) -> Result<(), StoreError> {
    let payloads = tx.object_store(PAYLOADS).map_err(backend)?;
    let Some(record) = payloads.get(JsValue::from_str(digest)).map_err(backend)?.await.map_err(backend)? else {
        return Ok(());
    };
    let refs = field(&record, "refs").as_f64().unwrap_or(1.0) - 1.0;
    if refs <= 0.0 {
        payloads.delete(JsValue::from_str(digest)).map_err(backend)?.await.map_err(backend)?;
        totals.payloads = totals.payloads.saturating_sub(1);
        totals.bytes = totals.bytes.saturating_sub(field(&record, "size").as_f64().unwrap_or(0.0) as u64);
    } else {
        Reflect::set(&record, &"refs".into(), &refs.into()).map_err(js_backend)?;
        payloads.put(&record, None).map_err(backend)?.await.map_err(backend)?;
    }
    Ok(())
}

fn frontier_key(site: &str, url: &str) -> JsValue {
    js_sys::Array::of2(&site.into(), &url.into()).into()
}

/// Adds the entries not in the frontier yet; returns how many. Requests are issued together and awaited after
/// (one task turn each would make a crawl's batches slow).
async fn enqueue_in(tx: &Transaction, entries: Vec<FrontierEntry>) -> Result<u64, StoreError> {
    if entries.is_empty() {
        return Ok(0);
    }
    let frontier = tx.object_store(FRONTIER).map_err(backend)?;
    let mut lookups = Vec::with_capacity(entries.len());
    for e in &entries {
        lookups.push(frontier.count(Some(Query::Key(frontier_key(&e.site, &e.url)))).map_err(backend)?);
    }
    let mut seen = std::collections::HashSet::new();
    let mut adds = Vec::new();
    for (e, lookup) in entries.into_iter().zip(lookups) {
        let known = lookup.await.map_err(backend)? > 0;
        if !known && seen.insert((e.site.clone(), e.url.clone())) {
            adds.push(frontier.add(&to_js(&e)?, None).map_err(backend)?);
        }
    }
    let added = adds.len() as u64;
    for add in adds {
        add.await.map_err(backend)?;
    }
    Ok(added)
}

async fn settle_in(tx: &Transaction, settle: Vec<Settle>) -> Result<(), StoreError> {
    if settle.is_empty() {
        return Ok(());
    }
    let frontier = tx.object_store(FRONTIER).map_err(backend)?;
    let mut lookups = Vec::with_capacity(settle.len());
    for s in &settle {
        lookups.push(frontier.get(frontier_key(&s.site, &s.url)).map_err(backend)?);
    }
    let mut puts = Vec::new();
    for (s, lookup) in settle.into_iter().zip(lookups) {
        let Some(found) = lookup.await.map_err(backend)? else {
            continue;
        };
        let mut entry: FrontierEntry = from_js(found)?;
        entry.state = s.state;
        entry.reason = s.reason;
        entry.updated = s.at;
        entry.render = s.render;
        puts.push(frontier.put(&to_js(&entry)?, None).map_err(backend)?);
    }
    for put in puts {
        put.await.map_err(backend)?;
    }
    Ok(())
}

async fn clear_frontier_in(tx: &Transaction, site: &str) -> Result<(), StoreError> {
    let frontier = tx.object_store(FRONTIER).map_err(backend)?;
    let lower = js_sys::Array::of1(&site.into());
    // Every [site, url] key sorts after [site] and before [site, []] (arrays sort after strings).
    let upper = js_sys::Array::of2(&site.into(), &js_sys::Array::new());
    let range = idb::KeyRange::bound(&lower, &upper, None, None).map_err(backend)?;
    frontier.delete(Query::KeyRange(range)).map_err(backend)?.await.map_err(backend)?;
    Ok(())
}

async fn delete_captures(tx: &Transaction, captures: Vec<Capture>) -> Result<(), StoreError> {
    let mut totals = read_totals(tx).await?;
    let store = tx.object_store(CAPTURES).map_err(backend)?;
    for c in captures {
        store.delete(JsValue::from_f64(c.id as f64)).map_err(backend)?.await.map_err(backend)?;
        totals.captures = totals.captures.saturating_sub(1);
        release(tx, &c.digest, &mut totals).await?;
    }
    write_totals(tx, &totals).await
}

impl Store for IdbStore {
    async fn put_site(&self, site: &Site) -> Result<(), StoreError> {
        let value = to_js(site)?;
        self.write(async |tx| {
            tx.object_store(SITES).map_err(backend)?.put(&value, None).map_err(backend)?.await.map_err(backend)?;
            Ok(())
        })
        .await
    }

    async fn site(&self, id: &str) -> Result<Option<Site>, StoreError> {
        let tx = self.tx(&[SITES], TransactionMode::ReadOnly)?;
        let store = tx.object_store(SITES).map_err(backend)?;
        store.get(JsValue::from_str(id)).map_err(backend)?.await.map_err(backend)?.map(from_js).transpose()
    }

    async fn sites(&self) -> Result<Vec<Site>, StoreError> {
        let tx = self.tx(&[SITES], TransactionMode::ReadOnly)?;
        let store = tx.object_store(SITES).map_err(backend)?;
        let rows = store.get_all(None, None).map_err(backend)?.await.map_err(backend)?;
        rows.into_iter().map(from_js).collect()
    }

    async fn record(
        &self,
        batch: Vec<NewCapture>,
        settle: Vec<Settle>,
        found: Vec<FrontierEntry>,
    ) -> Result<Vec<Capture>, StoreError> {
        // Hash and size-check before the transaction opens: IndexedDB commits a transaction that is left idle
        // while other work is awaited.
        self.limits.check_bodies(&batch)?;
        let mut prepared = Vec::with_capacity(batch.len());
        for c in batch {
            let digest = match &c.body {
                NewBody::Bytes(b) => digest_of(b),
                NewBody::Unchanged { digest } | NewBody::Browser { digest, .. } => digest.clone(),
            };
            prepared.push((digest, c));
        }
        let limits = self.limits;
        self.write(async |tx| {
            let payloads = tx.object_store(PAYLOADS).map_err(backend)?;
            let captures = tx.object_store(CAPTURES).map_err(backend)?;
            // Requests are issued together and awaited after: IndexedDB then runs them back to back instead of
            // waiting a task turn for each.
            let totals_request =
                tx.object_store(META).map_err(backend)?.get(JsValue::from_str(TOTALS_KEY)).map_err(backend)?;
            let mut lookups = Vec::new();
            let mut digests: Vec<String> = Vec::new();
            for (digest, _) in &prepared {
                if !digests.contains(digest) {
                    digests.push(digest.clone());
                    lookups.push(payloads.get(JsValue::from_str(digest)).map_err(backend)?);
                }
            }
            let mut totals: Totals = match totals_request.await.map_err(backend)? {
                Some(v) => from_js(v)?,
                None => Totals::default(),
            };
            // digest → (payload record, is it new)
            let mut records: Vec<(JsValue, bool)> = Vec::with_capacity(lookups.len());
            for lookup in lookups {
                records.push(match lookup.await.map_err(backend)? {
                    Some(record) => (record, false),
                    None => (JsValue::UNDEFINED, true),
                });
            }
            let mut new_bytes = 0;
            let mut out = Vec::with_capacity(prepared.len());
            for (digest, c) in prepared {
                let slot = digests.iter().position(|d| *d == digest).expect("looked up above");
                let (record, _) = &mut records[slot];
                if record.is_undefined() {
                    let (body, size): (JsValue, u64) = match &c.body {
                        NewBody::Bytes(b) => (Uint8Array::from(b.as_slice()).into(), b.len() as u64),
                        NewBody::Browser { body, size, .. } => (body.clone(), *size),
                        NewBody::Unchanged { .. } => return Err(StoreError::MissingPayload { digest }),
                    };
                    let fresh = Object::new();
                    Reflect::set(&fresh, &"digest".into(), &JsValue::from_str(&digest)).map_err(js_backend)?;
                    Reflect::set(&fresh, &"size".into(), &(size as f64).into()).map_err(js_backend)?;
                    Reflect::set(&fresh, &"refs".into(), &0.0.into()).map_err(js_backend)?;
                    Reflect::set(&fresh, &"body".into(), &body).map_err(js_backend)?;
                    *record = fresh.into();
                    new_bytes += size;
                }
                let refs = field(record, "refs").as_f64().unwrap_or(0.0) + 1.0;
                Reflect::set(record, &"refs".into(), &refs.into()).map_err(js_backend)?;
                let size = field(record, "size").as_f64().unwrap_or(0.0) as u64;
                out.push(Capture {
                    id: 0,
                    site: c.site,
                    url: c.url,
                    at: c.at,
                    status: c.status,
                    headers: c.headers,
                    digest,
                    size,
                    source: c.source,
                    fidelity: None,
                });
            }
            let new_payloads = records.iter().filter(|(_, is_new)| *is_new).count() as u64;
            limits.check_budget(totals.bytes, new_bytes)?;
            let mut writes = Vec::with_capacity(records.len());
            for (record, _) in &records {
                writes.push(payloads.put(record, None).map_err(backend)?);
            }
            let mut adds = Vec::with_capacity(out.len());
            for record in &out {
                let value = to_js(record)?;
                // Leave `id` out so IndexedDB assigns the next one.
                Reflect::delete_property(value.unchecked_ref::<Object>(), &"id".into()).map_err(js_backend)?;
                adds.push(captures.add(&value, None).map_err(backend)?);
            }
            totals.payloads += new_payloads;
            totals.bytes += new_bytes;
            totals.captures += out.len() as u64;
            for write in writes {
                write.await.map_err(backend)?;
            }
            for (record, add) in out.iter_mut().zip(adds) {
                record.id = add.await.map_err(backend)?.as_f64().unwrap_or(0.0) as u64;
            }
            write_totals(tx, &totals).await?;
            enqueue_in(tx, found).await?;
            settle_in(tx, settle).await?;
            Ok(out)
        })
        .await
    }

    async fn enqueue(&self, entries: Vec<FrontierEntry>) -> Result<u64, StoreError> {
        self.write(async |tx| enqueue_in(tx, entries).await).await
    }

    async fn queued(&self, site: &str, limit: usize) -> Result<Vec<FrontierEntry>, StoreError> {
        let tx = self.tx(&[FRONTIER], TransactionMode::ReadOnly)?;
        let index = tx.object_store(FRONTIER).map_err(backend)?.index("queue").map_err(backend)?;
        let bound = |depth: f64| js_sys::Array::of3(&site.into(), &"queued".into(), &depth.into()).into();
        let range = idb::KeyRange::bound(&bound(0.0), &bound(f64::MAX), None, None).map_err(backend)?;
        let rows = index
            .get_all(Some(Query::KeyRange(range)), Some(limit.min(u32::MAX as usize) as u32))
            .map_err(backend)?
            .await
            .map_err(backend)?;
        rows.into_iter().map(from_js).collect()
    }

    async fn frontier(&self, site: &str) -> Result<Vec<FrontierEntry>, StoreError> {
        let tx = self.tx(&[FRONTIER], TransactionMode::ReadOnly)?;
        let index = tx.object_store(FRONTIER).map_err(backend)?.index("site").map_err(backend)?;
        let rows = index.get_all(Some(Query::Key(site.into())), None).map_err(backend)?.await.map_err(backend)?;
        rows.into_iter().map(from_js).collect()
    }

    async fn clear_frontier(&self, site: &str) -> Result<(), StoreError> {
        self.write(async |tx| clear_frontier_in(tx, site).await).await
    }

    async fn captures_of(&self, url: &str) -> Result<Vec<Capture>, StoreError> {
        self.by_index("url", url).await
    }

    async fn site_captures(&self, site: &str) -> Result<Vec<Capture>, StoreError> {
        self.by_index("site", site).await
    }

    async fn payload(&self, digest: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let Some(body) = self.stored_body(digest).await? else { return Ok(None) };
        let bytes = match body.dyn_into::<web_sys::Blob>() {
            Ok(blob) => Uint8Array::new(&JsFuture::from(blob.array_buffer()).await.map_err(js_backend)?),
            Err(other) => other.dyn_into::<Uint8Array>().map_err(js_backend)?,
        };
        Ok(Some(bytes.to_vec()))
    }

    async fn set_fidelity(&self, id: u64, fidelity: Fidelity) -> Result<bool, StoreError> {
        self.write(async |tx| {
            let store = tx.object_store(CAPTURES).map_err(backend)?;
            let Some(found) = store.get(JsValue::from_f64(id as f64)).map_err(backend)?.await.map_err(backend)? else {
                return Ok(false);
            };
            let mut capture: Capture = from_js(found)?;
            capture.fidelity = Some(fidelity);
            store.put(&to_js(&capture)?, None).map_err(backend)?.await.map_err(backend)?;
            Ok(true)
        })
        .await
    }

    async fn delete_capture(&self, id: u64) -> Result<(), StoreError> {
        self.write(async |tx| {
            let store = tx.object_store(CAPTURES).map_err(backend)?;
            let found = store.get(JsValue::from_f64(id as f64)).map_err(backend)?.await.map_err(backend)?;
            match found {
                Some(v) => delete_captures(tx, vec![from_js(v)?]).await,
                None => Ok(()),
            }
        })
        .await
    }

    async fn delete_site(&self, id: &str) -> Result<(), StoreError> {
        let doomed = self.site_captures(id).await?;
        self.write(async |tx| {
            tx.object_store(SITES)
                .map_err(backend)?
                .delete(JsValue::from_str(id))
                .map_err(backend)?
                .await
                .map_err(backend)?;
            clear_frontier_in(tx, id).await?;
            delete_captures(tx, doomed).await
        })
        .await
    }

    async fn totals(&self) -> Result<Totals, StoreError> {
        let tx = self.tx(&[META], TransactionMode::ReadOnly)?;
        read_totals(&tx).await
    }

    /// Through [`IdbStore::replay`], so the store suite checks replay's own one-transaction path.
    async fn served(&self, url: &str, when: When, rendered: Option<&str>) -> Result<Option<Capture>, StoreError> {
        Ok(self.replay(url, when, rendered).await?.map(|(c, _)| c))
    }
}
