//! Automated snapshot policies: `PUT|GET /v2/{pid}/clusters/{cid}/snapshot-policies`
//! (and the v1.0 paths), `DELETE /v1.0/{pid}/clusters/{cid}/snapshot-policies/{id}`.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::Deserialize;
use serde_json::{json, Value};
use uuid::Uuid;

use super::{project, wire, Caller, DwsError};
use crate::api::auth::RawBody;
use crate::api::Ctx;
use crate::core::snapshot::{next_fire, Policy, Strategy};
use crate::core::{iso, now_ms, CoreError};

type Result<T> = std::result::Result<T, DwsError>;

#[derive(Deserialize)]
struct StrategyBody {
    policy_id: Option<String>,
    policy_name: Option<String>,
    backup_strategy: Option<String>,
    backup_type: Option<String>,
    backup_level: Option<String>,
}

#[derive(Deserialize)]
struct PolicyBody {
    keep_day: Option<i64>,
    backup_strategies: Option<Vec<StrategyBody>>,
    auto_backup: Option<bool>,
}

fn render(p: &Policy) -> Value {
    json!({
        "keep_day": p.keep_day,
        "auto_backup": p.auto_backup,
        "backup_strategies": p.strategies.iter().map(|s| json!({
            "policy_id": s.id,
            "policy_name": s.name,
            "backup_strategy": s.cron,
            "backup_type": "full",
            "backup_level": "cluster",
            "next_fire_time": next_fire(&s.cron, s.last_fired_at.max(now_ms())).map(|t| format!("{}Z", iso(t))),
            "update_time": format!("{}Z", iso(s.updated_at)),
        })).collect::<Vec<_>>(),
        "device_name": null,
        "server_ips": [],
        "server_port": null,
        "backup_param": null,
        "backup_strategy_cluster_type_limit_num": 3,
        "backup_strategy_schema_type_limit_num": 0,
    })
}

pub async fn show(State(ctx): State<Ctx>, Extension(caller): Caller, Path((pid, cid)): Path<(String, String)>) -> Result<Response> {
    let pid = project(&ctx, &caller, &pid).await?;
    let policy = ctx.app.policy(&pid, wire::uuid(&cid)?).await?;
    let p = policy.unwrap_or(Policy { keep_day: 7, auto_backup: false, strategies: vec![] });
    Ok(Json(render(&p)).into_response())
}

pub async fn put(
    State(ctx): State<Ctx>,
    Extension(caller): Caller,
    Path((pid, cid)): Path<(String, String)>,
    Extension(RawBody(body)): Extension<RawBody>,
) -> Result<Response> {
    let pid = project(&ctx, &caller, &pid).await?;
    let cluster_id = wire::uuid(&cid)?;
    let b: PolicyBody = serde_json::from_slice(&body).map_err(|e| CoreError::MalformedBody(format!("invalid policy: {e}")))?;
    let existing = ctx.app.policy(&pid, cluster_id).await?;
    let now = now_ms();
    let mut strategies = Vec::new();
    for (i, s) in b.backup_strategies.unwrap_or_default().into_iter().enumerate() {
        let bad = |m: String| DwsError::from(CoreError::invalid(crate::core::error::Field::SnapshotPolicy, m));
        if s.backup_type.as_deref().is_some_and(|t| t != "full") {
            return Err(bad(format!("backup_type `{}` is not supported: only full", s.backup_type.unwrap_or_default())));
        }
        if s.backup_level.as_deref().is_some_and(|l| l != "cluster") {
            return Err(bad(format!("backup_level `{}` is not supported: only cluster", s.backup_level.unwrap_or_default())));
        }
        let cron = s.backup_strategy.ok_or_else(|| bad("backup_strategy (a cron expression) is required".into()))?;
        // A strategy that keeps its id keeps its schedule position.
        let prior = s
            .policy_id
            .as_deref()
            .and_then(|id| Uuid::parse_str(id).ok())
            .and_then(|id| existing.as_ref()?.strategies.iter().find(|x| x.id == id).cloned());
        strategies.push(Strategy {
            id: prior.as_ref().map(|p| p.id).unwrap_or_else(Uuid::new_v4),
            name: s.policy_name.unwrap_or_else(|| format!("policy-{}", i + 1)),
            last_fired_at: prior.as_ref().filter(|p| p.cron == cron).map(|p| p.last_fired_at).unwrap_or(now),
            cron,
            updated_at: now,
        });
    }
    let keep_day = b.keep_day.unwrap_or(existing.as_ref().map(|p| p.keep_day as i64).unwrap_or(7));
    let policy = Policy {
        keep_day: u32::try_from(keep_day).unwrap_or(0),
        auto_backup: b.auto_backup.unwrap_or(true),
        strategies,
    };
    ctx.app.set_policy(&pid, cluster_id, policy).await?;
    Ok(Json(json!({})).into_response())
}

pub async fn delete_strategy(
    State(ctx): State<Ctx>,
    Extension(caller): Caller,
    Path((pid, cid, id)): Path<(String, String, String)>,
) -> Result<Response> {
    let pid = project(&ctx, &caller, &pid).await?;
    let cluster_id = wire::uuid(&cid)?;
    let id = wire::uuid(&id)?;
    let mut policy = ctx.app.policy(&pid, cluster_id).await?.ok_or_else(|| CoreError::SnapshotNotFound(id.to_string()))?;
    let before = policy.strategies.len();
    policy.strategies.retain(|s| s.id != id);
    if policy.strategies.len() == before {
        return Err(CoreError::SnapshotNotFound(format!("policy {id}")).into());
    }
    ctx.app.set_policy(&pid, cluster_id, policy).await?;
    Ok(Json(json!({})).into_response())
}
