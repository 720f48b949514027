//! strato's own admin operations (served under `/_strato/` on the IAM
//! listener): what each engine kind runs on, and the reset test suites call
//! between tests.

use std::time::{Duration, Instant};

use serde::Serialize;

use super::App;
use crate::core::cluster::EngineKind;
use crate::core::CoreError;

/// One engine kind as `/_strato/health` shows it.
#[derive(Debug, Clone, Serialize)]
pub struct EngineHealth {
    pub kind: &'static str,
    pub installed: bool,
    pub version: Option<String>,
    /// `built-in PATH`, a binding `DRIVER:PATH`, or `none`.
    pub binding: String,
    /// A stand-in (osmem-server, syslog-ng), not a real distribution.
    pub stand_in: bool,
    /// Why it cannot run clusters, when it cannot.
    pub reason: Option<String>,
}

/// What a reset removed.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ResetReport {
    pub clusters: usize,
    pub nodes_stopped: usize,
    pub snapshots: usize,
    /// Fault rules removed (a reset leaves none armed).
    pub faults: usize,
    pub identity: bool,
    pub duration_ms: u64,
}

/// Clusters handled at once by a reset.
const PARALLEL: usize = 16;

impl App {
    pub fn engine_health(&self) -> Vec<EngineHealth> {
        EngineKind::ALL
            .into_iter()
            .map(|kind| {
                let e = self.engines.of(kind);
                let binding = e.binding();
                let reason = e.check_installed().err().map(|err| err.to_string());
                EngineHealth {
                    kind: kind.as_str(),
                    installed: reason.is_none(),
                    version: reason.is_none().then(|| e.version()).flatten(),
                    stand_in: crate::engine::service::is_stand_in(&binding),
                    binding,
                    reason,
                }
            })
            .collect()
    }

    /// Deletes every cluster, snapshot and job of every product: the runner is
    /// held still (its running jobs cancelled), every node is stopped, every
    /// cluster's and snapshot's files removed, then the store forgets them all
    /// (with `identity`, every identity but the admins' too). Returns when done.
    pub async fn reset(&self, identity: bool) -> Result<ResetReport, CoreError> {
        let started = Instant::now();
        // A frozen node would only stop after the stop's grace period.
        let faults = self.faults.clear();
        self.thaw_all();
        let _held = self.control.pause(Duration::from_secs(30)).await;
        let clusters = self.store.live_nodes().await?;
        let snapshots = self.store.all_snapshot_ids().await?;
        let mut report = ResetReport { clusters: clusters.len(), snapshots: snapshots.len(), faults, identity, ..ResetReport::default() };
        let permits = std::sync::Arc::new(tokio::sync::Semaphore::new(PARALLEL));
        let mut tasks = tokio::task::JoinSet::new();
        for (cluster, nodes) in clusters {
            let (engine, permits) = (self.engines.for_cluster(&cluster).clone(), permits.clone());
            tasks.spawn(async move {
                let _permit = permits.acquire_owned().await;
                let layout = engine.layout(cluster.id);
                let mut stopped = 0;
                for n in nodes.iter().rev() {
                    if engine.pid(&layout, n).is_some() {
                        stopped += 1;
                    }
                    engine.stop_node(&layout, n).await?;
                }
                engine.remove_files(&layout).await?;
                Ok::<usize, crate::engine::EngineError>(stopped)
            });
        }
        while let Some(done) = tasks.join_next().await {
            report.nodes_stopped += done.map_err(|e| CoreError::Internal(e.to_string()))??;
        }
        if let Some(backups) = self.engines.of(EngineKind::Postgres).backups() {
            for id in snapshots {
                backups.remove_snapshot(id).await?;
            }
        }
        // Whatever a deleted or half-made cluster left (files no engine now claims).
        for dir in ["clusters", "snapshots"] {
            crate::engine::remove_dir_all(&self.settings.data_dir.join(dir)).await?;
        }
        self.store.reset(identity).await?;
        self.observed.clear();
        report.duration_ms = started.elapsed().as_millis() as u64;
        tracing::info!(clusters = report.clusters, nodes = report.nodes_stopped, snapshots = report.snapshots, identity, duration_ms = report.duration_ms, "reset");
        Ok(report)
    }
}
