//! Alibaba Cloud Elasticsearch (`/openapi/instances`): one annotated handler
//! per operation, over the shared `instances` cores.

use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::{Extension, Json};

use super::instances::{self, Answer, Elasticsearch as Es, Params, Result, Task};
use super::openapi::{CLIENT_TOKEN, RESTART, RESTART_REFUSED, ENGINE_UNAVAILABLE, ES_ID, NOT_FOUND_OR_STATE, TAG_ES};
use super::wire::{Ack, RestartRequest, DescriptionRequest, CreateInstanceRequest, CreatedInstance, ElasticsearchInstance, ErrorBody, InstanceSettingsRequest, KibanaPrivateNetwork, ListReply, Reply, UpdateInstanceRequest};
use crate::api::auth::RawBody;
use crate::api::Ctx;
use crate::auth::Principal;

type Caller = Extension<Principal>;
type Body = Extension<RawBody>;

#[utoipa::path(
    post, path = "/openapi/instances", operation_id = "CreateInstance", tag = TAG_ES,
    summary = "Create an Elasticsearch instance",
    description = "Creates an instance of `nodeAmount` members, one engine process each; it is `activating` until every member serves, then `active`.",
    params(("clientToken" = Option<String>, Query, description = CLIENT_TOKEN)),
    request_body = CreateInstanceRequest,
    responses(
        (status = 200, description = "Accepted.", body = Reply<CreatedInstance>),
        (status = 400, description = "An invalid or missing field (InvalidParameter), a clientToken refusal, or a signature refusal.", body = ErrorBody),
        (status = 503, description = ENGINE_UNAVAILABLE, body = ErrorBody),
    ),
)]
pub async fn create(State(ctx): State<Ctx>, Extension(c): Caller, Query(q): Query<Params>, Extension(RawBody(b)): Body) -> Answer<CreatedInstance> {
    instances::create::<Es>(ctx, c, q, b).await
}

#[utoipa::path(
    get, path = "/openapi/instances", operation_id = "ListInstance", tag = TAG_ES,
    summary = "List Elasticsearch instances",
    description = "The account's instances, oldest first; the total is in `Headers` and the `X-Total-Count` header.",
    params(
        ("page" = Option<u32>, Query, minimum = 1, maximum = 2147483647, description = "The page, from 1 (else InvalidParameter)."),
        ("size" = Option<u32>, Query, minimum = 1, maximum = 100, description = "Instances per page, 10 by default (else InvalidParameter)."),
        ("description" = Option<String>, Query, description = "Only instances with this description."),
        ("instanceId" = Option<String>, Query, description = "Only this instance."),
        ("status" = Option<String>, Query, description = "Only instances in this status (`active`, `activating`, `suspended`, `inactive`, `invalid`)."),
    ),
    responses(
        (status = 200, description = "A page of instances.", body = ListReply<ElasticsearchInstance>,
         headers(("X-Total-Count" = u64, description = "Instances matching, on every page."))),
        (status = 400, description = "`page` or `size` out of range (InvalidParameter), or a signature refusal.", body = ErrorBody),
    ),
)]
pub async fn list(State(ctx): State<Ctx>, Extension(c): Caller, Query(q): Query<Params>) -> Result<(HeaderMap, Json<ListReply<ElasticsearchInstance>>)> {
    instances::list::<Es>(ctx, c, q).await
}

#[utoipa::path(
    get, path = "/openapi/instances/{id}", operation_id = "DescribeInstance", tag = TAG_ES,
    summary = "Describe an Elasticsearch instance",
    params(("id" = String, Path, description = ES_ID)),
    responses(
        (status = 200, description = "The instance.", body = Reply<ElasticsearchInstance>),
        (status = 400, description = "No such instance (InstanceNotFound), or a signature refusal.", body = ErrorBody),
    ),
)]
pub async fn describe(State(ctx): State<Ctx>, Extension(c): Caller, Path(id): Path<String>) -> Answer<ElasticsearchInstance> {
    instances::describe::<Es>(ctx, c, id).await
}

