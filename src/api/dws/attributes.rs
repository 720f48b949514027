//! Handlers of a cluster's recorded attributes (tags, description,
//! maintenance window, security group), each change one store transaction
//! refused while a task runs; and of what a cluster is placed on: the zones
//! and its nodes as their processes are doing.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};

use super::openapi::{BAD_REQUEST, CLUSTER_ID, CONFLICT, PROJECT_ID, TAG_CLUSTERS};
use super::wire::{
    self, BatchCreateTagsRequest, BatchDeleteTagsRequest, CreateTagRequest, DescriptionRequest, Done, Empty, ErrorBody, ExpandStorageRequest,
    JobAccepted, MaintainWindow, NodeInfo, NodeList, RenameRequest,
    SecurityGroupsRequest, TagActionRequest, TagList, Zone, ZoneList,
};
use super::{project, Caller, DwsError};
use crate::api::auth::RawBody;
use crate::api::Ctx;
use crate::core::cluster::{Lifecycle, Product};
use crate::core::status::NodeHealth;
use crate::core::CoreError;

type Ids = Path<(String, String)>;

#[utoipa::path(
    post, path = "/v1.0/{project_id}/clusters/{cluster_id}/tags/batch-create", operation_id = "BatchCreateResourceTag",
    tag = TAG_CLUSTERS,
    summary = "Add tags",
    description = "Adds the tags, or replaces the values of the cluster's tags with their keys. The cluster keeps at \
        most 20 tags; keys are 1–128 and values up to 255 characters, none of `=*<>\\,|/` (else DWS.5194, nothing \
        changed). Answers 200 with no body.",
    params(("project_id" = String, Path, description = PROJECT_ID), ("cluster_id" = Uuid, Path, description = CLUSTER_ID)),
    request_body = BatchCreateTagsRequest,
    responses(
        (status = 200, description = "Added."),
        (status = 400, description = BAD_REQUEST, body = ErrorBody),
        (status = 404, description = "No such cluster (DWS.0047).", body = ErrorBody),
        (status = 409, description = CONFLICT, body = ErrorBody),
    ),
)]
pub async fn add_tags(
    State(ctx): State<Ctx>,
    Extension(caller): Caller,
    Path((pid, cid)): Ids,
    Extension(RawBody(body)): Extension<RawBody>,
) -> Result<StatusCode, DwsError> {
    let tags = wire::tags_to_add(&body)?;
    let pid = project(&ctx, &caller, &pid).await?;
    ctx.app.add_tags(&pid, wire::uuid(&cid)?, tags).await?;
    Ok(StatusCode::OK)
}

#[utoipa::path(
    post, path = "/v1.0/{project_id}/clusters/{cluster_id}/tags/batch-delete", operation_id = "BatchDeleteResourceTag",
    tag = TAG_CLUSTERS,
    summary = "Remove tags",
    description = "Removes the cluster's tags with these keys (a value, when given, must match); keys it does not have \
        are ignored. Answers 200 with no body.",
    params(("project_id" = String, Path, description = PROJECT_ID), ("cluster_id" = Uuid, Path, description = CLUSTER_ID)),
    request_body = BatchDeleteTagsRequest,
    responses(
        (status = 200, description = "Removed."),
        (status = 400, description = BAD_REQUEST, body = ErrorBody),
        (status = 404, description = "No such cluster (DWS.0047).", body = ErrorBody),
        (status = 409, description = CONFLICT, body = ErrorBody),
    ),
)]
pub async fn remove_tags(
    State(ctx): State<Ctx>,
    Extension(caller): Caller,
    Path((pid, cid)): Ids,
    Extension(RawBody(body)): Extension<RawBody>,
) -> Result<StatusCode, DwsError> {
    let tags = wire::tags_to_delete(&body)?;
    let pid = project(&ctx, &caller, &pid).await?;
    ctx.app.remove_tags(&pid, wire::uuid(&cid)?, tags).await?;
    Ok(StatusCode::OK)
}

