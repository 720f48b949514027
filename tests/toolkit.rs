//! What test suites build on (issue #10): strato's admin surface under
//! `/_strato/` on the IAM listener — health, info and reset.

mod common;

use std::time::{Duration, Instant};

use common::Server;
use serde_json::{json, Value};

impl Server {
    /// A `/_strato/` call with a token.
    fn strato(&self, token: &str, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut req = self.http.request(method.parse().unwrap(), format!("{}{path}", self.iam())).header("x-auth-token", token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.timeout(Duration::from_secs(120)).send().unwrap();
        let status = resp.status().as_u16();
        (status, resp.json().unwrap_or(Value::Null))
    }

    /// A token of a new non-admin user in a project of their own.
    fn other_user_token(&self, name: &str) -> String {
        self.admin(&["project-create", &format!("{name}-project"), "--domain", "strato"]);
        self.admin(&["user-create", name, "--domain", "strato", "--project", &format!("{name}-project")]);
        let r = self.token_for("strato", name, "Other-Passw0rd!", &format!("{name}-project"));
        assert_eq!(r.status(), 201);
        r.headers()["x-subject-token"].to_str().unwrap().to_string()
    }
}

#[test]
fn health_and_info_are_for_admins_and_say_what_runs() {
    let s = Server::start();
    let token = s.token();
    let (status, h) = s.strato(&token, "GET", "/_strato/health", None);
    assert_eq!(status, 200, "{h}");
    assert_eq!(h["status"], "ok", "{h}");
    for l in ["iam", "dws", "zilliz", "css", "aliyun"] {
        assert_eq!(h["listeners"][l]["ok"], true, "{l}: {h}");
    }
    assert_eq!(h["store"]["ok"], true);
    let engines = h["engines"].as_array().unwrap();
    let pg = engines.iter().find(|e| e["kind"] == "postgres").unwrap();
    assert_eq!(pg["installed"], true, "{pg}");
    assert!(pg["version"].as_str().is_some_and(|v| v.starts_with("15.")), "{pg}");
    assert!(pg["binding"].as_str().unwrap().starts_with("built-in "), "{pg}");
    if common::search::stand_in_engines().is_some() {
        let es = engines.iter().find(|e| e["kind"] == "elasticsearch").unwrap();
        assert_eq!((es["installed"].as_bool(), es["stand_in"].as_bool()), (Some(true), Some(true)), "bound automatically: {es}");
    }
    let (status, info) = s.strato(&token, "GET", "/_strato/info", None);
    assert_eq!(status, 200);
    assert_eq!(info["version"], env!("CARGO_PKG_VERSION"));
    assert!(info["uptime_secs"].is_i64() && info["data_dir"].is_string() && info["endpoints"]["dws"].is_string(), "{info}");

    // Not for other users, nor for nobody.
    let bob = s.other_user_token("bob");
    for path in ["/_strato/health", "/_strato/info"] {
        assert_eq!(s.strato(&bob, "GET", path, None).0, 403, "{path}");
        assert_eq!(s.strato("not-a-token", "GET", path, None).0, 401, "{path}");
    }
    assert_eq!(s.strato(&bob, "POST", "/_strato/reset", None).0, 403);
    let (status, v) = s.strato(&token, "POST", "/_strato/reset", Some(json!({"identity": "yes"})));
    assert_eq!(status, 400, "{v}");
    assert!(v["error"]["message"].as_str().unwrap().contains("identity"), "{v}");
}

/// A reset with 10 idle clusters and one being created: every process and file
/// is gone and every list empty when it answers, quickly; strato goes on.
#[test]
fn a_reset_leaves_no_process_no_file_and_no_cluster() {
    let s = Server::start_with(&["--min-nodes", "1"], &[]);
    let token = s.token();
    let ids: Vec<String> = (0..10).map(|i| s.create(&token, &format!("idle-{i}"), 1)).collect();
    for id in &ids {
        s.wait_available(&token, id);
    }
    let snap = s.snapshot(&token, &ids[0], "kept-until-reset");
    s.wait_snapshot(&token, &snap, "AVAILABLE");
    s.wait_available(&token, &ids[0]);
    assert_eq!(s.engine_pids().len() >= 10, true);

    let t = Instant::now();
    let (status, report) = s.strato(&token, "POST", "/_strato/reset", None);
    let took = t.elapsed();
    assert_eq!(status, 200, "{report}");
    assert_eq!((report["clusters"].as_u64(), report["nodes_stopped"].as_u64(), report["snapshots"].as_u64()), (Some(10), Some(10), Some(1)), "{report}");
    eprintln!("reset of 10 idle clusters: {took:?} ({} ms inside strato)", report["duration_ms"]);
    assert!(took < Duration::from_secs(5), "the reset took {took:?}");
    assert!(s.engine_pids().is_empty(), "processes outlived the reset: {:?}", s.engine_pids());
    for dir in ["clusters", "snapshots"] {
        let left: Vec<_> = std::fs::read_dir(s.data_dir().join(dir)).map(|d| d.flatten().map(|e| e.path()).collect()).unwrap_or_default();
        assert!(left.is_empty(), "{dir} left behind: {left:?}");
    }
    let (_, list) = s.call(&token, "GET", "/v1.0/{pid}/clusters", None);
    assert_eq!(list["count"], 0, "{list}");
    let (status, _) = s.call(&token, "GET", &format!("/v1.0/{{pid}}/snapshots/{snap}"), None);
    assert_eq!(status, 404);
    assert_eq!(s.z_ok(&s.api_key(), "GET", "/v2/clusters", None)["count"], 0);

    // A reset while a create runs: the job is cancelled with its processes.
    let busy = s.create(&token, "mid-create", 1);
    std::thread::sleep(Duration::from_millis(300));
    let (status, report) = s.strato(&token, "POST", "/_strato/reset", None);
    assert_eq!((status, report["clusters"].as_u64()), (200, Some(1)), "{report}");
    std::thread::sleep(Duration::from_millis(500));
    assert!(s.engine_pids().is_empty(), "the cancelled create left processes: {:?}", s.engine_pids());
    assert_eq!(s.call(&token, "GET", &format!("/v1.0/{{pid}}/clusters/{busy}"), None).0, 404);

    // strato goes on as if new, with the same credentials.
    let fresh = s.create(&token, "after-reset", 1);
    let c = s.wait_available(&token, &fresh);
    assert_eq!(common::psql(&common::endpoints(&c)[0], "SELECT 1").unwrap(), "1");
}

#[test]
fn an_identity_reset_keeps_only_the_admins() {
    let s = Server::start();
    let token = s.token();
    let bob = s.other_user_token("bob");
    assert_eq!(s.http.get(format!("{}/v3/projects", s.iam())).header("x-auth-token", &bob).send().unwrap().status(), 200);
    let (status, report) = s.strato(&token, "POST", "/_strato/reset", Some(json!({"identity": true})));
    assert_eq!((status, report["identity"].as_bool()), (200, Some(true)), "{report}");
    // bob, his project and his token are gone; the admin and everything in endpoints.json stay.
    let deadline = Instant::now() + Duration::from_secs(2);
    while s.http.get(format!("{}/v3/projects", s.iam())).header("x-auth-token", &bob).send().unwrap().status() != 401 {
        assert!(Instant::now() < deadline, "bob's token outlived the reset");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(s.token_for("strato", "bob", "Other-Passw0rd!", "bob-project").status(), 401);
    assert!(!s.admin(&["list"]).contains("bob"));
    assert_eq!(s.call(&token, "GET", "/v1.0/{pid}/clusters", None).0, 200);
    assert_eq!(s.z(&s.api_key(), "GET", "/v2/clusters", None).1["code"], 0);
    assert_eq!(s.token_for(&s.cred("domain"), &s.cred("user"), &s.cred("password"), &s.cred("project")).status(), 201);
}

/// `/metrics` (Prometheus text, no credentials) counts requests and jobs, and
/// shows clusters and nodes as they are; `--log-format json` writes JSON lines.
#[test]
fn metrics_count_requests_and_jobs_and_logs_can_be_json() {
    let s = Server::start_with(&["--min-nodes", "1", "--log-format", "json"], &[]);
    let token = s.token();
    let id = s.create(&token, "measured", 1);
    s.wait_available(&token, &id);
    s.show(&token, &id);
    let resp = s.http.get(format!("{}/metrics", s.iam())).send().unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.headers()["content-type"].to_str().unwrap().starts_with("application/openmetrics-text"));
    let text = resp.text().unwrap();
    let value = |prefix: &str| -> f64 {
        text.lines()
            .find(|l| l.starts_with(prefix))
            .and_then(|l| l.rsplit(' ').next())
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no `{prefix}` in:\n{text}"))
    };
    assert!(value(r#"strato_http_requests_total{listener="dws",operation="GET /v1.0/{pid}/clusters/{cid}",status="200"}"#) >= 1.0);
    assert_eq!(value(r#"strato_http_requests_total{listener="dws",operation="POST /v1.0/{pid}/clusters",status="200"}"#), 1.0);
    assert_eq!(value(r#"strato_jobs_total{kind="create_cluster",outcome="succeeded"}"#), 1.0);
    assert_eq!(value(r#"strato_job_duration_seconds_count{kind="create_cluster"}"#), 1.0);
    assert_eq!(value(r#"strato_clusters{product="dws",lifecycle="running"}"#), 1.0);
    assert_eq!(value(r#"strato_nodes{health="ready"}"#), 1.0);
    assert!(value(r#"strato_store_query_duration_seconds_count{query="cluster_record"}"#) >= 1.0);

    let log = s.log();
    let lines: Vec<Value> = log.lines().filter(|l| !l.trim().is_empty()).map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"))).collect();
    assert!(lines.iter().any(|l| l["fields"]["cluster.id"] == id.as_str()), "no JSON line names the cluster:\n{log}");
}
