//! Zilliz v2 wire types: every request and response body, the query
//! parameters and the two envelopes. `render.rs` builds the responses, the
//! handlers decode the requests, and `openapi.rs` derives the document from
//! the same types, so what is served is what is documented.
//!
//! Requests: unknown fields are ignored; a known field of the wrong JSON type
//! is refused with the code of that field.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::ZillizError;
use crate::api::BodyError;
use crate::core::error::Field;
use crate::core::vector::{CuType, Offering, Plan};
use crate::core::CoreError;

/// The body of `createDedicated`.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateDedicatedClusterRequest {
    /// 1–64 letters, digits and hyphens, unique in the project (96010, 96017).
    #[schema(value_type = String, required = true, example = "cluster-01")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster_name: Option<String>,
    /// The project the API key is scoped to (96005 if missing, 96012 if another).
    #[schema(value_type = String, required = true, example = "proj-4b6ff0e6c1d34b2b9a5e")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub project_id: Option<String>,
    /// One of the regions the server offers (`--vector-regions`, default Zilliz Cloud's list; else 96001).
    #[schema(value_type = String, required = true, example = "aws-us-west-2")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region_id: Option<String>,
    /// `Standard` (the default) or `Enterprise` (else 96004).
    #[schema(value_type = Option<String>, example = "Standard")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plan: Option<String>,
    /// `Performance-optimized` (the default) or `Capacity-optimized` (else 96003).
    #[schema(value_type = Option<String>, example = "Performance-optimized")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cu_type: Option<String>,
    /// Compute units, 1–256 (else 96002); one CU is one CPU of the Milvus process.
    #[schema(value_type = i64, required = true, minimum = 1, maximum = 256, example = 1)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cu_size: Option<i64>,
    /// Free text, at most 256 characters, no control characters (else 80000).
    #[schema(value_type = Option<String>)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// The body of `createServerless` and `createFree`: these have no size of their own.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateServerlessClusterRequest {
    /// 1–64 letters, digits and hyphens, unique in the project (96010, 96017).
    #[schema(value_type = String, required = true, example = "cluster-01")]
    pub cluster_name: Option<String>,
    /// The project the API key is scoped to (96005 if missing, 96012 if another).
    #[schema(value_type = String, required = true, example = "proj-4b6ff0e6c1d34b2b9a5e")]
    pub project_id: Option<String>,
    /// One of the regions the server offers (else 96001).
    #[schema(value_type = String, required = true, example = "aws-us-west-2")]
    pub region_id: Option<String>,
    /// Free text, at most 256 characters, no control characters (else 80000).
    #[schema(value_type = Option<String>)]
    pub description: Option<String>,
}

impl From<CreateServerlessClusterRequest> for CreateDedicatedClusterRequest {
    fn from(r: CreateServerlessClusterRequest) -> Self {
        let CreateServerlessClusterRequest { cluster_name, project_id, region_id, description } = r;
        CreateDedicatedClusterRequest { cluster_name, project_id, region_id, description, ..Default::default() }
    }
}

/// The body of `modify`: a new size, or autoscaling settings (not both).
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ModifyClusterRequest {
    /// The new size in compute units, 1–256 (else 96002).
    #[schema(value_type = Option<i64>, minimum = 1, maximum = 256, example = 2)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cu_size: Option<i64>,
    /// Replicas: a standalone Milvus serves one (another number: 96903).
    #[serde(default, deserialize_with = "crate::api::lenient::int", skip_serializing_if = "Option::is_none")]
    pub replica: Option<i64>,
    /// Recorded and shown (`{}` for a part removes it); strato never scales by it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub autoscaling: Option<super::wire_properties::AutoscalingBody>,
}

/// `GET /v2/clusters`. Strings underneath: a value that is not a number in
/// range is refused with the parameter's own code, not as a malformed query.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct ListClustersQuery {
    /// Clusters per page, 1–100 (else 96008).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100, default = 10)]
    pub page_size: Option<String>,
    /// The page, from 1 (else 96009).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 2147483647, default = 1)]
    pub current_page: Option<String>,
    /// Only the clusters of this project.
    pub project_id: Option<String>,
}

