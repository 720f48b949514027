//! Alibaba Elasticsearch / Logstash wire types: the request bodies
//! (createInstance, CreateLogstash, UpdateInstance, UpdateLogstash), every
//! response body and the error envelope. `render.rs` builds the responses,
//! the handlers decode the requests, and `openapi.rs` derives the document
//! from the same types.
//!
//! Requests: unknown fields are ignored; a known field of the wrong JSON type
//! is `InvalidParameter` naming it. Integers may come as strings, as
//! Alibaba's backend accepts. `strato aliyun` builds its requests from the
//! same types (absent fields are left out).
//!
//! Responses: fields are declared in the byte order of their names, so a body
//! is the same text the `json!` maps (sorted keys) produced before. They
//! deserialize too: a clientToken's first result is stored and answered again.

mod access;
mod pipelines;
mod restart;
mod tags;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

pub use access::*;
pub use pipelines::*;
pub use restart::*;
pub use tags::*;

use crate::api::lenient;
use crate::core::roles::MemberRole;
use crate::core::CoreError;

#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NodeSpec {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spec: Option<String>,
    /// GB per member (else InvalidParameter); an integer, or a string holding one.
    #[serde(default, deserialize_with = "lenient::int", skip_serializing_if = "Option::is_none")]
    #[schema(example = 20)]
    pub disk: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disk_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub performance_level: Option<String>,
}

#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
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
    #[schema(value_type = Option<Vec<Object>>)]
    pub white_ip_group_list: Option<Vec<Map<String, Value>>>,
}

#[derive(Debug, Default, Clone, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Tag {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tag_key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tag_value: Option<String>,
}

/// `POST /openapi/instances` and `POST /openapi/logstashes`. Configuration
/// objects strato records nothing of must still be objects.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateInstanceRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Elasticsearch's version field, `MAJOR.MINOR_with_X-Pack` (required for Elasticsearch).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "7.10_with_X-Pack")]
    pub es_version: Option<String>,
    /// Logstash's version field, `MAJOR.MINOR_with_X-Pack` (required for Logstash).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "7.4_with_X-Pack")]
    pub version: Option<String>,
    /// Members (else InvalidParameter); an integer, or a string holding one.
    #[serde(default, deserialize_with = "lenient::int", skip_serializing_if = "Option::is_none")]
    #[schema(example = 2)]
    pub node_amount: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node_spec: Option<NodeSpec>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub network_config: Option<NetworkConfig>,
    /// Elasticsearch only: 8–32 characters with three of upper case, lower case, digits, special characters; checked, never stored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub es_admin_password: Option<String>,
    /// `prepaid` or `postpaid` (else InvalidParameter); recorded as `postpaid`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub payment_info: Option<Map<String, Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub kibana_configuration: Option<Map<String, Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub master_configuration: Option<Map<String, Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub client_node_configuration: Option<Map<String, Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub warm_node_configuration: Option<Map<String, Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub elastic_data_node_configuration: Option<Map<String, Value>>,
    /// Accepted and ignored; an integer, or a string holding one.
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
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UpdateInstanceRequest {
    /// Members (else InvalidParameter); an integer, or a string holding one.
    #[serde(default, deserialize_with = "lenient::int", skip_serializing_if = "Option::is_none")]
    #[schema(example = 2)]
    pub node_amount: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node_spec: Option<NodeSpec>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub master_configuration: Option<Map<String, Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub client_node_configuration: Option<Map<String, Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub warm_node_configuration: Option<Map<String, Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub kibana_configuration: Option<Map<String, Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub elastic_data_node_configuration: Option<Map<String, Value>>,
}

// ---------------------------------------------------------------- responses

/// `{"RequestId","HostId","Code","Message"}`: every refusal, whoever made it.
/// The codes and their HTTP statuses are listed in this schema's description
/// in the document (generated from `error::CODES`).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct ErrorBody {
    pub code: String,
    /// Always `strato`.
    pub host_id: String,
    pub message: String,
    pub request_id: String,
}

/// `{"RequestId","Result"}`: a success with a result.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct Reply<T> {
    /// An upper-case UUID.
    #[schema(example = "5A2CFF0E-5718-45B5-9D4D-70B3FF3898C3")]
    pub request_id: String,
    pub result: T,
}

/// `{"RequestId"}`: a success without a result (`DeleteInstance`, `DeleteLogstash`).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct Ack {
    pub request_id: String,
}

