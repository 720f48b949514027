//! `strato server`: opens the data directory, store and engine, bootstraps
//! identity on first start, binds one listener per service, starts the job
//! runner and the health loop, and writes `endpoints.json` once all are ready.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context};
use tokio::net::TcpListener;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::api::{self, Ctx, Endpoints, HttpLimits};
use crate::app::{App, Settings};
use crate::auth::identity::{load_master_key, BootstrapCredentials};
use crate::auth::Identity;
use crate::core::geography;
use crate::auth::secrets::Secrets;
use crate::engine::milvus::MilvusEngine;
use crate::engine::postgres::PostgresEngine;
use crate::engine::process::RunAs;
use crate::engine::{Engine, Engines};
use crate::health::HealthLoop;
use crate::jobs::{JobControl, Runner};
use crate::observed::Observed;
use crate::store::sqlite::SqliteStore;
use crate::store::Store;

#[derive(Debug, Clone, clap::Args)]
pub struct ServerArgs {
    /// Where the store, engine files and endpoints.json live.
    #[arg(long, env = "STRATO_DATA_DIR", default_value = "strato-data")]
    pub data_dir: PathBuf,
    /// Identity (Keystone v3 / IAM) listener; port 0 picks a free port.
    #[arg(long, env = "STRATO_IAM_LISTEN", default_value = "127.0.0.1:7300")]
    pub iam_listen: SocketAddr,
    /// GaussDB(DWS) listener.
    #[arg(long, env = "STRATO_DWS_LISTEN", default_value = "127.0.0.1:7301")]
    pub dws_listen: SocketAddr,
    /// Zilliz Cloud (v2 control plane) listener.
    #[arg(long, env = "STRATO_ZILLIZ_LISTEN", default_value = "127.0.0.1:7302")]
    pub zilliz_listen: SocketAddr,
    /// Huawei Cloud Search Service (CSS) listener.
    #[arg(long, env = "STRATO_CSS_LISTEN", default_value = "127.0.0.1:7303")]
    pub css_listen: SocketAddr,
    /// Alibaba Cloud Elasticsearch and Logstash (ROA, 2017-06-13) listener.
    #[arg(long, env = "STRATO_ALIYUN_LISTEN", default_value = "127.0.0.1:7304")]
    pub aliyun_listen: SocketAddr,
    /// Binds a search/log datastore to an engine driver, `KIND=DRIVER:PATH`, repeatable: KIND is
    /// elasticsearch, opensearch or logstash; DRIVER is opensearch or elasticsearch (a distribution's home),
    /// logstash (a Logstash home), osmem (the osmem-server stand-in binary) or syslog-ng (its binary).
    /// Without any, the stand-ins scripts/install-search-engines installed are bound; `none` binds nothing.
    #[arg(long = "datastore-engine", env = "STRATO_DATASTORE_ENGINES", value_delimiter = ',')]
    pub datastore_engines: Vec<String>,
    /// Scripts to run, in file-name order, once every listener is ready (executables, or `.sh` files run with
    /// bash), with the endpoints and bootstrap credentials in their environment (STRATO_*_URL, OS_*, ...).
    #[arg(long, env = "STRATO_INIT_DIR")]
    pub init_dir: Option<PathBuf>,
    /// Seconds one init script may run before it is killed.
    #[arg(long, env = "STRATO_INIT_TIMEOUT_SECS", default_value_t = 600)]
    pub init_timeout_secs: u64,
    /// Region ids vector (Zilliz) clusters may be created in, comma-separated (default: Zilliz Cloud's list).
    #[arg(long, env = "STRATO_VECTOR_REGIONS", value_delimiter = ',')]
    pub vector_regions: Vec<String>,
    /// DWS availability zones, comma-separated (default: the region's, e.g. eu-de-01..03, cn-north-4a..).
    #[arg(long, env = "STRATO_ZONES", value_delimiter = ',')]
    pub zones: Vec<String>,
    /// CSS availability zones, comma-separated (default: as for DWS).
    #[arg(long, env = "STRATO_CSS_ZONES", value_delimiter = ',')]
    pub css_zones: Vec<String>,
    /// The Alibaba Cloud region Elasticsearch and Logstash instances are in.
    #[arg(long, env = "STRATO_ALIYUN_REGION", default_value = "cn-hangzhou")]
    pub aliyun_region: String,
    /// Alibaba zones (`networkConfig.vsArea`), comma-separated (default: the region's, e.g. cn-hangzhou-b..k).
    #[arg(long, env = "STRATO_ALIYUN_ZONES", value_delimiter = ',')]
    pub aliyun_zones: Vec<String>,
    /// Directory holding the Milvus 2.3.5 binary and its libraries (default: where scripts/install-milvus puts it).
    #[arg(long, env = "STRATO_MILVUS_BIN_DIR")]
    pub milvus_bin_dir: Option<PathBuf>,
    /// Ports engines that bind the wildcard address (Milvus) take blocks of 10 from, `FIRST-LAST`.
    #[arg(long, env = "STRATO_ENGINE_PORTS", default_value = "19530-20529")]
    pub engine_ports: String,
    /// Region name shown in catalogs; also the bootstrap project's name.
    #[arg(long, env = "STRATO_REGION", default_value = "eu-de")]
    pub region: String,
    /// Loopback range node addresses are taken from, `FIRST-LAST`.
    #[arg(long, env = "STRATO_NODE_ADDRESSES", default_value = "127.10.0.1-127.10.255.254")]
    pub node_addresses: String,
    /// Directory with the PostgreSQL server binaries (default: newest /usr/lib/postgresql/*/bin).
    #[arg(long, env = "STRATO_PG_BIN_DIR")]
    pub pg_bin_dir: Option<PathBuf>,
    /// OS user engine processes run as when strato runs as root.
    #[arg(long, env = "STRATO_ENGINE_USER", default_value = "postgres")]
    pub engine_user: String,
    /// Do not create the development domain/user/project/access key on first start.
    #[arg(long, env = "STRATO_NO_BOOTSTRAP")]
    pub no_bootstrap: bool,
    #[arg(long, env = "STRATO_BOOTSTRAP_DOMAIN", default_value = "strato")]
    pub bootstrap_domain: String,
    #[arg(long, env = "STRATO_BOOTSTRAP_USER", default_value = "admin")]
    pub bootstrap_user: String,
    /// The bootstrap user's password (default: random, printed once).
    #[arg(long, env = "STRATO_BOOTSTRAP_PASSWORD", hide_env_values = true)]
    pub bootstrap_password: Option<String>,
    /// Token lifetime in seconds.
    #[arg(long, env = "STRATO_TOKEN_TTL", default_value_t = 86_400)]
    pub token_ttl_secs: i64,
    /// How often the health loop observes every node, in milliseconds.
    #[arg(long, env = "STRATO_HEALTH_INTERVAL_MS", default_value_t = 1000)]
    pub health_interval_ms: u64,
    /// How long a node stays down before strato restarts it, in milliseconds.
    #[arg(long, env = "STRATO_RECOVERY_GRACE_MS", default_value_t = 3000)]
    pub recovery_grace_ms: u64,
    /// Smallest cluster accepted; DWS documents 3, 1 allows single-node development clusters.
    #[arg(long, env = "STRATO_MIN_NODES", default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=3))]
    pub min_nodes: u32,
    /// Seconds in a retention "day" for automated snapshots (tests shorten it).
    #[arg(long, env = "STRATO_SNAPSHOT_DAY_SECS", default_value_t = 86_400, hide = true)]
    pub snapshot_day_secs: i64,
    /// Seconds a protectively deleted instance stays frozen before it is deleted (tests shorten it).
    #[arg(long, env = "STRATO_PROTECTIVE_DELETION_SECS", default_value_t = 86_400, hide = true)]
    pub protective_deletion_secs: i64,
    /// Limit snapshot reads from a primary, as pg_basebackup's --max-rate (e.g. 32M; 32k to 1024M).
    #[arg(long, env = "STRATO_SNAPSHOT_MAX_RATE", value_parser = parse_rate)]
    pub snapshot_max_rate: Option<String>,
    /// Jobs run at once.
    #[arg(long, env = "STRATO_JOB_CONCURRENCY", default_value_t = 4)]
    pub job_concurrency: usize,
    /// Connections each listener holds at most (lowered to fit the descriptor limit; more wait in the backlog).
    #[arg(long, env = "STRATO_MAX_CONNECTIONS", default_value_t = 1000)]
    pub max_connections: usize,
    /// Milliseconds a client has to send a request's head (also how long a kept-alive connection may idle).
    #[arg(long, env = "STRATO_HTTP_HEADER_TIMEOUT_MS", default_value_t = 30_000)]
    pub http_header_timeout_ms: u64,
    /// Milliseconds a client has to send a request's body.
    #[arg(long, env = "STRATO_HTTP_BODY_TIMEOUT_MS", default_value_t = 30_000)]
    pub http_body_timeout_ms: u64,
}

