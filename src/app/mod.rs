//! The application service: what every dialect calls. It validates through
//! the core, persists through the store, wakes the job runner and assembles
//! views of clusters from stored intent plus observed processes.

use std::net::Ipv4Addr;
use std::sync::Arc;

use tokio::sync::Notify;
use uuid::Uuid;

mod access;
mod admin;
mod faults;
mod index_snapshots;
mod pipelines;
mod search;
mod vector;
mod vector_projects;
mod warehouse;

pub use admin::{EngineHealth, ResetReport};
pub use index_snapshots::SnapshotSetting;
pub use search::SearchChange;
pub use vector_projects::ProjectView;

use crate::auth::secrets::Secrets;
use crate::core::cluster::{Cluster, ClusterSpec, EngineKind, Node, Placement, PortNeeds, Product};
use crate::core::job::{Job, JobKind, JobPayload, RollingRestart};
use crate::core::node_types::{self, NodeType};
use crate::core::status::{self, Health, NodeHealth};
use crate::core::snapshot::{self, Policy, Snapshot, SnapshotKind, SnapshotStatus};
use crate::core::validate::{self, CreateInput, RestoreInput};
use crate::core::{now_ms, CoreError};
use crate::engine::{scram, EngineError, Engines};
use crate::jobs::JobControl;
use crate::observed::Observed;
use crate::store::{ClusterQuery, ClusterRecord, Event, ListedEvent, Store};

/// Static settings the service needs.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The OTC / Huawei region (identity catalog, DWS, CSS).
    pub region: String,
    /// DWS availability zones.
    pub zones: Vec<String>,
    /// CSS availability zones.
    pub css_zones: Vec<String>,
    /// The Alibaba region's zones (`networkConfig.vsArea`).
    pub aliyun_zones: Vec<String>,
    pub node_addresses: (Ipv4Addr, Ipv4Addr),
    /// Smallest number_of_node accepted (DWS: 3).
    pub min_nodes: u32,
    /// Where engines that need machine-wide port blocks (Milvus) get them.
    pub engine_ports: (u16, u16),
    /// Region ids vector clusters may be created in.
    pub vector_regions: Vec<String>,
    /// How long a protectively deleted instance stays frozen (Alibaba: 24 h).
    pub protective_deletion_ms: i64,
    /// Where clusters' and snapshots' files live (a reset empties it of them).
    pub data_dir: std::path::PathBuf,
}

pub struct App {
    pub store: Arc<dyn Store>,
    pub engines: Arc<Engines>,
    /// What every node's process was last seen doing (the health loop and the runner keep it).
    pub observed: Arc<Observed>,
    /// Holds the job runner still while a reset takes every cluster over.
    control: Arc<JobControl>,
    /// Fault rules armed through `/_strato/faults` (the runner holds them too).
    pub faults: Arc<crate::faults::Faults>,
    pub settings: Settings,
    secrets: Arc<Secrets>,
    wake: Arc<Notify>,
    /// Wakes the public-endpoint forwarder after an EIP or ELB change.
    pub endpoints_changed: Arc<Notify>,
    /// Changes of the served endpoints asked for so far (a generation) ...
    pub endpoints_requested: std::sync::atomic::AtomicU64,
    /// ... and the last generation the forwarder has applied.
    pub endpoints_applied: tokio::sync::watch::Sender<u64>,
}

/// A snapshot as a dialect renders it.
#[derive(Debug, Clone)]
pub struct SnapshotView {
    pub snapshot: Snapshot,
    /// A restore from it runs.
    pub restoring: bool,
    /// Percent done while it is being made.
    pub progress: Option<u32>,
}

/// A cluster as a dialect renders it: stored intent plus observed state.
#[derive(Debug, Clone)]
pub struct ClusterView {
    pub cluster: Cluster,
    pub nodes: Vec<(Node, NodeHealth)>,
    pub health: Health,
    pub active_job: Option<Job>,
    pub recent_events: usize,
    /// Bytes the cluster's files took when last measured.
    pub storage_bytes: u64,
}

impl From<EngineError> for CoreError {
    fn from(e: EngineError) -> Self {
        match e {
            EngineError::NotInstalled(m) => CoreError::EngineUnavailable(m),
            EngineError::Unsupported(m) => CoreError::NotSupported(m),
            other => CoreError::Internal(other.to_string()),
        }
    }
}

