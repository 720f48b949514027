//! The dialects' OpenAPI documents: the committed `docs/openapi/<dialect>.json`
//! is what the code generates (run with `STRATO_UPDATE_OPENAPI=1` to
//! regenerate it), the CLI prints it, and the listener serves it unauthenticated.
//! Each check is one helper run for every dialect.

mod common;

use std::path::PathBuf;

use common::Server;

type Generator = fn() -> utoipa::openapi::OpenApi;

/// The dialects with a document: the name `strato openapi` takes and the generator.
const DIALECTS: &[(&str, Generator)] =
    &[
        ("iam", strato::api::keystone::openapi),
        ("zilliz", strato::api::zilliz::openapi),
        ("dws", strato::api::dws::openapi),
        ("css", strato::api::css::openapi),
        ("aliyun", strato::api::aliyun::openapi),
    ];

/// The document as committed: pretty JSON and a final newline.
fn generated(make: Generator) -> String {
    format!("{}\n", make().to_pretty_json().expect("serializes"))
}

fn snapshot(dialect: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("docs/openapi/{dialect}.json"))
}

/// Where two texts first differ, with the lines on either side.
fn first_difference(committed: &str, generated: &str) -> String {
    let (a, b): (Vec<_>, Vec<_>) = (committed.lines().collect(), generated.lines().collect());
    let n = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let show = |lines: &[&str]| lines.iter().skip(n.saturating_sub(2)).take(5).cloned().collect::<Vec<_>>().join("\n");
    format!("line {}:\n--- committed\n{}\n+++ generated\n{}", n + 1, show(&a), show(&b))
}

#[test]
fn the_committed_documents_are_the_generated_ones() {
    for (dialect, make) in DIALECTS {
        let generated = generated(*make);
        if std::env::var("STRATO_UPDATE_OPENAPI").as_deref() == Ok("1") {
            std::fs::write(snapshot(dialect), &generated).expect("write the snapshot");
            continue;
        }
        let committed = std::fs::read_to_string(snapshot(dialect)).unwrap_or_default();
        assert!(
            committed == generated,
            "docs/openapi/{dialect}.json is not what the code generates; if the change is meant, regenerate it with \
             `STRATO_UPDATE_OPENAPI=1 cargo test --test openapi` and commit it. First difference at {}",
            first_difference(&committed, &generated)
        );
    }
}

#[test]
fn the_cli_prints_the_documents() {
    for (dialect, make) in DIALECTS {
        let out = std::process::Command::new(common::bin()).args(["openapi", dialect]).output().unwrap();
        assert!(out.status.success(), "{dialect}: {}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(String::from_utf8(out.stdout).unwrap(), generated(*make), "{dialect}");
    }
}

/// Every operation id is unique, and every operation answers in its dialect's
/// error envelope for the shared refusals (authentication, the HTTP edge).
#[test]
fn every_operation_documents_the_shared_refusals() {
    let shared: &[(&str, &[&str])] =
        &[("iam", &["500"]), ("zilliz", &["401", "413", "500"]), ("css", &["400", "401", "403", "405", "408", "413", "415", "500"]),
          ("aliyun", &["400", "403", "413", "500", "503"]), ("dws", &["400", "401", "403", "404", "405", "408", "413", "415", "500"])];
    for (dialect, make) in DIALECTS {
        let doc = serde_json::to_value(make()).unwrap();
        let statuses = shared.iter().find(|(d, _)| d == dialect).map(|(_, s)| *s).unwrap_or_default();
        let mut ids = std::collections::HashSet::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                let id = op["operationId"].as_str().unwrap_or_default();
                assert!(ids.insert(id.to_string()), "{dialect}: {method} {path}: operationId {id} is used twice");
                for status in statuses {
                    let mut response = &op["responses"][status];
                    if let Some(shared) = response["$ref"].as_str().and_then(|r| r.strip_prefix("#/components/responses/")) {
                        response = &doc["components"]["responses"][shared];
                    }
                    let r = &response["content"]["application/json"]["schema"]["$ref"];
                    assert_eq!(r, "#/components/schemas/ErrorBody", "{dialect}: {method} {path} {status}");
                }
            }
        }
    }
}

