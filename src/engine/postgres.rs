//! The PostgreSQL engine: a cluster of N nodes is one primary and N-1
//! streaming hot standbys, each a real `postgres` server on its own loopback
//! address with the cluster's port.
//!
//! Files: `<data>/clusters/<id>/node-<n>/` is a node's data directory and
//! `node-<n>.log` its log; `<data>/run/<key>-<n>/` holds its Unix socket
//! (mode 0700, so only the engine user and root can use the trusted local
//! connections strato administers through). A clean template made once by
//! `initdb` is copied for every primary.
//!
//! Idempotency: a data directory appears only by renaming a complete one into
//! place, so a step interrupted half-way starts from scratch when re-run.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use async_trait::async_trait;
use nix::sys::signal::Signal;
use tokio::io::AsyncWriteExt;
use tokio::process::Command;
use tokio::sync::Mutex;
use uuid::Uuid;

use super::process::{alive_in, die_with_parent, kill_helpers_under, liveness_in, looked, terminate, HelperGroup, Liveness, RunAs};
use super::{dir_size, Admin, Backups, ClusterLayout, Engine, EngineError, EngineResult, PortNeeds, Replicas};
use crate::core::cluster::{Cluster, ClusterSpec, EngineKind, Node, WarehouseSpec};
use crate::core::job::JobPayload;
use crate::core::node_types;
use crate::core::parameters;
use crate::core::status::NodeHealth;

/// The superuser strato administers nodes as (over the Unix socket only).
const SUPERUSER: &str = "strato";
/// The helper that forks a child of its own (`-X stream`'s WAL receiver).
const BASEBACKUP: &[&str] = &["pg_basebackup"];

/// The database created for the administrator, as DWS clusters have.
pub const DEFAULT_DATABASE: &str = "gaussdb";

const PG_HBA: &str = "\
# Managed by strato. Local sockets sit in a 0700 directory of the engine user.
local   all             all                                     trust
local   replication     all                                     trust
host    all             all             127.0.0.0/8             scram-sha-256
host    all             all             ::1/128                 scram-sha-256
";

pub struct PostgresEngine {
    bin_dir: Option<PathBuf>,
    data_dir: PathBuf,
    run_as: RunAs,
    template_lock: Mutex<()>,
    start_timeout: Duration,
    /// `pg_basebackup --max-rate` for snapshots (e.g. "32M"), to spare a busy primary's disk.
    backup_max_rate: Option<String>,
    version: std::sync::OnceLock<Option<String>>,
}

/// Finds the PostgreSQL server binaries: an explicit directory, else the
/// newest `/usr/lib/postgresql/<v>/bin` that has `postgres` in it.
pub fn find_bin_dir(explicit: Option<&Path>) -> Option<PathBuf> {
    if let Some(dir) = explicit {
        return dir.join("postgres").exists().then(|| dir.to_path_buf());
    }
    let mut candidates: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let v = e.file_name().to_string_lossy().parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            bin.join("postgres").exists().then_some((v, bin))
        })
        .collect();
    candidates.sort();
    candidates.pop().map(|(_, p)| p)
}

impl PostgresEngine {
    pub fn new(bin_dir: Option<PathBuf>, data_dir: PathBuf, run_as: RunAs, backup_max_rate: Option<String>) -> Self {
        PostgresEngine {
            bin_dir,
            data_dir,
            run_as,
            template_lock: Mutex::new(()),
            start_timeout: Duration::from_secs(60),
            backup_max_rate,
            version: std::sync::OnceLock::new(),
        }
    }

    fn bin(&self, name: &str) -> EngineResult<PathBuf> {
        self.check_installed()?;
        Ok(self.bin_dir.as_ref().map(|d| d.join(name)).unwrap_or_default())
    }

    fn template_dir(&self) -> PathBuf {
        self.data_dir.join("engine").join("pg-template")
    }

    fn node_dir(layout: &ClusterLayout, node: &Node) -> PathBuf {
        layout.node_dir(node.ordinal)
    }

    fn socket_dir(layout: &ClusterLayout, node: &Node) -> PathBuf {
        layout.run_dir.join(format!("{}-{}", layout.cluster_key, node.ordinal))
    }

    fn log_file(layout: &ClusterLayout, node: &Node) -> PathBuf {
        layout.cluster_dir.join(format!("node-{}.log", node.ordinal))
    }

