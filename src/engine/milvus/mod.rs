//! The Milvus engine: one Milvus 2.3.5 standalone process per vector
//! cluster (all components, embedded etcd and rocksmq in one process), from
//! the binary the PyPI wheel `milvus==2.3.5` ships (`scripts/install-milvus`).
//!
//! Each node owns a loopback address (advertised between components, and the
//! cluster's connect address) and a machine-wide block of ports, because
//! Milvus binds its ports on the wildcard address. Like PostgreSQL nodes,
//! the process runs in its own process group as the engine user and outlives
//! a crash of strato, which re-adopts it by its pid file (or its working
//! directory) on restart.

mod config;
pub mod rpc;

use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use nix::sys::signal::Signal;
use tokio::process::Command;
use uuid::Uuid;

use self::config::Instance;
use self::rpc::MilvusAdmin;
use super::process::{terminate, Daemon, RunAs, StartFailure};
use super::{ClusterLayout, Engine, EngineError, EngineResult, PortNeeds};
use crate::auth::secrets::Secrets;
use crate::core::cluster::{Cluster, ClusterSpec, EngineKind, Node};
use crate::core::job::JobPayload;
use crate::core::status::NodeHealth;
use crate::core::vector::{self, Resources};

/// What a node's compute units buy, as last configured (read at every start).
const RESOURCES_FILE: &str = "strato-resources.json";

/// The user a vector cluster's owner logs in as (Zilliz's name for it).
pub const ADMIN_USER: &str = "db_admin";
/// Milvus's built-in superuser and its well-known initial password.
const ROOT_USER: &str = "root";
const ROOT_INITIAL_PASSWORD: &str = "Milvus";

pub const VERSION: &str = "2.3.5";

/// Where `scripts/install-milvus` puts the binary, tried in order.
pub fn default_bin_dirs() -> Vec<PathBuf> {
    let mut dirs = vec![PathBuf::from(format!("/usr/local/lib/strato/milvus-{VERSION}/bin"))];
    if let Some(home) = std::env::var_os("HOME") {
        dirs.push(PathBuf::from(home).join(format!(".local/lib/strato/milvus-{VERSION}/bin")));
    }
    dirs
}

/// The explicit directory if given, else the first default that holds `milvus`.
pub fn find_bin_dir(explicit: Option<&Path>) -> Option<PathBuf> {
    match explicit {
        Some(d) => Some(d.to_path_buf()),
        None => default_bin_dirs().into_iter().find(|d| d.join("milvus").exists()),
    }
}

pub struct MilvusEngine {
    bin_dir: Option<PathBuf>,
    data_dir: PathBuf,
    run_as: RunAs,
    secrets: Arc<Secrets>,
    machine_cpus: u32,
    start_timeout: Duration,
}

impl MilvusEngine {
    pub fn new(bin_dir: Option<PathBuf>, data_dir: PathBuf, run_as: RunAs, secrets: Arc<Secrets>) -> Self {
        let machine_cpus = std::thread::available_parallelism().map(|n| n.get() as u32).unwrap_or(1);
        MilvusEngine { bin_dir, data_dir, run_as, secrets, machine_cpus, start_timeout: Duration::from_secs(120) }
    }

    fn node_dir(layout: &ClusterLayout, node: &Node) -> PathBuf {
        layout.node_dir(node.ordinal)
    }

    fn pid_file(dir: &Path) -> PathBuf {
        dir.join("milvus.pid")
    }

    fn alias(layout: &ClusterLayout, node: &Node) -> String {
        format!("strato-{}-{}", layout.cluster_key, node.ordinal)
    }

    fn instance<'a>(&self, dir: &'a Path, node: &Node, alias: &'a str, spec: &ClusterSpec) -> EngineResult<Instance<'a>> {
        let v = spec.vector().ok_or_else(|| EngineError::Unsupported("the Milvus engine runs vector clusters only".into()))?;
        Ok(Instance { dir, ip: node.address, base: node.port, alias, resources: vector::resources(v, self.machine_cpus) })
    }

