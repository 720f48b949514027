//! `clientToken` idempotency: a repeat of a token returns the first request's
//! result and does nothing more; a repeat while the first is still being
//! processed, or with different parameters, is refused. Tokens are stored
//! (48 hours), so this holds across restarts.

use std::collections::BTreeMap;
use std::future::Future;

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::AliError;
use crate::api::Ctx;
use crate::store::TokenClaim;

/// A claim whose request never completed (strato died mid-request) is taken
/// over after this long rather than blocking the token forever.
const STALE_MS: i64 = 5 * 60 * 1000;

/// What identifies "the same request": action, target, parameters, body.
pub fn fingerprint(action: &str, query: &BTreeMap<String, String>, body: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(action.as_bytes());
    for (k, v) in query.iter().filter(|(k, _)| k.as_str() != "clientToken") {
        h.update(format!("\n{k}={v}").as_bytes());
    }
    h.update(b"\n");
    // The same JSON in another key order or spacing is the same request.
    match serde_json::from_slice::<Value>(body) {
        Ok(v) => h.update(v.to_string().as_bytes()),
        Err(_) => h.update(body),
    }
    hex::encode(h.finalize())
}

/// Runs `op` at most once per (scope, clientToken): its `Result` is stored
/// on success (as the JSON it is answered as) and returned to repeats.
pub async fn once<T, F, Fut>(ctx: &Ctx, scope: &str, token: Option<&str>, fingerprint: String, op: F) -> Result<T, AliError>
where
    T: Serialize + DeserializeOwned,
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<T, AliError>>,
{
    let Some(token) = token else { return op().await };
    if token.is_empty() || token.len() > 64 || !token.is_ascii() {
        return Err(AliError::BadToken("clientToken must be 1 to 64 ASCII characters".into()));
    }
    let internal = |e: serde_json::Error| AliError::Core(crate::core::CoreError::Internal(e.to_string()));
    let store = &ctx.app.store;
    match store.claim_token(scope, token, &fingerprint, crate::core::now_ms(), STALE_MS).await? {
        TokenClaim::Done(first) => serde_json::from_str(&first).map_err(internal),
        TokenClaim::InFlight => Err(AliError::TokenInFlight),
        TokenClaim::Mismatch => Err(AliError::TokenMismatch),
        TokenClaim::Claimed => match op().await {
            Ok(result) => {
                store.complete_token(scope, token, &serde_json::to_string(&result).map_err(internal)?).await?;
                Ok(result)
            }
            Err(e) => {
                // A failed request did nothing: the token may be used again.
                store.release_token(scope, token).await?;
                Err(e)
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fingerprint_ignores_key_order_spacing_and_the_token_itself() {
        let q = |t: &str| BTreeMap::from([("clientToken".to_string(), t.to_string()), ("force".to_string(), "True".to_string())]);
        let a = fingerprint("create", &q("a"), br#"{"nodeAmount":2,"description":"x"}"#);
        let b = fingerprint("create", &q("b"), br#"{ "description": "x", "nodeAmount": 2 }"#);
        assert_eq!(a, b);
        assert_ne!(a, fingerprint("create", &q("a"), br#"{"nodeAmount":3,"description":"x"}"#));
        assert_ne!(a, fingerprint("restart", &q("a"), br#"{"nodeAmount":2,"description":"x"}"#));
    }
}
