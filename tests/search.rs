//! CSS and Alibaba Elasticsearch/Logstash against a real server whose search
//! datastores are bound to osmem-server and its log datastore to syslog-ng
//! (stand-ins: no Elasticsearch, OpenSearch or Logstash is installable here).

mod common;

use std::time::Duration;

use common::search::stand_in_engines;
use common::Server;
use serde_json::{json, Value};

const MINUTE: Duration = Duration::from_secs(60);

fn server() -> Option<Server> {
    let args = stand_in_engines()?;
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    Some(Server::start_with(&args, &[]))
}

fn css_body(name: &str, datastore: &str, version: &str, nodes: u32) -> Value {
    json!({"cluster": {
        "name": name, "instanceNum": nodes,
        "instance": {"flavorRef": "ess.spec-4u8g", "volume": {"volume_type": "COMMON", "size": 40},
                     "nics": {"vpcId": "v", "netId": "n", "securityGroupId": "g"}},
        "datastore": {"type": datastore, "version": version}}})
}

fn ready(v: &Value) -> bool {
    v["status"] == "200"
        && v["actions"].as_array().is_some_and(|a| a.is_empty())
        && v["instances"].as_array().is_some_and(|i| !i.is_empty() && i.iter().all(|n| n["status"] == "200"))
}

/// `GET url` and `PUT url body` against an engine's HTTP API.
fn http(method: &str, url: &str, body: Option<Value>) -> Value {
    let c = reqwest::blocking::Client::new();
    let mut req = c.request(method.parse().unwrap(), url);
    if let Some(b) = body {
        req = req.json(&b);
    }
    req.send().and_then(|r| r.json()).unwrap_or(Value::Null)
}

fn pids_of(s: &Server, comm: &str) -> Vec<i32> {
    let mut pids: Vec<i32> = s
        .engine_pids()
        .into_iter()
        .filter(|p| std::fs::read_to_string(format!("/proc/{p}/comm")).is_ok_and(|c| c.trim().starts_with(comm)))
        .collect();
    pids.sort();
    pids
}

#[test]
fn css_cluster_restarts_for_real_and_serves_search() {
    let Some(s) = server() else { return };
    let token = s.token();
    let (status, made) = s.css_call(&token, "POST", "/v1.0/{pid}/clusters", Some(css_body("css-demo", "elasticsearch", "7.10.2", 2)));
    assert_eq!(status, 200, "{made}");
    let id = made["cluster"]["id"].as_str().unwrap().to_string();
    let mut seen = Vec::new();
    let c = s.css_wait(&token, &id, MINUTE, &mut seen, ready);
    assert!(seen[0].starts_with("100"), "{seen:?}");
    assert_eq!(c["instances"].as_array().unwrap().len(), 2);
    let endpoint = c["endpoint"].as_str().unwrap().split(',').next().unwrap().to_string();
    // The endpoint answers the OpenSearch API: index and search a document.
    http("PUT", &format!("http://{endpoint}/books/_doc/1?refresh=true"), Some(json!({"title": "strato"})));
    let found = http("GET", &format!("http://{endpoint}/books/_search?q=title:strato"), None);
    assert_eq!(found["hits"]["total"]["value"], 1, "{found}");

    // Seed 001: restart, no body → {"jobId": [...]}; REBOOTING while the members really restart.
    let before = pids_of(&s, "osmem");
    assert_eq!(before.len(), 2);
    let (status, ack) = s.css_call(&token, "POST", &format!("/v1.0/{{pid}}/clusters/{id}/restart"), None);
    assert_eq!(status, 200, "{ack}");
    assert_eq!(ack["jobId"].as_array().map(Vec::len), Some(1), "{ack}");
    let (status, busy) = s.css_call(&token, "POST", &format!("/v1.0/{{pid}}/clusters/{id}/restart"), None);
    assert_eq!((status, busy["error_code"].as_str()), (400, Some("CSS.0011")), "a second restart must be refused: {busy}");
    let mut seen = Vec::new();
    s.css_wait(&token, &id, MINUTE, &mut seen, ready);
    assert!(seen.iter().any(|x| x == "100[\"REBOOTING\"]"), "{seen:?}");
    let after = pids_of(&s, "osmem");
    assert_eq!(after.len(), 2);
    assert!(after.iter().all(|p| !before.contains(p)), "restart kept old processes: {before:?} {after:?}");

    // Unknown cluster: 404.
    let (status, v) = s.css_call(&token, "POST", &format!("/v1.0/{{pid}}/clusters/{}/restart", uuid::Uuid::new_v4()), None);
    assert_eq!(status, 404, "{v}");

    // A Logstash cluster on the syslog-ng stand-in; list filters by datastore.
    let (status, made) = s.css_call(&token, "POST", "/v1.0/{pid}/clusters", Some(css_body("css-logs", "logstash", "7.10.0", 1)));
    assert_eq!(status, 200, "{made}");
    let logs = made["cluster"]["id"].as_str().unwrap().to_string();
    s.css_wait(&token, &logs, MINUTE, &mut Vec::new(), ready);
    let (_, list) = s.css_call(&token, "GET", "/v1.0/{pid}/clusters?datastoreType=logstash", None);
    assert_eq!(list["totalSize"], 1, "{list}");
    let (_, list) = s.css_call(&token, "GET", "/v1.0/{pid}/clusters?offset=2&limit=1", None);
    assert_eq!((list["totalSize"].as_u64(), list["clusters"].as_array().map(Vec::len)), (Some(2), Some(1)));

    for cid in [&id, &logs] {
        let (status, _) = s.css_call(&token, "DELETE", &format!("/v1.0/{{pid}}/clusters/{cid}"), None);
        assert_eq!(status, 200);
    }
    let deadline = std::time::Instant::now() + MINUTE;
    while s.css_call(&token, "GET", &format!("/v1.0/{{pid}}/clusters/{id}"), None).0 != 404 {
        assert!(std::time::Instant::now() < deadline);
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_millis(500));
    assert!(s.engine_pids().is_empty(), "processes left after delete");
}

