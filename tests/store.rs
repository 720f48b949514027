//! The real store (file-backed SQLite), below the API: clientToken semantics
//! (the states a token goes through, including the in-flight refusal an API
//! test cannot time reliably, and persistence across reopening the store), and
//! the read model's cache, which must never serve what a write replaced.

use strato::store::sqlite::SqliteStore;
use strato::store::{Store, TokenClaim};

const STALE: i64 = 5 * 60 * 1000;

#[tokio::test]
async fn a_token_is_claimed_once_replayed_after_success_and_refused_while_in_flight() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("strato.db");
    let store = SqliteStore::open(&path).await.unwrap();
    let now = 1_000_000_000;
    assert_eq!(store.claim_token("p1", "t", "fp", now, STALE).await.unwrap(), TokenClaim::Claimed);
    assert_eq!(store.claim_token("p1", "t", "fp", now + 1, STALE).await.unwrap(), TokenClaim::InFlight);
    assert_eq!(store.claim_token("p1", "t", "other", now + 1, STALE).await.unwrap(), TokenClaim::Mismatch);
    // Tokens are per account.
    assert_eq!(store.claim_token("p2", "t", "fp", now + 1, STALE).await.unwrap(), TokenClaim::Claimed);
    store.complete_token("p1", "t", "{\"instanceId\":\"es-1\"}").await.unwrap();
    drop(store);

    // Reopened (a restart): the result is still there.
    let store = SqliteStore::open(&path).await.unwrap();
    assert_eq!(store.claim_token("p1", "t", "fp", now + 2, STALE).await.unwrap(), TokenClaim::Done("{\"instanceId\":\"es-1\"}".into()));
    assert_eq!(store.claim_token("p1", "t", "other", now + 2, STALE).await.unwrap(), TokenClaim::Mismatch);

    // A failed request releases its token; an abandoned claim goes stale.
    store.release_token("p2", "t").await.unwrap();
    assert_eq!(store.claim_token("p2", "t", "fp2", now + 3, STALE).await.unwrap(), TokenClaim::Claimed);
    assert_eq!(store.claim_token("p2", "t", "fp2", now + 3 + STALE + 1, STALE).await.unwrap(), TokenClaim::Claimed);
    // Kept 48 hours, then forgotten.
    let later = now + 49 * 3600 * 1000;
    assert_eq!(store.claim_token("p1", "t", "new", later, STALE).await.unwrap(), TokenClaim::Claimed);
}

mod read_model {
    use std::path::Path;

    use strato::core::cluster::{Cluster, ClusterSpec, Lifecycle, Placement, PortNeeds, Product, PublicIp, WarehouseSpec};
    use strato::core::job::{Job, JobKind, JobPayload};
    use strato::store::sqlite::SqliteStore;
    use strato::store::{ClusterQuery, Event, JobOutcome, Store};

    fn spec(name: &str) -> ClusterSpec {
        ClusterSpec::Warehouse(WarehouseSpec {
            name: name.into(),
            node_type: "dws.d1.xlarge".into(),
            number_of_node: 2,
            number_of_cn: 1,
            port: 8000,
            user_name: "dbadmin".into(),
            vpc_id: "v".into(),
            subnet_id: "s".into(),
            security_group_id: "g".into(),
            availability_zone: "eu-de-01".into(),
            public_ip: PublicIp { public_bind_type: "not_use".into(), eip_id: String::new() },
            enterprise_project_id: "0".into(),
            tags: vec![],
            description: String::new(),
            timezone: "UTC".into(),
            maintain_window: Default::default(),
            volume: None,
            parameters: Default::default(),
            awaiting_restart: vec![],
            elb: None,
        })
    }

    fn placement() -> Placement {
        Placement {
            addresses: ("127.98.0.1".parse().unwrap(), "127.98.0.99".parse().unwrap()),
            unusable_addresses: vec![],
            ports: PortNeeds::PerAddress(8000),
            port_range: (0, 0),
            unusable_ports: vec![],
        }
    }

    /// What a fresh store (nothing cached) reads of the cluster, as comparable text.
    async fn fresh(path: &Path, c: &Cluster) -> String {
        let store = SqliteStore::open(path).await.unwrap();
        format!("{:?}", store.cluster_record(&c.project_id, c.id, Product::Dws).await.unwrap())
    }

    async fn cached(store: &SqliteStore, c: &Cluster) -> String {
        format!("{:?}", store.cluster_record(&c.project_id, c.id, Product::Dws).await.unwrap())
    }

