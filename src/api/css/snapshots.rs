//! Index snapshot handlers: the snapshot function (`setting`, `auto_setting`,
//! off) and its automatic policy are recorded; a snapshot needs an engine that
//! takes one, and the engines strato runs here do not (the answer says why).

use axum::extract::{Path, State};
use axum::{Extension, Json};

use super::openapi::{CLUSTER_ID, PROJECT_ID, TAG_CLUSTERS};
use super::wire::{self, CreateSnapshotRequest, Empty, ErrorBody, SnapshotList, SnapshotPolicyReply, SnapshotPolicyRequest, SnapshotSettingRequest};
use super::{project_and_cluster, Caller, CssError};
use crate::api::auth::RawBody;
use crate::api::Ctx;
use crate::app::SnapshotSetting;
use crate::core::cluster::Product;
use crate::core::error::Field;
use crate::core::index_snapshot::PolicyInput;
use crate::core::CoreError;

type Ids = Path<(String, String)>;
type Body = Extension<RawBody>;

const REFUSED: &str = "An invalid body (CSS.0001), the cluster id is not a UUID (CSS.0001), the cluster busy (CSS.0011) or \
    in a state that does not allow it (CSS.5090).";
const NOT_FOUND: &str = "No such cluster in the project (CSS.3027).";

async fn setting(ctx: &Ctx, caller: &crate::auth::Principal, pid: &str, cid: &str, change: SnapshotSetting) -> Result<Json<Empty>, CssError> {
    let (pid, id) = project_and_cluster(ctx, caller, pid, cid).await?;
    ctx.app.css_snapshot_setting(&pid, id, change).await.map_err(|e| match e {
        CoreError::Invalid { field: Field::Unchanged, message } => CssError::Coded("CSS.0004", message),
        e => e.into(),
    })?;
    Ok(Json(Empty {}))
}

#[utoipa::path(
    post, path = "/v1.0/{project_id}/clusters/{cluster_id}/index_snapshot/setting", operation_id = "UpdateSnapshotSetting", tag = TAG_CLUSTERS,
    summary = "Turn the snapshot function on, with where snapshots go",
    description = "Recorded: `bucket` (required), `agency` (required), `base_path`; the detail's `backupAvailable` is true.",
    params(("project_id" = String, Path, description = PROJECT_ID), ("cluster_id" = String, Path, description = CLUSTER_ID)),
    request_body = SnapshotSettingRequest,
    responses(
        (status = 200, description = "On.", body = Empty),
        (status = 400, description = REFUSED, body = ErrorBody),
        (status = 404, description = NOT_FOUND, body = ErrorBody),
    ),
)]
pub async fn set(State(ctx): State<Ctx>, Extension(caller): Caller, Path((pid, cid)): Ids, Extension(RawBody(body)): Body) -> Result<Json<Empty>, CssError> {
    let b: SnapshotSettingRequest = wire::decode(&body)?;
    let change = SnapshotSetting::Set { bucket: b.bucket.unwrap_or_default(), base_path: b.base_path.unwrap_or_default(), agency: b.agency.unwrap_or_default() };
    setting(&ctx, &caller, &pid, &cid, change).await
}

#[utoipa::path(
    post, path = "/v1.0/{project_id}/clusters/{cluster_id}/index_snapshot/auto_setting", operation_id = "StartAutoSetting", tag = TAG_CLUSTERS,
    summary = "Turn the snapshot function on with a bucket of the cluster's own",
    params(("project_id" = String, Path, description = PROJECT_ID), ("cluster_id" = String, Path, description = CLUSTER_ID)),
    responses(
        (status = 200, description = "On.", body = Empty),
        (status = 400, description = REFUSED, body = ErrorBody),
        (status = 404, description = NOT_FOUND, body = ErrorBody),
    ),
)]
pub async fn auto_set(State(ctx): State<Ctx>, Extension(caller): Caller, Path((pid, cid)): Ids) -> Result<Json<Empty>, CssError> {
    setting(&ctx, &caller, &pid, &cid, SnapshotSetting::Automatic).await
}

