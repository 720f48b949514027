//! Data warehouse (DWS) operations beyond the lifecycle: scaling out and in,
//! resetting the administrator's password, tags and the description.

use uuid::Uuid;

use super::App;
use crate::core::cluster::{Cluster, ClusterSpec, ElbBinding, MaintainWindow, Product, PublicIp, Tag, WarehouseSpec};
use crate::core::error::Field;
use crate::core::job::{Job, JobKind, JobPayload, JobState};
use crate::core::parameters::{self, Assignment};
use crate::core::validate::{self, Scale};
use crate::core::CoreError;
use crate::engine::scram;
use crate::store::SpecEdit;

impl App {
    /// Adds standbys (cloned from the primary and streaming) or retires the
    /// newest ones, as one durable change task.
    pub async fn scale(&self, project_id: &str, id: Uuid, change: Scale) -> Result<Job, CoreError> {
        let cluster = self.cluster(project_id, id, Product::Dws).await?;
        let from = cluster.spec.number_of_nodes();
        let to = validate::scale_target(from, change, self.settings.min_nodes as i64)?;
        let payload = JobPayload { from_nodes: Some(from), to_nodes: Some(to), ..JobPayload::default() };
        self.enqueue_change(&cluster, payload, scale_message(&cluster, from, to)).await
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
        let job = self.enqueue(&cluster, JobKind::ResetPassword, payload).await?;
        // DWS shows no task for a reset and the providers do not wait for one: the
        // next call (a resize in the same apply) must not find the cluster busy.
        self.settle(job, RESET_SETTLES_WITHIN).await
    }

    /// The job as it is once finished, or after `within` if it is still running
    /// (it goes on; the answer does not wait longer). Reads the store only.
    async fn settle(&self, job: Job, within: std::time::Duration) -> Result<Job, CoreError> {
        let deadline = tokio::time::Instant::now() + within;
        let mut last = job;
        while matches!(last.state, JobState::Enqueued) && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
            last = self.store.get_job(&last.project_id, last.id).await?.unwrap_or(last);
        }
        Ok(last)
    }
}

/// How long a password reset's answer waits for its job (one statement on the primary).
const RESET_SETTLES_WITHIN: std::time::Duration = std::time::Duration::from_secs(10);

impl App {
    /// Sets every node's `timezone`: recorded, written to each node's settings
    /// and reloaded (a durable job; `SHOW timezone` answers the new one).
    pub async fn set_timezone(&self, project_id: &str, id: Uuid, timezone: &str) -> Result<Job, CoreError> {
        validate::cluster_timezone(timezone)?;
        let cluster = self.cluster(project_id, id, Product::Dws).await?;
        let payload = JobPayload { timezone: Some(timezone.to_string()), ..JobPayload::default() };
        self.enqueue(&cluster, JobKind::ApplySettings, payload).await
    }
}

impl App {
    /// Sets database parameters on every node: validated whole (nothing
    /// changes unless every one is valid), then a durable job writes them to
    /// each node's settings, reloads, and records which wait for a restart.
    pub async fn set_parameters(&self, project_id: &str, id: Uuid, configuration_id: &str, list: &[Assignment]) -> Result<Job, CoreError> {
        let cluster = self.cluster(project_id, id, Product::Dws).await?;
        parameters::check_group(id, configuration_id)?;
        let set = parameters::assignments(list)?;
        self.enqueue(&cluster, JobKind::ApplySettings, JobPayload { parameters: Some(set), ..JobPayload::default() }).await
    }
}

/// Public endpoints: an EIP (`public_ip`) and an ELB, each recorded in one
/// store transaction and served by strato's forwarder on the primary's address
/// (`endpoints.rs`), which the change wakes.
impl App {
    pub async fn bind_eip(&self, project_id: &str, id: Uuid, eip_id: String) -> Result<(), CoreError> {
        validate::network_id(&eip_id, Field::EipId)?;
        let shown = eip_id.clone();
        self.edit_warehouse(project_id, id, move |w| {
            let bound = w.has_public_ip().then(|| w.eip_id(id));
            match bound {
                Some(b) if b == eip_id => Ok(w.clone()),
                Some(b) => Err(CoreError::invalid(Field::EipId, format!("EIP {b} is bound to the cluster; unbind it first"))),
                None => Ok(WarehouseSpec { public_ip: PublicIp { public_bind_type: "bind_existing".into(), eip_id }, ..w.clone() }),
            }
        })
        .await?;
        self.endpoints_follow().await;
        self.event(id, "bind_eip", format!("EIP {shown} bound")).await;
        Ok(())
    }

