//! Engine drivers: the code that turns a step of a job into real processes
//! and files. Each engine is one module implementing `Engine`; the job runner
//! only knows the trait.

pub mod postgres;
pub mod process;
pub mod scram;

use std::net::Ipv4Addr;
use std::path::PathBuf;

use async_trait::async_trait;
use thiserror::Error;

use crate::core::cluster::Node;
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

/// Where one cluster's files live.
#[derive(Debug, Clone)]
pub struct ClusterLayout {
    pub cluster_dir: PathBuf,
    pub run_dir: PathBuf,
    pub cluster_key: String,
}

/// The administrator created on the primary.
#[derive(Debug, Clone)]
pub struct Admin {
    pub user_name: String,
    /// SCRAM-SHA-256 verifier; the engine never sees the plaintext.
    pub verifier: String,
}

/// A database engine that can run a primary with streaming standbys.
#[async_trait]
pub trait Engine: Send + Sync + 'static {
    /// Fails with `NotInstalled` and an install hint if the binaries are missing.
    fn check_installed(&self) -> EngineResult<()>;
    fn layout(&self, cluster_id: uuid::Uuid) -> ClusterLayout;
    /// Lays out the primary's data directory (if not yet done) and starts it.
    async fn init_primary(&self, layout: &ClusterLayout, node: &Node, node_type: &str) -> EngineResult<()>;
    async fn create_admin(&self, layout: &ClusterLayout, primary: &Node, admin: &Admin) -> EngineResult<()>;
    /// Clones a standby from the running primary (if not yet done) and starts it.
    async fn init_standby(&self, layout: &ClusterLayout, primary: &Node, standby: &Node, node_type: &str)
        -> EngineResult<()>;
    /// Starts the node unless it already runs (then it is adopted).
    async fn start_node(&self, layout: &ClusterLayout, node: &Node) -> EngineResult<()>;
    /// Stops the node if it runs: fast shutdown, escalating if it hangs.
    async fn stop_node(&self, layout: &ClusterLayout, node: &Node) -> EngineResult<()>;
    /// Waits until `standbys` standbys stream from the primary.
    async fn wait_replication(&self, layout: &ClusterLayout, primary: &Node, standbys: usize) -> EngineResult<()>;
    /// Removes every file of the cluster. Nodes must be stopped.
    async fn remove_files(&self, layout: &ClusterLayout) -> EngineResult<()>;
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
    async fn restore_primary(&self, layout: &ClusterLayout, node: &Node, node_type: &str, id: uuid::Uuid)
        -> EngineResult<()>;
    /// Removes snapshot `id`'s files.
    async fn remove_snapshot(&self, id: uuid::Uuid) -> EngineResult<()>;
    /// Where snapshot `id` lives.
    fn snapshot_dir(&self, id: uuid::Uuid) -> PathBuf;
    /// What the node's process is doing right now (cheap: no connection).
    fn observe(&self, layout: &ClusterLayout, node: &Node) -> NodeHealth;
    /// The node's process id, if it runs.
    fn pid(&self, layout: &ClusterLayout, node: &Node) -> Option<i32>;
}
