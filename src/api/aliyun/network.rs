//! An Elasticsearch instance's network and security actions: HTTPS,
//! `network-trigger` (public access, served by strato's forwarder),
//! `modify-white-ips` and `admin-pwd`. Each answers `true` once recorded;
//! the instance stays `active` (no member restarts for them).

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::Extension;

use super::instances::{act, reply, target, Answer, Elasticsearch as Es, Kind, Params};
use super::openapi::{CLIENT_TOKEN, ES_ID, NOT_FOUND_OR_STATE, TAG_ES};
use super::wire::{self, AdminPasswordRequest, ErrorBody, ModifyWhiteIpsRequest, NodeInfo, Reply, TriggerNetworkRequest};
use super::AliError;
use crate::api::auth::RawBody;
use crate::api::Ctx;
use crate::auth::Principal;
use crate::core::error::Field;
use crate::core::CoreError;

type Caller = Extension<Principal>;
type Body = Extension<RawBody>;

/// What asks for what the instance has already is a repetition.
fn repeated(e: CoreError) -> AliError {
    match e {
        CoreError::Invalid { field: Field::Unchanged, message } => AliError::Repeated(message),
        e => e.into(),
    }
}

async fn https(ctx: Ctx, caller: Principal, id: String, q: Params, body: Bytes, on: bool) -> Answer<bool> {
    let ctx = &ctx;
    let name = if on { "open-https" } else { "close-https" };
    act::<Es, _, _, _>(ctx, caller, &id, &q, &body, name, |project, uuid| async move {
        ctx.app.set_search_https(&project, uuid, Es::PRODUCT, on).await.map_err(repeated)?;
        Ok(true)
    })
    .await
}

#[utoipa::path(
    post, path = "/openapi/instances/{id}/actions/open-https", operation_id = "OpenHttps", tag = TAG_ES,
    summary = "Turn HTTPS on",
    description = "Records the instance's protocol as `HTTPS` (recorded only: the members serve HTTP; README). \
        Already on: RepetitionOperationError.",
    params(("id" = String, Path, description = ES_ID), ("clientToken" = Option<String>, Query, description = CLIENT_TOKEN)),
    responses(
        (status = 200, description = "Done.", body = Reply<bool>),
        (status = 400, description = NOT_FOUND_OR_STATE, body = ErrorBody),
    ),
)]
pub async fn open_https(State(ctx): State<Ctx>, Extension(c): Caller, Path(id): Path<String>, Query(q): Query<Params>, Extension(RawBody(b)): Body) -> Answer<bool> {
    https(ctx, c, id, q, b, true).await
}

#[utoipa::path(
    post, path = "/openapi/instances/{id}/actions/close-https", operation_id = "CloseHttps", tag = TAG_ES,
    summary = "Turn HTTPS off",
    description = "Records the instance's protocol as `HTTP`. Already off: RepetitionOperationError.",
    params(("id" = String, Path, description = ES_ID), ("clientToken" = Option<String>, Query, description = CLIENT_TOKEN)),
    responses(
        (status = 200, description = "Done.", body = Reply<bool>),
        (status = 400, description = NOT_FOUND_OR_STATE, body = ErrorBody),
    ),
)]
pub async fn close_https(State(ctx): State<Ctx>, Extension(c): Caller, Path(id): Path<String>, Query(q): Query<Params>, Extension(RawBody(b)): Body) -> Answer<bool> {
    https(ctx, c, id, q, b, false).await
}

#[utoipa::path(
    post, path = "/openapi/instances/{id}/actions/network-trigger", operation_id = "TriggerNetwork", tag = TAG_ES,
    summary = "Open or close public access",
    description = "`WORKER`/`PUBLIC`: strato's forwarder serves the members at `publicDomain:publicPort` (the first \
        member's address, port + 1) to the clients `publicIpWhitelist` admits, from the moment this answers until it is \
        closed. Opening what is open (or closing what is closed) is RepetitionOperationError. The members' private \
        endpoint always serves (InvalidParameter); Kibana is not run by strato (OperationNotEmulated).",
    params(("id" = String, Path, description = ES_ID), ("clientToken" = Option<String>, Query, description = CLIENT_TOKEN)),
    request_body = TriggerNetworkRequest,
    responses(
        (status = 200, description = "Done.", body = Reply<bool>),
        (status = 400, description = NOT_FOUND_OR_STATE, body = ErrorBody),
    ),
)]
pub async fn trigger_network(State(ctx): State<Ctx>, Extension(c): Caller, Path(id): Path<String>, Query(q): Query<Params>, Extension(RawBody(b)): Body) -> Answer<bool> {
    let ctx = &ctx;
    act::<Es, _, _, _>(ctx, c, &id, &q, &b.clone(), "network-trigger", |project, uuid| async move {
        let (kind, open) = wire::decode::<TriggerNetworkRequest>(&b)?.decide()?;
        ctx.app.trigger_network(&project, uuid, Es::PRODUCT, kind, open).await.map_err(repeated)?;
        Ok(true)
    })
    .await
}

