//! Statements shared by several store operations, run inside their caller's
//! transaction: job insertion and the enqueue rules, snapshot retirement.

use sqlx::SqliteConnection;
use uuid::Uuid;

use super::rows::{internal, is_unique_violation};
use super::StoreResult;
use std::collections::HashSet;
use std::net::Ipv4Addr;

use sqlx::Row;

use crate::core::cluster::{allocate_addresses, allocate_port_block, Cluster, Lifecycle, Node, Placement, PortNeeds};
use crate::core::job::{Job, JobKind, JobPayload};
use crate::core::snapshot::Snapshot;
use crate::core::CoreError;

pub(super) async fn insert_job(conn: &mut SqliteConnection, job: &Job) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO jobs (id, project_id, cluster_id, lock_key, snapshot_id, kind, state, next_step, total_steps, payload, attempts, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)",
    )
    .bind(job.id.to_string())
    .bind(&job.project_id)
    .bind(job.cluster_id.to_string())
    .bind(job.lock_key())
    .bind(job.snapshot_id.map(|s| s.to_string()))
    .bind(job.kind.as_str())
    .bind(job.state.as_str())
    .bind(job.next_step as i64)
    .bind(job.total_steps as i64)
    .bind(serde_json::to_string(&job.payload).unwrap_or_default())
    .bind(job.created_at)
    .execute(conn)
    .await
    .map(|_| ())
}

/// Inserts a cluster row as it is (the caller maps a name clash).
pub(super) async fn insert_cluster(conn: &mut SqliteConnection, c: &Cluster) -> StoreResult<Result<(), sqlx::Error>> {
    let spec = serde_json::to_string(&c.spec).map_err(internal)?;
    Ok(sqlx::query(
        "INSERT INTO clusters (id, project_id, name, product, spec, lifecycle, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(c.id.to_string())
    .bind(&c.project_id)
    .bind(c.spec.name())
    .bind(c.spec.product().as_str())
    .bind(spec)
    .bind(c.lifecycle.as_str())
    .bind(c.created_at)
    .bind(c.updated_at)
    .execute(conn)
    .await
    .map(|_| ()))
}

/// Inserts a node row holding `block` ports from its own (0: only its port on its address).
pub(super) async fn insert_node(conn: &mut SqliteConnection, node: &Node, block: u16) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO nodes (id, cluster_id, ordinal, address, port, port_block) VALUES (?, ?, ?, ?, ?, ?)")
        .bind(node.id.to_string())
        .bind(node.cluster_id.to_string())
        .bind(node.ordinal as i64)
        .bind(node.address.to_string())
        .bind(node.port as i64)
        .bind(block as i64)
        .execute(conn)
        .await
        .map(|_| ())
}

pub(super) async fn busy_error(conn: &mut SqliteConnection, job: &Job) -> CoreError {
    let running: Option<String> = sqlx::query_scalar("SELECT kind FROM jobs WHERE lock_key = ? AND state IN ('enqueued', 'paused')")
        .bind(job.lock_key())
        .fetch_optional(conn)
        .await
        .ok()
        .flatten();
    CoreError::Busy { cluster: job.cluster_id.to_string(), running: running.unwrap_or_else(|| "another job".into()) }
}

