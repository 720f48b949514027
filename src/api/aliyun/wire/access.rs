//! Bodies of the network and security actions of an Elasticsearch instance:
//! `network-trigger`, `modify-white-ips`, `admin-pwd`, and the white-IP
//! groups DescribeInstance shows.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::core::access::{ModifyMode, WhiteIpKind, DEFAULT_GROUP};
use crate::core::error::Field;
use crate::core::CoreError;

/// `POST /openapi/instances/{id}/actions/network-trigger`.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TriggerNetworkRequest {
    /// `WORKER` (the members) or `KIBANA` (strato runs none: OperationNotEmulated).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "WORKER")]
    pub node_type: Option<String>,
    /// `PUBLIC` or `PRIVATE` (the members' private endpoint always serves).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "PUBLIC")]
    pub network_type: Option<String>,
    /// `OPEN` or `CLOSE`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "OPEN")]
    pub action_type: Option<String>,
}

impl TriggerNetworkRequest {
    /// The endpoint it names and whether to open it.
    pub fn decide(&self) -> Result<(WhiteIpKind, bool), CoreError> {
        let kind = WhiteIpKind::of(required(&self.node_type, "nodeType")?, required(&self.network_type, "networkType")?)?;
        let open = match required(&self.action_type, "actionType")? {
            "OPEN" => true,
            "CLOSE" => false,
            other => return Err(CoreError::invalid(Field::Network, format!("actionType must be OPEN or CLOSE, got `{other}`"))),
        };
        Ok((kind, open))
    }
}

fn required<'a>(v: &'a Option<String>, name: &str) -> Result<&'a str, CoreError> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty()).ok_or_else(|| CoreError::invalid(Field::Network, format!("{name} is required")))
}

/// A named white-IP group, as `modify-white-ips` takes it and
/// `networkConfig.whiteIpGroupList` shows it.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WhiteIpGroup {
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "default")]
    pub group_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = json!(["127.0.0.1", "203.0.113.0/24"]))]
    pub ips: Option<Vec<String>>,
    /// `PRIVATE_ES`, `PUBLIC_ES`, `PRIVATE_KIBANA` or `PUBLIC_KIBANA`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "PUBLIC_ES")]
    pub white_ip_type: Option<String>,
}

/// `POST|PATCH /openapi/instances/{id}/actions/modify-white-ips`: either
/// `whiteIpList` (the `default` group of `nodeType`/`networkType`) or
/// `whiteIpGroup`, changed as `modifyMode` says.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ModifyWhiteIpsRequest {
    /// `Cover` (the default), `Append` or `Delete`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "Cover")]
    pub modify_mode: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub network_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub white_ip_list: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub white_ip_group: Option<WhiteIpGroup>,
}

/// What a `modify-white-ips` asks: this group of this kind, these addresses, so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WhiteIpChange {
    pub kind: WhiteIpKind,
    pub group: String,
    pub mode: ModifyMode,
    pub ips: Vec<String>,
}

impl ModifyWhiteIpsRequest {
    pub fn change(self) -> Result<WhiteIpChange, CoreError> {
        let mode = ModifyMode::parse(self.modify_mode.as_deref())?;
        let bad = |m: &str| CoreError::invalid(Field::WhiteIp, m.to_string());
        match (self.white_ip_list, self.white_ip_group) {
            (Some(_), Some(_)) => Err(bad("whiteIpList and whiteIpGroup cannot be given together")),
            (None, None) => Err(bad("whiteIpList or whiteIpGroup is required")),
            (Some(ips), None) => {
                let (n, w) = (self.node_type.as_deref(), self.network_type.as_deref());
                let (Some(n), Some(w)) = (n, w) else { return Err(bad("nodeType and networkType are required with whiteIpList")) };
                Ok(WhiteIpChange { kind: WhiteIpKind::of(n, w)?, group: DEFAULT_GROUP.into(), mode, ips })
            }
            (None, Some(g)) => {
                let t = g.white_ip_type.unwrap_or_default();
                let kind = WhiteIpKind::parse(&t)
                    .ok_or_else(|| bad(&format!("whiteIpGroup.whiteIpType must be PRIVATE_ES, PUBLIC_ES, PRIVATE_KIBANA or PUBLIC_KIBANA, got `{t}`")))?;
                let group = g.group_name.filter(|n| !n.trim().is_empty()).ok_or_else(|| bad("whiteIpGroup.groupName is required"))?;
                Ok(WhiteIpChange { kind, group, mode, ips: g.ips.unwrap_or_default() })
            }
        }
    }
}

/// `POST /openapi/instances/{id}/admin-pwd`.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AdminPasswordRequest {
    /// 8–32 characters with three of: upper case, lower case, digits, special characters.
    pub es_admin_password: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::aliyun::wire::decode;

    #[test]
    fn the_providers_white_list_body_and_a_group_body_decode_to_changes() {
        let tf: ModifyWhiteIpsRequest =
            decode(br#"{"nodeType":"WORKER","modifyMode":"Cover","networkType":"PUBLIC","whiteIpList":["127.0.0.1"]}"#).unwrap();
        let c = tf.change().unwrap();
        assert_eq!((c.kind, c.group.as_str(), c.mode, c.ips), (WhiteIpKind::PublicEs, "default", ModifyMode::Cover, vec!["127.0.0.1".to_string()]));
        let g: ModifyWhiteIpsRequest =
            decode(br#"{"modifyMode":"Append","whiteIpGroup":{"groupName":"ops","ips":["1.2.3.4"],"whiteIpType":"PRIVATE_ES"}}"#).unwrap();
        assert_eq!(g.change().unwrap().kind, WhiteIpKind::PrivateEs);
        for bad in [
            r#"{"whiteIpList":["1.2.3.4"]}"#,
            r#"{"nodeType":"WORKER","networkType":"PUBLIC","whiteIpList":[],"whiteIpGroup":{}}"#,
            r#"{"modifyMode":"Replace","nodeType":"WORKER","networkType":"PUBLIC","whiteIpList":[]}"#,
            r#"{"whiteIpGroup":{"groupName":"x","whiteIpType":"PUBLIC"}}"#,
            r#"{}"#,
        ] {
            assert!(decode::<ModifyWhiteIpsRequest>(bad.as_bytes()).unwrap().change().is_err(), "{bad}");
        }
        assert!(decode::<ModifyWhiteIpsRequest>(br#"{"whiteIpList":"1.2.3.4"}"#).is_err(), "a wrong type is refused");
        let t: TriggerNetworkRequest = decode(br#"{"nodeType":"WORKER","networkType":"PUBLIC","actionType":"OPEN"}"#).unwrap();
        assert_eq!(t.decide().unwrap(), (WhiteIpKind::PublicEs, true));
        let t: TriggerNetworkRequest = decode(br#"{"nodeType":"WORKER","networkType":"PUBLIC","actionType":"SWITCH"}"#).unwrap();
        assert!(t.decide().is_err());
    }
}
