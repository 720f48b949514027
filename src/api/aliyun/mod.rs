//! The Alibaba Cloud Elasticsearch and Logstash dialect (2017-06-13, ROA):
//! requests signed with ACS3-HMAC-SHA256 or the legacy `acs AK:signature`,
//! `{"RequestId","Result"}` bodies, `clientToken` idempotency. Both products
//! share the handlers; each sub-router carries its `Product`.

mod error;
mod instances;
mod render;
mod tokens;
pub(crate) mod wire;

use axum::extract::Request;
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};

pub use error::AliError;

use super::auth::authenticate;
use super::Ctx;
use crate::core::cluster::Product;

/// The routes of one product under `base` (`/openapi/instances`, `/openapi/logstashes`).
fn product_routes(base: &str, product: Product) -> Router<Ctx> {
    Router::new()
        .route(base, post(instances::create).get(instances::list))
        .route(&format!("{base}/{{id}}"), get(instances::describe).put(instances::update).delete(instances::delete))
        .route(&format!("{base}/{{id}}/actions/restart"), post(instances::restart))
        .route(&format!("{base}/{{id}}/actions/interrupt"), post(instances::interrupt))
        .route(&format!("{base}/{{id}}/actions/resume"), post(instances::resume))
        .route(&format!("{base}/{{id}}/actions/cancel-deletion"), post(instances::cancel_deletion))
        .layer(Extension(product))
}

/// The Alibaba listener's routes.
pub fn router(ctx: Ctx) -> Router {
    Router::new()
        .merge(product_routes("/openapi/instances", Product::AliyunElasticsearch))
        .merge(product_routes("/openapi/logstashes", Product::AliyunLogstash))
        .fallback(fallback)
        .layer(middleware::from_fn_with_state(ctx.clone(), super::faults::inject::<Aliyun>))
        .layer(middleware::from_fn_with_state(ctx.clone(), authenticate::<AliError>))
        // The SDK needs every body to be JSON, axum's own refusals included.
        .layer(middleware::map_response(super::envelope::<AliError>))
        .with_state(ctx)
}

async fn fallback(req: Request) -> Response {
    AliError::NoRoute(format!("{} {}", req.method(), req.uri().path())).into_response()
}

/// Alibaba request ids are upper-case UUIDs.
pub(crate) fn request_id() -> String {
    uuid::Uuid::new_v4().to_string().to_uppercase()
}

/// The fault layer's view of this dialect: its operations by the vendor SDK's names.
pub struct Aliyun;

const OPERATIONS: &[super::faults::Operation] = &[
    super::faults::Operation { method: "POST", route: "/openapi/instances", name: "CreateInstance" },
    super::faults::Operation { method: "GET", route: "/openapi/instances", name: "ListInstance" },
    super::faults::Operation { method: "GET", route: "/openapi/instances/{id}", name: "DescribeInstance" },
    super::faults::Operation { method: "PUT", route: "/openapi/instances/{id}", name: "UpdateInstance" },
    super::faults::Operation { method: "DELETE", route: "/openapi/instances/{id}", name: "DeleteInstance" },
    super::faults::Operation { method: "POST", route: "/openapi/instances/{id}/actions/restart", name: "RestartInstance" },
    super::faults::Operation { method: "POST", route: "/openapi/instances/{id}/actions/interrupt", name: "InterruptElasticsearchTask" },
    super::faults::Operation { method: "POST", route: "/openapi/instances/{id}/actions/resume", name: "ResumeElasticsearchTask" },
    super::faults::Operation { method: "POST", route: "/openapi/instances/{id}/actions/cancel-deletion", name: "CancelDeletion" },
    super::faults::Operation { method: "POST", route: "/openapi/logstashes", name: "CreateLogstash" },
    super::faults::Operation { method: "GET", route: "/openapi/logstashes", name: "ListLogstash" },
    super::faults::Operation { method: "GET", route: "/openapi/logstashes/{id}", name: "DescribeLogstash" },
    super::faults::Operation { method: "PUT", route: "/openapi/logstashes/{id}", name: "UpdateLogstash" },
    super::faults::Operation { method: "DELETE", route: "/openapi/logstashes/{id}", name: "DeleteLogstash" },
    super::faults::Operation { method: "POST", route: "/openapi/logstashes/{id}/actions/restart", name: "RestartLogstash" },
    super::faults::Operation { method: "POST", route: "/openapi/logstashes/{id}/actions/interrupt", name: "InterruptLogstashTask" },
    super::faults::Operation { method: "POST", route: "/openapi/logstashes/{id}/actions/resume", name: "ResumeLogstashTask" },
    super::faults::Operation { method: "POST", route: "/openapi/logstashes/{id}/actions/cancel-deletion", name: "CancelLogstashDeletion" },
];

impl super::faults::Dialect for Aliyun {
    fn operation(method: &str, route: &str) -> Option<&'static str> {
        super::faults::operation_in(OPERATIONS, method, route)
    }

    fn product(route: &str) -> Product {
        if route.starts_with("/openapi/logstashes") { Product::AliyunLogstash } else { Product::AliyunElasticsearch }
    }

    fn error(status: axum::http::StatusCode, code: &str, message: &str) -> Response {
        error::envelope(status, code, message)
    }
}
