//! Persistence. The `Store` trait is what the rest of strato sees; the
//! SQLite implementation is the embedded default and a PostgreSQL one can be
//! added beside it without touching callers.
//!
//! Invariants the implementations enforce in one transaction each:
//! - a cluster and its node addresses are inserted together (addresses unique
//!   among live nodes);
//! - a job is enqueued only if the cluster's lifecycle allows it and no other
//!   job is active on the cluster (`Busy` otherwise);
//! - a job's completion and the cluster's resulting lifecycle are written together.

pub mod cache;
pub mod sqlite;

use async_trait::async_trait;
use uuid::Uuid;

use crate::core::cluster::{Cluster, ClusterSpec, Failure, Lifecycle, Node, Placement, Product};
use crate::core::identity::{AccessKey, ApiKey, Domain, Project, TokenRecord, User};
use crate::core::job::Job;
use crate::core::snapshot::{Policy, Snapshot};
use crate::core::{CoreError, Millis};

/// A change of a stored spec, decided on what is stored.
pub type SpecEdit = Box<dyn FnOnce(&ClusterSpec) -> Result<ClusterSpec, CoreError> + Send>;

pub type StoreResult<T> = Result<T, CoreError>;

/// A cluster event shown through `recent_event` and the CLI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub cluster_id: Uuid,
    pub at: Millis,
    pub kind: String,
    pub message: String,
}

/// An event as a list shows it: with its sequence number and the name its
/// cluster has now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedEvent {
    pub seq: i64,
    pub event: Event,
    pub cluster_name: String,
}

/// What rendering a cluster needs from the store: the cluster, its nodes, the
/// job that holds it, and how many events it had in the last 24 hours. The
/// rest (what its processes do) is observed state, kept in memory.
#[derive(Debug, Clone)]
pub struct ClusterRecord {
    pub cluster: Cluster,
    pub nodes: Vec<Node>,
    pub active_job: Option<Job>,
    pub recent_events: u64,
}

/// Which of a project's clusters of one product a list shows: filters that
/// the store can apply, and the page (oldest first).
#[derive(Debug, Clone, Default)]
pub struct ClusterQuery {
    /// Search clusters of this datastore only (CSS `datastoreType`).
    pub datastore: Option<crate::core::search::Datastore>,
    /// Clusters with exactly this description only (Alibaba `description`).
    pub description: Option<String>,
    /// Only this cluster (Alibaba `instanceId`).
    pub id: Option<Uuid>,
    pub offset: u64,
    /// None: every cluster from `offset`.
    pub limit: Option<u64>,
}

/// A running cluster the health loop watches: its nodes, and whether a job holds it.
#[derive(Debug, Clone)]
pub struct Watched {
    pub cluster: Cluster,
    pub nodes: Vec<Node>,
    pub busy: bool,
}

/// What a request carrying an idempotency token may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenClaim {
    /// First use (or a stale, abandoned claim): go ahead, then complete or release it.
    Claimed,
    /// The token's first request succeeded with this response: return it, do nothing.
    Done(String),
    /// The first request with this token is still being processed.
    InFlight,
    /// The token was used with different parameters.
    Mismatch,
}

/// What recording a signature nonce found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NonceUse {
    /// First use within its window: recorded.
    Fresh,
    /// The access key used it already, and that request's window is still open.
    Replayed,
    /// The access key has `per_key` unexpired nonces already: refused, not recorded.
    TooMany,
}

/// How a finished job ends.
#[derive(Debug, Clone)]
pub enum JobOutcome {
    Succeeded,
    Failed(Failure),
}

