//! Handlers of a cluster's database parameters: its one parameter group,
//! the parameters with their values, and an update that a durable job writes
//! to every node's PostgreSQL settings and reloads.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};

use super::openapi::{BAD_REQUEST, CLUSTER_ID, CONFLICT, PROJECT_ID, TAG_PARAMETERS};
use super::wire::{self, ConfigurationList, ErrorBody, ParameterList, UpdateConfigurationRequest};
use super::{project, render, Caller, DwsError};
use crate::api::auth::RawBody;
use crate::api::Ctx;
use crate::core::cluster::Product;
use crate::core::parameters;
use crate::core::CoreError;

const CONFIGURATION_ID: &str = "The cluster's parameter group (`ListClusterConfigurations`), else DWS.5054.";

#[utoipa::path(
    get, path = "/v1.0/{project_id}/clusters/{cluster_id}/configurations", operation_id = "ListClusterConfigurations",
    tag = TAG_PARAMETERS,
    summary = "List parameter groups",
    description = "The cluster's one parameter group (`hiddenParameterGroup`, the one `UpdateConfiguration` changes) \
        and its status: `In-Sync`, `Applying` while a change runs, `Pending-Reboot` while a node waits for a restart \
        to apply a changed parameter (as PostgreSQL's `pending_restart` showed it), `Sync-Failure` after a change failed.",
    params(("project_id" = String, Path, description = PROJECT_ID), ("cluster_id" = Uuid, Path, description = CLUSTER_ID)),
    responses(
        (status = 200, description = "The groups.", body = ConfigurationList),
        (status = 404, description = "No such cluster (DWS.0047).", body = ErrorBody),
    ),
)]
pub async fn list_groups(State(ctx): State<Ctx>, Extension(caller): Caller, Path((pid, cid)): Path<(String, String)>) -> Result<Json<ConfigurationList>, DwsError> {
    let pid = project(&ctx, &caller, &pid).await?;
    let view = ctx.app.show(&pid, wire::uuid(&cid)?, Product::Dws).await?;
    Ok(Json(ConfigurationList { configurations: vec![render::parameter_group(&view)] }))
}

#[utoipa::path(
    get, path = "/v1.0/{project_id}/clusters/{cluster_id}/configurations/{configuration_id}",
    operation_id = "ListClusterConfigurationsParameter", tag = TAG_PARAMETERS,
    summary = "List parameters",
    description = "Every parameter with its value on the coordinator (`cn`) and data (`dn`) nodes: in strato each node \
        is one PostgreSQL server, so both are the node's one setting. The values are what the cluster was set to; a \
        change's job checks each running node shows them (`pg_settings`).",
    params(
        ("project_id" = String, Path, description = PROJECT_ID),
        ("cluster_id" = Uuid, Path, description = CLUSTER_ID),
        ("configuration_id" = Uuid, Path, description = CONFIGURATION_ID),
    ),
    responses(
        (status = 200, description = "The parameters.", body = ParameterList),
        (status = 400, description = "Not the cluster's parameter group (DWS.5054).", body = ErrorBody),
        (status = 404, description = "No such cluster (DWS.0047).", body = ErrorBody),
    ),
)]
pub async fn list_parameters(
    State(ctx): State<Ctx>,
    Extension(caller): Caller,
    Path((pid, cid, group)): Path<(String, String, String)>,
) -> Result<Json<ParameterList>, DwsError> {
    let pid = project(&ctx, &caller, &pid).await?;
    let id = wire::uuid(&cid)?;
    let view = ctx.app.show(&pid, id, Product::Dws).await?;
    parameters::check_group(id, &group)?;
    let w = view.cluster.spec.warehouse().ok_or_else(|| CoreError::ClusterNotFound(cid.clone()))?;
    Ok(Json(ParameterList { configurations: render::parameters(w) }))
}

#[utoipa::path(
    put, path = "/v2/{project_id}/clusters/{cluster_id}/configurations/{configuration_id}",
    operation_id = "UpdateConfiguration", tag = TAG_PARAMETERS,
    summary = "Set parameters",
    description = "Sets the parameters on every node: all are checked first (an unknown name is DWS.5037, a bad value \
        or role DWS.5038, the same name and role twice DWS.5039; nothing changes), then a durable job writes them to \
        each node's settings and reloads it (`task_status` `SETTING_CONFIGURATION`, the group `Applying`). A parameter \
        PostgreSQL applies only at start (`restart_required`) leaves the group `Pending-Reboot` until a restart. \
        Answers 200 with no body.",
    params(
        ("project_id" = String, Path, description = PROJECT_ID),
        ("cluster_id" = Uuid, Path, description = CLUSTER_ID),
        ("configuration_id" = Uuid, Path, description = CONFIGURATION_ID),
    ),
    request_body = UpdateConfigurationRequest,
    responses(
        (status = 200, description = "Accepted."),
        (status = 400, description = BAD_REQUEST, body = ErrorBody),
        (status = 404, description = "No such cluster (DWS.0047).", body = ErrorBody),
        (status = 409, description = CONFLICT, body = ErrorBody),
    ),
)]
pub async fn update(
    State(ctx): State<Ctx>,
    Extension(caller): Caller,
    Path((pid, cid, group)): Path<(String, String, String)>,
    Extension(RawBody(body)): Extension<RawBody>,
) -> Result<StatusCode, DwsError> {
    let list = wire::parameter_assignments(&body)?;
    let pid = project(&ctx, &caller, &pid).await?;
    let job = ctx.app.set_parameters(&pid, wire::uuid(&cid)?, &group, &list).await?;
    tracing::info!(cluster.id = %job.cluster_id, job.id = %job.id, "parameter change accepted");
    Ok(StatusCode::OK)
}
