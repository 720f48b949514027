//! What the Elasticsearch (`elasticsearch.rs`) and Logstash (`logstash.rs`)
//! handlers share: each operation once, generic over the product's `Kind`.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue};
use axum::Json;
use serde::de::DeserializeOwned;
use serde::Serialize;
use uuid::Uuid;

use super::wire::{self, Ack, CreatedInstance, ElasticsearchInstance, InstanceStatus, ListReply, LogstashInstance, Reply, TotalCount};
use super::{render, request_id, tokens, AliError};
use crate::api::Ctx;
use crate::app::{ClusterView, SearchChange};
use crate::auth::{AuthError, Principal};
use crate::core::cluster::{Product, Tag};
use crate::core::roles::MemberRole;
use crate::core::search::{validate_aliyun, AliyunCreateInput};
use crate::core::CoreError;
use crate::store::ClusterQuery;

pub type Result<T> = std::result::Result<T, AliError>;
pub type Answer<T> = Result<Json<Reply<T>>>;
pub type Params = BTreeMap<String, String>;

/// What differs between the products: their instances' wire type.
pub trait Kind {
    const PRODUCT: Product;
    type Instance: Serialize + DeserializeOwned + Send + Sync + 'static;
    fn render(v: &ClusterView) -> std::result::Result<Self::Instance, CoreError>;
    fn status(i: &Self::Instance) -> InstanceStatus;
}

pub struct Elasticsearch;
pub struct Logstash;

impl Kind for Elasticsearch {
    const PRODUCT: Product = Product::AliyunElasticsearch;
    type Instance = ElasticsearchInstance;
    fn render(v: &ClusterView) -> std::result::Result<ElasticsearchInstance, CoreError> {
        render::elasticsearch(v)
    }
    fn status(i: &ElasticsearchInstance) -> InstanceStatus {
        i.status
    }
}

impl Kind for Logstash {
    const PRODUCT: Product = Product::AliyunLogstash;
    type Instance = LogstashInstance;
    fn render(v: &ClusterView) -> std::result::Result<LogstashInstance, CoreError> {
        render::logstash(v)
    }
    fn status(i: &LogstashInstance) -> InstanceStatus {
        i.status
    }
}

/// The project an access key acts in: its user's first project (Alibaba
/// accounts have no project in the path).
pub(super) async fn account(ctx: &Ctx, caller: &Principal) -> Result<String> {
    let projects = ctx.identity.projects_of(caller).await?;
    projects.first().map(|p| p.id.clone()).ok_or(AliError::Auth(AuthError::BadScope))
}

/// The caller's project and the instance `id` names in it.
pub(super) async fn target(ctx: &Ctx, caller: &Principal, product: Product, id: &str) -> Result<(String, Uuid)> {
    let project = account(ctx, caller).await?;
    let uuid = render::parse_instance_id(product, id).ok_or_else(|| CoreError::ClusterNotFound(id.to_string()))?;
    Ok((project, uuid))
}

fn client_token(q: &Params) -> Option<&str> {
    q.get("clientToken").map(String::as_str)
}

pub fn reply<T>(result: T) -> Json<Reply<T>> {
    Json(Reply { request_id: request_id(), result })
}

/// One action on an instance of `K`, at most once per `clientToken`: `name`
/// and the id, query and body make its fingerprint; `op` gets the caller's
/// project and the instance's UUID.
pub async fn act<K, T, F, Fut>(ctx: &Ctx, caller: Principal, id: &str, q: &Params, body: &Bytes, name: &str, op: F) -> Answer<T>
where
    K: Kind,
    T: Serialize + DeserializeOwned,
    F: FnOnce(String, Uuid) -> Fut,
    Fut: std::future::Future<Output = Result<T>>,
{
    let (project, uuid) = target(ctx, &caller, K::PRODUCT, id).await?;
    let print = tokens::fingerprint(&format!("{name} {id}"), q, body);
    let scope = project.clone();
    Ok(reply(tokens::once(ctx, &scope, client_token(q), print, || op(project, uuid)).await?))
}

pub async fn describe_as<K: Kind>(ctx: &Ctx, project: &str, id: Uuid) -> Result<K::Instance> {
    let view = ctx.app.show(project, id, K::PRODUCT).await?;
    Ok(K::render(&view)?)
}