#[utoipa::path(
    get, path = "/v1.0/{project_id}/clusters/{cluster_id}/tags", operation_id = "ListClusterTags", tag = TAG_CLUSTERS,
    summary = "List a cluster's tags",
    params(("project_id" = String, Path, description = PROJECT_ID), ("cluster_id" = Uuid, Path, description = CLUSTER_ID)),
    responses(
        (status = 200, description = "The tags, in the order they were added.", body = TagList),
        (status = 404, description = "No such cluster (DWS.0047).", body = ErrorBody),
    ),
)]
pub async fn list_tags(State(ctx): State<Ctx>, Extension(caller): Caller, Path((pid, cid)): Ids) -> Result<Json<TagList>, DwsError> {
    let pid = project(&ctx, &caller, &pid).await?;
    let view = ctx.app.show(&pid, wire::uuid(&cid)?, Product::Dws).await?;
    let tags = view.cluster.spec.warehouse().map(|w| w.tags.iter().map(Into::into).collect()).unwrap_or_default();
    Ok(Json(TagList { tags }))
}

#[utoipa::path(
    post, path = "/v1.0/{project_id}/clusters/{cluster_id}/tags", operation_id = "CreateClusterTag", tag = TAG_CLUSTERS,
    summary = "Add one tag (OTC API)",
    description = "The OTC API's one-tag create, `{\"tag\": {\"key\", \"value\"}}`, with the rules of \
        `BatchCreateResourceTag`. Answers 204.",
    params(("project_id" = String, Path, description = PROJECT_ID), ("cluster_id" = Uuid, Path, description = CLUSTER_ID)),
    request_body = CreateTagRequest,
    responses(
        (status = 204, description = "Added."),
        (status = 400, description = BAD_REQUEST, body = ErrorBody),
        (status = 404, description = "No such cluster (DWS.0047).", body = ErrorBody),
        (status = 409, description = CONFLICT, body = ErrorBody),
    ),
)]
pub async fn add_tag(
    State(ctx): State<Ctx>,
    Extension(caller): Caller,
    Path((pid, cid)): Ids,
    Extension(RawBody(body)): Extension<RawBody>,
) -> Result<StatusCode, DwsError> {
    let tag = wire::tag_to_create(&body)?;
    let pid = project(&ctx, &caller, &pid).await?;
    ctx.app.add_tags(&pid, wire::uuid(&cid)?, vec![tag]).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    delete, path = "/v1.0/{project_id}/clusters/{cluster_id}/tags/{key}", operation_id = "DeleteClusterTag", tag = TAG_CLUSTERS,
    summary = "Remove one tag (OTC API)",
    description = "Removes the tag with this key; a key the cluster does not have is 404 DWS.0049. Answers 204.",
    params(
        ("project_id" = String, Path, description = PROJECT_ID),
        ("cluster_id" = Uuid, Path, description = CLUSTER_ID),
        ("key" = String, Path, description = "The tag's key."),
    ),
    responses(
        (status = 204, description = "Removed."),
        (status = 404, description = "No such cluster (DWS.0047) or tag (DWS.0049).", body = ErrorBody),
        (status = 409, description = CONFLICT, body = ErrorBody),
    ),
)]
pub async fn delete_tag(State(ctx): State<Ctx>, Extension(caller): Caller, Path((pid, cid, key)): Path<(String, String, String)>) -> Result<StatusCode, DwsError> {
    let pid = project(&ctx, &caller, &pid).await?;
    ctx.app.remove_tag(&pid, wire::uuid(&cid)?, key).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    post, path = "/v1.0/{project_id}/clusters/{cluster_id}/tags/action", operation_id = "BatchClusterTagAction", tag = TAG_CLUSTERS,
    summary = "Add or remove tags (OTC API)",
    description = "The OTC API's batch: `{\"action\": \"create\"|\"delete\", \"tags\": [...]}`, with the rules of \
        `BatchCreateResourceTag` / `BatchDeleteResourceTag`. Answers 204.",
    params(("project_id" = String, Path, description = PROJECT_ID), ("cluster_id" = Uuid, Path, description = CLUSTER_ID)),
    request_body = TagActionRequest,
    responses(
        (status = 204, description = "Done."),
        (status = 400, description = BAD_REQUEST, body = ErrorBody),
        (status = 404, description = "No such cluster (DWS.0047).", body = ErrorBody),
        (status = 409, description = CONFLICT, body = ErrorBody),
    ),
)]
pub async fn tag_action(
    State(ctx): State<Ctx>,
    Extension(caller): Caller,
    Path((pid, cid)): Ids,
    Extension(RawBody(body)): Extension<RawBody>,
) -> Result<StatusCode, DwsError> {
    let action = wire::tag_action(&body)?;
    let pid = project(&ctx, &caller, &pid).await?;
    let id = wire::uuid(&cid)?;
    match action {
        wire::TagAction::Create(tags) => ctx.app.add_tags(&pid, id, tags).await?,
        wire::TagAction::Delete(keys) => ctx.app.remove_tags(&pid, id, keys).await?,
    }
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    post, path = "/v1/{project_id}/clusters/{cluster_id}/description", operation_id = "SaveClusterDescriptionInfo",
    tag = TAG_CLUSTERS,
    summary = "Set the description",
    description = "Records the cluster's description, shown as `cluster_description_info`.",
    params(("project_id" = String, Path, description = PROJECT_ID), ("cluster_id" = Uuid, Path, description = CLUSTER_ID)),
    request_body = DescriptionRequest,
    responses(
        (status = 200, description = "Recorded: `error_code` `DWS.0000`.", body = Done),
        (status = 400, description = BAD_REQUEST, body = ErrorBody),
        (status = 404, description = "No such cluster (DWS.0047).", body = ErrorBody),
        (status = 409, description = CONFLICT, body = ErrorBody),
    ),
)]
pub async fn set_description(
    State(ctx): State<Ctx>,
    Extension(caller): Caller,
    Path((pid, cid)): Ids,
    Extension(RawBody(body)): Extension<RawBody>,
) -> Result<Json<Done>, DwsError> {
    let text = wire::description_body(&body)?;
    let pid = project(&ctx, &caller, &pid).await?;
    ctx.app.set_description(&pid, wire::uuid(&cid)?, text).await?;
    Ok(Json(Done::new()))
}

