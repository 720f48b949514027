//! What a hostile or careless client found (issue #9): refusals outside the
//! dialects' envelopes, bodies of the wrong shape that still changed state,
//! token introspection across tenants, `Expect: 100-continue` uploads, secrets
//! printed on every start, and races between concurrent changes.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use common::Server;
use serde_json::{json, Value};

/// Sends raw bytes to `base` (an `http://host:port`) and returns what came back within `wait`.
fn raw_http(base: &str, request: &[u8], wait: Duration) -> String {
    let addr = base.trim_start_matches("http://");
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(wait)).unwrap();
    s.write_all(request).unwrap();
    let mut out = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        match s.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => out.extend_from_slice(&buf[..n]),
        }
        // One response is enough: stop once its body is complete.
        let text = String::from_utf8_lossy(&out);
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let len = head
                .lines()
                .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().parse::<usize>().unwrap_or(0)));
            if len.is_some_and(|n| body.len() >= n) {
                break;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn status_of(response: &str) -> u16 {
    response.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0)
}

fn body_of(response: &str) -> Value {
    let body = response.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or("");
    serde_json::from_str(body).unwrap_or(Value::String(body.to_string()))
}

/// Every listener answers axum's own refusals (wrong method, a path id that is
/// not UTF-8, a repeated query key) in its dialect's JSON envelope.
#[test]
fn every_refusal_is_in_the_dialect_s_envelope() {
    let s = Server::start();
    let token = s.token();
    let key = s.api_key();
    let pid = s.pid();
    let dws_ok = |v: &Value| v["error_code"].as_str().is_some_and(|c| c.starts_with("DWS.")) && v["error_msg"].is_string();
    let css_ok = |v: &Value| v["error_code"].as_str().is_some_and(|c| c.starts_with("CSS.")) && v["error_msg"].is_string();
    let iam_ok = |v: &Value| v["error"]["code"].is_u64() && v["error"]["message"].is_string();
    let z_ok = |v: &Value| v["code"].as_u64().is_some_and(|c| c != 0) && v["message"].is_string();
    let ali_ok = |v: &Value| v["Code"].is_string() && v["Message"].is_string() && v["RequestId"].is_string();

    let auth_token = format!("X-Auth-Token: {token}\r\n");
    let auth_key = format!("Authorization: Bearer {key}\r\n");
    type Check<'a> = (&'a str, String, &'a str, String, Box<dyn Fn(&Value) -> bool + 'a>, u16);
    let cases: Vec<Check> = vec![
        ("DWS 405", s.dws(), "PUT", format!("/v1.0/{pid}/clusters"), Box::new(dws_ok), 405),
        ("DWS bad UTF-8 id", s.dws(), "GET", format!("/v1.0/{pid}/clusters/%FF%FE"), Box::new(dws_ok), 400),
        ("DWS repeated query key", s.dws(), "GET", format!("/v1.0/{pid}/clusters/00000000-0000-4000-8000-000000000000/snapshots?limit=10&limit=-1"), Box::new(dws_ok), 400),
        ("CSS 405", s.css(), "PUT", format!("/v1.0/{pid}/clusters"), Box::new(css_ok), 405),
        ("CSS bad UTF-8 id", s.css(), "GET", format!("/v1.0/{pid}/clusters/%FF%FE"), Box::new(css_ok), 400),
        ("CSS repeated query key", s.css(), "GET", format!("/v1.0/{pid}/clusters?limit=10&limit=-1"), Box::new(css_ok), 400),
        ("IAM 405", s.iam(), "DELETE", "/v3".to_string(), Box::new(iam_ok), 405),
        // Zilliz answers request errors with HTTP 200 and a code, whoever refused them.
        ("Zilliz 405", s.zilliz(), "PUT", "/v2/clusters".to_string(), Box::new(z_ok), 200),
        ("Zilliz bad UTF-8 id", s.zilliz(), "GET", "/v2/clusters/%FF%FE".to_string(), Box::new(z_ok), 200),
        ("Zilliz repeated query key", s.zilliz(), "GET", "/v2/clusters?pageSize=10&pageSize=-1".to_string(), Box::new(z_ok), 200),
    ];
    for (what, base, method, path, ok, want) in cases {
        let auth = if base == s.zilliz() { &auth_key } else { &auth_token };
        let req = format!("{method} {path} HTTP/1.1\r\nHost: x\r\n{auth}Content-Length: 0\r\nConnection: close\r\n\r\n");
        let resp = raw_http(&base, req.as_bytes(), Duration::from_secs(5));
        assert_eq!(status_of(&resp), want, "{what}: {resp}");
        assert!(resp.to_ascii_lowercase().contains("content-type: application/json"), "{what}: {resp}");
        assert!(ok(&body_of(&resp)), "{what}: {resp}");
    }
    // Alibaba refuses unsigned requests before routing; a signed wrong method is still its envelope.
    let (status, v) = s.ali("PATCH", "/openapi/instances", None);
    assert_eq!(status, 405, "{v}");
    assert!(ali_ok(&v), "{v}");
}