/// The enqueue rules shared by every operation on an existing cluster.
pub(super) async fn enqueue_in(conn: &mut SqliteConnection, job: &Job) -> StoreResult<()> {
    let lifecycle: Option<String> = sqlx::query_scalar("SELECT lifecycle FROM clusters WHERE id = ?")
        .bind(job.cluster_id.to_string())
        .fetch_optional(&mut *conn)
        .await?;
    let lifecycle = lifecycle
        .ok_or_else(|| CoreError::ClusterNotFound(job.cluster_id.to_string()))?
        .parse::<Lifecycle>()
        .map_err(internal)?;
    // Busy wins over state: a cluster mid-operation is "busy", whatever its lifecycle.
    if let Err(e) = insert_job(&mut *conn, job).await {
        if is_unique_violation(&e) {
            return Err(busy_error(conn, job).await);
        }
        return Err(e.into());
    }
    if !job.kind.allowed_from().contains(&lifecycle) {
        return Err(CoreError::WrongState { state: lifecycle.to_string() });
    }
    if let Some(next) = job.kind.lifecycle_on_accept() {
        sqlx::query("UPDATE clusters SET lifecycle = ?, updated_at = ? WHERE id = ?")
            .bind(next.as_str())
            .bind(job.created_at)
            .bind(job.cluster_id.to_string())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Marks a snapshot as deleting and enqueues the job that removes its files.
pub(super) async fn retire_snapshot(conn: &mut SqliteConnection, project_id: &str, cluster_id: Uuid, id: Uuid) -> StoreResult<()> {
    let del = Job::new(JobKind::DeleteSnapshot, project_id, cluster_id, Some(id), 1, JobPayload::default());
    sqlx::query("UPDATE snapshots SET status = 'deleting' WHERE id = ?").bind(id.to_string()).execute(&mut *conn).await?;
    insert_job(conn, &del).await?;
    Ok(())
}

/// Whether some active job works on the snapshot (a backup or a restore).
pub(super) async fn snapshot_in_use(conn: &mut SqliteConnection, snapshot_id: Uuid) -> StoreResult<bool> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM jobs WHERE snapshot_id = ? AND state = 'enqueued'")
        .bind(snapshot_id.to_string())
        .fetch_one(conn)
        .await?;
    Ok(n > 0)
}

pub(super) async fn insert_snapshot(conn: &mut SqliteConnection, s: &Snapshot) -> StoreResult<()> {
    let r = sqlx::query(
        "INSERT INTO snapshots (id, project_id, cluster_id, name, description, kind, status, source, created_at, started_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(s.id.to_string())
    .bind(&s.project_id)
    .bind(s.cluster_id.to_string())
    .bind(&s.name)
    .bind(&s.description)
    .bind(s.kind.as_str())
    .bind(s.status.as_str())
    .bind(serde_json::to_string(&s.source).map_err(internal)?)
    .bind(s.created_at)
    .bind(s.started_at)
    .execute(conn)
    .await;
    match r {
        Err(e) if is_unique_violation(&e) => Err(CoreError::SnapshotNameTaken(s.name.clone())),
        other => other.map(|_| ()).map_err(Into::into),
    }
}

/// Allocates an address (and port or port block) for each ordinal in
/// `ordinals` and inserts the cluster's node records; the caller's write
/// transaction makes the choice race-free.
pub(super) async fn place_nodes(
    conn: &mut SqliteConnection,
    cluster_id: Uuid,
    placement: &Placement,
    ordinals: &[u32],
) -> StoreResult<Vec<Node>> {
    let live = sqlx::query("SELECT address, port, port_block FROM nodes WHERE released = 0").fetch_all(&mut *conn).await?;
    let mut taken: HashSet<Ipv4Addr> = placement.unusable_addresses.iter().copied().collect();
    let mut taken_ports: HashSet<u16> = placement.unusable_ports.iter().copied().collect();
    for row in &live {
        let (address, port, block): (String, i64, i64) = (row.try_get(0)?, row.try_get(1)?, row.try_get(2)?);
        taken.extend(address.parse::<Ipv4Addr>().ok());
        taken_ports.extend((port..port + block.max(1)).map(|p| p as u16));
    }
    let addresses =
        allocate_addresses(placement.addresses, &taken, ordinals.len()).ok_or(CoreError::AddressesExhausted)?;
    let mut nodes = Vec::with_capacity(addresses.len());
    for (&ordinal, address) in ordinals.iter().zip(addresses) {
        let (port, block) = match placement.ports {
            PortNeeds::PerAddress(port) => (port, 0),
            PortNeeds::MachineBlock(width) => {
                let base = allocate_port_block(placement.port_range, width, &taken_ports).ok_or(CoreError::PortsExhausted)?;
                taken_ports.extend(base..base + width);
                (base, width)
            }
        };
        let node = Node { id: Uuid::new_v4(), cluster_id, ordinal, address, port };
        match insert_node(&mut *conn, &node, block).await {
            // The member exists already: the caller decided on a stale view of the cluster.
            Err(e) if is_unique_violation(&e) => return Err(CoreError::Conflict(cluster_id.to_string())),
            other => other?,
        };
        nodes.push(node);
    }
    Ok(nodes)
}
