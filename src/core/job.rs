//! Durable operations: what a job is, which steps it takes, and which
//! lifecycle a cluster must be in for it to start.
//!
//! A job persists its kind and the index of the next step. Every step is
//! idempotent, so a job interrupted at any point (kill -9 included) simply
//! runs its current step again after a restart. "Running" is never stored:
//! it is derived from a live lease.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::cluster::Lifecycle;
use super::snapshot::SnapshotStatus;
use super::Millis;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum JobKind {
    CreateCluster,
    RestartCluster,
    StopCluster,
    StartCluster,
    DeleteCluster,
    /// Started by the health loop when nodes died behind strato's back:
    /// brings every node back (running ones are left alone).
    RepairCluster,
    /// Backs up a running cluster's primary into a snapshot.
    CreateSnapshot,
    /// Builds a new cluster from a snapshot.
    RestoreCluster,
    /// Removes a snapshot's files.
    DeleteSnapshot,
    /// Changes a cluster's size (the job payload's compute units): stops the
    /// nodes, rewrites their configuration and starts them again.
    ModifyCluster,
    /// A change task (Alibaba UpdateInstance): adds or retires members one
    /// step at a time, or restarts them one by one to apply a new disk size.
    /// It can be interrupted at a step boundary and resumed where it stopped.
    ChangeCluster,
    /// Sets the administrator's password (the job payload's SCRAM verifier)
    /// on the primary; the standbys replay it.
    ResetPassword,
    /// Records new engine settings (the payload's timezone) and applies them
    /// to every node's configuration, reloaded while it runs.
    ApplySettings,
    /// A rename: done in the store transaction that accepts it (no process
    /// knows a cluster's name); the job is its record, finished at once.
    RenameCluster,
    /// An ELB bound or unbound: recorded in the accepting transaction (strato's
    /// forwarder follows the record); the job is its record, finished at once.
    ConfigureElb,
}

