//! Engine drivers: the code that turns a step of a job into real processes
//! and files. Each engine is one module implementing `Engine`; the job runner
//! only knows the trait.

pub mod milvus;
pub mod postgres;
pub mod probe;
pub mod process;
pub mod scram;
pub mod service;
mod unbound;

use std::net::Ipv4Addr;
use std::path::PathBuf;

use async_trait::async_trait;
use thiserror::Error;

use std::sync::Arc;

pub use crate::core::cluster::PortNeeds;
use crate::core::cluster::{Cluster, ClusterSpec, EngineKind, Node};
use crate::core::job::JobPayload;
use crate::core::status::NodeHealth;

#[derive(Debug, Error)]
pub enum EngineError {
    /// The engine's binaries are missing; the message says how to install them.
    #[error("{0}")]
    NotInstalled(String),
    /// A node's address and port are taken by some other process.
    #[error("address {0}:{1} is already in use by another process")]
    AddressInUse(Ipv4Addr, u16),
    #[error("{0}")]
    Failed(String),
    /// The engine lacks the capability an operation needs.
    #[error("{0}")]
    Unsupported(String),
    #[error("{context}: {source}")]
    Io { context: String, source: std::io::Error },
}

impl EngineError {
    pub fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> EngineError {
        let context = context.into();
        move |source| EngineError::Io { context, source }
    }
}

pub type EngineResult<T> = Result<T, EngineError>;

/// Refuses `addr:port` if a listener holds it (strato's own or a foreign one).
pub fn check_address_free(addr: Ipv4Addr, port: u16) -> EngineResult<()> {
    match std::net::TcpListener::bind((addr, port)) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => Err(EngineError::AddressInUse(addr, port)),
        Err(e) => Err(EngineError::Io { context: format!("probing {addr}:{port}"), source: e }),
    }
}

/// Bytes of every file below `path` (0 if it does not exist).
pub fn dir_size(path: &std::path::Path) -> u64 {
    std::fs::read_dir(path)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => dir_size(&e.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}

/// Where one cluster's files live.
#[derive(Debug, Clone)]
pub struct ClusterLayout {
    pub cluster_dir: PathBuf,
    pub run_dir: PathBuf,
    pub cluster_key: String,
}

impl ClusterLayout {
    /// Every engine's layout: `<data>/clusters/<id>`, sockets under `<data>/run`,
    /// and a short key (12 hex digits of the id) for names with length limits.
    pub fn under(data_dir: &std::path::Path, cluster_id: uuid::Uuid) -> ClusterLayout {
        ClusterLayout {
            cluster_dir: data_dir.join("clusters").join(cluster_id.to_string()),
            run_dir: data_dir.join("run"),
            cluster_key: cluster_id.simple().to_string()[..12].to_string(),
        }
    }

    /// Node `ordinal`'s directory: every engine keeps a node's files there.
    pub fn node_dir(&self, ordinal: u32) -> PathBuf {
        self.cluster_dir.join(format!("node-{ordinal}"))
    }
}

/// Removes a directory tree; a missing one is already removed.
pub async fn remove_dir_all(path: &std::path::Path) -> EngineResult<()> {
    match tokio::fs::remove_dir_all(path).await {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(EngineError::Io { context: format!("removing {}", path.display()), source: e })
        }
        _ => Ok(()),
    }
}

/// The administrator created on the primary.
#[derive(Debug, Clone)]
pub struct Admin {
    pub user_name: String,
    /// SCRAM-SHA-256 verifier; the engine never sees the plaintext.
    pub verifier: String,
}