    pub async fn unbind_eip(&self, project_id: &str, id: Uuid, eip_id: String) -> Result<(), CoreError> {
        validate::network_id(&eip_id, Field::EipId)?;
        let shown = eip_id.clone();
        self.edit_warehouse(project_id, id, move |w| {
            if !w.has_public_ip() || w.eip_id(id) != eip_id {
                return Err(CoreError::invalid(Field::EipId, format!("EIP {eip_id} is not bound to the cluster")));
            }
            Ok(WarehouseSpec { public_ip: PublicIp { public_bind_type: "not_use".into(), eip_id: String::new() }, ..w.clone() })
        })
        .await?;
        self.endpoints_follow().await;
        self.event(id, "unbind_eip", format!("EIP {shown} unbound")).await;
        Ok(())
    }

    /// Binds (`Some`) or unbinds an ELB; the job is the change's record.
    pub async fn set_elb(&self, project_id: &str, id: Uuid, elb_id: String, bind: bool) -> Result<Job, CoreError> {
        validate::network_id(&elb_id, Field::ElbId)?;
        let cluster = self.cluster(project_id, id, Product::Dws).await?;
        let job = self.new_job(project_id, &cluster, JobKind::ConfigureElb, JobPayload::default()).done_now();
        let wanted = elb_id.clone();
        let edit = warehouse_edit(move |w| {
            let elb = match (&w.elb, bind) {
                (Some(b), true) if b.id == wanted => Some(b.clone()),
                (Some(b), true) => return Err(CoreError::invalid(Field::ElbId, format!("ELB {} is bound to the cluster; unbind it first", b.id))),
                (None, true) => Some(ElbBinding { id: wanted }),
                (Some(b), false) if b.id == wanted => None,
                (_, false) => return Err(CoreError::invalid(Field::ElbId, format!("ELB {wanted} is not bound to the cluster"))),
            };
            Ok(WarehouseSpec { elb, ..w.clone() })
        });
        self.store.edit_spec(cluster.id, edit, Some(&job)).await?;
        self.endpoints_follow().await;
        let (kind, verb) = if bind { ("bind_elb", "bound") } else { ("unbind_elb", "unbound") };
        self.event(id, kind, format!("ELB {elb_id} {verb}")).await;
        Ok(job)
    }
}

/// A change of a warehouse's spec as the store applies it.
fn warehouse_edit(edit: impl FnOnce(&WarehouseSpec) -> Result<WarehouseSpec, CoreError> + Send + 'static) -> SpecEdit {
    Box::new(move |spec| match spec {
        ClusterSpec::Warehouse(w) => edit(w).map(ClusterSpec::Warehouse),
        other => Err(CoreError::NotSupported(format!("cluster `{}` is not a data warehouse", other.name()))),
    })
}

fn scale_message(cluster: &Cluster, from: u32, to: u32) -> String {
    let verb = if to > from { "scale-out" } else { "scale-in" };
    format!("{verb} of {} from {from} to {to} nodes accepted", cluster.spec.name())
}

/// Recorded attributes: tags and the description. They change no process, so
/// each is one store transaction (durable once answered), refused while a task
/// runs, as the providers expect (they wait for a task to end before the next).
impl App {
    pub async fn add_tags(&self, project_id: &str, id: Uuid, add: Vec<Tag>) -> Result<(), CoreError> {
        let n = add.len();
        self.edit_warehouse(project_id, id, move |w| Ok(WarehouseSpec { tags: validate::tags_added(&w.tags, &add)?, ..w.clone() }))
            .await?;
        self.event(id, "tags_added", format!("{n} tag(s) added")).await;
        Ok(())
    }