impl JobKind {
    pub const ALL: [JobKind; 15] = [
        JobKind::CreateCluster,
        JobKind::RestartCluster,
        JobKind::StopCluster,
        JobKind::StartCluster,
        JobKind::DeleteCluster,
        JobKind::RepairCluster,
        JobKind::CreateSnapshot,
        JobKind::RestoreCluster,
        JobKind::DeleteSnapshot,
        JobKind::ModifyCluster,
        JobKind::ChangeCluster,
        JobKind::ResetPassword,
        JobKind::ApplySettings,
        JobKind::RenameCluster,
        JobKind::ConfigureElb,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            JobKind::CreateCluster => "create_cluster",
            JobKind::RestartCluster => "restart_cluster",
            JobKind::StopCluster => "stop_cluster",
            JobKind::StartCluster => "start_cluster",
            JobKind::DeleteCluster => "delete_cluster",
            JobKind::RepairCluster => "repair_cluster",
            JobKind::CreateSnapshot => "create_snapshot",
            JobKind::RestoreCluster => "restore_cluster",
            JobKind::DeleteSnapshot => "delete_snapshot",
            JobKind::ModifyCluster => "modify_cluster",
            JobKind::ChangeCluster => "change_cluster",
            JobKind::ResetPassword => "reset_password",
            JobKind::ApplySettings => "apply_settings",
            JobKind::RenameCluster => "rename_cluster",
            JobKind::ConfigureElb => "configure_elb",
        }
    }

    /// Whether a user may interrupt the job between two steps (and resume it).
    pub fn interruptible(self) -> bool {
        matches!(self, JobKind::ChangeCluster)
    }

    /// Whether the job holds its cluster exclusively (all but snapshot deletion,
    /// which holds only its snapshot).
    pub fn locks_cluster(self) -> bool {
        !matches!(self, JobKind::DeleteSnapshot)
    }

    /// The lifecycles a cluster may be in for this job to be accepted.
    pub fn allowed_from(self) -> &'static [Lifecycle] {
        match self {
            JobKind::CreateCluster | JobKind::RestoreCluster => &[Lifecycle::Creating],
            JobKind::RestartCluster
            | JobKind::StopCluster
            | JobKind::RepairCluster
            | JobKind::CreateSnapshot
            | JobKind::ModifyCluster
            | JobKind::ChangeCluster
            | JobKind::ResetPassword
            | JobKind::ApplySettings
            | JobKind::RenameCluster
            | JobKind::ConfigureElb => &[Lifecycle::Running],
            // A snapshot outlives its cluster.
            JobKind::DeleteSnapshot => &Lifecycle::ALL,
            JobKind::StartCluster => &[Lifecycle::Stopped],
            JobKind::DeleteCluster => &[Lifecycle::Creating, Lifecycle::CreateFailed, Lifecycle::Running, Lifecycle::Stopped],
        }
    }

    /// The lifecycle written when the job is accepted (None: unchanged).
    pub fn lifecycle_on_accept(self) -> Option<Lifecycle> {
        match self {
            JobKind::DeleteCluster => Some(Lifecycle::Deleting),
            JobKind::CreateCluster
            | JobKind::RestartCluster
            | JobKind::StopCluster
            | JobKind::StartCluster
            | JobKind::RepairCluster
            | JobKind::CreateSnapshot
            | JobKind::RestoreCluster
            | JobKind::DeleteSnapshot
            | JobKind::ModifyCluster
            | JobKind::ChangeCluster
            | JobKind::ResetPassword
            | JobKind::ApplySettings
            | JobKind::RenameCluster
            | JobKind::ConfigureElb => None,
        }
    }

    /// The lifecycle written in the same transaction that marks the job done.
    pub fn lifecycle_on_success(self) -> Option<Lifecycle> {
        match self {
            JobKind::CreateCluster | JobKind::StartCluster | JobKind::RestoreCluster => Some(Lifecycle::Running),
            JobKind::StopCluster => Some(Lifecycle::Stopped),
            JobKind::DeleteCluster => Some(Lifecycle::Deleted),
            JobKind::RestartCluster
            | JobKind::RepairCluster
            | JobKind::CreateSnapshot
            | JobKind::DeleteSnapshot
            | JobKind::ModifyCluster
            | JobKind::ChangeCluster
            | JobKind::ResetPassword
            | JobKind::ApplySettings
            | JobKind::RenameCluster
            | JobKind::ConfigureElb => None,
        }
    }

    /// The lifecycle written when the job fails for good.
    pub fn lifecycle_on_failure(self) -> Option<Lifecycle> {
        match self {
            JobKind::CreateCluster | JobKind::RestoreCluster => Some(Lifecycle::CreateFailed),
            JobKind::RestartCluster
            | JobKind::StopCluster
            | JobKind::StartCluster
            | JobKind::DeleteCluster
            | JobKind::RepairCluster
            | JobKind::CreateSnapshot
            | JobKind::DeleteSnapshot
            | JobKind::ModifyCluster
            | JobKind::ChangeCluster
            | JobKind::ResetPassword
            | JobKind::ApplySettings
            | JobKind::RenameCluster
            | JobKind::ConfigureElb => None,
        }
    }

    /// The snapshot status written when the job ends (`succeeded` or not).
    pub fn snapshot_status_on_end(self, succeeded: bool) -> Option<SnapshotStatus> {
        match (self, succeeded) {
            (JobKind::CreateSnapshot, true) => Some(SnapshotStatus::Available),
            (JobKind::CreateSnapshot, false) => Some(SnapshotStatus::Unavailable),
            (JobKind::DeleteSnapshot, true) => Some(SnapshotStatus::Deleted),
            // A deletion that failed leaves files of unknown state: not restorable.
            (JobKind::DeleteSnapshot, false) => Some(SnapshotStatus::Unavailable),
            (
                JobKind::CreateCluster
                | JobKind::RestartCluster
                | JobKind::StopCluster
                | JobKind::StartCluster
                | JobKind::DeleteCluster
                | JobKind::RepairCluster
                | JobKind::RestoreCluster
                | JobKind::ModifyCluster
                | JobKind::ChangeCluster
                | JobKind::ResetPassword
                | JobKind::ApplySettings
                | JobKind::RenameCluster
                | JobKind::ConfigureElb,
                _,
            ) => None,
        }
    }

    /// What a failed job must not leave behind.
    pub fn cleanup_on_failure(self) -> Cleanup {
        match self {
            JobKind::CreateCluster | JobKind::RestoreCluster => Cleanup::ClusterProcessesAndFiles,
            JobKind::CreateSnapshot => Cleanup::SnapshotFiles,
            JobKind::ChangeCluster => Cleanup::UnfinishedChange,
            JobKind::RestartCluster
            | JobKind::StopCluster
            | JobKind::StartCluster
            | JobKind::DeleteCluster
            | JobKind::RepairCluster
            | JobKind::DeleteSnapshot
            | JobKind::ModifyCluster
            | JobKind::ResetPassword
            | JobKind::ApplySettings
            | JobKind::RenameCluster
            | JobKind::ConfigureElb => Cleanup::Nothing,
        }
    }

    /// Whether the job is the user's (shown as a task) or strato's own.
    pub fn is_internal(self) -> bool {
        matches!(self, JobKind::RepairCluster | JobKind::DeleteSnapshot)
    }
}

