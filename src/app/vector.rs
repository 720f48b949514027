//! Vector (Zilliz) cluster operations of the application service.

use uuid::Uuid;

use super::App;
use crate::core::cluster::{Cluster, ClusterSpec, EngineKind, Product};
use crate::core::job::{Job, JobKind, JobPayload};
use std::collections::BTreeMap;

use crate::core::vector::{self, Offering, VectorCreateInput, VectorSpec};
use crate::core::vector_properties::{self, Autoscaling};
use crate::core::CoreError;
use crate::store::SpecEdit;

/// A new vector cluster and the credentials its owner gets, once.
pub struct CreatedVector {
    pub cluster: Cluster,
    pub job: Job,
    pub username: String,
    pub password: String,
}

impl App {
    /// Validates and records a new vector cluster; its create job runs in the background.
    /// `zilliz_project` is the Zilliz project it goes in (None: the account's default one).
    pub async fn create_vector(&self, project_id: &str, zilliz_project: Option<String>, offering: Offering, input: &VectorCreateInput) -> Result<CreatedVector, CoreError> {
        let spec = VectorSpec { project: zilliz_project, ..vector::validate_create(offering, input, &self.settings.vector_regions)? };
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

/// A vector cluster's recorded properties: one store transaction each,
/// refused while a job holds the cluster.
impl App {
    async fn edit_vector(
        &self,
        project_id: &str,
        id: Uuid,
        what: String,
        edit: impl FnOnce(&VectorSpec) -> Result<VectorSpec, CoreError> + Send + 'static,
    ) -> Result<(), CoreError> {
        let cluster = self.cluster(project_id, id, Product::Zilliz).await?;
        let edit: SpecEdit = Box::new(move |spec| match spec {
            ClusterSpec::Vector(v) => edit(v).map(ClusterSpec::Vector),
            other => Err(CoreError::NotSupported(format!("cluster `{}` is not a vector cluster", other.name()))),
        });
        self.store.edit_spec(cluster.id, edit, None).await?;
        self.event(id, "properties_changed", what).await;
        Ok(())
    }

    /// Replaces the labels.
    pub async fn set_vector_labels(&self, project_id: &str, id: Uuid, labels: BTreeMap<String, String>) -> Result<(), CoreError> {
        let labels = vector_properties::labels(labels)?;
        let what = format!("{} label(s) set", labels.len());
        self.edit_vector(project_id, id, what, move |v| Ok(VectorSpec { labels, ..v.clone() })).await
    }

    /// Replaces the security groups (recorded).
    pub async fn set_vector_security_groups(&self, project_id: &str, id: Uuid, ids: Vec<String>) -> Result<(), CoreError> {
        let ids = vector_properties::security_groups(ids)?;
        let what = format!("{} security group(s) set", ids.len());
        self.edit_vector(project_id, id, what, move |v| Ok(VectorSpec { security_groups: ids, ..v.clone() })).await
    }

    /// Renames a cluster and/or sets its description (the name must be free in the project).
    pub async fn rename_vector(&self, project_id: &str, id: Uuid, name: Option<String>, description: Option<String>) -> Result<(), CoreError> {
        if let Some(n) = &name {
            vector::cluster_name(n)?;
        }
        if let Some(d) = &description {
            vector::description(d)?;
        }
        let what = format!("renamed to {name:?}, description set: {}", description.is_some());
        self.edit_vector(project_id, id, what, move |v| {
            Ok(VectorSpec { name: name.unwrap_or_else(|| v.name.clone()), description: description.unwrap_or_else(|| v.description.clone()), ..v.clone() })
        })
        .await
    }

    /// Records autoscaling settings (dedicated clusters; never acted on: README).
    pub async fn set_vector_autoscaling(&self, project_id: &str, id: Uuid, autoscaling: Autoscaling) -> Result<(), CoreError> {
        self.dedicated(project_id, id, "autoscaling").await?;
        self.edit_vector(project_id, id, "autoscaling set".into(), move |v| Ok(VectorSpec { autoscaling, ..v.clone() })).await
    }
}
