//! Node types (flavors): the v2 listing the SDKs call and the legacy v1.0 one.

use axum::extract::{Path, State};
use axum::{Extension, Json};

use super::openapi::{PROJECT_ID, TAG_NODE_TYPES};
use super::wire::{NodeTypes, NodeTypesV1};
use super::{project, render, Caller, DwsError, Pid};
use crate::api::Ctx;

#[utoipa::path(
    get, path = "/v2/{project_id}/node-types", operation_id = "ListNodeTypes", tag = TAG_NODE_TYPES,
    summary = "List node types",
    description = "The node types a cluster can be made of, with the zones they are offered in.",
    params(("project_id" = String, Path, description = PROJECT_ID)),
    responses((status = 200, description = "The node types.", body = NodeTypes)),
)]
pub async fn list(State(ctx): State<Ctx>, Extension(caller): Caller, Path(pid): Pid) -> Result<Json<NodeTypes>, DwsError> {
    project(&ctx, &caller, &pid).await?;
    Ok(Json(render::node_types(&ctx.app.node_types(), &ctx.app.settings.zones)))
}

#[utoipa::path(
    get, path = "/v1.0/{project_id}/node_types", operation_id = "ListNodeTypesV1", tag = TAG_NODE_TYPES,
    summary = "List node types (v1.0)",
    description = "`ListNodeTypes` at the legacy v1.0 path, in its shorter form (as seed 004 shows it).",
    params(("project_id" = String, Path, description = PROJECT_ID)),
    responses((status = 200, description = "The node types.", body = NodeTypesV1)),
)]
pub async fn list_legacy(
    State(ctx): State<Ctx>,
    Extension(caller): Caller,
    Path(pid): Pid,
) -> Result<Json<NodeTypesV1>, DwsError> {
    project(&ctx, &caller, &pid).await?;
    Ok(Json(render::node_types_legacy(&ctx.app.node_types())))
}
