//! Vector (Zilliz) cluster operations of the application service.

use uuid::Uuid;

use super::App;
use crate::core::cluster::{Cluster, ClusterSpec, EngineKind, Product};
use crate::core::job::{Job, JobKind, JobPayload};
use crate::core::vector::{self, Offering, VectorCreateInput};
use crate::core::CoreError;

/// A new vector cluster and the credentials its owner gets, once.
pub struct CreatedVector {
    pub cluster: Cluster,
    pub job: Job,
    pub username: String,
    pub password: String,
}

impl App {
    /// Validates and records a new vector cluster; its create job runs in the background.
    pub async fn create_vector(&self, project_id: &str, offering: Offering, input: &VectorCreateInput) -> Result<CreatedVector, CoreError> {
        let spec = vector::validate_create(offering, input, &self.settings.vector_regions)?;
        self.engines.of(EngineKind::Milvus).check_installed()?;
        let cluster = Cluster::new(project_id, ClusterSpec::Vector(spec));
        let job = self.new_job(project_id, &cluster, JobKind::CreateCluster, JobPayload::default());
        self.insert_cluster(&cluster, &job).await?;
        self.event(cluster.id, "cluster_create", format!("vector cluster {} accepted", cluster.spec.name())).await;
        self.wake.notify_one();
        // Derived, not stored: the create job recomputes it to set it in Milvus.
        let password = self.secrets.cluster_password(cluster.id);
        Ok(CreatedVector { cluster, job, username: crate::engine::milvus::ADMIN_USER.into(), password })
    }

    /// The cluster, if its offering supports `what` (suspend, resume, modify).
    async fn dedicated(&self, project_id: &str, id: Uuid, what: &str) -> Result<Cluster, CoreError> {
        let cluster = self.cluster(project_id, id, Product::Zilliz).await?;
        match cluster.spec.vector() {
            Some(v) if v.is_dedicated() => Ok(cluster),
            Some(v) => Err(CoreError::NotDedicated { offering: v.offering, what: what.into() }),
            None => Err(CoreError::ClusterNotFound(id.to_string())),
        }
    }

    /// Stops a dedicated cluster's processes; its data stays.
    pub async fn suspend(&self, project_id: &str, id: Uuid) -> Result<Job, CoreError> {
        let cluster = self.dedicated(project_id, id, "suspend").await?;
        self.enqueue(&cluster, JobKind::StopCluster, JobPayload::default()).await
    }

    /// Starts a suspended cluster's processes again on the same data.
    pub async fn resume(&self, project_id: &str, id: Uuid) -> Result<Job, CoreError> {
        let cluster = self.dedicated(project_id, id, "resume").await?;
        self.enqueue(&cluster, JobKind::StartCluster, JobPayload::default()).await
    }

    /// Resizes a dedicated cluster to `cu_size` compute units.
    pub async fn modify(&self, project_id: &str, id: Uuid, cu_size: i64) -> Result<Job, CoreError> {
        let cu_size = vector::cu_size(cu_size)?;
        let cluster = self.dedicated(project_id, id, "modify").await?;
        cluster.spec.resized(cu_size)?;
        self.enqueue(&cluster, JobKind::ModifyCluster, JobPayload { cu_size: Some(cu_size), ..JobPayload::default() }).await
    }
}
