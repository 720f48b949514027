//! Engine faults a rule injects into a cluster's processes: a node killed as
//! if it crashed (the health loop then repairs it, as it would any crash), or
//! frozen for a while (SIGSTOP: alive, answering nothing; SIGCONT after).

use std::time::{Duration, Instant};

use nix::sys::signal::Signal;
use uuid::Uuid;

use super::App;
use crate::core::cluster::{Lifecycle, Product};
use crate::core::fault::FaultAction;
use crate::engine::process::signal_engine;

impl App {
    /// Applies a kill or freeze fault to node `node` of `cluster_id`; the
    /// error says why it could not (no such cluster or node, nothing running).
    pub async fn inject_engine_fault(self: &std::sync::Arc<Self>, cluster_id: Uuid, product: Product, action: &FaultAction) -> Result<(), String> {
        let (node, freeze) = match action {
            FaultAction::KillNode { node } => (*node, None),
            FaultAction::FreezeNode { node, seconds } => (*node, Some(Duration::from_secs(*seconds))),
            _ => return Ok(()),
        };
        let store_error = |e: crate::core::CoreError| e.to_string();
        let cluster = self.store.get_cluster_any(cluster_id).await.map_err(store_error)?;
        let cluster = cluster.filter(|c| !matches!(c.lifecycle, Lifecycle::Deleted) && c.spec.product() == product).ok_or_else(|| format!("cluster {cluster_id} does not exist"))?;
        let nodes = self.store.nodes(cluster_id).await.map_err(store_error)?;
        let target = nodes.iter().find(|n| n.ordinal == node).ok_or_else(|| format!("the cluster has no node {node} (nodes count from 0; it has {})", nodes.len()))?;
        let engine = self.engines.for_cluster(&cluster);
        let layout = engine.layout(cluster_id);
        let pid = engine.pid(&layout, target).ok_or_else(|| format!("node {node} has no running process"))?;
        match freeze {
            None => {
                signal_engine(pid, Signal::SIGKILL).map_err(|e| format!("killing pid {pid}: {e}"))?;
                tracing::warn!(cluster.id = %cluster_id, node, pid, "fault: node killed");
                self.event(cluster_id, "fault_injected", format!("node {} killed (injected fault)", node + 1)).await;
            }
            Some(window) => {
                signal_engine(pid, Signal::SIGSTOP).map_err(|e| format!("freezing pid {pid}: {e}"))?;
                self.observed.freeze(target.id, Instant::now() + window);
                self.faults.frozen(target.id, pid);
                tracing::warn!(cluster.id = %cluster_id, node, pid, seconds = window.as_secs(), "fault: node frozen");
                self.event(cluster_id, "fault_injected", format!("node {} frozen for {} s (injected fault)", node + 1, window.as_secs())).await;
                let (app, node_id) = (self.clone(), target.id);
                tokio::spawn(async move {
                    tokio::time::sleep(window).await;
                    app.thaw(node_id);
                });
            }
        }
        // Seen at once, not only at the health loop's next look.
        self.observed.look(&self.engines, &cluster, &nodes).await;
        Ok(())
    }

    /// Continues a node strato froze (if it still is).
    pub fn thaw(&self, node: Uuid) {
        if let Some(pid) = self.faults.thawed(node) {
            let _ = signal_engine(pid, Signal::SIGCONT);
            tracing::info!(node.id = %node, pid, "fault: node continued");
        }
        self.observed.thaw(node);
    }

    /// Continues every node strato froze (a reset or a cleared rule set).
    pub fn thaw_all(&self) {
        for node in self.faults.frozen_nodes() {
            self.thaw(node);
        }
    }
}
