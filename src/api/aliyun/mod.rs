//! The Alibaba Cloud Elasticsearch and Logstash dialect (2017-06-13, ROA):
//! requests signed with ACS3-HMAC-SHA256 or the legacy `acs AK:signature`,
//! `{"RequestId","Result"}` bodies, `clientToken` idempotency. Each product
//! has its annotated handlers (`elasticsearch.rs`, `logstash.rs`) over shared
//! cores (`instances.rs`); the router and the OpenAPI document are built from
//! one list of handlers (`api()`).

mod elasticsearch;
mod error;
mod instances;
mod logstash;
mod network;
mod openapi;
mod pipelines;
mod render;
mod tags;
mod tokens;
pub(crate) mod wire;

use axum::body::Bytes;
use axum::http::header::CONTENT_TYPE;
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use utoipa::OpenApi as _;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use error::AliError;

use super::auth::authenticate;
use super::sdk_catalog;
use super::Ctx;
use crate::core::cluster::Product;

/// Every route, each with its operation in the document.
fn api() -> OpenApiRouter<Ctx> {
    use elasticsearch as es;
    use logstash as ls;
    OpenApiRouter::with_openapi(openapi::Base::openapi())
        .routes(routes!(es::create, es::list))
        .routes(routes!(es::describe, es::update, es::delete))
        .routes(routes!(es::restart))
        .routes(routes!(es::interrupt))
        .routes(routes!(es::resume))
        .routes(routes!(es::cancel_deletion))
        .routes(routes!(es::update_settings))
        .routes(routes!(es::update_description))
        .routes(routes!(ls::update_description))
        .routes(routes!(es::kibana_private))
        .routes(routes!(network::open_https))
        .routes(routes!(network::close_https))
        .routes(routes!(network::trigger_network))
        .routes(routes!(network::modify_white_ips))
        .routes(routes!(network::admin_password))
        .routes(routes!(network::list_nodes))
        .routes(routes!(tags::tag, tags::untag, tags::list))
        .routes(routes!(tags::all))
        .routes(routes!(pipelines::create, pipelines::update, pipelines::delete, pipelines::list))
        .routes(routes!(pipelines::describe))
        .routes(routes!(pipelines::run))
        .routes(routes!(pipelines::stop))
        .routes(routes!(pipelines::management, pipelines::set_management))
        .routes(routes!(ls::create, ls::list))
        .routes(routes!(ls::describe, ls::update, ls::delete))
        .routes(routes!(ls::restart))
        .routes(routes!(ls::interrupt))
        .routes(routes!(ls::resume))
        .routes(routes!(ls::cancel_deletion))
}

/// The dialect's OpenAPI 3.1 document, as `GET /openapi.json` serves it.
pub fn openapi() -> utoipa::openapi::OpenApi {
    openapi::finish(api().split_for_parts().1)
}

/// The Alibaba listener's routes. The document is served outside the
/// authentication layer: a client needs it before it signs anything.
pub fn router(ctx: Ctx) -> Router {
    let (routes, doc) = api().split_for_parts();
    let doc = Bytes::from(openapi::finish(doc).to_json().expect("the document serializes"));
    let authenticated = routes
        .fallback(sdk_catalog::fallback::<Aliyun>)
        .layer(middleware::from_fn(sdk_catalog::unemulated_methods::<Aliyun>))
        .layer(middleware::from_fn_with_state(ctx.clone(), super::faults::inject::<Aliyun>))
        .layer(middleware::from_fn_with_state(ctx.clone(), authenticate::<AliError>));
    Router::new()
        .route("/openapi.json", get(move || async move { ([(CONTENT_TYPE, "application/json")], doc) }))
        .merge(authenticated)
        // The SDK needs every body to be JSON, axum's own refusals included.
        .layer(super::catch_panics())
        .layer(middleware::map_response(super::envelope::<AliError>))
        .with_state(ctx)
}

impl sdk_catalog::Catalogued for Aliyun {
    const SDK: sdk_catalog::Sdk = sdk_catalog::Sdk::Aliyun;

    fn not_emulated(op: &'static sdk_catalog::SdkOperation) -> Response {
        AliError::NotEmulated(op).into_response()
    }

    fn no_route(what: String) -> Response {
        AliError::NoRoute(what).into_response()
    }
}

/// Alibaba request ids are upper-case UUIDs.
pub(crate) fn request_id() -> String {
    uuid::Uuid::new_v4().to_string().to_uppercase()
}

/// The fault layer's view of this dialect: its operations are the document's.
pub struct Aliyun;

impl super::faults::Dialect for Aliyun {
    fn operation(method: &str, route: &str) -> Option<&'static str> {
        static INDEX: std::sync::OnceLock<super::faults::OperationIndex> = std::sync::OnceLock::new();
        INDEX.get_or_init(|| super::faults::OperationIndex::of(&openapi())).get(method, route)
    }

    fn product(route: &str) -> Product {
        if route.starts_with("/openapi/logstashes") { Product::AliyunLogstash } else { Product::AliyunElasticsearch }
    }

    fn error(status: axum::http::StatusCode, code: &str, message: &str) -> Response {
        error::envelope(status, code, message)
    }
}