/// `DELETE .../clusters/{id}` with a JSON body that is not an object is a
/// 400 DWS.0004 and deletes nothing.
#[test]
fn a_dws_delete_with_a_body_that_is_not_an_object_changes_nothing() {
    let s = Server::start();
    let token = s.token();
    let id = s.create(&token, "dws-keep-me", 3);
    for body in ["null", "[]", "true", "1", "\"s\""] {
        let url = format!("{}/v1.0/{}/clusters/{id}", s.dws(), s.pid());
        let resp = s
            .http
            .delete(url)
            .header("x-auth-token", &token)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .unwrap();
        let status = resp.status().as_u16();
        let v: Value = resp.json().unwrap();
        assert_eq!((status, v["error_code"].as_str()), (400, Some("DWS.0004")), "body {body}: {v}");
    }
    let c = s.show(&token, &id);
    assert_ne!(c["status"], "DELETING", "{c}");
    s.wait_available(&token, &id);
}

/// Another user's token cannot be introspected (Keystone's `identity:validate_token`).
#[test]
fn a_token_is_validated_only_by_its_own_user() {
    let s = Server::start();
    let mine = s.token();
    s.admin(&["project-create", "tenant-b", "--domain", "strato"]);
    s.admin(&["user-create", "bob", "--domain", "strato", "--project", "tenant-b"]);
    let r = s.token_for("strato", "bob", "Other-Passw0rd!", "tenant-b");
    assert_eq!(r.status(), 201);
    let theirs = r.headers()["x-subject-token"].to_str().unwrap().to_string();
    let validate = |caller: &str, subject: &str| {
        let r = s.http.get(format!("{}/v3/auth/tokens", s.iam())).header("x-auth-token", caller).header("x-subject-token", subject).send().unwrap();
        (r.status().as_u16(), r.json::<Value>().unwrap())
    };
    let (status, v) = validate(&theirs, &mine);
    assert_eq!(status, 403, "{v}");
    assert_eq!(v["error"]["message"], "You are not authorized to perform the requested action: identity:validate_token.");
    assert!(v.get("token").is_none(), "{v}");
    assert_eq!(validate(&mine, &mine).0, 200);
    assert_eq!(validate(&theirs, &theirs).1["token"]["user"]["name"], "bob");
}

/// A declared oversize body is refused with 413 before any of it is read: no
/// `100 Continue` invites the upload.
#[test]
fn expect_continue_with_an_oversize_body_gets_413_not_100() {
    let s = Server::start();
    let token = s.token();
    let req = format!(
        "POST /v1.0/{}/clusters HTTP/1.1\r\nHost: x\r\nX-Auth-Token: {token}\r\nContent-Type: application/json\r\n\
         Content-Length: 52428800\r\nExpect: 100-continue\r\n\r\n",
        s.pid()
    );
    let resp = raw_http(&s.dws(), req.as_bytes(), Duration::from_secs(5));
    assert!(!resp.contains("100 Continue"), "{resp}");
    assert_eq!(status_of(&resp), 413, "{resp}");
    assert_eq!(body_of(&resp)["error_code"], "DWS.0005", "{resp}");
    // Keystone's token route reads its own body: the same holds there.
    let req = "POST /v3/auth/tokens HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 52428800\r\nExpect: 100-continue\r\n\r\n";
    let resp = raw_http(&s.iam(), req.as_bytes(), Duration::from_secs(5));
    assert!(!resp.contains("100 Continue") && status_of(&resp) == 413, "{resp}");
}