impl fmt::Display for JobKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for JobKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        JobKind::ALL.into_iter().find(|k| k.as_str() == s).ok_or_else(|| format!("unknown job kind `{s}`"))
    }
}

/// What a failed job removes before it is recorded as failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cleanup {
    Nothing,
    /// A half-built cluster: stop its nodes, remove its files.
    ClusterProcessesAndFiles,
    /// A half-made snapshot: remove its files.
    SnapshotFiles,
    /// A change task that stopped half-way: members it added beyond the
    /// cluster's recorded count are retired (stopped, files and records gone),
    /// and members it already retired are no longer counted.
    UnfinishedChange,
}

/// One idempotent unit of work of a job; `u32` arguments are node ordinals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Step {
    /// Lay out the primary's data directory from the engine template and start it.
    InitPrimary,
    /// Create the administrator role and the default database on the primary.
    CreateAdmin,
    /// Clone a standby from the running primary and start it.
    InitStandby(u32),
    StopNode(u32),
    StartNode(u32),
    /// Wait until every running standby streams from the primary.
    WaitReplication,
    /// Remove every node's files.
    RemoveFiles,
    /// Online physical backup of the primary into the job's snapshot.
    Backup,
    /// Check every file of the job's snapshot against its manifest while
    /// copying it into the primary's place, then start the primary.
    RestorePrimary,
    /// Remove the job's snapshot's files.
    RemoveSnapshotFiles,
    /// Record the job's new size on the cluster and rewrite every node's
    /// configuration for it (nodes are stopped).
    Reconfigure,
    /// Lay out a new member (its node record exists) and start it.
    AddNode(u32),
    /// Remove a stopped member's files and its node record.
    RetireNode(u32),
    /// Record the change task's target (member count, disk) on the cluster.
    ApplySpec,
    /// Rewrite a stopped member's configuration for the change task's target
    /// (its flavor, its engine settings); its data stays.
    RewriteNode(u32),
    /// Set the administrator's password to the job's verifier on the primary.
    SetAdminPassword,
    /// Record the job's settings on the cluster and rewrite every node's
    /// configuration for them, reloading the running ones.
    ApplySettings,
    /// Record which settings the running nodes apply only at their next start.
    ObserveSettings,
}