/// A dialect's listener (its base URL) and a path there that needs credentials.
fn guarded(s: &Server, dialect: &str) -> (String, String) {
    match dialect {
        "iam" => (s.iam(), "/_strato/info".into()),
        "zilliz" => (s.zilliz(), "/v2/clusters".into()),
        "css" => (s.css(), format!("/v1.0/{}/clusters", s.pid())),
        "aliyun" => (s.aliyun(), "/openapi/instances".into()),
        "dws" => (s.dws(), format!("/v1.0/{}/clusters", s.pid())),
        other => panic!("no listener for {other}"),
    }
}

#[test]
fn the_listeners_serve_the_documents_without_credentials_and_guard_the_rest() {
    let s = Server::start();
    for (dialect, make) in DIALECTS {
        let (base, path) = guarded(&s, dialect);
        let resp = s.http.get(format!("{base}/openapi.json")).send().unwrap();
        assert_eq!(resp.status(), 200, "{dialect}");
        assert!(resp.headers()["content-type"].to_str().unwrap().starts_with("application/json"));
        let served: serde_json::Value = resp.json().unwrap();
        assert_eq!(served, serde_json::from_str::<serde_json::Value>(&generated(*make)).unwrap(), "{dialect}");
        let resp = s.http.get(format!("{base}{path}")).header("authorization", "Bearer not-a-key").send().unwrap();
        let status = resp.status().as_u16();
        let v: serde_json::Value = resp.json().unwrap();
        match *dialect {
            "zilliz" => assert_eq!((status, v["code"].as_u64()), (401, Some(21119)), "{v}"),
            "iam" => assert_eq!((status, v["error"]["code"].as_u64()), (401, Some(401)), "{v}"),
            "css" => assert!(status == 401 && v["error_code"].as_str().is_some_and(|c| c.starts_with("CSS.")), "{status} {v}"),
            "aliyun" => assert!((400..500).contains(&status) && v["Code"].is_string() && v["RequestId"].is_string(), "{status} {v}"),
            _ => assert_eq!((status, v["error_code"].as_str()), (401, Some("DWS.0002")), "{v}"),
        }
    }
}

/// The products with an SDK catalog: heading, SDK, the dialect's document and its not-emulated code.
const CATALOGUED: &[(&str, strato::api::sdk_catalog::Sdk, &str, &str)] = &[
    ("GaussDB(DWS) — huaweicloudsdkdws", strato::api::sdk_catalog::Sdk::Dws, "dws", "DWS.0501"),
    ("Huawei CSS — huaweicloudsdkcss", strato::api::sdk_catalog::Sdk::Css, "css", "CSS.0501"),
    ("Alibaba Elasticsearch and Logstash — alibabacloud_elasticsearch20170613", strato::api::sdk_catalog::Sdk::Aliyun, "aliyun", "OperationNotEmulated"),
];

/// `/v1.0/{project_id}/clusters/{cluster_id}` → `/v1.0/{}/clusters/{}`.
fn shape(path: &str) -> String {
    path.split('/').map(|s| if s.starts_with('{') { "{}" } else { s }).collect::<Vec<_>>().join("/")
}

/// Whether the shaped path `served` is `template` or an instance of it.
fn instance_of(served: &str, template: &str) -> bool {
    let (a, b): (Vec<&str>, Vec<&str>) = (served.split('/').collect(), template.split('/').collect());
    a.len() == b.len() && a.iter().zip(&b).all(|(s, t)| s == t || (*t == "{}" && !s.is_empty()))
}

