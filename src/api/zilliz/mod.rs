//! The Zilliz Cloud v2 control-plane dialect: `Authorization: Bearer <API
//! key>`, `{"code":0,"data":...}` envelopes. Handlers only decode, call
//! `App`, and encode; the router and the OpenAPI document are built from
//! one list of handlers (`api()`), so no route goes undocumented.

mod catalog;
mod clusters;
mod error;
mod openapi;
mod render;
pub(crate) mod wire;
mod wire_properties;
mod projects;
mod properties;

use axum::body::Bytes;
use axum::extract::Request;
use axum::http::header::CONTENT_TYPE;
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use utoipa::OpenApi as _;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use error::ZillizError;

use super::auth::authenticate_api_key;
use super::Ctx;
use crate::core::cluster::Product;

/// Every route, each with its operation in the document.
fn api() -> OpenApiRouter<Ctx> {
    OpenApiRouter::with_openapi(openapi::Base::openapi())
        .routes(routes!(clusters::list))
        .routes(routes!(clusters::create_dedicated))
        .routes(routes!(clusters::create_serverless))
        .routes(routes!(clusters::create_free))
        .routes(routes!(clusters::describe))
        .routes(routes!(clusters::suspend))
        .routes(routes!(clusters::resume, clusters::resume_by_get))
        .routes(routes!(clusters::modify))
        .routes(routes!(clusters::drop))
        .routes(routes!(clusters::job))
        .routes(routes!(properties::labels, properties::set_labels))
        .routes(routes!(properties::security_groups, properties::set_security_groups))
        .routes(routes!(properties::modify_properties))
        .routes(routes!(properties::update))
        .routes(routes!(properties::modify_replica))
        .routes(routes!(properties::clouds))
        .routes(routes!(properties::regions))
        .routes(routes!(projects::list, projects::create))
        .routes(routes!(projects::describe, projects::delete))
        .routes(routes!(projects::upgrade))
        .routes(routes!(projects::add_regions))
}

/// The dialect's OpenAPI 3.1 document, as `GET /openapi.json` serves it.
pub fn openapi() -> utoipa::openapi::OpenApi {
    openapi::finish(api().split_for_parts().1)
}

/// The Zilliz listener's routes. The document is served outside the
/// authentication layer: a client needs it before it has a key.
pub fn router(ctx: Ctx) -> Router {
    let (routes, doc) = api().split_for_parts();
    let doc = Bytes::from(openapi::finish(doc).to_json().expect("the document serializes"));
    let authenticated = routes
        .fallback(fallback)
        .layer(middleware::from_fn_with_state(ctx.clone(), super::faults::inject::<Zilliz>))
        .layer(middleware::from_fn_with_state(ctx.clone(), authenticate_api_key::<ZillizError>));
    Router::new()
        .route("/openapi.json", get(move || async move { ([(CONTENT_TYPE, "application/json")], doc) }))
        .merge(authenticated)
        .layer(super::catch_panics())
        .layer(middleware::map_response(super::envelope::<ZillizError>))
        .with_state(ctx)
}

async fn fallback(req: Request) -> Response {
    let (method, path) = (req.method().as_str(), req.uri().path());
    match catalog::not_emulated(method, path) {
        Some(op) => ZillizError::Core(crate::core::CoreError::NotEmulated(format!("{op} ({method} {path})"))).into_response(),
        None => ZillizError::NoRoute(format!("{method} {path}")).into_response(),
    }
}

/// The success envelope.
fn ok<T>(data: T) -> Json<wire::Success<T>> {
    Json(wire::Success::new(data))
}

/// The fault layer's view of this dialect: its operations are the document's.
pub struct Zilliz;

impl super::faults::Dialect for Zilliz {
    fn operation(method: &str, route: &str) -> Option<&'static str> {
        static INDEX: std::sync::OnceLock<super::faults::OperationIndex> = std::sync::OnceLock::new();
        INDEX.get_or_init(|| super::faults::OperationIndex::of(&openapi())).get(method, route)
    }

    fn product(_route: &str) -> Product {
        Product::Zilliz
    }

    fn error(status: axum::http::StatusCode, code: &str, message: &str) -> Response {
        error::envelope(status, code.parse().unwrap_or(0), message)
    }
}
