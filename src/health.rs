//! The health loop: observes every running cluster's processes, records
//! nodes that died behind strato's back, and after a grace period enqueues a
//! durable RepairCluster job that brings them back. Observation is cheap (a pid file and a
//! signal 0 per node), so the loop keeps nothing it could not re-observe
//! except how long a node has been down.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use crate::app::App;
use crate::core::cluster::Lifecycle;
use crate::core::status::NodeHealth;
use crate::core::CoreError;

pub struct HealthLoop {
    pub interval: Duration,
    /// How long a node must stay down before strato repairs it.
    pub grace: Duration,
}

impl HealthLoop {
    pub async fn run(self, app: Arc<App>, cancel: CancellationToken) {
        let mut down_since: HashMap<(Uuid, u32), Instant> = HashMap::new();
        loop {
            if let Err(e) = self.tick(&app, &mut down_since).await {
                tracing::warn!(error = %e, "health check failed");
            }
            tokio::select! {
                _ = cancel.cancelled() => return,
                _ = tokio::time::sleep(self.interval) => {}
            }
        }
    }

    async fn tick(&self, app: &App, down_since: &mut HashMap<(Uuid, u32), Instant>) -> Result<(), CoreError> {
        let mut seen = std::collections::HashSet::new();
        for cluster in app.store.list_all_clusters().await? {
            if cluster.lifecycle != Lifecycle::Running {
                continue;
            }
            let view = app.view(cluster.clone()).await?;
            // A job owns the cluster's processes while it runs.
            let busy = view.active_job.is_some();
            for (node, health) in &view.nodes {
                let key = (cluster.id, node.ordinal);
                match health {
                    NodeHealth::Down => {
                        seen.insert(key);
                        if busy {
                            continue;
                        }
                        if let std::collections::hash_map::Entry::Vacant(e) = down_since.entry(key) {
                            tracing::warn!(cluster.id = %cluster.id, node = node.ordinal, "node is down");
                            e.insert(Instant::now());
                            let msg = format!("node {} ({}) is down", node.ordinal + 1, node.address);
                            app.event(cluster.id, "node_down", msg).await;
                        }
                        let since = down_since[&key];
                        if since.elapsed() >= self.grace {
                            match app.repair(&cluster).await {
                                Ok(job) => {
                                    tracing::info!(cluster.id = %cluster.id, job.id = %job.id, node = node.ordinal, "recovering node");
                                    app.event(
                                        cluster.id,
                                        "node_recovering",
                                        format!("restarting node {} ({})", node.ordinal + 1, node.address),
                                    )
                                    .await;
                                }
                                Err(CoreError::Busy { .. }) => {}
                                Err(e) => return Err(e),
                            }
                        }
                    }
                    NodeHealth::Ready | NodeHealth::Starting => {
                        if *health == NodeHealth::Ready && down_since.remove(&key).is_some() {
                            app.event(cluster.id, "node_recovered", format!("node {} ({}) is running again", node.ordinal + 1, node.address))
                                .await;
                        }
                        if *health == NodeHealth::Starting {
                            seen.insert(key);
                        }
                    }
                }
            }
        }
        down_since.retain(|k, _| seen.contains(k));
        Ok(())
    }
}
