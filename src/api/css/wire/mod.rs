//! CSS wire types: every request and response body and the error envelope.
//! `render.rs` builds the responses, the handlers decode the requests, and
//! `openapi.rs` derives the document from the same types.
//!
//! Requests: unknown fields are ignored; a known field of the wrong JSON type
//! is `CSS.0001` naming it (a `volume` that is not an object is not "40 GB").
//! `strato search` builds its requests from the same types, so they serialize
//! too (absent fields are left out).
//!
//! Responses: fields are declared in the byte order of their names, so a body
//! is the same text the `json!` maps (sorted keys) produced before.

mod access;
mod create_v2;
mod snapshots;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

pub use access::*;
pub use create_v2::*;
pub use snapshots::*;

use crate::api::lenient;
use crate::core::search::CssCreateInput;
use crate::core::CoreError;

/// `instance.volume`: the disk of every member.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
pub struct Volume {
    /// Recorded (`COMMON`, `HIGH`, `ULTRAHIGH`); `COMMON` if absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "COMMON")]
    pub volume_type: Option<String>,
    /// GB, a multiple of 10 from 40 to 2560 (else CSS.0001); 40 if absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 40, maximum = 2560, multiple_of = 10, example = 40)]
    pub size: Option<i64>,
}

/// `instance.nics`: recorded, all three required (else CSS.0001).
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Nics {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vpc_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub net_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub security_group_id: Option<String>,
}

/// `cluster.instance`: what every member is.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Instance {
    /// One of the flavors of `ListFlavors` (required, else CSS.0001).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "ess.spec-4u8g")]
    pub flavor_ref: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub volume: Option<Volume>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nics: Option<Nics>,
    /// One of the region's zones (`--css-zones`); the first if absent or empty (else CSS.0001).
    #[serde(rename = "availability_zone", skip_serializing_if = "Option::is_none")]
    pub availability_zone: Option<String>,
}

/// `cluster.datastore`.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
pub struct Datastore {
    /// `elasticsearch` (the default), `opensearch` or `logstash` (else CSS.0001).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "elasticsearch")]
    pub r#type: Option<String>,
    /// One of the datastore's versions in `ListFlavors` (required, else CSS.0001).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "7.10.2")]
    pub version: Option<String>,
}

/// `CreateCluster`'s `cluster`.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ClusterBody {
    /// 4–32 characters: a letter first, then letters, digits, `-` and `_` (required, else CSS.5057); unique in the project (CSS.5050).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "css-demo")]
    pub name: Option<String>,
    /// At most 128 characters, no control characters (else CSS.0001).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub desc: Option<String>,
    /// Members, 1 by default (else CSS.0001).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1, example = 1)]
    pub instance_num: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance: Option<Instance>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub datastore: Option<Datastore>,
    /// Recorded; needs `authorityEnable` (CSS.5171). A Boolean, or the string `true` / `false`.
    #[serde(default, deserialize_with = "lenient::bool", skip_serializing_if = "Option::is_none")]
    pub https_enable: Option<bool>,
    /// Recorded. A Boolean, or the string `true` / `false`.
    #[serde(default, deserialize_with = "lenient::bool", skip_serializing_if = "Option::is_none")]
    pub authority_enable: Option<bool>,
    /// Checked when given (8–32 characters, three character classes), never stored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub admin_pwd: Option<String>,
    /// Accepted and ignored (clusters show `0`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enterprise_project_id: Option<String>,
    /// Recorded: `[{"key", "value"}]` (CSS.5137 / CSS.5138 for a bad key or value).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<ClusterTag>>,
}

/// `POST /v1.0/{project_id}/clusters`: `{"cluster": {...}}` (required, else CSS.0001).
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
pub struct CreateClusterRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster: Option<ClusterBody>,
}

/// `POST /v2.0/{project_id}/clusters/{cluster_id}/restart` and
/// `rolling-restart`: both fields are required (else CSS.0001).
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
pub struct RestartV2Request {
    /// `node` or `role`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "role")]
    pub r#type: Option<String>,
    /// A node id (`node`) or a role (`ess`, `ess-master`, ...); not blank.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "ess")]
    pub value: Option<String>,
}