/// The steps of a job on a cluster whose members are `members` (their
/// ordinals, ascending; the first, 0, is the primary); a change task's come
/// from its payload.
pub fn plan(kind: JobKind, members: &[u32], payload: &JobPayload) -> Vec<Step> {
    let standbys = || members.iter().copied().filter(|n| *n != 0);
    let stop_all = || standbys().rev().map(Step::StopNode).chain([Step::StopNode(0)]);
    let start_all = || [Step::StartNode(0)].into_iter().chain(standbys().map(Step::StartNode));
    match kind {
        JobKind::ChangeCluster => change_plan(payload),
        JobKind::CreateCluster => {
            [Step::InitPrimary, Step::CreateAdmin].into_iter().chain(standbys().map(Step::InitStandby)).chain([Step::WaitReplication]).collect()
        }
        JobKind::RestartCluster if payload.rolling.is_some() => rolling_plan(members, payload.rolling.as_ref().expect("checked")),
        JobKind::RestartCluster => stop_all().chain(start_all()).chain([Step::WaitReplication, Step::ObserveSettings]).collect(),
        JobKind::StopCluster => stop_all().collect(),
        // Starting a running node is a no-op, so a repair is a start.
        JobKind::StartCluster | JobKind::RepairCluster => start_all().chain([Step::WaitReplication, Step::ObserveSettings]).collect(),
        JobKind::DeleteCluster => stop_all().chain([Step::RemoveFiles]).collect(),
        JobKind::CreateSnapshot => vec![Step::Backup],
        JobKind::ResetPassword => vec![Step::SetAdminPassword],
        JobKind::ApplySettings => vec![Step::ApplySettings],
        JobKind::RenameCluster | JobKind::ConfigureElb => vec![],
        JobKind::RestoreCluster => [Step::RestorePrimary].into_iter().chain(standbys().map(Step::InitStandby)).chain([Step::WaitReplication]).collect(),
        JobKind::DeleteSnapshot => vec![Step::RemoveSnapshotFiles],
        JobKind::ModifyCluster => {
            stop_all().chain([Step::Reconfigure]).chain(start_all()).chain([Step::WaitReplication]).collect()
        }
    }
}

/// A change task: members added or retired one at a time (the newest first),
/// then, for a disk change, every member restarted one at a time; for a new
/// flavor or new settings, every member stopped, given its new configuration
/// and started, the cluster whole again before the next. Which members is
/// the payload's (older tasks name only counts: members `from..to`).
fn change_plan(p: &JobPayload) -> Vec<Step> {
    let (from, to) = (p.from_nodes.unwrap_or(0), p.to_nodes.unwrap_or(0));
    let adds = p.add_members.clone().unwrap_or_else(|| (from..to).collect());
    let retires = p.retire_members.clone().unwrap_or_else(|| (to..from).rev().collect());
    // Who restarts: the payload says (older tasks: every member, for a configuration or a disk).
    let rework = p.members_after.clone().unwrap_or_else(|| if p.reconfigures_members() || p.disk_gb.is_some() { (0..to).collect() } else { vec![] });
    let mut steps: Vec<Step> = adds.into_iter().map(Step::AddNode).collect();
    for n in retires {
        steps.extend([Step::StopNode(n), Step::RetireNode(n)]);
    }
    for n in rework {
        if p.reconfigures_members() {
            steps.extend([Step::StopNode(n), Step::RewriteNode(n), Step::StartNode(n), Step::WaitReplication]);
        } else {
            steps.extend([Step::StopNode(n), Step::StartNode(n)]);
        }
    }
    steps.extend([Step::WaitReplication, Step::ApplySpec]);
    steps
}

/// A rolling restart: its members (all when None), `batch` at a time, each
/// batch stopped, started and the cluster whole again before the next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RollingRestart {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub members: Option<Vec<u32>>,
    pub batch: u32,
}

impl RollingRestart {
    /// Every member, `percent` of them (at least one) at a time.
    pub fn by_percent(nodes: u32, percent: u32) -> RollingRestart {
        let batch = (nodes * percent.clamp(1, 100)).div_ceil(100).max(1);
        RollingRestart { members: None, batch }
    }
}

fn rolling_plan(all: &[u32], r: &RollingRestart) -> Vec<Step> {
    let members: Vec<u32> = r.members.clone().unwrap_or_else(|| all.to_vec());
    let mut steps = Vec::new();
    for batch in members.chunks(r.batch.max(1) as usize) {
        steps.extend(batch.iter().map(|n| Step::StopNode(*n)));
        steps.extend(batch.iter().map(|n| Step::StartNode(*n)));
        steps.push(Step::WaitReplication);
    }
    steps.push(Step::ObserveSettings);
    steps
}

/// Terminal or not; "running" is derived from the lease, never stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum JobState {
    Enqueued,
    /// Interrupted at a step boundary; it keeps its progress and its hold on
    /// the cluster until it is resumed.
    Paused,
    Succeeded,
    Failed,
}

impl JobState {
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Enqueued => "enqueued",
            JobState::Paused => "paused",
            JobState::Succeeded => "succeeded",
            JobState::Failed => "failed",
        }
    }
}