/// The OTC SDK's extend wait (`WaitForClusterToExtend`): pending while `actions[0]` is GROWING or
/// RESIZING_VOLUME, any other action an error; then the Huawei provider's ready check.
fn css_wait_extended(s: &Server, token: &str, id: &str) -> (Value, Vec<String>) {
    let mut seen = Vec::new();
    let c = s.css_wait(token, id, MINUTE, &mut seen, |v| {
        let first = v["actions"][0].as_str();
        assert!(first.is_none() || matches!(first, Some("GROWING" | "RESIZING_VOLUME" | "SHRINKING")), "unexpected actions: {v}");
        assert!(v["actionProgress"].as_object().is_some_and(|p| p.values().all(Value::is_string)), "{v}");
        ready(v) && v["actionProgress"] == json!({})
    });
    (c, seen)
}

#[test]
fn css_scales_out_in_and_grows_disks_as_the_providers_wait() {
    let Some(s) = server() else { return };
    let token = s.token();
    let (status, made) = s.css_call(&token, "POST", "/v1.0/{pid}/clusters", Some(css_body("css-scale", "opensearch", "2.11.0", 2)));
    assert_eq!(status, 200, "{made}");
    let id = made["cluster"]["id"].as_str().unwrap().to_string();
    s.css_wait(&token, &id, MINUTE, &mut Vec::new(), ready);
    let at = |p: &str| format!("/v1.0/{{pid}}/clusters/{id}/{p}");
    // A document on the first member: a scale-out leaves the members it has alone, so it is still there after.
    let (_, c) = s.css_call(&token, "GET", &format!("/v1.0/{{pid}}/clusters/{id}"), None);
    let first = c["endpoint"].as_str().unwrap().split(',').next().unwrap().to_string();
    http("PUT", &format!("http://{first}/kept/_doc/1?refresh=true"), Some(json!({"title": "before the change"})));

    // extend: one member more, GROWING until it serves; a second change meanwhile is refused.
    let (status, v) = s.css_call(&token, "POST", &at("extend"), Some(json!({"grow": {"modifySize": 1}})));
    assert_eq!((status, &v), (200, &json!({})), "{v}");
    let (status, busy) = s.css_call(&token, "POST", &at("extend"), Some(json!({"grow": {"modifySize": 1}})));
    assert_eq!((status, busy["error_code"].as_str()), (400, Some("CSS.0011")), "{busy}");
    let (c, seen) = css_wait_extended(&s, &token, &id);
    assert!(seen.iter().any(|x| x.contains("GROWING")), "{seen:?}");
    assert_eq!(c["instances"].as_array().unwrap().len(), 3);
    assert_eq!(pids_of(&s, "osmem").len(), 3, "the new member is a process");
    let found = http("GET", &format!("http://{first}/kept/_search?q=title:before"), None);
    assert_eq!(found["hits"]["total"]["value"], 1, "a document indexed before the scale-out is gone: {found}");

    // role_extend: the provider's body (isAutoPay), a member, then a disk-only change.
    for (bad, why) in [
        (json!({"grow": [{"type": "ess-master", "nodesize": 3, "disksize": 0}]}), "no dedicated masters"),
        (json!({"grow": [{"type": "ess", "nodesize": 0, "disksize": 30}]}), "disk step is 20 GB"),
        (json!({"grow": [{"type": "ess", "nodesize": 0, "disksize": 0}]}), "changes nothing"),
        (json!({"grow": []}), "no role"),
        (json!({"grow": [{"type": "ess", "nodesize": "one"}]}), "wrong type"),
    ] {
        let (status, v) = s.css_call(&token, "POST", &at("role_extend"), Some(bad));
        assert_eq!((status, v["error_code"].as_str()), (400, Some("CSS.0001")), "{why}: {v}");
    }
    let grow = json!({"grow": [{"type": "ess", "nodesize": 1, "disksize": 0}], "isAutoPay": 1});
    let (status, v) = s.css_call(&token, "POST", &at("role_extend"), Some(grow));
    assert_eq!((status, v["id"].as_str()), (200, Some(id.as_str())), "{v}");
    let (c, _) = css_wait_extended(&s, &token, &id);
    assert_eq!(c["instances"].as_array().unwrap().len(), 4);
    let (status, v) = s.css_call(&token, "POST", &at("role_extend"), Some(json!({"grow": [{"type": "ess", "nodesize": 0, "disksize": 20}]})));
    assert_eq!(status, 200, "{v}");
    let (c, seen) = css_wait_extended(&s, &token, &id);
    assert!(seen.iter().any(|x| x.contains("RESIZING_VOLUME")), "{seen:?}");
    assert!(c["instances"].as_array().unwrap().iter().all(|i| i["volume"]["size"] == 60), "{c}");

    // role/shrink: fewer than half at once; node/offline: the newest member by id.
    let shrink = |n: i64| s.css_call(&token, "POST", &format!("/v1.0/extend/{{pid}}/clusters/{id}/role/shrink"), Some(json!({"shrink": [{"type": "ess", "reducedNodeNum": n}]})));
    let (status, v) = shrink(2);
    assert_eq!((status, v["error_code"].as_str()), (400, Some("CSS.0001")), "half of 4: {v}");
    let (status, v) = shrink(1);
    assert_eq!(status, 200, "{v}");
    let (c, seen) = css_wait_extended(&s, &token, &id);
    assert!(seen.iter().any(|x| x.contains("SHRINKING")), "{seen:?}");
    let members = c["instances"].as_array().unwrap().clone();
    assert_eq!(members.len(), 3);
    let offline = |ids: Vec<&str>| s.css_call(&token, "POST", &at("node/offline"), Some(json!({"shrinkNodes": ids, "migrate_data": true})));
    let (status, v) = offline(vec![members[0]["id"].as_str().unwrap()]);
    assert_eq!((status, v["error_code"].as_str()), (400, Some("CSS.0001")), "not the newest: {v}");
    let (status, v) = offline(vec![members[2]["id"].as_str().unwrap()]);
    assert_eq!(status, 200, "{v}");
    let (c, _) = css_wait_extended(&s, &token, &id);
    assert_eq!(c["instances"].as_array().unwrap().len(), 2);
    assert_eq!(pids_of(&s, "osmem").len(), 2, "retired members leave no process");

    // Tags as the Huawei provider updates them: delete every old one, then create the new ones.
    let tags_at = format!("/v1.0/{{pid}}/css-cluster/{id}/tags");
    let tag_action = |body: Value| s.css_call(&token, "POST", &format!("{tags_at}/action"), Some(body));
    assert_eq!(tag_action(json!({"action": "create", "tags": [{"key": "env", "value": "dev"}, {"key": "team", "value": "a"}]})).0, 204);
    assert_eq!(tag_action(json!({"action": "delete", "tags": [{"key": "env", "value": "dev"}, {"key": "team", "value": "a"}]})).0, 204);
    assert_eq!(tag_action(json!({"action": "create", "tags": [{"key": "env", "value": "prod"}]})).0, 204);
    let (status, v) = tag_action(json!({"action": "create", "tags": [{"key": " bad", "value": "x"}]}));
    assert_eq!((status, v["errCode"].as_str(), v["error_code"].as_str()), (400, Some("CSS.5137"), Some("CSS.5137")), "{v}");
    assert_eq!(s.css_call(&token, "POST", &tags_at, Some(json!({"tag": {"key": "owner", "value": "ops"}}))).0, 204);
    assert_eq!(s.css_call(&token, "DELETE", &format!("{tags_at}/owner"), None).0, 204);
    let (status, v) = s.css_call(&token, "DELETE", &format!("{tags_at}/owner"), None);
    assert_eq!((status, v["error_code"].as_str()), (400, Some("CSS.5141")), "{v}");
    assert_eq!(s.css_call(&token, "GET", &tags_at, None).1, json!({"tags": [{"key": "env", "value": "prod"}]}));
    let (_, c) = s.css_call(&token, "GET", &format!("/v1.0/{{pid}}/clusters/{id}"), None);
    assert_eq!(c["tags"], json!([{"key": "env", "value": "prod"}]), "the provider reads tags from the detail");

    let (status, _) = s.css_call(&token, "DELETE", &format!("/v1.0/{{pid}}/clusters/{id}"), None);
    assert_eq!(status, 200);
}

