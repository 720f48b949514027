//! The tag API over Elasticsearch and Logstash instances (`/openapi/tags`).
//! Lists in the query (`ResourceIds`, `TagKeys`, `Tags`) are JSON strings, as
//! the SDK sends them; a comma-separated list is taken as well.

use axum::extract::{Query, State};
use axum::{Extension, Json};
use serde::de::DeserializeOwned;
use uuid::Uuid;

use super::instances::{account, reply, Answer, Params, Result};
use super::openapi::TAG_TAGS;
use super::wire::{self, ErrorBody, KeyValue, ListTagResourcesReply, Reply, TagPair, TagResource, TagResourceList, TagResourcesRequest, TotalCount};
use super::{render, request_id};
use crate::api::auth::RawBody;
use crate::api::Ctx;
use crate::auth::Principal;
use crate::core::cluster::{Product, Tag};
use crate::core::error::Field;
use crate::core::CoreError;
use crate::store::ClusterQuery;

type Caller = Extension<Principal>;
type Body = Extension<RawBody>;

const RESOURCE_TYPE: &str = "ALIYUN::ELASTICSEARCH::INSTANCE";
const MAX: usize = 20;
const PRODUCTS: [Product; 2] = [Product::AliyunElasticsearch, Product::AliyunLogstash];

fn invalid(m: impl Into<String>) -> CoreError {
    CoreError::invalid(Field::Tags, m)
}

/// The product and UUID an instance id names (`es-cn-…` or `ls-cn-…`).
fn instance(id: &str) -> std::result::Result<(Product, Uuid), CoreError> {
    PRODUCTS
        .into_iter()
        .find_map(|p| render::parse_instance_id(p, id.trim()).map(|u| (p, u)))
        .ok_or_else(|| CoreError::ClusterNotFound(id.to_string()))
}

fn resource_type(t: Option<&str>) -> std::result::Result<(), CoreError> {
    match t.map(str::trim) {
        Some(t) if t.eq_ignore_ascii_case("INSTANCE") => Ok(()),
        Some(t) => Err(invalid(format!("ResourceType must be INSTANCE, got `{t}`"))),
        None => Err(invalid("ResourceType is required (INSTANCE)")),
    }
}

/// A list in the query: a JSON array string, or comma-separated values.
fn query_list<T: DeserializeOwned>(q: &Params, key: &str, plain: impl Fn(&str) -> T) -> std::result::Result<Vec<T>, CoreError> {
    let Some(v) = q.get(key).map(|v| v.trim()).filter(|v| !v.is_empty()) else { return Ok(vec![]) };
    if v.starts_with('[') {
        return serde_json::from_str(v).map_err(|e| invalid(format!("{key} must be a JSON array: {e}")));
    }
    Ok(v.split(',').map(str::trim).filter(|s| !s.is_empty()).map(plain).collect())
}

fn bounded<T>(items: Vec<T>, what: &str) -> std::result::Result<Vec<T>, CoreError> {
    if items.is_empty() || items.len() > MAX {
        return Err(invalid(format!("{what} must name 1 to {MAX}, got {}", items.len())));
    }
    Ok(items)
}

/// The instances named, each checked to exist in the caller's account before any is changed.
async fn named(ctx: &Ctx, project: &str, ids: &[String]) -> Result<Vec<(Product, Uuid, Vec<Tag>)>> {
    let mut out = Vec::new();
    for id in ids {
        let (product, uuid) = instance(id)?;
        let view = ctx.app.show(project, uuid, product).await?;
        out.push((product, uuid, view.cluster.spec.search().map(|s| s.tags.clone()).unwrap_or_default()));
    }
    Ok(out)
}

