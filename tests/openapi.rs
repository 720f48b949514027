//! The dialects' OpenAPI documents: the committed `docs/openapi/<dialect>.json`
//! is what the code generates (run with `STRATO_UPDATE_OPENAPI=1` to
//! regenerate it), the CLI prints it, and the listener serves it unauthenticated.

mod common;

use std::path::PathBuf;

use common::Server;

use strato::cli::openapi::Dialect;

/// Every dialect with a document.
const DIALECTS: [Dialect; 4] = [Dialect::Iam, Dialect::Zilliz, Dialect::Css, Dialect::Aliyun];

/// The document as committed: pretty JSON and a final newline.
fn generated(d: Dialect) -> String {
    format!("{}\n", d.document().to_pretty_json().expect("serializes"))
}

fn snapshot(d: Dialect) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("docs/openapi/{}.json", d.name()))
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
    for d in DIALECTS {
        let generated = generated(d);
        if std::env::var("STRATO_UPDATE_OPENAPI").as_deref() == Ok("1") {
            std::fs::write(snapshot(d), &generated).expect("write the snapshot");
            continue;
        }
        let committed = std::fs::read_to_string(snapshot(d)).unwrap_or_default();
        assert!(
            committed == generated,
            "docs/openapi/{}.json is not what the code generates; if the change is meant, regenerate it with \
             `STRATO_UPDATE_OPENAPI=1 cargo test --test openapi` and commit it. First difference at {}",
            d.name(),
            first_difference(&committed, &generated)
        );
    }
}

#[test]
fn the_cli_prints_the_documents() {
    for d in DIALECTS {
        let out = std::process::Command::new(common::bin()).args(["openapi", d.name()]).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(String::from_utf8(out.stdout).unwrap(), generated(d), "{}", d.name());
    }
}

#[test]
fn the_listener_serves_the_document_without_a_key_and_guards_the_rest() {
    let s = Server::start();
    for (d, base) in [(Dialect::Iam, s.iam()), (Dialect::Zilliz, s.zilliz()), (Dialect::Css, s.css()), (Dialect::Aliyun, s.aliyun())] {
        let resp = s.http.get(format!("{base}/openapi.json")).send().unwrap();
        assert_eq!(resp.status(), 200);
        assert!(resp.headers()["content-type"].to_str().unwrap().starts_with("application/json"));
        let served: serde_json::Value = resp.json().unwrap();
        assert_eq!(served, serde_json::from_str::<serde_json::Value>(&generated(d)).unwrap(), "{}", d.name());
    }
    assert_eq!(s.http.get(format!("{}/_strato/info", s.iam())).send().unwrap().status(), 401);
    let (status, v) = s.z("not-a-key", "GET", "/v2/clusters", None);
    assert_eq!((status, v["code"].as_u64()), (200, Some(21119)), "{v}");
    let (status, v) = s.css_call("not-a-token", "GET", "/v1.0/{pid}/clusters", None);
    assert_eq!((status, v["error_code"].as_str()), (401, Some("CSS.0045")), "{v}");
    let v: serde_json::Value = s.http.get(format!("{}/openapi/instances", s.aliyun())).send().unwrap().json().unwrap();
    assert_eq!(v["Code"], "MissingAuthorization", "{v}");
}
