//! HTTP edge: one module per API dialect, each only translating between its
//! wire format and the application service. Shared here: the request context
//! and the authentication middleware every dialect mounts.

pub mod aliyun;
pub mod auth;
pub mod css;
pub mod dws;
pub mod faults;
pub mod keystone;
pub mod links;
pub mod sdk_catalog;
pub mod serve;
pub mod zilliz;

use std::sync::Arc;
use std::time::Duration;

use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

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

/// How long a client may take and how many may be connected, per listener:
/// a client that sends nothing (or dribbles a body) must not hold a file
/// descriptor for ever.
#[derive(Debug, Clone, Copy)]
pub struct HttpLimits {
    /// Until a request's head has arrived, the first one and every later one
    /// on a kept-alive connection (so it is the idle timeout too).
    pub header_timeout: Duration,
    /// Until a request's whole body has arrived.
    pub body_timeout: Duration,
    /// Connections one listener holds at once; more wait in the kernel's backlog.
    pub max_connections: usize,
}

impl Default for HttpLimits {
    fn default() -> Self {
        HttpLimits { header_timeout: Duration::from_secs(30), body_timeout: Duration::from_secs(30), max_connections: 1000 }
    }
}

/// What every handler can reach.
#[derive(Clone)]
pub struct Ctx {
    pub app: Arc<App>,
    pub identity: Arc<Identity>,
    pub endpoints: Arc<std::sync::RwLock<Endpoints>>,
    pub limits: HttpLimits,
    /// When the server started (milliseconds since the epoch).
    pub started_at: crate::core::Millis,
    /// How the `--init-dir` scripts went (None without one).
    pub init: crate::init_scripts::InitStatus,
}

impl Ctx {
    pub fn endpoints(&self) -> Endpoints {
        self.endpoints.read().expect("endpoints lock").clone()
    }
}

/// Why a request body does not decode into a dialect's wire type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyError {
    /// Where the problem is (`nodeSpec.diskType`), empty for the body as a whole.
    pub path: String,
    pub message: String,
}

impl BodyError {
    /// The top-level field the problem is in (`nodeSpec` for `nodeSpec.disk`).
    pub fn field(&self) -> &str {
        self.path.split(['.', '[']).next().unwrap_or_default()
    }
}

impl std::fmt::Display for BodyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

/// Decodes a request body into a dialect's wire type: it must be a JSON
/// object (an empty body is `{}`); unknown fields are ignored (the SDKs send
/// more than strato uses) and a known field of the wrong JSON type is an
/// error naming it, never a silent default.
pub fn decode_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, BodyError> {
    let empty = body.iter().all(u8::is_ascii_whitespace);
    let text: &[u8] = if empty { b"{}" } else { body };
    let value: serde_json::Value = serde_json::from_slice(text)
        .map_err(|e| BodyError { path: String::new(), message: format!("the body is not valid JSON: {e}") })?;
    decode_value(value)
}

/// `decode_body` for a body already parsed: it must be an object; errors name the field.
pub fn decode_value<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> Result<T, BodyError> {
    if !value.is_object() {
        return Err(BodyError { path: String::new(), message: "the body must be a JSON object".into() });
    }
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        BodyError { path: if path == "." { String::new() } else { path }, message: e.into_inner().to_string() }
    })
}

/// Decodes a body that is a JSON array (Alibaba's pipeline calls), each
/// element as `decode_value` decodes an object; errors name the element's field.
pub fn decode_array<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<Vec<T>, BodyError> {
    let value: serde_json::Value = serde_json::from_slice(body)
        .map_err(|e| BodyError { path: String::new(), message: format!("the body is not valid JSON: {e}") })?;
    if !value.is_array() {
        return Err(BodyError { path: String::new(), message: "the body must be a JSON array".into() });
    }
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        BodyError { path: if path == "." { String::new() } else { path }, message: e.into_inner().to_string() }
    })
}

/// Largest request body any dialect accepts.
pub const MAX_BODY: usize = 1024 * 1024;

/// A request refused at the HTTP edge, before (or instead of) a handler:
/// every dialect renders these in its own envelope with its own codes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HttpRefusal {
    /// The body is (or says it will be) over `MAX_BODY`.
    TooLarge,
    /// The body did not arrive within `HttpLimits::body_timeout`.
    BodyTimeout,
    /// The body could not be read.
    BadBody(String),
    /// A body that is not declared `application/json`.
    ContentType(String),
    /// A refusal axum made itself: no route for the method (405), a path or
    /// query that cannot be decoded (400), ...
    Framework { status: StatusCode, detail: String },
}

#[cfg(test)]
impl HttpRefusal {
    /// One of every variant, `Framework` with each of `framework`.
    pub fn samples(framework: &[StatusCode]) -> Vec<HttpRefusal> {
        let s = || String::from("x");
        let mut all = vec![HttpRefusal::TooLarge, HttpRefusal::BodyTimeout, HttpRefusal::BadBody(s()), HttpRefusal::ContentType(s())];
        all.extend(framework.iter().map(|status| HttpRefusal::Framework { status: *status, detail: s() }));
        all
    }
}

