//! The Zilliz v2 dialect against a real server running real Milvus processes.

mod common;

use std::time::Duration;

use common::zilliz::{milvus_or_skip, Milvus};
use common::Server;
use serde_json::json;

const MINUTE: Duration = Duration::from_secs(60);

fn gomaxprocs(pid: i32) -> Option<String> {
    let env = std::fs::read(format!("/proc/{pid}/environ")).ok()?;
    env.split(|b| *b == 0)
        .filter_map(|kv| std::str::from_utf8(kv).ok())
        .find_map(|kv| kv.strip_prefix("GOMAXPROCS=").map(str::to_string))
}

fn milvus_pids(s: &Server) -> Vec<i32> {
    s.engine_pids()
        .into_iter()
        .filter(|p| std::fs::read_to_string(format!("/proc/{p}/comm")).is_ok_and(|c| c.trim() == "milvus"))
        .collect()
}

#[test]
fn create_suspend_resume_modify_drop_on_real_milvus() {
    if !milvus_or_skip() {
        return;
    }
    let s = Server::start();
    let key = s.api_key();
    let made = s.create_vector(&key, "vec-life", 1);
    let id = made["clusterId"].as_str().unwrap().to_string();
    assert!(id.starts_with("in01-"), "{made}");
    assert_eq!(made["username"], "db_admin");
    let password = made["password"].as_str().unwrap().to_string();
    assert!(password.len() >= 8, "{made}");

    let mut seen = Vec::new();
    let d = s.wait_status(&key, &id, 2 * MINUTE, &mut seen, |d| d["status"] == "RUNNING");
    assert_eq!(seen.first().map(String::as_str), Some("CREATING"), "{seen:?}");
    assert_eq!(d["createProgress"], 100);
    assert_eq!((d["cuSize"].as_u64(), d["plan"].as_str(), d["regionId"].as_str()), (Some(1), Some("Standard"), Some("aws-us-west-2")));
    let connect = d["connectAddress"].as_str().unwrap().to_string();
    assert!(connect.starts_with("http://"), "{d}");

    // The connect address serves Milvus, which knows the returned credentials and nothing else.
    let db = Milvus::new(&connect, "db_admin", &password);
    let ids = db.seed("before_suspend", 5);
    assert_eq!(ids.len(), 5);
    assert_eq!(db.wait_count("before_suspend", 5, MINUTE), 5);
    assert!(Milvus::new(&connect, "root", "Milvus").call("GET", "/v1/vector/collections", None).is_err(), "root's default password must not work");
    assert!(Milvus::new(&connect, "db_admin", "wrong-password").call("GET", "/v1/vector/collections", None).is_err());
    let pids = milvus_pids(&s);
    assert_eq!(pids.len(), 1, "one Milvus process per cluster: {pids:?}");
    assert_eq!(gomaxprocs(pids[0]).as_deref(), Some("1"), "1 CU runs on one CPU");

    // Suspend: STOPPING, then STOPPED with no process left.
    let ack = s.z_ok(&key, "POST", &format!("/v2/clusters/{id}/suspend"), None);
    assert_eq!(ack["clusterId"], id.as_str());
    let mut seen = Vec::new();
    s.wait_status(&key, &id, MINUTE, &mut seen, |d| d["status"] == "STOPPED");
    assert!(milvus_pids(&s).is_empty(), "suspended cluster still has processes");
    assert!(db.call("GET", "/v1/vector/collections", None).is_err(), "a suspended cluster must not answer");

    // Resume exactly as the seed: POST, {"code":0,"data":{"clusterId","prompt"}}.
    let (status, body) = s.z(&key, "POST", &format!("/v2/clusters/{id}/resume"), None);
    assert_eq!(status, 200);
    assert_eq!(body["code"], 0);
    assert_eq!(body["data"]["clusterId"], id.as_str());
    assert!(body["data"]["prompt"].as_str().unwrap().contains("resumed"), "{body}");
    let mut seen = Vec::new();
    s.wait_status(&key, &id, 2 * MINUTE, &mut seen, |d| d["status"] == "RUNNING");
    assert!(seen.iter().any(|st| st == "RESUMING"), "resume never showed RESUMING: {seen:?}");
    assert_eq!(db.wait_count("before_suspend", 5, MINUTE), 5, "data written before suspend is gone after resume");

    // Modify: MODIFYING, then RUNNING on two CPUs with the data intact.
    s.z_ok(&key, "POST", &format!("/v2/clusters/{id}/modify"), Some(json!({"cuSize": 2})));
    let mut seen = Vec::new();
    let d = s.wait_status(&key, &id, 2 * MINUTE, &mut seen, |d| d["status"] == "RUNNING" && d["cuSize"] == 2);
    assert!(seen.iter().any(|st| st == "MODIFYING"), "{seen:?}");
    assert_eq!(d["cuSize"], 2);
    let pids = milvus_pids(&s);
    assert_eq!(pids.len(), 1);
    let cpus = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).min(2).to_string();
    assert_eq!(gomaxprocs(pids[0]), Some(cpus), "a resize changes the process's CPUs");
    assert_eq!(db.wait_count("before_suspend", 5, MINUTE), 5);

    // Drop: DELETING, then gone, with no process and no file left.
    s.z_ok(&key, "DELETE", &format!("/v2/clusters/{id}/drop"), None);
    let deadline = std::time::Instant::now() + MINUTE;
    loop {
        let (_, v) = s.z(&key, "GET", &format!("/v2/clusters/{id}"), None);
        if v["code"] == 96018 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "not dropped: {v}");
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(milvus_pids(&s).is_empty());
    assert!(!s.data_dir().join("clusters").read_dir().unwrap().any(|_| true), "files left behind");
}