impl App {
    pub fn new(
        store: Arc<dyn Store>,
        engines: Arc<Engines>,
        observed: Arc<Observed>,
        control: Arc<JobControl>,
        settings: Settings,
        secrets: Arc<Secrets>,
        wake: Arc<Notify>,
    ) -> Self {
        App {
            store,
            engines,
            observed,
            control,
            faults: Arc::default(),
            settings,
            secrets,
            wake,
            endpoints_changed: Arc::default(),
            endpoints_requested: Default::default(),
            endpoints_applied: tokio::sync::watch::Sender::new(0),
        }
    }

    /// Wakes the forwarder and waits (at most 3 s) until it serves what is
    /// recorded now, so that an answer about an endpoint holds when it is given.
    pub async fn endpoints_follow(&self) {
        use std::sync::atomic::Ordering;
        let want = self.endpoints_requested.fetch_add(1, Ordering::SeqCst) + 1;
        self.endpoints_changed.notify_one();
        let mut applied = self.endpoints_applied.subscribe();
        let _ = tokio::time::timeout(std::time::Duration::from_secs(3), applied.wait_for(|g| *g >= want)).await;
    }

    pub fn node_types(&self) -> Vec<NodeType> {
        node_types::catalog()
    }

    fn new_job(&self, project_id: &str, cluster: &Cluster, kind: JobKind, payload: JobPayload) -> Job {
        Job::new(kind, project_id, cluster.id, None, cluster.spec.number_of_nodes(), payload)
    }

    /// Validates and records a new cluster; its create job runs in the background.
    pub async fn create_cluster(&self, project_id: &str, input: &CreateInput) -> Result<(Cluster, Job), CoreError> {
        let (spec, password) = validate::create(input, &self.node_types(), &self.settings.zones, self.settings.min_nodes as i64)?;
        self.engines.of(EngineKind::Postgres).check_installed()?;
        let cluster = Cluster::new(project_id, ClusterSpec::Warehouse(spec));
        let verifier = tokio::task::spawn_blocking(move || scram::verifier(&password))
            .await
            .map_err(|e| CoreError::Internal(e.to_string()))?;
        let payload = JobPayload { admin_verifier: Some(verifier), ..JobPayload::default() };
        let job = self.new_job(project_id, &cluster, JobKind::CreateCluster, payload);
        self.insert_cluster(&cluster, &job).await?;
        self.event(cluster.id, "cluster_create", format!("cluster {} accepted", cluster.spec.name())).await;
        self.wake.notify_one();
        Ok((cluster, job))
    }

    /// Records a new cluster with its node addresses and its first job.
    async fn insert_cluster(&self, cluster: &Cluster, job: &Job) -> Result<(), CoreError> {
        self.store.create_cluster(cluster, &self.placement(cluster), job).await?;
        Ok(())
    }

    /// Where the cluster's (new) nodes may go.
    fn placement(&self, cluster: &Cluster) -> Placement {
        let ports = self.engines.for_cluster(cluster).port_needs(&cluster.spec);
        Placement {
            addresses: self.settings.node_addresses,
            unusable_addresses: match ports {
                PortNeeds::PerAddress(port) => self.addresses_in_use_elsewhere(port),
                PortNeeds::MachineBlock(_) => Vec::new(),
            },
            ports,
            port_range: self.settings.engine_ports,
            unusable_ports: match ports {
                PortNeeds::PerAddress(_) => Vec::new(),
                PortNeeds::MachineBlock(_) => self.ports_in_use_elsewhere(),
            },
        }
    }

    /// Addresses of the range where some other process already listens on `port`
    /// (another strato, a stray server): probing a handful is cheap and avoids
    /// handing out a node that cannot start.
    fn addresses_in_use_elsewhere(&self, port: u16) -> Vec<Ipv4Addr> {
        let (lo, hi) = (u32::from(self.settings.node_addresses.0), u32::from(self.settings.node_addresses.1));
        (lo..=hi.min(lo + 64))
            .map(Ipv4Addr::from)
            .filter(|a| {
                matches!(std::net::TcpListener::bind((*a, port)), Err(e) if e.kind() == std::io::ErrorKind::AddrInUse)
            })
            .collect()
    }

