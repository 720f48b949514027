//! Test helpers: a real `strato server` on ephemeral ports with its own data
//! directory and loopback subnet, a DWS client, and process accounting.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub mod search;
pub mod zilliz;

use rand::Rng;
use serde_json::{json, Value};

pub const PASSWORD: &str = "Dws2017demo!";

/// How long `Server::poll` waits for what, and how often it looks.
pub struct Wait {
    pub what: String,
    pub within: Duration,
    pub every: Duration,
}

pub struct Server {
    pub dir: tempfile::TempDir,
    pub child: Option<Child>,
    pub doc: Value,
    pub subnet: String,
    pub ports: String,
    pub http: reqwest::blocking::Client,
    /// The server's open-files limit (soft and hard), if the test sets one.
    pub open_files: Option<u64>,
}

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_strato")
}

fn random_subnet() -> String {
    let mut r = rand::thread_rng();
    format!("127.{}.{}", r.gen_range(30..250), r.gen_range(0..255))
}

/// 100 ports for engines that bind the wildcard address (10 Milvus nodes),
/// below the kernel's ephemeral range and away from other test servers.
fn random_port_range() -> String {
    let base = 21_000 + 100 * rand::thread_rng().gen_range(0..110u32);
    format!("{base}-{}", base + 99)
}

impl Server {
    /// Starts a server with extra args/env and waits for endpoints.json.
    pub fn start_with(args: &[&str], env: &[(&str, &str)]) -> Server {
        let dir = tempfile::tempdir().expect("tempdir");
        let subnet = random_subnet();
        let ports = random_port_range();
        let mut s = Server { dir, child: None, doc: Value::Null, subnet, ports, http: reqwest::blocking::Client::new(), open_files: None };
        s.spawn(args, env);
        s
    }

    /// Starts a server that may hold at most `limit` file descriptors (it cannot raise the limit).
    pub fn start_with_open_files(args: &[&str], limit: u64) -> Server {
        let dir = tempfile::tempdir().expect("tempdir");
        let (subnet, ports) = (random_subnet(), random_port_range());
        let http = reqwest::blocking::Client::new();
        let mut s = Server { dir, child: None, doc: Value::Null, subnet, ports, http, open_files: Some(limit) };
        s.spawn(args, &[]);
        s
    }

