//! The job runner: claims durable jobs with a lease, runs their steps through
//! the engine and commits each step before the next.
//!
//! Crash safety: a step's effect and its commit are not atomic, so every step
//! is idempotent and an interrupted job re-runs its current step. The lease is
//! renewed while a step runs; a runner that dies simply stops renewing.

mod control;
mod steps;

pub use control::JobControl;

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Notify, Semaphore};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use crate::core::cluster::{FailedJob, Failure};
use crate::core::fault::{FaultAction, Site};
use crate::faults::Faults;
use crate::core::job::Job;
use crate::core::now_ms;
use crate::engine::{EngineError, Engines};
use crate::observed::Observed;
use crate::store::{Event, JobOutcome, Store};

/// How many times a failing step is tried before its job fails.
const MAX_ATTEMPTS: u32 = 3;

pub struct Runner {
    store: Arc<dyn Store>,
    engines: Arc<Engines>,
    /// What a step did to the processes is recorded at once, not only at the health loop's next look.
    observed: Arc<Observed>,
    /// Lets a reset hold the runner still.
    control: Arc<JobControl>,
    /// Armed fault rules: a step-failure rule fails a job's step on purpose.
    faults: Arc<Faults>,
    owner: String,
    wake: Arc<Notify>,
    permits: Arc<Semaphore>,
    lease_ms: i64,
    /// Test-only crash point: `<job kind>:<step index>` aborts the process
    /// after that step ran and before it is committed (the worst moment).
    crash_after: Option<String>,
    /// Test-only slow step: `<job kind>:<step index>:<ms>` waits that long
    /// before the step runs, so that a test can act while the job surely runs.
    slow_step: Option<(String, u64)>,
}

impl Runner {
    pub fn new(
        store: Arc<dyn Store>,
        engines: Arc<Engines>,
        observed: Arc<Observed>,
        control: Arc<JobControl>,
        faults: Arc<Faults>,
        wake: Arc<Notify>,
        concurrency: usize,
    ) -> Arc<Self> {
        Arc::new(Runner {
            store,
            engines,
            observed,
            control,
            faults,
            owner: format!("runner-{}", Uuid::new_v4().simple()),
            wake,
            permits: Arc::new(Semaphore::new(concurrency)),
            lease_ms: 10_000,
            crash_after: std::env::var("STRATO_CRASH_AFTER_STEP").ok().filter(|s| !s.is_empty()),
            slow_step: std::env::var("STRATO_SLOW_STEP").ok().and_then(|s| {
                let (at, ms) = s.rsplit_once(':')?;
                Some((at.to_string(), ms.parse().ok()?))
            }),
        })
    }

    /// Claims and runs jobs until cancelled. Woken on enqueue; polls as a fallback.
    pub async fn run(self: Arc<Self>, cancel: CancellationToken) {
        loop {
            while !self.control.is_paused() {
                let Ok(permit) = self.permits.clone().try_acquire_owned() else { break };
                match self.store.claim_job(&self.owner, now_ms(), self.lease_ms).await {
                    Ok(Some(job)) => {
                        let me = self.clone();
                        let cancel = cancel.clone();
                        let held = self.control.token();
                        tokio::spawn(async move {
                            let running = me.control.running();
                            me.execute(job, cancel, held).await;
                            drop(running);
                            drop(permit);
                            me.wake.notify_one();
                        });
                    }
                    Ok(None) => break,
                    Err(e) => {
                        tracing::error!(error = %e, "claiming a job failed");
                        break;
                    }
                }
            }
            tokio::select! {
                _ = cancel.cancelled() => return,
                _ = self.wake.notified() => {}
                _ = tokio::time::sleep(Duration::from_millis(500)) => {}
            }
        }
    }

