//! Snapshot handlers: create, list (all / per cluster), show, delete,
//! restore; each annotated with its operation in the OpenAPI document.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::{Extension, Json};

use super::openapi::{BAD_REQUEST, CLUSTER_ID, PROJECT_ID, SNAPSHOT_ID, TAG_SNAPSHOTS, UNAVAILABLE};
use super::wire::{
    self, ClusterCreated, ClusterRef, ClusterSnapshotList, CreateSnapshotRequest, Empty, ErrorBody, OneSnapshot,
    RestoreClusterRequest, SnapshotCreated, SnapshotDetail, SnapshotList, SnapshotPage, SnapshotRef,
};
use super::{project, render, Caller, DwsError, Pid};
use crate::api::auth::RawBody;
use crate::api::Ctx;
use crate::core::cluster::Product;
use crate::core::snapshot::SnapshotKind;
use crate::core::CoreError;

type Answer<T> = Result<Json<T>, DwsError>;
type Ids = Path<(String, String)>;

#[utoipa::path(
    post, path = "/v1.0/{project_id}/snapshots", operation_id = "CreateSnapshot", tag = TAG_SNAPSHOTS,
    summary = "Create a snapshot",
    description = "Snapshots an available cluster: the snapshot is `CREATING` (the cluster `SNAPSHOTTING`) until \
        its files are copied, then `AVAILABLE`.",
    params(("project_id" = String, Path, description = PROJECT_ID)),
    request_body = CreateSnapshotRequest,
    responses(
        (status = 200, description = "Accepted: the snapshot's id.", body = SnapshotCreated),
        (status = 400, description = BAD_REQUEST, body = ErrorBody),
        (status = 404, description = "No such cluster (DWS.0047).", body = ErrorBody),
        (status = 409, description = "A snapshot of that name exists (DWS.5050), or the cluster's state does not \
            allow a snapshot (DWS.5090).", body = ErrorBody),
        (status = 503, description = UNAVAILABLE, body = ErrorBody),
    ),
)]
pub async fn create(
    State(ctx): State<Ctx>,
    Extension(caller): Caller,
    Path(pid): Pid,
    Extension(RawBody(body)): Extension<RawBody>,
) -> Answer<SnapshotCreated> {
    let pid = project(&ctx, &caller, &pid).await?;
    let (name, cluster_id, description) = wire::snapshot_input(&body)?;
    let snap = ctx.app.create_snapshot(&pid, cluster_id, &name, &description, SnapshotKind::Manual).await?;
    tracing::info!(snapshot.id = %snap.id, cluster.id = %cluster_id, "snapshot accepted");
    Ok(Json(SnapshotCreated { snapshot: SnapshotRef { id: snap.id } }))
}

#[utoipa::path(
    get, path = "/v1.0/{project_id}/snapshots", operation_id = "ListSnapshots", tag = TAG_SNAPSHOTS,
    summary = "List snapshots",
    description = "The project's snapshots, of every cluster.",
    params(("project_id" = String, Path, description = PROJECT_ID)),
    responses((status = 200, description = "The snapshots.", body = SnapshotList)),
)]
pub async fn list(State(ctx): State<Ctx>, Extension(caller): Caller, Path(pid): Pid) -> Answer<SnapshotList> {
    let pid = project(&ctx, &caller, &pid).await?;
    let snapshots: Vec<_> = ctx.app.snapshots(&pid, None).await?.iter().map(render::snapshot).collect();
    Ok(Json(SnapshotList { count: snapshots.len(), snapshots }))
}

#[utoipa::path(
    get, path = "/v1.0/{project_id}/snapshots/{snapshot_id}", operation_id = "ListSnapshotDetails", tag = TAG_SNAPSHOTS,
    summary = "Show a snapshot",
    params(("project_id" = String, Path, description = PROJECT_ID), ("snapshot_id" = Uuid, Path, description = SNAPSHOT_ID)),
    responses(
        (status = 200, description = "The snapshot, with its cluster's status.", body = OneSnapshot),
        (status = 404, description = "No such snapshot (DWS.5149).", body = ErrorBody),
    ),
)]
pub async fn show(State(ctx): State<Ctx>, Extension(caller): Caller, Path((pid, sid)): Ids) -> Answer<OneSnapshot> {
    let pid = project(&ctx, &caller, &pid).await?;
    let v = ctx.app.snapshot(&pid, wire::uuid(&sid)?).await?;
    // The detail view adds the source cluster's current status.
    let cluster_status = ctx.app.show(&pid, v.snapshot.cluster_id, Product::Dws).await.ok().map(|c| render::vocabulary(&c).0);
    Ok(Json(OneSnapshot { snapshot: SnapshotDetail { snapshot: render::snapshot(&v), cluster_status } }))
}

