//! The domain core: resources, validation, state derivation and job plans.
//!
//! Nothing in here does IO. Every decision that can be made from data alone
//! (is this name valid, which steps does a restart take, what status does a
//! cluster with a dead standby report) lives here and is tested table-style.

pub mod access;
pub mod change;
pub mod cluster;
pub mod error;
pub mod fault;
pub mod geography;
pub mod identity;
pub mod index_snapshot;
pub mod job;
pub mod node_types;
pub mod parameters;
pub mod pipeline;
pub mod roles;
pub mod search;
pub mod snapshot;
pub mod status;
pub mod tags;
pub mod validate;
pub mod vector;
pub mod vector_project;
pub mod vector_properties;

pub use error::CoreError;

/// Milliseconds since the Unix epoch; the store keeps every timestamp this way.
pub type Millis = i64;

/// The current wall-clock time in milliseconds.
pub fn now_ms() -> Millis {
    chrono::Utc::now().timestamp_millis()
}

/// ISO 8601 (`2018-01-15T12:50:06`) as the DWS API prints timestamps.
pub fn iso(ms: Millis) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%S")
        .to_string()
}
