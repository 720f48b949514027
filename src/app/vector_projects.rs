//! Zilliz projects of an account (the strato project an API key acts in).

use super::App;
use crate::core::cluster::Product;
use crate::core::vector_project::{self, ProjectPlan, VectorProject};
use crate::core::CoreError;
use crate::store::ClusterQuery;

/// A project and how many live clusters it holds.
#[derive(Debug, Clone)]
pub struct ProjectView {
    pub project: VectorProject,
    pub instance_count: u64,
}

impl App {
    /// The account's projects, the default one first, each with its clusters counted.
    pub async fn vector_projects(&self, account: &str) -> Result<Vec<ProjectView>, CoreError> {
        let projects = self.store.vector_projects(account).await?;
        let (clusters, _) = self.page(account, Product::Zilliz, &ClusterQuery::default()).await?;
        let count = |id: &str| clusters.iter().filter(|c| c.cluster.spec.vector().and_then(|v| v.project.as_deref()).unwrap_or(account) == id).count() as u64;
        Ok(projects.into_iter().map(|p| ProjectView { instance_count: count(&p.id), project: p }).collect())
    }

    pub async fn vector_project(&self, account: &str, id: &str) -> Result<ProjectView, CoreError> {
        let all = self.vector_projects(account).await?;
        all.into_iter().find(|p| p.project.id == id.trim()).ok_or_else(|| CoreError::ProjectNotFound(id.to_string()))
    }

    pub async fn create_vector_project(&self, account: &str, name: &str, plan: Option<&str>, regions: &[String], description: &str) -> Result<VectorProject, CoreError> {
        vector_project::project_name(name)?;
        if name == vector_project::DEFAULT_NAME {
            return Err(CoreError::NameTaken(name.to_string()));
        }
        crate::core::vector::description(description)?;
        let plan = ProjectPlan::parse(plan.unwrap_or("Enterprise"))?;
        let region_ids = vector_project::project_regions(plan, regions, &self.settings.vector_regions)?;
        let project = VectorProject {
            id: vector_project::new_id(),
            account: account.to_string(),
            name: name.to_string(),
            plan,
            region_ids,
            description: description.to_string(),
            created_at: crate::core::now_ms(),
        };
        self.store.insert_vector_project(&project).await?;
        Ok(project)
    }

    /// Upgrades a project's plan (never down: 63104).
    pub async fn upgrade_vector_project(&self, account: &str, id: &str, plan: &str) -> Result<VectorProject, CoreError> {
        let to = ProjectPlan::parse(plan)?;
        let now = self.vector_project(account, id).await?.project;
        let next = vector_project::upgraded(&now, to)?;
        self.save_vector_project(&next).await?;
        Ok(next)
    }

    /// Adds regions to a project: its regions after.
    pub async fn add_vector_project_regions(&self, account: &str, id: &str, regions: &[String]) -> Result<Vec<String>, CoreError> {
        let now = self.vector_project(account, id).await?.project;
        let all: Vec<String> = now.region_ids.iter().chain(regions).cloned().collect();
        let region_ids = vector_project::project_regions(now.plan, &all, &self.settings.vector_regions)?;
        self.save_vector_project(&VectorProject { region_ids: region_ids.clone(), ..now }).await?;
        Ok(region_ids)
    }

    /// The default project is stored the first time it changes.
    async fn save_vector_project(&self, p: &VectorProject) -> Result<(), CoreError> {
        match self.store.update_vector_project(p).await {
            Err(CoreError::ProjectNotFound(_)) if p.is_default() => self.store.insert_vector_project(p).await,
            other => other,
        }
    }

    /// Deletes an empty project (not the default one).
    pub async fn delete_vector_project(&self, account: &str, id: &str) -> Result<(), CoreError> {
        let p = self.vector_project(account, id).await?.project;
        if p.is_default() {
            return Err(CoreError::WrongState { state: "the account's default project, which cannot be deleted".into() });
        }
        self.store.delete_vector_project(account, &p.id).await
    }
}
