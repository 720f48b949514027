//! Zilliz cluster properties as the Terraform provider drives them (labels on
//! every read, rename, security groups, replica, autoscaling), the cloud
//! metadata, and refusals with Zilliz's codes that change nothing.

mod common;

use std::time::Duration;

use common::zilliz::milvus_or_skip;
use common::Server;
use serde_json::{json, Value};

const MINUTE: Duration = Duration::from_secs(60);

#[test]
fn labels_names_security_groups_replicas_and_autoscaling() {
    if !milvus_or_skip() {
        return;
    }
    let s = Server::start();
    let key = s.api_key();
    let code = |r: (u16, Value)| r.1["code"].as_u64().unwrap_or(0);

    // Cloud metadata: the clouds of the server's regions; the regions, by cloud, served here.
    let clouds = s.z_ok(&key, "GET", "/v2/clouds", None);
    assert!(clouds.as_array().unwrap().iter().any(|c| c["cloudId"] == "aws" && c["description"] == "Amazon Web Services"), "{clouds}");
    let regions = s.z_ok(&key, "GET", "/v2/regions?cloudId=gcp", None);
    let regions = regions.as_array().unwrap();
    assert!(!regions.is_empty() && regions.iter().all(|r| r["cloudId"] == "gcp" && r["regionId"].as_str().unwrap().starts_with("gcp-")));
    assert_eq!(regions[0]["domain"], s.zilliz().trim_start_matches("http://"));
    assert_eq!(code(s.z(&key, "GET", "/v2/regions?cloudId=mars", None)), 96000);
    // A documented route strato does not emulate says so, naming it; an unknown one is a 404.
    let (status, v) = s.z(&key, "POST", "/v2/clusters/in01-x/backups/create", Some(json!({"backupType": "CLUSTER"})));
    assert_eq!((status, &v["code"]), (200, &json!(96903)), "{v}");
    assert!(v["message"].as_str().unwrap().contains("CreateBackup"), "{v}");
    assert_eq!(s.z(&key, "GET", "/v2/nowhere", None).0, 404);

    let id = s.create_vector(&key, "vec-props", 1)["clusterId"].as_str().unwrap().to_string();
    let at = |p: &str| format!("/v2/clusters/{id}{p}");
    s.wait_status(&key, &id, 2 * MINUTE, &mut Vec::new(), |d| d["status"] == "RUNNING");
    // The provider's read: the cluster, then its labels.
    let d = s.describe(&key, &id);
    assert_eq!((&d["replica"], &d["autoscaling"]), (&json!(1), &json!({})), "{d}");
    assert_eq!(s.z_ok(&key, "GET", &at("/labels"), None), json!({"labels": {}}));

    // Labels: replaced whole; refusals change nothing.
    assert_eq!(code(s.z(&key, "PUT", &at("/labels"), Some(json!({"labels": {"": "x"}})))), 80000);
    assert_eq!(code(s.z(&key, "PUT", &at("/labels"), Some(json!({"labels": ["env"]})))), 80000);
    s.z_ok(&key, "PUT", &at("/labels"), Some(json!({"labels": {"env": "ci", "team": "vec"}})));
    s.z_ok(&key, "PUT", &at("/labels"), Some(json!({"labels": {"env": "prod"}})));
    assert_eq!(s.z_ok(&key, "GET", &at("/labels"), None), json!({"labels": {"env": "prod"}}));

    // Security groups (recorded), renames (modifyProperties, PATCH), a taken name (40013).
    s.z_ok(&key, "PUT", &at("/securityGroups"), Some(json!({"ids": ["sg-1", "sg-2"]})));
    assert_eq!(s.z_ok(&key, "GET", &at("/securityGroups"), None), json!({"ids": ["sg-1", "sg-2"]}));
    assert_eq!(code(s.z(&key, "PUT", &at("/securityGroups"), Some(json!({"ids": ["not valid!"]})))), 80000);
    s.z_ok(&key, "POST", &at("/modifyProperties"), Some(json!({"clusterName": "vec-renamed"})));
    s.z_ok(&key, "PATCH", &at(""), Some(json!({"description": "renamed by PATCH"})));
    let d = s.describe(&key, &id);
    assert_eq!((&d["clusterName"], &d["description"]), (&json!("vec-renamed"), &json!("renamed by PATCH")));
    assert_eq!(code(s.z(&key, "POST", &at("/modifyProperties"), Some(json!({"clusterName": "bad name!"})))), 96010);
    let other = s.create_vector(&key, "vec-other", 1)["clusterId"].as_str().unwrap().to_string();
    s.wait_status(&key, &other, 2 * MINUTE, &mut Vec::new(), |d| d["status"] == "RUNNING");
    assert_eq!(code(s.z(&key, "POST", &format!("/v2/clusters/{other}/modifyProperties"), Some(json!({"clusterName": "vec-renamed"})))), 40013);

    // Replicas: a standalone Milvus serves one; more is said to be not emulated, not pretended.
    s.z_ok(&key, "POST", &at("/modifyReplica"), Some(json!({"replica": 1})));
    assert_eq!(code(s.z(&key, "POST", &at("/modifyReplica"), Some(json!({"replica": 2})))), 96903);
    assert_eq!(code(s.z(&key, "POST", &at("/modify"), Some(json!({"cuSize": 2, "replica": 1})))), 96002, "cuSize and replica together");
    assert_eq!(s.describe(&key, &id)["status"], "RUNNING", "a refusal started something");

    // Autoscaling: recorded and shown; {} removes a part; cuSize with autoscaling.cu is refused.
    s.z_ok(&key, "POST", &at("/modify"), Some(json!({"autoscaling": {"cu": {"min": 1, "max": 4}, "replica": {}}})));
    assert_eq!(s.describe(&key, &id)["autoscaling"], json!({"cu": {"min": 1, "max": 4}}));
    assert_eq!(code(s.z(&key, "POST", &at("/modify"), Some(json!({"autoscaling": {"cu": {"min": 4, "max": 1}}})))), 96002);
    assert_eq!(code(s.z(&key, "POST", &at("/modify"), Some(json!({"cuSize": 2, "autoscaling": {"cu": {"min": 1}}})))), 96002);
    s.z_ok(&key, "POST", &at("/modify"), Some(json!({"autoscaling": {"cu": {}, "replica": {}}})));
    assert_eq!(s.describe(&key, &id)["autoscaling"], json!({}));
    for c in [&id, &other] {
        s.z_ok(&key, "DELETE", &format!("/v2/clusters/{c}/drop"), None);
    }
}

