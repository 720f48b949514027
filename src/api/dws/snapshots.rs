//! Snapshot handlers: create, list (all / per cluster), show, delete, restore.

use crate::core::cluster::Product;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::Deserialize;
use serde_json::json;

use super::{project, render, wire, Caller, DwsError, Pid};
use crate::api::auth::RawBody;
use crate::api::Ctx;
use crate::core::CoreError;

type Result<T> = std::result::Result<T, DwsError>;

pub async fn create(
    State(ctx): State<Ctx>,
    Extension(caller): Caller,
    Path(pid): Pid,
    Extension(RawBody(body)): Extension<RawBody>,
) -> Result<Response> {
    let pid = project(&ctx, &caller, &pid).await?;
    let (name, cluster_id, description) = wire::snapshot_input(&body)?;
    let snap = ctx.app.create_snapshot(&pid, cluster_id, &name, &description, crate::core::snapshot::SnapshotKind::Manual).await?;
    tracing::info!(snapshot.id = %snap.id, cluster.id = %cluster_id, "snapshot accepted");
    Ok(Json(json!({"snapshot": {"id": snap.id}})).into_response())
}

pub async fn list(State(ctx): State<Ctx>, Extension(caller): Caller, Path(pid): Pid) -> Result<Response> {
    let pid = project(&ctx, &caller, &pid).await?;
    let list: Vec<_> = ctx.app.snapshots(&pid, None).await?.iter().map(render::snapshot).collect();
    Ok(Json(json!({"snapshots": list, "count": list.len()})).into_response())
}

pub async fn show(
    State(ctx): State<Ctx>,
    Extension(caller): Caller,
    Path((pid, sid)): Path<(String, String)>,
) -> Result<Response> {
    let pid = project(&ctx, &caller, &pid).await?;
    let v = ctx.app.snapshot(&pid, wire::uuid(&sid)?).await?;
    let mut body = render::snapshot(&v);
    // The detail view adds the source cluster's current status.
    let cluster_status = match ctx.app.show(&pid, v.snapshot.cluster_id, Product::Dws).await {
        Ok(c) => json!(render::vocabulary(&c).0),
        Err(_) => json!(null),
    };
    body["cluster_status"] = cluster_status;
    Ok(Json(json!({"snapshot": body})).into_response())
}

pub async fn delete(
    State(ctx): State<Ctx>,
    Extension(caller): Caller,
    Path((pid, sid)): Path<(String, String)>,
) -> Result<Response> {
    let pid = project(&ctx, &caller, &pid).await?;
    ctx.app.delete_snapshot(&pid, wire::uuid(&sid)?, false).await?;
    Ok((StatusCode::ACCEPTED, Json(json!({}))).into_response())
}

pub async fn restore(
    State(ctx): State<Ctx>,
    Extension(caller): Caller,
    Path((pid, sid)): Path<(String, String)>,
    Extension(RawBody(body)): Extension<RawBody>,
) -> Result<Response> {
    let pid = project(&ctx, &caller, &pid).await?;
    let input = wire::restore_input(&body)?;
    let (cluster, job) = ctx.app.restore(&pid, wire::uuid(&sid)?, &input).await?;
    tracing::info!(cluster.id = %cluster.id, job.id = %job.id, snapshot.id = %sid, "restore accepted");
    Ok(Json(json!({"cluster": {"id": cluster.id}, "job_id": job.id})).into_response())
}

#[derive(Deserialize)]
pub struct Page {
    limit: Option<String>,
    offset: Option<String>,
    sort_key: Option<String>,
    sort_dir: Option<String>,
}

fn number(v: &Option<String>, what: &str, dflt: usize, max: usize) -> Result<usize> {
    match v.as_deref() {
        None | Some("") => Ok(dflt),
        Some(s) => match s.parse::<usize>() {
            Ok(n) if n <= max => Ok(n),
            _ => Err(CoreError::MalformedBody(format!("{what} must be an integer from 0 to {max}, got `{s}`")).into()),
        },
    }
}

/// `GET /v1.0/{pid}/clusters/{cid}/snapshots?limit&offset&sort_key&sort_dir`.
pub async fn list_for_cluster(
    State(ctx): State<Ctx>,
    Extension(caller): Caller,
    Path((pid, cid)): Path<(String, String)>,
    Query(page): Query<Page>,
) -> Result<Response> {
    let pid = project(&ctx, &caller, &pid).await?;
    let cluster_id = wire::uuid(&cid)?;
    let limit = number(&page.limit, "limit", 1000, 1000)?;
    let offset = number(&page.offset, "offset", 0, usize::MAX)?;
    let mut views = ctx.app.snapshots(&pid, Some(cluster_id)).await?;
    let key = page.sort_key.as_deref().unwrap_or("started");
    match key {
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
    let snapshots: Vec<_> = views.iter().skip(offset).take(limit).map(render::snapshot).collect();
    Ok(Json(json!({"snapshots": snapshots, "count": count, "project_id": pid, "cluster_id": cluster_id})).into_response())
}
