//! Cluster handlers: create, list, show, restart, stop, start, delete; each
//! annotated with its operation in the OpenAPI document.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};

use super::openapi::{BAD_REQUEST, CLUSTER_ID, CONFLICT, PROJECT_ID, TAG_CLUSTERS, UNAVAILABLE};
use super::wire::{
    self, ClusterCreated, ClusterList, ClusterRef, CreateClusterRequest, CreateClusterV2Request, DeleteClusterRequest, Empty, ErrorBody, JobAccepted,
    OneCluster, RestartClusterRequest,
};
use super::{project, render, Caller, DwsError, Pid};
use crate::api::auth::RawBody;
use crate::api::Ctx;
use crate::core::cluster::Product;
use crate::core::job::JobKind;
use crate::core::CoreError;

type Answer<T> = Result<Json<T>, DwsError>;
type Ids = Path<(String, String)>;

#[utoipa::path(
    post, path = "/v1.0/{project_id}/clusters", operation_id = "CreateCluster", tag = TAG_CLUSTERS,
    summary = "Create a cluster",
    description = "Creates a cluster of `number_of_node` PostgreSQL processes: `CREATING` until they are ready, then \
        `AVAILABLE`. The body's cluster may also be sent flat, without the `cluster` wrapper.",
    params(("project_id" = String, Path, description = PROJECT_ID)),
    request_body = CreateClusterRequest,
    responses(
        (status = 200, description = "Accepted: the cluster's id and the job making it.", body = ClusterCreated),
        (status = 400, description = BAD_REQUEST, body = ErrorBody),
        (status = 409, description = "A cluster of that name exists in the project (DWS.5050).", body = ErrorBody),
        (status = 503, description = UNAVAILABLE, body = ErrorBody),
    ),
)]
pub async fn create(
    State(ctx): State<Ctx>,
    Extension(caller): Caller,
    Path(pid): Pid,
    Extension(RawBody(body)): Extension<RawBody>,
) -> Answer<ClusterCreated> {
    let pid = project(&ctx, &caller, &pid).await?;
    create_from(&ctx, &pid, wire::create_input(&body)?).await
}

#[utoipa::path(
    post, path = "/v2/{project_id}/clusters", operation_id = "CreateClusterV2", tag = TAG_CLUSTERS,
    summary = "Create a cluster (v2)",
    description = "`CreateCluster` with the v2 body: `flavor`, `num_node`, `num_cn`, `db_name` (the administrator), \
        `db_password`, `db_port`, `availability_zones` (the first is the cluster's), the network ids, `public_ip`, \
        `tags`, `volume` (recorded, shown as `volume`). `datastore_version` is accepted and not recorded. The same \
        checks, codes and states.",
    params(("project_id" = String, Path, description = PROJECT_ID)),
    request_body = CreateClusterV2Request,
    responses(
        (status = 200, description = "Accepted: the cluster's id and the job making it.", body = ClusterCreated),
        (status = 400, description = BAD_REQUEST, body = ErrorBody),
        (status = 409, description = "A cluster of that name exists in the project (DWS.5050).", body = ErrorBody),
        (status = 503, description = UNAVAILABLE, body = ErrorBody),
    ),
)]
pub async fn create_v2(
    State(ctx): State<Ctx>,
    Extension(caller): Caller,
    Path(pid): Pid,
    Extension(RawBody(body)): Extension<RawBody>,
) -> Answer<ClusterCreated> {
    let pid = project(&ctx, &caller, &pid).await?;
    create_from(&ctx, &pid, wire::create_v2_input(&body)?).await
}

async fn create_from(ctx: &Ctx, pid: &str, input: crate::core::validate::CreateInput) -> Answer<ClusterCreated> {
    let (cluster, job) = ctx.app.create_cluster(pid, &input).await?;
    tracing::info!(cluster.id = %cluster.id, job.id = %job.id, name = %cluster.spec.name(), "cluster create accepted");
    Ok(Json(ClusterCreated { cluster: ClusterRef { id: cluster.id }, job_id: job.id }))
}

#[utoipa::path(
    get, path = "/v1.0/{project_id}/clusters", operation_id = "ListClusters", tag = TAG_CLUSTERS,
    summary = "List clusters",
    description = "The project's clusters, oldest first.",
    params(("project_id" = String, Path, description = PROJECT_ID)),
    responses((status = 200, description = "The clusters.", body = ClusterList)),
)]
pub async fn list(State(ctx): State<Ctx>, Extension(caller): Caller, Path(pid): Pid) -> Answer<ClusterList> {
    let pid = project(&ctx, &caller, &pid).await?;
    let views = ctx.app.list(&pid, Product::Dws).await?;
    let region = &ctx.app.settings.region;
    let clusters: Vec<_> = views.iter().map(|v| render::cluster(v, region)).collect();
    Ok(Json(ClusterList { count: clusters.len(), clusters }))
}

