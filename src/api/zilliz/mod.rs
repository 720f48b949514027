//! The Zilliz Cloud v2 control-plane dialect: `Authorization: Bearer <API
//! key>`, `{"code":0,"data":...}` envelopes. Handlers only decode, call
//! `App`, and encode.

mod clusters;
mod error;
mod render;
mod wire;

use axum::extract::Request;
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::Router;
use serde_json::{json, Value};

pub use error::ZillizError;

use super::auth::authenticate_api_key;
use super::Ctx;
use crate::core::cluster::Product;

/// The Zilliz listener's routes.
pub fn router(ctx: Ctx) -> Router {
    Router::new()
        .route("/v2/clusters", get(clusters::list))
        .route("/v2/clusters/createDedicated", post(clusters::create_dedicated))
        .route("/v2/clusters/createServerless", post(clusters::create_serverless))
        .route("/v2/clusters/createFree", post(clusters::create_free))
        .route("/v2/clusters/{cid}", get(clusters::describe))
        .route("/v2/clusters/{cid}/suspend", post(clusters::suspend))
        // The seed's example sends resume as GET; the reference says POST.
        .route("/v2/clusters/{cid}/resume", post(clusters::resume).get(clusters::resume))
        .route("/v2/clusters/{cid}/modify", post(clusters::modify))
        .route("/v2/clusters/{cid}/drop", delete(clusters::drop))
        .route("/v2/jobs/{job_id}", get(clusters::job))
        .fallback(fallback)
        .layer(middleware::from_fn_with_state(ctx.clone(), super::faults::inject::<Zilliz>))
        .layer(middleware::from_fn_with_state(ctx.clone(), authenticate_api_key::<ZillizError>))
        .layer(middleware::map_response(super::envelope::<ZillizError>))
        .with_state(ctx)
}

async fn fallback(req: Request) -> Response {
    ZillizError::NoRoute(format!("{} {}", req.method(), req.uri().path())).into_response()
}

/// The success envelope.
fn ok(data: Value) -> Response {
    axum::Json(json!({"code": 0, "data": data})).into_response()
}

/// The fault layer's view of this dialect: its operations by the vendor SDK's names.
pub struct Zilliz;

impl super::faults::Dialect for Zilliz {
    const OPERATIONS: &'static [super::faults::Operation] = &[
        super::faults::Operation { method: "GET", route: "/v2/clusters", name: "ListClusters" },
        super::faults::Operation { method: "POST", route: "/v2/clusters/createDedicated", name: "CreateCluster" },
        super::faults::Operation { method: "POST", route: "/v2/clusters/createServerless", name: "CreateServerlessCluster" },
        super::faults::Operation { method: "POST", route: "/v2/clusters/createFree", name: "CreateFreeCluster" },
        super::faults::Operation { method: "GET", route: "/v2/clusters/{cid}", name: "DescribeCluster" },
        super::faults::Operation { method: "POST", route: "/v2/clusters/{cid}/suspend", name: "SuspendCluster" },
        super::faults::Operation { method: "POST", route: "/v2/clusters/{cid}/resume", name: "ResumeCluster" },
        super::faults::Operation { method: "GET", route: "/v2/clusters/{cid}/resume", name: "ResumeCluster" },
        super::faults::Operation { method: "POST", route: "/v2/clusters/{cid}/modify", name: "ModifyCluster" },
        super::faults::Operation { method: "DELETE", route: "/v2/clusters/{cid}/drop", name: "DropCluster" },
        super::faults::Operation { method: "GET", route: "/v2/jobs/{job_id}", name: "DescribeJob" },
    ];

    fn product(route: &str) -> Product {
        let _ = route;
        Product::Zilliz
    }

    fn error(status: axum::http::StatusCode, code: &str, message: &str) -> Response {
        error::envelope(status, code.parse().unwrap_or(0), message)
    }
}
