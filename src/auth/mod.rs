//! Identity and request authentication: users, projects, tokens, access
//! keys, and the signature schemes the vendors' SDKs use.

mod cache;
pub mod identity;
pub mod secrets;
pub mod signature;

pub use identity::{AuthError, Identity, Principal};