impl FromStr for JobState {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        [JobState::Enqueued, JobState::Paused, JobState::Succeeded, JobState::Failed]
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| format!("unknown job state `{s}`"))
    }
}

/// What a job carries besides its kind: only what cannot be re-derived.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobPayload {
    /// The administrator's SCRAM-SHA-256 verifier (create, reset password);
    /// the plaintext password is never stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admin_verifier: Option<String>,
    /// The compute units a modify job sets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cu_size: Option<u32>,
    /// A change task's member counts before and after.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_nodes: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_nodes: Option<u32>,
    /// A change task's new disk size per member, in GB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disk_gb: Option<u32>,
    /// A change task's new flavor (CSS `newFlavorId`, Alibaba `nodeSpec.spec`):
    /// every member is restarted with it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flavor: Option<String>,
    /// A change task's new engine settings (Alibaba `esConfig`, validated),
    /// replacing the recorded ones: every member is restarted with them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub engine_settings: Option<std::collections::BTreeMap<String, String>>,
    /// The timezone an apply-settings job sets (DWS `cluster_timezone`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// The database parameters an apply-settings job sets (validated values).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameters: Option<std::collections::BTreeMap<String, String>>,
    /// A change task's Logstash pipelines (all of them, as they will be saved):
    /// every member is restarted with the deployed ones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pipelines: Option<Vec<super::pipeline::Pipeline>>,
    /// A change task's members to add, to retire, and its members after it
    /// (ordinals); without them, members `from_nodes..to_nodes` (older tasks).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub add_members: Option<Vec<u32>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retire_members: Option<Vec<u32>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub members_after: Option<Vec<u32>>,
    /// A change task gives its members (`members_after`) a new configuration
    /// besides a flavor, settings or pipelines (a dedicated role's flavor).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub rewrite_members: bool,
    /// A change task's dedicated roles after it (search clusters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dedicated: Option<Vec<super::roles::DedicatedRole>>,
    /// A restart done member by member (Alibaba RestartInstance's kinds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rolling: Option<RollingRestart>,
}

impl JobPayload {
    /// A change task that gives every member a new configuration.
    pub fn reconfigures_members(&self) -> bool {
        self.flavor.is_some() || self.engine_settings.is_some() || self.pipelines.is_some() || self.rewrite_members
    }

    /// A change task that takes members away.
    pub fn shrinks(&self) -> bool {
        self.retire_members.as_ref().map_or_else(|| takes_members_away(self.from_nodes, self.to_nodes), |r| !r.is_empty())
    }

    /// A change task that adds members.
    pub fn grows(&self) -> bool {
        self.add_members.as_ref().map_or_else(|| matches!((self.from_nodes, self.to_nodes), (Some(f), Some(t)) if t > f), |a| !a.is_empty())
    }
}

/// Whether a change from `from` to `to` members retires some.
pub fn takes_members_away(from: Option<u32>, to: Option<u32>) -> bool {
    matches!((from, to), (Some(from), Some(to)) if to < from)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    pub id: Uuid,
    pub project_id: String,
    pub cluster_id: Uuid,
    /// The snapshot a snapshot, restore or snapshot-delete job works on.
    pub snapshot_id: Option<Uuid>,
    pub kind: JobKind,
    pub state: JobState,
    /// Index into `plan(..)` of the next step to run.
    pub next_step: u32,
    /// Percent done within the next step, for long steps that report it.
    pub step_progress: u32,
    pub total_steps: u32,
    pub payload: JobPayload,
    pub attempts: u32,
    pub error: Option<super::cluster::Failure>,
    pub created_at: Millis,
    pub started_at: Option<Millis>,
    pub finished_at: Option<Millis>,
    /// Set while a runner holds the job; derived "running".
    pub lease_expires_at: Option<Millis>,
}

