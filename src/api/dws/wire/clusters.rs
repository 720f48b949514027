//! Cluster, job and node-type bodies.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{decode, decode_optional, malformed, parse, FailedReasons};
use crate::core::cluster::{PublicIp, Tag};
use crate::core::validate::CreateInput;
use crate::core::CoreError;

/// How the cluster is reached from outside; strato records it, it has no real EIPs.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct PublicIpSpec {
    /// `auto_assign`, `not_use` (the default) or `bind_existing` (else DWS.5038).
    #[schema(value_type = Option<String>, example = "not_use")]
    pub public_bind_type: Option<String>,
    /// The EIP to bind, required with `bind_existing`.
    #[schema(value_type = Option<String>)]
    pub eip_id: Option<String>,
}

impl From<PublicIpSpec> for PublicIp {
    fn from(p: PublicIpSpec) -> Self {
        PublicIp { public_bind_type: p.public_bind_type.unwrap_or_default(), eip_id: p.eip_id.unwrap_or_default() }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct ClusterTag {
    /// 1–128 characters, none of `=*<>\,|/`.
    pub key: String,
    /// At most 255 characters, none of `=*<>\,|/`.
    pub value: String,
}

impl From<ClusterTag> for Tag {
    fn from(t: ClusterTag) -> Self {
        Tag { key: t.key, value: t.value }
    }
}

impl From<&Tag> for ClusterTag {
    fn from(t: &Tag) -> Self {
        ClusterTag { key: t.key.clone(), value: t.value.clone() }
    }
}

/// Tags arrive as a list of `{key,value}` or (huaweicloudsdkdws v1) a single object.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(untagged)]
pub enum Tags {
    List(Vec<ClusterTag>),
    One(ClusterTag),
}

/// The cluster `CreateCluster` makes (at most 20 tags, DWS.5194).
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
pub struct ClusterSpec {
    /// 4–64 letters, digits, `-` and `_`, a letter first, unique in the project (DWS.5057, DWS.5050).
    #[schema(value_type = String, required = true, example = "dws-demo")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// A `spec_name` of `ListNodeTypes` (else DWS.5006).
    #[schema(value_type = String, required = true, example = "dws.m3.xlarge")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node_type: Option<String>,
    /// Data nodes, from the server's minimum (`--min-nodes`, default 3) to 256 (else DWS.5091).
    #[schema(value_type = i64, required = true, example = 3)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number_of_node: Option<i64>,
    /// Coordinator nodes, 2 to min(`number_of_node`, 20), default min(3, that) (else DWS.5038).
    #[schema(value_type = Option<i64>, example = 3)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number_of_cn: Option<i64>,
    /// 8000–30000, default 8000 (else DWS.5038).
    #[schema(value_type = Option<i64>, example = 8000)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<i64>,
    /// The administrator: 1–63 lowercase letters, digits and `_`, not a reserved word (else DWS.5001).
    #[schema(value_type = String, required = true, example = "dbadmin")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_name: Option<String>,
    /// 12–32 characters of three of upper case, lower case, digits and specials, not the user name (else DWS.5013).
    #[schema(value_type = String, required = true, example = "Secret-Passw0rd!")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_pwd: Option<String>,
    /// Recorded, not checked; required (else DWS.5014).
    #[schema(value_type = String, required = true, example = "vpc-1")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vpc_id: Option<String>,
    /// Recorded, not checked; required (else DWS.5015).
    #[schema(value_type = String, required = true, example = "subnet-1")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subnet_id: Option<String>,
    /// Recorded, not checked; required (else DWS.5016).
    #[schema(value_type = String, required = true, example = "sg-1")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub security_group_id: Option<String>,
    /// One of the server's zones (`--zones`), default its first (else DWS.5011).
    #[schema(value_type = Option<String>, example = "eu-de-01")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub availability_zone: Option<String>,
    #[schema(value_type = Option<PublicIpSpec>)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_ip: Option<PublicIpSpec>,
    /// Recorded; default `0`.
    #[schema(value_type = Option<String>)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enterprise_project_id: Option<String>,
    #[schema(value_type = Option<Tags>)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<Tags>,
}

/// The body of `CreateCluster`. The flat form (the cluster's fields at the
/// top level, as some scripts send) is accepted too.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct CreateClusterRequest {
    pub cluster: ClusterSpec,
}

/// `{"cluster": {...}}` as the SDKs send it, or the flat object seed 004's curl sends.
pub fn create_input(body: &[u8]) -> Result<CreateInput, CoreError> {
    let value = parse(body)?;
    let spec: ClusterSpec = match value.get("cluster") {
        Some(Value::Object(_)) => crate::api::decode_value::<CreateClusterRequest>(value).map_err(malformed)?.cluster,
        _ if value.is_object() => crate::api::decode_value(value).map_err(malformed)?,
        _ => return Err(CoreError::MalformedBody("expected a JSON object".into())),
    };
    Ok(CreateInput {
        name: spec.name,
        node_type: spec.node_type,
        number_of_node: spec.number_of_node,
        number_of_cn: spec.number_of_cn,
        port: spec.port,
        user_name: spec.user_name,
        user_pwd: spec.user_pwd,
        vpc_id: spec.vpc_id,
        subnet_id: spec.subnet_id,
        security_group_id: spec.security_group_id,
        availability_zone: spec.availability_zone,
        public_ip: spec.public_ip.map(Into::into),
        enterprise_project_id: spec.enterprise_project_id,
        volume: None,
        tags: match spec.tags {
            None => vec![],
            Some(Tags::List(l)) => l.into_iter().map(Into::into).collect(),
            Some(Tags::One(t)) => vec![t.into()],
        },
    })
}

/// The body of `RestartCluster`: `{"restart": {}}`, the object must be there as the API documents.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct RestartClusterRequest {
    /// Empty: restart takes no options.
    #[schema(value_type = Object)]
    pub restart: Map<String, Value>,
}