#[test]
fn refusals_change_nothing() {
    if !milvus_or_skip() {
        return;
    }
    // The suspend's stop step is held for 3 s, so that operations sent meanwhile surely meet it running.
    let s = Server::start_with(&[], &[("STRATO_SLOW_STEP", "stop_cluster:0:3000")]);
    let key = s.api_key();
    let code = |r: (u16, serde_json::Value)| (r.0, r.1["code"].as_u64().unwrap_or(0));

    // Authentication: missing, malformed and unknown keys.
    assert_eq!(code(s.z("nope", "GET", "/v2/clusters", None)), (401, 21119));
    let resp = s.http.get(format!("{}/v2/clusters", s.zilliz())).send().unwrap();
    assert_eq!(resp.status(), 401);
    assert_eq!(resp.json::<serde_json::Value>().unwrap()["code"], 21119);

    // Validation: nothing is created.
    let base = json!({"clusterName": "v-ok", "projectId": s.pid(), "regionId": "aws-us-west-2", "plan": "Standard",
                      "cuType": "Performance-optimized", "cuSize": 1});
    let cases = [
        ("clusterName", json!("bad name!"), 96010),
        ("regionId", json!("mars-1"), 96001),
        ("plan", json!("Gold"), 96004),
        ("cuType", json!("Fast"), 96003),
        ("cuSize", json!(0), 96002),
        ("cuSize", json!(257), 96002),
        ("projectId", json!("proj-someone-else"), 96012),
    ];
    for (field, value, want) in cases {
        let mut body = base.clone();
        body[field] = value.clone();
        assert_eq!(code(s.z(&key, "POST", "/v2/clusters/createDedicated", Some(body))), (200, want), "{field}={value}");
    }
    let list = s.z_ok(&key, "GET", "/v2/clusters", None);
    assert_eq!(list["count"], 0, "a refused create left something: {list}");

    // Pagination bounds.
    for (q, want) in [("pageSize=0", 96008), ("pageSize=101", 96008), ("pageSize=x", 96008), ("currentPage=0", 96009)] {
        assert_eq!(code(s.z(&key, "GET", &format!("/v2/clusters?{q}"), None)), (200, want), "{q}");
    }
    // Ids.
    assert_eq!(code(s.z(&key, "GET", "/v2/clusters/not-an-id", None)).1, 96036);
    assert_eq!(code(s.z(&key, "GET", &format!("/v2/clusters/in01-{}", uuid::Uuid::new_v4().simple()), None)).1, 96018);

    // State conflicts on a real cluster.
    let id = s.create_vector(&key, "vec-refuse", 1)["clusterId"].as_str().unwrap().to_string();
    assert_eq!(code(s.z(&key, "POST", &format!("/v2/clusters/{id}/suspend"), None)).1, 96902, "suspend while CREATING");
    let mut seen = Vec::new();
    s.wait_status(&key, &id, 2 * MINUTE, &mut seen, |d| d["status"] == "RUNNING");
    assert_eq!(code(s.z(&key, "POST", &format!("/v2/clusters/{id}/resume"), None)).1, 96902, "resume a RUNNING cluster");
    assert_eq!(code(s.z(&key, "POST", &format!("/v2/clusters/{id}/modify"), Some(json!({"cuSize": 0})))).1, 96002);
    assert_eq!(code(s.create_vector_raw(&key, "vec-refuse", 1)).1, 40013);
    s.z_ok(&key, "POST", &format!("/v2/clusters/{id}/suspend"), None);
    // While it is suspending (its stop step held for 3 s), every other operation is refused.
    for (m, op, body) in [("POST", "suspend", None), ("POST", "resume", None), ("POST", "modify", Some(json!({"cuSize": 2}))), ("DELETE", "drop", None)] {
        assert_eq!(s.describe(&key, &id)["status"], "STOPPING");
        assert_eq!(code(s.z(&key, m, &format!("/v2/clusters/{id}/{op}"), body)).1, 96902, "{op} while suspending");
    }
    s.wait_status(&key, &id, MINUTE, &mut seen, |d| d["status"] == "STOPPED");
    assert_eq!(code(s.z(&key, "POST", &format!("/v2/clusters/{id}/suspend"), None)).1, 96902, "suspend a STOPPED cluster");
    assert_eq!(code(s.z(&key, "POST", &format!("/v2/clusters/{id}/modify"), Some(json!({"cuSize": 2})))).1, 96902);
    s.z_ok(&key, "POST", &format!("/v2/clusters/{id}/resume"), None);
    assert_eq!(code(s.z(&key, "POST", &format!("/v2/clusters/{id}/suspend"), None)).1, 96902, "suspend while RESUMING");
    let d = s.wait_status(&key, &id, 2 * MINUTE, &mut seen, |d| d["status"] == "RUNNING");
    assert_eq!(d["cuSize"], 1, "a refused modify changed the size");

    // Free and serverless clusters cannot be suspended or resized.
    for (path, name, want) in [("createFree", "vec-free", 96021), ("createServerless", "vec-sls", 96022)] {
        let made = s.z_ok(&key, "POST", &format!("/v2/clusters/{path}"), Some(json!({"clusterName": name, "projectId": s.pid(), "regionId": "aws-us-west-2"})));
        let fid = made["clusterId"].as_str().unwrap();
        assert_eq!(code(s.z(&key, "POST", &format!("/v2/clusters/{fid}/suspend"), None)).1, want, "{path}");
        assert_eq!(code(s.z(&key, "POST", &format!("/v2/clusters/{fid}/modify"), Some(json!({"cuSize": 2})))).1, want);
        let d = s.describe(&key, fid);
        assert_eq!(d["plan"], if want == 96021 { "Free" } else { "Serverless" });
    }

    // Another project's key sees none of it.
    s.admin(&["project-create", "--domain", "strato", "other"]);
    s.admin(&["assign", "--domain", "strato", "--user", "admin", "--project", "other"]);
    let out = s.admin(&["apikey-create", "--domain", "strato", "--user", "admin", "--project", "other"]);
    let other = out.lines().find_map(|l| l.strip_prefix("api_key ")).unwrap().trim().to_string();
    assert_eq!(code(s.z(&other, "GET", &format!("/v2/clusters/{id}"), None)).1, 96018);
    assert_eq!(code(s.z(&other, "POST", &format!("/v2/clusters/{id}/suspend"), None)).1, 96018);
    assert_eq!(s.z_ok(&other, "GET", "/v2/clusters", None)["count"], 0);

    // Pagination over real clusters: three of them, two per page.
    let page = |n: u32| s.z_ok(&key, "GET", &format!("/v2/clusters?pageSize=2&currentPage={n}"), None);
    assert_eq!((page(1)["count"].as_u64(), page(1)["clusters"].as_array().unwrap().len()), (Some(3), 2));
    assert_eq!(page(2)["clusters"].as_array().unwrap().len(), 1);
    assert_eq!(page(3)["clusters"].as_array().unwrap().len(), 0);
}

