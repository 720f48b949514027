//! Snapshots and restore against the real server and PostgreSQL: data round
//! trips, corruption, crashes, retention and refusals.

mod common;

use std::time::Duration;

use common::{endpoints, psql, table_checksum, Server};
use serde_json::json;

const LOAD: &str = "CREATE TABLE big AS SELECT g AS id, md5(g::text) AS payload FROM generate_series(1, 100000) g";

/// 100k rows, snapshot, change the data, restore: the restored cluster holds
/// exactly what the source held at snapshot time, even after the source is gone.
#[test]
fn snapshot_restore_round_trip() {
    let s = Server::start();
    let t = s.token();
    let src = s.create(&t, "source", 3);
    let c = s.wait_available(&t, &src);
    let primary = endpoints(&c)[0].clone();
    psql(&primary, LOAD).unwrap();
    let at_snapshot = table_checksum(&primary, "big");
    assert!(at_snapshot.starts_with("100000:"), "{at_snapshot}");

    let sid = s.snapshot(&t, &src, "snapshotForDemoCluster");
    let busy = s.show(&t, &src);
    assert_eq!(busy["task_status"], "SNAPSHOTTING", "{busy}");
    assert!(busy["action_progress"]["SNAPSHOTTING"].as_str().is_some_and(|p| p.ends_with('%')), "{busy}");
    let snap = s.wait_snapshot(&t, &sid, "AVAILABLE");
    assert_eq!(snap["type"], "MANUAL");
    assert_eq!(snap["cluster_id"], src.as_str());
    assert!(snap["size"].as_f64().unwrap() > 0.0, "{snap}");
    assert!(snap["finished"].as_str().is_some() && snap["started"].as_str().is_some());
    assert_eq!(snap["datastore"]["type"], "dws");
    s.wait_available(&t, &src);

    // The cluster kept serving and now changes.
    psql(&primary, "DELETE FROM big WHERE id % 2 = 0; INSERT INTO big VALUES (-1, 'after')").unwrap();
    assert_ne!(table_checksum(&primary, "big"), at_snapshot);

    let restored = s.restore(&t, &sid, "restored-one");
    let early = s.show(&t, &restored);
    assert_eq!((early["status"].as_str(), early["task_status"].as_str()), (Some("CREATING"), Some("RESTORING")), "{early}");
    let r = s.wait_available(&t, &restored);
    assert_eq!(r["number_of_node"], 3);
    assert_eq!(r["node_type"], c["node_type"]);
    assert_eq!(r["vpc_id"], c["vpc_id"]);
    let eps = endpoints(&r);
    assert_eq!(table_checksum(&eps[0], "big"), at_snapshot);
    // Its standbys were cloned from the restored primary.
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(table_checksum(&eps[2], "big"), at_snapshot);
    psql(&eps[0], "INSERT INTO big VALUES (-2, 'writable')").unwrap();

    // Per-cluster listing, paginated and sorted.
    let at_second = table_checksum(&primary, "big");
    let sid2 = s.snapshot(&t, &src, "second-snapshot");
    s.wait_snapshot(&t, &sid2, "AVAILABLE");
    let (st, page) = s.call(&t, "GET", &format!("/v1.0/{{pid}}/clusters/{src}/snapshots?limit=1&offset=0&sort_key=started&sort_dir=desc"), None);
    assert_eq!(st, 200);
    assert_eq!((page["count"].as_u64(), page["snapshots"].as_array().unwrap().len()), (Some(2), 1));
    assert_eq!(page["snapshots"][0]["id"], sid2.as_str());
    let (st, all) = s.call(&t, "GET", "/v1.0/{pid}/snapshots", None);
    assert_eq!((st, all["count"].as_u64()), (200, Some(2)));

    // Delete the source keeping its newest manual snapshot; restore from it afterwards.
    s.wait_available(&t, &src);
    let (st, _) = s.call(&t, "DELETE", &format!("/v1.0/{{pid}}/clusters/{src}"), Some(json!({"keep_last_manual_snapshot": 1})));
    assert_eq!(st, 202);
    s.wait_gone(&t, &src);
    s.wait_snapshot_gone(&t, &sid, Duration::from_secs(30), "the older snapshot was not retired");
    assert!(s.dir.path().join("snapshots").join(&sid2).exists());
    let again = s.restore(&t, &sid2, "restored-two");
    let r2 = s.wait_available(&t, &again);
    assert_eq!(table_checksum(&endpoints(&r2)[0], "big"), at_second, "the second snapshot holds the changed data");

    // Manual snapshot deletion removes the files.
    let (st, _) = s.call(&t, "DELETE", &format!("/v1.0/{{pid}}/snapshots/{sid2}"), None);
    assert_eq!(st, 202);
    s.wait_snapshot_gone(&t, &sid2, Duration::from_secs(30), "snapshot not deleted");
}

