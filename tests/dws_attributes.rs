//! A DWS cluster's recorded attributes, as the providers update them: tags
//! (`tags/batch-create`, `tags/batch-delete`, list) and the description.
//! Refusals change nothing; a change survives kill -9 once answered; a change
//! while a task runs is refused (DWS.5090).

mod common;

use std::time::Duration;

use common::Server;
use serde_json::json;

#[test]
fn tags_and_description_are_recorded_with_the_rules_and_survive_a_restart() {
    let mut s = Server::start_with(&["--min-nodes", "1"], &[("STRATO_SLOW_STEP", "restart_cluster:0:1500")]);
    let t = s.token();
    let id = s.create(&t, "tagged", 1);
    s.wait_available(&t, &id);
    let path = |p: &str| format!("/v1.0/{{pid}}/clusters/{id}/{p}");
    let tags = |s: &Server, t: &str| s.call(t, "GET", &path("tags"), None).1["tags"].clone();

    let (st, v) = s.call(&t, "POST", &path("tags/batch-create"), Some(json!({"tags": [{"key": "env", "value": "dev"}, {"key": "team", "value": "a"}]})));
    assert_eq!(st, 200, "{v}");
    let (st, _) = s.call(&t, "POST", &path("tags/batch-create"), Some(json!({"tags": [{"key": "env", "value": "prod"}]})));
    assert_eq!(st, 200);
    assert_eq!(tags(&s, &t), json!([{"key": "env", "value": "prod"}, {"key": "team", "value": "a"}]));

    // Refusals: bad characters, too many, wrong types, no tags. Nothing changes.
    let too_many: Vec<_> = (0..19).map(|i| json!({"key": format!("k{i}"), "value": "v"})).collect();
    for (body, code) in [
        (json!({"tags": [{"key": "a=b", "value": "v"}]}), "DWS.5194"),
        (json!({"tags": too_many}), "DWS.5194"),
        (json!({"tags": [{"key": 1, "value": "v"}]}), "DWS.0004"),
        (json!({"tags": []}), "DWS.5194"),
        (json!({}), "DWS.0004"),
    ] {
        let (st, v) = s.call(&t, "POST", &path("tags/batch-create"), Some(body.clone()));
        assert_eq!((st, v["error_code"].as_str()), (400, Some(code)), "{body}: {v}");
    }
    assert_eq!(tags(&s, &t).as_array().unwrap().len(), 2);

    let (st, v) = s.call(&t, "POST", &format!("/v1/{{pid}}/clusters/{id}/description"), Some(json!({"description_info": "nightly loads"})));
    assert_eq!((st, v.clone()), (200, json!({"error_code": "DWS.0000", "error_msg": null})), "{v}");
    let (st, v) = s.call(&t, "POST", &format!("/v1/{{pid}}/clusters/{id}/description"), Some(json!({"description_info": "x".repeat(257)})));
    assert_eq!((st, v["error_code"].as_str()), (400, Some("DWS.5038")), "{v}");

    // Answered means kept.
    s.kill9();
    s.spawn(&["--min-nodes", "1"], &[("STRATO_SLOW_STEP", "restart_cluster:0:1500")]);
    let t = s.token();
    let c = s.show(&t, &id);
    assert_eq!(c["cluster_description_info"], "nightly loads", "{c}");
    assert_eq!(c["tags"], json!([{"key": "env", "value": "prod"}, {"key": "team", "value": "a"}]), "{c}");

    let (st, _) = s.call(&t, "POST", &path("tags/batch-delete"), Some(json!({"tags": [{"key": "env", "value": "dev"}, {"key": "team"}, {"key": "nope"}]})));
    assert_eq!(st, 200);
    assert_eq!(tags(&s, &t), json!([{"key": "env", "value": "prod"}]), "a value that does not match keeps the tag");

    // Rename: done when answered, with a finished job as its record; the name must be free and valid.
    let other = s.create(&t, "taken-name", 1);
    let rename = format!("/v1/{{pid}}/clusters/{id}/cluster-name");
    for (name, st_code) in [("taken-name", (409, "DWS.5050")), ("1bad", (400, "DWS.5057"))] {
        let (st, v) = s.call(&t, "PUT", &rename, Some(json!({"cluster_name": name})));
        assert_eq!((st, v["error_code"].as_str()), (st_code.0, Some(st_code.1)), "{name}: {v}");
    }
    let (st, v) = s.call(&t, "PUT", &rename, Some(json!({"cluster_name": "renamed-1"})));
    assert_eq!(st, 200, "{v}");
    let (_, job) = s.call(&t, "GET", &format!("/v1.0/{{pid}}/job/{}", v["job_id"].as_str().unwrap()), None);
    assert_eq!((job["status"].as_str(), job["job_name"].as_str()), (Some("SUCCESS"), Some("rename_cluster")), "{job}");
    assert_eq!(s.show(&t, &id)["name"], "renamed-1");
    let (st, v) = s.call(&t, "PUT", &format!("/v1.0/{{pid}}/clusters/{id}/name"), Some(json!({"cluster_name": "tagged"})));
    assert_eq!(st, 200, "the provider's documented path: {v}");
    assert_eq!(s.show(&t, &id)["name"], "tagged");
    s.wait_available(&t, &other);

    // While a task runs, changes are refused and nothing changes.
    let (st, _) = s.call(&t, "POST", &format!("/v1.0/{{pid}}/clusters/{id}/restart"), Some(json!({"restart": {}})));
    assert_eq!(st, 200);
    let (st, v) = s.call(&t, "POST", &path("tags/batch-create"), Some(json!({"tags": [{"key": "late", "value": "1"}]})));
    assert_eq!((st, v["error_code"].as_str()), (409, Some("DWS.5090")), "{v}");
    let (st, v) = s.call(&t, "PUT", &rename, Some(json!({"cluster_name": "late-name"})));
    assert_eq!((st, v["error_code"].as_str()), (409, Some("DWS.5090")), "{v}");
    s.wait_until(&t, &id, Duration::from_secs(60), |c| c["task_status"].is_null() && c["status"] == "AVAILABLE");
    assert_eq!(tags(&s, &t), json!([{"key": "env", "value": "prod"}]));
    assert_eq!(s.show(&t, &id)["name"], "tagged");
}

