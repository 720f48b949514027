//! `/_strato/faults`: arm, list and clear fault rules (admin users only).
//! A kill or freeze rule without an operation acts at once and is not kept.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};

use super::admin::admin_only;
use super::openapi::TAG_STRATO;
use super::wire::{Cleared, ErrorBody, FaultList, FaultRuleRequest, FaultRuleView};
use super::KeystoneError;
use crate::api::auth::RawBody;
use crate::api::Ctx;
use crate::auth::Principal;
use crate::core::fault::FaultSpec;

fn bad_request(message: String) -> KeystoneError {
    KeystoneError(StatusCode::BAD_REQUEST, message)
}

#[utoipa::path(
    post, path = "/_strato/faults", operation_id = "StratoCreateFault", tag = TAG_STRATO,
    summary = "Arm a fault rule",
    description = "Armed rules fire on the requests (API errors, latency, engine faults) or job steps (step failures) \
        they match. A kill_node or freeze_node rule without `operation` acts on its cluster at once and is not kept.",
    request_body = FaultRuleRequest,
    responses(
        (status = 201, description = "Armed.", body = FaultRuleView),
        (status = 200, description = "An engine fault that acted at once (`remaining` 0, `fired` 1).", body = FaultRuleView),
        (status = 409, description = "The engine fault could not act: no such cluster or node, or nothing runs.", body = ErrorBody),
    ),
)]
pub async fn create(
    State(ctx): State<Ctx>,
    Extension(caller): Extension<Principal>,
    Extension(RawBody(body)): Extension<RawBody>,
) -> Result<Response, KeystoneError> {
    admin_only(&ctx, &caller).await?;
    let req: FaultRuleRequest = crate::api::decode_body(&body).map_err(|e| bad_request(format!("invalid fault rule: {e}")))?;
    let rule = FaultSpec::from(req).validate().map_err(|e| bad_request(format!("invalid fault rule: {e}")))?;
    if !(rule.fault.on_engine() && rule.operation.is_none()) {
        let armed = ctx.app.faults.add(rule);
        return Ok((StatusCode::CREATED, Json(FaultRuleView::from(armed))).into_response());
    }
    let cluster = rule.cluster.expect("validated: an engine fault names its cluster");
    ctx.app
        .inject_engine_fault(cluster, rule.product, &rule.fault)
        .await
        .map_err(|why| KeystoneError(StatusCode::CONFLICT, format!("the fault could not be injected: {why}")))?;
    crate::metrics::metrics().observe_fault(rule.product.as_str(), "", rule.fault.kind());
    Ok(Json(FaultRuleView::new(rule, Some(0), 1)).into_response())
}

#[utoipa::path(
    get, path = "/_strato/faults", operation_id = "StratoListFaults", tag = TAG_STRATO,
    summary = "Every armed rule, with how often it fired",
    responses((status = 200, description = "The armed rules.", body = FaultList)),
)]
pub async fn list(State(ctx): State<Ctx>, Extension(caller): Extension<Principal>) -> Result<Json<FaultList>, KeystoneError> {
    admin_only(&ctx, &caller).await?;
    Ok(Json(FaultList { faults: ctx.app.faults.list().into_iter().map(Into::into).collect() }))
}

#[utoipa::path(
    delete, path = "/_strato/faults", operation_id = "StratoClearFaults", tag = TAG_STRATO,
    summary = "Remove every rule and continue every frozen node",
    responses((status = 200, description = "How many rules were removed.", body = Cleared)),
)]
pub async fn clear(State(ctx): State<Ctx>, Extension(caller): Extension<Principal>) -> Result<Json<Cleared>, KeystoneError> {
    admin_only(&ctx, &caller).await?;
    let removed = ctx.app.faults.clear();
    ctx.app.thaw_all();
    Ok(Json(Cleared { removed }))
}

#[utoipa::path(
    delete, path = "/_strato/faults/{id}", operation_id = "StratoDeleteFault", tag = TAG_STRATO,
    summary = "Remove one rule",
    params(("id" = String, Path, description = "The rule's id")),
    responses(
        (status = 204, description = "Removed."),
        (status = 404, description = "No such rule.", body = ErrorBody),
    ),
)]
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
