//! Cluster and job handlers, each annotated with its operation in the
//! OpenAPI document (`openapi.rs` adds what every operation shares).

use axum::extract::{Path, Query, State};
use axum::{Extension, Json};
use uuid::Uuid;

use super::openapi::{CLUSTER_ID, OK_OR_REFUSED, TAG_CLUSTERS, TAG_JOBS, UNAVAILABLE};
use super::wire::{
    self, Cluster, ClusterAccepted, ClusterPage, CreateDedicatedClusterRequest, CreateServerlessClusterRequest, CreatedCluster,
    ErrorBody, Job, ModifyClusterRequest, Reply, Success,
};
use super::{ok, render, ZillizError};
use crate::api::auth::RawBody;
use crate::api::Ctx;
use crate::auth::Principal;
use crate::core::cluster::Product;
use crate::core::vector::{Offering, VectorCreateInput};
use crate::core::CoreError;
use crate::store::ClusterQuery;

pub(super) type Caller = Extension<Principal>;
pub(super) type Body = Extension<RawBody>;

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
pub(super) fn project(p: &Principal) -> Result<&str, ZillizError> {
    p.scoped_project.as_deref().ok_or(ZillizError::Auth(crate::auth::AuthError::BadScope))
}

pub(super) fn cluster_uuid(cid: &str) -> Result<Uuid, ZillizError> {
    if cid.trim().is_empty() {
        return Err(ZillizError::EmptyClusterId);
    }
    render::parse_cluster_id(cid).ok_or_else(|| ZillizError::Core(CoreError::BadId(cid.to_string())))
}

/// The success of a handler, and its refusal in Zilliz's envelope.
pub(super) type Answer<T> = Result<Json<Success<T>>, ZillizError>;

async fn create(ctx: Ctx, caller: Principal, b: CreateDedicatedClusterRequest, offering: Offering) -> Answer<CreatedCluster> {
    let pid = project(&caller)?;
    // One of the account's projects: its default one (the account's own id) or one it created.
    let zilliz_project = match b.project_id.as_deref().map(str::trim) {
        None => return Err(ZillizError::MissingProject),
        Some(p) if p == pid => None,
        Some(p) => match ctx.app.vector_project(pid, p).await {
            Ok(found) => Some(found.project.id),
            Err(CoreError::ProjectNotFound(_)) => return Err(ZillizError::ForeignProject(p.to_string())),
            Err(e) => return Err(e.into()),
        },
    };
    let input = VectorCreateInput {
        cluster_name: b.cluster_name,
        region_id: b.region_id,
        plan: b.plan,
        cu_type: b.cu_type,
        cu_size: b.cu_size,
        description: b.description,
    };
    let made = ctx.app.create_vector(pid, zilliz_project, offering, &input).await?;
    tracing::info!(cluster.id = %made.cluster.id, job.id = %made.job.id, "vector cluster create accepted");
    Ok(ok(CreatedCluster {
        cluster_id: render::cluster_id(made.cluster.id),
        username: made.username,
        password: made.password,
        prompt: PROMPT_CREATE.into(),
    }))
}

/// Creates are the only calls that need the engine (and a free address and ports), hence their 503.
#[utoipa::path(
    post, path = "/v2/clusters/createDedicated", operation_id = "CreateDedicatedCluster", tag = TAG_CLUSTERS,
    summary = "Create Dedicated Cluster",
    description = "Creates a dedicated cluster: one Milvus process with `cuSize` CPUs. It is `CREATING` until the process is ready, then `RUNNING`.",
    request_body = CreateDedicatedClusterRequest,
    responses(
        (status = 200, description = OK_OR_REFUSED, body = Reply<CreatedCluster>),
        (status = 503, description = UNAVAILABLE, body = ErrorBody),
    ),
)]
pub async fn create_dedicated(State(ctx): State<Ctx>, Extension(c): Caller, Extension(b): Body) -> Answer<CreatedCluster> {
    create(ctx, c, wire::decode(&b.0)?, Offering::Dedicated).await
}

#[utoipa::path(
    post, path = "/v2/clusters/createServerless", operation_id = "CreateServerlessCluster", tag = TAG_CLUSTERS,
    summary = "Create Serverless Cluster",
    description = "Creates a serverless cluster (a Milvus process of its own here, without a size; it cannot be suspended or resized).",
    request_body = CreateServerlessClusterRequest,
    responses(
        (status = 200, description = OK_OR_REFUSED, body = Reply<CreatedCluster>),
        (status = 503, description = UNAVAILABLE, body = ErrorBody),
    ),
)]
pub async fn create_serverless(State(ctx): State<Ctx>, Extension(c): Caller, Extension(b): Body) -> Answer<CreatedCluster> {
    let req: CreateServerlessClusterRequest = wire::decode(&b.0)?;
    create(ctx, c, req.into(), Offering::Serverless).await
}