#[utoipa::path(
    put, path = "/v1.0/{project_id}/clusters/{cluster_id}/maintenance-window", operation_id = "UpdateMaintenanceWindow",
    tag = TAG_CLUSTERS,
    summary = "Set the maintenance window",
    description = "Records the weekly window shown as `maintain_window` (strato schedules no maintenance). Answers 200 \
        with no body.",
    params(("project_id" = String, Path, description = PROJECT_ID), ("cluster_id" = Uuid, Path, description = CLUSTER_ID)),
    request_body = MaintainWindow,
    responses(
        (status = 200, description = "Recorded."),
        (status = 400, description = BAD_REQUEST, body = ErrorBody),
        (status = 404, description = "No such cluster (DWS.0047).", body = ErrorBody),
        (status = 409, description = CONFLICT, body = ErrorBody),
    ),
)]
pub async fn set_maintain_window(
    State(ctx): State<Ctx>,
    Extension(caller): Caller,
    Path((pid, cid)): Ids,
    Extension(RawBody(body)): Extension<RawBody>,
) -> Result<StatusCode, DwsError> {
    let w = wire::maintain_window_body(&body)?;
    let pid = project(&ctx, &caller, &pid).await?;
    let window = crate::core::cluster::MaintainWindow { day: w.day, start_time: w.start_time, end_time: w.end_time };
    ctx.app.set_maintain_window(&pid, wire::uuid(&cid)?, window).await?;
    Ok(StatusCode::OK)
}