#[utoipa::path(
    get, path = "/v2/{project_id}/clusters", operation_id = "ShowClusters", tag = TAG_CLUSTERS,
    summary = "List clusters (v2)",
    description = "`ListClusters` at the v2 path the SDK's `show_clusters` calls; the same body.",
    params(("project_id" = String, Path, description = PROJECT_ID)),
    responses((status = 200, description = "The clusters.", body = ClusterList)),
)]
pub async fn list_v2(ctx: State<Ctx>, caller: Caller, pid: Pid) -> Answer<ClusterList> {
    list(ctx, caller, pid).await
}

#[utoipa::path(
    get, path = "/v1.0/{project_id}/clusters/{cluster_id}", operation_id = "ListClusterDetails", tag = TAG_CLUSTERS,
    summary = "Show a cluster",
    params(("project_id" = String, Path, description = PROJECT_ID), ("cluster_id" = Uuid, Path, description = CLUSTER_ID)),
    responses(
        (status = 200, description = "The cluster.", body = OneCluster),
        (status = 404, description = "No such cluster (DWS.0047).", body = ErrorBody),
    ),
)]
pub async fn show(State(ctx): State<Ctx>, Extension(caller): Caller, Path((pid, cid)): Ids) -> Answer<OneCluster> {
    let pid = project(&ctx, &caller, &pid).await?;
    let view = ctx.app.show(&pid, wire::uuid(&cid)?, Product::Dws).await?;
    Ok(Json(OneCluster { cluster: render::cluster(&view, &ctx.app.settings.region) }))
}

async fn operate(
    ctx: &Ctx,
    caller: &crate::auth::Principal,
    pid: &str,
    cid: &str,
    kind: JobKind,
) -> Result<uuid::Uuid, DwsError> {
    let pid = project(ctx, caller, pid).await?;
    let job = ctx.app.operate(&pid, wire::uuid(cid)?, Product::Dws, kind).await?;
    tracing::info!(cluster.id = %job.cluster_id, job.id = %job.id, kind = %kind, "operation accepted");
    Ok(job.id)
}

#[utoipa::path(
    post, path = "/v1.0/{project_id}/clusters/{cluster_id}/restart",
    operation_id = "RestartCluster", tag = TAG_CLUSTERS,
    summary = "Restart a cluster",
    description = "Restarts an available cluster's processes: `task_status` `REBOOTING` until they are back.",
    params(("project_id" = String, Path, description = PROJECT_ID), ("cluster_id" = Uuid, Path, description = CLUSTER_ID)),
    request_body = RestartClusterRequest,
    responses(
        (status = 200, description = "Accepted.", body = Empty),
        (status = 404, description = "No such cluster (DWS.0047).", body = ErrorBody),
        (status = 409, description = CONFLICT, body = ErrorBody),
    ),
)]
pub async fn restart(
    State(ctx): State<Ctx>,
    Extension(caller): Caller,
    Path((pid, cid)): Ids,
    Extension(RawBody(body)): Extension<RawBody>,
) -> Answer<Empty> {
    wire::restart_body(&body)?;
    operate(&ctx, &caller, &pid, &cid, JobKind::RestartCluster).await?;
    Ok(Json(Empty {}))
}

#[utoipa::path(
    post, path = "/v1/{project_id}/clusters/{cluster_id}/stop", operation_id = "StopCluster", tag = TAG_CLUSTERS,
    summary = "Stop a cluster",
    description = "Stops an available cluster's processes, keeping its data: `task_status` `STOPPING`, then `STOPPED`.",
    params(("project_id" = String, Path, description = PROJECT_ID), ("cluster_id" = Uuid, Path, description = CLUSTER_ID)),
    responses(
        (status = 200, description = "Accepted: the job stopping it.", body = JobAccepted),
        (status = 404, description = "No such cluster (DWS.0047).", body = ErrorBody),
        (status = 409, description = CONFLICT, body = ErrorBody),
    ),
)]
pub async fn stop(State(ctx): State<Ctx>, Extension(caller): Caller, Path((pid, cid)): Ids) -> Answer<JobAccepted> {
    let job_id = operate(&ctx, &caller, &pid, &cid, JobKind::StopCluster).await?;
    Ok(Json(JobAccepted { error_code: None, error_msg: None, job_id }))
}

