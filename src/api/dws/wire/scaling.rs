//! Bodies of the operations that change a running cluster: `ResizeCluster`
//! (scale out), `ShrinkCluster` (scale in), `ResetPassword`, as
//! huaweicloudsdkdws sends them; options strato has no use for (logical
//! clusters, redistribution, backups) are accepted and ignored.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::decode;
use crate::core::validate::Scale;
use crate::core::CoreError;

/// `{"scale_out": {"count": n}}`.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct ResizeClusterRequest {
    pub scale_out: ScaleOut,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct ScaleOut {
    /// Nodes to add: standbys cloned from the primary, streaming from it.
    #[schema(example = 2, minimum = 1)]
    pub count: i64,
    /// Accepted and ignored (no real subnets).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subnet_id: Option<String>,
}

/// `{"shrink_number": n, ...}`.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct ShrinkClusterRequest {
    /// Nodes to retire, the newest standbys first.
    #[schema(example = 2, minimum = 1)]
    pub shrink_number: i64,
    /// Accepted and ignored: the retired standbys hold copies of the primary's data, nothing to back up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub force_backup: Option<bool>,
    /// Accepted and ignored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub online: Option<bool>,
    /// Accepted and ignored (the provider sends the cluster's datastore type).
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub datastore_type: Option<String>,
}

/// `ShrinkCluster`'s answer: the job retiring the nodes.
#[derive(Debug, Serialize, ToSchema)]
pub struct ShrinkAccepted {
    pub job_id: Uuid,
}

/// `{"cluster_timezone": "Asia/Shanghai"}`.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct TimezoneRequest {
    /// One of DWS's timezones (`UTC`, `Asia/Shanghai`, `Europe/Amsterdam`, ...; else DWS.5038).
    #[schema(example = "Asia/Shanghai")]
    pub cluster_timezone: String,
}

pub fn timezone_body(body: &[u8]) -> Result<String, CoreError> {
    decode::<TimezoneRequest>(body).map(|r| r.cluster_timezone)
}

/// `{"new_password": "..."}`.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct ResetPasswordRequest {
    /// The administrator's new password: the rules of `user_pwd` at create (else DWS.5013).
    #[schema(example = "New-Passw0rd!x")]
    pub new_password: String,
}

pub fn reset_password_body(body: &[u8]) -> Result<String, CoreError> {
    decode::<ResetPasswordRequest>(body).map(|r| r.new_password)
}

pub fn resize_body(body: &[u8]) -> Result<Scale, CoreError> {
    decode::<ResizeClusterRequest>(body).map(|r| Scale::Out(r.scale_out.count))
}

pub fn shrink_body(body: &[u8]) -> Result<Scale, CoreError> {
    decode::<ShrinkClusterRequest>(body).map(|r| Scale::In(r.shrink_number))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sdks_bodies_decode_and_wrong_types_are_refused() {
        assert_eq!(resize_body(br#"{"scale_out":{"count":2},"create_node_only":false}"#).unwrap(), Scale::Out(2));
        assert_eq!(shrink_body(br#"{"shrink_number":1,"force_backup":false,"type":"dws"}"#).unwrap(), Scale::In(1));
        for bad in [&br#"{"scale_out":{"count":"2"}}"#[..], br#"{"scale_out":2}"#, b"{}", b""] {
            assert!(matches!(resize_body(bad), Err(CoreError::MalformedBody(_))), "{}", String::from_utf8_lossy(bad));
        }
        assert!(matches!(shrink_body(br#"{"shrink_number":true}"#), Err(CoreError::MalformedBody(m)) if m.contains("shrink_number")));
    }
}