    async fn execute(&self, job: Job, cancel: CancellationToken, held: CancellationToken) {
        let started = std::time::Instant::now();
        tracing::info!(job.id = %job.id, job.kind = %job.kind, cluster.id = %job.cluster_id, step = job.next_step, "running job");
        let heartbeat = self.heartbeat(job.id);
        let outcome = tokio::select! {
            r = self.run_steps(&job) => Some(r),
            // Shutdown: stop between commits; the job resumes on next start.
            _ = cancel.cancelled() => None,
            // A reset holds the runner: it takes over the cluster (and ends the job).
            _ = held.cancelled() => None,
        };
        heartbeat.cancel();
        let Some(result) = outcome else { return };
        let (outcome, lifecycle) = match result {
            Ok(()) => (JobOutcome::Succeeded, job.kind.lifecycle_on_success()),
            Err(Stop::Paused) => {
                tracing::info!(job.id = %job.id, "job interrupted at a step boundary; it resumes when the user resumes it");
                self.event(job.cluster_id, "job_interrupted", format!("{} interrupted", job.kind)).await;
                return;
            }
            Err(Stop::Abandoned(why)) => {
                // Not a failure: whoever holds the lease next resumes the job.
                tracing::warn!(job.id = %job.id, reason = %why, "abandoning job; it resumes when re-claimed");
                return;
            }
            Err(Stop::Failed(failure)) => {
                steps::clean_up(self, &job, job.kind.cleanup_on_failure()).await;
                (JobOutcome::Failed(failure), job.kind.lifecycle_on_failure())
            }
        };
        self.observe_after(&job).await;
        if let Err(e) = self.store.finish_job(job.id, &outcome, lifecycle, now_ms()).await {
            tracing::error!(job.id = %job.id, error = %e, "recording the end of a job failed");
            return;
        }
        let (kind, message) = match &outcome {
            JobOutcome::Succeeded => (format!("{}_succeeded", job.kind.as_str()), format!("{} finished", job.kind)),
            JobOutcome::Failed(f) => (format!("{}_failed", job.kind.as_str()), format!("{} failed: {}", job.kind, f.message)),
        };
        let ended = if matches!(outcome, JobOutcome::Succeeded) { "succeeded" } else { "failed" };
        crate::metrics::metrics().observe_job(job.kind.as_str(), ended, started.elapsed());
        tracing::info!(job.id = %job.id, job.kind = %job.kind, duration_ms = started.elapsed().as_millis() as u64, "{message}");
        if !job.kind.is_internal() || matches!(outcome, JobOutcome::Failed(_)) {
            self.event(job.cluster_id, &kind, message).await;
        }
    }

    async fn run_steps(&self, job: &Job) -> Result<(), Stop> {
        let cluster = match self.store.get_cluster_any(job.cluster_id).await {
            Ok(Some(c)) => c,
            Ok(None) => return Err(Stop::Failed(failure(job, "DWS.0047", "the cluster no longer exists"))),
            Err(e) => return Err(Stop::Abandoned(e.to_string())),
        };
        let nodes = self.store.nodes(job.cluster_id).await.map_err(|e| Stop::Abandoned(e.to_string()))?;
        let members: Vec<u32> = nodes.iter().map(|n| n.ordinal).collect();
        let plan = job.steps(&members);
        let mut attempts = job.attempts;
        let mut index = job.next_step as usize;
        while index < plan.len() {
            if job.kind.interruptible() && self.store.pause_if_interrupted(job.id, &self.owner).await.map_err(|e| Stop::Abandoned(e.to_string()))? {
                return Err(Stop::Paused);
            }
            // Change tasks add and retire members: read them afresh for every step.
            let nodes = self.store.nodes(job.cluster_id).await.map_err(|e| Stop::Abandoned(e.to_string()))?;
            let step = plan[index];
            if let Some((at, ms)) = &self.slow_step {
                if *at == format!("{}:{index}", job.kind) {
                    tokio::time::sleep(Duration::from_millis(*ms)).await;
                }
            }
            if let Some(f) = self.injected_failure(job, &cluster, index as u32) {
                return Err(Stop::Failed(f));
            }
            let result = steps::run(self, job, &cluster, &nodes, step).await;
            self.observed.look(&self.engines, &cluster, &nodes).await;
            match result {
                Ok(()) => {
                    if self.crash_after.as_deref() == Some(&format!("{}:{index}", job.kind)) {
                        tracing::warn!("crash point {}:{index} reached; aborting", job.kind);
                        std::process::abort();
                    }
                    // A commit that fails (lease lost, store unavailable) leaves the step
                    // uncommitted; it is idempotent and runs again when the job is re-claimed.
                    self.store
                        .commit_step(job.id, &self.owner, index as u32 + 1)
                        .await
                        .map_err(|e| Stop::Abandoned(e.to_string()))?;
                    index += 1;
                    attempts = 0;
                }
                Err(e) => {
                    attempts += 1;
                    let f = failure(job, job_failure_code(job), &format!("step {step:?}: {e}"));
                    tracing::warn!(job.id = %job.id, ?step, attempts, error = %e, "step failed");
                    let _ = self.store.record_attempt(job.id, attempts, Some(&f)).await;
                    if attempts >= MAX_ATTEMPTS || matches!(e, EngineError::NotInstalled(_) | EngineError::Unsupported(_)) {
                        return Err(Stop::Failed(f));
                    }
                    tokio::time::sleep(Duration::from_millis(500 * attempts as u64)).await;
                }
            }
        }
        Ok(())
    }