pub async fn create<K: Kind>(ctx: Ctx, caller: Principal, q: Params, body: Bytes) -> Answer<CreatedInstance> {
    let product = K::PRODUCT;
    let project = account(&ctx, &caller).await?;
    let print = tokens::fingerprint(&format!("create {}", product.as_str()), &q, &body);
    let result = tokens::once(&ctx, &project, client_token(&q), print, || async {
        let b: wire::CreateInstanceRequest = wire::decode(&body)?;
        wire::payment_type(b.payment_type.as_deref())?;
        let dedicated = b.roles()?.into_iter().map(|(role, a)| (role, a.amount, a.spec, a.disk, a.disk_type)).collect();
        let (node, net) = (b.node_spec.unwrap_or_default(), b.network_config.unwrap_or_default());
        let input = AliyunCreateInput {
            description: b.description,
            version: if product == Product::AliyunLogstash { b.version } else { b.es_version },
            node_amount: b.node_amount,
            spec: node.spec,
            disk: node.disk,
            disk_type: node.disk_type,
            vpc_id: net.vpc_id,
            vswitch_id: net.vswitch_id,
            zone: net.vs_area,
            admin_password: b.es_admin_password,
            tags: b.tags.unwrap_or_default().into_iter().map(|t| Tag { key: t.tag_key.unwrap_or_default(), value: t.tag_value.unwrap_or_default() }).collect(),
            dedicated,
        };
        let spec = validate_aliyun(product, &input, &ctx.app.settings.aliyun_zones)?;
        let (cluster, job) = ctx.app.create_search(&project, spec).await?;
        tracing::info!(cluster.id = %cluster.id, job.id = %job.id, "Alibaba instance create accepted");
        Ok(CreatedInstance { instance_id: render::instance_id(product, cluster.id) })
    })
    .await?;
    Ok(reply(result))
}

pub async fn describe<K: Kind>(ctx: Ctx, caller: Principal, id: String) -> Answer<K::Instance> {
    let (project, uuid) = target(&ctx, &caller, K::PRODUCT, &id).await?;
    Ok(reply(describe_as::<K>(&ctx, &project, uuid).await?))
}

pub async fn list<K: Kind>(ctx: Ctx, caller: Principal, q: Params) -> Result<(HeaderMap, Json<ListReply<K::Instance>>)> {
    let product = K::PRODUCT;
    let project = account(&ctx, &caller).await?;
    let number = |key: &str, default: usize, max: usize| -> Result<usize> {
        match q.get(key) {
            None => Ok(default),
            Some(v) => v.trim().parse::<usize>().ok().filter(|n| (1..=max).contains(n)).ok_or_else(|| {
                CoreError::MalformedBody(format!("{key} must be an integer between 1 and {max}, got `{v}`")).into()
            }),
        }
    };
    let (page, size) = (number("page", 1, i32::MAX as usize)?, number("size", 10, 100)?);
    // description and instanceId are store filters; an instanceId that is not one of ours matches nothing.
    let mut query = ClusterQuery { description: q.get("description").cloned(), ..ClusterQuery::default() };
    if let Some(id) = q.get("instanceId") {
        query.id = Some(render::parse_instance_id(product, id).unwrap_or_else(Uuid::nil));
    }
    let skip = ((page - 1) as u64).saturating_mul(size as u64);
    let (result, total) = match q.get("status") {
        // The status is observed, not stored: this filter reads every matching instance.
        Some(want) => {
            let (views, _) = ctx.app.page(&project, product, &query).await?;
            let all = views.iter().map(K::render).collect::<std::result::Result<Vec<_>, _>>()?;
            let found: Vec<_> = all.into_iter().filter(|i| K::status(i).as_str() == want.as_str()).collect();
            let total = found.len() as u64;
            (found.into_iter().skip(skip as usize).take(size).collect::<Vec<_>>(), total)
        }
        None => {
            let query = ClusterQuery { offset: skip, limit: Some(size as u64), ..query };
            let (views, total) = ctx.app.page(&project, product, &query).await?;
            (views.iter().map(K::render).collect::<std::result::Result<_, _>>()?, total)
        }
    };
    let mut headers = HeaderMap::new();
    headers.insert("x-total-count", HeaderValue::from(total));
    Ok((headers, Json(ListReply { headers: TotalCount { total }, request_id: request_id(), result })))
}

