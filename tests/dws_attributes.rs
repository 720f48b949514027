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
    s.spawn(&[], &[("STRATO_SLOW_STEP", "restart_cluster:0:1500")]);
    let t = s.token();
    let c = s.show(&t, &id);
    assert_eq!(c["cluster_description_info"], "nightly loads", "{c}");
    assert_eq!(c["tags"], json!([{"key": "env", "value": "prod"}, {"key": "team", "value": "a"}]), "{c}");

    let (st, _) = s.call(&t, "POST", &path("tags/batch-delete"), Some(json!({"tags": [{"key": "env", "value": "dev"}, {"key": "team"}, {"key": "nope"}]})));
    assert_eq!(st, 200);
    assert_eq!(tags(&s, &t), json!([{"key": "env", "value": "prod"}]), "a value that does not match keeps the tag");

    // While a task runs, changes are refused and nothing changes.
    let (st, _) = s.call(&t, "POST", &format!("/v1.0/{{pid}}/clusters/{id}/restart"), Some(json!({"restart": {}})));
    assert_eq!(st, 200);
    let (st, v) = s.call(&t, "POST", &path("tags/batch-create"), Some(json!({"tags": [{"key": "late", "value": "1"}]})));
    assert_eq!((st, v["error_code"].as_str()), (409, Some("DWS.5090")), "{v}");
    s.wait_until(&t, &id, Duration::from_secs(60), |c| c["task_status"].is_null() && c["status"] == "AVAILABLE");
    assert_eq!(tags(&s, &t), json!([{"key": "env", "value": "prod"}]));
}