#[test]
fn kill_9_during_resume_then_restart_completes_it() {
    if !milvus_or_skip() {
        return;
    }
    let mut s = Server::start();
    let key = s.api_key();
    let made = s.create_vector(&key, "vec-crash", 1);
    let id = made["clusterId"].as_str().unwrap().to_string();
    let password = made["password"].as_str().unwrap().to_string();
    let mut seen = Vec::new();
    let d = s.wait_status(&key, &id, 2 * MINUTE, &mut seen, |d| d["status"] == "RUNNING");
    let db = Milvus::new(d["connectAddress"].as_str().unwrap(), "db_admin", &password);
    db.seed("kept", 3);
    assert_eq!(db.wait_count("kept", 3, MINUTE), 3);
    s.z_ok(&key, "POST", &format!("/v2/clusters/{id}/suspend"), None);
    s.wait_status(&key, &id, MINUTE, &mut seen, |d| d["status"] == "STOPPED");

    // Restart with a crash point: the resume's start step runs, then strato aborts before committing it.
    s.kill9();
    s.spawn(&[], &[("STRATO_CRASH_AFTER_STEP", "start_cluster:0")]);
    s.z_ok(&key, "POST", &format!("/v2/clusters/{id}/resume"), None);
    let status = s.wait_exit(2 * MINUTE);
    assert!(!status.success(), "the crash point did not fire");
    s.spawn(&[], &[]);
    let mut seen = Vec::new();
    s.wait_status(&key, &id, 2 * MINUTE, &mut seen, |d| d["status"] == "RUNNING");
    assert_eq!(milvus_pids(&s).len(), 1, "the restarted job adopted the process, not a second one");
    assert_eq!(db.wait_count("kept", 3, MINUTE), 3, "data lost across the crash");

    // Milvus dying behind strato's back: ABNORMAL, then repaired by the health loop.
    let pid = milvus_pids(&s)[0];
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), nix::sys::signal::Signal::SIGKILL).unwrap();
    let mut seen = Vec::new();
    // Reported within a health interval (the health loop owns observation), then repaired.
    s.wait_status(&key, &id, MINUTE, &mut seen, |d| d["status"] == "ABNORMAL");
    s.wait_status(&key, &id, 2 * MINUTE, &mut seen, |d| d["status"] == "RUNNING" && !milvus_pids(&s).contains(&pid));
    assert!(seen.iter().any(|st| st == "ABNORMAL"), "a dead Milvus was never reported: {seen:?}");
    assert_eq!(db.wait_count("kept", 3, MINUTE), 3, "data lost after the repair");
}

