//! Logstash pipeline bodies: CreatePipelines / UpdatePipelines take a JSON
//! array of pipelines; DescribePipeline and ListPipeline answer them.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::lenient;
use crate::core::pipeline::{Pipeline, PipelineInput};

/// One pipeline of a CreatePipelines / UpdatePipelines array.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PipelineBody {
    /// 1-64 letters, digits, `_` and `-`, starting with a letter or `_`; required.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "ingest")]
    pub pipeline_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The pipeline in Logstash's configuration language (required when creating).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "input { beats { port => 8000 } }\noutput { stdout {} }")]
    pub config: Option<String>,
    /// 1-64 (an integer, or a string holding one).
    #[serde(default, deserialize_with = "lenient::int", skip_serializing_if = "Option::is_none")]
    pub workers: Option<i64>,
    #[serde(default, deserialize_with = "lenient::int", skip_serializing_if = "Option::is_none")]
    #[schema(example = 125)]
    pub batch_size: Option<i64>,
    /// Milliseconds.
    #[serde(default, deserialize_with = "lenient::int", skip_serializing_if = "Option::is_none")]
    #[schema(example = 50)]
    pub batch_delay: Option<i64>,
    /// `MEMORY` or `PERSISTED`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "MEMORY")]
    pub queue_type: Option<String>,
    /// MB.
    #[serde(default, deserialize_with = "lenient::int", skip_serializing_if = "Option::is_none")]
    #[schema(example = 1024)]
    pub queue_max_bytes: Option<i64>,
    #[serde(default, deserialize_with = "lenient::int", skip_serializing_if = "Option::is_none")]
    #[schema(example = 1024)]
    pub queue_check_point_writes: Option<i64>,
    /// Accepted and ignored (the `trigger` query parameter deploys).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pipeline_status: Option<String>,
}

impl From<PipelineBody> for PipelineInput {
    fn from(b: PipelineBody) -> PipelineInput {
        PipelineInput {
            id: b.pipeline_id,
            description: b.description,
            config: b.config,
            workers: b.workers,
            batch_size: b.batch_size,
            batch_delay: b.batch_delay,
            queue_type: b.queue_type,
            queue_max_bytes: b.queue_max_bytes,
            queue_checkpoint_writes: b.queue_check_point_writes,
        }
    }
}

/// `NOT_DEPLOYED` (saved) or `RUNNING` (in every member's configuration).
fn status(p: &Pipeline) -> String {
    if p.deployed { "RUNNING" } else { "NOT_DEPLOYED" }.into()
}

fn time(ms: crate::core::Millis) -> String {
    chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default().format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// One pipeline in ListPipeline.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PipelineSummary {
    #[schema(example = "2024-05-01T12:00:00.000Z")]
    pub gmt_created_time: String,
    pub gmt_update_time: String,
    pub pipeline_id: String,
    /// `NOT_DEPLOYED` or `RUNNING`.
    #[schema(example = "RUNNING")]
    pub pipeline_status: String,
}

impl From<&Pipeline> for PipelineSummary {
    fn from(p: &Pipeline) -> PipelineSummary {
        PipelineSummary { gmt_created_time: time(p.created_at), gmt_update_time: time(p.updated_at), pipeline_id: p.id.clone(), pipeline_status: status(p) }
    }
}

/// DescribePipeline: settings not given are Logstash's defaults and left out, as Alibaba leaves them out.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PipelineDetail {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch_delay: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch_size: Option<u32>,
    pub config: String,
    pub description: String,
    pub gmt_created_time: String,
    pub gmt_update_time: String,
    pub pipeline_id: String,
    /// `NOT_DEPLOYED` or `RUNNING`.
    pub pipeline_status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue_check_point_writes: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue_max_bytes: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue_type: Option<String>,
    /// strato's: present when the members' engine is a stand-in that keeps
    /// pipelines without running them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strato_note: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workers: Option<u32>,
}

impl PipelineDetail {
    pub fn of(p: &Pipeline, note: Option<String>) -> PipelineDetail {
        PipelineDetail {
            batch_delay: p.batch_delay,
            batch_size: p.batch_size,
            config: p.config.clone(),
            description: p.description.clone(),
            gmt_created_time: time(p.created_at),
            gmt_update_time: time(p.updated_at),
            pipeline_id: p.id.clone(),
            pipeline_status: status(p),
            queue_check_point_writes: p.queue_checkpoint_writes,
            queue_max_bytes: p.queue_max_bytes,
            queue_type: p.queue_type.map(|q| q.as_str().into()),
            strato_note: note,
            workers: p.workers,
        }
    }
}

/// DescribePipelineManagementConfig: pipelines are managed here, one file each.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PipelineManagementConfig {
    /// No Elasticsearch instance holds the pipelines (`MULTIPLE_PIPELINE` management).
    pub endpoints: Vec<String>,
    pub es_instance_id: String,
    /// Always `MULTIPLE_PIPELINE`.
    #[schema(example = "MULTIPLE_PIPELINE")]
    pub pipeline_management_type: String,
    pub pipeline_ids: Vec<String>,
    pub user_name: String,
}

/// `POST /openapi/logstashes/{id}/pipeline-management-config`.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PipelineManagementRequest {
    /// `MULTIPLE_PIPELINE` (configuration files: what strato does) or `ES` (Kibana management: not run here).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "MULTIPLE_PIPELINE")]
    pub pipeline_management_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub es_instance_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endpoints: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_name: Option<String>,
    /// Never stored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pipeline_ids: Option<Vec<String>>,
}
