//! The engine behind search and log clusters (Huawei CSS, Alibaba
//! Elasticsearch and Logstash): N equal member processes, each on its own
//! loopback address and the cluster's one port.
//!
//! What runs is bound per datastore by configuration, `--datastore-engine
//! KIND=DRIVER:PATH`, and each driver is a small `Launcher`:
//!
//! | driver | PATH | a member is | ready | formed |
//! |---|---|---|---|---|
//! | `opensearch` | distribution home | `bin/opensearch`, own config dir | `GET /_cluster/health` 200 | primary's `number_of_nodes` ≥ members |
//! | `elasticsearch` | distribution home | `bin/elasticsearch`, own config dir | same | same |
//! | `logstash` | distribution home | `bin/logstash --path.settings DIR` | `GET /` (node API) 200 | every member ready |
//! | `osmem` | `osmem-server` binary | an in-memory OpenSearch imitation | `GET /_cluster/health` 200 | every member ready |
//! | `syslog-ng` | `syslog-ng` binary | a syslog-ng daemon with a TCP source | TCP connect | every member ready |
//!
//! Files: `<data>/clusters/<id>/node-<n>/` is a member's directory (its
//! configuration, data, `logs/stdout.log`, `logs/stderr.log`, the pid file
//! `strato.pid` strato writes, and `strato-member.json`, which records the
//! member and marks the directory complete). A directory appears only by
//! renaming a complete `node-<n>.tmp` into place, so every step can be re-run
//! after a kill -9 of strato; a member that still runs is adopted by its pid
//! file or, failing that, by a /proc scan (`process::Daemon`).

mod distro;
mod elasticsearch;
mod logstash;
mod opensearch;
mod osmem;
mod syslog_ng;

#[cfg(test)]
mod live_tests;

use std::ffi::OsString;
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use nix::sys::signal::Signal;
use serde::{Deserialize, Serialize};
use tokio::process::Command;
use uuid::Uuid;

use super::process::{Daemon, RunAs, StartFailure};
use super::{ClusterLayout, Engine, EngineError, EngineResult, PortNeeds, Replicas};
use crate::core::cluster::{Cluster, ClusterSpec, EngineKind, Node};
use crate::core::job::JobPayload;
use crate::core::status::NodeHealth;

pub use self::logstash::Logstash;
pub use self::osmem::Osmem;
pub use self::syslog_ng::SyslogNg;

/// Records the member; its presence marks a member directory complete.
pub const MEMBER_FILE: &str = "strato-member.json";
/// The pid file strato writes for each member.
pub const PID_FILE: &str = "strato.pid";
/// How long `wait_replication` waits for the members to form one service.
const FORMATION_TIMEOUT: Duration = Duration::from_secs(120);

/// The port a datastore's members listen on unless told otherwise:
/// Elasticsearch and OpenSearch HTTP 9200, the Logstash node API 9600 (for
/// syslog-ng, which stands in for Logstash, its syslog TCP port).
pub fn default_port(kind: EngineKind) -> u16 {
    match kind {
        EngineKind::Logstash => 9600,
        _ => 9200,
    }
}

/// Builds the engine for `kind` from a binding `DRIVER:PATH`.
pub fn from_binding(kind: EngineKind, binding: &str, data_dir: PathBuf, run_as: RunAs) -> Result<Arc<dyn Engine>, String> {
    let launcher = launcher(kind, binding)?;
    Ok(Arc::new(ServiceEngine::new(kind, launcher, data_dir, run_as)))
}

/// Where `scripts/install-search-engines` puts the stand-ins, as bindings
/// (`KIND=DRIVER:PATH`) for every search and log datastore, if they are there:
/// what a server given no `--datastore-engine` runs.
pub fn installed_stand_ins() -> Vec<String> {
    let home = std::env::var("HOME").unwrap_or_default();
    let osmem = ["/usr/local/lib/strato/osmem-server/osmem_server/bin/osmem-server".to_string(), format!("{home}/.local/lib/strato/osmem-server/osmem_server/bin/osmem-server")]
        .into_iter()
        .find(|p| std::path::Path::new(p).is_file());
    let syslog = Some("/usr/sbin/syslog-ng").filter(|p| std::path::Path::new(p).is_file());
    let mut out = Vec::new();
    if let Some(o) = osmem {
        out.push(format!("elasticsearch=osmem:{o}"));
        out.push(format!("opensearch=osmem:{o}"));
    }
    if let Some(s) = syslog {
        out.push(format!("logstash=syslog-ng:{s}"));
    }
    out
}