pub fn restart_body(body: &[u8]) -> Result<(), CoreError> {
    decode::<RestartClusterRequest>(body).map(|_| ())
}

/// The optional body of `DeleteCluster`.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct DeleteClusterRequest {
    /// Manual snapshots of the cluster to keep, newest first; the rest are deleted with it. Default: all are kept.
    #[schema(value_type = Option<u64>, minimum = 0)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub keep_last_manual_snapshot: Option<u64>,
}

/// An empty body is no options; a body that is JSON but not an object is malformed.
pub fn delete_body(body: &[u8]) -> Result<Option<u32>, CoreError> {
    let b: DeleteClusterRequest = decode_optional(body)?;
    Ok(b.keep_last_manual_snapshot.map(|n| u32::try_from(n).unwrap_or(u32::MAX)))
}

/// `{"id": ...}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClusterRef {
    pub id: Uuid,
}

/// `CreateCluster` and `RestoreCluster`: the new cluster and the job making it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClusterCreated {
    pub cluster: ClusterRef,
    pub job_id: Uuid,
}

/// `StopCluster` and `StartCluster`: accepted; poll `ListJobDetails` with the job id.
#[derive(Debug, Serialize, ToSchema)]
pub struct JobAccepted {
    /// Always null.
    #[schema(value_type = Option<String>)]
    pub error_code: Option<String>,
    /// Always null.
    #[schema(value_type = Option<String>)]
    pub error_msg: Option<String>,
    pub job_id: Uuid,
}

/// A cluster's status: what its job or its processes are doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub enum ClusterStatus {
    #[serde(rename = "CREATING")]
    Creating,
    #[serde(rename = "CREATION FAILED")]
    CreationFailed,
    #[serde(rename = "AVAILABLE")]
    Available,
    #[serde(rename = "UNAVAILABLE")]
    Unavailable,
    #[serde(rename = "STOPPED")]
    Stopped,
    #[serde(rename = "DELETING")]
    Deleting,
    #[serde(rename = "DELETED")]
    Deleted,
}

/// Set while `AVAILABLE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SubStatus {
    Normal,
    Degraded,
}