    /// The failure a step-failure fault rule injects at this step, if one fires.
    fn injected_failure(&self, job: &Job, cluster: &crate::core::cluster::Cluster, index: u32) -> Option<Failure> {
        let product = cluster.spec.product();
        let operation = crate::core::fault::job_operation(&cluster.spec, job.kind, &job.payload);
        let site = Site { product, operation, project_id: Some(&job.project_id), cluster: Some(job.cluster_id), step: Some(index) };
        let FaultAction::StepFailure { code, reason, .. } = self.faults.fire(&site)?.action else { return None };
        let code = code.unwrap_or_else(|| job_failure_code(job).to_string());
        let reason = reason.unwrap_or_else(|| format!("injected fault: step {index} of {operation} failed"));
        Some(failure(job, &code, &reason))
    }

    /// Looks at the job's cluster as the job leaves it (a clean-up may have
    /// stopped its nodes; a vector cluster's data may have grown), before the
    /// job's end is recorded, so that no view shows the new lifecycle with old
    /// observations.
    async fn observe_after(&self, job: &Job) {
        let Ok(Some(cluster)) = self.store.get_cluster_any(job.cluster_id).await else { return };
        if let Ok(nodes) = self.store.nodes(job.cluster_id).await {
            self.observed.look(&self.engines, &cluster, &nodes).await;
        }
        if cluster.spec.product() == crate::core::cluster::Product::Zilliz {
            self.observed.measure_storage(&self.engines, &cluster).await;
        }
    }

    /// Renews the job's lease until the returned token is cancelled.
    fn heartbeat(&self, job_id: Uuid) -> CancellationToken {
        let token = CancellationToken::new();
        let (store, owner, lease_ms, stop) = (self.store.clone(), self.owner.clone(), self.lease_ms, token.clone());
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = stop.cancelled() => return,
                    _ = tokio::time::sleep(Duration::from_millis(lease_ms as u64 / 3)) => {}
                }
                if let Err(e) = store.renew_lease(job_id, &owner, now_ms() + lease_ms).await {
                    tracing::warn!(job.id = %job_id, error = %e, "renewing a lease failed");
                }
            }
        });
        token
    }

    async fn event(&self, cluster_id: Uuid, kind: &str, message: String) {
        let e = Event { cluster_id, at: now_ms(), kind: kind.into(), message };
        if let Err(err) = self.store.add_event(&e).await {
            tracing::warn!(cluster.id = %cluster_id, error = %err, "recording an event failed");
        }
    }
}

/// Why a job's steps stopped short of the end.
enum Stop {
    /// The job failed for good.
    Failed(Failure),
    /// This runner cannot go on (lost lease, store error); the job stays enqueued.
    Abandoned(String),
    /// A user interrupted the job; it is paused with its progress kept.
    Paused,
}

fn failure(job: &Job, code: &str, message: &str) -> Failure {
    let failed = FailedJob { kind: job.kind, from_nodes: job.payload.from_nodes, to_nodes: job.payload.to_nodes };
    Failure { code: code.into(), message: message.into(), job: Some(failed) }
}

/// The DWS console codes for a failed operation (DWS.6000 create, 6002 restart, ...).
fn job_failure_code(job: &Job) -> &'static str {
    use crate::core::job::JobKind::*;
    match job.kind {
        CreateCluster => "DWS.6000",
        RestartCluster | RepairCluster => "DWS.6002",
        RestoreCluster => "DWS.6003",
        CreateSnapshot => "DWS.6005",
        StopCluster | StartCluster | DeleteCluster | DeleteSnapshot | ModifyCluster | ChangeCluster | ResetPassword | ApplySettings | RenameCluster | ConfigureElb => "DWS.9999",
    }
}