/// Bodies that are not `application/json` are refused by every dialect, and
/// wrong JSON types are the dialect's invalid-parameter error: nothing is created.
#[test]
fn wrong_content_types_and_wrong_json_types_change_nothing() {
    let s = Server::start();
    let token = s.token();
    let key = s.api_key();
    // Zilliz: 415-equivalent with HTTP 200, and field-typed refusals.
    let post = |ct: &str, body: &str| {
        let r = s
            .http
            .post(format!("{}/v2/clusters/createDedicated", s.zilliz()))
            .bearer_auth(&key)
            .header("content-type", ct)
            .body(body.to_string())
            .send()
            .unwrap();
        (r.status().as_u16(), r.json::<Value>().unwrap())
    };
    let base = json!({"clusterName": "v-typed", "projectId": s.pid(), "regionId": "aws-us-west-2", "plan": "Standard",
                      "cuType": "Performance-optimized", "cuSize": 1});
    let (status, v) = post("text/plain", &base.to_string());
    assert_eq!((status, v["code"].as_u64()), (200, Some(80000)), "{v}");
    for (field, value, code) in [("clusterName", json!(738), 96010), ("cuSize", json!("1"), 96002), ("description", json!({}), 80000)] {
        let mut b = base.clone();
        b[field] = value;
        let (status, v) = post("application/json", &b.to_string());
        assert_eq!((status, v["code"].as_u64()), (200, Some(code)), "{field}: {v}");
    }
    let mut b = base.clone();
    b["description"] = json!("nul\u{0}byte");
    assert_eq!(post("application/json", &b.to_string()).1["code"], 80000);
    let list = s.z_ok(&key, "GET", "/v2/clusters", None);
    assert_eq!(list["count"], 0, "{list}");

    // CSS: a volume that is not an object, and a form body.
    let css = |ct: &str, body: &str| {
        let r = s
            .http
            .post(format!("{}/v1.0/{}/clusters", s.css(), s.pid()))
            .header("x-auth-token", &token)
            .header("content-type", ct)
            .body(body.to_string())
            .send()
            .unwrap();
        (r.status().as_u16(), r.json::<Value>().unwrap())
    };
    let body = json!({"cluster": {"name": "css-typed", "instanceNum": 1, "datastore": {"type": "elasticsearch", "version": "7.10.2"},
        "instance": {"flavorRef": "ess.spec-4u8g", "volume": "junk",
                     "nics": {"vpcId": "v", "netId": "n", "securityGroupId": "g"}}}});
    let (status, v) = css("application/json", &body.to_string());
    assert_eq!((status, v["error_code"].as_str()), (400, Some("CSS.0001")), "{v}");
    assert!(v["error_msg"].as_str().unwrap().contains("cluster.instance.volume"), "{v}");
    let (status, v) = css("application/x-www-form-urlencoded", "a=b");
    assert_eq!((status, v["error_code"].as_str()), (415, Some("CSS.0001")), "{v}");
    // A v2 restart must say what to restart (type and value), whatever the cluster.
    let restart = format!("/v2.0/{{pid}}/clusters/{}/restart", uuid::Uuid::new_v4());
    for body in [json!({}), json!({"type": "all", "value": "x"}), json!({"type": "role"})] {
        let (status, v) = s.css_call(&token, "POST", &restart, Some(body.clone()));
        assert_eq!((status, v["error_code"].as_str()), (400, Some("CSS.0001")), "{body}: {v}");
    }
    // The older name of the flavors list answers the same.
    assert_eq!(s.css_call(&token, "GET", "/v1.0/{pid}/flavors", None), s.css_call(&token, "GET", "/v1.0/{pid}/es-flavors", None));
    let (_, list) = s.css_call(&token, "GET", "/v1.0/{pid}/clusters", None);
    assert_eq!(list["totalSize"], 0, "{list}");

    // Alibaba: every wrong type the fuzzer found.
    let good = json!({"esVersion": "7.10_with_X-Pack", "nodeAmount": 2, "esAdminPassword": "Es-admin1",
        "nodeSpec": {"spec": "elasticsearch.sn2ne.large", "disk": 20, "diskType": "cloud_ssd"},
        "networkConfig": {"type": "vpc", "vpcId": "vpc-1", "vswitchId": "vsw-1", "vsArea": "cn-hangzhou-i"}, "paymentType": "postpaid"});
    for (path, value) in [
        (vec!["description"], json!({})),
        (vec!["nodeSpec", "diskType"], json!(12345)),
        (vec!["networkConfig", "vsArea"], json!(64838)),
        (vec!["paymentType"], json!({})),
    ] {
        let mut b = good.clone();
        match path.as_slice() {
            [a] => b[*a] = value,
            [a, c] => b[*a][*c] = value,
            _ => unreachable!(),
        }
        let (status, v) = s.ali("POST", "/openapi/instances", Some(b));
        assert_eq!((status, v["Code"].as_str()), (400, Some("InvalidParameter")), "{path:?}: {v}");
    }
    let mut wrong_zone = good.clone();
    wrong_zone["networkConfig"]["vsArea"] = json!("eu-de-01");
    assert_eq!(s.ali("POST", "/openapi/instances", Some(wrong_zone)).1["Code"], "InvalidParameter");
    let (_, list) = s.ali("GET", "/openapi/instances?page=1&size=10", None);
    assert_eq!(list["Headers"]["X-Total-Count"], 0, "{list}");
}

