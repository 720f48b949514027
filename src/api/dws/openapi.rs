//! The dialect's OpenAPI 3.1 document: each handler's annotation over the
//! wire types (`wire/`), plus what every operation shares, added by
//! `finish`: the two authentication schemes, the refusals authentication and
//! the HTTP edge make before any handler, and the error codes of `error::CODES`.

use utoipa::openapi::content::ContentBuilder;
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::schema::Schema;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::openapi::{OpenApi, Ref, RefOr};

use super::error::CODES;
use crate::api::links::{self, Link};

pub const TAG_CLUSTERS: &str = "Clusters";
pub const TAG_SNAPSHOTS: &str = "Snapshots";
pub const TAG_POLICIES: &str = "Snapshot policies";
pub const TAG_JOBS: &str = "Jobs";
pub const TAG_NODE_TYPES: &str = "Node types";
pub const TAG_PARAMETERS: &str = "Parameters";
pub const TAG_EVENTS: &str = "Events";

pub const PROJECT_ID: &str = "The project: the token's, or one of the signing user's (else 403 DWS.0015).";
pub const CLUSTER_ID: &str = "A cluster id, a UUID (else DWS.0001).";
pub const SNAPSHOT_ID: &str = "A snapshot id, a UUID (else DWS.0001).";
pub const UNAVAILABLE: &str = "PostgreSQL is not installed on this server, or no node address or port is free \
    (DWS.6000); nothing was created.";
pub const CONFLICT: &str = "The cluster's state, or the operation it is running, does not allow this one (DWS.5090).";
pub const BAD_REQUEST: &str = "Invalid request: see the code (DWS.0001, DWS.0004, or the field's own code).";

const TOKEN: &str = "token";
const SIGNATURE: &str = "signature";
const ERROR_SCHEMA: &str = "ErrorBody";

/// The document's base: its info and the security every operation needs
/// (either scheme will do).
#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "strato: GaussDB(DWS) control plane",
        description = "strato's GaussDB(DWS) control plane (OTC / Huawei Cloud, the v1.0 API with the v1 and v2 paths \
            the SDKs use), backed by real PostgreSQL processes. Every operation needs a Keystone token \
            (`X-Auth-Token`, from the IAM listener's `POST /v3/auth/tokens`) or a Huawei SDK-HMAC-SHA256 \
            signature (`Authorization`). A refusal is `{\"error_code\":\"DWS.xxxx\",\"error_msg\":\"...\"}` (the \
            `ErrorBody` schema lists every code) with HTTP 4xx/5xx. This document is served without \
            authentication at `GET /openapi.json`."
    ),
    security(("token" = []), ("signature" = [])),
)]
pub struct Base;

/// What every operation can answer besides its own responses: path and
/// query decoding, authentication, the router and the HTTP edge. Each is a
/// shared response (`components.responses`) the operations refer to.
const SHARED: &[(&str, &str, &str)] = &[
    ("400", "BadRequest", "The path or query cannot be decoded (DWS.0001), or the body is malformed (DWS.0004)."),
    ("401", "Unauthorized", "No `X-Auth-Token` or signature, or an invalid one (DWS.0002)."),
    ("403", "Forbidden", "The caller may not act in the path's project (DWS.0015)."),
    ("404", "NotFound", "A path that is not in this document (DWS.0404)."),
    ("405", "MethodNotAllowed", "The path does not take the method (DWS.0404)."),
    ("408", "RequestTimeout", "The body did not arrive in time (DWS.0004)."),
    ("413", "PayloadTooLarge", "The body exceeds 1 MiB; it was not read (DWS.0005)."),
    ("415", "UnsupportedMediaType", "A body not declared `application/json` (DWS.0006)."),
    ("500", "InternalError", "An internal error (DWS.9999); see the server log."),
];