#[utoipa::path(
    post, path = "/openapi/tags", operation_id = "TagResources", tag = TAG_TAGS,
    summary = "Tag instances",
    description = "Adds `Tags` (`{key, value}`) to every instance of `ResourceIds` (1-20 each); a key an instance has \
        takes the new value. Every instance must exist and every tag pass Alibaba's rules before any is tagged.",
    request_body = TagResourcesRequest,
    responses(
        (status = 200, description = "Tagged.", body = Reply<bool>),
        (status = 400, description = "An invalid tag or request (InvalidParameter), an unknown instance (InstanceNotFound), a busy one (InstanceActivating), or a signature refusal.", body = ErrorBody),
    ),
)]
pub async fn tag(State(ctx): State<Ctx>, Extension(caller): Caller, Extension(RawBody(body)): Body) -> Answer<bool> {
    let project = account(&ctx, &caller).await?;
    let b: TagResourcesRequest = wire::decode(&body)?;
    resource_type(b.resource_type.as_deref())?;
    let ids = bounded(b.resource_ids.unwrap_or_default(), "ResourceIds")?;
    let add: Vec<Tag> = bounded(b.tags.unwrap_or_default(), "Tags")?
        .into_iter()
        .map(|KeyValue { key, value }| Tag { key: key.unwrap_or_default(), value: value.unwrap_or_default() })
        .collect();
    let targets = named(&ctx, &project, &ids).await?;
    for (product, _, current) in &targets {
        crate::core::tags::added(*product, current, &add)?;
    }
    for (product, uuid, _) in targets {
        ctx.app.add_search_tags(&project, uuid, product, add.clone()).await?;
    }
    Ok(reply(true))
}

#[utoipa::path(
    delete, path = "/openapi/tags", operation_id = "UntagResources", tag = TAG_TAGS,
    summary = "Remove tags from instances",
    description = "Removes `TagKeys` from every instance of `ResourceIds` (keys an instance lacks are ignored); with no \
        `TagKeys` and `All=true`, every tag; with neither, nothing.",
    params(
        ("ResourceIds" = String, Query, description = "A JSON array of 1-20 instance ids."),
        ("ResourceType" = String, Query, description = "`INSTANCE`."),
        ("TagKeys" = Option<String>, Query, description = "A JSON array of up to 20 keys."),
        ("All" = Option<bool>, Query, description = "With no `TagKeys`: remove every tag."),
    ),
    responses(
        (status = 200, description = "Removed.", body = Reply<bool>),
        (status = 400, description = "An invalid request (InvalidParameter), an unknown instance (InstanceNotFound), a busy one (InstanceActivating), or a signature refusal.", body = ErrorBody),
    ),
)]
pub async fn untag(State(ctx): State<Ctx>, Extension(caller): Caller, Query(q): Query<Params>) -> Answer<bool> {
    let project = account(&ctx, &caller).await?;
    resource_type(q.get("ResourceType").map(String::as_str))?;
    let ids = bounded(query_list(&q, "ResourceIds", str::to_string)?, "ResourceIds")?;
    let keys: Vec<String> = query_list(&q, "TagKeys", str::to_string)?;
    if keys.len() > MAX {
        return Err(invalid(format!("TagKeys names at most {MAX} keys")).into());
    }
    let all = match q.get("All").map(|a| a.trim().to_ascii_lowercase()) {
        None => false,
        Some(a) if a == "true" => true,
        Some(a) if a == "false" => false,
        Some(a) => return Err(invalid(format!("All must be true or false, got `{a}`")).into()),
    };
    for (product, uuid, current) in named(&ctx, &project, &ids).await? {
        let remove = if !keys.is_empty() { keys.clone() } else if all { current.iter().map(|t| t.key.clone()).collect() } else { vec![] };
        if !remove.is_empty() {
            ctx.app.remove_search_tags(&project, uuid, product, remove, false).await?;
        }
    }
    Ok(reply(true))
}

