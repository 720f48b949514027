//! Zilliz projects: an API key's account (the strato project it acts in)
//! holds its default project (whose id is the account's, as clusters created
//! before projects existed name it) and the projects it creates. A cluster
//! belongs to one; a project with clusters cannot be deleted. Pure rules.

use serde::{Deserialize, Serialize};

use super::error::{CoreError, Field};
use super::Millis;

/// Project plans, in upgrade order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ProjectPlan {
    Standard,
    Enterprise,
    BusinessCritical,
}

impl ProjectPlan {
    pub const ALL: [ProjectPlan; 3] = [ProjectPlan::Standard, ProjectPlan::Enterprise, ProjectPlan::BusinessCritical];

    pub fn as_str(self) -> &'static str {
        match self {
            ProjectPlan::Standard => "Standard",
            ProjectPlan::Enterprise => "Enterprise",
            ProjectPlan::BusinessCritical => "BusinessCritical",
        }
    }

    pub fn parse(s: &str) -> Result<ProjectPlan, CoreError> {
        ProjectPlan::ALL.into_iter().find(|p| p.as_str().eq_ignore_ascii_case(s.trim())).ok_or_else(|| {
            CoreError::invalid(Field::Plan, format!("Invalid plan `{s}`: Standard, Enterprise or BusinessCritical."))
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VectorProject {
    pub id: String,
    /// The strato project whose API keys see it.
    pub account: String,
    pub name: String,
    pub plan: ProjectPlan,
    pub region_ids: Vec<String>,
    pub description: String,
    pub created_at: Millis,
}

/// The name of every account's default project.
pub const DEFAULT_NAME: &str = "Default Project";

impl VectorProject {
    /// The account's default project: its id is the account's.
    pub fn default_of(account: &str, created_at: Millis) -> VectorProject {
        VectorProject {
            id: account.to_string(),
            account: account.to_string(),
            name: DEFAULT_NAME.into(),
            plan: ProjectPlan::Enterprise,
            region_ids: vec![],
            description: String::new(),
            created_at,
        }
    }

    pub fn is_default(&self) -> bool {
        self.id == self.account
    }
}

/// A new project id: `proj-` and 22 hex digits, as Zilliz's.
pub fn new_id() -> String {
    format!("proj-{}", &uuid::Uuid::new_v4().simple().to_string()[..22])
}

/// Project names: 1–64 characters, letters, digits, spaces, `-` and `_`.
pub fn project_name(name: &str) -> Result<(), CoreError> {
    let ok = (1..=64).contains(&name.chars().count())
        && name.trim() == name
        && name.chars().all(|c| c.is_alphanumeric() || c == ' ' || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(CoreError::invalid(Field::Name, format!("Invalid projectName `{name}`: 1-64 letters, digits, spaces, - and _.")))
    }
}

/// Regions a project is in: each one the server offers; Enterprise allows
/// one, several need BusinessCritical (Zilliz's rule).
pub fn project_regions(plan: ProjectPlan, regions: &[String], offered: &[String]) -> Result<Vec<String>, CoreError> {
    let mut out: Vec<String> = Vec::new();
    for r in regions {
        if !offered.contains(r) {
            return Err(CoreError::invalid(Field::Region, format!("Invalid RegionId `{r}`. Please use the ListCloudRegions API to obtain the valid regionIds.")));
        }
        if !out.contains(r) {
            out.push(r.clone());
        }
    }
    if out.len() > 1 && plan < ProjectPlan::BusinessCritical {
        return Err(CoreError::invalid(Field::Plan, format!("a {} project is in one region; several need BusinessCritical", plan.as_str())));
    }
    Ok(out)
}

/// A plan change: only upwards (Zilliz's 63104 otherwise).
pub fn upgraded(p: &VectorProject, to: ProjectPlan) -> Result<VectorProject, CoreError> {
    if to < p.plan {
        return Err(CoreError::PlanDowngrade);
    }
    Ok(VectorProject { plan: to, ..p.clone() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_plans_regions_and_upgrades() {
        assert!(project_name("team-a 1").is_ok() && project_name("").is_err() && project_name(" lead").is_err());
        assert_eq!(ProjectPlan::parse("businesscritical").unwrap(), ProjectPlan::BusinessCritical);
        assert!(ProjectPlan::parse("Gold").is_err());
        let offered = vec!["aws-us-west-2".to_string(), "gcp-us-west1".to_string()];
        assert_eq!(project_regions(ProjectPlan::Enterprise, &["aws-us-west-2".into()], &offered).unwrap().len(), 1);
        assert!(project_regions(ProjectPlan::Enterprise, &offered, &offered).is_err());
        assert!(project_regions(ProjectPlan::BusinessCritical, &offered, &offered).is_ok());
        assert!(project_regions(ProjectPlan::BusinessCritical, &["mars-1".into()], &offered).is_err());
        let p = VectorProject { plan: ProjectPlan::Enterprise, ..VectorProject::default_of("acct", 0) };
        assert!(matches!(upgraded(&p, ProjectPlan::Standard), Err(CoreError::PlanDowngrade)));
        assert_eq!(upgraded(&p, ProjectPlan::BusinessCritical).unwrap().plan, ProjectPlan::BusinessCritical);
        assert!(p.is_default() && new_id().starts_with("proj-") && new_id().len() == 27);
    }
}
