//! Alibaba Elasticsearch beyond changes: public access served by strato's
//! forwarder behind its white list, HTTPS and password settings, the tag API,
//! the node list from observed figures, and restarts by member or by batch,
//! on real (osmem stand-in) members.

mod common;

use std::time::Duration;

use common::search::{root_from, stand_in_engines};
use common::Server;
use serde_json::{json, Value};

const MINUTE: Duration = Duration::from_secs(60);

fn server() -> Option<Server> {
    let args = stand_in_engines()?;
    Some(Server::start_with(&args.iter().map(String::as_str).collect::<Vec<_>>(), &[]))
}

fn code(r: (u16, Value)) -> String {
    r.1["Code"].as_str().unwrap_or_default().to_string()
}

fn public_endpoint(r: &Value) -> String {
    format!("{}:{}", r["publicDomain"].as_str().unwrap(), r["publicPort"])
}

#[test]
fn public_access_serves_the_members_to_the_white_list_only() {
    let Some(mut s) = server() else { return };
    let (path, r) = s.ali_active_instance(2);
    // A new instance: private clients allowed, no public access, its port shown.
    assert_eq!((&r["enablePublic"], &r["publicDomain"], &r["publicIpWhitelist"]), (&json!(false), &json!(""), &json!([])), "{r}");
    assert_eq!(r["publicPort"], r["port"].as_u64().unwrap() + 1);
    assert_eq!(r["privateNetworkIpWhiteList"], json!(["0.0.0.0/0"]));
    assert_eq!(r["networkConfig"]["whiteIpGroupList"], json!([{"groupName": "default", "ips": ["0.0.0.0/0"], "whiteIpType": "PRIVATE_ES"}]));
    let white = format!("{path}/actions/modify-white-ips");
    let trigger = format!("{path}/actions/network-trigger");
    let public = |mode: &str, ips: Value| json!({"nodeType": "WORKER", "modifyMode": mode, "networkType": "PUBLIC", "whiteIpList": ips});

    // Refusals change nothing: bad addresses, private ones in a public list, Kibana (not run), bad kinds.
    assert_eq!(code(s.ali("POST", &white, Some(public("Cover", json!(["127.0.0.300"]))))), "InvalidParameter");
    assert_eq!(code(s.ali("POST", &white, Some(public("Cover", json!(["192.168.0.0/16"]))))), "InvalidParameter");
    assert_eq!(code(s.ali("POST", &white, Some(public("Cover", json!("127.0.0.1"))))), "InvalidParameter");
    let kibana = json!({"nodeType": "KIBANA", "networkType": "PUBLIC", "whiteIpList": ["127.0.0.1"]});
    let (status, v) = s.ali("POST", &white, Some(kibana));
    assert_eq!((status, v["Code"].as_str()), (400, Some("OperationNotEmulated")), "{v}");
    let (status, v) = s.ali("POST", &trigger, Some(json!({"nodeType": "KIBANA", "networkType": "PUBLIC", "actionType": "OPEN"})));
    assert_eq!((status, v["Code"].as_str()), (400, Some("OperationNotEmulated")), "{v}");
    assert_eq!(code(s.ali("POST", &trigger, Some(json!({"nodeType": "WORKER", "networkType": "PRIVATE", "actionType": "CLOSE"})))), "InvalidParameter");
    assert_eq!(code(s.ali("POST", &trigger, Some(json!({"nodeType": "WORKER", "networkType": "PUBLIC"})))), "InvalidParameter");
    let (_, same) = s.ali("GET", &path, None);
    assert_eq!(same["Result"]["networkConfig"], r["networkConfig"], "a refusal changed the instance");
    assert_eq!(same["Result"]["enablePublic"], false);

    // Open public access: served at once, but the empty white list admits nobody.
    let (status, v) = s.ali("POST", &trigger, Some(json!({"nodeType": "WORKER", "networkType": "PUBLIC", "actionType": "OPEN"})));
    assert_eq!((status, &v["Result"]), (200, &json!(true)), "{v}");
    assert_eq!(code(s.ali("POST", &trigger, Some(json!({"nodeType": "WORKER", "networkType": "PUBLIC", "actionType": "OPEN"})))), "RepetitionOperationError");
    let (_, v) = s.ali("GET", &path, None);
    let r = v["Result"].clone();
    assert_eq!((&r["enablePublic"], &r["publicDomain"], &r["status"]), (&json!(true), &r["domain"], &json!("active")), "{r}");
    let at = public_endpoint(&r);
    assert!(root_from("127.0.0.1", &at).is_none(), "an empty public white list admitted a client");

    // The provider's white list call: 127.0.0.1 is let through to the members, 127.0.0.2 is not.
    let (status, v) = s.ali("POST", &white, Some(public("Cover", json!(["127.0.0.1", "203.0.113.0/24"]))));
    assert_eq!((status, &v["Result"]), (200, &json!(true)), "{v}");
    let engine = root_from("127.0.0.1", &at).expect("the public endpoint did not relay an admitted client");
    assert_eq!(engine["tagline"], "The OpenSearch Project: https://opensearch.org/", "{engine}");
    assert!(root_from("127.0.0.2", &at).is_none(), "a client outside the white list was relayed");
    // A named group adds to the list; Delete takes from it.
    let group = json!({"modifyMode": "Cover", "whiteIpGroup": {"groupName": "ops", "ips": ["127.0.0.2"], "whiteIpType": "PUBLIC_ES"}});
    assert_eq!(s.ali("POST", &white, Some(group)).0, 200);
    assert!(root_from("127.0.0.2", &at).is_some(), "the ops group's client was refused");
    assert_eq!(s.ali("POST", &white, Some(public("Delete", json!(["203.0.113.0/24"])))).0, 200);
    let (_, v) = s.ali("GET", &path, None);
    assert_eq!(v["Result"]["publicIpWhitelist"], json!(["127.0.0.1", "127.0.0.2"]), "{v}");

    // kill -9 of strato: after the restart the endpoint is served again, behind the same list.
    s.kill9();
    s.spawn(&stand_in_engines().unwrap().iter().map(String::as_str).collect::<Vec<_>>(), &[]);
    let deadline = std::time::Instant::now() + MINUTE;
    while root_from("127.0.0.1", &at).is_none() {
        assert!(std::time::Instant::now() < deadline, "the public endpoint was not served again after a restart");
        std::thread::sleep(Duration::from_millis(200));
    }
    // Private list: recorded (the members' own addresses serve every local client).
    assert_eq!(s.ali("POST", &white, Some(json!({"nodeType": "WORKER", "networkType": "PRIVATE", "whiteIpList": ["10.0.0.0/8"]}))).0, 200);
    let (_, v) = s.ali("GET", &path, None);
    assert_eq!(v["Result"]["privateNetworkIpWhiteList"], json!(["10.0.0.0/8"]));

    // HTTPS and the administrator's password: recorded, the instance stays active.
    let (status, v) = s.ali("POST", &format!("{path}/actions/open-https"), Some(json!({})));
    assert_eq!((status, &v["Result"]), (200, &json!(true)), "{v}");
    assert_eq!(code(s.ali("POST", &format!("{path}/actions/open-https"), None)), "RepetitionOperationError");
    assert_eq!(s.ali("GET", &path, None).1["Result"]["protocol"], "HTTPS");
    assert_eq!(s.ali("POST", &format!("{path}/actions/close-https"), None).0, 200);
    assert_eq!(s.ali("GET", &path, None).1["Result"]["protocol"], "HTTP");
    assert_eq!(code(s.ali("POST", &format!("{path}/admin-pwd"), Some(json!({"esAdminPassword": "weak"})))), "InvalidParameter");
    let (status, v) = s.ali("POST", &format!("{path}/admin-pwd"), Some(json!({"esAdminPassword": "Es-admin2"})));
    assert_eq!((status, &v["Result"]), (200, &json!(true)), "{v}");

    // While a task holds the instance, access changes are refused (the provider retries InstanceActivating).
    assert_eq!(s.ali("POST", &format!("{path}/actions/restart"), None).0, 200);
    assert_eq!(code(s.ali("POST", &white, Some(public("Cover", json!([]))))), "InstanceActivating");
    s.ali_wait(&path, MINUTE, &mut Vec::new(), |r| r["status"] == "active");

    // Closed: nothing listens any more.
    assert_eq!(s.ali("POST", &trigger, Some(json!({"nodeType": "WORKER", "networkType": "PUBLIC", "actionType": "CLOSE"}))).0, 200);
    std::thread::sleep(Duration::from_millis(300));
    assert!(root_from("127.0.0.1", &at).is_none(), "a closed public endpoint still served");
    let (_, v) = s.ali("GET", &path, None);
    assert_eq!((&v["Result"]["enablePublic"], &v["Result"]["publicDomain"]), (&json!(false), &json!("")));
    assert_eq!(v["Result"]["publicIpWhitelist"], json!(["127.0.0.1", "127.0.0.2"]), "closing keeps the list");
    assert_eq!(s.ali("DELETE", &path, None).0, 200);
}

