//! PostgreSQL SCRAM-SHA-256 password verifiers (RFC 5802/7677, the format
//! of `pg_authid.rolpassword`). Handing the engine a verifier instead of a
//! password means the plaintext is never stored or logged anywhere.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};

const ITERATIONS: u32 = 4096;

fn hmac(key: &[u8], msg: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(msg);
    mac.finalize().into_bytes().to_vec()
}

/// The verifier for `password` with the given salt.
pub fn verifier_with_salt(password: &str, salt: &[u8]) -> String {
    let mut salted = [0u8; 32];
    pbkdf2::pbkdf2_hmac::<Sha256>(password.as_bytes(), salt, ITERATIONS, &mut salted);
    let client_key = hmac(&salted, b"Client Key");
    let stored_key = Sha256::digest(&client_key);
    let server_key = hmac(&salted, b"Server Key");
    format!(
        "SCRAM-SHA-256${ITERATIONS}:{}${}:{}",
        B64.encode(salt),
        B64.encode(stored_key),
        B64.encode(server_key)
    )
}

/// A verifier with a fresh random salt.
pub fn verifier(password: &str) -> String {
    let mut salt = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut salt);
    verifier_with_salt(password, &salt)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verifier_has_the_pg_authid_shape() {
        // The login test in tests/ proves PostgreSQL accepts it; this pins the format.
        
        let salt = B64.decode("c2FsdHNhbHRzYWx0c2FsdA==").unwrap();
        let v = verifier_with_salt("Dws2017demo!", &salt);
        assert!(v.starts_with("SCRAM-SHA-256$4096:c2FsdHNhbHRzYWx0c2FsdA==$"));
        assert_eq!(v.matches(':').count(), 2);
        assert_ne!(verifier("a"), verifier("a"), "salts are random");
    }
}