/// A list flag's values (trimmed, blanks dropped), or the default when none were given.
fn or_else(given: &[String], default: impl FnOnce() -> Vec<String>) -> Vec<String> {
    let given: Vec<String> = given.iter().map(|v| v.trim().to_string()).filter(|v| !v.is_empty()).collect();
    if given.is_empty() {
        default()
    } else {
        given
    }
}

/// How many listeners `run` binds (their connections share the descriptor budget).
const LISTENERS: usize = 5;

/// Raises the open-files limit to its hard maximum and splits it: a reserve
/// (at least a quarter, 256 to 4096) for the store, engine helpers, probes
/// and logs, and the rest for client connections. Returns the per-listener
/// connection cap: `wanted`, or less if the budget is smaller.
fn descriptor_budget(wanted: usize) -> usize {
    use nix::sys::resource::{getrlimit, setrlimit, Resource};
    let limit = match getrlimit(Resource::RLIMIT_NOFILE) {
        Ok((soft, hard)) => {
            if soft < hard && setrlimit(Resource::RLIMIT_NOFILE, hard, hard).is_ok() {
                hard
            } else {
                soft
            }
        }
        Err(_) => 1024,
    };
    let limit = usize::try_from(limit).unwrap_or(usize::MAX).min(1 << 20);
    let reserve = (limit / 4).clamp(256, 4096);
    let cap = (limit.saturating_sub(reserve) / LISTENERS).max(1);
    if cap < wanted {
        tracing::warn!(open_files = limit, reserved = reserve, per_listener = cap, "the descriptor limit lowers the connection cap");
    }
    wanted.min(cap)
}