/// `extend`: `{"grow": {"modifySize": n}}`, n members added.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct ExtendRequest {
    pub grow: ExtendGrow,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct ExtendGrow {
    #[serde(rename = "modifySize")]
    #[schema(example = 1)]
    pub modify_size: i64,
}

/// `role_extend`: `{"grow": [{"type", "nodesize", "disksize"}]}` (members to
/// add, GB to add per member; 0 is no change). `isAutoPay` / `is_auto_pay` are
/// accepted and ignored (pay-per-use only).
#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct RoleExtendRequest {
    pub grow: Vec<RoleGrow>,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct RoleGrow {
    #[schema(example = "ess")]
    pub r#type: String,
    #[serde(default)]
    pub nodesize: i64,
    #[serde(default)]
    pub disksize: i64,
}

/// `type/{type}/independent`: `{"type": {flavor_ref, node_size, volume_type, volume_size}}`.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
pub struct IndependentRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub r#type: Option<IndependentBody>,
}

#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
pub struct IndependentBody {
    /// A flavor of es-flavors (its name or `flavor_id`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "ess.spec-4u8g")]
    pub flavor_ref: Option<String>,
    /// Members to add.
    #[serde(default, deserialize_with = "lenient::int", skip_serializing_if = "Option::is_none")]
    #[schema(example = 3)]
    pub node_size: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "HIGH")]
    pub volume_type: Option<String>,
    /// GB (40 if absent).
    #[serde(default, deserialize_with = "lenient::int", skip_serializing_if = "Option::is_none")]
    pub volume_size: Option<i64>,
}

/// `role/shrink`: `{"shrink": [{"type", "reducedNodeNum"}]}`.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct ShrinkRequest {
    pub shrink: Vec<RoleShrink>,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct RoleShrink {
    #[schema(example = "ess")]
    pub r#type: String,
    #[serde(rename = "reducedNodeNum")]
    pub reduced_node_num: i64,
}

/// `node/offline`: the members to retire, `shrink_nodes` (the SDK) or
/// `shrinkNodes` (the providers); `migrate_data` as a Boolean or a string.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct OfflineRequest {
    #[serde(alias = "shrinkNodes")]
    pub shrink_nodes: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub migrate_data: Option<serde_json::Value>,
}

/// `tags/action`: `{"action": "create"|"delete", "tags": [{"key", "value"}]}`.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct TagActionRequest {
    #[schema(example = "create")]
    pub action: String,
    pub tags: Vec<TagItem>,
}

/// A tag of a request; a delete needs only its key.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct TagItem {
    pub key: String,
    #[serde(default)]
    pub value: Option<String>,
}

/// `POST .../tags`: `{"tag": {"key", "value"}}`.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct CreateTagRequest {
    pub tag: ClusterTag,
}

/// `GET .../tags`.
#[derive(Debug, Serialize, ToSchema)]
pub struct TagList {
    pub tags: Vec<ClusterTag>,
}

/// `flavor` and `{types}/flavor`: the new flavor for every member of the
/// role. Field names camelCase (the providers, the docs) or snake_case (the
/// SDK since 3.1.155).
#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct FlavorRequest {
    /// The flavor's `flavor_id` from `GET /v1.0/{project_id}/es-flavors`, or its name.
    #[serde(rename = "newFlavorId", alias = "new_flavor_id")]
    pub new_flavor_id: String,
    /// `vm` (the default: a new flavor); `volume` (a new disk type) is not emulated.
    #[serde(default, rename = "operationType", alias = "operation_type", skip_serializing_if = "Option::is_none")]
    pub operation_type: Option<String>,
    /// Accepted: strato always restarts one member at a time.
    #[serde(default, rename = "needCheckReplica", alias = "need_check_replica", deserialize_with = "lenient::bool", skip_serializing_if = "Option::is_none")]
    pub need_check_replica: Option<bool>,
    #[serde(default, rename = "needCheckClusterStatus", alias = "need_check_cluster_status", deserialize_with = "lenient::bool", skip_serializing_if = "Option::is_none")]
    pub need_check_cluster_status: Option<bool>,
    #[serde(default, rename = "clusterLoadCheck", alias = "cluster_load_check", deserialize_with = "lenient::bool", skip_serializing_if = "Option::is_none")]
    pub cluster_load_check: Option<bool>,
    /// Accepted and ignored (pay-per-use only).
    #[serde(default, rename = "isAutoPay", alias = "is_auto_pay", deserialize_with = "lenient::int", skip_serializing_if = "Option::is_none")]
    pub is_auto_pay: Option<i64>,
}

