//! The GaussDB(DWS) dialect (OTC / Huawei Cloud, v1.0 with the v1 and v2
//! paths the SDKs use). Handlers only decode, call `App`, and encode.

mod clusters;
mod error;
mod jobs;
mod node_types;
mod policies;
mod render;
mod snapshots;
mod wire;

use axum::extract::{Path, Request};
use axum::middleware;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Extension, Router};

pub use error::DwsError;

use super::auth::authenticate;
use super::Ctx;
use crate::core::cluster::Product;
use crate::auth::Principal;

/// The DWS listener's routes.
pub fn router(ctx: Ctx) -> Router {
    Router::new()
        .route("/v1.0/{pid}/node_types", get(node_types::list_legacy))
        .route("/v2/{pid}/node-types", get(node_types::list))
        .route("/v1.0/{pid}/clusters", post(clusters::create).get(clusters::list))
        .route("/v2/{pid}/clusters", get(clusters::list))
        .route("/v1.0/{pid}/clusters/{cid}", get(clusters::show).delete(clusters::delete))
        .route("/v1.0/{pid}/clusters/{cid}/restart", post(clusters::restart))
        .route("/v1/{pid}/clusters/{cid}/stop", post(clusters::stop))
        .route("/v1/{pid}/clusters/{cid}/start", post(clusters::start))
        .route("/v1.0/{pid}/job/{job_id}", get(jobs::show))
        .route("/v1.0/{pid}/snapshots", post(snapshots::create).get(snapshots::list))
        .route("/v1.0/{pid}/snapshots/{sid}", get(snapshots::show).delete(snapshots::delete))
        .route("/v1.0/{pid}/snapshots/{sid}/actions", post(snapshots::restore))
        .route("/v1.0/{pid}/clusters/{cid}/snapshots", get(snapshots::list_for_cluster))
        .route("/v2/{pid}/clusters/{cid}/snapshot-policies", get(policies::show).put(policies::put))
        .route("/v1.0/{pid}/clusters/{cid}/snapshot-policies", get(policies::show).put(policies::put))
        .route("/v1.0/{pid}/clusters/{cid}/snapshot-policies/{id}", axum::routing::delete(policies::delete_strategy))
        .fallback(fallback)
        .layer(middleware::from_fn_with_state(ctx.clone(), super::faults::inject::<Dws>))
        .layer(middleware::from_fn_with_state(ctx.clone(), authenticate::<DwsError>))
        .layer(middleware::map_response(super::envelope::<DwsError>))
        .with_state(ctx)
}

async fn fallback(req: Request) -> Response {
    use axum::response::IntoResponse;
    DwsError::NoRoute(format!("{} {}", req.method(), req.uri().path())).into_response()
}

/// Checks that the caller may act in the path's project.
pub(crate) async fn project(ctx: &Ctx, principal: &Principal, pid: &str) -> Result<String, DwsError> {
    super::auth::authorize_project(ctx, principal, pid).await
}

pub(crate) type Caller = Extension<Principal>;
pub(crate) type Pid = Path<String>;

/// The fault layer's view of this dialect: its operations by the vendor SDK's names.
pub struct Dws;

const OPERATIONS: &[super::faults::Operation] = &[
    super::faults::Operation { method: "GET", route: "/v1.0/{pid}/node_types", name: "ListNodeTypes" },
    super::faults::Operation { method: "GET", route: "/v2/{pid}/node-types", name: "ListNodeTypes" },
    super::faults::Operation { method: "POST", route: "/v1.0/{pid}/clusters", name: "CreateCluster" },
    super::faults::Operation { method: "GET", route: "/v1.0/{pid}/clusters", name: "ListClusters" },
    super::faults::Operation { method: "GET", route: "/v2/{pid}/clusters", name: "ShowClusters" },
    super::faults::Operation { method: "GET", route: "/v1.0/{pid}/clusters/{cid}", name: "ListClusterDetails" },
    super::faults::Operation { method: "DELETE", route: "/v1.0/{pid}/clusters/{cid}", name: "DeleteCluster" },
    super::faults::Operation { method: "POST", route: "/v1.0/{pid}/clusters/{cid}/restart", name: "RestartCluster" },
    super::faults::Operation { method: "POST", route: "/v1/{pid}/clusters/{cid}/stop", name: "StopCluster" },
    super::faults::Operation { method: "POST", route: "/v1/{pid}/clusters/{cid}/start", name: "StartCluster" },
    super::faults::Operation { method: "GET", route: "/v1.0/{pid}/job/{job_id}", name: "ListJobDetails" },
    super::faults::Operation { method: "POST", route: "/v1.0/{pid}/snapshots", name: "CreateSnapshot" },
    super::faults::Operation { method: "GET", route: "/v1.0/{pid}/snapshots", name: "ListSnapshots" },
    super::faults::Operation { method: "GET", route: "/v1.0/{pid}/snapshots/{sid}", name: "ListSnapshotDetails" },
    super::faults::Operation { method: "DELETE", route: "/v1.0/{pid}/snapshots/{sid}", name: "DeleteSnapshot" },
    super::faults::Operation { method: "POST", route: "/v1.0/{pid}/snapshots/{sid}/actions", name: "RestoreCluster" },
    super::faults::Operation { method: "GET", route: "/v1.0/{pid}/clusters/{cid}/snapshots", name: "ListClusterSnapshots" },
    super::faults::Operation { method: "GET", route: "/v2/{pid}/clusters/{cid}/snapshot-policies", name: "ListSnapshotPolicy" },
    super::faults::Operation { method: "PUT", route: "/v2/{pid}/clusters/{cid}/snapshot-policies", name: "CreateSnapshotPolicy" },
    super::faults::Operation { method: "GET", route: "/v1.0/{pid}/clusters/{cid}/snapshot-policies", name: "ListSnapshotPolicy" },
    super::faults::Operation { method: "PUT", route: "/v1.0/{pid}/clusters/{cid}/snapshot-policies", name: "CreateSnapshotPolicy" },
    super::faults::Operation { method: "DELETE", route: "/v1.0/{pid}/clusters/{cid}/snapshot-policies/{id}", name: "DeleteSnapshotPolicy" },
];

impl super::faults::Dialect for Dws {
    fn operation(method: &str, route: &str) -> Option<&'static str> {
        super::faults::operation_in(OPERATIONS, method, route)
    }

    fn product(route: &str) -> Product {
        let _ = route;
        Product::Dws
    }

    fn error(status: axum::http::StatusCode, code: &str, message: &str) -> Response {
        error::envelope(status, code, message)
    }
}
