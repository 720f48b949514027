//! DWS scale out (`resize`) and scale in (`cluster-shrink`) as the Terraform
//! providers drive them (AUTOMATION.md §1a): the call, then
//! `waitClusterTaskStateCompleted` (pending while `task_status` contains
//! `ING`, done when it is empty and the cluster `AVAILABLE`, any other value
//! an error). Real PostgreSQL nodes: new standbys stream and hold the data,
//! retired ones leave no process and no file; kill -9 mid-change finishes.
//! The cluster of the first test is made with the v2 create.

mod common;

use std::time::{Duration, Instant};

use common::{endpoints, node_pid, process_runs, psql, wait_task_completed, Server};
use serde_json::{json, Value};

fn resize(s: &Server, token: &str, id: &str, count: Value) -> (u16, Value) {
    s.call(token, "POST", &format!("/v1.0/{{pid}}/clusters/{id}/resize"), Some(json!({"scale_out": {"count": count}})))
}

fn shrink(s: &Server, token: &str, id: &str, n: Value) -> (u16, Value) {
    let body = json!({"shrink_number": n, "force_backup": false, "type": "dws"});
    s.call(token, "POST", &format!("/v1.0/{{pid}}/clusters/{id}/cluster-shrink"), Some(body))
}

fn streaming(primary: &str) -> usize {
    psql(primary, "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'").unwrap().trim().parse().unwrap()
}

fn node_dir(s: &Server, id: &str, n: u32) -> std::path::PathBuf {
    s.dir.path().join(format!("clusters/{id}/node-{n}"))
}

#[test]
fn scale_out_then_in_as_the_provider_waits_with_the_data_kept() {
    // Each new standby's clone is slowed a little, so the task is seen running.
    let s = Server::start_with(&[], &[("STRATO_SLOW_STEP", "change_cluster:0:300")]);
    let t = s.token();
    // The huaweicloud provider creates through v2 when `version` is set; `db_name` is the administrator.
    let v2 = json!({"cluster": {"name": "scaled", "flavor": "dws.d1.xlarge", "num_node": 3, "db_name": "dbadmin",
        "db_password": common::PASSWORD, "db_port": 8000, "availability_zones": ["eu-de-01"], "vpc_id": "v", "subnet_id": "s",
        "security_group_id": "g", "datastore_version": "8.1.3.110", "volume": {"volume": "SSD", "capacity": 100}}});
    let (st, created) = s.call(&t, "POST", "/v2/{pid}/clusters", Some(v2));
    assert_eq!(st, 200, "{created}");
    let id = created["cluster"]["id"].as_str().unwrap().to_string();
    let c = s.wait_available(&t, &id);
    assert_eq!(c["availability_zone"], "eu-de-01");
    assert_eq!(c["volume"], json!({"volume": "SSD", "capacity": 100}), "the v2 volume is recorded");
    let expand = format!("/v1.0/{{pid}}/clusters/{id}/expand-instance-storage");
    let (st, v) = s.call(&t, "POST", &expand, Some(json!({"new_size": 100})));
    assert_eq!((st, v["error_code"].as_str()), (400, Some("DWS.5038")), "it must grow: {v}");
    assert_eq!(s.call(&t, "POST", &expand, Some(json!({"new_size": 200}))).0, 200);
    assert_eq!(s.show(&t, &id)["volume"]["capacity"], 200);
    let eps = endpoints(&c);
    psql(&eps[0], "CREATE TABLE kept(x int); INSERT INTO kept SELECT generate_series(1, 1000)").unwrap();

    let (st, v) = resize(&s, &t, &id, json!(2));
    assert_eq!((st, v.clone()), (200, json!({})), "{v}");
    // A second change while one runs is refused, and changes nothing.
    let (st, v) = resize(&s, &t, &id, json!(1));
    assert_eq!((st, v["error_code"].as_str()), (409, Some("DWS.5090")), "{v}");
    let (c, seen) = wait_task_completed(&s, &t, &id);
    assert_eq!(seen, ["GROWING"], "{c}");
    assert_eq!(c["number_of_node"], 5, "{c}");
    assert!(c["resize_info"].is_null() && c["failed_reasons"].is_null(), "{c}");
    let eps = endpoints(&c);
    assert_eq!(eps.len(), 5);
    assert_eq!(streaming(&eps[0]), 4, "every standby streams from the primary");
    for ep in &eps[3..] {
        assert_eq!(psql(ep, "SELECT count(*) FROM kept").unwrap().trim(), "1000", "new standby {ep} holds the data");
    }
    let retired: Vec<i32> = (3..5).map(|n| node_pid(s.dir.path(), &id, n)).collect();

    // Below the minimum (3) is refused with nothing changed; so is nothing at all.
    let (st, v) = shrink(&s, &t, &id, json!(3));
    assert_eq!((st, v["error_code"].as_str()), (400, Some("DWS.5091")), "{v}");
    let (st, v) = shrink(&s, &t, &id, json!(0));
    assert_eq!((st, v["error_code"].as_str()), (400, Some("DWS.5091")), "{v}");
    let (st, v) = shrink(&s, &t, &id, json!("2"));
    assert_eq!((st, v["error_code"].as_str()), (400, Some("DWS.0004")), "{v}");
    assert_eq!(s.show(&t, &id)["number_of_node"], 5);

    let (st, v) = shrink(&s, &t, &id, json!(2));
    assert_eq!(st, 202, "{v}");
    assert!(v["job_id"].is_string(), "the provider takes a 202 with a job_id: {v}");
    let (c, _) = wait_task_completed(&s, &t, &id);
    assert_eq!(c["number_of_node"], 3, "{c}");
    let eps = endpoints(&c);
    assert_eq!(eps.len(), 3);
    assert_eq!(streaming(&eps[0]), 2);
    assert_eq!(psql(&eps[2], "SELECT count(*) FROM kept").unwrap().trim(), "1000");
    for (n, pid) in (3..5).zip(&retired) {
        assert!(!process_runs(*pid), "retired node {n}'s postmaster {pid} still runs");
        assert!(!node_dir(&s, &id, n).exists(), "retired node {n}'s files remain");
    }
    let (st, job) = s.call(&t, "GET", &format!("/v1.0/{{pid}}/job/{}", v["job_id"].as_str().unwrap()), None);
    assert_eq!((st, job["status"].as_str()), (200, Some("SUCCESS")), "{job}");
}

