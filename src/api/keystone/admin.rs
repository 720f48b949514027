//! strato's own admin surface for test suites, under `/_strato/` on the IAM
//! listener, for admin users only (the bootstrap user, `strato admin
//! user-create --admin`): health, info and reset.

use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::{Extension, Json};

use super::openapi::TAG_STRATO;
use super::wire::{EngineHealth, HealthBody, InfoBody, ListenerHealth, ResetReport, ResetRequest, StoreHealth};
use super::KeystoneError;
use crate::api::auth::RawBody;
use crate::api::Ctx;
use crate::auth::Principal;

pub(super) async fn admin_only(ctx: &Ctx, caller: &Principal) -> Result<(), KeystoneError> {
    if ctx.identity.is_admin(caller).await? {
        Ok(())
    } else {
        Err(KeystoneError(StatusCode::FORBIDDEN, "strato's admin surface is for admin users only".into()))
    }
}

/// Whether something accepts connections at `url` (`http://host:port`).
async fn answers(url: &str) -> bool {
    let addr = url.trim_start_matches("http://").to_string();
    matches!(tokio::time::timeout(Duration::from_millis(500), tokio::net::TcpStream::connect(addr)).await, Ok(Ok(_)))
}

#[utoipa::path(
    get, path = "/_strato/health", operation_id = "StratoHealth", tag = TAG_STRATO,
    summary = "Each listener, the store, and each engine kind (installed, version, binding, stand-in, why not)",
    responses((status = 200, description = "What answers and what runs.", body = HealthBody)),
)]
pub async fn health(State(ctx): State<Ctx>, Extension(caller): Extension<Principal>) -> Result<Json<HealthBody>, KeystoneError> {
    admin_only(&ctx, &caller).await?;
    let eps = ctx.endpoints();
    let mut listeners = std::collections::BTreeMap::new();
    for (name, url) in [("iam", eps.iam), ("dws", eps.dws), ("zilliz", eps.zilliz), ("css", eps.css), ("aliyun", eps.aliyun)] {
        let ok = answers(&url).await;
        listeners.insert(name.to_string(), ListenerHealth { url, ok });
    }
    let t = std::time::Instant::now();
    let probe = ctx.app.store.identity_epoch().await;
    let store = StoreHealth { ok: probe.is_ok(), latency_ms: t.elapsed().as_secs_f64() * 1000.0, error: probe.err().map(|e| e.to_string()) };
    let healthy = store.ok && listeners.values().all(|l| l.ok);
    let engines = ctx.app.engine_health().into_iter().map(EngineHealth::from).collect();
    Ok(Json(HealthBody { status: if healthy { "ok" } else { "degraded" }.into(), listeners, store, engines }))
}

#[utoipa::path(
    get, path = "/_strato/info", operation_id = "StratoInfo", tag = TAG_STRATO,
    summary = "Version, data directory, uptime, region, endpoints and the init scripts' progress",
    responses((status = 200, description = "About this server.", body = InfoBody)),
)]
pub async fn info(State(ctx): State<Ctx>, Extension(caller): Extension<Principal>) -> Result<Json<InfoBody>, KeystoneError> {
    admin_only(&ctx, &caller).await?;
    let now = crate::core::now_ms();
    let init = ctx.init.read().expect("init status").clone().map(Into::into);
    Ok(Json(InfoBody {
        version: env!("CARGO_PKG_VERSION").into(),
        data_dir: ctx.app.settings.data_dir.display().to_string(),
        started_at: crate::auth::identity::token_expiry_iso(ctx.started_at),
        uptime_secs: (now - ctx.started_at) / 1000,
        region: ctx.app.settings.region.clone(),
        endpoints: ctx.endpoints().into(),
        init,
    }))
}

/// Every cluster, snapshot and job of every product is gone (processes
/// stopped, files removed) when it answers.
#[utoipa::path(
    post, path = "/_strato/reset", operation_id = "StratoReset", tag = TAG_STRATO,
    summary = "Delete every cluster, snapshot, job and fault rule of every product (optionally identity too)",
    request_body(content = ResetRequest, description = "Optional; an empty body is `{}`."),
    responses((status = 200, description = "Done: what was removed.", body = ResetReport)),
)]
pub async fn reset(
    State(ctx): State<Ctx>,
    Extension(caller): Extension<Principal>,
    Extension(RawBody(body)): Extension<RawBody>,
) -> Result<Json<ResetReport>, KeystoneError> {
    admin_only(&ctx, &caller).await?;
    let req: ResetRequest = crate::api::decode_body(&body).map_err(|e| KeystoneError(StatusCode::BAD_REQUEST, format!("invalid reset request: {e}")))?;
    let report = ctx.app.reset(req.identity).await.map_err(|e| {
        tracing::error!(error = %e, "reset failed");
        KeystoneError(StatusCode::INTERNAL_SERVER_ERROR, format!("the reset did not finish: {e}"))
    })?;
    Ok(Json(report.into()))
}
