//! Alibaba Cloud Logstash (`/openapi/logstashes`): one annotated handler
//! per operation, over the shared `instances` cores.

use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::{Extension, Json};

use super::instances::{self, Answer, Logstash as Ls, Params, Result, Task};
use super::openapi::{CLIENT_TOKEN, RESTART, RESTART_REFUSED, ENGINE_UNAVAILABLE, LS_ID, NOT_FOUND_OR_STATE, TAG_LOGSTASH};
use super::wire::{Ack, RestartRequest, DescriptionRequest, CreateInstanceRequest, CreatedInstance, ErrorBody, ListReply, LogstashInstance, Reply, UpdateInstanceRequest};
use crate::api::auth::RawBody;
use crate::api::Ctx;
use crate::auth::Principal;

type Caller = Extension<Principal>;
type Body = Extension<RawBody>;

#[utoipa::path(
    post, path = "/openapi/logstashes", operation_id = "CreateLogstash", tag = TAG_LOGSTASH,
    summary = "Create a Logstash instance",
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
    instances::create::<Ls>(ctx, c, q, b).await
}

#[utoipa::path(
    get, path = "/openapi/logstashes", operation_id = "ListLogstash", tag = TAG_LOGSTASH,
    summary = "List Logstash instances",
    description = "The account's instances, oldest first; the total is in `Headers` and the `X-Total-Count` header.",
    params(
        ("page" = Option<u32>, Query, minimum = 1, maximum = 2147483647, description = "The page, from 1 (else InvalidParameter)."),
        ("size" = Option<u32>, Query, minimum = 1, maximum = 100, description = "Instances per page, 10 by default (else InvalidParameter)."),
        ("description" = Option<String>, Query, description = "Only instances with this description."),
        ("instanceId" = Option<String>, Query, description = "Only this instance."),
        ("status" = Option<String>, Query, description = "Only instances in this status (`active`, `activating`, `suspended`, `inactive`, `invalid`)."),
    ),
    responses(
        (status = 200, description = "A page of instances.", body = ListReply<LogstashInstance>,
         headers(("X-Total-Count" = u64, description = "Instances matching, on every page."))),
        (status = 400, description = "`page` or `size` out of range (InvalidParameter), or a signature refusal.", body = ErrorBody),
    ),
)]
pub async fn list(State(ctx): State<Ctx>, Extension(c): Caller, Query(q): Query<Params>) -> Result<(HeaderMap, Json<ListReply<LogstashInstance>>)> {
    instances::list::<Ls>(ctx, c, q).await
}

#[utoipa::path(
    get, path = "/openapi/logstashes/{id}", operation_id = "DescribeLogstash", tag = TAG_LOGSTASH,
    summary = "Describe a Logstash instance",
    params(("id" = String, Path, description = LS_ID)),
    responses(
        (status = 200, description = "The instance.", body = Reply<LogstashInstance>),
        (status = 400, description = "No such instance (InstanceNotFound), or a signature refusal.", body = ErrorBody),
    ),
)]
pub async fn describe(State(ctx): State<Ctx>, Extension(c): Caller, Path(id): Path<String>) -> Answer<LogstashInstance> {
    instances::describe::<Ls>(ctx, c, id).await
}

#[utoipa::path(
    put, path = "/openapi/logstashes/{id}", operation_id = "UpdateLogstash", tag = TAG_LOGSTASH,
    summary = "Change a Logstash instance's members or disk",
    description = "A change task: members are added or removed, or restarted with the new disk, one at a time; \
        `activating` until it is done. It can be interrupted (`suspended`) and resumed.",
    params(("id" = String, Path, description = LS_ID), ("clientToken" = Option<String>, Query, description = CLIENT_TOKEN)),
    request_body = UpdateInstanceRequest,
    responses(
        (status = 200, description = "Accepted: `true`.", body = Reply<bool>),
        (status = 400, description = NOT_FOUND_OR_STATE, body = ErrorBody),
    ),
)]
pub async fn update(State(ctx): State<Ctx>, Extension(c): Caller, Path(id): Path<String>, Query(q): Query<Params>, Extension(RawBody(b)): Body) -> Answer<bool> {
    instances::update_logstash(ctx, c, id, q, b).await
}

#[utoipa::path(
    delete, path = "/openapi/logstashes/{id}", operation_id = "DeleteLogstash", tag = TAG_LOGSTASH,
    summary = "Delete a Logstash instance",
    description = "`immediate` (the default) stops its processes and removes its files; `protective` stops them and \
        deletes after the server's grace period, until when `CancelLogstashDeletion` brings it back.",
    params(
        ("id" = String, Path, description = LS_ID),
        ("clientToken" = Option<String>, Query, description = CLIENT_TOKEN),
        ("deleteType" = Option<String>, Query, description = "`immediate` or `protective` (else InvalidParameter)."),
    ),
    responses(
        (status = 200, description = "Accepted.", body = Ack),
        (status = 400, description = NOT_FOUND_OR_STATE, body = ErrorBody),
    ),
)]
pub async fn delete(State(ctx): State<Ctx>, Extension(c): Caller, Path(id): Path<String>, Query(q): Query<Params>, Extension(RawBody(b)): Body) -> Result<Json<Ack>> {
    instances::delete::<Ls>(ctx, c, id, q, b).await
}

