//! Cluster handlers: create, list, show, restart, stop, start, delete.

use crate::core::cluster::Product;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::json;

use super::{project, render, wire, Caller, DwsError, Pid};
use crate::api::auth::RawBody;
use crate::api::Ctx;
use crate::core::job::JobKind;

type Result<T> = std::result::Result<T, DwsError>;

pub async fn create(
    State(ctx): State<Ctx>,
    Extension(caller): Caller,
    Path(pid): Pid,
    Extension(RawBody(body)): Extension<RawBody>,
) -> Result<Response> {
    let pid = project(&ctx, &caller, &pid).await?;
    let input = wire::create_input(&body)?;
    let (cluster, job) = ctx.app.create_cluster(&pid, &input).await?;
    tracing::info!(cluster.id = %cluster.id, job.id = %job.id, name = %cluster.spec.name(), "cluster create accepted");
    Ok(Json(json!({"cluster": {"id": cluster.id}, "job_id": job.id})).into_response())
}

pub async fn list(State(ctx): State<Ctx>, Extension(caller): Caller, Path(pid): Pid) -> Result<Response> {
    let pid = project(&ctx, &caller, &pid).await?;
    let views = ctx.app.list(&pid, Product::Dws).await?;
    let region = &ctx.app.settings.region;
    let clusters: Vec<_> = views.iter().map(|v| render::cluster(v, region)).collect();
    Ok(Json(render::ClusterList { count: clusters.len(), clusters }).into_response())
}

pub async fn show(
    State(ctx): State<Ctx>,
    Extension(caller): Caller,
    Path((pid, cid)): Path<(String, String)>,
) -> Result<Response> {
    let pid = project(&ctx, &caller, &pid).await?;
    let view = ctx.app.show(&pid, wire::uuid(&cid)?, Product::Dws).await?;
    Ok(Json(render::OneCluster { cluster: render::cluster(&view, &ctx.app.settings.region) }).into_response())
}

async fn operate(ctx: &Ctx, caller: &crate::auth::Principal, pid: &str, cid: &str, kind: JobKind) -> Result<uuid::Uuid> {
    let pid = project(ctx, caller, pid).await?;
    let job = ctx.app.operate(&pid, wire::uuid(cid)?, Product::Dws, kind).await?;
    tracing::info!(cluster.id = %job.cluster_id, job.id = %job.id, kind = %kind, "operation accepted");
    Ok(job.id)
}

pub async fn restart(
    State(ctx): State<Ctx>,
    Extension(caller): Caller,
    Path((pid, cid)): Path<(String, String)>,
    Extension(RawBody(body)): Extension<RawBody>,
) -> Result<Response> {
    wire::restart_body(&body)?;
    operate(&ctx, &caller, &pid, &cid, JobKind::RestartCluster).await?;
    Ok(Json(json!({})).into_response())
}

pub async fn stop(
    State(ctx): State<Ctx>,
    Extension(caller): Caller,
    Path((pid, cid)): Path<(String, String)>,
) -> Result<Response> {
    let job = operate(&ctx, &caller, &pid, &cid, JobKind::StopCluster).await?;
    Ok(Json(json!({"error_code": null, "error_msg": null, "job_id": job})).into_response())
}

pub async fn start(
    State(ctx): State<Ctx>,
    Extension(caller): Caller,
    Path((pid, cid)): Path<(String, String)>,
) -> Result<Response> {
    let job = operate(&ctx, &caller, &pid, &cid, JobKind::StartCluster).await?;
    Ok(Json(json!({"error_code": null, "error_msg": null, "job_id": job})).into_response())
}

pub async fn delete(
    State(ctx): State<Ctx>,
    Extension(caller): Caller,
    Path((pid, cid)): Path<(String, String)>,
    Extension(RawBody(body)): Extension<RawBody>,
) -> Result<Response> {
    let keep = wire::delete_body(&body)?;
    let pid = project(&ctx, &caller, &pid).await?;
    let job = ctx.app.delete(&pid, wire::uuid(&cid)?, Product::Dws, keep).await?;
    tracing::info!(cluster.id = %job.cluster_id, job.id = %job.id, "delete accepted");
    Ok((StatusCode::ACCEPTED, Json(json!({}))).into_response())
}