/// The user task running on the cluster, or the one that failed last (`*_FAILURE`, `*_FAILED`) until the next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TaskStatus {
    Rebooting,
    Stopping,
    Starting,
    Snapshotting,
    Restoring,
    Resizing,
    /// Applying settings (the timezone) to every node.
    SettingConfiguration,
    /// Scaling out (`resize`).
    Growing,
    /// Scaling in (`cluster-shrink`).
    ClusterShrinking,
    /// The last restart failed.
    RebootFailure,
    /// The last scale-out failed; its new nodes were retired.
    ResizeFailure,
    /// The last scale-in failed.
    ClusterShrinkFailed,
}

/// A node: `100` starting, `200` ready, `300` down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub enum NodeStatus {
    #[serde(rename = "100")]
    Starting,
    #[serde(rename = "200")]
    Ready,
    #[serde(rename = "300")]
    Down,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Endpoint {
    /// `ADDRESS:PORT` of a node.
    #[schema(example = "127.10.0.1:8000")]
    pub connect_info: String,
    #[schema(example = "jdbc:postgresql://127.10.0.1:8000/gaussdb")]
    pub jdbc_url: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PublicEndpoint {
    pub public_connect_info: String,
    pub jdbc_url: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ClusterNode {
    pub id: Uuid,
    pub name: String,
    pub status: NodeStatus,
}

/// A weekly window (UTC): `day` `Mon`..`Sun`, `start_time`/`end_time` `HH:MM` (else DWS.5038).
#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct MaintainWindow {
    #[schema(example = "Wed")]
    pub day: String,
    #[schema(example = "22:00")]
    pub start_time: String,
    #[schema(example = "02:00")]
    pub end_time: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ParameterGroup {
    pub id: String,
    pub name: String,
    pub status: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PublicIpView {
    pub public_bind_type: String,
    pub eip_id: String,
}

/// A cluster as `ListClusterDetails` (and each entry of a list) shows it:
/// every field the SDKs' response models declare.
#[derive(Debug, Serialize, ToSchema)]
pub struct Cluster {
    pub id: Uuid,
    pub name: String,
    pub status: ClusterStatus,
    pub sub_status: Option<SubStatus>,
    pub task_status: Option<TaskStatus>,
    /// The running task and its percent done, `{"CREATING": "40%"}`; empty when none runs.
    pub action_progress: BTreeMap<String, String>,
    #[schema(example = "1.1.0")]
    pub version: String,
    /// ISO 8601, UTC.
    #[schema(example = "2024-05-01T12:00:00")]
    pub created: String,
    pub updated: String,
    pub port: u16,
    pub endpoints: Vec<Endpoint>,
    pub public_endpoints: Vec<PublicEndpoint>,
    pub nodes: Vec<ClusterNode>,
    pub private_ip: Vec<String>,
    pub number_of_node: u32,
    pub number_of_cn: u32,
    pub node_type: String,
    pub node_type_id: String,
    pub availability_zone: String,
    pub region: String,
    pub vpc_id: String,
    pub subnet_id: String,
    pub security_group_id: String,
    pub user_name: String,
    pub public_ip: PublicIpView,
    /// Events of the last day.
    pub recent_event: usize,
    pub tags: Vec<ClusterTag>,
    pub enterprise_project_id: String,
    pub maintain_window: MaintainWindow,
    pub parameter_group: ParameterGroup,
    /// The description (`SaveClusterDescriptionInfo`); empty until set.
    pub cluster_description_info: String,
    /// Each node's disk (recorded: the create's `volume`, grown by `ExpandInstanceStorage`).
    pub volume: VolumeView,
    /// Every node's PostgreSQL `timezone` (`ModifyClusterTimezone`).
    #[schema(example = "UTC")]
    pub cluster_timezone: String,
    /// Why the last task failed; null otherwise.
    pub failed_reasons: Option<FailedReasons>,
    /// The scale task running on the cluster; null when none runs.
    pub resize_info: Option<ResizeInfo>,
    /// Always null: strato has no orders (pay-per-use only).
    #[schema(value_type = Option<String>)]
    pub order_id: Option<String>,
    /// The load balancer bound (`AssociateElb`); null when none is.
    pub elb: Option<ElbView>,
}

/// A bound ELB: strato serves it as a forwarder to the primary at `private_endpoint`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ElbView {
    pub id: String,
    pub name: String,
    /// Null: strato's ELB has no address of its own beyond `private_ip`.
    #[schema(value_type = Option<String>)]
    pub public_ip: Option<String>,
    pub private_ip: String,
    #[schema(example = "127.10.0.1:8002")]
    pub private_endpoint: String,
    pub vpc_id: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VolumeView {
    /// The disk type: `SSD`, `SAS`, `LOCAL_DISK`, ...
    pub volume: String,
    /// GB per node.
    pub capacity: u32,
}

/// A running scale task: the node counts before and after.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResizeInfo {
    pub target_node_num: u32,
    pub origin_node_num: u32,
    /// `GROWING` or `CLUSTER_SHRINKING`.
    pub resize_status: TaskStatus,
    /// ISO 8601, UTC.
    pub start_time: String,
}

/// `ListClusterDetails`.
#[derive(Debug, Serialize, ToSchema)]
pub struct OneCluster {
    pub cluster: Cluster,
}

/// `ListClusters` and `ShowClusters`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClusterList {
    pub clusters: Vec<Cluster>,
    pub count: usize,
}

/// INIT, WAITING, RUNNING, FAIL, SUCCESS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum JobStatus {
    Init,
    Waiting,
    Running,
    Fail,
    Success,
}

