//! The CSS listener's OpenAPI 3.1 document: each handler's annotation
//! (`clusters.rs`) over the wire types (`wire.rs`), plus what every
//! operation shares, added by `finish`: the two ways to authenticate, the
//! refusals the HTTP edge and authentication make before any handler, and
//! the error codes of `error::CODES`.

use utoipa::openapi::content::ContentBuilder;
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::schema::Schema;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::openapi::{OpenApi, Ref, RefOr};

use super::error::CODES;
use crate::api::links::{self, Link};

pub const TAG_CLUSTERS: &str = "Clusters";
pub const TAG_FLAVORS: &str = "Flavors";
pub const PROJECT_ID: &str = "The project (a token's scope, or one of the signing user's projects; else 403 CSS.0015).";
pub const CLUSTER_ID: &str = "A cluster id, a UUID (else 400 CSS.0001).";
pub const ENGINE_UNAVAILABLE: &str = "The datastore's engine is not installed or bound on this server, or no node address \
    or engine port is free (CSS.6000); nothing was created.";

const ERROR_SCHEMA: &str = "ErrorBody";

/// The document's base: its info and the security every operation needs
/// (either scheme).
#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "strato: Huawei Cloud Search Service (CSS) v1.0",
        description = "strato's CSS control plane, backed by real search and log engine processes (one per member). \
            Every operation needs a Keystone token (`X-Auth-Token`, from the IAM listener's `POST /v3/auth/tokens`) or \
            an AK/SK signature (`Authorization: SDK-HMAC-SHA256 ...`, as the Huawei SDKs sign). A refusal is \
            `{\"error_code\":\"CSS.xxxx\",\"error_msg\":\"...\"}`, with CSS's own `errCode` / `externalMessage` \
            beside them (the `ErrorBody` schema lists every code and its \
            HTTP status). This document is served without authentication at `GET /openapi.json`."
    ),
    security(("authToken" = []), ("signature" = [])),
)]
pub struct Base;

/// The refusals any operation can answer, whoever makes them (or_insert:
/// an operation's own description of a status wins).
const EDGE: [(&str, &str); 8] = [
    ("400", "The path or query cannot be decoded (CSS.0001)."),
    ("401", "No token or signature, or not a valid one (CSS.0045)."),
    ("403", "The caller may not act in the path's project (CSS.0015)."),
    ("405", "The path does not take the method (CSS.0404)."),
    ("408", "The body did not arrive in time (CSS.0001)."),
    ("413", "The body exceeds 1 MiB; it was not read (CSS.0001)."),
    ("415", "A body not declared `application/json` (CSS.0001)."),
    ("500", "An internal error (CSS.0005); see the server log."),
];

/// Where an answer's id is another operation's parameter.
const LINKS: &[Link] = &[Link {
    from: "CreateCluster",
    status: "200",
    pointer: "/cluster/id",
    param: "cluster_id",
    to: &["ShowClusterDetail", "RestartCluster", "RestartClusterV2", "DeleteCluster"],
}];

/// Adds what every operation shares to the routes' document.
pub fn finish(mut doc: OpenApi) -> OpenApi {
    let components = doc.components.get_or_insert_with(Default::default);
    let token = ApiKeyValue::with_description("X-Auth-Token", "A Keystone token from the IAM listener's `POST /v3/auth/tokens`.");
    components.add_security_scheme("authToken", SecurityScheme::ApiKey(ApiKey::Header(token)));
    let signature = ApiKeyValue::with_description(
        "Authorization",
        "`SDK-HMAC-SHA256 Access=AK, SignedHeaders=..., Signature=...`: Huawei's AK/SK signature over the method, path, \
         query, signed headers and body, with the time in `X-Sdk-Date` (`YYYYMMDDTHHMMSSZ`, within 15 minutes).",
    );
    components.add_security_scheme("signature", SecurityScheme::ApiKey(ApiKey::Header(signature)));
    if let Some(RefOr::T(Schema::Object(error))) = components.schemas.get_mut(ERROR_SCHEMA) {
        error.description = Some(code_table());
        if let Some(RefOr::T(Schema::Object(code))) = error.properties.get_mut("error_code") {
            code.enum_values = Some(codes().into_iter().map(Into::into).collect());
        }
    }
    for item in doc.paths.paths.values_mut() {
        let ops = [&mut item.get, &mut item.post, &mut item.put, &mut item.delete, &mut item.patch];
        for op in ops.into_iter().flatten() {
            for (status, why) in EDGE {
                op.responses.responses.entry(status.into()).or_insert_with(|| RefOr::T(error_response(why)));
            }
        }
    }
    links::add(&mut doc, LINKS);
    doc
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
        "Every refusal, whoever made it (the HTTP edge, authentication or a handler). `error_code` is one of:\n\n\
         | error_code | HTTP | when |\n|---|---|---|\n",
    );
    for (code, status, when) in CODES {
        s.push_str(&format!("| {code} | {} | {when} |\n", status.as_u16()));
    }
    s
}
