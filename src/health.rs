//! The health loop: the owner of observation. Every interval it looks at the
//! nodes of every running cluster (one bounded probe each; stopped clusters
//! cost nothing), records what it saw in `Observed` (which every request
//! renders from), records nodes that died behind strato's back as events, and
//! after a grace period enqueues a durable RepairCluster job that brings them
//! back. A look strato itself could not make (out of file descriptors) is
//! "unknown", never "down": it neither starts a grace period nor a repair.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use crate::app::App;
use crate::core::cluster::Product;
use crate::core::status::NodeHealth;
use crate::core::CoreError;
use crate::observed::Look;
use crate::store::Watched;

/// Clusters looked at in parallel.
const PARALLEL: usize = 16;
/// Every this many ticks, the disk usage of running vector clusters (and of search members) is measured again.
const STORAGE_EVERY: u64 = 10;
/// Every this many ticks, observations of nodes and clusters that are gone are forgotten.
const PRUNE_EVERY: u64 = 60;

pub struct HealthLoop {
    pub interval: Duration,
    /// How long a node must stay down before strato repairs it.
    pub grace: Duration,
}

#[derive(Default)]
struct Memory {
    down_since: HashMap<(Uuid, u32), Instant>,
    ticks: u64,
    /// Whether the last tick could not look (to warn once, not every second).
    blind: bool,
}

impl HealthLoop {
    pub async fn run(self, app: Arc<App>, cancel: CancellationToken) {
        let mut memory = Memory::default();
        loop {
            if let Err(e) = self.tick(&app, &mut memory).await {
                tracing::warn!(error = %e, "health check failed");
            }
            tokio::select! {
                _ = cancel.cancelled() => return,
                _ = tokio::time::sleep(self.interval) => {}
            }
        }
    }

    async fn tick(&self, app: &Arc<App>, memory: &mut Memory) -> Result<(), CoreError> {
        memory.ticks += 1;
        // Out of descriptors, every probe fails: what it would report is strato's trouble, not the nodes'.
        if let Err(e) = std::fs::File::open("/dev/null") {
            if !memory.blind {
                tracing::warn!(error = %e, "cannot observe nodes (strato's own IO fails); their last known state stands");
            }
            memory.blind = true;
            return Ok(());
        }
        memory.blind = false;
        app.observed.measure_load();
        let watched = app.store.watched().await?;
        let measure = memory.ticks % STORAGE_EVERY == 1;
        let looked = look_all(app, watched, measure).await;
        let mut seen = HashSet::new();
        for (w, looks) in looked {
            for look in looks {
                self.judge(app, &w, &look, memory, &mut seen).await?;
            }
        }
        memory.down_since.retain(|k, _| seen.contains(k));
        if memory.ticks.is_multiple_of(PRUNE_EVERY) {
            let live = app.store.live_nodes().await?;
            let clusters = live.iter().map(|(c, _)| c.id).collect();
            let nodes = live.iter().flat_map(|(_, n)| n.iter().map(|n| n.id)).collect();
            app.observed.retain(&nodes, &clusters);
        }
        Ok(())
    }

    /// What one look at one node means: a death to record and, after the
    /// grace period, to repair; a recovery to record; or nothing.
    async fn judge(&self, app: &App, w: &Watched, look: &Look, memory: &mut Memory, seen: &mut HashSet<(Uuid, u32)>) -> Result<(), CoreError> {
        let (cluster, node) = (&w.cluster, &look.node);
        let key = (cluster.id, node.ordinal);
        match look.health {
            NodeHealth::Down => {
                seen.insert(key);
                // A job owns the cluster's processes while it runs.
                if w.busy {
                    return Ok(());
                }
                if let std::collections::hash_map::Entry::Vacant(e) = memory.down_since.entry(key) {
                    tracing::warn!(cluster.id = %cluster.id, node = node.ordinal, "node is down");
                    e.insert(Instant::now());
                    app.event(cluster.id, "node_down", format!("node {} ({}) is down", node.ordinal + 1, node.address)).await;
                }
                if memory.down_since[&key].elapsed() >= self.grace {
                    match app.repair(cluster).await {
                        Ok(job) => {
                            crate::metrics::metrics().repairs.inc();
                            tracing::info!(cluster.id = %cluster.id, job.id = %job.id, node = node.ordinal, "recovering node");
                            let msg = format!("restarting node {} ({})", node.ordinal + 1, node.address);
                            app.event(cluster.id, "node_recovering", msg).await;
                        }
                        Err(CoreError::Busy { .. }) => {}
                        Err(e) => return Err(e),
                    }
                }
            }
            NodeHealth::Ready => {
                if memory.down_since.remove(&key).is_some() {
                    let msg = format!("node {} ({}) is running again", node.ordinal + 1, node.address);
                    app.event(cluster.id, "node_recovered", msg).await;
                }
            }
            NodeHealth::Starting => {
                seen.insert(key);
            }
            // strato could not look: whatever was known stands, a grace period included.
            NodeHealth::Unknown => {
                if memory.down_since.contains_key(&key) {
                    seen.insert(key);
                }
            }
        }
        Ok(())
    }
}

/// Looks at every watched cluster, `PARALLEL` at a time; with `measure`, also
/// measures the disk usage of the vector clusters among them.
async fn look_all(app: &Arc<App>, watched: Vec<Watched>, measure: bool) -> Vec<(Watched, Vec<Look>)> {
    let permits = Arc::new(tokio::sync::Semaphore::new(PARALLEL));
    let mut tasks = tokio::task::JoinSet::new();
    for (i, w) in watched.into_iter().enumerate() {
        let (app, permits) = (app.clone(), permits.clone());
        tasks.spawn(async move {
            let _permit = permits.acquire_owned().await;
            // Search members' directories are shown per node (Alibaba ListAllNode's diskUsedPercent).
            let per_node = measure && w.cluster.spec.search().is_some();
            let looks = app.observed.look_measuring(&app.engines, &w.cluster, &w.nodes, per_node).await;
            if measure && w.cluster.spec.product() == Product::Zilliz {
                app.observed.measure_storage(&app.engines, &w.cluster).await;
            }
            (i, w, looks)
        });
    }
    let mut out = Vec::new();
    while let Some(done) = tasks.join_next().await {
        if let Ok(r) = done {
            out.push(r);
        }
    }
    // Judged in a stable order (events and repairs in cluster order).
    out.sort_by_key(|(i, _, _)| *i);
    out.into_iter().map(|(_, w, l)| (w, l)).collect()
}