#[test]
fn tags_node_figures_and_restarts_by_member_or_batch() {
    let Some(s) = server() else { return };
    let (path, r) = s.ali_active_instance(3);
    let id = r["instanceId"].as_str().unwrap().to_string();

    // TagResources / ListTagResources / ListTags / UntagResources.
    let tag = |ids: Value, tags: Value| s.ali("POST", "/openapi/tags", Some(json!({"ResourceIds": ids, "ResourceType": "INSTANCE", "Tags": tags})));
    assert_eq!(code(tag(json!([id]), json!([{"key": "aliyun-x", "value": "v"}]))), "InvalidParameter");
    assert_eq!(code(tag(json!([id, "es-cn-00000000000000000000000000000000"]), json!([{"key": "team", "value": "search"}]))), "InstanceNotFound");
    assert_eq!(s.ali("GET", &path, None).1["Result"]["tags"], json!([{"tagKey": "env", "tagValue": "ci"}]), "a refused tag call tagged");
    let (status, v) = tag(json!([id]), json!([{"key": "team", "value": "search"}, {"key": "env", "value": "prod"}]));
    assert_eq!((status, &v["Result"]), (200, &json!(true)), "{v}");
    assert_eq!(s.ali("GET", &path, None).1["Result"]["tags"], json!([{"tagKey": "team", "tagValue": "search"}, {"tagKey": "env", "tagValue": "prod"}]));
    let ids = format!("%5B%22{id}%22%5D");
    let (status, v) = s.ali("GET", &format!("/openapi/tags?ResourceType=INSTANCE&ResourceIds={ids}"), None);
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["TagResources"]["TagResource"].as_array().map(Vec::len), Some(2), "{v}");
    assert_eq!(v["TagResources"]["TagResource"][0]["ResourceType"], "ALIYUN::ELASTICSEARCH::INSTANCE");
    let (_, v) = s.ali("GET", "/openapi/tags?ResourceType=INSTANCE&Tags=%5B%7B%22key%22%3A%22team%22%7D%5D", None);
    assert_eq!(v["TagResources"]["TagResource"][0]["ResourceId"].as_str(), Some(id.as_str()), "{v}");
    assert_eq!(code(s.ali("GET", "/openapi/tags?ResourceType=INSTANCE", None)), "InvalidParameter");
    let (_, v) = s.ali("GET", "/openapi/tags/all-tags", None);
    assert_eq!(v["Result"], json!([{"TagKey": "env", "TagValue": "prod"}, {"TagKey": "team", "TagValue": "search"}]));
    let (status, _) = s.ali("DELETE", &format!("/openapi/tags?ResourceType=INSTANCE&ResourceIds={ids}&TagKeys=%5B%22env%22%5D"), None);
    assert_eq!(status, 200);
    assert_eq!(s.ali("GET", &path, None).1["Result"]["tags"], json!([{"tagKey": "team", "tagValue": "search"}]));
    s.ali("DELETE", &format!("/openapi/tags?ResourceType=INSTANCE&ResourceIds={ids}&All=true"), None);
    assert_eq!(s.ali("GET", &path, None).1["Result"]["tags"], json!([]));

    // ListAllNode: every member GREEN, with figures the health loop measured.
    let nodes = |q: &str| s.ali("GET", &format!("{path}/nodes{q}"), None).1["Result"].clone();
    let wait = common::Wait { what: "node figures".into(), within: MINUTE, every: Duration::from_millis(200) };
    let listed = s.poll(wait, &mut Vec::new(), || nodes(""), |_| String::new(), |n| {
        n.as_array().is_some_and(|a| a.len() == 3 && a.iter().all(|m| m["cpuPercent"].is_string() && m["diskUsedPercent"].is_string()))
    });
    let hosts: Vec<&str> = r["endpointList"].as_array().unwrap().iter().map(|e| e["host"].as_str().unwrap()).collect();
    for (m, host) in listed.as_array().unwrap().iter().zip(&hosts) {
        assert_eq!((&m["health"], &m["nodeType"], m["host"].as_str(), &m["port"]), (&json!("GREEN"), &json!("WORKER"), Some(*host), &json!(9200)), "{m}");
        assert!(m["cpuPercent"].as_str().unwrap().ends_with('%') && m["heapPercent"].is_null(), "{m}");
    }
    assert!(nodes("?extended=false")[0].get("cpuPercent").is_none());

    // Restart one member by its address: only its process is new.
    let before = s.engine_pids_named("osmem");
    let (status, v) = s.ali("POST", &format!("{path}/actions/restart"), Some(json!({"restartType": "nodeIp", "nodes": [hosts[2]]})));
    assert_eq!((status, v["Result"]["status"].as_str()), (200, Some("activating")), "{v}");
    s.ali_wait(&path, MINUTE, &mut Vec::new(), |r| r["status"] == "active");
    let after = s.engine_pids_named("osmem");
    assert_eq!(after.len(), 3);
    assert_eq!(after.iter().filter(|p| before.contains(p)).count(), 2, "only the named member restarts: {before:?} {after:?}");
    // Batch rules, with Alibaba's codes; nothing restarts.
    assert_eq!(code(s.ali("POST", &format!("{path}/actions/restart?force=true"), Some(json!({"restartType": "instance"})))), "RestartBatchValueError");
    assert_eq!(code(s.ali("POST", &format!("{path}/actions/restart"), Some(json!({"batchCount": 50})))), "NormalRestartNotSupportBatch");
    assert_eq!(code(s.ali("POST", &format!("{path}/actions/restart"), Some(json!({"restartType": "nodeIp", "nodes": ["10.9.9.9"]})))), "InvalidParameter");
    assert_eq!(code(s.ali("POST", &format!("{path}/actions/restart"), Some(json!({"blueGreenDep": true})))), "OperationNotEmulated");
    assert_eq!(s.engine_pids_named("osmem"), after, "a refused restart restarted");
    // Forced, half at a time: every member restarts.
    assert_eq!(s.ali("POST", &format!("{path}/actions/restart?force=true"), Some(json!({"batchCount": 50}))).0, 200);
    s.ali_wait(&path, MINUTE, &mut Vec::new(), |r| r["status"] == "active");
    let last = s.engine_pids_named("osmem");
    assert!(last.len() == 3 && last.iter().all(|p| !after.contains(p)), "{after:?} {last:?}");
    assert_eq!(s.ali("DELETE", &path, None).0, 200);
}