#[utoipa::path(
    delete, path = "/v1.0/{project_id}/snapshots/{snapshot_id}", operation_id = "DeleteSnapshot", tag = TAG_SNAPSHOTS,
    summary = "Delete a snapshot",
    description = "Deletes a manual snapshot: `DELETING` while its files go, then gone (DWS.5149).",
    params(("project_id" = String, Path, description = PROJECT_ID), ("snapshot_id" = Uuid, Path, description = SNAPSHOT_ID)),
    responses(
        (status = 202, description = "Accepted.", body = Empty),
        (status = 404, description = "No such snapshot (DWS.5149).", body = ErrorBody),
        (status = 409, description = "The snapshot's state does not allow it: being made, restored from, or \
            automated (DWS.5090).", body = ErrorBody),
    ),
)]
pub async fn delete(
    State(ctx): State<Ctx>,
    Extension(caller): Caller,
    Path((pid, sid)): Ids,
) -> Result<(StatusCode, Json<Empty>), DwsError> {
    let pid = project(&ctx, &caller, &pid).await?;
    ctx.app.delete_snapshot(&pid, wire::uuid(&sid)?, false).await?;
    Ok((StatusCode::ACCEPTED, Json(Empty {})))
}

#[utoipa::path(
    post, path = "/v1.0/{project_id}/snapshots/{snapshot_id}/actions",
    operation_id = "RestoreCluster", tag = TAG_SNAPSHOTS,
    summary = "Restore a snapshot to a new cluster",
    description = "Makes a new cluster from an available snapshot: `CREATING` (`task_status` `RESTORING`) until its \
        processes hold the snapshot's data, then `AVAILABLE`.",
    params(("project_id" = String, Path, description = PROJECT_ID), ("snapshot_id" = Uuid, Path, description = SNAPSHOT_ID)),
    request_body = RestoreClusterRequest,
    responses(
        (status = 200, description = "Accepted: the new cluster's id and the job making it.", body = ClusterCreated),
        (status = 400, description = BAD_REQUEST, body = ErrorBody),
        (status = 404, description = "No such snapshot (DWS.5149).", body = ErrorBody),
        (status = 409, description = "A cluster of that name exists (DWS.5050), or the snapshot is not available \
            (DWS.5090).", body = ErrorBody),
        (status = 503, description = UNAVAILABLE, body = ErrorBody),
    ),
)]
pub async fn restore(
    State(ctx): State<Ctx>,
    Extension(caller): Caller,
    Path((pid, sid)): Ids,
    Extension(RawBody(body)): Extension<RawBody>,
) -> Answer<ClusterCreated> {
    let pid = project(&ctx, &caller, &pid).await?;
    let input = wire::restore_input(&body)?;
    let (cluster, job) = ctx.app.restore(&pid, wire::uuid(&sid)?, &input).await?;
    tracing::info!(cluster.id = %cluster.id, job.id = %job.id, snapshot.id = %sid, "restore accepted");
    Ok(Json(ClusterCreated { cluster: ClusterRef { id: cluster.id }, job_id: job.id }))
}

pub(super) fn number(v: &Option<String>, what: &str, dflt: usize, max: usize) -> Result<usize, DwsError> {
    match v.as_deref() {
        None | Some("") => Ok(dflt),
        Some(s) => match s.parse::<usize>() {
            Ok(n) if n <= max => Ok(n),
            _ => Err(CoreError::MalformedBody(format!("{what} must be an integer from 0 to {max}, got `{s}`")).into()),
        },
    }
}

#[utoipa::path(
    get, path = "/v1.0/{project_id}/clusters/{cluster_id}/snapshots",
    operation_id = "ListClusterSnapshots", tag = TAG_SNAPSHOTS,
    summary = "List a cluster's snapshots",
    description = "A page of one cluster's snapshots, sorted (newest first by default).",
    params(
        ("project_id" = String, Path, description = PROJECT_ID),
        ("cluster_id" = Uuid, Path, description = CLUSTER_ID),
        SnapshotPage,
    ),
    responses(
        (status = 200, description = "The page.", body = ClusterSnapshotList),
        (status = 400, description = "A `cluster_id` that is not a UUID (DWS.0001), or a query parameter out of \
            range (DWS.0004).", body = ErrorBody),
    ),
)]
pub async fn list_for_cluster(
    State(ctx): State<Ctx>,
    Extension(caller): Caller,
    Path((pid, cid)): Ids,
    Query(page): Query<SnapshotPage>,
) -> Answer<ClusterSnapshotList> {
    let pid = project(&ctx, &caller, &pid).await?;
    let cluster_id = wire::uuid(&cid)?;
    let limit = number(&page.limit, "limit", 1000, 1000)?;
    let offset = number(&page.offset, "offset", 0, usize::MAX)?;
    let mut views = ctx.app.snapshots(&pid, Some(cluster_id)).await?;
    match page.sort_key.as_deref().unwrap_or("started") {
        "started" | "created" => views.sort_by_key(|v| (v.snapshot.started_at, v.snapshot.created_at)),
        "name" => views.sort_by(|a, b| a.snapshot.name.cmp(&b.snapshot.name)),
        "size" => views.sort_by_key(|v| v.snapshot.size_bytes),
        other => return Err(CoreError::MalformedBody(format!("sort_key `{other}` is not one of started, name, size")).into()),
    }
    match page.sort_dir.as_deref().unwrap_or("desc") {
        "desc" => views.reverse(),
        "asc" => {}
        other => return Err(CoreError::MalformedBody(format!("sort_dir `{other}` is not asc or desc")).into()),
    }
    let count = views.len();
    let snapshots = views.iter().skip(offset).take(limit).map(render::snapshot).collect();
    Ok(Json(ClusterSnapshotList { snapshots, count, project_id: pid, cluster_id }))
}