    pub fn start() -> Server {
        Server::start_with(&[], &[])
    }

    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().to_path_buf()
    }

    /// (Re)starts the server process on the same data directory.
    pub fn spawn(&mut self, args: &[&str], env: &[(&str, &str)]) {
        let endpoints = self.dir.path().join("endpoints.json");
        let _ = std::fs::remove_file(&endpoints);
        let range = format!("{0}.1-{0}.250", self.subnet);
        let mut cmd = Command::new(bin());
        cmd.args(["server", "--iam-listen", "127.0.0.1:0", "--dws-listen", "127.0.0.1:0", "--zilliz-listen", "127.0.0.1:0"])
            .args(["--css-listen", "127.0.0.1:0", "--aliyun-listen", "127.0.0.1:0"])
            .args(["--engine-ports", &self.ports])
            .arg("--data-dir")
            .arg(self.dir.path())
            .args(["--node-addresses", &range, "--health-interval-ms", "200", "--recovery-grace-ms", "1500"])
            .args(args)
            .env("STRATO_LOG", "info,tower_http=warn,sqlx=warn")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(self.dir.path().join("server.log")).unwrap());
        for (k, v) in env {
            cmd.env(k, v);
        }
        if let Some(limit) = self.open_files {
            use std::os::unix::process::CommandExt;
            // SAFETY: setrlimit(2) only, between fork and exec.
            unsafe {
                cmd.pre_exec(move || {
                    nix::sys::resource::setrlimit(nix::sys::resource::Resource::RLIMIT_NOFILE, limit, limit).map_err(std::io::Error::from)
                });
            }
        }
        self.child = Some(cmd.spawn().expect("spawn strato"));
        let deadline = Instant::now() + Duration::from_secs(30);
        while !endpoints.exists() {
            if let Some(status) = self.child.as_mut().unwrap().try_wait().unwrap() {
                panic!("server exited early ({status}): {}", self.log());
            }
            assert!(Instant::now() < deadline, "server did not become ready: {}", self.log());
            std::thread::sleep(Duration::from_millis(20));
        }
        self.doc = serde_json::from_str(&std::fs::read_to_string(&endpoints).unwrap()).unwrap();
    }

    /// Polls `fetch` until `pred` holds, recording in `seen` each new `label`
    /// of what it fetched; fails naming `wait.what`, with the server log.
    pub fn poll(
        &self,
        wait: Wait,
        seen: &mut Vec<String>,
        mut fetch: impl FnMut() -> Value,
        label: impl Fn(&Value) -> String,
        pred: impl Fn(&Value) -> bool,
    ) -> Value {
        let deadline = Instant::now() + wait.within;
        loop {
            let v = fetch();
            let l = label(&v);
            if seen.last() != Some(&l) {
                seen.push(l);
            }
            if pred(&v) {
                return v;
            }
            assert!(Instant::now() < deadline, "{} never reached the expected state: {v}\n{}", wait.what, self.log());
            std::thread::sleep(wait.every);
        }
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }

    /// kill -9 of strato: no cleanup at all.
    pub fn kill9(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Waits for the server process to exit by itself (e.g. at a crash point).
    pub fn wait_exit(&mut self, within: Duration) -> std::process::ExitStatus {
        let deadline = Instant::now() + within;
        loop {
            if let Some(st) = self.child.as_mut().unwrap().try_wait().unwrap() {
                self.child = None;
                return st;
            }
            assert!(Instant::now() < deadline, "server did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn iam(&self) -> String {
        self.doc["iam"].as_str().unwrap().to_string()
    }
    pub fn dws(&self) -> String {
        self.doc["dws"].as_str().unwrap().to_string()
    }
    pub fn aliyun(&self) -> String {
        self.doc["aliyun"].as_str().unwrap().to_string()
    }
    pub fn css(&self) -> String {
        self.doc["css"].as_str().unwrap().to_string()
    }
    pub fn zilliz(&self) -> String {
        self.doc["zilliz"].as_str().unwrap().to_string()
    }
    pub fn cred(&self, k: &str) -> String {
        self.doc["credentials"][k].as_str().unwrap().to_string()
    }
    pub fn pid(&self) -> String {
        self.cred("project_id")
    }

    /// A Keystone token for the bootstrap user (or any user/project).
    pub fn token_for(&self, domain: &str, user: &str, password: &str, project: &str) -> reqwest::blocking::Response {
        self.http
            .post(format!("{}/v3/auth/tokens", self.iam()))
            .json(&json!({"auth": {
                "identity": {"methods": ["password"], "password": {"user": {"name": user, "password": password, "domain": {"name": domain}}}},
                "scope": {"project": {"name": project, "domain": {"name": domain}}}}}))
            .send()
            .unwrap()
    }

    pub fn token(&self) -> String {
        let r = self.token_for(&self.cred("domain"), &self.cred("user"), &self.cred("password"), &self.cred("project"));
        assert_eq!(r.status(), 201);
        r.headers()["x-subject-token"].to_str().unwrap().to_string()
    }

    /// A DWS call with a token; returns (status, body).
    pub fn call(&self, token: &str, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let url = format!("{}{}", self.dws(), path.replace("{pid}", &self.pid()));
        let mut req = self.http.request(method.parse().unwrap(), &url).header("x-auth-token", token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().unwrap();
        let status = resp.status().as_u16();
        let text = resp.text().unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }

    pub fn create(&self, token: &str, name: &str, nodes: u32) -> String {
        let (st, body) = self.call(token, "POST", "/v1.0/{pid}/clusters", Some(create_body(name, nodes)));
        assert_eq!(st, 200, "create {name}: {body}");
        body["cluster"]["id"].as_str().unwrap().to_string()
    }

    pub fn show(&self, token: &str, id: &str) -> Value {
        let (st, body) = self.call(token, "GET", &format!("/v1.0/{{pid}}/clusters/{id}"), None);
        assert_eq!(st, 200, "show {id}: {body}");
        body["cluster"].clone()
    }

    /// Polls until `pred(cluster)`; panics with the last state after `within`.
    pub fn wait_until(&self, token: &str, id: &str, within: Duration, pred: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + within;
        loop {
            let c = self.show(token, id);
            if pred(&c) {
                return c;
            }
            assert!(Instant::now() < deadline, "timed out; last state {c}\nlog:\n{}", self.log());
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Polls `GET /v1.0/{pid}/job/{id}` as the providers do until `SUCCESS`; panics on `FAIL`.
    pub fn wait_job(&self, token: &str, job_id: &str, within: Duration) -> Value {
        let deadline = Instant::now() + within;
        loop {
            let (_, j) = self.call(token, "GET", &format!("/v1.0/{{pid}}/job/{job_id}"), None);
            if j["status"] == "SUCCESS" {
                return j;
            }
            assert!(j["status"] != "FAIL" && Instant::now() < deadline, "{j}\nlog:\n{}", self.log());
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn wait_available(&self, token: &str, id: &str) -> Value {
        self.wait_until(token, id, Duration::from_secs(90), |c| {
            assert_ne!(c["status"], "CREATION FAILED", "{c}");
            c["status"] == "AVAILABLE"
                && c["sub_status"] == "NORMAL"
                && c["task_status"].is_null()
                && c["action_progress"].as_object().is_some_and(|m| m.is_empty())
        })
    }

    pub fn wait_gone(&self, token: &str, id: &str) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let (st, body) = self.call(token, "GET", &format!("/v1.0/{{pid}}/clusters/{id}"), None);
            if st == 404 {
                assert_eq!(body["error_code"], "DWS.0047");
                return;
            }
            assert!(Instant::now() < deadline, "cluster {id} not deleted: {body}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Pids of processes whose working directory is inside the data dir
    /// (PostgreSQL postmasters and their children).
    pub fn engine_pids(&self) -> Vec<i32> {
        engine_pids_in(self.dir.path())
    }

    /// Runs `strato ARGS --data-dir DIR` against this server.
    pub fn run_cli(&self, args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
        let mut cmd = Command::new(bin());
        cmd.args(args).arg("--data-dir").arg(self.dir.path());
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.output().unwrap()
    }

    /// Runs `strato admin ...` on this server's data directory.
    pub fn admin(&self, args: &[&str]) -> String {
        let out = Command::new(bin())
            .arg("admin")
            .arg("--data-dir")
            .arg(self.dir.path())
            .args(args)
            .env("STRATO_NEW_PASSWORD", "Other-Passw0rd!")
            .output()
            .unwrap();
        assert!(out.status.success(), "admin {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

pub fn engine_pids_in(dir: &Path) -> Vec<i32> {
    let dir = std::fs::canonicalize(dir).unwrap_or(dir.to_path_buf());
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|e| e.file_name().to_string_lossy().parse::<i32>().ok())
        .filter(|pid| std::fs::read_link(format!("/proc/{pid}/cwd")).is_ok_and(|cwd| cwd.starts_with(&dir)))
        .collect()
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill9();
        // The engine outlives strato by design; tests leave nothing behind.
        for _ in 0..50 {
            let pids = self.engine_pids();
            if pids.is_empty() {
                break;
            }
            for pid in pids {
                let _ = nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), nix::sys::signal::Signal::SIGKILL);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

pub fn create_body(name: &str, nodes: u32) -> Value {
    json!({"cluster": {
        "name": name, "node_type": "dws.d1.xlarge", "number_of_node": nodes, "port": 8000,
        "user_name": "dbadmin", "user_pwd": PASSWORD,
        "vpc_id": "219ab8a0-1272-4049-a383-8ad0b770fa11", "subnet_id": "d23ef2e9-8b90-49b3-bc4a-fd7d6bea6bec",
        "security_group_id": "12e3c23a-8710-4b75-95e4-5c8d7f68ef3c",
        "public_ip": {"public_bind_type": "auto_assign"}}})
}

/// Runs SQL through `psql` against `host:port` as the cluster administrator.
pub fn psql(endpoint: &str, sql: &str) -> Result<String, String> {
    psql_with(endpoint, PASSWORD, sql)
}

/// `psql`, with another administrator password.
pub fn psql_with(endpoint: &str, password: &str, sql: &str) -> Result<String, String> {
    let (host, port) = endpoint.split_once(':').unwrap();
    let out = Command::new("psql")
        .args(["-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", host, "-p", port, "-U", "dbadmin", "-d", "gaussdb", "-c", sql])
        .env("PGPASSWORD", password)
        .env("PGCONNECT_TIMEOUT", "5")
        .output()
        .map_err(|e| e.to_string())?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).trim().to_string())
    }
}

/// The postmaster pid of node `n` of a cluster.
/// Whether a process runs: it exists and is not a zombie (an engine whose
/// strato was killed is reparented, and its reaper may be slow or absent).
pub fn process_runs(pid: i32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|st| st.rsplit_once(") ").map(|(_, rest)| !rest.starts_with('Z')))
        .unwrap_or(false)
}

pub fn node_pid(dir: &Path, cluster_id: &str, n: u32) -> i32 {
    let text = std::fs::read_to_string(dir.join("clusters").join(cluster_id).join(format!("node-{n}/postmaster.pid")))
        .expect("postmaster.pid");
    text.lines().next().unwrap().trim().parse().unwrap()
}

pub fn endpoints(c: &Value) -> Vec<String> {
    c["endpoints"].as_array().unwrap().iter().map(|e| e["connect_info"].as_str().unwrap().to_string()).collect()
}

impl Server {
    pub fn snapshot(&self, token: &str, cluster: &str, name: &str) -> String {
        let body = json!({"snapshot": {"name": name, "cluster_id": cluster, "description": "test"}});
        let (st, b) = self.call(token, "POST", "/v1.0/{pid}/snapshots", Some(body));
        assert_eq!(st, 200, "snapshot {name}: {b}");
        b["snapshot"]["id"].as_str().unwrap().to_string()
    }

    pub fn show_snapshot(&self, token: &str, id: &str) -> (u16, Value) {
        let (st, b) = self.call(token, "GET", &format!("/v1.0/{{pid}}/snapshots/{id}"), None);
        (st, b["snapshot"].clone())
    }

    pub fn wait_snapshot(&self, token: &str, id: &str, status: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            let (st, s) = self.show_snapshot(token, id);
            assert_eq!(st, 200, "{s}");
            if s["status"] == status {
                return s;
            }
            assert!(s["status"] == "CREATING" || s["status"] == "DELETING" || s["status"] == "RESTORING", "{s}\n{}", self.log());
            assert!(Instant::now() < deadline, "snapshot {id} never became {status}: {s}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Waits until the snapshot is gone from the API and its files from disk.
    pub fn wait_snapshot_gone(&self, token: &str, id: &str, within: Duration, why: &str) {
        let deadline = Instant::now() + within;
        while self.show_snapshot(token, id).0 != 404 {
            assert!(Instant::now() < deadline, "{why}\n{}", self.log());
            std::thread::sleep(Duration::from_millis(100));
        }
        assert!(!self.dir.path().join("snapshots").join(id).exists(), "{why}: files remain");
    }

    pub fn restore(&self, token: &str, snapshot: &str, name: &str) -> String {
        let (st, b) = self.call(token, "POST", &format!("/v1.0/{{pid}}/snapshots/{snapshot}/actions"), Some(json!({"restore": {"name": name}})));
        assert_eq!(st, 200, "restore {name}: {b}");
        b["cluster"]["id"].as_str().unwrap().to_string()
    }

    /// Waits until a cluster being created or restored has settled, whatever the outcome.
    pub fn wait_settled(&self, token: &str, id: &str) -> Value {
        self.wait_until(token, id, Duration::from_secs(120), |c| c["status"] != "CREATING")
    }
}

/// A checksum of a table's whole content, for comparing clusters.
pub fn table_checksum(endpoint: &str, table: &str) -> String {
    psql(endpoint, &format!("SELECT count(*) || ':' || md5(string_agg(t::text, ',' ORDER BY t::text)) FROM {table} t")).unwrap()
}

/// The providers' wait after a node-count change; returns the cluster and every task_status seen.
pub fn wait_task_completed(s: &Server, token: &str, id: &str) -> (Value, Vec<String>) {
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut seen = Vec::new();
    loop {
        let c = s.show(token, id);
        let task = c["task_status"].as_str().unwrap_or("").to_string();
        if !task.is_empty() && !seen.contains(&task) {
            seen.push(task.clone());
        }
        let status = c["status"].as_str().unwrap_or("");
        if task.is_empty() && (status == "AVAILABLE" || status == "ACTIVE") {
            return (c, seen);
        }
        assert!(task.is_empty() || task.contains("ING") || task == "ACTIVE_STANDY_SWITCHOVER", "the provider fails on task_status {task}: {c}");
        assert!(Instant::now() < deadline, "no end; last {c}\n{}", s.log());
        std::thread::sleep(Duration::from_millis(100));
    }
}