/// An engine's process lifecycle: what every engine provides. Optional
/// capabilities (replicas, backups) are separate traits an engine may offer.
#[async_trait]
pub trait Engine: Send + Sync + 'static {
    fn kind(&self) -> EngineKind;
    /// Fails with `NotInstalled` and an install hint if the binaries are missing.
    fn check_installed(&self) -> EngineResult<()>;
    /// What runs this kind (`built-in PATH`, or a binding `DRIVER:PATH`), for `/_strato/health`.
    fn binding(&self) -> String;
    /// The engine's version, when it can tell (its program is asked once).
    fn version(&self) -> Option<String> {
        None
    }
    fn layout(&self, cluster_id: uuid::Uuid) -> ClusterLayout;
    /// Called once at start, before any job runs: stops helper processes a
    /// crashed strato left behind (engine servers themselves are adopted, not stopped).
    async fn recover(&self) {}
    fn port_needs(&self, spec: &ClusterSpec) -> PortNeeds;
    /// Lays out the primary's data directory (if not yet done) and starts it.
    async fn init_primary(&self, layout: &ClusterLayout, node: &Node, spec: &ClusterSpec) -> EngineResult<()>;
    /// Creates (or secures) the cluster's administrator on the running primary.
    async fn create_admin(&self, layout: &ClusterLayout, primary: &Node, cluster: &Cluster, job: &JobPayload)
        -> EngineResult<()>;
    /// Starts the node unless it already runs (then it is adopted).
    async fn start_node(&self, layout: &ClusterLayout, node: &Node) -> EngineResult<()>;
    /// Stops the node if it runs, escalating if it hangs.
    async fn stop_node(&self, layout: &ClusterLayout, node: &Node) -> EngineResult<()>;
    /// Waits until the primary serves and `standbys` standbys follow it.
    async fn wait_replication(&self, layout: &ClusterLayout, primary: &Node, standbys: usize) -> EngineResult<()>;
    /// Removes every file of the cluster. Nodes must be stopped.
    async fn remove_files(&self, layout: &ClusterLayout) -> EngineResult<()>;
    /// Removes one stopped member's files (a change task that shrinks the cluster).
    async fn remove_node_files(&self, layout: &ClusterLayout, node: &Node) -> EngineResult<()> {
        let _ = (layout, node);
        Err(EngineError::Unsupported(format!("the {} engine cannot retire a member", self.kind().as_str())))
    }
    /// Sets the cluster administrator's password to a SCRAM verifier, on the primary.
    async fn set_admin_password(&self, layout: &ClusterLayout, primary: &Node, cluster: &Cluster, verifier: &str) -> EngineResult<()> {
        let _ = (layout, primary, cluster, verifier);
        Err(EngineError::Unsupported(format!("the {} engine has no administrator password to reset", self.kind().as_str())))
    }
    /// Rewrites the (stopped) nodes' configuration for a changed spec.
    async fn reconfigure(&self, layout: &ClusterLayout, nodes: &[Node], spec: &ClusterSpec) -> EngineResult<()> {
        let _ = (layout, nodes, spec);
        Err(EngineError::Unsupported(format!("the {} engine cannot change a cluster's size", self.kind().as_str())))
    }
    /// The settings the running nodes have been given but apply only at their
    /// next start (none for engines without such settings).
    async fn pending_restart(&self, layout: &ClusterLayout, nodes: &[Node]) -> EngineResult<Vec<String>> {
        let _ = (layout, nodes);
        Ok(vec![])
    }
    /// Whether the members run the Logstash pipelines they are given (a log
    /// datastore bound to a real Logstash; a stand-in only keeps them).
    fn runs_pipelines(&self) -> bool {
        false
    }
    /// What the node's process is doing right now (cheap).
    fn observe(&self, layout: &ClusterLayout, node: &Node) -> NodeHealth;
    /// The node's process id, if it runs.
    fn pid(&self, layout: &ClusterLayout, node: &Node) -> Option<i32>;
    /// Streaming standbys, if the engine has them.
    fn replicas(&self) -> Option<&dyn Replicas> {
        None
    }
    /// Physical snapshots, if the engine takes them.
    fn backups(&self) -> Option<&dyn Backups> {
        None
    }
}

/// Standbys cloned from a running primary.
#[async_trait]
pub trait Replicas: Send + Sync {
    /// Clones a standby from the running primary (if not yet done) and starts it.
    async fn init_standby(&self, layout: &ClusterLayout, primary: &Node, standby: &Node, spec: &ClusterSpec)
        -> EngineResult<()>;
}

/// Online physical snapshots and restores from them.
#[async_trait]
pub trait Backups: Send + Sync {
    /// Online physical backup of the running primary into snapshot `id`
    /// (if not yet complete), reporting percent done; returns its size in bytes.
    async fn backup(
        &self,
        layout: &ClusterLayout,
        primary: &Node,
        id: uuid::Uuid,
        progress: tokio::sync::watch::Sender<u32>,
    ) -> EngineResult<u64>;
    /// Checks every file of snapshot `id` against its manifest.
    async fn verify_snapshot(&self, id: uuid::Uuid) -> EngineResult<()>;
    /// Lays out the primary from snapshot `id` (if not yet done) and starts it.
    async fn restore_primary(&self, layout: &ClusterLayout, node: &Node, spec: &ClusterSpec, id: uuid::Uuid)
        -> EngineResult<()>;
    /// Removes snapshot `id`'s files.
    async fn remove_snapshot(&self, id: uuid::Uuid) -> EngineResult<()>;
    /// Where snapshot `id` lives.
    fn snapshot_dir(&self, id: uuid::Uuid) -> PathBuf;
}

/// The engine of each kind this server runs, chosen by a cluster's spec.
/// A kind nothing is bound to answers every call with `NotInstalled`.
pub struct Engines {
    bound: std::collections::HashMap<EngineKind, Arc<dyn Engine>>,
    unbound: std::collections::HashMap<EngineKind, Arc<dyn Engine>>,
}

impl Engines {
    pub fn new(bound: Vec<Arc<dyn Engine>>) -> Engines {
        let bound: std::collections::HashMap<_, _> = bound.into_iter().map(|e| (e.kind(), e)).collect();
        let unbound = EngineKind::ALL
            .into_iter()
            .filter(|k| !bound.contains_key(k))
            .map(|k| (k, Arc::new(unbound::Unbound(k)) as Arc<dyn Engine>))
            .collect();
        Engines { bound, unbound }
    }

    pub fn of(&self, kind: EngineKind) -> &Arc<dyn Engine> {
        self.bound.get(&kind).or_else(|| self.unbound.get(&kind)).expect("every kind is bound or unbound")
    }

    pub fn for_cluster(&self, cluster: &Cluster) -> &Arc<dyn Engine> {
        self.of(cluster.spec.engine())
    }
}