#[utoipa::path(
    put, path = "/v1/{project_id}/clusters/{cluster_id}/security-group", operation_id = "ChangeSecurityGroup",
    tag = TAG_CLUSTERS,
    summary = "Change the security group",
    description = "Records the security group (the first id is shown as `security_group_id`); strato has no real \
        networks, so nothing is enforced. Answers 200 with no body.",
    params(("project_id" = String, Path, description = PROJECT_ID), ("cluster_id" = Uuid, Path, description = CLUSTER_ID)),
    request_body = SecurityGroupsRequest,
    responses(
        (status = 200, description = "Recorded."),
        (status = 400, description = BAD_REQUEST, body = ErrorBody),
        (status = 404, description = "No such cluster (DWS.0047).", body = ErrorBody),
        (status = 409, description = CONFLICT, body = ErrorBody),
    ),
)]
pub async fn set_security_group(
    State(ctx): State<Ctx>,
    Extension(caller): Caller,
    Path((pid, cid)): Ids,
    Extension(RawBody(body)): Extension<RawBody>,
) -> Result<StatusCode, DwsError> {
    let groups = wire::security_groups_body(&body)?;
    let pid = project(&ctx, &caller, &pid).await?;
    ctx.app.set_security_groups(&pid, wire::uuid(&cid)?, groups).await?;
    Ok(StatusCode::OK)
}

#[utoipa::path(
    put, path = "/v1/{project_id}/clusters/{cluster_id}/cluster-name", operation_id = "ModifyClusterName",
    tag = TAG_CLUSTERS,
    summary = "Rename a cluster",
    description = "Renames the cluster: the name must be free in the project (DWS.5050) and follow the create's rules \
        (DWS.5057). Done when answered; the answer's job (`GET /v1.0/{project_id}/job/{job_id}`) is its record, \
        already `SUCCESS`.",
    params(("project_id" = String, Path, description = PROJECT_ID), ("cluster_id" = Uuid, Path, description = CLUSTER_ID)),
    request_body = RenameRequest,
    responses(
        (status = 200, description = "Renamed: the job recording it.", body = JobAccepted),
        (status = 400, description = BAD_REQUEST, body = ErrorBody),
        (status = 404, description = "No such cluster (DWS.0047).", body = ErrorBody),
        (status = 409, description = "The name is taken (DWS.5050), or a task runs (DWS.5090).", body = ErrorBody),
    ),
)]
pub async fn rename(
    State(ctx): State<Ctx>,
    Extension(caller): Caller,
    Path((pid, cid)): Ids,
    Extension(RawBody(body)): Extension<RawBody>,
) -> Result<Json<JobAccepted>, DwsError> {
    let name = wire::rename_body(&body)?;
    let pid = project(&ctx, &caller, &pid).await?;
    let job = ctx.app.rename(&pid, wire::uuid(&cid)?, name).await?;
    Ok(Json(JobAccepted { error_code: None, error_msg: None, job_id: job.id }))
}

#[utoipa::path(
    put, path = "/v1.0/{project_id}/clusters/{cluster_id}/name", operation_id = "ModifyClusterNameV1",
    tag = TAG_CLUSTERS,
    summary = "Rename a cluster (the provider's documented path)",
    description = "`ModifyClusterName` at the path the huaweicloud provider's code comment names; the same body and answer.",
    params(("project_id" = String, Path, description = PROJECT_ID), ("cluster_id" = Uuid, Path, description = CLUSTER_ID)),
    request_body = RenameRequest,
    responses(
        (status = 200, description = "Renamed: the job recording it.", body = JobAccepted),
        (status = 400, description = BAD_REQUEST, body = ErrorBody),
        (status = 404, description = "No such cluster (DWS.0047).", body = ErrorBody),
        (status = 409, description = "The name is taken (DWS.5050), or a task runs (DWS.5090).", body = ErrorBody),
    ),
)]
pub async fn rename_v1(ctx: State<Ctx>, caller: Caller, ids: Ids, body: Extension<RawBody>) -> Result<Json<JobAccepted>, DwsError> {
    rename(ctx, caller, ids, body).await
}

