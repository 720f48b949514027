//! Observed state: what each node's process was last seen doing, and how much
//! disk each cluster's files take, kept in memory. The store holds intent (what
//! a cluster should be); this holds what was observed, which is never
//! persisted because it can always be observed again (neon's storage
//! controller keeps the same split).
//!
//! Who writes: the health loop (every running cluster's nodes, each interval),
//! the job runner (a job's cluster after each of its steps) and the server at
//! start (every node once). Who reads: every request that renders a cluster,
//! without touching a process or a file. An observation carries the instant
//! its look began; an older look finishing later never overwrites a newer one,
//! and an `Unknown` look (strato's own IO failed) leaves the last known state.
//! A ready node whose process lives but misses one probe (a loaded machine)
//! stays ready until it misses `MISSES_BEFORE_NOT_READY` in a row; a process
//! that is gone is down at once.

mod usage;

use std::collections::{HashMap, HashSet};
use std::sync::RwLock;
use std::time::Instant;

pub use usage::Usage;

use uuid::Uuid;

use crate::core::cluster::{Cluster, Node};
use crate::core::status::NodeHealth;
use crate::engine::Engines;

/// Consecutive probes a live, ready node must miss before it is no longer ready.
const MISSES_BEFORE_NOT_READY: u8 = 2;

/// One node as last seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Observation {
    /// The last definite health (`Unknown` only if never seen).
    pub health: NodeHealth,
    /// When the look that gave it began.
    pub looked_at: Instant,
    /// The latest look could not see (strato's own IO failed); `health` is older.
    pub stale: bool,
    /// Probes in a row a ready node's live process did not answer.
    pub misses: u8,
}

/// What recording a look changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// The node's health changed from the first to the second.
    Changed(NodeHealth, NodeHealth),
    Same,
    /// A newer look had already been recorded, or the look saw nothing.
    Ignored,
}

#[derive(Default)]
pub struct Observed {
    nodes: RwLock<HashMap<Uuid, Observation>>,
    storage: RwLock<HashMap<Uuid, u64>>,
    /// What each node's process uses (CPU, memory, its directory's bytes).
    usage: RwLock<HashMap<Uuid, Usage>>,
    /// The machine's one-minute load average, as the health loop last read it.
    load: RwLock<Option<f64>>,
    /// Nodes strato froze on purpose (an injected fault), until when: a
    /// frozen process is alive, so a liveness check alone would call it ready.
    frozen: RwLock<HashMap<Uuid, Instant>>,
}

impl Observed {
    pub fn new() -> Observed {
        Observed::default()
    }

    /// Records a look at `node` that began at `looked_at`.
    pub fn record(&self, node: Uuid, health: NodeHealth, looked_at: Instant) -> Change {
        self.record_look(node, health, looked_at, false)
    }

    /// As `record`; `certain` says a live process is known not to answer (strato
    /// froze it), so one look is enough to call a ready node not ready.
    fn record_look(&self, node: Uuid, health: NodeHealth, looked_at: Instant, certain: bool) -> Change {
        let mut nodes = self.nodes.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        match nodes.get_mut(&node) {
            Some(o) if o.looked_at > looked_at => Change::Ignored,
            Some(o) if health == NodeHealth::Unknown => {
                o.stale = true;
                Change::Ignored
            }
            Some(o) if o.health == NodeHealth::Ready && health == NodeHealth::Starting && !certain && o.misses + 1 < MISSES_BEFORE_NOT_READY => {
                *o = Observation { looked_at, stale: false, misses: o.misses + 1, ..*o };
                Change::Same
            }
            Some(o) => {
                let before = o.health;
                *o = Observation { health, looked_at, stale: false, misses: 0 };
                if before == health {
                    Change::Same
                } else {
                    Change::Changed(before, health)
                }
            }
            None => {
                nodes.insert(node, Observation { health, looked_at, stale: health == NodeHealth::Unknown, misses: 0 });
                Change::Changed(NodeHealth::Unknown, health)
            }
        }
    }

    /// The node's last known health (`Unknown` if it was never seen).
    pub fn health(&self, node: Uuid) -> NodeHealth {
        self.get(node).map(|o| o.health).unwrap_or(NodeHealth::Unknown)
    }

    pub fn get(&self, node: Uuid) -> Option<Observation> {
        self.nodes.read().unwrap_or_else(std::sync::PoisonError::into_inner).get(&node).copied()
    }