/// `ModifyClusterTimezone`: every node's PostgreSQL `timezone` really changes
/// (`SHOW timezone` on the primary and the standby), through a job the job API
/// tracks; survives a restart of the cluster and of strato; an unknown zone is
/// refused with nothing changed.
#[test]
fn the_timezone_changes_on_every_node() {
    let mut s = Server::start_with(&["--min-nodes", "1"], &[]);
    let t = s.token();
    let id = s.create(&t, "zoned", 2);
    let c = s.wait_available(&t, &id);
    assert_eq!(c["cluster_timezone"], "UTC");
    let eps = common::endpoints(&c);
    let path = format!("/v2/{{pid}}/clusters/{id}/timezone");
    for body in [json!({"cluster_timezone": "Mars/Olympus"}), json!({"cluster_timezone": "UTC'; DROP TABLE x; --"})] {
        let (st, v) = s.call(&t, "POST", &path, Some(body));
        assert_eq!((st, v["error_code"].as_str()), (400, Some("DWS.5038")), "{v}");
    }
    let (st, v) = s.call(&t, "POST", &path, Some(json!({"cluster_timezone": 8})));
    assert_eq!((st, v["error_code"].as_str()), (400, Some("DWS.0004")), "{v}");
    assert_eq!(common::psql(&eps[0], "SHOW timezone").unwrap(), "UTC");

    let (st, v) = s.call(&t, "POST", &path, Some(json!({"cluster_timezone": "Asia/Shanghai"})));
    assert_eq!(st, 200, "{v}");
    s.wait_job(&t, v["job_id"].as_str().unwrap(), Duration::from_secs(60));
    for ep in &eps {
        assert_eq!(common::psql(ep, "SHOW timezone").unwrap(), "Asia/Shanghai", "{ep}");
    }
    assert_eq!(s.show(&t, &id)["cluster_timezone"], "Asia/Shanghai");

    // The nodes as their processes are doing; the zones; the recorded window and security group.
    let (st, nodes) = s.call(&t, "GET", &format!("/v2/{{pid}}/clusters/{id}/nodes"), None);
    assert_eq!(st, 200, "{nodes}");
    assert_eq!((nodes["count"].as_u64(), nodes["failed_count"].as_u64()), (Some(2), Some(0)), "{nodes}");
    assert!(nodes["node_list"].as_array().unwrap().iter().all(|n| n["status"] == "ACTIVE" && n["az_code"] == "eu-de-01"), "{nodes}");
    let (_, zones) = s.call(&t, "GET", "/v1.0/{pid}/availability-zones", None);
    assert_eq!(zones["availability_zones"][0]["code"], "eu-de-01", "{zones}");
    assert_eq!(zones["count"], zones["availability_zones"].as_array().unwrap().len());
    let window = format!("/v1.0/{{pid}}/clusters/{id}/maintenance-window");
    for bad in [json!({"day": "Someday", "start_time": "22:00", "end_time": "02:00"}), json!({"day": "Mon", "start_time": "25:00", "end_time": "02:00"})] {
        let (st, v) = s.call(&t, "PUT", &window, Some(bad));
        assert_eq!((st, v["error_code"].as_str()), (400, Some("DWS.5038")), "{v}");
    }
    assert_eq!(s.call(&t, "PUT", &window, Some(json!({"day": "Sun", "start_time": "01:00", "end_time": "05:00"}))).0, 200);
    let sg = format!("/v1/{{pid}}/clusters/{id}/security-group");
    let (st, v) = s.call(&t, "PUT", &sg, Some(json!({"security_groups": []})));
    assert_eq!((st, v["error_code"].as_str()), (400, Some("DWS.5016")), "{v}");
    assert_eq!(s.call(&t, "PUT", &sg, Some(json!({"security_groups": ["sg-new"]}))).0, 200);
    let c = s.show(&t, &id);
    assert_eq!(c["maintain_window"], json!({"day": "Sun", "start_time": "01:00", "end_time": "05:00"}), "{c}");
    assert_eq!(c["security_group_id"], "sg-new", "{c}");

    // The setting is in each node's configuration: a restart keeps it, and so does strato's.
    s.kill9();
    s.spawn(&[], &[]);
    let t = s.token();
    let (st, _) = s.call(&t, "POST", &format!("/v1.0/{{pid}}/clusters/{id}/restart"), Some(json!({"restart": {}})));
    assert_eq!(st, 200);
    std::thread::sleep(Duration::from_millis(300));
    s.wait_available(&t, &id);
    for ep in &eps {
        assert_eq!(common::psql(ep, "SHOW timezone").unwrap(), "Asia/Shanghai", "{ep} after a restart");
    }
}