#[utoipa::path(
    post, path = "/v1.0/{project_id}/clusters/{cluster_id}/expand-instance-storage", operation_id = "ExpandInstanceStorage",
    tag = TAG_CLUSTERS,
    summary = "Grow each node's disk",
    description = "Records the larger disk per node, shown in `volume.capacity` (it must grow). Recorded only: a \
        strato node's disk is the machine's, so nothing is resized.",
    params(("project_id" = String, Path, description = PROJECT_ID), ("cluster_id" = Uuid, Path, description = CLUSTER_ID)),
    request_body = ExpandStorageRequest,
    responses(
        (status = 200, description = "Recorded.", body = Empty),
        (status = 400, description = BAD_REQUEST, body = ErrorBody),
        (status = 404, description = "No such cluster (DWS.0047).", body = ErrorBody),
        (status = 409, description = CONFLICT, body = ErrorBody),
    ),
)]
pub async fn expand_storage(
    State(ctx): State<Ctx>,
    Extension(caller): Caller,
    Path((pid, cid)): Ids,
    Extension(RawBody(body)): Extension<RawBody>,
) -> Result<Json<Empty>, DwsError> {
    let new_size = wire::expand_body(&body)?;
    let pid = project(&ctx, &caller, &pid).await?;
    ctx.app.expand_storage(&pid, wire::uuid(&cid)?, new_size).await?;
    Ok(Json(Empty {}))
}

#[utoipa::path(
    get, path = "/v1.0/{project_id}/availability-zones", operation_id = "ListAvailabilityZones", tag = TAG_CLUSTERS,
    summary = "List availability zones",
    description = "The zones clusters may be created in (the server's `--zones`).",
    params(("project_id" = String, Path, description = PROJECT_ID)),
    responses((status = 200, description = "The zones.", body = ZoneList)),
)]
pub async fn list_zones(State(ctx): State<Ctx>, Extension(caller): Caller, Path(pid): Path<String>) -> Result<Json<ZoneList>, DwsError> {
    project(&ctx, &caller, &pid).await?;
    let zones: Vec<Zone> = ctx
        .app
        .settings
        .zones
        .iter()
        .map(|z| Zone { code: z.clone(), name: z.clone(), status: "available".into(), public_border_group: "center".into() })
        .collect();
    Ok(Json(ZoneList { count: zones.len(), availability_zones: zones }))
}

#[utoipa::path(
    get, path = "/v2/{project_id}/clusters/{cluster_id}/nodes", operation_id = "ListClusterNodes", tag = TAG_CLUSTERS,
    summary = "List a cluster's nodes",
    description = "Each node as its PostgreSQL process was last observed.",
    params(("project_id" = String, Path, description = PROJECT_ID), ("cluster_id" = Uuid, Path, description = CLUSTER_ID)),
    responses(
        (status = 200, description = "The nodes, the primary first.", body = NodeList),
        (status = 404, description = "No such cluster (DWS.0047).", body = ErrorBody),
    ),
)]
pub async fn list_nodes(State(ctx): State<Ctx>, Extension(caller): Caller, Path((pid, cid)): Ids) -> Result<Json<NodeList>, DwsError> {
    let pid = project(&ctx, &caller, &pid).await?;
    let view = ctx.app.show(&pid, wire::uuid(&cid)?, Product::Dws).await?;
    let spec = view.cluster.spec.warehouse().cloned().ok_or_else(|| CoreError::ClusterNotFound(cid.clone()))?;
    let node_list: Vec<NodeInfo> = view
        .nodes
        .iter()
        .map(|(n, health)| {
            let status = match (health, view.cluster.lifecycle) {
                (NodeHealth::Ready, _) => "ACTIVE",
                (_, Lifecycle::Creating) | (NodeHealth::Starting | NodeHealth::Unknown, _) => "CREATING",
                (NodeHealth::Down, Lifecycle::Stopped) => "STOPPED",
                (NodeHealth::Down, Lifecycle::Deleting) => "DELETING",
                (NodeHealth::Down, _) => "FAILED",
            };
            NodeInfo {
                id: n.id,
                name: n.name(&spec.name),
                status: status.into(),
                sub_status: if status == "ACTIVE" { "INITED" } else { "PREPARED" }.into(),
                spec: spec.node_type.clone(),
                inst_create_type: "NODE".into(),
                alias_name: n.name(&spec.name),
                az_code: spec.availability_zone.clone(),
            }
        })
        .collect();
    let failed_count = node_list.iter().filter(|n| n.status == "FAILED").count();
    Ok(Json(NodeList { count: node_list.len(), failed_count, node_list }))
}
