//! The Huawei Cloud Search Service (CSS) dialect, v1.0 with the v2.0
//! restart. Same identity as DWS (Keystone token or AK/SK signature); its
//! own listener, because the Huawei SDK drops path prefixes and CSS shares
//! DWS's paths. Handlers only decode, call `App`, and encode; the router and
//! the OpenAPI document are built from one list of handlers (`api()`).

mod access;
mod clusters;
mod error;
mod flavor;
mod openapi;
mod render;
mod scaling;
mod snapshots;
mod tags;
pub(crate) mod wire;

use axum::body::Bytes;
use axum::http::header::CONTENT_TYPE;
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use utoipa::OpenApi as _;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use error::CssError;

use super::auth::authenticate;
use super::sdk_catalog;
use super::Ctx;
use crate::auth::Principal;
use crate::core::cluster::Product;

type Caller = Extension<Principal>;

/// A cluster id of the path (CSS.0001 if it is not a UUID).
fn cluster_id(s: &str) -> Result<uuid::Uuid, CssError> {
    uuid::Uuid::parse_str(s).map_err(|_| crate::core::CoreError::BadId(s.to_string()).into())
}

/// The project the caller acts in (the path's, if allowed) and the path's cluster id.
async fn project_and_cluster(ctx: &Ctx, caller: &Principal, pid: &str, cid: &str) -> Result<(String, uuid::Uuid), CssError> {
    let pid: String = super::auth::authorize_project::<CssError>(ctx, caller, pid).await?;
    Ok((pid, cluster_id(cid)?))
}

/// Every route, each with its operation in the document.
fn api() -> OpenApiRouter<Ctx> {
    OpenApiRouter::with_openapi(openapi::Base::openapi())
        .routes(routes!(clusters::flavors))
        .routes(routes!(clusters::flavors_v1))
        .routes(routes!(clusters::create, clusters::list))
        .routes(routes!(clusters::create_v2))
        .routes(routes!(clusters::show, clusters::delete))
        .routes(routes!(clusters::restart))
        .routes(routes!(clusters::restart_v2))
        .routes(routes!(clusters::rolling_restart))
        .routes(routes!(scaling::extend))
        .routes(routes!(scaling::role_extend))
        .routes(routes!(scaling::shrink))
        .routes(routes!(scaling::offline))
        .routes(routes!(scaling::independent))
        .routes(routes!(flavor::update))
        .routes(routes!(flavor::update_by_type))
        .routes(routes!(tags::list, tags::create))
        .routes(routes!(tags::action))
        .routes(routes!(tags::delete))
        .routes(routes!(access::open))
        .routes(routes!(access::close))
        .routes(routes!(access::bandwidth))
        .routes(routes!(access::white_list))
        .routes(routes!(access::white_list_close))
        .routes(routes!(access::mode))
        .routes(routes!(access::reset_password))
        .routes(routes!(access::security_group))
        .routes(routes!(access::subnet))
        .routes(routes!(access::vpcep_connections, access::vpcep_update))
        .routes(routes!(access::change_name))
        .routes(routes!(access::route, access::routes))
        .routes(routes!(snapshots::set))
        .routes(routes!(snapshots::auto_set))
        .routes(routes!(snapshots::off, snapshots::list))
        .routes(routes!(snapshots::policy, snapshots::set_policy))
        .routes(routes!(snapshots::create))
        .routes(routes!(snapshots::delete))
        .routes(routes!(snapshots::restore))
}

/// The dialect's OpenAPI 3.1 document, as `GET /openapi.json` serves it.
pub fn openapi() -> utoipa::openapi::OpenApi {
    openapi::finish(api().split_for_parts().1)
}

/// The CSS listener's routes. The document is served outside the
/// authentication layer: a client needs it before it has a token.
pub fn router(ctx: Ctx) -> Router {
    let (routes, doc) = api().split_for_parts();
    let doc = Bytes::from(openapi::finish(doc).to_json().expect("the document serializes"));
    let authenticated = routes
        .fallback(sdk_catalog::fallback::<Css>)
        .layer(middleware::from_fn(sdk_catalog::unemulated_methods::<Css>))
        .layer(middleware::from_fn_with_state(ctx.clone(), super::faults::inject::<Css>))
        .layer(middleware::from_fn_with_state(ctx.clone(), authenticate::<CssError>));
    Router::new()
        .route("/openapi.json", get(move || async move { ([(CONTENT_TYPE, "application/json")], doc) }))
        .merge(authenticated)
        .layer(super::catch_panics())
        .layer(middleware::map_response(super::envelope::<CssError>))
        .with_state(ctx)
}

impl sdk_catalog::Catalogued for Css {
    const SDK: sdk_catalog::Sdk = sdk_catalog::Sdk::Css;

    fn not_emulated(op: &'static sdk_catalog::SdkOperation) -> Response {
        CssError::NotEmulated(op).into_response()
    }

    fn no_route(what: String) -> Response {
        CssError::NoRoute(what).into_response()
    }
}

/// The fault layer's view of this dialect: its operations are the document's.
pub struct Css;

impl super::faults::Dialect for Css {
    fn operation(method: &str, route: &str) -> Option<&'static str> {
        static INDEX: std::sync::OnceLock<super::faults::OperationIndex> = std::sync::OnceLock::new();
        INDEX.get_or_init(|| super::faults::OperationIndex::of(&openapi())).get(method, route)
    }

    fn product(_route: &str) -> Product {
        Product::Css
    }

    fn error(status: axum::http::StatusCode, code: &str, message: &str) -> Response {
        error::envelope(status, code, message)
    }
}