/// RestartInstance / RestartLogstash: every member one at a time (or, forced,
/// a share of them at a time), or the members of `nodes`; answers the instance.
pub async fn restart<K: Kind>(ctx: Ctx, caller: Principal, id: String, q: Params, body: Bytes) -> Answer<K::Instance> {
    let (ctx, body, force) = (&ctx, &body, flag(&q, "force")?);
    act::<K, _, _, _>(ctx, caller, &id, &q, body, "restart", |project, uuid| async move {
        let asked: wire::RestartRequest = if body.is_empty() { wire::RestartRequest::default() } else { wire::decode(body)? };
        let view = ctx.app.show(&project, uuid, K::PRODUCT).await?;
        let members: Vec<(u32, String)> = view.nodes.iter().map(|(n, _)| (n.ordinal, n.address.to_string())).collect();
        let rolling = asked.rolling(force, &members)?.map_err(AliError::Restart)?;
        ctx.app.restart_rolling(&project, uuid, K::PRODUCT, rolling).await?;
        describe_as::<K>(ctx, &project, uuid).await
    })
    .await
}

/// A Boolean query parameter (absent: false).
pub fn flag(q: &Params, key: &str) -> Result<bool> {
    match q.get(key).map(|v| v.trim().to_ascii_lowercase()).as_deref() {
        None | Some("false") => Ok(false),
        Some("true") => Ok(true),
        Some(other) => Err(CoreError::MalformedBody(format!("{key} must be true or false, got `{other}`")).into()),
    }
}

/// Applies an update: the data members' count, disk and spec, or one
/// dedicated role's (the provider sends every configuration each time: what
/// the instance has already is no change, and one kind of member changes
/// per task).
async fn change(ctx: &Ctx, project: &str, uuid: Uuid, product: Product, body: &[u8]) -> Result<()> {
    let mut b: wire::UpdateInstanceRequest = wire::decode(body)?;
    let roles = b.roles()?;
    let view = ctx.app.show(project, uuid, product).await?;
    let spec = view.cluster.spec.search().cloned().ok_or_else(|| CoreError::NotSupported("updates".into()))?;
    let node = b.node_spec.take().unwrap_or_default();
    let data = SearchChange { nodes: b.node_amount, disk_gb: node.disk, flavor: node.spec, ..SearchChange::default() };
    let mut asks: Vec<SearchChange> = Vec::new();
    let differs = |now: i64, asked: Option<i64>| asked.is_some_and(|a| a != now);
    if differs(spec.node_count as i64, data.nodes) || differs(spec.disk_gb as i64, data.disk_gb) || data.flavor.as_deref().is_some_and(|f| f.trim() != spec.flavor) {
        asks.push(data);
    }
    for (role, ask) in roles {
        asks.extend(role_change(&spec, role, ask));
    }
    match asks.len() {
        0 => Err(CoreError::invalid(crate::core::error::Field::Unchanged, "the request changes nothing").into()),
        1 => Ok(drop(ctx.app.change(project, uuid, product, asks.remove(0)).await?)),
        _ => Err(CoreError::invalid(crate::core::error::Field::NumberOfNode, "change one kind of member per request (the data members, or one dedicated role)").into()),
    }
}

/// What a role configuration changes of the instance's members of `role`, if anything.
fn role_change(spec: &crate::core::search::SearchSpec, role: MemberRole, ask: wire::RoleAsk) -> Option<SearchChange> {
    let now = spec.dedicated_role(role);
    let have = now.map_or(0, |d| d.members.len() as i64);
    let base = SearchChange { role: Some(role), ..SearchChange::default() };
    if ask.amount != have {
        let new_role = ask.spec.clone().map(|s| (s, ask.disk.unwrap_or(20).max(0) as u32, ask.disk_type.clone().unwrap_or_else(|| "cloud_ssd".into())));
        return Some(SearchChange { nodes: Some(ask.amount), new_role, ..base });
    }
    let d = now?;
    if ask.spec.as_deref().is_some_and(|s| s.trim() != d.flavor) {
        return Some(SearchChange { flavor: ask.spec, ..base });
    }
    ask.disk.filter(|gb| *gb != d.disk_gb as i64).map(|gb| SearchChange { disk_gb: Some(gb), ..base })
}

/// UpdateInstance answers the instance.
pub async fn update_instance(ctx: Ctx, caller: Principal, id: String, q: Params, body: Bytes) -> Answer<ElasticsearchInstance> {
    let (ctx, body) = (&ctx, &body);
    act::<Elasticsearch, _, _, _>(ctx, caller, &id, &q, body, "update", |project, uuid| async move {
        change(ctx, &project, uuid, Elasticsearch::PRODUCT, body).await?;
        describe_as::<Elasticsearch>(ctx, &project, uuid).await
    })
    .await
}

