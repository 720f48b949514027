//! Alibaba Elasticsearch / Logstash request bodies (createInstance,
//! CreateLogstash, UpdateInstance, UpdateLogstash). Unknown fields are
//! ignored; a known field of the wrong JSON type is `InvalidParameter`
//! naming it. Integers may come as strings, as Alibaba's backend accepts.

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::api::lenient;
use crate::core::CoreError;

#[expect(dead_code, reason = "decoded so that a wrong type is refused; strato records nothing of it")]
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeSpec {
    pub spec: Option<String>,
    #[serde(default, deserialize_with = "lenient::int")]
    pub disk: Option<i64>,
    pub disk_type: Option<String>,
    pub performance_level: Option<String>,
}

#[expect(dead_code, reason = "decoded so that a wrong type is refused; strato records nothing of it")]
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NetworkConfig {
    pub r#type: Option<String>,
    pub vpc_id: Option<String>,
    pub vswitch_id: Option<String>,
    pub vs_area: Option<String>,
    pub white_ip_group_list: Option<Vec<Map<String, Value>>>,
}

#[expect(dead_code, reason = "decoded so that a wrong type is refused; strato records nothing of it")]
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Tag {
    pub tag_key: Option<String>,
    pub tag_value: Option<String>,
}

/// `POST /openapi/instances` and `POST /openapi/logstashes`. Configuration
/// objects strato records nothing of must still be objects.
#[expect(dead_code, reason = "decoded so that a wrong type is refused; strato records nothing of it")]
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateInstanceRequest {
    pub description: Option<String>,
    /// Elasticsearch's version field.
    pub es_version: Option<String>,
    /// Logstash's version field.
    pub version: Option<String>,
    #[serde(default, deserialize_with = "lenient::int")]
    pub node_amount: Option<i64>,
    pub node_spec: Option<NodeSpec>,
    pub network_config: Option<NetworkConfig>,
    pub es_admin_password: Option<String>,
    pub payment_type: Option<String>,
    pub payment_info: Option<Map<String, Value>>,
    pub kibana_configuration: Option<Map<String, Value>>,
    pub master_configuration: Option<Map<String, Value>>,
    pub client_node_configuration: Option<Map<String, Value>>,
    pub warm_node_configuration: Option<Map<String, Value>>,
    pub elastic_data_node_configuration: Option<Map<String, Value>>,
    #[serde(default, deserialize_with = "lenient::int")]
    pub zone_count: Option<i64>,
    pub instance_category: Option<String>,
    pub resource_group_id: Option<String>,
    pub tags: Option<Vec<Tag>>,
}

/// `PUT /openapi/instances/{id}` and `PUT /openapi/logstashes/{id}`.
#[expect(dead_code, reason = "decoded so that a wrong type is refused; strato records nothing of it")]
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateInstanceRequest {
    #[serde(default, deserialize_with = "lenient::int")]
    pub node_amount: Option<i64>,
    pub node_spec: Option<NodeSpec>,
    pub description: Option<String>,
    pub master_configuration: Option<Map<String, Value>>,
    pub client_node_configuration: Option<Map<String, Value>>,
    pub warm_node_configuration: Option<Map<String, Value>>,
    pub kibana_configuration: Option<Map<String, Value>>,
    pub elastic_data_node_configuration: Option<Map<String, Value>>,
}

pub fn decode<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, CoreError> {
    crate::api::decode_body(body).map_err(|e| CoreError::MalformedBody(e.to_string()))
}

/// The payment types Alibaba documents.
pub fn payment_type(v: Option<&str>) -> Result<(), CoreError> {
    match v {
        None | Some("prepaid" | "postpaid") => Ok(()),
        Some(other) => Err(CoreError::MalformedBody(format!("paymentType must be prepaid or postpaid, got `{other}`"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrong_types_are_refused_and_integers_may_be_strings() {
        for (body, at) in [
            (r#"{"description":{}}"#, "description"),
            (r#"{"nodeSpec":{"diskType":12345}}"#, "nodeSpec.diskType"),
            (r#"{"networkConfig":{"vsArea":64838}}"#, "networkConfig.vsArea"),
            (r#"{"paymentType":{}}"#, "paymentType"),
            (r#"{"nodeAmount":"three"}"#, "nodeAmount"),
            (r#"{"kibanaConfiguration":"big"}"#, "kibanaConfiguration"),
        ] {
            match decode::<CreateInstanceRequest>(body.as_bytes()) {
                Err(CoreError::MalformedBody(m)) => assert!(m.starts_with(at), "{body}: {m}"),
                other => panic!("{body}: {other:?}"),
            }
        }
        let ok: CreateInstanceRequest =
            decode(br#"{"nodeAmount":"3","nodeSpec":{"disk":"40","spec":"elasticsearch.sn2ne.large"},"unknown":[1]}"#).unwrap();
        assert_eq!((ok.node_amount, ok.node_spec.and_then(|n| n.disk)), (Some(3), Some(40)));
        assert!(payment_type(Some("monthly")).is_err());
    }
}