#[utoipa::path(
    delete, path = "/v1.0/{project_id}/clusters/{cluster_id}/index_snapshots", operation_id = "StopSnapshot", tag = TAG_CLUSTERS,
    summary = "Turn the snapshot function off",
    description = "Its settings and policy go; off already: 415 CSS.0004, as CSS answers (the provider takes it as done).",
    params(("project_id" = String, Path, description = PROJECT_ID), ("cluster_id" = String, Path, description = CLUSTER_ID)),
    responses(
        (status = 200, description = "Off.", body = Empty),
        (status = 400, description = REFUSED, body = ErrorBody),
        (status = 404, description = NOT_FOUND, body = ErrorBody),
        (status = 415, description = "Off already (CSS.0004).", body = ErrorBody),
    ),
)]
pub async fn off(State(ctx): State<Ctx>, Extension(caller): Caller, Path((pid, cid)): Ids) -> Result<Json<Empty>, CssError> {
    setting(&ctx, &caller, &pid, &cid, SnapshotSetting::Off).await
}

#[utoipa::path(
    post, path = "/v1.0/{project_id}/clusters/{cluster_id}/index_snapshot/policy", operation_id = "CreateAutoCreatePolicy", tag = TAG_CLUSTERS,
    summary = "Set the automatic-snapshot policy",
    description = "Recorded (`enable`, `prefix`, `period` on the hour, `keepday` 1-90, `frequency`, `indices`); turning it \
        on needs the snapshot function on (CSS.5090). No snapshot is taken by it here: no engine strato runs takes one.",
    params(("project_id" = String, Path, description = PROJECT_ID), ("cluster_id" = String, Path, description = CLUSTER_ID)),
    request_body = SnapshotPolicyRequest,
    responses(
        (status = 200, description = "Recorded.", body = Empty),
        (status = 400, description = REFUSED, body = ErrorBody),
        (status = 404, description = NOT_FOUND, body = ErrorBody),
    ),
)]
pub async fn set_policy(State(ctx): State<Ctx>, Extension(caller): Caller, Path((pid, cid)): Ids, Extension(RawBody(body)): Body) -> Result<Json<Empty>, CssError> {
    let b: SnapshotPolicyRequest = wire::decode(&body)?;
    let input = PolicyInput { enable: b.enable, prefix: b.prefix, period: b.period, keepday: b.keepday, frequency: b.frequency, indices: b.indices, delete_auto: b.delete_auto };
    setting(&ctx, &caller, &pid, &cid, SnapshotSetting::Policy(input)).await
}

#[utoipa::path(
    get, path = "/v1.0/{project_id}/clusters/{cluster_id}/index_snapshot/policy", operation_id = "ShowAutoCreatePolicy", tag = TAG_CLUSTERS,
    summary = "Show the automatic-snapshot policy",
    description = "Always answers (the Huawei provider reads it on every refresh): `enable` `\"false\"` until turned on.",
    params(("project_id" = String, Path, description = PROJECT_ID), ("cluster_id" = String, Path, description = CLUSTER_ID)),
    responses(
        (status = 200, description = "The policy.", body = SnapshotPolicyReply),
        (status = 400, description = "The cluster id is not a UUID (CSS.0001).", body = ErrorBody),
        (status = 404, description = NOT_FOUND, body = ErrorBody),
    ),
)]
pub async fn policy(State(ctx): State<Ctx>, Extension(caller): Caller, Path((pid, cid)): Ids) -> Result<Json<SnapshotPolicyReply>, CssError> {
    let (pid, id) = project_and_cluster(&ctx, &caller, &pid, &cid).await?;
    let view = ctx.app.show(&pid, id, Product::Css).await?;
    let s = view.cluster.spec.search().map(|s| s.index_snapshots.clone()).unwrap_or_default();
    let p = s.policy;
    Ok(Json(SnapshotPolicyReply {
        agency: s.agency,
        base_path: s.base_path,
        bucket: s.bucket,
        enable: p.enabled.to_string(),
        frequency: p.frequency,
        indices: p.indices,
        keepday: p.keepday,
        max_restore_bytes_per_seconds: "40MB".into(),
        max_snapshot_bytes_per_seconds: "40MB".into(),
        period: p.period,
        prefix: p.prefix,
        snapshot_cmk_id: None,
    }))
}

