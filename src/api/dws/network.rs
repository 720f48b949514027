//! Handlers of a cluster's public endpoints: an EIP and an ELB bound or
//! unbound. Each is recorded in one store transaction and served by strato's
//! forwarder (`endpoints.rs`) on the primary's loopback address: the EIP at
//! the cluster's port + 1 (`public_endpoints`), the ELB at port + 2 (`elb`).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};

use super::openapi::{CLUSTER_ID, CONFLICT, PROJECT_ID, TAG_CLUSTERS};
use super::wire::{self, ErrorBody, JobAccepted};
use super::{project, Caller, DwsError};
use crate::api::Ctx;

type NetIds = Path<(String, String, String)>;

#[utoipa::path(
    post, path = "/v2/{project_id}/clusters/{cluster_id}/eips/{eip_id}", operation_id = "AssociateEip", tag = TAG_CLUSTERS,
    summary = "Bind an EIP",
    description = "Binds the EIP (`public_ip` becomes `bind_existing` with this `eip_id`). strato serves the public \
        endpoint itself, forwarding to the primary: `public_endpoints` shows it at the primary's address and the \
        cluster's port + 1. Another EIP already bound is DWS.5133 (unbind it first, as the provider does). Answers \
        200 with no body.",
    params(
        ("project_id" = String, Path, description = PROJECT_ID),
        ("cluster_id" = Uuid, Path, description = CLUSTER_ID),
        ("eip_id" = String, Path, description = "The EIP: 1–64 of `A-Za-z0-9-_` (else DWS.5133)."),
    ),
    responses(
        (status = 200, description = "Bound."),
        (status = 400, description = "A malformed id, or another EIP bound (DWS.5133).", body = ErrorBody),
        (status = 404, description = "No such cluster (DWS.0047).", body = ErrorBody),
        (status = 409, description = CONFLICT, body = ErrorBody),
    ),
)]
pub async fn bind_eip(State(ctx): State<Ctx>, Extension(caller): Caller, Path((pid, cid, eip)): NetIds) -> Result<StatusCode, DwsError> {
    let pid = project(&ctx, &caller, &pid).await?;
    ctx.app.bind_eip(&pid, wire::uuid(&cid)?, eip).await?;
    Ok(StatusCode::OK)
}

#[utoipa::path(
    delete, path = "/v2/{project_id}/clusters/{cluster_id}/eips/{eip_id}", operation_id = "DisassociateEip", tag = TAG_CLUSTERS,
    summary = "Unbind the EIP",
    description = "Unbinds the cluster's EIP (`public_ip` becomes `not_use`, `public_endpoints` empty; the forwarder \
        stops). An EIP that is not the bound one is DWS.5133. Answers 200 with no body.",
    params(
        ("project_id" = String, Path, description = PROJECT_ID),
        ("cluster_id" = Uuid, Path, description = CLUSTER_ID),
        ("eip_id" = String, Path, description = "The bound EIP."),
    ),
    responses(
        (status = 200, description = "Unbound."),
        (status = 400, description = "Not the bound EIP (DWS.5133).", body = ErrorBody),
        (status = 404, description = "No such cluster (DWS.0047).", body = ErrorBody),
        (status = 409, description = CONFLICT, body = ErrorBody),
    ),
)]
pub async fn unbind_eip(State(ctx): State<Ctx>, Extension(caller): Caller, Path((pid, cid, eip)): NetIds) -> Result<StatusCode, DwsError> {
    let pid = project(&ctx, &caller, &pid).await?;
    ctx.app.unbind_eip(&pid, wire::uuid(&cid)?, eip).await?;
    Ok(StatusCode::OK)
}

#[utoipa::path(
    post, path = "/v2/{project_id}/clusters/{cluster_id}/elbs/{elb_id}", operation_id = "AssociateElb", tag = TAG_CLUSTERS,
    summary = "Bind an ELB",
    description = "Binds the ELB: `elb` shows it, served by strato's forwarder at the primary's address and the \
        cluster's port + 2 (`private_endpoint`). Answers `{\"job_id\"}`, a job that is `SUCCESS` once answered (the \
        provider polls it). Another ELB already bound is DWS.0102.",
    params(
        ("project_id" = String, Path, description = PROJECT_ID),
        ("cluster_id" = Uuid, Path, description = CLUSTER_ID),
        ("elb_id" = String, Path, description = "The ELB: 1–64 of `A-Za-z0-9-_` (else DWS.0102)."),
    ),
    responses(
        (status = 200, description = "Bound; the job is its record.", body = JobAccepted),
        (status = 400, description = "A malformed id, or another ELB bound (DWS.0102).", body = ErrorBody),
        (status = 404, description = "No such cluster (DWS.0047).", body = ErrorBody),
        (status = 409, description = CONFLICT, body = ErrorBody),
    ),
)]
pub async fn bind_elb(State(ctx): State<Ctx>, Extension(caller): Caller, Path((pid, cid, elb)): NetIds) -> Result<Json<JobAccepted>, DwsError> {
    let pid = project(&ctx, &caller, &pid).await?;
    let job = ctx.app.set_elb(&pid, wire::uuid(&cid)?, elb, true).await?;
    Ok(Json(JobAccepted { error_code: None, error_msg: None, job_id: job.id }))
}

#[utoipa::path(
    delete, path = "/v2/{project_id}/clusters/{cluster_id}/elbs/{elb_id}", operation_id = "DisassociateElb", tag = TAG_CLUSTERS,
    summary = "Unbind the ELB",
    description = "Unbinds the cluster's ELB (`elb` becomes null; the forwarder stops). Answers `{\"job_id\"}`. An \
        ELB that is not the bound one is DWS.0102.",
    params(
        ("project_id" = String, Path, description = PROJECT_ID),
        ("cluster_id" = Uuid, Path, description = CLUSTER_ID),
        ("elb_id" = String, Path, description = "The bound ELB."),
    ),
    responses(
        (status = 200, description = "Unbound; the job is its record.", body = JobAccepted),
        (status = 400, description = "Not the bound ELB (DWS.0102).", body = ErrorBody),
        (status = 404, description = "No such cluster (DWS.0047).", body = ErrorBody),
        (status = 409, description = CONFLICT, body = ErrorBody),
    ),
)]
pub async fn unbind_elb(State(ctx): State<Ctx>, Extension(caller): Caller, Path((pid, cid, elb)): NetIds) -> Result<Json<JobAccepted>, DwsError> {
    let pid = project(&ctx, &caller, &pid).await?;
    let job = ctx.app.set_elb(&pid, wire::uuid(&cid)?, elb, false).await?;
    Ok(Json(JobAccepted { error_code: None, error_msg: None, job_id: job.id }))
}