impl Job {
    /// A new enqueued job on a cluster of `nodes` nodes.
    pub fn new(kind: JobKind, project_id: &str, cluster_id: Uuid, snapshot_id: Option<Uuid>, nodes: u32, payload: JobPayload) -> Job {
        Job {
            id: Uuid::new_v4(),
            project_id: project_id.into(),
            cluster_id,
            snapshot_id,
            kind,
            state: JobState::Enqueued,
            next_step: 0,
            step_progress: 0,
            total_steps: plan(kind, &(0..nodes).collect::<Vec<u32>>(), &payload).len() as u32,
            payload,
            attempts: 0,
            error: None,
            created_at: super::now_ms(),
            started_at: None,
            finished_at: None,
            lease_expires_at: None,
        }
    }

    /// What the job holds exclusively while it runs.
    pub fn lock_key(&self) -> String {
        match (self.kind.locks_cluster(), self.snapshot_id) {
            (false, Some(s)) => format!("snapshot:{s}"),
            _ => format!("cluster:{}", self.cluster_id),
        }
    }

    /// The job's steps on a cluster whose members are `members` (ordinals, ascending).
    pub fn steps(&self, members: &[u32]) -> Vec<Step> {
        plan(self.kind, members, &self.payload)
    }

    /// Whole-number percentage of committed steps.
    /// This job as finished now (a change done where it was accepted).
    pub fn done_now(mut self) -> Job {
        let now = super::now_ms();
        self.state = JobState::Succeeded;
        self.next_step = self.total_steps;
        (self.started_at, self.finished_at) = (Some(now), Some(now));
        self
    }

    pub fn progress_percent(&self) -> u32 {
        match self.state {
            JobState::Succeeded => 100,
            JobState::Enqueued | JobState::Paused | JobState::Failed => {
                (self.next_step * 100 + self.step_progress.min(100)).checked_div(self.total_steps).unwrap_or(0).min(99)
            }
        }
    }

