//! Logstash pipelines (`/openapi/logstashes/{id}/pipelines`): saved on the
//! instance; `trigger=true` (or RunPipelines) deploys them, a change task that
//! restarts every member with them in its configuration (`activating` until
//! done). On a Logstash stand-in they are kept, not run (the answers say so).

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::{Extension, Json};
use uuid::Uuid;

use super::instances::{act, flag, reply, target, Answer, Kind, Logstash as Ls, Params, Result};
use super::openapi::{LS_ID, NOT_FOUND_OR_STATE, TAG_LOGSTASH};
use super::wire::{self, ErrorBody, ListReply, PipelineBody, PipelineDetail, PipelineManagementConfig, PipelineManagementRequest, PipelineSummary, Reply, TotalCount};
use super::request_id;
use crate::api::auth::RawBody;
use crate::api::Ctx;
use crate::auth::Principal;
use crate::core::error::Field;
use crate::core::pipeline::{Pipeline, PipelineEdit};
use crate::core::CoreError;

type Caller = Extension<Principal>;
type Body = Extension<RawBody>;

const STAND_IN: &str = "kept and written to the members, not run: this server's Logstash engine is a stand-in (README)";
const CLIENT_TOKEN: &str = "Idempotency, as `clientToken` elsewhere (CreatePipelines and DeletePipelines spell it `ClientToken`).";

/// The SDK spells the token `ClientToken` for some of these calls.
fn with_token(mut q: Params) -> Params {
    if let Some(t) = q.remove("ClientToken") {
        q.entry("clientToken".into()).or_insert(t);
    }
    q
}

/// Ids in a query or body: a JSON array, or comma-separated.
fn ids(text: &str) -> std::result::Result<Vec<String>, CoreError> {
    let t = text.trim();
    if t.starts_with('[') {
        return serde_json::from_str(t).map_err(|e| CoreError::invalid(Field::Pipeline, format!("pipeline ids must be a JSON array of strings: {e}")));
    }
    Ok(t.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect())
}

/// The instance's pipelines, as saved.
async fn saved(ctx: &Ctx, project: &str, uuid: Uuid) -> Result<Vec<Pipeline>> {
    let view = ctx.app.show(project, uuid, Ls::PRODUCT).await?;
    Ok(view.cluster.spec.search().map(|s| s.pipelines.clone()).unwrap_or_default())
}

async fn edit(ctx: Ctx, caller: Principal, id: String, q: Params, body: Bytes, name: &str, decide: fn(&Bytes, &Params) -> std::result::Result<(PipelineEdit, bool), CoreError>) -> Answer<bool> {
    let q = with_token(q);
    let (ctx, b, q) = (&ctx, &body, &q);
    act::<Ls, _, _, _>(ctx, caller, &id, q, b, name, |project, uuid| async move {
        let (edit, deploy) = decide(b, q)?;
        ctx.app.edit_pipelines(&project, uuid, Ls::PRODUCT, edit, deploy).await?;
        Ok(true)
    })
    .await
}

fn bodies(b: &Bytes) -> std::result::Result<Vec<crate::core::pipeline::PipelineInput>, CoreError> {
    Ok(wire::decode_list::<PipelineBody>(b)?.into_iter().map(Into::into).collect())
}

fn trigger(q: &Params) -> std::result::Result<bool, CoreError> {
    flag(q, "trigger").map_err(|_| CoreError::invalid(Field::Pipeline, "trigger must be true or false"))
}

