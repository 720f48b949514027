//! DWS wire types: every request and response body, the query parameters
//! and the error envelope. `render.rs` builds the responses, the handlers
//! decode the requests, and `openapi.rs` derives the document from the same
//! types, so what is served is what is documented.
//!
//! Requests: unknown fields are ignored (the SDKs send more than strato
//! uses); a known field of the wrong JSON type is DWS.0004 naming the field.

mod attributes;
mod clusters;
mod create_v2;
mod parameters;
mod scaling;
mod snapshots;

pub use attributes::*;
pub use clusters::*;
pub use create_v2::*;
pub use parameters::*;
pub use scaling::*;
pub use snapshots::*;

use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::api::BodyError;
use crate::core::CoreError;

/// `{"error_code":"DWS.xxxx","error_msg":"..."}`: every refusal, whoever made
/// it. The codes and their HTTP statuses are listed in this schema's
/// description in the document (generated from `error::CODES`).
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    #[schema(example = "DWS.0047")]
    pub error_code: String,
    pub error_msg: String,
}

/// `{}`: accepted, nothing to say (restart, delete, the policy calls).
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct Empty {}

/// The body of a failed cluster, snapshot or job.
#[derive(Debug, Serialize, ToSchema)]
pub struct FailedReasons {
    #[schema(example = "DWS.6002")]
    pub error_code: String,
    pub error_msg: String,
}

fn malformed(e: BodyError) -> CoreError {
    CoreError::MalformedBody(format!("invalid request body: {e}"))
}

/// A body that must be there: unlike `api::decode_body`, an empty body is
/// DWS.0004, not `{}`.
fn parse(body: &[u8]) -> Result<Value, CoreError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(CoreError::MalformedBody("a JSON body is required".into()));
    }
    serde_json::from_slice(body).map_err(|e| CoreError::MalformedBody(format!("invalid JSON: {e}")))
}

/// Decodes a required body (a JSON object) into `T`.
pub fn decode<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, CoreError> {
    crate::api::decode_value(parse(body)?).map_err(malformed)
}

/// Decodes an optional body: empty is `{}`.
pub fn decode_optional<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, CoreError> {
    crate::api::decode_body(body).map_err(malformed)
}

/// Cluster, snapshot, job and policy ids are UUIDs; anything else is DWS.0001.
pub fn uuid(s: &str) -> Result<Uuid, CoreError> {
    if s.len() != 36 {
        return Err(CoreError::BadId(s.to_string()));
    }
    Uuid::parse_str(s).map_err(|_| CoreError::BadId(s.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn malformed_path(r: Result<impl std::fmt::Debug, CoreError>) -> String {
        match r {
            Err(CoreError::MalformedBody(m)) => m,
            other => panic!("not DWS.0004: {other:?}"),
        }
    }

    #[test]
    fn accepts_wrapped_and_flat_bodies() {
        let wrapped = create_input(br#"{"cluster":{"name":"a","number_of_node":3,"tags":{"key":"k","value":"v"}}}"#).unwrap();
        let flat = create_input(br#"{"name":"a","number_of_node":3,"extra":1}"#).unwrap();
        assert_eq!(wrapped.name, flat.name);
        assert_eq!(wrapped.tags.len(), 1);
        let listed = create_input(br#"{"cluster":{"tags":[{"key":"a","value":"1"},{"key":"b","value":"2"}]}}"#).unwrap();
        assert_eq!(listed.tags.len(), 2);
    }

    #[test]
    fn rejects_malformed_bodies_naming_the_field() {
        for body in [&b""[..], b"{", b"[1]", b"null"] {
            malformed_path(create_input(body));
        }
        assert!(malformed_path(create_input(br#"{"cluster":{"number_of_node":"3"}}"#)).contains("cluster.number_of_node"));
        assert!(malformed_path(create_input(br#"{"port":"8000"}"#)).contains("port"));
        assert!(malformed_path(snapshot_input(br#"{"snapshot":{"name":1}}"#)).contains("snapshot.name"));
        assert!(malformed_path(restore_input(br#"{"restore":{"port":"1"}}"#)).contains("restore.port"));
        malformed_path(restore_input(br#"{"restore":null}"#));
        malformed_path(snapshot_input(br#"{"name":"x"}"#));
        for restart in [&b"{}"[..], br#"{"restart":[]}"#, br#"{"restart":null}"#, b""] {
            malformed_path(restart_body(restart));
        }
        assert!(restart_body(br#"{"restart":{}}"#).is_ok());
    }

    #[test]
    fn delete_options_are_an_object_or_nothing() {
        assert_eq!(delete_body(b"").unwrap(), None);
        assert_eq!(delete_body(br#"{"keep_last_manual_snapshot":null}"#).unwrap(), None);
        assert_eq!(delete_body(br#"{"keep_last_manual_snapshot":2}"#).unwrap(), Some(2));
        assert_eq!(delete_body(br#"{"keep_last_manual_snapshot":99999999999}"#).unwrap(), Some(u32::MAX));
        for bad in [
            &br#"{"keep_last_manual_snapshot":-1}"#[..],
            br#"{"keep_last_manual_snapshot":1.5}"#,
            b"null",
            b"[]",
            b"true",
            b"1",
            br#""s""#,
        ] {
            malformed_path(delete_body(bad));
        }
    }

    #[test]
    fn ids_are_hyphenated_uuids() {
        assert!(uuid("7ba031f6-81f4-4670-ad20-c490b91877e5").is_ok());
        assert!(uuid("7ba031f681f44670ad20c490b91877e5").is_err());
    }

    #[test]
    fn the_envelopes_keep_their_field_names() {
        let err = serde_json::to_value(ErrorBody { error_code: "DWS.0047".into(), error_msg: "m".into() }).unwrap();
        assert_eq!(err, serde_json::json!({"error_code": "DWS.0047", "error_msg": "m"}));
        assert_eq!(serde_json::to_value(Empty {}).unwrap(), serde_json::json!({}));
    }
}