/// `{"code":0,"data":...}`: every success.
#[derive(Debug, Serialize, ToSchema)]
pub struct Success<T> {
    /// Always 0.
    #[schema(minimum = 0, maximum = 0)]
    pub code: u32,
    pub data: T,
}

impl<T> Success<T> {
    pub fn new(data: T) -> Self {
        Success { code: 0, data }
    }
}

/// `{"code":N,"message":"..."}`: every refusal, whoever made it. The codes
/// and their HTTP statuses are listed in this schema's description in the
/// document (generated from `error::CODES`).
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub code: u32,
    pub message: String,
}

/// What a 200 carries: Zilliz answers request errors with HTTP 200 too, so a
/// client tells them apart by `code` (0 or not).
#[derive(ToSchema)]
#[serde(untagged)]
#[expect(dead_code, reason = "a schema only: a handler answers Success<T> or a ZillizError")]
pub enum Reply<T> {
    Success(Success<T>),
    Error(ErrorBody),
}

/// `createDedicated`, `createServerless`, `createFree`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreatedCluster {
    #[schema(example = "in01-0f1e2d3c4b5a69788796a5b4c3d2e1f0")]
    pub cluster_id: String,
    /// The cluster's administrator, `db_admin`.
    pub username: String,
    /// The administrator's password, shown only here.
    pub password: String,
    pub prompt: String,
}

/// `suspend`, `resume`, `modify` and `drop`: accepted, the cluster's status shows the progress.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ClusterAccepted {
    #[schema(example = "in01-0f1e2d3c4b5a69788796a5b4c3d2e1f0")]
    pub cluster_id: String,
    pub prompt: String,
}

/// A cluster's status: what its job is doing, else what its processes do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ClusterStatus {
    Creating,
    Running,
    Stopping,
    Stopped,
    Resuming,
    Modifying,
    Deleting,
    Deleted,
    Abnormal,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub enum PlanName {
    Free,
    Serverless,
    Standard,
    Enterprise,
}