/// Whether a binding's driver is a stand-in (not a real distribution).
pub fn is_stand_in(binding: &str) -> bool {
    let driver = binding.split_once('=').map(|(_, d)| d).unwrap_or(binding);
    ["osmem:", "syslog-ng:"].iter().any(|s| driver.trim_start().starts_with(s))
}

/// The drivers a datastore kind may be bound to.
pub fn drivers(kind: EngineKind) -> &'static [&'static str] {
    match kind {
        EngineKind::Elasticsearch | EngineKind::Opensearch => &["opensearch", "elasticsearch", "osmem"],
        EngineKind::Logstash => &["logstash", "syslog-ng"],
        EngineKind::Postgres | EngineKind::Milvus => &[],
    }
}

/// Parses `DRIVER:PATH` into the driver's launcher, checking the driver
/// suits `kind` (search datastores run search engines, Logstash log pipelines).
pub fn launcher(kind: EngineKind, binding: &str) -> Result<Arc<dyn Launcher>, String> {
    let k = kind.as_str();
    let allowed = drivers(kind);
    if allowed.is_empty() {
        return Err(format!("the {k} engine is built in and cannot be bound with --datastore-engine"));
    }
    let (driver, path) = binding.split_once(':').ok_or_else(|| {
        format!("`{binding}` is not a binding: write {k}=DRIVER:PATH with DRIVER one of {}", allowed.join(", "))
    })?;
    let driver = driver.trim().to_ascii_lowercase();
    let path = path.trim();
    if path.is_empty() {
        return Err(format!("the binding `{binding}` names no path: write {k}={driver}:PATH"));
    }
    if !allowed.contains(&driver.as_str()) {
        return Err(format!(
            "the {k} datastore cannot run on the `{driver}` driver; choose one of {}",
            allowed.join(", ")
        ));
    }
    // Members run in their own directories: a relative path means one relative to strato's.
    let path = std::path::absolute(path).map_err(|e| format!("the binding `{binding}`: {e}"))?;
    Ok(match driver.as_str() {
        "opensearch" => Arc::new(opensearch::distribution(path)),
        "elasticsearch" => Arc::new(elasticsearch::distribution(path)),
        "logstash" => Arc::new(Logstash::new(path)),
        "osmem" => Arc::new(Osmem::new(path)),
        "syslog-ng" => Arc::new(SyslogNg::new(path)),
        other => unreachable!("driver {other} is allowed but unknown"),
    })
}

/// One member process as the drivers see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub ordinal: u32,
    /// `strato-<cluster key>`: the name members of one cluster share.
    pub cluster: String,
    /// `strato-<cluster key>-<ordinal>`.
    pub name: String,
    pub address: Ipv4Addr,
    pub port: u16,
    /// Its directory (final path, also while its files are staged elsewhere).
    pub dir: PathBuf,
}

impl Member {
    /// A port `offset` above the member's port (transport, pipeline input).
    pub fn port_plus(&self, offset: u16) -> Option<u16> {
        self.port.checked_add(offset)
    }
}

/// What a member being laid out knows of its cluster.
#[derive(Debug, Clone, Default)]
pub struct Peers {
    /// Members the cluster will have.
    pub count: u32,
    /// Members laid out before this one (the primary first).
    pub known: Vec<Member>,
    /// What the cluster's spec configures every member with.
    pub settings: MemberSettings,
}

