//! The dialect's OpenAPI 3.1 document: each handler's annotation
//! (`clusters.rs`) over the wire types (`wire.rs`), plus what every
//! operation shares, added by `finish`: the bearer scheme, the refusals the
//! HTTP edge makes before any handler (413, and 500 from the store), and the
//! error codes of `error::CODES`.

use utoipa::openapi::content::ContentBuilder;
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::schema::Schema;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{OpenApi, Ref, RefOr};

use super::error::CODES;
use crate::api::links::{self, Link};

pub const TAG_CLUSTERS: &str = "Clusters";
pub const TAG_JOBS: &str = "Jobs";
pub const OK_OR_REFUSED: &str = "The operation's `data` (`code` 0), or its refusal (any other `code`): Zilliz answers \
    request errors with HTTP 200.";
pub const UNAVAILABLE: &str = "The engine is not installed on this server (96900), or no node address or engine port is \
    free (96901); nothing was created.";
pub const CLUSTER_ID: &str = "A cluster id, `in01-` and 32 hex digits (else 96036; 96025 if blank).";

const SCHEME: &str = "apiKey";
const ERROR_SCHEMA: &str = "ErrorBody";

/// The document's base: its info and the security every operation needs.
#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "strato: Zilliz Cloud control plane (v2)",
        description = "strato's Zilliz Cloud control plane, backed by real Milvus processes. Every operation needs \
            `Authorization: Bearer <API key>` (`strato admin apikey-create`). A success is `{\"code\":0,\"data\":...}`; \
            a refusal is `{\"code\":N,\"message\":\"...\"}` (the `ErrorBody` schema lists every code), with HTTP 200 \
            for request errors as Zilliz does, 413 for a body over 1 MiB, 500 for an internal error, 503 when the \
            engine is not installed or capacity is exhausted, and 404 for a path that is not in this document. This \
            document is served without authentication at `GET /openapi.json`."
    ),
    security(("apiKey" = [])),
)]
pub struct Base;

/// Where an answer's id is another operation's parameter.
const CLUSTER_OPS: &[&str] =
    &["DescribeCluster", "ModifyCluster", "SuspendCluster", "ResumeCluster", "ResumeClusterByGet", "DropCluster"];
const LINKS: &[Link] = &[
    Link { from: "CreateDedicatedCluster", status: "200", pointer: "/data/clusterId", param: "clusterId", to: CLUSTER_OPS },
    Link { from: "CreateServerlessCluster", status: "200", pointer: "/data/clusterId", param: "clusterId", to: CLUSTER_OPS },
    Link { from: "CreateFreeCluster", status: "200", pointer: "/data/clusterId", param: "clusterId", to: CLUSTER_OPS },
];

/// Adds what every operation shares to the routes' document.
pub fn finish(mut doc: OpenApi) -> OpenApi {
    let components = doc.components.get_or_insert_with(Default::default);
    let bearer = HttpBuilder::new().scheme(HttpAuthScheme::Bearer).description(Some("`Authorization: Bearer <API key>`"));
    components.add_security_scheme(SCHEME, SecurityScheme::Http(bearer.build()));
    if let Some(RefOr::T(Schema::Object(error))) = components.schemas.get_mut(ERROR_SCHEMA) {
        error.description = Some(code_table());
        if let Some(RefOr::T(Schema::Object(code))) = error.properties.get_mut("code") {
            code.enum_values = Some(codes().into_iter().map(Into::into).collect());
        }
    }
    let edge = [
        ("401", "The API key is missing, malformed, unknown or revoked (21119)."),
        ("413", "The body exceeds 1 MiB; it was not read."),
        ("500", "An internal error (96999); see the server log.")];
    for item in doc.paths.paths.values_mut() {
        let ops = [&mut item.get, &mut item.post, &mut item.put, &mut item.delete, &mut item.patch];
        for op in ops.into_iter().flatten() {
            for (status, why) in edge {
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

fn codes() -> Vec<u32> {
    let mut codes: Vec<u32> = CODES.iter().map(|(c, _, _)| *c).collect();
    codes.sort_unstable();
    codes.dedup();
    codes
}

fn code_table() -> String {
    let mut s = String::from(
        "Every refusal, whoever made it (the HTTP edge, authentication or a handler). `code` is one of:\n\n\
         | code | HTTP | when |\n|---|---|---|\n",
    );
    for (code, status, when) in CODES {
        s.push_str(&format!("| {code} | {} | {when} |\n", status.as_u16()));
    }
    s
}