#[test]
fn alibaba_change_task_interrupts_and_resumes_where_it_stopped() {
    let Some(mut s) = server() else { return };
    let (status, made) = s.ali_create(2, None);
    assert_eq!(status, 200, "{made}");
    let id = made["Result"]["instanceId"].as_str().unwrap().to_string();
    let path = format!("/openapi/instances/{id}");
    let (_, first) = s.ali("GET", &path, None);
    // (osmem members start in milliseconds: the first look may already see it active.)
    assert_eq!(first["Result"]["inited"], first["Result"]["status"] != "activating", "inited only once created: {first}");
    let mut seen = Vec::new();
    let r = s.ali_wait(&path, MINUTE, &mut seen, |r| r["status"] == "active");
    assert_eq!(seen[0], "activating");
    // What the alicloud provider reads: inited once created, the protocol, the tags; no Kibana, no public access.
    assert_eq!((&r["inited"], &r["protocol"], &r["tags"]), (&json!(true), &json!("HTTP"), &json!([{"tagKey": "env", "tagValue": "ci"}])), "{r}");
    assert_eq!((&r["enablePublic"], &r["kibanaDomain"], &r["esConfig"]), (&json!(false), &json!(""), &json!({})), "{r}");

    // Nothing to interrupt or resume yet.
    let code = |r: (u16, Value)| r.1["Code"].as_str().unwrap_or_default().to_string();
    assert_eq!(code(s.ali("POST", &format!("{path}/actions/interrupt"), None)), "InstanceStatusNotSupportCurrentAction");
    assert_eq!(code(s.ali("POST", &format!("{path}/actions/resume"), None)), "InstanceStatusNotSupportCurrentAction");

    // Grow 2 → 10 (one member per step; osmem members start in milliseconds, so
    // the change is long enough to be caught mid-way); interrupt once the first new member runs.
    let (status, v) = s.ali("PUT", &path, Some(json!({"nodeAmount": 10})));
    assert_eq!(status, 200, "{v}");
    let deadline = std::time::Instant::now() + MINUTE;
    while pids_of(&s, "osmem").len() < 3 {
        assert!(std::time::Instant::now() < deadline, "the first member was never added");
        std::thread::sleep(Duration::from_millis(20));
    }
    let (status, v) = s.ali("POST", &format!("{path}/actions/interrupt"), None);
    assert_eq!((status, &v["Result"]), (200, &json!(true)), "{v}");
    let r = s.ali_wait(&path, MINUTE, &mut seen, |r| r["status"] == "suspended");
    let running = pids_of(&s, "osmem").len();
    assert!((3..10).contains(&running), "suspended after {running} members");
    assert_eq!(r["clusterTasks"][0]["status"], "suspended", "{r}");
    // Suspended: other changes and a restart are refused.
    assert_eq!(code(s.ali("POST", &format!("{path}/actions/restart"), None)), "InstanceActivating");
    assert_eq!(code(s.ali("PUT", &path, Some(json!({"nodeAmount": 3})))), "InstanceActivating");
    assert_eq!(code(s.ali("DELETE", &path, None)), "InstanceActivating");
    assert_eq!(code(s.ali("POST", &format!("{path}/actions/interrupt"), None)), "InstanceStatusNotSupportCurrentAction");
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(pids_of(&s, "osmem").len(), running, "a suspended change kept going");

    // kill -9 of strato while suspended: still suspended after the restart, then resumable.
    s.kill9();
    s.spawn(&stand_in_engines().unwrap().iter().map(String::as_str).collect::<Vec<_>>(), &[]);
    let r = s.ali_wait(&path, MINUTE, &mut Vec::new(), |r| r["status"] != "");
    assert_eq!(r["status"], "suspended", "{r}");
    let kept = pids_of(&s, "osmem");
    let (status, v) = s.ali("POST", &format!("{path}/actions/resume"), None);
    assert_eq!((status, &v["Result"]), (200, &json!(true)), "seed 002's answer: {v}");
    assert!(v["RequestId"].is_string());
    let mut seen = Vec::new();
    let r = s.ali_wait(&path, MINUTE, &mut seen, |r| r["status"] == "active");
    assert!(seen.contains(&"activating".to_string()), "{seen:?}");
    assert_eq!(r["nodeAmount"], 10);
    assert_eq!(r["endpointList"].as_array().map(Vec::len), Some(10));
    let after = pids_of(&s, "osmem");
    assert_eq!(after.len(), 10, "the change did not end at exactly the target");
    assert!(kept.iter().all(|p| after.contains(p)), "resume started over instead of continuing: {kept:?} {after:?}");

    // Shrink 10 → 2 with a crash in the middle: the job finishes after restart.
    s.kill9();
    s.spawn(
        &stand_in_engines().unwrap().iter().map(String::as_str).collect::<Vec<_>>(),
        &[("STRATO_CRASH_AFTER_STEP", "change_cluster:1")],
    );
    s.ali("PUT", &path, Some(json!({"nodeAmount": 2})));
    assert!(!s.wait_exit(MINUTE).success(), "the crash point did not fire");
    s.spawn(&stand_in_engines().unwrap().iter().map(String::as_str).collect::<Vec<_>>(), &[]);
    let r = s.ali_wait(&path, MINUTE, &mut Vec::new(), |r| r["status"] == "active" && r["nodeAmount"] == 2);
    assert_eq!(r["endpointList"].as_array().map(Vec::len), Some(2));
    assert_eq!(pids_of(&s, "osmem").len(), 2);

    // Seed 002's error: an unknown instance.
    let (status, v) = s.ali("POST", "/openapi/instances/es-cn-00000000000000000000000000000000/actions/resume", None);
    assert_eq!((status, v["Code"].as_str()), (400, Some("InstanceNotFound")), "{v}");
}