/// The total a list's pages add up to (also in the `X-Total-Count` header).
#[derive(Debug, Serialize, ToSchema)]
pub struct TotalCount {
    #[serde(rename = "X-Total-Count")]
    pub total: u64,
}

/// `ListInstance`, `ListLogstash`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct ListReply<T> {
    pub headers: TotalCount,
    pub request_id: String,
    pub result: Vec<T>,
}

/// `createInstance`, `CreateLogstash`: accepted; the instance is `activating` until every member serves.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreatedInstance {
    /// `es-cn-` or `ls-cn-` and 32 hex digits.
    #[schema(example = "es-cn-0f1e2d3c4b5a69788796a5b4c3d2e1f0")]
    pub instance_id: String,
}

/// An instance's status: `active`; `activating` while a job runs; `suspended`
/// when a change was interrupted; `inactive` when stopped (a protective
/// deletion) or being deleted; `invalid` when it failed or no member serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum InstanceStatus {
    Active,
    Activating,
    Suspended,
    Inactive,
    Invalid,
}

/// What a dedicated role's configuration (`masterConfiguration`,
/// `clientNodeConfiguration`, `warmNodeConfiguration`) asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleAsk {
    pub amount: i64,
    pub spec: Option<String>,
    pub disk: Option<i64>,
    pub disk_type: Option<String>,
}

/// Reads a role configuration: `amount` and `disk` integers (or strings
/// holding one), `spec` and `diskType` strings; another type is refused naming it.
fn role_ask(name: &str, config: &Option<Map<String, Value>>) -> Result<Option<RoleAsk>, CoreError> {
    let Some(c) = config else { return Ok(None) };
    let bad = |field: &str| CoreError::MalformedBody(format!("{name}.{field}: invalid type"));
    let int = |field: &str| -> Result<Option<i64>, CoreError> {
        match c.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => n.as_i64().map(Some).ok_or_else(|| bad(field)),
            Some(Value::String(s)) => s.trim().parse().map(Some).map_err(|_| bad(field)),
            Some(_) => Err(bad(field)),
        }
    };
    let text = |field: &str| -> Result<Option<String>, CoreError> {
        match c.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(bad(field)),
        }
    };
    let (amount, spec, disk, disk_type) = (int("amount")?, text("spec")?, int("disk")?, text("diskType")?);
    Ok(amount.map(|amount| RoleAsk { amount, spec, disk, disk_type }))
}

/// The dedicated roles a create or update names (an `amount` given), in
/// role order; `kibanaConfiguration` with members is refused (no Kibana).
fn role_asks(
    master: &Option<Map<String, Value>>,
    client: &Option<Map<String, Value>>,
    warm: &Option<Map<String, Value>>,
    kibana: &Option<Map<String, Value>>,
) -> Result<Vec<(MemberRole, RoleAsk)>, CoreError> {
    if role_ask("kibanaConfiguration", kibana)?.is_some_and(|k| k.amount > 0) {
        return Err(CoreError::NotEmulated("Kibana members (kibanaConfiguration): strato runs no Kibana".into()));
    }
    let mut out = Vec::new();
    for (role, name, config) in [
        (MemberRole::Master, "masterConfiguration", master),
        (MemberRole::Client, "clientNodeConfiguration", client),
        (MemberRole::Cold, "warmNodeConfiguration", warm),
    ] {
        if let Some(ask) = role_ask(name, config)? {
            out.push((role, ask));
        }
    }
    Ok(out)
}

impl UpdateInstanceRequest {
    pub fn roles(&self) -> Result<Vec<(MemberRole, RoleAsk)>, CoreError> {
        role_asks(&self.master_configuration, &self.client_node_configuration, &self.warm_node_configuration, &self.kibana_configuration)
    }
}

impl CreateInstanceRequest {
    pub fn roles(&self) -> Result<Vec<(MemberRole, RoleAsk)>, CoreError> {
        role_asks(&self.master_configuration, &self.client_node_configuration, &self.warm_node_configuration, &self.kibana_configuration)
    }
}

impl InstanceStatus {
    /// The status as the `status` filter of a list names it.
    pub fn as_str(self) -> &'static str {
        match self {
            InstanceStatus::Active => "active",
            InstanceStatus::Activating => "activating",
            InstanceStatus::Suspended => "suspended",
            InstanceStatus::Inactive => "inactive",
            InstanceStatus::Invalid => "invalid",
        }
    }
}

/// The job an instance is running.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ClusterTask {
    /// strato's job kind (`create_cluster`, `restart_cluster`, `change_cluster`, ...).
    pub name: String,
    /// 0–100.
    #[schema(maximum = 100)]
    pub progress: u32,
    /// `running`, or `suspended` (interrupted).
    pub status: String,
}

