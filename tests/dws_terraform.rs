//! One `huaweicloud_dws_cluster` life replayed over HTTP exactly as the
//! provider's code calls it (AUTOMATION.md §1a): the v1 create, the wait
//! `clusterWaitingForAvailable`, the read of every field it reads, each update
//! of its table followed by the wait it does, the related resources
//! (`dws_cluster_restart`, `dws_parameter_configurations`), and the delete
//! polled to 404. Every loop converges to the provider's target strings, and
//! the data written after the create is readable after each step.

mod common;

use std::time::{Duration, Instant};

use common::{psql, wait_task_completed, Server};
use serde_json::{json, Value};

/// Every field the provider reads under `cluster.` (resourceDwsClusterRead).
const FIELDS_READ: &[&str] = &[
    "name", "status", "sub_status", "task_status", "version", "created", "updated", "port", "endpoints", "public_endpoints",
    "public_ip", "private_ip", "tags", "number_of_node", "node_type", "vpc_id", "subnet_id", "security_group_id",
    "maintain_window", "elb", "cluster_description_info", "cluster_timezone", "volume", "recent_event",
];

/// `clusterWaitingForAvailable`: pending while `action_progress` is non-empty,
/// done on AVAILABLE/ACTIVE, failed on FAILED/CREATE_FAILED/CREATION FAILED.
fn wait_available_as_provider(s: &Server, t: &str, id: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let c = s.show(t, id);
        let status = c["status"].as_str().unwrap_or("");
        assert!(!["FAILED", "CREATE_FAILED", "CREATION FAILED"].contains(&status), "the provider fails: {c}");
        let pending = c["action_progress"].as_object().is_some_and(|m| !m.is_empty());
        if !pending && (status == "AVAILABLE" || status == "ACTIVE") {
            return c;
        }
        assert!(Instant::now() < deadline, "never available: {c}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// The provider's read: every field present, the data still there on every node.
fn read(s: &Server, t: &str, id: &str, rows: usize) -> Value {
    let c = s.show(t, id);
    for f in FIELDS_READ {
        assert!(c.get(*f).is_some(), "the provider reads `{f}`, missing: {c}");
    }
    for ep in common::endpoints(&c) {
        assert_eq!(psql(&ep, "SELECT count(*) FROM kept").unwrap(), rows.to_string(), "{ep} lost data");
    }
    c
}

/// An update answered with a `job_id` the provider polls (`GET /v1.0/{pid}/job/{id}` until SUCCESS).
fn update_with_job(s: &Server, t: &str, method: &str, path: &str, body: Option<Value>) {
    let (st, v) = s.call(t, method, path, body);
    assert_eq!(st, 200, "{method} {path}: {v}");
    s.wait_job(t, v["job_id"].as_str().unwrap_or_else(|| panic!("no job_id: {v}")), Duration::from_secs(60));
}

fn ok(s: &Server, t: &str, method: &str, path: &str, body: Option<Value>) -> Value {
    let (st, v) = s.call(t, method, path, body);
    assert!((200..300).contains(&st), "{method} {path}: {st} {v}");
    v
}

#[test]
fn the_providers_dws_cluster_life_converges_with_the_data_kept() {
    let s = Server::start_with(&[], &[]);
    let t = s.token();
    let body = json!({"cluster": {"name": "tf-dws", "node_type": "dws.d1.xlarge", "number_of_node": 3, "user_name": "dbadmin",
        "user_pwd": common::PASSWORD, "port": 8000, "availability_zone": "eu-de-01", "vpc_id": "vpc-tf", "subnet_id": "subnet-tf",
        "security_group_id": "sg-tf", "public_ip": {"public_bind_type": "auto_assign", "eip_id": ""},
        "tags": [{"key": "owner", "value": "tf"}]}});
    let (st, v) = s.call(&t, "POST", "/v1.0/{pid}/clusters", Some(body));
    assert_eq!(st, 200, "{v}");
    let id = v["cluster"]["id"].as_str().unwrap().to_string();
    let c = wait_available_as_provider(&s, &t, &id);
    psql(&common::endpoints(&c)[0], "CREATE TABLE kept AS SELECT generate_series(1, 500) AS x").unwrap();
    std::thread::sleep(Duration::from_millis(300)); // the standbys replay it
    let disk = read(&s, &t, &id, 500)["volume"]["capacity"].as_u64().unwrap();
    let c_ = |p: &str| format!("/v1.0/{{pid}}/clusters/{id}/{p}");

    // volume.0.capacity
    ok(&s, &t, "POST", &c_("expand-instance-storage"), Some(json!({"new_size": disk + 100})));
    assert_eq!(read(&s, &t, &id, 500)["volume"]["capacity"], disk + 100);
    // user_pwd: the new password works in PostgreSQL.
    let new_pwd = "Tf-Rotated-Passw0rd!";
    // The provider does not wait after a reset: the next update must not find the cluster busy.
    ok(&s, &t, "POST", &c_("reset-password"), Some(json!({"new_password": new_pwd})));
    let primary = common::endpoints(&s.show(&t, &id))[0].clone();
    let deadline = Instant::now() + Duration::from_secs(30);
    while common::psql_with(&primary, new_pwd, "SELECT 1").is_err() {
        assert!(Instant::now() < deadline, "the new password never worked");
        std::thread::sleep(Duration::from_millis(100));
    }
    ok(&s, &t, "POST", &c_("reset-password"), Some(json!({"new_password": common::PASSWORD})));
    // number_of_node up, then down: waitClusterTaskStateCompleted after each.
    ok(&s, &t, "POST", &c_("resize"), Some(json!({"scale_out": {"count": 2}})));
    let (c, seen) = wait_task_completed(&s, &t, &id);
    assert_eq!((c["number_of_node"].as_u64(), seen), (Some(5), vec!["GROWING".to_string()]), "{c}");
    read(&s, &t, &id, 500);
    let (st, v) = s.call(&t, "POST", &c_("cluster-shrink"), Some(json!({"shrink_number": 2, "force_backup": false, "type": "dws"})));
    assert!(st == 202 && v["job_id"].is_string() || st == 200 && v["error_code"] == "DWS.0000", "the provider's accepted shapes: {st} {v}");
    let (c, _) = wait_task_completed(&s, &t, &id);
    assert_eq!(c["number_of_node"], 3, "{c}");
    read(&s, &t, &id, 500);
    // tags
    ok(&s, &t, "POST", &c_("tags/batch-create"), Some(json!({"tags": [{"key": "env", "value": "ci"}]})));
    ok(&s, &t, "POST", &c_("tags/batch-delete"), Some(json!({"tags": [{"key": "owner", "value": "tf"}]})));
    assert_eq!(read(&s, &t, &id, 500)["tags"], json!([{"key": "env", "value": "ci"}]));
    // description, security group
    ok(&s, &t, "POST", &format!("/v1/{{pid}}/clusters/{id}/description"), Some(json!({"description_info": "managed by tf"})));
    ok(&s, &t, "PUT", &format!("/v1/{{pid}}/clusters/{id}/security-group"), Some(json!({"security_groups": ["sg-tf-2"]})));
    // name and timezone answer a job the provider polls.
    update_with_job(&s, &t, "PUT", &format!("/v1/{{pid}}/clusters/{id}/cluster-name"), Some(json!({"cluster_name": "tf-dws-renamed"})));
    update_with_job(&s, &t, "POST", &format!("/v2/{{pid}}/clusters/{id}/timezone"), Some(json!({"cluster_timezone": "Europe/Amsterdam"})));
    let c = read(&s, &t, &id, 500);
    assert_eq!(
        (&c["name"], &c["cluster_description_info"], &c["security_group_id"], &c["cluster_timezone"]),
        (&json!("tf-dws-renamed"), &json!("managed by tf"), &json!("sg-tf-2"), &json!("Europe/Amsterdam"))
    );
    assert_eq!(psql(&common::endpoints(&c)[2], "SHOW timezone").unwrap(), "Europe/Amsterdam");
    // EIP: DELETE the old one, POST the new one (no wait); ELB: POST, then the job.
    let eip = c["public_ip"]["eip_id"].as_str().unwrap().to_string();
    ok(&s, &t, "DELETE", &format!("/v2/{{pid}}/clusters/{id}/eips/{eip}"), None);
    ok(&s, &t, "POST", &format!("/v2/{{pid}}/clusters/{id}/eips/eip-tf-2"), None);
    update_with_job(&s, &t, "POST", &format!("/v2/{{pid}}/clusters/{id}/elbs/elb-tf"), None);
    let c = read(&s, &t, &id, 500);
    assert_eq!((&c["public_ip"]["eip_id"], &c["elb"]["id"]), (&json!("eip-tf-2"), &json!("elb-tf")), "{c}");

    // dws_parameter_configurations: wait idle, pick the hidden group, PUT, poll the groups.
    let (_, groups) = s.call(&t, "GET", &c_("configurations"), None);
    let gid = groups["configurations"].as_array().unwrap().iter().find(|g| g["type"] == "hiddenParameterGroup").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let change = json!({"configurations": [{"type": "cn", "name": "max_connections", "value": "70"}, {"type": "dn", "name": "max_connections", "value": "70"}]});
    ok(&s, &t, "PUT", &format!("/v2/{{pid}}/clusters/{id}/configurations/{gid}"), Some(change));
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (_, groups) = s.call(&t, "GET", &c_("configurations"), None);
        let status = groups["configurations"][0]["status"].as_str().unwrap_or("").to_string();
        assert_ne!(status, "Sync-Failure", "{groups}");
        if status == "In-Sync" || status == "Pending-Reboot" {
            assert_eq!(status, "Pending-Reboot", "max_connections applies at a restart");
            break;
        }
        assert!(Instant::now() < deadline, "{groups}");
        std::thread::sleep(Duration::from_millis(200));
    }
    // dws_cluster_restart: then task_status "" (REBOOT_FAILURE would fail).
    ok(&s, &t, "POST", &c_("restart"), Some(json!({"restart": {}})));
    let (c, seen) = wait_task_completed(&s, &t, &id);
    assert_eq!(seen, ["REBOOTING"], "{c}");
    assert_eq!(c["parameter_group"]["status"], "In-Sync", "the restart applied the parameter: {c}");
    for ep in common::endpoints(&c) {
        assert_eq!(psql(&ep, "SHOW max_connections").unwrap(), "70", "{ep}");
    }
    read(&s, &t, &id, 500);

    // Delete with the provider's body; polled until 404 (DWS.0047 is also "gone" to it).
    ok(&s, &t, "DELETE", &format!("/v1.0/{{pid}}/clusters/{id}"), Some(json!({"keep_last_manual_snapshot": 0})));
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (st, v) = s.call(&t, "GET", &format!("/v1.0/{{pid}}/clusters/{id}"), None);
        if st == 404 {
            assert_eq!(v["error_code"], "DWS.0047");
            break;
        }
        let status = v["cluster"]["status"].as_str().unwrap_or("");
        assert!(!["FAILED", "DELETE_FAILED", "FROZEN"].contains(&status), "{v}");
        assert!(Instant::now() < deadline, "{v}");
        std::thread::sleep(Duration::from_millis(200));
    }
    assert!(s.engine_pids().is_empty(), "a deleted cluster left processes: {:?}", s.engine_pids());
}
