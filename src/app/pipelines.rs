//! Logstash pipelines: saved on the cluster's spec in one transaction, or,
//! when what the members run changes (a deploy, a stop, a deployed pipeline
//! deleted), by a change task that restarts every member with them.

use uuid::Uuid;

use super::App;
use crate::core::cluster::Product;
use crate::core::job::Job;
use crate::core::pipeline::{self, PipelineEdit};
use crate::core::search::{Datastore, SearchSpec};
use crate::core::{now_ms, CoreError};

use super::SearchChange;

impl App {
    /// Applies `edit` (with `deploy`, the pipelines it names are deployed):
    /// the change task that redeploys the members, or None when it was saved
    /// at once.
    pub async fn edit_pipelines(&self, project_id: &str, id: Uuid, product: Product, edit: PipelineEdit, deploy: bool) -> Result<Option<Job>, CoreError> {
        let cluster = self.cluster(project_id, id, product).await?;
        let spec = cluster.spec.search().filter(|s| s.datastore == Datastore::Logstash).cloned().ok_or_else(|| CoreError::NotSupported("only Logstash instances have pipelines".into()))?;
        let now = now_ms();
        let next = pipeline::edited(&spec.pipelines, &edit, deploy, now)?;
        if pipeline::redeploys(&spec.pipelines, &next) {
            let job = self.change(project_id, id, product, SearchChange { pipelines: Some(next), ..SearchChange::default() }).await?;
            return Ok(Some(job));
        }
        // Saved only: decided again inside the transaction, on the spec as it is then.
        self.edit_search(project_id, id, product, move |s| {
            let next = pipeline::edited(&s.pipelines, &edit, deploy, now)?;
            if pipeline::redeploys(&s.pipelines, &next) {
                return Err(CoreError::Conflict(id.to_string()));
            }
            Ok(SearchSpec { pipelines: next, ..s.clone() })
        })
        .await?;
        self.event(id, "pipelines_saved", "pipelines saved".into()).await;
        Ok(None)
    }

    /// Whether this server's Logstash members run the pipelines deployed to them.
    pub fn runs_pipelines(&self) -> bool {
        self.engines.of(crate::core::cluster::EngineKind::Logstash).runs_pipelines()
    }
}
