//! Encoding views as Zilliz v2 JSON, and the one place where strato's states
//! become Zilliz's status vocabulary.

use serde_json::{json, Value};
use uuid::Uuid;

use crate::app::ClusterView;
use crate::core::cluster::Lifecycle;
use crate::core::job::{Job, JobKind, JobState};
use crate::core::status::Health;
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
pub fn status(v: &ClusterView) -> &'static str {
    let job = v.active_job.as_ref().map(|j| j.kind);
    match (v.cluster.lifecycle, job) {
        (Lifecycle::Creating, _) => "CREATING",
        (Lifecycle::Deleting, _) => "DELETING",
        (Lifecycle::Deleted, _) => "DELETED",
        (Lifecycle::CreateFailed, _) => "ABNORMAL",
        (_, Some(JobKind::StopCluster)) => "STOPPING",
        (_, Some(JobKind::StartCluster)) => "RESUMING",
        (_, Some(JobKind::ModifyCluster)) => "MODIFYING",
        (Lifecycle::Running, _) => match v.health {
            Health::Normal => "RUNNING",
            Health::Degraded | Health::Unavailable | Health::Stopped => "ABNORMAL",
        },
        (Lifecycle::Stopped, _) => match v.health {
            Health::Stopped => "STOPPED",
            Health::Normal | Health::Degraded | Health::Unavailable => "ABNORMAL",
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
pub fn cluster(v: &ClusterView) -> Value {
    let c = &v.cluster;
    let spec = c.spec.vector();
    let connect = v.nodes.first().map(|(n, _)| format!("http://{}:{}", n.address, n.port)).unwrap_or_default();
    json!({
        "clusterId": cluster_id(c.id),
        "clusterName": c.spec.name(),
        "projectId": c.project_id,
        "description": spec.map(|s| s.description.as_str()).unwrap_or_default(),
        "regionId": spec.map(|s| s.region_id.as_str()).unwrap_or_default(),
        "cuType": spec.map(|s| s.cu_type.as_str()).unwrap_or_default(),
        "plan": spec.map(|s| s.plan.as_str()).unwrap_or_default(),
        "status": status(v),
        "connectAddress": connect,
        "privateLinkAddress": "",
        "cuSize": spec.map(|s| s.cu_size).unwrap_or_default(),
        "storageSize": v.storage_bytes,
        "snapshotNumber": 0,
        "createProgress": create_progress(v),
        "createTime": time(c.created_at),
    })
}

pub fn job(j: &Job) -> Value {
    let status = match (j.state, j.started_at) {
        (JobState::Succeeded, _) => "SUCCESSFUL",
        (JobState::Failed, _) => "FAILED",
        (JobState::Enqueued, None) => "PENDING",
        (JobState::Paused, _) => "PENDING",
        (JobState::Enqueued, Some(_)) => "IN_PROGRESS",
    };
    let kind = match j.kind {
        JobKind::CreateCluster => "CREATE_CLUSTER",
        JobKind::StopCluster => "SUSPEND_CLUSTER",
        JobKind::StartCluster => "RESUME_CLUSTER",
        JobKind::ModifyCluster => "MODIFY_CLUSTER",
        JobKind::DeleteCluster => "DROP_CLUSTER",
        JobKind::RestartCluster => "RESTART_CLUSTER",
        JobKind::RepairCluster => "REPAIR_CLUSTER",
        JobKind::CreateSnapshot | JobKind::RestoreCluster | JobKind::DeleteSnapshot | JobKind::ChangeCluster => "OTHER",
    };
    json!({
        "jobId": job_id(j.id),
        "type": kind,
        "status": status,
        "progress": j.progress_percent(),
        "startTime": j.started_at.map(time),
        "endTime": j.finished_at.map(time),
        "reason": j.error.as_ref().map(|e| e.message.clone()).unwrap_or_default(),
    })
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
