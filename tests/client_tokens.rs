//! clientToken semantics on the real store (file-backed SQLite): the states
//! a token goes through, including the in-flight refusal an API test cannot
//! time reliably, and persistence across reopening the store.

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
