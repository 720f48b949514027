//! Alibaba Logstash pipelines: saved, deployed by restarting every member
//! with them (a change task that survives kill -9), stopped and deleted; on
//! the syslog-ng stand-in they are kept, not run, and the answer says so.

mod common;

use std::time::Duration;

use common::search::stand_in_engines;
use common::Server;
use serde_json::{json, Value};

const MINUTE: Duration = Duration::from_secs(60);

fn engines() -> Option<Vec<String>> {
    stand_in_engines()
}

fn code(r: (u16, Value)) -> String {
    r.1["Code"].as_str().unwrap_or_default().to_string()
}

fn statuses(s: &Server, path: &str) -> Vec<(String, String)> {
    let (_, v) = s.ali("GET", &format!("{path}/pipelines"), None);
    v["Result"].as_array().unwrap().iter().map(|p| (p["pipelineId"].as_str().unwrap().into(), p["pipelineStatus"].as_str().unwrap().into())).collect()
}

#[test]
fn pipelines_are_saved_deployed_by_restarting_the_members_and_stopped() {
    let Some(args) = engines() else { return };
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut s = Server::start_with(&args, &[]);
    let body = json!({"version": "7.4_with_X-Pack", "nodeAmount": 2, "description": "ls-pipes",
                      "nodeSpec": {"spec": "logstash.n4.small", "disk": 20},
                      "networkConfig": {"type": "vpc", "vpcId": "vpc-1", "vswitchId": "vsw-1", "vsArea": "cn-hangzhou-i"}});
    let (status, made) = s.ali("POST", "/openapi/logstashes", Some(body));
    assert_eq!(status, 200, "{made}");
    let path = format!("/openapi/logstashes/{}", made["Result"]["instanceId"].as_str().unwrap());
    let active = |s: &Server| s.ali_wait(&path, MINUTE, &mut Vec::new(), |r| r["status"] == "active");
    active(&s);
    let pipes = format!("{path}/pipelines");
    let ingest = json!([{"pipelineId": "ingest", "config": "input { tcp { port => 5044 } }\noutput { stdout {} }", "batchSize": 250,
                         "queueType": "PERSISTED", "description": "edge logs"}]);

    // Refusals change nothing: an object instead of an array, a bad id, a missing config, a bad queue type.
    assert_eq!(code(s.ali("POST", &pipes, Some(json!({"pipelineId": "x", "config": "input {}"})))), "InvalidParameter");
    assert_eq!(code(s.ali("POST", &pipes, Some(json!([{"pipelineId": "9lives", "config": "input {}"}])))), "InvalidParameter");
    assert_eq!(code(s.ali("POST", &pipes, Some(json!([{"pipelineId": "x"}])))), "InvalidParameter");
    assert_eq!(code(s.ali("POST", &pipes, Some(json!([{"pipelineId": "x", "config": "input {}", "queueType": "DISK"}])))), "InvalidParameter");
    assert!(statuses(&s, &path).is_empty());

    // Saved without trigger: NOT_DEPLOYED, no member touched.
    let before = s.engine_pids_named("syslog-ng");
    let (status, v) = s.ali("POST", &pipes, Some(ingest.clone()));
    assert_eq!((status, &v["Result"]), (200, &json!(true)), "{v}");
    assert_eq!(statuses(&s, &path), vec![("ingest".into(), "NOT_DEPLOYED".into())]);
    assert_eq!(code(s.ali("POST", &pipes, Some(ingest.clone()))), "InvalidParameter", "an id that exists");
    assert_eq!(s.ali("GET", &path, None).1["Result"]["status"], "active");
    assert_eq!(s.engine_pids_named("syslog-ng"), before);
    let (_, d) = s.ali("GET", &format!("{pipes}/ingest"), None);
    let d = &d["Result"];
    assert_eq!((&d["batchSize"], &d["queueType"], &d["description"], &d["pipelineStatus"]), (&json!(250), &json!("PERSISTED"), &json!("edge logs"), &json!("NOT_DEPLOYED")), "{d}");
    assert!(d["stratoNote"].as_str().is_some_and(|n| n.contains("stand-in")), "the answer must say the stand-in does not run it: {d}");
    assert_eq!(code(s.ali("GET", &format!("{pipes}/nope"), None)), "InvalidParameter");

    // Update and deploy (trigger=true) with a kill -9 of strato after the first step: every member restarted, RUNNING.
    s.kill9();
    s.spawn(&args, &[("STRATO_CRASH_AFTER_STEP", "change_cluster:1")]);
    let (status, v) = s.ali("PUT", &format!("{pipes}?trigger=true"), Some(json!([{"pipelineId": "ingest", "workers": 2}])));
    assert_eq!((status, &v["Result"]), (200, &json!(true)), "{v}");
    assert!(!s.wait_exit(MINUTE).success(), "the crash point did not fire");
    s.spawn(&args, &[]);
    let mut seen = Vec::new();
    s.ali_wait(&path, MINUTE, &mut seen, |r| r["status"] == "active");
    assert_eq!(statuses(&s, &path), vec![("ingest".into(), "RUNNING".into())]);
    let deployed = s.engine_pids_named("syslog-ng");
    assert!(deployed.len() == 2 && deployed.iter().all(|p| !before.contains(p)), "every member restarts with the pipeline: {before:?} {deployed:?}");
    let (_, d) = s.ali("GET", &format!("{pipes}/ingest"), None);
    assert_eq!((&d["Result"]["workers"], &d["Result"]["batchSize"]), (&json!(2), &json!(250)), "an update keeps what it does not say: {d}");

    // Stop: out of the members' configuration (restarted again), saved as NOT_DEPLOYED; run it again; delete it.
    assert_eq!(s.ali("POST", &format!("{pipes}/action/stop"), Some(json!(["ingest"]))).0, 200);
    active(&s);
    assert_eq!(statuses(&s, &path), vec![("ingest".into(), "NOT_DEPLOYED".into())]);
    let stopped = s.engine_pids_named("syslog-ng");
    assert!(stopped.iter().all(|p| !deployed.contains(p)), "{deployed:?} {stopped:?}");
    assert_eq!(code(s.ali("POST", &format!("{pipes}/action/run"), Some(json!(["nope"])))), "InvalidParameter");
    assert_eq!(s.ali("POST", &format!("{pipes}/action/run"), Some(json!(["ingest"]))).0, 200);
    active(&s);
    assert_eq!(statuses(&s, &path), vec![("ingest".into(), "RUNNING".into())]);
    let (_, m) = s.ali("GET", &format!("{path}/pipeline-management-config"), None);
    assert_eq!((&m["Result"]["pipelineManagementType"], &m["Result"]["pipelineIds"]), (&json!("MULTIPLE_PIPELINE"), &json!(["ingest"])), "{m}");
    let management = format!("{path}/pipeline-management-config");
    assert_eq!(code(s.ali("POST", &management, Some(json!({"pipelineManagementType": "ES", "esInstanceId": "es-cn-x"})))), "OperationNotEmulated");
    assert_eq!(s.ali("POST", &management, Some(json!({"pipelineManagementType": "MULTIPLE_PIPELINE"}))).1["Result"], true);
    assert_eq!(s.ali("DELETE", &format!("{pipes}?pipelineIds=ingest"), None).0, 200);
    active(&s);
    assert!(statuses(&s, &path).is_empty());
    assert_eq!(s.ali("DELETE", &path, None).0, 200);
}