    /// Ports of the engine port range some other process holds on the
    /// wildcard address (a range is a few hundred ports: cheap to probe).
    fn ports_in_use_elsewhere(&self) -> Vec<u16> {
        let (lo, hi) = self.settings.engine_ports;
        (lo..=hi)
            .filter(|p| {
                matches!(std::net::TcpListener::bind((Ipv4Addr::UNSPECIFIED, *p)), Err(e) if e.kind() == std::io::ErrorKind::AddrInUse)
            })
            .collect()
    }

    /// A live cluster of the project ordered through `product`; any other is
    /// "not found" (each dialect sees only its own product's clusters).
    pub async fn cluster(&self, project_id: &str, id: Uuid, product: Product) -> Result<Cluster, CoreError> {
        self.store
            .get_cluster(project_id, id)
            .await?
            .filter(|c| c.spec.product() == product)
            .ok_or_else(|| CoreError::ClusterNotFound(id.to_string()))
    }

    /// Renders a stored record with what was last observed of its processes:
    /// no process, file or query is touched.
    pub fn view(&self, record: &ClusterRecord) -> ClusterView {
        let nodes: Vec<(Node, NodeHealth)> = record.nodes.iter().map(|n| (n.clone(), self.observed.health(n.id))).collect();
        let health = status::fold(&nodes.iter().map(|(_, h)| *h).collect::<Vec<_>>());
        ClusterView {
            cluster: record.cluster.clone(),
            nodes,
            health,
            active_job: record.active_job.clone(),
            recent_events: record.recent_events as usize,
            storage_bytes: self.observed.storage(record.cluster.id).unwrap_or(0),
        }
    }

    pub async fn show(&self, project_id: &str, id: Uuid, product: Product) -> Result<ClusterView, CoreError> {
        let started = std::time::Instant::now();
        let record = self.store.cluster_record(project_id, id, product).await?;
        crate::metrics::metrics().observe_store("cluster_record", started.elapsed());
        let record = record.ok_or_else(|| CoreError::ClusterNotFound(id.to_string()))?;
        Ok(self.view(&record))
    }

    /// One page of the project's clusters of `product`, and how many match in all.
    pub async fn page(&self, project_id: &str, product: Product, query: &ClusterQuery) -> Result<(Vec<ClusterView>, u64), CoreError> {
        let started = std::time::Instant::now();
        let (records, total) = self.store.cluster_page(project_id, product, query).await?;
        crate::metrics::metrics().observe_store("cluster_page", started.elapsed());
        Ok((records.iter().map(|r| self.view(r)).collect(), total))
    }

    /// The metrics text, with the gauges of clusters and nodes read now.
    pub async fn metrics_text(&self) -> Result<String, CoreError> {
        let m = crate::metrics::metrics();
        let counts = self.store.cluster_counts().await?;
        m.clusters.clear();
        for (product, lifecycle, n) in counts {
            m.clusters.get_or_create(&crate::metrics::ClusterLabels { product, lifecycle }).set(n);
        }
        m.nodes.clear();
        for (health, n) in self.observed.counts() {
            m.nodes.get_or_create(&crate::metrics::NodeLabels { health }).set(n);
        }
        Ok(m.encode())
    }

    /// Every cluster of the project ordered through `product`, oldest first.
    pub async fn list(&self, project_id: &str, product: Product) -> Result<Vec<ClusterView>, CoreError> {
        Ok(self.page(project_id, product, &ClusterQuery::default()).await?.0)
    }

    /// Enqueues an operation on an existing cluster of the project.
    pub async fn operate(&self, project_id: &str, id: Uuid, product: Product, kind: JobKind) -> Result<Job, CoreError> {
        let cluster = self.cluster(project_id, id, product).await?;
        self.enqueue(&cluster, kind, JobPayload::default()).await
    }

    /// Restarts members one batch at a time (each must be one of the cluster's).
    pub async fn restart_rolling(&self, project_id: &str, id: Uuid, product: Product, rolling: RollingRestart) -> Result<Job, CoreError> {
        let cluster = self.cluster(project_id, id, product).await?;
        let count = cluster.spec.number_of_nodes();
        if let Some(bad) = rolling.members.iter().flatten().find(|n| **n >= count) {
            return Err(CoreError::invalid(crate::core::error::Field::Restart, format!("the cluster has no member {}", bad + 1)));
        }
        self.enqueue(&cluster, JobKind::RestartCluster, JobPayload { rolling: Some(rolling), ..JobPayload::default() }).await
    }