#[test]
fn alibaba_client_tokens_deletion_and_signatures() {
    let Some(mut s) = server() else { return };
    let (_, first) = s.ali_create(2, Some("tok-1"));
    let id = first["Result"]["instanceId"].as_str().unwrap().to_string();
    let (_, again) = s.ali_create(2, Some("tok-1"));
    assert_eq!(again["Result"]["instanceId"], id.as_str(), "a repeated token must return the first result");
    let (status, other) = s.ali_create(3, Some("tok-1"));
    assert_eq!((status, other["Code"].as_str()), (400, Some("IdempotentParameterMismatch")), "{other}");
    s.kill9();
    s.spawn(&stand_in_engines().unwrap().iter().map(String::as_str).collect::<Vec<_>>(), &[]);
    let (_, after) = s.ali_create(2, Some("tok-1"));
    assert_eq!(after["Result"]["instanceId"], id.as_str(), "tokens are remembered across restarts");
    let (_, list) = s.ali("GET", "/openapi/instances?page=1&size=10", None);
    assert_eq!(list["Headers"]["X-Total-Count"], 1, "{list}");

    // Protective deletion freezes; cancel-deletion brings it back; immediate deletion removes it.
    let path = format!("/openapi/instances/{id}");
    s.ali_wait(&path, MINUTE, &mut Vec::new(), |r| r["status"] == "active");
    let (status, _) = s.ali("DELETE", &format!("{path}?deleteType=protective"), None);
    assert_eq!(status, 200);
    s.ali_wait(&path, MINUTE, &mut Vec::new(), |r| r["status"] == "inactive");
    std::thread::sleep(Duration::from_millis(500));
    assert!(pids_of(&s, "osmem").is_empty(), "a frozen instance still runs");
    let (status, v) = s.ali("POST", &format!("{path}/actions/cancel-deletion"), None);
    assert_eq!(status, 200, "{v}");
    s.ali_wait(&path, MINUTE, &mut Vec::new(), |r| r["status"] == "active");
    s.ali("DELETE", &path, None);
    let deadline = std::time::Instant::now() + MINUTE;
    while s.ali("GET", &path, None).1["Code"] != "InstanceNotFound" {
        assert!(std::time::Instant::now() < deadline, "not deleted");
        std::thread::sleep(Duration::from_millis(100));
    }

    // A protective deletion that is not cancelled deletes the instance when its grace ends.
    s.kill9();
    let mut args = stand_in_engines().unwrap();
    args.extend(["--protective-deletion-secs".to_string(), "2".to_string()]);
    s.spawn(&args.iter().map(String::as_str).collect::<Vec<_>>(), &[]);
    let (_, made) = s.ali_create(2, None);
    let gone = format!("/openapi/instances/{}", made["Result"]["instanceId"].as_str().unwrap());
    s.ali_wait(&gone, MINUTE, &mut Vec::new(), |r| r["status"] == "active");
    s.ali("DELETE", &format!("{gone}?deleteType=protective"), None);
    s.ali_wait(&gone, MINUTE, &mut Vec::new(), |r| r["status"] == "inactive");
    let deadline = std::time::Instant::now() + MINUTE;
    while s.ali("GET", &gone, None).1["Code"] != "InstanceNotFound" {
        assert!(std::time::Instant::now() < deadline, "the protective deletion never came due");
        std::thread::sleep(Duration::from_millis(100));
    }

    // Signatures: wrong secret, skewed date, tampered body are refused, with JSON bodies.
    let now = chrono::Utc::now();
    let body = || Some(json!({"nodeAmount": 3}));
    let (st, v) = s.ali_signed("PUT", &path, body(), "not-the-secret", now, |_| {});
    assert_eq!((st, v["Code"].as_str()), (400, Some("SignatureDoesNotMatch")), "{v}");
    let (st, v) = s.ali_signed("PUT", &path, body(), &s.cred("secret_key"), now - chrono::Duration::minutes(20), |_| {});
    assert_eq!((st, v["Code"].as_str()), (400, Some("InvalidTimeStamp.Expired")), "{v}");
    let (st, v) = s.ali_signed("PUT", &path, body(), &s.cred("secret_key"), now, |b| *b = b"{\"nodeAmount\":9}".to_vec());
    assert_eq!(st, 400, "a tampered body must be refused: {v}");
    // The legacy signature is accepted once per nonce.
    let (st, v) = s.ali_legacy("GET", "/openapi/instances?page=1&size=10", "nonce-1");
    assert_eq!(st, 200, "{v}");
    let (st, v) = s.ali_legacy("GET", "/openapi/instances?page=1&size=10", "nonce-1");
    assert_eq!((st, v["Code"].as_str()), (400, Some("SignatureNonceUsed")), "a replayed nonce must be refused: {v}");
    let (st, v) = s.ali("GET", &format!("{path}/actions/restart"), None);
    assert_eq!(st, 405, "{v}");
    assert!(v["Code"].is_string(), "every body is JSON: {v}");
    let (st, v) = s.ali("GET", "/openapi/nowhere", None);
    assert_eq!((st, v["Code"].as_str()), (404, Some("InvalidAction.NotFound")));
}