#[utoipa::path(
    post, path = "/v1.0/{project_id}/clusters/{cluster_id}/index_snapshot", operation_id = "CreateSnapshot", tag = TAG_CLUSTERS,
    summary = "Take an index snapshot",
    description = "Checked (the name, the snapshot function on), then refused with CSS.5090 saying why: the engines strato \
        runs here take no snapshots (the osmem stand-in keeps its indices in memory and has no `_snapshot` API).",
    params(("project_id" = String, Path, description = PROJECT_ID), ("cluster_id" = String, Path, description = CLUSTER_ID)),
    request_body = CreateSnapshotRequest,
    responses(
        (status = 400, description = REFUSED, body = ErrorBody),
        (status = 404, description = NOT_FOUND, body = ErrorBody),
    ),
)]
pub async fn create(State(ctx): State<Ctx>, Extension(caller): Caller, Path((pid, cid)): Ids, Extension(RawBody(body)): Body) -> CssError {
    let b: CreateSnapshotRequest = match wire::decode(&body) {
        Ok(b) => b,
        Err(e) => return e.into(),
    };
    let (pid, id) = match project_and_cluster(&ctx, &caller, &pid, &cid).await {
        Ok(found) => found,
        Err(e) => return e,
    };
    ctx.app.css_snapshot_refusal(&pid, id, &b.name.unwrap_or_default(), &b.description.unwrap_or_default()).await.into()
}

#[utoipa::path(
    get, path = "/v1.0/{project_id}/clusters/{cluster_id}/index_snapshots", operation_id = "ListSnapshots", tag = TAG_CLUSTERS,
    summary = "List index snapshots",
    params(("project_id" = String, Path, description = PROJECT_ID), ("cluster_id" = String, Path, description = CLUSTER_ID)),
    responses(
        (status = 200, description = "The snapshots (none: no engine strato runs takes one).", body = SnapshotList),
        (status = 400, description = "The cluster id is not a UUID (CSS.0001).", body = ErrorBody),
        (status = 404, description = NOT_FOUND, body = ErrorBody),
    ),
)]
pub async fn list(State(ctx): State<Ctx>, Extension(caller): Caller, Path((pid, cid)): Ids) -> Result<Json<SnapshotList>, CssError> {
    let (pid, id) = project_and_cluster(&ctx, &caller, &pid, &cid).await?;
    ctx.app.show(&pid, id, Product::Css).await?;
    Ok(Json(SnapshotList { backups: vec![] }))
}

async fn no_such_snapshot(ctx: &Ctx, caller: &crate::auth::Principal, pid: &str, cid: &str, sid: &str) -> CssError {
    let found = async {
        let (pid, id) = project_and_cluster(ctx, caller, pid, cid).await?;
        ctx.app.show(&pid, id, Product::Css).await?;
        Ok::<(), CssError>(())
    };
    match found.await {
        Err(e) => e,
        Ok(()) => CssError::Coded("CSS.3026", format!("the cluster has no snapshot `{sid}`")),
    }
}

#[utoipa::path(
    delete, path = "/v1.0/{project_id}/clusters/{cluster_id}/index_snapshot/{snapshot_id}", operation_id = "DeleteSnapshot", tag = TAG_CLUSTERS,
    summary = "Delete an index snapshot",
    params(("project_id" = String, Path, description = PROJECT_ID), ("cluster_id" = String, Path, description = CLUSTER_ID), ("snapshot_id" = String, Path, description = "The snapshot.")),
    responses(
        (status = 400, description = "No such snapshot (CSS.3026), or the cluster id is not a UUID (CSS.0001).", body = ErrorBody),
        (status = 404, description = NOT_FOUND, body = ErrorBody),
    ),
)]
pub async fn delete(State(ctx): State<Ctx>, Extension(caller): Caller, Path((pid, cid, sid)): Path<(String, String, String)>) -> CssError {
    no_such_snapshot(&ctx, &caller, &pid, &cid, &sid).await
}

#[utoipa::path(
    post, path = "/v1.0/{project_id}/clusters/{cluster_id}/index_snapshot/{snapshot_id}/restore", operation_id = "RestoreSnapshot", tag = TAG_CLUSTERS,
    summary = "Restore an index snapshot",
    params(("project_id" = String, Path, description = PROJECT_ID), ("cluster_id" = String, Path, description = CLUSTER_ID), ("snapshot_id" = String, Path, description = "The snapshot.")),
    responses(
        (status = 400, description = "No such snapshot (CSS.3026), or the cluster id is not a UUID (CSS.0001).", body = ErrorBody),
        (status = 404, description = NOT_FOUND, body = ErrorBody),
    ),
)]
pub async fn restore(State(ctx): State<Ctx>, Extension(caller): Caller, Path((pid, cid, sid)): Path<(String, String, String)>) -> CssError {
    no_such_snapshot(&ctx, &caller, &pid, &cid, &sid).await
}