    pub fn is_running(&self, now: Millis) -> bool {
        self.state == JobState::Enqueued && self.lease_expires_at.is_some_and(|t| t > now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_initialises_primary_then_each_standby() {
        assert_eq!(
            plan(JobKind::CreateCluster, &(0..3).collect::<Vec<u32>>(), &JobPayload::default()),
            vec![Step::InitPrimary, Step::CreateAdmin, Step::InitStandby(1), Step::InitStandby(2), Step::WaitReplication]
        );
    }

    #[test]
    fn restart_stops_standbys_first_and_starts_primary_first() {
        assert_eq!(
            plan(JobKind::RestartCluster, &(0..3).collect::<Vec<u32>>(), &JobPayload::default()),
            vec![
                Step::StopNode(2),
                Step::StopNode(1),
                Step::StopNode(0),
                Step::StartNode(0),
                Step::StartNode(1),
                Step::StartNode(2),
                Step::WaitReplication,
                Step::ObserveSettings
            ]
        );
    }

    #[test]
    fn a_rolling_restart_takes_its_members_a_batch_at_a_time() {
        use Step::*;
        let rolling = |members: Option<Vec<u32>>, batch| JobPayload { rolling: Some(RollingRestart { members, batch }), ..JobPayload::default() };
        assert_eq!(
            plan(JobKind::RestartCluster, &(0..3).collect::<Vec<u32>>(), &rolling(None, 2)),
            vec![StopNode(0), StopNode(1), StartNode(0), StartNode(1), WaitReplication, StopNode(2), StartNode(2), WaitReplication, ObserveSettings]
        );
        assert_eq!(plan(JobKind::RestartCluster, &(0..3).collect::<Vec<u32>>(), &rolling(Some(vec![2]), 1)), vec![StopNode(2), StartNode(2), WaitReplication, ObserveSettings]);
        assert_eq!(RollingRestart::by_percent(5, 30).batch, 2, "30% of 5 rounds up");
        assert_eq!(RollingRestart::by_percent(5, 100).batch, 5);
        assert_eq!(RollingRestart::by_percent(3, 1).batch, 1);
    }

    #[test]
    fn modify_reconfigures_between_stopping_and_starting() {
        assert_eq!(
            plan(JobKind::ModifyCluster, &(0..1).collect::<Vec<u32>>(), &JobPayload::default()),
            vec![Step::StopNode(0), Step::Reconfigure, Step::StartNode(0), Step::WaitReplication]
        );
    }

    #[test]
    fn a_change_task_adds_or_retires_one_member_per_step() {
        let grow = JobPayload { from_nodes: Some(2), to_nodes: Some(4), ..Default::default() };
        assert_eq!(
            plan(JobKind::ChangeCluster, &(0..2).collect::<Vec<u32>>(), &grow),
            vec![Step::AddNode(2), Step::AddNode(3), Step::WaitReplication, Step::ApplySpec]
        );
        let shrink = JobPayload { from_nodes: Some(4), to_nodes: Some(2), ..Default::default() };
        assert_eq!(
            plan(JobKind::ChangeCluster, &(0..4).collect::<Vec<u32>>(), &shrink),
            vec![Step::StopNode(3), Step::RetireNode(3), Step::StopNode(2), Step::RetireNode(2), Step::WaitReplication, Step::ApplySpec]
        );
        let disk = JobPayload { from_nodes: Some(2), to_nodes: Some(2), disk_gb: Some(40), ..Default::default() };
        assert_eq!(
            plan(JobKind::ChangeCluster, &(0..2).collect::<Vec<u32>>(), &disk),
            vec![Step::StopNode(0), Step::StartNode(0), Step::StopNode(1), Step::StartNode(1), Step::WaitReplication, Step::ApplySpec]
        );
        let flavor = JobPayload { from_nodes: Some(2), to_nodes: Some(2), flavor: Some("ess.spec-8u16g".into()), ..Default::default() };
        let rolling = |n| [Step::StopNode(n), Step::RewriteNode(n), Step::StartNode(n), Step::WaitReplication];
        let want: Vec<Step> = rolling(0).into_iter().chain(rolling(1)).chain([Step::WaitReplication, Step::ApplySpec]).collect();
        assert_eq!(plan(JobKind::ChangeCluster, &(0..2).collect::<Vec<u32>>(), &flavor), want);
        assert!(JobKind::ChangeCluster.interruptible() && !JobKind::RestartCluster.interruptible());
    }

    #[test]
    fn delete_stops_everything_before_removing_files() {
        let p = plan(JobKind::DeleteCluster, &(0..3).collect::<Vec<u32>>(), &JobPayload::default());
        assert_eq!(p.last(), Some(&Step::RemoveFiles));
        assert_eq!(p.iter().filter(|s| matches!(s, Step::StopNode(_))).count(), 3);
    }

    #[test]
    fn every_kind_has_steps_and_round_trips() {
        for k in JobKind::ALL {
            // A rename is done where it is accepted; its job is only the record.
            let done_on_accept = matches!(k, JobKind::RenameCluster | JobKind::ConfigureElb);
            assert_eq!(plan(k, &[0, 1, 2], &JobPayload::default()).is_empty(), done_on_accept, "{k}");
            assert_eq!(plan(k, &[0], &JobPayload::default()).is_empty(), done_on_accept, "{k}");
            assert_eq!(k.as_str().parse::<JobKind>().unwrap(), k);
        }
    }

    #[test]
    fn transitions_never_leave_deleted() {
        for k in JobKind::ALL.into_iter().filter(|k| k.locks_cluster()) {
            assert!(!k.allowed_from().contains(&Lifecycle::Deleted), "{k}");
            assert!(!k.allowed_from().contains(&Lifecycle::Deleting), "{k}");
        }
    }

    #[test]
    fn progress_is_capped_below_100_until_success() {
        let mut job = Job {
            id: Uuid::nil(),
            project_id: "p".into(),
            cluster_id: Uuid::nil(),
            snapshot_id: None,
            kind: JobKind::CreateCluster,
            state: JobState::Enqueued,
            step_progress: 0,
            next_step: 5,
            total_steps: 5,
            payload: JobPayload::default(),
            attempts: 0,
            error: None,
            created_at: 0,
            started_at: None,
            finished_at: None,
            lease_expires_at: Some(10),
        };
        assert_eq!(job.progress_percent(), 99);
        assert!(job.is_running(5));
        assert!(!job.is_running(10));
        job.next_step = 0;
        job.total_steps = 1;
        job.step_progress = 42;
        assert_eq!(job.progress_percent(), 42, "a long step reports its own progress");
        job.state = JobState::Succeeded;
        assert_eq!(job.progress_percent(), 100);
    }
}
