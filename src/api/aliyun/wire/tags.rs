//! The tag API (`/openapi/tags`): TagResources, UntagResources,
//! ListTagResources, ListTags. Unlike the instance APIs, its fields are
//! PascalCase and tags in requests are `{key, value}`.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::TotalCount;

/// `{key, value}`: a tag as TagResources takes it.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct KeyValue {
    pub key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

/// `POST /openapi/tags`.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct TagResourcesRequest {
    /// 1–20 instance ids.
    #[schema(example = json!(["es-cn-0f1e2d3c4b5a69788796a5b4c3d2e1f0"]))]
    pub resource_ids: Option<Vec<String>>,
    /// `INSTANCE`.
    #[schema(example = "INSTANCE")]
    pub resource_type: Option<String>,
    /// 1–20 tags.
    pub tags: Option<Vec<KeyValue>>,
}

/// One tag of one resource.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct TagResource {
    pub resource_id: String,
    /// Always `ALIYUN::ELASTICSEARCH::INSTANCE`.
    #[schema(example = "ALIYUN::ELASTICSEARCH::INSTANCE")]
    pub resource_type: String,
    pub tag_key: String,
    pub tag_value: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TagResourceList {
    #[serde(rename = "TagResource")]
    pub tag_resource: Vec<TagResource>,
}

/// `ListTagResources`: not wrapped in `Result`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct ListTagResourcesReply {
    pub headers: TotalCount,
    pub page_size: u64,
    pub request_id: String,
    pub tag_resources: TagResourceList,
}

/// One distinct tag of the account (`ListTags`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct TagPair {
    pub tag_key: String,
    pub tag_value: String,
}