    async fn enqueue(&self, cluster: &Cluster, kind: JobKind, payload: JobPayload) -> Result<Job, CoreError> {
        let job = self.new_job(&cluster.project_id, cluster, kind, payload);
        self.store.enqueue_job(&job).await?;
        self.event(cluster.id, kind.as_str(), format!("{kind} accepted")).await;
        self.wake.notify_one();
        Ok(job)
    }

    /// Enqueues a change task (`payload`'s member counts): the node records of
    /// members to add are placed in the same transaction, which also checks
    /// that the spec it was decided on still holds.
    async fn enqueue_change(&self, cluster: &Cluster, payload: JobPayload, message: String) -> Result<Job, CoreError> {
        let (from, to) = (payload.from_nodes.unwrap_or(0), payload.to_nodes.unwrap_or(0));
        let add: Vec<u32> = payload.add_members.clone().unwrap_or_else(|| (from..to.max(from)).collect());
        let job = self.new_job(&cluster.project_id, cluster, JobKind::ChangeCluster, payload);
        self.store.enqueue_change(&job, &self.placement(cluster), &cluster.spec, &add).await?;
        self.event(cluster.id, "change_cluster", message).await;
        self.wake.notify_one();
        Ok(job)
    }

    /// Enqueues strato's own repair of a cluster whose nodes died (health loop).
    pub async fn repair(&self, cluster: &Cluster) -> Result<Job, CoreError> {
        let job = self.new_job(&cluster.project_id, cluster, JobKind::RepairCluster, JobPayload::default());
        self.store.enqueue_job(&job).await?;
        self.wake.notify_one();
        Ok(job)
    }

    /// Deletes a cluster; with `keep_manual`, only that many of its newest
    /// manual snapshots survive it (automated ones always go with it).
    pub async fn delete(&self, project_id: &str, id: Uuid, product: Product, keep_manual: Option<u32>) -> Result<Job, CoreError> {
        let cluster = self.cluster(project_id, id, product).await?;
        let job = self.new_job(project_id, &cluster, JobKind::DeleteCluster, JobPayload::default());
        let retired = self.store.delete_cluster(&job, keep_manual).await?;
        self.event(cluster.id, "delete_cluster", format!("delete_cluster accepted; {} snapshot(s) retired", retired.len())).await;
        self.wake.notify_one();
        // A deleting cluster's public endpoints stop now, not at the forwarder's next resync.
        self.endpoints_follow().await;
        Ok(job)
    }

    /// Starts an online backup of a running, idle cluster.
    pub async fn create_snapshot(
        &self,
        project_id: &str,
        cluster_id: Uuid,
        name: &str,
        description: &str,
        kind: SnapshotKind,
    ) -> Result<Snapshot, CoreError> {
        snapshot::validate_name(name)?;
        snapshot::validate_description(description)?;
        let cluster = self.cluster(project_id, cluster_id, Product::Dws).await?;
        let source = cluster.spec.warehouse().cloned().ok_or_else(|| CoreError::NotSupported("snapshots".into()))?;
        self.engines.of(EngineKind::Postgres).check_installed()?;
        let now = now_ms();
        let snap = Snapshot {
            id: Uuid::new_v4(),
            project_id: project_id.into(),
            cluster_id,
            name: name.into(),
            description: description.into(),
            kind,
            status: SnapshotStatus::Creating,
            source,
            size_bytes: 0,
            failure: None,
            created_at: now,
            started_at: Some(now),
            finished_at: None,
        };
        let job = Job::new(JobKind::CreateSnapshot, project_id, cluster_id, Some(snap.id), cluster.spec.number_of_nodes(), JobPayload::default());
        self.store.create_snapshot(&snap, &job).await?;
        self.event(cluster_id, "create_snapshot", format!("snapshot {} accepted", snap.name)).await;
        self.wake.notify_one();
        Ok(snap)
    }

    pub async fn snapshot(&self, project_id: &str, id: Uuid) -> Result<SnapshotView, CoreError> {
        let s = self.store.get_snapshot(project_id, id).await?.ok_or_else(|| CoreError::SnapshotNotFound(id.to_string()))?;
        self.snapshot_view(s).await
    }