/// `{"id": cluster id}`: `role_extend`'s answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClusterIdAnswer {
    pub id: Uuid,
}

// ---------------------------------------------------------------- responses

/// `{"error_code":"CSS.xxxx","error_msg":"...","errCode":"CSS.xxxx","externalMessage":"CSS.xxxx : ..."}`:
/// every refusal, whoever made it. CSS itself answers `errCode` /
/// `externalMessage` (what the Terraform providers match); the Python SDK reads
/// `error_code` / `error_msg`; both are given. The codes and their HTTP statuses
/// are listed in this schema's description (generated from `error::CODES`).
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    // In the order of their names (the text sorts its keys, as the seeds' bodies do).
    #[serde(rename = "errCode")]
    pub err_code: String,
    pub error_code: String,
    pub error_msg: String,
    #[serde(rename = "externalMessage")]
    pub external_message: String,
}

impl ErrorBody {
    pub fn new(code: &str, message: &str) -> ErrorBody {
        ErrorBody { error_code: code.into(), error_msg: message.into(), err_code: code.into(), external_message: format!("{code} : {message}") }
    }
}

/// The `cluster` of `CreateCluster`'s answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedClusterRef {
    #[schema(value_type = String, example = "6d0a2b5e-3c1f-4e7a-9b2d-0f1e2d3c4b5a")]
    pub id: Uuid,
    pub name: String,
}

/// `CreateCluster`: accepted; the cluster's `status` shows the progress.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedCluster {
    pub cluster: CreatedClusterRef,
}

/// `RestartCluster`: accepted, with the restart's job.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RestartAccepted {
    /// One job id, 32 hex digits.
    pub job_id: Vec<String>,
}

/// `DeleteCluster`: `{}`, accepted.
#[derive(Debug, Serialize, ToSchema)]
pub struct Empty {}

/// A cluster's or member's status: 100 in progress, 200 available, 303 unavailable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub enum Status {
    #[serde(rename = "100")]
    InProgress,
    #[serde(rename = "200")]
    Available,
    #[serde(rename = "303")]
    Unavailable,
}

/// What a cluster is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Action {
    Rebooting,
    /// Members being added (`extend`, `role_extend` with `nodesize`).
    Growing,
    /// Every member restarted in turn for a larger disk (`role_extend` with `disksize` only).
    ResizingVolume,
    /// Members being retired (`role/shrink`, `node/offline`); DWS's word, as CSS documents none.
    Shrinking,
}

/// The running action's progress, `"N%"`: at most one field, none when idle.
#[derive(Debug, Default, Serialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub struct ActionProgress {
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "40%")]
    pub creating: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub growing: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rebooting: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resizing_volume: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shrinking: Option<String>,
}

/// A member's kind: `ess` (a data node), `ess-master`, `ess-client`, `ess-cold`, or `lgs` (Logstash).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub enum MemberType {
    #[serde(rename = "ess")]
    Ess,
    #[serde(rename = "ess-master")]
    EssMaster,
    #[serde(rename = "ess-client")]
    EssClient,
    #[serde(rename = "ess-cold")]
    EssCold,
    #[serde(rename = "lgs")]
    Lgs,
}

