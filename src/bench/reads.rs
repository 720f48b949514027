//! `strato bench --reads`: the read paths and the idle cost with thousands of
//! clusters in the store, in one run, next to moto_server (the emulator a
//! user would otherwise pick) answering Redshift's DescribeClusters.
//!
//! The store is seeded directly (`Store::import_clusters`) with STOPPED
//! clusters of three products, one node each: a stopped cluster has no
//! process, so thousands of them are what a real store would hold. Then
//! `--running` real 1-node DWS clusters are created through the API for the
//! idle figure with running engines.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use serde_json::{json, Value};
use uuid::Uuid;

use super::load::{self, Request};
use super::BenchArgs;
use crate::core::cluster::{Cluster, ClusterSpec, Lifecycle, Node, PublicIp, WarehouseSpec};
use crate::core::search::{Datastore, SearchSpec};
use crate::core::vector::{CuType, Offering, Plan, VectorSpec};
use crate::store::sqlite::SqliteStore;
use crate::store::{ClusterRecord, Store};

/// How many clusters of each paged product the two phases hold.
const SMALL: usize = 1_000;
const LARGE: usize = 10_000;
/// DWS clusters (the unpaged list is measured over all of them).
const DWS_CLUSTERS: usize = 1_000;

/// One figure of the table.
struct Row {
    what: String,
    clusters: String,
    per_second: Option<f64>,
    p50: Option<f64>,
    p99: Option<f64>,
}

impl Row {
    fn load(what: impl Into<String>, clusters: usize, o: &load::Outcome) -> Row {
        Row { what: what.into(), clusters: clusters.to_string(), per_second: Some(o.per_second()), p50: Some(o.percentile_ms(50.0)), p99: Some(o.percentile_ms(99.0)) }
    }
}

pub(crate) fn warehouse(i: usize) -> ClusterSpec {
    ClusterSpec::Warehouse(WarehouseSpec {
        name: format!("bench-dws-{i}"),
        node_type: "dws.d1.xlarge".into(),
        number_of_node: 1,
        number_of_cn: 1,
        port: 8000,
        user_name: "dbadmin".into(),
        vpc_id: "vpc-bench".into(),
        subnet_id: "subnet-bench".into(),
        security_group_id: "sg-bench".into(),
        availability_zone: "eu-de-01".into(),
        public_ip: PublicIp { public_bind_type: "not_use".into(), eip_id: String::new() },
        enterprise_project_id: "0".into(),
        tags: vec![],
        description: String::new(),
        timezone: "UTC".into(),
        maintain_window: Default::default(),
        volume: None,
        parameters: Default::default(),
        awaiting_restart: vec![],
        elb: None,
    })
}

fn vector(i: usize) -> ClusterSpec {
    ClusterSpec::Vector(VectorSpec {
        name: format!("bench-vec-{i}"),
        description: String::new(),
        region_id: "aws-us-west-2".into(),
        offering: Offering::Dedicated,
        plan: Plan::Standard,
        cu_type: CuType::PerformanceOptimized,
        cu_size: 1,
        labels: Default::default(),
        security_groups: Vec::new(),
        autoscaling: Default::default(),
        project: None,
    })
}

pub(crate) fn search(i: usize) -> ClusterSpec {
    ClusterSpec::Search(SearchSpec {
        product: crate::core::cluster::Product::Css,
        name: format!("bench-css-{i}"),
        description: String::new(),
        datastore: Datastore::Elasticsearch,
        version: "7.10.2".into(),
        node_count: 1,
        flavor: "ess.spec-4u8g".into(),
        disk_type: "COMMON".into(),
        disk_gb: 40,
        vpc_id: "v".into(),
        subnet_id: "s".into(),
        security_group_id: "g".into(),
        availability_zone: "eu-de-01".into(),
        https: false,
        authority: false,
        tags: vec![],
        engine_settings: Default::default(),
        access: Default::default(), pipelines: Vec::new(), routes: Vec::new(), index_snapshots: Default::default(), dedicated: Vec::new(),
    })
}

/// Stopped clusters `from..to` of one kind, one node each on its own address of 127.200.0.0/16.
fn seeded(project: &str, kind: fn(usize) -> ClusterSpec, from: usize, to: usize, address_base: usize, port: u16) -> Vec<ClusterRecord> {
    (from..to)
        .map(|i| {
            let mut cluster = Cluster::new(project, kind(i));
            cluster.lifecycle = Lifecycle::Stopped;
            let a = address_base + i;
            let node = Node {
                id: Uuid::new_v4(),
                cluster_id: cluster.id,
                ordinal: 0,
                address: std::net::Ipv4Addr::new(127, 200 + (a >> 16) as u8, (a >> 8) as u8, a as u8),
                port,
            };
            ClusterRecord { cluster, nodes: vec![node], active_job: None, recent_events: 0 }
        })
        .collect()
}

