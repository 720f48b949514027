//! Cluster and job handlers.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::Extension;
use serde_json::json;
use uuid::Uuid;

use super::{ok, render, wire, ZillizError};
use crate::api::auth::RawBody;
use crate::api::Ctx;
use crate::auth::Principal;
use crate::core::cluster::Product;
use crate::core::vector::{Offering, VectorCreateInput};
use crate::core::CoreError;
use crate::store::ClusterQuery;

type Caller = Extension<Principal>;
type Body = Extension<RawBody>;

const PROMPT_CREATE: &str = "Submission successful, Cluster is being created, You can use the DescribeCluster \
    interface to obtain the creation progress and the status of the Cluster. When the Cluster status is RUNNING, \
    you can access your vector database using the SDK with the admin account and the initialization password you provided.";
const PROMPT_SUSPEND: &str = "Successfully Submitted. The cluster will not incur any computing costs when suspended. \
    You will only be billed for the storage costs during this time.";
const PROMPT_RESUME: &str = "Successfully Submitted. Cluster is being resumed, which is expected to takes several \
    minutes. You can access data about the creation progress and status of your cluster by DescribeCluster API. Once \
    the cluster status is RUNNING, you may access your vector database using the SDK.";
const PROMPT_MODIFY: &str = "Submitted successfully. The cluster is being modified; its status is MODIFYING until \
    the change is done, then RUNNING.";
const PROMPT_DROP: &str = "The Cluster is being deleted. Its processes are stopped and its data removed.";

/// The project an API key is scoped to.
fn project(p: &Principal) -> Result<&str, ZillizError> {
    p.scoped_project.as_deref().ok_or(ZillizError::Auth(crate::auth::AuthError::BadScope))
}

fn cluster_uuid(cid: &str) -> Result<Uuid, ZillizError> {
    if cid.trim().is_empty() {
        return Err(ZillizError::EmptyClusterId);
    }
    render::parse_cluster_id(cid).ok_or_else(|| ZillizError::Core(CoreError::BadId(cid.to_string())))
}

async fn create(ctx: Ctx, caller: Principal, body: RawBody, offering: Offering) -> Result<Response, ZillizError> {
    let pid = project(&caller)?;
    let b: wire::CreateClusterRequest = wire::decode(&body.0)?;
    match b.project_id.as_deref().map(str::trim) {
        None => return Err(ZillizError::MissingProject),
        Some(p) if p != pid => return Err(ZillizError::ForeignProject(p.to_string())),
        Some(_) => {}
    }
    let input = VectorCreateInput {
        cluster_name: b.cluster_name,
        region_id: b.region_id,
        plan: b.plan,
        cu_type: b.cu_type,
        cu_size: b.cu_size,
        description: b.description,
    };
    let made = ctx.app.create_vector(pid, offering, &input).await?;
    tracing::info!(cluster.id = %made.cluster.id, job.id = %made.job.id, "vector cluster create accepted");
    Ok(ok(json!({
        "clusterId": render::cluster_id(made.cluster.id),
        "username": made.username,
        "password": made.password,
        "prompt": PROMPT_CREATE,
    })))
}

pub async fn create_dedicated(State(ctx): State<Ctx>, Extension(c): Caller, Extension(b): Body) -> Result<Response, ZillizError> {
    create(ctx, c, b, Offering::Dedicated).await
}

pub async fn create_serverless(State(ctx): State<Ctx>, Extension(c): Caller, Extension(b): Body) -> Result<Response, ZillizError> {
    create(ctx, c, b, Offering::Serverless).await
}

pub async fn create_free(State(ctx): State<Ctx>, Extension(c): Caller, Extension(b): Body) -> Result<Response, ZillizError> {
    create(ctx, c, b, Offering::Free).await
}

pub async fn describe(State(ctx): State<Ctx>, Extension(caller): Caller, Path(cid): Path<String>) -> Result<Response, ZillizError> {
    let view = ctx.app.show(project(&caller)?, cluster_uuid(&cid)?, Product::Zilliz).await?;
    Ok(ok(render::cluster(&view)))
}

pub async fn list(
    State(ctx): State<Ctx>,
    Extension(caller): Caller,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ZillizError> {
    let page_size = match q.get("pageSize") {
        None => 10,
        Some(v) => v.trim().parse::<usize>().ok().filter(|n| (1..=100).contains(n)).ok_or_else(|| ZillizError::PageSize(v.clone()))?,
    };
    let current = match q.get("currentPage") {
        None => 1,
        Some(v) => v.trim().parse::<usize>().ok().filter(|n| (1..=i32::MAX as usize).contains(n)).ok_or_else(|| ZillizError::CurrentPage(v.clone()))?,
    };
    let page = ClusterQuery { offset: ((current - 1) as u64).saturating_mul(page_size as u64), limit: Some(page_size as u64), ..ClusterQuery::default() };
    let (views, total) = ctx.app.page(project(&caller)?, Product::Zilliz, &page).await?;
    let clusters: Vec<_> = views.iter().map(render::cluster).collect();
    Ok(ok(json!({"count": total, "currentPage": current, "pageSize": page_size, "clusters": clusters})))
}

fn accepted(id: Uuid, prompt: &str) -> Response {
    ok(json!({"clusterId": render::cluster_id(id), "prompt": prompt}))
}

pub async fn suspend(State(ctx): State<Ctx>, Extension(caller): Caller, Path(cid): Path<String>) -> Result<Response, ZillizError> {
    let id = cluster_uuid(&cid)?;
    ctx.app.suspend(project(&caller)?, id).await?;
    Ok(accepted(id, PROMPT_SUSPEND))
}

pub async fn resume(State(ctx): State<Ctx>, Extension(caller): Caller, Path(cid): Path<String>) -> Result<Response, ZillizError> {
    let id = cluster_uuid(&cid)?;
    ctx.app.resume(project(&caller)?, id).await?;
    Ok(accepted(id, PROMPT_RESUME))
}

pub async fn modify(
    State(ctx): State<Ctx>,
    Extension(caller): Caller,
    Path(cid): Path<String>,
    Extension(body): Body,
) -> Result<Response, ZillizError> {
    let id = cluster_uuid(&cid)?;
    let b: wire::ModifyClusterRequest = wire::decode(&body.0)?;
    let cu_size = b.cu_size.ok_or_else(|| CoreError::invalid(crate::core::error::Field::CuSize, "cuSize is required"))?;
    ctx.app.modify(project(&caller)?, id, cu_size).await?;
    Ok(accepted(id, PROMPT_MODIFY))
}

pub async fn drop(State(ctx): State<Ctx>, Extension(caller): Caller, Path(cid): Path<String>) -> Result<Response, ZillizError> {
    let id = cluster_uuid(&cid)?;
    ctx.app.delete(project(&caller)?, id, Product::Zilliz, None).await?;
    Ok(accepted(id, PROMPT_DROP))
}

pub async fn job(State(ctx): State<Ctx>, Extension(caller): Caller, Path(jid): Path<String>) -> Result<Response, ZillizError> {
    let id = render::parse_job_id(&jid).ok_or_else(|| ZillizError::Core(CoreError::JobNotFound(jid.clone())))?;
    let job = ctx.app.job(project(&caller)?, id).await?;
    // Only jobs on this dialect's clusters exist here.
    ctx.app.cluster(project(&caller)?, job.cluster_id, Product::Zilliz).await.map_err(|_| CoreError::JobNotFound(jid))?;
    Ok(ok(render::job(&job)))
}
