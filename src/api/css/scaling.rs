//! Scale handlers: members added (`extend`, `role_extend`), disks grown
//! (`role_extend` `disksize`), members retired (`role/shrink`,
//! `node/offline`). Each is one durable change task on the real members (the
//! same as Alibaba's UpdateInstance): `actions` `GROWING`, `RESIZING_VOLUME`
//! or `SHRINKING` while it runs, then empty; kill -9 safe.

use axum::extract::{Path, State};
use axum::{Extension, Json};

use super::openapi::{CLUSTER_ID, PROJECT_ID, TAG_CLUSTERS};
use super::wire::{self, ClusterIdAnswer, Empty, ErrorBody, ExtendRequest, IndependentRequest, OfflineRequest, RoleExtendRequest, ShrinkRequest};
use super::{project_and_cluster, Caller, CssError};
use crate::api::auth::RawBody;
use crate::api::Ctx;
use crate::app::SearchChange;
use crate::core::cluster::Product;
use crate::core::error::Field;
use crate::core::roles::MemberRole;
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
        return Err(CoreError::invalid(Field::NumberOfNode, format!("modifySize must be 1 to 32, got {n}")).into());
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
        one) to the role (`ess`, `lgs`; `ess-master` keeping an odd number; `ess-cold`; master and client disks cannot \
        grow); a dedicated role the cluster lacks is added with `type/{type}/independent` (CSS.0001 here). One change \
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
        return Err(CoreError::invalid(Field::NumberOfNode, "`grow` must name one role").into());
    };
    let role = MemberRole::parse_css(&one.r#type, spec.datastore)?;
    let change = match role {
        MemberRole::Data => {
            let (nodes, disk) = search::css_grow(&spec, one.nodesize, one.disksize)?;
            SearchChange { nodes, disk_gb: disk, ..Default::default() }
        }
        _ => {
            let Some(d) = spec.dedicated_role(role) else {
                return Err(CoreError::invalid(Field::NumberOfNode, format!("the cluster has no {} members: add them with type/{}/independent", one.r#type, one.r#type)).into());
            };
            let have = d.members.len() as i64;
            let grown = SearchSpec { node_count: have as u32, disk_gb: d.disk_gb, ..spec.clone() };
            let (nodes, disk) = search::css_grow(&grown, one.nodesize, one.disksize)?;
            SearchChange { role: Some(role), nodes, disk_gb: disk, ..Default::default() }
        }
    };
    ctx.app.change(&pid, id, Product::Css, change).await?;
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
        return Err(CoreError::invalid(Field::NumberOfNode, "`shrink` must name one role").into());
    };
    let role = MemberRole::parse_css(&one.r#type, spec.datastore)?;
    let to = shrunk(&spec, role, one.reduced_node_num)?;
    ctx.app.change(&pid, id, Product::Css, SearchChange { role: Some(role), nodes: Some(to), ..Default::default() }).await?;
    Ok(Json(Empty {}))
}

/// A role's member count after `remove` go: data members fewer than half at
/// once; a dedicated role within its bounds (the change checks them).
fn shrunk(spec: &SearchSpec, role: MemberRole, remove: i64) -> Result<i64, CoreError> {
    match role {
        MemberRole::Data => search::css_shrink(spec, remove),
        _ => {
            let have = spec.dedicated_role(role).map_or(0, |d| d.members.len() as i64);
            if remove < 1 || remove > have {
                return Err(CoreError::invalid(Field::NumberOfNode, format!("1 to {have} {} members may be removed, got {remove}", role.css(spec.datastore))));
            }
            Ok(have - remove)
        }
    }
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
    let named: Vec<&crate::core::cluster::Node> = view.nodes.iter().map(|(n, _)| n).filter(|n| ids.contains(&n.id.to_string())).collect();
    let Some(role) = named.first().map(|n| spec.role_of(n.ordinal)) else {
        return Err(CoreError::invalid(Field::NumberOfNode, "shrinkNodes names no member of the cluster").into());
    };
    if named.iter().any(|n| spec.role_of(n.ordinal) != role) {
        return Err(CoreError::invalid(Field::NumberOfNode, "shrinkNodes must name members of one role").into());
    }
    let to = shrunk(&spec, role, ids.len() as i64)?;
    // strato retires a role's newest members: those must be the ones named.
    let mut of_role: Vec<&crate::core::cluster::Node> = view.nodes.iter().map(|(n, _)| n).filter(|n| spec.role_of(n.ordinal) == role).collect();
    of_role.sort_by_key(|n| std::cmp::Reverse(n.ordinal));
    let mut newest: Vec<String> = of_role.iter().take(ids.len()).map(|n| n.id.to_string()).collect();
    let mut asked = ids.clone();
    asked.sort();
    asked.dedup();
    newest.sort();
    if asked != newest {
        return Err(CoreError::invalid(Field::NumberOfNode, format!("strato retires the newest members: to remove {} give {}", ids.len(), newest.join(", "))).into());
    }
    ctx.app.change(&pid, id, Product::Css, SearchChange { role: Some(role), nodes: Some(to), ..Default::default() }).await?;
    Ok(Json(Empty {}))
}

#[utoipa::path(
    post, path = "/v1.0/{project_id}/clusters/{cluster_id}/type/{type}/independent", operation_id = "AddIndependentNode",
    tag = TAG_CLUSTERS,
    summary = "Add dedicated master or client members",
    description = "Adds `node_size` members of role `type` (`ess-master`: 3, 5, 7 or 9; `ess-client`: 1–32) to a \
        cluster without them: new engine processes, configured master-only or coordinating-only where the driver \
        takes roles (the osmem stand-in takes none: README). `actions` is `[\"GROWING\"]` until they serve.",
    params(
        ("project_id" = String, Path, description = PROJECT_ID),
        ("cluster_id" = String, Path, description = CLUSTER_ID),
        ("type" = String, Path, description = "`ess-master` or `ess-client`."),
    ),
    request_body = IndependentRequest,
    responses(
        (status = 200, description = "Accepted.", body = ClusterIdAnswer),
        (status = 400, description = "An invalid role, count or flavor, or the role exists (CSS.0001), the cluster busy (CSS.0011) or not running (CSS.5090).", body = ErrorBody),
        (status = 404, description = "No such cluster in the project (CSS.3027).", body = ErrorBody),
    ),
)]
pub async fn independent(
    State(ctx): State<Ctx>,
    Extension(caller): Caller,
    Path((pid, cid, kind)): Path<(String, String, String)>,
    Extension(RawBody(body)): Body,
) -> Result<Json<ClusterIdAnswer>, CssError> {
    let b = wire::decode::<IndependentRequest>(&body)?.r#type.unwrap_or_default();
    let (pid, id, view) = target(&ctx, &caller, &pid, &cid).await?;
    let spec = spec_of(&view)?;
    let role = MemberRole::parse_css(&kind, spec.datastore)?;
    if !matches!(role, MemberRole::Master | MemberRole::Client) {
        return Err(CoreError::invalid(Field::NumberOfNode, format!("only ess-master and ess-client members are added this way, not `{kind}`")).into());
    }
    if spec.dedicated_role(role).is_some() {
        return Err(CoreError::invalid(Field::NumberOfNode, format!("the cluster has {kind} members already")).into());
    }
    let flavor = b.flavor_ref.as_deref().and_then(search::css_flavor_named).ok_or_else(|| CoreError::invalid(Field::Flavor, "flavor_ref must be a flavor of es-flavors"))?;
    let disk = b.volume_size.unwrap_or(40);
    let new_role = Some((flavor.to_string(), disk as u32, b.volume_type.unwrap_or_else(|| "HIGH".into())));
    let change = SearchChange { role: Some(role), nodes: Some(b.node_size.unwrap_or(0)), new_role, ..Default::default() };
    ctx.app.change(&pid, id, Product::Css, change).await?;
    Ok(Json(ClusterIdAnswer { id }))
}
