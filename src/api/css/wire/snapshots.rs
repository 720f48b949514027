//! Index snapshot bodies: the snapshot function's settings and policy, a
//! snapshot's create and restore requests, the list.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::lenient;

/// `POST .../index_snapshot/setting` (snake_case as the SDK sends it, or camelCase).
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
pub struct SnapshotSettingRequest {
    /// Required: 3-63 lower-case letters, digits, `-` and `.`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "css-backups")]
    pub bucket: Option<String>,
    /// Required.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "css_obs_agency")]
    pub agency: Option<String>,
    #[serde(alias = "basePath", skip_serializing_if = "Option::is_none")]
    #[schema(example = "css_repository/demo")]
    pub base_path: Option<String>,
}

/// `POST .../index_snapshot/policy`.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
pub struct SnapshotPolicyRequest {
    /// Required: `"true"` or `"false"` (a Boolean is taken too).
    #[serde(default, deserialize_with = "lenient::bool", skip_serializing_if = "Option::is_none")]
    pub enable: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "snapshot")]
    pub prefix: Option<String>,
    /// `HH:mm GMT+HH:mm`, on the hour.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "00:00 GMT+08:00")]
    pub period: Option<String>,
    /// 1-90.
    #[serde(default, deserialize_with = "lenient::int", skip_serializing_if = "Option::is_none")]
    #[schema(example = 7)]
    pub keepday: Option<i64>,
    /// `DAY`, `HOUR` or `SUN`..`SAT`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frequency: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub indices: Option<String>,
    #[serde(alias = "deleteAuto", default, deserialize_with = "lenient::bool", skip_serializing_if = "Option::is_none")]
    pub delete_auto: Option<bool>,
}

/// `GET .../index_snapshot/policy`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SnapshotPolicyReply {
    pub agency: String,
    pub base_path: String,
    pub bucket: String,
    /// `"true"` or `"false"`, a string as CSS answers it.
    #[schema(example = "false")]
    pub enable: String,
    pub frequency: String,
    pub indices: String,
    pub keepday: u32,
    /// Recorded.
    #[schema(example = "40MB")]
    pub max_restore_bytes_per_seconds: String,
    #[schema(example = "40MB")]
    pub max_snapshot_bytes_per_seconds: String,
    pub period: String,
    pub prefix: String,
    /// Always null (no key encrypts snapshots).
    pub snapshot_cmk_id: Option<String>,
}

/// `POST .../index_snapshot`.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
pub struct CreateSnapshotRequest {
    /// 4-64 lower-case letters, digits, `-` and `_`, starting with a letter.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "snapshot-1")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub indices: Option<String>,
}

/// `GET .../index_snapshots`.
#[derive(Debug, Serialize, ToSchema)]
pub struct SnapshotList {
    /// Snapshots of the cluster (none can be taken on the engines strato runs here).
    #[schema(value_type = Vec<Object>)]
    pub backups: Vec<serde_json::Value>,
}