fn parse_rate(s: &str) -> Result<String, String> {
    let (digits, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
    let n: u64 = digits.parse().map_err(|_| format!("`{s}`: expected a number with an optional k or M"))?;
    let kb = match unit {
        "" | "k" => n,
        "M" => n * 1024,
        _ => return Err(format!("`{s}`: the unit must be k or M")),
    };
    if !(32..=1_048_576).contains(&kb) {
        return Err(format!("`{s}`: must be between 32k and 1024M"));
    }
    Ok(s.to_string())
}

pub fn parse_port_range(s: &str) -> anyhow::Result<(u16, u16)> {
    let (a, b) = s.split_once('-').context("expected FIRST-LAST, e.g. 19530-20529")?;
    let (a, b): (u16, u16) = (a.trim().parse()?, b.trim().parse()?);
    if a == 0 || a > b {
        bail!("engine ports must be an ascending range of non-zero ports, got {s}");
    }
    Ok((a, b))
}

pub fn parse_range(s: &str) -> anyhow::Result<(Ipv4Addr, Ipv4Addr)> {
    let (a, b) = s.split_once('-').context("expected FIRST-LAST, e.g. 127.10.0.1-127.10.255.254")?;
    let (a, b): (Ipv4Addr, Ipv4Addr) = (a.trim().parse()?, b.trim().parse()?);
    if !a.is_loopback() || !b.is_loopback() || u32::from(a) > u32::from(b) {
        bail!("node addresses must be an ascending range inside 127.0.0.0/8, got {s}");
    }
    Ok((a, b))
}

/// Holds the data directory's lock for the life of the server.
struct DirLock(#[expect(dead_code, reason = "held for its Drop, which unlocks")] nix::fcntl::Flock<std::fs::File>);

fn lock_data_dir(dir: &Path) -> anyhow::Result<DirLock> {
    let f = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(dir.join("strato.lock"))?;
    nix::fcntl::Flock::lock(f, nix::fcntl::FlockArg::LockExclusiveNonblock)
        .map(DirLock)
        .map_err(|_| anyhow::anyhow!("another strato server is using {}", dir.display()))
}

fn write_private(path: &Path, text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let tmp = path.with_extension("tmp");
    let mut f = std::fs::OpenOptions::new().create(true).truncate(true).write(true).mode(0o600).open(&tmp)?;
    f.write_all(text.as_bytes())?;
    f.sync_all()?;
    std::fs::rename(&tmp, path)?;
    Ok(())
}

async fn bind(addr: SocketAddr, service: &str) -> anyhow::Result<TcpListener> {
    TcpListener::bind(addr).await.with_context(|| format!("cannot listen on {addr} for the {service} service"))
}

pub async fn run(args: ServerArgs) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let data_dir = &args.data_dir;
    std::fs::create_dir_all(data_dir).with_context(|| format!("creating {}", data_dir.display()))?;
    let data_dir = std::fs::canonicalize(data_dir)?;
    // The engine user must be able to traverse into its files below.
    std::fs::set_permissions(&data_dir, std::fs::Permissions::from_mode(0o711))?;
    let _lock = lock_data_dir(&data_dir)?;
    let range = parse_range(&args.node_addresses)?;
    let engine_ports = parse_port_range(&args.engine_ports)?;

    let sqlite = SqliteStore::open(&data_dir.join("strato.db")).await.context("opening the store")?;
    let store: Arc<dyn Store> = Arc::new(sqlite);
    // We hold the directory lock, so no other runner can hold a lease.
    let released = store.release_all_leases().await?;
    if released > 0 {
        tracing::info!(jobs = released, "resuming unfinished jobs");
    }

    let secrets = Arc::new(Secrets::new(load_master_key(&data_dir.join("master.key"))?));
    let identity = Arc::new(Identity::new(store.clone(), secrets.clone(), args.token_ttl_secs * 1000));
    let creds_path = data_dir.join("bootstrap-credentials.json");
    let mut first_start = false;
    if !args.no_bootstrap {
        let made = identity
            .bootstrap(&args.bootstrap_domain, &args.bootstrap_user, args.bootstrap_password.as_deref(), &args.region)
            .await?;
        if let Some(c) = made {
            write_private(&creds_path, &serde_json::to_string_pretty(&c)?)?;
            first_start = true;
        }
        identity.ensure_admin(&args.bootstrap_domain, &args.bootstrap_user).await?;
    }
    let creds: Option<BootstrapCredentials> = if args.no_bootstrap {
        None
    } else {
        std::fs::read_to_string(&creds_path).ok().and_then(|t| serde_json::from_str(&t).ok())
    };

    let run_as = RunAs::resolve(&args.engine_user).map_err(|e| anyhow::anyhow!(e))?;
    let pg_bin = crate::engine::postgres::find_bin_dir(args.pg_bin_dir.as_deref());
    let milvus_bin = crate::engine::milvus::find_bin_dir(args.milvus_bin_dir.as_deref());
    let mut bound: Vec<Arc<dyn Engine>> = vec![
        Arc::new(PostgresEngine::new(pg_bin, data_dir.clone(), run_as.clone(), args.snapshot_max_rate.clone())),
        Arc::new(MilvusEngine::new(milvus_bin, data_dir.clone(), run_as.clone(), secrets.clone())),
    ];
    let bindings: Vec<String> = match args.datastore_engines.as_slice() {
        [] => crate::engine::service::installed_stand_ins(),
        [none] if none.trim() == "none" => Vec::new(),
        given => given.to_vec(),
    };
    for binding in &bindings {
        let (kind, driver) = binding
            .split_once('=')
            .with_context(|| format!("--datastore-engine `{binding}`: expected KIND=DRIVER:PATH"))?;
        let kind: crate::core::cluster::EngineKind = kind.trim().parse().map_err(|e: String| anyhow::anyhow!(e))?;
        let engine = crate::engine::service::from_binding(kind, driver.trim(), data_dir.clone(), run_as.clone())
            .map_err(|e| anyhow::anyhow!("--datastore-engine `{binding}`: {e}"))?;
        bound.push(engine);
    }
    for engine in &bound {
        if let Err(e) = engine.check_installed() {
            tracing::warn!("{e}");
        }
        engine.recover().await;
    }
    let engines = Arc::new(Engines::new(bound));

    let iam = bind(args.iam_listen, "identity (IAM)").await?;
    let dws = bind(args.dws_listen, "DWS").await?;
    let zilliz = bind(args.zilliz_listen, "Zilliz").await?;
    let css = bind(args.css_listen, "CSS").await?;
    let aliyun = bind(args.aliyun_listen, "Alibaba Elasticsearch/Logstash").await?;
    let endpoints = Endpoints {
        iam: format!("http://{}", iam.local_addr()?),
        dws: format!("http://{}", dws.local_addr()?),
        zilliz: format!("http://{}", zilliz.local_addr()?),
        css: format!("http://{}", css.local_addr()?),
        aliyun: format!("http://{}", aliyun.local_addr()?),
    };

    let wake = Arc::new(Notify::new());
    let settings = Settings {
        region: args.region.clone(),
        zones: or_else(&args.zones, || geography::huawei_zones(&args.region)),
        css_zones: or_else(&args.css_zones, || or_else(&args.zones, || geography::huawei_zones(&args.region))),
        aliyun_zones: or_else(&args.aliyun_zones, || geography::aliyun_zones(&args.aliyun_region)),
        node_addresses: range,
        min_nodes: args.min_nodes,
        engine_ports,
        vector_regions: or_else(&args.vector_regions, || geography::ZILLIZ_REGIONS.iter().map(|r| r.to_string()).collect()),
        protective_deletion_ms: args.protective_deletion_secs * 1000,
        data_dir: data_dir.clone(),
    };
    let observed = Arc::new(Observed::new());
    observe_everything(&store, &engines, &observed).await?;
    let control = Arc::new(JobControl::default());
    let app = Arc::new(App::new(store.clone(), engines.clone(), observed.clone(), control.clone(), settings, secrets, wake.clone()));
    let limits = HttpLimits {
        header_timeout: Duration::from_millis(args.http_header_timeout_ms.max(1)),
        body_timeout: Duration::from_millis(args.http_body_timeout_ms.max(1)),
        max_connections: descriptor_budget(args.max_connections),
    };
    let endpoints_lock = Arc::new(std::sync::RwLock::new(endpoints.clone()));
    let ctx = Ctx { app: app.clone(), identity, endpoints: endpoints_lock, limits, started_at: crate::core::now_ms(), init: Default::default() };

    let cancel = CancellationToken::new();
    let runner = Runner::new(store.clone(), engines, observed, control, app.faults.clone(), wake, args.job_concurrency);
    let tasks = tokio_util::task::TaskTracker::new();
    tasks.spawn(runner.run(cancel.clone()));
    let health = HealthLoop {
        interval: Duration::from_millis(args.health_interval_ms),
        grace: Duration::from_millis(args.recovery_grace_ms),
    };
    tasks.spawn(health.run(app.clone(), cancel.clone()));
    tasks.spawn(crate::endpoints::Forwarder::new().run(app.clone(), cancel.clone()));
    let scheduler = crate::scheduler::Scheduler { interval: Duration::from_millis(500), day_ms: args.snapshot_day_secs * 1000 };
    tasks.spawn(scheduler.run(app.clone(), cancel.clone()));
    let routers = [
        ("iam", iam, api::keystone::router(ctx.clone())),
        ("dws", dws, api::dws::router(ctx.clone())),
        ("zilliz", zilliz, api::zilliz::router(ctx.clone())),
        ("css", css, api::css::router(ctx.clone())),
        ("aliyun", aliyun, api::aliyun::router(ctx.clone())),
    ];
    for (name, listener, router) in routers {
        let cancel = cancel.clone();
        let router = router
            .layer(axum::middleware::from_fn(move |req, next| api::count_request(name, req, next)))
            .layer(axum::middleware::from_fn(api::request_id))
            .layer(tower_http::trace::TraceLayer::new_for_http());
        tasks.spawn(api::serve::serve(listener, router, limits, cancel));
    }

    let doc = serde_json::json!({
        "iam": endpoints.iam,
        "dws": endpoints.dws,
        "zilliz": endpoints.zilliz,
        "css": endpoints.css,
        "aliyun": endpoints.aliyun,
        "region": args.region,
        "data_dir": data_dir,
        "credentials": creds,
    });
    write_private(&data_dir.join("endpoints.json"), &serde_json::to_string_pretty(&doc)?)?;
    println!("strato is ready");
    println!("  identity (IAM, Keystone v3): {}/v3", endpoints.iam);
    println!("  GaussDB(DWS):                {}", endpoints.dws);
    println!("  Zilliz Cloud (v2):           {}/v2", endpoints.zilliz);
    println!("  Cloud Search Service (CSS):  {}", endpoints.css);
    println!("  Alibaba ES / Logstash:       {}", endpoints.aliyun);
    if bindings.is_empty() {
        println!("  search/log datastores: none bound (creates refuse until --datastore-engine KIND=DRIVER:PATH is given)");
    } else {
        let shown: Vec<String> = bindings
            .iter()
            .map(|b| if crate::engine::service::is_stand_in(b) { format!("{b} (stand-in)") } else { b.clone() })
            .collect();
        println!("  search/log datastores: {}", shown.join(", "));
    }
    // Secrets are printed once, when they are made; later starts only say where they are.
    match &creds {
        Some(c) if first_start => {
            println!("  domain {} / user {} / password {}", c.domain, c.user, c.password);
            println!("  project {} ({})", c.project, c.project_id);
            println!("  access key {} / secret key {}", c.access_key, c.secret_key);
            println!("  API key (Zilliz): {}", c.api_key);
        }
        Some(c) => println!("  domain {} / user {} / project {} ({}); password and keys are in the file below", c.domain, c.user, c.project, c.project_id),
        None => println!("  no bootstrap credentials (create users with `strato admin`)"),
    }
    println!("  endpoints and credentials: {}", data_dir.join("endpoints.json").display());
    if let Some(dir) = &args.init_dir {
        println!("  init scripts: {} (progress in /_strato/info)", dir.display());
        let env = init_env(&endpoints, &args.region, &data_dir, creds.as_ref());
        let timeout = Duration::from_secs(args.init_timeout_secs.max(1));
        tasks.spawn(crate::init_scripts::run_all(dir.clone(), env, timeout, ctx.init.clone(), cancel.clone()));
    }

    shutdown_signal().await;
    tracing::info!("shutting down; engine processes keep running and are re-adopted on next start");
    cancel.cancel();
    tasks.close();
    let _ = tokio::time::timeout(Duration::from_secs(10), tasks.wait()).await;
    Ok(())
}

/// Looks once at every node of every live cluster (and measures vector
/// clusters' disk usage) before anything is served: from then on the health
/// loop watches running clusters and the runner the clusters it works on.
async fn observe_everything(store: &Arc<dyn Store>, engines: &Arc<Engines>, observed: &Arc<Observed>) -> anyhow::Result<()> {
    let clusters = store.live_nodes().await.context("reading the clusters to observe")?;
    let permits = Arc::new(tokio::sync::Semaphore::new(16));
    let mut tasks = tokio::task::JoinSet::new();
    for (cluster, nodes) in clusters {
        let (engines, observed, permits) = (engines.clone(), observed.clone(), permits.clone());
        tasks.spawn(async move {
            let _permit = permits.acquire_owned().await;
            continue_frozen(&engines, &cluster, &nodes);
            observed.look(&engines, &cluster, &nodes).await;
            if cluster.spec.product() == crate::core::cluster::Product::Zilliz {
                observed.measure_storage(&engines, &cluster).await;
            }
        });
    }
    while tasks.join_next().await.is_some() {}
    tracing::debug!(nodes = observed.len(), "observed every node");
    Ok(())
}

/// What an init script finds in its environment: every endpoint, and the
/// bootstrap credentials under strato's names and openstacksdk's.
fn init_env(eps: &Endpoints, region: &str, data_dir: &std::path::Path, creds: Option<&BootstrapCredentials>) -> Vec<(String, String)> {
    let mut env: Vec<(String, String)> = [
        ("STRATO_IAM_URL", eps.iam.clone()),
        ("STRATO_DWS_URL", eps.dws.clone()),
        ("STRATO_ZILLIZ_URL", eps.zilliz.clone()),
        ("STRATO_CSS_URL", eps.css.clone()),
        ("STRATO_ALIYUN_URL", eps.aliyun.clone()),
        ("STRATO_REGION", region.to_string()),
        ("STRATO_ENDPOINTS_FILE", data_dir.join("endpoints.json").display().to_string()),
        ("OS_AUTH_URL", format!("{}/v3", eps.iam)),
        ("OS_REGION_NAME", region.to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    if let Some(c) = creds {
        for (k, v) in [
            ("STRATO_DOMAIN", &c.domain),
            ("STRATO_USER", &c.user),
            ("STRATO_PASSWORD", &c.password),
            ("STRATO_PROJECT", &c.project),
            ("STRATO_PROJECT_ID", &c.project_id),
            ("STRATO_ACCESS_KEY", &c.access_key),
            ("STRATO_SECRET_KEY", &c.secret_key),
            ("STRATO_API_KEY", &c.api_key),
            ("OS_USERNAME", &c.user),
            ("OS_PASSWORD", &c.password),
            ("OS_USER_DOMAIN_NAME", &c.domain),
            ("OS_PROJECT_ID", &c.project_id),
        ] {
            env.push((k.to_string(), v.clone()));
        }
    }
    env
}

/// A freeze fault's SIGCONT dies with the strato that planned it: continue
/// every node at start (harmless for one that runs).
fn continue_frozen(engines: &Engines, cluster: &crate::core::cluster::Cluster, nodes: &[crate::core::cluster::Node]) {
    let engine = engines.for_cluster(cluster);
    let layout = engine.layout(cluster.id);
    for pid in nodes.iter().filter_map(|n| engine.pid(&layout, n)) {
        let _ = crate::engine::process::signal_engine(pid, nix::sys::signal::Signal::SIGCONT);
    }
}

async fn shutdown_signal() {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).expect("SIGTERM handler");
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
}
