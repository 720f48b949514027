//! One function per step kind: translate a `Step` into engine calls.

use crate::core::cluster::{Cluster, ClusterSpec, Node, WarehouseSpec};
use crate::core::job::{Cleanup, Job, Step};
use crate::core::status::NodeHealth;
use crate::engine::{EngineError, EngineResult};

use super::Runner;

pub(super) async fn run(r: &Runner, job: &Job, cluster: &Cluster, nodes: &[Node], step: Step) -> EngineResult<()> {
    let engine = r.engines.for_cluster(cluster);
    let layout = engine.layout(cluster.id);
    let node = |n: u32| {
        nodes.iter().find(|x| x.ordinal == n).ok_or_else(|| EngineError::Failed(format!("node {n} is not known")))
    };
    let spec = &cluster.spec;
    let unsupported = |what: &str| EngineError::Unsupported(format!("the {} engine has no {what}", engine.kind().as_str()));
    match step {
        Step::InitPrimary => engine.init_primary(&layout, node(0)?, spec).await,
        Step::CreateAdmin => engine.create_admin(&layout, node(0)?, cluster, &job.payload).await,
        Step::InitStandby(n) => {
            let replicas = engine.replicas().ok_or_else(|| unsupported("standbys"))?;
            replicas.init_standby(&layout, node(0)?, node(n)?, spec).await
        }
        Step::StopNode(n) => engine.stop_node(&layout, node(n)?).await,
        Step::StartNode(n) => engine.start_node(&layout, node(n)?).await,
        Step::WaitReplication => {
            // Every standby that runs must stream; a recover job may run with others down.
            let running = nodes[1..].iter().filter(|n| engine.observe(&layout, n) == NodeHealth::Ready).count();
            engine.wait_replication(&layout, node(0)?, running).await
        }
        Step::RemoveFiles => engine.remove_files(&layout).await,
        Step::Backup => {
            let backups = engine.backups().ok_or_else(|| unsupported("snapshots"))?;
            let id = snapshot(job)?;
            let (tx, rx) = tokio::sync::watch::channel(0u32);
            let forward = tokio::spawn(forward_progress(r.store.clone(), job.id, r.owner.clone(), rx));
            let result = backups.backup(&layout, node(0)?, id, tx).await;
            forward.abort();
            let bytes = result?;
            r.store.set_snapshot_size(id, bytes as i64).await.map_err(|e| EngineError::Failed(e.to_string()))
        }
        Step::RestorePrimary => {
            let backups = engine.backups().ok_or_else(|| unsupported("snapshots"))?;
            backups.restore_primary(&layout, node(0)?, spec, snapshot(job)?).await
        }
        Step::RemoveSnapshotFiles => {
            let backups = engine.backups().ok_or_else(|| unsupported("snapshots"))?;
            backups.remove_snapshot(snapshot(job)?).await
        }
        Step::AddNode(n) => {
            let replicas = engine.replicas().ok_or_else(|| unsupported("members to add"))?;
            replicas.init_standby(&layout, node(0)?, node(n)?, &target(spec, job)?).await
        }
        Step::RewriteNode(n) => engine.reconfigure(&layout, std::slice::from_ref(node(n)?), &target(spec, job)?).await,
        Step::RetireNode(n) => {
            // Idempotent: a re-run after the record is gone has nothing left to do.
            let Ok(member) = node(n) else { return Ok(()) };
            engine.remove_node_files(&layout, member).await?;
            r.store.remove_node(cluster.id, n).await.map_err(|e| EngineError::Failed(e.to_string()))
        }
        Step::SetAdminPassword => {
            let verifier = job
                .payload
                .admin_verifier
                .as_deref()
                .ok_or_else(|| EngineError::Failed("the job carries no administrator verifier".into()))?;
            engine.set_admin_password(&layout, node(0)?, cluster, verifier).await
        }
        Step::ApplySettings => {
            let changed = spec.with_settings(&job.payload).map_err(|e| EngineError::Failed(e.to_string()))?;
            // Recorded first: a crash before the files are rewritten re-runs this step with the same target.
            r.store.set_spec(cluster.id, &changed).await.map_err(|e| EngineError::Failed(e.to_string()))?;
            engine.reconfigure(&layout, nodes, &changed).await?;
            record_pending_restart(r, cluster.id, &changed, engine.pending_restart(&layout, nodes).await?).await
        }
        Step::ObserveSettings => {
            let pending = engine.pending_restart(&layout, nodes).await?;
            record_pending_restart(r, cluster.id, spec, pending).await
        }
        Step::ApplySpec => r.store.set_spec(cluster.id, &target(spec, job)?).await.map_err(|e| EngineError::Failed(e.to_string())),
        Step::Reconfigure => {
            let cu_size = job.payload.cu_size.ok_or_else(|| EngineError::Failed("the modify job names no size".into()))?;
            let resized = spec.resized(cu_size).map_err(|e| EngineError::Failed(e.to_string()))?;
            // The new size is recorded first: a crash before the files are
            // rewritten re-runs this step with the same target.
            r.store.set_spec(cluster.id, &resized).await.map_err(|e| EngineError::Failed(e.to_string()))?;
            engine.reconfigure(&layout, nodes, &resized).await
        }
    }
}