/// The bootstrap secrets are printed on the first start only.
#[test]
fn bootstrap_secrets_are_printed_once() {
    let dir = tempfile::tempdir().unwrap();
    let start = || {
        let mut child = std::process::Command::new(common::bin())
            .args(["server", "--iam-listen", "127.0.0.1:0", "--dws-listen", "127.0.0.1:0", "--zilliz-listen", "127.0.0.1:0"])
            .args(["--css-listen", "127.0.0.1:0", "--aliyun-listen", "127.0.0.1:0", "--engine-ports", "28900-28999"])
            .args(["--node-addresses", "127.231.7.1-127.231.7.9"])
            .arg("--data-dir")
            .arg(dir.path())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let mut out = String::new();
        let mut reader = std::io::BufReader::new(child.stdout.take().unwrap());
        // Everything up to the last banner line.
        loop {
            let mut line = String::new();
            if std::io::BufRead::read_line(&mut reader, &mut line).unwrap() == 0 {
                break;
            }
            out.push_str(&line);
            if line.contains("endpoints and credentials:") {
                break;
            }
        }
        let _ = child.kill();
        let _ = child.wait();
        out
    };
    let first = start();
    let creds: Value = serde_json::from_str(&std::fs::read_to_string(dir.path().join("endpoints.json")).unwrap()).unwrap();
    let secrets = ["password", "secret_key", "api_key"].map(|k| creds["credentials"][k].as_str().unwrap().to_string());
    for secret in &secrets {
        assert!(first.contains(secret.as_str()), "the first start shows its new credentials:\n{first}");
    }
    let second = start();
    for secret in &secrets {
        assert!(!second.contains(secret.as_str()), "a later start printed a secret:\n{second}");
    }
    assert!(second.contains("endpoints.json"), "{second}");
}

/// Two UpdateInstance requests decided on the same node count: the one that
/// commits after the other's change finished is a conflict, never a 500
/// (`UNIQUE constraint failed: nodes.cluster_id, nodes.ordinal`).
#[tokio::test]
async fn a_change_decided_on_a_stale_spec_is_a_conflict() {
    use strato::core::cluster::{Cluster, ClusterSpec, Lifecycle, Placement, PortNeeds, Product};
    use strato::core::job::{Job, JobKind, JobPayload};
    use strato::core::search::{Datastore, SearchSpec};
    use strato::core::CoreError;
    use strato::store::sqlite::SqliteStore;
    use strato::store::{JobOutcome, Store};

    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("strato.db")).await.unwrap();
    let spec = SearchSpec {
        product: Product::AliyunLogstash,
        name: "ls-race".into(),
        description: String::new(),
        datastore: Datastore::Logstash,
        version: "7.4.0".into(),
        node_count: 2,
        flavor: "logstash.n4.small".into(),
        disk_type: "cloud_ssd".into(),
        disk_gb: 20,
        vpc_id: "v".into(),
        subnet_id: "s".into(),
        security_group_id: String::new(),
        availability_zone: "cn-hangzhou-i".into(),
        https: false,
        authority: false,
        tags: vec![],
        engine_settings: Default::default(),
        access: Default::default(), pipelines: Vec::new(), routes: Vec::new(), index_snapshots: Default::default(), dedicated: Vec::new(),
    };
    let cluster = Cluster::new("p", ClusterSpec::Search(spec.clone()));
    let placement = Placement {
        addresses: ("127.99.0.1".parse().unwrap(), "127.99.0.9".parse().unwrap()),
        unusable_addresses: vec![],
        ports: PortNeeds::PerAddress(9600),
        port_range: (0, 0),
        unusable_ports: vec![],
    };
    let job = |kind, from: u32, to: u32| {
        let payload = JobPayload { from_nodes: Some(from), to_nodes: Some(to), ..JobPayload::default() };
        Job::new(kind, "p", cluster.id, None, from.max(to), payload)
    };
    let create = job(JobKind::CreateCluster, 2, 2);
    store.create_cluster(&cluster, &placement, &create).await.unwrap();
    store.finish_job(create.id, &JobOutcome::Succeeded, Some(Lifecycle::Running), 1).await.unwrap();

    // Both requests read the 2-member spec; the first change runs to its end.
    let first = job(JobKind::ChangeCluster, 2, 3);
    store.enqueue_change(&first, &placement, &cluster.spec, &[2]).await.unwrap();
    store.set_spec(cluster.id, &ClusterSpec::Search(spec.with_nodes(3))).await.unwrap();
    store.finish_job(first.id, &JobOutcome::Succeeded, None, 2).await.unwrap();

    let second = job(JobKind::ChangeCluster, 2, 3);
    let result = store.enqueue_change(&second, &placement, &cluster.spec, &[2]).await;
    assert!(matches!(result, Err(CoreError::Conflict(_))), "{result:?}");
    assert!(store.active_job(cluster.id).await.unwrap().is_none(), "the refused change left a job");
    assert_eq!(store.nodes(cluster.id).await.unwrap().len(), 3);
}