    /// Writes the instance's configuration files into `into` (its directory,
    /// or a staging copy of it), owned by the engine user.
    fn write_config(&self, into: &Path, inst: &Instance) -> EngineResult<()> {
        let configs = into.join("configs");
        for sub in [configs.clone(), into.join("data"), into.join("logs")] {
            self.make_dir(&sub)?;
        }
        for (name, text) in config::render(inst) {
            let path = configs.join(name);
            let tmp = path.with_extension("tmp");
            std::fs::write(&tmp, text).map_err(EngineError::io(format!("writing {}", tmp.display())))?;
            self.run_as.chown(&tmp).map_err(EngineError::io("chown config"))?;
            std::fs::rename(&tmp, &path).map_err(EngineError::io(format!("installing {}", path.display())))?;
        }
        // Some resources are environment settings (GOMAXPROCS): start reads them back from here.
        let path = configs.join(RESOURCES_FILE);
        let text = serde_json::to_string(&inst.resources).map_err(|e| EngineError::Failed(e.to_string()))?;
        std::fs::write(&path, text).map_err(EngineError::io(format!("writing {}", path.display())))
    }

    fn make_dir(&self, path: &Path) -> EngineResult<()> {
        use std::os::unix::fs::PermissionsExt;
        std::fs::create_dir_all(path).map_err(EngineError::io(format!("creating {}", path.display())))?;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o700))
            .map_err(EngineError::io(format!("chmod {}", path.display())))?;
        self.run_as.chown(path).map_err(EngineError::io(format!("chown {}", path.display())))
    }

    fn bin_dir(&self) -> EngineResult<&Path> {
        self.check_installed()?;
        Ok(self.bin_dir.as_deref().unwrap_or(Path::new("")))
    }

    /// The server process of `dir`: Milvus keeps its cwd there, so it is
    /// found by the pid file strato wrote or by its working directory.
    fn daemon(dir: &Path) -> Daemon<'_> {
        Daemon { dir, pid_file: Self::pid_file(dir), names: &["milvus"], by_args: false }
    }

    /// The process running in `dir`: the pid file strato wrote, or (after a
    /// crash between spawn and writing it) any process whose cwd is `dir`.
    fn find_pid(dir: &Path) -> Option<i32> {
        Self::daemon(dir).find_pid()
    }

    /// `GET /healthz` on the metrics port: "OK" once every component is up.
    fn healthy(port: u16) -> bool {
        super::probe::get_within(Ipv4Addr::LOCALHOST, port, "/healthz", Duration::from_millis(500))
            .is_some_and(|r| r.status == 200 && r.body.trim_end().ends_with("OK"))
    }

    fn log_tail(dir: &Path) -> String {
        let text = std::fs::read_to_string(dir.join("logs/stderr.log")).unwrap_or_default();
        let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
        lines[lines.len().saturating_sub(5)..].join(" | ")
    }

    fn check_ports_free(base: u16) -> EngineResult<()> {
        for offset in config::BOUND {
            let port = base + offset;
            if let Err(e @ EngineError::AddressInUse(..)) = super::check_address_free(Ipv4Addr::UNSPECIFIED, port) {
                return Err(e);
            }
        }
        Ok(())
    }

    /// Ensures the directory Milvus writes its own pid file to is writable
    /// by the engine user (Milvus exits if neither /run/milvus nor /tmp/milvus is).
    fn prepare_runtime_dir(&self) {
        if self.run_as.switch {
            use std::os::unix::fs::PermissionsExt;
            let dir = Path::new("/run/milvus");
            if std::fs::create_dir_all(dir).is_ok() {
                let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o1777));
            }
        }
    }

    async fn spawn(&self, layout: &ClusterLayout, node: &Node) -> EngineResult<()> {
        let dir = Self::node_dir(layout, node);
        let bin_dir = self.bin_dir()?.to_path_buf();
        Self::check_ports_free(node.port)?;
        self.prepare_runtime_dir();
        let resources: Resources = std::fs::read_to_string(dir.join("configs").join(RESOURCES_FILE))
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .ok_or_else(|| EngineError::Failed(format!("node {} has no {RESOURCES_FILE}", node.ordinal)))?;
        let open_log = |name: &str| {
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(dir.join("logs").join(name))
                .map_err(EngineError::io(format!("opening logs/{name}")))
        };
        let (out, err) = (open_log("stdout.log")?, open_log("stderr.log")?);
        let alias = Self::alias(layout, node);
        let inst = Instance { dir: &dir, ip: node.address, base: node.port, alias: &alias, resources };
        let mut cmd = Command::new(bin_dir.join("milvus"));
        cmd.args(["run", "standalone", "-alias", &alias]).current_dir(&dir).env_clear();
        cmd.envs(config::environment(&inst, &bin_dir));
        self.run_as.apply(&mut cmd);
        no_core_dumps(&mut cmd);
        // Its own process group (set by `Daemon::spawn`): it outlives a crash of strato and is re-adopted.
        cmd.stdin(Stdio::null()).stdout(out).stderr(err);
        let metrics = node.port + config::METRICS;
        let healthy = || async move { tokio::task::spawn_blocking(move || Self::healthy(metrics)).await.unwrap_or(false) };
        match Self::daemon(&dir).spawn(cmd, self.start_timeout, healthy).await {
            Ok(_) => Ok(()),
            Err(StartFailure::Spawn(e)) => Err(EngineError::Io { context: "starting milvus".into(), source: e }),
            Err(StartFailure::Exited(status)) => Err(EngineError::Failed(format!(
                "milvus of node {} exited while starting ({status}): {}",
                node.ordinal,
                Self::log_tail(&dir)
            ))),
            Err(StartFailure::NotReady) => Err(EngineError::Failed(format!(
                "milvus of node {} was not healthy after {:?}: {}",
                node.ordinal,
                self.start_timeout,
                Self::log_tail(&dir)
            ))),
        }
    }

    async fn admin(&self, node: &Node, user: &str, password: &str) -> EngineResult<MilvusAdmin> {
        let addr = SocketAddr::from((node.address, node.port + config::PROXY));
        MilvusAdmin::connect(addr, user, password).await.map_err(|e| EngineError::Failed(format!("milvus admin API: {e}")))
    }
}