    pub fn set_storage(&self, cluster: Uuid, bytes: u64) {
        self.storage.write().unwrap_or_else(std::sync::PoisonError::into_inner).insert(cluster, bytes);
    }

    /// Bytes the cluster's files took when last measured.
    pub fn storage(&self, cluster: Uuid) -> Option<u64> {
        self.storage.read().unwrap_or_else(std::sync::PoisonError::into_inner).get(&cluster).copied()
    }

    /// Reads the machine's load average (the health loop, each interval).
    pub fn measure_load(&self) {
        *self.load.write().unwrap_or_else(std::sync::PoisonError::into_inner) = usage::load_one_minute();
    }

    /// The machine's one-minute load average when last read.
    pub fn load(&self) -> Option<f64> {
        *self.load.read().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// What the node's process used when last looked at (nothing if never seen running).
    pub fn usage(&self, node: Uuid) -> Usage {
        self.usage.read().unwrap_or_else(std::sync::PoisonError::into_inner).get(&node).copied().unwrap_or_default()
    }

    fn record_usage(&self, node: Uuid, seen: Seen, at: Instant) {
        let mut all = self.usage.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        let u = all.entry(node).or_default();
        let next = match seen.process {
            Some(s) => u.sampled(s, at),
            None => u.stopped(),
        };
        *u = Usage { disk_bytes: seen.disk_bytes.or(next.disk_bytes), ..next };
    }

    /// Forgets nodes and clusters that are no longer live (retired members, deleted clusters).
    pub fn retain(&self, live_nodes: &HashSet<Uuid>, live_clusters: &HashSet<Uuid>) {
        self.nodes.write().unwrap_or_else(std::sync::PoisonError::into_inner).retain(|id, _| live_nodes.contains(id));
        self.usage.write().unwrap_or_else(std::sync::PoisonError::into_inner).retain(|id, _| live_nodes.contains(id));
        self.storage.write().unwrap_or_else(std::sync::PoisonError::into_inner).retain(|id, _| live_clusters.contains(id));
    }

    /// How many nodes were last seen in each health (`ready`, `starting`, `down`, `unknown`).
    pub fn counts(&self) -> Vec<(&'static str, i64)> {
        let nodes = self.nodes.read().unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut out = [("ready", 0), ("starting", 0), ("down", 0), ("unknown", 0)];
        for o in nodes.values() {
            let i = match o.health {
                NodeHealth::Ready => 0,
                NodeHealth::Starting => 1,
                NodeHealth::Down => 2,
                NodeHealth::Unknown => 3,
            };
            out[i].1 += 1;
        }
        out.to_vec()
    }

    /// Forgets everything (a reset removed every cluster).
    pub fn clear(&self) {
        self.retain(&HashSet::new(), &HashSet::new());
    }

    pub fn len(&self) -> usize {
        self.nodes.read().unwrap_or_else(std::sync::PoisonError::into_inner).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A look at one node: its health and what recording it changed.
#[derive(Debug, Clone)]
pub struct Look {
    pub node: Node,
    pub health: NodeHealth,
    pub change: Change,
}

/// What a look found of a node's process and files, besides its health.
#[derive(Debug, Clone, Copy, Default)]
struct Seen {
    process: Option<usage::ProcessSample>,
    disk_bytes: Option<u64>,
}

impl Observed {
    /// Looks at every node of `cluster` through its engine (off the async
    /// threads: a probe may wait on a socket) and records what it saw.
    pub async fn look(&self, engines: &Engines, cluster: &Cluster, nodes: &[Node]) -> Vec<Look> {
        self.look_measuring(engines, cluster, nodes, false).await
    }

    /// As `look`; with `measure_disk`, also the bytes of each node's directory.
    pub async fn look_measuring(&self, engines: &Engines, cluster: &Cluster, nodes: &[Node], measure_disk: bool) -> Vec<Look> {
        let engine = engines.for_cluster(cluster).clone();
        let layout = engine.layout(cluster.id);
        let nodes = nodes.to_vec();
        let looked_at = Instant::now();
        let seen = tokio::task::spawn_blocking(move || {
            nodes.into_iter().map(|n| {
                let h = engine.observe(&layout, &n);
                let running = matches!(h, NodeHealth::Ready | NodeHealth::Starting);
                let process = if running { engine.pid(&layout, &n).and_then(usage::sample) } else { None };
                let disk_bytes = if measure_disk { usage::disk_bytes(&layout.node_dir(n.ordinal)) } else { None };
                (n, h, Seen { process, disk_bytes })
            }).collect::<Vec<_>>()
        })
        .await
        .unwrap_or_default();
        seen.into_iter()
            .map(|(node, health, found)| {
                let (health, frozen) = self.unless_frozen(node.id, health, looked_at);
                if health != NodeHealth::Unknown {
                    self.record_usage(node.id, found, looked_at);
                }
                let change = self.record_look(node.id, health, looked_at, frozen);
                Look { node, health, change }
            })
            .collect()
    }

    /// Marks `node` as frozen (alive, not answering) until `until`.
    pub fn freeze(&self, node: Uuid, until: Instant) {
        self.frozen.write().unwrap_or_else(std::sync::PoisonError::into_inner).insert(node, until);
    }

    pub fn thaw(&self, node: Uuid) {
        self.frozen.write().unwrap_or_else(std::sync::PoisonError::into_inner).remove(&node);
    }

    /// What a look saw, corrected for a node strato froze: it answers nothing
    /// (and whether it was frozen).
    fn unless_frozen(&self, node: Uuid, health: NodeHealth, looked_at: Instant) -> (NodeHealth, bool) {
        let frozen = self.frozen.read().unwrap_or_else(std::sync::PoisonError::into_inner);
        match frozen.get(&node) {
            Some(until) if *until > looked_at && health == NodeHealth::Ready => (NodeHealth::Starting, true),
            _ => (health, false),
        }
    }

    /// Measures the bytes the cluster's files take (a directory walk, off the async threads).
    pub async fn measure_storage(&self, engines: &Engines, cluster: &Cluster) {
        let dir = engines.for_cluster(cluster).layout(cluster.id).cluster_dir;
        if let Ok(bytes) = tokio::task::spawn_blocking(move || crate::engine::dir_size(&dir)).await {
            self.set_storage(cluster.id, bytes);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;
    use NodeHealth::*;

    #[test]
    fn newer_looks_win_and_unknown_keeps_the_last_known_state() {
        let o = Observed::new();
        let n = Uuid::new_v4();
        let t0 = Instant::now();
        let t = |ms| t0 + Duration::from_millis(ms);
        assert_eq!(o.health(n), Unknown, "never seen");
        assert_eq!(o.record(n, Ready, t(10)), Change::Changed(Unknown, Ready));
        assert_eq!(o.record(n, Ready, t(20)), Change::Same);
        // A look that began before the recorded one (a slow health probe racing a job's step) loses.
        assert_eq!(o.record(n, Down, t(5)), Change::Ignored);
        assert_eq!(o.health(n), Ready);
        // strato could not look: the node is not "down", it was last seen ready.
        assert_eq!(o.record(n, Unknown, t(30)), Change::Ignored);
        assert_eq!((o.health(n), o.get(n).unwrap().stale), (Ready, true));
        assert_eq!(o.record(n, Down, t(40)), Change::Changed(Ready, Down));
        assert!(!o.get(n).unwrap().stale);
        o.set_storage(n, 42);
        o.retain(&HashSet::new(), &HashSet::new());
        assert!(o.is_empty() && o.storage(n).is_none());
    }

    #[test]
    fn a_ready_node_must_miss_two_probes_in_a_row_but_a_dead_one_is_down_at_once() {
        let o = Observed::new();
        let n = Uuid::new_v4();
        let t0 = Instant::now();
        let t = |ms| t0 + Duration::from_millis(ms);
        o.record(n, Ready, t(0));
        // One slow probe of a live process: still ready.
        assert_eq!(o.record(n, Starting, t(10)), Change::Same);
        assert_eq!(o.health(n), Ready);
        // It answered again: the count starts over.
        assert_eq!(o.record(n, Ready, t(20)), Change::Same);
        assert_eq!(o.record(n, Starting, t(30)), Change::Same);
        assert_eq!(o.record(n, Starting, t(40)), Change::Changed(Ready, Starting));
        assert_eq!(o.record(n, Ready, t(50)), Change::Changed(Starting, Ready));
        // No process: down with the first look.
        assert_eq!(o.record(n, Down, t(60)), Change::Changed(Ready, Down));
        // A node strato froze is not ready with the first look.
        o.record(n, Ready, t(70));
        assert_eq!(o.record_look(n, Starting, t(80), true), Change::Changed(Ready, Starting));
    }
}