    /// Runs a command as the engine user, failing with its stderr.
    async fn run(&self, mut cmd: Command, what: &str) -> EngineResult<String> {
        self.run_as.apply(&mut cmd);
        die_with_parent(&mut cmd);
        cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).kill_on_drop(true);
        let out = cmd.output().await.map_err(EngineError::io(format!("running {what}")))?;
        if !out.status.success() {
            return Err(EngineError::Failed(format!(
                "{what} failed ({}): {}",
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            )));
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// Runs `pg_basebackup` (a command from `basebackup`) to completion: in its own
    /// process group, so that its WAL-streaming child is stopped with it whatever
    /// ends the step, after any copy a crashed strato left writing into `dest` is stopped.
    async fn run_basebackup(&self, mut cmd: Command, dest: &Path) -> EngineResult<()> {
        kill_helpers_under(BASEBACKUP, dest).await;
        self.run_as.apply(&mut cmd);
        die_with_parent(&mut cmd);
        cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).kill_on_drop(true);
        let child = cmd.spawn().map_err(EngineError::io("running pg_basebackup"))?;
        let _group = HelperGroup::new(child.id(), BASEBACKUP);
        let out = child.wait_with_output().await.map_err(EngineError::io("waiting for pg_basebackup"))?;
        if !out.status.success() {
            return Err(EngineError::Failed(format!(
                "pg_basebackup failed ({}): {}",
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            )));
        }
        Ok(())
    }

    /// Creates a directory owned by the engine user with the given mode.
    fn make_dir(&self, path: &Path, mode: u32) -> EngineResult<()> {
        use std::os::unix::fs::PermissionsExt;
        std::fs::create_dir_all(path).map_err(EngineError::io(format!("creating {}", path.display())))?;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
            .map_err(EngineError::io(format!("chmod {}", path.display())))?;
        self.run_as.chown(path).map_err(EngineError::io(format!("chown {}", path.display())))
    }

    async fn remove_dir(path: &Path) -> EngineResult<()> {
        super::remove_dir_all(path).await
    }

    /// Makes the template once: initdb, our pg_hba.conf and an include of the
    /// per-node settings file.
    async fn ensure_template(&self) -> EngineResult<PathBuf> {
        let _guard = self.template_lock.lock().await;
        let template = self.template_dir();
        if template.join("PG_VERSION").exists() {
            return Ok(template);
        }
        let parent = template.parent().expect("template has a parent");
        self.make_dir(parent, 0o711)?;
        let tmp = parent.join("pg-template.tmp");
        Self::remove_dir(&tmp).await?;
        let mut cmd = Command::new(self.bin("initdb")?);
        cmd.arg("-D").arg(&tmp).args([
            "-U",
            SUPERUSER,
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-instructions",
        ]);
        self.run(cmd, "initdb").await?;
        let conf = tmp.join("postgresql.conf");
        let mut text = tokio::fs::read_to_string(&conf).await.map_err(EngineError::io("reading postgresql.conf"))?;
        text.push_str("\n# Per-node settings written by strato.\ninclude_if_exists = 'strato.conf'\n");
        self.write_as_engine(&conf, &text).await?;
        self.write_as_engine(&tmp.join("pg_hba.conf"), PG_HBA).await?;
        tokio::fs::rename(&tmp, &template).await.map_err(EngineError::io("installing the engine template"))?;
        Ok(template)
    }

    async fn write_as_engine(&self, path: &Path, text: &str) -> EngineResult<()> {
        tokio::fs::write(path, text).await.map_err(EngineError::io(format!("writing {}", path.display())))?;
        self.run_as.chown(path).map_err(EngineError::io(format!("chown {}", path.display())))
    }