/// docs/operations.md: for every SDK operation, whether strato emulates it
/// (its document has the method and path), and the routes strato serves
/// beyond the SDK (legacy paths other clients use).
fn operations_table() -> String {
    let mut out = String::from(
        "# Emulated operations\n\nGenerated by `tests/openapi.rs` from the vendors' SDK catalogs \
         (`src/api/sdk_operations.json`) and strato's OpenAPI documents (`docs/openapi/`); regenerate with \
         `STRATO_UPDATE_OPENAPI=1 cargo test --test openapi`. An operation strato does not emulate is answered with \
         HTTP 501 and the code shown, in the dialect's envelope, naming the operation. Zilliz Cloud (no SDK catalog) \
         is in `docs/openapi/zilliz.json`.\n",
    );
    for (heading, sdk, dialect, code) in CATALOGUED {
        let make = DIALECTS.iter().find(|(d, _)| d == dialect).unwrap().1;
        let doc = serde_json::to_value(make()).unwrap();
        let mut served = std::collections::BTreeMap::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                served.insert((method.to_uppercase(), shape(path)), (path.clone(), op["operationId"].as_str().unwrap().to_string()));
            }
        }
        let ops = strato::api::sdk_catalog::operations(*sdk);
        let mut rows = String::new();
        let mut emulated = 0;
        let mut matched = std::collections::HashSet::new();
        for op in ops {
            // A served path serves the SDK's when it is the same or an instance of it (a literal
            // where the SDK has a parameter: CSS's `css-cluster` for `{resource_type}`).
            let hit = served.keys().find(|(m, p)| *m == op.method && instance_of(p, &shape(&op.path))).cloned();
            let status = if let Some(key) = hit {
                emulated += 1;
                matched.insert(key);
                "emulated".to_string()
            } else {
                format!("not emulated (`{code}`)")
            };
            rows.push_str(&format!("| {} | {} | `{}` | {status} |\n", op.name, op.method, op.path));
        }
        out.push_str(&format!("\n## {heading}\n\n{emulated} of {} SDK operations emulated.\n\n", ops.len()));
        out.push_str("| Operation | Method | Path | strato |\n|---|---|---|---|\n");
        out.push_str(&rows);
        let extra: Vec<_> = served.iter().filter(|(k, _)| !matched.contains(*k)).collect();
        if !extra.is_empty() {
            out.push_str("\nAlso served (not in the SDK's catalog):\n\n");
            for ((method, _), (path, id)) in extra {
                out.push_str(&format!("- {id}: {method} `{path}`\n"));
            }
        }
    }
    out
}

#[test]
fn the_committed_operations_table_is_the_generated_one() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/operations.md");
    let generated = operations_table();
    if std::env::var("STRATO_UPDATE_OPENAPI").as_deref() == Ok("1") {
        std::fs::write(&path, &generated).expect("write docs/operations.md");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/operations.md is not what the code generates; regenerate it with `STRATO_UPDATE_OPENAPI=1 cargo test \
         --test openapi`. First difference at {}",
        first_difference(&committed, &generated)
    );
}

/// A request that is an SDK operation strato does not serve is answered as
/// that operation, not emulated (HTTP 501, the dialect's code, the name);
/// anything else is still "no such API" (a path served with other methods is
/// covered by `sdk_catalog`'s unit test: no such SDK operation is left).
#[test]
fn sdk_operations_strato_does_not_emulate_are_named() {
    let s = Server::start();
    let token = s.token();
    let (st, v) = s.call(&token, "GET", "/v1.0/{pid}/quotas", None);
    assert_eq!((st, v["error_code"].as_str()), (501, Some("DWS.0501")), "{v}");
    assert!(v["error_msg"].as_str().unwrap().contains("does not emulate ListQuotas (GET /v1.0/{project_id}/quotas)"), "{v}");
    let (st, v) = s.call(&token, "DELETE", "/v2/{pid}/clusters", None);
    assert_eq!((st, v["error_code"].as_str()), (405, Some("DWS.0404")), "not an SDK operation: {v}");
    let (st, v) = s.call(&token, "GET", "/v1.0/{pid}/nowhere", None);
    assert_eq!((st, v["error_code"].as_str()), (404, Some("DWS.0404")), "{v}");

    let (st, v) = s.css_call(&token, "GET", &format!("/v1.0/{{pid}}/clusters/{}/tags", uuid::Uuid::new_v4()), None);
    assert_eq!((st, v["error_code"].as_str()), (501, Some("CSS.0501")), "{v}");
    assert!(v["error_msg"].as_str().unwrap().contains("ShowClusterTag"), "{v}");

    let (st, v) = s.ali("GET", "/openapi/instances/es-cn-x/elasticsearch-health", None);
    assert_eq!((st, v["Code"].as_str()), (501, Some("OperationNotEmulated")), "{v}");
    assert!(v["Message"].as_str().unwrap().contains("DescribeElasticsearchHealth"), "{v}");
    assert!(v["RequestId"].is_string(), "{v}");
    let (st, v) = s.ali("GET", "/openapi/nowhere", None);
    assert_eq!((st, v["Code"].as_str()), (404, Some("InvalidAction.NotFound")), "{v}");
}
