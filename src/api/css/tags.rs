//! Cluster tags (`resource_type` `css-cluster`, the only one CSS has):
//! recorded, shown in the detail's `tags`. `tags/action` is what the Huawei
//! provider sends (a delete of all old tags, then a create of the new ones).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};

use super::openapi::{CLUSTER_ID, PROJECT_ID, TAG_CLUSTERS};
use super::wire::{self, ClusterTag, CreateTagRequest, ErrorBody, TagActionRequest, TagList};
use super::{project_and_cluster, Caller, CssError};
use crate::api::auth::RawBody;
use crate::api::Ctx;
use crate::core::cluster::{Product, Tag};
use crate::core::error::Field;
use crate::core::CoreError;

type Ids = Path<(String, String)>;
type Body = Extension<RawBody>;

#[utoipa::path(
    get, path = "/v1.0/{project_id}/css-cluster/{cluster_id}/tags", operation_id = "ShowClusterTag", tag = TAG_CLUSTERS,
    summary = "List a cluster's tags",
    params(("project_id" = String, Path, description = PROJECT_ID), ("cluster_id" = String, Path, description = CLUSTER_ID)),
    responses(
        (status = 200, description = "The tags.", body = TagList),
        (status = 404, description = "No such cluster in the project (CSS.3027).", body = ErrorBody),
    ),
)]
pub async fn list(State(ctx): State<Ctx>, Extension(caller): Caller, Path((pid, cid)): Ids) -> Result<Json<TagList>, CssError> {
    let (pid, id) = project_and_cluster(&ctx, &caller, &pid, &cid).await?;
    let view = ctx.app.show(&pid, id, Product::Css).await?;
    let tags = view.cluster.spec.search().map(|s| s.tags.iter().map(|t| ClusterTag { key: t.key.clone(), value: t.value.clone() }).collect());
    Ok(Json(TagList { tags: tags.unwrap_or_default() }))
}

#[utoipa::path(
    post, path = "/v1.0/{project_id}/css-cluster/{cluster_id}/tags/action", operation_id = "UpdateBatchClustersTags",
    tag = TAG_CLUSTERS,
    summary = "Add or remove tags",
    description = "`create` adds the tags (a key already there takes the new value; keys 1–128, values up to 255 of \
        letters, digits, spaces and `_ . : = + - @`, at most 20 tags: CSS.5137 / CSS.5138); `delete` removes the tags \
        with these keys (keys it lacks are ignored). Answers 204.",
    params(("project_id" = String, Path, description = PROJECT_ID), ("cluster_id" = String, Path, description = CLUSTER_ID)),
    request_body = TagActionRequest,
    responses(
        (status = 204, description = "Done."),
        (status = 400, description = "An invalid action or tag (CSS.0001, CSS.5137, CSS.5138), or the cluster is busy (CSS.0011).", body = ErrorBody),
        (status = 404, description = "No such cluster in the project (CSS.3027).", body = ErrorBody),
    ),
)]
pub async fn action(State(ctx): State<Ctx>, Extension(caller): Caller, Path((pid, cid)): Ids, Extension(RawBody(body)): Body) -> Result<StatusCode, CssError> {
    let r = wire::decode::<TagActionRequest>(&body)?;
    let (pid, id) = project_and_cluster(&ctx, &caller, &pid, &cid).await?;
    match r.action.as_str() {
        "create" => {
            let tags = r.tags.into_iter().map(|t| Tag { key: t.key, value: t.value.unwrap_or_default() }).collect();
            ctx.app.add_search_tags(&pid, id, Product::Css, tags).await?
        }
        "delete" => ctx.app.remove_search_tags(&pid, id, Product::Css, r.tags.into_iter().map(|t| t.key).collect(), false).await?,
        other => return Err(CoreError::invalid(Field::Description, format!("`action` must be create or delete, not `{other}`")).into()),
    }
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    post, path = "/v1.0/{project_id}/css-cluster/{cluster_id}/tags", operation_id = "CreateClustersTags", tag = TAG_CLUSTERS,
    summary = "Add one tag",
    description = "`{\"tag\": {\"key\", \"value\"}}`, with `tags/action`'s rules. Answers 204.",
    params(("project_id" = String, Path, description = PROJECT_ID), ("cluster_id" = String, Path, description = CLUSTER_ID)),
    request_body = CreateTagRequest,
    responses(
        (status = 204, description = "Added."),
        (status = 400, description = "An invalid tag (CSS.5137, CSS.5138), or the cluster is busy (CSS.0011).", body = ErrorBody),
        (status = 404, description = "No such cluster in the project (CSS.3027).", body = ErrorBody),
    ),
)]
pub async fn create(State(ctx): State<Ctx>, Extension(caller): Caller, Path((pid, cid)): Ids, Extension(RawBody(body)): Body) -> Result<StatusCode, CssError> {
    let t = wire::decode::<CreateTagRequest>(&body)?.tag;
    let (pid, id) = project_and_cluster(&ctx, &caller, &pid, &cid).await?;
    ctx.app.add_search_tags(&pid, id, Product::Css, vec![Tag { key: t.key, value: t.value }]).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    delete, path = "/v1.0/{project_id}/css-cluster/{cluster_id}/tags/{key}", operation_id = "DeleteClustersTags", tag = TAG_CLUSTERS,
    summary = "Remove one tag",
    description = "Removes the tag with this key; a key the cluster lacks is CSS.5141. Answers 204.",
    params(
        ("project_id" = String, Path, description = PROJECT_ID),
        ("cluster_id" = String, Path, description = CLUSTER_ID),
        ("key" = String, Path, description = "The tag's key."),
    ),
    responses(
        (status = 204, description = "Removed."),
        (status = 400, description = "No such tag (CSS.5141), or the cluster is busy (CSS.0011).", body = ErrorBody),
        (status = 404, description = "No such cluster in the project (CSS.3027).", body = ErrorBody),
    ),
)]
pub async fn delete(State(ctx): State<Ctx>, Extension(caller): Caller, Path((pid, cid, key)): Path<(String, String, String)>) -> Result<StatusCode, CssError> {
    let (pid, id) = project_and_cluster(&ctx, &caller, &pid, &cid).await?;
    ctx.app.remove_search_tags(&pid, id, Product::Css, vec![key], true).await?;
    Ok(StatusCode::NO_CONTENT)
}
