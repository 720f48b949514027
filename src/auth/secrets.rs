//! Secrets strato can re-derive instead of storing: HMAC(master key, parts),
//! mapped onto alphanumerics. Used for access-key secrets and for the
//! passwords strato sets inside engines (a vector cluster's administrator,
//! the engine's own superuser), which durable jobs must be able to recompute
//! after a crash without the plaintext ever being persisted.

use hmac::{Hmac, Mac};
use sha2::Sha256;

pub struct Secrets {
    master_key: Vec<u8>,
}

const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

impl Secrets {
    pub fn new(master_key: Vec<u8>) -> Self {
        Secrets { master_key }
    }

    /// `len` (≤ 64) alphanumerics from HMAC(master, parts joined by `:` ‖ block number).
    pub fn derive(&self, parts: &[&str], len: usize) -> String {
        let block = |n: u8| {
            let mut mac = Hmac::<Sha256>::new_from_slice(&self.master_key).expect("HMAC takes any key length");
            mac.update(parts.join(":").as_bytes());
            mac.update(&[n]);
            mac.finalize().into_bytes()
        };
        let (a, b) = (block(1), block(2));
        a.iter().chain(b.iter()).take(len.min(64)).map(|x| ALNUM[*x as usize % ALNUM.len()] as char).collect()
    }

    /// The password of a vector cluster's administrator, shown once at create.
    pub fn cluster_password(&self, cluster_id: uuid::Uuid) -> String {
        // A fixed tail guarantees the classes password policies ask for.
        format!("{}Zz9", self.derive(&["cluster-password", &cluster_id.to_string()], 21))
    }

    /// The engine superuser's password for a cluster (never shown to anyone).
    pub fn engine_root_password(&self, cluster_id: uuid::Uuid) -> String {
        self.derive(&["engine-root", &cluster_id.to_string()], 32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derivation_is_stable_per_purpose_and_key() {
        let s = Secrets::new(vec![7; 32]);
        let id = uuid::Uuid::nil();
        assert_eq!(s.cluster_password(id), s.cluster_password(id));
        assert_ne!(s.cluster_password(id), s.engine_root_password(id));
        assert_ne!(s.cluster_password(id), Secrets::new(vec![8; 32]).cluster_password(id));
        assert_eq!(s.cluster_password(id).len(), 24);
        assert!(s.derive(&["a"], 40).chars().all(|c| c.is_ascii_alphanumeric()));
    }
}
