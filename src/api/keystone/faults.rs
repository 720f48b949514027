//! `/_strato/faults`: arm, list and clear fault rules (admin users only).
//! A kill or freeze rule without an operation acts at once and is not kept.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::json;

use super::admin::admin_only;
use super::KeystoneError;
use crate::api::auth::RawBody;
use crate::api::Ctx;
use crate::auth::Principal;
use crate::core::fault::FaultSpec;
use crate::faults::Armed;

fn bad_request(message: String) -> KeystoneError {
    KeystoneError(StatusCode::BAD_REQUEST, message)
}

/// `POST /_strato/faults`: 201 with the armed rule, or 200 with a rule that
/// fired at once (`remaining: 0`).
pub async fn create(
    State(ctx): State<Ctx>,
    Extension(caller): Extension<Principal>,
    Extension(RawBody(body)): Extension<RawBody>,
) -> Result<Response, KeystoneError> {
    admin_only(&ctx, &caller).await?;
    let spec: FaultSpec = crate::api::decode_body(&body).map_err(|e| bad_request(format!("invalid fault rule: {e}")))?;
    let rule = spec.validate().map_err(|e| bad_request(format!("invalid fault rule: {e}")))?;
    if !(rule.fault.on_engine() && rule.operation.is_none()) {
        return Ok((StatusCode::CREATED, Json(ctx.app.faults.add(rule))).into_response());
    }
    let cluster = rule.cluster.expect("validated: an engine fault names its cluster");
    ctx.app
        .inject_engine_fault(cluster, rule.product, &rule.fault)
        .await
        .map_err(|why| KeystoneError(StatusCode::CONFLICT, format!("the fault could not be injected: {why}")))?;
    crate::metrics::metrics().observe_fault(rule.product.as_str(), "", rule.fault.kind());
    Ok(Json(Armed { rule, remaining: Some(0), fired: 1 }).into_response())
}

/// `GET /_strato/faults`: every armed rule with how often it fired.
pub async fn list(State(ctx): State<Ctx>, Extension(caller): Extension<Principal>) -> Result<Response, KeystoneError> {
    admin_only(&ctx, &caller).await?;
    Ok(Json(json!({ "faults": ctx.app.faults.list() })).into_response())
}

/// `DELETE /_strato/faults`: every rule gone, every frozen node continued.
pub async fn clear(State(ctx): State<Ctx>, Extension(caller): Extension<Principal>) -> Result<Response, KeystoneError> {
    admin_only(&ctx, &caller).await?;
    let removed = ctx.app.faults.clear();
    ctx.app.thaw_all();
    Ok(Json(json!({ "removed": removed })).into_response())
}

/// `DELETE /_strato/faults/{id}`.
pub async fn delete(
    State(ctx): State<Ctx>,
    Extension(caller): Extension<Principal>,
    Path(id): Path<String>,
) -> Result<Response, KeystoneError> {
    admin_only(&ctx, &caller).await?;
    let missing = || KeystoneError(StatusCode::NOT_FOUND, format!("no fault rule {id}"));
    let id = uuid::Uuid::try_parse(&id).map_err(|_| missing())?;
    if ctx.app.faults.remove(id) {
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Err(missing())
    }
}