#[test]
fn kill9_mid_scale_out_and_mid_scale_in_then_the_change_finishes() {
    // Step 0 of a 3 → 5 change is AddNode(3): abort right after it, before the commit.
    let mut s = Server::start_with(&[], &[("STRATO_CRASH_AFTER_STEP", "change_cluster:0")]);
    let t = s.token();
    let id = s.create(&t, "crashing", 3);
    s.wait_available(&t, &id);
    assert_eq!(resize(&s, &t, &id, json!(2)).0, 200);
    assert!(!s.wait_exit(Duration::from_secs(90)).success(), "the crash point did not fire");
    s.spawn(&[], &[]);
    let t = s.token();
    let (c, _) = wait_task_completed(&s, &t, &id);
    assert_eq!(c["number_of_node"], 5, "{c}");
    assert_eq!(streaming(&endpoints(&c)[0]), 4);
    let postmasters: Vec<i32> = (0..5).map(|n| node_pid(s.dir.path(), &id, n)).collect();
    let mut distinct = postmasters.clone();
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(distinct.len(), 5, "one postmaster per node: {postmasters:?}");

    // Step 1 of a 5 → 3 change is RetireNode(4): abort after it.
    s.kill9();
    s.spawn(&[], &[("STRATO_CRASH_AFTER_STEP", "change_cluster:1")]);
    let t = s.token();
    s.wait_available(&t, &id);
    assert_eq!(shrink(&s, &t, &id, json!(2)).0, 202);
    assert!(!s.wait_exit(Duration::from_secs(90)).success(), "the crash point did not fire");
    s.spawn(&[], &[]);
    let t = s.token();
    let (c, _) = wait_task_completed(&s, &t, &id);
    assert_eq!(c["number_of_node"], 3, "{c}");
    for (n, pid) in (3..5).zip(&postmasters[3..]) {
        assert!(!process_runs(*pid), "node {n} ({pid}) still runs");
        assert!(!node_dir(&s, &id, n).exists(), "node {n}'s files remain");
    }
    for n in 0..3 {
        assert!(process_runs(node_pid(s.dir.path(), &id, n)), "node {n} runs");
    }
}

