//! Cluster handlers: create, list, show, restart, delete, flavors, each
//! annotated with its operation in the OpenAPI document (`openapi.rs` adds
//! what every operation shares).

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::{Extension, Json};

use super::openapi::{CLUSTER_ID, ENGINE_UNAVAILABLE, PROJECT_ID, TAG_CLUSTERS, TAG_FLAVORS};
use super::wire::{self, ClusterDetail, ClusterList, CreateClusterRequest, CreateClusterV2Request, CreatedCluster, Empty, ErrorBody, FlavorList, RestartAccepted, RestartV2Request};
use super::{cluster_id, render, Caller, CssError};
use crate::api::auth::{authorize_project, RawBody};
use crate::api::Ctx;
use crate::auth::Principal;
use crate::core::cluster::Product;
use crate::core::job::JobKind;
use crate::core::search::{validate_css, Datastore};
use crate::core::CoreError;
use crate::store::ClusterQuery;

type Answer<T> = Result<Json<T>, CssError>;
type Body = Extension<RawBody>;

#[utoipa::path(
    post, path = "/v1.0/{project_id}/clusters", operation_id = "CreateCluster", tag = TAG_CLUSTERS,
    summary = "Create a cluster",
    description = "Creates a cluster of `instanceNum` members, one engine process each; its `status` is `100` until every \
        member serves, then `200`.",
    params(("project_id" = String, Path, description = PROJECT_ID)),
    request_body = CreateClusterRequest,
    responses(
        (status = 200, description = "Accepted.", body = CreatedCluster),
        (status = 400, description = "An invalid or missing field (CSS.0001, CSS.5057 for the name), or the name is taken (CSS.5050).", body = ErrorBody),
        (status = 503, description = ENGINE_UNAVAILABLE, body = ErrorBody),
    ),
)]
pub async fn create(State(ctx): State<Ctx>, Extension(caller): Caller, Path(pid): Path<String>, Extension(RawBody(body)): Body) -> Answer<CreatedCluster> {
    let input = wire::decode::<CreateClusterRequest>(&body)?.into_input()?;
    create_from(&ctx, &caller, &pid, input).await
}

async fn create_from(ctx: &Ctx, caller: &Principal, pid: &str, input: crate::core::search::CssCreateInput) -> Answer<CreatedCluster> {
    let pid: String = authorize_project::<CssError>(ctx, caller, pid).await?;
    let spec = validate_css(&input, &ctx.app.settings.css_zones)?;
    let (cluster, job) = ctx.app.create_search(&pid, spec).await?;
    tracing::info!(cluster.id = %cluster.id, job.id = %job.id, "CSS cluster create accepted");
    Ok(Json(CreatedCluster { cluster: wire::CreatedClusterRef { id: cluster.id, name: cluster.spec.name().to_string() } }))
}

#[utoipa::path(
    post, path = "/v2.0/{project_id}/clusters", operation_id = "CreateClusterV2", tag = TAG_CLUSTERS,
    summary = "Create a cluster (v2, members per role)",
    description = "As the v1 create, with the members given as `roles`: one data role (`ess`, or `lgs` for Logstash; \
        dedicated `ess-master`, `ess-client`, `ess-cold` members are not run by strato: CSS.0001), the disk a multiple of \
        20. `authorityEnable` / `httpsEnable` (HTTPS needs the security mode, CSS.5171; `adminPwd` checked, not stored) \
        are recorded; `publicIPReq` opens public access from the start (needs HTTPS, CSS.5310); `backupStrategy` turns \
        the snapshot function and its policy on; `publicKibanaReq` is refused (no Kibana). Pay-per-use: no `orderId`.",
    params(("project_id" = String, Path, description = PROJECT_ID)),
    request_body = CreateClusterV2Request,
    responses(
        (status = 200, description = "Accepted.", body = CreatedCluster),
        (status = 400, description = "An invalid or missing field (CSS.0001, CSS.5057 for the name, CSS.5171, CSS.5310), or the name is taken (CSS.5050).", body = ErrorBody),
        (status = 503, description = ENGINE_UNAVAILABLE, body = ErrorBody),
    ),
)]
pub async fn create_v2(State(ctx): State<Ctx>, Extension(caller): Caller, Path(pid): Path<String>, Extension(RawBody(body)): Body) -> Answer<CreatedCluster> {
    let input = wire::decode::<CreateClusterV2Request>(&body)?.into_input()?;
    create_from(&ctx, &caller, &pid, input).await
}

