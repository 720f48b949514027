//! CSS security mode, public access (served for real by strato's forwarder,
//! behind the white list when it is on), network settings, renames and a
//! Logstash cluster's routes, as the Huawei provider calls them.

mod common;

use std::time::Duration;

use common::search::{root_from, stand_in_engines};
use common::Server;
use serde_json::{json, Value};

const MINUTE: Duration = Duration::from_secs(60);

fn ready(v: &Value) -> bool {
    v["status"] == "200"
        && v["actions"].as_array().is_some_and(|a| a.is_empty())
        && v["instances"].as_array().is_some_and(|i| !i.is_empty() && i.iter().all(|n| n["status"] == "200"))
}

fn create(s: &Server, token: &str, name: &str, datastore: &str, version: &str) -> String {
    let body = json!({"cluster": {"name": name, "instanceNum": 2,
        "instance": {"flavorRef": "ess.spec-4u8g", "volume": {"volume_type": "COMMON", "size": 40},
                     "nics": {"vpcId": "v", "netId": "n", "securityGroupId": "g"}},
        "datastore": {"type": datastore, "version": version}}});
    let (status, made) = s.css_call(token, "POST", "/v1.0/{pid}/clusters", Some(body));
    assert_eq!(status, 200, "{made}");
    let id = made["cluster"]["id"].as_str().unwrap().to_string();
    s.css_wait(token, &id, MINUTE, &mut Vec::new(), ready);
    id
}

