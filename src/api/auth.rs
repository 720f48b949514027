//! Authentication middleware shared by the dialects: buffers the body (the
//! signature covers it), accepts `X-Auth-Token` or an AK/SK signature, and
//! hands the handler a `Principal` and the raw body. Failures are rendered
//! by the dialect, in its own envelope.

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::{Ctx, HttpLimits, HttpRefusal, MAX_BODY};
use crate::auth::signature::WireRequest;
use crate::auth::{AuthError, Principal};

/// Why a request was refused before reaching a handler.
#[derive(Debug)]
pub enum Rejection {
    Auth(AuthError),
    Http(HttpRefusal),
}

impl From<HttpRefusal> for Rejection {
    fn from(r: HttpRefusal) -> Self {
        Rejection::Http(r)
    }
}

/// A dialect's error type: renders refusals in its own envelope.
pub trait RenderRejection: From<Rejection> + IntoResponse {}
impl<T: From<Rejection> + IntoResponse> RenderRejection for T {}

/// The raw request body, as buffered by the middleware.
#[derive(Clone)]
pub struct RawBody(pub Bytes);

pub fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// Reads the whole body within `MAX_BODY` and `limits.body_timeout`. A body
/// declared too large is refused before a byte of it is read: reading would
/// make hyper answer `Expect: 100-continue` and invite the upload.
pub async fn buffer(limits: &HttpLimits, headers: &HeaderMap, body: Body) -> Result<Bytes, HttpRefusal> {
    let declared = header(headers, "content-length").and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY as u64) {
        return Err(HttpRefusal::TooLarge);
    }
    match tokio::time::timeout(limits.body_timeout, axum::body::to_bytes(body, MAX_BODY)).await {
        Err(_) => Err(HttpRefusal::BodyTimeout),
        Ok(Ok(bytes)) => Ok(bytes),
        // axum reports the limit only through its message.
        Ok(Err(e)) if format!("{e:?} {e}").to_lowercase().contains("length limit") => Err(HttpRefusal::TooLarge),
        Ok(Err(e)) => Err(HttpRefusal::BadBody(e.to_string())),
    }
}

/// Zilliz-style authentication: `Authorization: Bearer <API key>` only.
pub async fn authenticate_api_key<D: RenderRejection>(State(ctx): State<Ctx>, req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    let bytes = match buffer(&ctx.limits, &parts.headers, body).await {
        Ok(b) => b,
        Err(r) => return D::from(r.into()).into_response(),
    };
    let key = header(&parts.headers, "authorization")
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(str::trim);
    let principal = match key {
        Some(k) if !k.is_empty() => ctx.identity.check_api_key(k).await,
        _ => Err(AuthError::Missing),
    };
    admit::<D>(parts, bytes, principal, next).await
}

pub async fn authenticate<D: RenderRejection>(State(ctx): State<Ctx>, req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    let bytes = match buffer(&ctx.limits, &parts.headers, body).await {
        Ok(b) => b,
        Err(r) => return D::from(r.into()).into_response(),
    };
    let principal: Result<Principal, AuthError> = if let Some(token) = header(&parts.headers, "x-auth-token") {
        ctx.identity.check_token(token).await.map(|(p, _)| p)
    } else if parts.headers.contains_key("authorization") {
        let headers: Vec<(String, String)> = parts
            .headers
            .iter()
            .map(|(k, v)| (k.as_str().to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
            .collect();
        let target = parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/").to_string();
        let wire = WireRequest { method: parts.method.as_str(), target: &target, headers: &headers, body: &bytes };
        ctx.identity.check_signature(&wire).await
    } else {
        Err(AuthError::Missing)
    };
    admit::<D>(parts, bytes, principal, next).await
}

/// Hands an authenticated request (with its buffered body) to the handler,
/// or renders the refusal in the dialect's envelope. A body must be JSON,
/// for every dialect (checked once the caller is known).
async fn admit<D: RenderRejection>(
    mut parts: axum::http::request::Parts,
    bytes: Bytes,
    principal: Result<Principal, AuthError>,
    next: Next,
) -> Response {
    match principal {
        Ok(p) => {
            if let Err(r) = super::require_json_type(&parts.headers, &bytes) {
                return D::from(r.into()).into_response();
            }
            parts.extensions.insert(p);
            parts.extensions.insert(RawBody(bytes.clone()));
            next.run(Request::from_parts(parts, Body::from(bytes))).await
        }
        Err(e) => {
            tracing::info!(error = %e, method = %parts.method, path = %parts.uri.path(), "request refused");
            D::from(Rejection::Auth(e)).into_response()
        }
    }
}

/// Checks that the caller may act in the path's project (any dialect whose
/// paths carry a project id).
pub async fn authorize_project<E: From<AuthError>>(ctx: &Ctx, principal: &Principal, pid: &str) -> Result<String, E> {
    ctx.identity.authorize(principal, pid).await?;
    Ok(pid.to_string())
}
