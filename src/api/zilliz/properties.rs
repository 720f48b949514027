//! A cluster's recorded properties (labels, security groups, name and
//! description, autoscaling), its replicas, and the cloud metadata. Each
//! change is recorded at once and refused while a job holds the cluster.

use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::Extension;
use serde::Deserialize;

use super::clusters::{accepted, cluster_uuid, project, Answer, Body, Caller};
use super::openapi::{CLUSTER_ID, OK_OR_REFUSED, TAG_CLUSTERS};
use super::wire::{self, ClusterAccepted, Reply};
use super::wire_properties::{Cloud, Clouds, ClusterProperties, Labels, ModifyReplicaRequest, Region, Regions, SecurityGroups};
use super::{ok, ZillizError};
use crate::api::Ctx;
use crate::core::cluster::Product;
use crate::core::CoreError;

const PROMPT_PROPERTIES: &str = "Successfully submitted: the cluster's properties are changed.";

#[utoipa::path(
    get, path = "/v2/clusters/{clusterId}/labels", operation_id = "DescribeClusterLabels", tag = TAG_CLUSTERS,
    summary = "Describe Cluster Labels",
    description = "The cluster's labels (`{}` without; the Terraform provider reads them on every refresh).",
    params(("clusterId" = String, Path, description = CLUSTER_ID)),
    responses((status = 200, description = OK_OR_REFUSED, body = Reply<Labels>)),
)]
pub async fn labels(State(ctx): State<Ctx>, Extension(caller): Caller, Path(cid): Path<String>) -> Answer<Labels> {
    let view = ctx.app.show(project(&caller)?, cluster_uuid(&cid)?, Product::Zilliz).await?;
    Ok(ok(Labels { labels: Some(view.cluster.spec.vector().map(|v| v.labels.clone()).unwrap_or_default()) }))
}

#[utoipa::path(
    put, path = "/v2/clusters/{clusterId}/labels", operation_id = "UpdateClusterLabels", tag = TAG_CLUSTERS,
    summary = "Update Cluster Labels",
    description = "Replaces every label (keys 1-64 characters, values up to 256, at most 50).",
    params(("clusterId" = String, Path, description = CLUSTER_ID)),
    request_body = Labels,
    responses((status = 200, description = OK_OR_REFUSED, body = Reply<ClusterAccepted>)),
)]
pub async fn set_labels(State(ctx): State<Ctx>, Extension(caller): Caller, Path(cid): Path<String>, Extension(body): Body) -> Answer<ClusterAccepted> {
    let id = cluster_uuid(&cid)?;
    let labels = wire::decode::<Labels>(&body.0)?.labels.unwrap_or_default();
    ctx.app.set_vector_labels(project(&caller)?, id, labels).await?;
    Ok(accepted(id, PROMPT_PROPERTIES))
}

#[utoipa::path(
    get, path = "/v2/clusters/{clusterId}/securityGroups", operation_id = "DescribeClusterSecurityGroups", tag = TAG_CLUSTERS,
    summary = "Describe Cluster Security Groups",
    params(("clusterId" = String, Path, description = CLUSTER_ID)),
    responses((status = 200, description = OK_OR_REFUSED, body = Reply<SecurityGroups>)),
)]
pub async fn security_groups(State(ctx): State<Ctx>, Extension(caller): Caller, Path(cid): Path<String>) -> Answer<SecurityGroups> {
    let view = ctx.app.show(project(&caller)?, cluster_uuid(&cid)?, Product::Zilliz).await?;
    Ok(ok(SecurityGroups { ids: Some(view.cluster.spec.vector().map(|v| v.security_groups.clone()).unwrap_or_default()) }))
}

#[utoipa::path(
    put, path = "/v2/clusters/{clusterId}/securityGroups", operation_id = "UpdateClusterSecurityGroups", tag = TAG_CLUSTERS,
    summary = "Update Cluster Security Groups",
    description = "Replaces the security group ids (recorded: loopback has no security groups).",
    params(("clusterId" = String, Path, description = CLUSTER_ID)),
    request_body = SecurityGroups,
    responses((status = 200, description = OK_OR_REFUSED, body = Reply<ClusterAccepted>)),
)]
pub async fn set_security_groups(State(ctx): State<Ctx>, Extension(caller): Caller, Path(cid): Path<String>, Extension(body): Body) -> Answer<ClusterAccepted> {
    let id = cluster_uuid(&cid)?;
    let ids = wire::decode::<SecurityGroups>(&body.0)?.ids.unwrap_or_default();
    ctx.app.set_vector_security_groups(project(&caller)?, id, ids).await?;
    Ok(accepted(id, PROMPT_PROPERTIES))
}

async fn rename(ctx: &Ctx, caller: &crate::auth::Principal, cid: &str, body: &[u8]) -> Answer<ClusterAccepted> {
    let id = cluster_uuid(cid)?;
    let b: ClusterProperties = wire::decode(body)?;
    if b.cluster_name.is_none() && b.description.is_none() {
        return Err(CoreError::invalid(crate::core::error::Field::Name, "clusterName or description is required").into());
    }
    ctx.app.rename_vector(project(caller)?, id, b.cluster_name, b.description).await?;
    Ok(accepted(id, PROMPT_PROPERTIES))
}

