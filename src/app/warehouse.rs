//! Data warehouse (DWS) operations beyond the lifecycle: scaling out and in,
//! resetting the administrator's password.

use uuid::Uuid;

use super::App;
use crate::core::cluster::{Cluster, Product};
use crate::core::job::{Job, JobKind, JobPayload};
use crate::core::validate::{self, Scale};
use crate::core::CoreError;
use crate::engine::scram;

impl App {
    /// Adds standbys (cloned from the primary and streaming) or retires the
    /// newest ones, as one durable change task.
    pub async fn scale(&self, project_id: &str, id: Uuid, change: Scale) -> Result<Job, CoreError> {
        let cluster = self.cluster(project_id, id, Product::Dws).await?;
        let from = cluster.spec.number_of_nodes();
        let to = validate::scale_target(from, change, self.settings.min_nodes as i64)?;
        let payload = JobPayload { from_nodes: Some(from), to_nodes: Some(to), ..JobPayload::default() };
        let job = self.new_job(project_id, &cluster, JobKind::ChangeCluster, payload);
        self.store.enqueue_change(&job, &self.placement(&cluster), &cluster.spec, from..to.max(from)).await?;
        self.event(cluster.id, "change_cluster", scale_message(&cluster, from, to)).await;
        self.wake.notify_one();
        Ok(job)
    }
}

impl App {
    /// Sets the administrator's password (the same rules as at create): a
    /// durable job that runs `ALTER ROLE` with its SCRAM verifier on the
    /// primary; the plaintext is neither stored nor logged.
    pub async fn reset_password(&self, project_id: &str, id: Uuid, password: &str) -> Result<Job, CoreError> {
        let cluster = self.cluster(project_id, id, Product::Dws).await?;
        let user = cluster.spec.warehouse().map(|w| w.user_name.clone()).unwrap_or_default();
        validate::user_pwd(password, &user)?;
        let password = password.to_string();
        let verifier = tokio::task::spawn_blocking(move || scram::verifier(&password))
            .await
            .map_err(|e| CoreError::Internal(e.to_string()))?;
        let payload = JobPayload { admin_verifier: Some(verifier), ..JobPayload::default() };
        self.enqueue(&cluster, JobKind::ResetPassword, payload).await
    }
}

fn scale_message(cluster: &Cluster, from: u32, to: u32) -> String {
    let verb = if to > from { "scale-out" } else { "scale-in" };
    format!("{verb} of {} from {from} to {to} nodes accepted", cluster.spec.name())
}