#[utoipa::path(
    post, path = "/v2/clusters/createFree", operation_id = "CreateFreeCluster", tag = TAG_CLUSTERS,
    summary = "Create Free Cluster",
    description = "Creates a free cluster (a Milvus process of its own here, without a size; it cannot be suspended or resized).",
    request_body = CreateServerlessClusterRequest,
    responses(
        (status = 200, description = OK_OR_REFUSED, body = Reply<CreatedCluster>),
        (status = 503, description = UNAVAILABLE, body = ErrorBody),
    ),
)]
pub async fn create_free(State(ctx): State<Ctx>, Extension(c): Caller, Extension(b): Body) -> Answer<CreatedCluster> {
    let req: CreateServerlessClusterRequest = wire::decode(&b.0)?;
    create(ctx, c, req.into(), Offering::Free).await
}

#[utoipa::path(
    get, path = "/v2/clusters/{clusterId}", operation_id = "DescribeCluster", tag = TAG_CLUSTERS,
    summary = "Describe Cluster",
    params(("clusterId" = String, Path, description = CLUSTER_ID)),
    responses((status = 200, description = OK_OR_REFUSED, body = Reply<Cluster>)),
)]
pub async fn describe(State(ctx): State<Ctx>, Extension(caller): Caller, Path(cid): Path<String>) -> Answer<Cluster> {
    let view = ctx.app.show(project(&caller)?, cluster_uuid(&cid)?, Product::Zilliz).await?;
    Ok(ok(render::cluster(&view)))
}

#[utoipa::path(
    get, path = "/v2/clusters", operation_id = "ListClusters", tag = TAG_CLUSTERS,
    summary = "List Clusters",
    description = "The clusters of the API key's project, oldest first.",
    params(wire::ListClustersQuery),
    responses((status = 200, description = OK_OR_REFUSED, body = Reply<ClusterPage>)),
)]
pub async fn list(State(ctx): State<Ctx>, Extension(caller): Caller, Query(q): Query<wire::ListClustersQuery>) -> Answer<ClusterPage> {
    let page_size = match &q.page_size {
        None => 10,
        Some(v) => v.trim().parse::<u64>().ok().filter(|n| (1..=100).contains(n)).ok_or_else(|| ZillizError::PageSize(v.clone()))?,
    };
    let current = match &q.current_page {
        None => 1,
        Some(v) => v.trim().parse::<u64>().ok().filter(|n| (1..=i32::MAX as u64).contains(n)).ok_or_else(|| ZillizError::CurrentPage(v.clone()))?,
    };
    let account = project(&caller)?;
    let skip = (current - 1).saturating_mul(page_size);
    let (clusters, total) = match q.project_id.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        // A project's clusters: a filter on what every cluster's spec says, over all of them.
        Some(wanted) => {
            let (views, _) = ctx.app.page(account, Product::Zilliz, &ClusterQuery::default()).await?;
            let of: Vec<_> = views.iter().map(render::cluster).filter(|c| c.project_id == wanted).collect();
            let total = of.len() as u64;
            (of.into_iter().skip(skip as usize).take(page_size as usize).collect(), total)
        }
        None => {
            let page = ClusterQuery { offset: skip, limit: Some(page_size), ..ClusterQuery::default() };
            let (views, total) = ctx.app.page(account, Product::Zilliz, &page).await?;
            (views.iter().map(render::cluster).collect(), total)
        }
    };
    Ok(ok(ClusterPage { count: total, current_page: current, page_size, clusters }))
}

pub(super) fn accepted(id: Uuid, prompt: &str) -> Json<Success<ClusterAccepted>> {
    ok(ClusterAccepted { cluster_id: render::cluster_id(id), prompt: prompt.into() })
}

#[utoipa::path(
    post, path = "/v2/clusters/{clusterId}/suspend", operation_id = "SuspendCluster", tag = TAG_CLUSTERS,
    summary = "Suspend Cluster",
    description = "Stops a running dedicated cluster's processes, keeping its data: `STOPPING`, then `STOPPED`.",
    params(("clusterId" = String, Path, description = CLUSTER_ID)),
    responses((status = 200, description = OK_OR_REFUSED, body = Reply<ClusterAccepted>)),
)]
pub async fn suspend(State(ctx): State<Ctx>, Extension(caller): Caller, Path(cid): Path<String>) -> Answer<ClusterAccepted> {
    let id = cluster_uuid(&cid)?;
    ctx.app.suspend(project(&caller)?, id).await?;
    Ok(accepted(id, PROMPT_SUSPEND))
}

#[utoipa::path(
    post, path = "/v2/clusters/{clusterId}/resume", operation_id = "ResumeCluster", tag = TAG_CLUSTERS,
    summary = "Resume Cluster",
    description = "Starts a suspended dedicated cluster again: `RESUMING`, then `RUNNING`.",
    params(("clusterId" = String, Path, description = CLUSTER_ID)),
    responses((status = 200, description = OK_OR_REFUSED, body = Reply<ClusterAccepted>)),
)]
pub async fn resume(State(ctx): State<Ctx>, Extension(caller): Caller, Path(cid): Path<String>) -> Answer<ClusterAccepted> {
    let id = cluster_uuid(&cid)?;
    ctx.app.resume(project(&caller)?, id).await?;
    Ok(accepted(id, PROMPT_RESUME))
}

