//! The embedded SQLite store (WAL mode, one writer at a time).

mod identity;
mod reads;
mod rows;
mod tx;

use std::path::Path;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use sqlx::Row;
use uuid::Uuid;

use super::cache::RecordCache;
use super::{ClusterQuery, ClusterRecord, Event, JobOutcome, ListedEvent, NonceUse, Store, StoreResult, TokenClaim, Watched};
use crate::core::cluster::{Cluster, ClusterSpec, Failure, Lifecycle, Node, Placement, Product};
use crate::core::identity::{AccessKey, ApiKey, Domain, Project, TokenRecord, User};
use crate::core::job::{Job, JobKind, JobState};
use crate::core::snapshot::{retired_by_cluster_delete, Policy, Snapshot, SnapshotKind, SnapshotStatus};
use crate::core::vector_project::{ProjectPlan, VectorProject};
use crate::core::{CoreError, Millis};

const SCHEMA: &str = include_str!("../../../migrations/sqlite/0001_init.sql");

pub struct SqliteStore {
    pool: SqlitePool,
    /// Cluster records as last read; every committed write to a cluster drops its entry.
    records: RecordCache,
}

impl SqliteStore {
    /// Opens (creating if needed) the database file and applies the schema.
    pub async fn open(path: &Path) -> anyhow::Result<Self> {
        use std::os::unix::fs::OpenOptionsExt;
        // Created private: it holds password hashes. WAL files inherit the mode.
        std::fs::OpenOptions::new().create(true).append(true).mode(0o600).open(path)?;
        let opts = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // FULL: a committed step survives power loss, not only kill -9.
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new().max_connections(4).connect_with(opts).await?;
        sqlx::raw_sql(SCHEMA).execute(&pool).await?;
        Ok(SqliteStore { pool, records: RecordCache::default() })
    }
}

impl SqliteStore {

    /// Drops the cached record of a cluster named by its id as stored.
    fn invalidate_by_text(&self, cluster_id: Option<&str>) {
        if let Some(id) = cluster_id.and_then(|c| Uuid::parse_str(c).ok()) {
            self.records.invalidate(id);
        }
    }
}

use rows::{cluster_from, internal, is_unique_violation, job_from, node_from, snapshot_from};
use tx::{enqueue_in, insert_cluster, insert_job, insert_snapshot, place_nodes, retire_snapshot, snapshot_in_use};

#[async_trait]
impl Store for SqliteStore {
    async fn create_domain(&self, d: &Domain) -> StoreResult<()> {
        identity::create_domain(&self.pool, d).await
    }

    async fn create_project(&self, p: &Project) -> StoreResult<()> {
        identity::create_project(&self.pool, p).await
    }

    async fn create_user(&self, u: &User) -> StoreResult<()> {
        identity::create_user(&self.pool, u).await
    }

    async fn assign(&self, user_id: &str, project_id: &str) -> StoreResult<()> {
        identity::assign(&self.pool, user_id, project_id).await
    }

    async fn count_users(&self) -> StoreResult<i64> {
        identity::count_users(&self.pool).await
    }

    async fn list_domains(&self) -> StoreResult<Vec<Domain>> {
        identity::list_domains(&self.pool).await
    }

    async fn list_users(&self) -> StoreResult<Vec<User>> {
        identity::list_users(&self.pool).await
    }

    async fn list_projects(&self) -> StoreResult<Vec<Project>> {
        identity::list_projects(&self.pool).await
    }

    async fn find_domain(&self, id_or_name: &str) -> StoreResult<Option<Domain>> {
        identity::find_domain(&self.pool, id_or_name).await
    }

    async fn find_user(&self, domain_id: &str, name: &str) -> StoreResult<Option<User>> {
        identity::find_user(&self.pool, domain_id, name).await
    }

    async fn get_user(&self, id: &str) -> StoreResult<Option<User>> {
        identity::get_user(&self.pool, id).await
    }

    async fn get_project(&self, id: &str) -> StoreResult<Option<Project>> {
        identity::get_project(&self.pool, id).await
    }

    async fn find_project(&self, domain_id: &str, name: &str) -> StoreResult<Option<Project>> {
        identity::find_project(&self.pool, domain_id, name).await
    }

    async fn user_projects(&self, user_id: &str) -> StoreResult<Vec<Project>> {
        identity::user_projects(&self.pool, user_id).await
    }

    async fn insert_token(&self, hash: &str, t: &TokenRecord) -> StoreResult<()> {
        identity::insert_token(&self.pool, hash, t).await
    }

    async fn find_token(&self, hash: &str) -> StoreResult<Option<TokenRecord>> {
        identity::find_token(&self.pool, hash).await
    }

    async fn insert_access_key(&self, k: &AccessKey) -> StoreResult<()> {
        identity::insert_access_key(&self.pool, k).await
    }

    async fn find_access_key(&self, ak: &str) -> StoreResult<Option<AccessKey>> {
        identity::find_access_key(&self.pool, ak).await
    }

    async fn list_access_keys(&self) -> StoreResult<Vec<AccessKey>> {
        identity::list_access_keys(&self.pool).await
    }

