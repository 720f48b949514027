//! End-to-end tests: the real server, real PostgreSQL processes, plain HTTP.
//! All in one binary; each test has its own server, data dir and subnet.

mod common;

use std::time::Duration;

use common::{create_body, endpoints, node_pid, psql, Server};
use serde_json::json;

/// Seed 004's flow: token, node types, create, list, show, psql through the
/// endpoints, restart, stop/start with job progress, delete; nothing left over.
#[test]
fn seed_flow_with_real_postgres() {
    let s = Server::start();
    let t = s.token();

    let (st, legacy) = s.call(&t, "GET", "/v1.0/{pid}/node_types", None);
    assert_eq!(st, 200);
    assert!(legacy["node_types"].as_array().unwrap().iter().any(|n| n["spec_name"] == "dws.d1.xlarge"));
    let (st, v2) = s.call(&t, "GET", "/v2/{pid}/node-types", None);
    assert_eq!(st, 200);
    assert_eq!(v2["count"], v2["node_types"].as_array().unwrap().len());

    // The seed's curl sends the fields without the "cluster" wrapper.
    let flat = create_body("dws-demo", 3)["cluster"].clone();
    let (st, created) = s.call(&t, "POST", "/v1.0/{pid}/clusters", Some(flat));
    assert_eq!(st, 200, "{created}");
    let id = created["cluster"]["id"].as_str().unwrap().to_string();
    let early = s.show(&t, &id);
    assert!(["CREATING", "AVAILABLE"].contains(&early["status"].as_str().unwrap()), "{early}");

    let c = s.wait_available(&t, &id);
    assert_eq!(c["number_of_node"], 3);
    assert_eq!(c["user_name"], "dbadmin");
    assert_eq!(c["nodes"].as_array().unwrap().iter().filter(|n| n["status"] == "200").count(), 3);
    let eps = endpoints(&c);
    assert_eq!(eps.len(), 3);
    assert!(eps.iter().all(|e| e.ends_with(":8000") && e.starts_with(&s.subnet)), "{eps:?}");

    let (st, list) = s.call(&t, "GET", "/v1.0/{pid}/clusters", None);
    assert_eq!(st, 200);
    assert_eq!(list["count"], 1);
    assert_eq!(list["clusters"][0]["id"], id.as_str());

    // Write on the primary, read the row back from each standby.
    psql(&eps[0], "CREATE TABLE seed(x int); INSERT INTO seed VALUES (42);").unwrap();
    for standby in &eps[1..] {
        let mut got = Err(String::new());
        for _ in 0..50 {
            got = psql(standby, "SELECT x FROM seed");
            if got.as_deref() == Ok("42") {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        assert_eq!(got.as_deref(), Ok("42"), "standby {standby}");
        assert_eq!(psql(standby, "SELECT pg_is_in_recovery()").unwrap(), "t");
    }
    assert!(psql(&eps[1], "INSERT INTO seed VALUES (1)").is_err(), "standbys are read-only");

    // Restart really restarts: new postmaster pids, data still there.
    let before = node_pid(s.dir.path(), &id, 0);
    let (st, body) = s.call(&t, "POST", &format!("/v1.0/{{pid}}/clusters/{id}/restart"), Some(json!({"restart": {}})));
    assert_eq!((st, body), (200, json!({})));
    let c = s.wait_available(&t, &id);
    assert_ne!(node_pid(s.dir.path(), &id, 0), before, "primary was not restarted");
    assert_eq!(psql(&endpoints(&c)[0], "SELECT x FROM seed").unwrap(), "42");

    // Stop: processes gone, status STOPPED; job endpoint reports progress.
    let (st, stop) = s.call(&t, "POST", &format!("/v1/{{pid}}/clusters/{id}/stop"), None);
    assert_eq!(st, 200, "{stop}");
    let job = stop["job_id"].as_str().unwrap().to_string();
    s.wait_until(&t, &id, Duration::from_secs(30), |c| c["status"] == "STOPPED" && c["task_status"].is_null());
    assert!(s.engine_pids().is_empty(), "stopped cluster still has processes");
    let (st, j) = s.call(&t, "GET", &format!("/v1.0/{{pid}}/job/{job}"), None);
    assert_eq!(st, 200);
    assert_eq!((j["status"].as_str(), j["progress"].as_str()), (Some("SUCCESS"), Some("100%")), "{j}");
    assert!(psql(&eps[0], "SELECT 1").is_err());

    let (st, start) = s.call(&t, "POST", &format!("/v1/{{pid}}/clusters/{id}/start"), None);
    assert_eq!(st, 200, "{start}");
    let c = s.wait_available(&t, &id);
    assert_eq!(psql(&endpoints(&c)[0], "SELECT x FROM seed").unwrap(), "42");

    let (st, _) = s.call(&t, "DELETE", &format!("/v1.0/{{pid}}/clusters/{id}"), Some(json!({"keep_last_manual_snapshot": 0})));
    assert_eq!(st, 202);
    s.wait_gone(&t, &id);
    assert!(s.engine_pids().is_empty(), "processes left after delete");
    assert!(!s.dir.path().join("clusters").join(&id).exists(), "files left after delete");
    let (_, list) = s.call(&t, "GET", "/v1.0/{pid}/clusters", None);
    assert_eq!(list["count"], 0);
}

/// Every class of bad input gets its documented status and code, and changes nothing.
#[test]
fn bad_input_is_refused_and_changes_nothing() {
    let s = Server::start();
    let t = s.token();
    let post = |body: serde_json::Value| s.call(&t, "POST", "/v1.0/{pid}/clusters", Some(body));
    let with = |k: &str, v: serde_json::Value| {
        let mut b = create_body("bad-input", 3);
        b["cluster"][k] = v;
        b
    };
    let cases = [
        (with("name", json!("ab")), 400, "DWS.5057"),
        (with("name", json!("1abc")), 400, "DWS.5057"),
        (with("name", json!("has space")), 400, "DWS.5057"),
        (with("user_name", json!("Admin")), 400, "DWS.5001"),
        (with("user_name", json!("select")), 400, "DWS.5001"),
        (with("user_pwd", json!("short")), 400, "DWS.5013"),
        (with("user_pwd", json!("alllowercaseonly")), 400, "DWS.5013"),
        (with("number_of_node", json!(2)), 400, "DWS.5091"),
        (with("number_of_node", json!(257)), 400, "DWS.5091"),
        (with("port", json!(7999)), 400, "DWS.5038"),
        (with("port", json!(30001)), 400, "DWS.5038"),
        (with("node_type", json!("dws.nope")), 400, "DWS.5006"),
        (with("vpc_id", json!(null)), 400, "DWS.5014"),
        (with("subnet_id", json!("")), 400, "DWS.5015"),
        (with("security_group_id", json!(null)), 400, "DWS.5016"),
        (with("availability_zone", json!("mars-1")), 400, "DWS.5011"),
        (with("number_of_node", json!("3")), 400, "DWS.0004"),
        (json!([1, 2]), 400, "DWS.0004"),
    ];
    for (body, status, code) in cases {
        let (st, err) = post(body.clone());
        assert_eq!((st, err["error_code"].as_str()), (status, Some(code)), "{body} -> {err}");
        assert!(err["error_msg"].as_str().is_some_and(|m| !m.is_empty()));
    }

    // A fresh client per request: the server closes a connection whose
    // oversize body it refused, and a pooled client would reuse it.
    let raw = |ct: &str, body: Vec<u8>| {
        let r = reqwest::blocking::Client::new()
            .post(format!("{}/v1.0/{}/clusters", s.dws(), s.pid()))
            .header("x-auth-token", &t)
            .header("content-type", ct)
            .body(body)
            .send()
            .unwrap();
        let st = r.status().as_u16();
        (st, r.json::<serde_json::Value>().unwrap())
    };
    let (st, e) = raw("application/json", b"{not json".to_vec());
    assert_eq!((st, e["error_code"].as_str()), (400, Some("DWS.0004")));
    let (st, e) = raw("text/plain", serde_json::to_vec(&create_body("bad-ct", 3)).unwrap());
    assert_eq!((st, e["error_code"].as_str()), (415, Some("DWS.0006")));
    let (st, e) = raw("application/json", vec![b' '; 2 * 1024 * 1024]);
    assert_eq!((st, e["error_code"].as_str()), (413, Some("DWS.0005")));

    // Unknown and malformed ids.
    let (st, e) = s.call(&t, "GET", "/v1.0/{pid}/clusters/not-a-uuid", None);
    assert_eq!((st, e["error_code"].as_str()), (400, Some("DWS.0001")));
    let missing = "7ba031f6-81f4-4670-ad20-c490b91877e5";
    for (m, p, b) in [
        ("GET", format!("/v1.0/{{pid}}/clusters/{missing}"), None),
        ("POST", format!("/v1.0/{{pid}}/clusters/{missing}/restart"), Some(json!({"restart": {}}))),
        ("POST", format!("/v1/{{pid}}/clusters/{missing}/stop"), None),
        ("DELETE", format!("/v1.0/{{pid}}/clusters/{missing}"), None),
    ] {
        let (st, e) = s.call(&t, m, &p, b);
        assert_eq!((st, e["error_code"].as_str()), (404, Some("DWS.0047")), "{m} {p}");
    }
    let (st, e) = s.call(&t, "GET", &format!("/v1.0/{{pid}}/job/{missing}"), None);
    assert_eq!((st, e["error_code"].as_str()), (404, Some("DWS.0048")));

    // Nothing was created, no engine process started.
    let (_, list) = s.call(&t, "GET", "/v1.0/{pid}/clusters", None);
    assert_eq!(list["count"], 0, "{list}");
    assert!(s.engine_pids().is_empty());
}

/// Bad tokens, signatures and cross-project access.
#[test]
fn authentication_and_tenant_isolation() {
    let s = Server::start_with(&["--token-ttl-secs", "2"], &[]);
    let t = s.token();

    let (st, e) = s.call("nonsense", "GET", "/v1.0/{pid}/clusters", None);
    assert_eq!((st, e["error_code"].as_str()), (401, Some("DWS.0002")));
    let r = s.http.get(format!("{}/v1.0/{}/clusters", s.dws(), s.pid())).send().unwrap();
    assert_eq!(r.status(), 401);
    let r = s
        .http
        .get(format!("{}/v1.0/{}/clusters", s.dws(), s.pid()))
        .header("authorization", "SDK-HMAC-SHA256 Access=NOPE, SignedHeaders=host;x-sdk-date, Signature=00")
        .send()
        .unwrap();
    assert_eq!(r.status(), 401);
    let bad = s.token_for(&s.cred("domain"), &s.cred("user"), "wrong-password", &s.cred("project"));
    assert_eq!(bad.status(), 401);

    // A second project with its own user sees none of the first's clusters.
    let domain = s.cred("domain");
    s.admin(&["project-create", "other", "--domain", &domain]);
    s.admin(&["user-create", "bob", "--domain", &domain, "--project", "other"]);
    let r = s.token_for(&domain, "bob", "Other-Passw0rd!", "other");
    assert_eq!(r.status(), 201);
    let bob = r.headers()["x-subject-token"].to_str().unwrap().to_string();
    let bob_pid = r.json::<serde_json::Value>().unwrap()["token"]["project"]["id"].as_str().unwrap().to_string();

    let id = s.create(&t, "mine", 3);
    // Bob's token on the first project's path: forbidden.
    let (st, e) = s.call(&bob, "GET", &format!("/v1.0/{{pid}}/clusters/{id}"), None);
    assert_eq!((st, e["error_code"].as_str()), (403, Some("DWS.0015")));
    // On his own project's path the cluster does not exist.
    let url = format!("{}/v1.0/{bob_pid}/clusters/{id}", s.dws());
    let r = s.http.get(&url).header("x-auth-token", &bob).send().unwrap();
    assert_eq!(r.status(), 404);
    let r = s.http.delete(&url).header("x-auth-token", &bob).send().unwrap();
    assert_eq!(r.status(), 404);
    let r = s.http.get(format!("{}/v1.0/{bob_pid}/clusters", s.dws())).header("x-auth-token", &bob).send().unwrap();
    assert_eq!(r.json::<serde_json::Value>().unwrap()["count"], 0);

    // Tokens expire.
    std::thread::sleep(Duration::from_millis(2500));
    let (st, _) = s.call(&t, "GET", "/v1.0/{pid}/clusters", None);
    assert_eq!(st, 401);
}

/// One operation per cluster at a time; a second is refused with DWS.5090.
#[test]
fn conflicting_operations_are_refused() {
    let s = Server::start();
    let t = s.token();
    let id = s.create(&t, "busy", 3);
    let restart = || s.call(&t, "POST", &format!("/v1.0/{{pid}}/clusters/{id}/restart"), Some(json!({"restart": {}})));
    // While creating.
    let (st, e) = restart();
    assert_eq!((st, e["error_code"].as_str()), (409, Some("DWS.5090")), "{e}");
    s.wait_available(&t, &id);
    // Same name in the same project.
    let (st, e) = s.call(&t, "POST", "/v1.0/{pid}/clusters", Some(create_body("busy", 3)));
    assert_eq!((st, e["error_code"].as_str()), (409, Some("DWS.5050")));
    // While restarting.
    assert_eq!(restart().0, 200);
    let (st, e) = s.call(&t, "POST", &format!("/v1/{{pid}}/clusters/{id}/stop"), None);
    assert_eq!((st, e["error_code"].as_str()), (409, Some("DWS.5090")), "{e}\n{}", s.log());
    s.wait_available(&t, &id);
    // Start while running is a state conflict.
    let (st, e) = s.call(&t, "POST", &format!("/v1/{{pid}}/clusters/{id}/start"), None);
    assert_eq!((st, e["error_code"].as_str()), (409, Some("DWS.5090")));
}

/// kill -9 at the worst moment of a create (a step done, not committed):
/// after restart the job finishes, processes are adopted, none duplicated.
#[test]
fn crash_during_create_then_restart_finishes_the_job() {
    // Step 2 of a 3-node create is InitStandby(1).
    let mut s = Server::start_with(&[], &[("STRATO_CRASH_AFTER_STEP", "create_cluster:2")]);
    let t = s.token();
    let id = s.create(&t, "crashy", 3);
    let status = s.wait_exit(Duration::from_secs(60));
    assert!(!status.success(), "the crash point should abort the server");
    let running_before = s.engine_pids().len();
    assert!(running_before > 0, "the primary and one standby run on");

    s.spawn(&[], &[]);
    let t = s.token();
    let c = s.wait_available(&t, &id);
    let eps = endpoints(&c);
    psql(&eps[0], "CREATE TABLE after_crash(x int); INSERT INTO after_crash VALUES (7)").unwrap();
    // Exactly one postmaster per node.
    let dir = s.dir.path().to_path_buf();
    let postmasters: Vec<i32> = (0..3).map(|n| node_pid(&dir, &id, n)).collect();
    for pid in &postmasters {
        assert!(std::path::Path::new(&format!("/proc/{pid}")).exists());
    }
    let all = s.engine_pids();
    let masters = all
        .iter()
        .filter(|p| {
            std::fs::read_to_string(format!("/proc/{p}/stat"))
                .is_ok_and(|st| st.split_whitespace().nth(3).is_some_and(|pp| !all.iter().any(|x| x.to_string() == pp)))
        })
        .count();
    assert_eq!(masters, 3, "one postmaster per node, no duplicates: {all:?}");
}

/// kill -9 of strato at an arbitrary moment of a create and of a restart.
#[test]
fn kill9_mid_job_then_restart_completes() {
    let mut s = Server::start();
    let t = s.token();
    let id = s.create(&t, "killed", 3);
    // Let it get going, then pull the plug.
    s.wait_until(&t, &id, Duration::from_secs(30), |c| {
        c["action_progress"]["CREATING"].as_str().is_some_and(|p| p != "0%") || c["status"] == "AVAILABLE"
    });
    s.kill9();
    s.spawn(&[], &[]);
    let t = s.token();
    s.wait_available(&t, &id);

    let (st, _) = s.call(&t, "POST", &format!("/v1.0/{{pid}}/clusters/{id}/restart"), Some(json!({"restart": {}})));
    assert_eq!(st, 200);
    std::thread::sleep(Duration::from_millis(150));
    s.kill9();
    s.spawn(&[], &[]);
    let t = s.token();
    let c = s.wait_available(&t, &id);
    assert_eq!(psql(&endpoints(&c)[2], "SELECT 1").unwrap(), "1");
}

/// A node killed behind strato's back shows up, is repaired, and is logged.
#[test]
fn dead_nodes_are_detected_and_recovered() {
    let s = Server::start();
    let t = s.token();
    let id = s.create(&t, "healer", 3);
    let c = s.wait_available(&t, &id);
    let events_before = c["recent_event"].as_u64().unwrap();
    let dir = s.dir.path().to_path_buf();
    let kill = |n: u32| {
        let pid = node_pid(&dir, &id, n);
        nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), nix::sys::signal::Signal::SIGKILL).unwrap();
        pid
    };

    let old = kill(2);
    s.wait_until(&t, &id, Duration::from_secs(10), |c| c["status"] == "AVAILABLE" && c["sub_status"] == "DEGRADED");
    s.wait_available(&t, &id);
    assert_ne!(node_pid(&dir, &id, 2), old);

    let old = kill(0);
    s.wait_until(&t, &id, Duration::from_secs(10), |c| c["status"] == "UNAVAILABLE");
    let c = s.wait_available(&t, &id);
    assert_ne!(node_pid(&dir, &id, 0), old);
    let eps = endpoints(&c);
    psql(&eps[0], "CREATE TABLE healed(x int)").unwrap();
    assert!(c["recent_event"].as_u64().unwrap() >= events_before + 4, "{c}");
}

