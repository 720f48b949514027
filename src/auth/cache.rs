//! What the identity service remembers of the store, so that authenticating
//! a request costs no query: tokens (immutable once issued, checked for expiry
//! on every use), API keys, access keys and users' projects. Only positive
//! answers are kept (a new key works at once).
//!
//! Identity can change behind this process's back: `strato admin` writes the
//! same store from another process. Every revocation there (a deleted key, a
//! changed assignment) bumps the store's identity epoch; at most every
//! `RECHECK` the service reads the epoch and, if it moved, forgets everything.
//! So a revocation takes effect within `RECHECK`. A read that began before a
//! forget cannot put back what it read (a generation counter).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::RwLock;

use super::identity::Principal;
use crate::core::identity::{AccessKey, Project, TokenRecord, User};
use crate::core::now_ms;
use crate::store::Store;

/// How stale a cached identity fact may be, in milliseconds.
pub const RECHECK_MS: i64 = 250;
/// More entries than this and the cache starts over.
const CAPACITY: usize = 100_000;

#[derive(Default)]
struct Inner {
    generation: u64,
    epoch: Option<i64>,
    tokens: HashMap<String, (TokenRecord, User)>,
    api_keys: HashMap<String, Principal>,
    access_keys: HashMap<String, (AccessKey, User)>,
    projects: HashMap<String, Vec<Project>>,
}

impl Inner {
    fn len(&self) -> usize {
        self.tokens.len() + self.api_keys.len() + self.access_keys.len() + self.projects.len()
    }

    fn forget(&mut self) {
        self.generation += 1;
        self.tokens.clear();
        self.api_keys.clear();
        self.access_keys.clear();
        self.projects.clear();
    }
}

#[derive(Default)]
pub struct IdentityCache {
    inner: RwLock<Inner>,
    checked_at: AtomicI64,
    checking: AtomicBool,
}

/// A read of the store about to fill the cache: remembers the generation it began in.
#[derive(Clone, Copy)]
pub struct Fill(u64);

impl IdentityCache {
    fn read(&self) -> std::sync::RwLockReadGuard<'_, Inner> {
        self.inner.read().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Inner> {
        self.inner.write().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Forgets everything if the store's identity epoch moved since it was last
    /// read, reading it at most every `RECHECK_MS` (one request does; the others go on).
    pub async fn revalidate(&self, store: &dyn Store) {
        let now = now_ms();
        if now - self.checked_at.load(Ordering::Relaxed) < RECHECK_MS || self.checking.swap(true, Ordering::AcqRel) {
            return;
        }
        if let Ok(epoch) = store.identity_epoch().await {
            let mut inner = self.write();
            if inner.epoch != Some(epoch) {
                inner.forget();
                inner.epoch = Some(epoch);
            }
            self.checked_at.store(now, Ordering::Relaxed);
        }
        self.checking.store(false, Ordering::Release);
    }

    pub fn begin(&self) -> Fill {
        Fill(self.read().generation)
    }

    fn put(&self, fill: Fill, f: impl FnOnce(&mut Inner)) {
        let mut inner = self.write();
        if inner.generation != fill.0 {
            return;
        }
        if inner.len() >= CAPACITY {
            inner.forget();
            return;
        }
        f(&mut inner);
    }

    pub fn token(&self, hash: &str) -> Option<(TokenRecord, User)> {
        self.read().tokens.get(hash).cloned()
    }

    pub fn put_token(&self, fill: Fill, hash: &str, record: TokenRecord, user: User) {
        self.put(fill, |i| {
            i.tokens.insert(hash.to_string(), (record, user));
        });
    }

    pub fn api_key(&self, hash: &str) -> Option<Principal> {
        self.read().api_keys.get(hash).cloned()
    }

    pub fn put_api_key(&self, fill: Fill, hash: &str, principal: Principal) {
        self.put(fill, |i| {
            i.api_keys.insert(hash.to_string(), principal);
        });
    }

    pub fn access_key(&self, ak: &str) -> Option<(AccessKey, User)> {
        self.read().access_keys.get(ak).cloned()
    }

    pub fn put_access_key(&self, fill: Fill, key: AccessKey, user: User) {
        self.put(fill, |i| {
            i.access_keys.insert(key.access_key.clone(), (key, user));
        });
    }

    pub fn projects(&self, user_id: &str) -> Option<Vec<Project>> {
        self.read().projects.get(user_id).cloned()
    }

    pub fn put_projects(&self, fill: Fill, user_id: &str, projects: Vec<Project>) {
        self.put(fill, |i| {
            i.projects.insert(user_id.to_string(), projects);
        });
    }
}