#[utoipa::path(
    post, path = "/openapi/instances/{id}/actions/modify-white-ips", operation_id = "ModifyWhiteIps", tag = TAG_ES,
    summary = "Change a white-IP list",
    description = "`whiteIpList` changes the `default` group of `nodeType`/`networkType`; `whiteIpGroup` a named group \
        (`Cover` with no addresses removes it, `Append` needs it to exist, `Delete` must leave one address). Addresses \
        are IPs or CIDR blocks; a public list takes no private addresses. The public list is enforced by strato's \
        forwarder at once; the private one is recorded (the members' own addresses serve every local client). Kibana \
        lists: OperationNotEmulated.",
    params(("id" = String, Path, description = ES_ID), ("clientToken" = Option<String>, Query, description = CLIENT_TOKEN)),
    request_body = ModifyWhiteIpsRequest,
    responses(
        (status = 200, description = "Done.", body = Reply<bool>),
        (status = 400, description = NOT_FOUND_OR_STATE, body = ErrorBody),
    ),
)]
pub async fn modify_white_ips(State(ctx): State<Ctx>, Extension(c): Caller, Path(id): Path<String>, Query(q): Query<Params>, Extension(RawBody(b)): Body) -> Answer<bool> {
    let ctx = &ctx;
    act::<Es, _, _, _>(ctx, c, &id, &q, &b.clone(), "modify-white-ips", |project, uuid| async move {
        let w = wire::decode::<ModifyWhiteIpsRequest>(&b)?.change()?;
        ctx.app.modify_white_ips(&project, uuid, Es::PRODUCT, w.kind, w.group, w.mode, w.ips).await?;
        Ok(true)
    })
    .await
}

#[utoipa::path(
    post, path = "/openapi/instances/{id}/admin-pwd", operation_id = "UpdateAdminPassword", tag = TAG_ES,
    summary = "Change the administrator's password",
    description = "Checked against Alibaba's rule (8-32 characters, three of upper case, lower case, digits, special \
        characters) and refused while a task runs. The members run without security, so nothing in them changes; \
        the password is not stored (README).",
    params(("id" = String, Path, description = ES_ID), ("clientToken" = Option<String>, Query, description = CLIENT_TOKEN)),
    request_body = AdminPasswordRequest,
    responses(
        (status = 200, description = "Done.", body = Reply<bool>),
        (status = 400, description = NOT_FOUND_OR_STATE, body = ErrorBody),
    ),
)]
pub async fn admin_password(State(ctx): State<Ctx>, Extension(c): Caller, Path(id): Path<String>, Query(q): Query<Params>, Extension(RawBody(b)): Body) -> Answer<bool> {
    let ctx = &ctx;
    act::<Es, _, _, _>(ctx, c, &id, &q, &b.clone(), "admin-pwd", |project, uuid| async move {
        let password = wire::decode::<AdminPasswordRequest>(&b)?.es_admin_password;
        ctx.app.set_search_admin_password(&project, uuid, Es::PRODUCT, &password).await?;
        Ok(true)
    })
    .await
}

#[utoipa::path(
    get, path = "/openapi/instances/{id}/nodes", operation_id = "ListAllNode", tag = TAG_ES,
    summary = "List an instance's members",
    description = "Every member: its address, port and health as strato last observed its process, and (with \
        `extended`, the default) its figures from strato's health loop: CPU of the member's process as a share of the \
        machine, its directory's share of `nodeSpec.disk`, the machine's one-minute load; `heapPercent` is null (no \
        engine heap figure is read). A figure not measured yet is null.",
    params(
        ("id" = String, Path, description = ES_ID),
        ("extended" = Option<bool>, Query, description = "With the figures (`true`, the default) or without."),
    ),
    responses(
        (status = 200, description = "The members.", body = Reply<Vec<NodeInfo>>),
        (status = 400, description = "No such instance (InstanceNotFound), `extended` not a Boolean (InvalidParameter), or a signature refusal.", body = ErrorBody),
    ),
)]
pub async fn list_nodes(State(ctx): State<Ctx>, Extension(c): Caller, Path(id): Path<String>, Query(q): Query<Params>) -> Answer<Vec<NodeInfo>> {
    let extended = match q.get("extended").map(|e| e.trim().to_ascii_lowercase()).as_deref() {
        None | Some("true") => true,
        Some("false") => false,
        Some(other) => return Err(CoreError::invalid(Field::Network, format!("extended must be true or false, got `{other}`")).into()),
    };
    let (project, uuid) = target(&ctx, &c, Es::PRODUCT, &id).await?;
    let view = ctx.app.show(&project, uuid, Es::PRODUCT).await?;
    let load = ctx.app.observed.load();
    Ok(reply(super::render::nodes(&view, extended, |n| ctx.app.observed.usage(n), load)?))
}
