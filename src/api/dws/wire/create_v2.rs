//! `CreateClusterV2` (`POST /v2/{project_id}/clusters`): the v2 body the
//! huaweicloud provider sends when `version` is set, mapped onto the same
//! validated create as v1 (`db_name` is the administrator, `flavor` the node
//! type, `num_node` the node count, the first of `availability_zones` the zone).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{decode, ClusterTag, PublicIpSpec};
use crate::core::validate::CreateInput;
use crate::core::CoreError;

/// The cluster of a v2 create.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
pub struct V2ClusterSpec {
    /// As v1's `name`.
    #[schema(value_type = String, required = true, example = "dws-demo")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// A `spec_name` of `ListNodeTypes` (v1's `node_type`).
    #[schema(value_type = String, required = true, example = "dws.m3.xlarge")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flavor: Option<String>,
    /// Nodes (v1's `number_of_node`).
    #[schema(value_type = i64, required = true, example = 3)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub num_node: Option<i64>,
    /// Coordinators (v1's `number_of_cn`).
    #[schema(value_type = Option<i64>, example = 3)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub num_cn: Option<i64>,
    /// The administrator's name (v1's `user_name`).
    #[schema(value_type = String, required = true, example = "dbadmin")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub db_name: Option<String>,
    /// The administrator's password (v1's `user_pwd`).
    #[schema(value_type = String, required = true, example = "Secret-Passw0rd!")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub db_password: Option<String>,
    /// v1's `port`.
    #[schema(value_type = Option<i64>, example = 8000)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub db_port: Option<i64>,
    /// The cluster's zone is the first (one of the server's zones); the others are accepted, not used.
    #[schema(value_type = Option<Vec<String>>, example = json!(["eu-de-01"]))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub availability_zones: Option<Vec<String>>,
    #[schema(value_type = String, required = true)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vpc_id: Option<String>,
    #[schema(value_type = String, required = true)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subnet_id: Option<String>,
    #[schema(value_type = String, required = true)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub security_group_id: Option<String>,
    #[schema(value_type = Option<PublicIpSpec>)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_ip: Option<PublicIpSpec>,
    #[schema(value_type = Option<Vec<ClusterTag>>)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<ClusterTag>>,
    #[schema(value_type = Option<String>)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enterprise_project_id: Option<String>,
    /// Accepted, not recorded: every strato cluster runs PostgreSQL 15.
    #[schema(value_type = Option<String>, example = "8.1.3.110")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub datastore_version: Option<String>,
    /// Recorded and shown as `volume` (10–32768 GB; a node's disk is the machine's, not sized by it).
    #[schema(value_type = Option<Volume>)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub volume: Option<Volume>,
}

#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
pub struct Volume {
    /// The disk type, `SSD` or `SAS`.
    #[schema(value_type = Option<String>)]
    pub volume: Option<String>,
    /// GB per node.
    #[schema(value_type = Option<i64>)]
    pub capacity: Option<i64>,
}

/// `{"cluster": {...}}`.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct CreateClusterV2Request {
    pub cluster: V2ClusterSpec,
}

pub fn create_v2_input(body: &[u8]) -> Result<CreateInput, CoreError> {
    let c = decode::<CreateClusterV2Request>(body)?.cluster;
    Ok(CreateInput {
        name: c.name,
        node_type: c.flavor,
        number_of_node: c.num_node,
        number_of_cn: c.num_cn,
        port: c.db_port,
        user_name: c.db_name,
        user_pwd: c.db_password,
        vpc_id: c.vpc_id,
        subnet_id: c.subnet_id,
        security_group_id: c.security_group_id,
        availability_zone: c.availability_zones.and_then(|z| z.into_iter().next()),
        public_ip: c.public_ip.map(Into::into),
        enterprise_project_id: c.enterprise_project_id,
        tags: c.tags.unwrap_or_default().into_iter().map(Into::into).collect(),
        volume: c.volume.map(|v| (v.volume, v.capacity)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_v2_body_maps_onto_the_create_and_wrong_types_are_refused() {
        let body = br#"{"cluster":{"name":"dws-v2","flavor":"dws.m3.xlarge","num_node":3,"num_cn":2,"db_name":"dbadmin",
            "db_password":"Secret-Passw0rd!","db_port":8000,"availability_zones":["eu-de-02","eu-de-03"],"vpc_id":"v",
            "subnet_id":"s","security_group_id":"g","datastore_version":"8.1.3","volume":{"volume":"SSD","capacity":100},
            "tags":[{"key":"k","value":"v"}],"ipv6_enable":false}}"#;
        let i = create_v2_input(body).unwrap();
        assert_eq!((i.node_type.as_deref(), i.number_of_node, i.number_of_cn), (Some("dws.m3.xlarge"), Some(3), Some(2)));
        assert_eq!((i.user_name.as_deref(), i.port, i.availability_zone.as_deref()), (Some("dbadmin"), Some(8000), Some("eu-de-02")));
        assert_eq!(i.tags.len(), 1);
        for bad in [&br#"{"cluster":{"num_node":"3"}}"#[..], br#"{"cluster":{"availability_zones":"eu-de-01"}}"#, b"{}", b"[]"] {
            assert!(matches!(create_v2_input(bad), Err(CoreError::MalformedBody(_))), "{}", String::from_utf8_lossy(bad));
        }
    }
}