/// `ListJobDetails`.
#[derive(Debug, Serialize, ToSchema)]
pub struct JobDetail {
    pub job_id: Uuid,
    /// What the job does: `create_cluster`, `restart_cluster`, `stop_cluster`, `start_cluster`, `delete_cluster`,
    /// `create_snapshot`, `restore_cluster`, `delete_snapshot`, ...
    #[schema(example = "create_cluster")]
    pub job_name: String,
    /// ISO 8601, UTC; null until the job starts.
    pub begin_time: Option<String>,
    /// ISO 8601, UTC; null until the job ends.
    pub end_time: Option<String>,
    pub status: JobStatus,
    #[schema(example = "40%")]
    pub progress: String,
    /// The failure's code, when the job failed.
    pub failed_code: Option<String>,
    pub failed_detail: Option<String>,
}

/// One line of a node type's detail: `vCPU`, the disk type, or `mem`.
#[derive(Debug, Serialize, ToSchema)]
pub struct NodeTypeDetail {
    #[serde(rename = "type")]
    pub kind: String,
    pub value: String,
    /// `GB` for the disk and memory lines; absent for `vCPU`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
}

/// `ListNodeTypesV1`, an entry.
#[derive(Debug, Serialize, ToSchema)]
pub struct NodeTypeV1 {
    #[schema(example = "dws.m3.xlarge")]
    pub spec_name: String,
    pub id: String,
    pub detail: Vec<NodeTypeDetail>,
}

/// `ListNodeTypesV1`.
#[derive(Debug, Serialize, ToSchema)]
pub struct NodeTypesV1 {
    pub node_types: Vec<NodeTypeV1>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AvailableZone {
    pub code: String,
    /// Always `normal`.
    pub status: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CnRange {
    pub min_cn: u32,
    pub max_cn: u32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NodeTypeDatastore {
    pub version: String,
    pub attachments: CnRange,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NodeTypeVolume {
    #[serde(rename = "type")]
    pub kind: String,
    /// GB.
    pub size: u32,
}

/// `ListNodeTypes`, an entry.
#[derive(Debug, Serialize, ToSchema)]
pub struct NodeType {
    #[schema(example = "dws.m3.xlarge")]
    pub spec_name: String,
    pub id: String,
    pub datastore_type: String,
    pub architecture: String,
    pub available_zones: Vec<AvailableZone>,
    /// GB.
    pub ram: u32,
    pub vcpus: u32,
    pub datastores: Vec<NodeTypeDatastore>,
    pub volume: NodeTypeVolume,
    pub detail: Vec<NodeTypeDetail>,
}

/// `ListNodeTypes`.
#[derive(Debug, Serialize, ToSchema)]
pub struct NodeTypes {
    pub node_types: Vec<NodeType>,
    pub count: usize,
}