#[utoipa::path(
    get, path = "/openapi/tags", operation_id = "ListTagResources", tag = TAG_TAGS,
    summary = "List instances' tags",
    description = "The tags of the instances of `ResourceIds`, or of the account's instances having every tag of \
        `Tags`; one of them is required. Not wrapped in `Result`.",
    params(
        ("ResourceType" = String, Query, description = "`INSTANCE`."),
        ("ResourceIds" = Option<String>, Query, description = "A JSON array of up to 20 instance ids."),
        ("Tags" = Option<String>, Query, description = "A JSON array of `{key, value}` (up to 20): instances having them all."),
        ("NextToken" = Option<String>, Query, description = "Accepted; every tag is on the one page."),
    ),
    responses(
        (status = 200, description = "The tags.", body = ListTagResourcesReply),
        (status = 400, description = "An invalid request (InvalidParameter), an unknown instance (InstanceNotFound), or a signature refusal.", body = ErrorBody),
    ),
)]
pub async fn list(State(ctx): State<Ctx>, Extension(caller): Caller, Query(q): Query<Params>) -> Result<Json<ListTagResourcesReply>> {
    let project = account(&ctx, &caller).await?;
    resource_type(q.get("ResourceType").map(String::as_str))?;
    let ids: Vec<String> = query_list(&q, "ResourceIds", str::to_string)?;
    let wanted: Vec<KeyValue> = query_list(&q, "Tags", |k| KeyValue { key: Some(k.to_string()), value: None })?;
    if ids.len() > MAX || wanted.len() > MAX || (ids.is_empty() && wanted.is_empty()) {
        return Err(invalid(format!("give ResourceIds or Tags (up to {MAX} each)")).into());
    }
    let tagged: Vec<(String, Vec<Tag>)> = if ids.is_empty() {
        let mut all = Vec::new();
        for product in PRODUCTS {
            let (views, _) = ctx.app.page(&project, product, &ClusterQuery::default()).await?;
            all.extend(views.iter().filter_map(|v| Some((render::instance_id(product, v.cluster.id), v.cluster.spec.search()?.tags.clone()))));
        }
        all
    } else {
        named(&ctx, &project, &ids).await?.into_iter().map(|(p, u, tags)| (render::instance_id(p, u), tags)).collect()
    };
    let has = |tags: &[Tag], w: &KeyValue| tags.iter().any(|t| Some(&t.key) == w.key.as_ref() && w.value.as_ref().is_none_or(|v| *v == t.value));
    let resources: Vec<TagResource> = tagged
        .into_iter()
        .filter(|(_, tags)| wanted.iter().all(|w| has(tags, w)))
        .flat_map(|(id, tags)| {
            tags.into_iter().map(move |t| TagResource { resource_id: id.clone(), resource_type: RESOURCE_TYPE.into(), tag_key: t.key, tag_value: t.value })
        })
        .collect();
    let total = resources.len() as u64;
    Ok(Json(ListTagResourcesReply {
        headers: TotalCount { total },
        page_size: total,
        request_id: request_id(),
        tag_resources: TagResourceList { tag_resource: resources },
    }))
}

#[utoipa::path(
    get, path = "/openapi/tags/all-tags", operation_id = "ListTags", tag = TAG_TAGS,
    summary = "List the account's tags",
    description = "Every distinct key and value on the account's instances, sorted.",
    params(
        ("resourceType" = Option<String>, Query, description = "`INSTANCE`."),
        ("pageSize" = Option<u32>, Query, minimum = 1, maximum = 50, description = "At most this many (20 by default)."),
    ),
    responses(
        (status = 200, description = "The tags.", body = Reply<Vec<TagPair>>),
        (status = 400, description = "An invalid request (InvalidParameter), or a signature refusal.", body = ErrorBody),
    ),
)]
pub async fn all(State(ctx): State<Ctx>, Extension(caller): Caller, Query(q): Query<Params>) -> Answer<Vec<TagPair>> {
    let project = account(&ctx, &caller).await?;
    if let Some(t) = q.get("resourceType") {
        resource_type(Some(t))?;
    }
    let size = match q.get("pageSize") {
        None => 20,
        Some(v) => v.trim().parse::<usize>().ok().filter(|n| (1..=50).contains(n)).ok_or_else(|| invalid(format!("pageSize must be 1 to 50, got `{v}`")))?,
    };
    let mut pairs = std::collections::BTreeSet::new();
    for product in PRODUCTS {
        let (views, _) = ctx.app.page(&project, product, &ClusterQuery::default()).await?;
        for s in views.iter().filter_map(|v| v.cluster.spec.search()) {
            pairs.extend(s.tags.iter().map(|t| TagPair { tag_key: t.key.clone(), tag_value: t.value.clone() }));
        }
    }
    Ok(reply(pairs.into_iter().take(size).collect()))
}
