//! Node types (flavors): the legacy v1.0 listing and the v2 one the SDKs call.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};

use super::{project, render, Caller, DwsError, Pid};
use crate::api::Ctx;

pub async fn list_legacy(State(ctx): State<Ctx>, Extension(caller): Caller, Path(pid): Pid) -> Result<Response, DwsError> {
    project(&ctx, &caller, &pid).await?;
    Ok(Json(render::node_types_legacy(&ctx.app.node_types())).into_response())
}

pub async fn list(State(ctx): State<Ctx>, Extension(caller): Caller, Path(pid): Pid) -> Result<Response, DwsError> {
    project(&ctx, &caller, &pid).await?;
    Ok(Json(render::node_types(&ctx.app.node_types(), &ctx.app.settings.zones)).into_response())
}
