//! Timed work: protective deletions that come due, and automated snapshots:
//! fires each policy strategy when its cron schedule
//! comes due and retires automated snapshots older than the policy's
//! `keep_day`. A strategy's last firing is persisted, so a restart neither
//! repeats nor loses a run; a cluster that is busy when a run is due gets it
//! as soon as it is idle.

use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::app::App;
use crate::core::cluster::Lifecycle;
use crate::core::snapshot::{expired_auto, next_fire, SnapshotKind};
use crate::core::{now_ms, CoreError};

/// How often expired signature nonces are deleted.
const NONCE_PRUNE_MS: i64 = 60_000;

pub struct Scheduler {
    pub interval: Duration,
    /// Length of a retention "day" in milliseconds (shortened only in tests).
    pub day_ms: i64,
}

impl Scheduler {
    pub async fn run(self, app: Arc<App>, cancel: CancellationToken) {
        loop {
            if let Err(e) = self.tick(&app).await {
                tracing::warn!(error = %e, "snapshot scheduling failed");
            }
            tokio::select! {
                _ = cancel.cancelled() => return,
                _ = tokio::time::sleep(self.interval) => {}
            }
        }
    }

    async fn tick(&self, app: &App) -> Result<(), CoreError> {
        let now = now_ms();
        // Protective deletions whose grace period is over (one indexed query, however many clusters).
        for cluster in app.store.due_deletions(now).await? {
            match app.delete(&cluster.project_id, cluster.id, cluster.spec.product(), None).await {
                Ok(job) => tracing::info!(cluster.id = %cluster.id, job.id = %job.id, "protective deletion due"),
                Err(CoreError::Busy { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        // Signature nonces whose replay window has closed (the store is the replay memory).
        if now / NONCE_PRUNE_MS != (now - self.interval.as_millis() as i64) / NONCE_PRUNE_MS {
            let pruned = app.store.prune_nonces(now).await?;
            if pruned > 0 {
                tracing::debug!(pruned, "forgot expired signature nonces");
            }
        }
        for (cluster_id, policy) in app.store.list_policies().await? {
            let Some(cluster) = app.store.get_cluster_any(cluster_id).await? else { continue };
            if cluster.lifecycle != Lifecycle::Running {
                continue;
            }
            if policy.auto_backup {
                for s in &policy.strategies {
                    if next_fire(&s.cron, s.last_fired_at).is_none_or(|t| t > now) {
                        continue;
                    }
                    let stamp = chrono::Utc::now().format("%Y%m%d%H%M%S%3f");
                    let name = format!("auto-{}-{stamp}", &cluster.id.simple().to_string()[..8]);
                    match app
                        .create_snapshot(&cluster.project_id, cluster.id, &name, &s.name, SnapshotKind::Auto)
                        .await
                    {
                        Ok(snap) => {
                            tracing::info!(cluster.id = %cluster.id, snapshot.id = %snap.id, strategy = %s.name, "automated snapshot started");
                            app.store.mark_fired(cluster.id, s.id, now).await?;
                        }
                        // Busy: try again on the next tick.
                        Err(CoreError::Busy { .. }) => {}
                        Err(e) => return Err(e),
                    }
                }
            }
            let snapshots = app.store.list_snapshots(&cluster.project_id, Some(cluster.id)).await?;
            for id in expired_auto(&snapshots, policy.keep_day, self.day_ms, now) {
                match app.delete_snapshot(&cluster.project_id, id, true).await {
                    Ok(()) => tracing::info!(cluster.id = %cluster.id, snapshot.id = %id, "automated snapshot expired"),
                    Err(CoreError::SnapshotState { .. }) => {}
                    Err(e) => return Err(e),
                }
            }
        }
        Ok(())
    }
}