/// The part of a member's configuration its cluster's spec decides (a
/// flavor change or new engine settings rewrite it).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemberSettings {
    /// The flavor (spec code) the member runs as, shown as a node attribute.
    pub flavor: String,
    /// Engine settings (validated keys and values), in key order.
    pub engine: std::collections::BTreeMap<String, String>,
    /// The deployed Logstash pipelines (a log datastore's drivers run them).
    pub pipelines: Vec<crate::core::pipeline::Pipeline>,
    /// The dedicated master, client and cold members (every other is a data member).
    pub dedicated: Vec<crate::core::roles::DedicatedRole>,
}

impl MemberSettings {
    pub fn of(spec: &crate::core::search::SearchSpec) -> MemberSettings {
        let pipelines = spec.pipelines.iter().filter(|p| p.deployed).cloned().collect();
        MemberSettings { flavor: spec.flavor.clone(), engine: spec.engine_settings.clone(), pipelines, dedicated: spec.dedicated.clone() }
    }

    /// The role of member `ordinal`.
    pub fn role(&self, ordinal: u32) -> crate::core::roles::MemberRole {
        crate::core::roles::role_of(&self.dedicated, ordinal)
    }

    /// The flavor member `ordinal` runs as: its role's.
    pub fn flavor_of(&self, ordinal: u32) -> &str {
        self.dedicated.iter().find(|d| d.members.contains(&ordinal)).map_or(self.flavor.as_str(), |d| d.flavor.as_str())
    }
}

/// How to start a member: the driver's program, its arguments, and the
/// environment it needs on top of a minimal base (PATH, HOME = member dir, LANG).
#[derive(Debug, Clone, Default)]
pub struct Launch {
    pub program: PathBuf,
    pub args: Vec<OsString>,
    pub env: Vec<(String, String)>,
}

/// What differs per driver. Probes are blocking and bounded (short timeouts);
/// the engine runs them off the async threads while it waits.
pub trait Launcher: Send + Sync + 'static {
    /// The driver's name in a binding (`opensearch`, `osmem`, ...).
    fn driver(&self) -> &'static str;
    /// The path from the binding (a distribution home or a binary).
    fn path(&self) -> &Path;
    /// The file that must exist for the driver to be installed.
    fn program(&self) -> PathBuf;
    /// How to install what `program` is missing.
    fn install_hint(&self) -> String;
    /// `comm` names a member process may have (for the /proc scan).
    fn process_names(&self) -> &'static [&'static str];
    /// How long a member may take to answer after it was spawned.
    fn start_timeout(&self) -> Duration {
        Duration::from_secs(30)
    }
    /// Ports the member binds on its address besides `member.port`.
    fn extra_ports(&self, member: &Member) -> Vec<u16> {
        let _ = member;
        Vec::new()
    }
    /// Writes the member's configuration files into `into`: a staging
    /// directory renamed to `member.dir` once complete (paths inside name
    /// `member.dir`), or, for a reconfiguration, the stopped member's own
    /// directory (so nothing here may touch its data).
    fn write_files(&self, into: &Path, member: &Member, peers: &Peers) -> std::io::Result<()>;
    fn command(&self, member: &Member) -> Launch;
    /// The process answers at all: enough to finish starting it (a search
    /// node answers before its cluster has elected a manager).
    fn serving(&self, member: &Member) -> bool {
        self.ready(member)
    }
    /// The member serves its clients.
    fn ready(&self, member: &Member) -> bool;
    /// The program's version, when it says (asked once).
    fn version(&self) -> Option<String> {
        None
    }
    /// Whether the members run the Logstash pipelines they are given.
    fn runs_pipelines(&self) -> bool {
        false
    }
    /// All `members` (the primary first) form one service.
    fn formed(&self, members: &[Member]) -> bool {
        members.iter().all(|m| self.ready(m))
    }
}

pub struct ServiceEngine {
    kind: EngineKind,
    launcher: Arc<dyn Launcher>,
    data_dir: PathBuf,
    run_as: RunAs,
    start_timeout: Duration,
    version: std::sync::OnceLock<Option<String>>,
}

impl ServiceEngine {
    pub fn new(kind: EngineKind, launcher: Arc<dyn Launcher>, data_dir: PathBuf, run_as: RunAs) -> ServiceEngine {
        let start_timeout = launcher.start_timeout();
        ServiceEngine { kind, launcher, data_dir, run_as, start_timeout, version: std::sync::OnceLock::new() }
    }

