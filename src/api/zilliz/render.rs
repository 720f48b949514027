//! Encoding views as Zilliz v2 wire types, and the one place where strato's
//! states become Zilliz's status vocabulary.

use uuid::Uuid;

use super::wire::{self, ClusterStatus, JobStatus, JobType};
use crate::app::ClusterView;
use crate::core::cluster::Lifecycle;
use crate::core::job::{Job, JobKind, JobState};
use crate::core::status::Health;
use crate::core::vector::{CuType, Offering, Plan};
use crate::core::Millis;

/// Zilliz cluster ids look like `in01-<hex>`; strato's are UUIDs underneath.
const CLUSTER_PREFIX: &str = "in01-";
const JOB_PREFIX: &str = "job-";

pub fn cluster_id(id: Uuid) -> String {
    format!("{CLUSTER_PREFIX}{}", id.simple())
}

pub fn job_id(id: Uuid) -> String {
    format!("{JOB_PREFIX}{}", id.simple())
}

/// The UUID behind a Zilliz cluster id; None if it is not one of ours.
pub fn parse_cluster_id(s: &str) -> Option<Uuid> {
    s.strip_prefix(CLUSTER_PREFIX).and_then(|hex| Uuid::try_parse(hex).ok())
}

pub fn parse_job_id(s: &str) -> Option<Uuid> {
    s.strip_prefix(JOB_PREFIX).and_then(|hex| Uuid::try_parse(hex).ok())
}

/// ISO 8601 in UTC with `Z`, as Zilliz prints times.
fn time(ms: Millis) -> String {
    chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// The status a cluster shows: what its job is doing, else what its processes do.
pub fn status(v: &ClusterView) -> ClusterStatus {
    let job = v.active_job.as_ref().map(|j| j.kind);
    match (v.cluster.lifecycle, job) {
        (Lifecycle::Creating, _) => ClusterStatus::Creating,
        (Lifecycle::Deleting, _) => ClusterStatus::Deleting,
        (Lifecycle::Deleted, _) => ClusterStatus::Deleted,
        (Lifecycle::CreateFailed, _) => ClusterStatus::Abnormal,
        (_, Some(JobKind::StopCluster)) => ClusterStatus::Stopping,
        (_, Some(JobKind::StartCluster)) => ClusterStatus::Resuming,
        (_, Some(JobKind::ModifyCluster)) => ClusterStatus::Modifying,
        (Lifecycle::Running, _) => match v.health {
            Health::Normal => ClusterStatus::Running,
            Health::Degraded | Health::Unavailable | Health::Stopped => ClusterStatus::Abnormal,
        },
        (Lifecycle::Stopped, _) => match v.health {
            Health::Stopped => ClusterStatus::Stopped,
            Health::Normal | Health::Degraded | Health::Unavailable => ClusterStatus::Abnormal,
        },
    }
}

/// How far creation got: the create job's committed steps while it runs.
fn create_progress(v: &ClusterView) -> u32 {
    match (&v.active_job, v.cluster.lifecycle) {
        (Some(j), _) if j.kind == JobKind::CreateCluster => j.progress_percent(),
        (_, Lifecycle::Creating | Lifecycle::CreateFailed) => 0,
        _ => 100,
    }
}

/// A cluster, with the bytes its files took when last measured.
pub fn cluster(v: &ClusterView) -> wire::Cluster {
    let c = &v.cluster;
    // Only vector clusters reach this dialect (lookups are scoped by product).
    let spec = c.spec.vector();
    let connect = v.nodes.first().map(|(n, _)| format!("http://{}:{}", n.address, n.port)).unwrap_or_default();
    wire::Cluster {
        cluster_id: cluster_id(c.id),
        cluster_name: c.spec.name().to_string(),
        project_id: spec.and_then(|s| s.project.clone()).unwrap_or_else(|| c.project_id.clone()),
        description: spec.map(|s| s.description.clone()).unwrap_or_default(),
        region_id: spec.map(|s| s.region_id.clone()).unwrap_or_default(),
        cu_type: spec.map_or(CuType::PerformanceOptimized, |s| s.cu_type).into(),
        plan: spec.map_or(Plan::Standard, |s| s.plan).into(),
        deployment_option: spec.map_or(Offering::Dedicated, |s| s.offering).into(),
        status: status(v),
        connect_address: connect,
        private_link_address: String::new(),
        cu_size: spec.map(|s| s.cu_size).unwrap_or_default(),
        storage_size: v.storage_bytes,
        snapshot_number: 0,
        create_progress: create_progress(v),
        create_time: time(c.created_at),
        replica: 1,
        autoscaling: spec.map(|s| (&s.autoscaling).into()).unwrap_or_default(),
    }
}

pub fn job(j: &Job) -> wire::Job {
    let status = match (j.state, j.started_at) {
        (JobState::Succeeded, _) => JobStatus::Successful,
        (JobState::Failed, _) => JobStatus::Failed,
        (JobState::Enqueued, None) => JobStatus::Pending,
        (JobState::Paused, _) => JobStatus::Pending,
        (JobState::Enqueued, Some(_)) => JobStatus::InProgress,
    };
    let kind = match j.kind {
        JobKind::CreateCluster => JobType::CreateCluster,
        JobKind::StopCluster => JobType::SuspendCluster,
        JobKind::StartCluster => JobType::ResumeCluster,
        JobKind::ModifyCluster => JobType::ModifyCluster,
        JobKind::DeleteCluster => JobType::DropCluster,
        JobKind::RestartCluster => JobType::RestartCluster,
        JobKind::RepairCluster => JobType::RepairCluster,
        JobKind::CreateSnapshot
        | JobKind::RestoreCluster
        | JobKind::DeleteSnapshot
        | JobKind::ChangeCluster
        | JobKind::ResetPassword
        | JobKind::ApplySettings
        | JobKind::RenameCluster
        | JobKind::ConfigureElb => JobType::Other,
    };
    wire::Job {
        job_id: job_id(j.id),
        kind,
        status,
        progress: j.progress_percent(),
        start_time: j.started_at.map(time),
        end_time: j.finished_at.map(time),
        reason: j.error.as_ref().map(|e| e.message.clone()).unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_foreign_ids_are_rejected() {
        let id = Uuid::new_v4();
        assert_eq!(parse_cluster_id(&cluster_id(id)), Some(id));
        assert_eq!(parse_job_id(&job_id(id)), Some(id));
        assert_eq!(parse_cluster_id(&job_id(id)), None);
        assert_eq!(parse_cluster_id("in01-xyz"), None);
        assert_eq!(parse_cluster_id(&id.to_string()), None);
    }
}