/// Milvus ends every graceful stop with SIGABRT; without this each stop
/// could write a core file.
fn no_core_dumps(cmd: &mut Command) {
    // SAFETY: setrlimit(2) is async-signal-safe.
    unsafe {
        cmd.pre_exec(|| {
            nix::sys::resource::setrlimit(nix::sys::resource::Resource::RLIMIT_CORE, 0, 0).map_err(std::io::Error::from)
        });
    }
}

fn rpc_failed(e: rpc::RpcError) -> EngineError {
    EngineError::Failed(format!("milvus admin API: {e}"))
}

#[async_trait]
impl Engine for MilvusEngine {
    fn kind(&self) -> EngineKind {
        EngineKind::Milvus
    }

    fn binding(&self) -> String {
        format!("built-in {}", self.bin_dir.as_deref().map(|d| d.display().to_string()).unwrap_or_else(|| "(no binary found)".into()))
    }

    fn version(&self) -> Option<String> {
        self.check_installed().ok().map(|_| VERSION.to_string())
    }

    fn check_installed(&self) -> EngineResult<()> {
        match &self.bin_dir {
            Some(d) if d.join("milvus").exists() => Ok(()),
            _ => Err(EngineError::NotInstalled(format!(
                "Milvus {VERSION} was not found: run `scripts/install-milvus` (it downloads the PyPI wheel \
                 milvus=={VERSION} and unpacks its server binary into {}) or point --milvus-bin-dir at a directory \
                 holding `milvus` and its libraries",
                default_bin_dirs()[0].display()
            ))),
        }
    }

    fn layout(&self, cluster_id: Uuid) -> ClusterLayout {
        ClusterLayout::under(&self.data_dir, cluster_id)
    }

    fn port_needs(&self, _spec: &ClusterSpec) -> PortNeeds {
        PortNeeds::MachineBlock(config::BLOCK)
    }

    async fn init_primary(&self, layout: &ClusterLayout, node: &Node, spec: &ClusterSpec) -> EngineResult<()> {
        self.check_installed()?;
        let dir = Self::node_dir(layout, node);
        if !dir.join("configs/milvus.yaml").exists() {
            std::fs::create_dir_all(&layout.cluster_dir).map_err(EngineError::io("creating the cluster directory"))?;
            let tmp = layout.cluster_dir.join(format!("node-{}.tmp", node.ordinal));
            let _ = std::fs::remove_dir_all(&tmp);
            self.make_dir(&tmp)?;
            let alias = Self::alias(layout, node);
            // Paths inside the files name the final directory, not the temporary one.
            let inst = self.instance(&dir, node, &alias, spec)?;
            self.write_config(&tmp, &inst)?;
            std::fs::rename(&tmp, &dir).map_err(EngineError::io("installing the node directory"))?;
        }
        self.start_node(layout, node).await
    }

