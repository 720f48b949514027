//! Row decoding: one function per table, from a SQLite row to a core type.

use std::str::FromStr;

use sqlx::sqlite::SqliteRow;
use sqlx::Row;
use uuid::Uuid;

use super::StoreResult;
use crate::core::cluster::{Cluster, Lifecycle, Node};
use crate::core::identity::{AccessKey, ApiKey, Project, User};
use crate::core::job::{Job, JobKind, JobState};
use crate::core::snapshot::{Snapshot, SnapshotKind, SnapshotStatus};
use crate::core::CoreError;

pub(super) fn internal(e: impl std::fmt::Display) -> CoreError {
    CoreError::Internal(e.to_string())
}

pub(super) fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
}

pub(super) fn cluster_from(row: &SqliteRow) -> StoreResult<Cluster> {
    let id: String = row.try_get("id")?;
    let spec: String = row.try_get("spec")?;
    let lifecycle: String = row.try_get("lifecycle")?;
    let failure: Option<String> = row.try_get("failure")?;
    Ok(Cluster {
        id: Uuid::parse_str(&id).map_err(internal)?,
        project_id: row.try_get("project_id")?,
        spec: serde_json::from_str(&spec).map_err(internal)?,
        lifecycle: Lifecycle::from_str(&lifecycle).map_err(internal)?,
        failure: failure.map(|f| serde_json::from_str(&f)).transpose().map_err(internal)?,
        delete_at: row.try_get("delete_at")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

pub(super) fn node_from(row: &SqliteRow) -> StoreResult<Node> {
    let id: String = row.try_get("id")?;
    let cluster_id: String = row.try_get("cluster_id")?;
    let address: String = row.try_get("address")?;
    let ordinal: i64 = row.try_get("ordinal")?;
    let port: i64 = row.try_get("port")?;
    Ok(Node {
        id: Uuid::parse_str(&id).map_err(internal)?,
        cluster_id: Uuid::parse_str(&cluster_id).map_err(internal)?,
        ordinal: ordinal as u32,
        address: address.parse().map_err(internal)?,
        port: port as u16,
    })
}

pub(super) fn job_from(row: &SqliteRow) -> StoreResult<Job> {
    let id: String = row.try_get("id")?;
    let cluster_id: String = row.try_get("cluster_id")?;
    let kind: String = row.try_get("kind")?;
    let state: String = row.try_get("state")?;
    let payload: String = row.try_get("payload")?;
    let error: Option<String> = row.try_get("error")?;
    let next_step: i64 = row.try_get("next_step")?;
    let step_progress: i64 = row.try_get("step_progress")?;
    let snapshot_id: Option<String> = row.try_get("snapshot_id")?;
    let total_steps: i64 = row.try_get("total_steps")?;
    let attempts: i64 = row.try_get("attempts")?;
    Ok(Job {
        id: Uuid::parse_str(&id).map_err(internal)?,
        project_id: row.try_get("project_id")?,
        cluster_id: Uuid::parse_str(&cluster_id).map_err(internal)?,
        snapshot_id: snapshot_id.map(|s| Uuid::parse_str(&s)).transpose().map_err(internal)?,
        kind: JobKind::from_str(&kind).map_err(internal)?,
        state: JobState::from_str(&state).map_err(internal)?,
        next_step: next_step as u32,
        step_progress: step_progress as u32,
        total_steps: total_steps as u32,
        payload: serde_json::from_str(&payload).map_err(internal)?,
        attempts: attempts as u32,
        error: error.map(|e| serde_json::from_str(&e)).transpose().map_err(internal)?,
        created_at: row.try_get("created_at")?,
        started_at: row.try_get("started_at")?,
        finished_at: row.try_get("finished_at")?,
        lease_expires_at: row.try_get("lease_expires_at")?,
    })
}

pub(super) fn project_from(row: &SqliteRow) -> StoreResult<Project> {
    Ok(Project { id: row.try_get("id")?, domain_id: row.try_get("domain_id")?, name: row.try_get("name")? })
}

pub(super) fn user_from(row: &SqliteRow) -> StoreResult<User> {
    Ok(User {
        id: row.try_get("id")?,
        domain_id: row.try_get("domain_id")?,
        name: row.try_get("name")?,
        password_hash: row.try_get("password_hash")?,
    })
}

pub(super) fn access_key_from(row: &SqliteRow) -> StoreResult<AccessKey> {
    Ok(AccessKey {
        access_key: row.try_get("access_key")?,
        user_id: row.try_get("user_id")?,
        salt: row.try_get("salt")?,
        description: row.try_get("description")?,
        created_at: row.try_get("created_at")?,
    })
}

pub(super) fn snapshot_from(row: &SqliteRow) -> StoreResult<Snapshot> {
    let id: String = row.try_get("id")?;
    let cluster_id: String = row.try_get("cluster_id")?;
    let kind: String = row.try_get("kind")?;
    let status: String = row.try_get("status")?;
    let source: String = row.try_get("source")?;
    let failure: Option<String> = row.try_get("failure")?;
    Ok(Snapshot {
        id: Uuid::parse_str(&id).map_err(internal)?,
        project_id: row.try_get("project_id")?,
        cluster_id: Uuid::parse_str(&cluster_id).map_err(internal)?,
        name: row.try_get("name")?,
        description: row.try_get("description")?,
        kind: kind.parse::<SnapshotKind>().map_err(internal)?,
        status: status.parse::<SnapshotStatus>().map_err(internal)?,
        source: serde_json::from_str(&source).map_err(internal)?,
        size_bytes: row.try_get("size_bytes")?,
        failure: failure.map(|f| serde_json::from_str(&f)).transpose().map_err(internal)?,
        created_at: row.try_get("created_at")?,
        started_at: row.try_get("started_at")?,
        finished_at: row.try_get("finished_at")?,
    })
}

pub(super) fn api_key_from(row: &SqliteRow) -> StoreResult<ApiKey> {
    Ok(ApiKey {
        id: row.try_get("id")?,
        user_id: row.try_get("user_id")?,
        project_id: row.try_get("project_id")?,
        name: row.try_get("name")?,
        created_at: row.try_get("created_at")?,
    })
}
