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
    assert!(s.engine_pids().len() >= 10);

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
    assert!(value(r#"strato_http_requests_total{listener="dws",operation="ListClusterDetails",status="200"}"#) >= 1.0);
    assert_eq!(value(r#"strato_http_requests_total{listener="dws",operation="CreateCluster",status="200"}"#), 1.0);
    assert!(text.contains(r#"strato_http_requests_total{listener="iam",operation="POST /v3/auth/tokens",status="201"}"#), "{text}");
    assert_eq!(value(r#"strato_jobs_total{kind="create_cluster",outcome="succeeded"}"#), 1.0);
    assert_eq!(value(r#"strato_job_duration_seconds_count{kind="create_cluster"}"#), 1.0);
    assert_eq!(value(r#"strato_clusters{product="dws",lifecycle="running"}"#), 1.0);
    assert_eq!(value(r#"strato_nodes{health="ready"}"#), 1.0);
    assert!(value(r#"strato_store_query_duration_seconds_count{query="cluster_record"}"#) >= 1.0);

    let log = s.log();
    let lines: Vec<Value> = log.lines().filter(|l| !l.trim().is_empty()).map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"))).collect();
    assert!(lines.iter().any(|l| l["fields"]["cluster.id"] == id.as_str()), "no JSON line names the cluster:\n{log}");
}

impl Server {
    /// Arms a fault rule, expecting `status`.
    fn arm(&self, token: &str, rule: Value, status: u16) -> Value {
        let (got, body) = self.strato(token, "POST", "/_strato/faults", Some(rule.clone()));
        assert_eq!(got, status, "arming {rule}: {body}");
        body
    }
}

/// A rule makes a user's retry loop see exactly the configured error (the
/// dialect's envelope, status and code) for its count, then the real answer;
/// other operations, products and projects are untouched; latency is added.
#[test]
fn api_fault_rules_answer_the_configured_error_then_let_requests_through() {
    let s = Server::start();
    let token = s.token();
    let outage = json!({"product": "dws", "operation": "ListClusters", "count": 2,
        "fault": {"type": "api_error", "status": 503, "code": "DWS.0001", "message": "injected outage"}});
    let armed = s.arm(&token, outage, 201);
    assert_eq!((armed["remaining"].as_u64(), armed["fired"].as_u64()), (Some(2), Some(0)), "{armed}");
    // Other operations, products and projects are untouched.
    assert_eq!(s.call(&token, "GET", "/v2/{pid}/clusters", None).0, 200);
    assert_eq!(s.z(&s.api_key(), "GET", "/v2/clusters", None).1["code"], 0);

    let mut seen = Vec::new();
    for _ in 0..5 {
        let resp = s.http.get(format!("{}/v1.0/{}/clusters", s.dws(), s.pid())).header("x-auth-token", &token).send().unwrap();
        let status = resp.status().as_u16();
        let fault = resp.headers().get("x-strato-fault").map(|v| v.to_str().unwrap().to_string());
        let body: Value = resp.json().unwrap();
        if status == 503 {
            assert_eq!(body, json!({"error_code": "DWS.0001", "error_msg": "injected outage"}));
            assert_eq!(fault.as_deref(), armed["id"].as_str());
        }
        seen.push(status);
        if status == 200 {
            break;
        }
    }
    assert_eq!(seen, [503, 503, 200]);
    let (_, list) = s.strato(&token, "GET", "/_strato/faults", None);
    assert_eq!(list["faults"], json!([]), "a spent rule is gone");

    // A rule for another project does not fire for this one.
    s.arm(&token, json!({"product": "dws", "project_id": "someone-else", "fault": {"type": "api_error", "status": 500, "code": "DWS.9999"}}), 201);
    assert_eq!(s.call(&token, "GET", "/v1.0/{pid}/clusters", None).0, 200);
    assert_eq!(s.strato(&token, "DELETE", "/_strato/faults", None).1["removed"], 1);

    // Zilliz's own style: HTTP 200 and a code.
    s.arm(&token, json!({"product": "zilliz", "operation": "ListClusters", "count": 1, "fault": {"type": "api_error", "status": 200, "code": "80001"}}), 201);
    let (status, z) = s.z(&s.api_key(), "GET", "/v2/clusters", None);
    assert_eq!((status, z["code"].as_u64()), (200, Some(80001)), "{z}");

    // Latency, until the rule is deleted.
    let slow = s.arm(&token, json!({"product": "dws", "operation": "ShowClusters", "fault": {"type": "latency", "ms": 600}}), 201);
    let timed = || {
        let t = Instant::now();
        assert_eq!(s.call(&token, "GET", "/v2/{pid}/clusters", None).0, 200);
        t.elapsed()
    };
    assert!(timed() >= Duration::from_millis(600));
    let id = slow["id"].as_str().unwrap();
    assert_eq!(s.strato(&token, "DELETE", &format!("/_strato/faults/{id}"), None).0, 204);
    assert_eq!(s.strato(&token, "DELETE", &format!("/_strato/faults/{id}"), None).0, 404);
    assert!(timed() < Duration::from_millis(600));

    // Bad rules are refused in Keystone's envelope and arm nothing; only admins arm rules.
    for bad in [json!({"product": "dws", "fault": {"type": "api_error", "status": 302, "code": "X"}}),
                json!({"product": "dws", "fault": {"type": "kill_node"}}),
                json!({"product": "nope", "fault": {"type": "latency", "ms": 1}}),
                json!({"product": "dws", "fault": "latency"})] {
        let body = s.arm(&token, bad, 400);
        assert!(body["error"]["message"].as_str().unwrap().starts_with("invalid fault rule"), "{body}");
    }
    let bob = s.other_user_token("bob");
    s.arm(&bob, json!({"product": "dws", "fault": {"type": "latency", "ms": 1}}), 403);
    assert_eq!(s.strato(&token, "GET", "/_strato/faults", None).1["faults"], json!([]));

    let text = s.http.get(format!("{}/metrics", s.iam())).send().unwrap().text().unwrap();
    assert!(text.contains(r#"strato_injected_faults_total{product="dws",operation="ListClusters",fault="api_error"} 2"#), "{text}");
}

/// A step-failure rule fails the job it matches with the configured code and
/// reason; a killed node is repaired by the health loop like any crash; a
/// frozen node stops answering for its window, then answers again, unrepaired.
#[test]
fn step_failures_fail_the_job_and_killed_or_frozen_nodes_come_back() {
    let s = Server::start_with(&["--min-nodes", "1"], &[]);
    let token = s.token();
    let id = s.create(&token, "faulty", 1);
    let c = s.wait_available(&token, &id);
    let endpoint = common::endpoints(&c)[0].clone();

    s.arm(&token, json!({"product": "dws", "operation": "RestartCluster", "cluster_id": id, "count": 1,
        "fault": {"type": "step_failure", "code": "DWS.6002", "reason": "injected: the disk went away"}}), 201);
    assert_eq!(s.call(&token, "POST", &format!("/v1.0/{{pid}}/clusters/{id}/restart"), Some(json!({"restart": {}}))).0, 200);
    // The provider's restart wait reads REBOOT_FAILURE as the failure.
    let c = s.wait_until(&token, &id, Duration::from_secs(60), |c| !c["failed_reasons"].is_null() && c["task_status"] == "REBOOT_FAILURE");
    assert_eq!(c["failed_reasons"], json!({"error_code": "DWS.6002", "error_msg": "injected: the disk went away"}), "{c}");
    // Spent: the next restart runs for real.
    let before = common::node_pid(&s.data_dir(), &id, 0);
    assert_eq!(s.call(&token, "POST", &format!("/v1.0/{{pid}}/clusters/{id}/restart"), Some(json!({"restart": {}}))).0, 200);
    s.wait_until(&token, &id, Duration::from_secs(60), |c| c["status"] == "AVAILABLE" && c["task_status"].is_null());
    let pid = common::node_pid(&s.data_dir(), &id, 0);
    assert_ne!(pid, before, "the second restart restarted the node");

    // Killed: the health loop notices and repairs it (a new postmaster).
    let killed = s.arm(&token, json!({"product": "dws", "cluster_id": id, "fault": {"type": "kill_node", "node": 0}}), 200);
    assert_eq!(killed["fired"], 1, "{killed}");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let now = std::fs::read_to_string(s.data_dir().join(format!("clusters/{id}/node-0/postmaster.pid"))).ok();
        let repaired = now.and_then(|t| t.lines().next().and_then(|l| l.trim().parse::<i32>().ok())).is_some_and(|p| p != pid);
        if repaired && common::psql(&endpoint, "SELECT 1").is_ok() {
            break;
        }
        assert!(Instant::now() < deadline, "the killed node was not repaired:\n{}", s.log());
        std::thread::sleep(Duration::from_millis(200));
    }
    let c = s.wait_available(&token, &id);
    assert!(c["recent_event"].as_u64().unwrap() > 0);

    // Frozen for 3 s: alive, answering nothing, shown as not ready; then back, the same process.
    let pid = common::node_pid(&s.data_dir(), &id, 0);
    s.arm(&token, json!({"product": "dws", "cluster_id": id, "fault": {"type": "freeze_node", "seconds": 3}}), 200);
    let frozen_at = Instant::now();
    let c = s.show(&token, &id);
    assert_eq!(c["nodes"][0]["status"], "100", "a frozen node is not ready: {c}");
    let (host, port) = endpoint.split_once(':').unwrap();
    let refused = std::process::Command::new("psql")
        .args(["-X", "-A", "-t", "-h", host, "-p", port, "-U", "dbadmin", "-d", "gaussdb", "-c", "SELECT 1"])
        .env("PGPASSWORD", common::PASSWORD)
        .env("PGCONNECT_TIMEOUT", "1")
        .output()
        .unwrap();
    assert!(!refused.status.success() && frozen_at.elapsed() < Duration::from_secs(3), "a frozen node answered");
    let deadline = Instant::now() + Duration::from_secs(30);
    while common::psql(&endpoint, "SELECT 1").is_err() {
        assert!(Instant::now() < deadline, "the frozen node never answered again");
        std::thread::sleep(Duration::from_millis(200));
    }
    assert!(frozen_at.elapsed() >= Duration::from_secs(3));
    assert_eq!(common::node_pid(&s.data_dir(), &id, 0), pid, "a freeze is not a crash: nothing was repaired");
    s.wait_available(&token, &id);
    // Nothing to act on: refused, nothing armed.
    let body = s.arm(&token, json!({"product": "dws", "cluster_id": id, "fault": {"type": "kill_node", "node": 5}}), 409);
    assert!(body["error"]["message"].as_str().unwrap().contains("no node 5"), "{body}");
    let body = s.arm(&token, json!({"product": "css", "cluster_id": id, "fault": {"type": "kill_node"}}), 409);
    assert!(body["error"]["message"].as_str().unwrap().contains("does not exist"), "{body}");
}

/// `--init-dir`: once every listener answers, the scripts run in name order
/// with the endpoints and credentials in their environment; a failing one is
/// logged and the next runs; a hung one is killed at the timeout; files that
/// are neither executable nor `.sh` are skipped; `/_strato/info` tells.
#[test]
fn init_scripts_run_in_order_once_the_listeners_are_ready() {
    use std::os::unix::fs::PermissionsExt;
    let init = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str, mode: u32| {
        let p = init.path().join(name);
        std::fs::write(&p, text).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).unwrap();
    };
    write("01-listeners.sh", r#"
for url in "$STRATO_IAM_URL/v3" "$STRATO_DWS_URL" "$STRATO_ZILLIZ_URL" "$STRATO_CSS_URL" "$STRATO_ALIYUN_URL"; do
  curl -s -o /dev/null -w '%{http_code}\n' "$url" >> answers
done
body='{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"'$STRATO_USER'","password":"'$STRATO_PASSWORD'","domain":{"name":"'$STRATO_DOMAIN'"}}}},"scope":{"project":{"id":"'$STRATO_PROJECT_ID'"}}}}'
token=$(curl -s -D - -o /dev/null -H 'Content-Type: application/json' -d "$body" "$STRATO_IAM_URL/v3/auth/tokens" | tr -d '\r' | awk -F': ' 'tolower($1)=="x-subject-token"{print $2}')
curl -s -o /dev/null -w 'list %{http_code}\n' -H "X-Auth-Token: $token" "$STRATO_DWS_URL/v1.0/$STRATO_PROJECT_ID/clusters" >> answers
echo first >> order
"#, 0o644);
    write("02-fails", "#!/bin/sh\necho second >> order\nexit 3\n", 0o755);
    write("03-hangs.sh", "echo third >> order\nsleep 120\n", 0o644);
    write("04-after.sh", "echo fourth >> order\n", 0o644);
    write("README.txt", "not a script\n", 0o644);
    let dir = init.path().to_str().unwrap();
    let s = Server::start_with(&["--init-dir", dir, "--init-timeout-secs", "2"], &[]);
    let token = s.token();
    let deadline = Instant::now() + Duration::from_secs(30);
    let report = loop {
        let (_, info) = s.strato(&token, "GET", "/_strato/info", None);
        if info["init"]["done"] == true {
            break info["init"].clone();
        }
        assert!(Instant::now() < deadline, "init scripts did not finish: {info}\n{}", s.log());
        std::thread::sleep(Duration::from_millis(100));
    };
    let states: Vec<(String, String, Value)> = report["scripts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["name"].as_str().unwrap().into(), r["state"].as_str().unwrap().into(), r["exit_code"].clone()))
        .collect();
    assert_eq!(
        states,
        [
            ("01-listeners.sh".into(), "succeeded".into(), json!(0)),
            ("02-fails".into(), "failed".into(), json!(3)),
            ("03-hangs.sh".into(), "timed_out".into(), Value::Null),
            ("04-after.sh".into(), "succeeded".into(), json!(0)),
            ("README.txt".into(), "skipped".into(), Value::Null),
        ]
    );
    let read = |f: &str| std::fs::read_to_string(init.path().join(f)).unwrap();
    assert_eq!(read("order"), "first\nsecond\nthird\nfourth\n");
    let answers = read("answers");
    assert!(answers.lines().take(5).all(|code| code != "000"), "a listener was not ready:\n{answers}");
    assert!(answers.contains("list 200"), "the credentials in the environment work:\n{answers}");
    assert!(s.log().contains("init script timed out"), "{}", s.log());
}
