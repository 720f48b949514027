//! The read model's cache: each cluster's record (the cluster, its nodes, its
//! active job, its recent event count) as last read, so that a `GET` of a
//! cluster costs no query at all.
//!
//! The store that owns a cache invalidates a cluster's entry after every
//! committed write that touches it. A read that missed fills the entry only if
//! no write happened while it read (a generation counter), so a fill can never
//! put back what a concurrent write just replaced. Entries also expire after
//! `TTL`, which bounds how far the 24-hour event count can lag. Only this
//! process writes clusters (identity is another matter: see `auth::identity`),
//! so nothing else can make an entry stale; several strato processes sharing a
//! store would need to broadcast their invalidations (issue #15).

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use uuid::Uuid;

use super::ClusterRecord;
use crate::core::cluster::Product;

const TTL: Duration = Duration::from_secs(30);
/// More entries than this and the cache starts over (a bound, not a working size).
const CAPACITY: usize = 100_000;

#[derive(Default)]
pub struct RecordCache {
    inner: RwLock<Inner>,
}

#[derive(Default)]
struct Inner {
    records: HashMap<Uuid, (Arc<ClusterRecord>, Instant)>,
    /// How many live clusters a project has of a product (an unfiltered page's total).
    counts: HashMap<(String, Product), u64>,
    generation: u64,
}

impl RecordCache {
    pub fn get(&self, id: Uuid) -> Option<Arc<ClusterRecord>> {
        let inner = self.inner.read().unwrap_or_else(std::sync::PoisonError::into_inner);
        inner.records.get(&id).filter(|(_, at)| at.elapsed() < TTL).map(|(r, _)| r.clone())
    }

    /// The generation a read about to fill an entry must present to `fill`.
    pub fn generation(&self) -> u64 {
        self.inner.read().unwrap_or_else(std::sync::PoisonError::into_inner).generation
    }

    /// Caches `record`, read after `generation()` returned `seen`, unless a
    /// write was committed since.
    pub fn fill(&self, record: Arc<ClusterRecord>, seen: u64) {
        let mut inner = self.inner.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        if inner.generation != seen {
            return;
        }
        if inner.records.len() >= CAPACITY {
            inner.records.clear();
        }
        inner.records.insert(record.cluster.id, (record, Instant::now()));
    }

    pub fn count(&self, project_id: &str, product: Product) -> Option<u64> {
        let inner = self.inner.read().unwrap_or_else(std::sync::PoisonError::into_inner);
        inner.counts.get(&(project_id.to_string(), product)).copied()
    }

    /// Caches a count read after `generation()` returned `seen`, unless a write was committed since.
    pub fn fill_count(&self, project_id: &str, product: Product, n: u64, seen: u64) {
        let mut inner = self.inner.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        if inner.generation == seen && inner.counts.len() < CAPACITY {
            inner.counts.insert((project_id.to_string(), product), n);
        }
    }

    /// Drops a project's count of a product after a cluster of it was created or deleted.
    pub fn invalidate_count(&self, project_id: &str, product: Product) {
        let mut inner = self.inner.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        inner.generation += 1;
        inner.counts.remove(&(project_id.to_string(), product));
    }

    /// Drops the cluster's entry after a write to it.
    pub fn invalidate(&self, id: Uuid) {
        let mut inner = self.inner.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        inner.generation += 1;
        inner.records.remove(&id);
    }

    pub fn clear(&self) {
        let mut inner = self.inner.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        inner.generation += 1;
        inner.records.clear();
        inner.counts.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::cluster::{Cluster, ClusterSpec};

    fn record() -> Arc<ClusterRecord> {
        let spec = ClusterSpec::Vector(crate::core::vector::VectorSpec {
            name: "v".into(),
            description: String::new(),
            region_id: "r".into(),
            offering: crate::core::vector::Offering::Free,
            plan: crate::core::vector::Plan::Free,
            cu_type: crate::core::vector::CuType::PerformanceOptimized,
            cu_size: 0,
            labels: Default::default(),
            security_groups: Vec::new(),
            autoscaling: Default::default(),
            project: None,
        });
        Arc::new(ClusterRecord { cluster: Cluster::new("p", spec), nodes: vec![], active_job: None, recent_events: 0 })
    }

    #[test]
    fn a_fill_that_raced_a_write_is_dropped() {
        let cache = RecordCache::default();
        let r = record();
        let id = r.cluster.id;
        let seen = cache.generation();
        cache.fill(r.clone(), seen);
        assert!(cache.get(id).is_some());
        // A read begins, a write lands, the read finishes: its (older) record is not kept.
        let seen = cache.generation();
        cache.invalidate(id);
        cache.fill(r.clone(), seen);
        assert!(cache.get(id).is_none());
        let seen = cache.generation();
        cache.fill(r, seen);
        assert!(cache.get(id).is_some());
        cache.clear();
        assert!(cache.get(id).is_none());
    }
}