// The query stays a map (a repeated key is not an error), so its parameters are listed here.
#[utoipa::path(
    get, path = "/v1.0/{project_id}/clusters", operation_id = "ListClustersDetails", tag = TAG_CLUSTERS,
    summary = "List clusters",
    description = "The project's clusters, oldest first.",
    params(
        ("project_id" = String, Path, description = PROJECT_ID),
        ("offset" = Option<u32>, Query, minimum = 1, description = "The first cluster to list, from 1 (else CSS.0001)."),
        ("start" = Option<u32>, Query, minimum = 1, description = "`offset` as the Huawei provider's pager names it."),
        ("limit" = Option<u32>, Query, minimum = 1, description = "Clusters per page, 10 by default (else CSS.0001)."),
        ("datastoreType" = Option<String>, Query, description = "Only clusters of this datastore (`elasticsearch`, `opensearch`, `logstash`); another matches none."),
    ),
    responses(
        (status = 200, description = "A page of clusters.", body = ClusterList),
        (status = 400, description = "`offset` or `limit` is not a positive integer (CSS.5057).", body = ErrorBody),
    ),
)]
pub async fn list(State(ctx): State<Ctx>, Extension(caller): Caller, Path(pid): Path<String>, Query(q): Query<HashMap<String, String>>) -> Answer<ClusterList> {
    let pid: String = authorize_project::<CssError>(&ctx, &caller, &pid).await?;
    let number = |key: &str, default: usize| -> Result<usize, CssError> {
        match q.get(key) {
            None => Ok(default),
            Some(v) => v.trim().parse::<usize>().ok().filter(|n| *n >= 1).ok_or_else(|| {
                CoreError::invalid(crate::core::error::Field::Name, format!("{key} must be a positive integer, got `{v}`")).into()
            }),
        }
    };
    // offset is 1-based (the first cluster is offset 1); the Huawei provider's pager calls it `start`.
    let offset = if q.contains_key("offset") { number("offset", 1)? } else { number("start", 1)? };
    let limit = number("limit", 10)?;
    let mut page = ClusterQuery { offset: offset as u64 - 1, limit: Some(limit as u64), ..ClusterQuery::default() };
    if let Some(t) = q.get("datastoreType") {
        // A datastore no cluster can have matches none.
        match Datastore::parse(t) {
            Some(d) => page.datastore = Some(d),
            None => return Ok(Json(ClusterList { clusters: vec![], total_size: 0 })),
        }
    }
    let (views, total) = ctx.app.page(&pid, Product::Css, &page).await?;
    let clusters = views.iter().map(render::cluster).collect::<Result<_, _>>()?;
    Ok(Json(ClusterList { clusters, total_size: total }))
}

#[utoipa::path(
    get, path = "/v1.0/{project_id}/clusters/{cluster_id}", operation_id = "ShowClusterDetail", tag = TAG_CLUSTERS,
    summary = "Show a cluster",
    params(("project_id" = String, Path, description = PROJECT_ID), ("cluster_id" = String, Path, description = CLUSTER_ID)),
    responses(
        (status = 200, description = "The cluster.", body = ClusterDetail),
        (status = 400, description = "The cluster id is not a UUID (CSS.0001).", body = ErrorBody),
        (status = 404, description = "No such cluster in the project (CSS.3027).", body = ErrorBody),
    ),
)]
pub async fn show(State(ctx): State<Ctx>, Extension(caller): Caller, Path((pid, cid)): Path<(String, String)>) -> Answer<ClusterDetail> {
    let pid: String = authorize_project::<CssError>(&ctx, &caller, &pid).await?;
    let view = ctx.app.show(&pid, cluster_id(&cid)?, Product::Css).await?;
    Ok(Json(render::cluster(&view)?))
}

async fn restart_job(ctx: &Ctx, caller: &Principal, pid: &str, cid: &str) -> Answer<RestartAccepted> {
    let pid: String = authorize_project::<CssError>(ctx, caller, pid).await?;
    let job = ctx.app.operate(&pid, cluster_id(cid)?, Product::Css, JobKind::RestartCluster).await?;
    tracing::info!(cluster.id = %job.cluster_id, job.id = %job.id, "CSS restart accepted");
    Ok(Json(RestartAccepted { job_id: vec![job.id.simple().to_string()] }))
}

