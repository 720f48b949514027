//! Automated snapshot policies: `PUT|GET /v2/{project_id}/clusters/{cluster_id}/snapshot-policies`
//! (and the v1.0 paths, operations of their own in the document),
//! `DELETE /v1.0/{project_id}/clusters/{cluster_id}/snapshot-policies/{id}`.

use axum::extract::{Path, State};
use axum::{Extension, Json};
use uuid::Uuid;

use super::openapi::{BAD_REQUEST, CLUSTER_ID, PROJECT_ID, TAG_POLICIES};
use super::wire::{self, Empty, ErrorBody, SnapshotPolicy, SnapshotPolicyRequest};
use super::{project, render, Caller, DwsError};
use crate::api::auth::RawBody;
use crate::api::Ctx;
use crate::core::error::Field;
use crate::core::now_ms;
use crate::core::snapshot::{Policy, Strategy};
use crate::core::CoreError;

type Answer<T> = Result<Json<T>, DwsError>;
type Ids = Path<(String, String)>;
type Body = Extension<RawBody>;

#[utoipa::path(
    get, path = "/v2/{project_id}/clusters/{cluster_id}/snapshot-policies",
    operation_id = "ListSnapshotPolicy", tag = TAG_POLICIES,
    summary = "Show a cluster's snapshot policy",
    description = "The cluster's automated snapshot policy; keep 7 days and no strategies if none was set.",
    params(("project_id" = String, Path, description = PROJECT_ID), ("cluster_id" = Uuid, Path, description = CLUSTER_ID)),
    responses(
        (status = 200, description = "The policy.", body = SnapshotPolicy),
        (status = 404, description = "No such cluster (DWS.0047).", body = ErrorBody),
    ),
)]
pub async fn show(State(ctx): State<Ctx>, Extension(caller): Caller, Path((pid, cid)): Ids) -> Answer<SnapshotPolicy> {
    let pid = project(&ctx, &caller, &pid).await?;
    let policy = ctx.app.policy(&pid, wire::uuid(&cid)?).await?;
    let p = policy.unwrap_or(Policy { keep_day: 7, auto_backup: false, strategies: vec![] });
    Ok(Json(render::policy(&p)))
}

#[utoipa::path(
    get, path = "/v1.0/{project_id}/clusters/{cluster_id}/snapshot-policies",
    operation_id = "ListSnapshotPolicyV1", tag = TAG_POLICIES,
    summary = "Show a cluster's snapshot policy (v1.0)",
    description = "`ListSnapshotPolicy` at the older v1.0 path; the same body.",
    params(("project_id" = String, Path, description = PROJECT_ID), ("cluster_id" = Uuid, Path, description = CLUSTER_ID)),
    responses(
        (status = 200, description = "The policy.", body = SnapshotPolicy),
        (status = 404, description = "No such cluster (DWS.0047).", body = ErrorBody),
    ),
)]
pub async fn show_v1(ctx: State<Ctx>, caller: Caller, ids: Ids) -> Answer<SnapshotPolicy> {
    show(ctx, caller, ids).await
}

/// The policy a request sets: strategies that keep their id keep their schedule position.
fn policy_of(b: SnapshotPolicyRequest, existing: Option<&Policy>) -> Result<Policy, DwsError> {
    let now = now_ms();
    let bad = |m: String| DwsError::from(CoreError::invalid(Field::SnapshotPolicy, m));
    let mut strategies = Vec::new();
    for (i, s) in b.backup_strategies.unwrap_or_default().into_iter().enumerate() {
        if let Some(t) = s.backup_type.as_deref().filter(|t| *t != "full") {
            return Err(bad(format!("backup_type `{t}` is not supported: only full")));
        }
        if let Some(l) = s.backup_level.as_deref().filter(|l| *l != "cluster") {
            return Err(bad(format!("backup_level `{l}` is not supported: only cluster")));
        }
        let cron = s.backup_strategy.ok_or_else(|| bad("backup_strategy (a cron expression) is required".into()))?;
        let prior = s
            .policy_id
            .as_deref()
            .and_then(|id| Uuid::parse_str(id).ok())
            .and_then(|id| existing?.strategies.iter().find(|x| x.id == id).cloned());
        strategies.push(Strategy {
            id: prior.as_ref().map(|p| p.id).unwrap_or_else(Uuid::new_v4),
            name: s.policy_name.unwrap_or_else(|| format!("policy-{}", i + 1)),
            last_fired_at: prior.as_ref().filter(|p| p.cron == cron).map(|p| p.last_fired_at).unwrap_or(now),
            cron,
            updated_at: now,
        });
    }
    let keep_day = b.keep_day.unwrap_or(existing.map(|p| p.keep_day as i64).unwrap_or(7));
    Ok(Policy { keep_day: u32::try_from(keep_day).unwrap_or(0), auto_backup: b.auto_backup.unwrap_or(true), strategies })
}