/// UpdateInstanceSettings: the members restarted one at a time with the new
/// `esConfig`; answers the instance.
pub async fn update_settings(ctx: Ctx, caller: Principal, id: String, q: Params, body: Bytes) -> Answer<ElasticsearchInstance> {
    let (ctx, body) = (&ctx, &body);
    act::<Elasticsearch, _, _, _>(ctx, caller, &id, &q, body, "instance-settings", |project, uuid| async move {
        let settings = wire::decode::<wire::InstanceSettingsRequest>(body)?.settings()?;
        let change = SearchChange { engine_settings: Some(settings), ..SearchChange::default() };
        ctx.app.change(&project, uuid, Elasticsearch::PRODUCT, change).await?;
        describe_as::<Elasticsearch>(ctx, &project, uuid).await
    })
    .await
}

/// UpdateDescription / UpdateLogstashDescription: answers the instance.
pub async fn update_description<K: Kind>(ctx: Ctx, caller: Principal, id: String, q: Params, body: Bytes) -> Answer<K::Instance> {
    let (ctx, body) = (&ctx, &body);
    act::<K, _, _, _>(ctx, caller, &id, &q, body, "description", |project, uuid| async move {
        let description = wire::decode::<wire::DescriptionRequest>(body)?.description;
        ctx.app.describe_search(&project, uuid, K::PRODUCT, &description).await?;
        describe_as::<K>(ctx, &project, uuid).await
    })
    .await
}

/// ListKibanaPvlNetwork: no Kibana private connections (strato runs no
/// Kibana); the instance must exist.
pub async fn kibana_private(ctx: Ctx, caller: Principal, id: String) -> Answer<Vec<wire::KibanaPrivateNetwork>> {
    let (project, uuid) = target(&ctx, &caller, Elasticsearch::PRODUCT, &id).await?;
    ctx.app.show(&project, uuid, Elasticsearch::PRODUCT).await?;
    Ok(reply(Vec::new()))
}

/// UpdateLogstash answers a Boolean.
pub async fn update_logstash(ctx: Ctx, caller: Principal, id: String, q: Params, body: Bytes) -> Answer<bool> {
    let (ctx, body) = (&ctx, &body);
    act::<Logstash, _, _, _>(ctx, caller, &id, &q, body, "update", |project, uuid| async move {
        change(ctx, &project, uuid, Logstash::PRODUCT, body).await?;
        Ok(true)
    })
    .await
}

/// The task actions, which answer `true`.
#[derive(Debug, Clone, Copy)]
pub enum Task {
    Interrupt,
    Resume,
    CancelDeletion,
}

impl Task {
    /// Its name in the clientToken fingerprint (as stored tokens have it).
    fn name(self) -> &'static str {
        match self {
            Task::Interrupt => "interrupt",
            Task::Resume => "resume",
            Task::CancelDeletion => "cancel-deletion",
        }
    }
}

pub async fn task<K: Kind>(ctx: Ctx, caller: Principal, id: String, q: Params, body: Bytes, task: Task) -> Answer<bool> {
    let product = K::PRODUCT;
    let ctx = &ctx;
    act::<K, _, _, _>(ctx, caller, &id, &q, &body, task.name(), |project, uuid| async move {
        match task {
            Task::Interrupt => ctx.app.interrupt(&project, uuid, product).await?,
            Task::Resume => drop(ctx.app.resume_change(&project, uuid, product).await?),
            Task::CancelDeletion => drop(ctx.app.cancel_deletion(&project, uuid, product).await?),
        }
        Ok(true)
    })
    .await
}

pub async fn delete<K: Kind>(ctx: Ctx, caller: Principal, id: String, q: Params, body: Bytes) -> Result<Json<Ack>> {
    let product = K::PRODUCT;
    let (project, uuid) = target(&ctx, &caller, product, &id).await?;
    let print = tokens::fingerprint(&format!("delete {id}"), &q, &body);
    tokens::once(&ctx, &project, client_token(&q), print, || async {
        match q.get("deleteType").map(String::as_str) {
            None | Some("immediate") => ctx.app.delete(&project, uuid, product, None).await?,
            Some("protective") => ctx.app.delete_protectively(&project, uuid, product, ctx.app.settings.protective_deletion_ms).await?,
            Some(other) => return Err(CoreError::MalformedBody(format!("deleteType must be immediate or protective, got `{other}`")).into()),
        };
        Ok(())
    })
    .await?;
    Ok(Json(Ack { request_id: request_id() }))
}