impl HttpRefusal {
    pub fn status(&self) -> StatusCode {
        match self {
            HttpRefusal::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            HttpRefusal::BodyTimeout => StatusCode::REQUEST_TIMEOUT,
            HttpRefusal::BadBody(_) => StatusCode::BAD_REQUEST,
            HttpRefusal::ContentType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            HttpRefusal::Framework { status, .. } => *status,
        }
    }

    pub fn message(&self) -> String {
        match self {
            HttpRefusal::TooLarge => format!("the request body exceeds {MAX_BODY} bytes"),
            HttpRefusal::BodyTimeout => "the request body did not arrive in time".into(),
            HttpRefusal::BadBody(m) => format!("the request body could not be read: {m}"),
            HttpRefusal::ContentType(ct) => format!("unsupported Content-Type `{ct}`: send application/json"),
            HttpRefusal::Framework { status, detail } if *status == StatusCode::METHOD_NOT_ALLOWED => {
                format!("this API does not accept that method{}", if detail.is_empty() { String::new() } else { format!(": {detail}") })
            }
            HttpRefusal::Framework { detail, .. } => format!("invalid request: {detail}"),
        }
    }
}

/// A body must be declared JSON (charset parameters allowed); an empty body needs no type.
pub fn require_json_type(headers: &HeaderMap, body: &[u8]) -> Result<(), HttpRefusal> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(());
    }
    match auth::header(headers, "content-type") {
        Some(ct) if ct.split(';').next().is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json")) => Ok(()),
        other => Err(HttpRefusal::ContentType(other.unwrap_or("none").to_string())),
    }
}

/// A handler that panics (a bug) answers a 500 that `envelope` turns into the
/// dialect's internal error, instead of dropping the connection; the panic is
/// logged.
pub fn catch_panics() -> tower_http::catch_panic::CatchPanicLayer<fn(Box<dyn std::any::Any + Send>) -> Response> {
    fn answer(panic: Box<dyn std::any::Any + Send>) -> Response {
        let what = panic
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| panic.downcast_ref::<&str>().copied())
            .unwrap_or("a panic");
        tracing::error!(panic = %what, "request failed: the handler panicked");
        (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
    }
    tower_http::catch_panic::CatchPanicLayer::custom(answer as fn(Box<dyn std::any::Any + Send>) -> Response)
}

/// Rewrites every response that is not JSON and not a success (axum's own
/// refusals: an empty 405, a plain-text 400 for an undecodable path or a
/// repeated query key) into the dialect's envelope, keeping its status
/// (the dialect may choose another, as Zilliz does) and `Allow` header.
pub async fn envelope<E: From<HttpRefusal> + IntoResponse>(resp: Response) -> Response {
    let is_json = resp
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if is_json || resp.status().is_success() || resp.status().is_informational() {
        return resp;
    }
    let (parts, body) = resp.into_parts();
    let text = axum::body::to_bytes(body, 4096).await.unwrap_or_default();
    let detail = String::from_utf8_lossy(&text).trim().to_string();
    let mut fixed = E::from(HttpRefusal::Framework { status: parts.status, detail }).into_response();
    if let Some(allow) = parts.headers.get(axum::http::header::ALLOW) {
        fixed.headers_mut().insert(axum::http::header::ALLOW, allow.clone());
    }
    fixed
}

/// The vendor SDK's name of a listener's route (`RestartCluster`); None for
/// strato's own routes (`/_strato/...`, Keystone's).
pub fn operation_name(listener: &str, method: &str, route: &str) -> Option<&'static str> {
    match listener {
        "dws" => <dws::Dws as faults::Dialect>::operation(method, route),
        "css" => <css::Css as faults::Dialect>::operation(method, route),
        "zilliz" => <zilliz::Zilliz as faults::Dialect>::operation(method, route),
        "aliyun" => <aliyun::Aliyun as faults::Dialect>::operation(method, route),
        _ => None,
    }
}

/// Counts the request in `/metrics` by listener, operation (the vendor's
/// name, else method and route) and status, with its latency.
pub async fn count_request(listener: &'static str, req: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    let operation = match req.extensions().get::<axum::extract::MatchedPath>() {
        Some(p) => match operation_name(listener, req.method().as_str(), p.as_str()) {
            Some(name) => name.to_string(),
            None => format!("{} {}", req.method(), p.as_str()),
        },
        None => "unmatched".to_string(),
    };
    let started = std::time::Instant::now();
    let resp = next.run(req).await;
    crate::metrics::metrics().observe_request(listener, operation, resp.status().as_u16(), started.elapsed());
    resp
}

/// Gives every response a request id under the names the vendors' clients read
/// (`X-Request-Id` for Huawei, `x-openstack-request-id` for openstacksdk,
/// `requestid` for Zilliz).
pub async fn request_id(req: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    // Unique, not secret: the thread's generator, no system call per request.
    let id = uuid::Uuid::from_u128(rand::random::<u128>()).simple().to_string();
    let span = tracing::info_span!("request", request.id = %id, method = %req.method(), path = %req.uri().path());
    let mut resp = tracing::Instrument::instrument(next.run(req), span).await;
    if let Ok(v) = axum::http::HeaderValue::from_str(&id) {
        resp.headers_mut().insert("x-request-id", v.clone());
        resp.headers_mut().insert("requestid", v.clone());
        resp.headers_mut().insert("x-openstack-request-id", v);
    }
    resp
}

