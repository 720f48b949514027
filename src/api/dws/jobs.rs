//! `GET /v1.0/{pid}/job/{job_id}`: progress of an asynchronous operation.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};

use super::{project, render, wire, Caller, DwsError};
use crate::api::Ctx;

pub async fn show(
    State(ctx): State<Ctx>,
    Extension(caller): Caller,
    Path((pid, job_id)): Path<(String, String)>,
) -> Result<Response, DwsError> {
    let pid = project(&ctx, &caller, &pid).await?;
    let job = ctx.app.job(&pid, wire::uuid(&job_id)?).await?;
    Ok(Json(render::job(&job, crate::core::now_ms())).into_response())
}