    pub async fn remove_tags(&self, project_id: &str, id: Uuid, remove: Vec<(String, Option<String>)>) -> Result<(), CoreError> {
        let n = remove.len();
        self.edit_warehouse(project_id, id, move |w| Ok(WarehouseSpec { tags: validate::tags_removed(&w.tags, &remove)?, ..w.clone() }))
            .await?;
        self.event(id, "tags_removed", format!("{n} tag(s) removed")).await;
        Ok(())
    }

    /// Removes the tag with `key`, which the cluster must have (the one-tag delete).
    pub async fn remove_tag(&self, project_id: &str, id: Uuid, key: String) -> Result<(), CoreError> {
        let shown = key.clone();
        self.edit_warehouse(project_id, id, move |w| Ok(WarehouseSpec { tags: validate::tags_without_keys(&w.tags, &[key], true)?, ..w.clone() }))
            .await?;
        self.event(id, "tags_removed", format!("tag {shown} removed")).await;
        Ok(())
    }

    pub async fn set_description(&self, project_id: &str, id: Uuid, text: String) -> Result<(), CoreError> {
        validate::cluster_description(&text)?;
        self.edit_warehouse(project_id, id, move |w| Ok(WarehouseSpec { description: text, ..w.clone() })).await?;
        self.event(id, "description", "description changed".into()).await;
        Ok(())
    }

    pub async fn set_maintain_window(&self, project_id: &str, id: Uuid, window: MaintainWindow) -> Result<(), CoreError> {
        validate::maintain_window(&window)?;
        let what = format!("maintenance window set to {} {}-{}", window.day, window.start_time, window.end_time);
        self.edit_warehouse(project_id, id, move |w| Ok(WarehouseSpec { maintain_window: window, ..w.clone() })).await?;
        self.event(id, "maintenance_window", what).await;
        Ok(())
    }

    /// Records the security groups (the first is `security_group_id`); no real network exists.
    pub async fn set_security_groups(&self, project_id: &str, id: Uuid, groups: Vec<String>) -> Result<(), CoreError> {
        let first = match groups.first() {
            Some(g) if !g.is_empty() && groups.iter().all(|g| !g.is_empty() && g.len() <= 64) => g.clone(),
            _ => return Err(CoreError::invalid(Field::SecurityGroupId, "security_groups must name 1 or more ids of up to 64 characters")),
        };
        self.edit_warehouse(project_id, id, move |w| Ok(WarehouseSpec { security_group_id: first, ..w.clone() })).await?;
        self.event(id, "security_group", "security group changed".into()).await;
        Ok(())
    }

    /// Records a larger disk per node (a node's disk is the machine's: nothing is resized).
    pub async fn expand_storage(&self, project_id: &str, id: Uuid, new_size: i64) -> Result<(), CoreError> {
        self.edit_warehouse(project_id, id, move |w| {
            Ok(WarehouseSpec { volume: Some(validate::expanded_volume(&w.volume_or_default(), new_size)?), ..w.clone() })
        })
        .await?;
        self.event(id, "expand_storage", format!("storage recorded as {new_size} GB per node")).await;
        Ok(())
    }

    async fn edit_warehouse(
        &self,
        project_id: &str,
        id: Uuid,
        edit: impl FnOnce(&WarehouseSpec) -> Result<WarehouseSpec, CoreError> + Send + 'static,
    ) -> Result<ClusterSpec, CoreError> {
        let cluster = self.cluster(project_id, id, Product::Dws).await?;
        self.store.edit_spec(cluster.id, warehouse_edit(edit), None).await
    }

    /// Renames the cluster (the name must be free in the project): done in the
    /// accepting transaction, with a finished job as its record.
    pub async fn rename(&self, project_id: &str, id: Uuid, name: String) -> Result<Job, CoreError> {
        validate::cluster_name(&name)?;
        let cluster = self.cluster(project_id, id, Product::Dws).await?;
        let job = self.new_job(project_id, &cluster, JobKind::RenameCluster, JobPayload::default()).done_now();
        let from = cluster.spec.name().to_string();
        let to = name.clone();
        let edit = warehouse_edit(move |w| Ok(WarehouseSpec { name, ..w.clone() }));
        self.store.edit_spec(cluster.id, edit, Some(&job)).await?;
        self.event(id, "rename_cluster", format!("renamed from {from} to {to}")).await;
        Ok(job)
    }
}
