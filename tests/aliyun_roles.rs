//! Alibaba Elasticsearch dedicated members: master, client (coordinating)
//! and warm members made at create and changed by UpdateInstance as the
//! alicloud provider sends it (every configuration each time), each a real
//! process; a change survives kill -9 and ends with the exact members.

mod common;

use std::time::Duration;

use common::search::stand_in_engines;
use common::Server;
use serde_json::{json, Value};

const MINUTE: Duration = Duration::from_secs(60);

fn code(r: (u16, Value)) -> String {
    r.1["Code"].as_str().unwrap_or_default().to_string()
}

fn node_types(s: &Server, path: &str) -> Vec<String> {
    let (_, v) = s.ali("GET", &format!("{path}/nodes?extended=false"), None);
    let mut t: Vec<String> = v["Result"].as_array().unwrap().iter().map(|n| n["nodeType"].as_str().unwrap().to_string()).collect();
    t.sort();
    t
}

#[test]
fn dedicated_members_are_made_changed_and_survive_a_crash() {
    let Some(args) = stand_in_engines() else { return };
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut s = Server::start_with(&args, &[]);
    let master = json!({"amount": 3, "spec": "elasticsearch.sn2ne.large", "disk": 20, "diskType": "cloud_ssd"});
    let client = json!({"amount": 2, "spec": "elasticsearch.sn1ne.large", "disk": 20, "diskType": "cloud_efficiency"});
    let body = |master: Value, client: Value| {
        json!({"esVersion": "7.10_with_X-Pack", "nodeAmount": 2, "esAdminPassword": "Es-admin1",
               "nodeSpec": {"spec": "elasticsearch.sn2ne.large", "disk": 20, "diskType": "cloud_ssd"},
               "networkConfig": {"type": "vpc", "vpcId": "vpc-1", "vswitchId": "vsw-1", "vsArea": "cn-hangzhou-i"},
               "masterConfiguration": master, "clientNodeConfiguration": client, "description": "roles"})
    };
    // Refused at create, nothing made: masters must be 3, a spec must be offered.
    assert_eq!(code(s.ali("POST", "/openapi/instances", Some(body(json!({"amount": 5, "spec": "elasticsearch.sn2ne.large"}), json!({}))))), "InvalidParameter");
    assert_eq!(code(s.ali("POST", "/openapi/instances", Some(body(json!({"amount": 3, "spec": "huge"}), json!({}))))), "InvalidParameter");
    assert!(s.engine_pids_named("osmem").is_empty());

    let (status, made) = s.ali("POST", "/openapi/instances", Some(body(master.clone(), client.clone())));
    assert_eq!(status, 200, "{made}");
    let path = format!("/openapi/instances/{}", made["Result"]["instanceId"].as_str().unwrap());
    let r = s.ali_wait(&path, MINUTE, &mut Vec::new(), |r| r["status"] == "active");
    assert_eq!((&r["nodeAmount"], &r["masterConfiguration"]["amount"], &r["masterConfiguration"]["spec"]), (&json!(2), &json!(3), &json!("elasticsearch.sn2ne.large")), "{r}");
    assert_eq!((&r["clientNodeConfiguration"]["amount"], &r["clientNodeConfiguration"]["diskType"], &r["warmNodeConfiguration"]), (&json!(2), &json!("cloud_efficiency"), &Value::Null), "{r}");
    assert_eq!(s.engine_pids_named("osmem").len(), 7, "every member is a process");
    assert_eq!(node_types(&s, &path), ["COORDINATING", "COORDINATING", "MASTER", "MASTER", "MASTER", "WORKER", "WORKER"]);

    // The provider sends every configuration: only what differs changes; two kinds at once are refused.
    let update = |warm: Value, client: Value| json!({"nodeAmount": 2, "nodeSpec": {"spec": "elasticsearch.sn2ne.large", "disk": 20},
        "masterConfiguration": master.clone(), "clientNodeConfiguration": client, "warmNodeConfiguration": warm});
    let warm = json!({"amount": 2, "spec": "elasticsearch.sn2ne.large", "disk": 100, "diskType": "cloud_efficiency"});
    assert_eq!(code(s.ali("PUT", &path, Some(update(json!({}), client.clone())))), "MustChangeOneResource");
    assert_eq!(code(s.ali("PUT", &path, Some(update(warm.clone(), json!({"amount": 0}))))), "InvalidParameter", "two kinds of member at once");
    assert_eq!(s.engine_pids_named("osmem").len(), 7, "refusals change nothing");

    // Warm members added, with a kill -9 of strato after the first step: the task finishes with exactly two.
    s.kill9();
    s.spawn(&args, &[("STRATO_CRASH_AFTER_STEP", "change_cluster:1")]);
    let (status, v) = s.ali("PUT", &path, Some(update(warm.clone(), client.clone())));
    assert_eq!(status, 200, "{v}");
    assert!(!s.wait_exit(MINUTE).success(), "the crash point did not fire");
    s.spawn(&args, &[]);
    let r = s.ali_wait(&path, MINUTE, &mut Vec::new(), |r| r["status"] == "active" && r["warmNodeConfiguration"].is_object());
    assert_eq!((&r["warmNodeConfiguration"]["amount"], &r["warmNodeConfiguration"]["disk"]), (&json!(2), &json!(100)), "{r}");
    assert_eq!(s.engine_pids_named("osmem").len(), 9);
    assert_eq!(node_types(&s, &path).iter().filter(|t| *t == "WORKER_WARM").count(), 2);

    // The client members retired (amount 0): gone, processes and all; the data members untouched.
    let (status, v) = s.ali("PUT", &path, Some(update(warm, json!({"amount": 0}))));
    assert_eq!(status, 200, "{v}");
    let r = s.ali_wait(&path, MINUTE, &mut Vec::new(), |r| r["status"] == "active" && r["clientNodeConfiguration"].is_null());
    assert_eq!(r["nodeAmount"], 2);
    assert_eq!(s.engine_pids_named("osmem").len(), 7);
    assert!(!node_types(&s, &path).contains(&"COORDINATING".to_string()));
    assert_eq!(s.ali("DELETE", &path, None).0, 200);
}