/// The seed's example sends resume as GET; the reference says POST.
#[utoipa::path(
    get, path = "/v2/clusters/{clusterId}/resume", operation_id = "ResumeClusterByGet", tag = TAG_CLUSTERS,
    summary = "Resume Cluster (GET)",
    description = "`ResumeCluster` as some clients send it, with GET.",
    params(("clusterId" = String, Path, description = CLUSTER_ID)),
    responses((status = 200, description = OK_OR_REFUSED, body = Reply<ClusterAccepted>)),
)]
pub async fn resume_by_get(ctx: State<Ctx>, caller: Caller, cid: Path<String>) -> Answer<ClusterAccepted> {
    resume(ctx, caller, cid).await
}

#[utoipa::path(
    post, path = "/v2/clusters/{clusterId}/modify", operation_id = "ModifyCluster", tag = TAG_CLUSTERS,
    summary = "Modify Cluster",
    description = "Resizes a running dedicated cluster (`cuSize`): `MODIFYING` while its process restarts with the new \
        CPUs, then `RUNNING`. `autoscaling` is recorded and shown at once (`{}` for a part removes it; strato never \
        scales by it); `replica` 1 is what the cluster has, more is 96903; `cuSize` with `replica` or with \
        `autoscaling.cu` is refused.",
    params(("clusterId" = String, Path, description = CLUSTER_ID)),
    request_body = ModifyClusterRequest,
    responses((status = 200, description = OK_OR_REFUSED, body = Reply<ClusterAccepted>)),
)]
pub async fn modify(
    State(ctx): State<Ctx>,
    Extension(caller): Caller,
    Path(cid): Path<String>,
    Extension(body): Body,
) -> Answer<ClusterAccepted> {
    let id = cluster_uuid(&cid)?;
    let b: ModifyClusterRequest = wire::decode(&body.0)?;
    let invalid = |m: &str| ZillizError::from(CoreError::invalid(crate::core::error::Field::CuSize, m));
    if b.cu_size.is_some() && b.replica.is_some() {
        return Err(invalid("cuSize and replica cannot be changed together; change one, then the other"));
    }
    if b.cu_size.is_some() && b.autoscaling.as_ref().is_some_and(|a| a.cu.is_some()) {
        return Err(invalid("cuSize and autoscaling.cu cannot be set at the same time"));
    }
    if let Some(replica) = b.replica {
        super::properties::replicas(replica)?;
    }
    if let Some(a) = b.autoscaling {
        let settings = crate::core::vector_properties::autoscaling(a.cu.map(Into::into), a.replica.map(Into::into))?;
        ctx.app.set_vector_autoscaling(project(&caller)?, id, settings).await?;
    }
    match b.cu_size {
        Some(cu_size) => {
            ctx.app.modify(project(&caller)?, id, cu_size).await?;
            Ok(accepted(id, PROMPT_MODIFY))
        }
        None => Ok(accepted(id, "Successfully submitted: the cluster's settings are changed.")),
    }
}

#[utoipa::path(
    delete, path = "/v2/clusters/{clusterId}/drop", operation_id = "DropCluster", tag = TAG_CLUSTERS,
    summary = "Drop Cluster",
    description = "Deletes a cluster: `DELETING` while its processes stop and its files are removed, then gone (96018).",
    params(("clusterId" = String, Path, description = CLUSTER_ID)),
    responses((status = 200, description = OK_OR_REFUSED, body = Reply<ClusterAccepted>)),
)]
pub async fn drop(State(ctx): State<Ctx>, Extension(caller): Caller, Path(cid): Path<String>) -> Answer<ClusterAccepted> {
    let id = cluster_uuid(&cid)?;
    ctx.app.delete(project(&caller)?, id, Product::Zilliz, None).await?;
    Ok(accepted(id, PROMPT_DROP))
}

#[utoipa::path(
    get, path = "/v2/jobs/{jobId}", operation_id = "DescribeJob", tag = TAG_JOBS,
    summary = "Describe Job",
    description = "A job of one of the project's clusters.",
    params(("jobId" = String, Path, description = "A job id, `job-` and 32 hex digits.")),
    responses((status = 200, description = OK_OR_REFUSED, body = Reply<Job>)),
)]
pub async fn job(State(ctx): State<Ctx>, Extension(caller): Caller, Path(jid): Path<String>) -> Answer<Job> {
    let id = render::parse_job_id(&jid).ok_or_else(|| ZillizError::Core(CoreError::JobNotFound(jid.clone())))?;
    let job = ctx.app.job(project(&caller)?, id).await?;
    // Only jobs on this dialect's clusters exist here.
    ctx.app.cluster(project(&caller)?, job.cluster_id, Product::Zilliz).await.map_err(|_| CoreError::JobNotFound(jid))?;
    Ok(ok(render::job(&job)))
}