/// Where an answer's id is another operation's parameter.
const CLUSTER_OPS: &[&str] = &[
    "ListClusterDetails",
    "RestartCluster",
    "StartCluster",
    "StopCluster",
    "DeleteCluster",
    "ListClusterSnapshots",
    "ListSnapshotPolicyV1",
    "CreateSnapshotPolicyV1",
    "ListSnapshotPolicy",
    "CreateSnapshotPolicy",
    "ResizeCluster",
    "ShrinkCluster",
    "ResetPassword",
    "BatchCreateResourceTag",
    "BatchDeleteResourceTag",
    "ListClusterTags",
    "SaveClusterDescriptionInfo",
    "ModifyClusterTimezone",
    "UpdateMaintenanceWindow",
    "ChangeSecurityGroup",
    "ListClusterNodes",
    "ExpandInstanceStorage",
    "ModifyClusterName",
    "ModifyClusterNameV1",
];
const LINKS: &[Link] = &[
    Link { from: "CreateCluster", status: "200", pointer: "/cluster/id", param: "cluster_id", to: CLUSTER_OPS },
    Link { from: "CreateCluster", status: "200", pointer: "/job_id", param: "job_id", to: &["ListJobDetails"] },
    Link { from: "ModifyClusterTimezone", status: "200", pointer: "/job_id", param: "job_id", to: &["ListJobDetails"] },
    Link { from: "ModifyClusterName", status: "200", pointer: "/job_id", param: "job_id", to: &["ListJobDetails"] },
    Link { from: "CreateClusterV2", status: "200", pointer: "/cluster/id", param: "cluster_id", to: CLUSTER_OPS },
    Link { from: "RestoreCluster", status: "200", pointer: "/cluster/id", param: "cluster_id", to: CLUSTER_OPS },
    Link { from: "RestoreCluster", status: "200", pointer: "/job_id", param: "job_id", to: &["ListJobDetails"] },
    Link {
        from: "CreateSnapshot",
        status: "200",
        pointer: "/snapshot/id",
        param: "snapshot_id",
        to: &["ListSnapshotDetails", "DeleteSnapshot", "RestoreCluster"],
    },
];

/// Adds what every operation shares to the routes' document.
pub fn finish(mut doc: OpenApi) -> OpenApi {
    let components = doc.components.get_or_insert_with(Default::default);
    let token = ApiKeyValue::with_description(
        "X-Auth-Token",
        "A Keystone token: `POST /v3/auth/tokens` on the IAM listener, then the `X-Subject-Token` it answers.",
    );
    components.add_security_scheme(TOKEN, SecurityScheme::ApiKey(ApiKey::Header(token)));
    let signature = ApiKeyValue::with_description(
        "Authorization",
        "A Huawei Cloud AK/SK signature, as the SDKs make it: `SDK-HMAC-SHA256 Access=<AK>, \
         SignedHeaders=<names>, Signature=<hex>`, an HMAC-SHA256 with the secret key over the canonical request \
         (method, path, query, the signed headers, the body's SHA-256); `X-Sdk-Date` must be signed and within \
         15 minutes of the server's clock; a signature is accepted once.",
    );
    components.add_security_scheme(SIGNATURE, SecurityScheme::ApiKey(ApiKey::Header(signature)));
    if let Some(RefOr::T(Schema::Object(error))) = components.schemas.get_mut(ERROR_SCHEMA) {
        error.description = Some(code_table());
        if let Some(RefOr::T(Schema::Object(code))) = error.properties.get_mut("error_code") {
            code.enum_values = Some(codes().into_iter().map(Into::into).collect());
        }
    }
    for (_, name, why) in SHARED {
        components.responses.insert(name.to_string(), RefOr::T(error_response(why)));
    }
    for item in doc.paths.paths.values_mut() {
        let ops = [&mut item.get, &mut item.post, &mut item.put, &mut item.delete, &mut item.patch];
        for op in ops.into_iter().flatten() {
            for (status, name, _) in SHARED {
                // An operation's own description of a status (its 404: no such cluster) wins.
                op.responses.responses.entry(status.to_string()).or_insert_with(|| RefOr::Ref(Ref::from_response_name(*name)));
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
