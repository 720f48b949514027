//! Instance handlers, shared by Elasticsearch (`/openapi/instances`) and
//! Logstash (`/openapi/logstashes`).

use std::collections::BTreeMap;

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::{json, Value};
use uuid::Uuid;

use super::{render, request_id, tokens, wire, AliError};
use crate::api::auth::RawBody;
use crate::api::Ctx;
use crate::auth::{AuthError, Principal};
use crate::core::cluster::Product;
use crate::core::job::JobKind;
use crate::core::search::{validate_aliyun, AliyunCreateInput};
use crate::core::CoreError;
use crate::store::ClusterQuery;

type Result<T> = std::result::Result<T, AliError>;
type Params = Query<BTreeMap<String, String>>;

/// The project an access key acts in: its user's first project (Alibaba
/// accounts have no project in the path).
async fn account(ctx: &Ctx, caller: &Principal) -> Result<String> {
    let projects = ctx.identity.projects_of(caller).await?;
    projects.first().map(|p| p.id.clone()).ok_or(AliError::Auth(AuthError::BadScope))
}

fn instance(product: Product, id: &str) -> Result<Uuid> {
    render::parse_instance_id(product, id).ok_or_else(|| CoreError::ClusterNotFound(id.to_string()).into())
}

fn ok(result: Value) -> Response {
    Json(json!({"RequestId": request_id(), "Result": result})).into_response()
}

async fn describe_value(ctx: &Ctx, project: &str, product: Product, id: Uuid) -> Result<Value> {
    let view = ctx.app.show(project, id, product).await?;
    Ok(render::instance(&view))
}

pub async fn create(
    State(ctx): State<Ctx>,
    Extension(caller): Extension<Principal>,
    Extension(product): Extension<Product>,
    Query(q): Params,
    Extension(RawBody(body)): Extension<RawBody>,
) -> Result<Response> {
    let project = account(&ctx, &caller).await?;
    let print = tokens::fingerprint(&format!("create {}", product.as_str()), &q, &body);
    let result = tokens::once(&ctx, &project, q.get("clientToken").map(String::as_str), print, || async {
        let b: wire::CreateInstanceRequest = wire::decode(&body)?;
        wire::payment_type(b.payment_type.as_deref())?;
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
        };
        let spec = validate_aliyun(product, &input, &ctx.app.settings.aliyun_zones)?;
        let (cluster, job) = ctx.app.create_search(&project, spec).await?;
        tracing::info!(cluster.id = %cluster.id, job.id = %job.id, "Alibaba instance create accepted");
        Ok(json!({"instanceId": render::instance_id(product, cluster.id)}))
    })
    .await?;
    Ok(ok(result))
}

pub async fn describe(
    State(ctx): State<Ctx>,
    Extension(caller): Extension<Principal>,
    Extension(product): Extension<Product>,
    Path(id): Path<String>,
) -> Result<Response> {
    let project = account(&ctx, &caller).await?;
    Ok(ok(describe_value(&ctx, &project, product, instance(product, &id)?).await?))
}

pub async fn list(
    State(ctx): State<Ctx>,
    Extension(caller): Extension<Principal>,
    Extension(product): Extension<Product>,
    Query(q): Params,
) -> Result<Response> {
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
            let found: Vec<Value> = views.iter().map(render::instance).filter(|i| i["status"].as_str() == Some(want.as_str())).collect();
            let total = found.len() as u64;
            (found.into_iter().skip(skip as usize).take(size).collect::<Vec<_>>(), total)
        }
        None => {
            let query = ClusterQuery { offset: skip, limit: Some(size as u64), ..query };
            let (views, total) = ctx.app.page(&project, product, &query).await?;
            (views.iter().map(render::instance).collect(), total)
        }
    };
    let mut resp = Json(json!({"RequestId": request_id(), "Headers": {"X-Total-Count": total}, "Result": result})).into_response();
    resp.headers_mut().insert("x-total-count", total.into());
    Ok(resp)
}

/// The mutating actions on one instance, run once per clientToken.
async fn act(ctx: &Ctx, caller: &Principal, product: Product, id: &str, q: &BTreeMap<String, String>, body: &[u8], action: &str) -> Result<Value> {
    let project = account(ctx, caller).await?;
    let uuid = instance(product, id)?;
    let print = tokens::fingerprint(&format!("{action} {id}"), q, body);
    tokens::once(ctx, &project, q.get("clientToken").map(String::as_str), print, || async {
        match action {
            "restart" => {
                ctx.app.operate(&project, uuid, product, JobKind::RestartCluster).await?;
                describe_value(ctx, &project, product, uuid).await
            }
            "update" => {
                let b: wire::UpdateInstanceRequest = wire::decode(body)?;
                let (nodes, disk) = (b.node_amount, b.node_spec.and_then(|n| n.disk));
                ctx.app.change(&project, uuid, product, nodes, disk).await?;
                // UpdateLogstash answers a Boolean; UpdateInstance the instance.
                match product {
                    Product::AliyunLogstash => Ok(json!(true)),
                    _ => describe_value(ctx, &project, product, uuid).await,
                }
            }
            "interrupt" => ctx.app.interrupt(&project, uuid, product).await.map(|_| json!(true)).map_err(Into::into),
            "resume" => ctx.app.resume_change(&project, uuid, product).await.map(|_| json!(true)).map_err(Into::into),
            "cancel-deletion" => ctx.app.cancel_deletion(&project, uuid, product).await.map(|_| json!(true)).map_err(Into::into),
            "delete" => {
                match q.get("deleteType").map(String::as_str) {
                    None | Some("immediate") => ctx.app.delete(&project, uuid, product, None).await?,
                    Some("protective") => ctx.app.delete_protectively(&project, uuid, product, ctx.app.settings.protective_deletion_ms).await?,
                    Some(other) => return Err(CoreError::MalformedBody(format!("deleteType must be immediate or protective, got `{other}`")).into()),
                };
                Ok(Value::Null)
            }
            other => Err(AliError::NoRoute(other.to_string())),
        }
    })
    .await
}

macro_rules! action {
    ($name:ident, $action:literal) => {
        pub async fn $name(
            State(ctx): State<Ctx>,
            Extension(caller): Extension<Principal>,
            Extension(product): Extension<Product>,
            Path(id): Path<String>,
            Query(q): Params,
            Extension(RawBody(body)): Extension<RawBody>,
        ) -> Result<Response> {
            let result = act(&ctx, &caller, product, &id, &q, &body, $action).await?;
            Ok(match result {
                Value::Null => Json(json!({"RequestId": request_id()})).into_response(),
                r => ok(r),
            })
        }
    };
}

action!(restart, "restart");
action!(update, "update");
action!(interrupt, "interrupt");
action!(resume, "resume");
action!(cancel_deletion, "cancel-deletion");
action!(delete, "delete");