#[utoipa::path(
    post, path = "/openapi/logstashes/{id}/actions/restart", operation_id = "RestartLogstash", tag = TAG_LOGSTASH,
    summary = "Restart a Logstash instance",
    description = RESTART,
    params(
        ("id" = String, Path, description = LS_ID),
        ("clientToken" = Option<String>, Query, description = CLIENT_TOKEN),
        ("force" = Option<bool>, Query, description = "A forced restart: `batchCount` percent of the members at a time."),
    ),
    request_body(content = Option<RestartRequest>, description = "Which members, how many at once (none: every member, one at a time)."),
    responses(
        (status = 200, description = "Accepted: the instance.", body = Reply<LogstashInstance>),
        (status = 400, description = RESTART_REFUSED, body = ErrorBody),
    ),
)]
pub async fn restart(State(ctx): State<Ctx>, Extension(c): Caller, Path(id): Path<String>, Query(q): Query<Params>, Extension(RawBody(b)): Body) -> Answer<LogstashInstance> {
    instances::restart::<Ls>(ctx, c, id, q, b).await
}

#[utoipa::path(
    post, path = "/openapi/logstashes/{id}/actions/interrupt", operation_id = "InterruptLogstashTask", tag = TAG_LOGSTASH,
    summary = "Interrupt a Logstash instance's change task",
    description = "The change stops after its current step; the instance is `suspended` until resumed.",
    params(("id" = String, Path, description = LS_ID), ("clientToken" = Option<String>, Query, description = CLIENT_TOKEN)),
    responses(
        (status = 200, description = "Interrupted.", body = Reply<bool>),
        (status = 400, description = NOT_FOUND_OR_STATE, body = ErrorBody),
    ),
)]
pub async fn interrupt(State(ctx): State<Ctx>, Extension(c): Caller, Path(id): Path<String>, Query(q): Query<Params>, Extension(RawBody(b)): Body) -> Answer<bool> {
    instances::task::<Ls>(ctx, c, id, q, b, Task::Interrupt).await
}

#[utoipa::path(
    post, path = "/openapi/logstashes/{id}/actions/resume", operation_id = "ResumeLogstashTask", tag = TAG_LOGSTASH,
    summary = "Resume a Logstash instance's interrupted change task",
    description = "The change goes on where it stopped (seed 003).",
    params(("id" = String, Path, description = LS_ID), ("clientToken" = Option<String>, Query, description = CLIENT_TOKEN)),
    responses(
        (status = 200, description = "Resumed.", body = Reply<bool>),
        (status = 400, description = NOT_FOUND_OR_STATE, body = ErrorBody),
    ),
)]
pub async fn resume(State(ctx): State<Ctx>, Extension(c): Caller, Path(id): Path<String>, Query(q): Query<Params>, Extension(RawBody(b)): Body) -> Answer<bool> {
    instances::task::<Ls>(ctx, c, id, q, b, Task::Resume).await
}

#[utoipa::path(
    post, path = "/openapi/logstashes/{id}/actions/cancel-deletion", operation_id = "CancelLogstashDeletion", tag = TAG_LOGSTASH,
    summary = "Cancel a Logstash instance's protective deletion",
    description = "The instance is started again and stays.",
    params(("id" = String, Path, description = LS_ID), ("clientToken" = Option<String>, Query, description = CLIENT_TOKEN)),
    responses(
        (status = 200, description = "Cancelled.", body = Reply<bool>),
        (status = 400, description = NOT_FOUND_OR_STATE, body = ErrorBody),
    ),
)]
pub async fn cancel_deletion(State(ctx): State<Ctx>, Extension(c): Caller, Path(id): Path<String>, Query(q): Query<Params>, Extension(RawBody(b)): Body) -> Answer<bool> {
    instances::task::<Ls>(ctx, c, id, q, b, Task::CancelDeletion).await
}

#[utoipa::path(
    post, path = "/openapi/logstashes/{id}/description", operation_id = "UpdateLogstashDescription", tag = TAG_LOGSTASH,
    summary = "Set an instance's description",
    description = "The description is the instance's name in Alibaba's console: plain text, at most 30 characters. \
        Recorded at once (a finished task is its record); answers the instance.",
    params(("id" = String, Path, description = LS_ID), ("clientToken" = Option<String>, Query, description = CLIENT_TOKEN)),
    request_body = DescriptionRequest,
    responses(
        (status = 200, description = "Set: the instance.", body = Reply<LogstashInstance>),
        (status = 400, description = NOT_FOUND_OR_STATE, body = ErrorBody),
    ),
)]
pub async fn update_description(State(ctx): State<Ctx>, Extension(c): Caller, Path(id): Path<String>, Query(q): Query<Params>, Extension(RawBody(b)): Body) -> Answer<LogstashInstance> {
    instances::update_description::<Ls>(ctx, c, id, q, b).await
}
