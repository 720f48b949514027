//! Scale handlers: members added (`extend`, `role_extend`), disks grown
//! (`role_extend` `disksize`), members retired (`role/shrink`,
//! `node/offline`). Each is one durable change task on the real members (the
//! same as Alibaba's UpdateInstance): `actions` `GROWING`, `RESIZING_VOLUME`
//! or `SHRINKING` while it runs, then empty; kill -9 safe.

use axum::extract::{Path, State};
use axum::{Extension, Json};

use super::openapi::{CLUSTER_ID, PROJECT_ID, TAG_CLUSTERS};
use super::wire::{self, ClusterIdAnswer, Empty, ErrorBody, ExtendRequest, OfflineRequest, RoleExtendRequest, ShrinkRequest};
use super::{project_and_cluster, Caller, CssError};
use crate::api::auth::RawBody;
use crate::api::Ctx;
use crate::app::SearchChange;
use crate::core::cluster::Product;
use crate::core::search::{self, SearchSpec};
use crate::core::CoreError;

type Ids = Path<(String, String)>;
type Body = Extension<RawBody>;

/// The caller's project, the cluster id and the cluster as last recorded.
pub(super) async fn target(ctx: &Ctx, caller: &crate::auth::Principal, pid: &str, cid: &str) -> Result<(String, uuid::Uuid, crate::app::ClusterView), CssError> {
    let (pid, id) = project_and_cluster(ctx, caller, pid, cid).await?;
    let view = ctx.app.show(&pid, id, Product::Css).await?;
    Ok((pid, id, view))
}

pub(super) fn spec_of(view: &crate::app::ClusterView) -> Result<SearchSpec, CssError> {
    view.cluster.spec.search().cloned().ok_or_else(|| CoreError::NotSupported("scaling".into()).into())
}

#[utoipa::path(
    post, path = "/v1.0/{project_id}/clusters/{cluster_id}/extend", operation_id = "UpdateExtendCluster", tag = TAG_CLUSTERS,
    summary = "Add members",
    description = "Adds `grow.modifySize` members (1–32), each a new engine process joining the cluster; `actions` is \
        `[\"GROWING\"]` until they serve.",
    params(("project_id" = String, Path, description = PROJECT_ID), ("cluster_id" = String, Path, description = CLUSTER_ID)),
    request_body = ExtendRequest,
    responses(
        (status = 200, description = "Accepted.", body = Empty),
        (status = 400, description = "An invalid count (CSS.0001), the cluster busy (CSS.0011) or not running (CSS.5090).", body = ErrorBody),
        (status = 404, description = "No such cluster in the project (CSS.3027).", body = ErrorBody),
    ),
)]
pub async fn extend(State(ctx): State<Ctx>, Extension(caller): Caller, Path((pid, cid)): Ids, Extension(RawBody(body)): Body) -> Result<Json<Empty>, CssError> {
    let n = wire::decode::<ExtendRequest>(&body)?.grow.modify_size;
    if !(1..=32).contains(&n) {
        return Err(CoreError::invalid(crate::core::error::Field::NumberOfNode, format!("modifySize must be 1 to 32, got {n}")).into());
    }
    let (pid, id, view) = target(&ctx, &caller, &pid, &cid).await?;
    let (nodes, _) = search::css_grow(&spec_of(&view)?, n, 0)?;
    ctx.app.change(&pid, id, Product::Css, SearchChange { nodes, ..Default::default() }).await?;
    Ok(Json(Empty {}))
}