    pub fn launcher(&self) -> &dyn Launcher {
        self.launcher.as_ref()
    }

    fn node_dir(layout: &ClusterLayout, ordinal: u32) -> PathBuf {
        layout.node_dir(ordinal)
    }

    pub fn member(layout: &ClusterLayout, node: &Node) -> Member {
        Member {
            ordinal: node.ordinal,
            cluster: format!("strato-{}", layout.cluster_key),
            name: format!("strato-{}-{}", layout.cluster_key, node.ordinal),
            address: node.address,
            port: node.port,
            dir: Self::node_dir(layout, node.ordinal),
        }
    }

    /// Every member laid out so far, by ordinal.
    fn members(layout: &ClusterLayout) -> Vec<Member> {
        let mut found: Vec<Member> = std::fs::read_dir(&layout.cluster_dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| {
                let name = e.file_name().to_str()?.to_string();
                let ordinal = name.strip_prefix("node-")?.parse::<u32>().ok()?;
                let text = std::fs::read_to_string(e.path().join(MEMBER_FILE)).ok()?;
                let m: Member = serde_json::from_str(&text).ok()?;
                // Where it is now, whatever was recorded.
                Some(Member { dir: Self::node_dir(layout, ordinal), ordinal, ..m })
            })
            .collect();
        found.sort_by_key(|m| m.ordinal);
        found
    }