#[utoipa::path(
    post, path = "/v1/{project_id}/clusters/{cluster_id}/start", operation_id = "StartCluster", tag = TAG_CLUSTERS,
    summary = "Start a cluster",
    description = "Starts a stopped cluster again: `task_status` `STARTING`, then `AVAILABLE`.",
    params(("project_id" = String, Path, description = PROJECT_ID), ("cluster_id" = Uuid, Path, description = CLUSTER_ID)),
    responses(
        (status = 200, description = "Accepted: the job starting it.", body = JobAccepted),
        (status = 404, description = "No such cluster (DWS.0047).", body = ErrorBody),
        (status = 409, description = CONFLICT, body = ErrorBody),
    ),
)]
pub async fn start(State(ctx): State<Ctx>, Extension(caller): Caller, Path((pid, cid)): Ids) -> Answer<JobAccepted> {
    let job_id = operate(&ctx, &caller, &pid, &cid, JobKind::StartCluster).await?;
    Ok(Json(JobAccepted { error_code: None, error_msg: None, job_id }))
}

#[utoipa::path(
    delete, path = "/v1.0/{project_id}/clusters/{cluster_id}", operation_id = "DeleteCluster", tag = TAG_CLUSTERS,
    summary = "Delete a cluster",
    description = "Deletes a cluster: `DELETING` while its processes stop and its files are removed, then gone \
        (DWS.0047). The body is optional.",
    params(("project_id" = String, Path, description = PROJECT_ID), ("cluster_id" = Uuid, Path, description = CLUSTER_ID)),
    request_body(content = Option<DeleteClusterRequest>, description = "Optional."),
    responses(
        (status = 202, description = "Accepted.", body = Empty),
        (status = 404, description = "No such cluster (DWS.0047).", body = ErrorBody),
        (status = 409, description = CONFLICT, body = ErrorBody),
    ),
)]
pub async fn delete(
    State(ctx): State<Ctx>,
    Extension(caller): Caller,
    Path((pid, cid)): Ids,
    Extension(RawBody(body)): Extension<RawBody>,
) -> Result<(StatusCode, Json<Empty>), DwsError> {
    let keep = wire::delete_body(&body)?;
    let pid = project(&ctx, &caller, &pid).await?;
    let job = ctx.app.delete(&pid, wire::uuid(&cid)?, Product::Dws, keep).await?;
    tracing::info!(cluster.id = %job.cluster_id, job.id = %job.id, "delete accepted");
    Ok((StatusCode::ACCEPTED, Json(Empty {})))
}

/// `DeleteDwsCluster`'s query: how many of the newest manual snapshots to keep.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeleteV2Query {
    /// Keep this many of the cluster's newest manual snapshots, 0 or more (default: keep all).
    #[param(value_type = Option<u32>)]
    pub keep_last_manual_backup: Option<String>,
    /// Accepted and ignored: strato's EIPs are its own forwarders, gone with the cluster.
    #[allow(dead_code)]
    pub release_eip_type: Option<String>,
}

#[utoipa::path(
    delete, path = "/v2/{project_id}/clusters/{cluster_id}", operation_id = "DeleteDwsCluster", tag = TAG_CLUSTERS,
    summary = "Delete a cluster (v2)",
    description = "`DeleteCluster` at the v2 path: `keep_last_manual_backup` in the query instead of the body. \
        Answers the delete job's id.",
    params(("project_id" = String, Path, description = PROJECT_ID), ("cluster_id" = Uuid, Path, description = CLUSTER_ID), DeleteV2Query),
    responses(
        (status = 200, description = "Accepted.", body = JobAccepted),
        (status = 400, description = "`keep_last_manual_backup` is not a whole number (DWS.0004).", body = ErrorBody),
        (status = 404, description = "No such cluster (DWS.0047).", body = ErrorBody),
        (status = 409, description = CONFLICT, body = ErrorBody),
    ),
)]
pub async fn delete_v2(
    State(ctx): State<Ctx>,
    Extension(caller): Caller,
    Path((pid, cid)): Ids,
    axum::extract::Query(q): axum::extract::Query<DeleteV2Query>,
) -> Result<Json<JobAccepted>, DwsError> {
    let keep = match q.keep_last_manual_backup.as_deref() {
        None | Some("") => None,
        Some(n) => Some(n.parse::<u32>().map_err(|_| {
            CoreError::MalformedBody(format!("keep_last_manual_backup must be a whole number from 0, got `{n}`"))
        })?),
    };
    let pid = project(&ctx, &caller, &pid).await?;
    let job = ctx.app.delete(&pid, wire::uuid(&cid)?, Product::Dws, keep).await?;
    tracing::info!(cluster.id = %job.cluster_id, job.id = %job.id, "delete accepted");
    Ok(Json(JobAccepted { error_code: None, error_msg: None, job_id: job.id }))
}
