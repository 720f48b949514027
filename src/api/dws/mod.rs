//! The GaussDB(DWS) dialect (OTC / Huawei Cloud, v1.0 with the v1 and v2
//! paths the SDKs use). Handlers only decode, call `App`, and encode; the
//! router and the OpenAPI document are built from one list of handlers
//! (`api()`), so no route goes undocumented.

mod attributes;
mod clusters;
mod error;
mod events;
mod jobs;
mod network;
mod node_types;
mod openapi;
mod parameters;
mod policies;
mod render;
mod scaling;
mod snapshots;
pub(crate) mod wire;

use axum::body::Bytes;
use axum::extract::Path;
use axum::http::header::CONTENT_TYPE;
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use utoipa::OpenApi as _;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use error::DwsError;

use super::auth::authenticate;
use super::sdk_catalog;
use super::Ctx;
use crate::auth::Principal;
use crate::core::cluster::Product;

/// Every route, each with its operation in the document.
fn api() -> OpenApiRouter<Ctx> {
    OpenApiRouter::with_openapi(openapi::Base::openapi())
        .routes(routes!(node_types::list))
        .routes(routes!(node_types::list_legacy))
        .routes(routes!(clusters::create, clusters::list))
        .routes(routes!(clusters::create_v2, clusters::list_v2))
        .routes(routes!(clusters::delete_v2))
        .routes(routes!(clusters::show, clusters::delete))
        .routes(routes!(clusters::restart))
        .routes(routes!(clusters::stop))
        .routes(routes!(clusters::start))
        .routes(routes!(scaling::resize))
        .routes(routes!(scaling::shrink))
        .routes(routes!(scaling::reset_password))
        .routes(routes!(scaling::set_timezone))
        .routes(routes!(attributes::add_tags))
        .routes(routes!(attributes::remove_tags))
        .routes(routes!(attributes::list_tags, attributes::add_tag))
        .routes(routes!(attributes::delete_tag))
        .routes(routes!(attributes::tag_action))
        .routes(routes!(attributes::set_description))
        .routes(routes!(attributes::set_maintain_window))
        .routes(routes!(attributes::set_security_group))
        .routes(routes!(attributes::list_zones))
        .routes(routes!(attributes::expand_storage))
        .routes(routes!(attributes::rename))
        .routes(routes!(attributes::rename_v1))
        .routes(routes!(attributes::list_nodes))
        .routes(routes!(parameters::list_groups))
        .routes(routes!(parameters::list_parameters))
        .routes(routes!(parameters::update))
        .routes(routes!(events::list))
        .routes(routes!(network::bind_eip, network::unbind_eip))
        .routes(routes!(network::bind_elb, network::unbind_elb))
        .routes(routes!(jobs::show))
        .routes(routes!(snapshots::create, snapshots::list))
        .routes(routes!(snapshots::show, snapshots::delete))
        .routes(routes!(snapshots::restore))
        .routes(routes!(snapshots::list_for_cluster))
        .routes(routes!(policies::show, policies::put))
        .routes(routes!(policies::show_v1, policies::put_v1))
        .routes(routes!(policies::delete_strategy))
}

/// The dialect's OpenAPI 3.1 document, as `GET /openapi.json` serves it.
pub fn openapi() -> utoipa::openapi::OpenApi {
    openapi::finish(api().split_for_parts().1)
}

/// The DWS listener's routes. The document is served outside the
/// authentication layer: a client needs it before it has a token.
pub fn router(ctx: Ctx) -> Router {
    let (routes, doc) = api().split_for_parts();
    let doc = Bytes::from(openapi::finish(doc).to_json().expect("the document serializes"));
    let authenticated = routes
        .fallback(sdk_catalog::fallback::<Dws>)
        .layer(middleware::from_fn(sdk_catalog::unemulated_methods::<Dws>))
        .layer(middleware::from_fn_with_state(ctx.clone(), super::faults::inject::<Dws>))
        .layer(middleware::from_fn_with_state(ctx.clone(), authenticate::<DwsError>));
    Router::new()
        .route("/openapi.json", get(move || async move { ([(CONTENT_TYPE, "application/json")], doc) }))
        .merge(authenticated)
        .layer(super::catch_panics())
        .layer(middleware::map_response(super::envelope::<DwsError>))
        .with_state(ctx)
}

impl sdk_catalog::Catalogued for Dws {
    const SDK: sdk_catalog::Sdk = sdk_catalog::Sdk::Dws;

    fn not_emulated(op: &'static sdk_catalog::SdkOperation) -> Response {
        DwsError::NotEmulated(op).into_response()
    }

    fn no_route(what: String) -> Response {
        DwsError::NoRoute(what).into_response()
    }
}

/// Checks that the caller may act in the path's project.
pub(crate) async fn project(ctx: &Ctx, principal: &Principal, pid: &str) -> Result<String, DwsError> {
    super::auth::authorize_project(ctx, principal, pid).await
}

pub(crate) type Caller = Extension<Principal>;
pub(crate) type Pid = Path<String>;

/// The fault layer's view of this dialect: its operations are the document's.
pub struct Dws;

impl super::faults::Dialect for Dws {
    fn operation(method: &str, route: &str) -> Option<&'static str> {
        static INDEX: std::sync::OnceLock<super::faults::OperationIndex> = std::sync::OnceLock::new();
        INDEX.get_or_init(|| super::faults::OperationIndex::of(&openapi())).get(method, route)
    }

    fn product(_route: &str) -> Product {
        Product::Dws
    }

    fn error(status: axum::http::StatusCode, code: &str, message: &str) -> Response {
        error::envelope(status, code, message)
    }
}