    async fn snapshot_view(&self, snapshot: Snapshot) -> Result<SnapshotView, CoreError> {
        let jobs = self.store.snapshot_jobs(snapshot.id).await?;
        let restoring = jobs.iter().any(|j| j.kind == JobKind::RestoreCluster);
        let progress = jobs.iter().find(|j| j.kind == JobKind::CreateSnapshot).map(Job::progress_percent);
        Ok(SnapshotView { snapshot, restoring, progress })
    }

    pub async fn snapshots(&self, project_id: &str, cluster_id: Option<Uuid>) -> Result<Vec<SnapshotView>, CoreError> {
        if let Some(c) = cluster_id {
            self.cluster(project_id, c, Product::Dws).await?;
        }
        let mut out = Vec::new();
        for s in self.store.list_snapshots(project_id, cluster_id).await? {
            out.push(self.snapshot_view(s).await?);
        }
        Ok(out)
    }

    /// Deletes a snapshot: users may delete manual ones; retention (`allow_auto`) automated ones.
    pub async fn delete_snapshot(&self, project_id: &str, id: Uuid, allow_auto: bool) -> Result<(), CoreError> {
        let s = self.store.get_snapshot(project_id, id).await?.ok_or_else(|| CoreError::SnapshotNotFound(id.to_string()))?;
        let job = Job::new(JobKind::DeleteSnapshot, project_id, s.cluster_id, Some(id), 1, JobPayload::default());
        self.store.delete_snapshot(project_id, id, &job, allow_auto).await?;
        self.wake.notify_one();
        Ok(())
    }

    /// Builds a new cluster from a snapshot; its restore job runs in the background.
    pub async fn restore(&self, project_id: &str, snapshot_id: Uuid, input: &RestoreInput) -> Result<(Cluster, Job), CoreError> {
        let snap = self
            .store
            .get_snapshot(project_id, snapshot_id)
            .await?
            .ok_or_else(|| CoreError::SnapshotNotFound(snapshot_id.to_string()))?;
        let spec = validate::restore(&snap.source, input, &self.settings.zones)?;
        self.engines.of(EngineKind::Postgres).check_installed()?;
        let cluster = Cluster::new(project_id, ClusterSpec::Warehouse(spec));
        let job = Job::new(JobKind::RestoreCluster, project_id, cluster.id, Some(snapshot_id), cluster.spec.number_of_nodes(), JobPayload::default());
        self.insert_cluster(&cluster, &job).await?;
        self.event(cluster.id, "restore_cluster", format!("restore of snapshot {} accepted", snap.name)).await;
        self.wake.notify_one();
        Ok((cluster, job))
    }

    pub async fn policy(&self, project_id: &str, cluster_id: Uuid) -> Result<Option<Policy>, CoreError> {
        self.cluster(project_id, cluster_id, Product::Dws).await?;
        self.store.get_policy(cluster_id).await
    }

    /// Sets a cluster's automated snapshot policy; schedules count from now.
    pub async fn set_policy(&self, project_id: &str, cluster_id: Uuid, policy: Policy) -> Result<Policy, CoreError> {
        self.cluster(project_id, cluster_id, Product::Dws).await?;
        snapshot::validate_policy(&policy)?;
        self.store.put_policy(project_id, cluster_id, &policy).await?;
        Ok(policy)
    }

    pub async fn job(&self, project_id: &str, id: Uuid) -> Result<Job, CoreError> {
        self.store.get_job(project_id, id).await?.ok_or_else(|| CoreError::JobNotFound(id.to_string()))
    }

    /// A page of the events of the project's clusters of `product`, newest first, and their number.
    pub async fn events(&self, project_id: &str, product: Product, offset: u64, limit: u64) -> Result<(Vec<ListedEvent>, u64), CoreError> {
        self.store.list_events(project_id, product, offset, limit).await
    }

    pub async fn event(&self, cluster_id: Uuid, kind: &str, message: String) {
        let e = Event { cluster_id, at: now_ms(), kind: kind.into(), message };
        if let Err(err) = self.store.add_event(&e).await {
            tracing::warn!(cluster.id = %cluster_id, error = %err, "recording an event failed");
        }
    }
}
