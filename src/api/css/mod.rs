//! The Huawei Cloud Search Service (CSS) dialect, v1.0 with the v2.0
//! restart. Same identity as DWS (Keystone token or AK/SK signature); its
//! own listener, because the Huawei SDK drops path prefixes and CSS shares
//! DWS's paths. Handlers only decode, call `App`, and encode.

mod clusters;
mod error;
mod render;
pub(crate) mod wire;

use axum::extract::Request;
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};

pub use error::CssError;

use super::auth::authenticate;
use super::Ctx;
use crate::core::cluster::Product;
use crate::auth::Principal;

type Caller = Extension<Principal>;

/// The CSS listener's routes.
pub fn router(ctx: Ctx) -> Router {
    Router::new()
        .route("/v1.0/{pid}/es-flavors", get(clusters::flavors))
        // The older documented name of the same list.
        .route("/v1.0/{pid}/flavors", get(clusters::flavors))
        .route("/v1.0/{pid}/clusters", post(clusters::create).get(clusters::list))
        .route("/v1.0/{pid}/clusters/{cid}", get(clusters::show).delete(clusters::delete))
        .route("/v1.0/{pid}/clusters/{cid}/restart", post(clusters::restart))
        .route("/v2.0/{pid}/clusters/{cid}/restart", post(clusters::restart_v2))
        .fallback(fallback)
        .layer(middleware::from_fn_with_state(ctx.clone(), super::faults::inject::<Css>))
        .layer(middleware::from_fn_with_state(ctx.clone(), authenticate::<CssError>))
        .layer(middleware::map_response(super::envelope::<CssError>))
        .with_state(ctx)
}

async fn fallback(req: Request) -> Response {
    CssError::NoRoute(format!("{} {}", req.method(), req.uri().path())).into_response()
}

/// The fault layer's view of this dialect: its operations by the vendor SDK's names.
pub struct Css;

const OPERATIONS: &[super::faults::Operation] = &[
    super::faults::Operation { method: "GET", route: "/v1.0/{pid}/es-flavors", name: "ListFlavors" },
    super::faults::Operation { method: "GET", route: "/v1.0/{pid}/flavors", name: "ListFlavors" },
    super::faults::Operation { method: "POST", route: "/v1.0/{pid}/clusters", name: "CreateCluster" },
    super::faults::Operation { method: "GET", route: "/v1.0/{pid}/clusters", name: "ListClustersDetails" },
    super::faults::Operation { method: "GET", route: "/v1.0/{pid}/clusters/{cid}", name: "ShowClusterDetail" },
    super::faults::Operation { method: "DELETE", route: "/v1.0/{pid}/clusters/{cid}", name: "DeleteCluster" },
    super::faults::Operation { method: "POST", route: "/v1.0/{pid}/clusters/{cid}/restart", name: "RestartCluster" },
    super::faults::Operation { method: "POST", route: "/v2.0/{pid}/clusters/{cid}/restart", name: "RestartCluster" },
];

impl super::faults::Dialect for Css {
    fn operation(method: &str, route: &str) -> Option<&'static str> {
        super::faults::operation_in(OPERATIONS, method, route)
    }

    fn product(route: &str) -> Product {
        let _ = route;
        Product::Css
    }

    fn error(status: axum::http::StatusCode, code: &str, message: &str) -> Response {
        error::envelope(status, code, message)
    }
}
