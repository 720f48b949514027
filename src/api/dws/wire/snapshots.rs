//! Snapshot, restore and snapshot-policy bodies.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::clusters::{ClusterStatus, PublicIpSpec};
use super::{decode, uuid, FailedReasons};
use crate::core::error::Field;
use crate::core::validate::RestoreInput;
use crate::core::CoreError;

/// The snapshot `CreateSnapshot` takes.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct SnapshotSpec {
    /// 4–64 letters, digits, `-` and `_`, a letter first, unique in the project (DWS.5057, DWS.5050).
    #[schema(value_type = String, required = true, example = "snap-01")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The cluster to snapshot (DWS.0004 if missing, DWS.0001 if not a UUID, DWS.0047 if unknown).
    #[schema(value_type = String, required = true, example = "7ba031f6-81f4-4670-ad20-c490b91877e5")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster_id: Option<String>,
    /// At most 256 characters, none of `!<>'=&"` (else DWS.5038).
    #[schema(value_type = Option<String>)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// The body of `CreateSnapshot`.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct CreateSnapshotRequest {
    pub snapshot: SnapshotSpec,
}

/// `{"snapshot": {"name", "cluster_id", "description"?}}` → (name, cluster id, description).
pub fn snapshot_input(body: &[u8]) -> Result<(String, Uuid, String), CoreError> {
    let b = decode::<CreateSnapshotRequest>(body)?.snapshot;
    let name = b.name.ok_or_else(|| CoreError::invalid(Field::SnapshotName, "snapshot.name is required"))?;
    let cluster = b.cluster_id.ok_or_else(|| CoreError::MalformedBody("snapshot.cluster_id is required".into()))?;
    Ok((name, uuid(&cluster)?, b.description.unwrap_or_default()))
}

/// The cluster `RestoreCluster` makes; what is omitted comes from the snapshot's source cluster.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct RestoreSpec {
    /// The new cluster's name, as for `CreateCluster` (DWS.5057, DWS.5050).
    #[schema(value_type = String, required = true, example = "dws-restored")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[schema(value_type = Option<String>)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subnet_id: Option<String>,
    #[schema(value_type = Option<String>)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub security_group_id: Option<String>,
    #[schema(value_type = Option<String>)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vpc_id: Option<String>,
    /// One of the server's zones (else DWS.5011).
    #[schema(value_type = Option<String>, example = "eu-de-01")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub availability_zone: Option<String>,
    /// 8000–30000 (else DWS.5038).
    #[schema(value_type = Option<i64>, example = 8000)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_ip: Option<PublicIpSpec>,
    #[schema(value_type = Option<String>)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enterprise_project_id: Option<String>,
    /// As for `CreateCluster`, against the source's node count (else DWS.5038).
    #[schema(value_type = Option<i64>)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number_of_cn: Option<i64>,
}

/// The body of `RestoreCluster`.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct RestoreClusterRequest {
    pub restore: RestoreSpec,
}

/// `{"restore": {"name", ...}}`.
pub fn restore_input(body: &[u8]) -> Result<RestoreInput, CoreError> {
    let b = decode::<RestoreClusterRequest>(body)?.restore;
    Ok(RestoreInput {
        name: b.name,
        vpc_id: b.vpc_id,
        subnet_id: b.subnet_id,
        security_group_id: b.security_group_id,
        availability_zone: b.availability_zone,
        port: b.port,
        public_ip: b.public_ip.map(Into::into),
        enterprise_project_id: b.enterprise_project_id,
        number_of_cn: b.number_of_cn,
    })
}

/// `ListClusterSnapshots`. Strings underneath: a value out of range is DWS.0004 naming it.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SnapshotPage {
    /// Snapshots per page, 0–1000 (default 1000).
    #[param(value_type = Option<u32>, minimum = 0, maximum = 1000)]
    pub limit: Option<String>,
    /// Snapshots to skip (default 0).
    #[param(value_type = Option<u64>, minimum = 0)]
    pub offset: Option<String>,
    /// `started` (the default; `created` is the same), `name` or `size`.
    #[param(value_type = Option<String>, pattern = "^(started|created|name|size)$")]
    pub sort_key: Option<String>,
    /// `desc` (the default) or `asc`.
    #[param(value_type = Option<String>, pattern = "^(asc|desc)$")]
    pub sort_dir: Option<String>,
}

/// `{"id": ...}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct SnapshotRef {
    pub id: Uuid,
}

/// `CreateSnapshot`: accepted; the snapshot is `CREATING` until its files are copied.
#[derive(Debug, Serialize, ToSchema)]
pub struct SnapshotCreated {
    pub snapshot: SnapshotRef,
}

/// CREATING, AVAILABLE (RESTORING while a restore reads it), UNAVAILABLE, DELETING.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SnapshotStatus {
    Creating,
    Available,
    Restoring,
    Unavailable,
    Deleting,
    Deleted,
}