#[utoipa::path(
    post, path = "/v1.0/{project_id}/clusters/{cluster_id}/role_extend", operation_id = "UpdateExtendInstanceStorage",
    tag = TAG_CLUSTERS,
    summary = "Add members or disk, by role",
    description = "Adds `nodesize` members and/or `disksize` GB per member (a multiple of 20; members restarted one by \
        one) to the role; strato's members are all `ess` (`lgs` for Logstash), so another role is CSS.0001. One change \
        task: `GROWING`, or `RESIZING_VOLUME` for a disk-only change. Answers `{\"id\"}`.",
    params(("project_id" = String, Path, description = PROJECT_ID), ("cluster_id" = String, Path, description = CLUSTER_ID)),
    request_body = RoleExtendRequest,
    responses(
        (status = 200, description = "Accepted.", body = ClusterIdAnswer),
        (status = 400, description = "An invalid role, count or disk size (CSS.0001), the cluster busy (CSS.0011) or not running (CSS.5090).", body = ErrorBody),
        (status = 404, description = "No such cluster in the project (CSS.3027).", body = ErrorBody),
    ),
)]
pub async fn role_extend(State(ctx): State<Ctx>, Extension(caller): Caller, Path((pid, cid)): Ids, Extension(RawBody(body)): Body) -> Result<Json<ClusterIdAnswer>, CssError> {
    let grow = wire::decode::<RoleExtendRequest>(&body)?.grow;
    let (pid, id, view) = target(&ctx, &caller, &pid, &cid).await?;
    let spec = spec_of(&view)?;
    let [one] = grow.as_slice() else {
        return Err(CoreError::invalid(crate::core::error::Field::NumberOfNode, "`grow` must name the one role strato runs").into());
    };
    search::check_css_role(&spec, &one.r#type)?;
    let (nodes, disk) = search::css_grow(&spec, one.nodesize, one.disksize)?;
    ctx.app.change(&pid, id, Product::Css, SearchChange { nodes, disk_gb: disk, ..Default::default() }).await?;
    Ok(Json(ClusterIdAnswer { id }))
}

#[utoipa::path(
    post, path = "/v1.0/extend/{project_id}/clusters/{cluster_id}/role/shrink", operation_id = "UpdateShrinkCluster",
    tag = TAG_CLUSTERS,
    summary = "Retire members, by role",
    description = "Retires `reducedNodeNum` members of the role (the newest first: stopped, files removed); fewer than \
        half may go at once, as CSS requires. `actions` is `[\"SHRINKING\"]` until done.",
    params(("project_id" = String, Path, description = PROJECT_ID), ("cluster_id" = String, Path, description = CLUSTER_ID)),
    request_body = ShrinkRequest,
    responses(
        (status = 200, description = "Accepted.", body = Empty),
        (status = 400, description = "An invalid role or count (CSS.0001), the cluster busy (CSS.0011) or not running (CSS.5090).", body = ErrorBody),
        (status = 404, description = "No such cluster in the project (CSS.3027).", body = ErrorBody),
    ),
)]
pub async fn shrink(State(ctx): State<Ctx>, Extension(caller): Caller, Path((pid, cid)): Ids, Extension(RawBody(body)): Body) -> Result<Json<Empty>, CssError> {
    let shrink = wire::decode::<ShrinkRequest>(&body)?.shrink;
    let (pid, id, view) = target(&ctx, &caller, &pid, &cid).await?;
    let spec = spec_of(&view)?;
    let [one] = shrink.as_slice() else {
        return Err(CoreError::invalid(crate::core::error::Field::NumberOfNode, "`shrink` must name the one role strato runs").into());
    };
    search::check_css_role(&spec, &one.r#type)?;
    let to = search::css_shrink(&spec, one.reduced_node_num)?;
    ctx.app.change(&pid, id, Product::Css, SearchChange { nodes: Some(to), ..Default::default() }).await?;
    Ok(Json(Empty {}))
}

#[utoipa::path(
    post, path = "/v1.0/{project_id}/clusters/{cluster_id}/node/offline", operation_id = "UpdateShrinkNodes",
    tag = TAG_CLUSTERS,
    summary = "Retire members by id",
    description = "Retires the named members (`instances[].id`). strato retires the newest members, so the ids must be \
        the newest ones (else CSS.0001 names which to give); fewer than half may go at once.",
    params(("project_id" = String, Path, description = PROJECT_ID), ("cluster_id" = String, Path, description = CLUSTER_ID)),
    request_body = OfflineRequest,
    responses(
        (status = 200, description = "Accepted.", body = Empty),
        (status = 400, description = "Unknown or not the newest members (CSS.0001), the cluster busy (CSS.0011) or not running (CSS.5090).", body = ErrorBody),
        (status = 404, description = "No such cluster in the project (CSS.3027).", body = ErrorBody),
    ),
)]
pub async fn offline(State(ctx): State<Ctx>, Extension(caller): Caller, Path((pid, cid)): Ids, Extension(RawBody(body)): Body) -> Result<Json<Empty>, CssError> {
    let ids = wire::decode::<OfflineRequest>(&body)?.shrink_nodes;
    let (pid, id, view) = target(&ctx, &caller, &pid, &cid).await?;
    let spec = spec_of(&view)?;
    let to = search::css_shrink(&spec, ids.len() as i64)?;
    let newest: Vec<String> = view.nodes.iter().filter(|(n, _)| n.ordinal >= to as u32).map(|(n, _)| n.id.to_string()).collect();
    let mut asked = ids.clone();
    asked.sort();
    asked.dedup();
    let mut expected = newest.clone();
    expected.sort();
    if asked != expected {
        return Err(CoreError::invalid(
            crate::core::error::Field::NumberOfNode,
            format!("strato retires the newest members: to remove {} give {}", ids.len(), newest.join(", ")),
        )
        .into());
    }
    ctx.app.change(&pid, id, Product::Css, SearchChange { nodes: Some(to), ..Default::default() }).await?;
    Ok(Json(Empty {}))
}
