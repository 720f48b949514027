//! Search and log cluster operations of the application service (CSS,
//! Alibaba Elasticsearch and Logstash).

use super::App;
use crate::core::cluster::{Cluster, ClusterSpec};
use crate::core::job::{Job, JobKind, JobPayload};
use crate::core::search::SearchSpec;
use crate::core::CoreError;

impl App {
    /// Records a new search or log cluster from a validated spec; its create
    /// job runs in the background.
    pub async fn create_search(&self, project_id: &str, spec: SearchSpec) -> Result<(Cluster, Job), CoreError> {
        self.engines.of(spec.datastore.engine()).check_installed()?;
        let cluster = Cluster::new(project_id, ClusterSpec::Search(spec));
        let job = self.new_job(project_id, &cluster, JobKind::CreateCluster, JobPayload::default());
        self.insert_cluster(&cluster, &job).await?;
        self.event(cluster.id, "cluster_create", format!("cluster {} accepted", cluster.spec.name())).await;
        self.wake.notify_one();
        Ok((cluster, job))
    }
}