#[async_trait]
pub trait Store: Send + Sync + 'static {
    // --- identity
    async fn create_domain(&self, d: &Domain) -> StoreResult<()>;
    async fn create_project(&self, p: &Project) -> StoreResult<()>;
    async fn create_user(&self, u: &User) -> StoreResult<()>;
    async fn assign(&self, user_id: &str, project_id: &str) -> StoreResult<()>;
    async fn count_users(&self) -> StoreResult<i64>;
    async fn list_domains(&self) -> StoreResult<Vec<Domain>>;
    async fn list_users(&self) -> StoreResult<Vec<User>>;
    async fn list_projects(&self) -> StoreResult<Vec<Project>>;
    async fn find_domain(&self, id_or_name: &str) -> StoreResult<Option<Domain>>;
    async fn find_user(&self, domain_id: &str, name: &str) -> StoreResult<Option<User>>;
    async fn get_user(&self, id: &str) -> StoreResult<Option<User>>;
    async fn get_project(&self, id: &str) -> StoreResult<Option<Project>>;
    async fn find_project(&self, domain_id: &str, name: &str) -> StoreResult<Option<Project>>;
    /// Projects the user is assigned to.
    async fn user_projects(&self, user_id: &str) -> StoreResult<Vec<Project>>;
    async fn insert_token(&self, hash: &str, t: &TokenRecord) -> StoreResult<()>;
    async fn find_token(&self, hash: &str) -> StoreResult<Option<TokenRecord>>;
    async fn insert_access_key(&self, k: &AccessKey) -> StoreResult<()>;
    async fn find_access_key(&self, ak: &str) -> StoreResult<Option<AccessKey>>;
    async fn list_access_keys(&self) -> StoreResult<Vec<AccessKey>>;
    async fn delete_access_key(&self, ak: &str) -> StoreResult<bool>;
    /// Stores an API key under the SHA-256 of its secret.
    async fn insert_api_key(&self, key: &ApiKey, hash: &str) -> StoreResult<()>;
    async fn find_api_key(&self, hash: &str) -> StoreResult<Option<ApiKey>>;
    async fn list_api_keys(&self) -> StoreResult<Vec<ApiKey>>;
    async fn delete_api_key(&self, id: &str) -> StoreResult<bool>;
    /// Lets the user use strato's admin surface (`/_strato/`).
    async fn grant_admin(&self, user_id: &str) -> StoreResult<()>;
    async fn is_admin(&self, user_id: &str) -> StoreResult<bool>;
    async fn count_admins(&self) -> StoreResult<i64>;
    /// Forgets every cluster, node, job, snapshot, policy, event, clientToken and
    /// nonce, in one transaction; with `identity`, also every user that is not an
    /// admin, with their keys and tokens, and the projects and domains no admin
    /// is in. Engine processes and files are the caller's to remove first.
    async fn reset(&self, identity: bool) -> StoreResult<()>;
    /// The ids of every snapshot not deleted (a reset removes their files).
    async fn all_snapshot_ids(&self) -> StoreResult<Vec<Uuid>>;
    /// A counter that goes up whenever an identity fact a server may have cached is
    /// revoked (an access or API key deleted, an assignment changed), by any process.
    async fn identity_epoch(&self) -> StoreResult<i64>;
    /// Records that `access_key` used `nonce`, remembered until `expires_at`;
    /// at most `per_key` live nonces per key (one key cannot crowd out the others).
    async fn use_nonce(&self, access_key: &str, nonce: &str, now: Millis, expires_at: Millis, per_key: u32) -> StoreResult<NonceUse>;
    /// Forgets every nonce whose window closed before `now`; returns how many.
    async fn prune_nonces(&self, now: Millis) -> StoreResult<u64>;

    // --- clusters
    /// Inserts the cluster, allocates one address (and port or port block)
    /// per node as `placement` says and enqueues its create (or restore) job,
    /// atomically. A restore job's snapshot must be available.
    async fn create_cluster(&self, cluster: &Cluster, placement: &Placement, job: &Job) -> StoreResult<Vec<Node>>;
    async fn get_cluster(&self, project_id: &str, id: Uuid) -> StoreResult<Option<Cluster>>;
    async fn get_cluster_any(&self, id: Uuid) -> StoreResult<Option<Cluster>>;
    /// A live cluster of the project ordered through `product`, with what a view
    /// needs. Served from memory when unchanged since it was last read.
    async fn cluster_record(&self, project_id: &str, id: Uuid, product: Product) -> StoreResult<Option<std::sync::Arc<ClusterRecord>>>;
    /// One page of the project's live clusters of `product` matching `query`, and
    /// how many match in all: a fixed number of queries whatever the page or total.
    async fn cluster_page(&self, project_id: &str, product: Product, query: &ClusterQuery) -> StoreResult<(Vec<std::sync::Arc<ClusterRecord>>, u64)>;
    /// Inserts clusters with their nodes as they are (lifecycle, addresses and
    /// all; no job), in one transaction: a bulk load (the read benchmark seeds
    /// its store this way). Names and live addresses must be unique.
    async fn import_clusters(&self, records: &[ClusterRecord]) -> StoreResult<()>;
    /// How many live clusters there are of each (product, lifecycle).
    async fn cluster_counts(&self) -> StoreResult<Vec<(String, String, i64)>>;
    /// Every running cluster with its nodes and whether a job holds it (health loop).
    async fn watched(&self) -> StoreResult<Vec<Watched>>;
    /// Every live cluster with its nodes (observed once at start).
    async fn live_nodes(&self) -> StoreResult<Vec<(Cluster, Vec<Node>)>>;
    /// The warehouses with a public endpoint (an EIP or an ELB) and their
    /// primary: what strato's forwarder serves.
    async fn forwarded(&self) -> StoreResult<Vec<(Cluster, Vec<Node>)>>;
    /// Enqueues `job` (stop or start) and sets or clears the cluster's
    /// protective-deletion time in the same transaction.
    async fn enqueue_with_delete_at(&self, job: &Job, delete_at: Option<Millis>) -> StoreResult<()>;
    /// Replaces a cluster's spec (a resize).
    async fn set_spec(&self, cluster_id: Uuid, spec: &ClusterSpec) -> StoreResult<()>;
    /// Changes a cluster's recorded attributes (tags, description) in one
    /// transaction: `edit` sees the spec as stored; refused while a job holds
    /// the cluster (its last step may write the spec) or the cluster is not
    /// running or stopped. A new name must be free in the project (else
    /// NameTaken). `record`, a finished job, is inserted in the same
    /// transaction (a rename's job). Returns the new spec.
    async fn edit_spec(&self, cluster_id: Uuid, edit: SpecEdit, record: Option<&Job>) -> StoreResult<ClusterSpec>;
    /// Stopped clusters whose protective deletion is due at `now`.
    async fn due_deletions(&self, now: Millis) -> StoreResult<Vec<Cluster>>;
    async fn nodes(&self, cluster_id: Uuid) -> StoreResult<Vec<Node>>;
    /// Forgets a retired member (its address becomes free).
    async fn remove_node(&self, cluster_id: Uuid, ordinal: u32) -> StoreResult<()>;
    /// Enqueues a change task on an idle running cluster and, in the same
    /// transaction, records the members it will add (placed as `placement` says).
    /// The change was decided on `decided_on`; if the stored spec is no longer
    /// that (a concurrent change finished first), nothing is done: `Conflict`.
    async fn enqueue_change(&self, job: &Job, placement: &Placement, decided_on: &ClusterSpec, add: &[u32]) -> StoreResult<()>;
    /// Asks the cluster's running change task to stop at its next step boundary.
    /// `WrongState` when no interruptible job runs.
    async fn request_interrupt(&self, cluster_id: Uuid) -> StoreResult<()>;
    /// Pauses the job if an interrupt was requested (called between steps by
    /// the lease holder); true if it paused.
    async fn pause_if_interrupted(&self, job_id: Uuid, owner: &str) -> StoreResult<bool>;
    /// Re-enqueues the cluster's paused job. `WrongState` when none is paused.
    async fn resume_paused(&self, cluster_id: Uuid) -> StoreResult<Job>;

    // --- jobs
    /// Enqueues a job on an existing cluster if its lifecycle allows and it is idle.
    async fn enqueue_job(&self, job: &Job) -> StoreResult<()>;
    /// Enqueues a cluster's delete job and, in the same transaction, deletion
    /// jobs for the snapshots that go with it (all automated ones and the manual
    /// ones beyond the newest `keep_manual`). Returns the retired snapshots.
    async fn delete_cluster(&self, job: &Job, keep_manual: Option<u32>) -> StoreResult<Vec<Uuid>>;
    /// Records a running percentage of the job's current step.
    async fn set_step_progress(&self, job_id: Uuid, owner: &str, percent: u32) -> StoreResult<()>;
    /// Takes the oldest enqueued job whose lease is free, for `lease_ms`.
    async fn claim_job(&self, owner: &str, now: Millis, lease_ms: i64) -> StoreResult<Option<Job>>;
    /// Extends a held lease; false if the lease was lost.
    async fn renew_lease(&self, job_id: Uuid, owner: &str, until: Millis) -> StoreResult<bool>;
    /// Records that steps before `next_step` are done.
    async fn commit_step(&self, job_id: Uuid, owner: &str, next_step: u32) -> StoreResult<()>;
    async fn record_attempt(&self, job_id: Uuid, attempts: u32, error: Option<&Failure>) -> StoreResult<()>;
    /// Ends the job and applies the resulting cluster lifecycle in one transaction.
    async fn finish_job(
        &self,
        job_id: Uuid,
        outcome: &JobOutcome,
        lifecycle: Option<Lifecycle>,
        now: Millis,
    ) -> StoreResult<()>;
    async fn get_job(&self, project_id: &str, id: Uuid) -> StoreResult<Option<Job>>;
    async fn active_job(&self, cluster_id: Uuid) -> StoreResult<Option<Job>>;
    /// Forgets every lease (startup with an exclusive data-dir lock).
    async fn release_all_leases(&self) -> StoreResult<u64>;

    // --- snapshots
    /// Inserts the snapshot and enqueues its backup job on the (idle, running) cluster.
    async fn create_snapshot(&self, snapshot: &Snapshot, job: &Job) -> StoreResult<()>;
    /// Marks a settled, unused snapshot as deleting and enqueues its deletion;
    /// automated snapshots only when `allow_auto` (retention, not users).
    async fn delete_snapshot(&self, project_id: &str, id: Uuid, job: &Job, allow_auto: bool) -> StoreResult<()>;
    async fn get_snapshot(&self, project_id: &str, id: Uuid) -> StoreResult<Option<Snapshot>>;
    /// Live snapshots of a project (or of one cluster), oldest first.
    async fn list_snapshots(&self, project_id: &str, cluster_id: Option<Uuid>) -> StoreResult<Vec<Snapshot>>;
    async fn set_snapshot_size(&self, id: Uuid, bytes: i64) -> StoreResult<()>;
    async fn get_policy(&self, cluster_id: Uuid) -> StoreResult<Option<Policy>>;
    async fn put_policy(&self, project_id: &str, cluster_id: Uuid, policy: &Policy) -> StoreResult<()>;
    /// Records that a strategy fired at `at` (leaves the rest of the policy alone).
    async fn mark_fired(&self, cluster_id: Uuid, strategy_id: Uuid, at: Millis) -> StoreResult<()>;
    /// Every cluster's policy (the scheduler's view).
    async fn list_policies(&self) -> StoreResult<Vec<(Uuid, Policy)>>;
    /// Active jobs that work on the snapshot (its backup, restores from it).
    async fn snapshot_jobs(&self, id: Uuid) -> StoreResult<Vec<Job>>;

    // --- Zilliz projects
    /// The account's projects, its default one first.
    async fn vector_projects(&self, account: &str) -> StoreResult<Vec<crate::core::vector_project::VectorProject>>;
    /// Records a new project (a name the account uses already is `NameTaken`).
    async fn insert_vector_project(&self, p: &crate::core::vector_project::VectorProject) -> StoreResult<()>;
    /// Records a project's plan and regions.
    async fn update_vector_project(&self, p: &crate::core::vector_project::VectorProject) -> StoreResult<()>;
    /// Removes a project without live clusters (else `WrongState`).
    async fn delete_vector_project(&self, account: &str, id: &str) -> StoreResult<()>;

    // --- idempotency tokens
    /// Claims `token` in `scope` for a request with `fingerprint`; a claim
    /// without a response older than `stale_ms` is taken over.
    async fn claim_token(&self, scope: &str, token: &str, fingerprint: &str, now: Millis, stale_ms: i64) -> StoreResult<TokenClaim>;
    async fn complete_token(&self, scope: &str, token: &str, response: &str) -> StoreResult<()>;
    /// Forgets a claim whose request failed, so that it can be retried.
    async fn release_token(&self, scope: &str, token: &str) -> StoreResult<()>;

    // --- events
    async fn add_event(&self, e: &Event) -> StoreResult<()>;
    /// A page of the events of a project's clusters of one product (deleted
    /// ones included), newest first, and how many there are in all.
    async fn list_events(&self, project_id: &str, product: Product, offset: u64, limit: u64) -> StoreResult<(Vec<ListedEvent>, u64)>;
}
