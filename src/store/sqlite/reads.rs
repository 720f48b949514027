//! The read model's queries: a cluster's record (served from the cache when
//! unchanged), pages of a project's clusters, and what the health loop
//! watches. Each is a fixed number of statements whatever the number of
//! clusters: the clusters of a page are one query with LIMIT/OFFSET, then one
//! query each for their nodes, active jobs and event counts (ids passed as
//! one JSON array).

use std::collections::HashMap;
use std::sync::Arc;

use sqlx::sqlite::SqliteRow;
use sqlx::Row;
use uuid::Uuid;

use super::rows::{cluster_from, internal, job_from, node_from};
use super::tx::{insert_cluster, insert_node};
use super::{SqliteStore, StoreResult};
use crate::core::cluster::{Cluster, Node, Product};
use crate::core::job::Job;
use crate::core::now_ms;
use crate::store::{ClusterQuery, ClusterRecord, Watched};

/// Events count towards `recent_event` for this long.
const RECENT_EVENTS_MS: i64 = 24 * 3600 * 1000;

/// The ids as the one JSON-array parameter `json_each` reads.
fn id_array(ids: &[Uuid]) -> String {
    serde_json::to_string(&ids.iter().map(|i| i.to_string()).collect::<Vec<_>>()).unwrap_or_else(|_| "[]".into())
}

impl SqliteStore {
    pub(super) async fn read_cluster_record(&self, project_id: &str, id: Uuid, product: Product) -> StoreResult<Option<Arc<ClusterRecord>>> {
        let fits = |r: &ClusterRecord| r.cluster.project_id == project_id && r.cluster.spec.product() == product;
        if let Some(r) = self.records.get(id) {
            return Ok(Some(r).filter(|r| fits(r) && r.cluster.lifecycle != crate::core::cluster::Lifecycle::Deleted));
        }
        let seen = self.records.generation();
        // One read transaction: the cluster, its job and its nodes as of one moment
        // (never a finished job's old lifecycle beside no job).
        let mut tx = self.pool.begin().await?;
        let Some(record) = records_of(&mut tx, &[id]).await?.pop() else { return Ok(None) };
        tx.commit().await?;
        let record = Arc::new(record);
        self.records.fill(record.clone(), seen);
        Ok(Some(record).filter(|r| fits(r) && r.cluster.lifecycle != crate::core::cluster::Lifecycle::Deleted))
    }

    /// A page: the matching ids (one index-only query), their records from the
    /// cache, the ones not cached read in one go and cached; the total from the
    /// cache too when the page is unfiltered.
    pub(super) async fn read_cluster_page(&self, project_id: &str, product: Product, q: &ClusterQuery) -> StoreResult<(Vec<Arc<ClusterRecord>>, u64)> {
        // Only the filters in use: an unused `?3 IS NULL OR json_extract(spec, ...)` term would still make
        // SQLite read every row, where the bare page is answered from the index alone.
        // (An unused filter's parameter is still named, as a constant term, to keep the numbering.)
        let mut matching = String::from("project_id = ?1 AND product = ?2 AND lifecycle != 'deleted'");
        matching.push_str(if q.datastore.is_some() { " AND json_extract(spec, '$.datastore') = ?3" } else { " AND ?3 IS NULL" });
        matching.push_str(if q.description.is_some() { " AND json_extract(spec, '$.description') = ?4" } else { " AND ?4 IS NULL" });
        matching.push_str(if q.id.is_some() { " AND id = ?5" } else { " AND ?5 IS NULL" });
        let unfiltered = q.datastore.is_none() && q.description.is_none() && q.id.is_none();
        let seen = self.records.generation();
        let (datastore, id) = (q.datastore.map(|d| d.as_str()), q.id.map(|i| i.to_string()));
        let mut tx = self.pool.begin().await?;
        let total = match self.records.count(project_id, product).filter(|_| unfiltered) {
            Some(n) => n,
            None => {
                let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM clusters WHERE {matching}"))
                    .bind(project_id)
                    .bind(product.as_str())
                    .bind(datastore)
                    .bind(q.description.as_deref())
                    .bind(id.as_deref())
                    .fetch_one(&mut *tx)
                    .await?;
                if unfiltered {
                    self.records.fill_count(project_id, product, n as u64, seen);
                }
                n as u64
            }
        };
        let ids: Vec<String> = sqlx::query_scalar(&format!("SELECT id FROM clusters WHERE {matching} ORDER BY created_at, id LIMIT ?6 OFFSET ?7"))
            .bind(project_id)
            .bind(product.as_str())
            .bind(datastore)
            .bind(q.description.as_deref())
            .bind(id.as_deref())
            // SQLite reads a negative LIMIT as "no limit".
            .bind(q.limit.map(|l| l.min(i64::MAX as u64) as i64).unwrap_or(-1))
            .bind(q.offset.min(i64::MAX as u64) as i64)
            .fetch_all(&mut *tx)
            .await?;
        let ids = ids.iter().map(|i| Uuid::parse_str(i).map_err(internal)).collect::<StoreResult<Vec<Uuid>>>()?;
        let mut found: HashMap<Uuid, Arc<ClusterRecord>> = ids.iter().filter_map(|i| self.records.get(*i).map(|r| (*i, r))).collect();
        let missing: Vec<Uuid> = ids.iter().filter(|i| !found.contains_key(i)).copied().collect();
        for r in records_of(&mut tx, &missing).await? {
            let r = Arc::new(r);
            self.records.fill(r.clone(), seen);
            found.insert(r.cluster.id, r);
        }
        tx.commit().await?;
        let live = |r: &Arc<ClusterRecord>| r.cluster.lifecycle != crate::core::cluster::Lifecycle::Deleted;
        Ok((ids.iter().filter_map(|i| found.remove(i)).filter(live).collect(), total))
    }

