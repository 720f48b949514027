//! The Alibaba Cloud Elasticsearch and Logstash dialect (2017-06-13, ROA):
//! requests signed with ACS3-HMAC-SHA256 or the legacy `acs AK:signature`,
//! `{"RequestId","Result"}` bodies, `clientToken` idempotency. Both products
//! share the handlers; each sub-router carries its `Product`.

mod error;
mod instances;
mod render;
mod tokens;

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
        .layer(middleware::map_response(json_errors))
        .layer(middleware::from_fn_with_state(ctx.clone(), authenticate::<AliError>))
        .with_state(ctx)
}

/// The SDK needs every body to be JSON: refusals axum itself makes (wrong
/// method, an unparsable query or path) are rewritten into the error envelope.
async fn json_errors(resp: Response) -> Response {
    let is_json = resp
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if is_json || resp.status().is_success() {
        return resp;
    }
    let status = resp.status();
    let what = format!("{status}");
    let mut fixed = if status == axum::http::StatusCode::METHOD_NOT_ALLOWED {
        AliError::NoRoute(format!("method not allowed ({what})")).into_response()
    } else {
        AliError::BadBody(what).into_response()
    };
    *fixed.status_mut() = status;
    fixed
}

async fn fallback(req: Request) -> Response {
    AliError::NoRoute(format!("{} {}", req.method(), req.uri().path())).into_response()
}

/// Alibaba request ids are upper-case UUIDs.
pub(crate) fn request_id() -> String {
    uuid::Uuid::new_v4().to_string().to_uppercase()
}
