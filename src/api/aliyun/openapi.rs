//! The Alibaba listener's OpenAPI 3.1 document: each handler's annotation
//! (`elasticsearch.rs`, `logstash.rs`) over the wire types (`wire.rs`), plus
//! what every operation shares, added by `finish`: the signature schemes and
//! the `x-acs-*` headers they need, the refusals the HTTP edge and
//! authentication make before any handler, and the codes of `error::CODES`.

use utoipa::openapi::content::ContentBuilder;
use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::schema::{Object, Schema, Type};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::openapi::{OpenApi, Ref, RefOr, Required};

use super::error::CODES;
use crate::api::links::{self, Link};

pub const TAG_ES: &str = "Elasticsearch";
pub const TAG_LOGSTASH: &str = "Logstash";
pub const TAG_TAGS: &str = "Tags";
pub const ES_ID: &str = "An Elasticsearch instance id, `es-cn-` and 32 hex digits (else 400 InstanceNotFound).";
pub const LS_ID: &str = "A Logstash instance id, `ls-cn-` and 32 hex digits (else 400 InstanceNotFound).";
pub const CLIENT_TOKEN: &str = "Idempotency: 1 to 64 ASCII characters (else InvalidParameter). A repeat of the same \
    request with the same token (kept 48 hours) answers the first result and does nothing; with other parameters it is \
    IdempotentParameterMismatch, while the first is still running TokenPreviousRequestProcessError.";
pub const ENGINE_UNAVAILABLE: &str = "The product's engine is not installed or bound on this server, or no node address or \
    engine port is free (ServiceUnavailable; nothing was created); or too many signature nonces are remembered (Throttling).";
pub const NOT_FOUND_OR_STATE: &str = "No such instance (InstanceNotFound), the instance is busy (InstanceActivating) or its \
    status does not allow the action (InstanceStatusNotSupportCurrentAction), an option strato does not run \
    (OperationNotEmulated), a clientToken refusal, or a signature refusal.";

pub const RESTART: &str = "Restarts members in place, the rest serving meanwhile: every member one at a time (`instance`, \
    the default), a forced `instance` restart `batchCount` percent of them at a time, or the members whose addresses \
    `nodes` lists (`nodeIp`); `activating` until done.";
pub const RESTART_REFUSED: &str = "No such instance (InstanceNotFound), the instance is busy (InstanceActivating), a bad \
    restartType or member (InvalidParameter), a forced restart without 0 < batchCount <= 100 (RestartBatchValueError), a \
    normal one with a batchCount (NormalRestartNotSupportBatch), a blue-green restart (OperationNotEmulated), a clientToken \
    refusal, or a signature refusal.";

const ERROR_SCHEMA: &str = "ErrorBody";

/// The document's base: its info and the security every operation needs
/// (any one scheme).
#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "strato: Alibaba Cloud Elasticsearch and Logstash (2017-06-13, ROA)",
        description = "strato's Alibaba Cloud Elasticsearch and Logstash control plane, backed by real engine processes \
            (one per member). Every operation needs a signed request: `Authorization: ACS3-HMAC-SHA256 ...` (the \
            alibabacloud SDKs' default) or the legacy `Authorization: acs AK:signature`, with the `x-acs-*` headers \
            each scheme covers (described on the schemes and as header parameters); strato also accepts a Keystone \
            token in `X-Auth-Token`. The caller acts in its user's first project. A success is \
            `{\"RequestId\",\"Result\"}`; a refusal is `{\"RequestId\",\"HostId\",\"Code\",\"Message\"}` (the \
            `ErrorBody` schema lists every Code and its HTTP status). This document is served without \
            authentication at `GET /openapi.json`."
    ),
    security(("acs3" = []), ("acsV1" = []), ("authToken" = [])),
)]
pub struct Base;

/// The refusals any operation can answer, whoever makes them (or_insert:
/// an operation's own description of a status wins).
const EDGE: [(&str, &str); 9] = [
    ("400", "A signature refusal (MissingAuthorization, SignatureDoesNotMatch, InvalidTimeStamp.Expired, \
        SignatureNonceUsed, MissingSignatureNonce, MissingContentMD5), or an invalid request (InvalidParameter)."),
    ("403", "The caller has no project to act in (Forbidden.RAM)."),
    ("404", "The signature's access key is unknown (InvalidAccessKeyId.NotFound)."),
    ("405", "The path does not take the method (InvalidAction.NotFound)."),
    ("408", "The body did not arrive in time (InvalidParameter)."),
    ("413", "The body exceeds 1 MiB; it was not read (InvalidParameter)."),
    ("415", "A body not declared `application/json` (UnsupportedMediaType)."),
    ("500", "An internal error (InternalError); see the server log."),
    ("503", "Too many signature nonces are remembered at once (Throttling); retry."),
];