#[utoipa::path(
    post, path = "/openapi/logstashes/{id}/pipelines", operation_id = "CreatePipelines", tag = TAG_LOGSTASH,
    summary = "Create pipelines",
    description = "Saves new pipelines (a JSON array; at most 20 per instance, ids not yet used). With `trigger=true` \
        they are deployed: every member is restarted, one at a time, with them in its configuration (`activating` \
        until done, then `RUNNING`); else `NOT_DEPLOYED`.",
    params(
        ("id" = String, Path, description = LS_ID),
        ("trigger" = Option<bool>, Query, description = "Deploy them too."),
        ("ClientToken" = Option<String>, Query, description = CLIENT_TOKEN),
    ),
    request_body = Vec<PipelineBody>,
    responses(
        (status = 200, description = "Saved (and, with trigger, being deployed).", body = Reply<bool>),
        (status = 400, description = NOT_FOUND_OR_STATE, body = ErrorBody),
    ),
)]
pub async fn create(State(ctx): State<Ctx>, Extension(c): Caller, Path(id): Path<String>, Query(q): Query<Params>, Extension(RawBody(b)): Body) -> Answer<bool> {
    edit(ctx, c, id, q, b, "create-pipelines", |b, q| Ok((PipelineEdit::Create(bodies(b)?), trigger(q)?))).await
}

#[utoipa::path(
    put, path = "/openapi/logstashes/{id}/pipelines", operation_id = "UpdatePipelines", tag = TAG_LOGSTASH,
    summary = "Change pipelines",
    description = "Changes saved pipelines (a JSON array; each id must exist; what a pipeline does not say stays). With \
        `trigger=true` they are deployed as CreatePipelines deploys.",
    params(
        ("id" = String, Path, description = LS_ID),
        ("trigger" = Option<bool>, Query, description = "Deploy them too."),
        ("clientToken" = Option<String>, Query, description = CLIENT_TOKEN),
    ),
    request_body = Vec<PipelineBody>,
    responses(
        (status = 200, description = "Saved (and, with trigger, being deployed).", body = Reply<bool>),
        (status = 400, description = NOT_FOUND_OR_STATE, body = ErrorBody),
    ),
)]
pub async fn update(State(ctx): State<Ctx>, Extension(c): Caller, Path(id): Path<String>, Query(q): Query<Params>, Extension(RawBody(b)): Body) -> Answer<bool> {
    edit(ctx, c, id, q, b, "update-pipelines", |b, q| Ok((PipelineEdit::Update(bodies(b)?), trigger(q)?))).await
}

#[utoipa::path(
    delete, path = "/openapi/logstashes/{id}/pipelines", operation_id = "DeletePipelines", tag = TAG_LOGSTASH,
    summary = "Delete pipelines",
    description = "Deletes the pipelines of `pipelineIds` (comma-separated or a JSON array; each must exist). A \
        deployed one is taken out of every member's configuration by a restart of each.",
    params(
        ("id" = String, Path, description = LS_ID),
        ("pipelineIds" = String, Query, description = "The pipelines."),
        ("ClientToken" = Option<String>, Query, description = CLIENT_TOKEN),
    ),
    responses(
        (status = 200, description = "Deleted.", body = Reply<bool>),
        (status = 400, description = NOT_FOUND_OR_STATE, body = ErrorBody),
    ),
)]
pub async fn delete(State(ctx): State<Ctx>, Extension(c): Caller, Path(id): Path<String>, Query(q): Query<Params>, Extension(RawBody(b)): Body) -> Answer<bool> {
    edit(ctx, c, id, q, b, "delete-pipelines", |_, q| Ok((PipelineEdit::Delete(ids(q.get("pipelineIds").map(String::as_str).unwrap_or(""))?), false))).await
}

#[utoipa::path(
    post, path = "/openapi/logstashes/{id}/pipelines/action/run", operation_id = "RunPipelines", tag = TAG_LOGSTASH,
    summary = "Deploy pipelines",
    description = "Deploys saved pipelines (the body: a JSON array of ids) as CreatePipelines' `trigger` does.",
    params(("id" = String, Path, description = LS_ID), ("ClientToken" = Option<String>, Query, description = CLIENT_TOKEN)),
    request_body = Vec<String>,
    responses(
        (status = 200, description = "Being deployed.", body = Reply<bool>),
        (status = 400, description = NOT_FOUND_OR_STATE, body = ErrorBody),
    ),
)]
pub async fn run(State(ctx): State<Ctx>, Extension(c): Caller, Path(id): Path<String>, Query(q): Query<Params>, Extension(RawBody(b)): Body) -> Answer<bool> {
    edit(ctx, c, id, q, b, "run-pipelines", |b, _| Ok((PipelineEdit::Run(wire::decode_list(b)?, true), false))).await
}

