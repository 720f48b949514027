//! HTTP edge: one module per API dialect, each only translating between its
//! wire format and the application service. Shared here: the request context
//! and the authentication middleware every dialect mounts.

pub mod aliyun;
pub mod auth;
pub mod css;
pub mod dws;
pub mod keystone;
pub mod zilliz;

use std::sync::Arc;

use crate::app::App;
use crate::auth::Identity;

/// Base URLs of every listener, for catalogs and endpoints.json.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Endpoints {
    pub iam: String,
    pub dws: String,
    pub zilliz: String,
    pub css: String,
    pub aliyun: String,
}

/// What every handler can reach.
#[derive(Clone)]
pub struct Ctx {
    pub app: Arc<App>,
    pub identity: Arc<Identity>,
    pub endpoints: Arc<std::sync::RwLock<Endpoints>>,
}

impl Ctx {
    pub fn endpoints(&self) -> Endpoints {
        self.endpoints.read().expect("endpoints lock").clone()
    }
}

/// Why a body is not the JSON object a handler expects.
#[derive(Debug)]
pub enum NotAnObject {
    /// Valid JSON, but not an object.
    OtherJson,
    Invalid(serde_json::Error),
}

/// A request body as a JSON object; an empty (or all-whitespace) body is `{}`.
pub fn json_object(body: &[u8]) -> Result<serde_json::Map<String, serde_json::Value>, NotAnObject> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Default::default());
    }
    match serde_json::from_slice(body) {
        Ok(serde_json::Value::Object(m)) => Ok(m),
        Ok(_) => Err(NotAnObject::OtherJson),
        Err(e) => Err(NotAnObject::Invalid(e)),
    }
}

/// Largest request body any dialect accepts.
pub const MAX_BODY: usize = 1024 * 1024;

/// Gives every response a request id under the names the vendors' clients read
/// (`X-Request-Id` for Huawei, `x-openstack-request-id` for openstacksdk,
/// `requestid` for Zilliz).
pub async fn request_id(req: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    let id = uuid::Uuid::new_v4().simple().to_string();
    let span = tracing::info_span!("request", request.id = %id, method = %req.method(), path = %req.uri().path());
    let mut resp = tracing::Instrument::instrument(next.run(req), span).await;
    if let Ok(v) = axum::http::HeaderValue::from_str(&id) {
        resp.headers_mut().insert("x-request-id", v.clone());
        resp.headers_mut().insert("requestid", v.clone());
        resp.headers_mut().insert("x-openstack-request-id", v);
    }
    resp
}