/// What a change task makes of the cluster (recorded by its last step).
fn target(spec: &ClusterSpec, job: &Job) -> EngineResult<ClusterSpec> {
    spec.changed(&job.payload).map_err(|e| EngineError::Failed(e.to_string()))
}

/// Records which settings the nodes apply only at their next start (a
/// warehouse's `awaiting_restart`), if that changed.
async fn record_pending_restart(r: &Runner, cluster_id: uuid::Uuid, spec: &ClusterSpec, pending: Vec<String>) -> EngineResult<()> {
    let ClusterSpec::Warehouse(w) = spec else { return Ok(()) };
    if w.awaiting_restart == pending {
        return Ok(());
    }
    let next = ClusterSpec::Warehouse(WarehouseSpec { awaiting_restart: pending, ..w.clone() });
    r.store.set_spec(cluster_id, &next).await.map_err(|e| EngineError::Failed(e.to_string()))
}

fn snapshot(job: &Job) -> EngineResult<uuid::Uuid> {
    job.snapshot_id.ok_or_else(|| EngineError::Failed(format!("job {} names no snapshot", job.id)))
}

/// Persists a long step's percentage at most a few times a second.
async fn forward_progress(
    store: std::sync::Arc<dyn crate::store::Store>,
    job_id: uuid::Uuid,
    owner: String,
    mut rx: tokio::sync::watch::Receiver<u32>,
) {
    while rx.changed().await.is_ok() {
        let pct = *rx.borrow_and_update();
        let _ = store.set_step_progress(job_id, &owner, pct).await;
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
}

/// Best-effort removal of what a failed job half-built.
pub(super) async fn clean_up(r: &Runner, job: &Job, what: Cleanup) {
    match what {
        Cleanup::Nothing => {}
        Cleanup::ClusterProcessesAndFiles => tear_down(r, job).await,
        Cleanup::UnfinishedChange => {
            if let Err(e) = settle_members(r, job).await {
                tracing::warn!(job.id = %job.id, error = %e, "settling the members of a failed change failed");
            }
        }
        Cleanup::SnapshotFiles => {
            let backups = match r.store.get_cluster_any(job.cluster_id).await {
                Ok(Some(c)) => r.engines.for_cluster(&c).backups(),
                _ => None,
            };
            if let (Some(id), Some(backups)) = (job.snapshot_id, backups) {
                if let Err(e) = backups.remove_snapshot(id).await {
                    tracing::warn!(job.id = %job.id, error = %e, "removing a failed snapshot's files failed");
                }
            }
        }
    }
}

/// After a failed change task, the cluster is what its members are: those it
/// added (a scale-out's, never recorded) are retired, and if some were
/// already retired (a scale-in's), the recorded roles follow them.
async fn settle_members(r: &Runner, job: &Job) -> Result<(), String> {
    let Some(cluster) = r.store.get_cluster_any(job.cluster_id).await.map_err(|e| e.to_string())? else { return Ok(()) };
    let engine = r.engines.for_cluster(&cluster);
    let layout = engine.layout(cluster.id);
    let counted = cluster.spec.number_of_nodes();
    let unrecorded = |n: &Node| match &job.payload.add_members {
        Some(added) => added.contains(&n.ordinal),
        None => n.ordinal >= counted,
    };
    let mut nodes = r.store.nodes(cluster.id).await.map_err(|e| e.to_string())?;
    nodes.sort_by_key(|n| std::cmp::Reverse(n.ordinal));
    for extra in nodes.iter().filter(|n| unrecorded(n)) {
        engine.stop_node(&layout, extra).await.map_err(|e| e.to_string())?;
        engine.remove_node_files(&layout, extra).await.map_err(|e| e.to_string())?;
        r.store.remove_node(cluster.id, extra.ordinal).await.map_err(|e| e.to_string())?;
    }
    let kept: Vec<Node> = nodes.into_iter().filter(|n| !unrecorded(n)).collect();
    let settled = settled_spec(&cluster.spec, &kept).map_err(|e| e.to_string())?;
    if settled != cluster.spec {
        r.store.set_spec(cluster.id, &settled).await.map_err(|e| e.to_string())?;
    }
    // Members already given a new flavor or settings go back to the recorded
    // ones (applied at their next start): the cluster is what its spec says.
    if job.payload.reconfigures_members() {
        engine.reconfigure(&layout, &kept, &settled).await.map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// The recorded spec with only the members that remain (`kept`).
fn settled_spec(spec: &ClusterSpec, kept: &[Node]) -> Result<ClusterSpec, crate::core::CoreError> {
    let ordinals: Vec<u32> = kept.iter().map(|n| n.ordinal).collect();
    match spec {
        ClusterSpec::Search(s) => {
            let dedicated: Vec<_> = s
                .dedicated
                .iter()
                .map(|d| crate::core::roles::DedicatedRole { members: d.members.iter().copied().filter(|m| ordinals.contains(m)).collect(), ..d.clone() })
                .filter(|d| !d.members.is_empty())
                .collect();
            let data = ordinals.iter().filter(|o| s.role_of(**o) == crate::core::roles::MemberRole::Data).count() as u32;
            Ok(ClusterSpec::Search(crate::core::search::SearchSpec { node_count: data.min(s.node_count), dedicated, ..s.clone() }))
        }
        _ if (kept.len() as u32) < spec.number_of_nodes() => {
            spec.changed(&crate::core::job::JobPayload { to_nodes: Some(kept.len() as u32), ..Default::default() })
        }
        _ => Ok(spec.clone()),
    }
}

/// Stops every node a failed create or restore started and removes its
/// files, so nothing half-built remains.
async fn tear_down(r: &Runner, job: &Job) {
    let Ok(Some(cluster)) = r.store.get_cluster_any(job.cluster_id).await else { return };
    let engine = r.engines.for_cluster(&cluster);
    let layout = engine.layout(job.cluster_id);
    if let Ok(nodes) = r.store.nodes(job.cluster_id).await {
        for n in nodes.iter().rev() {
            if let Err(e) = engine.stop_node(&layout, n).await {
                tracing::warn!(job.id = %job.id, node = n.ordinal, error = %e, "stopping a node after a failure failed");
            }
        }
    }
    if let Err(e) = engine.remove_files(&layout).await {
        tracing::warn!(job.id = %job.id, error = %e, "removing files after a failure failed");
    }
}
