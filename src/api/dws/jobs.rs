//! `GET /v1.0/{project_id}/job/{job_id}`: progress of an asynchronous operation.

use axum::extract::{Path, State};
use axum::{Extension, Json};

use super::openapi::{PROJECT_ID, TAG_JOBS};
use super::wire::{self, ErrorBody, JobDetail};
use super::{project, render, Caller, DwsError};
use crate::api::Ctx;

#[utoipa::path(
    get, path = "/v1.0/{project_id}/job/{job_id}", operation_id = "ListJobDetails", tag = TAG_JOBS,
    summary = "Show a job",
    description = "A job of one of the project's clusters: its status and progress.",
    params(
        ("project_id" = String, Path, description = PROJECT_ID),
        ("job_id" = Uuid, Path, description = "A job id, a UUID (else DWS.0001)."),
    ),
    responses(
        (status = 200, description = "The job.", body = JobDetail),
        (status = 404, description = "No such job (DWS.0048).", body = ErrorBody),
    ),
)]
pub async fn show(
    State(ctx): State<Ctx>,
    Extension(caller): Caller,
    Path((pid, job_id)): Path<(String, String)>,
) -> Result<Json<JobDetail>, DwsError> {
    let pid = project(&ctx, &caller, &pid).await?;
    let job = ctx.app.job(&pid, wire::uuid(&job_id)?).await?;
    Ok(Json(render::job(&job, crate::core::now_ms())))
}