async fn seed(dir: &Path, project: &str, from: usize, to: usize, dws: bool) -> anyhow::Result<()> {
    let store = SqliteStore::open(&dir.join("strato.db")).await?;
    let mut all = Vec::new();
    if dws {
        all.extend(seeded(project, warehouse, 0, DWS_CLUSTERS, 1, 8000));
    }
    all.extend(seeded(project, vector, from, to, 20_000, 19530));
    all.extend(seeded(project, search, from, to, 40_000, 9200));
    store.import_clusters(&all).await?;
    Ok(())
}

/// CPU seconds `pid` has used (user + system), from /proc.
fn cpu_secs(pid: u32) -> anyhow::Result<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    let fields: Vec<&str> = stat.rsplit_once(") ").context("malformed /proc stat")?.1.split_whitespace().collect();
    let ticks: f64 = fields[11].parse::<f64>()? + fields[12].parse::<f64>()?;
    let hz = nix::unistd::sysconf(nix::unistd::SysconfVar::CLK_TCK).ok().flatten().unwrap_or(100) as f64;
    Ok(ticks / hz)
}

/// Percent of one core `pid` uses over `secs` of doing nothing else.
async fn idle_percent(pid: u32, secs: u64) -> anyhow::Result<f64> {
    let (c0, t0) = (cpu_secs(pid)?, Instant::now());
    tokio::time::sleep(Duration::from_secs(secs)).await;
    Ok(100.0 * (cpu_secs(pid)? - c0) / t0.elapsed().as_secs_f64())
}

struct Api {
    doc: Value,
    token: String,
}

impl Api {
    async fn connect(doc: Value) -> anyhow::Result<Api> {
        let c = &doc["credentials"];
        let auth = json!({"auth": {
            "identity": {"methods": ["password"], "password": {"user": {"name": c["user"], "password": c["password"], "domain": {"name": c["domain"]}}}},
            "scope": {"project": {"name": c["project"], "domain": {"name": c["domain"]}}}}});
        let r = reqwest::Client::new().post(format!("{}/v3/auth/tokens", doc["iam"].as_str().unwrap_or_default())).json(&auth).send().await?;
        let token = r.headers().get("x-subject-token").and_then(|v| v.to_str().ok()).context("no token")?.to_string();
        Ok(Api { doc, token })
    }

    fn url(&self, key: &str) -> &str {
        self.doc[key].as_str().unwrap_or_default()
    }

    fn pid(&self) -> &str {
        self.doc["credentials"]["project_id"].as_str().unwrap_or_default()
    }

    fn dws(&self, path: &str) -> anyhow::Result<Request> {
        Request::new(self.url("dws"), "GET", &format!("/v1.0/{}{path}", self.pid()), &[("X-Auth-Token", &self.token)], b"")
    }

    fn css(&self, path: &str) -> anyhow::Result<Request> {
        Request::new(self.url("css"), "GET", &format!("/v1.0/{}{path}", self.pid()), &[("X-Auth-Token", &self.token)], b"")
    }

    fn zilliz(&self, path: &str) -> anyhow::Result<Request> {
        let key = format!("Bearer {}", self.doc["credentials"]["api_key"].as_str().unwrap_or_default());
        Request::new(self.url("zilliz"), "GET", path, &[("Authorization", &key)], b"")
    }