/// Alibaba signatures: a nonce is required (and, for ACS3, signed), a used one
/// stays used across a restart, and a legacy-signed body must carry Content-MD5.
#[test]
fn alibaba_nonces_are_required_remembered_and_bodies_signed() {
    use common::search::AliHeaders;
    let mut s = Server::start();
    let secret = s.cred("secret_key");
    let now = chrono::Utc::now();
    let list = "/openapi/instances?page=1&size=10";
    let code = |r: (u16, Value)| (r.0, r.1["Code"].as_str().unwrap_or_default().to_string());
    let unsigned = s.ali_acs3("GET", list, None, &secret, now, AliHeaders { nonce: Some("n-unsigned".into()), sign_nonce: false }, |_| {});
    assert_eq!(code(unsigned), (400, "SignatureDoesNotMatch".into()), "a nonce outside SignedHeaders");
    let missing = s.ali_acs3("GET", list, None, &secret, now, AliHeaders { nonce: None, sign_nonce: true }, |_| {});
    assert_eq!(code(missing), (400, "MissingSignatureNonce".into()), "no nonce at all");
    assert_eq!(code(s.ali_legacy("GET", list, "")), (400, "MissingSignatureNonce".into()));

    let nonce = AliHeaders { nonce: Some(uuid::Uuid::new_v4().simple().to_string()), sign_nonce: true };
    let again = AliHeaders { nonce: nonce.nonce.clone(), sign_nonce: true };
    assert_eq!(s.ali_acs3("GET", list, None, &secret, now, nonce, |_| {}).0, 200);
    s.kill9();
    s.spawn(&[], &[]);
    let replayed = s.ali_acs3("GET", list, None, &secret, now, again, |_| {});
    assert_eq!(code(replayed), (400, "SignatureNonceUsed".into()), "a restart forgot the nonce");

    // Legacy `acs AK:sig`: the body is covered only through Content-MD5.
    let target = format!("/openapi/instances/es-cn-{}", uuid::Uuid::new_v4().simple());
    let body = Some(json!({"nodeAmount": 3}));
    let (status, v) = s.ali_legacy_body("PUT", &target, &uuid::Uuid::new_v4().simple().to_string(), body.clone(), false);
    assert_eq!((status, v["Code"].as_str()), (400, Some("MissingContentMD5")), "{v}");
    let (status, v) = s.ali_legacy_body("PUT", &target, &uuid::Uuid::new_v4().simple().to_string(), body, true);
    assert_eq!((status, v["Code"].as_str()), (400, Some("InstanceNotFound")), "a signed body passes: {v}");
}