#[test]
fn a_failed_scale_out_retires_what_it_added_and_says_resize_failure() {
    let s = Server::start();
    let t = s.token();
    let id = s.create(&t, "failing", 3);
    s.wait_available(&t, &id);
    // The second new standby's step fails (a fault rule), as a broken clone would.
    let admin = s.token();
    let rule = json!({"product": "dws", "operation": "ResizeCluster", "cluster_id": id,
                      "fault": {"type": "step_failure", "step": 1, "reason": "disk full"}});
    let r = reqwest::blocking::Client::new()
        .post(format!("{}/_strato/faults", s.iam()))
        .header("x-auth-token", &admin)
        .json(&rule)
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 201, "{}", r.text().unwrap());
    // Through the CLI: `--wait` ends with the failure, not a hang.
    let out = s.run_cli(&["cluster", "resize", &id, "--count", "2", "--wait"], &[]);
    assert!(!out.status.success(), "the CLI said the failed resize succeeded");
    assert!(String::from_utf8_lossy(&out.stderr).contains("RESIZE_FAILURE"), "{}", String::from_utf8_lossy(&out.stderr));
    let c = s.wait_until(&t, &id, Duration::from_secs(90), |c| c["task_status"] == "RESIZE_FAILURE");
    assert_eq!(c["number_of_node"], 3, "{c}");
    assert_eq!(endpoints(&c).len(), 3, "the node it added was retired: {c}");
    assert!(c["failed_reasons"]["error_msg"].as_str().unwrap().contains("disk full"), "{c}");
    assert!(!node_dir(&s, &id, 3).exists(), "the added node's files remain");
    assert_eq!(streaming(&endpoints(&c)[0]), 2);
    // The next task clears it.
    let (st, _) = s.call(&t, "POST", &format!("/v1.0/{{pid}}/clusters/{id}/restart"), Some(json!({"restart": {}})));
    assert_eq!(st, 200);
    let (c, _) = wait_task_completed(&s, &t, &id);
    assert!(c["failed_reasons"].is_null(), "{c}");
}

fn psql_as(endpoint: &str, password: &str) -> Result<String, String> {
    common::psql_with(endpoint, password, "SELECT current_user")
}

/// `reset-password`: the administrator's password changes in PostgreSQL, on
/// the primary and (replayed) on the standbys; the old one is refused; the
/// create's rules apply; kill -9 right after the change was accepted and the
/// job still finishes; the password never reaches the log.
#[test]
fn reset_password_changes_the_administrator_s_password_in_postgresql() {
    const NEW: &str = "Reset-Passw0rd#2";
    let mut s = Server::start_with(&["--min-nodes", "2"], &[]);
    let t = s.token();
    let id = s.create(&t, "resetting", 2);
    let c = s.wait_available(&t, &id);
    let eps = endpoints(&c);
    let path = format!("/v1.0/{{pid}}/clusters/{id}/reset-password");
    for (body, code) in [
        (json!({"new_password": "short1!A"}), "DWS.5013"),
        (json!({"new_password": "alllowercaseletters"}), "DWS.5013"),
        (json!({"new_password": 12345678901234_i64}), "DWS.0004"),
        (json!({}), "DWS.0004"),
    ] {
        let (st, v) = s.call(&t, "POST", &path, Some(body.clone()));
        assert_eq!((st, v["error_code"].as_str()), (400, Some(code)), "{body}: {v}");
    }
    assert_eq!(psql_as(&eps[0], common::PASSWORD).unwrap(), "dbadmin", "a refused reset changed the password");

    let out = s.run_cli(&["cluster", "reset-password", &id], &[("STRATO_NEW_CLUSTER_PASSWORD", NEW)]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    s.kill9();
    s.spawn(&[], &[]);
    let t = s.token();
    s.wait_available(&t, &id);
    let deadline = Instant::now() + Duration::from_secs(30);
    while psql_as(&eps[0], NEW).is_err() {
        assert!(Instant::now() < deadline, "the new password never worked: {}", s.log());
        std::thread::sleep(Duration::from_millis(100));
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    while psql_as(&eps[1], NEW).is_err() {
        assert!(Instant::now() < deadline, "the standby never replayed the new password");
        std::thread::sleep(Duration::from_millis(100));
    }
    for ep in &eps {
        let refused = psql_as(ep, common::PASSWORD).unwrap_err();
        assert!(refused.contains("password authentication failed"), "{ep}: {refused}");
    }
    assert!(!s.log().contains(NEW), "the password reached the log");
    let pg_logs = walk(s.dir.path());
    assert!(!pg_logs.iter().any(|text| text.contains(NEW)), "the password reached a file in the data directory");
}

/// Every readable text file under `dir` (PostgreSQL logs, configuration, the store's WAL is binary but searched too).
fn walk(dir: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else { return out };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else if let Ok(bytes) = std::fs::read(&p) {
            out.push(String::from_utf8_lossy(&bytes).into_owned());
        }
    }
    out
}