    /// After every kind of write, the cached record is what a fresh read sees.
    #[tokio::test]
    async fn every_write_is_seen_through_the_cache() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("strato.db");
        let store = SqliteStore::open(&path).await.unwrap();
        let cluster = Cluster::new("p", spec("cached"));
        let create = Job::new(JobKind::CreateCluster, "p", cluster.id, None, 2, JobPayload::default());
        let check = |what: &'static str| {
            let (store, path, cluster) = (&store, &path, &cluster);
            async move {
                let (a, b) = (cached(store, cluster).await, fresh(path, cluster).await);
                assert_eq!(a, b, "after {what}");
            }
        };
        store.create_cluster(&cluster, &placement(), &create).await.unwrap();
        check("create").await;
        let claimed = store.claim_job("runner", 10, 10_000).await.unwrap().unwrap();
        check("claim").await;
        store.set_step_progress(claimed.id, "runner", 40).await.unwrap();
        check("step progress").await;
        store.commit_step(claimed.id, "runner", 1).await.unwrap();
        check("commit").await;
        store.record_attempt(claimed.id, 1, None).await.unwrap();
        check("attempt").await;
        store.add_event(&Event { cluster_id: cluster.id, at: strato::core::now_ms(), kind: "k".into(), message: "m".into() }).await.unwrap();
        check("event").await;
        store.finish_job(claimed.id, &JobOutcome::Succeeded, Some(Lifecycle::Running), 20).await.unwrap();
        check("finish").await;
        let restart = Job::new(JobKind::RestartCluster, "p", cluster.id, None, 2, JobPayload::default());
        store.enqueue_job(&restart).await.unwrap();
        check("enqueue").await;
        store.finish_job(restart.id, &JobOutcome::Succeeded, None, 30).await.unwrap();
        check("finish without a lifecycle").await;
        store.set_spec(cluster.id, &spec("cached")).await.unwrap();
        check("spec").await;
        store.remove_node(cluster.id, 1).await.unwrap();
        check("retired member").await;
        let delete = Job::new(JobKind::DeleteCluster, "p", cluster.id, None, 1, JobPayload::default());
        store.delete_cluster(&delete, None).await.unwrap();
        check("delete accepted").await;
        store.finish_job(delete.id, &JobOutcome::Succeeded, Some(Lifecycle::Deleted), 40).await.unwrap();
        assert_eq!(cached(&store, &cluster).await, "None", "a deleted cluster is gone");
        check("deleted").await;
    }

    /// A page's total follows creates and deletes, whatever was cached.
    #[tokio::test]
    async fn page_totals_follow_creates_and_deletes() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("strato.db")).await.unwrap();
        let page = ClusterQuery { limit: Some(10), ..ClusterQuery::default() };
        let total = || async { store.cluster_page("p", Product::Dws, &page).await.unwrap().1 };
        assert_eq!(total().await, 0);
        let mut jobs = Vec::new();
        for i in 0..3 {
            let c = Cluster::new("p", spec(&format!("c{i}")));
            let j = Job::new(JobKind::CreateCluster, "p", c.id, None, 2, JobPayload::default());
            store.create_cluster(&c, &placement(), &j).await.unwrap();
            store.finish_job(j.id, &JobOutcome::Succeeded, Some(Lifecycle::Running), 1).await.unwrap();
            jobs.push(c);
            assert_eq!(total().await, i + 1);
        }
        let gone = &jobs[1];
        let d = Job::new(JobKind::DeleteCluster, "p", gone.id, None, 2, JobPayload::default());
        store.delete_cluster(&d, None).await.unwrap();
        store.finish_job(d.id, &JobOutcome::Succeeded, Some(Lifecycle::Deleted), 2).await.unwrap();
        assert_eq!(total().await, 2);
        let (records, _) = store.cluster_page("p", Product::Dws, &page).await.unwrap();
        let names: Vec<&str> = records.iter().map(|r| r.cluster.spec.name()).collect();
        assert_eq!(names, ["c0", "c2"], "oldest first, the deleted one gone");
        let second = ClusterQuery { offset: 1, limit: Some(1), ..ClusterQuery::default() };
        let (records, total) = store.cluster_page("p", Product::Dws, &second).await.unwrap();
        assert_eq!((records.len(), records[0].cluster.spec.name(), total), (1, "c2", 2));
        // Another project sees none of them.
        assert_eq!(store.cluster_page("q", Product::Dws, &page).await.unwrap().1, 0);
    }
}