/// ~2,000 idle connections (no byte sent) to one listener: strato keeps its
/// descriptors (a cap per listener, a header timeout), every other listener
/// answers, and the health loop never takes strato's own trouble for a dead
/// node (no node_down event, no repair, the same postmaster).
#[test]
fn idle_connections_take_nothing_down() {
    // 1,024 descriptors in all, as a small default limit would give: 2,000 idle
    // connections would exhaust them without the cap.
    let s = Server::start_with_open_files(&["--min-nodes", "1", "--http-header-timeout-ms", "3000"], 1024);
    let token = s.token();
    let id = s.create(&token, "dws-under-siege", 1);
    s.wait_available(&token, &id);
    let primary = common::node_pid(s.dir.path(), &id, 0);
    let events_before = s.show(&token, &id)["recent_event"].as_u64().unwrap();

    let dws: std::net::SocketAddr = s.dws().trim_start_matches("http://").parse().unwrap();
    // Past the cap and the kernel's backlog a connect waits for SYN retries: stop when they start failing.
    let (mut idle, mut failed) = (Vec::new(), 0);
    while idle.len() < 2000 && failed < 5 {
        match TcpStream::connect_timeout(&dws, Duration::from_millis(50)) {
            Ok(c) => idle.push(c),
            Err(_) => failed += 1,
        }
    }
    assert!(idle.len() >= 100, "only {} idle connections were made: the listener is not saturated", idle.len());
    let started = std::time::Instant::now();
    // Every other listener answers at once; so do the store (token issue) and identity.
    for _ in 0..3 {
        let t = std::time::Instant::now();
        let fresh = s.token();
        assert!(t.elapsed() < Duration::from_secs(2), "IAM answered in {:?}", t.elapsed());
        let (status, _) = s.css_call(&fresh, "GET", "/v1.0/{pid}/clusters", None);
        assert_eq!(status, 200);
        assert_eq!(s.z(&s.api_key(), "GET", "/v2/clusters", None).1["code"], 0);
        std::thread::sleep(Duration::from_millis(500));
    }
    // A connection that sends nothing is closed after the header timeout.
    let mut probe = TcpStream::connect(s.iam().trim_start_matches("http://")).unwrap();
    probe.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let t = std::time::Instant::now();
    assert_eq!(probe.read(&mut [0u8; 16]).unwrap_or(0), 0, "the idle connection was closed");
    assert!(t.elapsed() >= Duration::from_millis(2500) && t.elapsed() < Duration::from_secs(9), "closed after {:?}", t.elapsed());
    assert!(started.elapsed() < Duration::from_secs(30));
    drop(idle);

    // DWS serves again, the node never "died" and nothing was repaired.
    let c = s.wait_available(&token, &id);
    assert_eq!(common::node_pid(s.dir.path(), &id, 0), primary, "the primary was restarted");
    assert_eq!(c["recent_event"].as_u64().unwrap(), events_before, "events were recorded: {}", s.log());
    assert!(!s.log().contains("node is down"), "{}", s.log());
}

