//! Bodies of the parameter APIs (`ListClusterConfigurations`,
//! `ListClusterConfigurationsParameter`, `UpdateConfiguration`) and of
//! `ListEvents`.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::decode;
use crate::core::parameters::Assignment;
use crate::core::CoreError;

/// One parameter group of a cluster.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClusterConfiguration {
    pub id: String,
    #[schema(example = "parameterGroupFor_3bc94408-265d-4076-8c6d-cc35ebc2c747")]
    pub name: String,
    /// `hiddenParameterGroup`: the group the API changes.
    #[schema(example = "hiddenParameterGroup")]
    pub r#type: String,
    /// `In-Sync`, `Applying`, `Pending-Reboot` (a changed parameter applies at the next restart) or `Sync-Failure`.
    #[schema(example = "In-Sync")]
    pub status: String,
    /// Why the last change failed (`Sync-Failure`), else null.
    #[schema(value_type = Option<String>)]
    pub fail_reason: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConfigurationList {
    pub configurations: Vec<ClusterConfiguration>,
}

/// A parameter's value on the nodes of one role.
#[derive(Debug, Serialize, ToSchema)]
pub struct ParameterUnit {
    /// `cn` or `dn`.
    #[schema(example = "cn")]
    pub r#type: String,
    pub value: String,
    pub default_value: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConfigurationParameter {
    #[schema(example = "work_mem")]
    pub name: String,
    pub values: Vec<ParameterUnit>,
    #[schema(example = "kB")]
    pub unit: String,
    /// `boolean`, `integer`, `float`, `string` or `list`.
    #[schema(example = "integer")]
    pub r#type: String,
    pub readonly: bool,
    #[schema(example = "64-2147483647")]
    pub value_range: String,
    pub restart_required: bool,
    pub description: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ParameterList {
    pub configurations: Vec<ConfigurationParameter>,
}

/// `{"configurations": [{"type": "cn"|"dn", "name", "value"}]}`.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct UpdateConfigurationRequest {
    pub configurations: Vec<ParameterValue>,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct ParameterValue {
    pub r#type: String,
    pub name: String,
    pub value: String,
}

/// The assignments of an `UpdateConfiguration` body.
pub fn parameter_assignments(body: &[u8]) -> Result<Vec<Assignment>, CoreError> {
    let r: UpdateConfigurationRequest = decode(body)?;
    Ok(r.configurations.into_iter().map(|p| Assignment { role: p.r#type, name: p.name, value: p.value }).collect())
}

/// `?offset=&limit=` of `ListEvents`: a page number from 0 and its size.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventQuery {
    /// The page, from 0 (default 0).
    #[param(value_type = Option<u64>)]
    pub offset: Option<String>,
    /// Events per page, 1–1000 (default 1000).
    #[param(value_type = Option<u64>)]
    pub limit: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EventView {
    /// `management`, `monitor` or `security`.
    pub category: String,
    /// The event's text with `%s` for its cluster.
    pub description: String,
    pub event_id: String,
    #[schema(example = "createClusterSuccess")]
    pub name: String,
    pub display_name: String,
    #[schema(example = "dws")]
    pub name_space: String,
    /// `normal` or `warning`.
    pub severity: String,
    /// `cluster` or `backup`.
    pub source_type: String,
    /// Milliseconds since the epoch.
    pub occur_time: i64,
    pub project_id: String,
    pub source_id: String,
    pub source_name: String,
    /// 1 (saved) or 2 (processed); strato's are all 2.
    pub status: i32,
    pub subject: String,
    /// The description with the cluster filled in, and what strato recorded.
    pub context: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EventList {
    pub events: Vec<EventView>,
    pub count: u64,
}