#[test]
fn creating_without_milvus_installed_says_how_to_install_it() {
    let s = Server::start_with(&["--milvus-bin-dir", "/nonexistent/milvus/bin"], &[]);
    let key = s.api_key();
    let (status, v) = s.z(
        &key,
        "POST",
        "/v2/clusters/createDedicated",
        Some(json!({"clusterName": "v1", "projectId": s.pid(), "regionId": "aws-us-west-2", "plan": "Standard",
                    "cuType": "Performance-optimized", "cuSize": 1})),
    );
    assert_eq!((status, v["code"].as_u64()), (503, Some(96900)), "{v}");
    assert!(v["message"].as_str().unwrap().contains("scripts/install-milvus"), "{v}");
    assert_eq!(s.z_ok(&key, "GET", "/v2/clusters", None)["count"], 0);
}

#[test]
fn cli_drives_vector_clusters() {
    if !milvus_or_skip() {
        return;
    }
    let s = Server::start();
    let key = s.api_key();
    let cli = |args: &[&str]| {
        let out = std::process::Command::new(common::bin())
            .arg("vector")
            .args(args)
            .arg("--data-dir")
            .arg(s.dir.path())
            .output()
            .unwrap();
        assert!(out.status.success(), "vector {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let out = cli(&["create", "cli-vec", "--cu-size", "1", "--wait"]);
    let id = out.lines().find_map(|l| l.strip_prefix("cluster ")).unwrap().trim().to_string();
    assert!(out.contains("password "), "{out}");
    assert_eq!(s.describe(&key, &id)["status"], "RUNNING", "--wait returned early");
    assert!(cli(&["list"]).contains("cli-vec"));
    cli(&["suspend", &id, "--wait"]);
    assert_eq!(s.describe(&key, &id)["status"], "STOPPED");
    cli(&["resume", &id, "--wait"]);
    assert_eq!(s.describe(&key, &id)["status"], "RUNNING");
    cli(&["modify", &id, "--cu-size", "2", "--wait"]);
    let shown: serde_json::Value = serde_json::from_str(&cli(&["show", &id, "--json"])).unwrap();
    assert_eq!((shown["status"].as_str(), shown["cuSize"].as_u64()), (Some("RUNNING"), Some(2)));
    cli(&["drop", &id, "--wait"]);
    let listed: serde_json::Value = serde_json::from_str(&cli(&["list", "--json"])).unwrap();
    assert_eq!(listed.as_array().map(Vec::len), Some(0));
    assert!(milvus_pids(&s).is_empty());
}