    pub(super) async fn write_imported(&self, records: &[ClusterRecord]) -> StoreResult<()> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        for r in records {
            insert_cluster(&mut tx, &r.cluster).await??;
            for n in &r.nodes {
                insert_node(&mut tx, n, 0).await?;
            }
        }
        tx.commit().await?;
        self.records.clear();
        Ok(())
    }

    pub(super) async fn read_watched(&self) -> StoreResult<Vec<Watched>> {
        let mut tx = self.pool.begin().await?;
        let rows = sqlx::query("SELECT * FROM clusters WHERE lifecycle = 'running' ORDER BY created_at, id").fetch_all(&mut *tx).await?;
        let clusters = rows.iter().map(cluster_from).collect::<StoreResult<Vec<Cluster>>>()?;
        let ids: Vec<Uuid> = clusters.iter().map(|c| c.id).collect();
        let (mut nodes, jobs) = (nodes_of(&mut tx, &ids).await?, active_jobs_of(&mut tx, &ids).await?);
        tx.commit().await?;
        Ok(clusters
            .into_iter()
            .map(|c| Watched { nodes: nodes.remove(&c.id).unwrap_or_default(), busy: jobs.contains_key(&c.id), cluster: c })
            .collect())
    }

    pub(super) async fn read_live_nodes(&self) -> StoreResult<Vec<(Cluster, Vec<Node>)>> {
        let mut tx = self.pool.begin().await?;
        let rows = sqlx::query("SELECT * FROM clusters WHERE lifecycle != 'deleted'").fetch_all(&mut *tx).await?;
        let clusters = rows.iter().map(cluster_from).collect::<StoreResult<Vec<Cluster>>>()?;
        let all = sqlx::query("SELECT * FROM nodes WHERE released = 0 ORDER BY cluster_id, ordinal").fetch_all(&mut *tx).await?;
        tx.commit().await?;
        let mut nodes = group(&all, "cluster_id", node_from)?;
        Ok(clusters
            .into_iter()
            .map(|c| {
                let n = nodes.remove(&c.id).unwrap_or_default();
                (c, n)
            })
            .collect())
    }
}