    async fn json(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> anyhow::Result<Value> {
        let url = format!("{}/v1.0/{}{path}", self.url("dws"), self.pid());
        let mut req = reqwest::Client::new().request(method, url).header("x-auth-token", &self.token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        Ok(req.send().await?.json().await.unwrap_or(Value::Null))
    }
}

/// Pages of 10 (Zilliz `pageSize`, CSS `limit`) at one connection: the first
/// page, and the middle one (whose offset the store must skip).
async fn page_rows(api: &Api, n: usize, secs: Duration, rows: &mut Vec<Row>) -> anyhow::Result<()> {
    let middle = n / 10 / 2 + 1;
    for (which, page) in [("first", 1), ("middle", middle)] {
        let z = load::run(&api.zilliz(&format!("/v2/clusters?pageSize=10&currentPage={page}"))?, 1, secs).await?;
        rows.push(Row::load(format!("Zilliz list, pageSize=10, {which} page"), n, &z));
        let c = load::run(&api.css(&format!("/clusters?offset={}&limit=10", (page - 1) * 10 + 1))?, 1, secs).await?;
        rows.push(Row::load(format!("CSS list, limit=10, {which} page"), n, &c));
    }
    Ok(())
}

fn moto_program(explicit: Option<&Path>) -> Option<PathBuf> {
    if let Some(p) = explicit {
        return Some(p.to_path_buf());
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|d| d.join("moto_server"))
        .chain([PathBuf::from(".venv-moto/bin/moto_server"), PathBuf::from(".venv/bin/moto_server")])
        .find(|p| p.exists())
}

/// moto_server with one Redshift cluster, measured like strato's GET.
async fn moto(program: &Path, secs: Duration) -> anyhow::Result<load::Outcome> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let mut child: Child = Command::new(program)
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .with_context(|| format!("starting {}", program.display()))?;
    let result = async {
        let base = format!("http://127.0.0.1:{port}");
        let sign = "AWS4-HMAC-SHA256 Credential=AKIDBENCH/20261201/us-east-1/redshift/aws4_request, SignedHeaders=host;x-amz-date, Signature=0";
        let headers = [("Content-Type", "application/x-www-form-urlencoded"), ("Authorization", sign), ("X-Amz-Date", "20261201T000000Z")];
        let create = "Action=CreateCluster&Version=2012-12-01&ClusterIdentifier=bench&NodeType=dc2.large&ClusterType=single-node\
                      &MasterUsername=admin&MasterUserPassword=Passw0rd1234";
        let http = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let mut req = http.post(&base).body(create);
            for (k, v) in headers {
                req = req.header(k, v);
            }
            if let Ok(r) = req.send().await {
                if r.status().is_success() {
                    break;
                }
                bail!("moto refused CreateCluster: {}", r.text().await.unwrap_or_default());
            }
            if Instant::now() > deadline {
                bail!("moto_server did not start");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let describe = b"Action=DescribeClusters&Version=2012-12-01&ClusterIdentifier=bench";
        load::run(&Request::new(&base, "POST", "/", &headers, describe)?, 16, secs).await
    }
    .await;
    let _ = child.kill();
    let _ = child.wait();
    result
}

/// Creates `n` real 1-node DWS clusters and waits until all are AVAILABLE.
async fn start_running(api: &Api, n: u32) -> anyhow::Result<Vec<String>> {
    let mut ids = Vec::new();
    for i in 0..n {
        let body = json!({"cluster": {"name": format!("bench-running-{i}"), "node_type": "dws.d1.xlarge", "number_of_node": 1,
            "port": 8000, "user_name": "dbadmin", "user_pwd": "Dws2017demo!", "vpc_id": "v", "subnet_id": "s", "security_group_id": "g"}});
        let v = api.json(reqwest::Method::POST, "/clusters", Some(body)).await?;
        ids.push(v["cluster"]["id"].as_str().with_context(|| format!("create failed: {v}"))?.to_string());
    }
    let deadline = Instant::now() + Duration::from_secs(600);
    for id in &ids {
        loop {
            let v = api.json(reqwest::Method::GET, &format!("/clusters/{id}"), None).await?;
            let c = &v["cluster"];
            if c["status"] == "AVAILABLE" && c["task_status"].is_null() {
                break;
            }
            if c["status"] == "CREATION FAILED" || Instant::now() > deadline {
                bail!("cluster {id} did not become AVAILABLE: {c}");
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
    Ok(ids)
}

/// Deletes the clusters and waits until they are gone (their processes with them).
async fn stop_running(api: &Api, ids: &[String]) -> anyhow::Result<()> {
    for id in ids {
        api.json(reqwest::Method::DELETE, &format!("/clusters/{id}"), None).await?;
    }
    let deadline = Instant::now() + Duration::from_secs(300);
    for id in ids {
        while api.json(reqwest::Method::GET, &format!("/clusters/{id}"), None).await?["error_code"] != "DWS.0047" {
            if Instant::now() > deadline {
                bail!("cluster {id} was not deleted");
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
    Ok(())
}

pub async fn run(args: &BenchArgs) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let secs = Duration::from_secs(args.read_secs.max(1));
    let root = tempfile::Builder::new().prefix("strato-bench-reads").tempdir()?;
    std::fs::set_permissions(root.path(), std::fs::Permissions::from_mode(0o711))?;
    let dir = args.keep_dir.clone().unwrap_or_else(|| root.path().join("strato"));
    let server_args = ["--node-addresses", "127.201.0.1-127.201.0.250", "--engine-ports", "29600-29699"];
    let mut rows = Vec::new();
    let mut idle = Vec::new();

    // The first start makes the identity; the clusters go in while the server is down.
    let (mut server, doc) = super::spawn_server(&dir, &server_args)?;
    let _ = server.kill();
    let _ = server.wait();
    let project = doc["credentials"]["project_id"].as_str().context("no bootstrap project")?.to_string();
    seed(&dir, &project, 0, SMALL, true).await?;

    let (mut server, doc) = super::spawn_server(&dir, &server_args)?;
    let outcome = async {
        let api = Api::connect(doc.clone()).await?;
        let list = api.json(reqwest::Method::GET, "/clusters", None).await?;
        let one = list["clusters"][DWS_CLUSTERS / 2]["id"].as_str().context("no seeded DWS cluster")?.to_string();
        let get = api.dws(&format!("/clusters/{one}"))?;
        let _ = load::run(&get, 16, Duration::from_secs(1)).await?; // warm-up
        // The median of three runs: the machine's other tenants come and go.
        let mut runs = Vec::new();
        for _ in 0..3 {
            runs.push(load::run(&get, 16, secs).await?);
        }
        runs.sort_by(|a, b| a.per_second().total_cmp(&b.per_second()));
        let c16 = runs.swap_remove(1);
        rows.push(Row::load("DWS GET one cluster, 16 connections", DWS_CLUSTERS, &c16));
        let c64 = load::run(&get, 64, secs).await?;
        rows.push(Row::load("DWS GET one cluster, 64 connections", DWS_CLUSTERS, &c64));
        let unpaged = load::run(&api.dws("/clusters")?, 1, secs).await?;
        rows.push(Row::load("DWS list, unpaged, 1 connection", DWS_CLUSTERS, &unpaged));
        page_rows(&api, SMALL, secs, &mut rows).await?;
        idle.push((format!("{} stopped clusters", DWS_CLUSTERS + 2 * SMALL), idle_percent(server.id(), args.read_secs.max(10)).await?));
        anyhow::Ok(c16)
    }
    .await;
    let _ = server.kill();
    let _ = server.wait();
    let c16 = outcome?;

    seed(&dir, &project, SMALL, LARGE, false).await?;
    let (mut server, doc) = super::spawn_server(&dir, &server_args)?;
    let api = Api::connect(doc.clone()).await;
    let outcome = async {
        let api = api?;
        page_rows(&api, LARGE, secs, &mut rows).await?;
        idle.push((format!("{} stopped clusters", DWS_CLUSTERS + 2 * LARGE), idle_percent(server.id(), args.read_secs.max(10)).await?));
        if args.running > 0 {
            let ids = start_running(&api, args.running).await?;
            tokio::time::sleep(Duration::from_secs(2)).await;
            let pct = idle_percent(server.id(), args.read_secs.max(10)).await;
            stop_running(&api, &ids).await?;
            idle.push((format!("{} running 1-node clusters (+ the stopped ones)", args.running), pct?));
        }
        anyhow::Ok(())
    }
    .await;
    let _ = server.kill();
    let _ = server.wait();
    outcome?;

    let moto = match moto_program(args.moto_server.as_deref()) {
        Some(p) => Some(moto(&p, secs).await.with_context(|| format!("moto_server ({})", p.display()))?),
        None => None,
    };
    if let Some(m) = &moto {
        let mut row = Row::load("moto_server DescribeClusters, 16 connections", 1, m);
        row.clusters = "1".into();
        rows.push(row);
    }
    print(&rows, &idle, &c16, moto.as_ref());
    Ok(())
}

fn print(rows: &[Row], idle: &[(String, f64)], c16: &load::Outcome, moto: Option<&load::Outcome>) {
    let num = |v: Option<f64>, p: usize| v.map(|v| format!("{v:.p$}")).unwrap_or_else(|| "-".into());
    println!("{:<46} {:>9} {:>10} {:>9} {:>9}", "read path", "clusters", "req/s", "p50 ms", "p99 ms");
    for r in rows {
        println!("{:<46} {:>9} {:>10} {:>9} {:>9}", r.what, r.clusters, num(r.per_second, 0), num(r.p50, 2), num(r.p99, 2));
    }
    match moto {
        Some(m) => println!("GET one cluster: strato / moto_server = {:.0}x", c16.per_second() / m.per_second()),
        None => println!("GET one cluster: no moto_server found (scripts/install-moto, or --moto-server PATH): no ratio"),
    }
    let page = |what: &str, n: &str| rows.iter().find(|r| r.what == what && r.clusters == n).and_then(|r| r.p50);
    for what in ["Zilliz list, pageSize=10, first page", "CSS list, limit=10, first page", "Zilliz list, pageSize=10, middle page", "CSS list, limit=10, middle page"] {
        if let (Some(small), Some(large)) = (page(what, &SMALL.to_string()), page(what, &LARGE.to_string())) {
            println!("{what}: p50 with {LARGE} clusters / with {SMALL} = {:.2}", large / small);
        }
    }
    println!();
    println!("{:<60} {:>12}", "idle (nothing asked of strato)", "% of a core");
    for (what, pct) in idle {
        println!("{what:<60} {pct:>12.2}");
    }
}