    /// The settings that make a copy of the data directory into this node.
    async fn write_node_conf(&self, dir: &Path, layout: &ClusterLayout, node: &Node, w: &WarehouseSpec) -> EngineResult<()> {
        let t = node_types::find(&w.node_type).unwrap_or_else(|| node_types::catalog().remove(0));
        // Validated against DWS's list of zone names; quoting stays safe regardless.
        let timezone = w.timezone.replace('\'', "");
        let conf = format!(
            "# Managed by strato: node {ordinal} of cluster {cluster}.\n\
             listen_addresses = '{addr}'\n\
             port = {port}\n\
             unix_socket_directories = '{sock}'\n\
             max_connections = {maxconn}\n\
             shared_buffers = {sb}\n\
             wal_level = replica\n\
             max_wal_senders = 260\n\
             wal_keep_size = 256MB\n\
             hot_standby = on\n\
             recovery_init_sync_method = syncfs\n\
             logging_collector = off\n\
             log_line_prefix = '%m [%p] '\n\
             cluster_name = 'strato-{key}-{ordinal}'\n\
             timezone = '{timezone}'\n",
            ordinal = node.ordinal,
            cluster = node.cluster_id,
            addr = node.address,
            port = node.port,
            sock = Self::socket_dir(layout, node).display(),
            maxconn = t.max_connections,
            sb = t.shared_buffers,
            key = layout.cluster_key,
        );
        // Set through the API: after strato's own lines, so that each wins (PostgreSQL reads the last).
        let conf = w.parameters.iter().fold(conf, |conf, (name, value)| conf + &parameters::conf_line(name, value));
        self.write_as_engine(&dir.join("strato.conf"), &conf).await
    }

    fn postmaster_pid(dir: &Path) -> Option<(i32, String)> {
        Self::read_postmaster_pid(dir).ok().flatten()
    }

    /// `postmaster.pid`'s pid and status line; an error only when strato could
    /// not read it (a missing or half-written file is "no postmaster").
    fn read_postmaster_pid(dir: &Path) -> std::io::Result<Option<(i32, String)>> {
        let text = match std::fs::read_to_string(dir.join("postmaster.pid")) {
            Ok(t) => t,
            Err(e) if looked(&e) == Liveness::Gone => return Ok(None),
            Err(e) => return Err(e),
        };
        let lines: Vec<&str> = text.lines().collect();
        let Some(pid) = lines.first().and_then(|l| l.trim().parse().ok()) else { return Ok(None) };
        // Line 8 is the postmaster's status: "starting", "ready", "standby", "stopping".
        let status = lines.get(7).map(|s| s.trim().to_string()).unwrap_or_default();
        Ok(Some((pid, status)))
    }