    async fn create_admin(&self, layout: &ClusterLayout, primary: &Node, cluster: &Cluster, _job: &JobPayload) -> EngineResult<()> {
        let _ = layout;
        let root_password = self.secrets.engine_root_password(cluster.id);
        // Idempotent: a retried step finds root already secured.
        let root = self.admin(primary, ROOT_USER, &root_password).await?;
        if !root.authenticated().await.map_err(rpc_failed)? {
            let initial = self.admin(primary, ROOT_USER, ROOT_INITIAL_PASSWORD).await?;
            initial.update_password(ROOT_USER, ROOT_INITIAL_PASSWORD, &root_password).await.map_err(rpc_failed)?;
        }
        let root = self.admin(primary, ROOT_USER, &root_password).await?;
        root.create_user(ADMIN_USER, &self.secrets.cluster_password(cluster.id)).await.map_err(rpc_failed)?;
        root.grant_role(ADMIN_USER, "admin").await.map_err(rpc_failed)
    }

    async fn start_node(&self, layout: &ClusterLayout, node: &Node) -> EngineResult<()> {
        let dir = Self::node_dir(layout, node);
        if Self::daemon(&dir).adopt().is_some() {
            // Adopt the running process (recording it if a crash left it unrecorded); wait until it serves.
            return self.wait_replication(layout, node, 0).await;
        }
        if !dir.join("configs/milvus.yaml").exists() {
            return Err(EngineError::Failed(format!("node {} has no configuration", node.ordinal)));
        }
        self.spawn(layout, node).await
    }

    async fn stop_node(&self, layout: &ClusterLayout, node: &Node) -> EngineResult<()> {
        let dir = Self::node_dir(layout, node);
        if let Some(pid) = Self::find_pid(&dir) {
            // SIGTERM is a graceful stop (it ends with SIGABRT, which is normal for 2.3.5).
            terminate(pid, &dir, Signal::SIGTERM, Duration::from_secs(30)).await;
        }
        let _ = std::fs::remove_file(Self::pid_file(&dir));
        Ok(())
    }

    async fn wait_replication(&self, layout: &ClusterLayout, primary: &Node, _standbys: usize) -> EngineResult<()> {
        let deadline = tokio::time::Instant::now() + self.start_timeout;
        loop {
            match self.observe(layout, primary) {
                NodeHealth::Ready => return Ok(()),
                NodeHealth::Down => return Err(EngineError::Failed(format!("milvus of node {} is not running", primary.ordinal))),
                NodeHealth::Starting | NodeHealth::Unknown if tokio::time::Instant::now() >= deadline => {
                    return Err(EngineError::Failed(format!("milvus of node {} did not become healthy", primary.ordinal)))
                }
                // Unknown: strato could not look this time; look again.
                NodeHealth::Starting | NodeHealth::Unknown => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
    }

    async fn remove_files(&self, layout: &ClusterLayout) -> EngineResult<()> {
        // Milvus's own pid files (left behind when a process was killed).
        let prefix = format!("standalone-strato-{}-", layout.cluster_key);
        for dir in ["/run/milvus", "/tmp/milvus"] {
            for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                if e.file_name().to_string_lossy().starts_with(&prefix) {
                    let _ = std::fs::remove_file(e.path());
                }
            }
        }
        super::remove_dir_all(&layout.cluster_dir).await
    }

    async fn reconfigure(&self, layout: &ClusterLayout, nodes: &[Node], spec: &ClusterSpec) -> EngineResult<()> {
        for node in nodes {
            let dir = Self::node_dir(layout, node);
            let alias = Self::alias(layout, node);
            let inst = self.instance(&dir, node, &alias, spec)?;
            self.write_config(&dir, &inst)?;
        }
        Ok(())
    }

    fn observe(&self, layout: &ClusterLayout, node: &Node) -> NodeHealth {
        match Self::daemon(&Self::node_dir(layout, node)).look() {
            Err(_) => NodeHealth::Unknown,
            Ok(None) => NodeHealth::Down,
            Ok(Some(_)) if Self::healthy(node.port + config::METRICS) => NodeHealth::Ready,
            Ok(Some(_)) => NodeHealth::Starting,
        }
    }

    fn pid(&self, layout: &ClusterLayout, node: &Node) -> Option<i32> {
        Self::find_pid(&Self::node_dir(layout, node))
    }
}