/// A taken port makes the server exit non-zero naming it.
#[test]
fn taken_port_is_reported() {
    let s = Server::start();
    let port = s.dws().rsplit(':').next().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(common::bin())
        .args(["server", "--iam-listen", "127.0.0.1:0", "--dws-listen", &format!("127.0.0.1:{port}")])
        .arg("--data-dir")
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&port) && err.contains("DWS"), "{err}");
}

/// AK/SK requests as the Huawei SDK signs them: verified, and refused when
/// the secret, the date or the signed request is wrong.
#[test]
fn signed_requests_are_verified() {
    use strato::auth::signature::{huawei_authorization, WireRequest};
    let s = Server::start();
    let (ak, sk) = (s.cred("access_key"), s.cred("secret_key"));
    let send = |base: &str, target: &str, secret: &str, age_secs: i64, tamper: bool| {
        let host = base.trim_start_matches("http://").to_string();
        let date = (chrono::Utc::now() - chrono::Duration::seconds(age_secs)).format("%Y%m%dT%H%M%SZ").to_string();
        let headers = vec![
            ("content-type".to_string(), "application/json".to_string()),
            ("host".to_string(), host),
            ("x-project-id".to_string(), s.pid()),
            ("x-sdk-date".to_string(), date.clone()),
        ];
        let signed: Vec<String> = headers.iter().map(|(k, _)| k.clone()).collect();
        let wire = WireRequest { method: "GET", target, headers: &headers, body: b"" };
        let auth = huawei_authorization(&wire, &ak, secret.as_bytes(), &signed);
        let target = if tamper { format!("{target}?enterprise_project_id=other") } else { target.to_string() };
        reqwest::blocking::Client::new()
            .get(format!("{base}{target}"))
            .header("content-type", "application/json")
            .header("x-project-id", s.pid())
            .header("x-sdk-date", date)
            .header("authorization", auth)
            .send()
            .unwrap()
    };
    let dws = s.dws();
    let path = format!("/v1.0/{}/clusters", s.pid());
    let ok = send(&dws, &path, &sk, 0, false);
    assert_eq!(ok.status(), 200);
    assert!(ok.headers().contains_key("x-request-id"));
    for (secret, age, tamper) in [("WRONG-SECRET", 0, false), (sk.as_str(), 20 * 60, false), (sk.as_str(), 0, true)] {
        let r = send(&dws, &path, secret, age, tamper);
        assert_eq!(r.status(), 401, "secret ok: {}, age {age}, tampered {tamper}", secret == sk);
        let body: serde_json::Value = r.json().unwrap();
        assert_eq!(body["error_code"], "DWS.0002");
        assert!(!body.to_string().contains(&sk), "the secret never appears in answers");
    }
    // The project lookup the Huawei SDK makes on the IAM endpoint.
    let r = send(&s.iam(), "/v3/projects?name=eu-de", &sk, 0, false);
    assert_eq!(r.status(), 200);
    let body: serde_json::Value = r.json().unwrap();
    assert_eq!(body["projects"].as_array().unwrap().len(), 1);
    assert_eq!(body["projects"][0]["id"], s.pid().as_str());
    assert!(!s.log().contains(&sk), "the secret is never logged");
}