/// Seed 001: no body → `{"jobId": ["..."]}`.
#[utoipa::path(
    post, path = "/v1.0/{project_id}/clusters/{cluster_id}/restart", operation_id = "RestartCluster", tag = TAG_CLUSTERS,
    summary = "Restart a cluster",
    description = "Restarts every member in turn: `status` `100` with action `REBOOTING`, then `200`.",
    params(("project_id" = String, Path, description = PROJECT_ID), ("cluster_id" = String, Path, description = CLUSTER_ID)),
    responses(
        (status = 200, description = "Accepted.", body = RestartAccepted),
        (status = 400, description = "The cluster id is not a UUID (CSS.0001), the cluster is busy (CSS.0011) or not running (CSS.5090).", body = ErrorBody),
        (status = 404, description = "No such cluster in the project (CSS.3027).", body = ErrorBody),
    ),
)]
pub async fn restart(State(ctx): State<Ctx>, Extension(caller): Caller, Path((pid, cid)): Path<(String, String)>) -> Answer<RestartAccepted> {
    restart_job(&ctx, &caller, &pid, &cid).await
}

/// huaweicloudsdkcss's v2 client calls this `RestartCluster` too; an
/// operationId is unique, so it carries its version.
#[utoipa::path(
    post, path = "/v2.0/{project_id}/clusters/{cluster_id}/restart", operation_id = "RestartClusterV2", tag = TAG_CLUSTERS,
    summary = "Restart a cluster or one member (v2)",
    description = "`{\"type\":\"node\",\"value\": an instances[].id}` restarts that member alone, the others serving; \
        `{\"type\":\"role\",\"value\":\"ess\"}` (comma-separated roles: `ess`, `ess-master`, `ess-client`, `ess-cold`, \
        `lgs`) restarts the members of those roles (every member when all are named). A role the cluster has no members \
        of or a member it does not have is CSS.0001.",
    params(("project_id" = String, Path, description = PROJECT_ID), ("cluster_id" = String, Path, description = CLUSTER_ID)),
    request_body = RestartV2Request,
    responses(
        (status = 200, description = "Accepted.", body = RestartAccepted),
        (status = 400, description = "An invalid body (CSS.0001), the cluster id is not a UUID (CSS.0001), the cluster is busy (CSS.0011) or not running (CSS.5090).", body = ErrorBody),
        (status = 404, description = "No such cluster in the project (CSS.3027).", body = ErrorBody),
    ),
)]
pub async fn restart_v2(State(ctx): State<Ctx>, Extension(caller): Caller, Path((pid, cid)): Path<(String, String)>, Extension(RawBody(body)): Body) -> Answer<RestartAccepted> {
    let asked = wire::decode::<RestartV2Request>(&body)?;
    asked.validate()?;
    restart_as(&ctx, &caller, &pid, &cid, asked, false).await
}

#[utoipa::path(
    post, path = "/v2.0/{project_id}/clusters/{cluster_id}/rolling-restart", operation_id = "RollingRestart", tag = TAG_CLUSTERS,
    summary = "Restart every member, one at a time",
    description = "`{\"type\":\"role\",\"value\":\"all\"}` (or the data role): each member is stopped and started while the \
        others serve; `actions` is `[\"REBOOTING\"]` until the last is back.",
    params(("project_id" = String, Path, description = PROJECT_ID), ("cluster_id" = String, Path, description = CLUSTER_ID)),
    request_body = RestartV2Request,
    responses(
        (status = 200, description = "Accepted.", body = RestartAccepted),
        (status = 400, description = "An invalid body (CSS.0001), the cluster id is not a UUID (CSS.0001), the cluster is busy (CSS.0011) or not running (CSS.5090).", body = ErrorBody),
        (status = 404, description = "No such cluster in the project (CSS.3027).", body = ErrorBody),
    ),
)]
pub async fn rolling_restart(State(ctx): State<Ctx>, Extension(caller): Caller, Path((pid, cid)): Path<(String, String)>, Extension(RawBody(body)): Body) -> Answer<RestartAccepted> {
    let asked = wire::decode::<RestartV2Request>(&body)?;
    asked.validate()?;
    if asked.r#type.as_deref() != Some("role") {
        return Err(CoreError::MalformedBody("a rolling restart takes type `role`".into()).into());
    }
    restart_as(&ctx, &caller, &pid, &cid, asked, true).await
}