impl MemberType {
    pub fn of(role: crate::core::roles::MemberRole, datastore: crate::core::search::Datastore) -> MemberType {
        use crate::core::roles::MemberRole;
        match role {
            MemberRole::Data if datastore == crate::core::search::Datastore::Logstash => MemberType::Lgs,
            MemberRole::Data => MemberType::Ess,
            MemberRole::Master => MemberType::EssMaster,
            MemberRole::Client => MemberType::EssClient,
            MemberRole::Cold => MemberType::EssCold,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MemberVolume {
    /// GB.
    pub size: u32,
    pub r#type: String,
}

/// One member of a cluster: one engine process.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Member {
    pub az_code: String,
    #[schema(value_type = String, example = "6d0a2b5e-3c1f-4e7a-9b2d-0f1e2d3c4b5a")]
    pub id: Uuid,
    /// The member's address.
    #[schema(example = "127.0.0.2")]
    pub ip: String,
    #[schema(example = "css-demo-ess-esn-1-1")]
    pub name: String,
    pub spec_code: String,
    pub status: Status,
    pub r#type: MemberType,
    pub volume: MemberVolume,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ClusterDatastore {
    /// `elasticsearch`, `opensearch` or `logstash`.
    pub r#type: String,
    #[schema(example = "7.10.2")]
    pub version: String,
}

/// Why a cluster failed to be created.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FailedReason {
    pub error_code: String,
    pub error_msg: String,
}

/// A cluster's tag.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct ClusterTag {
    pub key: String,
    pub value: String,
}

/// `ShowClusterDetail`, and each entry of `ListClustersDetails`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ClusterDetail {
    pub action_progress: ActionProgress,
    pub actions: Vec<Action>,
    pub authority_enable: bool,
    /// The snapshot function is on (`index_snapshot/setting` or `auto_setting`).
    pub backup_available: bool,
    /// The public bandwidth asked for, Mbit/s (0 without public access; recorded).
    pub bandwidth_size: u32,
    /// `YYYY-MM-DDTHH:MM:SS`, UTC.
    #[schema(example = "2024-05-01T12:00:00")]
    pub created: String,
    pub datastore: ClusterDatastore,
    pub desc: String,
    /// Always false.
    pub disk_encrypted: bool,
    /// The public white list while public access is open (`enableWhiteList` false: every client); else null.
    pub elb_white_list: Option<ElbWhiteList>,
    /// Every member's `ADDRESS:PORT`, comma-separated.
    #[schema(example = "127.0.0.2:9200,127.0.0.3:9200")]
    pub endpoint: String,
    /// Always `0`.
    pub enterprise_project_id: String,
    /// Only on a cluster whose creation failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failed_reason: Option<FailedReason>,
    pub https_enable: bool,
    #[schema(value_type = String, example = "6d0a2b5e-3c1f-4e7a-9b2d-0f1e2d3c4b5a")]
    pub id: Uuid,
    pub instances: Vec<Member>,
    pub name: String,
    /// Always false (pay-per-use).
    pub period: bool,
    /// While public access is open: strato's forwarder's `ADDRESS:PORT` (the first member's address, port + 1); else null.
    pub public_ip: Option<String>,
    /// Always null: strato runs no Kibana.
    #[schema(value_type = Option<Object>)]
    pub public_kibana_resp: Option<serde_json::Value>,
    pub security_group_id: String,
    pub status: Status,
    pub subnet_id: String,
    pub tags: Vec<ClusterTag>,
    /// `YYYY-MM-DDTHH:MM:SS`, UTC.
    pub updated: String,
    pub vpc_id: String,
}

/// `ListClustersDetails`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ClusterList {
    pub clusters: Vec<ClusterDetail>,
    /// Clusters matching, on every page.
    pub total_size: u64,
}

/// A flavor of every datastore version.
#[derive(Debug, Serialize, ToSchema)]
pub struct Flavor {
    /// The region's availability zones, comma-separated.
    #[serde(rename = "availableAZ")]
    pub available_az: String,
    pub cpu: u32,
    /// The disk sizes a member may have, `MIN,MAX` GB.
    #[schema(example = "40,2560")]
    pub diskrange: String,
    pub flavor_id: String,
    #[schema(example = "ess.spec-4u8g")]
    pub name: String,
    /// GB.
    pub ram: u32,
    pub region: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FlavorVersion {
    /// `elasticsearch`, `opensearch` or `logstash`.
    pub datastore: String,
    pub flavors: Vec<Flavor>,
    pub r#type: MemberType,
    #[schema(example = "7.10.2")]
    pub version: String,
}

/// `ListFlavors`: every datastore version and its flavors.
#[derive(Debug, Serialize, ToSchema)]
pub struct FlavorList {
    pub versions: Vec<FlavorVersion>,
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
            admin_password: c.admin_pwd,
            tags: c.tags.unwrap_or_default().into_iter().map(|t| crate::core::cluster::Tag { key: t.key, value: t.value }).collect(),
            public_access: None,
            backup: None,
            dedicated: vec![],
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
