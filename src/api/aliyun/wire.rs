//! Alibaba Elasticsearch / Logstash request bodies (createInstance,
//! CreateLogstash, UpdateInstance, UpdateLogstash). Unknown fields are
//! ignored; a known field of the wrong JSON type is `InvalidParameter`
//! naming it. Integers may come as strings, as Alibaba's backend accepts.
//! `strato aliyun` builds its requests from the same types (absent fields are
//! left out).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::api::lenient;
use crate::core::CoreError;

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeSpec {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spec: Option<String>,
    #[serde(default, deserialize_with = "lenient::int", skip_serializing_if = "Option::is_none")]
    pub disk: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disk_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub performance_level: Option<String>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NetworkConfig {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub r#type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vpc_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vswitch_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vs_area: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub white_ip_group_list: Option<Vec<Map<String, Value>>>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Tag {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tag_key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tag_value: Option<String>,
}

/// `POST /openapi/instances` and `POST /openapi/logstashes`. Configuration
/// objects strato records nothing of must still be objects.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateInstanceRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Elasticsearch's version field.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub es_version: Option<String>,
    /// Logstash's version field.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default, deserialize_with = "lenient::int", skip_serializing_if = "Option::is_none")]
    pub node_amount: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node_spec: Option<NodeSpec>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub network_config: Option<NetworkConfig>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub es_admin_password: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment_info: Option<Map<String, Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kibana_configuration: Option<Map<String, Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub master_configuration: Option<Map<String, Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_node_configuration: Option<Map<String, Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warm_node_configuration: Option<Map<String, Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub elastic_data_node_configuration: Option<Map<String, Value>>,
    #[serde(default, deserialize_with = "lenient::int", skip_serializing_if = "Option::is_none")]
    pub zone_count: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance_category: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_group_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<Tag>>,
}

/// `PUT /openapi/instances/{id}` and `PUT /openapi/logstashes/{id}`.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateInstanceRequest {
    #[serde(default, deserialize_with = "lenient::int", skip_serializing_if = "Option::is_none")]
    pub node_amount: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node_spec: Option<NodeSpec>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub master_configuration: Option<Map<String, Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_node_configuration: Option<Map<String, Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warm_node_configuration: Option<Map<String, Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kibana_configuration: Option<Map<String, Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
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

    #[test]
    fn what_the_cli_serializes_decodes_to_the_same_request() {
        let spec = NodeSpec { disk: Some(20), ..NodeSpec::default() };
        let body = CreateInstanceRequest { es_version: Some("7.10_with_X-Pack".into()), node_amount: Some(3), node_spec: Some(spec), ..CreateInstanceRequest::default() };
        let text = serde_json::to_string(&body).unwrap();
        assert_eq!(text, r#"{"esVersion":"7.10_with_X-Pack","nodeAmount":3,"nodeSpec":{"disk":20}}"#);
        let back: CreateInstanceRequest = decode(text.as_bytes()).unwrap();
        assert_eq!((back.node_amount, back.node_spec.and_then(|n| n.disk), back.es_version.as_deref()), (Some(3), Some(20), Some("7.10_with_X-Pack")));
        assert_eq!(serde_json::to_string(&UpdateInstanceRequest { node_amount: Some(4), ..UpdateInstanceRequest::default() }).unwrap(), r#"{"nodeAmount":4}"#);
    }
}