#[utoipa::path(
    put, path = "/openapi/instances/{id}", operation_id = "UpdateInstance", tag = TAG_ES,
    summary = "Change an Elasticsearch instance's members or disk",
    description = "A change task: members are added or removed, or restarted with the new disk, one at a time; \
        `activating` until it is done. It can be interrupted (`suspended`) and resumed.",
    params(("id" = String, Path, description = ES_ID), ("clientToken" = Option<String>, Query, description = CLIENT_TOKEN)),
    request_body = UpdateInstanceRequest,
    responses(
        (status = 200, description = "Accepted: the instance.", body = Reply<ElasticsearchInstance>),
        (status = 400, description = NOT_FOUND_OR_STATE, body = ErrorBody),
    ),
)]
pub async fn update(State(ctx): State<Ctx>, Extension(c): Caller, Path(id): Path<String>, Query(q): Query<Params>, Extension(RawBody(b)): Body) -> Answer<ElasticsearchInstance> {
    instances::update_instance(ctx, c, id, q, b).await
}

#[utoipa::path(
    delete, path = "/openapi/instances/{id}", operation_id = "DeleteInstance", tag = TAG_ES,
    summary = "Delete an Elasticsearch instance",
    description = "`immediate` (the default) stops its processes and removes its files; `protective` stops them and \
        deletes after the server's grace period, until when `CancelDeletion` brings it back.",
    params(
        ("id" = String, Path, description = ES_ID),
        ("clientToken" = Option<String>, Query, description = CLIENT_TOKEN),
        ("deleteType" = Option<String>, Query, description = "`immediate` or `protective` (else InvalidParameter)."),
    ),
    responses(
        (status = 200, description = "Accepted.", body = Ack),
        (status = 400, description = NOT_FOUND_OR_STATE, body = ErrorBody),
    ),
)]
pub async fn delete(State(ctx): State<Ctx>, Extension(c): Caller, Path(id): Path<String>, Query(q): Query<Params>, Extension(RawBody(b)): Body) -> Result<Json<Ack>> {
    instances::delete::<Es>(ctx, c, id, q, b).await
}

#[utoipa::path(
    post, path = "/openapi/instances/{id}/actions/restart", operation_id = "RestartInstance", tag = TAG_ES,
    summary = "Restart an Elasticsearch instance",
    description = RESTART,
    params(
        ("id" = String, Path, description = ES_ID),
        ("clientToken" = Option<String>, Query, description = CLIENT_TOKEN),
        ("force" = Option<bool>, Query, description = "A forced restart: `batchCount` percent of the members at a time."),
    ),
    request_body(content = Option<RestartRequest>, description = "Which members, how many at once (none: every member, one at a time)."),
    responses(
        (status = 200, description = "Accepted: the instance.", body = Reply<ElasticsearchInstance>),
        (status = 400, description = RESTART_REFUSED, body = ErrorBody),
    ),
)]
pub async fn restart(State(ctx): State<Ctx>, Extension(c): Caller, Path(id): Path<String>, Query(q): Query<Params>, Extension(RawBody(b)): Body) -> Answer<ElasticsearchInstance> {
    instances::restart::<Es>(ctx, c, id, q, b).await
}

#[utoipa::path(
    post, path = "/openapi/instances/{id}/actions/interrupt", operation_id = "InterruptElasticsearchTask", tag = TAG_ES,
    summary = "Interrupt an Elasticsearch instance's change task",
    description = "The change stops after its current step; the instance is `suspended` until resumed.",
    params(("id" = String, Path, description = ES_ID), ("clientToken" = Option<String>, Query, description = CLIENT_TOKEN)),
    responses(
        (status = 200, description = "Interrupted.", body = Reply<bool>),
        (status = 400, description = NOT_FOUND_OR_STATE, body = ErrorBody),
    ),
)]
pub async fn interrupt(State(ctx): State<Ctx>, Extension(c): Caller, Path(id): Path<String>, Query(q): Query<Params>, Extension(RawBody(b)): Body) -> Answer<bool> {
    instances::task::<Es>(ctx, c, id, q, b, Task::Interrupt).await
}

#[utoipa::path(
    post, path = "/openapi/instances/{id}/actions/resume", operation_id = "ResumeElasticsearchTask", tag = TAG_ES,
    summary = "Resume an Elasticsearch instance's interrupted change task",
    description = "The change goes on where it stopped (seed 002).",
    params(("id" = String, Path, description = ES_ID), ("clientToken" = Option<String>, Query, description = CLIENT_TOKEN)),
    responses(
        (status = 200, description = "Resumed.", body = Reply<bool>),
        (status = 400, description = NOT_FOUND_OR_STATE, body = ErrorBody),
    ),
)]
pub async fn resume(State(ctx): State<Ctx>, Extension(c): Caller, Path(id): Path<String>, Query(q): Query<Params>, Extension(RawBody(b)): Body) -> Answer<bool> {
    instances::task::<Es>(ctx, c, id, q, b, Task::Resume).await
}

