//! Search and log cluster operations of the application service (CSS,
//! Alibaba Elasticsearch and Logstash).

use uuid::Uuid;

use super::App;
use crate::core::cluster::{Cluster, ClusterSpec, Product, Tag};
use crate::core::job::{Job, JobKind, JobPayload};
use crate::core::search::{self, SearchSpec};
use crate::core::CoreError;
use crate::store::SpecEdit;

/// What a change task asks of a search cluster (each part optional).
pub use crate::core::change::ChangeRequest as SearchChange;

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
        // Public access asked for at create (CSS publicIPReq) is served from now on.
        if cluster.spec.search().is_some_and(|s| s.access.public) {
            self.endpoints_follow().await;
        }
        Ok((cluster, job))
    }

    /// Starts a change task: a new member count (of the data members or of
    /// a dedicated role), a new disk size or flavor for a role's members, new
    /// engine settings or pipelines for every member (restarted with them one
    /// at a time). A value the cluster has already is no change.
    pub async fn change(&self, project_id: &str, id: Uuid, product: Product, change: SearchChange) -> Result<Job, CoreError> {
        let view = self.show(project_id, id, product).await?;
        // Busy first: a task under way has members not yet recorded (the store refuses it too).
        if let Some(job) = &view.active_job {
            return Err(CoreError::Busy { cluster: id.to_string(), running: job.kind.to_string() });
        }
        let spec = view.cluster.spec.search().cloned().ok_or_else(|| CoreError::NotSupported("change tasks".into()))?;
        let members: Vec<u32> = view.nodes.iter().map(|(n, _)| n.ordinal).collect();
        let decided = crate::core::change::decide(&spec, &members, product, change)?;
        self.enqueue_change(&view.cluster, decided.payload, decided.message).await
    }

    /// Interrupts the cluster's running change task at its next step boundary.
    pub async fn interrupt(&self, project_id: &str, id: Uuid, product: Product) -> Result<(), CoreError> {
        let cluster = self.cluster(project_id, id, product).await?;
        self.store.request_interrupt(cluster.id).await?;
        self.event(cluster.id, "interrupt", "interrupt of the running change requested".into()).await;
        Ok(())
    }

    /// Continues an interrupted change task from the step where it stopped.
    pub async fn resume_change(&self, project_id: &str, id: Uuid, product: Product) -> Result<Job, CoreError> {
        let cluster = self.cluster(project_id, id, product).await?;
        let job = self.store.resume_paused(cluster.id).await?;
        self.event(cluster.id, "resume", format!("{} resumed at step {}", job.kind, job.next_step + 1)).await;
        self.wake.notify_one();
        Ok(job)
    }

    /// Alibaba's protective deletion: the cluster is stopped (frozen) now and
    /// deleted after `grace_ms` unless the deletion is cancelled.
    pub async fn delete_protectively(&self, project_id: &str, id: Uuid, product: Product, grace_ms: i64) -> Result<Job, CoreError> {
        let cluster = self.cluster(project_id, id, product).await?;
        let job = self.new_job(project_id, &cluster, JobKind::StopCluster, JobPayload::default());
        self.store.enqueue_with_delete_at(&job, Some(crate::core::now_ms() + grace_ms)).await?;
        self.event(cluster.id, "delete_protective", "protective deletion: frozen until deleted or restored".into()).await;
        self.wake.notify_one();
        Ok(job)
    }

    /// Cancels a protective deletion: the cluster starts again.
    pub async fn cancel_deletion(&self, project_id: &str, id: Uuid, product: Product) -> Result<Job, CoreError> {
        let cluster = self.cluster(project_id, id, product).await?;
        if cluster.delete_at.is_none() {
            return Err(CoreError::WrongState { state: "not being deleted".into() });
        }
        let job = self.new_job(project_id, &cluster, JobKind::StartCluster, JobPayload::default());
        self.store.enqueue_with_delete_at(&job, None).await?;
        self.event(cluster.id, "cancel_deletion", "protective deletion cancelled".into()).await;
        self.wake.notify_one();
        Ok(job)
    }
}

/// A search cluster's tags: recorded, one store transaction each (refused
/// while a task holds the cluster).
impl App {
    pub(super) async fn edit_search(
        &self,
        project_id: &str,
        id: Uuid,
        product: Product,
        edit: impl FnOnce(&SearchSpec) -> Result<SearchSpec, CoreError> + Send + 'static,
    ) -> Result<(), CoreError> {
        let cluster = self.cluster(project_id, id, product).await?;
        self.store.edit_spec(cluster.id, search_edit(edit), None).await.map(|_| ())
    }

    /// Sets an Alibaba instance's description (its name there): done in the
    /// accepting transaction, with a finished job as its record.
    pub async fn describe_search(&self, project_id: &str, id: Uuid, product: Product, description: &str) -> Result<Job, CoreError> {
        let description = search::aliyun_description(description)?;
        let cluster = self.cluster(project_id, id, product).await?;
        let job = self.new_job(project_id, &cluster, JobKind::RenameCluster, JobPayload::default()).done_now();
        let to = description.clone();
        let edit = search_edit(move |s| Ok(SearchSpec { description, ..s.clone() }));
        self.store.edit_spec(cluster.id, edit, Some(&job)).await?;
        self.event(id, "rename_cluster", format!("description set to `{to}`")).await;
        Ok(job)
    }

    pub async fn add_search_tags(&self, project_id: &str, id: Uuid, product: Product, add: Vec<Tag>) -> Result<(), CoreError> {
        let n = add.len();
        self.edit_search(project_id, id, product, move |s| Ok(SearchSpec { tags: crate::core::tags::added(product, &s.tags, &add)?, ..s.clone() }))
            .await?;
        self.event(id, "tags_added", format!("{n} tag(s) added")).await;
        Ok(())
    }

    /// Removes the tags with these keys; with `strict`, each must exist (the one-tag delete).
    pub async fn remove_search_tags(&self, project_id: &str, id: Uuid, product: Product, keys: Vec<String>, strict: bool) -> Result<(), CoreError> {
        let n = keys.len();
        self.edit_search(project_id, id, product, move |s| {
            Ok(SearchSpec { tags: crate::core::validate::tags_without_keys(&s.tags, &keys, strict)?, ..s.clone() })
        })
        .await?;
        self.event(id, "tags_removed", format!("{n} tag(s) removed")).await;
        Ok(())
    }
}

/// A store edit of a search cluster's spec (any other cluster is refused).
fn search_edit(edit: impl FnOnce(&SearchSpec) -> Result<SearchSpec, CoreError> + Send + 'static) -> SpecEdit {
    Box::new(move |spec| match spec {
        ClusterSpec::Search(s) => edit(s).map(ClusterSpec::Search),
        other => Err(CoreError::NotSupported(format!("cluster `{}` is not a search cluster", other.name()))),
    })
}
