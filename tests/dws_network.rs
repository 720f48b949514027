//! A DWS cluster's public endpoints as the provider binds them: the EIP
//! (`DELETE` then `POST /v2/.../eips/{id}`) and the ELB (`POST|DELETE
//! /v2/.../elbs/{id}`, a job to poll). Each bound endpoint really serves: psql
//! through it reaches the primary; unbound, it is gone; a restart of strato
//! serves again what was bound.

mod common;

use std::time::{Duration, Instant};

use common::Server;
use serde_json::{json, Value};

/// Waits until psql through `endpoint` answers (or, with `up` false, fails).
fn wait_served(endpoint: &str, up: bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let r = common::psql(endpoint, "SELECT 1");
        if r.is_ok() == up {
            if up {
                assert_eq!(r.unwrap(), "1");
            }
            return;
        }
        assert!(Instant::now() < deadline, "{endpoint}: expected served={up}, got {r:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn public_endpoint(c: &Value) -> String {
    c["public_endpoints"][0]["public_connect_info"].as_str().unwrap_or_else(|| panic!("no public endpoint: {c}")).to_string()
}

#[test]
fn eip_and_elb_endpoints_really_serve_and_follow_binds() {
    let mut s = Server::start_with(&["--min-nodes", "1"], &[]);
    let t = s.token();
    let id = s.create(&t, "exposed", 2);
    let c = s.wait_available(&t, &id);
    let (primary, port) = (c["private_ip"][0].as_str().unwrap().to_string(), c["port"].as_u64().unwrap());

    // auto_assign at create: an EIP id is shown and the endpoint serves the primary.
    let auto = c["public_ip"]["eip_id"].as_str().unwrap().to_string();
    assert_eq!(c["public_ip"]["public_bind_type"], "auto_assign");
    assert!(!auto.is_empty(), "{c}");
    let public = public_endpoint(&c);
    assert_eq!(public, format!("{primary}:{}", port + 1));
    assert!(c["public_endpoints"][0]["jdbc_url"].as_str().unwrap().contains(&public), "{c}");
    wait_served(&public, true);
    common::psql(&public, "CREATE TABLE through_eip AS SELECT 42 AS v").unwrap();
    assert_eq!(common::psql(&common::endpoints(&c)[0], "SELECT v FROM through_eip").unwrap(), "42");

    // The provider's EIP update: unbind the old one, bind the new one.
    let eip = |method: &str, eip: &str| s.call(&t, method, &format!("/v2/{{pid}}/clusters/{id}/eips/{eip}"), None);
    for (method, bad) in [("DELETE", "not-the-bound-one"), ("POST", "bad%20id"), ("POST", "eip-2")] {
        let (st, v) = eip(method, bad);
        assert_eq!((st, v["error_code"].as_str()), (400, Some("DWS.5133")), "{method} {bad}: {v}");
    }
    assert_eq!(eip("DELETE", &auto), (200, Value::String(String::new())));
    let c = s.show(&t, &id);
    assert_eq!((&c["public_ip"], &c["public_endpoints"]), (&json!({"public_bind_type": "not_use", "eip_id": ""}), &json!([])), "{c}");
    wait_served(&public, false);
    assert_eq!(eip("POST", "eip-2").0, 200);
    let c = s.show(&t, &id);
    assert_eq!(c["public_ip"], json!({"public_bind_type": "bind_existing", "eip_id": "eip-2"}), "{c}");
    assert_eq!(eip("POST", "eip-2").0, 200, "binding the bound EIP again changes nothing");
    wait_served(&public_endpoint(&c), true);

    // An ELB: a job the provider polls, then its endpoint serves.
    let elb = |method: &str, elb: &str| s.call(&t, method, &format!("/v2/{{pid}}/clusters/{id}/elbs/{elb}"), None);
    let (st, v) = elb("POST", "elb-1");
    assert_eq!(st, 200, "{v}");
    s.wait_job(&t, v["job_id"].as_str().unwrap(), Duration::from_secs(10));
    let (st, v) = elb("POST", "elb-2");
    assert_eq!((st, v["error_code"].as_str()), (400, Some("DWS.0102")), "{v}");
    let c = s.show(&t, &id);
    assert_eq!(c["elb"]["id"], "elb-1", "{c}");
    let lb = c["elb"]["private_endpoint"].as_str().unwrap().to_string();
    assert_eq!(lb, format!("{primary}:{}", port + 2));
    wait_served(&lb, true);

    // Bound means served again after strato is killed and restarted.
    s.kill9();
    wait_served(&lb, false);
    s.spawn(&["--min-nodes", "1"], &[]);
    let t = s.token();
    wait_served(&lb, true);
    wait_served(&public_endpoint(&s.show(&t, &id)), true);

    let (st, v) = s.call(&t, "DELETE", &format!("/v2/{{pid}}/clusters/{id}/elbs/elb-1"), None);
    assert_eq!(st, 200, "{v}");
    assert!(s.show(&t, &id)["elb"].is_null());
    wait_served(&lb, false);

    let (_, ev) = s.call(&t, "GET", "/v2/{pid}/events", None);
    let names: Vec<&str> = ev["events"].as_array().unwrap().iter().map(|e| e["name"].as_str().unwrap()).collect();
    assert!(names.contains(&"bindEipToCluster") && names.contains(&"unbindEipToCluster"), "{names:?}");

    // Deleted, nothing is served.
    let public = public_endpoint(&s.show(&t, &id));
    // The v2 delete: the snapshots to keep in the query, the job in the answer.
    let (st, v) = s.call(&t, "DELETE", &format!("/v2/{{pid}}/clusters/{id}?keep_last_manual_backup=many"), None);
    assert_eq!((st, v["error_code"].as_str()), (400, Some("DWS.0004")), "{v}");
    let (st, v) = s.call(&t, "DELETE", &format!("/v2/{{pid}}/clusters/{id}?keep_last_manual_backup=0&release_eip_type=release"), None);
    assert_eq!(st, 200, "{v}");
    s.wait_job(&t, v["job_id"].as_str().unwrap(), Duration::from_secs(60));
    s.wait_gone(&t, &id);
    wait_served(&public, false);
}