/// One member's address.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Endpoint {
    pub host: String,
    pub port: u16,
    pub zone_id: String,
}

/// `nodeSpec` of an instance.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InstanceNodeSpec {
    /// GB per member.
    pub disk: u32,
    /// Always false (disks are the member's directory).
    pub disk_encryption: bool,
    pub disk_type: String,
    /// Always empty (no cloud disk performance levels here).
    pub performance_level: String,
    pub spec: String,
}

/// A dedicated role's members (`masterConfiguration`, `clientNodeConfiguration`,
/// `warmNodeConfiguration`, `kibanaConfiguration`): how many, their spec and disk
/// (`amount` 0 and empty values without them).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RoleConfiguration {
    pub amount: u32,
    pub disk: u32,
    pub disk_type: String,
    pub spec: String,
}

/// `POST /openapi/instances/{id}/description` and `/openapi/logstashes/{id}/description`.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct DescriptionRequest {
    /// Plain text, at most 30 characters (else InvalidParameter).
    #[schema(example = "es-prod")]
    pub description: String,
}

/// `POST /openapi/instances/{id}/instance-settings`: the YML settings every
/// member runs with (replacing the current ones; values strings, numbers or
/// Booleans).
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InstanceSettingsRequest {
    #[schema(value_type = Object, example = json!({"action.auto_create_index": "+.*,-*"}))]
    pub es_config: Map<String, Value>,
}

impl InstanceSettingsRequest {
    /// The settings as text; a nested object, array or null is refused.
    pub fn settings(self) -> Result<std::collections::BTreeMap<String, String>, CoreError> {
        self.es_config
            .into_iter()
            .map(|(k, v)| match v {
                Value::String(s) => Ok((k, s)),
                Value::Bool(b) => Ok((k, b.to_string())),
                Value::Number(n) => Ok((k, n.to_string())),
                _ => Err(CoreError::invalid(crate::core::error::Field::EngineSetting, format!("esConfig `{k}` must be a string, number or Boolean"))),
            })
            .collect()
    }
}

/// `GET /openapi/instances/{id}/actions/get-kibana-private`: the instance's
/// Kibana private-network connections (none: strato runs no Kibana).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct KibanaPrivateNetwork {
    #[serde(rename = "securityGroups")]
    pub security_groups: Vec<String>,
}

/// One member as `ListAllNode` shows it. The figures are observed by strato's
/// health loop (never by the request): CPU of the member's process as a share
/// of the machine, disk as its directory's share of `nodeSpec.disk`, the
/// machine's one-minute load; `heapPercent` is null (no engine heap figure is
/// read). With `extended=false` they are left out.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NodeInfo {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(example = "4.1%")]
    pub cpu_percent: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(example = "2.0%")]
    pub disk_used_percent: Option<Option<String>>,
    /// GREEN (serving), YELLOW (starting), RED (down), GRAY (not known).
    #[schema(example = "GREEN")]
    pub health: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heap_percent: Option<Option<String>>,
    pub host: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(example = "0.09")]
    pub load_one_m: Option<Option<String>>,
    /// `WORKER` (data), `MASTER`, `COORDINATING` (client) or `WORKER_WARM`.
    #[schema(example = "WORKER")]
    pub node_type: String,
    pub port: u16,
    pub zone_id: String,
}

/// `networkConfig` of an instance, as recorded.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InstanceNetwork {
    /// Always `vpc`.
    pub r#type: String,
    pub vpc_id: String,
    pub vs_area: String,
    pub vswitch_id: String,
    /// The white-IP groups (each list's `default` group and the named ones).
    #[serde(default)]
    pub white_ip_group_list: Vec<WhiteIpGroup>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ZoneInfo {
    /// Always `NORMAL`.
    pub status: String,
    pub zone_id: String,
}