    /// Refuses to start a node whose address is held by a foreign process.
    fn log_tail(path: &Path) -> String {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(5)..].join(" | ")
    }

    async fn spawn(&self, layout: &ClusterLayout, node: &Node) -> EngineResult<()> {
        let dir = Self::node_dir(layout, node);
        let sock = Self::socket_dir(layout, node);
        self.make_dir(&sock, 0o700)?;
        super::check_address_free(node.address, node.port)?;
        let log_path = Self::log_file(layout, node);
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log_path)
            .map_err(EngineError::io(format!("opening {}", log_path.display())))?;
        let log_err = log.try_clone().map_err(EngineError::io("duplicating the log handle"))?;
        let mut cmd = Command::new(self.bin("postgres")?);
        cmd.arg("-D").arg(&dir);
        self.run_as.apply(&mut cmd);
        // Its own process group: the engine outlives a crash of strato and is
        // re-adopted on restart instead of being killed with it.
        cmd.process_group(0).stdin(Stdio::null()).stdout(log).stderr(log_err);
        let mut child = cmd.spawn().map_err(EngineError::io("starting postgres"))?;
        let deadline = tokio::time::Instant::now() + self.start_timeout;
        let outcome = loop {
            tokio::time::sleep(Duration::from_millis(15)).await;
            if let Ok(Some(status)) = child.try_wait() {
                break Err(EngineError::Failed(format!(
                    "node {} exited while starting ({status}): {}",
                    node.ordinal,
                    Self::log_tail(&log_path)
                )));
            }
            if self.observe(layout, node) == NodeHealth::Ready {
                break Ok(());
            }
            if tokio::time::Instant::now() >= deadline {
                break Err(EngineError::Failed(format!(
                    "node {} was not ready after {:?}: {}",
                    node.ordinal,
                    self.start_timeout,
                    Self::log_tail(&log_path)
                )));
            }
        };
        // Reap it whenever it exits so it never lingers as a zombie.
        tokio::spawn(async move {
            let _ = child.wait().await;
        });
        outcome
    }

    /// `pg_basebackup` of the running primary into `dest`, WAL streamed alongside,
    /// with an immediate checkpoint; callers add their own options.
    fn basebackup(&self, layout: &ClusterLayout, primary: &Node, dest: &Path) -> EngineResult<Command> {
        let mut cmd = Command::new(self.bin("pg_basebackup")?);
        HelperGroup::prepare(&mut cmd);
        cmd.arg("-D")
            .arg(dest)
            .arg("-h")
            .arg(Self::socket_dir(layout, primary))
            .args(["-p", &primary.port.to_string(), "-U", SUPERUSER])
            .args(["-X", "stream", "-c", "fast"]);
        Ok(cmd)
    }

    /// Runs SQL on a node through its socket as the superuser; SQL goes on
    /// stdin so it never appears in a process list.
    /// Waits (a reload is asynchronous) until `node` shows the spec's timezone
    /// and every parameter that applies without a restart; fails at once with
    /// PostgreSQL's own words for a line of the settings file it refused (a
    /// changed restart-only setting, "could not be applied" until the restart, is
    /// not refused).
    async fn await_settings(&self, layout: &ClusterLayout, node: &Node, w: &WarehouseSpec) -> EngineResult<()> {
        let mut wanted: Vec<(String, String)> = vec![("timezone".into(), w.timezone.clone())];
        wanted.extend(
            w.parameters
                .iter()
                .filter(|(name, _)| parameters::find(name).is_some_and(|p| !p.restart_required))
                .map(|(n, v)| (n.clone(), v.clone())),
        );
        let names = wanted.iter().map(|(n, _)| format!("'{}'", n.replace('\'', ""))).collect::<Vec<_>>().join(", ");
        let sql = format!(
            "SELECT 'error', coalesce(name, '?'), error FROM pg_file_settings \
             WHERE error IS NOT NULL AND error <> 'setting could not be applied' \
             UNION ALL SELECT 'setting', lower(name), setting FROM pg_settings WHERE lower(name) IN ({names});"
        );
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let out = self.psql(layout, node, &sql).await?;
            let rows: Vec<Vec<&str>> = out.lines().map(|l| l.splitn(3, '|').collect()).filter(|r: &Vec<&str>| r.len() == 3).collect();
            if let Some(r) = rows.iter().find(|r| r[0] == "error") {
                return Err(EngineError::Failed(format!("node {} refused the setting {}: {}", node.ordinal, r[1], r[2])));
            }
            let shown = |name: &str| rows.iter().find(|r| r[0] == "setting" && r[1] == name).map(|r| r[2]);
            let behind = wanted.iter().find(|(n, v)| !shows(shown(n), v));
            let Some((name, value)) = behind else { return Ok(()) };
            if tokio::time::Instant::now() >= deadline {
                return Err(EngineError::Failed(format!(
                    "node {} shows {name} = {} after the reload, not {value}",
                    node.ordinal,
                    shown(name).unwrap_or("nothing")
                )));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn psql(&self, layout: &ClusterLayout, node: &Node, sql: &str) -> EngineResult<String> {
        let mut cmd = Command::new(self.bin("psql")?);
        cmd.arg("-X")
            .arg("-q")
            .arg("-A")
            .arg("-t")
            .args(["-v", "ON_ERROR_STOP=1"])
            .arg("-h")
            .arg(Self::socket_dir(layout, node))
            .args(["-p", &node.port.to_string(), "-U", SUPERUSER, "-d", "postgres"])
            .env("PGCONNECT_TIMEOUT", "5")
            .env("PGAPPNAME", "strato")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        die_with_parent(&mut cmd);
        let mut child = cmd.spawn().map_err(EngineError::io("running psql"))?;
        if let Some(mut stdin) = child.stdin.take() {
            stdin.write_all(sql.as_bytes()).await.map_err(EngineError::io("writing to psql"))?;
        }
        let out = child.wait_with_output().await.map_err(EngineError::io("waiting for psql"))?;
        if !out.status.success() {
            return Err(EngineError::Failed(format!("psql failed: {}", String::from_utf8_lossy(&out.stderr).trim())));
        }
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    }
}

/// Whether PostgreSQL's `setting` is the value strato wrote (numbers compared
/// as numbers: `4` is `4.0`).
fn shows(setting: Option<&str>, value: &str) -> bool {
    match (setting, value.parse::<f64>()) {
        (Some(s), Ok(v)) => s.parse::<f64>().map_or(s == value, |s| s == v),
        (Some(s), Err(_)) => s == value,
        (None, _) => false,
    }
}

/// The DWS spec of a cluster this engine runs.
fn warehouse(spec: &ClusterSpec) -> EngineResult<&WarehouseSpec> {
    spec.warehouse().ok_or_else(|| EngineError::Unsupported("the PostgreSQL engine runs warehouse clusters only".into()))
}

#[async_trait]
impl Engine for PostgresEngine {
    fn kind(&self) -> EngineKind {
        EngineKind::Postgres
    }

    fn port_needs(&self, spec: &ClusterSpec) -> PortNeeds {
        PortNeeds::PerAddress(spec.warehouse().map(|w| w.port).unwrap_or_default())
    }

    fn replicas(&self) -> Option<&dyn Replicas> {
        Some(self)
    }

    fn backups(&self) -> Option<&dyn Backups> {
        Some(self)
    }

    fn check_installed(&self) -> EngineResult<()> {
        match &self.bin_dir {
            Some(dir) if dir.join("postgres").exists() && dir.join("initdb").exists() => Ok(()),
            _ => Err(EngineError::NotInstalled(
                "PostgreSQL server binaries were not found: install PostgreSQL 15 (Debian: `apt-get install \
                 postgresql-15`) or point --pg-bin-dir at the directory holding `postgres` and `initdb`"
                    .into(),
            )),
        }
    }

    fn layout(&self, cluster_id: Uuid) -> ClusterLayout {
        ClusterLayout::under(&self.data_dir, cluster_id)
    }

    fn binding(&self) -> String {
        format!("built-in {}", self.bin_dir.as_deref().map(|d| d.display().to_string()).unwrap_or_else(|| "(no binaries found)".into()))
    }

    fn version(&self) -> Option<String> {
        self.version
            .get_or_init(|| {
                let out = std::process::Command::new(self.bin_dir.as_ref()?.join("postgres")).arg("--version").output().ok()?;
                // `postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)`
                String::from_utf8_lossy(&out.stdout).split_whitespace().nth(2).map(str::to_string)
            })
            .clone()
    }

    async fn recover(&self) {
        let killed = kill_helpers_under(BASEBACKUP, &self.data_dir).await;
        if killed > 0 {
            tracing::warn!(processes = killed, "stopped pg_basebackup processes a previous run left behind");
        }
    }

    async fn init_primary(&self, layout: &ClusterLayout, node: &Node, spec: &ClusterSpec) -> EngineResult<()> {
        let w = warehouse(spec)?;
        let dir = Self::node_dir(layout, node);
        if !dir.join("strato.conf").exists() {
            let template = self.ensure_template().await?;
            self.make_dir(&layout.cluster_dir, 0o700)?;
            let tmp = layout.cluster_dir.join(format!("node-{}.tmp", node.ordinal));
            Self::remove_dir(&tmp).await?;
            let mut cp = Command::new("cp");
            cp.arg("-a").arg(&template).arg(&tmp);
            self.run(cp, "copying the engine template").await?;
            self.write_node_conf(&tmp, layout, node, w).await?;
            tokio::fs::rename(&tmp, &dir).await.map_err(EngineError::io("installing the primary's data directory"))?;
        }
        self.start_node(layout, node).await
    }

    async fn create_admin(&self, layout: &ClusterLayout, primary: &Node, cluster: &Cluster, job: &JobPayload) -> EngineResult<()> {
        let verifier = job
            .admin_verifier
            .clone()
            .ok_or_else(|| EngineError::Failed("the create job carries no administrator verifier".into()))?;
        let admin = Admin { user_name: warehouse(&cluster.spec)?.user_name.clone(), verifier };
        // The role name was validated to [a-z0-9_]; the verifier is base64 and `$:`.
        let sql = format!(
            "SET log_min_error_statement = panic;\n\
             DO $$ BEGIN\n\
               IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{user}') THEN\n\
                 CREATE ROLE \"{user}\" LOGIN CREATEDB CREATEROLE PASSWORD '{verifier}';\n\
               END IF;\n\
             END $$;\n\
             SELECT 'CREATE DATABASE {db} OWNER \"{user}\"' WHERE NOT EXISTS \
               (SELECT 1 FROM pg_database WHERE datname = '{db}')\\gexec\n\
             GRANT pg_monitor TO \"{user}\";\n",
            user = admin.user_name,
            verifier = admin.verifier,
            db = DEFAULT_DATABASE,
        );
        self.psql(layout, primary, &sql).await.map(|_| ())
    }

    /// Rewrites every node's settings (timezone, parameters) and reloads the
    /// running ones; returns once each running node shows them, or with the
    /// reason PostgreSQL gives for a setting it refused.
    async fn reconfigure(&self, layout: &ClusterLayout, nodes: &[Node], spec: &ClusterSpec) -> EngineResult<()> {
        let w = warehouse(spec)?;
        for node in nodes {
            let dir = Self::node_dir(layout, node);
            if !dir.join("strato.conf").exists() {
                continue;
            }
            self.write_node_conf(&dir, layout, node, w).await?;
            if self.observe(layout, node) != NodeHealth::Ready {
                continue;
            }
            self.psql(layout, node, "SELECT pg_reload_conf();").await?;
            self.await_settings(layout, node, w).await?;
        }
        Ok(())
    }

    async fn pending_restart(&self, layout: &ClusterLayout, nodes: &[Node]) -> EngineResult<Vec<String>> {
        let mut pending = std::collections::BTreeSet::new();
        for node in nodes {
            if self.observe(layout, node) == NodeHealth::Ready {
                let names = self.psql(layout, node, "SELECT name FROM pg_settings WHERE pending_restart ORDER BY name;").await?;
                pending.extend(names.lines().map(str::to_string));
            }
        }
        Ok(pending.into_iter().collect())
    }

    async fn set_admin_password(&self, layout: &ClusterLayout, primary: &Node, cluster: &Cluster, verifier: &str) -> EngineResult<()> {
        if !verifier.starts_with("SCRAM-SHA-256$") || verifier.contains('\'') {
            return Err(EngineError::Failed("the job's verifier is not a SCRAM-SHA-256 verifier".into()));
        }
        // Not logged on error: the statement carries the verifier.
        let sql = format!(
            "SET log_min_error_statement = panic;\nALTER ROLE \"{user}\" PASSWORD '{verifier}';\n",
            user = warehouse(&cluster.spec)?.user_name,
        );
        self.psql(layout, primary, &sql).await.map(|_| ())
    }

    async fn start_node(&self, layout: &ClusterLayout, node: &Node) -> EngineResult<()> {
        match self.observe(layout, node) {
            NodeHealth::Ready => Ok(()),
            // Adopt the process that is already coming up (or look again when strato could not look).
            NodeHealth::Starting | NodeHealth::Unknown => {
                let deadline = tokio::time::Instant::now() + self.start_timeout;
                while tokio::time::Instant::now() < deadline {
                    match self.observe(layout, node) {
                        NodeHealth::Ready => return Ok(()),
                        NodeHealth::Down => return self.spawn(layout, node).await,
                        NodeHealth::Starting | NodeHealth::Unknown => tokio::time::sleep(Duration::from_millis(20)).await,
                    }
                }
                Err(EngineError::Failed(format!("node {} stayed in start-up", node.ordinal)))
            }
            NodeHealth::Down => {
                if !Self::node_dir(layout, node).join("PG_VERSION").exists() {
                    return Err(EngineError::Failed(format!("node {} has no data directory", node.ordinal)));
                }
                self.spawn(layout, node).await
            }
        }
    }

    async fn stop_node(&self, layout: &ClusterLayout, node: &Node) -> EngineResult<()> {
        if let Some(pid) = self.pid(layout, node) {
            // SIGINT is PostgreSQL's fast shutdown: clients disconnected, clean checkpoint.
            terminate(pid, &Self::node_dir(layout, node), Signal::SIGINT, Duration::from_secs(30)).await;
        }
        Ok(())
    }

    async fn wait_replication(&self, layout: &ClusterLayout, primary: &Node, standbys: usize) -> EngineResult<()> {
        if standbys == 0 {
            return Ok(());
        }
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        loop {
            // Without a primary nothing can stream: fail now, not after the deadline.
            match self.observe(layout, primary) {
                NodeHealth::Down | NodeHealth::Starting => return Err(EngineError::Failed("the primary is not running".into())),
                NodeHealth::Ready | NodeHealth::Unknown => {}
            }
            let streaming = self
                .psql(layout, primary, "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming';")
                .await
                .ok()
                .and_then(|s| s.parse::<usize>().ok())
                .unwrap_or(0);
            if streaming >= standbys {
                return Ok(());
            }
            if tokio::time::Instant::now() >= deadline {
                return Err(EngineError::Failed(format!(
                    "only {streaming} of {standbys} standbys stream from the primary after 60s"
                )));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// A retired standby (stopped): its data directory, a half-made clone of
    /// it and its socket directory.
    async fn remove_node_files(&self, layout: &ClusterLayout, node: &Node) -> EngineResult<()> {
        let tmp = layout.cluster_dir.join(format!("node-{}.tmp", node.ordinal));
        kill_helpers_under(BASEBACKUP, &tmp).await;
        Self::remove_dir(&tmp).await?;
        Self::remove_dir(&Self::node_dir(layout, node)).await?;
        Self::remove_dir(&Self::socket_dir(layout, node)).await
    }

    async fn remove_files(&self, layout: &ClusterLayout) -> EngineResult<()> {
        let prefix = format!("{}-", layout.cluster_key);
        if let Ok(entries) = std::fs::read_dir(&layout.run_dir) {
            for e in entries.flatten() {
                if e.file_name().to_string_lossy().starts_with(&prefix) {
                    Self::remove_dir(&e.path()).await?;
                }
            }
        }
        Self::remove_dir(&layout.cluster_dir).await
    }

    fn observe(&self, layout: &ClusterLayout, node: &Node) -> NodeHealth {
        let dir = Self::node_dir(layout, node);
        let (pid, status) = match Self::read_postmaster_pid(&dir) {
            Ok(Some(found)) => found,
            Ok(None) => return NodeHealth::Down,
            Err(_) => return NodeHealth::Unknown,
        };
        match liveness_in(pid, &dir) {
            Liveness::Alive if matches!(status.as_str(), "ready" | "standby") => NodeHealth::Ready,
            Liveness::Alive => NodeHealth::Starting,
            Liveness::Gone => NodeHealth::Down,
            Liveness::Unknown => NodeHealth::Unknown,
        }
    }

    fn pid(&self, layout: &ClusterLayout, node: &Node) -> Option<i32> {
        let dir = Self::node_dir(layout, node);
        Self::postmaster_pid(&dir).map(|(pid, _)| pid).filter(|pid| alive_in(*pid, &dir))
    }
}

#[async_trait]
impl Replicas for PostgresEngine {
    async fn init_standby(
        &self,
        layout: &ClusterLayout,
        primary: &Node,
        standby: &Node,
        spec: &ClusterSpec,
    ) -> EngineResult<()> {
        let w = warehouse(spec)?;
        let dir = Self::node_dir(layout, standby);
        if !dir.join("standby.signal").exists() {
            let tmp = layout.cluster_dir.join(format!("node-{}.tmp", standby.ordinal));
            kill_helpers_under(BASEBACKUP, &tmp).await;
            Self::remove_dir(&tmp).await?;
            let mut cmd = self.basebackup(layout, primary, &tmp)?;
            // -R: the copy starts as a standby of the primary. No sync: the
            // standby's first start replays and syncs it anyway.
            cmd.args(["-R", "--no-sync"]);
            self.run_basebackup(cmd, &tmp).await?;
            self.write_node_conf(&tmp, layout, standby, w).await?;
            tokio::fs::rename(&tmp, &dir).await.map_err(EngineError::io("installing the standby's data directory"))?;
        }
        self.start_node(layout, standby).await
    }
}

#[async_trait]
impl Backups for PostgresEngine {
    fn snapshot_dir(&self, id: Uuid) -> PathBuf {
        self.data_dir.join("snapshots").join(id.to_string())
    }

    async fn backup(
        &self,
        layout: &ClusterLayout,
        primary: &Node,
        id: Uuid,
        progress: tokio::sync::watch::Sender<u32>,
    ) -> EngineResult<u64> {
        use tokio::io::AsyncReadExt;
        let dir = self.snapshot_dir(id);
        // The manifest is written last: its presence means a complete backup.
        if dir.join("backup_manifest").exists() {
            return Ok(dir_size(&dir));
        }
        let parent = dir.parent().expect("snapshot dir has a parent");
        self.make_dir(parent, 0o700)?;
        let tmp = parent.join(format!("{id}.tmp"));
        // A copy a crashed strato left streaming into it must stop before it is removed.
        kill_helpers_under(BASEBACKUP, &tmp).await;
        Self::remove_dir(&tmp).await?;
        // Progress is the copy's size against the databases' size, polled:
        // `pg_basebackup --progress` would first walk the whole data directory.
        let expected: u64 = self
            .psql(layout, primary, "SELECT sum(pg_database_size(oid)) FROM pg_database;")
            .await?
            .parse()
            .unwrap_or(0);
        let mut cmd = self.basebackup(layout, primary, &tmp)?;
        // Plain format, with the streamed WAL: self-contained, and
        // pg_verifybackup can check every file against the manifest.
        cmd.args(["-F", "p", "--manifest-checksums=CRC32C"]);
        if let Some(rate) = &self.backup_max_rate {
            cmd.arg(format!("--max-rate={rate}"));
        }
        self.run_as.apply(&mut cmd);
        die_with_parent(&mut cmd);
        cmd.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::piped()).kill_on_drop(true);
        let mut child = cmd.spawn().map_err(EngineError::io("running pg_basebackup"))?;
        let _group = HelperGroup::new(child.id(), BASEBACKUP);
        let mut stderr = child.stderr.take().expect("piped stderr");
        let errors = tokio::spawn(async move {
            let mut text = String::new();
            let _ = stderr.read_to_string(&mut text).await;
            text
        });
        let status = loop {
            tokio::select! {
                status = child.wait() => break status.map_err(EngineError::io("waiting for pg_basebackup"))?,
                _ = tokio::time::sleep(Duration::from_millis(250)) => {
                    let t = tmp.clone();
                    let done = tokio::task::spawn_blocking(move || dir_size(&t)).await.unwrap_or(0);
                    if let Some(pct) = (done * 100).checked_div(expected) {
                        let _ = progress.send(pct.min(99) as u32);
                    }
                }
            }
        };
        if !status.success() {
            let text = errors.await.unwrap_or_default();
            return Err(EngineError::Failed(format!("pg_basebackup failed ({status}): {}", text.trim())));
        }
        tokio::fs::rename(&tmp, &dir).await.map_err(EngineError::io("installing the snapshot"))?;
        let _ = progress.send(100);
        Ok(dir_size(&dir))
    }

    async fn verify_snapshot(&self, id: Uuid) -> EngineResult<()> {
        let dir = self.snapshot_dir(id);
        if !dir.join("backup_manifest").exists() {
            return Err(EngineError::Failed(format!("snapshot {id} has no files (or no manifest) at {}", dir.display())));
        }
        let mut cmd = Command::new(self.bin("pg_verifybackup")?);
        cmd.arg("--quiet").arg(&dir);
        self.run(cmd, "pg_verifybackup").await.map(|_| ()).map_err(|e| match e {
            EngineError::Failed(m) => EngineError::Failed(format!("snapshot {id} is damaged: {m}")),
            other => other,
        })
    }

    async fn restore_primary(&self, layout: &ClusterLayout, node: &Node, spec: &ClusterSpec, id: Uuid) -> EngineResult<()> {
        let w = warehouse(spec)?;
        let dir = Self::node_dir(layout, node);
        if !dir.join("strato.conf").exists() || !dir.join("PG_VERSION").exists() {
            self.make_dir(&layout.cluster_dir, 0o700)?;
            let tmp = layout.cluster_dir.join(format!("node-{}.tmp", node.ordinal));
            Self::remove_dir(&tmp).await?;
            let mut cp = Command::new("cp");
            cp.arg("-a").arg(self.snapshot_dir(id)).arg(&tmp);
            // Verify and copy side by side (both read the same, cached files);
            // nothing starts unless every checksum matched.
            let (verified, copied) = tokio::join!(self.verify_snapshot(id), self.run(cp, "copying the snapshot"));
            if let Err(e) = verified.and(copied.map(|_| ())) {
                Self::remove_dir(&tmp).await?;
                return Err(e);
            }
            // The copy becomes this node: its own settings, no stale manifest.
            let _ = tokio::fs::remove_file(tmp.join("backup_manifest")).await;
            let _ = tokio::fs::remove_file(tmp.join("standby.signal")).await;
            self.write_node_conf(&tmp, layout, node, w).await?;
            tokio::fs::rename(&tmp, &dir).await.map_err(EngineError::io("installing the restored data directory"))?;
        }
        self.start_node(layout, node).await
    }

    async fn remove_snapshot(&self, id: Uuid) -> EngineResult<()> {
        let dir = self.snapshot_dir(id);
        Self::remove_dir(&dir.with_extension("tmp")).await?;
        Self::remove_dir(&dir).await
    }
}