#[utoipa::path(
    post, path = "/v2/clusters/{clusterId}/modifyProperties", operation_id = "ModifyClusterProperties", tag = TAG_CLUSTERS,
    summary = "Modify Cluster Properties",
    description = "Renames the cluster (`clusterName`, free in the project, else 40013), as the Terraform provider does.",
    params(("clusterId" = String, Path, description = CLUSTER_ID)),
    request_body = ClusterProperties,
    responses((status = 200, description = OK_OR_REFUSED, body = Reply<ClusterAccepted>)),
)]
pub async fn modify_properties(State(ctx): State<Ctx>, Extension(caller): Caller, Path(cid): Path<String>, Extension(body): Body) -> Answer<ClusterAccepted> {
    rename(&ctx, &caller, &cid, &body.0).await
}

#[utoipa::path(
    patch, path = "/v2/clusters/{clusterId}", operation_id = "UpdateCluster", tag = TAG_CLUSTERS,
    summary = "Update Cluster",
    description = "Sets the cluster's `clusterName` and/or `description`.",
    params(("clusterId" = String, Path, description = CLUSTER_ID)),
    request_body = ClusterProperties,
    responses((status = 200, description = OK_OR_REFUSED, body = Reply<ClusterAccepted>)),
)]
pub async fn update(State(ctx): State<Ctx>, Extension(caller): Caller, Path(cid): Path<String>, Extension(body): Body) -> Answer<ClusterAccepted> {
    rename(&ctx, &caller, &cid, &body.0).await
}

/// Replicas: one, the only number a standalone Milvus serves.
pub fn replicas(asked: i64) -> Result<(), ZillizError> {
    match asked {
        1 => Ok(()),
        2..=8 => Err(CoreError::NotEmulated(format!("{asked} replicas: a standalone Milvus serves one replica")).into()),
        other => Err(CoreError::invalid(crate::core::error::Field::CuSize, format!("replica must be 1 to 8, got {other}")).into()),
    }
}

#[utoipa::path(
    post, path = "/v2/clusters/{clusterId}/modifyReplica", operation_id = "ModifyClusterReplica", tag = TAG_CLUSTERS,
    summary = "Modify Cluster Replica",
    description = "A standalone Milvus serves one replica: 1 is what the cluster has (accepted, nothing changes); 2-8 is \
        96903 (not emulated), not a pretend change.",
    params(("clusterId" = String, Path, description = CLUSTER_ID)),
    request_body = ModifyReplicaRequest,
    responses((status = 200, description = OK_OR_REFUSED, body = Reply<ClusterAccepted>)),
)]
pub async fn modify_replica(State(ctx): State<Ctx>, Extension(caller): Caller, Path(cid): Path<String>, Extension(body): Body) -> Answer<ClusterAccepted> {
    let id = cluster_uuid(&cid)?;
    let asked = wire::decode::<ModifyReplicaRequest>(&body.0)?.replica.ok_or_else(|| CoreError::invalid(crate::core::error::Field::CuSize, "replica is required"))?;
    ctx.app.show(project(&caller)?, id, Product::Zilliz).await?;
    replicas(asked)?;
    Ok(accepted(id, PROMPT_PROPERTIES))
}

/// The clouds strato's regions are in, as Zilliz names them.
const CLOUDS: [(&str, &str, &str); 3] =
    [("aws", "aws-", "Amazon Web Services"), ("gcp", "gcp-", "Google Cloud Platform"), ("azure", "az-", "Microsoft Azure")];

fn cloud_of(region: &str) -> Option<&'static str> {
    CLOUDS.iter().find(|(_, prefix, _)| region.starts_with(prefix)).map(|(id, ..)| *id)
}

#[utoipa::path(
    get, path = "/v2/clouds", operation_id = "ListCloudProviders", tag = TAG_CLUSTERS,
    summary = "List Cloud Providers",
    description = "The clouds of this server's regions (`--vector-regions`).",
    responses((status = 200, description = OK_OR_REFUSED, body = Reply<Clouds>)),
)]
pub async fn clouds(State(ctx): State<Ctx>) -> Answer<Clouds> {
    let regions = &ctx.app.settings.vector_regions;
    let clouds = CLOUDS
        .iter()
        .filter(|(id, ..)| regions.iter().any(|r| cloud_of(r) == Some(*id)))
        .map(|(id, _, description)| Cloud { cloud_id: id.to_string(), description: description.to_string() })
        .collect();
    Ok(ok(Clouds(clouds)))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct RegionsQuery {
    /// Only this cloud's regions (`aws`, `gcp`, `azure`; another: 96000).
    pub cloud_id: Option<String>,
}

#[utoipa::path(
    get, path = "/v2/regions", operation_id = "ListCloudRegions", tag = TAG_CLUSTERS,
    summary = "List Cloud Regions",
    description = "This server's regions (`--vector-regions`), each with the domain that serves it: this listener.",
    params(RegionsQuery),
    responses((status = 200, description = OK_OR_REFUSED, body = Reply<Regions>)),
)]
pub async fn regions(State(ctx): State<Ctx>, headers: HeaderMap, Query(q): Query<RegionsQuery>) -> Answer<Regions> {
    let wanted = q.cloud_id.as_deref().map(str::trim).filter(|c| !c.is_empty());
    if let Some(c) = wanted {
        if !CLOUDS.iter().any(|(id, ..)| *id == c) {
            return Err(ZillizError::UnknownCloud(c.to_string()));
        }
    }
    let domain = headers.get("host").and_then(|h| h.to_str().ok()).unwrap_or_default().to_string();
    let regions = ctx
        .app
        .settings
        .vector_regions
        .iter()
        .filter_map(|r| Some((cloud_of(r)?, r)))
        .filter(|(cloud, _)| wanted.is_none_or(|w| w == *cloud))
        .map(|(cloud, r)| Region { cloud_id: cloud.to_string(), region_id: r.clone(), domain: domain.clone() })
        .collect();
    Ok(ok(Regions(regions)))
}