/// A flipped byte in a stored snapshot: the restore fails with a clear
/// reason and leaves no process or file of the new cluster.
#[test]
fn corrupted_snapshot_fails_restore_cleanly() {
    let s = Server::start();
    let t = s.token();
    let src = s.create(&t, "corrupt-src", 3);
    let c = s.wait_available(&t, &src);
    psql(&endpoints(&c)[0], LOAD).unwrap();
    let sid = s.snapshot(&t, &src, "to-be-damaged");
    s.wait_snapshot(&t, &sid, "AVAILABLE");

    // Flip one byte in the largest data file of the snapshot.
    let dir = s.dir.path().join("snapshots").join(&sid);
    let mut files = vec![];
    let mut stack = vec![dir.join("base")];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(d).unwrap().flatten() {
            let m = e.metadata().unwrap();
            if m.is_dir() { stack.push(e.path()) } else { files.push((m.len(), e.path())) }
        }
    }
    files.sort();
    let victim = &files.last().unwrap().1;
    let mut bytes = std::fs::read(victim).unwrap();
    let at = bytes.len() / 2;
    bytes[at] ^= 0xff;
    std::fs::write(victim, bytes).unwrap();

    let pids_before = s.engine_pids().len();
    let bad = s.restore(&t, &sid, "from-damaged");
    let r = s.wait_settled(&t, &bad);
    assert_eq!(r["status"], "CREATION FAILED", "{r}");
    let reason = r["failed_reasons"]["error_msg"].as_str().unwrap_or_default();
    assert!(reason.contains("damaged") && reason.contains("checksum"), "{reason}");
    assert_eq!(r["failed_reasons"]["error_code"], "DWS.6003");
    assert_eq!(s.engine_pids().len(), pids_before, "no process of the failed restore");
    assert!(!s.dir.path().join("clusters").join(&bad).exists(), "no files of the failed restore");
}

/// kill -9 after the backup ran but before it was recorded, and after the
/// restored primary came up: both jobs finish after a restart.
#[test]
fn crashes_mid_snapshot_and_mid_restore_finish_after_restart() {
    let mut s = Server::start_with(&[], &[("STRATO_CRASH_AFTER_STEP", "create_snapshot:0")]);
    let t = s.token();
    let src = s.create(&t, "crash-src", 3);
    let c = s.wait_available(&t, &src);
    psql(&endpoints(&c)[0], LOAD).unwrap();
    let at_snapshot = table_checksum(&endpoints(&c)[0], "big");
    let sid = s.snapshot(&t, &src, "crashy-snapshot");
    assert!(!s.wait_exit(Duration::from_secs(60)).success());

    s.spawn(&[], &[("STRATO_CRASH_AFTER_STEP", "restore_cluster:0")]);
    let t = s.token();
    s.wait_snapshot(&t, &sid, "AVAILABLE");
    let restored = s.restore(&t, &sid, "crashy-restore");
    assert!(!s.wait_exit(Duration::from_secs(60)).success());

    s.spawn(&[], &[]);
    let t = s.token();
    let r = s.wait_available(&t, &restored);
    assert_eq!(table_checksum(&endpoints(&r)[0], "big"), at_snapshot);
    assert_eq!(s.wait_snapshot(&t, &sid, "AVAILABLE")["status"], "AVAILABLE");
}

