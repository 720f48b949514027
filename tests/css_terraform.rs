//! One `huaweicloud_css_cluster` life replayed as the Huawei provider calls it
//! (services/css/resource_huaweicloud_css_cluster.go): the v2 create with
//! roles, security mode, public access and a backup strategy; the three calls
//! of every Read; updates each followed by the provider's ready check; the
//! restart resource's v2 restart; delete until 404. Refusals come first, with
//! CSS's codes, and change nothing.

mod common;

use std::time::Duration;

use common::search::{root_from, stand_in_engines};
use common::Server;
use serde_json::{json, Value};

const MINUTE: Duration = Duration::from_secs(60);

/// `checkCssClusterIsReady`.
fn ready(v: &Value) -> bool {
    v["status"] == "200"
        && v["actions"].as_array().is_some_and(|a| a.is_empty())
        && v["instances"].as_array().is_some_and(|i| !i.is_empty() && i.iter().all(|n| n["status"] == "200"))
}

fn create_body(roles: Value) -> Value {
    json!({"cluster": {
        "name": "css-tf", "datastore": {"type": "elasticsearch", "version": "7.10.2"},
        "roles": roles,
        "nics": {"vpcId": "vpc-1", "netId": "subnet-1", "securityGroupId": "sg-1"},
        "availability_zone": "eu-de-01",
        "authorityEnable": true, "adminPwd": "Css-admin1", "httpsEnable": true,
        "backupStrategy": {"prefix": "snapshot", "period": "00:00 GMT+08:00", "keepday": 7},
        "publicIPReq": {"eip": {"bandWidth": {"size": 5}}, "elbWhiteListReq": {"enableWhiteList": true, "whiteList": "127.0.0.1"}, "publicBindType": "auto_assign"},
        "tags": [{"key": "owner", "value": "tf"}]}})
}

fn ess(n: u32, size: u32) -> Value {
    json!({"type": "ess", "flavorRef": "ess.spec-4u8g", "instanceNum": n, "volume": {"volume_type": "HIGH", "size": size}})
}