    async fn delete_access_key(&self, ak: &str) -> StoreResult<bool> {
        identity::delete_access_key(&self.pool, ak).await
    }

    async fn insert_api_key(&self, key: &ApiKey, hash: &str) -> StoreResult<()> {
        identity::insert_api_key(&self.pool, key, hash).await
    }

    async fn find_api_key(&self, hash: &str) -> StoreResult<Option<ApiKey>> {
        identity::find_api_key(&self.pool, hash).await
    }

    async fn list_api_keys(&self) -> StoreResult<Vec<ApiKey>> {
        identity::list_api_keys(&self.pool).await
    }

    async fn delete_api_key(&self, id: &str) -> StoreResult<bool> {
        identity::delete_api_key(&self.pool, id).await
    }

    async fn grant_admin(&self, user_id: &str) -> StoreResult<()> {
        identity::grant_admin(&self.pool, user_id).await
    }

    async fn is_admin(&self, user_id: &str) -> StoreResult<bool> {
        identity::is_admin(&self.pool, user_id).await
    }

    async fn count_admins(&self) -> StoreResult<i64> {
        identity::count_admins(&self.pool).await
    }

    async fn reset(&self, identity: bool) -> StoreResult<()> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        for table in ["events", "jobs", "nodes", "snapshot_policies", "snapshots", "clusters", "client_tokens", "signature_nonces"] {
            sqlx::query(&format!("DELETE FROM {table}")).execute(&mut *tx).await?;
        }
        if identity {
            identity::forget_all_but_admins(&mut tx).await?;
        }
        tx.commit().await?;
        self.records.clear();
        Ok(())
    }

    async fn all_snapshot_ids(&self) -> StoreResult<Vec<Uuid>> {
        let ids: Vec<String> = sqlx::query_scalar("SELECT id FROM snapshots WHERE status != 'deleted'").fetch_all(&self.pool).await?;
        ids.iter().map(|i| Uuid::parse_str(i).map_err(internal)).collect()
    }

    async fn identity_epoch(&self) -> StoreResult<i64> {
        identity::identity_epoch(&self.pool).await
    }

    async fn use_nonce(&self, access_key: &str, nonce: &str, now: Millis, expires_at: Millis, per_key: u32) -> StoreResult<NonceUse> {
        identity::use_nonce(&self.pool, access_key, nonce, now, expires_at, per_key).await
    }

    async fn prune_nonces(&self, now: Millis) -> StoreResult<u64> {
        identity::prune_nonces(&self.pool, now).await
    }

    async fn create_cluster(&self, cluster: &Cluster, placement: &Placement, job: &Job) -> StoreResult<Vec<Node>> {
        // IMMEDIATE: take the write lock up front; a deferred read-then-write
        // transaction cannot wait for the lock and fails with SQLITE_BUSY.
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        if let Some(sid) = job.snapshot_id {
            // A restore needs its snapshot complete, and keeps it from deletion while it runs.
            let status: Option<String> = sqlx::query_scalar("SELECT status FROM snapshots WHERE id = ?")
                .bind(sid.to_string())
                .fetch_optional(&mut *tx)
                .await?;
            match status.as_deref() {
                Some("available") => {}
                Some(other) => {
                    return Err(CoreError::SnapshotState {
                        id: sid.to_string(),
                        state: other.to_string(),
                        what: "only an available snapshot can be restored".into(),
                    })
                }
                None => return Err(CoreError::SnapshotNotFound(sid.to_string())),
            }
        }
        match insert_cluster(&mut tx, cluster).await? {
            Err(e) if is_unique_violation(&e) => return Err(CoreError::NameTaken(cluster.spec.name().to_string())),
            other => other?,
        };
        let nodes = place_nodes(&mut tx, cluster.id, placement, &(0..cluster.spec.number_of_nodes()).collect::<Vec<u32>>()).await?;
        insert_job(&mut tx, job).await?;
        tx.commit().await?;
        self.records.invalidate(cluster.id);
        self.records.invalidate_count(&cluster.project_id, cluster.spec.product());
        Ok(nodes)
    }

    async fn get_cluster(&self, project_id: &str, id: Uuid) -> StoreResult<Option<Cluster>> {
        let row = sqlx::query("SELECT * FROM clusters WHERE id = ? AND project_id = ? AND lifecycle != 'deleted'")
            .bind(id.to_string())
            .bind(project_id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(cluster_from).transpose()
    }

    async fn get_cluster_any(&self, id: Uuid) -> StoreResult<Option<Cluster>> {
        let row = sqlx::query("SELECT * FROM clusters WHERE id = ?")
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(cluster_from).transpose()
    }

    async fn cluster_record(&self, project_id: &str, id: Uuid, product: Product) -> StoreResult<Option<std::sync::Arc<ClusterRecord>>> {
        self.read_cluster_record(project_id, id, product).await
    }

    async fn cluster_page(&self, project_id: &str, product: Product, query: &ClusterQuery) -> StoreResult<(Vec<std::sync::Arc<ClusterRecord>>, u64)> {
        self.read_cluster_page(project_id, product, query).await
    }

    async fn import_clusters(&self, records: &[ClusterRecord]) -> StoreResult<()> {
        self.write_imported(records).await
    }

    async fn cluster_counts(&self) -> StoreResult<Vec<(String, String, i64)>> {
        let rows = sqlx::query("SELECT product, lifecycle, COUNT(*) AS n FROM clusters WHERE lifecycle != 'deleted' GROUP BY product, lifecycle")
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|r| Ok((r.try_get("product")?, r.try_get("lifecycle")?, r.try_get("n")?))).collect()
    }

    async fn watched(&self) -> StoreResult<Vec<Watched>> {
        self.read_watched().await
    }

    async fn live_nodes(&self) -> StoreResult<Vec<(Cluster, Vec<Node>)>> {
        self.read_live_nodes().await
    }

    async fn forwarded(&self) -> StoreResult<Vec<(Cluster, Vec<Node>)>> {
        self.read_forwarded().await
    }

    async fn enqueue_with_delete_at(&self, job: &Job, delete_at: Option<Millis>) -> StoreResult<()> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        enqueue_in(&mut tx, job).await?;
        sqlx::query("UPDATE clusters SET delete_at = ? WHERE id = ?")
            .bind(delete_at)
            .bind(job.cluster_id.to_string())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        self.records.invalidate(job.cluster_id);
        Ok(())
    }

    async fn set_spec(&self, cluster_id: Uuid, spec: &ClusterSpec) -> StoreResult<()> {
        sqlx::query("UPDATE clusters SET spec = ?, updated_at = ? WHERE id = ?")
            .bind(serde_json::to_string(spec).map_err(internal)?)
            .bind(crate::core::now_ms())
            .bind(cluster_id.to_string())
            .execute(&self.pool)
            .await?;
        self.records.invalidate(cluster_id);
        Ok(())
    }

    async fn edit_spec(&self, cluster_id: Uuid, edit: super::SpecEdit, record: Option<&Job>) -> StoreResult<ClusterSpec> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let row = sqlx::query("SELECT spec, lifecycle FROM clusters WHERE id = ?").bind(cluster_id.to_string()).fetch_optional(&mut *tx).await?;
        let row = row.ok_or_else(|| CoreError::ClusterNotFound(cluster_id.to_string()))?;
        let running: Option<String> = sqlx::query_scalar("SELECT kind FROM jobs WHERE lock_key = ? AND state IN ('enqueued', 'paused')")
            .bind(format!("cluster:{cluster_id}"))
            .fetch_optional(&mut *tx)
            .await?;
        if let Some(running) = running {
            return Err(CoreError::Busy { cluster: cluster_id.to_string(), running });
        }
        let lifecycle = row.try_get::<String, _>("lifecycle")?.parse::<Lifecycle>().map_err(internal)?;
        if !matches!(lifecycle, Lifecycle::Running | Lifecycle::Stopped) {
            return Err(CoreError::WrongState { state: lifecycle.to_string() });
        }
        let stored: ClusterSpec = serde_json::from_str(&row.try_get::<String, _>("spec")?).map_err(internal)?;
        let edited = edit(&stored)?;
        let updated = sqlx::query("UPDATE clusters SET spec = ?, name = ?, updated_at = ? WHERE id = ?")
            .bind(serde_json::to_string(&edited).map_err(internal)?)
            .bind(edited.name())
            .bind(crate::core::now_ms())
            .bind(cluster_id.to_string())
            .execute(&mut *tx)
            .await;
        match updated {
            Err(e) if is_unique_violation(&e) => return Err(CoreError::NameTaken(edited.name().to_string())),
            other => other?,
        };
        if let Some(job) = record {
            insert_job(&mut tx, job).await?;
            sqlx::query("UPDATE jobs SET started_at = ?, finished_at = ? WHERE id = ?")
                .bind(job.started_at)
                .bind(job.finished_at)
                .bind(job.id.to_string())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        self.records.invalidate(cluster_id);
        Ok(edited)
    }

    async fn due_deletions(&self, now: Millis) -> StoreResult<Vec<Cluster>> {
        // Only the partial index on delete_at: with the lifecycle in the query SQLite
        // would walk every stopped cluster (twice a second, whatever their number).
        let rows = sqlx::query("SELECT * FROM clusters WHERE delete_at IS NOT NULL AND delete_at <= ?")
            .bind(now)
            .fetch_all(&self.pool)
            .await?;
        let due = rows.iter().map(cluster_from).collect::<StoreResult<Vec<Cluster>>>()?;
        Ok(due.into_iter().filter(|c| c.lifecycle == Lifecycle::Stopped).collect())
    }

    async fn nodes(&self, cluster_id: Uuid) -> StoreResult<Vec<Node>> {
        let rows = sqlx::query("SELECT * FROM nodes WHERE cluster_id = ? ORDER BY ordinal")
            .bind(cluster_id.to_string())
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(node_from).collect()
    }

    async fn remove_node(&self, cluster_id: Uuid, ordinal: u32) -> StoreResult<()> {
        sqlx::query("DELETE FROM nodes WHERE cluster_id = ? AND ordinal = ?")
            .bind(cluster_id.to_string())
            .bind(ordinal as i64)
            .execute(&self.pool)
            .await?;
        self.records.invalidate(cluster_id);
        Ok(())
    }

    async fn enqueue_change(&self, job: &Job, placement: &Placement, decided_on: &ClusterSpec, add: &[u32]) -> StoreResult<()> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        // Busy first (a change still running is `InstanceActivating`), then whether the
        // decision still holds: under the write lock, so no change can finish in between.
        enqueue_in(&mut tx, job).await?;
        let stored: Option<String> = sqlx::query_scalar("SELECT spec FROM clusters WHERE id = ?")
            .bind(job.cluster_id.to_string())
            .fetch_optional(&mut *tx)
            .await?;
        let stored: Option<ClusterSpec> = stored.map(|s| serde_json::from_str(&s)).transpose().map_err(internal)?;
        if stored.as_ref() != Some(decided_on) {
            return Err(CoreError::Conflict(job.cluster_id.to_string()));
        }
        place_nodes(&mut tx, job.cluster_id, placement, add).await?;
        tx.commit().await?;
        self.records.invalidate(job.cluster_id);
        Ok(())
    }

    async fn request_interrupt(&self, cluster_id: Uuid) -> StoreResult<()> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let row = sqlx::query("SELECT * FROM jobs WHERE cluster_id = ? AND state = 'enqueued'")
            .bind(cluster_id.to_string())
            .fetch_optional(&mut *tx)
            .await?;
        let job = row.as_ref().map(job_from).transpose()?;
        match job {
            Some(j) if j.kind.interruptible() => {
                sqlx::query("UPDATE jobs SET interrupt = 1 WHERE id = ?").bind(j.id.to_string()).execute(&mut *tx).await?;
                tx.commit().await?;
                self.records.invalidate(cluster_id);
                Ok(())
            }
            Some(j) => Err(CoreError::WrongState { state: format!("running {}, which cannot be interrupted", j.kind) }),
            None => Err(CoreError::WrongState { state: "not running a change".into() }),
        }
    }

    async fn pause_if_interrupted(&self, job_id: Uuid, owner: &str) -> StoreResult<bool> {
        let cluster: Option<String> = sqlx::query_scalar(
            "UPDATE jobs SET state = 'paused', interrupt = 0, lease_owner = NULL, lease_expires_at = NULL
             WHERE id = ? AND lease_owner = ? AND state = 'enqueued' AND interrupt = 1 RETURNING cluster_id",
        )
        .bind(job_id.to_string())
        .bind(owner)
        .fetch_optional(&self.pool)
        .await?;
        self.invalidate_by_text(cluster.as_deref());
        Ok(cluster.is_some())
    }

    async fn resume_paused(&self, cluster_id: Uuid) -> StoreResult<Job> {
        let row = sqlx::query("UPDATE jobs SET state = 'enqueued' WHERE cluster_id = ? AND state = 'paused' RETURNING *")
            .bind(cluster_id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        self.records.invalidate(cluster_id);
        row.as_ref().map(job_from).transpose()?.ok_or_else(|| CoreError::WrongState { state: "not interrupted".into() })
    }

    async fn enqueue_job(&self, job: &Job) -> StoreResult<()> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        enqueue_in(&mut tx, job).await?;
        tx.commit().await?;
        self.records.invalidate(job.cluster_id);
        Ok(())
    }

    async fn delete_cluster(&self, job: &Job, keep_manual: Option<u32>) -> StoreResult<Vec<Uuid>> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        enqueue_in(&mut tx, job).await?;
        let rows = sqlx::query("SELECT * FROM snapshots WHERE cluster_id = ? AND status != 'deleted'")
            .bind(job.cluster_id.to_string())
            .fetch_all(&mut *tx)
            .await?;
        let snapshots = rows.iter().map(snapshot_from).collect::<StoreResult<Vec<_>>>()?;
        let mut retired = Vec::new();
        for id in retired_by_cluster_delete(&snapshots, keep_manual) {
            if snapshot_in_use(&mut tx, id).await? {
                // A restore reads it: it goes when that restore ends (see finish_job).
                sqlx::query("UPDATE snapshots SET retire_after_use = 1 WHERE id = ?").bind(id.to_string()).execute(&mut *tx).await?;
            } else {
                retire_snapshot(&mut tx, &job.project_id, job.cluster_id, id).await?;
            }
            retired.push(id);
        }
        tx.commit().await?;
        self.records.invalidate(job.cluster_id);
        Ok(retired)
    }

    async fn create_snapshot(&self, snapshot: &Snapshot, job: &Job) -> StoreResult<()> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        enqueue_in(&mut tx, job).await?;
        insert_snapshot(&mut tx, snapshot).await?;
        tx.commit().await?;
        self.records.invalidate(job.cluster_id);
        Ok(())
    }

    async fn delete_snapshot(&self, project_id: &str, id: Uuid, job: &Job, allow_auto: bool) -> StoreResult<()> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let row = sqlx::query("SELECT * FROM snapshots WHERE id = ? AND project_id = ? AND status != 'deleted'")
            .bind(id.to_string())
            .bind(project_id)
            .fetch_optional(&mut *tx)
            .await?;
        let snap = row.as_ref().map(snapshot_from).transpose()?.ok_or_else(|| CoreError::SnapshotNotFound(id.to_string()))?;
        let refuse = |what: &str| CoreError::SnapshotState {
            id: id.to_string(),
            state: snap.status.to_string(),
            what: what.to_string(),
        };
        if snap.kind != SnapshotKind::Manual && !allow_auto {
            return Err(refuse("only manual snapshots can be deleted"));
        }
        if !matches!(snap.status, SnapshotStatus::Available | SnapshotStatus::Unavailable) {
            return Err(refuse("it cannot be deleted now"));
        }
        if snapshot_in_use(&mut tx, id).await? {
            return Err(refuse("a restore from it is running"));
        }
        sqlx::query("UPDATE snapshots SET status = 'deleting' WHERE id = ?").bind(id.to_string()).execute(&mut *tx).await?;
        insert_job(&mut tx, job).await?;
        tx.commit().await?;
        self.records.invalidate(job.cluster_id);
        Ok(())
    }

    async fn get_snapshot(&self, project_id: &str, id: Uuid) -> StoreResult<Option<Snapshot>> {
        let row = sqlx::query("SELECT * FROM snapshots WHERE id = ? AND project_id = ? AND status != 'deleted'")
            .bind(id.to_string())
            .bind(project_id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(snapshot_from).transpose()
    }

    async fn list_snapshots(&self, project_id: &str, cluster_id: Option<Uuid>) -> StoreResult<Vec<Snapshot>> {
        let rows = sqlx::query(
            "SELECT * FROM snapshots WHERE project_id = ? AND status != 'deleted' AND (? IS NULL OR cluster_id = ?)
             ORDER BY created_at, id",
        )
        .bind(project_id)
        .bind(cluster_id.map(|c| c.to_string()))
        .bind(cluster_id.map(|c| c.to_string()))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(snapshot_from).collect()
    }

    async fn set_snapshot_size(&self, id: Uuid, bytes: i64) -> StoreResult<()> {
        sqlx::query("UPDATE snapshots SET size_bytes = ? WHERE id = ?").bind(bytes).bind(id.to_string()).execute(&self.pool).await?;
        Ok(())
    }

    async fn get_policy(&self, cluster_id: Uuid) -> StoreResult<Option<Policy>> {
        let text: Option<String> = sqlx::query_scalar("SELECT policy FROM snapshot_policies WHERE cluster_id = ?")
            .bind(cluster_id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        text.map(|t| serde_json::from_str(&t)).transpose().map_err(internal)
    }

    async fn put_policy(&self, project_id: &str, cluster_id: Uuid, policy: &Policy) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO snapshot_policies (cluster_id, project_id, policy, updated_at) VALUES (?, ?, ?, ?)
             ON CONFLICT (cluster_id) DO UPDATE SET policy = excluded.policy, updated_at = excluded.updated_at",
        )
        .bind(cluster_id.to_string())
        .bind(project_id)
        .bind(serde_json::to_string(policy).map_err(internal)?)
        .bind(crate::core::now_ms())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn mark_fired(&self, cluster_id: Uuid, strategy_id: Uuid, at: Millis) -> StoreResult<()> {
        // Read-modify-write under the write lock, so a concurrent PUT is not lost.
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let text: Option<String> = sqlx::query_scalar("SELECT policy FROM snapshot_policies WHERE cluster_id = ?")
            .bind(cluster_id.to_string())
            .fetch_optional(&mut *tx)
            .await?;
        if let Some(text) = text {
            let mut policy: Policy = serde_json::from_str(&text).map_err(internal)?;
            for s in policy.strategies.iter_mut().filter(|s| s.id == strategy_id) {
                s.last_fired_at = at;
            }
            sqlx::query("UPDATE snapshot_policies SET policy = ? WHERE cluster_id = ?")
                .bind(serde_json::to_string(&policy).map_err(internal)?)
                .bind(cluster_id.to_string())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn list_policies(&self) -> StoreResult<Vec<(Uuid, Policy)>> {
        let rows = sqlx::query("SELECT cluster_id, policy FROM snapshot_policies").fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                let id: String = r.try_get("cluster_id")?;
                let p: String = r.try_get("policy")?;
                Ok((Uuid::parse_str(&id).map_err(internal)?, serde_json::from_str(&p).map_err(internal)?))
            })
            .collect()
    }

    async fn snapshot_jobs(&self, id: Uuid) -> StoreResult<Vec<Job>> {
        let rows = sqlx::query("SELECT * FROM jobs WHERE snapshot_id = ? AND state = 'enqueued'")
            .bind(id.to_string())
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(job_from).collect()
    }

    async fn set_step_progress(&self, job_id: Uuid, owner: &str, percent: u32) -> StoreResult<()> {
        let cluster: Option<String> = sqlx::query_scalar("UPDATE jobs SET step_progress = ? WHERE id = ? AND lease_owner = ? RETURNING cluster_id")
            .bind(percent.min(100) as i64)
            .bind(job_id.to_string())
            .bind(owner)
            .fetch_optional(&self.pool)
            .await?;
        self.invalidate_by_text(cluster.as_deref());
        Ok(())
    }

    async fn claim_job(&self, owner: &str, now: Millis, lease_ms: i64) -> StoreResult<Option<Job>> {
        // One statement, so SQLite runs it atomically under its write lock.
        let row = sqlx::query(
            "UPDATE jobs SET lease_owner = ?, lease_expires_at = ?, started_at = COALESCE(started_at, ?)
             WHERE id = (SELECT id FROM jobs WHERE state = 'enqueued'
                         AND (lease_expires_at IS NULL OR lease_expires_at < ?)
                         ORDER BY created_at, id LIMIT 1)
             RETURNING *",
        )
        .bind(owner)
        .bind(now + lease_ms)
        .bind(now)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        let job = row.as_ref().map(job_from).transpose()?;
        if let Some(j) = &job {
            self.records.invalidate(j.cluster_id);
        }
        Ok(job)
    }

    async fn renew_lease(&self, job_id: Uuid, owner: &str, until: Millis) -> StoreResult<bool> {
        let r = sqlx::query("UPDATE jobs SET lease_expires_at = ? WHERE id = ? AND lease_owner = ? AND state = 'enqueued'")
            .bind(until)
            .bind(job_id.to_string())
            .bind(owner)
            .execute(&self.pool)
            .await?;
        Ok(r.rows_affected() == 1)
    }

    async fn commit_step(&self, job_id: Uuid, owner: &str, next_step: u32) -> StoreResult<()> {
        let cluster: Option<String> =
            sqlx::query_scalar("UPDATE jobs SET next_step = ?, step_progress = 0, attempts = 0 WHERE id = ? AND lease_owner = ? RETURNING cluster_id")
                .bind(next_step as i64)
                .bind(job_id.to_string())
                .bind(owner)
                .fetch_optional(&self.pool)
                .await?;
        if cluster.is_none() {
            return Err(CoreError::Internal(format!("lost the lease on job {job_id}")));
        }
        self.invalidate_by_text(cluster.as_deref());
        Ok(())
    }

    async fn record_attempt(&self, job_id: Uuid, attempts: u32, error: Option<&Failure>) -> StoreResult<()> {
        let cluster: Option<String> = sqlx::query_scalar("UPDATE jobs SET attempts = ?, error = ? WHERE id = ? RETURNING cluster_id")
            .bind(attempts as i64)
            .bind(error.map(|e| serde_json::to_string(e).unwrap_or_default()))
            .bind(job_id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        self.invalidate_by_text(cluster.as_deref());
        Ok(())
    }

    async fn finish_job(
        &self,
        job_id: Uuid,
        outcome: &JobOutcome,
        lifecycle: Option<Lifecycle>,
        now: Millis,
    ) -> StoreResult<()> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let (state, error) = match outcome {
            JobOutcome::Succeeded => (JobState::Succeeded, None),
            JobOutcome::Failed(f) => (JobState::Failed, Some(f)),
        };
        let row = sqlx::query(
            "UPDATE jobs SET state = ?, error = ?, finished_at = ?, lease_owner = NULL, lease_expires_at = NULL
             WHERE id = ? RETURNING cluster_id, kind, snapshot_id",
        )
        .bind(state.as_str())
        .bind(error.map(|e| serde_json::to_string(e).unwrap_or_default()))
        .bind(now)
        .bind(job_id.to_string())
        .fetch_one(&mut *tx)
        .await?;
        let cluster_id: String = row.try_get("cluster_id")?;
        let kind: String = row.try_get("kind")?;
        let snapshot_id: Option<String> = row.try_get("snapshot_id")?;
        let failure_json = error.map(|e| serde_json::to_string(e).unwrap_or_default());
        let kind = kind.parse::<JobKind>().map_err(internal)?;
        if let (Some(status), Some(sid)) = (kind.snapshot_status_on_end(state == JobState::Succeeded), &snapshot_id) {
            sqlx::query("UPDATE snapshots SET status = ?, failure = ?, finished_at = ? WHERE id = ?")
                .bind(status.as_str())
                .bind(&failure_json)
                .bind(now)
                .bind(sid)
                .execute(&mut *tx)
                .await?;
        }
        let mut retired_owner: Option<String> = None;
        let mut deleted_from: Option<(String, Product)> = None;
        if let (JobKind::RestoreCluster, Some(sid)) = (kind, &snapshot_id) {
            // A snapshot retired while this restore read it goes now, unless another still reads it.
            let sid = Uuid::parse_str(sid).map_err(internal)?;
            let row = sqlx::query("SELECT project_id, cluster_id FROM snapshots WHERE id = ? AND retire_after_use = 1 AND status = 'available'")
                .bind(sid.to_string())
                .fetch_optional(&mut *tx)
                .await?;
            if let Some(row) = row {
                if !snapshot_in_use(&mut tx, sid).await? {
                    let project: String = row.try_get("project_id")?;
                    let owner: String = row.try_get("cluster_id")?;
                    retire_snapshot(&mut tx, &project, Uuid::parse_str(&owner).map_err(internal)?, sid).await?;
                    // The source cluster (if it still lives) now has that deletion among its jobs.
                    retired_owner = Some(owner);
                }
            }
        }
        if !kind.locks_cluster() {
            tx.commit().await?;
            self.invalidate_by_text(Some(&cluster_id));
            self.invalidate_by_text(retired_owner.as_deref());
            return Ok(());
        }
        match lifecycle {
            Some(l) => {
                sqlx::query("UPDATE clusters SET lifecycle = ?, failure = ?, updated_at = ? WHERE id = ?")
                    .bind(l.as_str())
                    .bind(&failure_json)
                    .bind(now)
                    .bind(&cluster_id)
                    .execute(&mut *tx)
                    .await?;
                if l == Lifecycle::Deleted {
                    sqlx::query("UPDATE nodes SET released = 1 WHERE cluster_id = ?")
                        .bind(&cluster_id)
                        .execute(&mut *tx)
                        .await?;
                    let row = sqlx::query("SELECT project_id, product FROM clusters WHERE id = ?").bind(&cluster_id).fetch_one(&mut *tx).await?;
                    let product: String = row.try_get("product")?;
                    deleted_from = Some((row.try_get::<String, _>("project_id")?, product.parse::<Product>().map_err(internal)?));
                }
            }
            None => {
                sqlx::query("UPDATE clusters SET failure = ?, updated_at = ? WHERE id = ?")
                    .bind(&failure_json)
                    .bind(now)
                    .bind(&cluster_id)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        tx.commit().await?;
        self.invalidate_by_text(Some(&cluster_id));
        self.invalidate_by_text(retired_owner.as_deref());
        if let Some((project, product)) = deleted_from {
            self.records.invalidate_count(&project, product);
        }
        Ok(())
    }

    async fn get_job(&self, project_id: &str, id: Uuid) -> StoreResult<Option<Job>> {
        let row = sqlx::query("SELECT * FROM jobs WHERE id = ? AND project_id = ?")
            .bind(id.to_string())
            .bind(project_id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(job_from).transpose()
    }

    async fn active_job(&self, cluster_id: Uuid) -> StoreResult<Option<Job>> {
        let row = sqlx::query("SELECT * FROM jobs WHERE cluster_id = ? AND state IN ('enqueued', 'paused')")
            .bind(cluster_id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(job_from).transpose()
    }

    async fn release_all_leases(&self) -> StoreResult<u64> {
        let r = sqlx::query("UPDATE jobs SET lease_owner = NULL, lease_expires_at = NULL WHERE state = 'enqueued'")
            .execute(&self.pool)
            .await?;
        self.records.clear();
        Ok(r.rows_affected())
    }

    async fn vector_projects(&self, account: &str) -> StoreResult<Vec<VectorProject>> {
        let created: Option<i64> = sqlx::query_scalar("SELECT created_at FROM projects WHERE id = ?").bind(account).fetch_optional(&self.pool).await?;
        let rows = sqlx::query("SELECT * FROM vector_projects WHERE account = ? ORDER BY id = account DESC, created_at, id").bind(account).fetch_all(&self.pool).await?;
        // The default project is stored only once it changed (its plan, its regions).
        let stored_default = rows.iter().any(|r| r.try_get::<String, _>("id").is_ok_and(|id| id == account));
        let mut out = if stored_default { vec![] } else { vec![VectorProject::default_of(account, created.unwrap_or(0))] };
        for row in &rows {
            let plan: String = row.try_get("plan")?;
            let regions: String = row.try_get("region_ids")?;
            out.push(VectorProject {
                id: row.try_get("id")?,
                account: row.try_get("account")?,
                name: row.try_get("name")?,
                plan: ProjectPlan::parse(&plan).map_err(|e| CoreError::Internal(e.to_string()))?,
                region_ids: serde_json::from_str(&regions).map_err(internal)?,
                description: row.try_get("description")?,
                created_at: row.try_get("created_at")?,
            });
        }
        Ok(out)
    }

    async fn insert_vector_project(&self, p: &VectorProject) -> StoreResult<()> {
        let done = sqlx::query("INSERT INTO vector_projects (id, account, name, plan, region_ids, description, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)")
            .bind(&p.id)
            .bind(&p.account)
            .bind(&p.name)
            .bind(p.plan.as_str())
            .bind(serde_json::to_string(&p.region_ids).map_err(internal)?)
            .bind(&p.description)
            .bind(p.created_at)
            .execute(&self.pool)
            .await;
        match done {
            Err(e) if is_unique_violation(&e) => Err(CoreError::NameTaken(p.name.clone())),
            other => other.map(|_| ()).map_err(Into::into),
        }
    }

    async fn update_vector_project(&self, p: &VectorProject) -> StoreResult<()> {
        let done = sqlx::query("UPDATE vector_projects SET plan = ?, region_ids = ? WHERE id = ? AND account = ?")
            .bind(p.plan.as_str())
            .bind(serde_json::to_string(&p.region_ids).map_err(internal)?)
            .bind(&p.id)
            .bind(&p.account)
            .execute(&self.pool)
            .await?;
        if done.rows_affected() == 0 {
            return Err(CoreError::ProjectNotFound(p.id.clone()));
        }
        Ok(())
    }

    async fn delete_vector_project(&self, account: &str, id: &str) -> StoreResult<()> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let live: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM clusters WHERE project_id = ? AND product = 'zilliz' AND lifecycle != 'deleted' AND json_extract(spec, '$.project') = ?",
        )
        .bind(account)
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
        if live > 0 {
            return Err(CoreError::WrongState { state: format!("holding {live} cluster(s): drop them first") });
        }
        let done = sqlx::query("DELETE FROM vector_projects WHERE id = ? AND account = ?").bind(id).bind(account).execute(&mut *tx).await?;
        if done.rows_affected() == 0 {
            return Err(CoreError::ProjectNotFound(id.to_string()));
        }
        tx.commit().await?;
        Ok(())
    }

    async fn claim_token(&self, scope: &str, token: &str, fingerprint: &str, now: Millis, stale_ms: i64) -> StoreResult<TokenClaim> {
        const KEEP_MS: i64 = 48 * 3600 * 1000;
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        sqlx::query("DELETE FROM client_tokens WHERE created_at < ?").bind(now - KEEP_MS).execute(&mut *tx).await?;
        let row = sqlx::query("SELECT fingerprint, response, created_at FROM client_tokens WHERE scope = ? AND token = ?")
            .bind(scope)
            .bind(token)
            .fetch_optional(&mut *tx)
            .await?;
        let claim = match row {
            None => {
                sqlx::query("INSERT INTO client_tokens (scope, token, fingerprint, created_at) VALUES (?, ?, ?, ?)")
                    .bind(scope)
                    .bind(token)
                    .bind(fingerprint)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                TokenClaim::Claimed
            }
            Some(r) => {
                let (first, response, at): (String, Option<String>, i64) = (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?);
                match response {
                    _ if first != fingerprint => TokenClaim::Mismatch,
                    Some(resp) => TokenClaim::Done(resp),
                    None if at < now - stale_ms => {
                        sqlx::query("UPDATE client_tokens SET created_at = ? WHERE scope = ? AND token = ?")
                            .bind(now)
                            .bind(scope)
                            .bind(token)
                            .execute(&mut *tx)
                            .await?;
                        TokenClaim::Claimed
                    }
                    None => TokenClaim::InFlight,
                }
            }
        };
        tx.commit().await?;
        Ok(claim)
    }

    async fn complete_token(&self, scope: &str, token: &str, response: &str) -> StoreResult<()> {
        sqlx::query("UPDATE client_tokens SET response = ? WHERE scope = ? AND token = ?")
            .bind(response)
            .bind(scope)
            .bind(token)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn release_token(&self, scope: &str, token: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM client_tokens WHERE scope = ? AND token = ? AND response IS NULL")
            .bind(scope)
            .bind(token)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn add_event(&self, e: &Event) -> StoreResult<()> {
        sqlx::query("INSERT INTO events (cluster_id, at, kind, message) VALUES (?, ?, ?, ?)")
            .bind(e.cluster_id.to_string())
            .bind(e.at)
            .bind(&e.kind)
            .bind(&e.message)
            .execute(&self.pool)
            .await?;
        self.records.invalidate(e.cluster_id);
        Ok(())
    }

    async fn list_events(&self, project_id: &str, product: Product, offset: u64, limit: u64) -> StoreResult<(Vec<ListedEvent>, u64)> {
        const OF_PROJECT: &str = "FROM events e JOIN clusters c ON c.id = e.cluster_id WHERE c.project_id = ? AND c.product = ?";
        let total: i64 = sqlx::query_scalar(&format!("SELECT count(*) {OF_PROJECT}"))
            .bind(project_id)
            .bind(product.as_str())
            .fetch_one(&self.pool)
            .await?;
        let rows = sqlx::query(&format!(
            "SELECT e.id, e.cluster_id, e.at, e.kind, e.message, c.name {OF_PROJECT} ORDER BY e.at DESC, e.id DESC LIMIT ? OFFSET ?"
        ))
        .bind(project_id)
        .bind(product.as_str())
        .bind(limit.min(i64::MAX as u64) as i64)
        .bind(offset.min(i64::MAX as u64) as i64)
        .fetch_all(&self.pool)
        .await?;
        let events = rows
            .iter()
            .map(|r| {
                let cluster_id: String = r.get(1);
                Ok(ListedEvent {
                    seq: r.get(0),
                    event: Event { cluster_id: cluster_id.parse().map_err(internal)?, at: r.get(2), kind: r.get(3), message: r.get(4) },
                    cluster_name: r.get(5),
                })
            })
            .collect::<StoreResult<Vec<_>>>()?;
        Ok((events, total as u64))
    }
}