#[test]
fn security_mode_public_access_and_network_as_the_provider_drives_them() {
    let Some(args) = stand_in_engines() else { return };
    let s = Server::start_with(&args.iter().map(String::as_str).collect::<Vec<_>>(), &[]);
    let token = s.token();
    let id = create(&s, &token, "css-access", "elasticsearch", "7.10.2");
    let at = |p: &str| format!("/v1.0/{{pid}}/clusters/{id}/{p}");
    let call = |m: &str, p: &str, b: Option<Value>| s.css_call(&token, m, &at(p), b);
    let code = |r: (u16, Value)| (r.0, r.1["errCode"].as_str().unwrap_or_default().to_string());
    let detail = || s.css_call(&token, "GET", &format!("/v1.0/{{pid}}/clusters/{id}"), None).1;

    // What the provider reads on every refresh: no VPC endpoint service (CSS.5182), for GET and POST alike.
    assert_eq!(code(call("GET", "vpcepservice/connections", None)), (400, "CSS.5182".into()));
    assert_eq!(code(call("POST", "vpcepservice/connections", Some(json!({})))), (400, "CSS.5182".into()));
    let (status, _) = s.css_call(&token, "GET", &format!("/v1.0/{{pid}}/clusters/{}/vpcepservice/connections", uuid::Uuid::new_v4()), None);
    assert_eq!(status, 404);
    let d = detail();
    assert_eq!((&d["publicIp"], &d["elbWhiteList"], &d["bandwidthSize"], &d["publicKibanaResp"]), (&Value::Null, &Value::Null, &json!(0), &Value::Null), "{d}");

    // Public access needs HTTPS, HTTPS the security mode, the security mode a password; refusals change nothing.
    let open = json!({"eip": {"bandWidth": {"size": 5}}, "isAutoPay": 1});
    assert_eq!(code(call("POST", "public/open", Some(open.clone()))), (400, "CSS.5310".into()));
    assert_eq!(code(call("POST", "mode/change", Some(json!({"authorityEnable": false, "httpsEnable": true})))), (400, "CSS.5171".into()));
    assert_eq!(code(call("POST", "mode/change", Some(json!({"authorityEnable": true, "httpsEnable": true, "adminPwd": "weak"})))).0, 400);
    assert_eq!(code(call("POST", "password/reset", Some(json!({"newpassword": "Css-admin1"})))), (400, "CSS.5090".into()), "not in the security mode");
    assert_eq!((detail()["authorityEnable"].clone(), detail()["httpsEnable"].clone()), (json!(false), json!(false)));
    // The provider's spelling, then the SDK's.
    assert_eq!(call("POST", "mode/change", Some(json!({"authorityEnable": true, "httpsEnable": true, "adminPwd": "Css-admin1"}))).0, 200);
    assert_eq!(code(call("POST", "mode/change", Some(json!({"authority_enable": "true", "https_enable": "true", "admin_pwd": "Css-admin1"})))).0, 400, "no change");
    assert_eq!((detail()["authorityEnable"].clone(), detail()["httpsEnable"].clone()), (json!(true), json!(true)));
    assert_eq!(code(call("POST", "password/reset", Some(json!({"newpassword": "admin"})))).0, 400);
    assert_eq!(call("POST", "password/reset", Some(json!({"newpassword": "Css-admin2"}))).0, 200);

    // Open to everyone (no white list), then to the white list only.
    let (status, v) = call("POST", "public/open", Some(open.clone()));
    assert_eq!((status, &v), (200, &json!({"action": "bindZone"})));
    assert_eq!(code(call("POST", "public/open", Some(open))), (400, "CSS.5159".into()));
    let d = detail();
    assert!(ready(&d), "{d}");
    assert_eq!((&d["bandwidthSize"], &d["elbWhiteList"]), (&json!(5), &json!({"enableWhiteList": false, "whiteList": ""})), "{d}");
    let public = d["publicIp"].as_str().unwrap().to_string();
    assert_eq!(public, format!("{}:9201", d["instances"][0]["ip"].as_str().unwrap()));
    assert!(root_from("127.0.0.2", &public).is_some(), "public access without a white list refused a client");
    assert_eq!(code(call("POST", "public/whitelist/update", Some(json!({"whiteList": "10.0.0.0/8"})))), (400, "CSS.0001".into()), "no private addresses");
    assert_eq!(call("POST", "public/whitelist/update", Some(json!({"whiteList": "127.0.0.1,203.0.113.0/24"}))).0, 200);
    assert!(root_from("127.0.0.1", &public).is_some_and(|v| v["tagline"].is_string()));
    assert!(root_from("127.0.0.2", &public).is_none(), "a client outside the white list was relayed");
    assert_eq!(detail()["elbWhiteList"], json!({"enableWhiteList": true, "whiteList": "127.0.0.1,203.0.113.0/24"}));
    assert_eq!(call("PUT", "public/whitelist/close", None).0, 200);
    assert_eq!(code(call("PUT", "public/whitelist/close", None)), (400, "CSS.5181".into()));
    assert!(root_from("127.0.0.2", &public).is_some());
    assert_eq!(code(call("POST", "public/bandwidth", Some(json!({"bandWidth": {"size": 500}})))), (400, "CSS.0071".into()));
    assert_eq!(call("POST", "public/bandwidth", Some(json!({"band_width": {"size": 10}, "is_auto_pay": 1}))).0, 200);
    assert_eq!(detail()["bandwidthSize"], 10);
    assert_eq!(code(call("POST", "mode/change", Some(json!({"authorityEnable": true, "httpsEnable": false, "adminPwd": "Css-admin1"})))), (400, "CSS.5090".into()), "close public access first");
    let (status, v) = call("PUT", "public/close", None);
    assert_eq!((status, &v), (200, &json!({"action": "unbindZone"})));
    assert_eq!(code(call("PUT", "public/close", None)), (400, "CSS.5158".into()));
    std::thread::sleep(Duration::from_millis(300));
    assert!(root_from("127.0.0.1", &public).is_none(), "a closed public endpoint still served");
    assert_eq!((detail()["publicIp"].clone(), detail()["bandwidthSize"].clone()), (Value::Null, json!(0)));

    // Security group and subnet: recorded, shown.
    assert_eq!(code(call("POST", "sg/change", Some(json!({"security_group_ids": "not a valid id!"})))).0, 400);
    assert_eq!(call("POST", "sg/change", Some(json!({"security_group_ids": "sg-2"}))).0, 200);
    assert_eq!(call("POST", "subnet/change", Some(json!({"subnet_id": "subnet-2"}))).0, 200);
    let d = detail();
    assert_eq!((&d["securityGroupId"], &d["subnetId"]), (&json!("sg-2"), &json!("subnet-2")));

    // Index snapshots: the function and its policy are recorded; a snapshot is refused, saying why (osmem has no _snapshot).
    let (status, p) = call("GET", "index_snapshot/policy", None);
    assert_eq!((status, &p["enable"], &p["keepday"]), (200, &json!("false"), &json!(7)), "{p}");
    let policy = json!({"prefix": "daily", "period": "00:00 GMT+08:00", "keepday": 3, "enable": "true"});
    assert_eq!(code(call("POST", "index_snapshot/policy", Some(policy.clone()))), (400, "CSS.5090".into()), "the function is off");
    assert_eq!(code(call("POST", "index_snapshot", Some(json!({"name": "snap-1"})))), (400, "CSS.5090".into()));
    assert_eq!(code(call("DELETE", "index_snapshots", None)), (415, "CSS.0004".into()));
    assert_eq!(code(call("POST", "index_snapshot/setting", Some(json!({"bucket": "Bad_Bucket", "agency": "a"})))).0, 400);
    assert_eq!(call("POST", "index_snapshot/setting", Some(json!({"bucket": "css-backups", "agency": "css_obs_agency", "base_path": "css_repository/a"}))).0, 200);
    assert_eq!(detail()["backupAvailable"], true);
    assert_eq!(code(call("POST", "index_snapshot/policy", Some(json!({"enable": "true", "keepday": 0})))).0, 400);
    assert_eq!(call("POST", "index_snapshot/policy", Some(policy)).0, 200);
    let (_, p) = call("GET", "index_snapshot/policy", None);
    assert_eq!((&p["enable"], &p["keepday"], &p["prefix"], &p["bucket"]), (&json!("true"), &json!(3), &json!("daily"), &json!("css-backups")), "{p}");
    let (status, v) = call("POST", "index_snapshot", Some(json!({"name": "snap-1", "indices": "*"})));
    assert_eq!((status, v["errCode"].as_str()), (400, Some("CSS.5090")), "{v}");
    assert!(v["externalMessage"].as_str().unwrap().contains("_snapshot"), "the refusal says why: {v}");
    assert_eq!(call("GET", "index_snapshots", None).1, json!({"backups": []}));
    assert_eq!(code(call("DELETE", "index_snapshot/not-there", None)), (400, "CSS.3026".into()));
    assert_eq!(call("DELETE", "index_snapshots", None).0, 200);
    assert_eq!((detail()["backupAvailable"].clone(), call("GET", "index_snapshot/policy", None).1["enable"].clone()), (json!(false), json!("false")));

    // A Logstash cluster: renamed (its name must be free), routes added, listed, deleted; the list pages by `start`.
    let logs = create(&s, &token, "css-logs", "logstash", "7.10.0");
    let lat = |p: &str| format!("/v1.0/{{pid}}/clusters/{logs}/{p}");
    let (status, v) = s.css_call(&token, "POST", &lat("changename"), Some(json!({"displayName": "css-access"})));
    assert_eq!((status, v["errCode"].as_str()), (400, Some("CSS.5050")), "{v}");
    assert_eq!(s.css_call(&token, "POST", &lat("changename"), Some(json!({"displayName": "css-logs-2"}))).0, 200);
    let (_, l) = s.css_call(&token, "GET", &format!("/v1.0/{{pid}}/clusters/{logs}"), None);
    assert_eq!(l["name"], "css-logs-2");
    let route = |t: &str, ip: &str, mask: &str| s.css_call(&token, "POST", &lat("route"), Some(json!({"configtype": t, "configkey": ip, "configvalue": mask})));
    assert_eq!(route("add_ip", "0.1.2.3", "255.0.0.0").0, 400);
    assert_eq!(route("add_ip", "10.1.0.0", "255.255.0.0").0, 200);
    assert_eq!(route("add_ip", "10.2.0.0", "255.255.0.0").0, 200);
    assert_eq!(code(call("POST", "route", Some(json!({"configtype": "add_ip", "configkey": "10.1.0.0", "configvalue": "255.255.0.0"})))), (400, "CSS.5090".into()), "an Elasticsearch cluster has no routes");
    let (_, r) = s.css_call(&token, "GET", &lat("route?offset=2&limit=5"), None);
    assert_eq!((&r["totalSize"], &r["routeResps"][0]["ipAddress"], &r["routeResps"][0]["ipNetMask"]), (&json!(2), &json!("10.2.0.0"), &json!("255.255.0.0")), "{r}");
    assert_eq!(route("del_ip", "10.1.0.0", "255.255.0.0").0, 200);
    assert_eq!(s.css_call(&token, "GET", &lat("route"), None).1["totalSize"], 1);
    let (_, page) = s.css_call(&token, "GET", "/v1.0/{pid}/clusters?start=2&limit=1", None);
    assert_eq!((page["totalSize"].as_u64(), page["clusters"][0]["id"].as_str()), (Some(2), Some(logs.as_str())), "{page}");
    for c in [&id, &logs] {
        assert_eq!(s.css_call(&token, "DELETE", &format!("/v1.0/{{pid}}/clusters/{c}"), None).0, 200);
    }
}
