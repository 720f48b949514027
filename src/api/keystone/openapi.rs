//! The IAM listener's OpenAPI 3.1 document: each handler's annotation over
//! the wire types, plus what every operation shares (`finish`): the token
//! scheme, and the refusals the HTTP edge and authentication make.

use utoipa::openapi::content::ContentBuilder;
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::openapi::{OpenApi, Ref, RefOr};

pub const TAG_IDENTITY: &str = "Identity (Keystone v3)";
pub const TAG_STRATO: &str = "strato";
pub const ADMIN_ONLY: &str = "The caller is not an admin user (`strato admin user-create --admin`).";

const SCHEME: &str = "authToken";
const ERROR_SCHEMA: &str = "ErrorBody";

/// The document's base: its info and the security every operation needs
/// unless it says otherwise.
#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "strato: identity (Keystone v3) and strato's admin surface",
        description = "The Keystone v3 subset the vendors' SDKs need (password tokens with a service catalog, token \
            validation, projects), strato's admin surface for test suites under `/_strato/` (admin users only) and \
            Prometheus metrics. Authenticated operations need `X-Auth-Token` (a token from `POST /v3/auth/tokens`). \
            Every refusal is Keystone's `{\"error\":{\"code\",\"message\",\"title\"}}`. This document is served \
            without authentication at `GET /openapi.json`."
    ),
    security(("authToken" = [])),
)]
pub struct Base;

/// Adds the security scheme and the responses every operation can give.
pub fn finish(mut doc: OpenApi) -> OpenApi {
    let components = doc.components.get_or_insert_with(Default::default);
    let token = ApiKey::Header(ApiKeyValue::with_description("X-Auth-Token", "A token from `POST /v3/auth/tokens`."));
    components.add_security_scheme(SCHEME, SecurityScheme::ApiKey(token));
    for (path, item) in doc.paths.paths.iter_mut() {
        let with_body = [&mut item.post, &mut item.put];
        for op in with_body.into_iter().flatten() {
            for (status, why) in [("413", "The body exceeds 1 MiB; it was not read."), ("415", "A body not declared application/json."),
                                  ("400", "The body is not valid JSON of the documented shape.")] {
                op.responses.responses.entry(status.into()).or_insert_with(|| RefOr::T(error_response(why)));
            }
        }
        let ops = [&mut item.get, &mut item.post, &mut item.put, &mut item.delete, &mut item.patch];
        for op in ops.into_iter().flatten() {
            let public = op.security.as_ref().is_some_and(|s| s.iter().all(|r| r == &Default::default()));
            if !public {
                op.responses.responses.entry("401".into()).or_insert_with(|| RefOr::T(error_response("No token, or not a valid one.")));
            }
            if path.starts_with("/_strato/") {
                op.responses.responses.entry("403".into()).or_insert_with(|| RefOr::T(error_response(ADMIN_ONLY)));
            }
            op.responses.responses.entry("500".into()).or_insert_with(|| RefOr::T(error_response("An internal error; see the server log.")));
        }
    }
    doc
}

/// A response in Keystone's error envelope.
pub fn error_response(description: &str) -> Response {
    let content = ContentBuilder::new().schema(Some(Ref::from_schema_name(ERROR_SCHEMA))).build();
    ResponseBuilder::new().description(description).content("application/json", content).build()
}