#[test]
fn projects_hold_clusters_and_upgrade_only() {
    if !milvus_or_skip() {
        return;
    }
    let s = Server::start();
    let key = s.api_key();
    let code = |r: (u16, Value)| r.1["code"].as_u64().unwrap_or(0);
    // The default project: the API key's project id, first.
    let list = s.z_ok(&key, "GET", "/v2/projects", None);
    assert_eq!((&list[0]["projectId"], &list[0]["projectName"], &list[0]["plan"]), (&json!(s.pid()), &json!("Default Project"), &json!("Enterprise")), "{list}");

    // Create (data: a string id), refusals first.
    assert_eq!(code(s.z(&key, "POST", "/v2/projects", Some(json!({"projectName": "", "plan": "Standard"})))), 96010);
    assert_eq!(code(s.z(&key, "POST", "/v2/projects", Some(json!({"projectName": "p1", "plan": "Gold"})))), 96004);
    assert_eq!(code(s.z(&key, "POST", "/v2/projects", Some(json!({"projectName": "p1", "plan": "Standard", "regionIds": ["aws-us-west-2", "gcp-us-west1"]})))), 96004, "several regions need BusinessCritical");
    let pid = s.z_ok(&key, "POST", "/v2/projects", Some(json!({"projectName": "p1", "plan": "Standard", "regionIds": ["aws-us-west-2"]})));
    let pid = pid.as_str().expect("a string id").to_string();
    assert!(pid.starts_with("proj-") && pid.len() == 27, "{pid}");
    assert_eq!(code(s.z(&key, "POST", "/v2/projects", Some(json!({"projectName": "p1", "plan": "Standard"})))), 40013);
    let p = s.z_ok(&key, "GET", &format!("/v2/projects/{pid}"), None);
    assert_eq!((&p["projectName"], &p["plan"], &p["instanceCount"], &p["regionIds"]), (&json!("p1"), &json!("Standard"), &json!(0), &json!(["aws-us-west-2"])));

    // A cluster goes in it; the list filters by it; the project cannot go while it holds the cluster.
    let body = json!({"clusterName": "in-p1", "projectId": pid, "regionId": "aws-us-west-2", "plan": "Standard", "cuType": "Performance-optimized", "cuSize": 1});
    let made = s.z_ok(&key, "POST", "/v2/clusters/createDedicated", Some(body));
    let cid = made["clusterId"].as_str().unwrap().to_string();
    assert_eq!(s.describe(&key, &cid)["projectId"], json!(pid));
    assert_eq!(s.z_ok(&key, "GET", &format!("/v2/clusters?projectId={pid}"), None)["count"], 1);
    assert_eq!(s.z_ok(&key, "GET", &format!("/v2/clusters?projectId={}", s.pid()), None)["count"], 0);
    assert_eq!(s.z_ok(&key, "GET", &format!("/v2/projects/{pid}"), None)["instanceCount"], 1);
    let other = json!({"clusterName": "x", "projectId": "proj-00000000000000000000ff", "regionId": "aws-us-west-2", "plan": "Standard", "cuType": "Performance-optimized", "cuSize": 1});
    assert_eq!(code(s.z(&key, "POST", "/v2/clusters/createDedicated", Some(other))), 96012);
    s.wait_status(&key, &cid, 2 * MINUTE, &mut Vec::new(), |d| d["status"] == "RUNNING");
    assert_eq!(code(s.z(&key, "DELETE", &format!("/v2/projects/{pid}"), None)), 96902);

    // Plans go up only (63104); regions are added (data: the regions after); the default project stays.
    assert_eq!(s.z_ok(&key, "PATCH", &format!("/v2/projects/{pid}/plan"), Some(json!({"plan": "BusinessCritical"}))), json!("Project plan updated successfully"));
    let (status, v) = s.z(&key, "PATCH", &format!("/v2/projects/{pid}/plan"), Some(json!({"plan": "Standard"})));
    assert_eq!((status, &v["code"], &v["message"]), (200, &json!(63104), &json!("Project plan can only be upgraded, not downgraded.")));
    assert_eq!(s.z_ok(&key, "POST", &format!("/v2/projects/{pid}/regions"), Some(json!({"regionIds": ["gcp-us-west1"]}))), json!(["aws-us-west-2", "gcp-us-west1"]));
    assert_eq!(code(s.z(&key, "DELETE", &format!("/v2/projects/{}", s.pid()), None)), 96902);
    s.z_ok(&key, "DELETE", &format!("/v2/clusters/{cid}/drop"), None);
    let deadline = std::time::Instant::now() + MINUTE;
    while code(s.z(&key, "DELETE", &format!("/v2/projects/{pid}"), None)) != 0 {
        assert!(std::time::Instant::now() < deadline, "the emptied project could not be deleted");
        std::thread::sleep(Duration::from_millis(200));
    }
    assert_eq!(s.z(&key, "DELETE", &format!("/v2/projects/{pid}"), None).1["code"], 96012, "gone");
    assert_eq!(s.z_ok(&key, "GET", "/v2/projects", None).as_array().unwrap().len(), 1);
}
