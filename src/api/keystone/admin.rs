//! strato's own admin surface for test suites, under `/_strato/` on the IAM
//! listener, for admin users only (the bootstrap user, `strato admin
//! user-create --admin`): health, info and reset.

use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::KeystoneError;
use crate::api::auth::RawBody;
use crate::api::Ctx;
use crate::app::EngineHealth;
use crate::auth::Principal;

pub(super) async fn admin_only(ctx: &Ctx, caller: &Principal) -> Result<(), KeystoneError> {
    if ctx.identity.is_admin(caller).await? {
        Ok(())
    } else {
        Err(KeystoneError(StatusCode::FORBIDDEN, "strato's admin surface is for admin users only".into()))
    }
}

#[derive(Debug, Serialize)]
struct ListenerHealth {
    url: String,
    ok: bool,
}

#[derive(Debug, Serialize)]
struct StoreHealth {
    ok: bool,
    latency_ms: f64,
    error: Option<String>,
}

#[derive(Debug, Serialize)]
struct HealthBody {
    /// `ok` when every listener and the store answer; `degraded` otherwise.
    status: &'static str,
    listeners: std::collections::BTreeMap<&'static str, ListenerHealth>,
    store: StoreHealth,
    engines: Vec<EngineHealth>,
}

/// Whether something accepts connections at `url` (`http://host:port`).
async fn answers(url: &str) -> bool {
    let addr = url.trim_start_matches("http://").to_string();
    matches!(tokio::time::timeout(Duration::from_millis(500), tokio::net::TcpStream::connect(addr)).await, Ok(Ok(_)))
}

/// `GET /_strato/health`: each listener, the store, and each engine kind.
pub async fn health(State(ctx): State<Ctx>, Extension(caller): Extension<Principal>) -> Result<Response, KeystoneError> {
    admin_only(&ctx, &caller).await?;
    let eps = ctx.endpoints();
    let mut listeners = std::collections::BTreeMap::new();
    for (name, url) in [("iam", eps.iam), ("dws", eps.dws), ("zilliz", eps.zilliz), ("css", eps.css), ("aliyun", eps.aliyun)] {
        let ok = answers(&url).await;
        listeners.insert(name, ListenerHealth { url, ok });
    }
    let t = std::time::Instant::now();
    let probe = ctx.app.store.identity_epoch().await;
    let store = StoreHealth { ok: probe.is_ok(), latency_ms: t.elapsed().as_secs_f64() * 1000.0, error: probe.err().map(|e| e.to_string()) };
    let healthy = store.ok && listeners.values().all(|l| l.ok);
    let body = HealthBody { status: if healthy { "ok" } else { "degraded" }, listeners, store, engines: ctx.app.engine_health() };
    Ok(Json(body).into_response())
}

/// `GET /_strato/info`: version, data directory, uptime, region, endpoints.
pub async fn info(State(ctx): State<Ctx>, Extension(caller): Extension<Principal>) -> Result<Response, KeystoneError> {
    admin_only(&ctx, &caller).await?;
    let now = crate::core::now_ms();
    Ok(Json(json!({
        "version": env!("CARGO_PKG_VERSION"),
        "data_dir": ctx.app.settings.data_dir,
        "started_at": crate::auth::identity::token_expiry_iso(ctx.started_at),
        "uptime_secs": (now - ctx.started_at) / 1000,
        "region": ctx.app.settings.region,
        "endpoints": ctx.endpoints(),
        "init": *ctx.init.read().expect("init status"),
    }))
    .into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ResetRequest {
    /// Also forget every user, project, domain and key that is not an admin's.
    #[serde(default)]
    identity: bool,
}

/// `POST /_strato/reset` (`{"identity": true}` optional): every cluster,
/// snapshot and job of every product is gone (processes stopped, files
/// removed) when it answers.
pub async fn reset(
    State(ctx): State<Ctx>,
    Extension(caller): Extension<Principal>,
    Extension(RawBody(body)): Extension<RawBody>,
) -> Result<Response, KeystoneError> {
    admin_only(&ctx, &caller).await?;
    let req: ResetRequest = crate::api::decode_body(&body).map_err(|e| KeystoneError(StatusCode::BAD_REQUEST, format!("invalid reset request: {e}")))?;
    let report = ctx.app.reset(req.identity).await.map_err(|e| {
        tracing::error!(error = %e, "reset failed");
        KeystoneError(StatusCode::INTERNAL_SERVER_ERROR, format!("the reset did not finish: {e}"))
    })?;
    Ok(Json(report).into_response())
}