#[utoipa::path(
    post, path = "/openapi/logstashes/{id}/pipelines/action/stop", operation_id = "StopPipelines", tag = TAG_LOGSTASH,
    summary = "Stop pipelines",
    description = "Takes deployed pipelines (the body: a JSON array of ids) out of every member's configuration; they \
        stay saved, `NOT_DEPLOYED`.",
    params(("id" = String, Path, description = LS_ID), ("ClientToken" = Option<String>, Query, description = CLIENT_TOKEN)),
    request_body = Vec<String>,
    responses(
        (status = 200, description = "Being stopped.", body = Reply<bool>),
        (status = 400, description = NOT_FOUND_OR_STATE, body = ErrorBody),
    ),
)]
pub async fn stop(State(ctx): State<Ctx>, Extension(c): Caller, Path(id): Path<String>, Query(q): Query<Params>, Extension(RawBody(b)): Body) -> Answer<bool> {
    edit(ctx, c, id, q, b, "stop-pipelines", |b, _| Ok((PipelineEdit::Run(wire::decode_list(b)?, false), false))).await
}

#[utoipa::path(
    get, path = "/openapi/logstashes/{id}/pipelines", operation_id = "ListPipeline", tag = TAG_LOGSTASH,
    summary = "List pipelines",
    params(
        ("id" = String, Path, description = LS_ID),
        ("pipelineId" = Option<String>, Query, description = "Only this pipeline."),
        ("page" = Option<u32>, Query, minimum = 1, maximum = 200, description = "The page, from 1."),
        ("size" = Option<u32>, Query, minimum = 1, maximum = 200, description = "Pipelines per page (20 by default)."),
    ),
    responses(
        (status = 200, description = "A page of pipelines.", body = ListReply<PipelineSummary>,
         headers(("X-Total-Count" = u64, description = "Pipelines matching."))),
        (status = 400, description = "No such instance (InstanceNotFound), a bad page or size (InvalidParameter), or a signature refusal.", body = ErrorBody),
    ),
)]
pub async fn list(State(ctx): State<Ctx>, Extension(c): Caller, Path(id): Path<String>, Query(q): Query<Params>) -> Result<(HeaderMap, Json<ListReply<PipelineSummary>>)> {
    let number = |key: &str, default: usize| -> std::result::Result<usize, CoreError> {
        match q.get(key) {
            None => Ok(default),
            Some(v) => v.trim().parse::<usize>().ok().filter(|n| (1..=200).contains(n)).ok_or_else(|| CoreError::MalformedBody(format!("{key} must be an integer between 1 and 200, got `{v}`"))),
        }
    };
    let (page, size) = (number("page", 1)?, number("size", 20)?);
    let (project, uuid) = target(&ctx, &c, Ls::PRODUCT, &id).await?;
    let all: Vec<Pipeline> = saved(&ctx, &project, uuid).await?.into_iter().filter(|p| q.get("pipelineId").is_none_or(|w| *w == p.id)).collect();
    let total = all.len() as u64;
    let result = all.iter().skip((page - 1) * size).take(size).map(PipelineSummary::from).collect();
    let mut headers = HeaderMap::new();
    headers.insert("x-total-count", total.into());
    Ok((headers, Json(ListReply { headers: TotalCount { total }, request_id: request_id(), result })))
}

