//! CSS request bodies. Unknown fields are ignored; a known field of the wrong
//! JSON type is `CSS.0001` naming it (a `volume` that is not an object is not
//! "40 GB"). `strato search` builds its requests from the same types, so
//! they serialize too (absent fields are left out).

use serde::{Deserialize, Serialize};

use crate::api::lenient;
use crate::core::search::CssCreateInput;
use crate::core::CoreError;

#[derive(Debug, Default, Deserialize, Serialize)]
pub struct Volume {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub volume_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<i64>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Nics {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vpc_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub net_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub security_group_id: Option<String>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Instance {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flavor_ref: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub volume: Option<Volume>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nics: Option<Nics>,
    #[serde(rename = "availability_zone", skip_serializing_if = "Option::is_none")]
    pub availability_zone: Option<String>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
pub struct Datastore {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub r#type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClusterBody {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub desc: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance_num: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance: Option<Instance>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub datastore: Option<Datastore>,
    #[serde(default, deserialize_with = "lenient::bool", skip_serializing_if = "Option::is_none")]
    pub https_enable: Option<bool>,
    #[serde(default, deserialize_with = "lenient::bool", skip_serializing_if = "Option::is_none")]
    pub authority_enable: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub admin_pwd: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enterprise_project_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<serde_json::Map<String, serde_json::Value>>>,
}

/// `POST /v1.0/{pid}/clusters`: `{"cluster": {...}}`.
#[derive(Debug, Default, Deserialize, Serialize)]
pub struct CreateClusterRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster: Option<ClusterBody>,
}

/// `POST /v2.0/{pid}/clusters/{id}/restart`: both fields are required.
#[derive(Debug, Default, Deserialize, Serialize)]
pub struct RestartV2Request {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub r#type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

pub fn decode<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, CoreError> {
    crate::api::decode_body(body).map_err(|e| CoreError::MalformedBody(e.to_string()))
}

impl CreateClusterRequest {
    pub fn into_input(self) -> Result<CssCreateInput, CoreError> {
        let c = self.cluster.ok_or_else(|| CoreError::MalformedBody("the body needs a `cluster` object".into()))?;
        let inst = c.instance.unwrap_or_default();
        let (volume, nics, datastore) = (inst.volume.unwrap_or_default(), inst.nics.unwrap_or_default(), c.datastore.unwrap_or_default());
        Ok(CssCreateInput {
            name: c.name,
            description: c.desc,
            instance_num: c.instance_num,
            flavor_ref: inst.flavor_ref,
            volume_type: volume.volume_type,
            volume_size: volume.size,
            vpc_id: nics.vpc_id,
            net_id: nics.net_id,
            security_group_id: nics.security_group_id,
            availability_zone: inst.availability_zone,
            datastore_type: datastore.r#type,
            datastore_version: datastore.version,
            https_enable: c.https_enable.unwrap_or(false),
            authority_enable: c.authority_enable.unwrap_or(false),
        })
    }
}

impl RestartV2Request {
    /// `type` is `node` (value: a node id) or `role` (value: `ess`, `ess-master`, ...).
    pub fn validate(&self) -> Result<(), CoreError> {
        match (self.r#type.as_deref(), self.value.as_deref().map(str::trim)) {
            (Some("node" | "role"), Some(v)) if !v.is_empty() => Ok(()),
            (Some("node" | "role"), _) => Err(CoreError::MalformedBody("value is required".into())),
            (Some(other), _) => Err(CoreError::MalformedBody(format!("type must be `node` or `role`, got `{other}`"))),
            (None, _) => Err(CoreError::MalformedBody("type is required (`node` or `role`)".into())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_volume_that_is_not_an_object_is_refused() {
        let e = decode::<CreateClusterRequest>(br#"{"cluster":{"instance":{"volume":"junk"}}}"#).unwrap_err();
        assert!(e.to_string().contains("cluster.instance.volume"), "{e}");
        let ok = decode::<CreateClusterRequest>(br#"{"cluster":{"name":"n","httpsEnable":"false","instance":{"volume":{"size":80}}}}"#)
            .unwrap()
            .into_input()
            .unwrap();
        assert_eq!((ok.volume_size, ok.https_enable), (Some(80), false));
        assert!(decode::<CreateClusterRequest>(b"{}").unwrap().into_input().is_err());
    }

    #[test]
    fn what_the_cli_serializes_decodes_to_the_same_request() {
        let instance = Instance { volume: Some(Volume { size: Some(40), ..Volume::default() }), availability_zone: Some("z1".into()), ..Instance::default() };
        let cluster = ClusterBody { name: Some("css-1".into()), instance_num: Some(2), instance: Some(instance), https_enable: Some(true), ..ClusterBody::default() };
        let text = serde_json::to_string(&CreateClusterRequest { cluster: Some(cluster) }).unwrap();
        assert_eq!(text, r#"{"cluster":{"name":"css-1","instanceNum":2,"instance":{"volume":{"size":40},"availability_zone":"z1"},"httpsEnable":true}}"#);
        let back = decode::<CreateClusterRequest>(text.as_bytes()).unwrap().into_input().unwrap();
        assert_eq!((back.instance_num, back.volume_size, back.availability_zone.as_deref(), back.https_enable), (Some(2), Some(40), Some("z1"), true));
    }

    #[test]
    fn a_v2_restart_names_what_to_restart() {
        let ok = |b: &str| decode::<RestartV2Request>(b.as_bytes()).and_then(|r| r.validate()).is_ok();
        assert!(ok(r#"{"type":"role","value":"ess"}"#));
        assert!(ok(r#"{"type":"node","value":"6d0a2b5e-0000-4000-8000-000000000001"}"#));
        for bad in ["", "{}", r#"{"type":"role"}"#, r#"{"type":"all","value":"x"}"#, r#"{"type":1,"value":"x"}"#, "[]"] {
            assert!(!ok(bad), "{bad}");
        }
    }
}