/// Deserializers for the spellings a vendor's backend accepts besides the
/// documented JSON type (use with `#[serde(default, deserialize_with = ...)]`).
pub mod lenient {
    use serde::{Deserialize, Deserializer};

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum IntOrText {
        Int(i64),
        Text(String),
    }

    /// An integer, or a string holding one (Alibaba's backend coerces those); anything else is an error.
    pub fn int<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
        match Option::<IntOrText>::deserialize(d).map_err(|_| serde::de::Error::custom("expected an integer"))? {
            None => Ok(None),
            Some(IntOrText::Int(n)) => Ok(Some(n)),
            Some(IntOrText::Text(s)) => {
                s.trim().parse().map(Some).map_err(|_| serde::de::Error::custom(format!("expected an integer, got \"{s}\"")))
            }
        }
    }

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum BoolOrText {
        Bool(bool),
        Text(String),
    }

    /// A Boolean, or the string `true` / `false` (older OTC documents string flags).
    pub fn bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
        match Option::<BoolOrText>::deserialize(d).map_err(|_| serde::de::Error::custom("expected a Boolean"))? {
            None => Ok(None),
            Some(BoolOrText::Bool(b)) => Ok(Some(b)),
            Some(BoolOrText::Text(s)) if s.eq_ignore_ascii_case("true") => Ok(Some(true)),
            Some(BoolOrText::Text(s)) if s.eq_ignore_ascii_case("false") => Ok(Some(false)),
            Some(BoolOrText::Text(s)) => Err(serde::de::Error::custom(format!("expected a Boolean, got \"{s}\""))),
        }
    }

    #[cfg(test)]
    mod tests {
        #[derive(serde::Deserialize, Debug)]
        struct T {
            #[serde(default, deserialize_with = "super::int")]
            n: Option<i64>,
            #[serde(default, deserialize_with = "super::bool")]
            b: Option<bool>,
        }

        #[test]
        fn lenient_ints_and_bools_take_their_spellings_and_nothing_else() {
            let t: T = serde_json::from_str(r#"{"n":"3","b":"true"}"#).unwrap();
            assert_eq!((t.n, t.b), (Some(3), Some(true)));
            let t: T = serde_json::from_str(r#"{"n":4,"b":false}"#).unwrap();
            assert_eq!((t.n, t.b), (Some(4), Some(false)));
            let t: T = serde_json::from_str(r#"{}"#).unwrap();
            assert_eq!((t.n, t.b), (None, None));
            for bad in [r#"{"n":"x"}"#, r#"{"n":{}}"#, r#"{"n":1.5}"#, r#"{"b":1}"#, r#"{"b":"yes"}"#] {
                assert!(serde_json::from_str::<T>(bad).is_err(), "{bad}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    #[serde(rename_all = "camelCase")]
    struct Body {
        node_spec: Option<Spec>,
        description: Option<String>,
    }

    #[derive(serde::Deserialize, Debug)]
    #[serde(rename_all = "camelCase")]
    struct Spec {
        disk_type: Option<String>,
    }

    #[test]
    fn bodies_decode_strictly_and_name_the_field_at_fault() {
        let b: Body = decode_body(br#"{"nodeSpec":{"diskType":"cloud_ssd"},"extra":1}"#).unwrap();
        assert_eq!(b.node_spec.unwrap().disk_type.as_deref(), Some("cloud_ssd"));
        assert!(decode_body::<Body>(b"  ").unwrap().description.is_none(), "an empty body is {{}}");
        let e = decode_body::<Body>(br#"{"nodeSpec":{"diskType":12345}}"#).unwrap_err();
        assert_eq!((e.path.as_str(), e.field()), ("nodeSpec.diskType", "nodeSpec"));
        let e = decode_body::<Body>(br#"{"description":{}}"#).unwrap_err();
        assert_eq!(e.field(), "description");
        for not_an_object in [&b"null"[..], b"[]", b"1", b"\"s\"", b"{"] {
            assert_eq!(decode_body::<Body>(not_an_object).unwrap_err().path, "", "{not_an_object:?}");
        }
    }

    #[tokio::test]
    async fn a_panicking_handler_answers_the_dialect_s_internal_error() {
        use tower::ServiceExt;
        async fn boom() -> &'static str {
            panic!("a bug")
        }
        let router = axum::Router::new()
            .route("/boom", axum::routing::get(boom))
            .layer(catch_panics())
            .layer(axum::middleware::map_response(envelope::<dws::DwsError>));
        let req = axum::http::Request::builder().uri("/boom").body(axum::body::Body::empty()).unwrap();
        let resp = router.oneshot(req).await.unwrap();
        assert_eq!(resp.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body = axum::body::to_bytes(resp.into_body(), 1024).await.unwrap();
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["error_code"], "DWS.9999", "{v}");
    }
}