#[test]
fn an_unbound_datastore_refuses_creates_and_says_how_to_bind_one() {
    let s = Server::start_with(&["--datastore-engine", "none"], &[]);
    let token = s.token();
    let (status, v) = s.css_call(&token, "POST", "/v1.0/{pid}/clusters", Some(css_body("css-none", "opensearch", "2.11.0", 1)));
    assert_eq!((status, v["error_code"].as_str()), (503, Some("CSS.6000")), "{v}");
    assert!(v["error_msg"].as_str().unwrap().contains("--datastore-engine opensearch="), "{v}");
    let (_, list) = s.css_call(&token, "GET", "/v1.0/{pid}/clusters", None);
    assert_eq!(list["totalSize"], 0);
    let (status, v) = s.ali_create(2, None);
    assert_eq!((status, v["Code"].as_str()), (503, Some("ServiceUnavailable")), "{v}");
}

#[test]
fn alibaba_logstash_disk_change_restarts_every_member_in_turn() {
    let Some(s) = server() else { return };
    let (status, made) = s.ali(
        "POST",
        "/openapi/logstashes",
        Some(json!({"version": "7.4_with_X-Pack", "nodeAmount": 2, "nodeSpec": {"spec": "logstash.n4.small", "disk": 20},
                    "networkConfig": {"type": "vpc", "vpcId": "vpc-1", "vswitchId": "vsw-1", "vsArea": "cn-hangzhou-i"}, "paymentType": "postpaid"})),
    );
    assert_eq!(status, 200, "{made}");
    let id = made["Result"]["instanceId"].as_str().unwrap().to_string();
    assert!(id.starts_with("ls-cn-"), "{id}");
    let path = format!("/openapi/logstashes/{id}");
    let r = s.ali_wait(&path, MINUTE, &mut Vec::new(), |r| r["status"] == "active");
    assert_eq!(r["endpointList"].as_array().map(Vec::len), Some(2));
    let before = pids_of(&s, "syslog-ng");
    assert_eq!(before.len(), 2);
    let (status, v) = s.ali("PUT", &path, Some(json!({"nodeSpec": {"disk": 40}})));
    assert_eq!((status, &v["Result"]), (200, &json!(true)), "UpdateLogstash answers a Boolean: {v}");
    let mut seen = Vec::new();
    let r = s.ali_wait(&path, MINUTE, &mut seen, |r| r["status"] == "active" && r["nodeSpec"]["disk"] == 40);
    assert!(seen.contains(&"activating".to_string()), "{seen:?}");
    assert_eq!(r["nodeAmount"], 2);
    let after = pids_of(&s, "syslog-ng");
    assert_eq!(after.len(), 2);
    assert!(after.iter().all(|p| !before.contains(p)), "every member restarts for a disk change: {before:?} {after:?}");
    let code = |r: (u16, Value)| r.1["Code"].as_str().unwrap_or_default().to_string();
    assert_eq!(code(s.ali("PUT", &path, Some(json!({"nodeSpec": {"disk": 30}})))), "InvalidParameter", "disks only grow");
    assert_eq!(code(s.ali("PUT", &path, Some(json!({"nodeAmount": 2})))), "MustChangeOneResource", "a change that changes nothing");
    let (status, v) = s.ali("POST", &format!("{path}/description"), Some(json!({"description": "ls-renamed"})));
    assert_eq!((status, v["Result"]["description"].as_str()), (200, Some("ls-renamed")), "{v}");
}

