//! Handlers that change a running cluster: scale out (`resize`), scale in
//! (`cluster-shrink`), each one durable change task on the cluster's
//! PostgreSQL nodes, and the administrator's password (`reset-password`).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};

use super::openapi::{BAD_REQUEST, CLUSTER_ID, CONFLICT, PROJECT_ID, TAG_CLUSTERS};
use super::wire::{
    self, Empty, ErrorBody, JobAccepted, ResetPasswordRequest, ResizeClusterRequest, ShrinkAccepted, ShrinkClusterRequest, TimezoneRequest,
};
use super::{project, Caller, DwsError};
use crate::api::auth::RawBody;
use crate::api::Ctx;
use crate::core::validate::Scale;

type Ids = Path<(String, String)>;

#[utoipa::path(
    post, path = "/v1.0/{project_id}/clusters/{cluster_id}/resize", operation_id = "ResizeCluster", tag = TAG_CLUSTERS,
    summary = "Scale a cluster out",
    description = "Adds `scale_out.count` nodes: standbys cloned from the primary (pg_basebackup) that stream from it. \
        `task_status` is `GROWING` (and `action_progress` `{\"GROWING\": \"n%\"}`) until every new node streams, then \
        `number_of_node` counts them. A failure retires the nodes it added and leaves `task_status` `RESIZE_FAILURE` \
        until the next task. The cluster must be `AVAILABLE` with no task running.",
    params(("project_id" = String, Path, description = PROJECT_ID), ("cluster_id" = Uuid, Path, description = CLUSTER_ID)),
    request_body = ResizeClusterRequest,
    responses(
        (status = 200, description = "Accepted.", body = Empty),
        (status = 400, description = BAD_REQUEST, body = ErrorBody),
        (status = 404, description = "No such cluster (DWS.0047).", body = ErrorBody),
        (status = 409, description = CONFLICT, body = ErrorBody),
    ),
)]
pub async fn resize(
    State(ctx): State<Ctx>,
    Extension(caller): Caller,
    Path((pid, cid)): Ids,
    Extension(RawBody(body)): Extension<RawBody>,
) -> Result<Json<Empty>, DwsError> {
    let change = wire::resize_body(&body)?;
    scale(&ctx, &caller, &pid, &cid, change).await?;
    Ok(Json(Empty {}))
}

#[utoipa::path(
    post, path = "/v1.0/{project_id}/clusters/{cluster_id}/cluster-shrink", operation_id = "ShrinkCluster",
    tag = TAG_CLUSTERS,
    summary = "Scale a cluster in",
    description = "Retires `shrink_number` nodes, the newest standbys first: each is stopped and its files removed. \
        `task_status` is `CLUSTER_SHRINKING` until then; a failure leaves `CLUSTER_SHRINK_FAILED`, with \
        `number_of_node` counting the nodes that remain. The cluster keeps at least the minimum number of nodes \
        (DWS.5091 otherwise).",
    params(("project_id" = String, Path, description = PROJECT_ID), ("cluster_id" = Uuid, Path, description = CLUSTER_ID)),
    request_body = ShrinkClusterRequest,
    responses(
        (status = 202, description = "Accepted: the job retiring the nodes.", body = ShrinkAccepted),
        (status = 400, description = BAD_REQUEST, body = ErrorBody),
        (status = 404, description = "No such cluster (DWS.0047).", body = ErrorBody),
        (status = 409, description = CONFLICT, body = ErrorBody),
    ),
)]
pub async fn shrink(
    State(ctx): State<Ctx>,
    Extension(caller): Caller,
    Path((pid, cid)): Ids,
    Extension(RawBody(body)): Extension<RawBody>,
) -> Result<(StatusCode, Json<ShrinkAccepted>), DwsError> {
    let change = wire::shrink_body(&body)?;
    let job_id = scale(&ctx, &caller, &pid, &cid, change).await?;
    Ok((StatusCode::ACCEPTED, Json(ShrinkAccepted { job_id })))
}

#[utoipa::path(
    post, path = "/v1.0/{project_id}/clusters/{cluster_id}/reset-password", operation_id = "ResetPassword",
    tag = TAG_CLUSTERS,
    summary = "Reset the administrator's password",
    description = "Sets the administrator's password in PostgreSQL (`ALTER ROLE` with a SCRAM-SHA-256 verifier, on \
        the primary; the standbys replay it): a short durable job, after which the old password is refused. The \
        rules of `user_pwd` at create apply (DWS.5013); the password is neither stored nor logged.",
    params(("project_id" = String, Path, description = PROJECT_ID), ("cluster_id" = Uuid, Path, description = CLUSTER_ID)),
    request_body = ResetPasswordRequest,
    responses(
        (status = 200, description = "Accepted.", body = Empty),
        (status = 400, description = BAD_REQUEST, body = ErrorBody),
        (status = 404, description = "No such cluster (DWS.0047).", body = ErrorBody),
        (status = 409, description = CONFLICT, body = ErrorBody),
    ),
)]
pub async fn reset_password(
    State(ctx): State<Ctx>,
    Extension(caller): Caller,
    Path((pid, cid)): Ids,
    Extension(RawBody(body)): Extension<RawBody>,
) -> Result<Json<Empty>, DwsError> {
    let password = wire::reset_password_body(&body)?;
    let pid = project(&ctx, &caller, &pid).await?;
    let job = ctx.app.reset_password(&pid, wire::uuid(&cid)?, &password).await?;
    tracing::info!(cluster.id = %job.cluster_id, job.id = %job.id, "password reset accepted");
    Ok(Json(Empty {}))
}

#[utoipa::path(
    post, path = "/v2/{project_id}/clusters/{cluster_id}/timezone", operation_id = "ModifyClusterTimezone",
    tag = TAG_CLUSTERS,
    summary = "Change the timezone",
    description = "Sets every node's PostgreSQL `timezone` (each node's settings rewritten and reloaded; \
        `SHOW timezone` answers it): `task_status` `SETTING_CONFIGURATION` while the job runs; the cluster shows it \
        as `cluster_timezone`.",
    params(("project_id" = String, Path, description = PROJECT_ID), ("cluster_id" = Uuid, Path, description = CLUSTER_ID)),
    request_body = TimezoneRequest,
    responses(
        (status = 200, description = "Accepted: the job applying it.", body = JobAccepted),
        (status = 400, description = BAD_REQUEST, body = ErrorBody),
        (status = 404, description = "No such cluster (DWS.0047).", body = ErrorBody),
        (status = 409, description = CONFLICT, body = ErrorBody),
    ),
)]
pub async fn set_timezone(
    State(ctx): State<Ctx>,
    Extension(caller): Caller,
    Path((pid, cid)): Ids,
    Extension(RawBody(body)): Extension<RawBody>,
) -> Result<Json<JobAccepted>, DwsError> {
    let timezone = wire::timezone_body(&body)?;
    let pid = project(&ctx, &caller, &pid).await?;
    let job = ctx.app.set_timezone(&pid, wire::uuid(&cid)?, &timezone).await?;
    Ok(Json(JobAccepted { error_code: None, error_msg: None, job_id: job.id }))
}

async fn scale(ctx: &Ctx, caller: &crate::auth::Principal, pid: &str, cid: &str, change: Scale) -> Result<uuid::Uuid, DwsError> {
    let pid = project(ctx, caller, pid).await?;
    let job = ctx.app.scale(&pid, wire::uuid(cid)?, change).await?;
    tracing::info!(cluster.id = %job.cluster_id, job.id = %job.id, ?change, "scale accepted");
    Ok(job.id)
}