/// Keystone discovery and token validation as openstacksdk uses them.
#[test]
fn keystone_discovery_and_token_validation() {
    let s = Server::start();
    let v: serde_json::Value = s.http.get(format!("{}/v3", s.iam())).send().unwrap().json().unwrap();
    assert_eq!(v["version"]["status"], "stable");
    let t = s.token();
    let r = s
        .http
        .get(format!("{}/v3/auth/tokens", s.iam()))
        .header("x-auth-token", &t)
        .header("x-subject-token", &t)
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    let body: serde_json::Value = r.json().unwrap();
    let catalog = body["token"]["catalog"].as_array().unwrap();
    let dws = catalog.iter().find(|e| e["type"] == "dwsv1").expect("dwsv1 in the catalog");
    assert_eq!(dws["endpoints"][0]["url"], format!("{}/v1.0/{}", s.dws(), s.pid()));
    assert_eq!(dws["endpoints"][0]["interface"], "public");
    assert!(body["token"]["expires_at"].as_str().is_some());
}

/// The CLI drives the same API: create/list/show/restart/delete with --wait.
#[test]
fn cli_drives_clusters() {
    let s = Server::start();
    let cli = |args: &[&str]| {
        let out = std::process::Command::new(common::bin())
            .arg("cluster")
            .args(args)
            .arg("--data-dir")
            .arg(s.dir.path())
            .env("STRATO_CLUSTER_PASSWORD", common::PASSWORD)
            .output()
            .unwrap();
        assert!(out.status.success(), "cluster {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let created: serde_json::Value = serde_json::from_str(&cli(&["create", "cli-demo", "--wait", "--json"])).unwrap();
    assert_eq!(created["cluster"]["status"], "AVAILABLE");
    let id = created["cluster"]["id"].as_str().unwrap().to_string();
    assert!(cli(&["list"]).contains("cli-demo"));
    let listed: serde_json::Value = serde_json::from_str(&cli(&["list", "--json"])).unwrap();
    assert_eq!(listed["count"], 1);
    cli(&["restart", &id, "--wait"]);
    let shown: serde_json::Value = serde_json::from_str(&cli(&["show", &id, "--json"])).unwrap();
    assert_eq!(shown["cluster"]["status"], "AVAILABLE");
    cli(&["delete", &id, "--wait"]);
    let listed: serde_json::Value = serde_json::from_str(&cli(&["list", "--json"])).unwrap();
    assert_eq!(listed["count"], 0);
    assert!(s.engine_pids().is_empty());
}