#[utoipa::path(
    get, path = "/openapi/logstashes/{id}/pipelines/{pipelineId}", operation_id = "DescribePipeline", tag = TAG_LOGSTASH,
    summary = "Describe a pipeline",
    params(("id" = String, Path, description = LS_ID), ("pipelineId" = String, Path, description = "The pipeline.")),
    responses(
        (status = 200, description = "The pipeline.", body = Reply<PipelineDetail>),
        (status = 400, description = "No such instance (InstanceNotFound) or pipeline (InvalidParameter), or a signature refusal.", body = ErrorBody),
    ),
)]
pub async fn describe(State(ctx): State<Ctx>, Extension(c): Caller, Path((id, pipeline)): Path<(String, String)>) -> Answer<PipelineDetail> {
    let (project, uuid) = target(&ctx, &c, Ls::PRODUCT, &id).await?;
    let found = saved(&ctx, &project, uuid).await?.into_iter().find(|p| p.id == pipeline);
    let p = found.ok_or_else(|| CoreError::invalid(Field::Pipeline, format!("pipeline `{pipeline}` does not exist")))?;
    let note = (!ctx.app.runs_pipelines()).then(|| STAND_IN.to_string());
    Ok(reply(PipelineDetail::of(&p, note)))
}

#[utoipa::path(
    get, path = "/openapi/logstashes/{id}/pipeline-management-config", operation_id = "DescribePipelineManagementConfig", tag = TAG_LOGSTASH,
    summary = "How the instance's pipelines are managed",
    description = "Here: `MULTIPLE_PIPELINE`, through these APIs (no Kibana central management).",
    params(("id" = String, Path, description = LS_ID)),
    responses(
        (status = 200, description = "The management configuration.", body = Reply<PipelineManagementConfig>),
        (status = 400, description = "No such instance (InstanceNotFound), or a signature refusal.", body = ErrorBody),
    ),
)]
pub async fn management(State(ctx): State<Ctx>, Extension(c): Caller, Path(id): Path<String>) -> Answer<PipelineManagementConfig> {
    let (project, uuid) = target(&ctx, &c, Ls::PRODUCT, &id).await?;
    let pipeline_ids = saved(&ctx, &project, uuid).await?.into_iter().map(|p| p.id).collect();
    Ok(reply(PipelineManagementConfig {
        endpoints: vec![],
        es_instance_id: String::new(),
        pipeline_management_type: "MULTIPLE_PIPELINE".into(),
        pipeline_ids,
        user_name: String::new(),
    }))
}

#[utoipa::path(
    post, path = "/openapi/logstashes/{id}/pipeline-management-config", operation_id = "UpdatePipelineManagementConfig", tag = TAG_LOGSTASH,
    summary = "Choose how the instance's pipelines are managed",
    description = "`MULTIPLE_PIPELINE` (configuration files, through these APIs) is how strato manages them: nothing \
        changes. `ES` (Kibana central management) needs a Kibana, which strato does not run (OperationNotEmulated).",
    params(("id" = String, Path, description = LS_ID), ("clientToken" = Option<String>, Query, description = CLIENT_TOKEN)),
    request_body = PipelineManagementRequest,
    responses(
        (status = 200, description = "Kept.", body = Reply<bool>),
        (status = 400, description = NOT_FOUND_OR_STATE, body = ErrorBody),
    ),
)]
pub async fn set_management(State(ctx): State<Ctx>, Extension(c): Caller, Path(id): Path<String>, Query(q): Query<Params>, Extension(RawBody(b)): Body) -> Answer<bool> {
    let (ctx, body) = (&ctx, &b);
    act::<Ls, _, _, _>(ctx, c, &id, &q, body, "pipeline-management-config", |project, uuid| async move {
        let asked: PipelineManagementRequest = wire::decode(body)?;
        match asked.pipeline_management_type.as_deref().map(str::trim) {
            None | Some("MULTIPLE_PIPELINE") => {}
            Some("ES") => return Err(CoreError::NotEmulated("Kibana pipeline management (strato runs no Kibana)".into()).into()),
            Some(other) => return Err(CoreError::invalid(Field::Pipeline, format!("pipelineManagementType must be MULTIPLE_PIPELINE or ES, got `{other}`")).into()),
        }
        ctx.app.show(&project, uuid, Ls::PRODUCT).await?;
        Ok(true)
    })
    .await
}