#[test]
fn css_flavor_changes_restart_every_member_as_the_new_flavor() {
    let Some(s) = server() else { return };
    let token = s.token();
    let (status, made) = s.css_call(&token, "POST", "/v1.0/{pid}/clusters", Some(css_body("css-flavor", "elasticsearch", "7.10.2", 2)));
    assert_eq!(status, 200, "{made}");
    let id = made["cluster"]["id"].as_str().unwrap().to_string();
    s.css_wait(&token, &id, MINUTE, &mut Vec::new(), ready);
    let before = pids_of(&s, "osmem");
    assert_eq!(before.len(), 2);
    // The provider looks the id up in es-flavors by type, version and name.
    let (_, flavors) = s.css_call(&token, "GET", "/v1.0/{pid}/es-flavors", None);
    let version = flavors["versions"].as_array().unwrap().iter().find(|v| v["type"] == "ess" && v["version"] == "7.10.2").expect("ess 7.10.2");
    let flavor_id = version["flavors"].as_array().unwrap().iter().find(|f| f["name"] == "ess.spec-8u16g").unwrap()["flavor_id"].as_str().unwrap().to_string();
    assert!(uuid::Uuid::parse_str(&flavor_id).is_ok(), "flavor ids are UUIDs: {flavor_id}");
    let at = format!("/v1.0/{{pid}}/clusters/{id}/ess/flavor");
    for (bad, why) in [
        (json!({"newFlavorId": "ess.spec-huge"}), "unknown flavor"),
        (json!({"newFlavorId": "ess.spec-4u8g"}), "the flavor it has"),
        (json!({"newFlavorId": 7}), "wrong type"),
        (json!({"newFlavorId": flavor_id, "operationType": "turbo"}), "unknown operation"),
    ] {
        let (status, v) = s.css_call(&token, "POST", &at, Some(bad));
        assert_eq!((status, v["error_code"].as_str()), (400, Some("CSS.0001")), "{why}: {v}");
    }
    let (status, v) = s.css_call(&token, "POST", &format!("/v1.0/{{pid}}/clusters/{id}/ess-master/flavor"), Some(json!({"newFlavorId": flavor_id})));
    assert_eq!((status, v["error_code"].as_str()), (400, Some("CSS.0001")), "no masters here: {v}");
    assert_eq!(pids_of(&s, "osmem"), before, "refusals change nothing");

    // The Terraform provider's body (camelCase), then the SDK's (snake_case) back to the first flavor.
    let (status, v) = s.css_call(&token, "POST", &at, Some(json!({"needCheckReplica": true, "newFlavorId": flavor_id, "isAutoPay": 1})));
    assert_eq!((status, &v), (200, &json!({})), "{v}");
    let mut seen = Vec::new();
    let c = s.css_wait(&token, &id, MINUTE, &mut seen, |v| {
        let first = v["actions"][0].as_str();
        assert!(first.is_none() || first == Some("REBOOTING"), "unexpected actions: {v}");
        ready(v) && v["instances"].as_array().unwrap().iter().all(|i| i["specCode"] == "ess.spec-8u16g")
    });
    assert!(seen.iter().any(|x| x.contains("REBOOTING")), "{seen:?}");
    assert_eq!(c["instances"].as_array().unwrap().len(), 2);
    let after = pids_of(&s, "osmem");
    assert_eq!(after.len(), 2);
    assert!(after.iter().all(|p| !before.contains(p)), "every member restarted: {before:?} {after:?}");
    let (status, v) = s.css_call(&token, "POST", &format!("/v1.0/{{pid}}/clusters/{id}/flavor"), Some(json!({"new_flavor_id": "ess.spec-4u8g", "need_check_replica": false})));
    assert_eq!(status, 200, "{v}");
    s.css_wait(&token, &id, MINUTE, &mut Vec::new(), |v| ready(v) && v["instances"][0]["specCode"] == "ess.spec-4u8g");
    let (status, _) = s.css_call(&token, "DELETE", &format!("/v1.0/{{pid}}/clusters/{id}"), None);
    assert_eq!(status, 200);
}