#[test]
fn the_providers_css_cluster_life_converges() {
    let Some(args) = stand_in_engines() else { return };
    let s = Server::start_with(&args.iter().map(String::as_str).collect::<Vec<_>>(), &[]);
    let t = s.token();
    let code = |r: (u16, Value)| (r.0, r.1["errCode"].as_str().unwrap_or_default().to_string());

    // Refusals: an even number of masters, a disk not a multiple of 20, no data role, HTTPS without the security mode,
    // Kibana; nothing is created.
    let master = |n: u32| json!({"type": "ess-master", "flavorRef": "ess.spec-4u8g", "instanceNum": n, "volume": {"volume_type": "HIGH", "size": 40}});
    for (body, want) in [
        (create_body(json!([ess(2, 40), master(4)])), "CSS.0001"),
        (create_body(json!([master(3)])), "CSS.0001"),
        (create_body(json!([ess(2, 30)])), "CSS.0001"),
        (create_body(json!([])), "CSS.0001"),
        ({ let mut b = create_body(json!([ess(2, 40)])); b["cluster"]["authorityEnable"] = json!(false); b }, "CSS.5171"),
        ({ let mut b = create_body(json!([ess(2, 40)])); b["cluster"]["publicKibanaReq"] = json!({"eipSize": 1}); b }, "CSS.0001"),
    ] {
        assert_eq!(code(s.css_call(&t, "POST", "/v2.0/{pid}/clusters", Some(body))), (400, want.to_string()));
    }
    assert_eq!(s.css_call(&t, "GET", "/v1.0/{pid}/clusters", None).1["totalSize"], 0);

    // Create (v2: two data members, three dedicated masters), then wait 100 -> 200 as checkClusterCreateResult does.
    let (status, made) = s.css_call(&t, "POST", "/v2.0/{pid}/clusters", Some(create_body(json!([ess(2, 40), master(3)]))));
    assert_eq!(status, 200, "{made}");
    assert!(made.get("orderId").is_none(), "pay-per-use: the provider would wait on BSS for an order");
    let id = made["cluster"]["id"].as_str().unwrap().to_string();
    let wait = |seen: &mut Vec<String>| s.css_wait(&t, &id, MINUTE, seen, ready);
    let mut seen = Vec::new();
    wait(&mut seen);
    assert!(seen.iter().all(|x| x.starts_with("100") || x.starts_with("200")), "{seen:?}");

    // Read: the detail, the VPC endpoint connections (CSS.5182: none), the snapshot policy.
    let c = |p: &str| format!("/v1.0/{{pid}}/clusters/{id}{p}");
    let read = || {
        let (status, d) = s.css_call(&t, "GET", &c(""), None);
        assert_eq!(status, 200);
        assert_eq!(code(s.css_call(&t, "GET", &c("/vpcepservice/connections"), None)), (400, "CSS.5182".into()));
        let (status, policy) = s.css_call(&t, "GET", &c("/index_snapshot/policy"), None);
        assert_eq!(status, 200);
        (d, policy)
    };
    let (d, policy) = read();
    let types: Vec<&str> = d["instances"].as_array().unwrap().iter().map(|i| i["type"].as_str().unwrap()).collect();
    assert_eq!(types, ["ess", "ess", "ess-master", "ess-master", "ess-master"]);
    assert_eq!(s.engine_pids_named("osmem").len(), 5, "every member is a process, masters included");
    let first = &d["instances"][0];
    assert_eq!((&first["specCode"], &first["volume"], &first["azCode"]), (&json!("ess.spec-4u8g"), &json!({"size": 40, "type": "HIGH"}), &json!("eu-de-01")), "{d}");
    assert_eq!((&d["authorityEnable"], &d["httpsEnable"], &d["backupAvailable"], &d["tags"]), (&json!(true), &json!(true), &json!(true), &json!([{"key": "owner", "value": "tf"}])));
    assert_eq!((&policy["enable"], &policy["keepday"], &policy["prefix"]), (&json!("true"), &json!(7), &json!("snapshot")), "{policy}");
    assert_eq!(d["elbWhiteList"], json!({"enableWhiteList": true, "whiteList": "127.0.0.1"}));
    let public = d["publicIp"].as_str().unwrap().to_string();
    assert!(root_from("127.0.0.1", &public).is_some(), "the create's public access is not served");
    assert!(root_from("127.0.0.2", &public).is_none(), "the create's white list is not enforced");

    // Updates, each followed by the ready check: a member more, the flavor, the white list, the password, the
    // security group, the snapshot policy off.
    let post = |p: &str, b: Value| {
        let (status, v) = s.css_call(&t, "POST", &c(p), Some(b));
        assert!(v.is_object(), "every 200 body is JSON the provider decodes: {v}");
        assert_eq!(status, 200, "{p}: {v}");
    };
    post("/role_extend", json!({"grow": [{"type": "ess", "nodesize": 1, "disksize": 0}], "isAutoPay": 1}));
    let d = wait(&mut Vec::new());
    let count = |d: &Value, t: &str| d["instances"].as_array().unwrap().iter().filter(|i| i["type"] == t).count();
    assert_eq!((count(&d, "ess"), count(&d, "ess-master")), (3, 3), "{d}");
    let masters = |d: &Value| -> Vec<String> { d["instances"].as_array().unwrap().iter().filter(|i| i["type"] == "ess-master").map(|i| i["ip"].as_str().unwrap().to_string()).collect() };
    let pids_before_flavor = s.engine_pids_named("osmem");
    let flavors = s.css_call(&t, "GET", "/v1.0/{pid}/es-flavors", None).1;
    let bigger = flavors["versions"][0]["flavors"].as_array().unwrap().iter().find(|f| f["name"] == "ess.spec-8u16g").unwrap()["flavor_id"].clone();
    post("/ess/flavor", json!({"needCheckReplica": true, "newFlavorId": bigger, "isAutoPay": 1}));
    let d = wait(&mut Vec::new());
    for i in d["instances"].as_array().unwrap() {
        let want = if i["type"] == "ess" { "ess.spec-8u16g" } else { "ess.spec-4u8g" };
        assert_eq!(i["specCode"], want, "only the data members change flavor: {d}");
    }
    let kept = s.engine_pids_named("osmem").iter().filter(|p| pids_before_flavor.contains(p)).count();
    assert_eq!(kept, 3, "the masters were not restarted for the data members' flavor");
    // The masters: two more (an odd number), then their own flavor.
    assert_eq!(s.css_call(&t, "POST", &c("/role_extend"), Some(json!({"grow": [{"type": "ess-master", "nodesize": 1, "disksize": 0}]}))).1["errCode"], "CSS.0001");
    post("/role_extend", json!({"grow": [{"type": "ess-master", "nodesize": 2, "disksize": 0}], "isAutoPay": 1}));
    let d = wait(&mut Vec::new());
    assert_eq!((count(&d, "ess"), count(&d, "ess-master")), (3, 5));
    post("/ess-master/flavor", json!({"needCheckReplica": true, "newFlavorId": bigger, "isAutoPay": 1}));
    let d = wait(&mut Vec::new());
    assert!(d["instances"].as_array().unwrap().iter().all(|i| i["specCode"] == "ess.spec-8u16g"), "{d}");
    let (status, _) = s.css_call(&t, "POST", &format!("/v1.0/extend/{{pid}}/clusters/{id}/role/shrink"), Some(json!({"shrink": [{"type": "ess-master", "reducedNodeNum": 2}]})));
    assert_eq!(status, 200);
    let d = wait(&mut Vec::new());
    assert_eq!((count(&d, "ess"), count(&d, "ess-master"), masters(&d).len()), (3, 3, 3));
    assert_eq!(s.engine_pids_named("osmem").len(), 6);
    post("/public/whitelist/update", json!({"whiteList": "127.0.0.1,127.0.0.2"}));
    let d = s.css_call(&t, "GET", &c(""), None).1;
    assert!(root_from("127.0.0.2", &public).is_some(), "{} {} {}", d["elbWhiteList"], root_from("127.0.0.1", &public).is_some(), s.log());
    post("/password/reset", json!({"newpassword": "Css-admin2"}));
    post("/sg/change", json!({"security_group_ids": "sg-2"}));
    post("/index_snapshot/policy", json!({"prefix": "snapshot", "period": "00:00 GMT+08:00", "keepday": 7, "enable": "false"}));
    let (d, policy) = read();
    assert!(ready(&d));
    assert_eq!((&d["securityGroupId"], &policy["enable"]), (&json!("sg-2"), &json!("false")));

    // The restart resource: ready, v2 restart of the data role, ready; then one member alone, rolling.
    let before = s.engine_pids_named("osmem");
    let (status, _) = s.css_call(&t, "POST", &format!("/v2.0/{{pid}}/clusters/{id}/restart"), Some(json!({"type": "role", "value": "ess"})));
    assert_eq!(status, 200);
    let mut seen = Vec::new();
    wait(&mut seen);
    assert!(seen.iter().any(|x| x.contains("REBOOTING")), "{seen:?}");
    let after = s.engine_pids_named("osmem");
    assert_eq!(after.iter().filter(|p| before.contains(p)).count(), 3, "only the data members restart: {before:?} {after:?}");
    let member = d["instances"][1]["id"].as_str().unwrap().to_string();
    assert_eq!(code(s.css_call(&t, "POST", &format!("/v2.0/{{pid}}/clusters/{id}/restart"), Some(json!({"type": "role", "value": "ess-cold"})))).1, "CSS.0001");
    let (status, _) = s.css_call(&t, "POST", &format!("/v2.0/{{pid}}/clusters/{id}/restart"), Some(json!({"type": "node", "value": member})));
    assert_eq!(status, 200);
    wait(&mut Vec::new());
    let one = s.engine_pids_named("osmem");
    assert_eq!(one.iter().filter(|p| after.contains(p)).count(), 5, "only the named member restarts: {after:?} {one:?}");
    let (status, _) = s.css_call(&t, "POST", &format!("/v2.0/{{pid}}/clusters/{id}/rolling-restart"), Some(json!({"type": "role", "value": "all"})));
    assert_eq!(status, 200);
    wait(&mut Vec::new());
    assert!(s.engine_pids_named("osmem").iter().all(|p| !one.contains(p)));

    // Delete, then the delete wait: until 404.
    assert_eq!(s.css_call(&t, "DELETE", &c(""), None).0, 200);
    let deadline = std::time::Instant::now() + MINUTE;
    while s.css_call(&t, "GET", &c(""), None).0 != 404 {
        assert!(std::time::Instant::now() < deadline, "never deleted");
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_millis(300));
    assert!(root_from("127.0.0.1", &public).is_none(), "a deleted cluster's public endpoint still served");
}
