//! Bodies of the recorded attributes: tags (`BatchCreateResourceTag`,
//! `BatchDeleteResourceTag`, `ListClusterTags`) and the description
//! (`SaveClusterDescriptionInfo`).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{decode, ClusterTag};
use crate::core::cluster::Tag;
use crate::core::CoreError;

/// `{"tags": [{"key", "value"}]}`: added, or replacing the values of the tags with those keys.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct BatchCreateTagsRequest {
    pub tags: Vec<ClusterTag>,
}

/// `{"tags": [{"key", "value"?}]}`: the tags with those keys go (a value, when given, must match).
#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct BatchDeleteTagsRequest {
    pub tags: Vec<TagToDelete>,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct TagToDelete {
    pub key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

/// `{"tag": {"key", "value"}}`: the one-tag create of the OTC API (`POST .../tags`).
#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct CreateTagRequest {
    pub tag: ClusterTag,
}

/// `{"action": "create"|"delete", "tags": [...]}`: the OTC API's batch (`POST .../tags/action`).
#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct TagActionRequest {
    #[schema(example = "create")]
    pub action: String,
    pub tags: Vec<TagToDelete>,
}

/// What a `tags/action` body asks for.
pub enum TagAction {
    Create(Vec<Tag>),
    Delete(Vec<(String, Option<String>)>),
}

pub fn tag_action(body: &[u8]) -> Result<TagAction, CoreError> {
    let r: TagActionRequest = decode(body)?;
    match r.action.as_str() {
        "create" => Ok(TagAction::Create(r.tags.into_iter().map(|t| Tag { key: t.key, value: t.value.unwrap_or_default() }).collect())),
        "delete" => Ok(TagAction::Delete(r.tags.into_iter().map(|t| (t.key, t.value)).collect())),
        other => Err(CoreError::invalid(crate::core::error::Field::Tags, format!("`action` must be create or delete, not `{other}`"))),
    }
}

pub fn tag_to_create(body: &[u8]) -> Result<Tag, CoreError> {
    decode::<CreateTagRequest>(body).map(|r| r.tag.into())
}

/// `ListClusterTags`.
#[derive(Debug, Serialize, ToSchema)]
pub struct TagList {
    pub tags: Vec<ClusterTag>,
}

/// `{"description_info": "..."}`.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct DescriptionRequest {
    /// At most 256 characters, no control characters (else DWS.5038).
    pub description_info: String,
}

/// `{"error_code": "DWS.0000", "error_msg": null}`: done.
#[derive(Debug, Serialize, ToSchema)]
pub struct Done {
    #[schema(example = "DWS.0000")]
    pub error_code: String,
    #[schema(value_type = Option<String>)]
    pub error_msg: Option<String>,
}

impl Done {
    pub fn new() -> Done {
        Done { error_code: "DWS.0000".into(), error_msg: None }
    }
}

/// `{"security_groups": ["id", ...]}`: the first becomes `security_group_id`.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct SecurityGroupsRequest {
    pub security_groups: Vec<String>,
}

/// `ListAvailabilityZones`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ZoneList {
    pub availability_zones: Vec<Zone>,
    pub count: usize,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Zone {
    #[schema(example = "eu-de-01")]
    pub code: String,
    pub name: String,
    /// `available`.
    pub status: String,
    /// `center`.
    pub public_border_group: String,
}

/// `ListClusterNodes`.
#[derive(Debug, Serialize, ToSchema)]
pub struct NodeList {
    pub node_list: Vec<NodeInfo>,
    pub count: usize,
    /// Nodes whose process is down.
    pub failed_count: usize,
}

/// One node, as its process is doing now.
#[derive(Debug, Serialize, ToSchema)]
pub struct NodeInfo {
    pub id: uuid::Uuid,
    pub name: String,
    /// `ACTIVE` (accepting connections), `CREATING` (starting), `FAILED` (no process), `STOPPED`.
    #[schema(example = "ACTIVE")]
    pub status: String,
    /// `INITED` when ACTIVE, else `PREPARED`.
    pub sub_status: String,
    /// The node type.
    pub spec: String,
    /// `NODE`.
    pub inst_create_type: String,
    pub alias_name: String,
    pub az_code: String,
}

/// `{"cluster_name": "..."}`.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct RenameRequest {
    /// 4–64 letters, digits, `-` and `_`, a letter first, free in the project (DWS.5057, DWS.5050).
    #[schema(example = "dws-renamed")]
    pub cluster_name: String,
}

pub fn rename_body(body: &[u8]) -> Result<String, CoreError> {
    decode::<RenameRequest>(body).map(|r| r.cluster_name)
}

/// `{"new_size": GB}`.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct ExpandStorageRequest {
    /// GB per node, larger than now, up to 32768 (else DWS.5038).
    #[schema(example = 200)]
    pub new_size: i64,
}

pub fn expand_body(body: &[u8]) -> Result<i64, CoreError> {
    decode::<ExpandStorageRequest>(body).map(|r| r.new_size)
}

pub fn maintain_window_body(body: &[u8]) -> Result<super::MaintainWindow, CoreError> {
    decode::<super::MaintainWindow>(body)
}

pub fn security_groups_body(body: &[u8]) -> Result<Vec<String>, CoreError> {
    decode::<SecurityGroupsRequest>(body).map(|r| r.security_groups)
}

pub fn tags_to_add(body: &[u8]) -> Result<Vec<Tag>, CoreError> {
    decode::<BatchCreateTagsRequest>(body).map(|r| r.tags.into_iter().map(Into::into).collect())
}

pub fn tags_to_delete(body: &[u8]) -> Result<Vec<(String, Option<String>)>, CoreError> {
    decode::<BatchDeleteTagsRequest>(body).map(|r| r.tags.into_iter().map(|t| (t.key, t.value)).collect())
}

pub fn description_body(body: &[u8]) -> Result<String, CoreError> {
    decode::<DescriptionRequest>(body).map(|r| r.description_info)
}
