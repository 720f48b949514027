//! `strato search` (CSS) and `strato aliyun es|logstash` drive the same APIs
//! as a user's scripts, against a server whose search datastores run on the
//! stand-ins (osmem-server, syslog-ng).

mod common;

use std::time::{Duration, Instant};

use common::search::stand_in_engines;
use common::Server;
use serde_json::Value;

const ES_PASSWORD: (&str, &str) = ("STRATO_ES_ADMIN_PASSWORD", "Es-admin1");

fn server() -> Option<Server> {
    let args = stand_in_engines()?;
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    Some(Server::start_with(&args, &[]))
}

/// Runs the CLI, which must succeed; its stdout.
fn ok(s: &Server, args: &[&str]) -> String {
    let out = s.run_cli(args, &[ES_PASSWORD]);
    assert!(out.status.success(), "{args:?}: {}\n{}", String::from_utf8_lossy(&out.stderr), s.log());
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn json(s: &Server, args: &[&str]) -> Value {
    let mut args = args.to_vec();
    args.push("--json");
    let out = ok(s, &args);
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?} printed no JSON ({e}): {out}"))
}

/// Runs the CLI, which must fail; its stderr.
fn fails(s: &Server, args: &[&str], env: &[(&str, &str)]) -> String {
    let out = s.run_cli(args, env);
    assert!(!out.status.success(), "{args:?} succeeded: {}", String::from_utf8_lossy(&out.stdout));
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Processes outlive the job that stops them by a moment: wait for them to go.
fn until_no_engines(s: &Server) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !s.engine_pids().is_empty() {
        assert!(Instant::now() < deadline, "processes left after delete: {:?}", s.engine_pids());
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn cli_drives_css_clusters() {
    let Some(s) = server() else { return };
    let made = json(&s, &["search", "create", "css-cli", "--nodes", "2", "--datastore", "elasticsearch", "--version", "7.10.2", "--wait"]);
    let id = made["id"].as_str().unwrap().to_string();
    let instances = made["instances"].as_array().unwrap();
    assert_eq!((made["status"].as_str(), made["actions"].as_array().map(Vec::len)), (Some("200"), Some(0)), "--wait returned early: {made}");
    assert!(instances.len() == 2 && instances.iter().all(|i| i["status"] == "200"), "{made}");
    assert!(ok(&s, &["search", "list"]).contains("css-cli"));
    assert_eq!(json(&s, &["search", "list"])["clusters"].as_array().map(Vec::len), Some(1));
    assert_eq!(json(&s, &["search", "show", &id])["name"], "css-cli");
    assert!(ok(&s, &["search", "flavors"]).contains("ess.spec-4u8g"));

    // A restart really replaces every member, and --wait returns once all serve again.
    let before = s.engine_pids_named("osmem");
    assert_eq!(before.len(), 2);
    ok(&s, &["search", "restart", &id, "--wait"]);
    let after = s.engine_pids_named("osmem");
    assert_eq!(after.len(), 2);
    assert!(after.iter().all(|p| !before.contains(p)), "restart kept old processes: {before:?} {after:?}");
    assert_eq!(json(&s, &["search", "show", &id])["status"], "200");

    // The vendor's error, named by its code, and a non-zero exit.
    let err = fails(&s, &["search", "show", "6d0a2b5e-0000-4000-8000-000000000001"], &[]);
    assert!(err.contains("CSS.3027"), "{err}");

    ok(&s, &["search", "delete", &id, "--wait"]);
    assert_eq!(json(&s, &["search", "list"])["totalSize"], 0);
    until_no_engines(&s);
}

#[test]
fn cli_drives_alibaba_elasticsearch_and_logstash() {
    let Some(s) = server() else { return };
    let out = ok(&s, &["aliyun", "es", "create", "cli-es", "--node-amount", "2", "--wait"]);
    let id = out.trim().to_string();
    assert!(id.starts_with("es-cn-"), "{out}");
    assert_eq!(json(&s, &["aliyun", "es", "show", &id])["Result"]["status"], "active", "--wait returned early");
    assert!(ok(&s, &["aliyun", "es", "list"]).contains(&id));

    // A change task that really adds a member; the old ones keep running.
    let before = s.engine_pids_named("osmem");
    assert_eq!(before.len(), 2);
    ok(&s, &["aliyun", "es", "update", &id, "--node-amount", "3", "--wait"]);
    let shown = json(&s, &["aliyun", "es", "show", &id])["Result"].clone();
    assert_eq!((shown["status"].as_str(), shown["nodeAmount"].as_u64()), (Some("active"), Some(3)), "{shown}");
    assert_eq!(shown["endpointList"].as_array().map(Vec::len), Some(3));
    let after = s.engine_pids_named("osmem");
    assert!(after.len() == 3 && before.iter().all(|p| after.contains(p)), "{before:?} {after:?}");

    // Errors: nothing to interrupt, an unknown instance, a wrong secret key.
    let err = fails(&s, &["aliyun", "es", "interrupt", &id], &[]);
    assert!(err.contains("InstanceStatusNotSupportCurrentAction"), "{err}");
    let err = fails(&s, &["aliyun", "es", "show", "es-cn-00000000000000000000000000000000"], &[]);
    assert!(err.contains("InstanceNotFound") && err.contains("RequestId"), "{err}");
    let err = fails(&s, &["aliyun", "es", "list"], &[("STRATO_SECRET_KEY", "not-the-secret")]);
    assert!(err.contains("SignatureDoesNotMatch"), "{err}");

    ok(&s, &["aliyun", "es", "delete", &id, "--wait"]);
    assert_eq!(json(&s, &["aliyun", "es", "list"])["Result"].as_array().map(Vec::len), Some(0));

    // Logstash: the same commands under /openapi/logstashes, on syslog-ng.
    let made = json(&s, &["aliyun", "logstash", "create", "cli-ls", "--wait"])["Result"].clone();
    let ls = made["instanceId"].as_str().unwrap().to_string();
    assert!(ls.starts_with("ls-cn-") && made["status"] == "active", "{made}");
    let shown = json(&s, &["aliyun", "logstash", "show", &ls])["Result"].clone();
    assert_eq!((shown["description"].as_str(), shown["endpointList"][0]["port"].as_u64()), (Some("cli-ls"), Some(9600)), "{shown}");
    assert_eq!(s.engine_pids_named("syslog-ng").len(), 1);
    ok(&s, &["aliyun", "logstash", "delete", &ls, "--wait"]);
    assert_eq!(json(&s, &["aliyun", "logstash", "list"])["Result"].as_array().map(Vec::len), Some(0));
    until_no_engines(&s);
}
