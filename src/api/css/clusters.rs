//! Cluster handlers: create, list, show, restart, delete, flavors.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::{json, Value};

use super::{render, Caller, CssError};
use crate::api::auth::{authorize_project, RawBody};
use crate::api::Ctx;
use crate::auth::Principal;
use crate::core::cluster::Product;
use crate::core::job::JobKind;
use crate::core::search::{validate_css, CssCreateInput};
use crate::core::CoreError;

type Result<T> = std::result::Result<T, CssError>;

fn uuid(s: &str) -> Result<uuid::Uuid> {
    uuid::Uuid::parse_str(s).map_err(|_| CoreError::BadId(s.to_string()).into())
}

/// The `{"cluster": {...}}` body, decoded leniently into a `CssCreateInput`
/// (wrong JSON types are a CSS.0001 naming the field, not a parse failure).
fn create_input(body: &[u8]) -> Result<CssCreateInput> {
    let v: Value = serde_json::from_slice(body).map_err(|e| CoreError::MalformedBody(e.to_string()))?;
    let c = v.get("cluster").filter(|c| c.is_object()).ok_or_else(|| CoreError::MalformedBody("the body needs a `cluster` object".into()))?;
    let text = |v: &Value| v.as_str().map(str::to_string);
    let int = |v: &Value, what: &str| -> Result<Option<i64>> {
        match v {
            Value::Null => Ok(None),
            Value::Number(n) => n.as_i64().map(Some).ok_or_else(|| CoreError::MalformedBody(format!("{what} must be an integer")).into()),
            _ => Err(CoreError::MalformedBody(format!("{what} must be an integer")).into()),
        }
    };
    let inst = &c["instance"];
    Ok(CssCreateInput {
        name: text(&c["name"]),
        description: text(&c["desc"]),
        instance_num: int(&c["instanceNum"], "instanceNum")?,
        flavor_ref: text(&inst["flavorRef"]),
        volume_type: text(&inst["volume"]["volume_type"]),
        volume_size: int(&inst["volume"]["size"], "instance.volume.size")?,
        vpc_id: text(&inst["nics"]["vpcId"]),
        net_id: text(&inst["nics"]["netId"]),
        security_group_id: text(&inst["nics"]["securityGroupId"]),
        availability_zone: text(&inst["availability_zone"]),
        datastore_type: text(&c["datastore"]["type"]),
        datastore_version: text(&c["datastore"]["version"]),
        https_enable: c["httpsEnable"].as_bool().unwrap_or(false),
        authority_enable: c["authorityEnable"].as_bool().unwrap_or(false),
    })
}

pub async fn create(
    State(ctx): State<Ctx>,
    Extension(caller): Caller,
    Path(pid): Path<String>,
    Extension(RawBody(body)): Extension<RawBody>,
) -> Result<Response> {
    let pid: String = authorize_project::<CssError>(&ctx, &caller, &pid).await?;
    let spec = validate_css(&create_input(&body)?, &ctx.app.settings.zones)?;
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
    let wanted = q.get("datastoreType").map(|t| t.to_lowercase());
    let views = ctx.app.list(&pid, Product::Css).await?;
    let matching: Vec<_> = views
        .iter()
        .filter(|v| wanted.as_deref().is_none_or(|t| v.cluster.spec.search().is_some_and(|s| s.datastore.as_str() == t)))
        .collect();
    let clusters: Vec<Value> = matching.iter().skip(offset - 1).take(limit).map(|v| render::cluster(v)).collect();
    Ok(Json(json!({"totalSize": matching.len(), "clusters": clusters})).into_response())
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

/// v2 restart `{"type": "node"|"role", "value": ...}`: strato restarts every member either way.
pub async fn restart_v2(
    State(ctx): State<Ctx>,
    Extension(caller): Caller,
    Path((pid, cid)): Path<(String, String)>,
    Extension(RawBody(body)): Extension<RawBody>,
) -> Result<Response> {
    if !body.iter().all(u8::is_ascii_whitespace) {
        let v: Value = serde_json::from_slice(&body).map_err(|e| CoreError::MalformedBody(e.to_string()))?;
        if !matches!(v["type"].as_str(), Some("node" | "role") | None) {
            return Err(CoreError::MalformedBody("type must be `node` or `role`".into()).into());
        }
    }
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
    Ok(Json(render::flavors(&ctx.app.settings.region, &ctx.app.settings.zones)).into_response())
}