#[utoipa::path(
    post, path = "/openapi/instances/{id}/actions/cancel-deletion", operation_id = "CancelDeletion", tag = TAG_ES,
    summary = "Cancel an Elasticsearch instance's protective deletion",
    description = "The instance is started again and stays.",
    params(("id" = String, Path, description = ES_ID), ("clientToken" = Option<String>, Query, description = CLIENT_TOKEN)),
    responses(
        (status = 200, description = "Cancelled.", body = Reply<bool>),
        (status = 400, description = NOT_FOUND_OR_STATE, body = ErrorBody),
    ),
)]
pub async fn cancel_deletion(State(ctx): State<Ctx>, Extension(c): Caller, Path(id): Path<String>, Query(q): Query<Params>, Extension(RawBody(b)): Body) -> Answer<bool> {
    instances::task::<Es>(ctx, c, id, q, b, Task::CancelDeletion).await
}

#[utoipa::path(
    post, path = "/openapi/instances/{id}/instance-settings", operation_id = "UpdateInstanceSettings", tag = TAG_ES,
    summary = "Set an Elasticsearch instance's YML settings",
    description = "`esConfig` replaces the settings every member runs with (keys from the offered list, else \
        InvalidParameter; the same settings again is MustChangeOneResource). A change task stops each member, writes \
        them into its configuration and starts it, one at a time; `activating` until done. The osmem stand-in has no \
        configuration to apply them to (README).",
    params(("id" = String, Path, description = ES_ID), ("clientToken" = Option<String>, Query, description = CLIENT_TOKEN)),
    request_body = InstanceSettingsRequest,
    responses(
        (status = 200, description = "Accepted: the instance.", body = Reply<ElasticsearchInstance>),
        (status = 400, description = NOT_FOUND_OR_STATE, body = ErrorBody),
    ),
)]
pub async fn update_settings(State(ctx): State<Ctx>, Extension(c): Caller, Path(id): Path<String>, Query(q): Query<Params>, Extension(RawBody(b)): Body) -> Answer<ElasticsearchInstance> {
    instances::update_settings(ctx, c, id, q, b).await
}

#[utoipa::path(
    get, path = "/openapi/instances/{id}/actions/get-kibana-private", operation_id = "ListKibanaPvlNetwork", tag = TAG_ES,
    summary = "List an Elasticsearch instance's Kibana private connections",
    description = "None: strato runs no Kibana, so `Result` is empty (the alicloud provider reads it on every refresh).",
    params(("id" = String, Path, description = ES_ID)),
    responses(
        (status = 200, description = "The connections (none).", body = Reply<Vec<KibanaPrivateNetwork>>),
        (status = 400, description = "No such instance (InstanceNotFound), or a signature refusal.", body = ErrorBody),
    ),
)]
pub async fn kibana_private(State(ctx): State<Ctx>, Extension(c): Caller, Path(id): Path<String>) -> Answer<Vec<KibanaPrivateNetwork>> {
    instances::kibana_private(ctx, c, id).await
}

#[utoipa::path(
    post, path = "/openapi/instances/{id}/description", operation_id = "UpdateDescription", tag = TAG_ES,
    summary = "Set an instance's description",
    description = "The description is the instance's name in Alibaba's console: plain text, at most 30 characters. \
        Recorded at once (a finished task is its record); answers the instance.",
    params(("id" = String, Path, description = ES_ID), ("clientToken" = Option<String>, Query, description = CLIENT_TOKEN)),
    request_body = DescriptionRequest,
    responses(
        (status = 200, description = "Set: the instance.", body = Reply<ElasticsearchInstance>),
        (status = 400, description = NOT_FOUND_OR_STATE, body = ErrorBody),
    ),
)]
pub async fn update_description(State(ctx): State<Ctx>, Extension(c): Caller, Path(id): Path<String>, Query(q): Query<Params>, Extension(RawBody(b)): Body) -> Answer<ElasticsearchInstance> {
    instances::update_description::<Es>(ctx, c, id, q, b).await
}
