//! Cluster handlers: create, list, show, restart, delete, flavors.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::{json, Value};

use super::{render, wire, Caller, CssError};
use crate::api::auth::{authorize_project, RawBody};
use crate::api::Ctx;
use crate::auth::Principal;
use crate::core::cluster::Product;
use crate::core::job::JobKind;
use crate::core::search::{validate_css, Datastore};
use crate::store::ClusterQuery;
use crate::core::CoreError;

type Result<T> = std::result::Result<T, CssError>;

fn uuid(s: &str) -> Result<uuid::Uuid> {
    uuid::Uuid::parse_str(s).map_err(|_| CoreError::BadId(s.to_string()).into())
}

pub async fn create(
    State(ctx): State<Ctx>,
    Extension(caller): Caller,
    Path(pid): Path<String>,
    Extension(RawBody(body)): Extension<RawBody>,
) -> Result<Response> {
    let pid: String = authorize_project::<CssError>(&ctx, &caller, &pid).await?;
    let input = wire::decode::<wire::CreateClusterRequest>(&body)?.into_input()?;
    let spec = validate_css(&input, &ctx.app.settings.css_zones)?;
    let (cluster, job) = ctx.app.create_search(&pid, spec).await?;
    tracing::info!(cluster.id = %cluster.id, job.id = %job.id, "CSS cluster create accepted");
    Ok(Json(json!({"cluster": {"id": cluster.id, "name": cluster.spec.name()}})).into_response())
}

pub async fn list(
    State(ctx): State<Ctx>,
    Extension(caller): Caller,
    Path(pid): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response> {
    let pid: String = authorize_project::<CssError>(&ctx, &caller, &pid).await?;
    let number = |key: &str, default: usize| -> Result<usize> {
        match q.get(key) {
            None => Ok(default),
            Some(v) => v.trim().parse::<usize>().ok().filter(|n| *n >= 1).ok_or_else(|| {
                CoreError::invalid(crate::core::error::Field::Name, format!("{key} must be a positive integer, got `{v}`")).into()
            }),
        }
    };
    // offset is 1-based (the first cluster is offset 1).
    let (offset, limit) = (number("offset", 1)?, number("limit", 10)?);
    let mut page = ClusterQuery { offset: offset as u64 - 1, limit: Some(limit as u64), ..ClusterQuery::default() };
    if let Some(t) = q.get("datastoreType") {
        // A datastore no cluster can have matches none.
        match Datastore::parse(t) {
            Some(d) => page.datastore = Some(d),
            None => return Ok(Json(json!({"totalSize": 0, "clusters": []})).into_response()),
        }
    }
    let (views, total) = ctx.app.page(&pid, Product::Css, &page).await?;
    let clusters: Vec<Value> = views.iter().map(render::cluster).collect();
    Ok(Json(json!({"totalSize": total, "clusters": clusters})).into_response())
}

pub async fn show(State(ctx): State<Ctx>, Extension(caller): Caller, Path((pid, cid)): Path<(String, String)>) -> Result<Response> {
    let pid: String = authorize_project::<CssError>(&ctx, &caller, &pid).await?;
    let view = ctx.app.show(&pid, uuid(&cid)?, Product::Css).await?;
    Ok(Json(render::cluster(&view)).into_response())
}

async fn restart_job(ctx: &Ctx, caller: &Principal, pid: &str, cid: &str) -> Result<Response> {
    let pid: String = authorize_project::<CssError>(ctx, caller, pid).await?;
    let job = ctx.app.operate(&pid, uuid(cid)?, Product::Css, JobKind::RestartCluster).await?;
    tracing::info!(cluster.id = %job.cluster_id, job.id = %job.id, "CSS restart accepted");
    Ok(Json(json!({"jobId": [job.id.simple().to_string()]})).into_response())
}

/// Seed 001: `POST /v1.0/{pid}/clusters/{cid}/restart`, no body → `{"jobId": ["..."]}`.
pub async fn restart(State(ctx): State<Ctx>, Extension(caller): Caller, Path((pid, cid)): Path<(String, String)>) -> Result<Response> {
    restart_job(&ctx, &caller, &pid, &cid).await
}

/// v2 restart `{"type": "node"|"role", "value": ...}` (both required): strato restarts every member either way.
pub async fn restart_v2(
    State(ctx): State<Ctx>,
    Extension(caller): Caller,
    Path((pid, cid)): Path<(String, String)>,
    Extension(RawBody(body)): Extension<RawBody>,
) -> Result<Response> {
    wire::decode::<wire::RestartV2Request>(&body)?.validate()?;
    restart_job(&ctx, &caller, &pid, &cid).await
}

pub async fn delete(State(ctx): State<Ctx>, Extension(caller): Caller, Path((pid, cid)): Path<(String, String)>) -> Result<Response> {
    let pid: String = authorize_project::<CssError>(&ctx, &caller, &pid).await?;
    let job = ctx.app.delete(&pid, uuid(&cid)?, Product::Css, None).await?;
    tracing::info!(cluster.id = %job.cluster_id, job.id = %job.id, "CSS delete accepted");
    Ok(Json(json!({})).into_response())
}

pub async fn flavors(State(ctx): State<Ctx>, Extension(caller): Caller, Path(pid): Path<String>) -> Result<Response> {
    authorize_project::<CssError>(&ctx, &caller, &pid).await?;
    Ok(Json(render::flavors(&ctx.app.settings.region, &ctx.app.settings.css_zones)).into_response())
}
