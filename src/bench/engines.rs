//! `strato bench`: times cluster operations through the real API next to a
//! hand-written shell script doing the same PostgreSQL steps, in the same run,
//! and prints medians and ratios (machines here are noisy; ratios travel).

use std::path::{Path, PathBuf};

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use reqwest::Method;
use serde_json::{json, Value};

use crate::engine::postgres::find_bin_dir;
use crate::engine::process::RunAs;

use super::BenchArgs;

const BASELINE: &str = include_str!("../../scripts/bench-baseline.sh");
const MILVUS_BASELINE: &str = include_str!("../../scripts/bench-milvus-baseline.sh");

struct Api {
    http: reqwest::Client,
    dws: String,
    token: String,
    pid: String,
}

impl Api {
    async fn call(&self, method: Method, path: &str, body: Option<Value>) -> anyhow::Result<(u16, Value)> {
        let mut req = self.http.request(method, format!("{}/v1.0/{}{path}", self.dws, self.pid)).header("x-auth-token", &self.token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let r = req.send().await?;
        let st = r.status().as_u16();
        Ok((st, r.json().await.unwrap_or(Value::Null)))
    }

    /// Polls every 10 ms until the cluster is AVAILABLE with no task running.
    async fn wait_ready(&self, id: &str) -> anyhow::Result<()> {
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            let (_, v) = self.call(Method::GET, &format!("/clusters/{id}"), None).await?;
            let c = &v["cluster"];
            if c["status"] == "CREATION FAILED" {
                bail!("creation failed: {c}");
            }
            if c["status"] == "AVAILABLE" && c["task_status"].is_null() && c["action_progress"].as_object().is_some_and(|m| m.is_empty()) {
                return Ok(());
            }
            if Instant::now() > deadline {
                bail!("cluster {id} not ready: {c}");
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    async fn wait_gone(&self, id: &str) -> anyhow::Result<()> {
        for _ in 0..6000 {
            if self.call(Method::GET, &format!("/clusters/{id}"), None).await?.0 == 404 {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        bail!("cluster {id} was not deleted")
    }

    async fn create(&self, name: &str, nodes: u32) -> anyhow::Result<String> {
        let body = json!({"cluster": {"name": name, "node_type": "dws.d1.xlarge", "number_of_node": nodes, "port": 8000,
            "user_name": "dbadmin", "user_pwd": "Dws2017demo!", "vpc_id": "v", "subnet_id": "s", "security_group_id": "g"}});
        let (st, v) = self.call(Method::POST, "/clusters", Some(body)).await?;
        if st != 200 {
            bail!("create failed: {v}");
        }
        Ok(v["cluster"]["id"].as_str().unwrap_or_default().to_string())
    }

    async fn delete(&self, id: &str) -> anyhow::Result<()> {
        self.call(Method::DELETE, &format!("/clusters/{id}"), None).await?;
        self.wait_gone(id).await
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

struct Baseline {
    script: PathBuf,
    work: PathBuf,
    bin: PathBuf,
    run_as: RunAs,
}

impl Baseline {
    fn run(&self, args: &[&str]) -> anyhow::Result<f64> {
        let mut cmd = Command::new("bash");
        cmd.arg(&self.script).arg(args[0]).arg(&self.work).arg(&self.bin).args(&args[1..]);
        if self.run_as.switch {
            use std::os::unix::process::CommandExt;
            cmd.uid(self.run_as.uid).gid(self.run_as.gid);
        }
        let t = Instant::now();
        let out = cmd.stdin(Stdio::null()).output()?;
        if !out.status.success() {
            bail!("baseline {} failed: {}", args[0], String::from_utf8_lossy(&out.stderr));
        }
        Ok(t.elapsed().as_secs_f64())
    }
}

pub async fn run(args: BenchArgs) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let bin = find_bin_dir(args.pg_bin_dir.as_deref()).context("PostgreSQL server binaries not found")?;
    let run_as = RunAs::resolve(&args.engine_user).map_err(|e| anyhow::anyhow!(e))?;
    let root = tempfile::Builder::new().prefix("strato-bench").tempdir()?;
    std::fs::set_permissions(root.path(), std::fs::Permissions::from_mode(0o711))?;
    let work = root.path().join("baseline");
    std::fs::create_dir(&work)?;
    run_as.chown(&work)?;
    let script = root.path().join("baseline.sh");
    std::fs::write(&script, BASELINE)?;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755))?;
    let base = Baseline { script, work, bin, run_as };
    base.run(&["template"])?;

    let strato_dir = root.path().join("strato");
    let (mut server, doc) = super::spawn_server(&strato_dir, &["--engine-ports", "29500-29599", "--node-addresses", "127.77.0.1-127.77.0.250"])?;
    let result = measure(&args, &base, &doc, &strato_dir).await;
    let result = match result {
        Ok((mut rows, throughput)) if !args.no_milvus => match resume(&args, &base.run_as, &doc, &strato_dir, root.path()).await {
            Ok(row) => {
                rows.push(row);
                Ok((rows, throughput))
            }
            Err(e) => Err(e.context("the vector resume benchmark failed (pass --no-milvus to skip it)")),
        },
        other => other,
    };
    let _ = server.kill();
    let _ = server.wait();
    let (rows, throughput) = result?;

    println!("{:<34} {:>12} {:>12} {:>8}", "operation (median)", "strato s", "script s", "ratio");
    for (name, s, b) in rows {
        println!("{name:<34} {s:>12.3} {b:>12.3} {:>8.2}", s / b);
    }
    println!("(ratio = strato / hand-written script; {} iterations; lower is better)", args.iterations);
    if !throughput.is_empty() {
        println!();
        println!("{:<34} {:>12} {:>12} {:>8}", "throughput (median)", "strato MB/s", "plain MB/s", "ratio");
        for (name, s, b) in throughput {
            println!("{name:<34} {s:>12.1} {b:>12.1} {:>8.2}", s / b);
        }
        println!("(ratio = strato / plain tool; higher is better)");
    }
    Ok(())
}

type Rows = Vec<(String, f64, f64)>;

async fn measure(args: &BenchArgs, base: &Baseline, doc: &Value, strato_dir: &Path) -> anyhow::Result<(Rows, Rows)> {
    let http = reqwest::Client::new();
    let c = &doc["credentials"];
    let auth = json!({"auth": {
        "identity": {"methods": ["password"], "password": {"user": {"name": c["user"], "password": c["password"], "domain": {"name": c["domain"]}}}},
        "scope": {"project": {"name": c["project"], "domain": {"name": c["domain"]}}}}});
    let iam = doc["iam"].as_str().unwrap_or_default();
    let r = http.post(format!("{iam}/v3/auth/tokens")).json(&auth).send().await?;
    let token = r.headers().get("x-subject-token").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    let api = Api { http, dws: doc["dws"].as_str().unwrap_or_default().into(), token, pid: c["project_id"].as_str().unwrap_or_default().into() };

    // Warm-up: the engine template is made once, like the script's.
    let id = api.create("warmup", 1).await?;
    api.wait_ready(&id).await?;
    api.delete(&id).await?;

    let mut rows = Vec::new();
    for nodes in [1u32, 3] {
        let (mut ours, mut theirs, mut ours_r, mut theirs_r) = (vec![], vec![], vec![], vec![]);
        for i in 0..args.iterations {
            let t = Instant::now();
            let id = api.create(&format!("bench-{nodes}-{i}"), nodes).await?;
            api.wait_ready(&id).await?;
            ours.push(t.elapsed().as_secs_f64());
            let t = Instant::now();
            api.call(Method::POST, &format!("/clusters/{id}/restart"), Some(json!({"restart": {}}))).await?;
            api.wait_ready(&id).await?;
            ours_r.push(t.elapsed().as_secs_f64());
            api.delete(&id).await?;

            let n = nodes.to_string();
            let a = ["127.78.0", "8000"];
            theirs.push(base.run(&["create", &n, a[0], a[1]])?);
            theirs_r.push(base.run(&["restart", &n, a[0], a[1]])?);
            base.run(&["destroy", &n, a[0], a[1]])?;
        }
        rows.push((format!("create {nodes}-node → AVAILABLE"), median(ours), median(theirs)));
        rows.push((format!("restart {nodes}-node → AVAILABLE"), median(ours_r), median(theirs_r)));
    }
    let throughput = if args.snapshot_mb > 0 { snapshots(args, base, &api, strato_dir).await? } else { vec![] };
    Ok((rows, throughput))
}

/// Snapshot and restore of a cluster holding `snapshot_mb`, next to plain
/// `pg_basebackup` from the same primary and a plain copy of the backup.
async fn snapshots(args: &BenchArgs, base: &Baseline, api: &Api, strato_dir: &Path) -> anyhow::Result<Rows> {
    let id = api.create("bench-snap", 1).await?;
    api.wait_ready(&id).await?;
    let (_, v) = api.call(Method::GET, &format!("/clusters/{id}"), None).await?;
    let endpoint = v["cluster"]["endpoints"][0]["connect_info"].as_str().unwrap_or_default().to_string();
    let (host, port) = endpoint.split_once(':').unwrap_or_default();
    // ~360 bytes a row on disk.
    let rows = args.snapshot_mb * 1_000_000 / 360;
    let load = format!("CREATE TABLE load AS SELECT g AS id, repeat(md5(g::text), 10) AS payload FROM generate_series(1, {rows}) g");
    let out = Command::new("psql")
        .args(["-X", "-q", "-h", host, "-p", port, "-U", "dbadmin", "-d", "gaussdb", "-c", &load])
        .env("PGPASSWORD", "Dws2017demo!")
        .output()?;
    if !out.status.success() {
        bail!("loading data failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    let key = &uuid::Uuid::parse_str(&id)?.simple().to_string()[..12];
    let socket = strato_dir.join("run").join(format!("{key}-0"));
    // Flush the load first so that no measured backup pays for it.
    let out = Command::new("psql")
        .args(["-X", "-q", "-U", "strato", "-d", "postgres", "-p", port, "-c", "CHECKPOINT"])
        .arg("-h")
        .arg(&socket)
        .output()?;
    if !out.status.success() {
        bail!("checkpoint failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    let (mut ours_s, mut theirs_s, mut ours_r, mut theirs_r) = (vec![], vec![], vec![], vec![]);
    let mut mb = 0.0;
    for i in 0..args.iterations.min(3) {
        let t = Instant::now();
        let body = json!({"snapshot": {"name": format!("bench-snap-{i}"), "cluster_id": id}});
        let (_, v) = api.call(Method::POST, "/snapshots", Some(body)).await?;
        let sid = v["snapshot"]["id"].as_str().unwrap_or_default().to_string();
        let snap = loop {
            let (_, s) = api.call(Method::GET, &format!("/snapshots/{sid}"), None).await?;
            if s["snapshot"]["status"] != "CREATING" {
                break s["snapshot"].clone();
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        if snap["status"] != "AVAILABLE" {
            bail!("snapshot failed: {snap}");
        }
        let secs = t.elapsed().as_secs_f64();
        mb = snap["size"].as_f64().unwrap_or(0.0) * 1000.0;
        ours_s.push(mb / secs);
        api.wait_ready(&id).await?;

        let t = Instant::now();
        let restored = {
            let (_, v) = api.call(Method::POST, &format!("/snapshots/{sid}/actions"), Some(json!({"restore": {"name": format!("bench-restored-{i}")}}))).await?;
            v["cluster"]["id"].as_str().unwrap_or_default().to_string()
        };
        api.wait_ready(&restored).await?;
        ours_r.push(mb / t.elapsed().as_secs_f64());
        api.delete(&restored).await?;

        let sock = socket.to_string_lossy().to_string();
        let secs = base.run(&["backup", &sock, port])?;
        theirs_s.push(mb / secs);
        let secs = base.run(&["copy"])?;
        theirs_r.push(mb / secs);
        base.run(&["clean"])?;
        api.call(Method::DELETE, &format!("/snapshots/{sid}"), None).await?;
    }
    api.delete(&id).await?;
    Ok(vec![
        (format!("snapshot {mb:.0} MB (pg_basebackup)"), median(ours_s), median(theirs_s)),
        (format!("restore {mb:.0} MB (copy back)"), median(ours_r), median(theirs_r)),
    ])
}

/// A Zilliz v2 call with the bootstrap API key; `data` of a code-0 answer.
async fn zilliz(http: &reqwest::Client, doc: &Value, method: Method, path: &str, body: Option<Value>) -> anyhow::Result<Value> {
    let url = format!("{}{path}", doc["zilliz"].as_str().unwrap_or_default());
    let mut req = http.request(method, url).bearer_auth(doc["credentials"]["api_key"].as_str().unwrap_or_default());
    if let Some(b) = body {
        req = req.json(&b);
    }
    let v: Value = req.send().await?.json().await?;
    if v["code"] != 0 {
        bail!("{path}: {v}");
    }
    Ok(v["data"].clone())
}

async fn wait_status(http: &reqwest::Client, doc: &Value, id: &str, want: &str) -> anyhow::Result<Value> {
    let deadline = Instant::now() + Duration::from_secs(180);
    loop {
        let c = zilliz(http, doc, Method::GET, &format!("/v2/clusters/{id}"), None).await?;
        if c["status"] == want {
            return Ok(c);
        }
        if Instant::now() > deadline {
            bail!("cluster {id} never became {want}: {c}");
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Polls until the cluster's Milvus answers an authenticated REST call.
async fn wait_answers(http: &reqwest::Client, url: &str, user: &str, password: &str) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let r = http.get(format!("{url}/v1/vector/collections")).basic_auth(user, Some(password)).send().await;
        if let Ok(r) = r {
            if r.json::<Value>().await.is_ok_and(|v| v["code"] == 200) {
                return Ok(());
            }
        }
        if Instant::now() > deadline {
            bail!("{url} never answered");
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Resume (suspended → RUNNING and Milvus answering) next to starting the
/// same Milvus instance by hand and waiting for the same answer.
async fn resume(args: &BenchArgs, run_as: &RunAs, doc: &Value, strato_dir: &Path, root: &Path) -> anyhow::Result<(String, f64, f64)> {
    use std::os::unix::fs::PermissionsExt;
    let bin = crate::engine::milvus::find_bin_dir(None)
        .filter(|d| d.join("milvus").exists())
        .context("Milvus is not installed (scripts/install-milvus)")?;
    let script = root.join("milvus-baseline.sh");
    std::fs::write(&script, MILVUS_BASELINE)?;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755))?;
    let http = reqwest::Client::new();
    let body = json!({"clusterName": "bench-vector", "projectId": doc["credentials"]["project_id"], "regionId": "aws-us-west-2",
                      "plan": "Standard", "cuType": "Performance-optimized", "cuSize": 1});
    let made = zilliz(&http, doc, Method::POST, "/v2/clusters/createDedicated", Some(body)).await?;
    let id = made["clusterId"].as_str().unwrap_or_default().to_string();
    let password = made["password"].as_str().unwrap_or_default().to_string();
    let c = wait_status(&http, doc, &id, "RUNNING").await?;
    let url = c["connectAddress"].as_str().unwrap_or_default().to_string();
    let port: u16 = url.rsplit(':').next().and_then(|p| p.parse().ok()).context("no port in connectAddress")?;
    let uuid = uuid::Uuid::parse_str(id.trim_start_matches("in01-"))?;
    let node_dir = strato_dir.join("clusters").join(uuid.to_string()).join("node-0");
    let run = |op: &[&str]| -> anyhow::Result<f64> {
        let mut cmd = Command::new("bash");
        cmd.arg(&script).args(op);
        if run_as.switch {
            use std::os::unix::process::CommandExt;
            cmd.uid(run_as.uid).gid(run_as.gid);
        }
        let t = Instant::now();
        let out = cmd.stdin(Stdio::null()).output()?;
        if !out.status.success() {
            bail!("milvus baseline {} failed: {}", op[0], String::from_utf8_lossy(&out.stderr));
        }
        Ok(t.elapsed().as_secs_f64())
    };
    let (mut ours, mut theirs) = (vec![], vec![]);
    for _ in 0..args.iterations.min(5) {
        zilliz(&http, doc, Method::POST, &format!("/v2/clusters/{id}/suspend"), None).await?;
        wait_status(&http, doc, &id, "STOPPED").await?;
        let t = Instant::now();
        zilliz(&http, doc, Method::POST, &format!("/v2/clusters/{id}/resume"), None).await?;
        wait_status(&http, doc, &id, "RUNNING").await?;
        wait_answers(&http, &url, "db_admin", &password).await?;
        ours.push(t.elapsed().as_secs_f64());

        zilliz(&http, doc, Method::POST, &format!("/v2/clusters/{id}/suspend"), None).await?;
        wait_status(&http, doc, &id, "STOPPED").await?;
        let dir = node_dir.to_string_lossy().to_string();
        let (bin, metrics, cred) = (bin.to_string_lossy().to_string(), (port + 2).to_string(), format!("db_admin:{password}"));
        theirs.push(run(&["start", &dir, &bin, &metrics, &url, &cred])?);
        run(&["stop", &dir])?;
        zilliz(&http, doc, Method::POST, &format!("/v2/clusters/{id}/resume"), None).await?;
        wait_status(&http, doc, &id, "RUNNING").await?;
    }
    zilliz(&http, doc, Method::DELETE, &format!("/v2/clusters/{id}/drop"), None).await?;
    Ok(("resume vector cluster → answers".into(), median(ours), median(theirs)))
}