/// The `x-acs-*` headers a signed request carries.
const ACS_HEADERS: [(&str, &str); 5] = [
    ("x-acs-date", "ACS3: the signing time, `YYYY-MM-DDTHH:MM:SSZ`, within 15 minutes; signed."),
    ("x-acs-signature-nonce", "ACS3 and acs v1: a nonce used once per access key (SignatureNonceUsed); required, and signed."),
    ("x-acs-content-sha256", "ACS3: the hex SHA-256 of the body; must match it."),
    ("x-acs-action", "The SDK's operation name (e.g. `ListInstance`); covered by the signature, not checked."),
    ("x-acs-version", "`2017-06-13`; covered by the signature, not checked."),
];

/// Where an answer's id is another operation's parameter.
const LINKS: &[Link] = &[
    Link {
        from: "CreateInstance",
        status: "200",
        pointer: "/Result/instanceId",
        param: "id",
        to: &[
            "DescribeInstance",
            "UpdateInstance",
            "RestartInstance",
            "InterruptElasticsearchTask",
            "ResumeElasticsearchTask",
            "DeleteInstance",
            "CancelDeletion",
        ],
    },
    Link {
        from: "CreateLogstash",
        status: "200",
        pointer: "/Result/instanceId",
        param: "id",
        to: &[
            "DescribeLogstash",
            "UpdateLogstash",
            "RestartLogstash",
            "InterruptLogstashTask",
            "ResumeLogstashTask",
            "DeleteLogstash",
            "CancelLogstashDeletion",
        ],
    },
];

/// Adds what every operation shares to the routes' document.
pub fn finish(mut doc: OpenApi) -> OpenApi {
    let components = doc.components.get_or_insert_with(Default::default);
    for (name, header, why) in schemes() {
        components.add_security_scheme(name, SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(header, why))));
    }
    if let Some(RefOr::T(Schema::Object(error))) = components.schemas.get_mut(ERROR_SCHEMA) {
        error.description = Some(code_table());
        if let Some(RefOr::T(Schema::Object(code))) = error.properties.get_mut("Code") {
            code.enum_values = Some(codes().into_iter().map(Into::into).collect());
        }
    }
    for item in doc.paths.paths.values_mut() {
        let ops = [&mut item.get, &mut item.post, &mut item.put, &mut item.delete, &mut item.patch];
        for op in ops.into_iter().flatten() {
            for (status, why) in EDGE {
                op.responses.responses.entry(status.into()).or_insert_with(|| RefOr::T(error_response(why)));
            }
            let params = op.parameters.get_or_insert_with(Vec::new);
            for (name, why) in ACS_HEADERS {
                let schema = Schema::Object(Object::with_type(Type::String));
                params.push(RefOr::T(ParameterBuilder::new().name(name).parameter_in(ParameterIn::Header).required(Required::False).description(Some(why)).schema(Some(schema)).build()));
            }
        }
    }
    links::add(&mut doc, LINKS);
    doc
}

fn schemes() -> [(&'static str, &'static str, &'static str); 3] {
    [
        (
            "acs3",
            "Authorization",
            "`ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=host;x-acs-...,Signature=hex`: HMAC-SHA256 over the method, \
             path, sorted query, the signed headers and the body's SHA-256. `host`, `x-acs-date` and \
             `x-acs-signature-nonce` must be signed; `x-acs-content-sha256` must match the body.",
        ),
        (
            "acsV1",
            "Authorization",
            "`acs AK:base64(HMAC-SHA1)`: the legacy ROA signature over the method, `Accept`, `Content-MD5`, \
             `Content-Type`, `Date` (RFC 1123, within 15 minutes), every `x-acs-*` header (`x-acs-signature-nonce` \
             required) and the path with the sorted query. It covers a body only through `Content-MD5`, so a request \
             with a body must send it (MissingContentMD5).",
        ),
        ("authToken", "X-Auth-Token", "strato's: a Keystone token from the IAM listener's `POST /v3/auth/tokens`."),
    ]
}

/// A response in the error envelope.
pub fn error_response(description: &str) -> Response {
    let content = ContentBuilder::new().schema(Some(Ref::from_schema_name(ERROR_SCHEMA))).build();
    ResponseBuilder::new().description(description).content("application/json", content).build()
}

fn codes() -> Vec<&'static str> {
    let mut codes: Vec<&str> = CODES.iter().map(|(c, _, _)| *c).collect();
    codes.sort_unstable();
    codes.dedup();
    codes
}

fn code_table() -> String {
    let mut s = String::from(
        "Every refusal, whoever made it (the HTTP edge, authentication or a handler). `Code` is one of:\n\n\
         | Code | HTTP | when |\n|---|---|---|\n",
    );
    for (code, status, when) in CODES {
        s.push_str(&format!("| {code} | {} | {when} |\n", status.as_u16()));
    }
    s
}