    fn daemon<'a>(&self, member: &'a Member) -> Daemon<'a> {
        Daemon {
            dir: &member.dir,
            pid_file: member.dir.join(PID_FILE),
            names: self.launcher.process_names(),
            // Launch scripts of the distributions cd into their home.
            by_args: true,
        }
    }

    fn binding(&self) -> String {
        format!("--datastore-engine {}={}:{}", self.kind.as_str(), self.launcher.driver(), self.launcher.path().display())
    }

    /// Runs a blocking probe of the launcher off the async threads.
    async fn probe<T: Send + 'static>(&self, f: impl FnOnce(&dyn Launcher) -> T + Send + 'static) -> T {
        let launcher = self.launcher.clone();
        tokio::task::spawn_blocking(move || f(launcher.as_ref())).await.expect("probe panicked")
    }

    fn make_dir(&self, path: &Path) -> EngineResult<()> {
        use std::os::unix::fs::PermissionsExt;
        std::fs::create_dir_all(path).map_err(EngineError::io(format!("creating {}", path.display())))?;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o700))
            .map_err(EngineError::io(format!("chmod {}", path.display())))?;
        self.run_as.chown(path).map_err(EngineError::io(format!("chown {}", path.display())))
    }

    /// Gives the engine user everything below `path`.
    fn chown_tree(&self, path: &Path) -> std::io::Result<()> {
        if !self.run_as.switch {
            return Ok(());
        }
        std::os::unix::fs::lchown(path, Some(self.run_as.uid), Some(self.run_as.gid))?;
        if std::fs::symlink_metadata(path)?.is_dir() {
            for e in std::fs::read_dir(path)? {
                self.chown_tree(&e?.path())?;
            }
        }
        Ok(())
    }

    /// Lays out a member's directory unless it is complete.
    async fn lay_out(&self, layout: &ClusterLayout, member: &Member, peers: Peers) -> EngineResult<()> {
        if member.dir.join(MEMBER_FILE).exists() {
            return Ok(());
        }
        self.check_installed()?;
        self.make_dir(&layout.cluster_dir)?;
        // A directory without its record is left over from something else: start over.
        for stale in [member.dir.clone(), member.dir.with_extension("tmp")] {
            super::remove_dir_all(&stale).await?;
        }
        let tmp = member.dir.with_extension("tmp");
        self.make_dir(&tmp)?;
        let launcher = self.launcher.clone();
        let (staging, m) = (tmp.clone(), member.clone());
        tokio::task::spawn_blocking(move || -> std::io::Result<()> {
            std::fs::create_dir_all(staging.join("logs"))?;
            launcher.write_files(&staging, &m, &peers)?;
            let record = serde_json::to_string_pretty(&m).map_err(std::io::Error::other)?;
            std::fs::write(staging.join(MEMBER_FILE), record)
        })
        .await
        .expect("layout panicked")
        .map_err(EngineError::io(format!("writing the files of node {}", member.ordinal)))?;
        self.chown_tree(&tmp).map_err(EngineError::io(format!("chown {}", tmp.display())))?;
        tokio::fs::rename(&tmp, &member.dir).await.map_err(EngineError::io(format!("installing {}", member.dir.display())))
    }

    /// Refuses to start a member whose address and port some other process holds.
    /// The last lines the member wrote (stderr first, then stdout).
    fn log_tail(member: &Member) -> String {
        for name in ["stderr.log", "stdout.log"] {
            let text = std::fs::read_to_string(member.dir.join("logs").join(name)).unwrap_or_default();
            let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
            if !lines.is_empty() {
                return lines[lines.len().saturating_sub(5)..].join(" | ");
            }
        }
        "(no output)".into()
    }

    async fn spawn(&self, member: &Member) -> EngineResult<()> {
        self.check_installed()?;
        let n = member.ordinal;
        let driver = self.launcher.driver();
        for port in std::iter::once(member.port).chain(self.launcher.extra_ports(member)) {
            super::check_address_free(member.address, port)?;
        }
        let logs = member.dir.join("logs");
        self.make_dir(&logs)?;
        let open_log = |name: &str| {
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(logs.join(name))
                .map_err(EngineError::io(format!("opening logs/{name}")))
        };
        let (out, err) = (open_log("stdout.log")?, open_log("stderr.log")?);
        let launch = self.launcher.command(member);
        let mut cmd = Command::new(&launch.program);
        cmd.args(&launch.args).current_dir(&member.dir).env_clear();
        cmd.env("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
            .env("HOME", &member.dir)
            .env("LANG", "C.UTF-8")
            .envs(launch.env.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        self.run_as.apply(&mut cmd);
        cmd.stdin(Stdio::null()).stdout(out).stderr(err);
        let launcher = self.launcher.clone();
        let probe_member = member.clone();
        let serving = move || {
            let (l, m) = (launcher.clone(), probe_member.clone());
            async move { tokio::task::spawn_blocking(move || l.serving(&m)).await.unwrap_or(false) }
        };
        match self.daemon(member).spawn(cmd, self.start_timeout, serving).await {
            Ok(_) => Ok(()),
            Err(StartFailure::Spawn(e)) => {
                let hint = if e.kind() == std::io::ErrorKind::PermissionDenied && self.run_as.switch {
                    format!(
                        " (the engine user `{}` must be able to reach and execute it: install it outside \
                         private directories such as /root)",
                        self.run_as.name
                    )
                } else {
                    String::new()
                };
                Err(EngineError::Io { context: format!("starting {}{hint}", launch.program.display()), source: e })
            }
            Err(StartFailure::Exited(status)) => Err(EngineError::Failed(format!(
                "{driver} of node {n} exited while starting ({status}): {}",
                Self::log_tail(member)
            ))),
            Err(StartFailure::NotReady) => Err(EngineError::Failed(format!(
                "{driver} of node {n} did not answer on {}:{} after {:?}: {}",
                member.address,
                member.port,
                self.start_timeout,
                Self::log_tail(member)
            ))),
        }
    }
}

#[async_trait]
impl Engine for ServiceEngine {
    fn kind(&self) -> EngineKind {
        self.kind
    }

    fn binding(&self) -> String {
        format!("{}:{}", self.launcher.driver(), self.launcher.path().display())
    }

    fn version(&self) -> Option<String> {
        self.version.get_or_init(|| self.launcher.version()).clone()
    }

    fn check_installed(&self) -> EngineResult<()> {
        let program = self.launcher.program();
        if program.is_file() {
            return Ok(());
        }
        Err(EngineError::NotInstalled(format!(
            "the {} datastore is bound to `{}`, but {} does not exist: {}",
            self.kind.as_str(),
            self.binding(),
            program.display(),
            self.launcher.install_hint()
        )))
    }

    fn layout(&self, cluster_id: Uuid) -> ClusterLayout {
        ClusterLayout::under(&self.data_dir, cluster_id)
    }

    fn port_needs(&self, _spec: &ClusterSpec) -> PortNeeds {
        PortNeeds::PerAddress(default_port(self.kind))
    }

    fn replicas(&self) -> Option<&dyn Replicas> {
        Some(self)
    }

    async fn init_primary(&self, layout: &ClusterLayout, node: &Node, spec: &ClusterSpec) -> EngineResult<()> {
        let search = spec.search().ok_or_else(|| {
            EngineError::Unsupported(format!("the {} engine runs search and log clusters only", self.kind.as_str()))
        })?;
        let member = Self::member(layout, node);
        self.lay_out(layout, &member, Peers { count: search.member_count(), known: Vec::new(), settings: MemberSettings::of(search) }).await?;
        self.start_node(layout, node).await
    }

    /// Nothing to create: these clusters have no administrator of their own
    /// here (the security plugins are disabled; access is by address).
    async fn create_admin(&self, _: &ClusterLayout, _: &Node, _: &Cluster, _: &JobPayload) -> EngineResult<()> {
        Ok(())
    }

    async fn start_node(&self, layout: &ClusterLayout, node: &Node) -> EngineResult<()> {
        let member = Self::member(layout, node);
        if !member.dir.join(MEMBER_FILE).exists() {
            return Err(EngineError::Failed(format!("node {} has no files", node.ordinal)));
        }
        // Adopt a running process: wait until it answers (or spawn anew if it dies meanwhile).
        let deadline = tokio::time::Instant::now() + self.start_timeout;
        while self.daemon(&member).adopt().is_some() {
            let m = member.clone();
            if self.probe(move |l| l.serving(&m)).await {
                return Ok(());
            }
            if tokio::time::Instant::now() >= deadline {
                return Err(EngineError::Failed(format!(
                    "{} of node {} runs but did not answer after {:?}: {}",
                    self.launcher.driver(),
                    node.ordinal,
                    self.start_timeout,
                    Self::log_tail(&member)
                )));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        self.spawn(&member).await
    }

    async fn stop_node(&self, layout: &ClusterLayout, node: &Node) -> EngineResult<()> {
        let member = Self::member(layout, node);
        let daemon = self.daemon(&member);
        // A few rounds: a stray second process of the directory goes too.
        for _ in 0..3 {
            let Some(pid) = daemon.find_pid() else { break };
            daemon.stop(pid, Signal::SIGTERM, Duration::from_secs(30)).await;
        }
        let _ = std::fs::remove_file(&daemon.pid_file);
        Ok(())
    }

    /// Waits until every member with a live process (at least the primary
    /// and `standbys` others) forms one service, as the driver judges it.
    async fn wait_replication(&self, layout: &ClusterLayout, primary: &Node, standbys: usize) -> EngineResult<()> {
        let deadline = tokio::time::Instant::now() + FORMATION_TIMEOUT;
        let primary = Self::member(layout, primary);
        loop {
            if self.daemon(&primary).find_pid().is_none() {
                return Err(EngineError::Failed(format!("{} of node 0 is not running", self.launcher.driver())));
            }
            let mut live: Vec<Member> = Self::members(layout)
                .into_iter()
                .filter(|m| m.ordinal != primary.ordinal && self.daemon(m).find_pid().is_some())
                .collect();
            live.insert(0, primary.clone());
            let want = live.len().max(standbys + 1);
            let enough = live.len() >= want;
            let members = live.clone();
            if enough && self.probe(move |l| l.formed(&members)).await {
                return Ok(());
            }
            if tokio::time::Instant::now() >= deadline {
                return Err(EngineError::Failed(format!(
                    "the {} members did not form one service within {:?} ({} of {want} members run): {}",
                    self.launcher.driver(),
                    FORMATION_TIMEOUT,
                    live.len(),
                    Self::log_tail(&primary)
                )));
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    async fn remove_node_files(&self, layout: &ClusterLayout, node: &Node) -> EngineResult<()> {
        let dir = Self::node_dir(layout, node.ordinal);
        super::remove_dir_all(&dir).await
    }

    async fn remove_files(&self, layout: &ClusterLayout) -> EngineResult<()> {
        super::remove_dir_all(&layout.cluster_dir).await
    }

    /// Rewrites the stopped members' configuration files in place for the
    /// spec (their data stays); each knows every other member as a peer.
    async fn reconfigure(&self, layout: &ClusterLayout, nodes: &[Node], spec: &ClusterSpec) -> EngineResult<()> {
        let search = spec.search().ok_or_else(|| {
            EngineError::Unsupported(format!("the {} engine runs search and log clusters only", self.kind.as_str()))
        })?;
        let all = Self::members(layout);
        for node in nodes {
            let member = Self::member(layout, node);
            if !member.dir.join(MEMBER_FILE).exists() {
                return Err(EngineError::Failed(format!("node {} has no files", node.ordinal)));
            }
            let known = all.iter().filter(|m| m.ordinal != member.ordinal).cloned().collect();
            let peers = Peers { count: search.member_count(), known, settings: MemberSettings::of(search) };
            let (launcher, m) = (self.launcher.clone(), member.clone());
            tokio::task::spawn_blocking(move || launcher.write_files(&m.dir, &m, &peers))
                .await
                .expect("rewrite panicked")
                .map_err(EngineError::io(format!("rewriting the configuration of node {}", node.ordinal)))?;
            self.chown_tree(&member.dir).map_err(EngineError::io(format!("chown {}", member.dir.display())))?;
        }
        Ok(())
    }

    fn runs_pipelines(&self) -> bool {
        self.launcher.runs_pipelines()
    }

    fn observe(&self, layout: &ClusterLayout, node: &Node) -> NodeHealth {
        let member = Self::member(layout, node);
        match self.daemon(&member).look() {
            Err(_) => NodeHealth::Unknown,
            Ok(None) => NodeHealth::Down,
            Ok(Some(_)) if self.launcher.ready(&member) => NodeHealth::Ready,
            Ok(Some(_)) => NodeHealth::Starting,
        }
    }

    fn pid(&self, layout: &ClusterLayout, node: &Node) -> Option<i32> {
        self.daemon(&Self::member(layout, node)).find_pid()
    }
}

#[async_trait]
impl Replicas for ServiceEngine {
    /// Another member joining: laid out knowing the members before it, then started.
    async fn init_standby(&self, layout: &ClusterLayout, primary: &Node, standby: &Node, spec: &ClusterSpec)
        -> EngineResult<()> {
        let search = spec.search().ok_or_else(|| {
            EngineError::Unsupported(format!("the {} engine runs search and log clusters only", self.kind.as_str()))
        })?;
        let member = Self::member(layout, standby);
        let mut known: Vec<Member> = Self::members(layout).into_iter().filter(|m| m.ordinal != standby.ordinal).collect();
        if !known.iter().any(|m| m.ordinal == primary.ordinal) {
            known.insert(0, Self::member(layout, primary));
        }
        self.lay_out(layout, &member, Peers { count: search.member_count(), known, settings: MemberSettings::of(search) }).await?;
        self.start_node(layout, standby).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bindings_name_a_driver_that_suits_the_datastore() {
        for (kind, binding, driver, path) in [
            (EngineKind::Opensearch, "opensearch:/opt/opensearch-2.11.0", "opensearch", "/opt/opensearch-2.11.0"),
            (EngineKind::Elasticsearch, "elasticsearch:/opt/es", "elasticsearch", "/opt/es"),
            (EngineKind::Elasticsearch, "opensearch:/opt/os", "opensearch", "/opt/os"),
            (EngineKind::Opensearch, " OSMEM : /usr/local/bin/osmem-server ", "osmem", "/usr/local/bin/osmem-server"),
            (EngineKind::Logstash, "logstash:/opt/logstash-8.5.0", "logstash", "/opt/logstash-8.5.0"),
            (EngineKind::Logstash, "syslog-ng:/usr/sbin/syslog-ng", "syslog-ng", "/usr/sbin/syslog-ng"),
        ] {
            let l = launcher(kind, binding).unwrap_or_else(|e| panic!("{binding}: {e}"));
            assert_eq!((l.driver(), l.path()), (driver, Path::new(path)), "{binding}");
        }
        let relative = launcher(EngineKind::Opensearch, "osmem:bin/osmem-server").unwrap();
        assert_eq!(relative.path(), std::env::current_dir().unwrap().join("bin/osmem-server"));
        for (kind, binding, says) in [
            (EngineKind::Logstash, "osmem:/bin/osmem-server", "cannot run on the `osmem` driver"),
            (EngineKind::Opensearch, "syslog-ng:/usr/sbin/syslog-ng", "choose one of opensearch, elasticsearch, osmem"),
            (EngineKind::Opensearch, "/opt/opensearch", "is not a binding"),
            (EngineKind::Opensearch, "opensearch:", "names no path"),
            (EngineKind::Opensearch, "solr:/opt/solr", "cannot run on the `solr` driver"),
            (EngineKind::Postgres, "opensearch:/opt/os", "built in"),
        ] {
            let e = launcher(kind, binding).err().unwrap_or_else(|| panic!("{binding} was accepted"));
            assert!(e.contains(says), "{binding}: {e}");
        }
    }

    #[test]
    fn layout_ports_and_install_hints() {
        let run_as = RunAs::resolve("postgres").unwrap();
        let dir = tempfile::tempdir().unwrap();
        let engine = from_binding(EngineKind::Logstash, "syslog-ng:/nonexistent/syslog-ng", dir.path().into(), run_as.clone()).unwrap();
        let id = Uuid::parse_str("0123456789ab4def8123456789abcdef").unwrap();
        let layout = engine.layout(id);
        assert_eq!(layout.cluster_key, "0123456789ab");
        assert_eq!(layout.cluster_dir, dir.path().join("clusters").join(id.to_string()));
        assert_eq!(engine.kind(), EngineKind::Logstash);
        assert!(engine.replicas().is_some());
        let spec = ClusterSpec::Search(live_tests::spec(crate::core::search::Datastore::Logstash, 1));
        assert_eq!(engine.port_needs(&spec), PortNeeds::PerAddress(9600));
        let e = engine.check_installed().unwrap_err().to_string();
        assert!(e.contains("/nonexistent/syslog-ng") && e.contains("apt-get install syslog-ng-core"), "{e}");
        let os = from_binding(EngineKind::Opensearch, "opensearch:/nonexistent/os", dir.path().into(), run_as.clone()).unwrap();
        assert_eq!(os.port_needs(&spec), PortNeeds::PerAddress(9200));
        let e = os.check_installed().unwrap_err().to_string();
        assert!(e.contains("/nonexistent/os/bin/opensearch") && e.contains("tar.gz"), "{e}");
        let osmem = from_binding(EngineKind::Elasticsearch, "osmem:/nonexistent/osmem-server", dir.path().into(), run_as).unwrap();
        let e = osmem.check_installed().unwrap_err().to_string();
        assert!(e.contains("pip install") && e.contains("osmem-server"), "{e}");
    }

    #[test]
    fn members_are_named_by_cluster_key_and_ordinal() {
        let layout = ClusterLayout { cluster_dir: "/d/clusters/c".into(), run_dir: "/d/run".into(), cluster_key: "0123456789ab".into() };
        let node = Node { id: Uuid::nil(), cluster_id: Uuid::nil(), ordinal: 2, address: Ipv4Addr::new(127, 0, 9, 3), port: 9200 };
        let m = ServiceEngine::member(&layout, &node);
        assert_eq!(m.cluster, "strato-0123456789ab");
        assert_eq!(m.name, "strato-0123456789ab-2");
        assert_eq!(m.dir, PathBuf::from("/d/clusters/c/node-2"));
        assert_eq!(m.port_plus(100), Some(9300));
        assert_eq!(Member { port: 65500, ..m }.port_plus(100), None);
    }
}