#[utoipa::path(
    put, path = "/v2/{project_id}/clusters/{cluster_id}/snapshot-policies",
    operation_id = "CreateSnapshotPolicy", tag = TAG_POLICIES,
    summary = "Set a cluster's snapshot policy",
    description = "Replaces the cluster's automated snapshot policy; each strategy takes a snapshot when its cron \
        expression fires.",
    params(("project_id" = String, Path, description = PROJECT_ID), ("cluster_id" = Uuid, Path, description = CLUSTER_ID)),
    request_body = SnapshotPolicyRequest,
    responses(
        (status = 200, description = "Set.", body = Empty),
        (status = 400, description = BAD_REQUEST, body = ErrorBody),
        (status = 404, description = "No such cluster (DWS.0047).", body = ErrorBody),
    ),
)]
pub async fn put(
    State(ctx): State<Ctx>,
    Extension(caller): Caller,
    Path((pid, cid)): Ids,
    Extension(RawBody(body)): Body,
) -> Answer<Empty> {
    let pid = project(&ctx, &caller, &pid).await?;
    let cluster_id = wire::uuid(&cid)?;
    let b: SnapshotPolicyRequest = wire::decode(&body)?;
    let existing = ctx.app.policy(&pid, cluster_id).await?;
    ctx.app.set_policy(&pid, cluster_id, policy_of(b, existing.as_ref())?).await?;
    Ok(Json(Empty {}))
}

#[utoipa::path(
    put, path = "/v1.0/{project_id}/clusters/{cluster_id}/snapshot-policies",
    operation_id = "CreateSnapshotPolicyV1", tag = TAG_POLICIES,
    summary = "Set a cluster's snapshot policy (v1.0)",
    description = "`CreateSnapshotPolicy` at the older v1.0 path; the same body.",
    params(("project_id" = String, Path, description = PROJECT_ID), ("cluster_id" = Uuid, Path, description = CLUSTER_ID)),
    request_body = SnapshotPolicyRequest,
    responses(
        (status = 200, description = "Set.", body = Empty),
        (status = 400, description = BAD_REQUEST, body = ErrorBody),
        (status = 404, description = "No such cluster (DWS.0047).", body = ErrorBody),
    ),
)]
pub async fn put_v1(ctx: State<Ctx>, caller: Caller, ids: Ids, body: Body) -> Answer<Empty> {
    put(ctx, caller, ids, body).await
}

#[utoipa::path(
    delete, path = "/v1.0/{project_id}/clusters/{cluster_id}/snapshot-policies/{id}",
    operation_id = "DeleteSnapshotPolicy", tag = TAG_POLICIES,
    summary = "Delete a strategy of a cluster's snapshot policy",
    params(
        ("project_id" = String, Path, description = PROJECT_ID),
        ("cluster_id" = Uuid, Path, description = CLUSTER_ID),
        ("id" = Uuid, Path, description = "A strategy's `policy_id`, a UUID (else DWS.0001)."),
    ),
    responses(
        (status = 200, description = "Deleted.", body = Empty),
        (status = 404, description = "No such cluster (DWS.0047) or strategy (DWS.5149).", body = ErrorBody),
    ),
)]
pub async fn delete_strategy(
    State(ctx): State<Ctx>,
    Extension(caller): Caller,
    Path((pid, cid, id)): Path<(String, String, String)>,
) -> Answer<Empty> {
    let pid = project(&ctx, &caller, &pid).await?;
    let cluster_id = wire::uuid(&cid)?;
    let id = wire::uuid(&id)?;
    let mut policy = ctx.app.policy(&pid, cluster_id).await?.ok_or_else(|| CoreError::SnapshotNotFound(id.to_string()))?;
    let before = policy.strategies.len();
    policy.strategies.retain(|s| s.id != id);
    if policy.strategies.len() == before {
        return Err(CoreError::SnapshotNotFound(format!("policy {id}")).into());
    }
    ctx.app.set_policy(&pid, cluster_id, policy).await?;
    Ok(Json(Empty {}))
}
