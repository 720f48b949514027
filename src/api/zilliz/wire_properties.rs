//! Bodies of a cluster's property routes (labels, security groups, renames,
//! replicas, autoscaling) and of the cloud metadata routes.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::lenient;
use crate::core::vector_properties::{Autoscaling, RangeInput, ScalingRange};

/// `GET|PUT .../labels`.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
pub struct Labels {
    /// Keys 1-64 characters, values up to 256, at most 50 (a PUT replaces them all).
    #[schema(example = json!({"env": "ci"}))]
    pub labels: Option<BTreeMap<String, String>>,
}

/// `GET|PUT .../securityGroups`.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
pub struct SecurityGroups {
    /// Security group ids (a PUT replaces them all; recorded).
    #[schema(example = json!(["sg-0123"]))]
    pub ids: Option<Vec<String>>,
}

/// `POST .../modifyProperties` and `PATCH /v2/clusters/{clusterId}`.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ClusterProperties {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// `POST .../modifyReplica`.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
pub struct ModifyReplicaRequest {
    /// Replicas (1-8): a standalone Milvus serves one, so only 1 is accepted (others: 96903).
    #[serde(default, deserialize_with = "lenient::int", skip_serializing_if = "Option::is_none")]
    #[schema(example = 1)]
    pub replica: Option<i64>,
}

#[derive(Debug, Default, Clone, Serialize, Deserialize, ToSchema)]
pub struct ScheduleBody {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(example = "0 8 * * 1-5")]
    pub cron: Option<String>,
    #[serde(default, deserialize_with = "lenient::int", skip_serializing_if = "Option::is_none")]
    pub target: Option<i64>,
}

/// A range (`min`, `max`) or `schedules`; `{}` removes the setting.
#[derive(Debug, Default, Clone, Serialize, Deserialize, ToSchema)]
pub struct RangeBody {
    #[serde(default, deserialize_with = "lenient::int", skip_serializing_if = "Option::is_none")]
    pub min: Option<i64>,
    #[serde(default, deserialize_with = "lenient::int", skip_serializing_if = "Option::is_none")]
    pub max: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedules: Option<Vec<ScheduleBody>>,
}

impl From<RangeBody> for RangeInput {
    fn from(r: RangeBody) -> RangeInput {
        let schedules = r
            .schedules
            .unwrap_or_default()
            .into_iter()
            .map(|s| (s.timezone.unwrap_or_default(), s.cron.unwrap_or_default(), s.target.unwrap_or(0)))
            .collect();
        RangeInput { min: r.min, max: r.max, schedules }
    }
}

/// `autoscaling` of `modify` (recorded and shown, never acted on).
#[derive(Debug, Default, Clone, Serialize, Deserialize, ToSchema)]
pub struct AutoscalingBody {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cu: Option<RangeBody>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replica: Option<RangeBody>,
}

/// Autoscaling as a cluster shows it.
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct AutoscalingView {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cu: Option<RangeView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replica: Option<RangeView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RangeView {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<u32>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub schedules: Vec<ScheduleView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ScheduleView {
    pub timezone: String,
    pub cron: String,
    pub target: u32,
}

impl From<&ScalingRange> for RangeView {
    fn from(r: &ScalingRange) -> RangeView {
        let schedules = r.schedules.iter().map(|s| ScheduleView { timezone: s.timezone.clone(), cron: s.cron.clone(), target: s.target }).collect();
        RangeView { min: r.min, max: r.max, schedules }
    }
}

impl From<&Autoscaling> for AutoscalingView {
    fn from(a: &Autoscaling) -> AutoscalingView {
        AutoscalingView { cu: a.cu.as_ref().map(Into::into), replica: a.replica.as_ref().map(Into::into) }
    }
}

/// `GET /v2/clouds`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Cloud {
    #[schema(example = "aws")]
    pub cloud_id: String,
    #[schema(example = "Amazon Web Services")]
    pub description: String,
}

/// `GET /v2/regions`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Region {
    pub cloud_id: String,
    #[schema(example = "aws-us-west-2")]
    pub region_id: String,
    /// This server's Zilliz listener (the API domain of the region).
    pub domain: String,
}

/// The clouds (a list: the wrapper only names its schema).
#[derive(Debug, Serialize, ToSchema)]
#[serde(transparent)]
pub struct Clouds(pub Vec<Cloud>);

/// The regions (a list: the wrapper only names its schema).
#[derive(Debug, Serialize, ToSchema)]
#[serde(transparent)]
pub struct Regions(pub Vec<Region>);