/// A v2 restart: one member (`node`), or the members of the roles named
/// (every member: strato runs data members only), at once or `rolling`.
async fn restart_as(ctx: &Ctx, caller: &Principal, pid: &str, cid: &str, asked: RestartV2Request, rolling: bool) -> Answer<RestartAccepted> {
    let pid: String = authorize_project::<CssError>(ctx, caller, pid).await?;
    let id = cluster_id(cid)?;
    let view = ctx.app.show(&pid, id, Product::Css).await?;
    let value = asked.value.unwrap_or_default();
    let spec = view.cluster.spec.search().cloned().ok_or_else(|| CoreError::NotSupported("restarts by role".into()))?;
    let invalid = |m: String| CssError::from(CoreError::invalid(crate::core::error::Field::Restart, m));
    let members = match asked.r#type.as_deref() {
        Some("node") => {
            let found = view.nodes.iter().find(|(n, _)| n.id.to_string() == value.trim()).ok_or_else(|| invalid(format!("the cluster has no member `{value}`")))?;
            Some(vec![found.0.ordinal])
        }
        _ if rolling && value.trim() == "all" => None,
        _ => {
            let mut roles = Vec::new();
            for name in value.split(',').map(str::trim).filter(|r| !r.is_empty()) {
                let role = crate::core::roles::MemberRole::parse_css(name, spec.datastore)?;
                if role != crate::core::roles::MemberRole::Data && spec.dedicated_role(role).is_none() {
                    return Err(invalid(format!("the cluster has no `{name}` members")));
                }
                roles.push(role);
            }
            let named: Vec<u32> = view.nodes.iter().map(|(n, _)| n.ordinal).filter(|o| roles.contains(&spec.role_of(*o))).collect();
            (named.len() < view.nodes.len()).then_some(named)
        }
    };
    let job = match (members, rolling) {
        (None, false) => ctx.app.operate(&pid, id, Product::Css, JobKind::RestartCluster).await?,
        (members, true) => ctx.app.restart_rolling(&pid, id, Product::Css, crate::core::job::RollingRestart { members, batch: 1 }).await?,
        // A role's members (or one member) at once; the others serve.
        (Some(members), false) => {
            let batch = members.len().max(1) as u32;
            ctx.app.restart_rolling(&pid, id, Product::Css, crate::core::job::RollingRestart { members: Some(members), batch }).await?
        }
    };
    tracing::info!(cluster.id = %job.cluster_id, job.id = %job.id, "CSS restart accepted");
    Ok(Json(RestartAccepted { job_id: vec![job.id.simple().to_string()] }))
}

#[utoipa::path(
    delete, path = "/v1.0/{project_id}/clusters/{cluster_id}", operation_id = "DeleteCluster", tag = TAG_CLUSTERS,
    summary = "Delete a cluster",
    description = "Stops the cluster's processes and removes its files; then it is gone (CSS.3027).",
    params(("project_id" = String, Path, description = PROJECT_ID), ("cluster_id" = String, Path, description = CLUSTER_ID)),
    responses(
        (status = 200, description = "Accepted.", body = Empty),
        (status = 400, description = "The cluster id is not a UUID (CSS.0001), the cluster is busy (CSS.0011) or its state does not allow it (CSS.5090).", body = ErrorBody),
        (status = 404, description = "No such cluster in the project (CSS.3027).", body = ErrorBody),
    ),
)]
pub async fn delete(State(ctx): State<Ctx>, Extension(caller): Caller, Path((pid, cid)): Path<(String, String)>) -> Answer<Empty> {
    let pid: String = authorize_project::<CssError>(&ctx, &caller, &pid).await?;
    let job = ctx.app.delete(&pid, cluster_id(&cid)?, Product::Css, None).await?;
    tracing::info!(cluster.id = %job.cluster_id, job.id = %job.id, "CSS delete accepted");
    Ok(Json(Empty {}))
}

async fn flavor_list(ctx: &Ctx, caller: &Principal, pid: &str) -> Answer<FlavorList> {
    authorize_project::<CssError>(ctx, caller, pid).await?;
    Ok(Json(render::flavors(&ctx.app.settings.region, &ctx.app.settings.css_zones)))
}

#[utoipa::path(
    get, path = "/v1.0/{project_id}/es-flavors", operation_id = "ListFlavors", tag = TAG_FLAVORS,
    summary = "List flavors",
    description = "Every datastore version and the flavors its members may have.",
    params(("project_id" = String, Path, description = PROJECT_ID)),
    responses((status = 200, description = "The flavors.", body = FlavorList)),
)]
pub async fn flavors(State(ctx): State<Ctx>, Extension(caller): Caller, Path(pid): Path<String>) -> Answer<FlavorList> {
    flavor_list(&ctx, &caller, &pid).await
}

#[utoipa::path(
    get, path = "/v1.0/{project_id}/flavors", operation_id = "ListFlavorsV1", tag = TAG_FLAVORS,
    summary = "List flavors (the older path)",
    description = "`ListFlavors` under its older documented path.",
    params(("project_id" = String, Path, description = PROJECT_ID)),
    responses((status = 200, description = "The flavors.", body = FlavorList)),
)]
pub async fn flavors_v1(State(ctx): State<Ctx>, Extension(caller): Caller, Path(pid): Path<String>) -> Answer<FlavorList> {
    flavor_list(&ctx, &caller, &pid).await
}