/// Taken by a user, or by the cluster's snapshot policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SnapshotType {
    Manual,
    Auto,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SnapshotDatastore {
    #[serde(rename = "type")]
    pub kind: String,
    pub version: String,
}

/// A snapshot, as `ListSnapshots` and `ListClusterSnapshots` show it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Snapshot {
    pub id: Uuid,
    pub name: String,
    pub description: String,
    /// ISO 8601 with `Z`; null until the copy starts.
    #[schema(example = "2024-05-01T12:00:00Z")]
    pub started: Option<String>,
    /// ISO 8601 with `Z`; null while `CREATING`.
    pub finished: Option<String>,
    /// GB.
    pub size: f64,
    pub status: SnapshotStatus,
    #[serde(rename = "type")]
    pub kind: SnapshotType,
    pub cluster_id: Uuid,
    pub cluster_name: String,
    pub updated: Option<String>,
    pub datastore: SnapshotDatastore,
    /// Percent done while `CREATING`, `"40%"`; null otherwise.
    pub progress: Option<String>,
    pub failed_reasons: Option<FailedReasons>,
}

/// A snapshot as `ListSnapshotDetails` shows it: with its cluster's status.
#[derive(Debug, Serialize, ToSchema)]
pub struct SnapshotDetail {
    #[serde(flatten)]
    pub snapshot: Snapshot,
    /// The source cluster's status now; null once it is gone.
    pub cluster_status: Option<ClusterStatus>,
}

/// `ListSnapshotDetails`.
#[derive(Debug, Serialize, ToSchema)]
pub struct OneSnapshot {
    pub snapshot: SnapshotDetail,
}

/// `ListSnapshots`.
#[derive(Debug, Serialize, ToSchema)]
pub struct SnapshotList {
    pub snapshots: Vec<Snapshot>,
    pub count: usize,
}

/// `ListClusterSnapshots`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClusterSnapshotList {
    /// The page.
    pub snapshots: Vec<Snapshot>,
    /// The cluster's snapshots, on every page.
    pub count: usize,
    pub project_id: String,
    pub cluster_id: Uuid,
}

/// One schedule of a policy.
#[derive(Debug, Deserialize, ToSchema)]
pub struct BackupStrategySpec {
    /// Keeps the strategy's place in its schedule when it names an existing one.
    #[schema(value_type = Option<String>)]
    pub policy_id: Option<String>,
    /// 1–64 characters (else DWS.5038); default `policy-N`.
    #[schema(value_type = Option<String>)]
    pub policy_name: Option<String>,
    /// A Quartz cron expression: seconds minutes hours day-of-month month day-of-week (else DWS.5038).
    #[schema(value_type = String, required = true, example = "0 0 2 * * ?")]
    pub backup_strategy: Option<String>,
    /// Only `full` (else DWS.5038).
    #[schema(value_type = Option<String>, example = "full")]
    pub backup_type: Option<String>,
    /// Only `cluster` (else DWS.5038).
    #[schema(value_type = Option<String>, example = "cluster")]
    pub backup_level: Option<String>,
}

/// The body of `CreateSnapshotPolicy`: replaces the cluster's policy.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SnapshotPolicyRequest {
    /// Days an automated snapshot is kept, 1–31 (else DWS.5038); default the current policy's, else 7.
    #[schema(value_type = Option<i64>, example = 7)]
    pub keep_day: Option<i64>,
    /// None: no automated snapshots.
    pub backup_strategies: Option<Vec<BackupStrategySpec>>,
    /// Default true.
    #[schema(value_type = Option<bool>)]
    pub auto_backup: Option<bool>,
}

/// A schedule of a policy, as `ListSnapshotPolicy` shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct BackupStrategy {
    pub policy_id: Uuid,
    pub policy_name: String,
    #[schema(example = "0 0 2 * * ?")]
    pub backup_strategy: String,
    /// Always `full`.
    pub backup_type: String,
    /// Always `cluster`.
    pub backup_level: String,
    /// ISO 8601 with `Z`; null if the expression never fires again.
    pub next_fire_time: Option<String>,
    pub update_time: String,
}

/// `ListSnapshotPolicy`: the policy (keep 7 days, no strategies, if none was set).
#[derive(Debug, Serialize, ToSchema)]
pub struct SnapshotPolicy {
    pub keep_day: u32,
    pub auto_backup: bool,
    pub backup_strategies: Vec<BackupStrategy>,
    /// Always null: no backup devices here.
    #[schema(value_type = Option<String>)]
    pub device_name: Option<String>,
    /// Always empty.
    pub server_ips: Vec<String>,
    #[schema(value_type = Option<String>)]
    pub server_port: Option<String>,
    #[schema(value_type = Option<String>)]
    pub backup_param: Option<String>,
    pub backup_strategy_cluster_type_limit_num: u32,
    pub backup_strategy_schema_type_limit_num: u32,
}
