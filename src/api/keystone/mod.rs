//! The IAM listener: the Keystone v3 subset the SDKs need (`tokens.rs`),
//! strato's admin surface (`admin.rs`, `faults.rs`) and metrics, with its
//! wire types (`wire.rs`) and OpenAPI document (`openapi.rs`).

use axum::body::Bytes;
use axum::extract::Request;
use axum::http::header::CONTENT_TYPE;
use axum::http::StatusCode;
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use utoipa::OpenApi as _;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::{authenticate, Rejection};
use super::{Ctx, HttpRefusal};
use crate::auth::AuthError;

mod admin;
mod faults;
mod openapi;
mod tokens;
mod wire;

/// Keystone's error envelope.
#[derive(Debug)]
pub struct KeystoneError(StatusCode, String);

impl IntoResponse for KeystoneError {
    fn into_response(self) -> Response {
        let title = self.0.canonical_reason().unwrap_or("Error").to_string();
        let body = wire::ErrorBody { error: wire::ErrorDetail { code: self.0.as_u16(), message: self.1, title } };
        (self.0, Json(body)).into_response()
    }
}

impl From<AuthError> for KeystoneError {
    fn from(e: AuthError) -> Self {
        let status = match &e {
            AuthError::Forbidden(_) => StatusCode::FORBIDDEN,
            AuthError::Store(_) => StatusCode::INTERNAL_SERVER_ERROR,
            AuthError::Missing
            | AuthError::BadCredentials
            | AuthError::BadToken
            | AuthError::UnknownAccessKey
            | AuthError::BadSignature(_)
            | AuthError::BadScope => StatusCode::UNAUTHORIZED,
        };
        KeystoneError(status, e.to_string())
    }
}

impl From<HttpRefusal> for KeystoneError {
    fn from(r: HttpRefusal) -> Self {
        KeystoneError(r.status(), r.message())
    }
}

impl From<Rejection> for KeystoneError {
    fn from(r: Rejection) -> Self {
        match r {
            Rejection::Auth(e) => e.into(),
            Rejection::Http(r) => r.into(),
        }
    }
}

/// The routes that need a token, each with its operation in the document.
fn authenticated() -> OpenApiRouter<Ctx> {
    OpenApiRouter::with_openapi(openapi::Base::openapi())
        .routes(routes!(tokens::validate_token))
        .routes(routes!(tokens::list_projects))
        .routes(routes!(tokens::list_auth_projects))
        .routes(routes!(admin::health))
        .routes(routes!(admin::info))
        .routes(routes!(admin::reset))
        .routes(routes!(faults::create, faults::list, faults::clear))
        .routes(routes!(faults::delete))
}

/// The routes anyone may call.
fn public() -> OpenApiRouter<Ctx> {
    OpenApiRouter::new()
        .routes(routes!(tokens::versions))
        .routes(routes!(tokens::version))
        .routes(routes!(tokens::version_slash))
        .routes(routes!(tokens::issue_token))
        .routes(routes!(tokens::metrics))
}

/// The listener's OpenAPI 3.1 document, as `GET /openapi.json` serves it.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = authenticated().split_for_parts().1;
    doc.merge(public().split_for_parts().1);
    openapi::finish(doc)
}

pub fn router(ctx: Ctx) -> Router {
    let doc = Bytes::from(openapi().to_json().expect("the document serializes"));
    let (authed, _) = authenticated().split_for_parts();
    let (open, _) = public().split_for_parts();
    let authed = authed.layer(middleware::from_fn_with_state(ctx.clone(), authenticate::<KeystoneError>));
    // `GET /v3/auth/tokens` (validate) needs a token, `POST` (issue) does not: one path, two routers.
    open.route("/openapi.json", get(move || async move { ([(CONTENT_TYPE, "application/json")], doc) }))
        .merge(authed)
        .fallback(|req: Request| async move {
            KeystoneError(StatusCode::NOT_FOUND, format!("no such API: {} {}", req.method(), req.uri().path()))
        })
        .layer(super::catch_panics())
        .layer(middleware::map_response(super::envelope::<KeystoneError>))
        .with_state(ctx)
}