/// Generated requests (seeded, so a failure replays) against every listener:
/// wrong methods, undecodable and odd ids, repeated and broken queries, bodies
/// of every JSON type and none, wrong content types. No answer is a 5xx but a
/// 503 the dialect explains (an unbound datastore) or a 501 naming an SDK
/// operation strato does not emulate, and every refusal is the dialect's JSON
/// envelope.
#[test]
fn generated_requests_get_the_dialect_s_envelope_and_no_5xx() {
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};
    let s = Server::start();
    let (token, key, pid) = (s.token(), s.api_key(), s.pid());
    // STRATO_FUZZ_SEED / STRATO_FUZZ_ROUNDS replay or widen a run.
    let env = |k: &str, d: u64| std::env::var(k).ok().and_then(|v| v.parse().ok()).unwrap_or(d);
    let (seed, rounds) = (env("STRATO_FUZZ_SEED", 9), env("STRATO_FUZZ_ROUNDS", 150));
    let mut rng = StdRng::seed_from_u64(seed);
    let pick = |rng: &mut StdRng, items: &[&str]| items[rng.gen_range(0..items.len())].to_string();
    let ids = |rng: &mut StdRng| -> String {
        let hex = uuid::Uuid::new_v4().simple().to_string();
        match rng.gen_range(0..9) {
            0 => uuid::Uuid::new_v4().to_string(),
            1 => format!("in01-{hex}"),
            2 => format!("es-cn-{hex}"),
            3 => "%FF%FE".into(),
            4 => "%E2%98%83".into(),
            5 => "a%20b".into(),
            6 => "x".repeat(300),
            7 => format!("job-{hex}"),
            _ => "..".into(),
        }
    };
    let queries = ["", "?limit=10&limit=-1", "?offset=abc", "?pageSize=0", "?%zz=1", "?a=%ZZ", "?page=1&size=1000", "?currentPage=-3",
                   "?datastoreType=%00", "?deleteType=later", "?clientToken="];
    let fields = ["name", "cluster", "snapshot", "restore", "clusterName", "projectId", "cuSize", "description", "nodeAmount",
                  "nodeSpec", "networkConfig", "keep_last_manual_snapshot", "type", "value", "instance", "auth", "number_of_node"];
    let value = |rng: &mut StdRng| -> Value {
        match rng.gen_range(0..7) {
            0 => Value::Null,
            1 => json!(rng.gen_range(-5i64..100_000)),
            2 => json!("s\u{0}x"),
            3 => json!([1, "a", {}]),
            4 => json!({"disk": "junk", "vsArea": 64838, "size": {}}),
            5 => json!(true),
            _ => json!(1.5),
        }
    };
    let body = |rng: &mut StdRng| -> Vec<u8> {
        match rng.gen_range(0..8) {
            0 => Vec::new(),
            1 => b"{}".to_vec(),
            2 => b"[]".to_vec(),
            3 => b"null".to_vec(),
            4 => b"{bad".to_vec(),
            5 => vec![0xff, 0xfe, 0x00],
            _ => {
                let mut m = serde_json::Map::new();
                for _ in 0..rng.gen_range(1..5) {
                    m.insert(fields[rng.gen_range(0..fields.len())].to_string(), value(rng));
                }
                serde_json::to_vec(&m).unwrap()
            }
        }
    };
    let dws_paths = ["/v1.0/{pid}/node_types", "/v2/{pid}/node-types", "/v1.0/{pid}/clusters", "/v2/{pid}/clusters", "/v1.0/{pid}/clusters/{id}",
        "/v1.0/{pid}/clusters/{id}/restart", "/v1/{pid}/clusters/{id}/stop", "/v1/{pid}/clusters/{id}/start", "/v1.0/{pid}/job/{id}",
        "/v1.0/{pid}/snapshots", "/v1.0/{pid}/snapshots/{id}", "/v1.0/{pid}/snapshots/{id}/actions", "/v1.0/{pid}/clusters/{id}/snapshots",
        "/v2/{pid}/clusters/{id}/snapshot-policies", "/v1.0/{pid}/clusters/{id}/snapshot-policies/{id}", "/v1.0/{id}/clusters", "/{id}"];
    let css_paths = ["/v1.0/{pid}/es-flavors", "/v1.0/{pid}/flavors", "/v1.0/{pid}/clusters", "/v1.0/{pid}/clusters/{id}",
        "/v1.0/{pid}/clusters/{id}/restart", "/v2.0/{pid}/clusters/{id}/restart", "/v1.0/{id}/clusters", "/{id}"];
    let zilliz_paths = ["/v2/clusters", "/v2/clusters/createDedicated", "/v2/clusters/createServerless", "/v2/clusters/createFree",
        "/v2/clusters/{id}", "/v2/clusters/{id}/suspend", "/v2/clusters/{id}/resume", "/v2/clusters/{id}/modify", "/v2/clusters/{id}/drop",
        "/v2/jobs/{id}", "/{id}"];
    let iam_paths = ["/", "/v3", "/v3/", "/v3/auth/tokens", "/v3/projects", "/v3/auth/projects", "/v3/{id}"];
    let dws_ok = |v: &Value| v["error_code"].as_str().is_some_and(|c| c.starts_with("DWS.")) && v["error_msg"].is_string();
    let css_ok = |v: &Value| v["error_code"].as_str().is_some_and(|c| c.starts_with("CSS.")) && v["error_msg"].is_string();
    let iam_ok = |v: &Value| v["error"]["code"].is_u64() && v["error"]["message"].is_string();
    let z_ok = |v: &Value| v["code"].as_u64().is_some_and(|c| c != 0) && v["message"].is_string();
    type Envelope<'a> = &'a dyn Fn(&Value) -> bool;
    let listeners: [(String, &[&str], String, Envelope, [&str; 2]); 4] = [
        (s.dws(), &dws_paths, format!("X-Auth-Token: {token}\r\n"), &dws_ok, ["DWS.6000", "DWS.0501"]),
        (s.css(), &css_paths, format!("X-Auth-Token: {token}\r\n"), &css_ok, ["CSS.6000", "CSS.0501"]),
        (s.zilliz(), &zilliz_paths, format!("Authorization: Bearer {key}\r\n"), &z_ok, ["96900", "-"]),
        (s.iam(), &iam_paths, format!("X-Auth-Token: {token}\r\n"), &iam_ok, ["-", "-"]),
    ];
    let mut sent = 0;
    for (base, paths, auth, ok, [unavailable, not_emulated]) in listeners {
        for _ in 0..rounds {
            let method = pick(&mut rng, &["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]);
            let path = pick(&mut rng, paths).replace("{pid}", &pid);
            let path = path.split("{id}").map(str::to_string).collect::<Vec<_>>().join(&ids(&mut rng));
            let target = format!("{path}{}", pick(&mut rng, &queries));
            let b = body(&mut rng);
            let ct = pick(&mut rng, &["application/json", "application/json; charset=utf-8", "text/plain", "application/x-www-form-urlencoded", ""]);
            let ct = if ct.is_empty() { String::new() } else { format!("Content-Type: {ct}\r\n") };
            let auth = if rng.gen_bool(0.9) { auth.clone() } else { String::new() };
            let mut req = format!("{method} {target} HTTP/1.1\r\nHost: x\r\n{auth}{ct}Content-Length: {}\r\nConnection: close\r\n\r\n", b.len()).into_bytes();
            req.extend_from_slice(&b);
            let resp = raw_http(&base, &req, Duration::from_secs(10));
            let (status, v) = (status_of(&resp), body_of(&resp));
            let what = format!("{method} {target} ({} body bytes) -> {resp}", b.len());
            sent += 1;
            assert!(status != 0, "no answer: {what}");
            let refused = status >= 400 || (base == s.zilliz() && v["code"] != 0);
            if status >= 500 {
                let code = v["error_code"].as_str().map(str::to_string).or_else(|| v["code"].as_u64().map(|c| c.to_string()));
                let explained = (status == 503 && code.as_deref() == Some(unavailable)) || (status == 501 && code.as_deref() == Some(not_emulated));
                assert!(explained, "a 5xx: {what}");
            }
            if refused {
                assert!(ok(&v), "not the dialect's envelope: {what}");
            } else if method != "OPTIONS" {
                assert!(v.is_object(), "a success that is not JSON: {what}");
            }
        }
    }
    // Alibaba: signed requests (the generator's bodies as JSON values) reach its handlers.
    let ali_paths = ["/openapi/instances", "/openapi/instances/{id}", "/openapi/instances/{id}/actions/restart", "/openapi/instances/{id}/actions/interrupt",
        "/openapi/instances/{id}/actions/resume", "/openapi/logstashes", "/openapi/logstashes/{id}", "/openapi/logstashes/{id}/actions/cancel-deletion"];
    let secret = s.cred("secret_key");
    for _ in 0..rounds {
        let method = pick(&mut rng, &["GET", "POST", "PUT", "DELETE", "PATCH"]);
        let path = pick(&mut rng, &ali_paths);
        let path = path.split("{id}").map(str::to_string).collect::<Vec<_>>().join(&ids(&mut rng));
        let target = format!("{path}{}", pick(&mut rng, &queries));
        let b: Option<Value> = serde_json::from_slice(&body(&mut rng)).ok();
        let nonce = common::search::AliHeaders { nonce: Some(uuid::Uuid::new_v4().simple().to_string()), sign_nonce: true };
        let (status, v) = s.ali_acs3(&method, &target, b, &secret, chrono::Utc::now(), nonce, |_| {});
        sent += 1;
        let explained = (status == 503 && v["Code"] == "ServiceUnavailable") || (status == 501 && v["Code"] == "OperationNotEmulated");
        assert!(status < 500 || explained, "a 5xx: {method} {target}: {v}");
        if !(200..300).contains(&status) {
            assert!(v["Code"].is_string() && v["Message"].is_string() && v["RequestId"].is_string(), "{method} {target}: {status} {v}");
        }
    }
    assert!(sent >= 5 * rounds);
    assert!(!s.log().contains("request failed"), "a request failed inside strato:\n{}", s.log());
}

/// A body that stops arriving gets 408 in the dialect's envelope once the body
/// timeout is over, and frees its connection.
#[test]
fn a_body_that_never_arrives_times_out() {
    let s = Server::start_with(&["--http-body-timeout-ms", "1000"], &[]);
    let token = s.token();
    let req = format!(
        "POST /v1.0/{}/clusters HTTP/1.1\r\nHost: x\r\nX-Auth-Token: {token}\r\nContent-Type: application/json\r\n\
         Content-Length: 100\r\n\r\n{{\"cluster\":",
        s.pid()
    );
    let t = std::time::Instant::now();
    let resp = raw_http(&s.dws(), req.as_bytes(), Duration::from_secs(10));
    assert_eq!(status_of(&resp), 408, "{resp}");
    assert_eq!(body_of(&resp)["error_code"], "DWS.0004", "{resp}");
    assert!(t.elapsed() >= Duration::from_millis(900) && t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
}