#[test]
fn alibaba_spec_and_settings_changes_restart_the_members_with_them() {
    let Some(s) = server() else { return };
    let (status, made) = s.ali_create(2, None);
    assert_eq!(status, 200, "{made}");
    let id = made["Result"]["instanceId"].as_str().unwrap().to_string();
    let path = format!("/openapi/instances/{id}");
    let r = s.ali_wait(&path, MINUTE, &mut Vec::new(), |r| r["status"] == "active");
    // The provider reads these objects unguarded, and the Kibana private connections on every refresh.
    assert_eq!(r["masterConfiguration"]["spec"], "", "{r}");
    assert_eq!(r["kibanaConfiguration"]["amount"], 0, "{r}");
    assert_eq!(r["esConfig"], json!({}));
    let (status, v) = s.ali("GET", &format!("{path}/actions/get-kibana-private"), None);
    assert_eq!((status, &v["Result"]), (200, &json!([])), "{v}");
    let code = |r: (u16, Value)| r.1["Code"].as_str().unwrap_or_default().to_string();
    let before = pids_of(&s, "osmem");

    // nodeSpec as the provider sends it (the whole object, with the dedicated roles it does not use).
    let spec = json!({"nodeSpec": {"spec": "elasticsearch.sn2ne.xlarge", "disk": 20, "diskType": "cloud_ssd"}, "nodeAmount": 2,
                      "masterConfiguration": {}, "clientNodeConfiguration": {"amount": 0}});
    assert_eq!(code(s.ali("PUT", &path, Some(json!({"masterConfiguration": {"spec": "elasticsearch.sn2ne.large", "amount": 2}})))), "InvalidParameter", "Alibaba's dedicated masters are 3");
    assert_eq!(code(s.ali("PUT", &path, Some(json!({"kibanaConfiguration": {"spec": "elasticsearch.n4.small", "amount": 1}})))), "OperationNotEmulated");
    assert_eq!(code(s.ali("PUT", &path, Some(json!({"nodeSpec": {"spec": "ess.spec-4u8g"}})))), "InvalidParameter");
    assert_eq!(code(s.ali("PUT", &path, Some(json!({"nodeSpec": {"spec": "elasticsearch.sn2ne.large", "disk": 20}})))), "MustChangeOneResource");
    assert_eq!(pids_of(&s, "osmem"), before, "refusals change nothing");
    let (status, v) = s.ali("PUT", &path, Some(spec));
    assert_eq!(status, 200, "{v}");
    let mut seen = Vec::new();
    s.ali_wait(&path, MINUTE, &mut seen, |r| r["status"] == "active" && r["nodeSpec"]["spec"] == "elasticsearch.sn2ne.xlarge");
    assert!(seen.contains(&"activating".to_string()), "{seen:?}");
    let after = pids_of(&s, "osmem");
    assert!(after.len() == 2 && after.iter().all(|p| !before.contains(p)), "every member restarted: {before:?} {after:?}");

    // esConfig (instance-settings): offered keys only, applied by a rolling restart.
    let settings = format!("{path}/instance-settings");
    assert_eq!(code(s.ali("POST", &settings, Some(json!({"esConfig": {"path.data": "/tmp"}})))), "InvalidParameter");
    assert_eq!(code(s.ali("POST", &settings, Some(json!({"esConfig": {"http.cors.enabled": {"x": 1}}})))), "InvalidParameter");
    let (status, v) = s.ali("POST", &settings, Some(json!({"esConfig": {"action.auto_create_index": "+.*,-*", "indices.query.bool.max_clause_count": 2048}})));
    assert_eq!((status, v["Result"]["instanceId"].as_str()), (200, Some(id.as_str())), "{v}");
    let want = json!({"action.auto_create_index": "+.*,-*", "indices.query.bool.max_clause_count": "2048"});
    let r = s.ali_wait(&path, MINUTE, &mut Vec::new(), |r| r["status"] == "active" && r["esConfig"] == want);
    assert_eq!(r["nodeAmount"], 2);
    let again = pids_of(&s, "osmem");
    assert!(again.len() == 2 && again.iter().all(|p| !after.contains(p)), "restarted again: {after:?} {again:?}");
    assert_eq!(code(s.ali("POST", &settings, Some(json!({"esConfig": want})))), "MustChangeOneResource");

    // UpdateDescription: the console name, recorded at once; the list filters on it.
    assert_eq!(code(s.ali("POST", &format!("{path}/description"), Some(json!({"description": "x".repeat(31)})))), "InvalidParameter");
    assert_eq!(code(s.ali("POST", &format!("{path}/description"), Some(json!({"description": 7})))), "InvalidParameter");
    let (status, v) = s.ali("POST", &format!("{path}/description"), Some(json!({"description": "es-renamed"})));
    assert_eq!((status, v["Result"]["description"].as_str(), v["Result"]["status"].as_str()), (200, Some("es-renamed"), Some("active")), "{v}");
    let (_, listed) = s.ali("GET", "/openapi/instances?description=es-renamed", None);
    assert_eq!(listed["Result"][0]["instanceId"].as_str(), Some(id.as_str()), "{listed}");
    let (status, _) = s.ali("DELETE", &path, None);
    assert_eq!(status, 200);
}

/// With no `--datastore-engine`, the installed stand-ins are bound: a fresh
/// `strato server` serves CSS and Alibaba creates.
#[test]
fn without_bindings_the_installed_stand_ins_serve() {
    if stand_in_engines().is_none() {
        return;
    }
    let s = Server::start();
    let token = s.token();
    let (status, v) = s.css_call(&token, "POST", "/v1.0/{pid}/clusters", Some(css_body("css-zero-conf", "opensearch", "2.11.0", 1)));
    assert_eq!(status, 200, "{v}");
    let id = v["cluster"]["id"].as_str().unwrap().to_string();
    s.css_wait(&token, &id, MINUTE, &mut Vec::new(), |c| c["status"] == "200");
    let (status, v) = s.css_call(&token, "DELETE", &format!("/v1.0/{{pid}}/clusters/{id}"), None);
    assert_eq!(status, 200, "{v}");
}
