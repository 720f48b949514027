//! Zilliz projects (`/v2/projects`): the account's default project (its id
//! is the API key's project id) and the projects it creates; a cluster goes
//! in one by its create's `projectId`. `data` types are what the Terraform
//! provider decodes: a string id, a string, an array of regions, `{}`.

use axum::extract::{Path, State};
use axum::Extension;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::clusters::{project, Answer, Body, Caller};
use super::openapi::{OK_OR_REFUSED, TAG_CLUSTERS};
use super::wire::{self, Reply};
use super::ok;
use crate::api::Ctx;
use crate::app::ProjectView;

const PROJECT_ID: &str = "A project id: `proj-` and 22 hex digits, or the API key's own project id (its default project).";

/// A project as `ListProjects` and `DescribeProject` show it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Project {
    pub project_name: String,
    pub project_id: String,
    /// Live clusters in it.
    pub instance_count: u64,
    /// ISO 8601, UTC.
    #[schema(example = "2024-05-01T12:00:00Z")]
    pub create_time: String,
    /// `Standard`, `Enterprise` or `BusinessCritical`.
    pub plan: String,
    pub region_ids: Vec<String>,
    pub description: String,
}

impl From<&ProjectView> for Project {
    fn from(v: &ProjectView) -> Project {
        let p = &v.project;
        Project {
            project_name: p.name.clone(),
            project_id: p.id.clone(),
            instance_count: v.instance_count,
            create_time: chrono::DateTime::from_timestamp_millis(p.created_at).unwrap_or_default().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            plan: p.plan.as_str().into(),
            region_ids: p.region_ids.clone(),
            description: p.description.clone(),
        }
    }
}

/// The projects (a list: the wrapper only names its schema).
#[derive(Debug, Serialize, ToSchema)]
#[serde(transparent)]
pub struct Projects(pub Vec<Project>);

/// `POST /v2/projects`.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateProjectRequest {
    /// 1-64 letters, digits, spaces, `-` and `_`; unique in the account (else 40013).
    pub project_name: Option<String>,
    /// `Standard`, `Enterprise` (the default) or `BusinessCritical` (else 96004).
    pub plan: Option<String>,
    /// Regions of the server (`--vector-regions`); several need `BusinessCritical`.
    pub region_ids: Option<Vec<String>>,
    pub description: Option<String>,
}

/// `PATCH /v2/projects/{projectId}/plan`.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
pub struct PlanRequest {
    pub plan: Option<String>,
}

/// `POST /v2/projects/{projectId}/regions`.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RegionsRequest {
    pub region_ids: Option<Vec<String>>,
}

/// `{}`: what a project delete answers.
#[derive(Debug, Serialize, ToSchema)]
pub struct Done {}

#[utoipa::path(
    get, path = "/v2/projects", operation_id = "ListProjects", tag = TAG_CLUSTERS,
    summary = "List Projects",
    description = "The account's projects, its default one first (`Default Project`, whose id is the API key's project id).",
    responses((status = 200, description = OK_OR_REFUSED, body = Reply<Projects>)),
)]
pub async fn list(State(ctx): State<Ctx>, Extension(caller): Caller) -> Answer<Projects> {
    let all = ctx.app.vector_projects(project(&caller)?).await?;
    Ok(ok(Projects(all.iter().map(Into::into).collect())))
}

#[utoipa::path(
    post, path = "/v2/projects", operation_id = "CreateProject", tag = TAG_CLUSTERS,
    summary = "Create Project",
    description = "A new project of the account; answers its id (a string, as the real service and the provider have it).",
    request_body = CreateProjectRequest,
    responses((status = 200, description = OK_OR_REFUSED, body = Reply<String>)),
)]
pub async fn create(State(ctx): State<Ctx>, Extension(caller): Caller, Extension(body): Body) -> Answer<String> {
    let b: CreateProjectRequest = wire::decode(&body.0)?;
    let name = b.project_name.unwrap_or_default();
    let regions = b.region_ids.unwrap_or_default();
    let made = ctx.app.create_vector_project(project(&caller)?, &name, b.plan.as_deref(), &regions, &b.description.unwrap_or_default()).await?;
    Ok(ok(made.id))
}

#[utoipa::path(
    get, path = "/v2/projects/{projectId}", operation_id = "DescribeProject", tag = TAG_CLUSTERS,
    summary = "Describe Project",
    params(("projectId" = String, Path, description = PROJECT_ID)),
    responses((status = 200, description = OK_OR_REFUSED, body = Reply<Project>)),
)]
pub async fn describe(State(ctx): State<Ctx>, Extension(caller): Caller, Path(id): Path<String>) -> Answer<Project> {
    let found = ctx.app.vector_project(project(&caller)?, &id).await?;
    Ok(ok((&found).into()))
}

#[utoipa::path(
    patch, path = "/v2/projects/{projectId}/plan", operation_id = "UpgradeProjectPlan", tag = TAG_CLUSTERS,
    summary = "Upgrade Project Plan",
    description = "Standard < Enterprise < BusinessCritical: only upwards (63104 \"Project plan can only be upgraded, not downgraded.\").",
    params(("projectId" = String, Path, description = PROJECT_ID)),
    request_body = PlanRequest,
    responses((status = 200, description = OK_OR_REFUSED, body = Reply<String>)),
)]
pub async fn upgrade(State(ctx): State<Ctx>, Extension(caller): Caller, Path(id): Path<String>, Extension(body): Body) -> Answer<String> {
    let plan = wire::decode::<PlanRequest>(&body.0)?.plan.unwrap_or_default();
    ctx.app.upgrade_vector_project(project(&caller)?, &id, &plan).await?;
    Ok(ok("Project plan updated successfully".to_string()))
}

#[utoipa::path(
    post, path = "/v2/projects/{projectId}/regions", operation_id = "AddProjectRegion", tag = TAG_CLUSTERS,
    summary = "Add Project Regions",
    description = "Adds regions to the project; answers its regions after (an array, as the provider decodes it).",
    params(("projectId" = String, Path, description = PROJECT_ID)),
    request_body = RegionsRequest,
    responses((status = 200, description = OK_OR_REFUSED, body = Reply<Vec<String>>)),
)]
pub async fn add_regions(State(ctx): State<Ctx>, Extension(caller): Caller, Path(id): Path<String>, Extension(body): Body) -> Answer<Vec<String>> {
    let regions = wire::decode::<RegionsRequest>(&body.0)?.region_ids.unwrap_or_default();
    Ok(ok(ctx.app.add_vector_project_regions(project(&caller)?, &id, &regions).await?))
}

#[utoipa::path(
    delete, path = "/v2/projects/{projectId}", operation_id = "DeleteProject", tag = TAG_CLUSTERS,
    summary = "Delete Project",
    description = "An empty project goes (its clusters must be dropped first: 96902); the default project stays.",
    params(("projectId" = String, Path, description = PROJECT_ID)),
    responses((status = 200, description = OK_OR_REFUSED, body = Reply<Done>)),
)]
pub async fn delete(State(ctx): State<Ctx>, Extension(caller): Caller, Path(id): Path<String>) -> Answer<Done> {
    ctx.app.delete_vector_project(project(&caller)?, &id).await?;
    Ok(ok(Done {}))
}
