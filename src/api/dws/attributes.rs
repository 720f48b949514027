//! Handlers of a cluster's recorded attributes: tags and the description.
//! Each change is one store transaction, refused while a task runs.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};

use super::openapi::{BAD_REQUEST, CLUSTER_ID, CONFLICT, PROJECT_ID, TAG_CLUSTERS};
use super::wire::{self, BatchCreateTagsRequest, BatchDeleteTagsRequest, DescriptionRequest, Done, ErrorBody, TagList};
use super::{project, Caller, DwsError};
use crate::api::auth::RawBody;
use crate::api::Ctx;
use crate::core::cluster::Product;

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
