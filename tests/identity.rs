//! The identity service on a real store: bearer API keys (created through
//! `strato admin`, as an operator would) are project-scoped, hashed at rest,
//! and stop working when deleted or when their user leaves the project.

mod common;

use std::sync::Arc;

use strato::auth::identity::load_master_key;
use strato::auth::Identity;
use strato::store::sqlite::SqliteStore;
use strato::store::Store;

fn admin(dir: &std::path::Path, args: &[&str]) -> String {
    let out = std::process::Command::new(common::bin()).arg("admin").arg("--data-dir").arg(dir).args(args).output().unwrap();
    assert!(out.status.success(), "admin {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn api_keys_are_project_scoped_hashed_and_revocable() {
    let mut s = common::Server::start();
    let domain = s.cred("domain");
    let project = s.cred("project");
    let user = s.cred("user");
    let out = admin(s.dir.path(), &["apikey-create", "--domain", &domain, "--user", &user, "--project", &project, "--name", "ci"]);
    let key_id = out.lines().find_map(|l| l.strip_prefix("id ")).unwrap().to_string();
    let secret = out.lines().find_map(|l| l.strip_prefix("api_key ")).unwrap().to_string();
    assert!(secret.starts_with("sk-strato-") && secret.len() > 40);
    // A project the user is not assigned to cannot get a key.
    admin(s.dir.path(), &["project-create", "elsewhere", "--domain", &domain]);
    let refused = std::process::Command::new(common::bin())
        .args(["admin", "apikey-create", "--domain", &domain, "--user", &user, "--project", "elsewhere"])
        .arg("--data-dir")
        .arg(s.dir.path())
        .output()
        .unwrap();
    assert!(!refused.status.success());
    s.kill9();

    let dir = s.dir.path().to_path_buf();
    let pid = s.pid();
    // The test's HTTP client is blocking; the store is async: a runtime of its own.
    tokio::runtime::Runtime::new().unwrap().block_on(check_keys(&dir, &pid, &secret, &key_id));
}

async fn check_keys(dir: &std::path::Path, pid: &str, secret: &str, key_id: &str) {
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&dir.join("strato.db")).await.unwrap());
    let secrets = std::sync::Arc::new(strato::auth::secrets::Secrets::new(load_master_key(&dir.join("master.key")).unwrap()));
    let identity = Identity::new(store.clone(), secrets, 60_000);
    let principal = identity.check_api_key(secret).await.unwrap();
    assert_eq!(principal.scoped_project.as_deref(), Some(pid));
    identity.authorize(&principal, pid).await.unwrap();
    assert!(identity.authorize(&principal, "another-project").await.is_err());
    assert!(identity.check_api_key("sk-strato-wrong").await.is_err());
    // Only the hash is on disk.
    let db = std::fs::read(dir.join("strato.db")).unwrap();
    let wal = std::fs::read(dir.join("strato.db-wal")).unwrap_or_default();
    let needle = secret.as_bytes();
    assert!(!db.windows(needle.len()).any(|w| w == needle) && !wal.windows(needle.len()).any(|w| w == needle));

    admin(dir, &["apikey-delete", key_id]);
    // Another process revoked it: a running server drops what it cached within RECHECK_MS.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(2);
    while identity.check_api_key(secret).await.is_ok() {
        assert!(std::time::Instant::now() < deadline, "a deleted key stops working");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}