impl From<Plan> for PlanName {
    fn from(p: Plan) -> Self {
        match p {
            Plan::Free => PlanName::Free,
            Plan::Serverless => PlanName::Serverless,
            Plan::Standard => PlanName::Standard,
            Plan::Enterprise => PlanName::Enterprise,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub enum CuTypeName {
    #[serde(rename = "Performance-optimized")]
    PerformanceOptimized,
    #[serde(rename = "Capacity-optimized")]
    CapacityOptimized,
}

impl From<CuType> for CuTypeName {
    fn from(c: CuType) -> Self {
        match c {
            CuType::PerformanceOptimized => CuTypeName::PerformanceOptimized,
            CuType::CapacityOptimized => CuTypeName::CapacityOptimized,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub enum DeploymentOption {
    Free,
    Serverless,
    Dedicated,
}

impl From<Offering> for DeploymentOption {
    fn from(o: Offering) -> Self {
        match o {
            Offering::Free => DeploymentOption::Free,
            Offering::Serverless => DeploymentOption::Serverless,
            Offering::Dedicated => DeploymentOption::Dedicated,
        }
    }
}

/// `GET /v2/clusters/{clusterId}`, and each entry of a list.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Cluster {
    #[schema(example = "in01-0f1e2d3c4b5a69788796a5b4c3d2e1f0")]
    pub cluster_id: String,
    pub cluster_name: String,
    pub project_id: String,
    pub description: String,
    pub region_id: String,
    pub cu_type: CuTypeName,
    pub plan: PlanName,
    pub deployment_option: DeploymentOption,
    pub status: ClusterStatus,
    /// The Milvus endpoint, `http://ADDRESS:PORT` (gRPC and REST).
    pub connect_address: String,
    /// Always empty: there are no private links.
    pub private_link_address: String,
    /// 0 for free and serverless clusters.
    pub cu_size: u32,
    /// Bytes the cluster's files took when last measured.
    pub storage_size: u64,
    pub snapshot_number: u32,
    /// 0–100.
    #[schema(maximum = 100)]
    pub create_progress: u32,
    /// ISO 8601, UTC.
    #[schema(example = "2024-05-01T12:00:00Z")]
    pub create_time: String,
    /// Always 1: a standalone Milvus serves one replica.
    pub replica: u32,
    /// The recorded autoscaling settings (`{}` without).
    pub autoscaling: super::wire_properties::AutoscalingView,
}

/// `GET /v2/clusters`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ClusterPage {
    /// Clusters in the project, on every page.
    pub count: u64,
    pub current_page: u64,
    pub page_size: u64,
    pub clusters: Vec<Cluster>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum JobType {
    CreateCluster,
    SuspendCluster,
    ResumeCluster,
    ModifyCluster,
    DropCluster,
    RestartCluster,
    RepairCluster,
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum JobStatus {
    Pending,
    InProgress,
    Successful,
    Failed,
}

/// `GET /v2/jobs/{jobId}`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Job {
    #[schema(example = "job-0f1e2d3c4b5a69788796a5b4c3d2e1f0")]
    pub job_id: String,
    #[serde(rename = "type")]
    pub kind: JobType,
    pub status: JobStatus,
    /// 0–100.
    #[schema(maximum = 100)]
    pub progress: u32,
    /// ISO 8601, UTC; null until the job starts.
    pub start_time: Option<String>,
    /// ISO 8601, UTC; null until the job ends.
    pub end_time: Option<String>,
    /// Why the job failed; empty otherwise.
    pub reason: String,
}

/// Decodes a body, reporting a wrong type as the invalid value of its field.
pub fn decode<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ZillizError> {
    crate::api::decode_body(body).map_err(refusal)
}

fn refusal(e: BodyError) -> ZillizError {
    let field = match e.field() {
        "clusterName" => Field::Name,
        "regionId" => Field::Region,
        "cuSize" => Field::CuSize,
        "cuType" => Field::CuType,
        "plan" => Field::Plan,
        "description" => Field::Description,
        "projectId" => return ZillizError::MissingProject,
        _ => return ZillizError::BadBody(e.to_string()),
    };
    ZillizError::Core(CoreError::invalid(field, format!("Invalid parameter {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrong_types_are_the_field_s_own_error() {
        let field = |body: &str| match decode::<CreateDedicatedClusterRequest>(body.as_bytes()) {
            Err(ZillizError::Core(CoreError::Invalid { field, .. })) => Some(field),
            _ => None,
        };
        assert_eq!(field(r#"{"clusterName":738}"#), Some(Field::Name));
        assert_eq!(field(r#"{"cuSize":"2"}"#), Some(Field::CuSize));
        assert_eq!(field(r#"{"description":[]}"#), Some(Field::Description));
        assert!(matches!(decode::<CreateDedicatedClusterRequest>(br#"{"projectId":1}"#), Err(ZillizError::MissingProject)));
        assert!(matches!(decode::<CreateDedicatedClusterRequest>(b"[]"), Err(ZillizError::BadBody(_))));
        let ok: CreateDedicatedClusterRequest = decode(br#"{"clusterName":"a","cuSize":2,"replica":1}"#).unwrap();
        assert_eq!((ok.cluster_name.as_deref(), ok.cu_size), (Some("a"), Some(2)));
    }

    #[test]
    fn envelopes_keep_their_field_names() {
        let ok = serde_json::to_value(Success::new(ClusterAccepted { cluster_id: "in01-x".into(), prompt: "p".into() })).unwrap();
        assert_eq!(ok, serde_json::json!({"code": 0, "data": {"clusterId": "in01-x", "prompt": "p"}}));
        let err = serde_json::to_value(ErrorBody { code: 96018, message: "m".into() }).unwrap();
        assert_eq!(err, serde_json::json!({"code": 96018, "message": "m"}));
        assert_eq!(serde_json::to_value(JobType::CreateCluster).unwrap(), "CREATE_CLUSTER");
        assert_eq!(serde_json::to_value(CuTypeName::CapacityOptimized).unwrap(), "Capacity-optimized");
    }
}