impl SqliteStore {
    pub(super) async fn read_forwarded(&self) -> StoreResult<Vec<(Cluster, Vec<Node>)>> {
        let mut tx = self.pool.begin().await?;
        let rows = sqlx::query(
            "SELECT * FROM clusters WHERE lifecycle NOT IN ('deleted', 'deleting') AND ( \
               (product = 'dws' AND (json_extract(spec, '$.public_ip.public_bind_type') != 'not_use' OR json_extract(spec, '$.elb') IS NOT NULL)) \
               OR json_extract(spec, '$.access.public') = 1)",
        )
        .fetch_all(&mut *tx)
        .await?;
        let clusters = rows.iter().map(cluster_from).collect::<StoreResult<Vec<Cluster>>>()?;
        let ids: Vec<Uuid> = clusters.iter().map(|c| c.id).collect();
        let mut nodes = nodes_of(&mut tx, &ids).await?;
        tx.commit().await?;
        Ok(clusters
            .into_iter()
            .filter_map(|c| {
                let mut n = nodes.remove(&c.id)?;
                n.sort_by_key(|n| n.ordinal);
                Some((c, n))
            })
            .collect())
    }
}

/// The records of the clusters with these ids (as stored, deleted ones included), in no order.
async fn records_of(conn: &mut sqlx::SqliteConnection, ids: &[Uuid]) -> StoreResult<Vec<ClusterRecord>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows = sqlx::query("SELECT * FROM clusters WHERE id IN (SELECT value FROM json_each(?))").bind(id_array(ids)).fetch_all(&mut *conn).await?;
    let clusters = rows.iter().map(cluster_from).collect::<StoreResult<Vec<Cluster>>>()?;
    let (mut nodes, mut jobs, events) =
        (nodes_of(&mut *conn, ids).await?, active_jobs_of(&mut *conn, ids).await?, event_counts_of(&mut *conn, ids).await?);
    Ok(clusters
        .into_iter()
        .map(|c| ClusterRecord {
            nodes: nodes.remove(&c.id).unwrap_or_default(),
            active_job: jobs.remove(&c.id),
            recent_events: events.get(&c.id).copied().unwrap_or(0),
            cluster: c,
        })
        .collect())
}

/// Rows decoded by `decode`, grouped by the cluster id in column `key`.
fn group<T>(rows: &[SqliteRow], key: &str, decode: impl Fn(&SqliteRow) -> StoreResult<T>) -> StoreResult<HashMap<Uuid, Vec<T>>> {
    let mut out: HashMap<Uuid, Vec<T>> = HashMap::new();
    for row in rows {
        let id: String = row.try_get(key)?;
        out.entry(Uuid::parse_str(&id).map_err(internal)?).or_default().push(decode(row)?);
    }
    Ok(out)
}

async fn nodes_of(conn: &mut sqlx::SqliteConnection, ids: &[Uuid]) -> StoreResult<HashMap<Uuid, Vec<Node>>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = sqlx::query("SELECT * FROM nodes WHERE cluster_id IN (SELECT value FROM json_each(?)) ORDER BY cluster_id, ordinal")
        .bind(id_array(ids))
        .fetch_all(conn)
        .await?;
    group(&rows, "cluster_id", node_from)
}

/// The job that holds each cluster: its own lock's job first (a snapshot's
/// deletion also names the cluster, but does not hold it).
async fn active_jobs_of(conn: &mut sqlx::SqliteConnection, ids: &[Uuid]) -> StoreResult<HashMap<Uuid, Job>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = sqlx::query(
        "SELECT * FROM jobs WHERE state IN ('enqueued', 'paused') AND cluster_id IN (SELECT value FROM json_each(?))
         ORDER BY (lock_key = cluster_id) DESC, created_at",
    )
    .bind(id_array(ids))
    .fetch_all(conn)
    .await?;
    let mut out = HashMap::new();
    for (id, jobs) in group(&rows, "cluster_id", job_from)? {
        if let Some(first) = jobs.into_iter().next() {
            out.insert(id, first);
        }
    }
    Ok(out)
}

async fn event_counts_of(conn: &mut sqlx::SqliteConnection, ids: &[Uuid]) -> StoreResult<HashMap<Uuid, u64>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = sqlx::query(
        "SELECT cluster_id, COUNT(*) AS n FROM events WHERE at >= ? AND cluster_id IN (SELECT value FROM json_each(?)) GROUP BY cluster_id",
    )
    .bind(now_ms() - RECENT_EVENTS_MS)
    .bind(id_array(ids))
    .fetch_all(conn)
    .await?;
    let mut out = HashMap::new();
    for row in &rows {
        let id: String = row.try_get("cluster_id")?;
        let n: i64 = row.try_get("n")?;
        out.insert(Uuid::parse_str(&id).map_err(internal)?, n as u64);
    }
    Ok(out)
}