/// Refusals: busy cluster, bad names, unknown ids, deleting what a restore reads.
#[test]
fn snapshot_refusals_change_nothing() {
    let s = Server::start();
    let t = s.token();
    let src = s.create(&t, "refusals", 3);
    let post = |body: serde_json::Value| s.call(&t, "POST", "/v1.0/{pid}/snapshots", Some(body));
    // While the cluster is still being created.
    let (st, e) = post(json!({"snapshot": {"name": "too-early", "cluster_id": src}}));
    assert_eq!((st, e["error_code"].as_str()), (409, Some("DWS.5090")), "{e}");
    s.wait_available(&t, &src);
    let (st, e) = post(json!({"snapshot": {"name": "x1", "cluster_id": src}}));
    assert_eq!((st, e["error_code"].as_str()), (400, Some("DWS.5057")));
    let (st, e) = post(json!({"snapshot": {"name": "ok-name", "cluster_id": "7ba031f6-81f4-4670-ad20-c490b91877e5"}}));
    assert_eq!((st, e["error_code"].as_str()), (404, Some("DWS.0047")));
    let (st, e) = post(json!({"snapshot": {"name": "ok-name", "cluster_id": "nope"}}));
    assert_eq!((st, e["error_code"].as_str()), (400, Some("DWS.0001")));
    let (st, e) = post(json!({"name": "ok-name"}));
    assert_eq!((st, e["error_code"].as_str()), (400, Some("DWS.0004")));
    let (st, list) = s.call(&t, "GET", "/v1.0/{pid}/snapshots", None);
    assert_eq!((st, list["count"].as_u64()), (200, Some(0)), "nothing was created");

    let missing = "2a4d0f86-67cd-408a-8b66-017454fb7793";
    let (st, e) = s.call(&t, "GET", &format!("/v1.0/{{pid}}/snapshots/{missing}"), None);
    assert_eq!((st, e["error_code"].as_str()), (404, Some("DWS.5149")));
    let (st, e) = s.call(&t, "POST", &format!("/v1.0/{{pid}}/snapshots/{missing}/actions"), Some(json!({"restore": {"name": "nope-restore"}})));
    assert_eq!((st, e["error_code"].as_str()), (404, Some("DWS.5149")));

    let sid = s.snapshot(&t, &src, "first-one");
    // A second snapshot while the first runs: the cluster is busy.
    let (st, e) = post(json!({"snapshot": {"name": "second-one", "cluster_id": src}}));
    assert_eq!((st, e["error_code"].as_str()), (409, Some("DWS.5090")));
    s.wait_snapshot(&t, &sid, "AVAILABLE");
    let (st, e) = post(json!({"snapshot": {"name": "first-one", "cluster_id": src}}));
    assert_eq!((st, e["error_code"].as_str()), (409, Some("DWS.5050")), "names are unique per project");
    // Restore needs a name; a bad port is refused.
    let act = format!("/v1.0/{{pid}}/snapshots/{sid}/actions");
    let (st, e) = s.call(&t, "POST", &act, Some(json!({"restore": {}})));
    assert_eq!((st, e["error_code"].as_str()), (400, Some("DWS.5057")));
    let (st, e) = s.call(&t, "POST", &act, Some(json!({"restore": {"name": "restored", "port": 80}})));
    assert_eq!((st, e["error_code"].as_str()), (400, Some("DWS.5038")));
    // While a restore reads the snapshot it cannot be deleted.
    let restored = s.restore(&t, &sid, "reading-it");
    let (st, e) = s.call(&t, "DELETE", &format!("/v1.0/{{pid}}/snapshots/{sid}"), None);
    assert_eq!((st, e["error_code"].as_str()), (409, Some("DWS.5090")), "{e}");
    // Deleting the source cluster now retires the snapshot once the restore is done with it.
    let (st, _) = s.call(&t, "DELETE", &format!("/v1.0/{{pid}}/clusters/{src}"), Some(json!({"keep_last_manual_snapshot": 0})));
    assert_eq!(st, 202);
    assert_eq!(s.show_snapshot(&t, &sid).1["status"], "RESTORING");
    let r = s.wait_available(&t, &restored);
    assert!(psql(&endpoints(&r)[0], "SELECT 1").is_ok());
    s.wait_snapshot_gone(&t, &sid, Duration::from_secs(30), "the retired snapshot outlived its restore");
}

