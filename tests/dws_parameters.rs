//! A DWS cluster's database parameters as the providers' `dws_parameter_configurations`
//! drives them: the parameter group, the parameters, an update that really changes
//! every node's PostgreSQL settings (`SHOW` proves it), one that needs a restart
//! leaving the group `Pending-Reboot` until the restart applies it, refusals that
//! change nothing, kill -9 of strato mid-change; and the events strato recorded.

mod common;

use std::time::{Duration, Instant};

use common::Server;
use serde_json::{json, Value};

/// The provider's wait after a change: the group list until `In-Sync` or `Pending-Reboot`.
fn wait_group_settled(s: &Server, t: &str, id: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (st, v) = s.call(t, "GET", &format!("/v1.0/{{pid}}/clusters/{id}/configurations"), None);
        assert_eq!(st, 200, "{v}");
        let group = v["configurations"].as_array().unwrap().iter().find(|g| g["type"] == "hiddenParameterGroup").unwrap().clone();
        assert_ne!(group["status"], "Sync-Failure", "{group}\nlog:\n{}", s.log());
        if group["status"] == "In-Sync" || group["status"] == "Pending-Reboot" {
            return group;
        }
        assert!(Instant::now() < deadline, "{group}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn value_of(params: &Value, name: &str, role: &str) -> Value {
    let p = params["configurations"].as_array().unwrap().iter().find(|p| p["name"] == name).unwrap_or_else(|| panic!("no {name}"));
    p["values"].as_array().unwrap().iter().find(|v| v["type"] == role).unwrap()["value"].clone()
}

fn both(name: &str, value: &str) -> Value {
    json!([{"type": "cn", "name": name, "value": value}, {"type": "dn", "name": name, "value": value}])
}

#[test]
fn parameters_change_on_every_node_and_restart_ones_wait_for_a_restart() {
    let env = [("STRATO_SLOW_STEP", "apply_settings:0:2500")];
    let mut s = Server::start_with(&["--min-nodes", "1"], &env);
    let t = s.token();
    let id = s.create(&t, "tuned", 2);
    let c = s.wait_available(&t, &id);
    let eps = common::endpoints(&c);

    // The one group the API changes, as the provider picks it; the detail shows the same.
    let group = wait_group_settled(&s, &t, &id);
    assert_eq!((group["status"].as_str(), &group["fail_reason"]), (Some("In-Sync"), &Value::Null), "{group}");
    assert_eq!(group["name"], format!("parameterGroupFor_{id}"));
    let gid = group["id"].as_str().unwrap().to_string();
    assert_eq!(c["parameter_group"], json!({"id": gid, "name": group["name"], "status": "In-Sync"}), "{c}");
    let params_path = format!("/v1.0/{{pid}}/clusters/{id}/configurations/{gid}");
    let update_path = format!("/v2/{{pid}}/clusters/{id}/configurations/{gid}");
    let (st, params) = s.call(&t, "GET", &params_path, None);
    assert_eq!(st, 200, "{params}");
    let work_mem = params["configurations"].as_array().unwrap().iter().find(|p| p["name"] == "work_mem").unwrap().clone();
    assert_eq!(
        work_mem,
        json!({"name": "work_mem", "unit": "kB", "type": "integer", "readonly": false, "value_range": "64-2147483647",
               "restart_required": false, "description": work_mem["description"],
               "values": [{"type": "cn", "value": "4096", "default_value": "4096"}, {"type": "dn", "value": "4096", "default_value": "4096"}]})
    );
    let old_max = common::psql(&eps[1], "SHOW max_connections").unwrap();
    assert_eq!(value_of(&params, "max_connections", "dn"), old_max.as_str());

    // Refusals, each with its code; nothing changes on any node.
    let mut bad_values = both("work_mem", "8192");
    bad_values[1]["value"] = json!("16384");
    for (body, code) in [
        (json!({"configurations": both("no_such_parameter", "1")}), "DWS.5037"),
        (json!({"configurations": both("work_mem", "lots")}), "DWS.5038"),
        (json!({"configurations": both("work_mem", "10")}), "DWS.5038"),
        (json!({"configurations": both("wal_level", "minimal")}), "DWS.5038"),
        (json!({"configurations": bad_values}), "DWS.5038"),
        (json!({"configurations": [{"type": "cn", "name": "work_mem", "value": "8192"}, {"type": "cn", "name": "work_mem", "value": "8192"}]}), "DWS.5039"),
        (json!({"configurations": [{"type": "cn", "name": "work_mem", "value": 8192}]}), "DWS.0004"),
        (json!({}), "DWS.0004"),
    ] {
        let (st, v) = s.call(&t, "PUT", &update_path, Some(body.clone()));
        assert_eq!((st, v["error_code"].as_str()), (400, Some(code)), "{body}: {v}");
    }
    let other_group = format!("/v2/{{pid}}/clusters/{id}/configurations/{}", uuid::Uuid::new_v4());
    let (st, v) = s.call(&t, "PUT", &other_group, Some(json!({"configurations": both("work_mem", "8192")})));
    assert_eq!((st, v["error_code"].as_str()), (400, Some("DWS.5054")), "{v}");
    for ep in &eps {
        assert_eq!(common::psql(ep, "SHOW work_mem").unwrap(), "4MB", "{ep}");
    }

    // One change: two that apply at once, one that waits for a restart. 200, no body.
    let change: Vec<Value> = [both("work_mem", "8192"), both("enable_hashjoin", "off"), both("max_connections", "60")]
        .into_iter()
        .flat_map(|v| v.as_array().unwrap().clone())
        .collect();
    let (st, v) = s.call(&t, "PUT", &update_path, Some(json!({"configurations": change})));
    assert_eq!((st, &v), (200, &Value::String(String::new())), "{v}");
    let c = s.show(&t, &id);
    assert_eq!((c["task_status"].as_str(), c["parameter_group"]["status"].as_str()), (Some("SETTING_CONFIGURATION"), Some("Applying")), "{c}");
    let (st, v) = s.call(&t, "PUT", &update_path, Some(json!({"configurations": both("work_mem", "1024")})));
    assert_eq!((st, v["error_code"].as_str()), (409, Some("DWS.5090")), "a change while one runs: {v}");
    let group = wait_group_settled(&s, &t, &id);
    assert_eq!(group["status"], "Pending-Reboot", "{group}");
    for ep in &eps {
        assert_eq!(common::psql(ep, "SHOW work_mem").unwrap(), "8MB", "{ep}");
        assert_eq!(common::psql(ep, "SHOW enable_hashjoin").unwrap(), "off", "{ep}");
        let pending = common::psql(ep, "SELECT setting || ' ' || pending_restart FROM pg_settings WHERE name = 'max_connections'").unwrap();
        assert_eq!(pending, format!("{old_max} true"), "{ep}: the old value runs until a restart");
    }
    let (_, params) = s.call(&t, "GET", &params_path, None);
    assert_eq!((value_of(&params, "work_mem", "cn"), value_of(&params, "max_connections", "dn")), (json!("8192"), json!("60")));

    // The restart applies it; the group is in sync again.
    let (st, _) = s.call(&t, "POST", &format!("/v1.0/{{pid}}/clusters/{id}/restart"), Some(json!({"restart": {}})));
    assert_eq!(st, 200);
    std::thread::sleep(Duration::from_millis(300));
    s.wait_available(&t, &id);
    assert_eq!(wait_group_settled(&s, &t, &id)["status"], "In-Sync");
    for ep in &eps {
        assert_eq!(common::psql(ep, "SHOW max_connections").unwrap(), "60", "{ep}");
        assert_eq!(common::psql(ep, "SHOW work_mem").unwrap(), "8MB", "{ep} keeps the earlier change");
    }

    // kill -9 of strato while a change waits to run: after the restart it runs, once.
    let (st, _) = s.call(&t, "PUT", &update_path, Some(json!({"configurations": both("statement_timeout", "1234")})));
    assert_eq!(st, 200);
    std::thread::sleep(Duration::from_millis(500));
    s.kill9();
    s.spawn(&["--min-nodes", "1"], &[]);
    let t = s.token();
    assert_eq!(wait_group_settled(&s, &t, &id)["status"], "In-Sync");
    s.wait_available(&t, &id);
    for ep in &eps {
        assert_eq!(common::psql(ep, "SHOW statement_timeout").unwrap(), "1234ms", "{ep}");
    }

    // The CLI: set and wait, list, refuse; tags; events.
    let cli = |args: &[&str]| {
        let out = s.run_cli(args, &[]);
        (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
    };
    let (ok, stdout, stderr) = cli(&["cluster", "set-parameter", &id, "lock_timeout=2500", "log_statement=ddl", "--wait"]);
    assert!(ok && stdout.contains("In-Sync"), "{stdout}{stderr}");
    for ep in &eps {
        assert_eq!(common::psql(ep, "SHOW lock_timeout").unwrap(), "2500ms", "{ep}");
        assert_eq!(common::psql(ep, "SHOW log_statement").unwrap(), "ddl", "{ep}");
    }
    let (ok, stdout, _) = cli(&["cluster", "parameters", &id]);
    assert!(ok && stdout.lines().any(|l| l.starts_with("lock_timeout ") && l.contains("2500")), "{stdout}");
    let (ok, _, stderr) = cli(&["cluster", "set-parameter", &id, "lock_timeout=soon"]);
    assert!(!ok && stderr.contains("DWS.5038"), "{stderr}");
    let (ok, stdout, stderr) = cli(&["cluster", "tag", &id, "--add", "env=ci", "--add", "team=data"]);
    assert!(ok && stdout.contains("env=ci") && stdout.contains("team=data"), "{stdout}{stderr}");
    let (ok, stdout, _) = cli(&["cluster", "tag", &id, "--remove", "team"]);
    assert!(ok && stdout.trim() == "env=ci", "{stdout}");
    let (ok, stdout, _) = cli(&["cluster", "events", "--limit", "5"]);
    assert!(ok && stdout.lines().count() == 5 && stdout.contains("tuned"), "{stdout}");

    // The events: DWS's names, this cluster's name, newest first, paged.
    let (st, ev) = s.call(&t, "GET", "/v2/{pid}/events?limit=1000", None);
    assert_eq!(st, 200, "{ev}");
    let events = ev["events"].as_array().unwrap();
    assert_eq!(ev["count"].as_u64(), Some(events.len() as u64));
    let names: Vec<&str> = events.iter().filter(|e| e["source_id"] == id.as_str()).map(|e| e["name"].as_str().unwrap()).collect();
    for expected in ["createCluster", "createClusterSuccess", "updateConfiguration", "updateConfigurationSuccess", "restartCluster", "restartClusterSuccess"] {
        assert!(names.contains(&expected), "{expected} missing from {names:?}");
    }
    let first = &events[0];
    assert_eq!((first["name_space"].as_str(), first["source_name"].as_str(), first["source_type"].as_str()), (Some("dws"), Some("tuned"), Some("cluster")));
    assert!(events.windows(2).all(|w| w[0]["occur_time"].as_i64() >= w[1]["occur_time"].as_i64()), "newest first");
    let (_, page) = s.call(&t, "GET", "/v2/{pid}/events?offset=1&limit=2", None);
    assert_eq!(page["events"].as_array().unwrap().len(), 2);
    assert_eq!(page["events"][0]["event_id"], events[2]["event_id"], "offset is a page number");
    let (st, v) = s.call(&t, "GET", "/v2/{pid}/events?limit=x", None);
    assert_eq!((st, v["error_code"].as_str()), (400, Some("DWS.0004")), "{v}");
}
