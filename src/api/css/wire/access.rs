//! Bodies of CSS's security, public-access and network actions, and of a
//! Logstash cluster's rename and routes. The providers send camelCase where
//! the SDK and the reference send snake_case: both are taken.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::lenient;

/// `{"size": n}`, Mbit/s.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
pub struct BandWidth {
    #[serde(default, deserialize_with = "lenient::int", skip_serializing_if = "Option::is_none")]
    #[schema(example = 5)]
    pub size: Option<i64>,
}

#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
pub struct Eip {
    #[serde(rename = "bandWidth", alias = "band_width", skip_serializing_if = "Option::is_none")]
    pub band_width: Option<BandWidth>,
}

/// `POST .../public/open`.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
pub struct PublicOpenRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub eip: Option<Eip>,
    /// Addresses or CIDR blocks, comma-separated: only they may connect. Without one, anyone may.
    #[serde(rename = "whiteList", alias = "white_list", skip_serializing_if = "Option::is_none")]
    #[schema(example = "127.0.0.1,203.0.113.0/24")]
    pub white_list: Option<String>,
    /// Accepted (nothing is billed here).
    #[serde(rename = "isAutoPay", alias = "is_auto_pay", default, deserialize_with = "lenient::int", skip_serializing_if = "Option::is_none")]
    pub is_auto_pay: Option<i64>,
}

/// `POST .../public/bandwidth`.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
pub struct BandwidthRequest {
    #[serde(rename = "bandWidth", alias = "band_width", skip_serializing_if = "Option::is_none")]
    pub band_width: Option<BandWidth>,
    #[serde(rename = "isAutoPay", alias = "is_auto_pay", default, deserialize_with = "lenient::int", skip_serializing_if = "Option::is_none")]
    pub is_auto_pay: Option<i64>,
}

/// `POST .../public/whitelist/update`.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
pub struct WhiteListRequest {
    #[serde(rename = "whiteList", alias = "white_list", skip_serializing_if = "Option::is_none")]
    #[schema(example = "127.0.0.1,203.0.113.0/24")]
    pub white_list: Option<String>,
}

/// `{"action": "bindZone" | "unbindZone"}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicAction {
    #[schema(example = "bindZone")]
    pub action: String,
}

/// `POST .../mode/change`.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
pub struct ModeChangeRequest {
    /// Required. A Boolean, or the string `true` / `false`.
    #[serde(rename = "authorityEnable", alias = "authority_enable", default, deserialize_with = "lenient::bool", skip_serializing_if = "Option::is_none")]
    pub authority_enable: Option<bool>,
    /// Required. A Boolean, or the string `true` / `false`.
    #[serde(rename = "httpsEnable", alias = "https_enable", default, deserialize_with = "lenient::bool", skip_serializing_if = "Option::is_none")]
    pub https_enable: Option<bool>,
    /// Required with the security mode: 8–32 characters, three character classes.
    #[serde(rename = "adminPwd", alias = "admin_pwd", skip_serializing_if = "Option::is_none")]
    pub admin_pwd: Option<String>,
}

/// `POST .../password/reset`.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
pub struct ResetPasswordRequest {
    pub newpassword: Option<String>,
}

/// `POST .../sg/change`: one security group id, despite the name.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
pub struct SecurityGroupRequest {
    pub security_group_ids: Option<String>,
}

/// `POST .../subnet/change`.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
pub struct SubnetRequest {
    pub subnet_id: Option<String>,
}

/// `POST .../changename`.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
pub struct ChangeNameRequest {
    #[serde(rename = "displayName", alias = "display_name", skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub desc: Option<String>,
}

/// `POST .../route`: add or delete a static route.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
pub struct RouteRequest {
    /// `add_ip` or `del_ip`.
    #[schema(example = "add_ip")]
    pub configtype: Option<String>,
    /// The destination address.
    #[schema(example = "10.1.0.0")]
    pub configkey: Option<String>,
    /// Its netmask.
    #[schema(example = "255.255.0.0")]
    pub configvalue: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RouteEntry {
    pub ip_address: String,
    pub ip_net_mask: String,
    /// `YYYY-MM-DDTHH:MM:SS`, UTC.
    pub update_at: String,
}

/// `GET .../route`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RouteList {
    pub route_resps: Vec<RouteEntry>,
    pub total_size: u64,
}

/// `elbWhiteList` of the detail while public access is open.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ElbWhiteList {
    pub enable_white_list: bool,
    /// Comma-separated.
    pub white_list: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::css::wire::decode;

    #[test]
    fn provider_and_sdk_spellings_both_decode() {
        let hw: PublicOpenRequest = decode(br#"{"eip":{"bandWidth":{"size":5}},"isAutoPay":1}"#).unwrap();
        let sdk: PublicOpenRequest = decode(br#"{"eip":{"band_width":{"size":"5"}},"white_list":"1.2.3.4","is_auto_pay":1}"#).unwrap();
        assert_eq!(hw.eip.and_then(|e| e.band_width).and_then(|b| b.size), Some(5));
        assert_eq!((sdk.eip.and_then(|e| e.band_width).and_then(|b| b.size), sdk.white_list.as_deref()), (Some(5), Some("1.2.3.4")));
        let m: ModeChangeRequest = decode(br#"{"authority_enable":"true","https_enable":false,"admin_pwd":"x"}"#).unwrap();
        assert_eq!((m.authority_enable, m.https_enable, m.admin_pwd.as_deref()), (Some(true), Some(false), Some("x")));
        let m: ModeChangeRequest = decode(br#"{"authorityEnable":true,"httpsEnable":true,"adminPwd":"y"}"#).unwrap();
        assert_eq!((m.authority_enable, m.https_enable), (Some(true), Some(true)));
        assert!(decode::<ModeChangeRequest>(br#"{"authorityEnable":"maybe"}"#).is_err());
        let n: ChangeNameRequest = decode(br#"{"displayName":"logs-2"}"#).unwrap();
        assert_eq!(n.display_name.as_deref(), Some("logs-2"));
    }
}