/// `strato snapshot ...` drives the same API.
#[test]
fn cli_snapshots_and_restores() {
    let s = Server::start();
    let t = s.token();
    let src = s.create(&t, "cli-src", 3);
    let c = s.wait_available(&t, &src);
    psql(&endpoints(&c)[0], "CREATE TABLE kept AS SELECT 1 AS x").unwrap();
    let cli = |args: &[&str]| {
        let out = std::process::Command::new(common::bin())
            .arg("snapshot")
            .args(args)
            .arg("--data-dir")
            .arg(s.dir.path())
            .output()
            .unwrap();
        assert!(out.status.success(), "snapshot {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let made: serde_json::Value = serde_json::from_str(&cli(&["create", &src, "cli-snap", "--wait", "--json"])).unwrap();
    assert_eq!(made["snapshot"]["status"], "AVAILABLE");
    let sid = made["snapshot"]["id"].as_str().unwrap().to_string();
    assert!(cli(&["list"]).contains("cli-snap"));
    assert!(cli(&["list", "--cluster", &src]).contains(&sid));
    assert!(cli(&["show", &sid]).contains("AVAILABLE"));
    let restored = cli(&["restore", &sid, "cli-restored", "--wait"]).trim().to_string();
    let r = s.wait_available(&t, &restored);
    assert_eq!(psql(&endpoints(&r)[0], "SELECT x FROM kept").unwrap(), "1");
    cli(&["delete", &sid, "--wait"]);
    assert_eq!(s.show_snapshot(&t, &sid).0, 404);
}

/// An automated policy: snapshots appear on its cron schedule as AUTO, users
/// cannot delete them, and retention retires them after keep_day "days"
/// (a day lasts 4 s on this server).
#[test]
fn automated_snapshot_policy() {
    let s = Server::start_with(&["--snapshot-day-secs", "4"], &[]);
    let t = s.token();
    let id = s.create(&t, "auto-policy", 3);
    s.wait_available(&t, &id);
    let path = format!("/v2/{{pid}}/clusters/{id}/snapshot-policies");
    let put = |body: serde_json::Value| s.call(&t, "PUT", &path, Some(body));
    let (st, e) = put(json!({"keep_day": 1, "backup_strategies": [{"policy_name": "bad", "backup_strategy": "every day"}]}));
    assert_eq!((st, e["error_code"].as_str()), (400, Some("DWS.5038")), "{e}");
    let (st, e) = put(json!({"keep_day": 0, "backup_strategies": []}));
    assert_eq!((st, e["error_code"].as_str()), (400, Some("DWS.5038")), "{e}");
    let (st, _) = put(json!({"keep_day": 1, "backup_strategies": [
        {"policy_name": "every-3s", "backup_strategy": "*/3 * * * * ?", "backup_type": "full", "backup_level": "cluster"}]}));
    assert_eq!(st, 200);
    let (st, p) = s.call(&t, "GET", &path, None);
    assert_eq!(st, 200);
    assert_eq!(p["keep_day"], 1);
    assert!(p["backup_strategies"][0]["next_fire_time"].as_str().is_some(), "{p}");

    let autos = || {
        let (_, l) = s.call(&t, "GET", &format!("/v1.0/{{pid}}/clusters/{id}/snapshots?sort_dir=asc"), None);
        l["snapshots"].as_array().unwrap().iter().filter(|x| x["type"] == "AUTO").cloned().collect::<Vec<_>>()
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let first = loop {
        if let Some(a) = autos().into_iter().find(|a| a["status"] == "AVAILABLE") {
            break a;
        }
        assert!(std::time::Instant::now() < deadline, "no automated snapshot appeared\n{}", s.log());
        std::thread::sleep(Duration::from_millis(200));
    };
    let first_id = first["id"].as_str().unwrap().to_string();
    let (st, e) = s.call(&t, "DELETE", &format!("/v1.0/{{pid}}/snapshots/{first_id}"), None);
    assert_eq!((st, e["error_code"].as_str()), (409, Some("DWS.5090")), "users delete only manual snapshots");
    // Older than one 4-second day: retired, while the schedule keeps making new ones.
    s.wait_snapshot_gone(&t, &first_id, Duration::from_secs(60), "the expired automated snapshot was not retired");
    assert!(!autos().is_empty(), "newer automated snapshots remain");
    let (st, _) = put(json!({"keep_day": 1, "auto_backup": false, "backup_strategies": []}));
    assert_eq!(st, 200);
}

/// kill -9 of strato while pg_basebackup runs: the helper and its
/// WAL-streaming child (which `die_with_parent` does not reach) are gone once
/// strato is back, and the snapshot is made again and completes.
#[test]
fn kill9_during_backup_leaves_no_helper_process() {
    // Throttled, so the backup is surely still running when strato dies.
    let mut s = Server::start_with(&["--snapshot-max-rate", "2M"], &[]);
    let t = s.token();
    let src = s.create(&t, "orphan-check", 3);
    let c = s.wait_available(&t, &src);
    psql(&endpoints(&c)[0], "CREATE TABLE big AS SELECT g AS id, repeat(md5(g::text), 4) AS payload FROM generate_series(1, 300000) g")
        .unwrap();
    let sid = s.snapshot(&t, &src, "interrupted");
    let marker = s.dir.path().join("snapshots").to_string_lossy().into_owned();
    let backup_pids = || -> Vec<i32> {
        std::fs::read_dir("/proc")
            .unwrap()
            .flatten()
            .filter_map(|e| {
                let pid: i32 = e.file_name().to_string_lossy().parse().ok()?;
                let cmd = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
                let cmd = String::from_utf8_lossy(&cmd).replace('\0', " ");
                (cmd.contains("pg_basebackup") && cmd.contains(&marker)).then_some(pid)
            })
            .collect()
    };
    let alive = |pid: i32| {
        std::path::Path::new(&format!("/proc/{pid}")).exists()
            && !std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default().contains(") Z")
    };
    // The copy and its WAL streamer (pg_basebackup forks it).
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let before = loop {
        let pids = backup_pids();
        if pids.len() >= 2 {
            break pids;
        }
        assert!(std::time::Instant::now() < deadline, "pg_basebackup and its WAL streamer never seen running: {pids:?}");
        std::thread::sleep(Duration::from_millis(5));
    };
    s.kill9();
    // The WAL streamer outlives strato (it is not the process die_with_parent reaches)...
    std::thread::sleep(Duration::from_millis(500));
    assert!(before.iter().any(|p| alive(*p)), "nothing outlived strato: the test no longer shows the orphan");
    // ... until strato starts again: it stops such leftovers before running anything (no
    // job runs here, so nothing else can end the orphan, such as the step's re-run removing its files).
    s.spawn(&["--job-concurrency", "0"], &[]);
    let deadline = std::time::Instant::now() + Duration::from_secs(3);
    while before.iter().any(|p| alive(*p)) {
        let left: Vec<_> = before.iter().filter(|p| alive(**p)).collect();
        assert!(std::time::Instant::now() < deadline, "pg_basebackup processes {left:?} outlived strato's restart");
        std::thread::sleep(Duration::from_millis(20));
    }
    s.kill9();
    s.spawn(&[], &[]);
    let t = s.token();
    let snap = s.wait_snapshot(&t, &sid, "AVAILABLE");
    assert!(snap["size"].as_f64().unwrap() > 0.0);
    assert!(!s.dir.path().join("snapshots").join(format!("{sid}.tmp")).exists());
    assert!(backup_pids().iter().all(|p| !alive(*p)), "a finished snapshot leaves no helper");
}

/// A backup that cannot complete (its primary dies mid-copy) leaves the
/// snapshot UNAVAILABLE with the reason, and the cluster is repaired after.
#[test]
fn failed_backup_marks_the_snapshot_unavailable() {
    let s = Server::start_with(&["--snapshot-max-rate", "2M"], &[]);
    let t = s.token();
    let src = s.create(&t, "doomed-backup", 3);
    let c = s.wait_available(&t, &src);
    psql(&endpoints(&c)[0], "CREATE TABLE big AS SELECT g AS id, repeat(md5(g::text), 4) AS payload FROM generate_series(1, 300000) g")
        .unwrap();
    let sid = s.snapshot(&t, &src, "doomed");
    s.wait_until(&t, &src, Duration::from_secs(30), |c| {
        c["action_progress"]["SNAPSHOTTING"].as_str().is_some_and(|p| p != "0%")
    });
    let primary = common::node_pid(s.dir.path(), &src, 0);
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(primary), nix::sys::signal::Signal::SIGKILL).unwrap();
    let snap = s.wait_snapshot(&t, &sid, "UNAVAILABLE");
    assert_eq!(snap["failed_reasons"]["error_code"], "DWS.6005", "{snap}");
    assert!(snap["failed_reasons"]["error_msg"].as_str().is_some_and(|m| !m.is_empty()), "{snap}");
    assert!(!s.dir.path().join("snapshots").join(&sid).exists(), "no files of a failed snapshot");
    assert!(!s.dir.path().join("snapshots").join(format!("{sid}.tmp")).exists(), "no partial copy either");
    // The health loop brings the primary back once the job lets go of the cluster.
    s.wait_available(&t, &src);
    let (st, e) = s.call(&t, "POST", &format!("/v1.0/{{pid}}/snapshots/{sid}/actions"), Some(json!({"restore": {"name": "from-doomed"}})));
    assert_eq!((st, e["error_code"].as_str()), (409, Some("DWS.5090")), "an unavailable snapshot cannot be restored");
}