/// `DescribeInstance`, each entry of `ListInstance`, and what `RestartInstance` and `UpdateInstance` answer.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ElasticsearchInstance {
    /// Always `public`.
    #[schema(example = "public")]
    pub arch_type: String,
    /// The dedicated client (coordinating) members, or null without them.
    #[schema(value_type = Option<Object>)]
    pub client_node_configuration: Option<Value>,
    /// The running job, if any.
    pub cluster_tasks: Vec<ClusterTask>,
    /// ISO 8601, UTC, milliseconds.
    #[schema(example = "2024-05-01T12:00:00.000Z")]
    pub created_at: String,
    /// When a protective deletion takes effect; only then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delete_time: Option<String>,
    pub description: String,
    /// The first member's address (empty without members).
    pub domain: String,
    pub enable_kibana_private_network: bool,
    pub enable_kibana_public_network: bool,
    /// Public access is open: strato's forwarder serves `publicDomain:publicPort`
    /// (the first member's address, its port + 1) to the clients `publicIpWhitelist` admits.
    pub enable_public: bool,
    pub endpoint_list: Vec<Endpoint>,
    /// The YML settings set through the API: none yet.
    #[schema(value_type = Object)]
    pub es_config: serde_json::Map<String, Value>,
    #[schema(example = "7.10_with_X-Pack")]
    pub es_version: String,
    /// False until the create task finished, then true (the provider waits on it).
    pub inited: bool,
    #[schema(example = "es-cn-0f1e2d3c4b5a69788796a5b4c3d2e1f0")]
    pub instance_id: String,
    /// Always `{"amount":0,"disk":0,"spec":""}`: strato runs no Kibana (an
    /// object, never null: the alicloud provider reads `.spec` unguarded).
    pub kibana_configuration: RoleConfiguration,
    /// Always empty / false / 0: strato runs no Kibana.
    pub kibana_domain: String,
    #[serde(rename = "kibanaIPWhitelist")]
    pub kibana_ip_whitelist: Vec<String>,
    pub kibana_port: u16,
    pub kibana_private_domain: String,
    #[serde(rename = "kibanaPrivateIPWhitelist")]
    pub kibana_private_ip_whitelist: Vec<String>,
    /// The dedicated masters, or `{"amount":0,"disk":0,"diskType":"","spec":""}` without them
    /// (an object, never null: the provider reads `.spec` unguarded).
    pub master_configuration: RoleConfiguration,
    pub network_config: InstanceNetwork,
    pub node_amount: u32,
    pub node_spec: InstanceNodeSpec,
    /// Always `postpaid`.
    pub payment_type: String,
    /// The first member's port (0 without members).
    pub port: u16,
    /// The private white list (recorded: the members' own addresses serve every local client).
    #[schema(example = json!(["0.0.0.0/0"]))]
    pub private_network_ip_white_list: Vec<String>,
    /// `HTTPS` or `HTTP` as set (open-https / close-https); recorded: the members serve HTTP.
    #[schema(example = "HTTP")]
    pub protocol: String,
    /// The public endpoint's address while public access is open, else empty.
    pub public_domain: String,
    /// Who may use the public endpoint (enforced by strato's forwarder); empty admits nobody.
    pub public_ip_whitelist: Vec<String>,
    /// The public endpoint's port (the members' port + 1), shown whether open or not.
    pub public_port: u16,
    /// The strato project the instance is in.
    pub resource_group_id: String,
    pub status: InstanceStatus,
    pub tags: Vec<Tag>,
    pub updated_at: String,
    /// The dedicated warm members, or null without them.
    #[schema(value_type = Option<Object>)]
    pub warm_node_configuration: Option<Value>,
    /// Always 1: every member is in the one zone.
    pub zone_count: u32,
    pub zone_infos: Vec<ZoneInfo>,
}

/// `DescribeLogstash`, each entry of `ListLogstash`, and what `RestartLogstash` answers.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LogstashInstance {
    pub cluster_tasks: Vec<ClusterTask>,
    #[schema(example = "2024-05-01T12:00:00.000Z")]
    pub created_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delete_time: Option<String>,
    pub description: String,
    pub endpoint_list: Vec<Endpoint>,
    #[schema(example = "ls-cn-0f1e2d3c4b5a69788796a5b4c3d2e1f0")]
    pub instance_id: String,
    pub network_config: InstanceNetwork,
    pub node_amount: u32,
    pub node_spec: InstanceNodeSpec,
    pub payment_type: String,
    pub resource_group_id: String,
    pub status: InstanceStatus,
    pub updated_at: String,
    #[schema(example = "7.4_with_X-Pack")]
    pub version: String,
    pub zone_infos: Vec<ZoneInfo>,
}


pub fn decode<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, CoreError> {
    crate::api::decode_body(body).map_err(|e| CoreError::MalformedBody(e.to_string()))
}

/// A body that is a JSON array (pipelines, pipeline ids).
pub fn decode_list<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<Vec<T>, CoreError> {
    crate::api::decode_array(body).map_err(|e| CoreError::MalformedBody(e.to_string()))
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
